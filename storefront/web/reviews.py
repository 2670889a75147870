"""Reviews on the product page: approved ones shown, new ones queued for moderation."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request, url_for
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..extensions import db, limiter
from ..moderation.services import SUBMISSION_RATE_LIMIT, moderation_settings
from ..reviews import services as reviews
from . import holes
from .submissions import pending_result, submit_for_moderation
from .validators import same_email_rule_as_the_api

PAGE_REVIEWS = 10


class ReviewForm(FlaskForm):
    """A visitor's review, with a honeypot field people never see."""

    rating = IntegerField("Rating", validators=[
        InputRequired("Choose from 1 to 5 stars."),
        NumberRange(min=1, max=5, message="Choose from 1 to 5 stars.")])
    title = StringField("Title", default="", validators=[Length(max=120)])
    body = TextAreaField("Your review", validators=[DataRequired(), Length(max=5000)])
    author_name = StringField("Your name (shown)", validators=[DataRequired(), Length(max=80)])
    email = EmailField("Your email (never shown)",
                       validators=[DataRequired(), Length(max=254), same_email_rule_as_the_api])
    website = StringField("Leave this empty")  # honeypot
    review_key = HiddenField(validators=[Length(max=200)])  # from an order's review link
    submit = SubmitField("Send review")


def recent_reviews(slug: str) -> list:
    """The newest approved reviews of a product, for its page (one query)."""
    rows, _ = reviews.approved_reviews(db.session, slug, limit=PAGE_REVIEWS, cursor=None)
    return rows


def review_key_input() -> dict:
    """The proof of purchase a review link carries (`?review=`), kept in the form."""
    key = request.args.get("review")
    secret = current_app.extensions["storefront"].settings.secret_key
    return {"key": key, "number": reviews.order_number_from_key(secret, key)}


def _submit(slug: str):
    """Send a page review, with the proof of purchase its form carried, if any."""
    def submit(plugins, review_key=None, **fields):
        number = reviews.proven_order(
            db.session, current_app.extensions["storefront"].settings.secret_key,
            review_key=review_key or None)
        settings = current_app.extensions["storefront"].settings
        return reviews.submit_review(db.session, plugins, slug=slug,
                                     proven_order_number=number,
                                     spam_settings=moderation_settings(settings), **fields)
    return submit


def _page_again(slug: str) -> Callable:
    """Draws the product page of a review being sent again, as written, with its result."""
    def render(form, result) -> str:
        from . import product_page  # the page is drawn where its route is
        secret = current_app.extensions["storefront"].settings.secret_key
        number = reviews.order_number_from_key(secret, form.review_key.data or None)
        return product_page(slug, review_form=form, review_result=result,
                            review_number=number)
    return render


def register(bp) -> None:
    """Add the review form's target, and the holes its page shows, to the storefront
    blueprint."""
    holes.add(bp, "review_key", "storefront/holes/review_key.html", review_key_input)
    holes.add(bp, "form_result", "storefront/holes/form_result.html", pending_result)

    def send(breached=None):
        """Send the review; past its rate limit (`breached`), show it again instead."""
        slug = (request.view_args or {})["slug"]
        return submit_for_moderation(ReviewForm(), url_for(".product", slug=slug), "review",
                                     _submit(slug), render=_page_again(slug),
                                     breached=breached)

    @bp.route("/products/<slug>/reviews", methods=["POST"])
    @limiter.limit(SUBMISSION_RATE_LIMIT, on_breach=send)
    def review_submit(slug):
        """Queue a review for moderation and thank the writer beside the form."""
        return send()
