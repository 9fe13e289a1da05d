"""Phone numbers: whatever a person types, normalised to E.164 by libphonenumber."""

import phonenumbers
from flask_babel import lazy_gettext as _

from app.errors import AppError


def normalize(raw: object, region: str = "RU") -> str:
    """'8 912 345-67-89' or '+7 912 345 67 89' -> '+79123456789'; anything invalid -> 422."""
    invalid = AppError("invalid_phone", _("Enter a valid phone number."), status=422,
                       details={"field": "phone"})
    if not isinstance(raw, str) or len(raw) > 32:
        raise invalid
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise invalid from None
    if not phonenumbers.is_valid_number(number):
        raise invalid
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
