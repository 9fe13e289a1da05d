"""Who hears what: every listener of a domain event (app/events.py) and every handler of the
messaging service's events (app/messaging/events.py), in the order they run. This file is the
one place to read to follow an event; the factory subscribes them all on the app's buses."""

from app import events
from app.bot import responder
from app.channels import members as channel_members
from app.conversations import dialogs, messages
from app.lib.event_bus import EventBus
from app.messaging import events as chat_events
from app.messaging import provisioning
from app.messaging.events import Dispatcher
from app.notifications import invitation_sms, live_updates, push

# The messaging service's events (in-process with the embedded adapter, from RabbitMQ through
# `flask events consume` with mms3), each turned into a change of our own by one action.
MESSAGING = {
    chat_events.MESSAGE_CREATE: [messages.record_message],
    chat_events.MESSAGE_STATUS_UPDATE: [dialogs.record_read],
}

DOMAIN = {
    # accounts
    events.UserRegistered: [provisioning.user_registered],  # the chat user
    # businesses
    events.BusinessCreated: [provisioning.business_created],  # the bot and the channel dialog
    events.BusinessRenamed: [provisioning.business_renamed],  # they carry the name
    # the invitee is told: an SMS to a phone without an account, else a push (and the site)
    events.MemberInvited: [invitation_sms.member_invited, push.member_invited],
    events.SubscriptionChanged: [channel_members.subscription_changed],
    # conversations
    events.DialogStarted: [responder.dialog_started],  # the greeting
    events.MessageRecorded: [live_updates.message_recorded, push.message_recorded,
                             responder.message_recorded],
    events.DialogAssigned: [live_updates.dialog_assigned, push.dialog_assigned],
    events.DialogRead: [live_updates.dialog_read],
    events.Typing: [live_updates.typing],
    # the bot
    events.TeamCalled: [live_updates.team_called, push.team_called],
    # channels
    events.PostPublished: [live_updates.post_published, push.post_published],
    events.PostEdited: [live_updates.post_edited],
    events.PostDeleted: [live_updates.post_deleted],
    events.ReactionsChanged: [live_updates.reactions_changed],
    events.CommentAdded: [live_updates.comment_added],
    events.CommentDeleted: [live_updates.comment_deleted],
}


def subscribe_all(bus: EventBus, dispatcher: Dispatcher) -> None:
    for event_type, handlers in MESSAGING.items():
        for handler in handlers:
            dispatcher.subscribe(event_type, handler)
    for event, listeners in DOMAIN.items():
        for listener in listeners:
            bus.subscribe(event, listener)
