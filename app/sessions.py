"""Server-side sessions for the back office and the cabinet; none anywhere else.

The cookie holds only a random id (HttpOnly, SameSite=Lax, Secure in production); the data
lives in the `web_sessions` collection under the id's hash. A session ends after
SESSION_IDLE_MINUTES without a request (each request moves the expiry on), or at sign-out.
The API authenticates with bearer tokens and the public pages keep no session at all, so
neither reads nor sets this cookie (and a landing page costs no session lookup).
"""

import hashlib
import secrets
from datetime import timedelta

from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from app import clock
from app.models import WebSession

SESSION_AREAS = ("/admin", "/cabinet")


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, data=None, sid=None):
        def on_update(_self):
            self.modified = True

        super().__init__(data or {}, on_update)
        self.sid = sid
        self.modified = False
        self.rotate = False

    def regenerate(self):
        """A new id for the same data: call at sign-in, against session fixation."""
        self.rotate = True
        self.modified = True


def _storable(value):
    """Session data as the database stores it: lazy translations (a flash message made with
    lazy_gettext, say) become the text they stand for."""
    if isinstance(value, dict):
        return {key: _storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value]
    if isinstance(value, str | int | float | bool | type(None)):
        return value
    return str(value)


def _key(sid):
    return hashlib.sha256(sid.encode()).hexdigest()


class ServerSideSessionInterface(SessionInterface):
    def open_session(self, app, request):
        if not request.path.startswith(SESSION_AREAS):
            return self.make_null_session(app)
        sid = request.cookies.get(self.get_cookie_name(app))
        if sid and len(sid) <= 128:
            # Plain dicts and lists (as_pymongo): mongoengine's own containers keep a weak
            # reference to their document, gone by the time a later flash() appends to them.
            stored = WebSession.objects(id=_key(sid), expires_at__gt=clock.now()).only(
                "data").as_pymongo().first()
            if stored is not None:
                return ServerSession(stored.get("data") or {}, sid=sid)
        return ServerSession()

    def save_session(self, app, session, response):
        if self.is_null_session(session):
            return
        name, domain, path = (self.get_cookie_name(app), self.get_cookie_domain(app),
                              self.get_cookie_path(app))
        if not session:
            if session.sid:
                WebSession.objects(id=_key(session.sid)).delete()
                response.delete_cookie(name, domain=domain, path=path)
            return
        if session.rotate and session.sid:
            WebSession.objects(id=_key(session.sid)).delete()
            session.sid = None
        if session.sid is None:
            session.sid = secrets.token_urlsafe(32)
        idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
        WebSession.objects(id=_key(session.sid)).update_one(
            upsert=True, set__data=_storable(dict(session)), set__expires_at=clock.now() + idle)
        response.set_cookie(
            name, session.sid, max_age=int(idle.total_seconds()), httponly=True,
            secure=app.config["SESSION_COOKIE_SECURE"], samesite="Lax", domain=domain, path=path)
