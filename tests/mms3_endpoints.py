"""The endpoints of the mms3 stand-in (tests/mms3_standin.py): MMS3_CONTRACT.md's users,
dialogs, members, messages, statuses, reactions and typing, over in-memory dicts keyed by
(tenant, id). Each returns (status, body) or raises Fail; ROUTES maps paths to them."""

import uuid

from tests.mms3_events import now_ms
from tests.mms3_query import QueryError, matching, sort_order


class Fail(Exception):
    """An error answer of the contract: Fail(status, error type, message)."""


class Mms3Endpoints:
    """Mixed into Mms3StandIn, which provides users, dialogs, messages, publisher and _seq."""

    def _next_id(self, prefix):
        self._seq += 1
        return f"{prefix}_{uuid.uuid4().hex[:12]}", self._seq

    def _created(self, id_field, entity, status=201):
        if self.old_style_ids:
            data = {k: v for k, v in entity.items() if k != id_field}
            return status, {id_field: entity[id_field], "data": data}
        return status, {"data": entity}

    def _publish(self, tenant, event_type, entity_id, actor_id, **sections):
        if self.publisher:
            self.publisher.publish(tenant, event_type, entity_id, actor_id, sections)

    def _dialog(self, tenant, dialog_id):
        dialog = self.dialogs.get((tenant, dialog_id))
        if dialog is None:
            raise Fail(404, "not_found", f"dialog {dialog_id} not found")
        return dialog

    def create_user(self, tenant, body, _query):
        user_id = body.get("userId")
        if not user_id or "." in user_id or body.get("type", "user") not in ("user", "bot"):
            raise Fail(400, "validation_error", "userId (without a dot) and type are required")
        if (tenant, user_id) in self.users:
            raise Fail(409, "conflict", f"user {user_id} already exists")
        user = {"userId": user_id, "name": body.get("name") or user_id,
                "type": body.get("type", "user"), "createdAt": now_ms(), "meta": {}}
        self.users[(tenant, user_id)] = user
        return self._created("userId", user)

    def get_user(self, tenant, _body, _query, user_id):
        user = self.users.get((tenant, user_id))
        if user is None:
            raise Fail(404, "not_found", f"user {user_id} not found")
        return 200, {"data": user}

    def update_user(self, tenant, body, query, user_id):
        user = self.get_user(tenant, body, query, user_id)[1]["data"]
        user.update({k: body[k] for k in ("name", "type") if k in body})
        return 200, {"data": user}

    def _ensure_member(self, tenant, dialog, member):
        user_id = member["userId"]
        self.users.setdefault((tenant, user_id), {
            "userId": user_id, "name": member.get("name") or user_id,
            "type": member.get("type", "user"), "createdAt": now_ms(), "meta": {}})
        if user_id in dialog["_members"]:
            return False
        dialog["_members"][user_id] = {"userId": user_id, "meta": {}, "state": {
            "unreadCount": 0, "lastSeenAt": None, "lastMessageAt": None, "isActive": True}}
        self._publish(tenant, "dialog.member.add", user_id, dialog["createdBy"],
                      dialog=_public(dialog), member=dialog["_members"][user_id])
        return True

    def create_dialog(self, tenant, body, _query):
        if not body.get("name") or not body.get("createdBy"):
            raise Fail(400, "validation_error", "name and createdBy are required")
        dialog_id, _ = self._next_id("dlg")
        dialog = {"dialogId": dialog_id, "tenantId": tenant, "name": body["name"],
                  "createdBy": body["createdBy"], "meta": body.get("meta") or {},
                  "createdAt": now_ms(), "updatedAt": now_ms(), "_members": {}}
        self.dialogs[(tenant, dialog_id)] = dialog
        for member in body.get("members") or []:
            self._ensure_member(tenant, dialog, member)
        return self._created("dialogId", _public(dialog))

    def get_dialog(self, tenant, _body, _query, dialog_id):
        return 200, {"data": _public(self._dialog(tenant, dialog_id))}

    def list_members(self, tenant, _body, _query, dialog_id):
        return 200, {"data": list(self._dialog(tenant, dialog_id)["_members"].values())}

    def add_member(self, tenant, body, _query, dialog_id):
        if not body.get("userId"):
            raise Fail(400, "validation_error", "userId is required")
        added = self._ensure_member(tenant, self._dialog(tenant, dialog_id), body)
        return (201 if added else 200), {"data": {"dialogId": dialog_id,
                                                  "userId": body["userId"]}}

    def remove_member(self, tenant, _body, _query, dialog_id, user_id):
        if self._dialog(tenant, dialog_id)["_members"].pop(user_id, None) is None:
            raise Fail(404, "not_found", f"{user_id} is not a member")
        return 200, {"data": {"dialogId": dialog_id, "userId": user_id}}

    def post_message(self, tenant, body, _query, dialog_id):
        dialog = self._dialog(tenant, dialog_id)
        if not body.get("senderId") or not isinstance(body.get("content"), str):
            raise Fail(400, "validation_error", "senderId and content are required")
        message_id, seq = self._next_id("msg")
        sender = self.users.get((tenant, body["senderId"])) or {}
        message = {"messageId": message_id, "dialogId": dialog_id,
                   "senderId": body["senderId"], "type": body.get("type", "internal.text"),
                   "content": body["content"], "meta": body.get("meta") or {},
                   "statuses": [], "reactionCounts": {}, "createdAt": now_ms(), "_seq": seq,
                   "_reactions": set()}
        self.messages[(tenant, message_id)] = message
        self._publish(tenant, "message.create", message_id, body["senderId"],
                      dialog=_public(dialog), message={**_public(message), "senderInfo": {
                          "userId": body["senderId"], "name": sender.get("name"), "meta": {}}})
        return self._created("messageId", _public(message))

    def list_messages(self, tenant, _body, query, dialog_id):
        self._dialog(tenant, dialog_id)
        page = int(query.get("page", ["1"])[0])
        limit = int(query.get("limit", ["20"])[0])
        if page < 1 or not 1 <= limit <= 100:
            raise Fail(400, "validation_error", "page from 1, limit 1..100")
        try:
            field, descending = sort_order(query.get("sort", [""])[0])
            rows = matching((m for (t, _), m in self.messages.items()
                             if t == tenant and m["dialogId"] == dialog_id),
                            query.get("filter", [""])[0])
        except QueryError as exc:
            raise Fail(400, "validation_error", str(exc)) from None
        rows.sort(key=lambda m: (m.get(field) or 0, m["_seq"]), reverse=descending)
        total = len(rows)
        chunk = rows[(page - 1) * limit: page * limit]
        return 200, {"data": [_public(m) for m in chunk], "pagination": {
            "page": page, "limit": limit, "total": total, "pages": -(-total // limit)}}

    def get_message(self, tenant, _body, _query, message_id):
        message = self.messages.get((tenant, message_id))
        if message is None:
            raise Fail(404, "not_found", f"message {message_id} not found")
        return 200, {"data": _public(message)}

    def update_message(self, tenant, body, _query, message_id):
        message = self.messages.get((tenant, message_id))
        if message is None:
            raise Fail(404, "not_found", f"message {message_id} not found")
        if not isinstance(body.get("content"), str):
            raise Fail(400, "validation_error", "content is required")
        message.update(content=body["content"], editedAt=now_ms())
        return 200, {"data": _public(message)}

    def set_status(self, tenant, _body, _query, user_id, dialog_id, message_id, status):
        message = self.get_message(tenant, None, None, message_id)[1]["data"]
        update = {"userId": user_id, "status": status, "createdAt": now_ms(),
                  "readAt": now_ms() if status == "read" else None}
        self.messages[(tenant, message_id)]["statuses"].append(update)
        self._publish(tenant, "message.status.update", message_id, user_id,
                      message=message, statusUpdate=update)
        return 200, {"data": update}

    def set_reaction(self, tenant, body, _query, user_id, dialog_id, message_id, action):
        message = self.messages.get((tenant, message_id))
        if message is None or not body.get("reaction"):
            raise Fail(404 if message is None else 400, "invalid", "message and reaction")
        mine, counts = message["_reactions"], message["reactionCounts"]
        pair = (user_id, body["reaction"])
        if (action == "set") != (pair in mine):  # only a real change moves the count
            (mine.add if action == "set" else mine.discard)(pair)
            counts[pair[1]] = counts.get(pair[1], 0) + (1 if action == "set" else -1)
            if counts[pair[1]] <= 0:
                del counts[pair[1]]
        return 200, {"data": {"reactionCounts": counts}}

    def typing(self, tenant, _body, _query, dialog_id, user_id):
        self._dialog(tenant, dialog_id)  # 404 for an unknown dialog; typing is not stored
        return 200, {"data": {"dialogId": dialog_id, "userId": user_id, "isTyping": True}}


def _public(entity):
    return {k: v for k, v in entity.items() if not k.startswith("_")}


_ID = r"([^/]+)"
ROUTES = [
    ("POST", r"/users", Mms3Endpoints.create_user),
    ("GET", rf"/users/{_ID}", Mms3Endpoints.get_user),
    ("PUT", rf"/users/{_ID}", Mms3Endpoints.update_user),
    ("POST", r"/dialogs", Mms3Endpoints.create_dialog),
    ("GET", rf"/dialogs/{_ID}", Mms3Endpoints.get_dialog),
    ("GET", rf"/dialogs/{_ID}/members", Mms3Endpoints.list_members),
    ("POST", rf"/dialogs/{_ID}/members/add", Mms3Endpoints.add_member),
    ("POST", rf"/dialogs/{_ID}/members/{_ID}/remove", Mms3Endpoints.remove_member),
    ("POST", rf"/dialogs/{_ID}/messages", Mms3Endpoints.post_message),
    ("GET", rf"/dialogs/{_ID}/messages", Mms3Endpoints.list_messages),
    ("GET", rf"/messages/{_ID}", Mms3Endpoints.get_message),
    ("PUT", rf"/messages/{_ID}", Mms3Endpoints.update_message),
    ("POST", rf"/users/{_ID}/dialogs/{_ID}/messages/{_ID}/status/(unread|delivered|read)",
     Mms3Endpoints.set_status),
    ("POST", rf"/users/{_ID}/dialogs/{_ID}/messages/{_ID}/reactions/(set|unset)",
     Mms3Endpoints.set_reaction),
    ("POST", rf"/dialogs/{_ID}/member/{_ID}/typing", Mms3Endpoints.typing),
]
