"""The shared cache: answers served from Redis stay right when any host changes the data."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from storefront.extensions import db
from storefront.sharedcache import SharedCache

from .checkout_helpers import available, cart_with, checkout
from .factories import make_article, make_exercise, make_product
from .moderation_helpers import decide, post_review

PAGE = "/products/better-band"
DETAIL = "/api/v1/products/better-band"

pytestmark = pytest.mark.shared_cache


@pytest.fixture
def other_host(app, make_app):
    """A second app on the same database and the same cache: another host of the shop."""
    return make_app(STOREFRONT_CACHE_PREFIX=app.config["STOREFRONT_CACHE_PREFIX"])


def price(client, index=0) -> int:
    return client.get(DETAIL).get_json()["variants"][index]["price"]["amount"]


def test_a_price_changed_on_another_host_is_seen_at_once(app, client, demo, staff, other_host):
    assert price(client) == 1999
    assert "$19.99" in client.get(PAGE).get_data(as_text=True)
    response = other_host.test_client().patch(
        "/api/v1/staff/variants/BB-LIGHT", json={"price": 1799}, headers=staff.headers("admin"))
    assert response.status_code == 200
    assert price(client) == 1799
    page = client.get(PAGE).get_data(as_text=True)
    assert "$17.99" in page and "$19.99" not in page


def test_a_sale_on_another_host_lowers_the_stock_shown_everywhere(client, demo, other_host):
    before = available(client)
    buyer = other_host.test_client()
    assert checkout(buyer, cart_with(buyer, ("BB-LIGHT", 3))).status_code == 201
    assert available(client) == before - 3
    assert f"{before - 3} in stock" in client.get(PAGE).get_data(as_text=True)


def test_an_approved_review_appears_on_every_host(client, demo, staff, other_host):
    assert "Stays put" not in client.get(PAGE).get_data(as_text=True)
    item = post_review(client).get_json()["id"]
    assert "Stays put" not in client.get(PAGE).get_data(as_text=True), "not before approval"
    assert decide(other_host.test_client(), staff.headers(), "review", item,
                  "approve").status_code == 200
    assert "Stays put" in client.get(PAGE).get_data(as_text=True)
    assert client.get(DETAIL).get_json()["rating"] == {"average": 4.0, "count": 1}


def test_an_article_edited_elsewhere_shows_its_new_text(app, client, other_host):
    with app.app_context():  # not held open: each request gets a session of its own
        slug = make_article(db.session, body="First draft of the tips.").slug
    path = f"/articles/{slug}"
    assert "First draft" in client.get(path).get_data(as_text=True)
    with other_host.app_context():
        db.session.execute(text("UPDATE article SET body_markdown = 'Second go at the tips.' "
                                "WHERE slug = :slug"), {"slug": slug})
        db.session.commit()
    page = client.get(path).get_data(as_text=True)
    assert "Second go" in page and "First draft" not in page


def test_a_new_product_shows_in_the_cached_list(app, client, other_host):
    with app.app_context():
        make_product(db.session, "first-band")
    assert [p["slug"] for p in client.get("/api/v1/products").get_json()["items"]] == \
        ["first-band"]
    with other_host.app_context():
        make_product(db.session, "second-band")
    assert [p["slug"] for p in client.get("/api/v1/products").get_json()["items"]] == \
        ["first-band", "second-band"]


def test_revalidation_answers_304_until_the_product_changes(client, demo, staff):
    first = client.get(DETAIL)
    tag = first.headers["ETag"]
    again = client.get(DETAIL, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.get_data() == b""
    client.patch("/api/v1/staff/variants/BB-LIGHT", json={"stock": 7},
                 headers=staff.headers("admin"))
    changed = client.get(DETAIL, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert changed.get_json()["variants"][0]["available"] == 7


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def demo_shop(app):
    """The demo data, loaded in an app context that is closed again, so that each
    request below runs in a context (and `g`) of its own, as it does in production."""
    from storefront.demo import seed_demo
    with app.app_context():
        seed_demo(db.session, app.extensions["storefront"].plugins)


def test_cached_pages_keep_each_visitors_own_parts(app, demo_shop):
    shopper, reader = app.test_client(), app.test_client()
    shopper.get(PAGE)
    shopper.post("/cart/add", data={"sku": "BB-LIGHT", "quantity": 2,
                                    "csrf_token": CSRF.search(shopper.get(PAGE).text)[1]})
    shopper_page, reader_page = shopper.get(PAGE).text, reader.get(PAGE).text
    assert re.search(r'class="cart-link"[^>]*>Cart <span class="count">\(2', shopper_page)
    assert re.search(r'class="cart-link"[^>]*>Cart</a>', reader_page)
    assert CSRF.search(shopper_page)[1] != CSRF.search(reader_page)[1]
    assert "<!--hole" not in shopper_page + reader_page


def test_a_review_sent_from_a_cached_page_is_accepted_and_thanked(app, demo_shop):
    visitor = app.test_client()
    token = CSRF.search(visitor.get(PAGE).text)[1]
    sent = visitor.post("/products/better-band/reviews", data={
        "csrf_token": token, "rating": 5, "title": "Grippy", "body": "Never slides down.",
        "author_name": "Cy", "email": "cy@example.com"})
    assert sent.status_code == 303
    assert "will appear once a moderator has approved it" in visitor.get(PAGE).text
    assert "will appear once" not in visitor.get(PAGE).text, "a message is shown once"


def test_the_source_of_a_visit_is_per_request_and_checked(client, demo):
    linked = client.get(PAGE + "?source=article:are-hamstrings-your-missing-link").text
    assert 'name="source" type="hidden" value="article:are-hamstrings-your-missing-link"' \
        in linked
    assert 'name="source" type="hidden" value=""' in client.get(PAGE).text
    forged = client.get(PAGE + '?source="><script>alert(1)</script>').text
    assert "<script>alert" not in forged
    assert 'name="source" type="hidden" value=""' in forged


def test_answers_stay_right_when_redis_does_not_answer(make_app, demo, staff):
    client = make_app(STOREFRONT_CACHE_URL="redis://127.0.0.1:1/0").test_client()
    assert price(client) == 1999
    assert client.get(PAGE).status_code == 200
    client.patch("/api/v1/staff/variants/BB-LIGHT", json={"price": 1899},
                 headers=staff.headers("admin"))
    assert price(client) == 1899


def test_an_entry_built_while_a_commit_lands_is_never_served(cache_url):
    cache = SharedCache(cache_url, prefix="test-race:", ttl=30)
    cache.client.delete(cache.generation_key)

    def old_read_then_a_commit():
        cache.invalidate()  # another host commits while this one reads the old rows
        return b"old"

    assert cache.fetch("thing", old_read_then_a_commit).body == b"old"
    assert cache.fetch("thing", lambda: b"new").body == b"new"
    assert cache.fetch("thing", lambda: b"never built").body == b"new"


def test_a_lost_generation_never_brings_old_entries_back(cache_url):
    cache = SharedCache(cache_url, prefix="test-lost:", ttl=30)
    cache.client.set(cache.generation_key, 1)
    assert cache.fetch("thing", lambda: b"old").body == b"old"
    cache.client.delete(cache.generation_key)  # evicted, or Redis restarted empty
    cache.invalidate()  # a write: the counter starts again at 1, which "old" was kept under
    assert cache.fetch("thing", lambda: b"new").body == b"new"


def _price_changed_behind_the_shops_back(app, amount: int) -> None:
    """Change a price straight in SQL, where the cache cannot see it."""
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("UPDATE variant SET price_amount = :amount "
                                "WHERE sku = 'BB-LIGHT'"), {"amount": amount})


def test_cart_writes_leave_cached_answers_in_place(app, client, demo):
    assert price(client) == 1999
    _price_changed_behind_the_shops_back(app, 999)
    cart_with(client, ("BB-LIGHT", 1), ("BB-TRIO", 2))
    assert price(client) == 1999, "a cart write threw the cached product answer away"



def test_cache_clear_makes_every_host_build_afresh(app, client, runner, demo):
    client.get(DETAIL)
    _price_changed_behind_the_shops_back(app, 999)
    assert price(client) == 1999, "the cache cannot see writes that bypass the shop"
    result = runner.invoke(args=["cache", "clear"])
    assert result.exit_code == 0, result.output
    assert price(client) == 999


def test_a_cached_search_finds_a_product_added_on_another_host(client, other_host):
    assert client.get("/api/v1/search?q=coral").get_json()["items"] == []
    with other_host.app_context():
        make_product(db.session, "coral-loop", name="Coral Loop")
    hits = client.get("/api/v1/search?q=coral").get_json()["items"]
    assert [hit["slug"] for hit in hits] == ["coral-loop"]


def test_the_home_page_shows_a_price_changed_on_another_host(client, demo, staff, other_host):
    assert "$19.99" in client.get("/").get_data(as_text=True)
    response = other_host.test_client().patch(
        "/api/v1/staff/variants/BB-LIGHT", json={"price": 1799}, headers=staff.headers("admin"))
    assert response.status_code == 200
    home = client.get("/").get_data(as_text=True)
    assert "$17.99" in home and "$19.99" not in home


def test_the_home_page_is_served_from_the_cache(app, client, demo):
    first = client.get("/").get_data(as_text=True)
    _price_changed_behind_the_shops_back(app, 999)
    assert client.get("/").get_data(as_text=True) == first


def test_a_searched_page_finds_a_product_added_on_another_host(client, other_host):
    for _ in range(2):  # a phrase asked again is kept
        assert "Coral Loop" not in client.get("/search?q=coral").get_data(as_text=True)
    with other_host.app_context():
        make_product(db.session, "coral-loop", name="Coral Loop")
    assert "Coral Loop" in client.get("/search?q=coral").get_data(as_text=True)


def test_content_indexes_and_exercise_pages_show_changes_made_elsewhere(app, client,
                                                                         other_host):
    with app.app_context():
        slug = make_exercise(db.session).slug
    page = f"/exercises/{slug}"
    assert "Clamshell walk" not in client.get("/exercises").get_data(as_text=True)
    assert "Clamshell walk" not in client.get(page).get_data(as_text=True)
    assert "Fresh tips" not in client.get("/articles").get_data(as_text=True)
    with other_host.app_context():
        db.session.execute(text("UPDATE exercise SET name = 'Clamshell walk' WHERE slug = :s"),
                           {"s": slug})
        make_article(db.session).title = "Fresh tips"
        db.session.commit()
    assert "Clamshell walk" in client.get("/exercises").get_data(as_text=True)
    assert "Clamshell walk" in client.get(page).get_data(as_text=True)
    assert "Fresh tips" in client.get("/articles").get_data(as_text=True)
