"""A synchronous in-process publish/subscribe bus: handlers run inside `publish`, in the order
they subscribed, and an exception in one reaches the publisher (so a job or an event delivered
again is handled again). One bus per app (built by the factory), never a global, so tests with
several apps never share handlers.

The app's domain events (app/events.py) travel on it keyed by their class, and the messaging
events (app/messaging/events.py) keyed by their canonical type; app/listeners.py subscribes
every handler, so who hears what is written in one place."""

from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask, current_app

Handler = Callable[[Any], object]


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[Hashable, list[Handler]] = {}

    def subscribe(self, key: Hashable, handler: Handler) -> Handler:
        handlers = self._handlers.setdefault(key, [])
        if handler not in handlers:
            handlers.append(handler)
        return handler

    def unsubscribe(self, key: Hashable, handler: Handler) -> None:
        handlers = self._handlers.get(key, [])
        if handler in handlers:
            handlers.remove(handler)

    def handlers(self, key: Hashable) -> tuple[Handler, ...]:
        return tuple(self._handlers.get(key, ()))

    def publish(self, key: Hashable, payload: object) -> int:
        """Call every handler of `key` with `payload`; returns how many were called."""
        handlers = self.handlers(key)
        for handler in handlers:
            handler(payload)
        return len(handlers)


def init_event_bus(app: Flask) -> EventBus:
    app.extensions["events"] = EventBus()
    return app.extensions["events"]


def publish(event: object) -> int:
    """Publish a domain event (an instance of one of app/events.py's classes) on the current
    app's bus; returns how many listeners heard it."""
    return current_app.extensions["events"].publish(type(event), event)
