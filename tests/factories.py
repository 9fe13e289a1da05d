"""Factories for tests: people, businesses and team members, made through the services."""

from app.businesses import businesses
from app.models import BusinessMember, User


def person(app, phone, name=None):
    """A registered user (no tokens)."""
    with app.app_context():
        from app.accounts import users

        return users.ensure_user(phone, name)


def business(app, owner, name="Кофейня на Арбате", **kwargs):
    """A business made for a test's setup: the daily limit on creating is tested on its own."""
    kwargs.setdefault("limited", False)
    with app.app_context():
        owner = User.objects.get(id=owner if isinstance(owner, str) else owner.id)
        return businesses.create(owner, name, **kwargs)


def member(app, business_id, user_id, role, permissions=None):
    with app.app_context():
        return BusinessMember(business_id=business_id, user_id=user_id, role=role,
                              permissions=permissions or {}, invited_by=user_id).save()


def signed_in(app, phone, name=None):
    """A user and a token pair, without the SMS round trip (tests of other things)."""
    from app.accounts import tokens
    from app.api.presenters import user_public

    user = person(app, phone, name)
    with app.test_request_context():
        return {**tokens.issue_pair(user.id), "user": user_public(user)}
