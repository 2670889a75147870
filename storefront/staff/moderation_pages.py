"""Staff console: the moderation queue, item details with their audit trail, and decisions."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import AnyOf, Length

from ..errors import ServiceError
from ..extensions import db
from ..moderation import services as moderation
from ..moderation.models import ModerationStatus

QUEUE_PAGE = 25


class DecisionForm(FlaskForm):
    """A moderator's decision with an optional reason (CSRF-protected)."""

    action = HiddenField(validators=[AnyOf(list(moderation.ACTIONS))])
    reason = TextAreaField("Reason (optional, kept in the audit log)",
                           validators=[Length(max=1000)])


def role_required(role: str):
    """Only logged-in staff with `role` (admins pass every check); others get a 403."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not current_user.has_role(role):
                abort(403, description=f"This page needs the {role} role, and you are "
                      f"{'an' if current_user.role[0] in 'aeiou' else 'a'} "
                      f"{current_user.role}. Ask an admin if you need it.")
            return view(*args, **kwargs)
        return wrapper
    return decorator


def _plugins():
    return current_app.extensions["storefront"].plugins


def register(bp) -> None:
    """Add the moderation pages to the staff console blueprint."""

    @bp.route("/moderation")
    @role_required("moderator")
    def moderation_queue():
        """The queue across kinds, filtered by status and kind."""
        status = request.args.get("status", ModerationStatus.PENDING)
        kind = request.args.get("kind") or None
        kinds = moderation.kinds(_plugins())
        if status not in (*ModerationStatus, "all") or (kind and kind not in kinds):
            abort(404)
        try:
            rows, next_cursor = moderation.queue(
                db.session, _plugins(), status=None if status == "all" else status, kind=kind,
                limit=QUEUE_PAGE, cursor=request.args.get("cursor"))
        except ServiceError:  # a cursor that is not ours
            abort(404)
        return render_template("staff/moderation.html", items=rows, next_cursor=next_cursor,
                               status=status, kind=kind, kinds=kinds,
                               statuses=list(ModerationStatus),
                               form=DecisionForm(formdata=None), actions=moderation.ACTIONS)

    @bp.route("/moderation/<kind>/<int:item_id>", methods=["GET", "POST"])
    @role_required("moderator")
    def moderation_item(kind, item_id):
        """One item: its text, spam reasons, audit trail, and the decision buttons."""
        try:
            item = moderation.get_item(db.session, _plugins(), kind, item_id)
        except ServiceError:
            abort(404)
        form = DecisionForm()
        if request.method == "POST":
            if form.validate_on_submit():
                try:
                    moderation.act(db.session, _plugins(), kind=kind, item_id=item_id,
                                   action=form.action.data, actor=current_user,
                                   reason=form.reason.data or "")
                    flash(f"{kind.title()} {item_id}: {form.action.data} done.")
                except ServiceError as exc:
                    flash(exc.message)
            else:
                flash("That decision could not be recorded; please try again.")
            back = request.form.get("back", "")
            if not back.startswith("/staff/") or back.startswith("//"):
                back = url_for(".moderation_item", kind=kind, item_id=item_id)
            return redirect(back, 303)
        return render_template("staff/moderation_item.html", item=item,
                               form=DecisionForm(formdata=None), actions=moderation.ACTIONS)
