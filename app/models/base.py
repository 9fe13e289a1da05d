"""What every document shares: a stable prefixed public id and UTC timestamps."""

import secrets

from mongoengine import DateTimeField, Document, StringField

from app import clock

# Crockford's base32, lower case: no i, l, o, u, so ids read aloud and typed by hand survive.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def random_code(length):
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_id(prefix, length=16):
    return f"{prefix}_{random_code(length)}"


def id_field(prefix):
    return StringField(primary_key=True, default=lambda: new_id(prefix))


class TimestampedDocument(Document):
    created_at = DateTimeField(db_field="createdAt", default=clock.now, required=True)
    updated_at = DateTimeField(db_field="updatedAt", default=clock.now, required=True)

    meta = {"abstract": True, "auto_create_index": False}

    def save(self, *args, **kwargs):
        self.updated_at = clock.now()
        return super().save(*args, **kwargs)
