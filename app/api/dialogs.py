"""Dialogs between customers and businesses (the plan's endpoints): start one, list mine or a
business's inbox, read and post messages, mark read, archive, take a dialog."""

from typing import Annotated, Literal

from flask import Blueprint, request
from pydantic import Field

from app.api.guard import login_required, me, visitor_required
from app.api.presenters import user_public
from app.api.responses import ok, paginated, responds
from app.api.validation import Body, Paging, Query, body, query
from app.businesses import businesses
from app.businesses.permissions import get_business
from app.clock import isoformat
from app.conversations import dialogs, inbox_team, messages
from app.live import bus
from app.models import Business

bp = Blueprint("dialogs", __name__)


class MineQuery(Paging):
    archived: bool = False


class InboxQuery(Paging):
    archived: bool = False
    unread: bool = False
    assigned: Literal["me"] | None = None


class MessagesQuery(Query):
    limit: Annotated[int, Field(ge=1, le=100)] = 30
    cursor: Annotated[str, Field(max_length=200)] | None = None


class NewMessage(Body):
    text: Annotated[str, Field(min_length=1, max_length=messages.TEXT_MAX)]
    # The widget's id of a message typed offline: a resend is answered, not posted twice.
    clientId: Annotated[str, Field(min_length=1, max_length=64,
                                   pattern=r"^[A-Za-z0-9_-]+$")] | None = None


class Archive(Body):
    archived: bool = True


class Duty(Body):
    onDuty: bool  # noqa: N815 - the API's name


class Assign(Body):
    # A colleague who may reply (owners and managers hand dialogs out); empty: myself.
    assigneeId: Annotated[str, Field(min_length=1, max_length=64)] | None = None  # noqa: N815


def dialog_view(conversation, user, business=None, customer=None):
    business = business or Business.objects.get(id=conversation.business_id)
    last = conversation.last_message or None
    return {
        "id": conversation.id,
        "business": {"id": business.id, "name": business.name, "slug": business.slug},
        "customer": customer_view(customer) if customer else {"id": conversation.customer_id},
        "status": conversation.status,
        "archived": dialogs.archived_for(user, conversation),
        "assignedTo": conversation.assigned_to,
        "unreadCount": dialogs.unread_for(user, conversation),
        "lastMessage": last and {**last, "at": isoformat(last.get("at"))},
        "lastMessageAt": isoformat(conversation.last_message_at),
        "createdAt": isoformat(conversation.created_at),
    }


def customer_view(customer):
    if getattr(customer, "is_guest", False):
        return {"id": customer.id, "name": customer.name, "guest": True}
    return user_public(customer)


def _views(rows, user):
    """Shapes a page of conversations with three lookups in all (businesses, customers)."""
    found = {b.id: b for b in Business.objects(id__in={c.business_id for c in rows})}
    people = dialogs.people(c.customer_id for c in rows)
    return [dialog_view(c, user, found[c.business_id], people.get(c.customer_id))
            for c in rows if c.business_id in found]


@bp.post("/businesses/<id(biz):business_id>/start-dialog")
@visitor_required
def start_dialog(business_id):
    """Open my dialog with a business (the same one every time); the bot greets a new one.
    Also for a chat widget's guest, with its business only."""
    business = businesses.public(business_id)
    conversation = dialogs.start(business, me(), ip=request.remote_addr)
    return ok(dialog_view(conversation, me(), business, me()))


@bp.get("/dialogs")
@login_required
@query(MineQuery)
def my_dialogs(params):
    """My dialogs with businesses, the latest first, with my unread counts."""
    rows, total = dialogs.of_customer(me(), params.archived, params.page, params.limit)
    return paginated(_views(rows, me()), params.page, params.limit, total)


@bp.put("/businesses/<id(biz):business_id>/duty")
@login_required
@body(Duty)
def duty(data, business_id):
    """Go on or off duty in the business's inbox (needs canReply): the bot calls those on
    duty, and they are pushed the customers' messages."""
    member = inbox_team.set_on_duty(get_business(business_id), me(), data.onDuty)
    return ok({"onDuty": bool(member.on_duty)})


@bp.get("/businesses/<id(biz):business_id>/dialogs")
@login_required
@query(InboxQuery)
def business_dialogs(params, business_id):
    """The business's inbox (its team): filters unread, archived, assigned=me."""
    business = get_business(business_id)
    rows, total = dialogs.of_business(
        business, me(), {"archived": params.archived, "unread": params.unread,
                         "assigned": params.assigned}, params.page, params.limit)
    return paginated(_views(rows, me()), params.page, params.limit, total)


@bp.get("/dialogs/<dialog_id>")
@visitor_required
def get_dialog(dialog_id):
    conversation = dialogs.visible(me(), dialog_id)
    return ok(_views([conversation], me())[0])


@bp.get("/dialogs/<dialog_id>/messages")
@visitor_required
@query(MessagesQuery)
def list_messages(params, dialog_id):
    """A page of messages, newest first; pass `nextCursor` back as `cursor` for older ones.
    The newest page also gives `liveCursor`: open the dialog's stream with it as
    `Last-Event-ID`, and no message written after this page was read is missed."""
    live_cursor = bus.cursor() if params.cursor is None else None
    items, next_cursor = messages.page(me(), dialog_id, params.cursor, params.limit)
    return ok({"items": items, "nextCursor": next_cursor,
               **({"liveCursor": live_cursor} if params.cursor is None else {})})


@bp.post("/dialogs/<dialog_id>/messages")
@responds(201, 200)
@visitor_required
@body(NewMessage)
def post_message(data, dialog_id):
    """Write to the dialog: its customer, or the team with canReply. With `clientId`, a
    resend answers 200 with the message posted before (`duplicate: true`)."""
    message = messages.post_message(me(), dialog_id, data.text, data.clientId)
    return ok(message, status=200 if message.get("duplicate") else 201)


@bp.post("/dialogs/<dialog_id>/typing")
@visitor_required
def typing(dialog_id):
    """I am typing: the dialog's open pages show it for a few seconds."""
    messages.send_typing(me(), dialog_id)
    return ok({"typing": True})


@bp.patch("/dialogs/<dialog_id>/read")
@visitor_required
def mark_read(dialog_id):
    return ok(_views([dialogs.mark_read(me(), dialog_id)], me())[0])


@bp.patch("/dialogs/<dialog_id>/unread")
@login_required
def mark_unread(dialog_id):
    """The team's "mark unread"."""
    return ok(_views([dialogs.mark_unread(me(), dialog_id)], me())[0])


@bp.put("/dialogs/<dialog_id>/archive")
@login_required
@body(Archive)
def archive(data, dialog_id):
    """Archive (or, with archived=false, restore); a new customer message re-opens it."""
    return ok(_views([dialogs.set_archived(me(), dialog_id, data.archived)], me())[0])


@bp.put("/dialogs/<dialog_id>/assign")
@login_required
@body(Assign)
def assign(data, dialog_id):
    """Take the dialog (assigned to me, and I join it), or, as the owner or a manager, give
    it to a colleague who may reply; they are told by push."""
    return ok(_views([dialogs.assign(me(), dialog_id, data.assigneeId)], me())[0])
