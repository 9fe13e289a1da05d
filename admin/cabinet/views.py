"""The pages of one business, all under /cabinet/b/<business_id>/ (one Flask-Admin view
made of the sections' mixins, endpoint `cabinet_business`), and the section tabs they share.

URL scheme (every page loads the business through `scope.load`, which checks membership):
    /cabinet/b/<id>/                      overview                 any member
    /cabinet/b/<id>/edit, /logo           the business, its logo   canManageSettings
    /cabinet/b/<id>/team[/…]              the team                 any member; actions by rule
    /cabinet/b/<id>/bot                   the bot's settings       canManageSettings
    /cabinet/b/<id>/widget[/secret]       the chat widget          any member sees it;
                                                                   changes canManageSettings
    /cabinet/b/<id>/qr, /qr/<svg|png|pdf> the QR code              any member
    /cabinet/b/<id>/stats                 statistics               any member
    /cabinet/b/<id>/inbox[/…]             the team inbox           any member reads; actions
                                                                   canReply (blocking: owner,
                                                                   manager); see inbox.py
    /cabinet/b/<id>/quick-replies[/…]     saved answers            owner and managers
    /cabinet/b/<id>/channel[/…]           the channel's posts      canPublishChannel; pending
                                                                   posts: owner, managers
"""

from flask import redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import lazy_gettext as _

from admin.cabinet.bot import BotPages
from admin.cabinet.business import BusinessPages
from admin.cabinet.channel import ChannelPages
from admin.cabinet.inbox import InboxPages
from admin.cabinet.quick_replies import QuickReplyPages
from admin.cabinet.scope import CabinetAccess
from admin.cabinet.team import TeamPages
from admin.cabinet.widget import WidgetPages
from admin.labels import PERMISSION_TITLES, ROLE_TITLES

# The business's tabs in order: (endpoint, title, the permission that shows it).
SECTIONS = (
    ("cabinet_business.overview", _("Overview"), None),
    ("cabinet_business.inbox", _("Inbox"), None),  # viewers read it too
    ("cabinet_business.channel", _("Channel"), "canPublishChannel"),
    ("cabinet_business.edit", _("Business"), "canManageSettings"),
    ("cabinet_business.team", _("Team"), None),
    ("cabinet_business.bot", _("Bot"), "canManageSettings"),
    ("cabinet_business.widget", _("Widget"), None),
    ("cabinet_business.qr_page", _("QR code"), None),
    ("cabinet_business.stats", _("Statistics"), None),
)
# Endpoints that belong to a tab without being its page.
_TAB_OF = {"logo": "edit", "team_invite": "team", "team_role": "team", "team_remove": "team",
           "team_withdraw": "team", "team_transfer": "team", "qr_file": "qr_page",
           "quick_replies": "inbox", "quick_reply_create": "inbox",
           "quick_reply_update": "inbox", "quick_reply_delete": "inbox",
           "channel_approve": "channel", "channel_reject": "channel", "channel_edit": "channel",
           "channel_delete": "channel", "channel_post": "channel",
           "channel_comment_delete": "channel", "widget_secret": "widget"}


def sections(scope):
    here = (request.endpoint or "").rsplit(".", 1)[-1]
    here = _TAB_OF.get(here, here)
    return [{"title": title, "active": endpoint.rsplit(".", 1)[-1] == here,
             "url": url_for(endpoint, business_id=scope.business.id)}
            for endpoint, title, permission in SECTIONS
            if permission is None or scope.may(permission)]


class BusinessView(CabinetAccess, BusinessPages, TeamPages, BotPages, InboxPages,
                   QuickReplyPages, ChannelPages, WidgetPages, BaseView):
    def __init__(self):
        super().__init__(name=_("Business"), endpoint="cabinet_business", url="b")

    def is_visible(self):
        return False  # its pages need a business: they are reached from the home list

    @expose("/")
    def index(self):
        return redirect(url_for("cabinet.index"))

    def render_business(self, template, scope, **kwargs):
        return self.render(template, scope=scope, sections=sections(scope),
                           role_title=ROLE_TITLES[scope.member.role], role_titles=ROLE_TITLES,
                           permission_titles=PERMISSION_TITLES, **kwargs)
