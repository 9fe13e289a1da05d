"""The bulk of a city's store, for bench/city.py: people, businesses, subscriptions, dialogs and
messages as the product stores them, made fast and written straight into the store's file.

`Shape` makes a model's documents at the cost of a dict copy: the defaults and the database
names come from the model's own `to_mongo()` of one instance, and every CHECK_EVERY-th
document is compared with `to_mongo()` of its values (a wrong name or a missed conversion
raises). `Writer` writes them through the store's SQLite journal BATCH rows per transaction, as
another process (the flask CLI) writes; the app reads them when it opens the file. One at a
time through mongomock they would take hours: it checks each unique index against every
stored document, and every document is its own transaction. `Bulk` makes them in the order
the product would have: people, then businesses with their subscriptions, then dialogs.
"""

import bisect
import copy
import itertools
import pickle
import re
import uuid
from collections import Counter, defaultdict
from datetime import timedelta

from bson import SON, ObjectId

from app.businesses import businesses, qr, slugs
from app.conversations import messages
from app.embedded_store import Journal
from app.messaging import provisioning
from app.models import (
    Business,
    BusinessMember,
    BusinessSettings,
    Category,
    Conversation,
    HandledEvent,
    Location,
    RefreshToken,
    SlugClaim,
    SmsMessage,
    Subscription,
    User,
)
from app.models.base import _ALPHABET
from app.models.messaging import ChatDialog, ChatMember, ChatMessage, ChatUser
from app.models.sync_state import ChatSync
from bench.city_words import CUSTOMER_LINES, TEAM_LINES, Place, person_name, place

BATCH = 20_000  # rows per journal transaction
CHECK_EVERY = 997  # a bulk document compared with to_mongo() of the same values
PEOPLE_PER_BUSINESS = 10
SUBSCRIPTIONS_PER_BUSINESS = 5
MESSAGES_PER_DIALOG = 10  # 1 + a whole exponential draw of mean 9: about 9.5, at most 200
HOT_SHARE = 50  # the coffee shop has 1 in HOT_SHARE of the bulk dialogs
DAYS = 730  # people and businesses appeared over two years; dialogs over the last 180 days


def search_fields(spot: Place) -> dict:
    """What businesses.create derives for search from the name and description."""
    return {"search_words": businesses._search_words(spot.name, spot.description)}


def ms(value):
    """A datetime at BSON's precision, as the store keeps it."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


# --- documents as the models make them ------------------------------------------------------

def plain(value):
    """SON and nested SON as plain dicts, as the store holds documents."""
    if isinstance(value, SON | dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


class Shape:
    """Documents of one model at the cost of a dict copy: the defaults and the database names
    come from `to_mongo()` of one instance; every CHECK_EVERY-th document is compared with
    `to_mongo()` of its own values (a wrong name or a missed conversion raises)."""

    def __init__(self, model, **sample):
        self.model = model
        self.fields = model._fields
        self.defaults = plain(model(**sample).to_mongo().to_dict())
        self.defaults.pop("_id", None)
        self.mutable = [key for key, value in self.defaults.items()
                        if isinstance(value, list | dict)]
        self.made = 0

    def __call__(self, **values):
        doc = dict(self.defaults)
        for key in self.mutable:
            doc[key] = copy.deepcopy(doc[key])
        for name, value in values.items():
            field = self.fields[name]
            doc[field.db_field] = plain(field.to_mongo(value)) if value is not None else None
        doc = {key: value for key, value in doc.items() if value is not None}
        self.made += 1
        if self.made % CHECK_EVERY == 1:
            expected = plain(self.model(**values).to_mongo().to_dict())
            if expected != doc:
                raise RuntimeError(f"{self.model.__name__}: bulk {doc} != to_mongo {expected}")
        return doc


class Writer:
    """Documents into the store file through its journal, BATCH rows per transaction; notes
    the fields of the first 500 documents of each collection and of every 25th after."""

    def __init__(self, path, db_name):
        self.journal = Journal(path)
        self.db_name = db_name
        self.rows = defaultdict(list)
        self.counts = Counter()
        self.paths = defaultdict(set)  # the fields seen, for shape_report()

    def add(self, collection, doc):
        self.rows[collection].append((self.db_name, collection, pickle.dumps(doc["_id"]),
                                      pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)))
        self.counts[collection] += 1
        if self.counts[collection] <= 500 or self.counts[collection] % 25 == 0:
            self.paths[collection] |= key_paths(doc)
        if len(self.rows[collection]) >= BATCH:
            self.flush(collection)

    def flush(self, collection=None):
        for name in [collection] if collection else list(self.rows):
            if self.rows[name]:
                self.journal.write(self.rows.pop(name), [])

    def close(self):
        self.flush()
        self.journal.conn.close()


_ID = re.compile(r"^(bot_)?[a-z]{3}_[0-9a-z]{16}$")


def key_paths(doc):
    """A document's fields, and those of its sub-documents (not of maps keyed by ids)."""
    paths = set()
    for key, value in doc.items():
        paths.add(key)
        if isinstance(value, dict) and not any(_ID.match(inner) for inner in value):
            paths.update(f"{key}.{inner}" for inner in value)
    return paths


class Bulk:
    """The bulk documents of one size, in the order the product would have made them."""

    def __init__(self, app, writer, rng, now, progress):
        self.writer, self.rng, self.now, self.progress = writer, rng, now, progress
        with app.app_context():
            self.category_ids = {c.slug: c.id for c in Category.objects}
        any_id = "x_0000000000000000"
        self.user = Shape(User, phone="+70000000000", created_at=now, updated_at=now)
        self.chat_user = Shape(ChatUser, id=any_id, created_at=now)
        self.sms = Shape(SmsMessage, phone="+70000000000", purpose="sign_in",
                         provider="console", created_at=now)
        self.token = Shape(RefreshToken, id=any_id, family="f", user_id=any_id,
                           created_at=now, expires_at=now)
        self.business = Shape(Business, owner_id=any_id, name="x", slug="x", created_at=now,
                              updated_at=now)
        self.member = Shape(BusinessMember, business_id=any_id, user_id=any_id, role="owner",
                            invited_at=now, created_at=now, updated_at=now)
        self.settings = Shape(BusinessSettings, business_id=any_id, created_at=now,
                              updated_at=now)
        self.claim = Shape(SlugClaim, id="x", business_id=any_id, created_at=now)
        self.dialog = Shape(ChatDialog, created_at=now, updated_at=now)
        self.chat_member = Shape(ChatMember, chat_dialog_id=any_id, user_id=any_id,
                                 created_at=now)
        self.subscription = Shape(Subscription, user_id=any_id, business_id=any_id,
                                  created_at=now)
        self.conversation = Shape(Conversation, business_id=any_id, customer_id=any_id,
                                  created_at=now, updated_at=now)
        self.message = Shape(ChatMessage, chat_dialog_id=any_id, sender_id=any_id,
                             created_at=now)
        self.handled = Shape(HandledEvent, id="x", expires_at=now)
        self.taken_slugs, self.taken_codes = set(), set()

    def new_id(self, prefix):
        return f"{prefix}_{''.join(self.rng.choices(_ALPHABET, k=16))}"

    def uuid(self):
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def ago(self, days):
        return ms(self.now - timedelta(seconds=self.rng.uniform(0, days * 86400)))

    def add(self, collection, doc):
        self.writer.add(collection, doc)

    # people ---------------------------------------------------------------------------------

    def people(self, count):
        """Registered people: the chat user provisioning made, the sign-in SMS in the log, a
        refresh token for those who signed in within its 30 days."""
        self.user_ids, self.user_names = [], []
        for n in range(count):
            phone, name, joined = f"+7916{n:07d}", person_name(self.rng), self.ago(DAYS)
            last = ms(joined + (self.now - joined) * self.rng.random())
            user_id = self.new_id("usr")
            self.add("users", self.user(
                id=user_id, phone=phone, name=name, created_at=joined, updated_at=joined,
                last_login_at=last, chat_sync=ChatSync(state="done", updated_at=joined)))
            chat_name = name or f"••{phone[-4:]}"
            self.add("chat_users", self.chat_user(id=user_id, name=chat_name, type="user",
                                                  created_at=joined))
            sms = self.sms(id=self.new_id("sms"), phone=phone, purpose="sign_in",
                           provider="console", status="sent", attempts=1, created_at=joined,
                           sent_at=joined)
            self.add("sms_log", {**sms, "error": None, "providerMessageId": None})  # as sent
            if (self.now - last).days < 30:
                self.add("refresh_tokens", self.token(
                    id=str(self.uuid()), family=self.uuid().hex,
                    user_id=user_id, created_at=last, expires_at=last + timedelta(days=30)))
            self.user_ids.append(user_id)
            self.user_names.append(chat_name)
            if (n + 1) % 100_000 == 0 or n + 1 == count:
                self.progress(f"{n + 1:,} people")

    # businesses -----------------------------------------------------------------------------

    def businesses(self, count, hot):
        """Owners and a few operators, settings, slug claims, the bot and the channel dialog
        (what businesses.create and provisioning make), and the subscriptions: a few popular
        businesses, a long tail, each count matching its subscriptions."""
        self.hot = hot
        rng, people = self.rng, len(self.user_ids)
        popularity = [1 / (rank + 1) ** 0.9 for rank in range(count)]
        rng.shuffle(popularity)
        self.popularity = list(itertools.accumulate(popularity))
        pairs = set()
        while len(pairs) < SUBSCRIPTIONS_PER_BUSINESS * count:
            pairs.add((rng.randrange(people), self.pick_business()))
        hot_fans = {rng.randrange(people) for _ in range(people // 100)}
        subscribers = Counter(b for _u, b in pairs)
        owners = rng.sample(range(people), max(1, count * 85 // 100))
        self.shops = []  # (id, name, owner index, bot id, channel id, greeting)
        for n in range(count):
            spot, owner = place(rng), owners[n % len(owners)]
            business_id, born = self.new_id("biz"), self.ago(DAYS)
            slug = self.unique(slugs.from_name(spot.name), self.taken_slugs)
            code = self.unique(qr.new_code(), self.taken_codes)
            bot, channel = provisioning.bot_id(business_id), self.new_id("dlg")
            self.add("businesses", self.business_doc(
                spot, business_id, self.user_ids[owner], slug, code, born,
                subscriber_count=subscribers[n], chat_bot_id=bot, chat_channel_id=channel,
                chat_sync=ChatSync(state="done", updated_at=born)))
            self.add("slug_claims", self.claim(id=slug, business_id=business_id,
                                               created_at=born))
            greeting = f"Здравствуйте! Это {spot.name}. Чем можем помочь?" \
                if rng.random() < 0.3 else None
            self.add("business_settings", self.settings(
                id=ObjectId(), business_id=business_id, greeting=greeting, created_at=born,
                updated_at=born))
            team = [(owner, "owner")] + ([(rng.randrange(people), "operator")]
                                         if rng.random() < 0.2 else [])
            for person, role in team:
                self.add("business_members", self.member(
                    id=self.new_id("mem"), business_id=business_id, user_id=self.user_ids[person],
                    role=role, invited_by=self.user_ids[owner], invited_at=born, joined_at=born,
                    created_at=born, updated_at=born))
            self.add("chat_users", self.chat_user(id=bot, name=spot.name, type="bot",
                                                  created_at=born))
            self.add("dialogs", self.dialog(
                id=channel, name=spot.name, created_by=bot, created_at=born, updated_at=born,
                tags={"type": provisioning.CHANNEL_TYPE, "businessId": business_id}))
            self.add("dialog_members", self.chat_member(
                id=self.new_id("dmb"), chat_dialog_id=channel, user_id=bot, type="bot",
                created_at=born))
            self.shops.append((business_id, spot.name, owner, bot, channel, greeting))
            if (n + 1) % 20_000 == 0:
                self.progress(f"{n + 1:,} businesses")
        for person, shop in sorted(pairs):
            self.subscribe(person, self.shops[shop][0], self.shops[shop][4])
        for person in hot_fans:
            self.subscribe(person, hot["id"], hot["channel"])
        return len(pairs), len(hot_fans)

    def business_doc(self, spot, business_id, owner_id, slug, code, born, **more):
        """A business as businesses.create stores it (its search field by the product's own
        helper)."""
        return self.business(
            id=business_id, owner_id=owner_id, name=spot.name, description=spot.description,
            slug=slug, category_ids=[self.category_ids[s] for s in spot.category_slugs],
            **search_fields(spot),
            location=Location(address=spot.address, point=[spot.lng, spot.lat]),
            qr_code=code, is_public=True, created_at=born, updated_at=born, **more)

    def pick_business(self):
        return bisect.bisect_left(self.popularity, self.rng.random() * self.popularity[-1])

    @staticmethod
    def unique(base, taken):
        value, n = base, 1
        while value in taken:
            n += 1
            value = f"{base}-{n}"
        taken.add(value)
        return value

    def subscribe(self, person, business_id, channel):
        at = self.ago(365)
        user_id = self.user_ids[person]
        self.add("subscriptions", self.subscription(id=self.new_id("sub"), user_id=user_id,
                                                    business_id=business_id, created_at=at))
        self.add("dialog_members", self.chat_member(
            id=self.new_id("dmb"), chat_dialog_id=channel, user_id=user_id, type="user",
            created_at=at))

    # dialogs and messages -----------------------------------------------------------------

    def conversations(self, total_messages):
        """Customer dialogs until `total_messages` messages: 1 in HOT_SHARE with the coffee
        shop, the others by the businesses' popularity; each as post_message and
        record_message leave it (members' and the dialog's counters, the last message, the
        bot's and the recorder's claims for the last 48 hours)."""
        rng, written, dialogs_made, pairs = self.rng, 0, 0, set()
        hot = (self.hot["id"], self.hot["name"], None, self.hot["bot"], None,
               self.hot["greeting"])
        while written < total_messages:
            shop = hot if dialogs_made % HOT_SHARE == 0 else self.shops[self.pick_business()]
            customer = rng.randrange(len(self.user_ids))
            if (shop[0], customer) in pairs or customer == shop[2]:
                continue
            pairs.add((shop[0], customer))
            count = min(200, 1 + int(rng.expovariate(1 / (MESSAGES_PER_DIALOG - 1))),
                        total_messages - written)
            team_id = self.hot["owner"] if shop is hot else self.user_ids[shop[2]]
            team_name = self.hot["owner_name"] if shop is hot else self.user_names[shop[2]]
            self.dialog_of(shop, self.user_ids[customer], self.user_names[customer],
                           team_id, team_name, count)
            written += count
            dialogs_made += 1
            if dialogs_made % 20_000 == 0:
                self.progress(f"{dialogs_made:,} dialogs, {written:,} messages")
        return dialogs_made

    def dialog_of(self, shop, customer_id, customer_name, team_id, team_name, count):
        rng = self.rng
        business_id, business_name, _owner, bot, _channel, greeting = shop
        started = self.ago(180)
        conversation_id, dialog_id = self.new_id("cnv"), self.new_id("dlg")
        at, side, sent = started, "greeting" if greeting else "customer", []
        for _ in range(count):
            sender, text, tags = {
                "greeting": (bot, greeting, {
                    "side": "bot", "reason": "greeting", "authorName": business_name}),
                "customer": (customer_id, rng.choice(CUSTOMER_LINES),
                             {"side": "customer", "authorName": customer_name}),
                "team": (team_id, rng.choice(TEAM_LINES), {
                    "side": "team", "authorName": team_name, "businessName": business_name}),
                "bot": (bot, "Спасибо! Мы ответим в рабочее время.", {
                    "side": "bot", "reason": "away", "authorName": business_name}),
            }[side]
            message_id = self.new_id("msg")
            self.add("messages", self.message(id=message_id, chat_dialog_id=dialog_id,
                                              sender_id=sender, content=text, tags=tags,
                                              created_at=at))
            if (self.now - at) < timedelta(hours=48):
                for key in [f"record:{message_id}"] + ([f"bot:{message_id}"]
                                                       if side == "customer" else []):
                    self.add("handled_events", self.handled(id=key, expires_at=at + timedelta(
                        hours=48), done=True))
            side = "bot" if side == "greeting" else side
            sent.append((side, message_id, sender, text, at))
            side = rng.choices(("customer", "team", "bot"), (25, 60, 15) if side == "customer"
                               else (70, 30, 0) if len(sent) > 1 else (100, 0, 0))[0]
            at = min(self.now, ms(at + timedelta(minutes=rng.expovariate(1 / 20))))
        last_side, last_id, last_sender, last_text, last_at = sent[-1]
        trailing = len(sent) - max((i + 1 for i, s in enumerate(sent) if s[0] != last_side),
                                   default=0)
        team_times = [s[4] for s in sent if s[0] == "team"]
        customer_unread = trailing if last_side != "customer" and rng.random() < 0.5 else 0
        team_unread = trailing if last_side == "customer" else 0
        participants = [team_id] if team_times else []
        self.add("conversations", self.conversation(
            id=conversation_id, business_id=business_id, customer_id=customer_id,
            chat_dialog_id=dialog_id, participants=participants, greeted=True,
            status="archived" if last_side != "customer" and rng.random() < 0.15 else "open",
            unread={customer_id: customer_unread, **{p: team_unread for p in participants}},
            team_unread=team_unread, last_message={
                "id": last_id, "text": last_text[:messages.PREVIEW], "senderId": last_sender,
                "kind": last_side, "at": last_at},
            last_message_at=last_at, customer_messages=sum(s[0] == "customer" for s in sent),
            first_human_reply_at=team_times[0] if team_times else None,
            last_human_reply_at=team_times[-1] if team_times else None,
            created_at=started, updated_at=last_at))
        self.add("dialogs", self.dialog(
            id=dialog_id, name=business_name, created_by=customer_id, created_at=started,
            updated_at=started, last_message_at=last_at, tags={
                "type": provisioning.CLIENT_TYPE, "businessId": business_id,
                "clientId": customer_id, "conversationId": conversation_id}))
        for user_id, kind, unread in [(customer_id, "user", customer_unread),
                                      (bot, "bot", sum(s[0] != "bot" for s in sent))] + [
                                          (p, "user", team_unread) for p in participants]:
            self.add("dialog_members", self.chat_member(
                id=self.new_id("dmb"), chat_dialog_id=dialog_id, user_id=user_id, type=kind,
                unread_count=unread, last_message_at=last_at, created_at=started,
                last_seen_at=last_at if kind == "user" else None))
