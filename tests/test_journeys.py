"""Visit journeys: touches noted on the pages, carried into the cart and the order, and the
report's first-touch and assisted figures."""

from __future__ import annotations

import html
import re
import threading

from sqlalchemy import select

from storefront.attribution import journeys
from storefront.attribution.models import OrderTouch
from storefront.cart.models import Cart
from storefront.discounts.models import DiscountCode
from storefront.orders.models import Order

from .checkout_helpers import cart_with, checkout, test_page_action

ARTICLE_SLUG = "are-hamstrings-your-missing-link"
ARTICLE = f"article:{ARTICLE_SLUG}"
REPORT = "/api/v1/staff/reports/attribution"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def report(client, headers) -> dict:
    response = client.get(REPORT, headers=headers)
    assert response.status_code == 200, response.get_json()
    return {row["source"]: row for row in response.get_json()["items"]}


def journey_of(client) -> journeys.Journey:
    cookie = client.get_cookie("journey")
    return journeys.from_cookie(cookie.value if cookie else None)


def follow(client, page: str, pattern: str) -> str:
    """The first link on `page` matching `pattern`, as a browser would follow it."""
    found = re.search(r'href="(' + pattern + r')"', page)
    assert found, pattern
    return html.unescape(found.group(1))


def add_from_page(client, product_url: str, sku: str | None = None):
    page = client.get(product_url).get_data(as_text=True)
    source = re.search(r'name="source" type="hidden" value="([^"]*)"', page).group(1)
    sku = sku or re.search(r'<option selected value="([^"]+)"', page).group(1)
    return client.post("/cart/add", data={"csrf_token": CSRF.search(page).group(1),
                                          "sku": sku, "quantity": 1, "source": source})


def pay_from_cart(client) -> str:
    """Check out the cookie cart on the pages and pay on the test page; the order number."""
    page = client.get("/cart").get_data(as_text=True)
    response = client.post("/checkout", data={"csrf_token": CSRF.search(page).group(1),
                                              "email": "reader@example.com"})
    assert response.status_code == 303, response.get_data(as_text=True)
    paid = test_page_action(client, response.headers["Location"], 0)
    assert paid.status_code in (302, 303)
    return re.search(r"BB-[A-Z0-9]{4}-[A-Z0-9]{4}",
                     client.get(paid.headers["Location"]).get_data(as_text=True)).group(0)


def read_article_then_buy(client) -> tuple[str, str]:
    """Article -> its exercise link -> the exercise's band link -> add -> pay."""
    article = client.get(f"/articles/{ARTICLE_SLUG}").get_data(as_text=True)
    exercise_url = follow(client, article, r"/exercises/[a-z0-9-]+\?source=" + ARTICLE)
    exercise = "exercise:" + exercise_url.split("?")[0].rsplit("/", 1)[1]
    page = client.get(exercise_url).get_data(as_text=True)
    product_url = follow(client, page, r"/products/[a-z0-9-]+\?source=" + exercise
                         + r"[^\"]*")
    assert add_from_page(client, product_url).status_code == 303
    return pay_from_cart(client), exercise


def test_an_article_that_began_the_visit_gets_first_touch(client, staff, demo, session):
    number, exercise = read_article_then_buy(client)
    rows = report(client, staff.headers("admin"))
    article, sold = rows[ARTICLE], rows[exercise]
    assert article["title"] == "Are Hamstrings Your Missing Link?"
    assert (article["orders"], article["first_touch"]["orders"],
            article["assisted_orders"]) == (0, 1, 0)
    assert (sold["orders"], sold["first_touch"]["orders"], sold["assisted_orders"]) == (1, 0, 0)
    assert article["first_touch"]["revenue"] == sold["revenue"]
    assert sold["revenue"]["amount"] > 0
    order = session.scalar(select(Order).where(Order.number == number))
    assert order.journey["touches"] == [ARTICLE, exercise]
    assert client.get_cookie("journey") is None  # the cart took the journey over


def test_a_campaign_landing_gets_first_touch(client, staff, demo, session):
    landing = client.get("/?utm_campaign=Spring%20Sale&utm_source=Newsletter&utm_medium=email",
                         headers={"Referer": "https://mail.example.org/inbox"})
    assert "journey=" in landing.headers["Set-Cookie"]
    assert landing.headers["Cache-Control"] == "private, no-store"
    article = client.get(f"/articles/{ARTICLE_SLUG}").get_data(as_text=True)
    product_url = follow(client, article, r"/products/better-band\?source=" + ARTICLE)
    assert add_from_page(client, product_url, sku="BB-LIGHT").status_code == 303
    number = pay_from_cart(client)
    rows = report(client, staff.headers("admin"))
    campaign = rows["campaign:spring-sale"]
    assert campaign["title"] == "spring-sale" and campaign["views"] == 1
    assert (campaign["orders"], campaign["first_touch"]["orders"]) == (0, 1)
    assert (rows[ARTICLE]["orders"], rows[ARTICLE]["first_touch"]["orders"]) == (1, 1)
    order = session.scalar(select(Order).where(Order.number == number))
    assert order.journey == {"touches": ["campaign:spring-sale", ARTICLE],
                             "campaign": "spring-sale", "utm_source": "newsletter",
                             "utm_medium": "email", "referrer": "mail.example.org"}
    roles = set(session.execute(select(OrderTouch.source, OrderTouch.role)
                                .where(OrderTouch.order_id == order.id)))
    assert roles == {("campaign:spring-sale", "first"), (ARTICLE, "first")}
    staff.login(staff.create("admin").email)
    desk = client.get(f"/staff/orders/{number}").get_data(as_text=True)
    assert (f"<dt>Journey</dt><dd>first campaign:spring-sale · last {ARTICLE} · campaign "
            "spring-sale · from mail.example.org</dd>") in desk


def test_refunds_take_revenue_from_every_row(client, staff, demo):
    number, exercise = read_article_then_buy(client)
    admin = staff.headers("admin")
    before = report(client, admin)
    paid = before[exercise]["revenue"]["amount"]
    order = client.get(f"/api/v1/staff/orders/{number}", headers=admin).get_json()
    total = order["total"]["amount"]
    part = total // 4
    assert client.post(f"/api/v1/staff/orders/{number}/refunds", json={"amount": part},
                       headers=admin).status_code == 201
    after = report(client, admin)
    kept = paid * (total - part) // total
    assert after[exercise]["revenue"]["amount"] == kept < paid
    assert after[ARTICLE]["first_touch"]["revenue"]["amount"] == kept
    assert client.post(f"/api/v1/staff/orders/{number}/refunds",
                       json={"amount": total - part}, headers=admin).status_code == 201
    gone = report(client, admin)
    for source in (exercise, ARTICLE):
        row = gone.get(source, {"orders": 0, "revenue": {"amount": 0},
                                "first_touch": {"orders": 0, "revenue": {"amount": 0}}})
        assert row["orders"] == 0 and row["revenue"]["amount"] == 0
        assert row["first_touch"] == {"orders": 0, "revenue": row["first_touch"]["revenue"]}
        assert row["first_touch"]["revenue"]["amount"] == 0


def test_concurrent_adds_keep_one_journey(app, client, session, demo):
    # PostgreSQL holds each add at the cart's row lock; SQLite takes them one at a time.
    tabs = 8
    token = client.post("/api/v1/carts").get_json()["token"]
    barrier = threading.Barrier(tabs)
    statuses: list[int] = []

    def add(n):
        own = app.test_client()
        barrier.wait()
        statuses.append(own.post(f"/api/v1/carts/{token}/lines", json={
            "sku": "BB-LIGHT" if n % 2 else "BB-MEDIUM", "quantity": 1,
            "source": f"campaign:tab-{n}"}).status_code)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(tabs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * tabs
    session.expire_all()
    touches = session.scalar(select(Cart.journey).where(Cart.token == token))["touches"]
    assert sorted(touches) == sorted(f"campaign:tab-{n}" for n in range(tabs))


def test_do_not_track_keeps_only_content_touches(client, demo):
    private = {"DNT": "1", "Referer": "https://news.example.com/story"}
    response = client.get("/?utm_campaign=spring&utm_source=mail", headers=private)
    assert "journey=" not in str(response.headers)
    client.get(f"/exercises/squat?source={ARTICLE}&utm_campaign=spring",
               headers={"Sec-GPC": "1", "Referer": "https://news.example.com/"})
    assert journey_of(client) == journeys.Journey(touches=(ARTICLE,))
    client.get("/exercises/squat", headers={"Referer": "https://News.Example.COM:8443/a/b?c=1"})
    assert journey_of(client).referrer == "news.example.com"
    own = client.get("/exercises/squat", headers={"Referer": "http://localhost/articles"})
    assert "journey=" not in str(own.headers)  # the shop's own pages are no referrer


def test_cached_pages_set_no_cookie_for_the_next_reader(app, client, demo):
    first = client.get(f"/articles/{ARTICLE_SLUG}?utm_campaign=launch")
    assert "journey=" in first.headers["Set-Cookie"]
    other = app.test_client().get(f"/articles/{ARTICLE_SLUG}")
    assert "journey=" not in str(other.headers)
    canonical = f'<link rel="canonical" href="http://localhost/articles/{ARTICLE_SLUG}">'
    assert canonical in first.get_data(as_text=True)


def test_malformed_cookies_and_unknown_sources_are_ignored(client, demo):
    for value in ("garbage", "1|\u00e9||||", "1|article:Bad Slug|X Y|y|z|-bad-",
                  "1|" + "exercise:squat+" * 150, "2|exercise:squat|||||",
                  "1|exercise:squat|spring|||bad_domain!"):
        client.set_cookie("journey", value)
        response = client.get("/exercises/glute-bridge?source=exercise:squat")
        assert response.status_code == 200
        journey = journey_of(client)
        assert journey.touches == ("exercise:squat",)
        assert journey.referrer is None and journey.campaign in (None, "spring")
    client.delete_cookie("journey")
    unknown = client.get("/products/better-band?source=article:no-such-article")
    assert unknown.status_code == 200 and "journey=" not in str(unknown.headers)


def test_the_api_credits_campaigns_and_refuses_unknown_content(client, session, demo):
    token = client.post("/api/v1/carts").get_json()["token"]
    unknown = client.post(f"/api/v1/carts/{token}/lines", json={
        "sku": "BB-LIGHT", "source": "article:no-such-article"})
    assert unknown.status_code == 422 and unknown.get_json()["reason"] == "unknown_source"
    malformed = client.post(f"/api/v1/carts/{token}/lines", json={
        "sku": "BB-LIGHT", "source": "campaign:Spring Sale"})
    assert malformed.status_code == 422
    added = client.post(f"/api/v1/carts/{token}/lines", json={
        "sku": "BB-LIGHT", "source": "campaign:spring-sale"})
    assert added.status_code == 200
    assert added.get_json()["lines"][0]["source"] == "campaign:spring-sale"
    cart_with(client, ("BB-MEDIUM", 1), source=ARTICLE)
    assert session.scalar(select(Cart.journey).where(Cart.token == token))["touches"] == [
        "campaign:spring-sale"]


def test_a_long_visit_keeps_its_first_touch_and_the_latest(client, demo):
    for n in range(30):
        client.get(f"/?utm_campaign=c{n}")
    touches = journey_of(client).touches
    assert len(touches) == journeys.MAX_TOUCHES
    assert touches == ("campaign:c0", *(f"campaign:c{n}" for n in range(21, 30)))
    assert len(client.get_cookie("journey").value) < 400


def test_huge_utm_values_and_forged_touches_credit_nothing(client, session, staff, demo):
    huge = "x" * 10_000
    landing = client.get(f"/?utm_campaign={huge}&utm_source={huge}&utm_medium={huge}")
    assert landing.status_code == 200
    cookie = client.get_cookie("journey")
    assert cookie is None or len(cookie.value) < 400
    # A cookie forged to name content that does not exist, and a link source likewise:
    # the add is direct, and no report row names the ghost.
    client.set_cookie("journey", "1|article:no-such-article+exercise:no-such-move|||||")
    added = add_from_page(client, "/products/better-band?source=article:no-such-article",
                          sku="BB-MEDIUM")
    assert added.status_code == 303
    pay_from_cart(client)
    rows = report(client, staff.headers("admin"))
    assert not [source for source in rows if "no-such" in source or "xxxx" in source]
    assert rows["direct"]["orders"] == 1


def test_a_code_tied_to_an_article_credits_it(client, session, staff, demo):
    session.add(DiscountCode(code="HAMSTRINGS", percent_off=10, currency="usd", source=ARTICLE))
    session.commit()
    token = cart_with(client, ("BB-LIGHT", 2))  # no content touch of its own
    applied = client.post(f"/api/v1/carts/{token}/discount", json={"code": "hamstrings"})
    assert applied.status_code == 200, applied.get_json()
    placed = checkout(client, token).get_json()
    test_page_action(client, placed["checkout_url"], 0)
    rows = report(client, staff.headers("admin"))
    net = 2 * 1999 - 400  # 10% off, to the nearest cent
    assert rows["direct"]["revenue"]["amount"] == net
    assert rows[ARTICLE]["first_touch"] == {
        "orders": 1, "revenue": {"amount": net, "currency": "usd", "formatted": "$35.98"}}


def test_revenue_shares_add_up_to_the_order():
    from storefront.attribution.services import order_revenue, split_revenue
    assert split_revenue(100, [1, 1, 1]) == [34, 33, 33]
    assert split_revenue(1001, [2999, 1999]) == [601, 400]
    assert sum(split_revenue(99_999, [7, 13, 29, 1])) == 99_999
    assert order_revenue(subtotal=4000, discount=400, total=4500, refunded=1500) == 2400
    assert order_revenue(subtotal=4000, discount=0, total=4000, refunded=4000) == 0
