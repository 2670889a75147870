"""Content rules: published articles only, exercises with their gear, links both ways."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from plugins.types import ContentLink, SearchDocument, SearchSource
from storefront.plugin_api import keyset_page, utcnow

from .markdown import SHORTCODE, render
from .models import (
    PUBLIC_ARTICLE_STATUSES,
    Article,
    ArticleProduct,
    Exercise,
    ExerciseProduct,
)
from .urls import PAGE_PATHS, page_url


class NotFound(LookupError):
    """Raised when a slug names no exercise or published article."""


def published(stmt, now=None):
    """Restrict an Article query to what readers may see: published or scheduled, once its
    `published_at` has passed by the shop's clock (no job flips a scheduled article).
    `now` may be a bound parameter, for a statement built once and run many times."""
    return stmt.where(Article.status.in_(PUBLIC_ARTICLE_STATUSES),
                      Article.published_at.is_not(None),
                      Article.published_at <= (utcnow() if now is None else now))


def public_exercises(stmt):
    """Restrict an Exercise query to what readers may see: published ones."""
    return stmt.where(Exercise.status == "published")


def list_exercises(session, *, limit: int, cursor: str | None):
    """One page of published exercises, in the order they were added."""
    return keyset_page(session, public_exercises(select(Exercise)), [Exercise.id],
                       limit=limit, cursor=cursor)


def list_articles(session, *, limit: int, cursor: str | None):
    """One page of published articles, newest first."""
    return keyset_page(session, published(select(Article)),
                       [Article.published_at, Article.id],
                       limit=limit, cursor=cursor, descending=True)


def links_for_product(session, product_id: int) -> list[ContentLink]:
    """The exercises that use a product, for its page and its API (one query)."""
    rows = session.execute(
        public_exercises(
            select(Exercise.slug, Exercise.name, Exercise.summary, ExerciseProduct.role)
            .join(ExerciseProduct).where(ExerciseProduct.product_id == product_id))
        .order_by(ExerciseProduct.role.desc(), Exercise.id))
    return [ContentLink(kind="exercise", slug=slug, title=name, summary=summary, role=role,
                        url=page_url("exercise", slug))
            for slug, name, summary, role in rows]


def articles_for_product(session, product_id: int) -> list[ContentLink]:
    """The articles readers may see that feature a product, newest first (one query)."""
    rows = session.execute(published(
        select(Article.slug, Article.title, Article.summary)
        .join(ArticleProduct).where(ArticleProduct.product_id == product_id))
        .order_by(Article.published_at.desc(), Article.id.desc()))
    return [ContentLink(kind="article", slug=slug, title=title, summary=summary,
                        url=page_url("article", slug)) for slug, title, summary in rows]


def latest_articles(session, limit: int) -> list[ContentLink]:
    """The newest published articles, as links."""
    rows = session.execute(published(select(Article.slug, Article.title, Article.summary))
                           .order_by(Article.published_at.desc(), Article.id.desc()).limit(limit))
    return [ContentLink(kind="article", slug=slug, title=title, summary=summary,
                        url=page_url("article", slug)) for slug, title, summary in rows]


# Which content rows feed which search documents (links between them do not).
SEARCH_SOURCES = (SearchSource(kind="exercise", table="exercise"),
                  SearchSource(kind="article", table="article"))
_TAG = re.compile(r"<[^>]*>")


def plain_text(markdown: str) -> str:
    """An article body as plain text: no markup, no shortcodes, one space between words."""
    rendered = str(render(SHORTCODE.sub(" ", markdown or ""), {}))
    return " ".join(html.unescape(_TAG.sub(" ", rendered)).split())


def search_documents(session, kind: str, ids: list[int] | None) -> list[SearchDocument] | None:
    """Published exercises, or articles readers may find (a scheduled one from its time
    on), as search documents; None for other kinds."""
    if kind == "exercise":
        stmt = public_exercises(select(Exercise)).order_by(Exercise.id)
        if ids is not None:
            stmt = stmt.where(Exercise.id.in_(ids))
        return [SearchDocument(
            type="exercise", key_id=e.id, slug=e.slug, title=e.name,
            url_path=PAGE_PATHS["exercise"].format(slug=e.slug), summary=e.summary or "",
            body="\n".join([e.summary or "", *map(str, e.steps or ()),
                            *map(str, e.muscles or ())]),
            updated_at=e.updated_at) for e in session.scalars(stmt)]
    if kind == "article":
        stmt = select(Article).where(Article.status.in_(PUBLIC_ARTICLE_STATUSES),
                                     Article.published_at.is_not(None)).order_by(Article.id)
        if ids is not None:
            stmt = stmt.where(Article.id.in_(ids))
        return [SearchDocument(
            type="article", key_id=a.id, slug=a.slug, title=a.title,
            url_path=PAGE_PATHS["article"].format(slug=a.slug), summary=a.summary or "",
            body="\n".join([a.summary or "", plain_text(a.body_markdown)]),
            updated_at=a.updated_at, visible_from=a.published_at)
            for a in session.scalars(stmt)]
    return None
