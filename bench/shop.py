"""The shops a benchmark run serves, and what each endpoint is asked for.

Three shops: the benchmark-size one on PostgreSQL (grown with `bench.seed`), the demo shop
on PostgreSQL in production settings (`storefront seed-demo` only), and the embedded
default that `make run` starts (development settings, a SQLite file, no Redis).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from .load import ROOT

SMALL = {"products": 100, "reviews": 1_000, "articles": 10}
FULL = {"products": 10_000, "reviews": 100_000, "articles": 1_000}
SEARCH_TERMS = ["band", "hamstring", "glute bridge", "coral loop", "heavy", "stretch",
                "squat tempo", "moss", "romanian deadlift", "fabric grip", "knee", "hip circle"]
CARTS = 2_000  # carts the add-line benchmark adds to, ten lines each
LIST_PAGES = 200  # pages of the product list in the mixed list row (as at 100 products)
DEEP_PAGES = 50  # pages of the product list from the back half of the catalogue
# What `make run` sets (see the Makefile); the rest it leaves at the shop's defaults.
EMBEDDED_ENV = {"STOREFRONT_ENV": "development", "SHOP_NAME": "Better Band"}
# Settings the embedded shop must not inherit from the benchmark's own environment.
NOT_EMBEDDED = ("DATABASE_URL", "CACHE_URL", "RATELIMIT_STORAGE_URI", "SECRET_KEY",
                "PAYMENT_PROVIDER", "PUBLIC_BASE_URL", "RATELIMIT_ENABLED",
                "CHECKOUT_MAX_UNITS")


def quote(term: str) -> str:
    """A search phrase as a query string value."""
    return urllib.parse.quote(term)


def fresh_database(url: str) -> None:
    """An empty database at `url`: dropped and created again (PostgreSQL), or a new file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def demo_database_url(url: str) -> str:
    """The demo shop's database: the benchmark's, with `_demo` added to its name."""
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_demo").render_as_string(
        hide_password=False)


def seed(env: dict[str, str], sizes: dict[str, int]) -> None:
    """Grow the shop to `sizes` with bench.seed, in its own process."""
    arguments = [f"--{key}={value}" for key, value in sizes.items()]
    subprocess.run([sys.executable, "-m", "bench.seed", *arguments], cwd=ROOT,
                   env={**os.environ, **env}, check=True)


def seed_demo(env: dict[str, str]) -> None:
    """What `make run` does before it serves: `storefront db upgrade` and `seed-demo`."""
    storefront = str(Path(sys.executable).with_name("storefront"))
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([storefront, *command], cwd=ROOT, env={**os.environ, **env},
                       check=True, stdout=subprocess.DEVNULL)


def embedded_env(instance: Path) -> dict[str, str]:
    """The embedded default's settings, with its instance folder (SQLite file and
    development key) at `instance` rather than the checkout's own."""
    return {**{name: "" for name in NOT_EMBEDDED}, **EMBEDDED_ENV,
            "STOREFRONT_INSTANCE_PATH": str(instance)}


@contextmanager
def shop_app(env: dict[str, str]) -> Iterator[Flask]:
    """The shop in this process, with `env` as its environment, inside an app context."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        from storefront import create_app
        from storefront.extensions import db
        app = create_app()
        with app.app_context():
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()  # no connection left for the garbage collector
    finally:
        os.environ.clear()
        os.environ.update(saved)


def full_lines(env: dict[str, str], carts: int = CARTS) -> dict[str, list[str]]:
    """What each endpoint of the benchmark-size shop is asked for: every product, exercise
    and article in a shuffled order, the first 200 pages of the product list, its first
    page alone and 50 pages from its back half, search phrases, new lines in fresh carts."""
    from sqlalchemy import select

    from content.models import Article, Exercise
    from storefront.cart.services import create_cart
    from storefront.catalog.models import Product, Variant
    from storefront.extensions import db

    rng = random.Random(6)
    with shop_app(env) as app:
        products = list(db.session.scalars(select(Product.slug)))
        articles = list(db.session.scalars(
            select(Article.slug).where(Article.status == "published")))
        exercises = list(db.session.scalars(select(Exercise.slug)))
        skus = list(db.session.scalars(select(Variant.sku).where(Variant.stock >= 100_000)))
        tokens = [create_cart(db.session).token for _ in range(carts)]
        db.session.commit()
        analyse(db, "cart")
        pages, deep = list_pages(app.test_client(), len(products))
    for listing in (products, articles, exercises, skus):
        rng.shuffle(listing)
    adds = [f'POST /api/v1/carts/{tokens[n % carts]}/lines '
            f'{{"sku": "{skus[(n // carts + n) % len(skus)]}", "quantity": 1}}'
            for n in range(carts * 10)]
    return {
        "product list API": pages,
        "product list API, first page": pages[:1],
        "product list API, deep pages": deep,
        "product detail API": [f"GET /api/v1/products/{slug}" for slug in products],
        "product page": [f"GET /products/{slug}" for slug in products],
        "exercise page": [f"GET /exercises/{slug}" for slug in exercises],
        "article page": [f"GET /articles/{slug}" for slug in articles],
        "search API": [f"GET /api/v1/search?q={quote(term)}" for term in SEARCH_TERMS],
        "create cart": ["POST /api/v1/carts"],
        "add cart line": adds,
        "skus": skus,
    }


def analyse(db, table: str) -> None:
    """The planner's figures for rows just written, as autovacuum would refresh them on a
    server where it runs; without them a cart's lookup by token is planned for an empty
    table."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text(f"ANALYZE {table}"))


def list_pages(client, products: int) -> tuple[list[str], list[str]]:
    """The first `LIST_PAGES` pages of the product list, and `DEEP_PAGES` pages that start
    in the back half of the catalogue (found with pages of 100; asked for at the default
    size)."""
    pages, position = ["GET /api/v1/products"], 0
    answer = client.get("/api/v1/products").get_json()
    while answer["next_cursor"] and len(pages) < LIST_PAGES:
        pages.append(f"GET /api/v1/products?cursor={answer['next_cursor']}")
        position += len(answer["items"])
        answer = client.get(f"/api/v1/products?cursor={answer['next_cursor']}").get_json()
    position += len(answer["items"])
    back_half = []
    while answer["next_cursor"]:
        if position >= products // 2:
            back_half.append(f"GET /api/v1/products?cursor={answer['next_cursor']}")
        answer = client.get(
            f"/api/v1/products?limit=100&cursor={answer['next_cursor']}").get_json()
        position += len(answer["items"])
    step = max(1, len(back_half) // DEEP_PAGES)
    return pages, (back_half[::step][:DEEP_PAGES] or pages[-1:])


def checkout_lines(env: dict[str, str], skus: list[str], count: int) -> list[str]:
    """`count` checkouts, each of its own cart holding one line, each by its own email."""
    from storefront.cart.services import add_line, create_cart
    from storefront.extensions import db

    lines = []
    with shop_app(env):
        for n in range(count):
            token = create_cart(db.session).token
            add_line(db.session, token, skus[n % len(skus)], 1)
            lines.append(f'POST /api/v1/carts/{token}/checkout '
                         f'{{"email": "buyer{n}@bench.example"}}')
            if n % 500 == 499:
                db.session.commit()
        db.session.commit()
        analyse(db, "cart")
    return lines


def _items(base: str, path: str) -> list[dict]:
    """Every item of a paged public API list."""
    items, url = [], base + path
    while url:
        with urllib.request.urlopen(url, timeout=30) as response:
            answer = json.load(response)
        items.extend(answer["items"])
        cursor = answer.get("next_cursor")
        url = f"{base}{path}?cursor={cursor}" if cursor else ""
    return items


def public_pages(base: str) -> dict[str, list[str]]:
    """The public pages of a small shop, asked of the running shop at `base`: every
    product, exercise and article page, the lists, the cart, the search page."""
    products = [item["slug"] for item in _items(base, "/api/v1/products")]
    exercises = [item["slug"] for item in _items(base, "/api/v1/exercises")]
    articles = [item["slug"] for item in _items(base, "/api/v1/articles")]
    return {
        "home page": ["GET /"],
        "product page": [f"GET /products/{slug}" for slug in products],
        "exercise page": [f"GET /exercises/{slug}" for slug in exercises],
        "article page": [f"GET /articles/{slug}" for slug in articles],
        "article list": ["GET /articles"],
        "exercise list": ["GET /exercises"],
        "cart page": ["GET /cart"],
        "search page": [f"GET /search?q={quote(term)}" for term in SEARCH_TERMS[:6]],
        "product detail API": [f"GET /api/v1/products/{slug}" for slug in products],
    }
