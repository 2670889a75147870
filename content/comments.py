"""Article comments: the same moderation lifecycle as reviews, through the core's queue."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from storefront.plugin_api import (
    SUBMISSION_RATE_LIMIT,
    ModerationStatus,
    ModerationTarget,
    NotFoundError,
    PageArgsSchema,
    SubmissionAcceptedSchema,
    SubmissionCreateFields,
    db,
    limiter,
    page_schema,
    public_items,
    service_errors,
    submit_moderated,
)

from .models import Article
from .services import published

KIND = "comment"


class CommentSchema(ma.Schema):
    """An approved comment (the author's email is never shown)."""

    id = ma.fields.Integer(required=True)
    body = ma.fields.String(required=True)
    author_name = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)


CommentPageSchema = page_schema(CommentSchema, "CommentPage")


def article_target(session, slug: str) -> ModerationTarget:
    """The published article a comment is about; drafts and unknown slugs are not found."""
    row = session.execute(published(select(Article.id, Article.title)
                                    .where(Article.slug == slug))).first()
    if row is None:
        raise NotFoundError(f"No article {slug!r}.")
    return ModerationTarget(type="article", id=row.id, slug=slug, title=row.title)


def submit_comment(session, plugins, *, slug: str, body: str, author_name: str, email: str,
                   honeypot: str = ""):
    """Store a comment as pending (or spam)."""
    return submit_moderated(session, plugins, kind=KIND, target=article_target(session, slug),
                            author_name=author_name, email=email, body=body,
                            honeypot=honeypot)


def approved_comments(session, slug: str, *, limit: int, cursor: str | None):
    """An article's approved comments, newest first."""
    return public_items(session, kind=KIND, target=article_target(session, slug),
                        limit=limit, cursor=cursor)


def comment_dict(item) -> dict:
    """The public form of a comment."""
    return {"id": item.id, "body": item.body, "author_name": item.author_name,
            "created_at": item.created_at}


def make_blueprint() -> Blueprint:
    """A fresh comments blueprint for one app."""
    blp = Blueprint("comments", __name__, url_prefix="/articles",
                    description="Article comments (approved ones only are public).")

    @blp.route("/<slug>/comments")
    class Comments(MethodView):
        @blp.etag
        @blp.arguments(PageArgsSchema, location="query")
        @blp.response(200, CommentPageSchema)
        @blp.alt_response(404, description="No published article with this slug.")
        def get(self, args, slug):
            """List an article's approved comments, newest first."""
            with service_errors():
                rows, next_cursor = approved_comments(db.session, slug, **args)
            return {"items": [comment_dict(c) for c in rows], "next_cursor": next_cursor}

        @limiter.limit(SUBMISSION_RATE_LIMIT, methods=["POST"])
        @blp.arguments(SubmissionCreateFields)
        @blp.response(202, SubmissionAcceptedSchema)
        @blp.alt_response(404, description="No published article with this slug.")
        def post(self, comment, slug):
            """Send a comment; it is shown once a moderator approves it."""
            plugins = current_app.extensions["storefront"].plugins
            with service_errors():
                item = submit_comment(db.session, plugins, slug=slug, **comment)
            return {"id": item.id, "status": ModerationStatus.PENDING}

    return blp
