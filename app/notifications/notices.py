"""Who gets which push notification, run by the push jobs (tasks/push.py): each function
finds the recipients' subscriptions that want the kind of news, shapes the payload the
service worker shows ({title, body, url, tag}) and enqueues `push.deliver` for them.

The team hears of a customer's message, the bot's call and an assignment while on duty
(the inbox's switch), never about a dialog one of their devices has open; a tap opens the
dialog in the cabinet. A person's cabinet devices (the cabinet's own app) get the team's
news and their site devices the customer's, each falling back to the other kind when the
person has none of it, so one phone does not buzz twice.

The words we add (an invitation's) are in each device's language, the site's language in
that browser when it was registered; a business's name and a message are as written.
"""

import re

from flask import current_app
from flask_babel import force_locale, gettext

from app.conversations import inbox_team
from app.lib import jobs
from app.live import presence
from app.messaging import provisioning
from app.models import (
    Business,
    BusinessMember,
    ChannelPost,
    Conversation,
    PushToken,
    Subscription,
    User,
)

PREVIEW = 120  # characters of a message or post shown in a notification


def preview(text: str | None, limit: int = PREVIEW) -> str:
    """One line of at most `limit` characters, cut at a word with an ellipsis when longer."""
    flat = re.sub(r"\s+", " ", text or "").strip()
    if len(flat) <= limit:
        return flat
    cut = flat[:limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,.;:—-") + "…"


def _subscriptions(user_ids, preference, app="site"):
    """{user id: [subscription ids]} of active, unblocked people whose devices want
    `preference` (a missing preference counts as on, as the model's default): their devices
    of `app` ("site" or "cabinet"), or all of them when they have none of that kind."""
    user_ids = list(dict.fromkeys(u for u in user_ids if u))
    if not user_ids:
        return {}
    active = {row["_id"] for row in User._get_collection().find(
        {"_id": {"$in": user_ids}, "isActive": {"$ne": False}, "isBlocked": {"$ne": True}},
        {"_id": 1})}
    rows = {}
    for row in PushToken._get_collection().find(
            {"userId": {"$in": list(active)}, f"preferences.{preference}": {"$ne": False}},
            {"_id": 1, "userId": 1, "app": 1}):
        rows.setdefault(row["userId"], []).append(row)
    found = {}
    for user_id, devices in rows.items():
        preferred = [d["_id"] for d in devices if (d.get("app") or "site") == app]
        found[user_id] = preferred or [d["_id"] for d in devices]
    return found


def _on_duty(conversation):
    """The team members to tell of a dialog's news: its assignee if they are on duty, else
    every on-duty member who may reply."""
    repliers = inbox_team.on_duty(conversation.business_id)
    if conversation.assigned_to in repliers:
        return [conversation.assigned_to]
    return repliers


def _not_watching(user_ids, conversation):
    """Those of `user_ids` with no device showing the dialog right now."""
    watching = presence.connected(user_ids, dialog_id=conversation.id)
    return [u for u in user_ids if u not in watching]


def _devices(found):
    return [i for ids in found.values() for i in ids]


def _team(business_id, user_ids):
    """Those of `user_ids` still on the business's team: someone who left keeps their place
    in old dialogs, but not the business's news."""
    if not user_ids:
        return []
    current = {row["userId"] for row in BusinessMember._get_collection().find(
        {"businessId": business_id, "userId": {"$in": list(user_ids)}, "isActive": True},
        {"userId": 1})}
    return [u for u in user_ids if u in current]


def _send(ids, payload):
    if ids:
        jobs.enqueue(jobs.PUSH_DELIVER, ids, payload)


def _inbox_url(business_id, conversation_id):
    return f"/cabinet/b/{business_id}/inbox?dialog={conversation_id}"


def new_message(conversation_id: str, message: dict) -> None:
    """A new dialog message. The customer hears of the team's and the bot's messages unless
    they have a live stream open (they see it already); the on-duty team hears of the
    customer's, unless the dialog is open on one of their devices."""
    conversation = Conversation.objects(id=conversation_id).first()
    business = conversation and Business.objects(id=conversation.business_id).first()
    if business is None:
        return
    text = preview(message.get("text"))
    tag = f"dialog:{conversation.id}"
    if message.get("kind") != "customer":
        customer = conversation.customer_id
        if customer != message.get("senderId") and not presence.connected([customer]):
            _send(_devices(_subscriptions([customer], "newMessage")), {
                "title": business.name, "body": text, "url": f"/b/{business.slug}",
                "tag": tag})
        return
    team = _not_watching([u for u in _on_duty(conversation)
                          if u != message.get("senderId")], conversation)
    author = message.get("authorName")
    _send(_devices(_subscriptions(team, "newMessage", app="cabinet")), {
        "title": business.name, "body": preview(f"{author}: {text}" if author else text),
        "url": _inbox_url(business.id, conversation.id), "tag": tag})


def invited(conversation_id: str, user_ids: list[str]) -> None:
    """The bot called team members into a dialog (the owner and those on duty): to each of
    them who wants `mentions`, unless the dialog is open on one of their devices."""
    conversation = Conversation.objects(id=conversation_id).first()
    business = conversation and Business.objects(id=conversation.business_id).first()
    if business is None:
        return
    people = _not_watching(_team(business.id, user_ids), conversation)
    asked = (conversation.last_message or {}).get("text") or ""
    customer = User.objects(id=conversation.customer_id).first()
    _team_notice(business, conversation, people, f"invite:{conversation.id}",
                 lambda who: gettext("%(name)s asks for a person: %(text)s", name=who,
                                     text=asked), customer)


def assigned(conversation_id: str, user_id: str) -> None:
    """A lead handed the dialog to `user_id`: told if on duty, wanting `mentions`, and not
    looking at the dialog already."""
    conversation = Conversation.objects(id=conversation_id, assigned_to=user_id).first()
    business = conversation and Business.objects(id=conversation.business_id).first()
    if business is None:
        return
    on_duty = user_id in inbox_team.on_duty(business.id)
    people = _not_watching([user_id] if on_duty else [], conversation)
    last = (conversation.last_message or {}).get("text") or ""
    customer = User.objects(id=conversation.customer_id).first()
    _team_notice(business, conversation, people, f"assigned:{conversation.id}",
                 lambda who: gettext("The dialog with %(name)s is yours: %(text)s", name=who,
                                     text=last), customer)


def _team_notice(business, conversation, people, tag, words, customer):
    """A notice written in each device's language (`words(customer's name)`), to the
    `mentions` devices of `people`, opening the dialog in the inbox."""
    devices = _devices(_subscriptions(people, "mentions", app="cabinet"))
    for language, same_language in _by_language(devices).items():
        with force_locale(language):
            who = provisioning.chat_name(customer) if customer else gettext("A customer")
            body = words(who)
        _send(same_language, {"title": business.name, "body": preview(body),
                              "url": _inbox_url(business.id, conversation.id), "tag": tag})


def team_invitation(member_id: str) -> None:
    """A team invitation: to its invitee's devices that want `mentions` (a call to answer,
    like the bot's call), if the phone has an account and the invitation is still open by
    the time this runs. A phone without an account got an SMS instead (invitation_sms.py)."""
    invitation = BusinessMember.objects(id=member_id, user_id=None, is_active=True).first()
    business = invitation and Business.objects(id=invitation.business_id,
                                               deleted_at=None).first()
    person = business and User.objects(phone=invitation.invited_phone).first()
    if person is None:
        return
    devices = _devices(_subscriptions([person.id], "mentions"))
    for language, same_language in _by_language(devices).items():
        with force_locale(language):
            body = gettext("You are invited to join the team. Accept or decline the "
                           "invitation.")
        _send(same_language, {"title": business.name, "body": preview(body),
                              "url": "/my/invitations", "tag": f"team-invitation:{member_id}"})


def _by_language(token_ids):
    """{language: [subscription ids]}; a device registered before languages were kept, or in
    one we no longer offer, gets the default."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    offered = set(current_app.config["LANGUAGES"])
    grouped = {}
    for row in PushToken._get_collection().find({"_id": {"$in": token_ids}},
                                                {"_id": 1, "language": 1}):
        language = row.get("language") if row.get("language") in offered else default
        grouped.setdefault(language, []).append(row["_id"])
    return grouped


def channel_post(post_id: str) -> None:
    """A new channel post: to the subscribers who want `channelUpdate`, read from one
    streamed query and sent as one `push.deliver` job per PUSH_BATCH_SIZE subscribers, so a
    big channel never makes one huge job. Its author is left out."""
    post = ChannelPost.objects(id=post_id, status="published", deleted_at=None).first()
    business = post and Business.objects(id=post.business_id, deleted_at=None,
                                         blocked=False).first()
    if business is None:
        return
    payload = {"title": business.name, "body": preview(post.text),
               "url": f"/b/{business.slug}", "tag": f"post:{post.id}"}
    size = current_app.config["PUSH_BATCH_SIZE"]
    batch = []
    cursor = Subscription._get_collection().find({"businessId": business.id}, {"userId": 1})
    for row in cursor.batch_size(size):
        if row["userId"] != post.author_id:
            batch.append(row["userId"])
        if len(batch) >= size:
            _channel_batch(batch, payload)
            batch = []
    _channel_batch(batch, payload)


def _channel_batch(user_ids, payload):
    _send(_devices(_subscriptions(user_ids, "channelUpdate")), payload)
