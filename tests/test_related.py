"""Related reading and buying: articles on product pages, products and what readers
also bought on article pages."""

from datetime import UTC, datetime, timedelta

from .checkout_helpers import checkout, test_page_action
from .factories import make_article, make_product


def section(page: str, heading_id: str) -> str:
    """The HTML of the section a heading with `heading_id` opens ('' when there is none)."""
    start = page.find(f'id="{heading_id}"')
    if start < 0:
        return ""
    return page[start:page.index("</section>", start)]


def article_href(slug: str) -> str:
    return f'href="/articles/{slug}"'


def product_href(slug: str, article_slug: str) -> str:
    return f'href="/products/{slug}?source=article:{article_slug}"'


def test_a_product_page_lists_the_articles_that_feature_it(client, session):
    band = make_product(session, "loop-band")
    lonely = make_product(session, "lonely-band")
    shown = make_article(session, "loop-band-basics", products=[band])
    draft = make_article(session, "loop-band-draft", products=[band], status="draft")
    later = make_article(session, "loop-band-soon", products=[band], status="scheduled",
                         published_at=datetime.now(UTC) + timedelta(days=3))
    due = make_article(session, "loop-band-due", products=[band], status="scheduled",
                       published_at=datetime.now(UTC) - timedelta(hours=1))
    elsewhere = make_article(session, "other-gear", products=[lonely])

    page = client.get("/products/loop-band").get_data(as_text=True)
    block = section(page, "articles-title")
    assert "Articles featuring this" in block
    assert article_href(shown.slug) in block and article_href(due.slug) in block
    assert shown.title in block
    for hidden in (draft, later, elsewhere):
        assert article_href(hidden.slug) not in page
    # Articles are reading, not exercises: the API's exercise list stays as it was.
    body = client.get("/api/v1/products/loop-band").get_json()
    assert body["exercises"] == []

    make_product(session, "plain-band")
    assert "Articles featuring" not in client.get("/products/plain-band").get_data(as_text=True)


def test_an_article_page_lists_the_products_it_mentions_with_prices(client, session):
    band = make_product(session, "mini-band", price=1450, name="Mini Band")
    sizes = make_product(session, "sized-band", price=1200, variants=3, name="Sized Band")
    gone = make_product(session, "old-band", name="Old Band")
    gone.status = "archived"
    session.commit()
    make_article(session, "mini-band-warmup", products=[band, sizes, gone])

    page = client.get("/articles/mini-band-warmup").get_data(as_text=True)
    block = section(page, "gear-title")
    assert product_href("mini-band", "mini-band-warmup") in block
    assert "Mini Band" in block and "$14.50" in block and "From $14.50" not in block
    assert product_href("sized-band", "mini-band-warmup") in block
    assert "From $12.00" in block  # three prices: the lowest, said as such
    assert "Old Band" not in block and "/products/old-band" not in page
    assert section(page, "also-bought-title") == ""  # nobody has bought anything yet


def _buy(client, *lines, pay=True):
    """Place an order of `(sku, source)` lines through the API and pay it (or decline it
    with `pay=False`, or leave it pending with `pay=None`)."""
    token = client.post("/api/v1/carts").get_json()["token"]
    for sku, source in lines:
        body = {"sku": sku, "quantity": 1} | ({"source": source} if source else {})
        response = client.post(f"/api/v1/carts/{token}/lines", json=body)
        assert response.status_code == 200, response.get_json()
    placed = checkout(client, token)
    assert placed.status_code in (200, 201), placed.get_json()
    if pay is not None:
        test_page_action(client, placed.get_json()["checkout_url"], 0 if pay else 1)


def test_readers_also_bought_comes_from_paid_orders_the_article_led_to(client, session):
    mentioned = make_product(session, "guide-band", name="Guide Band")
    often = make_product(session, "often-band", name="Often Band")
    once = make_product(session, "once-band", name="Once Band")
    waiting = make_product(session, "waiting-band", name="Waiting Band")
    declined = make_product(session, "declined-band", name="Declined Band")
    unrelated = make_product(session, "unrelated-band", name="Unrelated Band")
    retired = make_product(session, "retired-band", name="Retired Band")
    make_article(session, "band-guide", products=[mentioned])
    make_article(session, "quiet-read", products=[mentioned])
    source = "article:band-guide"
    skus = {p.slug: p.variants[0].sku for p in
            (mentioned, often, once, waiting, declined, unrelated, retired)}

    # Bought after reading: the band the article names, and others beside it.
    _buy(client, (skus["guide-band"], source), (skus["often-band"], None))
    _buy(client, (skus["often-band"], source), (skus["retired-band"], None))
    _buy(client, (skus["guide-band"], source), (skus["once-band"], None))
    # Orders that never paid, and a paid one that did not come from the article.
    _buy(client, (skus["guide-band"], source), (skus["waiting-band"], None), pay=None)
    _buy(client, (skus["guide-band"], source), (skus["declined-band"], None), pay=False)
    _buy(client, (skus["unrelated-band"], None))
    retired.status = "archived"
    session.commit()

    page = client.get("/articles/band-guide").get_data(as_text=True)
    block = section(page, "also-bought-title")
    assert "Readers also bought" in block
    assert product_href("often-band", "band-guide") in block
    assert product_href("once-band", "band-guide") in block
    assert block.index("Often Band") < block.index("Once Band")  # most orders first
    for name in ("Guide Band", "Waiting Band", "Declined Band", "Unrelated Band",
                 "Retired Band"):
        assert name not in block
    assert "$19.99" in block
    assert product_href("guide-band", "band-guide") in section(page, "gear-title")

    other = client.get("/articles/quiet-read").get_data(as_text=True)
    assert "Readers also bought" not in other


def test_readers_also_bought_costs_the_same_however_many_orders(client, session,
                                                                count_queries):
    guide = make_product(session, "count-guide-band")
    others = [make_product(session, f"count-extra-{n}") for n in range(4)]
    make_article(session, "counted-read", products=[guide])
    source = "article:counted-read"
    _buy(client, (guide.variants[0].sku, source), (others[0].variants[0].sku, None))

    def article_cost() -> int:
        with count_queries() as statements:
            page = client.get("/articles/counted-read")
        assert page.status_code == 200
        return statements()

    one_order = article_cost()
    for extra in others:
        _buy(client, (guide.variants[0].sku, source), (extra.variants[0].sku, None))
    assert article_cost() == one_order
    block = section(client.get("/articles/counted-read").get_data(as_text=True),
                    "also-bought-title")
    assert block.count("<li>") == 3  # the three most bought, no more
