"""The Redis side of the live bus (app/live/bus.py): ids and replay buffers in Redis,
events over one pub/sub channel per deployment (REDIS_KEY_PREFIX).

Each process holds one subscription (a listener thread, running while the process has open
streams) and hands what arrives to its streams' inboxes: one Redis connection per process
rather than one per open page."""

import json
import logging
import threading

from redis import Redis

from app.live.fanout import (
    REPLAY_SECONDS,
    REPLAY_SIZE,
    Event,
    Fanout,
    clock_id,
    encode,
    unavailable,
)

READY_TIMEOUT = 5.0  # seconds to wait for the subscription before refusing a stream

log = logging.getLogger("bank.live")


# KEYS: the id counter, the topic's buffer. ARGV: clock id, entry body, buffer size, ttl,
# channel. The id, the buffer and the publish happen together, so ids reach every listener
# in order.
_PUBLISH = """
local id = math.max(tonumber(redis.call('GET', KEYS[1]) or '0') + 1, tonumber(ARGV[1]))
local text = string.format('%.0f', id)
redis.call('SET', KEYS[1], text)
local entry = text .. ' ' .. ARGV[2]
redis.call('LPUSH', KEYS[2], entry)
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[3]) - 1)
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[4]))
redis.call('PUBLISH', ARGV[5], entry)
return text
"""
_HEAD = """
local id = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), tonumber(ARGV[1]))
local text = string.format('%.0f', id)
redis.call('SET', KEYS[1], text)
return text
"""


def _parse_entry(raw):
    id_text, _sep, body = raw.decode().partition(" ")
    entry = json.loads(body)
    return Event(int(id_text), entry["event"], entry["data"], entry["topic"])


class RedisBackend:
    """Several processes: ids and buffers in Redis, events over one pub/sub channel."""

    def __init__(self, client: Redis, prefix: str):
        self.redis, self.fanout, self.closing = client, Fanout(), False
        self.started = 0  # the buffers live in Redis, across restarts of this process
        self.seq_key = f"{prefix}:live:seq"
        self.buffer_prefix = f"{prefix}:live:topic:"
        self.channel = f"{prefix}:live"
        self._publish = client.register_script(_PUBLISH)
        self._head = client.register_script(_HEAD)
        self._lock = threading.Lock()
        self._attempt = None  # the running listener's; None when no listener runs

    def publish(self, topic: str, name: str, text: str) -> int:
        body = f'{{"topic":{encode(topic)},"event":{encode(name)},"data":{text}}}'
        return int(self._publish(keys=[self.seq_key, self.buffer_prefix + topic],
                                 args=[clock_id(), body, REPLAY_SIZE, REPLAY_SECONDS,
                                       self.channel]))

    def head(self) -> int:
        return int(self._head(keys=[self.seq_key], args=[clock_id()]))

    def buffered(self, topic: str) -> list[Event]:
        return [_parse_entry(raw) for raw in reversed(self.redis.lrange(
            self.buffer_prefix + topic, 0, -1))]

    def listen(self) -> None:
        """Make sure this process is subscribed (the caller's inbox is already added)."""
        with self._lock:
            attempt = self._attempt
            if attempt is None:
                attempt = self._attempt = {"ready": threading.Event(), "error": None}
                threading.Thread(target=self._listen, args=(attempt,), name="live-redis",
                                 daemon=True).start()
        if not attempt["ready"].wait(READY_TIMEOUT) or attempt["error"] is not None:
            raise unavailable()

    def _listen(self, attempt):
        pubsub = self.redis.pubsub()
        try:
            pubsub.subscribe(self.channel)
            confirmed = pubsub.get_message(timeout=READY_TIMEOUT)
            if not confirmed or confirmed["type"] != "subscribe":
                raise ConnectionError("no confirmation of the subscription")
            attempt["ready"].set()
            while True:
                with self._lock:
                    if self.fanout.empty():  # no stream left: let the connection go
                        self._attempt = None
                        return
                message = pubsub.get_message(timeout=1.0)
                if message is None:
                    continue
                if message["type"] == "subscribe":
                    # redis-py reconnected and subscribed again: whatever was published in
                    # between is lost here, so end the streams; they reopen and replay it.
                    self.fanout.close_all()
                elif message["type"] == "message":
                    self.fanout.deliver(_parse_entry(message["data"]))
        except Exception as error:  # noqa: BLE001 - any failure ends the streams, not the process
            log.warning("live: the Redis subscription failed: %r", error)
            with self._lock:
                self._attempt = None
            attempt["error"] = error
            attempt["ready"].set()
            self.fanout.close_all()
        finally:
            pubsub.close()
