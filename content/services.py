"""Content rules: published articles only, exercises with their gear, links both ways."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from plugins.types import ContentLink
from storefront.pagination import keyset_page
from storefront.textsearch import escape_like
from storefront.urls import page_url

from .models import Article, ArticleExercise, ArticleProduct, Exercise, ExerciseProduct


class NotFound(LookupError):
    """Raised when a slug names no exercise or published article."""


def published(stmt):
    """Restrict an Article query to what readers may see."""
    return stmt.where(Article.status == "published", Article.published_at.is_not(None))


def list_exercises(session, *, limit: int, cursor: str | None):
    """One page of exercises, in the order they were added."""
    return keyset_page(session, select(Exercise), [Exercise.id], limit=limit, cursor=cursor)


def get_exercise(session, slug: str) -> tuple[Exercise, list[Article]]:
    """An exercise with its gear and the published articles that teach it (three queries)."""
    exercise = session.scalar(
        select(Exercise).where(Exercise.slug == slug).options(
            selectinload(Exercise.product_links).options(
                joinedload(ExerciseProduct.product),
                joinedload(ExerciseProduct.recommended_variant))))
    if exercise is None:
        raise NotFound(f"No exercise {slug!r}.")
    articles = list(session.scalars(published(
        select(Article).join(ArticleExercise).where(ArticleExercise.exercise_id == exercise.id)
    ).order_by(Article.published_at.desc(), Article.id.desc())))
    return exercise, articles


def list_articles(session, *, limit: int, cursor: str | None):
    """One page of published articles, newest first."""
    return keyset_page(session, published(select(Article)),
                       [Article.published_at, Article.id],
                       limit=limit, cursor=cursor, descending=True)


def get_article(session, slug: str) -> Article:
    """A published article with its exercises and products (three queries)."""
    article = session.scalar(published(select(Article).where(Article.slug == slug)).options(
        selectinload(Article.exercise_links).joinedload(ArticleExercise.exercise),
        selectinload(Article.product_links).joinedload(ArticleProduct.product)))
    if article is None:
        raise NotFound(f"No article {slug!r}.")
    return article


def links_for_product(session, product_id: int) -> list[ContentLink]:
    """The exercises that use a product, for its page and its API (one query)."""
    rows = session.execute(
        select(Exercise.slug, Exercise.name, Exercise.summary, ExerciseProduct.role)
        .join(ExerciseProduct).where(ExerciseProduct.product_id == product_id)
        .order_by(ExerciseProduct.role.desc(), Exercise.id))
    return [ContentLink(kind="exercise", slug=slug, title=name, summary=summary, role=role,
                        url=page_url("exercise", slug))
            for slug, name, summary, role in rows]


def latest_articles(session, limit: int) -> list[ContentLink]:
    """The newest published articles, as links."""
    rows = session.scalars(published(select(Article))
                           .order_by(Article.published_at.desc(), Article.id.desc()).limit(limit))
    return [ContentLink(kind="article", slug=a.slug, title=a.title, summary=a.summary,
                        url=page_url("article", a.slug)) for a in rows]


def search(session, query: str, limit: int) -> list[ContentLink]:
    """Exercises, then published articles, whose title or summary contains `query`."""
    pattern = f"%{escape_like(query)}%"
    exercises = session.scalars(select(Exercise).where(
        Exercise.name.ilike(pattern, escape="\\") | Exercise.summary.ilike(pattern, escape="\\"))
        .order_by(Exercise.id).limit(limit))
    links = [ContentLink(kind="exercise", slug=e.slug, title=e.name, summary=e.summary,
                         url=page_url("exercise", e.slug)) for e in exercises]
    articles = session.scalars(published(select(Article)).where(
        Article.title.ilike(pattern, escape="\\") | Article.summary.ilike(pattern, escape="\\")
        | Article.body_markdown.ilike(pattern, escape="\\"))
        .order_by(Article.published_at.desc()).limit(limit))
    links += [ContentLink(kind="article", slug=a.slug, title=a.title, summary=a.summary,
                          url=page_url("article", a.slug)) for a in articles]
    return links[:limit]
