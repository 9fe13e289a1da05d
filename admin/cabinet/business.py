"""A business's own pages: the overview, editing it and its logo (canManageSettings), its QR
code in each format and its statistics (any team member)."""

from datetime import timedelta

from flask import Response, abort, current_app, request
from flask_admin import expose
from flask_babel import format_timedelta
from flask_babel import lazy_gettext as _

from admin.cabinet.forms import ActionForm, BusinessForm
from admin.cabinet.scope import back, csrf_failed, load, say
from app.businesses import businesses, categories, first_steps, qr, qr_scans
from app.businesses import stats as business_stats
from app.conversations import stats as inbox_stats
from app.errors import AppError

# The fields the edit form changes, as stored: the audit log shows them before and after.
EDITED = ("name", "description", "slug", "categoryIds", "location", "isPublic")
FORM_FIELDS = {"name": "name", "description": "description", "slug": "slug",
               "categoryIds": "categories", "location": "lat"}
STATS_DAYS = 30
# The first steps (app/businesses/first_steps.py): where each is done, and what it is called.
STEP_LINKS = {"greeting": "cabinet_business.bot", "team": "cabinet_business.team",
              "widget": "cabinet_business.widget", "qr": "cabinet_business.qr_page",
              "post": "cabinet_business.channel"}
# What a member needs to take each step; a step they cannot take is listed without its link.
STEP_PERMISSIONS = {"greeting": "canManageSettings", "team": "canManageMembers",
                    "widget": "canManageSettings", "qr": None, "post": "canPublishChannel"}
STEP_TITLES = {"greeting": _("Set the bot's greeting"), "team": _("Invite your team"),
               "widget": _("Put the chat widget on your website"),
               "qr": _("Print the QR code"), "post": _("Publish the first post")}


def stored(business, fields):
    document = business.to_mongo().to_dict()
    return {field: document.get(field) for field in fields}


def category_choices():
    """[(id, name, depth)] of the active tree, depth first, for the category checkboxes."""
    found = []

    def walk(nodes, depth):
        for node in nodes:
            found.append((node["id"], node["name"], depth))
            walk(node["children"], depth + 1)

    walk(categories.tree(), 0)
    return found


def _coordinates(business):
    point = business.location.point if business.location else None
    if isinstance(point, dict):
        point = point.get("coordinates")
    return (point[1], point[0]) if point else (None, None)


def _initial(business):
    lat, lng = _coordinates(business)
    return {"name": business.name, "description": business.description or "",
            "slug": business.slug, "categories": list(business.category_ids or []),
            "address": (business.location.address if business.location else None) or "",
            "lat": lat, "lng": lng, "is_public": business.is_public}


def _edit_form(formdata=None, business=None):
    choices = category_choices()
    form = BusinessForm(formdata, data=None if formdata is not None else _initial(business))
    form.categories.choices = [(category_id, name) for category_id, name, _depth in choices]
    return form, choices


def show_error(form, error):
    """An AppError of the service next to the field it is about (else above the form)."""
    field = getattr(form, FORM_FIELDS.get(error.details.get("field"), ""), None)
    message = error.message
    suggestions = error.details.get("suggestions")
    if suggestions:
        # Not inside the f-string: pybabel (on Python 3.11) does not extract from f-strings.
        free = _("Free addresses:")
        message = f"{message} {free} {', '.join(suggestions)}"
    (field.errors if field is not None else form.form_errors).append(message)


def public_url(business):
    return f"{current_app.config['PUBLIC_BASE_URL']}/b/{business.slug}"


class BusinessPages:
    """Mixed into the cabinet's business view (see admin/cabinet/views.py)."""

    @expose("/<business_id>/")
    def overview(self, business_id):
        scope = load(business_id)
        business = scope.business
        names = categories.by_ids(business.category_ids)
        scans = sum(row["count"] for row in
                    qr_scans.scans_per_day(business.id, STATS_DAYS))
        # The checklist is for whoever sets the business up.
        steps = first_steps.of(business) if scope.may("canManageSettings") else []
        return self.render_business(
            "cabinet/overview.html", scope, public_url=public_url(business),
            category_names=[names[i].name for i in business.category_ids if i in names],
            scans=scans, days=STATS_DAYS,
            steps=[] if all(step.done for step in steps) else steps, step_links=STEP_LINKS,
            step_permissions=STEP_PERMISSIONS,
            step_titles=STEP_TITLES)

    @expose("/<business_id>/edit", methods=("GET", "POST"))
    def edit(self, business_id):
        scope = load(business_id, "canManageSettings")
        business = scope.business
        if request.method == "GET":
            form, choices = _edit_form(business=business)
            return self._edit_page(scope, form, choices)
        form, choices = _edit_form(request.form)
        if not form.validate():
            status = 400 if csrf_failed(form) else 422
            return self._edit_page(scope, form, choices), status
        before, old_slug = stored(business, EDITED), business.slug
        changes = {"name": form.name.data, "description": form.description.data,
                   "slug": form.slug.data, "categoryIds": form.categories.data,
                   "location": form.location(), "isPublic": form.is_public.data}
        try:
            businesses.update(business, scope.user, changes)
        except AppError as error:
            show_error(form, error)
            return self._edit_page(scope, form, choices), error.status
        scope.record("update", "business", business.id, before, stored(business, EDITED))
        say(_("The business is saved."), "success")
        if business.slug != old_slug:
            say(_("The page is now at %(url)s; the old link leads there too.",
                    url=public_url(business)), "info")
        return back("cabinet_business.edit", scope)

    def _edit_page(self, scope, form, choices):
        return self.render_business("cabinet/edit.html", scope, form=form, choices=choices,
                                    logo_form=ActionForm(), public_url=public_url(scope.business))

    @expose("/<business_id>/logo", methods=("POST",))
    def logo(self, business_id):
        scope = load(business_id, "canManageSettings")
        form = ActionForm(request.form)
        upload = request.files.get("logo")
        if not form.validate():
            say(_("The form has expired. Reload the page and try again."), "error")
        elif upload is None or not upload.filename:
            say(_("Choose an image file."), "error")
        else:
            before = stored(scope.business, ("logo",))
            try:
                businesses.set_logo(scope.business, scope.user, upload.read())
            except AppError as error:
                say(error.message, "error")
            else:
                scope.record("update", "business", scope.business.id, before,
                             {"logo": scope.business.logo})
                say(_("The logo is saved."), "success")
        return back("cabinet_business.edit", scope)

    @expose("/<business_id>/qr")
    def qr_page(self, business_id):
        scope = load(business_id)
        return self.render_business("cabinet/qr.html", scope, formats=list(qr.FORMATS),
                                    qr_url=qr.qr_url(scope.business))

    @expose("/<business_id>/qr/<fmt>")
    def qr_file(self, business_id, fmt):
        scope = load(business_id)
        if fmt not in qr.FORMATS:
            abort(404)
        data, mimetype, tag = qr.download(scope.business, fmt)
        headers = {
            "Content-Disposition": f'attachment; filename="{scope.business.slug}-qr.{fmt}"',
            "ETag": f'"{tag}"', "Cache-Control": "private, no-cache",
            "X-Content-Type-Options": "nosniff",
        }
        if fmt == "svg":
            headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
        return Response(data, mimetype=mimetype, headers=headers)

    @expose("/<business_id>/stats")
    def stats(self, business_id):
        scope = load(business_id)
        inbox = inbox_stats.summary(scope.business.id, STATS_DAYS)
        wait = inbox["medianFirstReplySeconds"]
        return self.render_business("cabinet/stats.html", scope,
                                    stats=business_stats.summary(scope.business.id, STATS_DAYS),
                                    inbox=inbox, median_wait=None if wait is None else
                                    format_timedelta(timedelta(seconds=wait), threshold=1.5))
