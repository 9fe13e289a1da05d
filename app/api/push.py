"""Push notifications: register this browser's Web Push subscription, remove it, choose what
it is told about; and the VAPID public key to subscribe with (public).

Signed-in people only (a widget guest's token is refused): each call acts on the caller's own
subscription at the endpoint given, and another person's answers 404 like an unknown one.
The exception is `renew`, called by the service worker, which holds no sign-in.
"""

from typing import Annotated, Literal

from flask import Blueprint, request
from flask_babel import get_locale
from pydantic import AfterValidator, Field, model_validator

from app.api.guard import login_required, me
from app.api.responses import ok, responds
from app.api.validation import Body, body
from app.notifications import devices

bp = Blueprint("push", __name__, url_prefix="/push")


def _endpoint(value):
    problem = devices.endpoint_problem(value)
    if problem:
        raise ValueError(problem)
    return value


Endpoint = Annotated[str, Field(min_length=10, max_length=devices.ENDPOINT_MAX),
                     AfterValidator(_endpoint)]
Base64Url = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+={0,2}$")]


class PushSubscriptionKeys(Body):
    p256dh: Base64Url
    auth: Base64Url

    @model_validator(mode="after")
    def usable(self):
        problem = devices.key_problem(self.p256dh, self.auth)
        if problem:
            raise ValueError(problem)
        return self


class PushSubscriptionIn(Body):
    """What PushSubscription.toJSON() gives in the browser."""
    endpoint: Endpoint
    expirationTime: float | None = None  # noqa: N815 - the browser's name
    keys: PushSubscriptionKeys


class PushPreferencesIn(Body):
    newMessage: bool | None = None  # noqa: N815 - API names
    channelUpdate: bool | None = None  # noqa: N815
    mentions: bool | None = None


class PushRegisterBody(Body):
    subscription: PushSubscriptionIn
    deviceId: Annotated[str, Field(min_length=1, max_length=100)] | None = None  # noqa: N815
    preferences: PushPreferencesIn | None = None
    # The app that subscribed: the site's, or the cabinet's (the team's news goes there).
    app: Literal["site", "cabinet"] = "site"


class PushRenewBody(Body):
    oldEndpoint: Annotated[str, Field(min_length=1, max_length=devices.ENDPOINT_MAX)]  # noqa: N815
    oldAuth: Base64Url  # noqa: N815 - the old subscription's auth secret: the proof
    subscription: PushSubscriptionIn


class PushUnregisterBody(Body):
    endpoint: Annotated[str, Field(min_length=1, max_length=devices.ENDPOINT_MAX)]


class PushPreferencesBody(PushPreferencesIn):
    endpoint: Annotated[str, Field(min_length=1, max_length=devices.ENDPOINT_MAX)]


@bp.get("/vapid-public-key")
def vapid_public_key():
    """The VAPID public key (applicationServerKey) to subscribe with; 503 when push is off."""
    return ok({"publicKey": devices.public_key()})


@bp.post("/register")
@responds(201, 200)
@login_required
@body(PushRegisterBody)
def register(data):
    """Register this browser's push subscription for me (201 when new, 200 when known)."""
    subscription = data.subscription
    token, created = devices.register(
        me(), subscription.endpoint, subscription.keys.model_dump(), device_id=data.deviceId,
        preferences=data.preferences.model_dump() if data.preferences else None,
        language=str(get_locale()), app=data.app)  # the pages' language on this browser
    return ok(devices.shape(token), status=201 if created else 200)


@bp.post("/renew")
@body(PushRenewBody)
def renew(data):
    """The service worker's call when the push service replaced this browser's subscription;
    no sign-in: the old subscription's auth secret, held only by that browser and us, proves
    the device. The answer says nothing about the row."""
    subscription = data.subscription
    devices.renew(data.oldEndpoint, data.oldAuth, subscription.endpoint,
               subscription.keys.model_dump(), request.remote_addr)
    return ok({"renewed": True})


@bp.delete("/unregister")
@login_required
@body(PushUnregisterBody)
def unregister(data):
    """Stop notifications on this browser: remove my subscription at `endpoint`."""
    devices.unregister(me(), data.endpoint)
    return ok({"removed": True})


@bp.put("/preferences")
@login_required
@body(PushPreferencesBody)
def preferences(data):
    """Choose what my subscription at `endpoint` is told about; fields left out keep."""
    values = data.model_dump(exclude={"endpoint"})
    return ok(devices.shape(devices.set_preferences(me(), data.endpoint, values)))
