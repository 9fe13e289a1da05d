"""The business's bot in customer dialogs: greets a dialog once it is started, and acts on each
customer message by the rules of rules.py (auto-reply, away reply, calling the team on a
keyword or a request for a person). It listens to DialogStarted and MessageRecorded, and
handles a message once however often it is delivered."""

from flask_babel import gettext

from app import clock
from app.bot import rules
from app.businesses import bot_settings
from app.conversations import dialogs, messages
from app.events import DialogStarted, MessageRecorded, TeamCalled
from app.lib import event_bus, event_log
from app.models import Business, BusinessMember, Conversation, SenderKind, User

CLAIM_HOURS = 48


def settings_for(business_id: str) -> rules.BotSettings:
    found = bot_settings.settings_of(business_id)
    return rules.BotSettings(
        greeting=found.greeting, auto_reply_enabled=bool(found.auto_reply_enabled),
        auto_reply_message=found.auto_reply_message,
        keywords=tuple(found.invite_owner_on_keywords or ()),
        business_hours=found.business_hours, human_quiet_minutes=found.human_quiet_minutes)


def dialog_started(event: DialogStarted) -> None:
    """The greeting, posted once per dialog however many times it is started."""
    conversation, business = event.conversation, event.business
    if conversation.greeted or not Conversation.objects(
            id=conversation.id, greeted=False).update_one(set__greeted=True):
        return
    for reply in rules.greeting(settings_for(business.id)):
        messages.post_bot_message(conversation, business, reply.text, reply.reason)


def message_recorded(event: MessageRecorded) -> None:
    """Act on a customer's message (not on a guest's earlier message copied into the
    account's dialog); `event.conversation` is the dialog as it was before it."""
    if event.kind is not SenderKind.CUSTOMER or event.copied:
        return
    key = f"bot:{event.message['id']}"
    if not event_log.claim(key, CLAIM_HOURS):
        return  # handled already (an event delivered twice)
    before, business = event.conversation, event.business
    state = rules.DialogState(
        greeted=before.greeted, customer_messages=before.customer_messages,
        last_human_reply_at=before.last_human_reply_at, escalated=before.escalated)
    incoming = rules.Incoming(sender_kind=SenderKind.CUSTOMER.value, text=event.message["text"],
                              at=event.at)
    try:
        for action in rules.decide(settings_for(business.id), state, incoming):
            if isinstance(action, rules.Reply):
                messages.post_bot_message(before, business, action.text, action.reason)
            else:
                call_team(before, business, action)
    except Exception:
        # The event is delivered again (the messaging service was down): answer it then.
        event_log.release(key)
        raise


def call_team(conversation: Conversation, business: Business,
              action: rules.InviteTeam) -> None:
    """Add the owner and the on-duty operators to the dialog (TeamCalled tells them), once
    per dialog, and say so to the customer."""
    if not Conversation.objects(id=conversation.id, escalated=False).update_one(
            set__escalated=True):
        return
    members = BusinessMember.objects(__raw__={
        "businessId": business.id, "isActive": True, "userId": {"$ne": None},
        "$or": [{"role": "owner"}, {"onDuty": True}]})
    people = list(User.objects(id__in=[m.user_id for m in members], is_active=True))
    for person in people:
        dialogs.join(conversation, person)
    event_bus.publish(TeamCalled(
        conversation=conversation, business=business,
        user_ids=tuple(person.id for person in people), reason=action.reason,
        matched=action.matched, at=clock.now()))
    messages.post_bot_message(
        conversation, business,
        gettext("I have called the team; someone will answer you here soon."), "handoff")
