"""Staff API (editor): exercises and articles in every status, with versions for safe edits."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from storefront.plugin_api import IF_MATCH_DOC as IF_MATCH
from storefront.plugin_api import (
    ImageUploadFileSchema,
    ImageUploadFormSchema,
    StaffImageSchema,
    allow_picture_uploads,
    db,
    if_match,
    image_json,
    limiter,
    media_storage,
    require_token,
    service_errors,
    upload_errors,
    upload_limits,
    utcnow,
)
from storefront.plugin_api import version_etag as etag

from . import editing
from .exercise_images import set_exercise_image
from .staff_schemas import (
    StaffArticleCreateSchema,
    StaffArticlePageSchema,
    StaffArticleSchema,
    StaffArticleUpdateSchema,
    StaffExerciseCreateSchema,
    StaffExercisePageSchema,
    StaffExerciseSchema,
    StaffExerciseUpdateSchema,
    StaffPageArgsSchema,
    staff_article_dict,
    staff_exercise_dict,
)

SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]
ROLE_NOTE = "Role: editor (admins too; moderators get 403)."
UPLOAD_LIMIT = "30 per minute; 300 per hour"
UPLOAD_ENDPOINT = "staff_exercises.ExerciseImage"


def exercise_answer(exercise, status: int = 200):
    """An exercise in the staff shape, with its version as the ETag."""
    return staff_exercise_dict(exercise), status, {"ETag": etag(exercise.version)}


def article_answer(article, status: int = 200):
    """An article in the staff shape, with its version as the ETag."""
    return staff_article_dict(article, utcnow()), status, {"ETag": etag(article.version)}


def make_blueprints() -> list[Blueprint]:
    """Fresh staff content blueprints for one app."""
    exercises = Blueprint(
        "staff_exercises", __name__, url_prefix="/staff/exercises",
        description="Exercises in every status, for editors: write, change, publish and "
                    "archive them, and link the products they use. Every change is audited.")
    articles = Blueprint(
        "staff_articles", __name__, url_prefix="/staff/articles",
        description="Articles in every status, for editors: write Markdown with shortcodes, "
                    "publish now or schedule for later. Every change is audited.")

    @exercises.route("")
    class Exercises(MethodView):
        @require_token("editor")
        @exercises.arguments(StaffPageArgsSchema, location="query")
        @exercises.response(200, StaffExercisePageSchema)
        @exercises.doc(security=SECURITY, description=ROLE_NOTE)
        def get(self, args):
            """List exercises in any status (editor)."""
            with service_errors():
                rows, next_cursor = editing.staff_exercises(db.session, **args)
            return {"items": [staff_exercise_dict(e) for e in rows], "next_cursor": next_cursor}

        @require_token("editor")
        @exercises.arguments(StaffExerciseCreateSchema)
        @exercises.response(201, StaffExerciseSchema)
        @exercises.alt_response(409, description="Another exercise has this slug.")
        @exercises.doc(security=SECURITY, description=ROLE_NOTE + " A draft unless `status` "
                       "says otherwise; an unknown product, or a recommended SKU of another "
                       "product, is a 422 naming `products`.")
        def post(self, values):
            """Create an exercise (editor)."""
            with service_errors():
                exercise = editing.create_exercise(db.session, values, actor=g.staff_user.email)
            return exercise_answer(exercise, 201)

    @exercises.route("/<slug>")
    class ExerciseDetail(MethodView):
        @require_token("editor")
        @exercises.response(200, StaffExerciseSchema)
        @exercises.alt_response(404, description="No exercise with this slug.")
        @exercises.doc(security=SECURITY, description=ROLE_NOTE + " The ETag is the version "
                                                                  "to send back as If-Match.")
        def get(self, slug):
            """Show an exercise in any status (editor)."""
            with service_errors():
                exercise = editing.staff_exercise(db.session, slug)
            return exercise_answer(exercise)

        @require_token("editor")
        @exercises.arguments(StaffExerciseUpdateSchema)
        @exercises.response(200, StaffExerciseSchema)
        @exercises.alt_response(404, description="No exercise with this slug.")
        @exercises.alt_response(409, description="Another exercise has the new slug.")
        @exercises.alt_response(412, description="Changed by someone else since your read.")
        @exercises.alt_response(428, description="No If-Match header.")
        @exercises.doc(security=SECURITY, description=ROLE_NOTE + " Needs If-Match with the "
                       "ETag of your last read; `products`, when sent, replaces the list.",
                       **IF_MATCH)
        def patch(self, changes, slug):
            """Change an exercise, if nobody else changed it since you read it (editor)."""
            with service_errors():
                exercise = editing.update_exercise(db.session, slug, changes,
                                                   expected_version=if_match(),
                                                   actor=g.staff_user.email)
            return exercise_answer(exercise)

    allow_picture_uploads(exercises, UPLOAD_ENDPOINT)

    @exercises.route("/<slug>/image")
    class ExerciseImage(MethodView):
        @limiter.limit(UPLOAD_LIMIT)
        @require_token("editor")
        @exercises.arguments(ImageUploadFormSchema, location="form")
        @exercises.arguments(ImageUploadFileSchema, location="files")
        @exercises.response(201, StaffImageSchema)
        @exercises.alt_response(404, description="No exercise with this slug.")
        @exercises.alt_response(413, description="The file is larger than the shop allows.")
        @exercises.alt_response(422, description="No alt text, or a file that is not a "
                                "whole JPEG, PNG or WebP picture within the pixel limit; "
                                "`errors` names the field.")
        @exercises.doc(security=SECURITY, description=ROLE_NOTE + " Multipart `file` and "
                       "`alt`; the picture replaces the exercise's current one.")
        def post(self, form, files, slug):
            """Upload the exercise's picture (editor)."""
            limits = upload_limits()
            data = files["file"].stream.read(limits.max_bytes + 1)
            with upload_errors("form"):
                image = set_exercise_image(db.session, slug, data, form["alt"],
                                           actor=g.staff_user.email, limits=limits,
                                           storage=media_storage(db.session))
            return image_json(image)

    @articles.route("")
    class Articles(MethodView):
        @require_token("editor")
        @articles.arguments(StaffPageArgsSchema, location="query")
        @articles.response(200, StaffArticlePageSchema)
        @articles.doc(security=SECURITY, description=ROLE_NOTE)
        def get(self, args):
            """List articles in any status, newest first (editor)."""
            with service_errors():
                rows, next_cursor = editing.staff_articles(db.session, **args)
            now = utcnow()
            return {"items": [staff_article_dict(a, now) for a in rows],
                    "next_cursor": next_cursor}

        @require_token("editor")
        @articles.arguments(StaffArticleCreateSchema)
        @articles.response(201, StaffArticleSchema)
        @articles.alt_response(409, description="Another article has this slug.")
        @articles.doc(security=SECURITY, description=ROLE_NOTE + " A shortcode that is "
                      "unknown or names an unknown exercise or product is a 422 naming "
                      "`body_markdown` and the line.")
        def post(self, values):
            """Create an article (editor)."""
            with service_errors():
                article = editing.create_article(db.session, values, actor=g.staff_user.email)
            return article_answer(article, 201)

    @articles.route("/<slug>")
    class ArticleDetail(MethodView):
        @require_token("editor")
        @articles.response(200, StaffArticleSchema)
        @articles.alt_response(404, description="No article with this slug.")
        @articles.doc(security=SECURITY, description=ROLE_NOTE + " The ETag is the version "
                                                                 "to send back as If-Match.")
        def get(self, slug):
            """Show an article in any status (editor)."""
            with service_errors():
                article = editing.staff_article(db.session, slug)
            return article_answer(article)

        @require_token("editor")
        @articles.arguments(StaffArticleUpdateSchema)
        @articles.response(200, StaffArticleSchema)
        @articles.alt_response(404, description="No article with this slug.")
        @articles.alt_response(409, description="Another article has the new slug.")
        @articles.alt_response(412, description="Changed by someone else since your read.")
        @articles.alt_response(428, description="No If-Match header.")
        @articles.doc(security=SECURITY, description=ROLE_NOTE + " Needs If-Match with the "
                      "ETag of your last read.", **IF_MATCH)
        def patch(self, changes, slug):
            """Change an article, if nobody else changed it since you read it (editor)."""
            with service_errors():
                article = editing.update_article(db.session, slug, changes,
                                                 expected_version=if_match(),
                                                 actor=g.staff_user.email)
            return article_answer(article)

    return [exercises, articles]
