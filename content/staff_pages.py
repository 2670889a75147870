"""Staff console (editor): write and change exercises and articles, preview articles.

A save names the version the form was opened on. When someone else saved in between,
nothing is saved: the page keeps what was typed and shows, field by field, what the
other save holds, and the next save (now based on that version) replaces it knowingly.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.plugin_api import (
    NotFoundError,
    Product,
    ServiceError,
    StaleVersion,
    allow_picture_uploads,
    db,
    end_idle_console_session,
    limiter,
    media_storage,
    public_image_json,
    role_required,
    upload_limits,
    utcnow,
)

from . import editing, read_models
from .exercise_images import set_exercise_image
from .staff_api import UPLOAD_LIMIT
from .staff_forms import (
    ArticleForm,
    ExerciseForm,
    ExercisePictureForm,
    article_form_data,
    article_values_from,
    exercise_form_data,
    exercise_values_from,
    form_version,
    set_gear_choices,
)

EXERCISE_LABELS = {"name": "Title", "slug": "Address (slug)", "summary": "Summary",
                   "steps": "Steps", "muscles": "Muscles worked", "safety": "Safety note",
                   "status": "Status", "products": "Products"}
ARTICLE_LABELS = {"title": "Title", "slug": "Address (slug)", "summary": "Summary",
                  "body_markdown": "Body", "status": "Status", "published_at": "Goes public at"}
# The form field beside which a refusal naming an API field is shown.
FORM_FIELDS = {"products": "gear"}


def _products():
    return db.session.scalars(select(Product).options(selectinload(Product.variants))
                              .order_by(Product.name, Product.id)).all()


def _shown(value) -> str:
    """A saved value as the conflict notice shows it."""
    if isinstance(value, list):
        return "\n".join(str(item.get("slug", item)) if isinstance(item, dict) else str(item)
                         for item in value) or "(none)"
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def _conflict(typed: dict, saved: dict, labels: dict) -> list[tuple[str, str]]:
    """The fields whose saved value differs from what was typed, with the saved value."""
    differ = []
    for name, label in labels.items():
        mine, theirs = typed.get(name), saved.get(name)
        if isinstance(mine, datetime) and isinstance(theirs, datetime):
            # The form's time is to the minute.
            mine, theirs = (moment.replace(second=0, microsecond=0) for moment in (mine, theirs))
        if mine != theirs:
            differ.append((label, _shown(saved.get(name))))
    return differ


def _refusal(exc: ServiceError, errors: dict) -> str | None:
    """Put a refusal beside its field (returned None), or return it for the page's top."""
    field = exc.details.get("field")
    if field:
        errors.setdefault(FORM_FIELDS.get(field, field), []).append(exc.message)
        return None
    return exc.message


def _invalid(form) -> tuple[str | None, int]:
    """What the page says about a form that failed its own checks, and the status."""
    if "csrf_token" in form.errors:
        return "The form had expired, so nothing was saved; please save again.", 400
    return None, 422


def make_blueprint() -> Blueprint:
    """A fresh blueprint of the console's content pages for one app."""
    bp = Blueprint("content_console", __name__, url_prefix="/staff",
                   template_folder="templates")
    bp.before_request(end_idle_console_session)

    allow_picture_uploads(bp, "content_console.exercise_picture")

    @bp.route("/exercises")
    @role_required("editor")
    def exercises():
        """Every exercise, in any status."""
        rows, _ = editing.staff_exercises(db.session, limit=100)
        return render_template("content/staff/exercises.html", exercises=rows)

    @bp.route("/exercises/new", methods=["GET", "POST"])
    @role_required("editor")
    def exercise_new():
        """Write a new exercise."""
        return _exercise_form(None)

    @bp.route("/exercises/<slug>", methods=["GET", "POST"])
    @role_required("editor")
    def exercise_edit(slug):
        """Change an exercise."""
        try:
            exercise = editing.staff_exercise(db.session, slug)
        except NotFoundError:
            abort(404)
        return _exercise_form(exercise)

    @bp.route("/exercises/<slug>/image", methods=["POST"])
    @limiter.limit(UPLOAD_LIMIT)
    @role_required("editor")
    def exercise_picture(slug):
        """Upload the exercise's picture, and go back to its form with the result."""
        form = ExercisePictureForm()
        back = redirect(url_for(".exercise_edit", slug=slug) + "#picture-title", 303)
        if not form.validate_on_submit():
            problems = " ".join(messages[0] for messages in form.errors.values())
            flash(f"The picture was not saved. {problems}")
            return back
        data = form.file.data.read() if form.file.data else b""
        try:
            image = set_exercise_image(db.session, slug, data, form.alt.data,
                                       actor=current_user.email, limits=upload_limits(),
                                       storage=media_storage(db.session))
        except NotFoundError:
            abort(404)
        except ServiceError as exc:
            what = "Alt text" if exc.details.get("field") == "alt" else "Picture"
            flash(f"The picture was not saved. {what}: {exc.message}")
            return back
        flash(f"Saved the picture “{image.alt}” ({image.width} x {image.height} pixels).")
        return back

    @bp.route("/articles")
    @role_required("editor")
    def articles():
        """Every article, in any status, newest first."""
        rows, _ = editing.staff_articles(db.session, limit=100)
        return render_template("content/staff/articles.html", articles=rows, now=utcnow())

    @bp.route("/articles/new", methods=["GET", "POST"])
    @role_required("editor")
    def article_new():
        """Write a new article."""
        return _article_form(None)

    @bp.route("/articles/<slug>", methods=["GET", "POST"])
    @role_required("editor")
    def article_edit(slug):
        """Change an article, or preview it as readers will see it."""
        try:
            article = editing.staff_article(db.session, slug)
        except NotFoundError:
            abort(404)
        return _article_form(article)

    return bp


def _exercise_form(exercise):
    """The exercise form: shown, checked, saved, or shown again with what went wrong."""
    if request.method == "POST":
        form = ExerciseForm()
    elif exercise is None:
        form = ExerciseForm(formdata=None, data=exercise_form_data(
            {"slug": "", "name": "", "summary": "", "steps": [], "muscles": [], "safety": "",
             "status": "draft", "products": []}, None))
    else:
        form = ExerciseForm(formdata=None, data=exercise_form_data(
            editing.exercise_values(exercise), exercise.version))
    set_gear_choices(form, _products())
    errors: dict[str, list[str]] = {}
    problem, conflict, status = None, None, 200
    if request.method == "POST":
        if form.validate():
            values = exercise_values_from(form)
            actor = current_user.email
            try:
                if exercise is None:
                    saved = editing.create_exercise(db.session, values, actor=actor)
                else:
                    saved = editing.update_exercise(db.session, exercise.slug, values,
                                                    expected_version=form_version(form),
                                                    actor=actor)
            except StaleVersion:
                current = editing.staff_exercise(db.session, exercise.slug)
                conflict = _conflict(values, editing.exercise_values(current), EXERCISE_LABELS)
                form.version.data = str(current.version)
                status = 409
            except ServiceError as exc:
                problem, status = _refusal(exc, errors), exc.status
            else:
                flash(f"Saved {saved.name} ({saved.status}).")
                return redirect(url_for(".exercise_edit", slug=saved.slug))
        else:
            problem, status = _invalid(form)
    picture = public_image_json(exercise.image) if exercise and exercise.image else None
    return render_template("content/staff/exercise_form.html", form=form, exercise=exercise,
                           errors=errors, problem=problem, conflict=conflict,
                           picture=picture, picture_form=ExercisePictureForm(formdata=None),
                           limits=upload_limits()), status


def _article_form(article):
    """The article form: shown, previewed, saved, or shown again with what went wrong."""
    if request.method == "POST":
        form = ArticleForm()
    elif article is None:
        form = ArticleForm(formdata=None, data={"status": "draft"})
    else:
        form = ArticleForm(formdata=None, data=article_form_data(
            editing.article_values(article), article.version))
    errors: dict[str, list[str]] = {}
    problem, conflict, preview, status = None, None, None, 200
    if request.method == "POST":
        if not form.validate():
            problem, status = _invalid(form)
        elif form.preview.data:
            preview, status = _preview(form, errors)
        else:
            values = article_values_from(form)
            actor = current_user.email
            try:
                if article is None:
                    saved = editing.create_article(db.session, values, actor=actor)
                else:
                    saved = editing.update_article(db.session, article.slug, values,
                                                   expected_version=form_version(form),
                                                   actor=actor)
            except StaleVersion:
                current = editing.staff_article(db.session, article.slug)
                conflict = _conflict(values, editing.article_values(current), ARTICLE_LABELS)
                form.version.data = str(current.version)
                status = 409
            except ServiceError as exc:
                problem, status = _refusal(exc, errors), exc.status
            else:
                flash(f"Saved {saved.title} ({saved.status}).")
                return redirect(url_for(".article_edit", slug=saved.slug))
    return render_template("content/staff/article_form.html", form=form, article=article,
                           errors=errors, problem=problem, conflict=conflict,
                           preview=preview), status


def _preview(form: ArticleForm, errors: dict):
    """The body as readers would see it, by the same checks and renderer as a save."""
    body = (form.body_markdown.data or "").replace("\r\n", "\n")
    try:
        editing.check_article_body(db.session, body)
    except ServiceError as exc:
        _refusal(exc, errors)
        return None, 422
    draft = SimpleNamespace(slug=form.slug.data or "preview", body_markdown=body)
    return read_models.render_body(db.session, draft), 200
