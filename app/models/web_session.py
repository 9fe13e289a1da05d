from mongoengine import DateTimeField, DictField, Document, StringField


class WebSession(Document):
    """A signed-in browser session of the back office or the cabinet. The cookie carries a
    random id; only its hash is stored, so a copy of the database opens no sessions."""

    id = StringField(primary_key=True)  # sha256 of the cookie's value
    data = DictField()
    expires_at = DateTimeField(db_field="expiresAt", required=True)

    meta = {
        "collection": "web_sessions",
        "auto_create_index": False,
        "indexes": [{"fields": ["expires_at"], "expireAfterSeconds": 0}],
    }
