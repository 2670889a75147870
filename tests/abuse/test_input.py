"""Promises about hostile input: bounded bodies, NUL, absurd numbers, bounded money, sources
that name real content, a search cache strangers cannot fill, counters a crash barely
dents, and errors that say why. Each runs on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import io
import json
import re
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from storefront.attribution.models import SourceMetric
from storefront.cart.models import CartLine
from storefront.emails import normalise_email
from storefront.errors import SPECIFIC_REASONS, STATUS_REASONS
from storefront.inputguard import MAX_JSON_DEPTH

from ..checkout_helpers import cart_with
from ..settings_helpers import change_settings

ARTICLE = "are-hamstrings-your-missing-link"
NUL = "\x00"
# Values for path parameters that name something in the demo data.
REAL = {"slug": "better-band", "sku": "BB-LIGHT", "kind": "review", "provider": "stripe",
        "number": "BB-0000-0000", "item_id": "1", "line_id": "1",
        "method_id": "1", "image_id": "1", "email": "nobody@example.com",
        "code": "NO-SUCH-CODE"}


def assert_json_error(response, status=None, reason=None):
    """A 4xx in the API's error shape (never a 5xx), with the status and reason asked for."""
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data()[:300])
    body = response.get_json()
    assert {"code", "status", "message", "reason"} <= set(body), body
    if status is not None:
        assert response.status_code == status, body
    if reason is not None:
        assert body["reason"] == reason, body
    return body


# --- Finding 6: request size and shape -------------------------------------------------

def chunked(client, path, body: bytes, content_type="application/json"):
    """POST `body` without a Content-Length, as a server that terminates chunked input
    (gunicorn) hands it to the app."""
    stream = io.BytesIO(body)
    response = client.post(path, input_stream=stream, headers={
        "Transfer-Encoding": "chunked", "Content-Type": content_type},
        environ_overrides={"wsgi.input_terminated": True})
    return response, stream.tell()


def test_a_chunked_body_past_the_limit_is_a_json_413_read_no_further(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response, read = chunked(client, "/api/v1/webhooks/stripe", b"{" + b" " * 2_000_000 + b"}")
    assert_json_error(response, 413, "body_too_large")
    assert read <= limit


def test_a_chunked_form_past_the_limit_is_refused_not_cut_short(client, demo):
    response, _ = chunked(client, "/cart/add", b"sku=BB-LIGHT&quantity=1&x=" + b"a" * 2_000_000,
                          content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413


def test_a_huge_review_is_refused_before_it_is_read(client, demo):
    stream = io.BytesIO(b'{"body": "' + b"a" * 1000 + b'"}')
    response = client.post("/api/v1/products/better-band/reviews", input_stream=stream,
                           content_type="application/json",
                           environ_overrides={"CONTENT_LENGTH": str(100 * 1024 * 1024)})
    assert_json_error(response, 413, "body_too_large")
    assert stream.tell() == 0


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
def test_json_nested_too_deep_is_a_400_not_a_recursion_error(client, demo, depth):
    token = client.post("/api/v1/carts").get_json()["token"]
    body = '{"sku": ' + "[" * depth + "]" * depth + "}"
    response = client.post(f"/api/v1/carts/{token}/lines", data=body,
                           content_type="application/json")
    message = assert_json_error(response, 400, "malformed_json")["message"]
    assert f"more than {MAX_JSON_DEPTH} levels" in message


def test_json_nested_within_the_limit_reaches_the_schema(client, demo):
    token = client.post("/api/v1/carts").get_json()["token"]
    depth = MAX_JSON_DEPTH - 1
    body = '{"sku": ' + "[" * depth + "]" * depth + "}"
    response = client.post(f"/api/v1/carts/{token}/lines", data=body,
                           content_type="application/json")
    assert_json_error(response, 422, "invalid_fields")


def test_a_5001_digit_integer_is_a_400(client, demo):
    token = client.post("/api/v1/carts").get_json()["token"]
    body = '{"sku": "BB-LIGHT", "quantity": ' + "9" * 5001 + "}"
    response = client.post(f"/api/v1/carts/{token}/lines", data=body,
                           content_type="application/json")
    assert "digits" in assert_json_error(response, 400, "malformed_json")["message"]


def test_broken_json_is_a_400_with_its_reason(client, demo):
    token = client.post("/api/v1/carts").get_json()["token"]
    response = client.post(f"/api/v1/carts/{token}/lines", data='{"sku": ',
                           content_type="application/json")
    assert_json_error(response, 400, "malformed_json")


# --- Finding 11: NUL, long emails, money that fits --------------------------------------

def test_nul_in_an_api_path_is_a_json_404(client, demo):
    for path in ("/api/v1/products/better-band%00", "/api/v1/products/better-band%00/reviews",
                 "/api/v1/exercises/squat%00", f"/api/v1/articles/{ARTICLE}%00",
                 f"/api/v1/articles/{ARTICLE}%00/comments", "/api/v1/carts/a%00b",
                 "/api/v1/orders/BB-%00", "/api/v1/search%00"):
        assert_json_error(client.get(path), 404, "not_found")


def test_nul_in_staff_paths_is_a_404(client, staff, demo):
    admin = staff.headers("admin")
    assert_json_error(client.patch("/api/v1/staff/variants/BB%00", json={"stock": 1},
                                   headers=admin), 404)
    assert_json_error(client.post("/api/v1/staff/orders/BB%00/fulfil", headers=admin), 404)
    assert_json_error(client.post("/api/v1/staff/moderation/review%00/1",
                                  json={"action": "approve"}, headers=admin), 404)


def test_nul_in_a_page_path_is_a_404_page(client, demo):
    for path in ("/products/better-band%00", "/exercises/squat%00", f"/articles/{ARTICLE}%00"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.mimetype == "text/html"


@pytest.mark.parametrize("path, body, field", [
    ("/api/v1/carts/{token}/lines", {"sku": "BB-LIGHT\x00"}, "sku"),
    ("/api/v1/carts/{token}/lines", {"sku": "BB-LIGHT", "source": "direct\x00"}, "source"),
    ("/api/v1/products/better-band/reviews",
     {"rating": 5, "title": "a\x00", "body": "Good.", "author_name": "Al",
      "email": "al@example.com"}, "title"),
    (f"/api/v1/articles/{ARTICLE}/comments",
     {"body": "x\x00y", "author_name": "Al", "email": "al@example.com"}, "body"),
], ids=["cart-line-sku", "cart-line-source", "review-title", "comment-body"])
def test_nul_in_json_fields_is_a_422_naming_the_field(client, demo, path, body, field):
    token = client.post("/api/v1/carts").get_json()["token"]
    response = client.post(path.format(token=token), json=body)
    errors = assert_json_error(response, 422, "invalid_fields")["errors"]
    assert "NUL" in errors["json"][field][0], errors


def test_nul_in_query_arguments_is_a_422(client, staff, demo):
    response = client.get("/api/v1/staff/moderation?kind=review%00",
                          headers=staff.headers("admin"))
    assert "kind" in assert_json_error(response, 422, "invalid_fields")["errors"]["query"]


def csrf(client, page: str) -> str:
    """The CSRF token of a page's form."""
    text = client.get(page).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text).group(1)


def test_nul_in_a_page_form_is_a_400(client, staff, demo):
    user = staff.create("admin")
    response = client.post("/staff/login", data={
        "csrf_token": csrf(client, "/staff/login"), "email": user.email + NUL,
        "password": "x" * 12})
    assert response.status_code == 400
    response = client.post("/cart/add", data={
        "csrf_token": csrf(client, "/products/better-band"), "sku": "BB-LIGHT\x00",
        "quantity": "1"})
    assert response.status_code == 400


def test_an_email_never_grows_past_its_limit_when_normalised():
    grows = "İ" * 240 + "@example.com"
    assert len(grows.lower()) > 254
    assert len(normalise_email(grows)) == len(grows)
    assert normalise_email("  Someone@Example.COM ") == "someone@example.com"


def test_an_email_that_grows_when_lower_cased_checks_out_or_is_refused(client, demo):
    placed = client.post(f"/api/v1/carts/{cart_with(client, ('BB-LIGHT', 1))}/checkout",
                         json={"email": "İ" * 240 + "@example.com"})
    assert placed.status_code == 201, placed.get_json()
    too_long = client.post(f"/api/v1/carts/{cart_with(client, ('BB-LIGHT', 1))}/checkout",
                           json={"email": "İ" * 243 + "@example.com"})
    assert "email" in assert_json_error(too_long, 422)["errors"]["json"]


@pytest.mark.parametrize("change", [
    pytest.param({"price": 100_000_000}, id="price-past-the-limit"),
    pytest.param({"price": -1}, id="negative-price"),
    pytest.param({"stock": 1_000_001}, id="stock-past-the-limit"),
    pytest.param({"price": 10**30}, id="price-past-64-bits"),
])
def test_prices_and_stock_are_bounded(client, staff, demo, change):
    response = client.patch("/api/v1/staff/variants/BB-LIGHT", json=change,
                            headers=staff.headers("admin"))
    assert_json_error(response, 422, "invalid_fields")


def test_an_order_beyond_32_bits_is_kept_whole(app, client, staff, demo):
    change_settings(app, checkout_max_units=100)  # one shopper may hold 22 units here
    admin = staff.headers("admin")
    assert client.patch("/api/v1/staff/variants/BB-LIGHT", headers=admin,
                        json={"price": 99_999_999, "stock": 50}).status_code == 200
    token = cart_with(client, ("BB-LIGHT", 22))
    placed = client.post(f"/api/v1/carts/{token}/checkout", json={"email": "big@example.com"})
    assert placed.status_code == 201, placed.get_json()
    body = placed.get_json()
    order = client.get(f"/api/v1/orders/{body['order_number']}",
                       headers={"X-Order-Token": body["order_token"]}).get_json()
    assert order["total"]["amount"] == 99_999_999 * 22 > 2**31


# --- The OpenAPI document, every operation: NUL in each path parameter and body string ---

def _resolve(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _sample(spec, schema):
    """A plausible value for a schema: enough for a request to reach its validation."""
    schema = _resolve(spec, schema)
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object":
        return {name: _sample(spec, prop)
                for name, prop in schema.get("properties", {}).items()
                if prop.get("type") != "object" or "properties" in prop}
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "string":
        return "al@example.com" if schema.get("format") == "email" else "x"
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    return None


def operations(spec):
    """(method, path template, path parameter names, body schema or None) of every operation."""
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            names = [p["name"] for p in [*item.get("parameters", []), *op.get("parameters", [])]
                     if p.get("in") == "path"]
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            yield method, path, names, body["schema"] if body else None


def _url(path, values):
    for name, value in values.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    return path


def test_every_operation_refuses_nul_in_each_path_parameter_and_body_string(client, staff,
                                                                            demo):
    admin = staff.headers("admin")
    spec = client.get("/api/openapi.json").get_json()
    real = {**REAL, "token": client.post("/api/v1/carts").get_json()["token"]}
    tried = 0
    for method, path, names, body_schema in operations(spec):
        body = _sample(spec, body_schema) if body_schema else None
        for name in names:
            values = {n: real[n] for n in names}
            values[name] = real[name] + NUL
            response = client.open(_url(path, values), method=method.upper(), json=body,
                                    headers=admin)
            if name.endswith("_id"):  # an integer: "1\0" matches no route at all
                assert_json_error(response, 404)
            else:
                assert_json_error(response, 404, "not_found")
            tried += 1
        for field, value in (body or {}).items():
            if not isinstance(value, str):
                continue
            response = client.open(_url(path, {n: real[n] for n in names}),
                                   method=method.upper(), json={**body, field: value + NUL},
                                   headers=admin)
            answer = assert_json_error(response)
            if response.status_code == 422:
                assert field in answer["errors"]["json"], (path, field, answer)
            tried += 1
    assert tried >= 30


def test_every_integer_body_field_survives_boundary_values(client, staff, demo):
    admin = staff.headers("admin")
    spec = client.get("/api/openapi.json").get_json()
    real = {**REAL, "token": client.post("/api/v1/carts").get_json()["token"]}
    for method, path, names, body_schema in operations(spec):
        body = _sample(spec, body_schema) if body_schema else None
        for field in [f for f, v in (body or {}).items() if isinstance(v, int)]:
            for value in (-1, 0, 2**31, -(2**31) - 1, 2**63, 10**30):
                response = client.open(_url(path, {n: real[n] for n in names}),
                                       method=method.upper(), json={**body, field: value},
                                       headers=admin)
                assert response.status_code < 500, (path, field, value, response.get_json())
                assert response.is_json


# --- Finding 13: sources and the search cache ---------------------------------------------

def test_a_source_must_be_the_whole_value(client, demo):
    token = client.post("/api/v1/carts").get_json()["token"]
    for source in ("article:a\n", f"article:{ARTICLE}\n", " direct", "article:"):
        response = client.post(f"/api/v1/carts/{token}/lines",
                               json={"sku": "BB-LIGHT", "source": source})
        assert_json_error(response, 422, "invalid_fields")


def test_a_source_must_name_published_content(client, demo):
    token = client.post("/api/v1/carts").get_json()["token"]
    response = client.post(f"/api/v1/carts/{token}/lines",
                           json={"sku": "BB-LIGHT", "source": "article:does-not-exist"})
    assert assert_json_error(response, 422, "unknown_source")["errors"]["json"]["source"]
    for source in (f"article:{ARTICLE}", "exercise:squat", "direct"):
        response = client.post(f"/api/v1/carts/{token}/lines",
                               json={"sku": "BB-LIGHT", "source": source})
        assert response.status_code == 200, response.get_json()


def test_a_page_add_from_unknown_content_counts_as_direct(client, session, demo):
    page = client.get("/products/better-band?source=article:does-not-exist").get_data(True)
    assert 'name="source" type="hidden" value=""' in page
    for source in ("article:does-not-exist", "article:a\n"):
        response = client.post("/cart/add", data={
            "csrf_token": csrf(client, "/products/better-band"), "sku": "BB-LIGHT",
            "quantity": "1", "source": source})
        assert response.status_code == 303
    assert session.scalars(select(CartLine.source)).all() == [None]


# These count the cache's keys: the promise is about Redis memory, which only the person
# running the shop sees (no answer changes when a search is or is not kept).
def _search_keys(app) -> list:
    cache = app.extensions["storefront"].cache
    return list(cache.client.scan_iter(match=cache.prefix + "*search*", count=1000))


@pytest.mark.shared_cache
def test_distinct_searches_do_not_fill_the_shared_cache(app, client, demo):
    for n in range(200):
        assert client.get(f"/api/v1/search?q=band{n}").status_code == 200
    assert _search_keys(app) == []
    for _ in range(2):  # a search people repeat is kept
        first = client.get("/api/v1/search?q=band")
    assert len(_search_keys(app)) == 1
    again = client.get("/api/v1/search?q=band", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.shared_cache
def test_made_up_cursors_do_not_fill_the_shared_cache(app, client, demo):
    cache = app.extensions["storefront"].cache

    def kept() -> int:
        return len(list(cache.client.scan_iter(match=cache.prefix + "*api:products*")))

    first = client.get("/api/v1/products?limit=1").get_json()
    for made_up in range(1, 200):  # any id makes a valid cursor
        cursor = base64.urlsafe_b64encode(json.dumps([made_up]).encode()).decode()
        assert client.get(f"/api/v1/products?limit=1&cursor={cursor}").status_code == 200
    assert kept() == 1  # the first page only
    for _ in range(2):  # a page people page through again is kept
        client.get(f"/api/v1/products?limit=1&cursor={first['next_cursor']}")
    assert kept() == 2


# --- Finding 14: buffered counters go out within a second ---------------------------------

def test_a_held_view_is_written_within_a_second_without_another_request(app, client,
                                                                        session, demo):
    change_settings(app, view_batch=500)
    client.get("/exercises/squat")
    views, deadline = None, time.monotonic() + 5
    while time.monotonic() < deadline:
        session.expire_all()
        views = session.scalar(select(func.sum(SourceMetric.count)).where(
            SourceMetric.source == "exercise:squat", SourceMetric.metric == "view"))
        if views:
            break
        time.sleep(0.1)
    assert views == 1


# --- Error reasons --------------------------------------------------------------------------

def test_errors_carry_a_reason(client, staff, demo):
    moderator = staff.headers("moderator")
    assert_json_error(client.get("/api/v1/products/nope"), 404, "not_found")
    assert_json_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_json_error(client.put("/api/v1/products"), 405, "method_not_allowed")
    assert_json_error(client.get("/api/v1/staff/me"), 401, "unauthorized")
    assert_json_error(client.get("/api/v1/staff/reports/attribution", headers=moderator),
                      403, "forbidden")
    assert_json_error(client.get("/api/v1/products?limit=0"), 422, "invalid_fields")
    assert_json_error(client.get("/api/v1/products?cursor=not-ours"), 422, "invalid_cursor")
    assert_json_error(client.get("/api/v1/carts/no-such-cart"), 404, "cart_not_found")


def test_the_openapi_document_lists_every_reason_the_code_names(client):
    spec = client.get("/api/openapi.json").get_json()
    reason = spec["components"]["schemas"]["Error"]["properties"]["reason"]
    named = set()
    for root in ("storefront", "content", "plugins"):
        for source in (Path(__file__).parents[2] / root).rglob("*.py"):
            named |= set(re.findall(r'\breason\s*=\s*"([a-z_]+)"', source.read_text()))
    for word in named | set(STATUS_REASONS.values()):
        assert f"`{word}`" in reason["description"], word
    assert set(SPECIFIC_REASONS) >= named - set(STATUS_REASONS.values())
