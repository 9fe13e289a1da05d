"""Cookie sessions for the pages, none for the JSON API.

The API authenticates with bearer tokens only, so it never reads or sets a session cookie:
skipping the session there saves work on every API request and keeps the API free of
cookie-borne state (and so of CSRF).
"""

from flask.sessions import SecureCookieSessionInterface


class PagesOnlySessionInterface(SecureCookieSessionInterface):
    def open_session(self, app, request):
        if request.path.startswith("/api/"):
            return self.null_session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if self.is_null_session(session):
            return
        super().save_session(app, session, response)
