"""Read-only lists: team members, subscriptions, the SMS log and the audit log (phones in them
are masked for those who may not see them: admin/phone_privacy.py)."""

from flask_babel import lazy_gettext as _

from admin.model_view import StaffModelView
from app.models import AuditEntry, BusinessMember, SmsMessage, Subscription


class MemberView(StaffModelView):
    column_list = ("business_id", "user_id", "invited_phone", "role", "is_active", "joined_at",
                   "invited_at")
    column_filters = ("business_id", "user_id", "role", "is_active")
    column_default_sort = ("invited_at", True)

    def __init__(self):
        super().__init__(BusinessMember, name=_("Members"), endpoint="admin_members",
                         url="members", category=_("Businesses"))


class SubscriptionView(StaffModelView):
    column_list = ("user_id", "business_id", "created_at")
    column_filters = ("user_id", "business_id", "created_at")
    column_default_sort = ("created_at", True)

    def __init__(self):
        super().__init__(Subscription, name=_("Subscriptions"), endpoint="admin_subscriptions",
                         url="subscriptions", category=_("Businesses"))


class SmsLogView(StaffModelView):
    """Phone, time, provider, delivery state. The codes are never stored, so never shown."""

    column_list = ("created_at", "phone", "purpose", "provider", "status", "attempts", "error",
                   "sent_at")
    column_filters = ("status", "provider", "purpose", "created_at")
    column_searchable_list = ("phone",)
    column_default_sort = ("created_at", True)

    def __init__(self):
        super().__init__(SmsMessage, name=_("SMS log"), endpoint="admin_sms", url="sms",
                         category=_("Logs"))


class AuditLogView(StaffModelView):
    """Read-only for everyone: nothing edits or deletes the trail."""

    column_list = ("at", "area", "actor_name", "action", "target_type", "target_id",
                   "business_id", "reason", "ip", "changes")
    column_filters = ("area", "action", "target_type", "target_id", "actor_id", "business_id",
                      "at")
    column_searchable_list = ("target_id", "actor_name", "reason")
    column_default_sort = ("at", True)
    column_details_list = column_list + ("actor_id",)

    def __init__(self):
        super().__init__(AuditEntry, name=_("Audit log"), endpoint="admin_audit", url="audit",
                         category=_("Logs"))
