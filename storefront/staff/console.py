"""Staff console pages: log in, log out, dashboard."""

from __future__ import annotations

import time
from collections.abc import Sequence
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from ..emails import normalise_email
from ..extensions import db, limiter, login
from ..moderation import services as moderation
from ..orders.models import Order
from . import (
    discount_pages,
    links,
    moderation_pages,
    report_pages,
    services,
    shipping_pages,
    team_pages,
)
from .models import StaffUser

LOGIN_FAILURE_LIMIT = "5 per minute; 30 per hour"
SEEN_KEY = "staff_seen"  # when the console session last made a request (epoch seconds)


class LoginForm(FlaskForm):
    """Email and password, with a CSRF token."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField("Log in")


class LogoutForm(FlaskForm):
    """A CSRF-protected button."""

    submit = SubmitField("Log out")


@login.user_loader
def load_staff_user(value: str) -> StaffUser | None:
    """Flask-Login's way back from the session cookie to the staff member; a session that
    logout, a new password or deactivation ended finds nobody."""
    return services.user_for_session(db.session, value)


def init_login(app, *, pages: bool) -> None:
    """Sign staff in through the shop's LoginManager on `app`.

    An app has one login manager (`app.login_manager`, which `current_user` reads). A host
    app that brings its own keeps it: without the shop's pages nothing of the shop needs
    Flask-Login (the staff API takes bearer tokens); with them, the staff console and
    previews need the shop's, so mounting them there is refused with a clear message."""
    own = getattr(app, "login_manager", None)
    if own is None or own is login:
        login.init_app(app)
    elif pages:
        from .. import ConfigError
        raise ConfigError(
            "the app has a LoginManager of its own, and the shop's pages sign staff in with "
            "the shop's: mount the shop with pages=False, or leave login to the shop")


def _failed(response) -> bool:
    # Only failed attempts count towards the limit; a successful login redirects.
    return response.status_code != 302


def login_attempt_key() -> str:
    """Login failures count per account and address together: a stranger guessing at one
    account, or at many, never locks anyone else out of theirs."""
    email = normalise_email(request.form.get("email", ""))[:254]
    return f"staff-login:{get_remote_address()}:{email}"


def end_idle_console_session():
    """A console session unused for `STAFF_SESSION_HOURS` ends; any use keeps it going."""
    if not current_user.is_authenticated:
        return None
    now = int(time.time())
    idle_limit = current_app.config["STAFF_SESSION_HOURS"] * 3600
    seen = session.get(SEEN_KEY)
    if not isinstance(seen, int) or now - seen > idle_limit:
        logout_user()
        session.pop(SEEN_KEY, None)
        return None
    if now - seen >= 60:  # a new cookie at most once a minute
        session[SEEN_KEY] = now
    return None


def console_user() -> StaffUser | None:
    """The signed-in staff member, if any."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def console_nav() -> list[links.NavEntry]:
    """The console's sections the signed-in staff member may use, the current one marked."""
    user = console_user()
    if user is None:
        return []
    plugins = current_app.extensions["storefront"].plugins
    visible = links.visible_links(plugins.hook.staff_console_links(), user,
                                  current_app.view_functions)
    return links.navigation(visible, url_for, request.endpoint, request.path)


def console_context() -> dict:
    """`console_user()` and `console_nav()` for `staff/base.html`, on every page of the app
    (plugins' console pages extend it too)."""
    return {"console_user": console_user, "console_nav": console_nav}


def make_blueprint() -> Blueprint:
    """A fresh staff console blueprint for one app."""
    bp = Blueprint("staff_console", __name__, url_prefix="/staff")
    bp.before_request(end_idle_console_session)
    bp.app_context_processor(console_context)

    @bp.route("/login", endpoint="login", methods=["GET", "POST"])
    @limiter.limit(LOGIN_FAILURE_LIMIT, methods=["POST"], deduct_when=_failed,
                   key_func=login_attempt_key)
    def login_page():
        """Log a staff member in."""
        form = LoginForm()
        if form.validate_on_submit():
            user = services.authenticate(db.session, form.email.data, form.password.data)
            if user is not None:
                login_user(user)
                session[SEEN_KEY] = int(time.time())
                return redirect(_safe_next(request.args.get("next")))
            form.password.errors.append("That email and password do not match an active account.")
        status = 400 if request.method == "POST" else 200
        return render_template("staff/login.html", form=form), status

    @bp.errorhandler(RateLimitExceeded)
    def too_many_attempts(error):
        """Tell the person to wait instead of guessing on."""
        if request.endpoint == "staff_console.accept_invite":
            return team_pages.locked_out()
        form = LoginForm()
        return render_template("staff/login.html", form=form, locked=True), 429

    @bp.route("/")
    @login_required
    def dashboard():
        """The console's home: the sections this staff member may use, what waits for
        moderation (moderators), recent orders (admins)."""
        user = current_user._get_current_object()
        orders: Sequence[Order] = []
        if user.has_role("admin"):
            orders = db.session.scalars(select(Order).order_by(Order.id.desc()).limit(10)).all()
        plugins = current_app.extensions["storefront"].plugins
        return render_template(
            "staff/dashboard.html", user=user, sections=console_nav(),
            descriptions=links.DESCRIPTIONS, role_summary=links.ROLE_SUMMARIES[user.role],
            counts=moderation.pending_counts(db.session) if user.has_role("moderator") else {},
            kinds=moderation.kinds(plugins), orders=orders)

    @bp.route("/logout", methods=["POST"])
    def logout():
        """End the staff session."""
        if LogoutForm().validate_on_submit():
            if current_user.is_authenticated:
                services.end_sessions(db.session, current_user._get_current_object())
            logout_user()
            session.pop(SEEN_KEY, None)
            flash("You have been logged out.")
        return redirect(url_for(".login"))

    moderation_pages.register(bp)
    report_pages.register(bp)
    shipping_pages.register(bp)
    discount_pages.register(bp)
    team_pages.register(bp)
    return bp


def _safe_next(target: str | None) -> str:
    """Follow `next` only to a page of the console, never to another host.

    Browsers drop tabs and line breaks from a URL and read backslashes as slashes, so
    `/%09/evil.example` would leave as `//evil.example`: a target with any control
    character is refused, and one is judged with its backslashes read as slashes."""
    dashboard = url_for("staff_console.dashboard")
    if not target or len(target) > 2000 or any(ord(ch) < 32 or ord(ch) == 127
                                               for ch in target):
        return dashboard
    as_read = target.replace("\\", "/")
    parts = urlsplit(as_read)
    if parts.scheme or parts.netloc or not as_read.startswith(dashboard):
        return dashboard
    return as_read
