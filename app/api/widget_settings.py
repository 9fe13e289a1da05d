"""The chat widget's settings, for the business's team: `GET/PUT
/api/businesses/<id>/widget/settings`. Any member reads them, people with canManageSettings
change them; the rules are app.businesses.widget_settings's, as in the cabinet's Widget page.
The identity secret is never shown here (only whether one is set); it is made in the cabinet.
"""

from typing import Annotated, Literal

from flask import Blueprint
from pydantic import Field

from app.api.guard import login_required, me
from app.api.responses import ok
from app.api.validation import Body, body
from app.businesses import widget_settings
from app.businesses.permissions import get_business

bp = Blueprint("widget_settings", __name__,
               url_prefix="/businesses/<id(biz):business_id>/widget")

Origin = Annotated[str, Field(min_length=1, max_length=200)]


class WidgetSettingsUpdate(Body):
    color: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] | None = Field(
        None, description="The launcher's colour, #rrggbb")
    position: Literal["left", "right"] | None = None
    launcherText: Annotated[str, Field(max_length=40)] | None = None
    bottomOffset: Annotated[int, Field(ge=0, le=widget_settings.BOTTOM_OFFSET_MAX)] | None = \
        Field(None, description="Pixels between the launcher and the bottom of the screen, "
                                f"0 to {widget_settings.BOTTOM_OFFSET_MAX} (null: "
                                f"{widget_settings.BOTTOM_OFFSET_DEFAULT}); the loader adds the "
                                "device's safe-area inset")
    awayMessage: Annotated[str, Field(max_length=1000)] | None = None
    allowedOrigins: Annotated[list[Origin],
                              Field(max_length=widget_settings.ORIGINS_MAX)] | None = None
    identityRequired: bool | None = None


@bp.get("/settings")
@login_required
def get_settings(business_id):
    """The widget's settings: appearance, away message, allowed websites, verification."""
    return ok(widget_settings.view(get_business(business_id), me()))


@bp.put("/settings")
@login_required
@body(WidgetSettingsUpdate)
def put_settings(data, business_id):
    """Change the given fields; a field sent as null goes back to its default."""
    changed = widget_settings.update(get_business(business_id), me(),
                                     data.model_dump(exclude_unset=True))
    return ok(widget_settings.for_team(changed))
