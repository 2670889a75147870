"""A new cart is a signed token: no row until its first change, and no forged carts."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from storefront.cart import tokens as cart_tokens
from storefront.cart.models import Cart
from storefront.timeutil import utcnow


def carts_kept(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Cart))


def secret_of(app) -> str:
    return app.extensions["storefront"].settings.secret_key


def test_opening_carts_writes_nothing_until_the_first_line(client, session, demo):
    tokens = [client.post("/api/v1/carts").get_json()["token"] for _ in range(5)]
    assert carts_kept(session) == 0
    for token in tokens:
        body = client.get(f"/api/v1/carts/{token}").get_json()
        assert body["is_empty"] is True and body["token"] == token
    added = client.post(f"/api/v1/carts/{tokens[0]}/lines", json={"sku": "BB-LIGHT"})
    assert added.status_code == 200 and added.get_json()["item_count"] == 1
    assert carts_kept(session) == 1
    assert client.get(f"/api/v1/carts/{tokens[0]}").get_json()["item_count"] == 1


@pytest.mark.parametrize("forged", [
    "A" * 48,  # the right length, no valid tag
    "not-a-token",
    "é" * 48,
])
def test_a_token_the_shop_never_issued_is_no_cart(client, session, demo, forged):
    assert client.get(f"/api/v1/carts/{forged}").status_code == 404
    added = client.post(f"/api/v1/carts/{forged}/lines", json={"sku": "BB-LIGHT"})
    assert added.status_code == 404 and added.get_json()["reason"] == "cart_not_found"
    assert carts_kept(session) == 0


def test_a_token_with_one_character_changed_is_no_cart(client, demo):
    token = client.post("/api/v1/carts").get_json()["token"]
    tampered = ("B" if token[5] != "B" else "C").join((token[:5], token[6:]))
    assert client.get(f"/api/v1/carts/{tampered}").status_code == 404


def test_an_unwritten_cart_lasts_as_long_as_an_idle_one(app, client, demo):
    old = cart_tokens.issue(secret_of(app), utcnow() - timedelta(days=31))
    recent = cart_tokens.issue(secret_of(app), utcnow() - timedelta(days=29))
    assert client.get(f"/api/v1/carts/{old}").status_code == 404
    assert client.get(f"/api/v1/carts/{recent}").status_code == 200


def test_another_secret_issues_no_cart_here(client, demo):
    elsewhere = cart_tokens.issue("another shop's secret", utcnow())
    assert client.get(f"/api/v1/carts/{elsewhere}").status_code == 404


def test_changing_an_empty_cart_says_there_is_no_such_line(client, session, demo):
    token = client.post("/api/v1/carts").get_json()["token"]
    changed = client.patch(f"/api/v1/carts/{token}/lines/1", json={"quantity": 2})
    assert changed.status_code == 404 and changed.get_json()["reason"] == "line_not_found"
    removed = client.delete(f"/api/v1/carts/{token}/lines/1")
    assert removed.status_code == 404 and removed.get_json()["reason"] == "line_not_found"
    assert carts_kept(session) == 0


def test_checking_out_an_unwritten_cart_is_refused_and_keeps_nothing(client, session, demo):
    token = client.post("/api/v1/carts").get_json()["token"]
    response = client.post(f"/api/v1/carts/{token}/checkout", json={"email": "a@example.com"})
    assert response.status_code == 409 and response.get_json()["reason"] == "cart_empty"
    assert carts_kept(session) == 0


def test_the_pages_open_their_cart_with_the_first_add(client, session, demo):
    assert client.get("/products/better-band").status_code == 200
    assert carts_kept(session) == 0
    page = client.get("/products/better-band").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    added = client.post("/cart/add", data={"csrf_token": csrf, "sku": "BB-LIGHT", "quantity": 1})
    assert added.status_code == 303
    assert carts_kept(session) == 1
    assert "Better Band" in client.get("/cart").get_data(as_text=True)
