"""Content API: exercises and published articles."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from storefront.plugin_api import PageArgsSchema, db, page_schema, public_count

from . import presenters, read_models, services
from .schemas import ArticleSchema, ArticleSummarySchema, ExerciseSchema, ExerciseSummarySchema

ExercisePageSchema = page_schema(ExerciseSummarySchema, "ExercisePage")
ArticlePageSchema = page_schema(ArticleSummarySchema, "ArticlePage")


def make_blueprints() -> list[Blueprint]:
    """Fresh content blueprints for one app."""
    exercises = Blueprint("exercises", __name__, url_prefix="/exercises",
                          description="Exercises and the bands they use.")
    articles = Blueprint("articles", __name__, url_prefix="/articles",
                         description="Published articles.")

    @exercises.route("")
    class Exercises(MethodView):
        @exercises.etag
        @exercises.arguments(PageArgsSchema, location="query")
        @exercises.response(200, ExercisePageSchema)
        def get(self, args):
            """List exercises."""
            rows, next_cursor = services.list_exercises(db.session, **args)
            return {"items": [presenters.exercise_summary(e) for e in rows],
                    "next_cursor": next_cursor}

    @exercises.route("/<slug>")
    class ExerciseDetail(MethodView):
        @exercises.etag
        @exercises.response(200, ExerciseSchema)
        @exercises.alt_response(404, description="No exercise with this slug.")
        def get(self, slug):
            """Show one exercise with its steps, the bands it uses and the articles on it."""
            try:
                return read_models.exercise_detail(db.session, slug)
            except services.NotFound as exc:
                abort(404, message=str(exc))

    @articles.route("")
    class Articles(MethodView):
        @articles.etag
        @articles.arguments(PageArgsSchema, location="query")
        @articles.response(200, ArticlePageSchema)
        def get(self, args):
            """List published articles, newest first."""
            rows, next_cursor = services.list_articles(db.session, **args)
            return {"items": [presenters.article_summary(a) for a in rows],
                    "next_cursor": next_cursor}

    @articles.route("/<slug>")
    class ArticleDetail(MethodView):
        @articles.etag
        @articles.response(200, ArticleSchema)
        @articles.alt_response(404, description="No published article with this slug.")
        def get(self, slug):
            """Show one published article, its body as sanitised HTML."""
            try:
                row = read_models.article_row(db.session, slug)
            except services.NotFound as exc:
                abort(404, message=str(exc))
            count = public_count(db.session, kind="comment", target_type="article",
                                 target_id=row.id)
            return read_models.article_detail(db.session, row, store=True,
                                              comment_count=count)[0]

    return [exercises, articles]
