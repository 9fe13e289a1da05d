"""The business's bot in customer dialogs: greets a new dialog and acts on customer messages
by the rules of rules.py (auto-reply, away reply, inviting the team on a keyword or a
request for a person). It runs from the message listener, once per message."""

from flask_babel import gettext

from app import clock
from app.bot import rules
from app.businesses import bot_settings
from app.conversations import dialogs, messages
from app.lib import event_log
from app.live import bus
from app.models import BusinessMember, Conversation, User
from app.notifications import push

CLAIM_HOURS = 48


def settings_for(business_id):
    found = bot_settings.settings_of(business_id)
    return rules.BotSettings(
        greeting=found.greeting, auto_reply_enabled=bool(found.auto_reply_enabled),
        auto_reply_message=found.auto_reply_message,
        keywords=tuple(found.invite_owner_on_keywords or ()),
        business_hours=found.business_hours, human_quiet_minutes=found.human_quiet_minutes)


def greet(conversation, business):
    """The greeting, posted once per dialog however many times it is started."""
    if conversation.greeted or not Conversation.objects(
            id=conversation.id, greeted=False).update_one(set__greeted=True):
        return
    for reply in rules.greeting(settings_for(business.id)):
        messages.post_as_bot(conversation, business, reply.text, reply.reason)


def respond(before, business, message_id, text, at):
    """Act on a customer's message; `before` is the conversation as it was before it."""
    key = f"bot:{message_id}"
    if not event_log.claim(key, CLAIM_HOURS):
        return  # handled already (an event delivered twice)
    state = rules.DialogState(
        greeted=before.greeted, customer_messages=before.customer_messages,
        last_human_reply_at=before.last_human_reply_at, escalated=before.escalated)
    incoming = rules.Incoming(sender_kind="customer", text=text, at=at)
    try:
        for action in rules.decide(settings_for(business.id), state, incoming):
            if isinstance(action, rules.Reply):
                messages.post_as_bot(before, business, action.text, action.reason)
            else:
                invite_team(before, business, action)
    except Exception:
        # The event is delivered again (the messaging service was down): answer it then.
        event_log.release(key)
        raise


def invite_team(conversation, business, action):
    """Add the owner and the on-duty operators to the dialog and tell them, once per dialog."""
    if not Conversation.objects(id=conversation.id, escalated=False).update_one(
            set__escalated=True):
        return
    members = BusinessMember.objects(__raw__={
        "businessId": business.id, "isActive": True, "userId": {"$ne": None},
        "$or": [{"role": "owner"}, {"onDuty": True}]})
    people = User.objects(id__in=[m.user_id for m in members], is_active=True)
    for person in people:
        dialogs.join(conversation, person)
        bus.publish(f"user:{person.id}", "invited", {
            "dialogId": conversation.id, "businessId": business.id,
            "businessName": business.name, "reason": action.reason, "matched": action.matched,
            "at": clock.isoformat(clock.now())})
    push.team_invited(conversation, [person.id for person in people])
    messages.post_as_bot(
        conversation, business,
        gettext("I have called the team; someone will answer you here soon."), "handoff")
