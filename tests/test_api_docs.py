"""The API reference page: Swagger UI served by the shop, under its CSP, with examples of
the buying flow in the OpenAPI document."""

from __future__ import annotations

import re

import pytest

from storefront.cart.api import ADD_LINE_EXAMPLE, CHECKOUT_EXAMPLE, CHECKOUT_RESULT_EXAMPLE
from storefront.cart.schemas import CartLineCreateSchema, CheckoutResultSchema, CheckoutSchema

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)">')


def test_the_reference_page_is_served_under_the_api_prefix(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert 'data-openapi-url="/api/openapi.json"' in html
    assert "API reference" in html and '<html lang="en">' in html
    # The shop's CSP holds: every script is a file of the shop's, none inline, no style.
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    scripts = SCRIPT.findall(html)
    assert scripts and all('src="/' in attrs and not body.strip() for attrs, body in scripts)
    assert "<style" not in html and " style=" not in html
    for url in [re.search(r'src="([^"]+)"', attrs)[1] for attrs, _ in scripts] \
            + STYLESHEET.findall(html):
        with client.get(url) as asset:  # files are streamed: closed after use
            assert asset.status_code == 200, url
            assert asset.mimetype in ("text/javascript", "application/javascript", "text/css")


def test_swagger_ui_comes_from_the_package_and_nothing_else_of_it(client):
    with client.get("/api/v1/docs/assets/swagger-ui-bundle.js") as bundle:
        assert bundle.status_code == 200 and b"SwaggerUIBundle" in bundle.get_data()
    with client.get("/api/v1/docs/assets/swagger-ui.css") as css:
        assert css.status_code == 200
    for other in ("index.html", "swagger-initializer.js", "oauth2-redirect.html",
                  "..%2F__init__.py", "swagger-ui-bundle.js.map"):
        assert client.get(f"/api/v1/docs/assets/{other}").status_code == 404, other


def test_the_usual_address_redirects_to_the_page(client):
    response = client.get("/api/docs")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/api/v1/docs")


def test_a_host_app_finds_the_page_under_its_own_prefix(make_host_app):
    host = make_host_app(api_prefix="/shop/api/v2", pages=False).test_client()
    page = host.get("/shop/api/v2/docs")
    assert page.status_code == 200
    assert 'data-openapi-url="/shop/api/openapi.json"' in page.get_data(as_text=True)
    assert host.get("/shop/api/openapi.json").status_code == 200
    assert host.get("/shop/api/docs").headers["Location"].endswith("/shop/api/v2/docs")


def _operation(spec: dict, path: str, method: str = "post") -> dict:
    return spec["paths"]["/api/v1" + path][method]


def test_the_buying_flow_has_examples(client):
    spec = client.get("/api/openapi.json").get_json()
    add = _operation(spec, "/carts/{token}/lines")
    assert add["requestBody"]["content"]["application/json"]["example"] == ADD_LINE_EXAMPLE
    checkout = _operation(spec, "/carts/{token}/checkout")
    assert checkout["requestBody"]["content"]["application/json"]["example"] \
        == CHECKOUT_EXAMPLE
    assert checkout["responses"]["201"]["content"]["application/json"]["example"] \
        == CHECKOUT_RESULT_EXAMPLE
    # A new cart's answer is drawn from its fields' examples.
    cart = spec["components"]["schemas"]["Cart"]["properties"]
    assert cart["token"]["example"]
    line = spec["components"]["schemas"]["CartLine"]["properties"]
    assert {line[name]["example"] for name in ("sku", "product_slug")} == {
        "BB-MEDIUM", "better-band"}


@pytest.mark.parametrize(("schema", "example"), [
    (CartLineCreateSchema, ADD_LINE_EXAMPLE),
    (CheckoutSchema, CHECKOUT_EXAMPLE),
])
def test_the_request_examples_are_valid_requests(schema, example):
    assert schema().validate(example) == {}


def test_the_checkout_example_is_what_checkout_answers(client, demo):
    assert CheckoutResultSchema().validate(CHECKOUT_RESULT_EXAMPLE) == {}
    token = client.post("/api/v1/carts").get_json()["token"]
    added = client.post(f"/api/v1/carts/{token}/lines", json=ADD_LINE_EXAMPLE)
    assert added.status_code == 200, added.get_json()
    placed = client.post(f"/api/v1/carts/{token}/checkout", json=CHECKOUT_EXAMPLE)
    assert placed.status_code == 201, placed.get_json()
    assert set(placed.get_json()) == set(CHECKOUT_RESULT_EXAMPLE)
    assert re.fullmatch(r"BB-[0-9A-Z]{4}-[0-9A-Z]{4}",
                        CHECKOUT_RESULT_EXAMPLE["order_number"])
