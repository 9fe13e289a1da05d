"""Customer↔business dialogs (the `conversations` collection): starting one (one per customer
and business, also when two requests race), who may see and answer it, listings for the
customer and the team, reading, archiving and taking a dialog. Messages are in messages.py."""

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _
from mongoengine import NotUniqueError

from app import clock, db
from app.businesses import customer_blocks
from app.businesses.permissions import effective, is_lead, membership, require_member
from app.conversations import widget_sessions
from app.errors import AppError, Conflict, Forbidden, NotFound
from app.events import DialogAssigned, DialogRead, DialogStarted
from app.lib import event_bus
from app.messaging import events, provisioning, shapes
from app.messaging.runtime import gateway
from app.models import Business, BusinessMember, Conversation, Guest, SenderKind, User

_LEASE = timedelta(seconds=15)  # how long one request may take to create the dialog
_WAIT_SECONDS = 5.0  # how long a racing request waits for the winner's dialog


def _not_found():
    return NotFound("dialog_not_found", _("No such dialog."))


# --- starting ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Side:
    """Where a person stands in a dialog: its customer, or on the business's team (`member`:
    their membership)."""

    kind: SenderKind  # CUSTOMER or TEAM
    member: BusinessMember | None = None

    @property
    def answers(self) -> bool:
        """The customer and team members with canReply write, and read for their side."""
        return self.kind is SenderKind.CUSTOMER or effective(self.member)["canReply"]


def start(business: Business, customer: User | Guest, ip: str | None = None) -> Conversation:
    """The customer's conversation with the business, created the first time (DialogStarted:
    the bot greets it). Calling again returns the same one, re-opened for the customer if
    they had archived it. A widget guest reaches only the business of its widget, and new
    guest dialogs are limited per IP."""
    if getattr(customer, "is_guest", False):
        widget_sessions.require_business(customer, business)
        if not Conversation.objects(business_id=business.id, customer_id=customer.id).count():
            widget_sessions.check_new_dialog_rate(ip)
    elif membership(business.id, customer.id) is not None:
        raise Conflict("own_business", _("You are on this business's team."))
    customer_blocks.check(business.id, customer.id)
    try:
        conversation = Conversation(business_id=business.id, customer_id=customer.id,
                                    unread={customer.id: 0}).save(force_insert=True)
    except NotUniqueError:  # started before, or by a racing request just now
        conversation = Conversation.objects.get(business_id=business.id,
                                                customer_id=customer.id)
    if conversation.customer_archived:
        Conversation.objects(id=conversation.id).update_one(set__customer_archived=False)
    conversation = ensure_dialog(conversation, business, customer)
    event_bus.publish(DialogStarted(conversation=conversation, business=business))
    return conversation.reload()


def ensure_dialog(conversation: Conversation, business: Business | None = None,
                  customer: User | Guest | None = None) -> Conversation:
    """The conversation with its dialog in the messaging service. One request holds a lease
    while it creates the dialog; others wait for it, and take over if it expired."""
    deadline = time.monotonic() + _WAIT_SECONDS
    while conversation.chat_dialog_id is None:
        now = clock.now()
        leased = Conversation.objects(__raw__={
            "_id": conversation.id, "mms3DialogId": None,
            "$or": [{"creatingUntil": None}, {"creatingUntil": {"$lt": now}}]}) \
            .update_one(set__creating_until=now + _LEASE)
        if leased:
            _create_dialog(conversation, business, customer)
        elif time.monotonic() > deadline:
            raise AppError("messaging_busy", _("The dialog is being created. Try again."),
                           status=503, headers={"Retry-After": "2"})
        else:
            time.sleep(0.05)
        conversation.reload()
    return conversation


def _create_dialog(conversation, business, customer):
    business = business or Business.objects.get(id=conversation.business_id)
    customer = customer or User.objects(id=conversation.customer_id).first() \
        or Guest.objects.get(id=conversation.customer_id)
    try:
        provisioning.ensure_user(customer)
        bot_id = provisioning.bot_id(business.id)
        if business.chat_bot_id is None:
            provisioning.ensure_business(business)
        dialog = gateway().create_dialog(
            business.name, customer.id,
            members=[{"userId": customer.id, "type": "user",
                      "name": provisioning.chat_name(customer)},
                     {"userId": bot_id, "type": "bot", "name": business.name}],
            meta={"type": provisioning.CLIENT_TYPE, "businessId": business.id,
                  "clientId": customer.id, "conversationId": conversation.id},
            idempotency_key=f"dialog-{conversation.id}")
    except Exception:
        Conversation.objects(id=conversation.id).update_one(unset__creating_until=True)
        raise
    Conversation.objects(id=conversation.id).update_one(
        set__chat_dialog_id=dialog["dialogId"], unset__creating_until=True)


# --- who may see and answer ------------------------------------------------------------------

def side_of(user: User | Guest | None, conversation: Conversation) -> Side | None:
    """The person's side in the dialog, or None when they are neither its customer nor on the
    business's team."""
    if user is None:
        return None
    if user.id == conversation.customer_id:
        return Side(SenderKind.CUSTOMER)
    member = membership(conversation.business_id, user.id)
    return Side(SenderKind.TEAM, member) if member is not None else None


def _found(user, conversation_id):
    """(conversation, side) if the user is its customer or on the business's team; 404
    otherwise (no hint that it exists)."""
    conversation = db.reread_on_miss(lambda: Conversation.objects(id=conversation_id).first()) \
        if isinstance(conversation_id, str) else None
    side = side_of(user, conversation) if conversation else None
    if side is None:
        raise _not_found()
    return conversation, side


def visible(user: User | Guest | None, conversation_id: str) -> Conversation:
    return _found(user, conversation_id)[0]


def can_view(user: User | Guest | None, conversation_id: str) -> bool:
    try:
        visible(user, conversation_id)
    except NotFound:
        return False
    return True


def check_can_post(user: User | Guest, conversation_id: str) -> tuple[Conversation, Side]:
    """(conversation, side) for someone about to write in it: its customer, or a team member
    with canReply; 404 or 403 otherwise. One lookup of the caller's side."""
    conversation, side = _found(user, conversation_id)
    _require_answers(side)
    return conversation, side


def _require_answers(side):
    if not side.answers:
        raise Forbidden("forbidden", _("Your role in this business does not allow this."),
                        details={"permission": "canReply"})


def _require_team(side):
    if side.kind is not SenderKind.TEAM:
        raise Forbidden("forbidden", _("Only the business's team can do this."))


# --- listings --------------------------------------------------------------------------------

def of_customer(user: User, archived: bool, page: int,
                limit: int) -> tuple[list[Conversation], int]:
    query = Conversation.objects(customer_id=user.id, customer_archived=archived,
                                 last_message_at__ne=None).order_by("-last_message_at")
    return list(query.skip((page - 1) * limit).limit(limit)), query.count()


def of_business(business: Business, user: User, filters: dict, page: int,
                limit: int) -> tuple[list[Conversation], int]:
    """The team's inbox. Filters: archived (bool), unread (bool), assigned ("me")."""
    require_member(business, user)
    query = Conversation.objects(business_id=business.id,
                                 status="archived" if filters.get("archived") else "open")
    if filters.get("unread"):
        query = query.filter(team_unread__gt=0)
    if filters.get("assigned") == "me":
        query = query.filter(assigned_to=user.id)
    query = query.order_by("-last_message_at")
    return list(query.skip((page - 1) * limit).limit(limit)), query.count()


def people(ids: Iterable[str | None]) -> dict[str, User | Guest]:
    """{id: User or Guest} of the people behind `ids` (customers may be widget guests), in
    two queries at most."""
    ids = set(ids) - {None}
    found = {u.id: u for u in User.objects(id__in=ids)}
    if ids - set(found):
        found.update({g.id: g for g in Guest.objects(id__in=ids - set(found))})
    return found


def archived_for(user: User | Guest, conversation: Conversation) -> bool:
    """The customer and the team archive apart: each sees their own."""
    if user.id == conversation.customer_id:
        return bool(conversation.customer_archived)
    return conversation.status == "archived"


def unread_for(user: User | Guest, conversation: Conversation) -> int:
    if user.id == conversation.customer_id:
        return int((conversation.unread or {}).get(user.id, 0))
    return conversation.team_unread


# --- reading, archiving, taking ----------------------------------------------------------------

def mark_read(user: User | Guest, conversation_id: str) -> Conversation:
    """My unread count goes to 0. Those who answer (the customer, team members with
    canReply) also clear the team's badge and send the read receipt; a viewer only reads."""
    conversation, side = _found(user, conversation_id)
    sets = {f"unread.{user.id}": 0}
    if side.kind is SenderKind.TEAM and side.answers:
        sets["teamUnread"] = 0
    Conversation._get_collection().update_one({"_id": conversation.id}, {"$set": sets})
    last = (conversation.last_message or {}).get("id") if side.answers else None
    if last and conversation.chat_dialog_id and (side.kind is SenderKind.CUSTOMER
                                                 or user.id in conversation.participants):
        # Read receipts: the messaging service tells the other side through its event
        # (record_read below).
        gateway().set_status(user.id, conversation.chat_dialog_id, last, "read")
    elif last and side.kind is SenderKind.TEAM:
        # A team member who has not joined the dialog is no member in the messaging service;
        # the customer still learns that the business read it.
        event_bus.publish(DialogRead(conversation_id=conversation.id, user_id=user.id,
                                     message_id=last, read_at=clock.now()))
    return conversation.reload()


def record_read(event: dict) -> None:
    """The messaging service's `message.status.update`: someone read a customer dialog. Their
    unread count goes to 0, and DialogRead tells the other side (the read receipt)."""
    update = (event.get("data") or {}).get("statusUpdate") or {}
    chat_dialog_id = events.chat_dialog_id_of(event, "statusUpdate")
    if update.get("status") != "read" or not chat_dialog_id or not update.get("userId"):
        return
    conversation = Conversation.objects(chat_dialog_id=chat_dialog_id).first()
    if conversation is None:
        return
    Conversation._get_collection().update_one(
        {"_id": conversation.id}, {"$set": {f"unread.{update['userId']}": 0}})
    read_at = update.get("readAt") or update.get("createdAt")
    event_bus.publish(DialogRead(
        conversation_id=conversation.id, user_id=update["userId"],
        message_id=update.get("messageId") or (event["data"].get("message") or {})
        .get("messageId"),
        read_at=shapes.from_ms(read_at) if isinstance(read_at, int | float) else None))


def mark_unread(user: User, conversation_id: str) -> Conversation:
    """The inbox's "mark unread": the team badge shows at least 1 again (any team member may
    flag a dialog for those who answer)."""
    conversation, side = _found(user, conversation_id)
    _require_team(side)
    Conversation._get_collection().update_one(
        {"_id": conversation.id}, {"$max": {"teamUnread": 1}})
    return conversation.reload()


def set_archived(user: User, conversation_id: str, archived: bool) -> Conversation:
    """The team archives the dialog in its inbox (needs canReply); a customer archives it in
    their own list only. A new customer message re-opens both."""
    conversation, side = _found(user, conversation_id)
    _require_answers(side)
    if side.kind is SenderKind.TEAM:
        Conversation.objects(id=conversation.id).update_one(
            set__status="archived" if archived else "open")
    else:
        Conversation.objects(id=conversation.id).update_one(set__customer_archived=archived)
    return conversation.reload()


def assign(user: User, conversation_id: str, assignee_id: str | None = None) -> Conversation:
    """Give the dialog to a team member, who joins it: "take the dialog" (the caller, who
    needs canReply), or hand it to a colleague who may reply (an owner's or a manager's
    call). DialogAssigned tells the assignee."""
    conversation, side = _found(user, conversation_id)
    _require_team(side)
    _require_answers(side)
    assignee = user
    if assignee_id is not None and assignee_id != user.id:
        if not is_lead(side.member):
            raise Forbidden("forbidden", _("Only the owner or a manager can do this."),
                            details={"role": "manager"})
        assignee = _replier(conversation.business_id, assignee_id)
    join(conversation, assignee)
    Conversation.objects(id=conversation.id).update_one(set__assigned_to=assignee.id)
    before, conversation = conversation.assigned_to, conversation.reload()
    if before != assignee.id:
        event_bus.publish(DialogAssigned(conversation=conversation, assignee_id=assignee.id,
                                         by_id=user.id, at=clock.now()))
    return conversation


def _replier(business_id, user_id):
    """The active team member `user_id` who may reply; 422 for anyone else."""
    member = membership(business_id, user_id) if isinstance(user_id, str) else None
    person = member and User.objects(id=member.user_id, is_active=True).first()
    if person is None or not effective(member)["canReply"]:
        raise AppError("validation_error", _("Choose a team member who may reply."), status=422,
                       details={"fields": [{"field": "assigneeId", "type": "assignee",
                                            "message": "not a team member who may reply"}]})
    return person


def join(conversation: Conversation, user: User) -> None:
    """Make a team member a participant of the dialog (idempotent)."""
    if user.id in conversation.participants:
        return
    conversation = ensure_dialog(conversation)
    gateway().add_member(conversation.chat_dialog_id, user.id, "user",
                         provisioning.chat_name(user))
    Conversation.objects(id=conversation.id).update_one(add_to_set__participants=user.id)
    Conversation._get_collection().update_one(
        {"_id": conversation.id, f"unread.{user.id}": None}, {"$set": {f"unread.{user.id}": 0}})
    conversation.participants.append(user.id)
