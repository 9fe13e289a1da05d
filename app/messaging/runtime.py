"""The app's messaging runtime: which adapter it talks to and the dispatcher that hands events
to the listeners. Built in the factory (`init_messaging`), one per app, so tests with several
apps never share listeners.

- Without MMS3_API_URL, the embedded adapter raises events in-process through this dispatcher.
- With MMS3_API_URL, events come from RabbitMQ: `flask events consume` feeds the same
  dispatcher (tasks/consumer.py).
"""

from dataclasses import dataclass

from flask import Flask, current_app

from app.messaging.embedded import EmbeddedGateway
from app.messaging.events import Dispatcher
from app.messaging.gateway import MessagingGateway
from app.messaging.mms3 import Mms3Gateway


@dataclass
class Messaging:
    gateway: MessagingGateway
    dispatcher: Dispatcher


def init_messaging(app: Flask) -> Messaging:
    """The adapter and an empty dispatcher; app/listeners.py subscribes the handlers."""
    dispatcher = Dispatcher()
    if app.config["MMS3_API_URL"]:
        gateway = Mms3Gateway.from_config(app.config)
    else:
        gateway = EmbeddedGateway(dispatcher=dispatcher, tenant_id=app.config["MMS3_TENANT_ID"])
    app.extensions["messaging"] = Messaging(gateway, dispatcher)
    return app.extensions["messaging"]


def gateway() -> MessagingGateway:
    return current_app.extensions["messaging"].gateway


def dispatcher() -> Dispatcher:
    return current_app.extensions["messaging"].dispatcher
