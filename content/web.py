"""Exercise and article pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from storefront.extensions import db

from . import presenters, services
from .models import Exercise


def make_blueprint() -> Blueprint:
    """A fresh blueprint of content pages for one app."""
    bp = Blueprint("content", __name__, template_folder="templates")

    @bp.route("/exercises")
    def exercises():
        """Every exercise."""
        rows = db.session.scalars(select(Exercise).order_by(Exercise.id)).all()
        return render_template("content/exercises.html",
                               exercises=[presenters.exercise_summary(e) for e in rows])

    @bp.route("/exercises/<slug>")
    def exercise(slug):
        """One exercise: steps, safety, and the bands for it."""
        try:
            row, articles = services.get_exercise(db.session, slug)
        except services.NotFound:
            abort(404)
        return render_template("content/exercise.html",
                               exercise=presenters.exercise_detail(row, articles))

    @bp.route("/articles")
    def articles():
        """The newest articles."""
        rows, next_cursor = services.list_articles(db.session, limit=50, cursor=None)
        return render_template("content/articles.html",
                               articles=[presenters.article_summary(a) for a in rows])

    @bp.route("/articles/<slug>")
    def article(slug):
        """One article with its exercise and product cards."""
        try:
            row = services.get_article(db.session, slug)
        except services.NotFound:
            abort(404)
        return render_template("content/article.html",
                               article=presenters.article_detail(db.session, row))

    return bp
