"""Checkout with the built-in test payments: stock, orders, payment and its failures."""

import html as html_lib
import re

import pytest
from sqlalchemy import select

from storefront.orders.models import Order, OrderLine, OutboxMessage

from .checkout_helpers import (
    FORM,
    available,
    cart_with,
    checkout,
    order,
    test_page_action,
    test_page_step,
)


def test_checkout_reserves_stock_and_creates_a_pending_order(client, session, demo):
    token = cart_with(client, ("BB-LIGHT", 2), ("SB-65", 1),
                      source="exercise:hamstring-curl")
    response = checkout(client, token, "Shopper@Example.com")
    assert response.status_code == 201
    placed = response.get_json()
    assert placed["payment_provider"] == "test"
    assert placed["order_number"].startswith("BB-") and len(placed["order_token"]) >= 32
    assert available(client) == 118
    body = order(client, placed)
    assert body["status"] == "pending_payment" and body["paid_at"] is None
    assert body["email"] == "shopper@example.com"
    assert body["total"]["amount"] == 2 * 1999 + 2999
    assert [(line["sku"], line["quantity"]) for line in body["lines"]] == [
        ("BB-LIGHT", 2), ("SB-65", 1)]
    stored = session.scalar(select(Order))
    assert placed["order_token"] not in stored.token_hash
    assert {line.source for line in session.scalars(select(OrderLine))} == {
        "exercise:hamstring-curl"}


def test_paying_on_the_test_page_pays_the_order_once(client, session, demo):
    token = cart_with(client, ("BB-MEDIUM", 1))
    placed = checkout(client, token).get_json()
    paid = test_page_action(client, placed["checkout_url"], 0)
    assert paid.status_code == 303 and "/checkout/success/" in paid.headers["Location"]
    assert order(client, placed)["status"] == "paid"
    assert order(client, placed)["paid_at"] is not None
    again = test_page_action(client, placed["checkout_url"], 0)
    assert again.status_code == 303
    assert session.scalars(select(OutboxMessage)).all()[0].subject.endswith(
        placed["order_number"])
    assert len(session.scalars(select(OutboxMessage)).all()) == 1
    assert client.get(f"/api/v1/carts/{token}").get_json()["is_empty"] is True
    page = client.get(paid.headers["Location"]).get_data(as_text=True)
    assert "your order is paid" in page and placed["order_number"] in page


def test_declining_cancels_and_releases_stock(client, demo):
    token = cart_with(client, ("BB-HEAVY", 5))
    placed = checkout(client, token).get_json()
    assert available(client, index=2) == 35
    test_page_action(client, placed["checkout_url"], 1)
    assert order(client, placed)["status"] == "cancelled"
    assert available(client, index=2) == 40
    # The cart is untouched, so the shopper can try again.
    assert client.get(f"/api/v1/carts/{token}").get_json()["item_count"] == 5


def test_cancelling_brings_back_the_same_cart(client, demo):
    token = cart_with(client, ("BB-LIGHT", 3))
    placed = checkout(client, token).get_json()
    page = client.get(placed["checkout_url"]).get_data(as_text=True)
    cancel_url = page.split('href="/checkout/cancel/')[1].split('"')[0]
    response = client.get("/checkout/cancel/" + cancel_url)
    assert response.status_code == 303 and response.headers["Location"].endswith("/cart")
    assert order(client, placed)["status"] == "cancelled"
    assert available(client) == 120
    assert client.get(f"/api/v1/carts/{token}").get_json()["lines"][0]["quantity"] == 3


def test_empty_cart_and_unknown_cart_cannot_check_out(client, session):
    token = client.post("/api/v1/carts").get_json()["token"]
    response = checkout(client, token)
    assert response.status_code == 409 and "empty" in response.get_json()["message"]
    assert checkout(client, "nope").status_code == 404
    assert session.scalar(select(Order)) is None


@pytest.mark.parametrize("body", [
    pytest.param({}, id="no-email"),
    pytest.param({"email": "not-an-email"}, id="not-an-email"),
    pytest.param({"email": "a@b.c" + "x" * 300}, id="email-too-long"),
    pytest.param({"email": 5}, id="email-as-number"),
    pytest.param({"email": "a@example.com", "coupon": "FREE"}, id="unknown-field"),
])
def test_checkout_needs_a_valid_email(client, session, demo, body):
    token = cart_with(client, ("BB-LIGHT", 1))
    response = client.post(f"/api/v1/carts/{token}/checkout", json=body)
    assert response.status_code == 422
    assert session.scalar(select(Order)) is None and available(client) == 120


def test_stock_gone_between_add_and_checkout_is_409(client, session, staff, demo):
    token = cart_with(client, ("BB-HEAVY", 10))
    client.patch("/api/v1/staff/variants/BB-HEAVY", json={"stock": 4},
                 headers=staff.headers("admin"))
    response = checkout(client, token)
    assert response.status_code == 409 and response.get_json()["available"] == 4
    assert available(client, index=2) == 4
    assert session.scalar(select(Order)) is None


def test_partial_reservation_is_rolled_back(client, session, staff, demo):
    token = cart_with(client, ("BB-LIGHT", 2), ("BB-HEAVY", 10))
    client.patch("/api/v1/staff/variants/BB-HEAVY", json={"stock": 1},
                 headers=staff.headers("admin"))
    assert checkout(client, token).status_code == 409
    assert available(client) == 120  # the light band's reservation did not stay


def test_order_lookup_needs_the_right_token(client, demo):
    placed = checkout(client, cart_with(client, ("BB-LIGHT", 1))).get_json()
    url = f"/api/v1/orders/{placed['order_number']}"
    assert client.get(url).status_code == 404
    assert client.get(url, headers={"X-Order-Token": "wrong"}).status_code == 404
    assert client.get("/api/v1/orders/BB-NOPE-NOPE",
                      headers={"X-Order-Token": placed["order_token"]}).status_code == 404


def test_fulfil_only_paid_orders(client, staff, demo):
    placed = checkout(client, cart_with(client, ("BB-LIGHT", 1))).get_json()
    url = f"/api/v1/staff/orders/{placed['order_number']}/fulfil"
    admin = staff.headers("admin")
    assert client.post(url).status_code == 401
    assert client.post(url, headers=staff.headers("moderator")).status_code == 403
    refused = client.post(url, headers=admin)
    assert refused.status_code == 409 and refused.get_json()["status"] == "pending_payment"
    test_page_action(client, placed["checkout_url"], 0)
    done = client.post(url, headers=admin)
    assert done.status_code == 200 and done.get_json()["status"] == "fulfilled"
    assert client.post(url, headers=admin).status_code == 409
    assert client.post("/api/v1/staff/orders/BB-NOPE-NOPE/fulfil", headers=admin).status_code == 404


def test_tampered_test_payment_is_refused(client, demo):
    placed = checkout(client, cart_with(client, ("BB-LIGHT", 1))).get_json()
    page = test_page_step(client, placed["checkout_url"]).get_data(as_text=True)
    target, event, signature = FORM.findall(page)[0]
    forged = re.sub(r'"amount":\d+', '"amount":1', html_lib.unescape(event))
    assert forged != html_lib.unescape(event)
    response = client.post(target, data={"event": forged, "signature": signature})
    assert response.status_code == 400 and response.is_json
    assert order(client, placed)["status"] == "pending_payment"
