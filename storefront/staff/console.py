"""Staff console pages: log in, log out, dashboard."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_limiter.errors import RateLimitExceeded
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from ..extensions import db, limiter, login
from . import moderation_pages, report_pages, services
from .models import StaffUser

LOGIN_FAILURE_LIMIT = "5 per minute; 30 per hour"


class LoginForm(FlaskForm):
    """Email and password, with a CSRF token."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField("Log in")


class LogoutForm(FlaskForm):
    """A CSRF-protected button."""

    submit = SubmitField("Log out")


@login.user_loader
def load_staff_user(user_id: str) -> StaffUser | None:
    """Flask-Login's way back from the session cookie to the staff member."""
    if not user_id.isdigit():
        return None
    return db.session.get(StaffUser, int(user_id))


def _failed(response) -> bool:
    # Only failed attempts count towards the limit; a successful login redirects.
    return response.status_code != 302


def make_blueprint() -> Blueprint:
    """A fresh staff console blueprint for one app."""
    bp = Blueprint("staff_console", __name__, url_prefix="/staff")
    login.login_view = "staff_console.login"
    login.login_message = "Please log in to see the staff console."

    @bp.route("/login", endpoint="login", methods=["GET", "POST"])
    @limiter.limit(LOGIN_FAILURE_LIMIT, methods=["POST"], deduct_when=_failed)
    def login_page():
        """Log a staff member in."""
        form = LoginForm()
        if form.validate_on_submit():
            user = services.authenticate(db.session, form.email.data, form.password.data)
            if user is not None:
                login_user(user)
                return redirect(_safe_next(request.args.get("next")))
            form.password.errors.append("That email and password do not match an active account.")
        status = 400 if request.method == "POST" else 200
        return render_template("staff/login.html", form=form), status

    @bp.errorhandler(RateLimitExceeded)
    def too_many_attempts(error):
        """Tell the person to wait instead of guessing on."""
        form = LoginForm()
        return render_template("staff/login.html", form=form, locked=True), 429

    @bp.route("/logout", methods=["POST"])
    def logout():
        """End the staff session."""
        if LogoutForm().validate_on_submit():
            logout_user()
            flash("You have been logged out.")
        return redirect(url_for(".login"))

    moderation_pages.register(bp)
    report_pages.register(bp)
    return bp


def _safe_next(target: str | None) -> str:
    """Follow `next` only to a path on this site, never to another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("staff_console.dashboard")
