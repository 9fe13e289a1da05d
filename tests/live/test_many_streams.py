"""Many open streams against the real server, started as `make run` starts it (gunicorn with
gunicorn.conf.py: gevent workers, the embedded store): a visitor past their share is refused
while everybody else is served, hundreds of streams leave the server answering, and one
address cannot hold every connection."""

import asyncio
import socket
import time

import requests

from tests.live_server import running_server
from tests.sse_client import open_stream

OWNER = "+79161234501"
MEMBER = "+79161234502"


def shop(server):
    """A business made through the API; its id."""
    owner = server.sign_in_api(OWNER)
    made = requests.post(f"{server.base}/api/businesses", timeout=10, json={
        "name": "Кофейня", "slug": "coffee"}, headers=bearer(owner["accessToken"]))
    assert made.status_code == 201, made.text
    return made.json()["data"]["id"], owner


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def guest_token(server):
    answer = requests.post(f"{server.base}/api/widget/coffee/session", json={}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["token"]


def served(server):
    """/api/health, asked until the server has noticed a connection closing (a moment)."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return requests.get(f"{server.base}/api/health", timeout=5)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise


def address(server):
    host, port = server.env["BIND"].split(":")
    return host, int(port)


async def open_many(server, path, tokens):
    host, port = address(server)
    streams = await asyncio.gather(*[
        open_stream(host, port, path, bearer(token)) for token in tokens])
    for stream in streams:
        if stream.status == 200:
            assert await stream.wait_for("ready", 30) == "ready"
    return streams


def test_one_guest_past_its_share_gets_429_while_another_person_is_served(tmp_path):
    with running_server(tmp_path, LIVE_STREAMS_PER_IDENTITY="4") as server:
        business_id, _owner = shop(server)
        token = guest_token(server)
        someone = server.sign_in_api(MEMBER)

        async def scenario():
            streams = await open_many(server, f"/api/stream?topics=channel:{business_id}",
                                      [token] * 7)
            me = await asyncio.to_thread(requests.get, f"{server.base}/api/me", timeout=5,
                                         headers=bearer(someone["accessToken"]))
            for stream in streams:
                stream.close()
            return streams, me

        streams, me = asyncio.run(scenario())
    assert sorted(s.status for s in streams) == [200] * 4 + [429] * 3
    refused = [s for s in streams if s.status == 429]
    assert all(s.headers.get("retry-after") == "15" for s in refused)
    assert all(b'"code":"too_many_streams"' in s.body for s in refused)
    assert me.status_code == 200 and me.json()["data"]["id"] == someone["user"]["id"]


def test_hundreds_of_streams_from_many_people_leave_the_server_answering(tmp_path):
    with running_server(tmp_path, LIVE_STREAMS_PER_IP="1000",
                        WIDGET_GUESTS_PER_IP="1000/hour") as server:
        business_id, owner = shop(server)
        tokens = [guest_token(server) for _ in range(100)]
        someone = server.sign_in_api(MEMBER)

        async def scenario():
            streams = await open_many(server, f"/api/stream?topics=channel:{business_id}",
                                      tokens * 3)
            health = await asyncio.to_thread(requests.get, f"{server.base}/api/health",
                                             timeout=5)
            me = await asyncio.to_thread(requests.get, f"{server.base}/api/me", timeout=5,
                                         headers=bearer(someone["accessToken"]))
            post = await asyncio.to_thread(
                requests.post, f"{server.base}/api/businesses/{business_id}/channel/messages",
                timeout=10, json={"text": "Открылись!"},
                headers=bearer(owner["accessToken"]))
            heard = await asyncio.gather(*[s.wait_for("post", 30) for s in streams])
            for stream in streams:
                stream.close()
            return streams, health, me, post, heard

        streams, health, me, post, heard = asyncio.run(scenario())
    assert [s.status for s in streams] == [200] * 300
    assert health.status_code == 200 and me.status_code == 200
    assert post.status_code == 201, post.text
    assert heard == ["post"] * 300  # every one of them got the new post


def test_a_closed_stream_gives_its_slot_back_at_once(tmp_path):
    """The server notices a client that closed its stream without waiting for its next
    heartbeat (15 s): a reloaded page gets its stream back."""
    with running_server(tmp_path, LIVE_STREAMS_PER_IDENTITY="1") as server:
        business_id, _owner = shop(server)
        token = guest_token(server)
        path = f"/api/stream?topics=channel:{business_id}"

        async def scenario():
            [first] = await open_many(server, path, [token])
            first.close()
            deadline = time.monotonic() + 5  # well before the first heartbeat
            while True:
                [again] = await open_many(server, path, [token])
                if again.status == 200 or time.monotonic() > deadline:
                    again.close()
                    return first.status, again.status

        first, again = asyncio.run(scenario())
    assert (first, again) == (200, 200)


def test_one_address_cannot_hold_every_connection(tmp_path):
    # 127.0.0.1 is not a trusted proxy here, so its connections are capped.
    with running_server(tmp_path, GUNICORN_CONNECTIONS_PER_IP="5",
                        FORWARDED_ALLOW_IPS="10.9.9.9") as server:
        held = [socket.create_connection(address(server), timeout=5) for _ in range(5)]
        extra = socket.create_connection(address(server), timeout=5)
        extra.sendall(b"GET /api/health HTTP/1.1\r\nHost: bank.test\r\n\r\n")
        try:
            answer = extra.recv(100)
        except ConnectionResetError:
            answer = b""
        extra.close()
        held.pop().close()
        after = served(server)
        for connection in held:
            connection.close()
    assert answer == b""  # closed without a word
    assert after.status_code == 200
