"""The business's dialog statistics on a known dataset: dialogs per day and the median time
to the first human reply, on the cabinet's statistics page."""

from datetime import UTC, datetime, time, timedelta

from app import clock
from app.conversations import messages, stats
from app.models import Business, Conversation, User
from tests import factories
from tests.admin.cabinet_world import OPERATOR, sign_in


def _day(days_ago, hour, minute=0):
    today = datetime.now(UTC).date()  # the real UTC day: signing in needs the real clock
    return datetime.combine(today - timedelta(days=days_ago), time(hour, minute))


def test_statistics_median_first_reply_and_dialogs_per_day(app, sms, world):
    """Dialogs (started at, first team reply after): 40 days ago (30 s, outside the window),
    two days ago (60 s and 600 s), yesterday (180 s), today (no reply yet)."""
    plan = [(40, 12, 30), (2, 12, 60), (2, 13, 600), (1, 12, 180), (0, 9, None)]
    with app.test_request_context():
        from app.conversations import dialogs

        business = Business.objects.get(id=world["a"])
        operator = User.objects.get(id=world["operator"])
        for n, (days_ago, hour, wait) in enumerate(plan):
            clock.freeze(_day(days_ago, hour))
            customer = factories.person(app, f"+7916000010{n}", f"Клиент {n}")
            started = dialogs.start(business, customer)
            clock.advance(5)
            messages.post_message(customer, started.id, "Здравствуйте")
            if wait is not None:
                clock.freeze(_day(days_ago, hour) + timedelta(seconds=wait))
                messages.post_message(operator, started.id, "Добрый день")
        clock.freeze(_day(0, 12))
        summary = stats.summary(world["a"], 30)
    assert summary["medianFirstReplySeconds"] == 180
    assert (summary["dialogs"], summary["answered"], summary["unanswered"]) == (4, 3, 1)
    counts = {row["day"]: row["count"] for row in summary["perDay"]}
    assert len(summary["perDay"]) == 30 and sum(counts.values()) == 4
    assert counts[_day(2, 0).date().isoformat()] == 2
    assert counts[_day(1, 0).date().isoformat()] == 1
    assert counts[_day(0, 0).date().isoformat()] == 1

    clock.reset()  # the sign-in form's CSRF token lives in real time
    html = sign_in(app, sms, OPERATOR).get(
        f"/cabinet/b/{world['a']}/stats").get_data(as_text=True)
    assert 'id="stat-inbox-dialogs">4<' in html
    assert 'data-seconds="180.0">3 minutes<' in html
    assert 'id="stat-answered">3<' in html and 'id="stat-unanswered">1<' in html
    assert 'id="chart-dialogs"' in html


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two(app, world):
    start = _day(3, 10)
    for n, wait in enumerate((40, 100, 20, 500)):
        Conversation(business_id=world["a"], customer_id=f"usr_{n}", created_at=start,
                     first_human_reply_at=start + timedelta(seconds=wait)).save()
    Conversation(business_id=world["b"], customer_id="usr_9", created_at=start,
                 first_human_reply_at=start + timedelta(seconds=1)).save()
    clock.freeze(_day(0, 12))
    assert stats.first_reply_median(world["a"], _day(29, 0)) == (70.0, 4)
    assert stats.first_reply_median(world["a"], _day(1, 0)) == (None, 0)
