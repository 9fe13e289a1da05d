"""Uploaded images (app/lib/images.py): a file that declares more pixels than its use takes is
refused before a pixel is decoded (the decompression bomb: a few hundred KB that would take
gigabytes), for avatars, logos and post images alike; decoding runs a bounded number at once;
one person's uploads are limited."""

import io
import struct
import threading
import time
import zlib

import pytest
from PIL import Image

from app.lib import images
from app.models import Business, ChannelPost, User
from tests.factories import business, signed_in


def chunk(kind, payload):
    return (struct.pack(">I", len(payload)) + kind + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))


def bomb(width=13_000, height=13_000):
    """A valid PNG header declaring width x height RGBA pixels, with a few rows of zeros:
    a small file that claims a huge picture (the review's was 169 Mpx in 657 KB)."""
    rows = zlib.compress(b"\0" * (1 + 4 * width) * 16, 9)
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


def png(size=(64, 48)):
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def upload(client, url, who, data, field="file", **extra):
    return client.post(url, headers={"Authorization": f"Bearer {who['accessToken']}"},
                       content_type="multipart/form-data",
                       data={field: (io.BytesIO(data), "picture.png"), **extra})


def refused_as_too_large(response):
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "image_too_large"
    assert (error["details"]["width"], error["details"]["height"]) == (13_000, 13_000)


def test_a_bomb_is_refused_as_an_avatar_a_logo_and_a_post_image(app, client):
    owner = signed_in(app, "+79161230001")
    shop = business(app, owner["user"]["id"], "Кофейня", slug="coffee")
    started = time.monotonic()
    refused_as_too_large(upload(client, f"/api/users/{owner['user']['id']}/avatar", owner,
                                bomb()))
    refused_as_too_large(upload(client, f"/api/businesses/{shop.id}/logo", owner, bomb()))
    refused_as_too_large(upload(client, f"/api/businesses/{shop.id}/channel/messages", owner,
                                bomb(), field="image", text="Меню"))
    with app.app_context():
        assert User.objects.get(id=owner["user"]["id"]).avatar is None
        assert Business.objects.get(id=shop.id).logo is None
        assert ChannelPost.objects(business_id=shop.id).count() == 0  # nothing half-written
    assert time.monotonic() - started < 10  # never decoded (decoding took 10-12 s each)


def test_an_image_within_the_budget_is_taken_and_scaled(app, client):
    owner = signed_in(app, "+79161230001")
    answer = upload(client, f"/api/users/{owner['user']['id']}/avatar", owner, png((2000, 1500)))
    assert answer.status_code == 200, answer.get_json()
    with app.app_context():
        key = User.objects.get(id=owner["user"]["id"]).avatar
        stored = Image.open(images.storage.storage().path(key))
        assert stored.format == "WEBP" and max(stored.size) == app.config["AVATAR_MAX_SIDE"]


def test_a_budget_is_a_setting(make_app):
    app = make_app(IMAGE_MAX_MEGAPIXELS="1")
    client = app.test_client()
    owner = signed_in(app, "+79161230001")
    answer = upload(client, f"/api/users/{owner['user']['id']}/avatar", owner, png((1200, 900)))
    assert answer.status_code == 422
    assert answer.get_json()["error"]["details"]["maxPixels"] == 1_000_000


def test_one_person_uploads_a_limited_number_of_images(make_app):
    app = make_app(IMAGE_UPLOADS_PER_USER="2/hour")
    client = app.test_client()
    owner = signed_in(app, "+79161230001")
    url = f"/api/users/{owner['user']['id']}/avatar"
    statuses = [upload(client, url, owner, png()).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_images_are_decoded_a_bounded_number_at_once(make_app, monkeypatch):
    app = make_app(IMAGE_DECODES_AT_ONCE="1")
    busy, most = [0], [0]
    lock = threading.Lock()

    def slow_convert(data, kind, side):
        with lock:
            busy[0] += 1
            most[0] = max(most[0], busy[0])
        time.sleep(0.2)
        with lock:
            busy[0] -= 1
        return b"webp"

    monkeypatch.setattr(images, "_convert", slow_convert)

    def one():
        with app.app_context():
            images.reencode(png(), images.AVATAR)

    threads = [threading.Thread(target=one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 1


def test_a_jpeg_is_decoded_at_a_reduced_scale(app):
    """The draft mode: a 4000 x 3000 photo is never held at full size to make a 512 avatar."""
    out = io.BytesIO()
    Image.new("RGB", (4000, 3000), (1, 2, 3)).save(out, format="JPEG")
    decoded = []
    original = Image.Image.load

    def load(self):
        found = original(self)
        decoded.append(self.size)
        return found

    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(Image.Image, "load", load)
        images.reencode(out.getvalue(), images.AVATAR)
    assert decoded and max(decoded[0]) <= 2 * app.config["AVATAR_MAX_SIDE"]
