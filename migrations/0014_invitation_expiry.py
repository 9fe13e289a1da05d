"""Give the invitations that were waiting before invitations expired an expiry: a full
INVITATION_DAYS from now, since their invitees were never told (they used to join at sign-in
without being asked) and now have to accept."""

from datetime import timedelta

from flask import current_app

from app import clock
from app.models import BusinessMember


def up():
    expires = clock.now() + timedelta(days=current_app.config["INVITATION_DAYS"])
    BusinessMember._get_collection().update_many(
        {"userId": None, "isActive": True, "expiresAt": None},
        {"$set": {"expiresAt": expires}})
