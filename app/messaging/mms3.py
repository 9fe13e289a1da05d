"""The mms3 adapter: the messaging interface over the REST API of MMS3_CONTRACT.md.

One `requests.Session` carries the API key and tenant headers, connect and read timeouts, and
retries with backoff on connection errors and 5xx answers. Every POST carries an
`X-Idempotency-Key` (the caller's, or a fresh one per call): urllib3 resends the same headers on
each retry, so a retried create never makes a second entity.
"""

import base64
import binascii
import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Self

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from app.messaging import events
from app.messaging.gateway import (
    PAGE_LIMIT_MAX,
    STATUSES,
    TEXT,
    USER_TYPES,
    InvalidRequest,
    MessagingError,
    MessagingGateway,
    NotFound,
)

CONNECT_TIMEOUT = 3.05  # a little over the 3 s TCP retransmission window


class Mms3Error(MessagingError):
    """mms3 refused or could not be reached. `status` is the HTTP status (None when there was
    no answer) and `error_type` the contract's `error` field (or "timeout"/"unreachable")."""

    def __init__(self, status: int | None, error_type: str, message: str = ""):
        super().__init__(f"mms3 {status or '-'} {error_type}: {message}".rstrip(": "))
        self.status = status
        self.error_type = error_type
        self.message = message


class Mms3NotFound(Mms3Error, NotFound):
    """A 404: callers that handle the interface's NotFound handle it."""


class Mms3Invalid(Mms3Error, InvalidRequest):
    """A 400: callers that handle the interface's InvalidRequest handle it."""


_BY_STATUS = {404: Mms3NotFound, 400: Mms3Invalid}


class _NoReadTimeoutRetry(Retry):
    """Retry refused/dropped connections and 5xx, but never a read timeout. (`read=0` would not
    do: urllib3 counts a dropped connection as a read error too, and that one we do retry.)

    Retrying a POST would be safe thanks to the idempotency key, but a read timeout means mms3
    is slow, and retrying there multiplies the caller's wait by retries + 1 (a web request or a
    Celery worker held that long). We fail fast instead; the Celery task retries later, with the
    same idempotency key when the caller gave one.
    """

    def increment(self, method=None, url=None, response=None, error=None, _pool=None,
                  _stacktrace=None):
        if isinstance(error, ReadTimeoutError):
            raise error
        return super().increment(method, url, response, error, _pool, _stacktrace)


class Mms3Gateway(MessagingGateway):
    name = "mms3"

    def __init__(self, base_url: str, api_key: str | None,
                 tenant_id: str = events.DEFAULT_TENANT, timeout: float = 10.0,
                 retries: int = 3, backoff: float = 0.5):
        self.base_url = base_url.rstrip("/")
        self.tenant_id = tenant_id
        self.timeout = (min(CONNECT_TIMEOUT, timeout), timeout)
        self.session = requests.Session()
        self.session.headers.update({"X-API-Key": api_key or "", "X-Tenant-ID": tenant_id,
                                     "Accept": "application/json"})
        # allowed_methods=None: POSTs are retried too, safe because each carries a key.
        retry = _NoReadTimeoutRetry(total=retries, connect=retries, read=retries,
                                    status=retries, backoff_factor=backoff,
                                    status_forcelist=(500, 502, 503, 504),
                                    allowed_methods=None, raise_on_status=False)
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Self:
        return cls(config["MMS3_API_URL"], config["MMS3_API_KEY"], config["MMS3_TENANT_ID"],
                   config["MMS3_TIMEOUT_SECONDS"], config["MMS3_RETRIES"])

    def close(self) -> None:
        self.session.close()

    # -- transport ---------------------------------------------------------------------------

    def _request(self, method, path, body=None, params=None, idempotency_key=None, ok=()):
        """The decoded JSON answer; raises Mms3Error unless 2xx or a status listed in `ok`."""
        headers = {}
        if method == "POST":
            headers["X-Idempotency-Key"] = idempotency_key or uuid.uuid4().hex
        try:
            response = self.session.request(method, self.base_url + path, json=body,
                                            params=params, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise Mms3Error(None, _failure(exc), f"{method} {path}") from exc
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if not isinstance(answer, dict):
            answer = {"data": answer}
        if response.status_code >= 300 and response.status_code not in ok:
            error = _BY_STATUS.get(response.status_code, Mms3Error)
            raise error(response.status_code, str(answer.get("error") or "http_error"),
                        str(answer.get("message") or f"{method} {path}"))
        answer["_status"] = response.status_code
        return answer

    # -- users -------------------------------------------------------------------------------

    def ensure_user(self, user_id: str, name: str | None = None, type: str = "user") -> dict:
        """Create the user; when it exists already (409), PUT its name and type (the contract)."""
        if not isinstance(user_id, str) or not user_id or "." in user_id:
            raise InvalidRequest("a userId is a non-empty string without dots")
        if type not in USER_TYPES:
            raise InvalidRequest(f"a user's type is one of {USER_TYPES}")
        answer = self._request("POST", "/users",
                               {"userId": user_id, "name": name or user_id, "type": type},
                               ok=(409,))
        if answer["_status"] == 409:
            changes = {"type": type} if name is None else {"name": name, "type": type}
            answer = self._request("PUT", f"/users/{user_id}", changes)
        return {"userId": user_id, "name": name, "type": type, **_data(answer)}

    # -- dialogs -----------------------------------------------------------------------------

    def create_dialog(self, name: str, created_by: str, members: Iterable[dict] = (),
                      meta: dict | None = None, idempotency_key: str | None = None) -> dict:
        """Create a dialog (its members are created on the fly by mms3); returns the dialog."""
        body = {"name": name, "createdBy": created_by, "meta": dict(meta or {}),
                "members": [_member(m) for m in members]}
        answer = self._request("POST", "/dialogs", body, idempotency_key=idempotency_key,
                               ok=(409,))
        dialog = {"tenantId": self.tenant_id, "name": name, "createdBy": created_by,
                  "meta": body["meta"], **_data(answer)}
        return {**dialog, "dialogId": _read_id(answer, "dialogId")}

    def add_member(self, chat_dialog_id: str, user_id: str, type: str = "user",
                   name: str | None = None) -> dict:
        body = {"userId": user_id, "type": type, "name": name or user_id}
        # 200 when already a member; 409 is read the same way ("already exists").
        answer = self._request("POST", f"/dialogs/{chat_dialog_id}/members/add", body, ok=(409,))
        return {"dialogId": chat_dialog_id, "userId": user_id, "type": type, "meta": {},
                **_data(answer)}

    def remove_member(self, chat_dialog_id: str, user_id: str) -> bool:
        """True if they were a member. A 404 is "no such member" unless the dialog is missing."""
        try:
            self._request("POST", f"/dialogs/{chat_dialog_id}/members/{user_id}/remove")
        except Mms3NotFound:
            self._request("GET", f"/dialogs/{chat_dialog_id}")  # raises Mms3NotFound if it is gone
            return False
        return True

    # -- messages ----------------------------------------------------------------------------

    def post_message(self, chat_dialog_id: str, sender_id: str, content: str, type: str = TEXT,
                     meta: dict | None = None, idempotency_key: str | None = None) -> dict:
        """Post a message; returns it as mms3 stored it."""
        if not isinstance(content, str):
            raise InvalidRequest("content is a string")
        body = {"senderId": sender_id, "content": content, "type": type}
        if meta:
            body["meta"] = meta
        answer = self._request("POST", f"/dialogs/{chat_dialog_id}/messages", body,
                               idempotency_key=idempotency_key, ok=(409,))
        message = {**body, "dialogId": chat_dialog_id, "meta": meta or {}, **_data(answer)}
        return {**message, "messageId": _read_id(answer, "messageId")}

    def edit_message(self, message_id: str, content: str) -> dict:
        if not isinstance(content, str):
            raise InvalidRequest("content is a string")
        answer = self._request("PUT", f"/messages/{message_id}", {"content": content})
        return {"messageId": message_id, "content": content, **_data(answer)}

    def list_members(self, chat_dialog_id: str) -> list[dict]:
        """Page by page; an answer without pagination is the whole list."""
        members, page = [], 1
        while True:
            answer = self._request("GET", f"/dialogs/{chat_dialog_id}/members",
                                   params={"page": page, "limit": PAGE_LIMIT_MAX})
            rows = answer.get("data") if isinstance(answer.get("data"), list) else []
            members += [{"dialogId": chat_dialog_id, **row} for row in rows
                        if (row.get("state") or {}).get("isActive", True) is not False]
            pages = (answer.get("pagination") or {}).get("pages")
            if pages is None or page >= pages or not rows:
                return members
            page += 1

    def get_dialog(self, chat_dialog_id: str) -> dict:
        found = self._request("GET", f"/dialogs/{chat_dialog_id}")
        return {"dialogId": chat_dialog_id, **_data(found)}

    def get_message(self, message_id: str) -> dict:
        return {"messageId": message_id,
                **_data(self._request("GET", f"/messages/{message_id}"))}

    def list_messages(self, chat_dialog_id: str, limit: int = 20,
                      cursor: str | None = None) -> dict:
        """Newest first: {"messages", "nextCursor"}. mms3 pages by number; the cursor keeps the
        page, the limit and the createdAt of the newest message seen on page 1, and each later
        page is filtered to messages no newer than that, so new arrivals never shift pages."""
        if cursor:
            page, limit, anchor = _decode_cursor(cursor)
        else:
            page, limit, anchor = 1, max(1, min(int(limit), PAGE_LIMIT_MAX)), None
        params = {"page": page, "limit": limit, "sort": "(createdAt,desc)"}
        if anchor is not None:
            params["filter"] = f"(createdAt,lte,{anchor!r})"
        answer = self._request("GET", f"/dialogs/{chat_dialog_id}/messages", params=params)
        messages = answer.get("data") or []
        if anchor is None and messages:
            anchor = messages[0].get("createdAt")
        pages = (answer.get("pagination") or {}).get("pages")
        more = page < pages if pages is not None else len(messages) >= limit
        next_cursor = _encode_cursor(page + 1, limit, anchor) if more and messages else None
        return {"messages": messages, "nextCursor": next_cursor}

    def set_status(self, user_id: str, chat_dialog_id: str, message_id: str,
                   status: str) -> dict:
        if status not in STATUSES:
            raise InvalidRequest(f"a status is one of {STATUSES}")
        answer = self._request("POST", f"/users/{user_id}/dialogs/{chat_dialog_id}/messages/"
                                       f"{message_id}/status/{status}")
        return {"messageId": message_id, "dialogId": chat_dialog_id, "userId": user_id,
                "status": status, **_data(answer)}

    def set_reaction(self, user_id: str, chat_dialog_id: str, message_id: str,
                     reaction: str) -> dict[str, int]:
        return self._react(user_id, chat_dialog_id, message_id, reaction, "set")

    def unset_reaction(self, user_id: str, chat_dialog_id: str, message_id: str,
                       reaction: str) -> dict[str, int]:
        return self._react(user_id, chat_dialog_id, message_id, reaction, "unset")

    def _react(self, user_id, chat_dialog_id, message_id, reaction, action):
        answer = self._request("POST", f"/users/{user_id}/dialogs/{chat_dialog_id}/messages/"
                                       f"{message_id}/reactions/{action}", {"reaction": reaction})
        return dict(_data(answer).get("reactionCounts") or {})

    def typing(self, chat_dialog_id: str, user_id: str) -> None:
        self._request("POST", f"/dialogs/{chat_dialog_id}/member/{user_id}/typing",
                      {"isTyping": True})


def _member(member):
    """A member as the contract wants it, from a userId or a dict (userId/user_id, type, name)."""
    if isinstance(member, str):
        return {"userId": member, "type": "user", "name": member}
    user_id = member.get("userId") or member.get("user_id")
    return {"userId": user_id, "type": member.get("type", "user"),
            "name": member.get("name") or user_id}


def _data(answer):
    data = answer.get("data")
    return data if isinstance(data, dict) else {}


def _read_id(answer, field):
    """`data.<id>` first, then `<id>` at the top level (older mms3 versions)."""
    found = _data(answer).get(field) or answer.get(field)
    if not found:
        raise Mms3Error(answer["_status"], "no_id", f"no {field} in the answer")
    return found


def _encode_cursor(page, limit, anchor):
    raw = json.dumps({"p": page, "l": limit, "a": anchor}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor):
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        page, limit, anchor = int(raw["p"]), int(raw["l"]), raw["a"]
        if page < 2 or not 1 <= limit <= PAGE_LIMIT_MAX or not isinstance(anchor, int | float):
            raise ValueError
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError):
        raise InvalidRequest("a cursor from a previous page is expected") from None
    return page, limit, anchor


def _failure(exc):
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(exc, requests.Timeout) or isinstance(reason, TimeoutError | ReadTimeoutError):
        return "timeout"
    return "unreachable"
