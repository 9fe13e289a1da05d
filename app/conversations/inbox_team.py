"""What the team does around the inbox besides answering: who leads it (may manage quick
replies and block customers), being on duty for the bot, and blocking a customer.

"Leads" are the owner and managers, by role rank rather than by a permission: the issue
gives these to managers, and no default permission separates managers from operators except
canManageMembers, which is about the team, not about customers. Being on duty needs canReply:
the bot calls on-duty members into a dialog to answer it.
"""

from flask_babel import lazy_gettext as _

from app.businesses import customer_blocks
from app.businesses.permissions import effective, require, require_lead
from app.conversations import dialogs
from app.errors import Forbidden
from app.models import Business, BusinessMember, CustomerBlock, User


def set_on_duty(business: Business, user: User, on_duty: bool) -> BusinessMember:
    member = require(business, user, "canReply")
    BusinessMember.objects(id=member.id).update_one(set__on_duty=bool(on_duty))
    return member.reload()


def _replying_members(business_id, **filters):
    """The business's active members who may reply (and match `filters`)."""
    return [m for m in BusinessMember.objects(business_id=business_id, is_active=True,
                                              user_id__ne=None, **filters)
            if effective(m)["canReply"]]


def on_duty(business_id: str) -> list[str]:
    """The ids of the members on duty who may reply: the bot calls them, and they are told
    of the customers' messages."""
    return [m.user_id for m in _replying_members(business_id, on_duty=True)]


def repliers(business: Business) -> list[tuple[User, bool]]:
    """The team members a dialog can be handed to (active, allowed to reply), each with
    whether they are on duty; by name."""
    duty = {m.user_id: bool(m.on_duty) for m in _replying_members(business.id)}
    people = User.objects(id__in=list(duty), is_active=True)
    return sorted(((person, duty[person.id]) for person in people),
                  key=lambda pair: (pair[0].name or pair[0].phone or "").lower())


def _customer_of(business, user, conversation_id):
    conversation = dialogs.visible(user, conversation_id)
    if conversation.business_id != business.id:
        raise Forbidden("forbidden", _("Only the business's team can do this."))
    return conversation


def block_customer(business: Business, user: User, conversation_id: str, hours: int,
                   reason: str | None = None) -> CustomerBlock | None:
    """Refuse the dialog's customer's messages to this business for `hours`."""
    require_lead(business, user)
    conversation = _customer_of(business, user, conversation_id)
    return customer_blocks.block(business.id, conversation.customer_id, hours, user.id, reason)


def unblock_customer(business: Business, user: User, conversation_id: str) -> bool:
    require_lead(business, user)
    conversation = _customer_of(business, user, conversation_id)
    return customer_blocks.unblock(business.id, conversation.customer_id)
