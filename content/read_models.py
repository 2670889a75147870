"""Article and exercise pages read as plain rows, in a few joined queries.

An article's page spends most of its time rendering Markdown, so the rendered body is
stored with the article (`Article.body_html`, written in the same flush as the Markdown)
and read back here; what comes from other rows (the exercise and product cards, prices,
links, comments) is read live on every request, so a change to a product or an exercise
shows on the next read with nothing to invalidate. A row whose stored body is missing (a
bulk insert) or was built from other Markdown (a change by plain SQL: its `body_html_key`
no longer matches) is built again on read, and stored only if the article has not changed
since its Markdown was read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, select, update

from storefront.plugin_api import Image, Money, Product, Variant, db, public_image_json, utcnow

from .markdown import BLOCK_SHORTCODE, Card, fill_cards, prose_key, render_prose
from .models import Article, ArticleExercise, ArticleProduct, Exercise, ExerciseProduct
from .presenters import is_public_product, with_source
from .services import NotFound, public_exercises, published
from .urls import page_url

ARTICLE_COLUMNS = (Article.id, Article.slug, Article.title, Article.summary, Article.status,
                   Article.published_at, Article.updated_at, Article.version,
                   Article.body_markdown, Article.body_html, Article.body_html_key)


def url_maker(kind: str) -> Callable[[str], str]:
    """`page_url(kind, slug)` for many slugs at the cost of one call: the address is the
    same text around the slug whatever the slug."""
    marker = "\x00"
    head, _, tail = page_url(kind, marker).partition(marker)
    return lambda slug: head + slug + tail


@dataclass(frozen=True, slots=True)
class Priced:
    """A product with the price shown beside it: the lowest of its active variants."""

    id: int
    slug: str
    name: str
    kind: str | None
    status: str
    description: str
    price_from: Money | None
    single_price: bool


def _priced(rows) -> list[Priced]:
    """Products from rows of (product columns, variant price, currency, active) ordered by
    product then catalogue order of variants, as `price_from` would price them."""
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row.id, []).append(row)
    found = []
    for variants in grouped.values():
        first = variants[0]
        offered = [v for v in variants if v.active]
        cheapest = min(offered, key=lambda v: v.price_amount) if offered else None
        found.append(Priced(
            id=first.id, slug=first.slug, name=first.name, kind=first.kind,
            status=first.status, description=first.description or "",
            price_from=Money(cheapest.price_amount, cheapest.currency) if cheapest else None,
            single_price=len({v.price_amount for v in offered}) == 1))
    return found


def _product_rows(where, *order):
    """Products with one row per variant (none: one row of NULLs), for `_priced`."""
    return (select(Product.id, Product.slug, Product.name, Product.kind, Product.status,
                   Product.description, Variant.price_amount, Variant.currency, Variant.active)
            .outerjoin(Variant, Variant.product_id == Product.id)
            .where(where).order_by(*order, Product.id, Variant.position, Variant.id))


# Statements are built once per process and run with parameters: building one costs
# more than running it. They are code, not data: nothing read from the database is kept.

@cache
def _article_stmt(drafts: bool):
    stmt = select(*ARTICLE_COLUMNS).where(Article.slug == bindparam("slug"))
    return stmt if drafts else published(stmt, now=bindparam("now"))


@cache
def _exercise_cards_stmt():
    return public_exercises(select(Exercise.slug, Exercise.name, Exercise.summary)
                            .where(Exercise.slug.in_(bindparam("slugs", expanding=True))))


@cache
def _product_cards_stmt():
    return _product_rows(Product.slug.in_(bindparam("slugs", expanding=True))
                         & (Product.status == "active"))


@cache
def _linked_exercises_stmt():
    return (select(Exercise.slug, Exercise.name).join(ArticleExercise)
            .where(ArticleExercise.article_id == bindparam("article_id"),
                   Exercise.status == "published")
            .order_by(ArticleExercise.position, ArticleExercise.exercise_id))


@cache
def _linked_products_stmt():
    return (_product_rows(ArticleProduct.article_id == bindparam("article_id"),
                          ArticleProduct.position)
            .join(ArticleProduct, ArticleProduct.product_id == Product.id))


@cache
def _exercise_stmt():
    return public_exercises(
        select(Exercise.id, Exercise.slug, Exercise.name, Exercise.summary, Exercise.steps,
               Exercise.muscles, Exercise.safety, Image)
        .outerjoin(Image, Image.id == Exercise.image_id)
        .where(Exercise.slug == bindparam("slug")))


@cache
def _gear_stmt():
    return (select(ExerciseProduct.role, Product.slug, Product.name, Product.kind,
                   Product.status, Variant.sku, Variant.name.label("variant_name"),
                   Variant.options, Variant.active, ExerciseProduct.recommended_variant_id)
            .join(Product, Product.id == ExerciseProduct.product_id)
            .outerjoin(Variant, Variant.id == ExerciseProduct.recommended_variant_id)
            .where(ExerciseProduct.exercise_id == bindparam("exercise_id"))
            .order_by(ExerciseProduct.position, ExerciseProduct.product_id))


@cache
def _teaching_articles_stmt():
    return (published(select(Article.slug, Article.title).join(ArticleExercise)
                      .where(ArticleExercise.exercise_id == bindparam("exercise_id")),
                      now=bindparam("now"))
            .order_by(Article.published_at.desc(), Article.id.desc()))


def article_row(session, slug: str, *, drafts: bool = False):
    """A published article (or, with `drafts`, any) as one row, its stored body included."""
    row = session.execute(_article_stmt(drafts), {"slug": slug, "now": utcnow()}).first()
    if row is None:
        raise NotFound(f"No article {slug!r}.")
    return row


def stored_body(row, *, store: bool) -> str:
    """The article's rendered body: the stored one while it was built from the row's
    Markdown, else built now.

    With `store`, a body built now is written in a transaction of its own, and only if the
    row still holds the version and the Markdown it was built from: a change committed
    meanwhile (which stores its own body, or leaves a stale key) is never overwritten.
    """
    markdown = row.body_markdown or ""
    key = prose_key(markdown)
    if row.body_html is not None and row.body_html_key == key:
        return row.body_html
    html = render_prose(markdown)
    if store:
        with db.engine.begin() as conn:
            conn.execute(update(Article).where(
                Article.id == row.id, Article.version == row.version,
                Article.body_markdown == row.body_markdown,
            ).values(body_html=html, body_html_key=key,
                     updated_at=Article.updated_at))  # not an edit: no new time or version
    return html


def article_body(session, slug: str, prose: str):
    """A stored body (`render_prose`) with its cards filled from live rows (two queries at
    most, whatever the number of cards), each card's link carrying the article."""
    wanted = BLOCK_SHORTCODE.findall(prose)  # the placeholders a card may replace
    slugs = {kind: {s for k, s in wanted if k == kind} for kind in ("exercise", "product")}
    cards = {}
    source = f"article:{slug}"
    if slugs["exercise"]:
        exercise_url = url_maker("exercise")
        for ex in session.execute(_exercise_cards_stmt(),
                                  {"slugs": sorted(slugs["exercise"])}):
            cards["exercise", ex.slug] = Card(
                "exercise", ex.name, with_source(exercise_url(ex.slug), source), ex.summary)
    if slugs["product"]:
        product_url = url_maker("product")
        for product in _priced(session.execute(_product_cards_stmt(),
                                               {"slugs": sorted(slugs["product"])})):
            cards["product", product.slug] = Card(
                "product", product.name, with_source(product_url(product.slug), source),
                _first_paragraph(product.description),
                f"From {product.price_from.formatted}" if product.price_from else "")
    return fill_cards(prose, cards)


def render_body(session, article):
    """An article (or an unsaved draft: anything with `slug` and `body_markdown`) rendered
    now with its cards, for the editor's preview."""
    return article_body(session, article.slug, render_prose(article.body_markdown or ""))


def _first_paragraph(text: str) -> str:
    return text.strip().split("\n\n", 1)[0].replace("\n", " ")


def article_detail(session, row, *, store: bool, comment_count: int | None) -> tuple[dict, list]:
    """The full form of an article (as `presenters.article_detail` shapes it) and the ids
    of every product it links to; `comment_count` None leaves the count out."""
    source = f"article:{row.slug}"
    exercises = session.execute(_linked_exercises_stmt(), {"article_id": row.id})
    products = _priced(session.execute(_linked_products_stmt(), {"article_id": row.id}))
    exercise_url, product_url = url_maker("exercise"), url_maker("product")
    detail = {
        "slug": row.slug, "title": row.title, "summary": row.summary,
        "published_at": row.published_at, "url": page_url("article", row.slug),
        "body_html": str(article_body(session, row.slug, stored_body(row, store=store))),
        "exercises": [{"slug": e.slug, "name": e.name,
                       "url": with_source(exercise_url(e.slug), source)} for e in exercises],
        "products": [{"slug": p.slug, "name": p.name, "kind": p.kind,
                      "price_from": p.price_from, "single_price": p.single_price,
                      "url": with_source(product_url(p.slug), source)}
                     for p in products if is_public_product(p)],
    }
    if comment_count is not None:
        detail["comment_count"] = comment_count
    return detail, [p.id for p in products]


def exercise_detail(session, slug: str) -> dict:
    """The full form of a published exercise (as `presenters.exercise_detail` shapes it)
    in three queries: the exercise with its picture, its gear, the articles that teach it."""
    found = session.execute(_exercise_stmt(), {"slug": slug}).first()
    if found is None:
        raise NotFound(f"No exercise {slug!r}.")
    source = f"exercise:{slug}"
    product_url, article_url = url_maker("product"), url_maker("article")
    gear = session.execute(_gear_stmt(), {"exercise_id": found.id})
    articles = session.execute(_teaching_articles_stmt(),
                               {"exercise_id": found.id, "now": utcnow()})
    products = []
    for g in gear:
        if not is_public_product(g):
            continue
        sku = g.sku if g.recommended_variant_id is not None and g.active else None
        url = with_source(product_url(g.slug), source)
        products.append({
            "slug": g.slug, "name": g.name, "sku": sku, "recommended_sku": sku,
            "recommendation": _recommendation(g), "role": g.role, "url": url,
            "start_url": with_source(product_url(g.slug), source, sku)})
    return {
        "slug": found.slug, "name": found.name, "summary": found.summary,
        "url": page_url("exercise", found.slug),
        "steps": list(found.steps), "muscles": list(found.muscles), "safety": found.safety,
        "image": public_image_json(found.Image) if found.Image is not None else None,
        "products": products,
        "articles": [{"slug": a.slug, "title": a.title, "url": article_url(a.slug)}
                     for a in articles],
    }


def _recommendation(gear) -> str:
    """`presenters.recommendation` for a row of gear."""
    if gear.recommended_variant_id is None:
        return ""
    if gear.options:
        return f"Start with the {gear.variant_name} {gear.kind}"
    return f"Start with {gear.variant_name}"
