"""The /admin home: totals, 30 days of per-day series drawn as SVG, the top businesses and the
open reports, as a signed-in admin reads them on the page."""

from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser

import mongoengine
import pytest
from flask_babel import format_date

from admin.charts import bar_chart, nice_step
from app import clock
from app.businesses import businesses, qr_scans, subscriptions
from app.models import Business, QrScanDay, Report, User
from tests import factories

SERIES = ("signups", "businesses", "subscriptions", "messages", "scans")


class Dashboard(HTMLParser):
    """What the page shows: totals, each chart's table of values, the two top lists."""

    def __init__(self, html):
        super().__init__()
        self.totals, self.series, self.top, self.charts = {}, {}, {}, {}
        self._series = self._top = self._row = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-total" in attrs:
            self.totals[attrs["data-total"]] = int(attrs["data-value"])
        if tag == "svg" and attrs.get("id", "").startswith("chart-"):
            self.charts[attrs["id"]] = attrs
        if tag == "table" and "data-series" in attrs:
            self._series = self.series.setdefault(attrs["data-series"].removeprefix("chart-"), {})
        if tag == "table" and attrs.get("id", "").startswith("top-"):
            self._top = self.top.setdefault(attrs["id"], [])
        if tag == "td" and "data-day" in attrs and self._series is not None:
            self._series[attrs["data-day"]] = int(attrs["data-value"])
        if tag == "tr" and "data-business" in attrs and self._top is not None:
            self._row = attrs["data-business"]
        if tag == "td" and "data-value" in attrs and self._row is not None:
            self._top.append((self._row, int(attrs["data-value"])))
            self._row = None

    def handle_endtag(self, tag):
        if tag == "table":
            self._series = self._top = None


def dashboard(client):
    page = client.get("/admin/")
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    return Dashboard(page.get_data(as_text=True))


def insert_raw(name, *created):
    mongoengine.get_db()[name].insert_many([{"createdAt": when} for when in created])


class History:
    """Six weeks of a small platform, made through the services on the days they happened.
    Days are counted back from the real today: sessions expire by the real clock."""

    def __init__(self, app):
        clock.reset()
        self.now = clock.now()
        self.today = self.now.date()
        with app.app_context():
            self.make(app)
        clock.freeze(self.now)

    def day(self, back):
        return (self.today - timedelta(days=back)).isoformat()

    def at(self, back, *hms):
        return datetime.combine(self.today - timedelta(days=back), time(*hms))

    def make(self, app):
        clock.freeze(self.at(38, 12))
        owner = factories.person(app, "+79160000001")
        clock.freeze(self.at(19, 10))
        alice = factories.person(app, "+79160000002")
        bob = factories.person(app, "+79160000003")
        places = [factories.business(app, owner, f"Место номер {n}") for n in range(12)]
        for person, place in ((alice, places[0]), (bob, places[0]), (alice, places[1])):
            subscriptions.subscribe(person, place)
        qr_scans.record_scan(places[0].qr_code, visitor="v1")  # counted 19 days ago
        clock.freeze(self.at(15, 23, 59, 59))
        carol = factories.person(app, "+79160000004")
        dave = factories.person(app, "+79160000005")
        for person, place in ((carol, places[0]), (carol, places[1]), (dave, places[2])):
            subscriptions.subscribe(person, place)
        businesses.soft_delete(Business.objects.get(id=places[11].id), owner)
        for n, place in enumerate(places):
            QrScanDay(business_id=place.id, day=self.day(15), count=10 * (n + 1)).save()
        QrScanDay(business_id=places[0].id, day=self.day(30), count=1000).save()  # too old
        QrScanDay(business_id=places[1].id, day=self.day(29), count=5).save()  # the first day
        insert_raw("messages", self.at(30, 23, 59, 59, 999000), self.at(29),
                   *[self.at(15, 8)] * 3, self.at(0))
        mongoengine.get_db()["conversations"].insert_many([
            {"createdAt": when, "businessId": places[0].id, "customerId": f"usr_{n}"}
            for n, when in enumerate((self.at(15), self.at(14)))])
        for reporter, status in ((alice, "open"), (bob, "open"), (carol, "dismissed")):
            Report(reporter_id=reporter.id, target_type="business", target_id=places[0].id,
                   reason="spam", status=status).save()
        self.places = [place.id for place in places]


@pytest.fixture
def history(app):
    return History(app)


def test_totals_series_and_top_lists(app, staff_client, history):
    places, day = history.places, history.day
    shown = dashboard(staff_client("superadmin"))  # the admin signs up today

    assert shown.totals == {"users": 6, "businesses": 11, "subscriptions": 6, "dialogs": 2,
                            "messages": 6, "qrScans": 780 + 1 + 1000 + 5, "openReports": 2}

    assert set(shown.series) == set(SERIES)
    for name in SERIES:
        assert list(shown.series[name]) == [day(back) for back in range(29, -1, -1)]
    nonzero = {name: {day: n for day, n in values.items() if n}
               for name, values in shown.series.items()}
    assert nonzero == {
        "signups": {day(19): 2, day(15): 2, day(0): 1},
        "businesses": {day(19): 12},
        "subscriptions": {day(19): 3, day(15): 3},
        "messages": {day(29): 1, day(15): 3, day(0): 1},
        "scans": {day(29): 5, day(19): 1, day(15): 780},
    }

    assert shown.top["top-subscribers"] == [(places[0], 3), (places[1], 2), (places[2], 1)]
    # Ten of the twelve, most scanned first; the deleted one still counts its scans, and the
    # 1000 scans of 30 days ago are outside the window.
    assert shown.top["top-scans"] == [(places[n], 10 * (n + 1)) for n in range(11, 1, -1)]


def test_the_charts_are_accessible_svg(app, staff_client, history):
    page = staff_client("support").get("/admin/").get_data(as_text=True)
    shown = Dashboard(page)
    assert set(shown.charts) == {f"chart-{name}" for name in SERIES}
    for chart_id, attrs in shown.charts.items():
        assert attrs["role"] == "img"
        assert attrs["aria-labelledby"] == f"{chart_id}-title {chart_id}-desc"
        assert f'<title id="{chart_id}-title">' in page and f'<desc id="{chart_id}-desc">' in page
    # One bar for each day with a value (the support person signed up today), none for the
    # empty days; each bar's tooltip says its day and value.
    signups = page.split('<svg id="chart-signups"')[1].split("</svg>")[0]
    assert signups.count("<rect") == 3
    with app.test_request_context():  # the page's language: the default, Russian
        day = format_date(date.fromisoformat(history.day(19)), "d MMM")
    assert f"<title>{day}: 2</title>" in signups


def test_business_names_are_escaped(app, staff_client):
    owner = factories.person(app, "+79160000010")
    place = factories.business(app, owner, "<b>Кафе</b> & «Ко»")
    with app.app_context():
        QrScanDay(business_id=place.id, day=clock.now().date().isoformat(), count=3).save()
    page = staff_client("superadmin").get("/admin/").get_data(as_text=True)
    assert "&lt;b&gt;Кафе&lt;/b&gt; &amp; «Ко»" in page and "<b>Кафе</b>" not in page
    assert Dashboard(page).top["top-scans"] == [(place.id, 3)]


def test_an_empty_platform_shows_zeros(app, staff_client):
    shown = dashboard(staff_client("moderator"))
    assert shown.totals == {"users": 1, "businesses": 0, "subscriptions": 0, "dialogs": 0,
                            "messages": 0, "qrScans": 0, "openReports": 0}
    assert shown.series["messages"] == {day: 0 for day in shown.series["messages"]}
    assert list(shown.series["signups"].values())[-1] == 1  # the moderator, today
    assert shown.top == {}  # both lists say "Nothing yet." instead of an empty table


def test_who_may_see_the_dashboard(staff_client):
    anonymous = staff_client(None).get("/admin/")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/admin/login")
    assert staff_client("nobody").get("/admin/").status_code == 403
    for role in ("superadmin", "moderator", "support"):
        assert "data-total=\"users\"" in staff_client(role).get("/admin/").get_data(as_text=True)


QUERIES = ("find", "find_one", "aggregate", "count_documents", "estimated_document_count")


@pytest.fixture
def queries(monkeypatch):
    """Every query the app sends to the database, as (collection, method), while recording."""
    sent, recording = [], []

    inside = []  # a query method that calls another (mongomock does) is one query

    def counted(name, method):
        def wrapper(self, *args, **kwargs):
            if recording and not inside:
                sent.append((self.name, name))
            inside.append(name)
            try:
                return method(self, *args, **kwargs)
            finally:
                inside.pop()
        return wrapper

    def start():
        collection_class = type(mongoengine.get_db()["users"])  # mongomock's or pymongo's
        for name in QUERIES:
            monkeypatch.setattr(collection_class, name,
                                counted(name, getattr(collection_class, name)))
        recording.append(True)
        return sent

    return start


def test_the_query_count_does_not_grow_with_the_data(app, staff_client, history, queries):
    client = staff_client("superadmin")
    sent = queries()
    dashboard(client)
    first = list(sent)
    with app.app_context():
        insert_raw("messages", *[history.now] * 1000)
        owner = User.objects.get(phone="+79160000001")
        for n in range(15):
            place = factories.business(app, owner, f"Ещё одно место {n}")
            QrScanDay(business_id=place.id, day=history.day(1), count=1).save()
    sent.clear()
    shown = dashboard(client)
    assert shown.totals["messages"] == 1006
    assert shown.series["messages"][history.day(0)] == 1001
    assert sorted(sent) == sorted(first)
    # The session, the signed-in user and whether their sign-in was revoked on the site, then 15
    # for the page: 6 totals, 5 series, 3 for the two top lists and 1 for the open reports.
    assert len(sent) <= 18, sent


@pytest.mark.parametrize("peak, step", [(0, 1), (3, 1), (4, 1), (5, 2), (9, 5), (17, 5),
                                        (40, 10), (41, 20), (1001, 500), (25_000, 10_000)])
def test_chart_steps_are_round_numbers(peak, step):
    assert nice_step(peak) == step


def test_chart_text_is_escaped(app):
    rows = [{"day": "2025-03-01", "count": 2}, {"day": "2025-03-02", "count": 0}]
    with app.test_request_context():
        svg = str(bar_chart('x"><script>', "<Продажи> & co", rows))
    assert "<script>" not in svg and "&lt;Продажи&gt; &amp; co" in svg
    assert 'id="x&#34;&gt;&lt;script&gt;"' in svg
