"""Grow a shop to benchmark size: generated products, approved reviews and articles.

    python -m bench.seed --products 10000 --reviews 100000 --articles 1000

runs against the database in DATABASE_URL (migrated and seeded with the demo first). The
figures are totals to reach, so running it again with larger ones grows the same shop and
running it with the same ones adds nothing. Rows are written with bulk INSERTs, then the
search index is rebuilt once and the planner's statistics are refreshed (ANALYZE). Text
is generated from the word lists below; nothing here is meant to be read by a shopper.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta

from sqlalchemy import func, insert, select, text

BATCH = 2_000
PREFIX = "bench-"

COLOURS = ["Coral", "Slate", "Moss", "Sand", "Ink", "Plum", "Rust", "Sky", "Stone", "Teal"]
SHAPES = ["Loop Band", "Long Band", "Mini Band", "Fabric Band", "Tube Band", "Hip Circle"]
LEVELS = [("Light", "Light (10-20 lb)", 0), ("Medium", "Medium (20-35 lb)", 200),
          ("Heavy", "Heavy (35-50 lb)", 500)]
OPENERS = ["Solid band", "Does the job", "Better than expected", "Good value", "Sturdy",
           "Comfortable on the legs", "Stays in place", "Nice and wide"]
WORDS = ("band hip glute hamstring squat bridge hinge knee stretch tension fabric grip loop "
         "strong steady slow tempo rep set warm cool floor stand brace breathe lift lower "
         "press hold pause drive heel toe spine core balance control range rest recover").split()
TOPICS = ["hamstrings", "glutes", "knees", "posture", "warm-ups", "recovery", "running",
          "desk days", "travel workouts", "first sessions"]


def sentence(rng: random.Random, low: int = 8, high: int = 18) -> str:
    """A made-up sentence from the word list."""
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, sentences: int = 5) -> str:
    """A few made-up sentences."""
    return " ".join(sentence(rng) for _ in range(sentences))


def _count(session, column, *where) -> int:
    return session.scalar(select(func.count(column)).where(*where)) or 0


def _bulk(session, model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(model), rows[start:start + BATCH])


def grow_products(session, total: int, rng: random.Random) -> int:
    """Add generated products, three variants each, until the catalogue holds `total`."""
    from storefront.catalog.models import Product, Variant

    have = _count(session, Product.id)
    start = _count(session, Product.id, Product.slug.startswith(PREFIX))
    wanted = max(0, total - have)
    for first in range(start, start + wanted, BATCH):
        numbers = range(first, min(first + BATCH, start + wanted))
        products = [{
            "slug": f"{PREFIX}band-{n:05d}",
            "name": f"{rng.choice(COLOURS)} {rng.choice(SHAPES)} {n}",
            "description": "\n\n".join(paragraph(rng) for _ in range(3)),
            "image": "better-band.svg",
        } for n in numbers]
        _bulk(session, Product, products)
        ids = dict(session.execute(select(Product.slug, Product.id).where(
            Product.slug.in_([p["slug"] for p in products]))).all())
        base = {slug: rng.randrange(1200, 4000, 100) for slug in ids}
        _bulk(session, Variant, [{
            "product_id": ids[slug], "sku": f"{slug.upper()}-{name.upper()}", "name": name,
            "resistance": resistance, "price_amount": base[slug] + extra, "currency": "usd",
            "stock": 1_000_000, "position": position,
        } for slug in ids for position, (name, resistance, extra) in enumerate(LEVELS)])
    return wanted


def grow_reviews(session, total: int, rng: random.Random) -> int:
    """Add approved reviews spread over the catalogue until it holds `total` of them."""
    from storefront.catalog.models import Product
    from storefront.moderation.models import ModeratedItem
    from storefront.timeutil import utcnow

    have = _count(session, ModeratedItem.id, ModeratedItem.kind == "review")
    wanted = max(0, total - have)
    products = session.execute(select(Product.id, Product.slug, Product.name)).all()
    now = utcnow()
    for first in range(have, have + wanted, BATCH):
        rows = []
        for n in range(first, min(first + BATCH, have + wanted)):
            product = rng.choice(products)
            email = f"reader{n}@bench.example"
            rows.append({
                "kind": "review", "target_type": "product", "target_id": product.id,
                "target_slug": product.slug, "target_title": product.name,
                "author_name": f"Reader {n}", "email": email,
                "title": rng.choice(OPENERS), "body": paragraph(rng, rng.randint(2, 5)),
                "rating": rng.choice((3, 4, 4, 5, 5, 5)), "verified_purchase": n % 3 == 0,
                "status": "approved", "spam_score": 0.0, "spam_reasons": [],
                "dedupe_key": f"review:product:{product.id}:{email}",
                "created_at": now - timedelta(minutes=n), "moderated_at": now,
                "moderation_reason": "",
            })
        _bulk(session, ModeratedItem, rows)
    return wanted


def article_body(rng: random.Random, products: list[str], exercises: list[str]) -> str:
    """About 1,500 words of Markdown in sections, with a product and an exercise card."""
    parts = [paragraph(rng, 6)]
    for section in range(6):
        parts.append(f"## Part {section + 1}: {rng.choice(TOPICS)}")
        parts.extend(paragraph(rng, 6) for _ in range(2))
        if section == 1:
            parts.append(f"[[product:{rng.choice(products)}]]")
        if section == 3:
            parts.append(f"[[exercise:{rng.choice(exercises)}]]")
            parts.append("\n".join(f"{i}. {sentence(rng)}" for i in range(1, 6)))
    return "\n\n".join(parts) + "\n"


def grow_articles(session, total: int, rng: random.Random) -> int:
    """Add published articles, each linked to products and exercises, up to `total`."""
    from content.models import Article, ArticleExercise, ArticleProduct, Exercise
    from storefront.catalog.models import Product
    from storefront.timeutil import utcnow

    have = _count(session, Article.id)
    start = _count(session, Article.id, Article.slug.startswith(PREFIX))
    wanted = max(0, total - have)
    exercises = dict(session.execute(select(Exercise.slug, Exercise.id)).all())
    demo_products = dict(session.execute(select(Product.slug, Product.id).where(
        Product.slug.not_like(PREFIX + "%"))).all())
    now = utcnow()
    for first in range(start, start + wanted, BATCH):
        rows, links = [], {}
        for n in range(first, min(first + BATCH, start + wanted)):
            slug = f"{PREFIX}article-{n:05d}"
            products = rng.sample(sorted(demo_products), k=min(2, len(demo_products)))
            chosen = rng.sample(sorted(exercises), k=min(2, len(exercises)))
            links[slug] = (products, chosen)
            rows.append({
                "slug": slug, "title": f"{rng.choice(TOPICS).capitalize()}, part {n}",
                "summary": sentence(rng, 14, 24),
                "body_markdown": article_body(rng, products, chosen),
                "status": "published", "published_at": now - timedelta(hours=n + 1),
            })
        _bulk(session, Article, rows)
        ids = dict(session.execute(select(Article.slug, Article.id).where(
            Article.slug.in_(list(links)))).all())
        _bulk(session, ArticleProduct, [
            {"article_id": ids[slug], "product_id": demo_products[p], "position": i}
            for slug, (products, _) in links.items() for i, p in enumerate(products)])
        _bulk(session, ArticleExercise, [
            {"article_id": ids[slug], "exercise_id": exercises[e], "position": i}
            for slug, (_, chosen) in links.items() for i, e in enumerate(chosen)])
    return wanted


def main(argv: list[str] | None = None) -> int:
    """Migrate, seed the demo, grow to the sizes asked for, reindex and analyse."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args(argv)

    from flask_migrate import upgrade

    from storefront import create_app
    from storefront.demo import seed_demo
    from storefront.extensions import db
    from storefront.search.index import rebuild

    app = create_app()
    rng = random.Random(args.seed)
    with app.app_context():
        started = time.monotonic()
        upgrade()
        plugins = app.extensions["storefront"].plugins
        seed_demo(db.session, plugins)
        added = {
            "products": grow_products(db.session, args.products, rng),
            "reviews": grow_reviews(db.session, args.reviews, rng),
            "articles": grow_articles(db.session, args.articles, rng),
        }
        db.session.commit()
        if any(added.values()):
            rebuild(db.session, plugins)
            db.session.commit()
            # Planner statistics, as a shop that has been running would have them.
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        print("added " + ", ".join(f"{n} {kind}" for kind, n in added.items())
              + f" in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
