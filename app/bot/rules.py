"""The business bot's rules: what the bot does for one event, as plain data in, actions out.

Pure functions only: no I/O, no database, no Flask. The listener (issue 5) builds `BotSettings`
from a business's settings and `DialogState` from the conversation, calls `greeting` for a new
dialog and `decide` for each new message, and performs the returned actions in order.

The rules, for each message (`decide`):

1. Only customer messages count: messages from a bot, from the bot itself ("self") or from
   the team get no actions. Empty or blank texts get none either.
2. A human is there: for `human_quiet_minutes` after a team member's reply the bot stays
   completely quiet in that dialog -- no auto-reply, no away reply, and no invitation (the
   team is already in the conversation).
3. Auto-reply (when enabled and the text is set), at most one reply per message:
   - outside business hours (when hours are configured): the auto-reply text, reason "away";
   - otherwise the customer's first message: the auto-reply text, reason "auto_reply".
4. Invitation, once per dialog (not when `state.escalated`): a configured keyword gives
   `InviteTeam("keyword", <the keyword as configured>)`; otherwise a request for a person
   gives `InviteTeam("human_requested", None)`.

A reply comes before an invitation in the returned list.

Business hours (whether the business is open now) are app/businesses/hours.py's.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import snowballstemmer

from app.businesses import hours


@dataclass(frozen=True)
class BotSettings:
    greeting: str | None
    auto_reply_enabled: bool
    auto_reply_message: str | None
    keywords: tuple[str, ...]
    business_hours: dict | None
    human_quiet_minutes: int = 30  # quiet period after a human team reply (None: 30)


@dataclass(frozen=True)
class DialogState:
    greeted: bool
    customer_messages: int  # customer messages before this one
    last_human_reply_at: datetime | None  # naive UTC
    escalated: bool  # the team was already invited


@dataclass(frozen=True)
class Incoming:
    sender_kind: str  # "customer" | "team" | "bot" | "self"
    text: str
    at: datetime  # naive UTC


@dataclass(frozen=True)
class Reply:
    text: str
    reason: str  # "greeting" | "auto_reply" | "away"


@dataclass(frozen=True)
class InviteTeam:
    reason: str  # "keyword" | "human_requested"
    matched: str | None  # the keyword as configured; None for a request for a person


# --- the rules -----------------------------------------------------------------------------

def greeting(settings: BotSettings) -> list[Reply]:
    """The bot's first message in a new dialog: the greeting, if one is set."""
    if _blank(settings.greeting):
        return []
    return [Reply(settings.greeting, "greeting")]


def decide(settings: BotSettings, state: DialogState,
           incoming: Incoming) -> list[Reply | InviteTeam]:
    """The actions for one incoming message (see the module's docstring for the rules)."""
    if incoming.sender_kind != "customer" or _blank(incoming.text):
        return []
    if _human_is_here(settings, state, incoming.at):
        return []
    actions = []
    reply = _auto_reply(settings, state, incoming.at)
    if reply:
        actions.append(reply)
    invite = _invitation(settings, state, incoming.text)
    if invite:
        actions.append(invite)
    return actions


def _human_is_here(settings, state, at):
    """A team member replied less than `human_quiet_minutes` ago (or, with clocks out of
    step, after this message). None minutes means the default; 0 means never quiet."""
    minutes = settings.human_quiet_minutes
    if minutes is None:
        minutes = BotSettings.human_quiet_minutes
    if state.last_human_reply_at is None or minutes <= 0:
        return False
    return at < state.last_human_reply_at + timedelta(minutes=minutes)


def _auto_reply(settings, state, at):
    if not settings.auto_reply_enabled or _blank(settings.auto_reply_message):
        return None
    if hours.within_hours(settings.business_hours, at) is False:
        return Reply(settings.auto_reply_message, "away")
    if state.customer_messages == 0:
        return Reply(settings.auto_reply_message, "auto_reply")
    return None


def _invitation(settings, state, text):
    if state.escalated:
        return None
    keyword = matches_keyword(text, settings.keywords)
    if keyword is not None:
        return InviteTeam("keyword", keyword)
    if asks_for_human(text):
        return InviteTeam("human_requested", None)
    return None


def _blank(text):
    return text is None or not text.strip()


# --- words ---------------------------------------------------------------------------------

def _fold(text):
    """Case-, form- and ё-insensitive text: NFC, casefolded, ё read as е."""
    return unicodedata.normalize("NFC", text).casefold().replace("ё", "е")


# A word is letters and digits, and a hyphen joins two words into one ("wi-fi").
_BEFORE = r"(?<!\w)(?<!\w-)"
_AFTER = r"(?!\w)(?!-\w)"


@lru_cache(maxsize=1024)
def _keyword_pattern(keyword):
    words = _fold(keyword).split()
    if not words:
        return None
    return re.compile(_BEFORE + r"\W+".join(map(re.escape, words)) + _AFTER)


# A word for stemming: letters and digits, hyphenated parts kept together ("wi-fi").
_WORD = re.compile(r"\w+(?:-\w+)*")
_STEMMERS = threading.local()


def _stem(word):
    """A word's Snowball stem (Russian for a word with Cyrillic letters, else English); each
    part of a hyphenated word apart, so the word stays one ("экспресс-доставка")."""
    stemmers = getattr(_STEMMERS, "pair", None)
    if stemmers is None:  # the stemmers keep state while stemming: one pair per thread
        stemmers = _STEMMERS.pair = (snowballstemmer.stemmer("russian"),
                                     snowballstemmer.stemmer("english"))
    stemmer = stemmers[0] if _CYRILLIC.search(word) else stemmers[1]
    return "-".join(stemmer.stemWord(part) for part in word.split("-"))


_CYRILLIC = re.compile("[а-я]")


@lru_cache(maxsize=1024)
def _keyword_stems(keyword):
    """The stems of a keyword of words, or None for one with symbols ("c++"): matched as
    written."""
    folded = _fold(keyword)
    words = _WORD.findall(folded)
    if not words or _WORD.sub("", folded).strip():
        return None
    return tuple(_stem(word) for word in words)


def matches_keyword(text: str | None, keywords: tuple[str, ...]) -> str | None:
    """The first configured keyword (in the settings' order, as configured) found in the text.

    Whole words by their stem (Snowball), case-insensitive, ё the same as е: "мастер" matches
    "мастера", "мастеру" and "мастером", "доставка" matches "доставкой", but "мастерская" is
    another word, and so is "экспресс-доставка" (a hyphenated word is one word). A keyword of
    several words matches them in a row, whatever spaces or punctuation lie between. A keyword
    with symbols ("c++") matches as written, as a whole word.
    """
    if _blank(text) or not keywords:
        return None
    folded = _fold(text)
    stems = None
    for keyword in keywords:
        wanted = _keyword_stems(keyword or "")
        if wanted is None:
            pattern = _keyword_pattern(keyword or "")
            if pattern is not None and pattern.search(folded):
                return keyword
            continue
        if stems is None:
            stems = [_stem(word) for word in _WORD.findall(folded)]
        if any(tuple(stems[i:i + len(wanted)]) == wanted for i in range(len(stems))):
            return keyword
    return None


# Phrases that ask for a person, matched on folded text (so "ё" is written "е" here).
_CALL = r"(позов|позва|зови|пригла|соедин|переключ|свяж|связат|поговор|говорить|пообща)\w*"
_FILLER = r"([\s,]+(меня|мне|пожалуйста|нас))*,?"
_PERSON = r"(человек|сотрудник|специалист|владел)\w*"
_HUMAN_PHRASES = (
    # Russian
    r"\bоператор\w*",
    r"\bменеджер\w*",
    r"\bконсультант\w*",
    r"\bжив\w*\s+(человек|люд|сотрудник|оператор)\w*",
    rf"\b{_CALL}{_FILLER}\s+((со|с|на)\s+)?{_PERSON}",  # "позовите, пожалуйста, человека"
    rf"\b{_PERSON},?\s+позов\w*",                      # "человека позовите"
    # English
    r"\boperators?\b",
    r"\bhumans?\b",
    r"\b(real|live|actual)\s+(person|people|agent|someone|somebody)\b",
    r"\b(talk|speak|chat)\s+(to|with)\s+(a|an|the|some|your|one\s+of\s+your)?\s*"
    r"(person|someone|somebody|agent|representative|manager|staff|people)\b",
    r"\b(connect|transfer|put)\s+me\s+(through\s+)?(to|with)\s+(a|an|the|your)?\s*"
    r"(person|someone|somebody|agent|representative|manager|staff)\b",
)
_HUMAN = re.compile("|".join(f"(?:{phrase})" for phrase in _HUMAN_PHRASES))


def asks_for_human(text: str | None) -> bool:
    """Whether the customer asks for a person, in Russian or English ("оператор", "позовите
    человека", "живой человек", "менеджер", "operator", "human", "real person", "talk to a
    person", ...). Word forms count ("оператора", "с живым человеком"); a bare "человек"
    does not ("столик на 4 человека")."""
    if _blank(text):
        return False
    return _HUMAN.search(_fold(text)) is not None
