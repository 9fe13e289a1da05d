"""The back office's views, in menu order."""

from admin.views.businesses import BusinessView
from admin.views.categories import CategoryView
from admin.views.chat_sync import ChatSyncView
from admin.views.people import UserView
from admin.views.records import AuditLogView, MemberView, SmsLogView, SubscriptionView
from admin.views.reports import report_views
from admin.views.roles import MemberRoleView, PlatformRolesView


def back_office_views():
    return [UserView(), BusinessView(), CategoryView(), MemberView(), SubscriptionView(),
            MemberRoleView(), PlatformRolesView(), *report_views(), SmsLogView(),
            AuditLogView(), ChatSyncView()]
