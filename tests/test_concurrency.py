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
