"""Turning content rows into the shapes the API and the pages share."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.plugin_api import (
    Product,
    bought_together,
    price_from,
    public_count,
    public_image_json,
)

from .markdown import Card, render, shortcodes
from .models import Exercise
from .urls import page_url


def with_source(url: str, source: str, sku: str | None = None) -> str:
    """A link (to a product, or from an article to an exercise) that remembers which
    piece of content it came from, and with `sku` opens the product page with that
    variant chosen."""
    return f"{url}?source={source}" + (f"&sku={quote(sku, safe='')}" if sku else "")


def is_public_product(product) -> bool:
    """Whether readers may see a product (only active ones are shown or linked)."""
    return product.status == "active"


def recommendation(link) -> str:
    """What to start with, in the product's own words: "Start with the Medium band"."""
    variant = link.recommended_variant
    if variant is None:
        return ""
    if variant.options:
        return f"Start with the {variant.name} {link.product.kind}"
    return f"Start with {variant.name}"


def exercise_summary(exercise) -> dict:
    """The list form of an exercise."""
    return {"slug": exercise.slug, "name": exercise.name, "summary": exercise.summary,
            "url": page_url("exercise", exercise.slug)}


def exercise_detail(exercise, articles) -> dict:
    """The full form of an exercise, gear links carrying the exercise as their source."""
    source = f"exercise:{exercise.slug}"
    return {
        **exercise_summary(exercise),
        "steps": list(exercise.steps),
        "muscles": list(exercise.muscles),
        "safety": exercise.safety,
        "image": public_image_json(exercise.image) if exercise.image else None,
        "products": [{
            "slug": link.product.slug,
            "name": link.product.name,
            "sku": _sku(link),
            "recommended_sku": _sku(link),
            "recommendation": recommendation(link),
            "role": link.role,
            "url": with_source(page_url("product", link.product.slug), source),
            # The page's link opens the product with the recommended variant chosen.
            "start_url": with_source(page_url("product", link.product.slug), source,
                                     _sku(link)),
        } for link in exercise.product_links if is_public_product(link.product)],
        "articles": [{"slug": a.slug, "title": a.title, "url": page_url("article", a.slug)}
                     for a in articles],
    }


def _sku(link) -> str | None:
    variant = link.recommended_variant
    return variant.sku if variant is not None and variant.active else None


def article_summary(article) -> dict:
    """The list form of an article."""
    return {"slug": article.slug, "title": article.title, "summary": article.summary,
            "published_at": article.published_at, "url": page_url("article", article.slug)}


def article_detail(session, article) -> dict:
    """The full form of an article, body rendered with its cards."""
    source = f"article:{article.slug}"
    return {
        **article_summary(article),
        "body_html": str(render_body(session, article)),
        # Links on to exercises carry the article too, so a visit it began is credited.
        "exercises": [{"slug": link.exercise.slug, "name": link.exercise.name,
                       "url": with_source(page_url("exercise", link.exercise.slug), source)}
                      for link in article.exercise_links if link.exercise.status == "published"],
        "products": [{"slug": link.product.slug, "name": link.product.name,
                      "kind": link.product.kind,
                      "price_from": price_from(link.product),
                      "single_price": len({v.price_amount for v in link.product.variants
                                           if v.active}) == 1,
                      "url": with_source(page_url("product", link.product.slug), source)}
                     for link in article.product_links if is_public_product(link.product)],
        "comment_count": public_count(session, kind="comment",
                                      target_type="article", target_id=article.id),
    }


def readers_also_bought(session, article, limit: int = 3) -> list[dict]:
    """What else was bought in the paid orders this article led to, the products it
    already mentions left out (one grouped query), each link carrying the article."""
    source = f"article:{article.slug}"
    rows = bought_together(session, source, limit=limit,
                           exclude=[link.product_id for link in article.product_links])
    return [{"slug": row.slug, "name": row.name, "kind": row.kind, "orders": row.orders,
             "price_from": row.price_from,
             "single_price": row.single_price,
             "url": with_source(page_url("product", row.slug), source)} for row in rows]


def render_body(session, article):
    """The article's HTML, each shortcode a card (two queries, whatever the count)."""
    wanted = shortcodes(article.body_markdown)
    slugs = {kind: {slug for k, slug, _ in wanted if k == kind} for kind in ("exercise", "product")}
    cards = {}
    source = f"article:{article.slug}"
    if slugs["exercise"]:
        for ex in session.scalars(select(Exercise).where(Exercise.slug.in_(slugs["exercise"]),
                                                         Exercise.status == "published")):
            cards["exercise", ex.slug] = Card(
                "exercise", ex.name, with_source(page_url("exercise", ex.slug), source),
                ex.summary)
    if slugs["product"]:
        for product in session.scalars(select(Product).where(Product.slug.in_(slugs["product"]),
                                                             Product.status == "active")
                                       .options(selectinload(Product.variants))):
            cheapest = price_from(product)
            cards["product", product.slug] = Card(
                "product", product.name, with_source(page_url("product", product.slug), source),
                _first_paragraph(product.description),
                f"From {cheapest.formatted}" if cheapest else "")
    return render(article.body_markdown, cards)


def _first_paragraph(text: str) -> str:
    return text.strip().split("\n\n", 1)[0].replace("\n", " ")
