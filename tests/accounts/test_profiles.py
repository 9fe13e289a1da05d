"""Profiles: public reads, own edits, counts, avatars (uploaded and generated)."""

import io

from PIL import Image

from app.models import Business, BusinessMember, Subscription, User

PHONE = "+79161234567"


def png(size=(900, 600), mode="RGB", exif=None):
    out = io.BytesIO()
    image = Image.new(mode, size, (200, 30, 30))
    image.save(out, format="PNG" if exif is None else "JPEG", **({"exif": exif} if exif else {}))
    return out.getvalue()


def test_public_profile_hides_the_phone(client, auth):
    user = auth.sign_in(PHONE)["user"]
    response = client.get(f"/api/users/{user['id']}")
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert set(data) == {"id", "name", "avatarUrl", "createdAt"}
    assert data["createdAt"].endswith("Z")
    assert PHONE not in response.get_data(as_text=True)


def test_unknown_user_is_404_json(client):
    response = client.get("/api/users/usr_doesnotexist")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "user_not_found"


def test_me_has_counts_of_businesses_and_subscriptions(app, client, auth):
    tokens = auth.sign_in(PHONE)
    user_id = tokens["user"]["id"]
    with app.app_context():
        own = Business(owner_id=user_id, name="Моё", slug="moe").save()
        BusinessMember(business_id=own.id, user_id=user_id, role="owner").save()
        other = Business(owner_id="usr_other", name="Чужое", slug="chuzhoe").save()
        BusinessMember(business_id=other.id, user_id=user_id, role="operator").save()
        Business(owner_id=user_id, name="Удалённое", slug="deleted-one",
                 deleted_at=own.created_at).save()
        Subscription(user_id=user_id, business_id=other.id).save()
    me = client.get("/api/me", headers=auth.bearer(tokens["accessToken"])).get_json()["data"]
    assert me["counts"] == {"businessesOwned": 1, "businessesJoined": 1, "subscriptions": 1,
                            "invitations": 0}  # team invitations waiting for an answer
    assert me["phone"] == PHONE
    assert me["lastLoginAt"].endswith("Z")


def test_rename_trims_and_is_visible_publicly(client, auth):
    tokens = auth.sign_in(PHONE)
    user_id = tokens["user"]["id"]
    response = client.put(f"/api/users/{user_id}", json={"name": "  Анна Смирнова  "},
                          headers=auth.bearer(tokens["accessToken"]))
    assert response.status_code == 200
    assert response.get_json()["data"]["name"] == "Анна Смирнова"
    assert client.get(f"/api/users/{user_id}").get_json()["data"]["name"] == "Анна Смирнова"


def test_name_rules(client, auth):
    tokens = auth.sign_in(PHONE)
    url = f"/api/users/{tokens['user']['id']}"
    headers = auth.bearer(tokens["accessToken"])
    for bad in ("   ", "", "x" * 65, "Anna\u0000", "Anna\u202eevil", "line\nbreak"):
        response = client.put(url, json={"name": bad}, headers=headers)
        assert response.status_code == 422, repr(bad)
    assert client.put(url, json={"name": "x" * 64}, headers=headers).status_code == 200


def test_editing_another_user_is_403_and_changes_nothing(app, client, auth):
    victim = auth.sign_in("+79167654321")
    attacker = auth.sign_in(PHONE)
    response = client.put(f"/api/users/{victim['user']['id']}", json={"name": "Hacked"},
                          headers=auth.bearer(attacker["accessToken"]))
    assert response.status_code == 403
    with app.app_context():
        assert User.objects.get(id=victim["user"]["id"]).name is None


def test_phone_cannot_be_changed(app, client, auth):
    tokens = auth.sign_in(PHONE)
    response = client.put(f"/api/users/{tokens['user']['id']}", json={"phone": "+79990000000"},
                          headers=auth.bearer(tokens["accessToken"]))
    assert response.status_code == 422
    with app.app_context():
        assert User.objects.get(id=tokens["user"]["id"]).phone == PHONE


def test_generated_avatar_shows_initials_or_phone_digits(client, auth):
    tokens = auth.sign_in(PHONE)
    url = f"/api/users/{tokens['user']['id']}/avatar.svg"
    digits = client.get(url)
    assert digits.mimetype == "image/svg+xml"
    assert ">67</text>" in digits.get_data(as_text=True)
    rename = f"/api/users/{tokens['user']['id']}"
    client.put(rename, json={"name": "анна смирнова петровна"},
               headers=auth.bearer(tokens["accessToken"]))
    assert ">АС</text>" in client.get(url).get_data(as_text=True)
    client.put(rename, json={"name": "<svg onload=alert(1)>"},
               headers=auth.bearer(tokens["accessToken"]))
    hostile = client.get(url).get_data(as_text=True)
    assert hostile.count("<svg") == 1 and "alert" not in hostile
    cached = client.get(url, headers={"If-None-Match": client.get(url).headers["ETag"]})
    assert cached.status_code == 304


def test_avatar_upload_is_reencoded_bounded_and_served_with_caching(app, client, auth):
    tokens = auth.sign_in(PHONE)
    user_id = tokens["user"]["id"]
    response = client.post(f"/api/users/{user_id}/avatar",
                           data={"file": (io.BytesIO(png()), "me.png")},
                           headers=auth.bearer(tokens["accessToken"]))
    assert response.status_code == 200
    avatar_url = response.get_json()["data"]["avatarUrl"]
    assert avatar_url.startswith("http://bank.test/media/avatars/")
    served = client.get(avatar_url.removeprefix("http://bank.test"))
    assert served.status_code == 200
    assert "immutable" in served.headers["Cache-Control"]
    image = Image.open(io.BytesIO(served.data))
    assert image.format == "WEBP"
    assert max(image.size) == 512
    assert client.get(f"/api/users/{user_id}").get_json()["data"]["avatarUrl"] == avatar_url


def test_avatar_metadata_is_dropped(client, auth):
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    exif[0x8825] = {2: (55, 45, 0)}  # GPS
    tokens = auth.sign_in(PHONE)
    response = client.post(f"/api/users/{tokens['user']['id']}/avatar",
                           data={"file": (io.BytesIO(png(exif=exif.tobytes())), "me.jpg")},
                           headers=auth.bearer(tokens["accessToken"]))
    served = client.get(response.get_json()["data"]["avatarUrl"].removeprefix("http://bank.test"))
    assert b"SecretCameraMaker" not in served.data
    assert not Image.open(io.BytesIO(served.data)).getexif()


def test_non_image_avatar_is_415_and_changes_nothing(app, client, auth):
    tokens = auth.sign_in(PHONE)
    url = f"/api/users/{tokens['user']['id']}/avatar"
    headers = auth.bearer(tokens["accessToken"])
    fake = b"<?php system($_GET['c']); ?>"
    for payload, name in ((fake, "avatar.png"), (b"GIF89a" + b"\0" * 100, "a.gif"),
                          (png()[:200], "truncated.png")):
        response = client.post(url, data={"file": (io.BytesIO(payload), name)}, headers=headers)
        assert response.status_code == 415, name
        assert response.get_json()["error"]["code"] == "unsupported_image"
    with app.app_context():
        assert User.objects.get(id=tokens["user"]["id"]).avatar is None


def test_avatar_over_5_mb_is_413(client, auth):
    tokens = auth.sign_in(PHONE)
    big = b"\x89PNG" + b"\0" * (5 * 1024 * 1024 + 10)
    response = client.post(f"/api/users/{tokens['user']['id']}/avatar",
                           data={"file": (io.BytesIO(big), "big.png")},
                           headers=auth.bearer(tokens["accessToken"]))
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "file_too_large"


def test_avatar_of_another_user_is_403(client, auth):
    victim = auth.sign_in("+79167654321")
    attacker = auth.sign_in(PHONE)
    response = client.post(f"/api/users/{victim['user']['id']}/avatar",
                           data={"file": (io.BytesIO(png()), "me.png")},
                           headers=auth.bearer(attacker["accessToken"]))
    assert response.status_code == 403


def test_avatar_without_file_field_is_422(client, auth):
    tokens = auth.sign_in(PHONE)
    response = client.post(f"/api/users/{tokens['user']['id']}/avatar", data={},
                           headers=auth.bearer(tokens["accessToken"]))
    assert response.status_code == 422


def test_media_path_traversal_is_404(client):
    assert client.get("/media/../store.sqlite3").status_code == 404
    assert client.get("/media/%2e%2e/store.sqlite3").status_code == 404
