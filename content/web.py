"""Exercise and article pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from storefront.plugin_api import (
    SUBMISSION_RATE_LIMIT,
    ModerationTarget,
    cached_page,
    count_view,
    db,
    limiter,
    public_count,
    public_items,
    same_email_rule_as_the_api,
    submit_for_moderation,
)

from . import comments, presenters, read_models, seo, services
from .models import Article, Exercise

PAGE_COMMENTS = 20


class CommentForm(FlaskForm):
    """A reader's comment, with a honeypot field people never see."""

    body = TextAreaField("Your comment", validators=[DataRequired(), Length(max=5000)])
    author_name = StringField("Your name (shown)", validators=[DataRequired(), Length(max=80)])
    email = EmailField("Your email (never shown)",
                       validators=[DataRequired(), Length(max=254), same_email_rule_as_the_api])
    website = StringField("Leave this empty")  # honeypot
    submit = SubmitField("Send comment")


def make_blueprint() -> Blueprint:
    """A fresh blueprint of content pages for one app."""
    bp = Blueprint("content", __name__, template_folder="templates")

    # The indexes and exercise pages are kept in the shared cache like article pages
    # (`cached_page`): nothing on them belongs to one visitor but the holes.
    @bp.route("/exercises")
    def exercises():
        """Every exercise."""
        def render():
            rows = db.session.execute(services.public_exercises(
                select(Exercise.slug, Exercise.name, Exercise.summary)).order_by(Exercise.id))
            url = read_models.url_maker("exercise")
            return render_template("content/exercises.html", exercises=[
                {"slug": e.slug, "name": e.name, "summary": e.summary, "url": url(e.slug)}
                for e in rows])
        return cached_page("exercises", render)

    @bp.route("/exercises/<slug>")
    def exercise(slug):
        """One exercise: steps, safety, and the bands for it."""
        def render():
            try:
                detail = read_models.exercise_detail(db.session, slug)
            except services.NotFound:
                abort(404)
            return render_template("content/exercise.html", exercise=detail,
                                   seo=seo.exercise_page(detail))
        page = cached_page(f"exercise:{slug}", render)
        count_view(f"exercise:{slug}")  # every read counts, cached or not
        return page

    @bp.route("/articles")
    def articles():
        """The newest articles."""
        def render():
            rows = db.session.execute(services.published(
                select(Article.slug, Article.title, Article.summary, Article.published_at))
                .order_by(Article.published_at.desc(), Article.id.desc()).limit(50))
            url = read_models.url_maker("article")
            return render_template("content/articles.html", articles=[
                {"slug": a.slug, "title": a.title, "summary": a.summary,
                 "published_at": a.published_at, "url": url(a.slug)} for a in rows])
        return cached_page("articles", render)

    @bp.route("/articles/<slug>")
    def article(slug):
        """One article with its exercise and product cards."""
        page = cached_page(f"article:{slug}", lambda: article_page(slug))
        count_view(f"article:{slug}")  # every read counts, cached or not
        return page

    @bp.route("/articles/<slug>/preview")
    @login_required
    def article_preview(slug):
        """Staff see an article as readers will, drafts included."""
        try:
            row = read_models.article_row(db.session, slug, drafts=True)
        except services.NotFound:
            abort(404)
        detail, _ = read_models.article_detail(db.session, row, store=True, comment_count=None)
        return render_template("content/article.html", preview=True,
                               draft=row.status == "draft", article=detail)

    def send(breached=None):
        """Send the comment; past its rate limit (`breached`), show it again instead."""
        slug = (request.view_args or {})["slug"]
        return submit_for_moderation(
            CommentForm(), url_for(".article", slug=slug), "comment",
            lambda plugins, **fields: comments.submit_comment(db.session, plugins, slug=slug,
                                                              **fields),
            render=lambda form, result: article_page(slug, comment_form=form,
                                                     comment_result=result),
            breached=breached)

    @bp.route("/articles/<slug>/comments", methods=["POST"])
    @limiter.limit(SUBMISSION_RATE_LIMIT, on_breach=send)
    def comment_submit(slug):
        """Queue a comment for moderation and thank the writer beside the form."""
        return send()

    return bp


def article_page(slug: str, comment_form: CommentForm | None = None,
                 comment_result: dict | None = None) -> str:
    """An article's page; a comment sent from it comes back as written (`comment_form`),
    with its result beside the form (`comment_result`)."""
    try:
        row = read_models.article_row(db.session, slug)
    except services.NotFound:
        abort(404)
    target = ModerationTarget(type="article", id=row.id, slug=row.slug, title=row.title)
    approved, _ = public_items(db.session, kind=comments.KIND, target=target,
                                  limit=PAGE_COMMENTS, cursor=None)
    count = public_count(db.session, kind=comments.KIND, target_type="article",
                         target_id=row.id)
    # A page sent back after a comment stores no body: its transaction is the comment's.
    detail, linked = read_models.article_detail(db.session, row, comment_count=count,
                                                store=request.method == "GET")
    return render_template("content/article.html", article=detail, comments=approved,
                           also_bought=presenters.readers_also_bought(db.session, row.slug,
                                                                      linked),
                           comment_form=comment_form or CommentForm(formdata=None),
                           comment_result=comment_result, seo=seo.article_page(row, detail))
