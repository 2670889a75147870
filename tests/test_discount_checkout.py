"""Discount codes at checkout: a use taken with a guarded update, given back once when the
order is cancelled, and the discounted total charged by every provider."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from storefront.catalog.models import Variant
from storefront.demo import seed_demo
from storefront.discounts.models import DiscountCode
from storefront.extensions import db
from storefront.orders.models import Order

from .checkout_helpers import (
    available,
    cart_with,
    checkout,
    deliver,
    order,
    session_id,
    test_page_action,
)
from .factories import make_product
from .test_discounts import CODES, apply, make_code


@pytest.fixture
def admin(staff):
    return staff.headers("admin")


def used(app, code="SPRING-10") -> int:
    with app.app_context():
        try:
            return db.session.scalar(select(DiscountCode.used).where(DiscountCode.code == code))
        finally:
            db.session.remove()


def with_code(client, *lines, code="SPRING-10"):
    token = cart_with(client, *(lines or (("BB-LIGHT", 1),)))
    response = apply(client, token, code)
    assert response.status_code == 200, response.get_json()
    return token


def test_the_order_holds_the_discount_and_the_test_page_charges_it(app, client, demo, admin):
    make_code(client, admin, percent_off=15)
    token = with_code(client, ("BB-LIGHT", 2))  # 3998: 15% is 599.7, so 600
    placed = checkout(client, token).get_json()
    pending = order(client, placed)
    assert pending["discount"] == {"code": "SPRING-10", "amount": pending["discount"]["amount"]}
    assert pending["discount"]["amount"]["amount"] == 600
    assert pending["total"]["amount"] == 3998 - 600 and pending["subtotal"]["amount"] == 3998
    assert used(app) == 1
    test_page_action(client, placed["checkout_url"], 0)  # Standard shipping, $4.99
    paid = order(client, placed)
    assert paid["status"] == "paid" and paid["discount"]["amount"]["amount"] == 600
    assert paid["total"]["amount"] == 3998 - 600 + 499
    assert used(app) == 1  # paying keeps the use
    assert client.get(f"/api/v1/carts/{token}").get_json()["discount"] is None  # spent


def test_tax_is_worked_out_on_the_goods_after_the_discount(make_app):
    shop = make_app(TAX_RATES="US:10", demo=True)
    client = shop.test_client()
    with shop.app_context():
        from storefront.staff.services import create_staff, create_token
        create_staff(db.session, "boss@example.com", "admin", "a long enough password 1")
        headers = {"Authorization": f"Bearer {create_token(db.session, 'boss@example.com')}"}
        db.session.remove()
    make_code(client, headers, amount_off=999)
    placed = checkout(client, with_code(client, ("BB-LIGHT", 1))).get_json()
    test_page_action(client, placed["checkout_url"], 0)
    paid = order(client, placed)
    goods, shipping = 1999 - 999, 499
    tax = (goods + shipping) // 10
    assert paid["tax"]["amount"] == pytest.approx(tax, abs=1)
    assert paid["total"]["amount"] == goods + shipping + paid["tax"]["amount"]


def test_a_code_used_up_at_checkout_leaves_nothing_written(app, client, demo, admin, session):
    make_code(client, admin, max_uses=1)
    first, second = with_code(client), with_code(client)
    assert checkout(client, first, "a@example.com").status_code == 201
    stock = available(client)
    refused = checkout(client, second, "b@example.com")
    assert refused.status_code == 422 and refused.get_json()["reason"] == "discount_used_up"
    assert available(client) == stock
    assert session.scalar(select(func.count()).select_from(Order)) == 1
    assert used(app) == 1


def test_a_code_that_stopped_applying_is_refused_at_checkout(app, client, demo, admin):
    make_code(client, admin, min_subtotal=3000)
    token = with_code(client, ("BB-LIGHT", 2))
    line = client.get(f"/api/v1/carts/{token}").get_json()["lines"][0]["id"]
    client.patch(f"/api/v1/carts/{token}/lines/{line}", json={"quantity": 1})
    refused = checkout(client, token)
    assert refused.status_code == 422 and refused.get_json()["reason"] == \
        "discount_below_minimum"
    client.patch(f"{CODES}/SPRING-10", headers=admin,
                 json={"min_subtotal": None, "ends_at": (
                     datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
                     "starts_at": (datetime.now(UTC) - timedelta(days=1)).isoformat()})
    expired = checkout(client, token)
    assert expired.status_code == 422 and expired.get_json()["reason"] == "discount_expired"
    assert used(app) == 0
    client.delete(f"/api/v1/carts/{token}/discount")
    assert checkout(client, token).status_code == 201  # without the code, at full price


def test_twenty_checkouts_at_once_use_three_uses_exactly(app, session, admin, database_url):
    # PostgreSQL takes the full crowd; SQLite, which serialises writers, a smaller one.
    shoppers = 20 if database_url.startswith("postgres") else 8
    product = make_product(session, "code-rush", stock=100)
    sku = product.variants[0].sku
    client = app.test_client()
    make_code(client, admin, max_uses=5)
    for n in range(2):  # two uses gone already: three left
        checkout(client, with_code(client, (sku, 1)), f"early{n}@example.com")
    assert used(app) == 2
    carts = [with_code(client, (sku, 1)) for _ in range(shoppers)]
    barrier = threading.Barrier(shoppers)
    statuses: list[int] = []
    reasons: list[str] = []

    def shop(n, token):
        own = app.test_client()
        barrier.wait()
        response = own.post(f"/api/v1/carts/{token}/checkout",
                            json={"email": f"shopper{n}@example.com"})
        statuses.append(response.status_code)
        if response.status_code != 201:
            reasons.append(response.get_json()["reason"])

    threads = [threading.Thread(target=shop, args=(n, token)) for n, token in enumerate(carts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [201] * 3 + [422] * (shoppers - 3)
    assert set(reasons) == {"discount_used_up"}
    assert used(app) == 5
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Order).where(
        Order.discount_code == "SPRING-10")) == 5
    assert session.scalar(select(Variant.stock).where(Variant.sku == sku)) == 95


def test_one_email_uses_a_code_as_often_as_allowed(app, client, demo, admin, staff):
    make_code(client, admin, max_uses_per_email=1)
    first = checkout(client, with_code(client), "once@example.com").get_json()
    again = checkout(client, with_code(client), "Once@Example.com")
    assert again.status_code == 422 and again.get_json()["reason"] == "discount_used_up"
    assert "email" in again.get_json()["message"]
    assert checkout(client, with_code(client), "other@example.com").status_code == 201
    cancelled = client.post(f"/api/v1/staff/orders/{first['order_number']}/cancel",
                            headers=admin)
    assert cancelled.status_code == 200
    assert checkout(client, with_code(client), "once@example.com").status_code == 201


def test_cancelling_gives_the_use_back_once(app, client, demo, admin):
    make_code(client, admin, max_uses=1)
    placed = checkout(client, with_code(client)).get_json()
    assert used(app) == 1
    cancel = f"/api/v1/staff/orders/{placed['order_number']}/cancel"
    assert client.post(cancel, headers=admin).status_code == 200
    assert used(app) == 0
    assert client.post(cancel, headers=admin).status_code == 409
    assert used(app) == 0
    listed = client.get(CODES, headers=admin).get_json()["items"][0]
    assert listed["used"] == 0 and listed["remaining"] == 1


def test_a_declined_payment_gives_the_use_back(app, client, demo, admin):
    make_code(client, admin)
    placed = checkout(client, with_code(client)).get_json()
    test_page_action(client, placed["checkout_url"], 1)  # Decline
    assert order(client, placed)["status"] == "cancelled"
    assert used(app) == 0


def test_a_new_checkout_of_the_cart_takes_the_place_of_the_old_use(app, client, demo, admin):
    make_code(client, admin, max_uses=1)
    token = with_code(client)
    first = checkout(client, token).get_json()
    second = checkout(client, token)
    assert second.status_code == 201, second.get_json()
    assert order(client, first)["status"] == "cancelled"
    assert used(app) == 1


def test_a_refund_keeps_the_use(app, client, demo, admin):
    make_code(client, admin)
    placed = checkout(client, with_code(client)).get_json()
    test_page_action(client, placed["checkout_url"], 0)
    total = order(client, placed)["total"]["amount"]
    refund = client.post(f"/api/v1/staff/orders/{placed['order_number']}/refunds",
                         headers=admin, json={"amount": total})
    assert refund.status_code == 201, refund.get_json()
    assert order(client, placed)["status"] == "refunded"
    assert used(app) == 1


def test_the_code_list_shows_what_its_paid_orders_brought_in(app, client, demo, admin):
    make_code(client, admin, percent_off=10)
    placed = checkout(client, with_code(client, ("BB-LIGHT", 2))).get_json()  # 3998 - 400
    unpaid = checkout(client, with_code(client)).get_json()  # pending: not counted
    assert unpaid["order_number"]
    test_page_action(client, placed["checkout_url"], 0)  # + $4.99 shipping

    def sales():
        [code] = client.get(CODES, headers=admin).get_json()["items"]
        return code["sales"]

    first = sales()
    assert first["orders"] == 1, "the unpaid order is not counted"
    assert first["revenue"]["amount"] == 3598 and first["discounted"]["amount"] == 400
    total = order(client, placed)["total"]["amount"]
    half = total // 2
    client.post(f"/api/v1/staff/orders/{placed['order_number']}/refunds", headers=admin,
                json={"amount": half})
    assert sales()["revenue"]["amount"] == 3598 * (total - half) // total
    client.post(f"/api/v1/staff/orders/{placed['order_number']}/refunds", headers=admin,
                json={"amount": total - half})
    assert sales()["orders"] == 0 and sales()["revenue"]["amount"] == 0


# --- Stripe -----------------------------------------------------------------------------------

@pytest.fixture
def stripe_shop(stripe_app):
    with stripe_app.app_context():
        seed_demo(db.session, stripe_app.extensions["storefront"].plugins)
        from storefront.staff.services import create_staff, create_token
        create_staff(db.session, "boss@example.com", "admin", "a long enough password 1")
        headers = {"Authorization": f"Bearer {create_token(db.session, 'boss@example.com')}"}
        db.session.remove()
    client = stripe_app.test_client()
    make_code(client, headers, percent_off=25)
    return client


def test_stripe_gets_the_discount_as_a_coupon_and_charges_what_the_order_says(
        stripe_shop, fake_stripe):
    client = stripe_shop
    placed = checkout(client, with_code(client, ("BB-LIGHT", 1), ("SB-65", 1))).get_json()
    goods = 1999 + 2999
    off = (goods * 25 + 50) // 100  # 1249.5 rounds up to 1250
    coupon_calls = [r for r in fake_stripe.requests if r[1] == "/v1/coupons"]
    assert len(coupon_calls) == 1
    _, _, params, headers = coupon_calls[0]
    assert params["amount_off"] == str(off) and params["currency"] == "usd"
    assert params["duration"] == "once"
    assert headers["idempotency-key"] == f"coupon-{placed['order_number']}"
    coupon = next(iter(fake_stripe.coupons.values()))
    sid = session_id(fake_stripe, placed)
    _, _, session_params, _ = next(r for r in fake_stripe.requests
                                   if r[1] == "/v1/checkout/sessions" and r[0] == "POST")
    assert session_params["discounts"] == [{"coupon": coupon["id"]}]
    session = fake_stripe.sessions[sid]
    assert session["total_details"]["amount_discount"] == off
    assert session["amount_total"] == goods - off
    completed = fake_stripe.complete(sid, shipping_option=0)
    event = fake_stripe.session_event("checkout.session.completed", sid)
    assert deliver(client, event).get_json()["outcome"] == "applied"
    paid = order(client, placed)
    charged = fake_stripe.payment_intents[completed["payment_intent"]]["amount"]
    assert paid["status"] == "paid" and paid["total"]["amount"] == charged
    assert charged == goods - off + completed["total_details"]["amount_shipping"]
    assert paid["discount"] == {"code": "SPRING-10", "amount": paid["discount"]["amount"]}
    assert paid["discount"]["amount"]["amount"] == off
    with client.application.app_context():
        assert db.session.scalar(select(Order.flag)) == ""


def test_an_order_without_a_code_creates_no_coupon(stripe_shop, fake_stripe):
    placed = checkout(stripe_shop, cart_with(stripe_shop, ("BB-LIGHT", 1))).get_json()
    assert not [r for r in fake_stripe.requests if r[1] == "/v1/coupons"]
    assert fake_stripe.sessions[session_id(fake_stripe, placed)]["amount_total"] == 1999
