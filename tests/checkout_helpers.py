"""Shopping steps shared by the checkout tests."""

from __future__ import annotations

import html
import re

FORM = re.compile(r'<form method="post" action="([^"]+)">\s*'
                  r'<input type="hidden" name="event" value="([^"]+)">\s*'
                  r'<input type="hidden" name="signature" value="([^"]+)">')


def cart_with(client, *lines, source=None) -> str:
    """A cart token holding `(sku, quantity)` lines."""
    token = client.post("/api/v1/carts").get_json()["token"]
    for sku, quantity in lines:
        body = {"sku": sku, "quantity": quantity}
        if source:
            body["source"] = source
        response = client.post(f"/api/v1/carts/{token}/lines", json=body)
        assert response.status_code == 200, response.get_json()
    return token


def checkout(client, token, email="shopper@example.com"):
    """POST the checkout; returns the response."""
    return client.post(f"/api/v1/carts/{token}/checkout", json={"email": email})


# What a shopper types on the test payment page's address step, unless a test says.
ADDRESS = {"name": "Robin Park", "line1": "48 Harbour Road", "line2": "Flat 2",
           "city": "Portland", "region": "OR", "postal_code": "97201", "country": "US"}
SHIPPING_OPTION = re.compile(r'name="shipping" value="([^"]+)"')


def test_page_step(client, checkout_url: str, address: dict | None = None,
                   shipping: int = 0):
    """Give the test payment page an address and choose the `shipping` option (by index);
    returns the response (the payment step, or the form again with its errors)."""
    page = client.get(checkout_url).get_data(as_text=True)
    options = SHIPPING_OPTION.findall(page)
    form = {**ADDRESS, **(address or {})}
    if options and "shipping" not in form:
        form["shipping"] = options[shipping]
    return client.post(checkout_url, data=form)


def test_page_action(client, checkout_url: str, action: int, address: dict | None = None,
                     shipping: int = 0):
    """Give the address (when the page asks), then press Pay (action 0) or Decline (1)."""
    page = client.get(checkout_url).get_data(as_text=True)
    if 'name="line1"' in page:
        page = test_page_step(client, checkout_url, address, shipping).get_data(as_text=True)
    forms = FORM.findall(page)
    target, event, signature = forms[action]
    return client.post(target, data={"event": html.unescape(event), "signature": signature})


test_page_action.__test__ = False  # helpers, not tests
test_page_step.__test__ = False


def order(client, placed: dict) -> dict:
    """The order as its owner sees it through the API."""
    response = client.get(f"/api/v1/orders/{placed['order_number']}",
                          headers={"X-Order-Token": placed["order_token"]})
    assert response.status_code == 200
    return response.get_json()


def available(client, slug="better-band", index=0) -> int:
    """Units of one variant still in stock, as the API says."""
    return client.get(f"/api/v1/products/{slug}").get_json()["variants"][index]["available"]


def deliver(client, event):
    """POST a Stripe event, signed as the fake Stripe server signs them."""
    from .fakestripe import FakeStripe
    payload, headers = FakeStripe.signed(event)
    return client.post("/api/v1/webhooks/stripe", data=payload, headers=headers)


def session_id(fake, placed: dict) -> str:
    """The fake Stripe server's Checkout Session of an order."""
    return next(s["id"] for s in fake.sessions.values()
                if s["client_reference_id"] == placed["order_number"])
