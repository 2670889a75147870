"""Query budgets: the busy reads cost the same number of queries however big the shop grows.

These run with the shared cache off, so every request takes the database path that a
cold cache (or a shop without Redis) takes.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from storefront.extensions import db
from storefront.moderation.models import ModeratedItem

from .factories import make_article, make_exercise, make_product


@pytest.fixture
def shop(app):
    """The shop (with no shared cache), and a way to count the queries of one request."""
    client = app.test_client()

    def queries(method: str, path: str, **kwargs) -> int:
        statements = []
        with app.app_context():
            engine = db.engine
        record = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", record)
        try:
            response = client.open(path, method=method, **kwargs)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        assert response.status_code < 400, (path, response.status_code)
        return len(statements)

    return app, client, queries


@contextmanager
def session_of(app):
    with app.app_context():
        yield db.session


def approved(session, kind: str, target, count: int, start: int = 0) -> None:
    """`count` approved reviews of a product, or comments on an article."""
    target_type = "product" if kind == "review" else "article"
    title = target.name if kind == "review" else target.title
    for n in range(start, start + count):
        session.add(ModeratedItem(
            kind=kind, target_type=target_type, target_id=target.id,
            target_slug=target.slug, target_title=title, author_name=f"Reader {n}",
            email=f"r{n}@example.com", title="Fine" if kind == "review" else "",
            body=f"Note number {n}.", rating=4 if kind == "review" else None,
            status="approved",
            dedupe_key=f"review:product:{target.id}:r{n}" if kind == "review" else None))
    session.commit()


def test_product_reads_cost_the_same_in_a_big_shop(shop):
    app, client, queries = shop
    with session_of(app) as session:
        product = make_product(session, "one-band", variants=1)
    paths = [("GET", "/api/v1/products/one-band"), ("GET", "/products/one-band")]
    before = [queries(*p) for p in paths]
    with session_of(app) as session:
        product = make_product(session, "one-band-more", variants=12)
        for _ in range(40):
            make_product(session, variants=3)
        for _ in range(6):
            make_exercise(session, products=[product])
        for _ in range(4):
            make_article(session, products=[product])
        approved(session, "review", product, 30)
    after = [queries("GET", path.replace("one-band", "one-band-more")) for _, path in paths]
    assert after == before
    assert all(count > 0 for count in before)


def test_the_article_page_costs_the_same_with_many_links_and_comments(shop):
    app, client, queries = shop
    with session_of(app) as session:
        band, move = make_product(session, variants=1), make_exercise(session)
        small = make_article(session, "short-read", exercises=[move], products=[band],
                             body=f"[[product:{band.slug}]]\n\n[[exercise:{move.slug}]]")
        slug = small.slug
    before = queries("GET", f"/articles/{slug}")
    with session_of(app) as session:
        products = [make_product(session, variants=3) for _ in range(6)]
        exercises = [make_exercise(session, products=products[:2]) for _ in range(6)]
        body = "\n\n".join(f"[[product:{p.slug}]]\n\n[[exercise:{e.slug}]]"
                           for p, e in zip(products, exercises, strict=True))
        big = make_article(session, "long-read", exercises=exercises, products=products,
                           body=body)
        for _ in range(20):
            make_article(session, products=products[:1])
        approved(session, "comment", big, 25)
    assert queries("GET", "/articles/long-read") == before
    assert before > 0


def test_cart_reads_and_writes_cost_the_same_with_many_lines(shop):
    app, client, queries = shop
    with session_of(app) as session:
        skus = [v.sku for _ in range(16) for v in make_product(session, variants=1).variants]
    token = client.post("/api/v1/carts").get_json()["token"]
    client.post(f"/api/v1/carts/{token}/lines", json={"sku": skus[0]})
    one_line = (queries("GET", f"/api/v1/carts/{token}"),
                queries("POST", f"/api/v1/carts/{token}/lines", json={"sku": skus[1]}))
    for sku in skus[2:15]:
        client.post(f"/api/v1/carts/{token}/lines", json={"sku": sku})
    many_lines = (queries("GET", f"/api/v1/carts/{token}"),
                  queries("POST", f"/api/v1/carts/{token}/lines", json={"sku": skus[15]}))
    assert many_lines == one_line


def test_the_cart_page_costs_the_same_with_many_lines(shop):
    app, client, queries = shop
    with session_of(app) as session:
        products = [make_product(session, variants=1) for _ in range(12)]
        skus = {p.name: p.variants[0].sku for p in products}
    page = client.get(f"/products/{products[0].slug}").get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    first, *rest = skus.values()
    client.post("/cart/add", data={"sku": first, "quantity": 1, "csrf_token": csrf})
    one_line = queries("GET", "/cart")
    for sku in rest:
        client.post("/cart/add", data={"sku": sku, "quantity": 1, "csrf_token": csrf})
    cart = client.get("/cart").get_data(as_text=True)
    assert all(name in cart for name in skus), "every line is on the page"
    assert queries("GET", "/cart") == one_line
