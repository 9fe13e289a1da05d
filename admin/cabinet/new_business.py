"""/cabinet/new: a signed-in person creates a business from a page, through the same service
and rules as POST /api/businesses (all or nothing), logo included. An error shows next to its
field and nothing is made; on success they land on the new business's overview, whose
first-steps checklist takes it from there."""

from flask import redirect, request, url_for
from flask_admin import expose
from flask_babel import lazy_gettext as _

from admin.cabinet.business import EDITED, category_choices, show_error, stored
from admin.cabinet.forms import NewBusinessForm
from admin.cabinet.scope import csrf_failed, load, say
from admin.staff import current_user
from app.businesses import businesses
from app.errors import AppError

# The image store's refusals, which name no field: they are about the logo.
LOGO_ERRORS = {"file_too_large", "image_too_large", "unsupported_image", "uploads_busy"}


class NewBusinessPage:
    """Mixed into the cabinet's home view (admin/cabinet/home.py)."""

    @expose("/new", methods=("GET", "POST"))
    def new_business(self):
        choices = category_choices()
        form = NewBusinessForm(request.form if request.method == "POST" else None)
        form.categories.choices = [(category_id, name) for category_id, name, _depth in choices]
        if request.method == "GET":
            form.is_public.data = True
            return self._new_page(form, choices)
        if not form.validate():
            status = 400 if csrf_failed(form) else 422  # before rendering: it adds the message
            return self._new_page(form, choices), status
        upload = request.files.get("logo")
        try:
            business = businesses.create(
                current_user(), form.name.data, slug=(form.slug.data or "").strip() or None,
                description=form.description.data, category_ids=form.categories.data,
                location_data=form.location(), is_public=form.is_public.data,
                logo=upload.read() if upload is not None and upload.filename else None)
        except AppError as error:
            if error.code in LOGO_ERRORS:
                form.logo.errors = [*form.logo.errors, error.message]
            else:
                show_error(form, error)
            return self._new_page(form, choices), error.status
        scope = load(business.id)
        scope.record("create", "business", business.id, {},
                     {**stored(business, EDITED), "logo": business.logo})
        say(_("%(name)s is created. Here are its first steps.", name=business.name), "success")
        return redirect(url_for("cabinet_business.overview", business_id=business.id), code=303)

    def _new_page(self, form, choices):
        return self.render("cabinet/new.html", form=form, choices=choices)
