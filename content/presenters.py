"""Turning content rows into the shapes the API and the pages share."""

from __future__ import annotations

from urllib.parse import quote

from storefront.plugin_api import (
    bought_together,
)

from .urls import page_url


def with_source(url: str, source: str, sku: str | None = None) -> str:
    """A link (to a product, or from an article to an exercise) that remembers which
    piece of content it came from, and with `sku` opens the product page with that
    variant chosen."""
    return f"{url}?source={source}" + (f"&sku={quote(sku, safe='')}" if sku else "")


def is_public_product(product) -> bool:
    """Whether readers may see a product (only active ones are shown or linked)."""
    return product.status == "active"


def exercise_summary(exercise) -> dict:
    """The list form of an exercise."""
    return {"slug": exercise.slug, "name": exercise.name, "summary": exercise.summary,
            "url": page_url("exercise", exercise.slug)}


def article_summary(article) -> dict:
    """The list form of an article."""
    return {"slug": article.slug, "title": article.title, "summary": article.summary,
            "published_at": article.published_at, "url": page_url("article", article.slug)}


def readers_also_bought(session, slug: str, linked: list[int], limit: int = 3) -> list[dict]:
    """What else was bought in the paid orders the article `slug` led to, the products it
    already links to (`linked` ids) left out (one grouped query), each link carrying the
    article."""
    source = f"article:{slug}"
    rows = bought_together(session, source, limit=limit, exclude=linked)
    return [{"slug": row.slug, "name": row.name, "kind": row.kind, "orders": row.orders,
             "price_from": row.price_from,
             "single_price": row.single_price,
             "url": with_source(page_url("product", row.slug), source)} for row in rows]
