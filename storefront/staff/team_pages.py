"""Staff console: the team (admin) and the page where an invited person joins.

`/staff/team` lists the staff, invites someone by email with a role (the one-time link is
shown once, on the answer to that form, and emailed), changes roles and shuts or reopens
accounts. `/staff/invite/<token>` lets the invited person choose a password.
"""

from __future__ import annotations

import time

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SubmitField,
)
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length

from ..errors import ServiceError
from ..extensions import db, limiter
from . import team
from .models import ROLES, StaffUser
from .moderation_pages import role_required
from .services import MIN_PASSWORD_LENGTH

ACCEPT_LIMIT = "5 per minute; 30 per hour"  # failed attempts, as for the login
ROLE_CHOICES = [SelectChoice(role, role.title()) for role in ROLES]


class InviteForm(FlaskForm):
    """Who to invite, and as what."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="editor")
    submit = SubmitField("Send invitation")


class RoleForm(FlaskForm):
    """A member's new role."""

    role = SelectField("Role", choices=ROLE_CHOICES)


class ActiveForm(FlaskForm):
    """Shut an account or open it again."""

    active = HiddenField(validators=[AnyOf(["0", "1"])])


class AcceptForm(FlaskForm):
    """The invited person's password, typed twice."""

    password = PasswordField("Choose a password", validators=[
        DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1000,
                               message=f"Use at least {MIN_PASSWORD_LENGTH} characters.")])
    confirm = PasswordField("Type it again", validators=[
        DataRequired(), EqualTo("password", message="The two passwords differ.")])
    submit = SubmitField("Join the staff")


def request_site_url() -> str:
    """The shop pages' address for links sent out: `PUBLIC_BASE_URL`, or else this
    request's host (which production checks against `TRUSTED_HOSTS`)."""
    settings = current_app.extensions["storefront"].settings
    base = settings.public_base_url or request.host_url.rstrip("/")
    return base + settings.pages_prefix.rstrip("/")


def _team_page(invite_form=None, new_invite=None, status=200):
    return render_template(
        "staff/team.html", members=team.members(db.session),
        invites=team.open_invites(db.session), audit=team.audit_entries(db.session, 20),
        invite_form=invite_form or InviteForm(formdata=None), new_invite=new_invite,
        role_form=RoleForm(formdata=None), active_form=ActiveForm(formdata=None),
        me=current_user, invite_days=team.INVITE_DAYS, roles=ROLES), status


def _failed(response) -> bool:
    return response.status_code not in (200, 302, 303)


def accept_attempt_key() -> str:
    """Failed accepts count per address, like failed logins."""
    return f"staff-invite:{get_remote_address()}"


def locked_out():
    """The accept page after too many failed attempts."""
    return render_template("staff/invite.html", form=None, invite=None,
                           problem="Too many attempts. Please wait a minute and try again."), 429


def register(bp) -> None:
    """Add the team pages and the invitation page to the staff console blueprint."""

    @bp.route("/team", endpoint="team")
    @role_required("admin")
    def team_page():
        """Everyone on the staff, open invitations, and recent changes."""
        return _team_page()

    @bp.route("/team/invites", methods=["POST"])
    @role_required("admin")
    def team_invite():
        """Invite someone: the link is shown here, once, and emailed to them."""
        form = InviteForm()
        if not form.validate_on_submit():
            return _team_page(invite_form=form, status=400)
        settings = current_app.extensions["storefront"].settings
        try:
            made = team.invite(db.session, email=form.email.data, role=form.role.data,
                               invited_by=current_user.email, site_url=request_site_url(),
                               shop_name=settings.shop_name)
        except ServiceError as exc:
            form.email.errors.append(exc.message)
            return _team_page(invite_form=form, status=exc.status)
        return _team_page(new_invite=made)

    @bp.route("/team/<int:member_id>/role", methods=["POST"])
    @role_required("admin")
    def team_role(member_id):
        """Give a staff member another role."""
        member = db.session.get(StaffUser, member_id) or _missing()
        form = RoleForm()
        if form.validate_on_submit():
            _change(member, role=form.role.data,
                    done=f"{member.email} is now {form.role.data}.")
        else:
            flash("That role change was not understood; nothing changed.")
        return redirect(url_for(".team"), 303)

    @bp.route("/team/<int:member_id>/active", methods=["POST"])
    @role_required("admin")
    def team_active(member_id):
        """Shut a staff member out (sessions end, tokens stop) or let them in again."""
        member = db.session.get(StaffUser, member_id) or _missing()
        form = ActiveForm()
        if form.validate_on_submit():
            active = form.active.data == "1"
            _change(member, active=active, done=f"{member.email} is "
                    f"{'active again' if active else 'deactivated'}.")
        else:
            flash("That change was not understood; nothing changed.")
        return redirect(url_for(".team"), 303)

    @bp.route("/invite/<token>", endpoint="accept_invite", methods=["GET", "POST"])
    @limiter.limit(ACCEPT_LIMIT, deduct_when=_failed, key_func=accept_attempt_key)
    def accept_invite(token):
        """Join the staff through an invitation: choose a password."""
        try:
            invite = team.invite_for_token(db.session, token)
        except ServiceError as exc:
            return render_template("staff/invite.html", form=None, invite=None,
                                   problem=exc.message), exc.status
        form = AcceptForm()
        if form.validate_on_submit():
            try:
                user = team.accept(db.session, token, form.password.data)
            except ServiceError as exc:
                return render_template("staff/invite.html", form=None, invite=None,
                                       problem=exc.message), exc.status
            login_user(user)
            from .console import SEEN_KEY
            session[SEEN_KEY] = int(time.time())
            flash(f"Welcome! You are signed in as {user.email}.")
            return redirect(url_for(".dashboard"), 303)
        status = 400 if request.method == "POST" else 200
        return render_template("staff/invite.html", form=form, invite=invite, problem=None,
                               min_length=MIN_PASSWORD_LENGTH), status


def _missing():
    abort(404)


def _change(member: StaffUser, *, done: str, **changes) -> None:
    try:
        team.change_member(db.session, email=member.email, actor=current_user.email, **changes)
    except ServiceError as exc:
        flash(exc.message)
    else:
        flash(done)
