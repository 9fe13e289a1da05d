from mongoengine import BooleanField, IntField, StringField

from app.models.base import TimestampedDocument, id_field


class Category(TimestampedDocument):
    id = id_field("cat")
    name = StringField(required=True, max_length=80)
    slug = StringField(required=True)
    icon = StringField(max_length=64)
    parent_id = StringField(db_field="parentId")
    order = IntField(default=0)
    is_active = BooleanField(db_field="isActive", default=True)

    meta = {
        "collection": "categories",
        "indexes": [
            {"fields": ["slug"], "unique": True},
            {"fields": ["parent_id", "order"]},
        ],
    }
