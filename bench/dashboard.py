"""The back-office dashboard (GET /admin/) on a filled store against an empty one.

Run by hand from the repo root:  .venv/bin/python bench/dashboard.py [--renders N]

In-process, on the embedded store (MONGODB_URI and friends from the shell are ignored):

1. An EMPTY store in a temporary directory: create_app(), migrations, a superadmin signed in
   through the real login flow (the /admin/login form, its CSRF token, the code from the
   console SMS provider's log record). Renders GET /admin/ through the test client.
2. A FILLED store, built the same way, then 10,000 users, 1,000 businesses, 50,000 messages,
   5,000 dialogs, subscriptions (each business's subscriberCount matches them), QR scan day
   rows and open reports, spread over the last 60 days. The documents are made by the models'
   own `to_mongo()` (raw dicts for conversations and messages) and written
   through the embedded store's journal in one transaction per collection, as another process
   (the flask CLI) would write them; the app then picks them up with its usual refresh.
   Inserting them one by one through mongomock would take minutes: it checks each unique
   index against every stored document and journals every document in its own transaction.
3. For each store: one warm-up render, then up to --renders renders (default 10, fewer if
   they pass 45 s; at least 2): median and p95 (nearest rank). During one render every
   query is counted by wrapping the collection methods (find, find_one, aggregate, counts,
   inserts, updates, deletes; a method that calls another counts once), by collection.
4. Where the time goes on the filled store: each part of app.backoffice.stats timed alone.
"""

import argparse
import collections
import logging
import math
import os
import pickle
import random
import re
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from bson import ObjectId

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Settings from the shell that would move the app off its embedded defaults.
for name in ("MONGODB_URI", "MONGODB_DB", "CELERY_BROKER_URL", "REDIS_URL", "MMS3_API_URL",
             "SMS_PROVIDER"):
    os.environ.pop(name, None)

import mongoengine  # noqa: E402

from app import clock, create_app, migrate  # noqa: E402
from app.accounts import users  # noqa: E402
from app.backoffice import stats  # noqa: E402
from app.embedded_store import Journal  # noqa: E402
from app.lib import day_series  # noqa: E402
from app.models import Business, QrScanDay, Report, Subscription, User  # noqa: E402

USERS, BUSINESSES, MESSAGES, DIALOGS = 10_000, 1_000, 50_000, 5_000
SUBSCRIPTIONS, SCANNED_BUSINESSES, OPEN_REPORTS = 20_000, 300, 40
SPREAD_DAYS = 60
ADMIN_PHONE = "+79990000001"
TIME_BUDGET_SECONDS = 45.0  # of measured renders per store (at least 2 are made)
QUERY_METHODS = ("find", "find_one", "aggregate", "count_documents", "estimated_document_count",
                 "distinct", "insert_one", "insert_many", "update_one", "update_many",
                 "replace_one", "delete_one", "delete_many", "find_one_and_update",
                 "find_one_and_delete", "bulk_write")
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


# --- the app and signing in ------------------------------------------------------------------

def build_app(workdir):
    app = create_app({
        "APP_ENV": "development",
        "INSTANCE_PATH": str(workdir / "instance"),
        "EMBEDDED_STORE_PATH": str(workdir / "store.sqlite3"),
        "UPLOADS_PATH": str(workdir / "uploads"),
        "LOG_LEVEL": "WARNING",
        "SMS_PROVIDER": "console",
    })
    with app.app_context():
        migrate.run(echo=lambda _line: None)
    return app


class SmsCatcher(logging.Handler):
    """The console SMS provider's log records (they carry sms_to and sms_text)."""

    def __init__(self):
        super().__init__()
        self.sent = []

    def emit(self, record):
        if hasattr(record, "sms_to"):
            self.sent.append((record.sms_to, record.sms_text))


def csrf_token(response):
    match = _CSRF.search(response.get_data(as_text=True))
    if not match:
        raise RuntimeError("the login page has no CSRF token")
    return match.group(1)


def signed_in_superadmin(app):
    """A test client signed in to /admin the way a person does it."""
    with app.app_context():
        users.grant_platform_role(ADMIN_PHONE, "superadmin")
    catcher = SmsCatcher()
    logging.getLogger("bank.sms").addHandler(catcher)
    try:
        client = app.test_client()
        page = client.get("/admin/login")
        sent = client.post("/admin/login", data={"step": "phone", "phone": ADMIN_PHONE,
                                                 "csrf_token": csrf_token(page)})
        text = next(text for phone, text in catcher.sent if phone == ADMIN_PHONE)
        code = re.search(r"\b\d{6}\b", text).group()
        done = client.post("/admin/login", data={"step": "code", "phone": ADMIN_PHONE,
                                                 "code": code, "csrf_token": csrf_token(sent)})
    finally:
        logging.getLogger("bank.sms").removeHandler(catcher)
    if done.status_code != 302 or client.get("/admin/").status_code != 200:
        raise RuntimeError(f"signing in failed: {done.status_code}")
    return client


# --- filling the store -----------------------------------------------------------------------

def ms(value):
    """A datetime at BSON's precision, as the store keeps it."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def spread(rng, now, count):
    """`count` times over the last SPREAD_DAYS days, oldest first."""
    seconds = SPREAD_DAYS * 86400
    return sorted(ms(now - timedelta(seconds=rng.randrange(seconds))) for _ in range(count))


def write(app, collection, docs):
    """Documents into the store through its journal, as another process would write them."""
    db_name = mongoengine.get_db().name
    journal = Journal(app.config["EMBEDDED_STORE_PATH"])
    try:
        journal.write([(db_name, collection, pickle.dumps(doc["_id"]),
                        pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)) for doc in docs], [])
    finally:
        journal.conn.close()


def fill(app, seed=4):
    rng = random.Random(seed)
    now = clock.now()
    with app.app_context():
        people = [User(phone=f"+7916{n:07d}", name=f"Клиент {n}", created_at=when,
                       updated_at=when).to_mongo().to_dict()
                  for n, when in enumerate(spread(rng, now, USERS))]
        owners = [person["_id"] for person in people[:200]]
        places = [Business(owner_id=rng.choice(owners), name=f"Бизнес номер {n}",
                           slug=f"bench-business-{n}", qr_code=f"bq{n:06d}",
                           search_words=["бизнес", "номер", str(n)], created_at=when,
                           updated_at=when).to_mongo().to_dict()
                  for n, when in enumerate(spread(rng, now, BUSINESSES))]
        # Subscriptions: a few popular businesses, a long tail (weights 1/rank).
        weights = [1 / (rank + 1) for rank in range(BUSINESSES)]
        pairs = set()
        while len(pairs) < SUBSCRIPTIONS:
            pairs.add((rng.choice(people)["_id"],
                       rng.choices(places, weights=weights)[0]["_id"]))
        counts = collections.Counter(business for _user, business in pairs)
        for place in places:
            place["subscriberCount"] = counts[place["_id"]]
        subscriptions = [Subscription(user_id=user, business_id=business, created_at=when)
                         .to_mongo().to_dict()
                         for (user, business), when in zip(sorted(pairs),
                                                           spread(rng, now, SUBSCRIPTIONS),
                                                           strict=True)]
        scans = []
        for place in rng.sample(places, SCANNED_BUSINESSES):
            days = rng.sample(range(SPREAD_DAYS), rng.randint(1, 30))
            scans += [QrScanDay(business_id=place["_id"],
                                day=(now.date() - timedelta(days=back)).isoformat(),
                                count=rng.randint(1, 50)).to_mongo().to_dict()
                      for back in days]
        for row in scans:
            row["_id"] = ObjectId()
        dialogs = [{"_id": ObjectId(), "businessId": rng.choice(places)["_id"],
                    "customerId": rng.choice(people)["_id"], "createdAt": when}
                   for when in spread(rng, now, DIALOGS)]
        messages = [{"_id": ObjectId(), "dialogId": rng.choice(dialogs)["_id"],
                     "senderId": rng.choice(people)["_id"], "text": "Здравствуйте! Вы открыты?",
                     "createdAt": when}
                    for when in spread(rng, now, MESSAGES)]
        reports = [Report(reporter_id=rng.choice(people)["_id"], target_type="business",
                          target_id=rng.choice(places)["_id"], reason="spam",
                          created_at=when).to_mongo().to_dict()
                   for when in spread(rng, now, OPEN_REPORTS)]
        for name, docs in (("users", people), ("businesses", places),
                           ("subscriptions", subscriptions), ("qr_scans", scans),
                           ("conversations", dialogs), ("messages", messages),
                           ("reports", reports)):
            write(app, name, docs)
        app.extensions["embedded_store"].refresh()
        found = stats.totals()
    expected = {"users": USERS, "businesses": BUSINESSES, "subscriptions": SUBSCRIPTIONS,
                "dialogs": DIALOGS, "messages": MESSAGES}
    if any(found[name] < number for name, number in expected.items()):
        raise RuntimeError(f"the store was not filled: {found}")
    return found


# --- measuring -------------------------------------------------------------------------------

@contextmanager
def counting_queries():
    """Count every query sent to the database (outermost collection method calls)."""
    collection_class = type(mongoengine.get_db()["users"])
    originals = {name: getattr(collection_class, name) for name in QUERY_METHODS
                 if hasattr(collection_class, name)}
    counted = collections.Counter()
    depth = [0]

    def wrap(name, method):
        def wrapper(self, *args, **kwargs):
            if not depth[0]:
                counted[(self.name, name)] += 1
            depth[0] += 1
            try:
                return method(self, *args, **kwargs)
            finally:
                depth[0] -= 1
        return wrapper

    for name, method in originals.items():
        setattr(collection_class, name, wrap(name, method))
    try:
        yield counted
    finally:
        for name, method in originals.items():
            setattr(collection_class, name, method)


def render(client):
    started = time.perf_counter()
    response = client.get("/admin/")
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET /admin/ answered {response.status_code}")
    return elapsed, len(response.get_data())


def measure(label, client, renders):
    render(client)  # warm-up: templates compiled, caches filled
    with counting_queries() as queries:
        first, size = render(client)
    times = [first]
    budget_end = time.perf_counter() + TIME_BUDGET_SECONDS
    while len(times) < renders and (len(times) < 2 or time.perf_counter() < budget_end):
        times.append(render(client)[0])
    print(f"  {label}: {len(times)} renders", flush=True)
    return {"label": label, "times": times, "queries": queries, "bytes": size}


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def breakdown(app):
    """Each part of the dashboard's statistics, timed alone (one call each)."""
    span = day_series.window()
    parts = [
        ("totals (6 counts)", stats.totals),
        ("series: sign-ups", lambda: day_series.created_per_day(User._get_collection(), span)),
        ("series: new businesses",
         lambda: day_series.created_per_day(Business._get_collection(), span)),
        ("series: subscriptions",
         lambda: day_series.created_per_day(Subscription._get_collection(), span)),
        ("series: messages",
         lambda: day_series.created_per_day(mongoengine.get_db()["messages"], span)),
        ("series: QR scans", lambda: stats.scans_per_day(span)),
        ("top 10 by subscribers", stats.top_by_subscribers),
        ("top 10 by scans (2 queries)", lambda: stats.top_by_scans(span)),
        ("open reports", stats.open_reports),
    ]
    rows = []
    with app.app_context():
        for name, part in parts:
            started = time.perf_counter()
            part()
            rows.append((name, time.perf_counter() - started))
    return rows


# --- the report ------------------------------------------------------------------------------

def print_table(results):
    empty = results[0]
    header = (f"{'dashboard':<34} {'renders':>7} {'median ms':>10} {'p95 ms':>9} "
              f"{'vs empty':>9} {'queries':>8} {'KiB':>6}")
    print(header)
    print("-" * len(header))
    base = statistics.median(empty["times"])
    for result in results:
        median = statistics.median(result["times"])
        print(f"{result['label']:<34} {len(result['times']):>7} {median * 1000:>10.1f} "
              f"{percentile(result['times'], 0.95) * 1000:>9.1f} {median / base:>8.1f}x "
              f"{sum(result['queries'].values()):>8} {result['bytes'] / 1024:>6.0f}")


def print_queries(result):
    by_collection = collections.defaultdict(list)
    for (collection, method), count in sorted(result["queries"].items()):
        by_collection[collection].append(f"{method} x{count}" if count > 1 else method)
    print(f"\nQueries during one render ({result['label']}): "
          f"{sum(result['queries'].values())}")
    for collection, methods in by_collection.items():
        print(f"  {collection:<16} {', '.join(methods)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=10)
    renders = parser.parse_args().renders
    started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="bank-bench-dashboard-") as tmp:
        tmp = Path(tmp)
        print("empty store: building and signing in", flush=True)
        app = build_app(tmp / "empty")
        results.append(measure("empty store", signed_in_superadmin(app), renders))

        print("filled store: building, filling and signing in", flush=True)
        app = build_app(tmp / "filled")
        fill_started = time.perf_counter()
        found = fill(app)
        print(f"  filled in {time.perf_counter() - fill_started:.1f} s: "
              + ", ".join(f"{name} {count:,}" for name, count in found.items()), flush=True)
        client = signed_in_superadmin(app)
        label = (f"{USERS // 1000}k users, {BUSINESSES // 1000}k businesses, "
                 f"{MESSAGES // 1000}k msgs")
        results.append(measure(label, client, renders))
        parts = breakdown(app)
        mongoengine.disconnect()

    print()
    print_table(results)
    print_queries(results[-1])
    print("\nWhere the time goes on the filled store (each part alone, ms):")
    for name, seconds in parts:
        print(f"  {name:<30} {seconds * 1000:>8.1f}")
    print(f"\nTotal run time {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
