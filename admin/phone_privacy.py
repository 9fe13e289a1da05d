"""Phones in the back office: in full for those whose platform role may see them (support,
superadmin), masked (+7912*****89) for everyone else. The one place the rule is applied: every
answer under /admin (pages, details, CSV exports, whatever a view renders, the audit log's
"who" and its fields before and after) has each phone number in it masked for such a person,
so no view, column or export can forget it."""

from flask import Flask, request

from admin.staff import current_user
from app.accounts.platform_roles import SEE_PHONES, can, mask_phones_in

TEXT_TYPES = ("text/html", "text/csv", "text/plain", "application/json")
masked = mask_phones_in  # the rule itself is the platform roles' (the admin API applies it too)


def _chunks(iterable):
    for chunk in iterable:
        if isinstance(chunk, bytes):
            yield masked(chunk.decode()).encode()
        else:
            yield masked(chunk)


def init_phone_privacy(app: Flask) -> None:
    @app.after_request
    def mask_phones(response):
        if not request.path.startswith("/admin") or response.mimetype not in TEXT_TYPES:
            return response
        viewer = current_user()  # nobody signed in: the sign-in page, with their own phone
        if viewer is None or can(viewer, SEE_PHONES):
            return response
        if response.is_streamed:  # the CSV exports: one row at a time, never split in a phone
            response.response = _chunks(response.response)
        else:
            response.set_data(masked(response.get_data(as_text=True)))
        return response
