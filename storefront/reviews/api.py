"""Review API: approved reviews for everyone, submissions queued for moderation."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from ..extensions import db, limiter
from ..moderation.models import ModerationStatus
from ..moderation.schemas import SubmissionAcceptedSchema, SubmissionCreateFields
from ..moderation.services import SUBMISSION_RATE_LIMIT, moderation_settings
from ..pagination import PageArgsSchema, page_schema
from ..restapi import service_errors
from . import services

PROOF_FIELDS = ("review_key", "order_number", "order_token")


class ReviewSchema(ma.Schema):
    """An approved review (the author's email is never shown)."""

    id = ma.fields.Integer(required=True)
    rating = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    body = ma.fields.String(required=True)
    author_name = ma.fields.String(required=True)
    verified_purchase = ma.fields.Boolean(required=True)
    created_at = ma.fields.DateTime(required=True)


class ReviewCreateSchema(SubmissionCreateFields):
    """A new review: 1-5 stars, a title and a body."""

    rating = ma.fields.Integer(strict=True, required=True,
                               validate=ma.validate.Range(min=1, max=5))
    title = ma.fields.String(load_default="", validate=ma.validate.Length(max=120))
    review_key = ma.fields.String(
        load_default=None, validate=ma.validate.Length(max=200),
        metadata={"description": "The key of a review link from an order's email: the "
                                 "review is then marked as a verified purchase."})
    order_number = ma.fields.String(
        load_default=None, validate=ma.validate.Length(max=20),
        metadata={"description": "With `order_token`, proof of purchase instead of a key."})
    order_token = ma.fields.String(
        load_default=None, validate=ma.validate.Length(max=100),
        metadata={"description": "The order's secret token, given at checkout."})


ReviewPageSchema = page_schema(ReviewSchema, "ReviewPage")


def review_dict(item) -> dict:
    """The public form of a review."""
    return {"id": item.id, "rating": item.rating, "title": item.title, "body": item.body,
            "author_name": item.author_name, "verified_purchase": item.verified_purchase,
            "created_at": item.created_at}


def make_blueprint() -> Blueprint:
    """A fresh reviews blueprint for one app."""
    blp = Blueprint("reviews", __name__, url_prefix="/products",
                    description="Product reviews (approved ones only are public).")

    @blp.route("/<slug>/reviews")
    class Reviews(MethodView):
        @blp.etag
        @blp.arguments(PageArgsSchema, location="query")
        @blp.response(200, ReviewPageSchema)
        @blp.alt_response(404, description="No product with this slug.")
        def get(self, args, slug):
            """List a product's approved reviews, newest first."""
            with service_errors():
                rows, next_cursor = services.approved_reviews(db.session, slug, **args)
            return {"items": [review_dict(r) for r in rows], "next_cursor": next_cursor}

        @limiter.limit(SUBMISSION_RATE_LIMIT, methods=["POST"])
        @blp.arguments(ReviewCreateSchema)
        @blp.response(202, SubmissionAcceptedSchema)
        @blp.alt_response(404, description="No product with this slug.")
        @blp.alt_response(422, description="Invalid fields, or a proof of purchase that "
                                           "does not hold (`reason`: `invalid_proof`).")
        def post(self, review, slug):
            """Send a review; it is shown once a moderator approves it.

            The verified-purchase badge needs proof: the key of a review link from the
            order's email, or the order number with its token. One email has at most one
            approved review of a product: a later one replaces it once approved."""
            state = current_app.extensions["storefront"]
            plugins = state.plugins
            proof = {name: review.pop(name) for name in PROOF_FIELDS}
            with service_errors():
                order_number = services.proven_order(db.session, state.settings.secret_key,
                                                     **proof)
                item = services.submit_review(
                    db.session, plugins, slug=slug, proven_order_number=order_number,
                    spam_settings=moderation_settings(
                        current_app.extensions["storefront"].settings), **review)
            # Spam is not announced to whoever sent it.
            return {"id": item.id, "status": ModerationStatus.PENDING}

    return blp
