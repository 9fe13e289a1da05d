"""How roles and permissions are named on screen, shared by the back office and the cabinet."""

from flask_babel import lazy_gettext as _

ROLE_TITLES = {"owner": _("Owner"), "manager": _("Manager"), "operator": _("Operator"),
               "viewer": _("Viewer")}
PERMISSION_TITLES = {
    "canReply": _("Reply to customers"),
    "canPublishChannel": _("Publish in the channel"),
    "canManageMembers": _("Manage the team"),
    "canManageSettings": _("Manage the business's settings"),
}
