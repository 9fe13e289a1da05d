"""The team inbox at /cabinet/b/<id>/inbox: the business's dialogs with unread badges and
filters, one dialog's messages, the reply box with the quick replies, and the actions on a
dialog. Every team member may read and mark a dialog unread; replying, marking it read,
archiving and taking it need canReply (dialogs.mark_read: a viewer's read clears only
their own count); blocking its customer needs the owner or a manager (inbox_team).

Each action is a plain form POST that redirects back to the same view (post/redirect/get);
app/static/js/inbox.js sends the same forms with `Accept: application/json` and gets JSON
instead, and keeps the page current from the live stream mounted here (session sign-in).

A viewer opening a dialog does not mark it read: the badge is for those who answer it.
"""

from flask import abort, jsonify, redirect, request, url_for
from flask_admin import expose
from flask_babel import lazy_gettext as _

from admin.cabinet.forms import ActionForm
from admin.cabinet.inbox_forms import BlockForm, InboxView, ReplyForm
from admin.cabinet.scope import load, say
from app.businesses import customer_blocks
from app.businesses.permissions import is_lead
from app.clock import isoformat
from app.conversations import dialogs, inbox_team, messages, quick_replies
from app.errors import AppError
from app.live import bus
from app.live.streams import sse_response
from app.messaging import provisioning
from app.messaging.gateway import InvalidRequest
from app.models import Conversation
from app.notifications import topics

LIST_SIZE = 30
MESSAGES_SIZE = 50


def _wants_json():
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == \
        "application/json"


def _conversation(scope, dialog_id):
    """A conversation of this business (404 for any other id, as for other businesses)."""
    found = Conversation.objects(id=dialog_id, business_id=scope.business.id).first() \
        if isinstance(dialog_id, str) else None
    if found is None:
        abort(404)
    return found


def _names(ids):
    """{id: the name they have in conversations}, for customers (widget guests too) and the
    team."""
    return {key: provisioning.chat_name(who) for key, who in dialogs.people(ids).items()}


def _rows(scope, view):
    """A page of the dialog list, shaped for _inbox_list.html; (rows, total)."""
    found, total = dialogs.of_business(scope.business, scope.user, view.filters(),
                                             view.page, LIST_SIZE)
    names = _names([c.customer_id for c in found] + [c.assigned_to for c in found])
    rows = [{
        "id": c.id, "customer": names.get(c.customer_id), "status": c.status,
        "unread": c.team_unread, "assignedTo": c.assigned_to,
        "assignee": names.get(c.assigned_to), "lastMessage": c.last_message or None,
        "at": isoformat(c.last_message_at or c.created_at), "active": c.id == view.dialog,
    } for c in found]
    return rows, total


def _dialog(scope, conversation, cursor):
    """The open dialog: its messages (oldest first), the next older page, its customer."""
    if scope.may("canReply") and conversation.team_unread:
        conversation = dialogs.mark_read(scope.user, conversation.id)
    try:
        shown, older = messages.page(scope.user, conversation.id, cursor, MESSAGES_SIZE)
    except (AppError, InvalidRequest):  # a stale or forged cursor: show the newest page
        shown, older = messages.page(scope.user, conversation.id, None, MESSAGES_SIZE)
        cursor = None
    names = _names([conversation.customer_id, conversation.assigned_to])
    return {"conversation": conversation, "messages": list(reversed(shown)),
            "older": older, "cursor": cursor,
            "customer": names.get(conversation.customer_id),
            "assignee": names.get(conversation.assigned_to),
            "block": customer_blocks.active(scope.business.id, conversation.customer_id)}


class InboxPages:
    """Mixed into the cabinet's business view (see admin/cabinet/views.py)."""

    @expose("/<business_id>/inbox")
    def inbox(self, business_id):
        scope = load(business_id)
        view = InboxView(request.args)
        live_cursor = bus.cursor()  # before the reads: the stream replays what follows them
        dialog = None
        if view.dialog:
            dialog = _dialog(scope, _conversation(scope, view.dialog), request.args.get("cursor"))
        rows, total = _rows(scope, view)
        replies = quick_replies.for_replying(scope.business, scope.user) \
            if scope.may("canReply") else []
        return self.render_business(
            "cabinet/inbox.html", scope, view=view, rows=rows, total=total,
            pages=max(1, -(-total // LIST_SIZE)), dialog=dialog, quick_replies=replies,
            reply_form=ReplyForm(), block_form=BlockForm(), action_form=ActionForm(),
            is_lead=is_lead(scope.member), on_duty=bool(scope.member.on_duty),
            colleagues=[(person, duty) for person, duty in inbox_team.repliers(scope.business)
                        if person.id != scope.user.id] if dialog and is_lead(scope.member)
            else [],
            live_cursor=live_cursor)

    @expose("/<business_id>/inbox/list")
    def inbox_list(self, business_id):
        """The dialog list alone, for the page's script to swap in after a live event."""
        scope = load(business_id)
        view = InboxView(request.args)
        rows, total = _rows(scope, view)
        return self.render("cabinet/_inbox_list.html", scope=scope, view=view, rows=rows,
                           total=total, pages=max(1, -(-total // LIST_SIZE)))

    @expose("/<business_id>/inbox/stream")
    def inbox_stream(self, business_id):
        """Server-Sent Events: new messages of the business's dialogs, and of one dialog."""
        scope = load(business_id)
        wanted = [f"business:{scope.business.id}"]
        dialog_id = request.args.get("dialog")
        if dialog_id:
            wanted.append(f"dialog:{_conversation(scope, dialog_id).id}")
        return sse_response(scope.user, wanted,
                            lambda: topics.require_topics(scope.user, wanted),  # the API's rule
                            request.headers.get("Last-Event-ID"))

    # --- actions on one dialog ----------------------------------------------------------------

    @expose("/<business_id>/inbox/<dialog_id>/reply", methods=("POST",))
    def inbox_reply(self, business_id, dialog_id):
        scope = load(business_id, "canReply")
        conversation = _conversation(scope, dialog_id)
        form = ReplyForm(request.form)
        if not form.validate() and "csrf_token" not in form.errors:
            return self._answer(scope, conversation, error=AppError(
                "validation_error", _("Write from 1 to %(max)s characters.",
                                      max=messages.TEXT_MAX), status=422))
        return self._act(scope, conversation, form, lambda: messages.post_message(
            scope.user, conversation.id, form.text.data), _("The reply is sent."))

    @expose("/<business_id>/inbox/<dialog_id>/typing", methods=("POST",))
    def inbox_typing(self, business_id, dialog_id):
        """The customer's chat shows that the team is typing."""
        scope = load(business_id, "canReply")
        conversation = _conversation(scope, dialog_id)
        return self._act(scope, conversation, ActionForm(request.form),
                         lambda: messages.send_typing(scope.user, conversation.id),
                         _("The customer sees that you are typing."))

    @expose("/<business_id>/inbox/<dialog_id>/read", methods=("POST",))
    def inbox_read(self, business_id, dialog_id):
        scope = load(business_id)
        conversation = _conversation(scope, dialog_id)
        return self._act(scope, conversation, ActionForm(request.form),
                         lambda: dialogs.mark_read(scope.user, conversation.id),
                         _("Marked as read."))

    @expose("/<business_id>/inbox/<dialog_id>/unread", methods=("POST",))
    def inbox_unread(self, business_id, dialog_id):
        scope = load(business_id)
        conversation = _conversation(scope, dialog_id)
        return self._act(scope, conversation, ActionForm(request.form),
                         lambda: dialogs.mark_unread(scope.user, conversation.id),
                         _("Marked as unread."), keep_open=False)

    @expose("/<business_id>/inbox/<dialog_id>/archive", methods=("POST",))
    def inbox_archive(self, business_id, dialog_id):
        scope = load(business_id, "canReply")
        conversation = _conversation(scope, dialog_id)
        archived = request.form.get("archived", "1") == "1"

        def archive():
            found = dialogs.set_archived(scope.user, conversation.id, archived)
            scope.record("archive" if archived else "restore", "dialog", conversation.id,
                         {"status": conversation.status}, {"status": found.status})
            return found

        return self._act(scope, conversation, ActionForm(request.form), archive,
                         _("The dialog is archived.") if archived
                         else _("The dialog is back among the open ones."))

    @expose("/<business_id>/inbox/<dialog_id>/assign", methods=("POST",))
    def inbox_assign(self, business_id, dialog_id):
        scope = load(business_id, "canReply")
        conversation = _conversation(scope, dialog_id)
        assignee_id = request.form.get("assignee") or None

        def take():
            found = dialogs.assign(scope.user, conversation.id, assignee_id)
            scope.record("assign", "dialog", conversation.id,
                         {"assigned_to": conversation.assigned_to},
                         {"assigned_to": found.assigned_to})
            return found

        return self._act(scope, conversation, ActionForm(request.form), take,
                         _("The dialog is yours now.") if assignee_id in (None, scope.user.id)
                         else _("The dialog is handed over."))

    @expose("/<business_id>/inbox/<dialog_id>/block", methods=("POST",))
    def inbox_block(self, business_id, dialog_id):
        scope = load(business_id)
        if not is_lead(scope.member):
            abort(403)
        conversation = _conversation(scope, dialog_id)
        form = BlockForm(request.form)

        def block():
            found = inbox_team.block_customer(scope.business, scope.user, conversation.id,
                                              form.hours.data, form.reason.data)
            scope.record("block", "customer", conversation.customer_id, {},
                         {"until": isoformat(found.until), "reason": found.reason})
            return found

        return self._act(scope, conversation, form, block,
                         _("The customer cannot write to the business until the block ends."))

    @expose("/<business_id>/inbox/<dialog_id>/unblock", methods=("POST",))
    def inbox_unblock(self, business_id, dialog_id):
        scope = load(business_id)
        if not is_lead(scope.member):
            abort(403)
        conversation = _conversation(scope, dialog_id)

        def unblock():
            if inbox_team.unblock_customer(scope.business, scope.user, conversation.id):
                scope.record("unblock", "customer", conversation.customer_id,
                             {"blocked": True}, {"blocked": False})

        return self._act(scope, conversation, ActionForm(request.form), unblock,
                         _("The customer can write again."))

    @expose("/<business_id>/inbox/duty", methods=("POST",))
    def inbox_duty(self, business_id):
        scope = load(business_id, "canReply")
        on_duty = request.form.get("on_duty") == "1"
        def duty():
            found = inbox_team.set_on_duty(scope.business, scope.user, on_duty)
            scope.record("duty", "member", found.id, {"on_duty": bool(scope.member.on_duty)},
                         {"on_duty": found.on_duty})
            return found

        return self._act(scope, None, ActionForm(request.form), duty,
                         _("You are on duty: the bot calls you to dialogs.") if on_duty
                         else _("You are off duty."))

    # --- answering ------------------------------------------------------------------------------

    def _act(self, scope, conversation, form, run, message, keep_open=True):
        """Check the form's CSRF token, run the service call, answer as JSON or redirect."""
        if not form.validate():
            return self._answer(scope, conversation, error=AppError(
                "csrf_failed", _("The form has expired. Reload the page and try again."),
                status=400))
        try:
            result = run()
        except AppError as error:
            return self._answer(scope, conversation, error=error)
        return self._answer(scope, conversation, result=result, message=message,
                            keep_open=keep_open)

    def _answer(self, scope, conversation, result=None, message=None, error=None,
                keep_open=True):
        if _wants_json():
            if error is not None:
                body = {"code": error.code, "message": error.message}
                if error.code == "csrf_failed":  # the page was open too long: a fresh token
                    body["csrfToken"] = ActionForm().csrf_token.current_token
                return jsonify({"error": body}), error.status
            return jsonify({"data": result if isinstance(result, dict) else None,
                            "message": str(message)})
        say(error.message if error is not None else message,
            "error" if error is not None else "success")
        view = InboxView(request.form)
        # Marking a dialog unread closes it: shown again, it would be read at once.
        dialog = (conversation.id if conversation is not None else view.dialog) \
            if keep_open else None
        return redirect(url_for("cabinet_business.inbox", business_id=scope.business.id,
                                **view.params(dialog=dialog)), code=303)

