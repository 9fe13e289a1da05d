"""A city in the embedded store, for bench/store_scale.py: businesses around Moscow, ten times
as many people, subscriptions, and dialogs with their messages, shaped as the product stores
them. Not a benchmark itself; `build()` runs in a process of its own.

Two parts, both written into a fresh store file after `migrate`:

1. Through the services (people who sign in with their SMS code, `businesses.create`,
   `subscriptions.subscribe`, `dialogs.start`, `messages.post_message`, the bot's greeting):
   the coffee shop whose inbox the bench opens with its owner, a page and more of dialogs in
   it (SERVICE_DIALOGS), the customer who posts, REGULARS people who sign in again, and a few
   more businesses. Every store, the empty one included, has exactly this part.
2. In bulk, for a size (bench/city_bulk.py): the same kinds of documents, made by the models'
   own `to_mongo()` and written through the store's journal, many at a time.

Then `shape_report()` compares the bulk with what the services wrote: the same fields in
every collection, and a business that the bulk makes from a service-made business's inputs
has the same derived fields (its search words and whatever else the product derives).
"""

import logging
import os
import random
import re
import time

import mongoengine

from app import clock, create_app, migrate
from app.accounts import sign_in_codes, tokens, users
from app.businesses import businesses, subscriptions
from app.conversations import dialogs, messages
from app.embedded_store import Journal
from app.messaging import provisioning
from app.models import Business, BusinessSettings, Category, User
from bench.city_bulk import HOT_SHARE, PEOPLE_PER_BUSINESS, Bulk, Writer, key_paths, ms
from bench.city_words import CUSTOMER_LINES, TEAM_LINES, person_name, place

REGULARS = 300  # signed in through the services, in every store
SERVICE_BUSINESSES = 12
SERVICE_DIALOGS = 40  # the coffee shop's, through the services: more than a page of the inbox
HOT_OWNER = "+79150000000"
HOT_GREETING = "Здравствуйте! Это Кофейня на Покровке. Чем можем помочь?"
# Written by the services but not in bulk, and why.
NOT_IN_BULK = {"sms_codes": "a sign-in code expires after minutes",
               "migrations": "the migrations' own record", "categories": "made by migrate",
               "member_roles": "made by migrate"}


# --- part 1: through the services -------------------------------------------------------------

class SmsCatcher(logging.Handler):
    """The console SMS provider's log records: the codes, as a person reads them."""

    def __init__(self):
        super().__init__()
        self.codes = {}

    def emit(self, record):
        if hasattr(record, "sms_to"):
            self.codes[record.sms_to] = re.search(r"\b\d{6}\b", record.sms_text).group()


def sign_in(phone, name, sms):
    """Send-code, the code from the SMS, verify: a registered person with a refresh token."""
    sign_in_codes.send_code(phone, "127.0.0.1")
    user = users.sign_in(phone, sms.codes[phone])
    if name and not user.name:
        user = users.update_profile(user.id, user.id, name)
    tokens.issue_pair(user.id)
    return user


def by_services(app, rng):
    """The part every store has; returns what the bench needs to find it again."""
    sms, log = SmsCatcher(), logging.getLogger("bank.sms")
    log.addHandler(sms)
    log.propagate = False  # 300 codes on the bench's output would say nothing
    try:
        with app.test_request_context():
            migrate.run(echo=lambda _line: None)
            owner = sign_in(HOT_OWNER, "Анна Кофейникова", sms)
            regulars = [sign_in(f"+7915{n:07d}", person_name(rng), sms)
                        for n in range(1, REGULARS + 1)]
            slug_ids = {c.slug: c.id for c in Category.objects}
            hot = businesses.create(owner, "Кофейня на Покровке", description=(
                "Кофейня в районе Басманный: кофе навынос, десерты и завтраки."),
                category_ids=[slug_ids["coffee"]], limited=False,
                location_data={"address": "Москва, ул. Покровка, 17", "lat": 55.7597,
                               "lng": 37.6455})
            settings = BusinessSettings.objects.get(business_id=hot.id)
            settings.greeting = HOT_GREETING
            settings.save()
            made = []
            for n in range(SERVICE_BUSINESSES):
                spot = place(rng)
                made.append((spot, businesses.create(
                    regulars[10 + n % 4], spot.name, description=spot.description,
                    category_ids=[slug_ids[s] for s in spot.category_slugs], limited=False,
                    location_data={"address": spot.address, "lat": spot.lat, "lng": spot.lng})))
            for person in regulars[:60]:
                for _spot, shop in rng.sample(made, 2):
                    subscriptions.subscribe(person, shop)
                subscriptions.subscribe(person, hot)
            talks = []
            for person in regulars[:SERVICE_DIALOGS]:
                talk = dialogs.start(hot, person)
                for turn in range(rng.randint(2, 5)):
                    speaker = person if turn % 2 == 0 else owner
                    messages.post_message(speaker, talk.id, rng.choice(
                        CUSTOMER_LINES if speaker is person else TEAM_LINES))
                talks.append(talk.id)
    finally:
        log.removeHandler(sms)
        log.propagate = True
    return {"hot": hot.id, "hot_owner": owner.id, "owner_phone": owner.phone,
            "poster_phone": regulars[0].phone, "poster_dialog": talks[0],
            "reader_dialog": talks[1], "made": made,
            "regulars": [person.phone for person in regulars[2:]]}


# --- the whole build ----------------------------------------------------------------------------

def build(env: dict, size: int, total_messages: int, seed: int = 7) -> dict:
    """In a process of its own: a fresh store at env's EMBEDDED_STORE_PATH, the services' part
    and, for a size, the bulk. Returns the ids and phones the bench needs, the documents per
    collection and the shape report."""
    os.environ.clear()
    os.environ.update(env)  # exactly what the servers see
    began = time.perf_counter()

    def progress(text):
        print(f"    {time.perf_counter() - began:7.1f} s  {text}", flush=True)

    rng = random.Random(seed)
    app = create_app()
    found = by_services(app, rng)
    with app.app_context():
        db = mongoengine.get_db()
        made_by_services = {name: list(db[name].find()) for name in db.list_collection_names()}
        hot = Business.objects.get(id=found["hot"])
        owner = User.objects.get(id=found["hot_owner"])
    progress(f"through the services: {REGULARS + 1} people signed in, "
             f"{SERVICE_BUSINESSES + 1} businesses, {SERVICE_DIALOGS} dialogs")
    report = []
    if size:
        writer = Writer(env["EMBEDDED_STORE_PATH"], db.name)
        bulk = Bulk(app, writer, rng, ms(clock.now()), progress)
        bulk.taken_slugs.update(doc["_id"] for doc in made_by_services["slug_claims"])
        bulk.taken_codes.update(doc["qrCode"] for doc in made_by_services["businesses"])
        bulk.people(size * PEOPLE_PER_BUSINESS)
        subscribed, fans = bulk.businesses(size, {
            "id": hot.id, "name": hot.name, "bot": hot.chat_bot_id,
            "channel": hot.chat_channel_id, "owner": owner.id,
            "owner_name": provisioning.chat_name(owner), "greeting": HOT_GREETING})
        coffee = next(doc for doc in made_by_services["businesses"] if doc["_id"] == hot.id)
        writer.add("businesses", {**coffee, "subscriberCount": coffee["subscriberCount"] + fans})
        progress(f"{size:,} businesses, {subscribed + fans:,} subscriptions "
                 f"({fans:,} of them to the coffee shop)")
        dialogs_made = bulk.conversations(total_messages)
        writer.close()
        progress(f"{dialogs_made:,} dialogs with {total_messages:,} messages "
                 f"({-(-dialogs_made // HOT_SHARE):,} of them the coffee shop's)")
        report = shape_report(made_by_services, writer.paths, bulk, found["made"])
    journal = Journal(env["EMBEDDED_STORE_PATH"])
    counts = dict(journal.conn.execute(
        "SELECT coll, count(*) FROM docs WHERE body IS NOT NULL GROUP BY coll").fetchall())
    journal.conn.close()
    mongoengine.disconnect()
    found.pop("made")
    return {**found, "counts": counts, "shape_report": report,
            "seconds": time.perf_counter() - began}


def shape_report(made_by_services, paths, bulk, made) -> list[str]:
    """What differs between the bulk and the services' documents; empty when nothing does."""
    lines = []
    for name in sorted(set(made_by_services) | set(paths)):
        ours = set().union(*map(key_paths, made_by_services.get(name, [])))
        theirs = paths.get(name, set())
        if not theirs:
            if ours and name not in NOT_IN_BULK:
                lines.append(f"{name}: written by the services, none in bulk")
            continue
        if not ours:
            lines.append(f"{name}: in bulk only")
        elif ours != theirs:
            lines.append(f"{name}: fields only the services wrote {sorted(ours - theirs)}, "
                         f"only the bulk {sorted(theirs - ours)}")
    stored = {doc["_id"]: doc for doc in made_by_services["businesses"]}
    for spot, business in made:
        doc = stored[business.id]
        again = bulk.business_doc(
            spot, doc["_id"], doc["ownerId"], doc["slug"], doc.get("qrCode"), doc["createdAt"],
            subscriber_count=doc.get("subscriberCount"), chat_bot_id=doc.get("mms3BotId"),
            chat_channel_id=doc.get("mms3ChannelDialogId"))
        differ = sorted(key for key in (set(doc) | set(again)) - {"updatedAt", "chatSync"}
                        if doc.get(key) != again.get(key))
        if differ:
            values = ", ".join(f"{key}: {again.get(key)!r}, the service {doc.get(key)!r}"
                               for key in differ)
            lines.append(f"business {spot.name!r}: the bulk derives {differ} otherwise ({values})")
    return lines
