"""Who gets which push notification, run by the push jobs (tasks/push.py): each function
finds the recipients' subscriptions that want the kind of news, shapes the payload the
service worker shows ({title, body, url, tag}) and enqueues `push.deliver` for them.

The words we add (an invitation's) are in each device's language, the site's language in
that browser when it was registered; a business's name and a message are as written.
"""

import re

from flask import current_app
from flask_babel import force_locale, gettext

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


def _subscriptions(user_ids, preference):
    """{user id: [subscription ids]} of active, unblocked people whose devices want
    `preference` (a missing preference counts as on, as the model's default)."""
    user_ids = list(dict.fromkeys(u for u in user_ids if u))
    if not user_ids:
        return {}
    active = {row["_id"] for row in User._get_collection().find(
        {"_id": {"$in": user_ids}, "isActive": {"$ne": False}, "isBlocked": {"$ne": True}},
        {"_id": 1})}
    found = {}
    for row in PushToken._get_collection().find(
            {"userId": {"$in": list(active)}, f"preferences.{preference}": {"$ne": False}},
            {"_id": 1, "userId": 1}):
        found.setdefault(row["userId"], []).append(row["_id"])
    return found


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
    """A new dialog message: to the customer and the team members in the dialog, never the
    sender, and not to anyone with a live stream open (they see it already). The bot's
    messages are for the customer only: the team does not need its greetings buzzing."""
    conversation = Conversation.objects(id=conversation_id).first()
    business = conversation and Business.objects(id=conversation.business_id).first()
    if business is None:
        return
    team = [] if message.get("kind") == "bot" else _team(business.id, conversation.participants)
    people = [u for u in dict.fromkeys([conversation.customer_id, *team])
              if u and u != message.get("senderId")]
    connected = presence.connected(people)
    people = [u for u in people if u not in connected]
    found = _subscriptions(people, "newMessage")
    if not found:
        return
    text = preview(message.get("text"))
    tag = f"dialog:{conversation.id}"
    customer_ids = found.pop(conversation.customer_id, [])
    _send(customer_ids, {"title": business.name, "body": text, "url": f"/b/{business.slug}",
                         "tag": tag})
    author = message.get("authorName")
    _send([i for ids in found.values() for i in ids], {
        "title": business.name, "body": preview(f"{author}: {text}" if author else text),
        "url": _inbox_url(business.id, conversation.id), "tag": tag})


def invited(conversation_id: str, user_ids: list[str]) -> None:
    """The bot called team members into a dialog: to each of them who wants `mentions`,
    connected or not (a call to act that the page they have open may not show)."""
    conversation = Conversation.objects(id=conversation_id).first()
    business = conversation and Business.objects(id=conversation.business_id).first()
    if business is None:
        return
    found = _subscriptions(user_ids, "mentions")
    if not found:
        return
    asked = (conversation.last_message or {}).get("text") or ""
    customer = User.objects(id=conversation.customer_id).first()
    devices = [i for ids in found.values() for i in ids]
    for language, same_language in _by_language(devices).items():
        with force_locale(language):
            who = provisioning.chat_name(customer) if customer else gettext("A customer")
            body = gettext("%(name)s asks for a person: %(text)s", name=who, text=asked)
        _send(same_language, {"title": business.name, "body": preview(body),
                    "url": _inbox_url(business.id, conversation.id),
                    "tag": f"invite:{conversation.id}"})


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
    devices = [i for ids in _subscriptions([person.id], "mentions").values() for i in ids]
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
    found = _subscriptions(user_ids, "channelUpdate")
    _send([i for ids in found.values() for i in ids], payload)
