"""Newsletter pages: the sign-up form's answer, the confirmation and unsubscribe links.

Every sign-up sent from a page (the footer of every page, the end of every article, the
newsletter page itself) comes here and is answered with the same page, whatever the
address's status. The unsubscribe address is also the one-click endpoint of RFC 8058
(`List-Unsubscribe-Post`): a mail program POSTs to it with no CSRF token, so it, and only
it, checks none; the signed token in its address is what proves the email was opened.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.routing import BuildError
from wtforms import EmailField, HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from plugins.types import FooterForm
from storefront.plugin_api import (
    InvalidError,
    absolute_url,
    db,
    from_another_site,
    limiter,
    pages_url,
    same_email_rule_as_the_api,
    shop_name,
)

from . import newsletter
from .newsletter_links import LinkExpired, LinkInvalid, Signer
from .newsletter_mail import Mailing

# How often one visitor may ask for the newsletter: one count for pages and the API, so
# that switching from one to the other gains nothing.
NEWSLETTER_RATE_LIMIT = "5 per minute; 30 per hour"
RATE_LIMIT_SCOPE = "newsletter-sign-up"
HEADING = "Get the newsletter"
BLURB = "New articles and exercises, now and then. Confirm by email; leave with one click."


class SignUpForm(FlaskForm):
    """An address for the newsletter, with a honeypot field people never see. It carries
    no CSRF token, so that the footer of every page can hold it without a session cookie
    (see `storefront.web.crossorigin`); its endpoint refuses other sites' posts."""

    class Meta:
        csrf = False

    email = EmailField("Your email", validators=[DataRequired(), Length(max=254),
                                                 same_email_rule_as_the_api])
    source = HiddenField()  # `article:<slug>` from an article's form; ignored when unknown
    website = StringField("Leave this empty")  # honeypot
    submit = SubmitField("Sign up")


def signer() -> Signer:
    return Signer(current_app.secret_key or "")


def mailing() -> Mailing:
    """What the newsletter's emails need from this app."""
    return Mailing(signer=signer(), pages_base=absolute_url(pages_url("/")).rstrip("/"),
                   shop_name=shop_name())


def footer_forms() -> list[FooterForm]:
    """The sign-up in the footer of every page (none on an app without these pages)."""
    try:
        action = url_for("newsletter.subscribe")
    except BuildError:
        return []
    return [FooterForm(action=action, heading=HEADING, blurb=BLURB, label="Your email",
                       button="Sign up", order=50)]


def make_blueprint() -> Blueprint:
    """A fresh blueprint of the newsletter's pages for one app."""
    bp = Blueprint("newsletter", __name__, template_folder="templates")

    @bp.route("/newsletter", methods=["GET"])
    def sign_up():
        """The newsletter's own page: what it is, and the form."""
        return render_template("content/newsletter/sign_up.html", form=SignUpForm(formdata=None))

    @bp.route("/newsletter", methods=["POST"])
    @limiter.shared_limit(NEWSLETTER_RATE_LIMIT, RATE_LIMIT_SCOPE)
    def subscribe():
        """Ask for the newsletter; every address gets the same answer page."""
        form = SignUpForm()
        if from_another_site():
            return render_template("content/newsletter/sign_up.html", form=form,
                                   foreign=True), 403
        if not form.validate_on_submit():
            return render_template("content/newsletter/sign_up.html", form=form), 422
        try:
            source = newsletter.checked_source(db.session, form.source.data or None)
        except InvalidError:
            source = None  # a page's source is only a hint: a sign-up never fails on it
        newsletter.subscribe(db.session, email=form.email.data, source=source,
                             mailing=mailing(), honeypot=form.website.data or "")
        return redirect(url_for(".sent"), 303)

    @bp.route("/newsletter/check-your-inbox")
    def sent():
        """The answer to every sign-up."""
        return render_template("content/newsletter/sent.html")

    @bp.route("/newsletter/confirm/<token>")
    def confirm(token):
        """Follow the emailed link: the address is confirmed (again is fine)."""
        try:
            outcome = newsletter.confirm(db.session, token, mailing=mailing())
        except LinkExpired:
            return _link_problem("expired"), 410
        except LinkInvalid:
            return _link_problem("invalid"), 400
        if outcome == "unsubscribed":
            return _link_problem("left"), 410
        return render_template("content/newsletter/confirmed.html")

    @bp.route("/newsletter/unsubscribe/<token>", methods=["GET", "POST"])
    def unsubscribe(token):
        """Leave the newsletter: one click from the email (GET), or the mail program's
        one-click POST (RFC 8058). Exempt from CSRF on purpose, the only POST of the
        pages that is: the mail program sends no token, and the signed link proves the
        request comes from the email."""
        try:
            newsletter.unsubscribe(db.session, token, signer=signer())
        except LinkInvalid:
            return _link_problem("invalid"), 400
        return render_template("content/newsletter/unsubscribed.html")

    return bp


LINK_PROBLEMS = {"expired": "This link has expired", "left": "This link is no longer valid",
                 "invalid": "This link does not work"}


def _link_problem(problem: str) -> str:
    """The page for a link that does not work (any more), with the sign-up form."""
    return render_template("content/newsletter/link_problem.html", problem=problem,
                           heading=LINK_PROBLEMS[problem], form=SignUpForm(formdata=None))
