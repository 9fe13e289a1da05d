"""The channel page (canPublishChannel): write a post (with an optional image), the posts with
their reaction and comment counts, a post's comments, editing and deleting posts; the owner
and managers also see the posts waiting for approval, with approve and reject buttons.

Every action goes through `app.channels.posts` (and `app.channels.feedback` for comments), which
check the same rules as the API; the page only hides the buttons a person could not press.
"""

from flask import request
from flask_admin import expose
from flask_admin.form import SecureForm
from flask_babel import lazy_gettext as _
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from admin.cabinet.forms import ActionForm
from admin.cabinet.scope import back, csrf_failed, load, say
from app.businesses.permissions import is_lead
from app.channels import feedback, posts
from app.errors import AppError

PAGE = 20
COMMENTS_PAGE = 50


class PostForm(SecureForm):
    """The image comes from request.files["image"]."""

    text = TextAreaField(_("Post"), validators=[InputRequired(),
                                                Length(max=posts.TEXT_MAX)])


def _rows(scope, found):
    """The posts as the page shows them, with whether this person may change each."""
    moderated = posts.settings_of(scope.business.id)["moderationEnabled"]
    rows = posts.shape_page(found, scope.user)
    for row, post in zip(rows, found, strict=True):
        row["mine"] = row["author"]["id"] == scope.user.id
        row["editable"] = posts.may_edit(scope.member, scope.user, post, moderated)
        row["deletable"] = posts.may_delete(scope.member, scope.user, post)
    return rows


class ChannelPages:
    """Mixed into the cabinet's business view (see admin/cabinet/views.py)."""

    def _channel_page(self, scope, form=None, status=200):
        moderator = is_lead(scope.member)
        cursor = request.args.get("cursor") or None
        try:
            _business, found, next_cursor = posts.feed(scope.business.id, scope.user,
                                                      "published", cursor, PAGE)
        except AppError:  # a cursor spoiled by hand: start from the newest
            _business, found, next_cursor = posts.feed(scope.business.id, scope.user,
                                                      "published", None, PAGE)
        pending = posts.feed(scope.business.id, scope.user, "pending", None, 100)[1] \
            if moderator else []
        page = self.render_business(
            "cabinet/channel.html", scope, form=form or PostForm(), action_form=ActionForm(),
            posts=_rows(scope, found), pending=_rows(scope, pending), next_cursor=next_cursor,
            moderator=moderator, settings=posts.settings_of(scope.business.id))
        return page, status

    @expose("/<business_id>/channel", methods=("GET", "POST"))
    def channel(self, business_id):
        scope = load(business_id, "canPublishChannel")
        if request.method == "GET":
            return self._channel_page(scope)
        form = PostForm(request.form)
        if not form.validate():
            return self._channel_page(scope, form, 400 if csrf_failed(form) else 422)
        upload = request.files.get("image")
        image = upload.read() if upload is not None and upload.filename else None
        try:
            post = posts.create(scope.business, scope.user, form.text.data, image)
        except AppError as error:
            form.text.errors.append(error.message)
            return self._channel_page(scope, form, error.status)
        scope.record("publish", "channel_post", post.id, {},
                     {"text": post.text, "status": post.status})
        say(_("The post is waiting for approval by the owner or a manager.")
            if post.status == "pending" else _("The post is published."), "success")
        return back("cabinet_business.channel", scope)

    def _channel_act(self, business_id, post_id, action):
        """Run one button's action on a post, then back to the channel page."""
        scope = load(business_id, "canPublishChannel")
        if not ActionForm(request.form).validate():
            say(_("The form has expired. Reload the page and try again."), "error")
            return scope, None
        try:
            return scope, action(scope)
        except AppError as error:
            say(error.message, "error")
            return scope, None

    @expose("/<business_id>/channel/<post_id>/approve", methods=("POST",))
    def channel_approve(self, business_id, post_id):
        return self._channel_review(business_id, post_id, True)

    @expose("/<business_id>/channel/<post_id>/reject", methods=("POST",))
    def channel_reject(self, business_id, post_id):
        return self._channel_review(business_id, post_id, False)

    def _channel_review(self, business_id, post_id, approve):
        scope, post = self._channel_act(business_id, post_id, lambda scope: posts.review(
            scope.business, scope.user, post_id, approve))
        if post is not None:
            scope.record("approve" if approve else "reject", "channel_post", post.id,
                         {"status": "pending"}, {"status": post.status})
            say(_("The post is published.") if approve else _("The post is rejected."),
                "success")
        return back("cabinet_business.channel", scope)

    @expose("/<business_id>/channel/<post_id>/edit", methods=("POST",))
    def channel_edit(self, business_id, post_id):
        scope = load(business_id, "canPublishChannel")
        form = PostForm(request.form)
        if not form.validate():
            expired = csrf_failed(form)  # then the form carries the message
            say(form.form_errors[-1] if expired else
                _("Write from 1 to %(max)s characters.", max=posts.TEXT_MAX), "error")
            return back("cabinet_business.channel", scope)
        try:
            before = posts.find(scope.business, post_id).text
            post = posts.edit(scope.business, scope.user, post_id, form.text.data)
        except AppError as error:
            say(error.message, "error")
        else:
            scope.record("edit", "channel_post", post.id, {"text": before}, {"text": post.text})
            say(_("The post is changed."), "success")
        return back("cabinet_business.channel", scope)

    @expose("/<business_id>/channel/<post_id>/delete", methods=("POST",))
    def channel_delete(self, business_id, post_id):
        scope, done = self._channel_act(business_id, post_id, lambda scope: posts.delete(
            scope.business, scope.user, post_id) or True)
        if done:
            scope.record("delete", "channel_post", post_id, {"deleted": False},
                         {"deleted": True})
            say(_("The post is deleted."), "success")
        return back("cabinet_business.channel", scope)

    @expose("/<business_id>/channel/<post_id>")
    def channel_post(self, business_id, post_id):
        """One published post with its comments."""
        scope = load(business_id, "canPublishChannel")
        try:
            post = posts.published(scope.business, post_id)
        except AppError:
            say(_("No such post."), "error")
            return back("cabinet_business.channel", scope)
        page = max(1, request.args.get("page", 1, type=int) or 1)
        comments, total = feedback.comments_of(post, page, COMMENTS_PAGE)
        return self.render_business(
            "cabinet/channel_post.html", scope, post=_rows(scope, [post])[0],
            comments=comments, total=total, page=page, pages=-(-total // COMMENTS_PAGE),
            moderator=is_lead(scope.member), action_form=ActionForm())

    @expose("/<business_id>/channel/<post_id>/comments/<comment_id>/delete", methods=("POST",))
    def channel_comment_delete(self, business_id, post_id, comment_id):
        scope, done = self._channel_act(business_id, post_id, lambda scope: feedback
                                .delete_comment(scope.business.id, scope.user, post_id,
                                                comment_id) or True)
        if done:
            scope.record("delete", "channel_comment", comment_id, {"deleted": False},
                         {"deleted": True})
            say(_("The comment is deleted."), "success")
        return back("cabinet_business.channel_post", scope, post_id=post_id)
