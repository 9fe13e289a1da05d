"""A TCP proxy to RabbitMQ that a test can cut and restore: what a restarting broker looks
like to a client (the consumer's reconnect test)."""

import errno
import socket
import threading
import time

from tests.live_server import free_port


class Proxy:
    """127.0.0.1:<port> → RabbitMQ, that a test can cut (connections dropped, nothing
    listening: what a restarting broker looks like) and restore."""

    def __init__(self, target=("127.0.0.1", 5672)):
        self.target = target
        self.port = free_port()  # outside the ephemeral range: no client can take it
        self.lock = threading.Lock()
        self.sockets, self.server, self.open = [], None, threading.Event()

    @property
    def url(self):
        return f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"

    def restore(self):
        # The port is free while cut, so anything may take it for a moment: a connection
        # from an ephemeral port (the consumer retrying) can even be bound to it.
        deadline = time.monotonic() + 5
        while True:
            try:
                self.server = socket.create_server(("127.0.0.1", self.port))
                break
            except OSError as error:
                if error.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.server.settimeout(0.05)
        self.open.set()
        threading.Thread(target=self._accept, args=(self.server,), daemon=True).start()

    def _accept(self, server):
        while self.open.is_set():
            try:
                client, _address = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            for one, other in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(one, other), daemon=True).start()
        server.close()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        self.open.clear()
        try:  # stops listening at once, even while the accept thread is inside accept()
            self.server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.server.close()
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.sockets = []
