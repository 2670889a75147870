"""The cart and checkout pages: forms with CSRF, the cookie cart, the return pages."""

import re

from sqlalchemy import select

from storefront.cart.models import CartLine

from .checkout_helpers import test_page_action, test_page_step


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def add(client, sku="BB-MEDIUM", quantity=1, source=""):
    page = client.get("/products/better-band").get_data(as_text=True)
    return client.post("/cart/add", data={"csrf_token": csrf(page), "sku": sku,
                                          "quantity": quantity, "source": source})


def test_product_page_keeps_the_content_source_in_its_form(client, demo):
    page = client.get("/products/better-band?source=article:are-hamstrings-your-missing-link")
    text = page.get_data(as_text=True)
    assert 'name="source" type="hidden" value="article:are-hamstrings-your-missing-link"' in text
    hostile = client.get('/products/better-band?source="><script>x</script>')
    assert "<script>x" not in hostile.get_data(as_text=True)
    assert 'name="source" type="hidden" value=""' in hostile.get_data(as_text=True)


def test_adding_from_the_product_page_fills_the_cookie_cart(client, session, demo):
    response = add(client, quantity=2, source="exercise:glute-bridge")
    assert response.status_code == 303 and response.headers["Location"].endswith("/cart")
    page = client.get("/cart").get_data(as_text=True)
    assert "Better Band – Medium" in page and "$43.98" in page
    assert "Your cart is empty" not in page
    assert "Cart <span class=\"count\">(2" in client.get("/").get_data(as_text=True)
    assert session.scalar(select(CartLine.source)) == "exercise:glute-bridge"


def test_forms_without_csrf_are_refused(client, session, demo):
    response = client.post("/cart/add", data={"sku": "BB-LIGHT", "quantity": 1})
    assert response.status_code == 303
    assert session.scalar(select(CartLine)) is None


def test_too_many_is_explained_not_added(client, session, demo):
    refused = add(client, sku="BB-HEAVY", quantity=50)
    assert refused.status_code == 409
    assert "Only 40 of Better Band (Heavy) available." in refused.get_data(as_text=True)
    assert "Your cart is empty" in client.get("/cart").get_data(as_text=True)


def test_update_and_remove_lines(client, session, demo):
    add(client)
    page = client.get("/cart").get_data(as_text=True)
    line_id = session.scalar(select(CartLine.id))
    client.post(f"/cart/lines/{line_id}", data={"csrf_token": csrf(page), "quantity": 3})
    assert session.scalar(select(CartLine.quantity)) == 3
    client.post(f"/cart/lines/{line_id}/remove", data={"csrf_token": csrf(page)})
    assert "Your cart is empty" in client.get("/cart").get_data(as_text=True)


def test_web_checkout_to_paid(client, demo):
    add(client, sku="BB-LIGHT", quantity=1)
    page = client.get("/cart").get_data(as_text=True)
    response = client.post("/checkout", data={"csrf_token": csrf(page),
                                              "email": "reader@example.com"})
    assert response.status_code == 303 and "/test-payments/" in response.headers["Location"]
    test_page = test_page_step(client, response.headers["Location"]).get_data(as_text=True)
    assert "No money moves" in test_page and "$19.99" in test_page
    paid = test_page_action(client, response.headers["Location"], 0)
    done = client.get(paid.headers["Location"]).get_data(as_text=True)
    assert "your order is paid" in done
    assert "Your cart is empty" in client.get("/cart").get_data(as_text=True)


def test_web_checkout_refuses_a_bad_email(client, demo):
    add(client)
    page = client.get("/cart").get_data(as_text=True)
    response = client.post("/checkout", data={"csrf_token": csrf(page), "email": "nope"})
    assert response.status_code == 303
    assert "valid email" in client.get("/cart").get_data(as_text=True)


def test_forged_return_addresses_are_404(client):
    assert client.get("/checkout/success/forged?session_id=x").status_code == 404
    assert client.get("/checkout/cancel/forged").status_code == 404
    assert client.get("/test-payments/forged").status_code == 404
