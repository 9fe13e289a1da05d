"""What people write that others read: one rule for every displayed text (names, business
names and descriptions, messages, posts, comments, the bot's and the widget's texts, quick
replies, reasons).

Refused everywhere: control characters (in texts of several lines, only line breaks and tabs
pass), and the invisible ones that change how a text reads without showing: format characters
such as the right-to-left override, zero-width spaces and joiners, the byte-order mark and NUL,
surrogates, private-use and unassigned code points. A zero-width joiner between two emoji is
kept: it is what makes 👨‍👩‍👧 one picture.
"""

import unicodedata

from flask_babel import lazy_gettext as _

from app.errors import AppError

_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
_LINE_BREAKS = {"\n", "\t"}
_ZWJ = "\u200d"
_EMOJI_PARTS = {"So", "Sk"}


def _emoji_side(char: str) -> bool:
    return unicodedata.category(char) in _EMOJI_PARTS or char in ("\ufe0f", "\u20e3")


def refused_characters(value: str, multiline: bool = False) -> list[str]:
    """The characters of `value` the rule refuses, as U+XXXX, in order of appearance."""
    found = []
    for index, char in enumerate(value):
        if unicodedata.category(char) not in _REFUSED_CATEGORIES:
            continue
        if multiline and char in _LINE_BREAKS:
            continue
        if char == _ZWJ and 0 < index < len(value) - 1 and _emoji_side(value[index - 1]) \
                and _emoji_side(value[index + 1]):
            continue
        found.append(f"U+{ord(char):04X}")
    return list(dict.fromkeys(found))


def check(value: str, field: str, code: str = "validation_error",
          multiline: bool = False) -> str:
    """`value` unchanged; 422 `code` naming `field` when it holds a refused character."""
    refused = refused_characters(value, multiline)
    if refused:
        raise AppError(code, _("The text contains characters that are not allowed."),
                       status=422, details={"field": field, "fields": [{"field": field}],
                                            "characters": refused[:10]})
    return value


def clean_text(raw: object, limit: int, field: str = "text") -> str:
    """A text of one or more lines: trimmed, its line breaks made "\\n", 1 to `limit`
    characters, and nothing the rule refuses; 422 otherwise."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip() if isinstance(raw, str) else ""
    if not text or len(text) > limit:
        raise AppError("validation_error", _("Write from 1 to %(max)s characters.", max=limit),
                       status=422, details={"fields": [{"field": field}]})
    return check(text, field, multiline=True)
