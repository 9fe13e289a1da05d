"""The business bot's rules (app/bot/rules.py) and the business hours they read
(app/businesses/hours.py), on their own: no app, no database."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from app.bot.rules import (
    BotSettings,
    DialogState,
    Incoming,
    InviteTeam,
    Reply,
    asks_for_human,
    decide,
    greeting,
    matches_keyword,
)
from app.businesses.hours import next_opening, within_hours

MOSCOW_WEEKDAYS = {"timezone": "Europe/Moscow",
                   "days": {day: [{"open": "09:00", "close": "18:00"}]
                            for day in ("mon", "tue", "wed", "thu", "fri")}}
# 2025-06-02 is a Monday; Moscow is UTC+3 all year.
MONDAY_NOON_MSK = datetime(2025, 6, 2, 9, 0)      # 12:00 in Moscow
MONDAY_EVENING_MSK = datetime(2025, 6, 2, 17, 0)  # 20:00 in Moscow

SETTINGS = BotSettings(
    greeting="Здравствуйте! Чем помочь?",
    auto_reply_enabled=True,
    auto_reply_message="Спасибо, ответим скоро.",
    keywords=("доставка", "возврат"),
    business_hours=MOSCOW_WEEKDAYS,
)
FRESH = DialogState(greeted=True, customer_messages=0, last_human_reply_at=None,
                    escalated=False)
LATER = replace(FRESH, customer_messages=3)


def customer(text, at=MONDAY_NOON_MSK):
    return Incoming("customer", text, at)


# --- one test per rule ---------------------------------------------------------------------

def test_greeting_greets_a_new_dialog_with_the_greeting_text():
    assert greeting(SETTINGS) == [Reply("Здравствуйте! Чем помочь?", "greeting")]
    assert greeting(replace(SETTINGS, greeting=None)) == []
    assert greeting(replace(SETTINGS, greeting="   ")) == []


@pytest.mark.parametrize("kind", ["bot", "self", "team"])
def test_never_acts_on_a_bot_itself_or_the_team(kind):
    message = Incoming(kind, "оператор! доставка?", MONDAY_EVENING_MSK)
    assert decide(SETTINGS, FRESH, message) == []


def test_auto_reply_answers_the_customers_first_message():
    assert decide(SETTINGS, FRESH, customer("Добрый день")) == [
        Reply("Спасибо, ответим скоро.", "auto_reply")]
    assert decide(SETTINGS, LATER, customer("И ещё вопрос")) == []


def test_auto_reply_answers_any_message_outside_business_hours():
    assert decide(SETTINGS, LATER, customer("Вы работаете?", MONDAY_EVENING_MSK)) == [
        Reply("Спасибо, ответим скоро.", "away")]


def test_a_first_message_outside_hours_gets_one_reply_not_two():
    assert decide(SETTINGS, FRESH, customer("Привет", MONDAY_EVENING_MSK)) == [
        Reply("Спасибо, ответим скоро.", "away")]


def test_auto_reply_off_or_without_text_sends_nothing():
    for settings in (replace(SETTINGS, auto_reply_enabled=False),
                     replace(SETTINGS, auto_reply_message=None),
                     replace(SETTINGS, auto_reply_message=" ")):
        assert decide(settings, FRESH, customer("Привет", MONDAY_EVENING_MSK)) == []


def test_without_business_hours_only_the_first_message_is_answered():
    settings = replace(SETTINGS, business_hours=None)
    assert decide(settings, FRESH, customer("Привет", MONDAY_EVENING_MSK)) == [
        Reply("Спасибо, ответим скоро.", "auto_reply")]
    assert decide(settings, LATER, customer("Привет", MONDAY_EVENING_MSK)) == []


def test_a_keyword_invites_the_team():
    assert decide(SETTINGS, LATER, customer("Как работает Доставка?")) == [
        InviteTeam("keyword", "доставка")]


def test_asking_for_a_person_invites_the_team():
    assert decide(SETTINGS, LATER, customer("Позовите, пожалуйста, человека")) == [
        InviteTeam("human_requested", None)]


def test_the_team_is_invited_only_once_per_dialog():
    escalated = replace(LATER, escalated=True)
    assert decide(SETTINGS, escalated, customer("доставка")) == []
    assert decide(SETTINGS, escalated, customer("оператор")) == []


def test_a_keyword_wins_over_a_request_for_a_person():
    assert decide(SETTINGS, LATER, customer("оператор, где возврат?")) == [
        InviteTeam("keyword", "возврат")]


def test_a_reply_comes_before_an_invitation():
    assert decide(SETTINGS, FRESH, customer("доставка", MONDAY_EVENING_MSK)) == [
        Reply("Спасибо, ответим скоро.", "away"), InviteTeam("keyword", "доставка")]


def test_the_bot_stays_quiet_after_a_human_reply():
    """Within the quiet window nothing happens: no replies, and no invitation either (a
    human is already in the conversation)."""
    at = MONDAY_EVENING_MSK
    state = replace(FRESH, last_human_reply_at=at - timedelta(minutes=29, seconds=59))
    assert decide(SETTINGS, state, customer("оператор! доставка", at)) == []


def test_the_bot_speaks_again_when_the_quiet_window_ends():
    at = MONDAY_EVENING_MSK
    state = replace(LATER, last_human_reply_at=at - timedelta(minutes=30))
    assert decide(SETTINGS, state, customer("доставка", at)) == [
        Reply("Спасибо, ответим скоро.", "away"), InviteTeam("keyword", "доставка")]


def test_the_quiet_window_is_configurable():
    at = MONDAY_EVENING_MSK
    state = replace(LATER, last_human_reply_at=at - timedelta(minutes=45))
    quiet_an_hour = replace(SETTINGS, human_quiet_minutes=60)
    assert decide(quiet_an_hour, state, customer("привет", at)) == []
    unset = replace(SETTINGS, human_quiet_minutes=None)  # the default, 30
    assert decide(unset, replace(state, last_human_reply_at=at - timedelta(minutes=29)),
                  customer("привет", at)) == []
    never_quiet = replace(SETTINGS, human_quiet_minutes=0)
    state = replace(LATER, last_human_reply_at=at)
    assert decide(never_quiet, state, customer("привет", at)) == [
        Reply("Спасибо, ответим скоро.", "away")]


def test_a_human_reply_stamped_after_the_message_also_means_quiet():
    at = MONDAY_EVENING_MSK
    state = replace(LATER, last_human_reply_at=at + timedelta(seconds=2))
    assert decide(SETTINGS, state, customer("доставка", at)) == []


@pytest.mark.parametrize("text", ["", "   \n", None])
def test_empty_texts_are_no_ops(text):
    assert decide(SETTINGS, FRESH, customer(text, MONDAY_EVENING_MSK)) == []
    assert matches_keyword(text, ("доставка",)) is None
    assert asks_for_human(text) is False


# --- keywords ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "доставка",
    "ДОСТАВКА!",
    "а «доставка» есть?",
    "(доставка)",
    "Вопрос про доставка...",
    "доставка,оплата",
])
def test_keyword_matches_a_whole_word_with_punctuation_around(text):
    assert matches_keyword(text, ("Доставка",)) == "Доставка"


@pytest.mark.parametrize(("keyword", "text"), [
    ("доставка", "доставкой"), ("доставка", "Нужна ДОСТАВКИ"), ("доставка", "о доставке"),
    ("мастер", "Позовите мастера"), ("мастер", "передайте мастеру"), ("мастер", "с мастером"),
    ("Мастер", "мастеров нет?"), ("доставка на дом", "доставкой на дом"),
    ("delivery", "Any deliveries today?"), ("price", "what are your prices"),
])
def test_keyword_matches_other_forms_of_its_words(keyword, text):
    assert matches_keyword(text, (keyword,)) == keyword


@pytest.mark.parametrize(("keyword", "text"), [
    ("мастер", "мастерская"), ("мастер", "мастерство"), ("мастер", "мастерски"),
    ("доставка", "доставщик"), ("цена", "ценность"),
])
def test_a_word_with_a_stem_of_its_own_is_another_word(keyword, text):
    assert matches_keyword(text, (keyword,)) is None


@pytest.mark.parametrize("text", [
    "сдоставка",
    "экспресс-доставка",    # a hyphenated word is one word
    "доставка-экспресс",
    "доставка_1",
])
def test_keyword_does_not_match_other_words_or_forms(text):
    assert matches_keyword(text, ("доставка",)) is None


def test_keyword_folds_yo_to_ye_both_ways():
    assert matches_keyword("Где мой ЗАКАЗ? Всё ещё жду", ("все",)) == "все"
    assert matches_keyword("все ещё жду", ("всё",)) == "всё"
    decomposed = "все\u0308"  # е + combining diaeresis
    assert matches_keyword(decomposed, ("всё",)) == "всё"


def test_keyword_of_several_words():
    keywords = ("доставка на дом",)
    assert matches_keyword("Есть ли Доставка  на\nдом?", keywords) == "доставка на дом"
    assert matches_keyword("доставка, на дом", keywords) == "доставка на дом"
    assert matches_keyword("доставка на дома", keywords) == "доставка на дом"
    assert matches_keyword("доставка на", keywords) is None
    assert matches_keyword("на дом доставка", keywords) is None
    assert matches_keyword("доставка", keywords) is None


def test_keyword_latin_digits_and_hyphens():
    assert matches_keyword("Is there Wi-Fi?", ("wi-fi",)) == "wi-fi"
    assert matches_keyword("wifi", ("wi-fi",)) is None
    assert matches_keyword("Заказ №42 где?", ("42",)) == "42"
    assert matches_keyword("Заказ 420", ("42",)) is None
    assert matches_keyword("c++ course", ("c++",)) == "c++"


def test_keyword_first_in_configured_order_and_blank_keywords_ignored():
    assert matches_keyword("возврат и доставка", ("", "  ", "доставка", "возврат")) == "доставка"
    assert matches_keyword("что угодно", ("", "  ")) is None
    assert matches_keyword("что угодно", ()) is None
    assert matches_keyword("что угодно", None) is None


# --- requests for a person -----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "оператор",
    "Дайте оператора!",
    "соедините с оператором",
    "позовите человека",
    "Позовите, пожалуйста, человека",
    "человека позовите",
    "хочу поговорить с живым человеком",
    "Живой человек тут есть?",
    "можно менеджера?",
    "соедините меня со специалистом",
    "переключите на сотрудника",
    "Ёлки, оператор нужен",
    "operator please",
    "I want a HUMAN",
    "is there a real person?",
    "Can I talk to a person",
    "let me speak with someone",
    "connect me to an agent",
])
def test_asks_for_human(text):
    assert asks_for_human(text) is True


@pytest.mark.parametrize("text", [
    "Столик на 4 человека",
    "Нас будет 5 человек, пожалуйста",
    "Мастер говорит, человек уже выехал",
    "Сколько стоит доставка?",
    "Спасибо, всё понятно",
    "humanitarian aid",
    "per person price",
    "The cooperative store",
])
def test_does_not_ask_for_human(text):
    assert asks_for_human(text) is False


# --- business hours ------------------------------------------------------------------------

def test_within_hours_uses_the_time_zone():
    assert within_hours(MOSCOW_WEEKDAYS, datetime(2025, 6, 2, 5, 59)) is False  # 08:59 MSK
    assert within_hours(MOSCOW_WEEKDAYS, datetime(2025, 6, 2, 6, 0)) is True    # 09:00 MSK
    assert within_hours(MOSCOW_WEEKDAYS, datetime(2025, 6, 2, 14, 59)) is True  # 17:59 MSK
    assert within_hours(MOSCOW_WEEKDAYS, datetime(2025, 6, 2, 15, 0)) is False  # 18:00 MSK
    # Sunday 23:30 UTC is already Monday 02:30 in Moscow (closed), Monday 09:30 in Tokyo
    tokyo = {**MOSCOW_WEEKDAYS, "timezone": "Asia/Tokyo"}
    assert within_hours(tokyo, datetime(2025, 6, 1, 23, 30)) is False
    assert within_hours(tokyo, datetime(2025, 6, 2, 0, 30)) is True


def test_no_hours_configured_is_none():
    at = MONDAY_NOON_MSK
    assert within_hours(None, at) is None
    assert within_hours({}, at) is None
    assert within_hours({"timezone": "Europe/Moscow", "days": {}}, at) is None
    assert within_hours({"timezone": "Mars/Olympus", "days": MOSCOW_WEEKDAYS["days"]}, at) is None
    assert next_opening(None, at) is None


def test_a_day_with_no_hours_is_closed():
    saturday_noon = datetime(2025, 6, 7, 9, 0)
    assert within_hours(MOSCOW_WEEKDAYS, saturday_noon) is False
    hours = {**MOSCOW_WEEKDAYS, "days": {**MOSCOW_WEEKDAYS["days"], "sat": []}}
    assert within_hours(hours, saturday_noon) is False


def test_several_intervals_and_the_list_form():
    hours = {"timezone": "UTC", "days": {"mon": [["09:00", "13:00"], ["14:00", "18:00"]]}}
    assert within_hours(hours, datetime(2025, 6, 2, 12, 59)) is True
    assert within_hours(hours, datetime(2025, 6, 2, 13, 30)) is False
    assert within_hours(hours, datetime(2025, 6, 2, 14, 0)) is True
    assert next_opening(hours, datetime(2025, 6, 2, 13, 30)) == datetime(2025, 6, 2, 14, 0)


def test_until_midnight():
    hours = {"timezone": "UTC", "days": {"sat": [{"open": "10:00", "close": "24:00"}]}}
    assert within_hours(hours, datetime(2025, 6, 7, 23, 59, 59)) is True
    assert within_hours(hours, datetime(2025, 6, 8, 0, 0)) is False


def test_overnight_hours_run_into_the_next_day():
    hours = {"timezone": "Europe/Moscow", "days": {"fri": [["22:00", "02:00"]]}}
    friday = datetime(2025, 6, 6)
    assert within_hours(hours, friday + timedelta(hours=18, minutes=59)) is False  # 21:59 Fri
    assert within_hours(hours, friday + timedelta(hours=19)) is True               # 22:00 Fri
    assert within_hours(hours, friday + timedelta(hours=22, minutes=30)) is True   # 01:30 Sat
    assert within_hours(hours, friday + timedelta(hours=23)) is False              # 02:00 Sat
    # the interval belongs to Friday: Saturday night stays closed
    assert within_hours(hours, friday + timedelta(days=1, hours=19, minutes=30)) is False
    # Sunday night wraps into Monday
    sunday = {"timezone": "UTC", "days": {"sun": [["22:00", "02:00"]]}}
    assert within_hours(sunday, datetime(2025, 6, 2, 1, 0)) is True


def test_open_equal_to_close_and_malformed_intervals_are_ignored():
    hours = {"timezone": "UTC", "days": {"mon": [["09:00", "09:00"], ["9", "10"], {"open": 9},
                                                 ["25:00", "26:00"], "all day",
                                                 ["10:00", "11:00"]]}}
    assert within_hours(hours, datetime(2025, 6, 2, 9, 30)) is False
    assert within_hours(hours, datetime(2025, 6, 2, 10, 30)) is True


def test_hours_follow_the_wall_clock_across_dst():
    berlin = {"timezone": "Europe/Berlin",
              "days": {day: [["09:00", "18:00"]] for day in ("fri", "mon")}}
    # Friday 28 March 2025 is CET (UTC+1); Monday 31 March is CEST (UTC+2)
    assert within_hours(berlin, datetime(2025, 3, 28, 8, 0)) is True    # 09:00 CET
    assert within_hours(berlin, datetime(2025, 3, 31, 7, 0)) is True    # 09:00 CEST
    assert within_hours(berlin, datetime(2025, 3, 31, 6, 59)) is False  # 08:59 CEST
    assert next_opening(berlin, datetime(2025, 3, 28, 18, 0)) == datetime(2025, 3, 31, 7, 0)


def test_next_opening_skips_to_a_time_the_clocks_jump_over():
    # Berlin's clocks go from 02:00 to 03:00 on Sunday 30 March 2025 (01:00 UTC)
    hours = {"timezone": "Europe/Berlin", "days": {"sun": [["02:30", "05:00"]]}}
    saturday = datetime(2025, 3, 29, 12, 0)
    assert next_opening(hours, saturday) == datetime(2025, 3, 30, 1, 0)  # 03:00 CEST
    assert within_hours(hours, datetime(2025, 3, 30, 1, 0)) is True
    assert within_hours(hours, datetime(2025, 3, 30, 0, 59)) is False


def test_next_opening_takes_the_first_of_a_repeated_hour():
    # Berlin's clocks go from 03:00 back to 02:00 on Sunday 26 October 2025
    hours = {"timezone": "Europe/Berlin", "days": {"sun": [["02:30", "05:00"]]}}
    assert next_opening(hours, datetime(2025, 10, 25, 12, 0)) == datetime(2025, 10, 26, 0, 30)


def test_next_opening():
    # open now: now
    assert next_opening(MOSCOW_WEEKDAYS, MONDAY_NOON_MSK) == MONDAY_NOON_MSK
    # Monday evening: Tuesday 09:00 MSK
    assert next_opening(MOSCOW_WEEKDAYS, MONDAY_EVENING_MSK) == datetime(2025, 6, 3, 6, 0)
    # Monday early morning: today 09:00 MSK
    assert next_opening(MOSCOW_WEEKDAYS, datetime(2025, 6, 2, 3, 0)) == datetime(2025, 6, 2, 6)
    # Friday evening: Monday
    assert next_opening(MOSCOW_WEEKDAYS, datetime(2025, 6, 6, 16, 0)) == datetime(2025, 6, 9, 6)
    # open one day a week, just after closing: the same day next week
    mondays = {"timezone": "UTC", "days": {"mon": [["09:00", "10:00"]]}}
    assert next_opening(mondays, datetime(2025, 6, 2, 10, 0)) == datetime(2025, 6, 9, 9, 0)


def test_next_opening_of_overnight_hours():
    hours = {"timezone": "Europe/Moscow", "days": {"fri": [["22:00", "02:00"]]}}
    saturday_3am_msk = datetime(2025, 6, 7, 0, 0)
    assert next_opening(hours, saturday_3am_msk) == datetime(2025, 6, 13, 19, 0)
