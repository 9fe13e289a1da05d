"""Pydantic's validation errors told in the request's language, naming the field.

Pydantic writes its messages in English ("Field required"); each error is told again from its
`type` and `ctx` (the limits), in the language Flask-Babel chose for the request. The
machine-readable parts (the field's path and the error's type) stay as they are.
"""

import re
from typing import Any

from flask import has_request_context, request
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _

# The role a member cannot be invited or changed to: a business has one owner.
OWNER_ROLE_ERROR = "owner_role"

_QUOTED = re.compile(r"'([^']*)'")

# Error types told by one text each, with the field's name.
_FIXED = {
    "missing": _('The field "%(field)s" is required.'),
    "extra_forbidden": _('The field "%(field)s" is not expected here.'),
    "string_pattern_mismatch": _('The field "%(field)s" has an invalid format.'),
    "string_type": _('The field "%(field)s" must be text.'),
    "int_type": _('The field "%(field)s" must be a whole number.'),
    "int_parsing": _('The field "%(field)s" must be a whole number.'),
    "int_from_float": _('The field "%(field)s" must be a whole number.'),
    "float_type": _('The field "%(field)s" must be a number.'),
    "float_parsing": _('The field "%(field)s" must be a number.'),
    "bool_type": _('The field "%(field)s" must be true or false.'),
    "bool_parsing": _('The field "%(field)s" must be true or false.'),
    "dict_type": _('The field "%(field)s" must be an object.'),
    "model_type": _('The field "%(field)s" must be an object.'),
    "model_attributes_type": _('The field "%(field)s" must be an object.'),
    "list_type": _('The field "%(field)s" must be a list.'),
    "datetime_type": _('The field "%(field)s" must be a date and time.'),
    "datetime_parsing": _('The field "%(field)s" must be a date and time.'),
    "datetime_from_date_parsing": _('The field "%(field)s" must be a date and time.'),
    "date_type": _('The field "%(field)s" must be a date.'),
    "date_parsing": _('The field "%(field)s" must be a date.'),
    "string_not_ascii": _('The field "%(field)s" has an invalid format.'),
}

# Error types with a number limit in `ctx`: (ctx key, text).
_LIMITS = {
    "greater_than_equal": ("ge", _('The field "%(field)s" must be at least %(limit)s.')),
    "greater_than": ("gt", _('The field "%(field)s" must be greater than %(limit)s.')),
    "less_than_equal": ("le", _('The field "%(field)s" must be at most %(limit)s.')),
    "less_than": ("lt", _('The field "%(field)s" must be less than %(limit)s.')),
}

_INVALID = _('The field "%(field)s" is not valid.')
_INVALID_BODY = _("The request is not valid.")


def _counted(kind: str, field: str, count: int) -> str:
    """The length limits, in their plural forms."""
    if kind == "string_too_short":
        return ngettext('The field "%(field)s" needs at least %(num)s character.',
                        'The field "%(field)s" needs at least %(num)s characters.',
                        count, field=field)
    if kind == "string_too_long":
        return ngettext('The field "%(field)s" takes at most %(num)s character.',
                        'The field "%(field)s" takes at most %(num)s characters.',
                        count, field=field)
    if kind == "too_short":
        return ngettext('The field "%(field)s" needs at least %(num)s item.',
                        'The field "%(field)s" needs at least %(num)s items.',
                        count, field=field)
    return ngettext('The field "%(field)s" takes at most %(num)s item.',
                    'The field "%(field)s" takes at most %(num)s items.',
                    count, field=field)


def describe(error: dict[str, Any], field: str | None) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) in the request's language;
    `field` is its location as the API names it (None for the body as a whole)."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == OWNER_ROLE_ERROR:
        business = (request.view_args or {}).get("business_id") if has_request_context() \
            else None
        return gettext("A business has one owner: to make someone the owner, transfer the "
                       "ownership with POST %(path)s.",
                       path=f"/api/businesses/{business or ':id'}/transfer-ownership")
    if kind in ("value_error", "assertion_error"):
        # Our validators raise ValueError with a text already in the request's language.
        reason = str(ctx.get("error") or error["msg"])
        if field is None:
            return reason
        return gettext('The field "%(field)s": %(reason)s', field=field, reason=reason)
    if field is None:
        return str(_INVALID_BODY)
    if kind in _FIXED:
        return str(_FIXED[kind]) % {"field": field}
    if kind in _LIMITS:
        key, text = _LIMITS[kind]
        return str(text) % {"field": field, "limit": ctx.get(key)}
    if kind in ("string_too_short", "too_short") and "min_length" in ctx:
        return _counted(kind, field, int(ctx["min_length"]))
    if kind in ("string_too_long", "too_long") and "max_length" in ctx:
        return _counted(kind, field, int(ctx["max_length"]))
    if kind in ("literal_error", "enum") and "expected" in ctx:
        choices = ", ".join(_QUOTED.findall(str(ctx["expected"]))) or str(ctx["expected"])
        return gettext('The field "%(field)s" must be one of: %(choices)s.', field=field,
                       choices=choices)
    return str(_INVALID) % {"field": field}
