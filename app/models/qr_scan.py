from mongoengine import Document, IntField, StringField


class QrScanDay(Document):
    """How many times a business's QR code was scanned on one UTC day."""

    business_id = StringField(db_field="businessId", required=True)
    day = StringField(required=True)  # YYYY-MM-DD
    count = IntField(default=0)

    meta = {
        "collection": "qr_scans",
        "auto_create_index": False,
        "indexes": [
            {"fields": ["business_id", "day"], "unique": True},
            {"fields": ["day"]},
        ],
    }
