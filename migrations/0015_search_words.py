"""The catalog's text search goes by word prefix: each business keeps the folded words of its
name and description (`searchWords`, indexed) instead of one folded string (`searchText`).
Its public filter's index gains `hidden`, so every condition of that filter is in one index."""

from app.lib import search_text
from app.models import Business

OLD_PUBLIC_INDEX = "isPublic_1_isActive_1_blocked_1_deletedAt_1_subscriberCount_-1"


def up():
    collection = Business._get_collection()
    for row in list(collection.find({}, {"name": 1, "description": 1})):
        words = search_text.index_words(row.get("name"), row.get("description"))
        collection.update_one({"_id": row["_id"]}, {"$set": {"searchWords": words},
                                                    "$unset": {"searchText": ""}})
    if OLD_PUBLIC_INDEX in collection.index_information():
        collection.drop_index(OLD_PUBLIC_INDEX)
    Business.ensure_indexes()
