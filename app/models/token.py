from mongoengine import DateTimeField, Document, StringField

from app import clock


class RefreshToken(Document):
    """One issued refresh token. Rotation marks it used; reuse of a used one kills its family."""

    id = StringField(primary_key=True)  # the token's jti
    family = StringField(required=True)
    user_id = StringField(db_field="userId", required=True)
    created_at = DateTimeField(db_field="createdAt", default=clock.now, required=True)
    expires_at = DateTimeField(db_field="expiresAt", required=True)
    used_at = DateTimeField(db_field="usedAt")

    meta = {
        "collection": "refresh_tokens",
        "auto_create_index": False,
        "indexes": [
            {"fields": ["family"]},
            {"fields": ["expires_at"], "expireAfterSeconds": 0},
        ],
    }


class RevokedToken(Document):
    """The token blocklist when no Redis is configured: `jti:<id>` or `fam:<id>` until expiry."""

    id = StringField(primary_key=True)
    expires_at = DateTimeField(db_field="expiresAt", required=True)

    meta = {
        "collection": "revoked_tokens",
        "auto_create_index": False,
        "indexes": [{"fields": ["expires_at"], "expireAfterSeconds": 0}],
    }
