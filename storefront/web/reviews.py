"""Reviews on the product page: approved ones shown, new ones queued for moderation."""

from __future__ import annotations

from flask import current_app, flash, redirect, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from ..errors import ServiceError
from ..extensions import db, limiter
from ..reviews import services as reviews
from .cart import same_email_rule_as_the_api

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
        form = ReviewForm()
        back = url_for(".product", slug=slug) + "#reviews"
        if not form.validate_on_submit():
            problems = "; ".join(f"{form[name].label.text}: {errors[0]}"
                                 for name, errors in form.errors.items())
            flash(f"Your review was not sent. {problems}")
            return redirect(back, 303)
        try:
            reviews.submit_review(db.session, current_app.extensions["storefront"].plugins,
                                  slug=slug, rating=form.rating.data, title=form.title.data or "",
                                  body=form.body.data, author_name=form.author_name.data,
                                  email=form.email.data, honeypot=form.website.data or "")
        except ServiceError as exc:
            flash(exc.message)
            return redirect(back, 303)
        flash("Thank you! Your review will appear once a moderator has approved it.")
        return redirect(back, 303)
