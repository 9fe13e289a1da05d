"""Every HTML page declares its language (WCAG 3.1.1): `<html lang="ru">`.

Flask-Admin's bootstrap4 `admin/base.html`, under every /admin and /cabinet page, writes a
bare `<html>` outside any block, so no template of ours can add the attribute short of
copying the whole vendor template (and keeping that copy in step with each Flask-Admin
upgrade). Instead, a finished HTML answer whose opening tag is that bare `<html>` gets the
request's language (Flask-Babel's choice: the cookie, then Accept-Language) on that one tag.
Our own templates already write `lang`, and streamed answers are left alone."""

from flask import Flask, Response
from flask_babel import get_locale

BARE = b"<html>"
HEAD = 512  # the tag follows the doctype and Jinja's whitespace, never further down


def declare_language(response: Response) -> Response:
    if response.mimetype != "text/html" or response.is_streamed or response.direct_passthrough:
        return response
    body = response.get_data()
    at = body.find(BARE, 0, HEAD)
    if at != -1:
        tag = f'<html lang="{get_locale()}">'.encode()
        response.set_data(body[:at] + tag + body[at + len(BARE):])
    return response


def init_html_lang(app: Flask) -> None:
    app.after_request(declare_language)
