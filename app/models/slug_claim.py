from mongoengine import DateTimeField, Document, StringField

from app import clock


class SlugClaim(Document):
    """A slug held by a business, current or former. The unique _id makes a slug taken once
    and for ever: former slugs keep redirecting, so printed links never break."""

    id = StringField(primary_key=True)  # the slug, lower case
    business_id = StringField(db_field="businessId", required=True)
    created_at = DateTimeField(db_field="createdAt", default=clock.now, required=True)

    meta = {
        "collection": "slug_claims",
        "auto_create_index": False,
        "indexes": [{"fields": ["business_id"]}],
    }
