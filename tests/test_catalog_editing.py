"""Editors run the catalogue through the staff API: products, variants, safe edits, audit."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from storefront.catalog import editing
from storefront.catalog.models import Product, Variant
from storefront.orders.models import StaffAction

from .checkout_helpers import cart_with, checkout

PRODUCTS = "/api/v1/staff/products"
BALL = {"slug": "balance-ball", "name": "Balance Ball", "kind": "ball",
        "summary": "A soft ball for balance drills.",
        "description": "Squeeze it, sit on it, roll it.", "options": ["Size"]}


def create(client, headers, **changes):
    response = client.post(PRODUCTS, json={**BALL, **changes}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response


def add_variant(client, headers, slug="balance-ball", **values):
    body = {"sku": "BAL-55", "options": {"Size": "55 cm"}, "price": 2499, "stock": 5, **values}
    return client.post(f"{PRODUCTS}/{slug}/variants", json=body, headers=headers)


def read(client, headers, slug="balance-ball"):
    return client.get(f"{PRODUCTS}/{slug}", headers=headers)


def patch(client, headers, changes, etag, slug="balance-ball"):
    extra = {"If-Match": etag} if etag is not None else {}
    return client.patch(f"{PRODUCTS}/{slug}", json=changes, headers={**headers, **extra})


def publish(client, headers, slug="balance-ball"):
    etag = read(client, headers, slug).headers["ETag"]
    response = patch(client, headers, {"status": "active"}, etag, slug)
    assert response.status_code == 200, response.get_json()
    return response


def public_everywhere(client, slug="balance-ball", word="balance") -> dict:
    """Where a shopper could meet the product: True for each place that shows it."""
    listed = [p["slug"] for p in client.get("/api/v1/products?limit=100").get_json()["items"]]
    found = [item["slug"] for item in
             client.get("/api/v1/search", query_string={"q": word}).get_json()["items"]]
    return {
        "api list": slug in listed,
        "api detail": client.get(f"/api/v1/products/{slug}").status_code == 200,
        "page": client.get(f"/products/{slug}").status_code == 200,
        "products page": f"/products/{slug}\"" in client.get("/products").get_data(as_text=True),
        "home": f"/products/{slug}\"" in client.get("/").get_data(as_text=True),
        "search": slug in found,
        "sitemap": f"/products/{slug}<" in client.get("/sitemap.xml").get_data(as_text=True),
    }


@pytest.fixture
def editor(staff):
    return staff.headers("editor")


# --- products: create, publish, archive, restore ----------------------------------------------

def test_a_new_product_is_a_draft_seen_by_nobody_until_published(client, editor):
    body = create(client, editor).get_json()
    assert body["status"] == "draft" and body["kind"] == "ball" and body["options"] == ["Size"]
    assert add_variant(client, editor).status_code == 201
    assert not any(public_everywhere(client).values())
    cart = client.post("/api/v1/carts").get_json()["token"]
    refused = client.post(f"/api/v1/carts/{cart}/lines", json={"sku": "BAL-55", "quantity": 1})
    assert refused.status_code == 404

    publish(client, editor)
    assert all(public_everywhere(client).values()), public_everywhere(client)
    detail = client.get("/api/v1/products/balance-ball").get_json()
    assert detail["kind"] == "ball" and detail["options"] == ["Size"]
    assert detail["variants"][0]["options"] == {"Size": "55 cm"}
    assert detail["variants"][0]["name"] == "55 cm"  # named by its option value
    added = client.post(f"/api/v1/carts/{cart}/lines", json={"sku": "BAL-55", "quantity": 1})
    assert added.status_code == 200 and added.get_json()["item_count"] == 1


def test_archiving_hides_a_product_everywhere_and_restoring_brings_back_a_draft(client, editor):
    create(client, editor, status="active")
    add_variant(client, editor)
    assert all(public_everywhere(client).values())
    response = patch(client, editor, {"status": "archived"}, read(client, editor).headers["ETag"])
    assert response.status_code == 200 and response.get_json()["status"] == "archived"
    assert not any(public_everywhere(client).values())
    assert client.get("/products/balance-ball").status_code == 404
    restored = patch(client, editor, {"status": "draft"}, response.headers["ETag"])
    assert restored.get_json()["status"] == "draft"
    assert not any(public_everywhere(client).values())
    publish(client, editor)
    assert all(public_everywhere(client).values())


def test_a_cart_holding_a_product_archived_since_cannot_check_out(client, editor):
    create(client, editor, status="active")
    add_variant(client, editor)
    token = cart_with(client, ("BAL-55", 1))
    patch(client, editor, {"status": "archived"}, read(client, editor).headers["ETag"])
    response = checkout(client, token)
    assert response.status_code == 409 and response.get_json()["reason"] == "not_for_sale"
    assert "no longer sold" in response.get_json()["message"]
    assert client.get(f"{PRODUCTS}/balance-ball", headers=editor).get_json()[
        "variants"][0]["stock"] == 5


def test_edits_change_what_shoppers_read(client, editor):
    create(client, editor, status="active")
    add_variant(client, editor)
    response = patch(client, editor, {"name": "Balance Ball Pro", "kind": "Ball",
                                      "description": "Now firmer."},
                     read(client, editor).headers["ETag"])
    assert response.status_code == 200
    detail = client.get("/api/v1/products/balance-ball").get_json()
    assert (detail["name"], detail["kind"], detail["description"]) == \
        ("Balance Ball Pro", "ball", "Now firmer.")
    page = client.get("/products/balance-ball").get_data(as_text=True)
    assert "Balance Ball Pro" in page and "Exercises this ball supports" in page


@pytest.mark.parametrize("changes, status, field", [
    ({"slug": "Not A Slug"}, 422, "slug"),
    ({"slug": "a" * 121}, 422, "slug"),
    ({"name": ""}, 422, "name"),
    ({"kind": ""}, 422, "kind"),
    ({"status": "secret"}, 422, "status"),
    ({"options": ["Size", "size"]}, 422, "options"),
    ({"colour": "red"}, 422, "colour"),
], ids=["slug-with-spaces", "slug-too-long", "empty-name", "empty-kind", "unknown-status",
        "option-twice", "unknown-field"])
def test_bad_products_are_refused_naming_the_field_and_nothing_is_made(client, editor, session,
                                                                       changes, status, field):
    response = client.post(PRODUCTS, json={**BALL, **changes}, headers=editor)
    assert response.status_code == status and response.is_json
    assert field in response.get_json()["errors"]["json"]
    assert session.scalar(select(func.count()).select_from(Product)) == 0
    assert session.scalar(select(func.count()).select_from(StaffAction)) == 0


def test_a_duplicate_slug_is_a_conflict(client, editor, session, demo):
    response = client.post(PRODUCTS, json={**BALL, "slug": "stability-ball"}, headers=editor)
    assert response.status_code == 409 and response.get_json()["reason"] == "slug_taken"
    create(client, editor)
    renamed = patch(client, editor, {"slug": "better-band"}, read(client, editor).headers["ETag"])
    assert renamed.status_code == 409
    assert read(client, editor).get_json()["slug"] == "balance-ball"


# --- variants ----------------------------------------------------------------------------------

def test_variant_rules(client, editor, session):
    create(client, editor)
    cases = [
        ({"price": -1}, 422, "price"),
        ({"stock": -1}, 422, "stock"),
        ({"options": {}}, 422, "options"),
        ({"options": {"Size": "55 cm", "Colour": "Red"}}, 422, "options"),
        ({"options": {"Size": " "}}, 422, "options"),
        ({"compare_at_price": 2499}, 422, "compare_at_price"),
        ({"compare_at_price": 100}, 422, "compare_at_price"),
        ({"sku": "has space"}, 422, "sku"),
        ({"price": "24.99"}, 422, "price"),
    ]
    for values, status, field in cases:
        response = add_variant(client, editor, **values)
        assert response.status_code == status, values
        assert field in response.get_json()["errors"]["json"], (values, response.get_json())
    assert session.scalar(select(func.count()).select_from(Variant)) == 0

    made = add_variant(client, editor, compare_at_price=2999, name="Small")
    assert made.status_code == 201
    assert made.get_json()["compare_at_price"]["formatted"] == "$29.99"
    assert made.get_json()["name"] == "Small"
    again = add_variant(client, editor, options={"Size": "65 cm"})
    assert again.status_code == 409 and again.get_json()["reason"] == "sku_taken"
    assert session.scalar(select(func.count()).select_from(Variant)) == 1


def test_variant_changes_keep_the_rules_and_take_if_match(client, editor, staff):
    create(client, editor, status="active")
    made = add_variant(client, editor, compare_at_price=2999)
    sku_url = "/api/v1/staff/variants/BAL-55"
    assert client.patch(sku_url, json={"price": 3000}, headers=editor).status_code == 422
    assert client.patch(sku_url, json={"options": {"Colour": "Red"}},
                        headers=editor).status_code == 422
    changed = client.patch(sku_url, json={"price": 1999, "stock": 9},
                           headers={**editor, "If-Match": made.headers["ETag"]})
    assert changed.status_code == 200 and changed.get_json()["stock"] == 9
    stale = client.patch(sku_url, json={"stock": 1},
                         headers={**editor, "If-Match": made.headers["ETag"]})
    assert stale.status_code == 412 and "changed by someone else" in stale.get_json()["message"]
    variant = client.get("/api/v1/products/balance-ball").get_json()["variants"][0]
    assert variant["available"] == 9 and variant["price"]["formatted"] == "$19.99"
    assert variant["compare_at_price"]["formatted"] == "$29.99"


def test_an_inactive_variant_is_not_offered(client, editor):
    create(client, editor, status="active")
    add_variant(client, editor)
    add_variant(client, editor, sku="BAL-65", options={"Size": "65 cm"}, price=2999)
    assert client.patch("/api/v1/staff/variants/BAL-65", json={"active": False},
                        headers=editor).status_code == 200
    detail = client.get("/api/v1/products/balance-ball").get_json()
    assert [v["sku"] for v in detail["variants"]] == ["BAL-55"]
    page = client.get("/products/balance-ball").get_data(as_text=True)
    assert "65 cm" not in page and "From $24.99" not in page and "$24.99" in page
    cart = client.post("/api/v1/carts").get_json()["token"]
    assert client.post(f"/api/v1/carts/{cart}/lines",
                       json={"sku": "BAL-65", "quantity": 1}).status_code == 404


def test_options_can_be_dropped_but_not_added_under_existing_variants(client, editor):
    create(client, editor)
    add_variant(client, editor)
    added = patch(client, editor, {"options": ["Size", "Colour"]},
                  read(client, editor).headers["ETag"])
    assert added.status_code == 422 and "options" in added.get_json()["errors"]["json"]
    dropped = patch(client, editor, {"options": []}, read(client, editor).headers["ETag"])
    assert dropped.status_code == 200
    assert dropped.get_json()["variants"][0]["options"] == {}


def test_bands_keep_their_resistance(client, demo, editor):
    response = client.patch("/api/v1/staff/variants/BB-LIGHT",
                            json={"options": {"Resistance": "Extra light"}}, headers=editor)
    assert response.status_code == 200
    variants = client.get("/api/v1/products/better-band").get_json()["variants"]
    assert variants[0]["resistance"] == "Extra light"
    assert variants[1]["resistance"] == "Medium (20-35 lb)"  # the existing text stays
    assert variants[1]["options"] == {"Resistance": "Medium"}


# --- safe edits ---------------------------------------------------------------------------------

def test_an_update_needs_if_match_and_a_stale_one_is_refused(client, editor, staff):
    create(client, editor)
    first = read(client, editor)
    assert first.headers["ETag"] == f'"{first.get_json()["version"]}"'
    missing = patch(client, editor, {"name": "Nope"}, None)
    assert missing.status_code == 428 and missing.get_json()["reason"] == "precondition_required"
    other_editor = staff.headers("editor")
    winner = patch(client, other_editor, {"name": "Balance Ball Mini"}, first.headers["ETag"])
    loser = patch(client, editor, {"summary": "Lost?"}, first.headers["ETag"])
    assert winner.status_code == 200
    assert loser.status_code == 412 and loser.get_json()["reason"] == "precondition_failed"
    assert "changed by someone else" in loser.get_json()["message"]
    assert patch(client, editor, {"name": "x"}, "*").status_code == 412
    now = read(client, editor).get_json()
    assert now["name"] == "Balance Ball Mini" and now["summary"] == BALL["summary"]
    retried = patch(client, editor, {"summary": "Kept."}, winner.headers["ETag"])
    assert retried.status_code == 200 and retried.get_json()["name"] == "Balance Ball Mini"


def test_two_editors_at_the_same_moment_one_wins_one_is_told(app, client, editor, staff,
                                                             monkeypatch):
    """Both read version 1 and pass the check before either writes: the database lets one
    UPDATE match its version and refuses the other, which becomes a 412."""
    create(client, editor)
    etag = read(client, editor).headers["ETag"]
    both_checked = threading.Barrier(2)
    real_check = editing.check_version

    def check_then_wait(*args, **kwargs):
        real_check(*args, **kwargs)
        both_checked.wait(timeout=30)

    monkeypatch.setattr(editing, "check_version", check_then_wait)
    headers = [editor, staff.headers("editor")]
    results: dict[str, int] = {}

    def edit(name, who):
        response = patch(app.test_client(), who, {"name": name}, etag)
        results[name] = response.status_code

    threads = [threading.Thread(target=edit, args=(f"Ball {n}", h))
               for n, h in enumerate(headers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [200, 412], results
    winner = next(name for name, code in results.items() if code == 200)
    monkeypatch.undo()
    body = read(client, editor).get_json()
    assert body["name"] == winner and body["version"] == 2


# --- audit ----------------------------------------------------------------------------------------

def test_every_change_is_in_the_audit_log(client, staff, session):
    user = staff.create("editor")
    from storefront.staff.services import create_token
    headers = {"Authorization": f"Bearer {create_token(session, user.email)}"}
    create(client, headers)
    add_variant(client, headers)
    client.patch("/api/v1/staff/variants/BAL-55", json={"price": 2299}, headers=headers)
    etag = publish(client, headers).headers["ETag"]
    etag = patch(client, headers, {"status": "archived"}, etag).headers["ETag"]
    patch(client, headers, {"status": "draft"}, etag)
    rows = session.scalars(select(StaffAction).order_by(StaffAction.id)).all()
    assert [(r.action, r.subject_type, r.subject) for r in rows] == [
        ("create", "product", "balance-ball"), ("create", "variant", "BAL-55"),
        ("update", "variant", "BAL-55"), ("publish", "product", "balance-ball"),
        ("archive", "product", "balance-ball"), ("restore", "product", "balance-ball")]
    assert all(r.actor == user.email for r in rows)
    assert "2499 -> 2299" in rows[2].detail
    assert "'draft' -> 'active'" in rows[3].detail


# --- roles ------------------------------------------------------------------------------------

ENDPOINTS = [
    ("get", PRODUCTS, None),
    ("post", PRODUCTS, {**BALL, "slug": "another-ball"}),
    ("get", f"{PRODUCTS}/balance-ball", None),
    ("patch", f"{PRODUCTS}/balance-ball", {"summary": "Changed."}),
    ("post", f"{PRODUCTS}/balance-ball/variants",
     {"sku": "BAL-75", "options": {"Size": "75 cm"}, "price": 2999}),
    ("patch", "/api/v1/staff/variants/BAL-55", {"stock": 7}),
]


@pytest.mark.parametrize("method, path, body", ENDPOINTS,
                         ids=[f"{m} {p.removeprefix('/api/v1')}" for m, p, _ in ENDPOINTS])
def test_roles_for_every_endpoint(client, staff, editor, method, path, body):
    create(client, editor)
    add_variant(client, editor)

    def call(headers):
        if method == "patch" and "products/" in path:
            headers = {**headers, "If-Match": read(client, editor).headers["ETag"]}
        return getattr(client, method)(path, json=body, headers=headers)

    assert call({}).status_code == 401
    assert call(staff.headers("moderator")).status_code == 403
    for role in ("editor", "admin"):
        response = call(staff.headers(role))
        assert response.status_code in (200, 201), (role, response.get_json())
        if method == "post":  # made once; the second role meets its own work
            body = {**body, ("slug" if "slug" in body else "sku"): body.get("slug", body.get(
                "sku", "")) + "-2"}


def test_the_openapi_document_names_the_role(client):
    spec = client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/staff/products/{slug}"]["patch"]
    assert "editor" in operation["description"]
    assert any(p["name"] == "If-Match" for p in operation["parameters"])

