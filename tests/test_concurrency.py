"""Many shoppers at once: the last units are sold exactly once."""

import threading

from sqlalchemy import select

from storefront.catalog.models import Variant
from storefront.orders.models import Order

from .checkout_helpers import cart_with
from .factories import make_product

STOCK = 5


def test_concurrent_checkouts_sell_exactly_the_stock(app, session, database_url):
    # PostgreSQL takes the full crowd; SQLite, which serialises writers, a smaller one.
    shoppers = 50 if database_url.startswith("postgres") else 12
    product = make_product(session, "last-bands", stock=STOCK)
    sku = product.variants[0].sku
    client = app.test_client()
    carts = [cart_with(client, (sku, 1)) for _ in range(shoppers)]
    barrier = threading.Barrier(shoppers)
    statuses: list[int] = []

    def shop(token):
        own = app.test_client()
        barrier.wait()
        response = own.post(f"/api/v1/carts/{token}/checkout", json={"email": "a@example.com"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=shop, args=(token,)) for token in carts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    session.expire_all()
    assert sorted(statuses) == [201] * STOCK + [409] * (shoppers - STOCK)
    assert session.scalar(select(Variant.stock).where(Variant.sku == sku)) == 0
    assert len(session.scalars(select(Order)).all()) == STOCK


def test_adds_to_one_cart_at_once_each_count(app, session, database_url):
    # Several tabs (or a double click) adding to the same cart at the same moment: each
    # add waits for the one before it, so no unit is lost and a variant keeps one line.
    tabs = 12
    product = make_product(session, "busy-cart", stock=100, variants=2)
    first, second = (variant.sku for variant in product.variants)
    client = app.test_client()
    token = client.post("/api/v1/carts").get_json()["token"]
    barrier = threading.Barrier(tabs)
    statuses: list[int] = []

    def add(n):
        own = app.test_client()
        barrier.wait()
        response = own.post(f"/api/v1/carts/{token}/lines",
                            json={"sku": first if n % 3 else second, "quantity": 1})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(tabs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * tabs
    cart = client.get(f"/api/v1/carts/{token}").get_json()
    assert {line["sku"]: line["quantity"] for line in cart["lines"]} == {first: 8, second: 4}
    assert cart["item_count"] == tabs
