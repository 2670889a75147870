"""Reviews on the product page: approved ones shown, new ones queued for moderation."""

from __future__ import annotations

from flask import url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from ..extensions import db, limiter
from ..reviews import services as reviews
from .cart import same_email_rule_as_the_api
from .submissions import submit_for_moderation

SUBMIT_LIMIT = "5 per minute; 30 per hour"
PAGE_REVIEWS = 10


class ReviewForm(FlaskForm):
    """A visitor's review, with a honeypot field people never see."""

    rating = IntegerField("Rating (1 to 5 stars)", validators=[NumberRange(min=1, max=5)])
    title = StringField("Title", validators=[Length(max=120)])
    body = TextAreaField("Your review", validators=[DataRequired(), Length(max=5000)])
    author_name = StringField("Your name (shown)", validators=[DataRequired(), Length(max=80)])
    email = EmailField("Your email (never shown)",
                       validators=[DataRequired(), Length(max=254), same_email_rule_as_the_api])
    website = StringField("Leave this empty")  # honeypot
    submit = SubmitField("Send review")


def recent_reviews(slug: str) -> list:
    """The newest approved reviews of a product, for its page (one query)."""
    rows, _ = reviews.approved_reviews(db.session, slug, limit=PAGE_REVIEWS, cursor=None)
    return rows


def register(bp) -> None:
    """Add the review form's target to the storefront blueprint."""

    @bp.route("/products/<slug>/reviews", methods=["POST"])
    @limiter.limit(SUBMIT_LIMIT)
    def review_submit(slug):
        """Queue a review for moderation and thank the writer."""
        return submit_for_moderation(
            ReviewForm(), url_for(".product", slug=slug) + "#reviews", "review",
            lambda plugins, **fields: reviews.submit_review(db.session, plugins, slug=slug,
                                                            **fields))
