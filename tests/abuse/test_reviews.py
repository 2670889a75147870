"""Promises about reviews: the verified-purchase badge needs proof of the order, and no
answer tells a stranger whether an email has bought or reviewed anything."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storefront.orders.models import OutboxMessage
from tests.checkout_helpers import cart_with, checkout, test_page_action
from tests.moderation_helpers import decide, post_review


def _paid_order(client, email="buyer@example.com") -> dict:
    placed = checkout(client, cart_with(client, ("BB-LIGHT", 1)), email).get_json()
    test_page_action(client, placed["checkout_url"], 0)
    return placed


def _review_link(session, email="buyer@example.com") -> str:
    body = session.scalar(select(OutboxMessage.body).where(
        OutboxMessage.recipient == email, OutboxMessage.topic == "order_paid"))
    return re.search(r"Better Band: (\S+)", body).group(1)


def _badge(client, staff, response) -> bool:
    assert response.status_code == 202, response.get_json()
    item = decide(client, staff.headers(), "review", response.get_json()["id"], "approve")
    return item.get_json()["verified_purchase"]


def test_knowing_a_buyers_email_earns_no_badge(client, staff, demo):
    _paid_order(client)
    assert _badge(client, staff, post_review(client, email="buyer@example.com")) is False


def test_the_review_link_in_the_order_email_earns_the_badge(client, session, staff, demo):
    placed = _paid_order(client)
    link = _review_link(session)
    assert link.startswith("/products/better-band?review=") and link.endswith("#write-review")
    key = link.split("review=", 1)[1].split("#")[0]
    response = post_review(client, email="someone@example.com", review_key=key)
    assert _badge(client, staff, response) is True
    # The same key on a product the order does not hold proves nothing about that one.
    other = post_review(client, slug="stability-ball", review_key=key)
    assert _badge(client, staff, other) is False
    confirmation = session.scalar(select(OutboxMessage.body)
                                  .where(OutboxMessage.topic == "order_paid"))
    assert placed["order_number"] in confirmation


def test_the_review_link_fills_the_page_form(client, session, staff, demo):
    _paid_order(client)
    link = _review_link(session)
    page = client.get(link.split("#")[0]).get_data(as_text=True)
    key = re.search(r'name="review_key" type="hidden" value="([^"]+)"', page).group(1)
    assert "Writing as the buyer of order" in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    sent = client.post("/products/better-band/reviews", data={
        "csrf_token": token, "rating": 5, "title": "Good", "body": "Solid band.",
        "author_name": "Cy", "email": "cy@example.com", "website": "", "review_key": key})
    assert sent.status_code == 303
    queue = client.get("/api/v1/staff/moderation?status=pending",
                       headers=staff.headers()).get_json()["items"]
    item = decide(client, staff.headers(), "review", queue[0]["id"], "approve").get_json()
    assert item["verified_purchase"] is True
    forged = client.get("/products/better-band?review=x.y").get_data(as_text=True)
    assert 'name="review_key"' not in forged


@pytest.mark.parametrize("proof", [
    pytest.param(lambda placed: {"review_key": "not-a-key"}, id="made-up-review-key"),
    pytest.param(lambda placed: {"order_number": placed["order_number"],
                                 "order_token": "guess"}, id="guessed-order-token"),
    pytest.param(lambda placed: {"order_number": placed["order_number"]}, id="number-only"),
    pytest.param(lambda placed: {"order_token": placed["order_token"]}, id="token-only"),
])
def test_forged_or_wrong_proofs_are_refused_and_store_nothing(client, staff, demo, proof):
    response = post_review(client, **proof(_paid_order(client)))
    assert response.status_code == 422
    assert response.get_json()["reason"] == "invalid_proof"
    queue = client.get("/api/v1/staff/moderation", headers=staff.headers()).get_json()
    assert queue["items"] == []


def test_a_second_review_is_answered_like_a_first(client, demo):
    first = post_review(client, email="ana@example.com")
    second = post_review(client, email="ana@example.com")
    stranger = post_review(client, email="new@example.com")
    answers = [(r.status_code, sorted(r.get_json())) for r in (first, second, stranger)]
    assert answers == [(202, ["id", "status"])] * 3
