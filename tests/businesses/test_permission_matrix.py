"""Every business endpoint, called by each role, an outsider and an anonymous caller.

A fresh business per case: owner, manager, operator, viewer, plus a second operator
("target") that member-management calls act on, and an open invitation."""

import io

import pytest
from PIL import Image

from tests import factories

ROLES = ("owner", "manager", "operator", "viewer", "outsider", "anonymous")


def png():
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (1, 2, 3)).save(out, format="PNG")
    return out.getvalue()


# (method, path, body, expected statuses in the order of ROLES)
MATRIX = [
    ("GET", "/api/businesses/{b}", None, (200, 200, 200, 200, 200, 200)),
    ("PUT", "/api/businesses/{b}", {"json": {"description": "x"}},
     (200, 403, 403, 403, 403, 401)),
    ("DELETE", "/api/businesses/{b}", None, (200, 403, 403, 403, 403, 401)),
    ("POST", "/api/businesses/{b}/logo", {"data": lambda: {"file": (io.BytesIO(png()), "l.png")}},
     (200, 403, 403, 403, 403, 401)),
    ("GET", "/api/businesses/{b}/members", None, (200, 200, 200, 200, 403, 401)),
    ("POST", "/api/businesses/{b}/members", {"json": {"phone": "+79169999999", "role": "viewer"}},
     (201, 201, 403, 403, 403, 401)),
    ("PUT", "/api/businesses/{b}/members/{target}", {"json": {"role": "viewer"}},
     (200, 200, 403, 403, 403, 401)),
    ("DELETE", "/api/businesses/{b}/members/{target}", None, (200, 200, 403, 403, 403, 401)),
    ("DELETE", "/api/businesses/{b}/invitations/{invitation}", None,
     (200, 200, 403, 403, 403, 401)),
    ("POST", "/api/businesses/{b}/transfer-ownership", {"json": {"userId": "{target}"}},
     (200, 403, 403, 403, 403, 401)),
    ("GET", "/api/businesses/{b}/bot", None, (200, 200, 200, 200, 403, 401)),
    ("GET", "/api/businesses/{b}/bot/settings", None, (200, 403, 403, 403, 403, 401)),
    ("PUT", "/api/businesses/{b}/bot/settings", {"json": {"greeting": "Привет"}},
     (200, 403, 403, 403, 403, 401)),
    ("GET", "/api/businesses/{b}/widget/settings", None, (200, 200, 200, 200, 403, 401)),
    ("PUT", "/api/businesses/{b}/widget/settings", {"json": {"bottomOffset": 96}},
     (200, 403, 403, 403, 403, 401)),
    ("GET", "/api/businesses/{b}/subscribers", None, (200, 200, 200, 200, 403, 401)),
    ("POST", "/api/businesses/{b}/subscribe", None, (200, 200, 200, 200, 200, 401)),
    ("DELETE", "/api/businesses/{b}/subscribe", None, (200, 200, 200, 200, 200, 401)),
    ("GET", "/api/businesses/{b}/qr?format=svg", None, (200, 200, 200, 200, 403, 401)),
]

CASES = [(method, path, body, role, expected[i])
         for method, path, body, expected in MATRIX for i, role in enumerate(ROLES)]


@pytest.fixture
def world(app):
    tokens = {role: factories.signed_in(app, f"+7916100000{i}") for i, role in enumerate(ROLES[:5])}
    business = factories.business(app, tokens["owner"]["user"]["id"], slug="matrix")
    for role in ("manager", "operator", "viewer"):
        factories.member(app, business.id, tokens[role]["user"]["id"], role)
    target = factories.person(app, "+79161111111")
    factories.member(app, business.id, target.id, "operator")
    invitation = factories.member(app, business.id, None, "viewer")
    return {"tokens": tokens, "ids": {"b": business.id, "target": target.id,
                                      "invitation": invitation.id}}


@pytest.mark.parametrize("method,path,body,role,expected", CASES,
                         ids=[f"{m} {p} as {r}" for m, p, _b, r, _e in CASES])
def test_permission(client, auth, world, method, path, body, role, expected):
    kwargs = {}
    for key, value in (body or {}).items():
        value = value() if callable(value) else value
        if key == "json":
            value = {k: v.format(**world["ids"]) if isinstance(v, str) else v
                     for k, v in value.items()}
        kwargs[key] = value
    headers = {} if role == "anonymous" else auth.bearer(world["tokens"][role]["accessToken"])
    response = client.open(path.format(**world["ids"]), method=method, headers=headers,
                           **kwargs)
    assert response.status_code == expected, response.get_json()
