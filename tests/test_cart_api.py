"""Carts through the JSON API: the empty state, lines, stock, and bad input."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from storefront.cart import tokens as cart_tokens
from storefront.cart.models import Cart, CartLine
from storefront.timeutil import utcnow


def new_cart(client) -> str:
    response = client.post("/api/v1/carts")
    assert response.status_code == 201
    return response.get_json()["token"]


def test_a_new_cart_is_a_real_empty_state(client):
    body = client.post("/api/v1/carts").get_json()
    assert body["lines"] == [] and body["item_count"] == 0 and body["is_empty"] is True
    assert body["subtotal"] == {"amount": 0, "currency": "usd", "formatted": "$0.00"}
    assert len(body["token"]) >= 22  # at least 128 random bits, URL-safe
    assert client.get(f"/api/v1/carts/{body['token']}").get_json() == body


def test_add_increment_change_and_remove(client, demo):
    token = new_cart(client)
    source = "article:are-hamstrings-your-missing-link"
    body = client.post(f"/api/v1/carts/{token}/lines",
                       json={"sku": "BB-LIGHT", "quantity": 2, "source": source}).get_json()
    line = body["lines"][0]
    assert line["sku"] == "BB-LIGHT" and line["product_slug"] == "better-band"
    assert line["quantity"] == 2 and line["source"] == source
    assert line["unit_price"]["amount"] == 1999 and line["line_total"]["amount"] == 3998
    body = client.post(f"/api/v1/carts/{token}/lines", json={"sku": "BB-LIGHT"}).get_json()
    assert body["lines"][0]["quantity"] == 3 and body["item_count"] == 3
    body = client.post(f"/api/v1/carts/{token}/lines",
                       json={"sku": "SB-65", "quantity": 1}).get_json()
    assert body["subtotal"]["amount"] == 3 * 1999 + 2999 and body["is_empty"] is False
    line_id = body["lines"][0]["id"]
    body = client.patch(f"/api/v1/carts/{token}/lines/{line_id}", json={"quantity": 1}).get_json()
    assert body["lines"][0]["quantity"] == 1
    body = client.patch(f"/api/v1/carts/{token}/lines/{line_id}", json={"quantity": 0}).get_json()
    assert [line["sku"] for line in body["lines"]] == ["SB-65"]
    other = body["lines"][0]["id"]
    body = client.delete(f"/api/v1/carts/{token}/lines/{other}").get_json()
    assert body["is_empty"] is True and body["subtotal"]["amount"] == 0


def test_adding_more_than_stock_is_409_with_what_is_left(client, demo):
    token = new_cart(client)
    response = client.post(f"/api/v1/carts/{token}/lines", json={"sku": "BB-HEAVY",
                                                                  "quantity": 41})
    assert response.status_code == 409
    assert response.get_json()["available"] == 40
    assert client.get(f"/api/v1/carts/{token}").get_json()["is_empty"] is True


@pytest.fixture
def cart(client, demo):
    """A cart with one BB-LIGHT line: (token, line id, the cart as the API shows it)."""
    token = new_cart(client)
    client.post(f"/api/v1/carts/{token}/lines", json={"sku": "BB-LIGHT", "quantity": 1})
    shown = client.get(f"/api/v1/carts/{token}").get_json()
    return token, shown["lines"][0]["id"], shown


@pytest.mark.parametrize("body", [
    pytest.param({"sku": "BB-LIGHT", "quantity": 0}, id="quantity-0"),
    pytest.param({"sku": "BB-LIGHT", "quantity": 100}, id="quantity-past-99"),
    pytest.param({"sku": "BB-LIGHT", "quantity": 1.5}, id="fractional-quantity"),
    pytest.param({"sku": "BB-LIGHT", "quantity": "2"}, id="quantity-as-text"),
    pytest.param({"sku": "BB-LIGHT", "quantity": 10**30}, id="huge-quantity"),
    pytest.param({"sku": "BB-LIGHT", "quantity": True}, id="quantity-as-boolean"),
    pytest.param({"sku": "BB-LIGHT", "quantity": 99}, id="99-more-past-the-line-limit"),
    pytest.param({"quantity": 1}, id="no-sku"),
    pytest.param({"sku": 12}, id="sku-as-number"),
    pytest.param({"sku": "BB-LIGHT", "source": "<script>"}, id="made-up-source"),
    pytest.param({"sku": "BB-LIGHT", "extra": 1}, id="unknown-field"),
    pytest.param([], id="a-list"),
    pytest.param("just a string", id="a-string"),
])
def test_a_bad_line_is_refused_and_changes_nothing(client, cart, body):
    token, _, before = cart
    response = client.post(f"/api/v1/carts/{token}/lines", json=body)
    assert response.status_code == 422 and response.is_json
    assert client.get(f"/api/v1/carts/{token}").get_json() == before


@pytest.mark.parametrize("body", [
    pytest.param({"quantity": -1}, id="negative"),
    pytest.param({"quantity": 100}, id="past-99"),
    pytest.param({"quantity": None}, id="null"),
    pytest.param({}, id="missing"),
])
def test_a_bad_quantity_change_is_refused_and_changes_nothing(client, cart, body):
    token, line_id, before = cart
    response = client.patch(f"/api/v1/carts/{token}/lines/{line_id}", json=body)
    assert response.status_code == 422 and response.is_json
    assert client.get(f"/api/v1/carts/{token}").get_json() == before


def test_broken_json_and_unknown_things_are_4xx_and_change_nothing(client, cart):
    token, _, before = cart
    url = f"/api/v1/carts/{token}/lines"
    assert client.post(url, data="{nope", content_type="application/json").status_code == 400
    assert client.post(url, json={"sku": "NOPE", "quantity": 1}).status_code == 404
    assert client.post("/api/v1/carts/unknown/lines",
                       json={"sku": "BB-LIGHT"}).status_code == 404
    assert client.patch(f"/api/v1/carts/{token}/lines/999999",
                        json={"quantity": 1}).status_code == 404
    assert client.delete(f"/api/v1/carts/{token}/lines/999999").status_code == 404
    assert client.get(f"/api/v1/carts/{token}").get_json() == before


@pytest.mark.parametrize("token", ["nope", "x" * 500], ids=["short", "500-characters"])
def test_unknown_cart_is_404(client, token):
    response = client.get(f"/api/v1/carts/{token}")
    assert response.status_code == 404 and response.is_json


def test_a_line_cannot_belong_to_another_cart(client, demo):
    mine, theirs = new_cart(client), new_cart(client)
    line = client.post(f"/api/v1/carts/{theirs}/lines",
                       json={"sku": "BB-LIGHT"}).get_json()["lines"][0]
    assert client.delete(f"/api/v1/carts/{mine}/lines/{line['id']}").status_code == 404
    assert client.get(f"/api/v1/carts/{theirs}").get_json()["item_count"] == 1


def test_prune_removes_only_idle_carts(app, runner, client, session, demo):
    # A cart nobody changed for 31 days was opened at least that long ago.
    then = utcnow() - timedelta(days=31)
    idle = cart_tokens.issue(app.extensions["storefront"].settings.secret_key, then)
    session.add(Cart(token=idle, created_at=then))
    session.commit()
    fresh = new_cart(client)
    client.post(f"/api/v1/carts/{idle}/lines", json={"sku": "BB-LIGHT"})
    session.query(Cart).filter_by(token=idle).update({"updated_at": then})
    session.commit()
    result = runner.invoke(args=["carts", "prune"])
    assert result.exit_code == 0 and "Removed 1 idle carts" in result.output
    assert client.get(f"/api/v1/carts/{idle}").status_code == 404
    assert client.get(f"/api/v1/carts/{fresh}").status_code == 200
    assert session.scalar(select(func.count()).select_from(CartLine)) == 0
