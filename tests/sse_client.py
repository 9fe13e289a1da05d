"""Many live-update streams from one asyncio loop, for the tests and bench/live.py: each stream
is a raw HTTP/1.1 connection to the server (no thread per stream on our side either), whose
status and SSE event lines are read as they come."""

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class Stream:
    status: int
    headers: dict
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    last_id: str | None = None
    events: list = field(default_factory=list)  # (event name, arrival time.monotonic())
    body: bytes = b""

    async def next_event(self, timeout=None):
        """The name of the next event (None when the stream ended), keeping its id."""
        name = None
        while True:
            line = await asyncio.wait_for(self.reader.readline(), timeout)
            if not line:
                return None
            text = line.decode(errors="replace").rstrip("\r\n")
            if text.startswith("id: "):
                self.last_id = text[4:]
            elif text.startswith("event: "):
                name = text[7:]
            elif text.startswith("data: ") and name:
                self.events.append((name, time.monotonic()))
                return name

    async def wait_for(self, wanted, timeout):
        deadline = time.monotonic() + timeout
        while True:
            name = await self.next_event(max(0.001, deadline - time.monotonic()))
            if name is None or name == wanted:
                return name

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def open_stream(host, port, path, headers=None, timeout=30):
    """GET `path` as a stream; a Stream whose status says whether it opened (its body is
    read whole when it did not)."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Accept: text/event-stream",
             *(f"{name}: {value}" for name, value in (headers or {}).items()), "", ""]
    writer.write("\r\n".join(lines).encode())
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    status_line, *header_lines = head.decode().split("\r\n")
    found = {}
    for line in header_lines:
        if ":" in line:
            name, value = line.split(":", 1)
            found[name.strip().lower()] = value.strip()
    stream = Stream(int(status_line.split()[1]), found, reader, writer)
    if stream.status != 200:
        length = int(found.get("content-length") or 0)
        stream.body = await asyncio.wait_for(reader.readexactly(length), timeout) \
            if length else b""
        stream.close()
    return stream
