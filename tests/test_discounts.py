"""Discount codes: staff set them up, shoppers apply them to carts, and the cart shows
what they take off (or why they do not apply) on every read."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from storefront.orders.models import StaffAction

from .checkout_helpers import cart_with, checkout
from .test_cart_pages import add, csrf

CODES = "/api/v1/staff/discount-codes"
ARTICLE = "article:are-hamstrings-your-missing-link"


def iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def make_code(client, headers, **fields):
    """A code made through the staff API (10% off unless told)."""
    body = {"code": "SPRING-10", **fields}
    if "amount_off" not in fields and "percent_off" not in fields:
        body["percent_off"] = 10
    response = client.post(CODES, headers=headers, json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def apply(client, token, code):
    return client.post(f"/api/v1/carts/{token}/discount", json={"code": code})


@pytest.fixture
def admin(staff):
    return staff.headers("admin")


# --- amounts -------------------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "lines", "off"), [
    ({"percent_off": 15}, (("BB-LIGHT", 1),), 300),  # 299.85 rounds up
    ({"percent_off": 10}, (("BB-LIGHT", 1),), 200),  # 199.9
    ({"percent_off": 25}, (("BB-LIGHT", 2),), 1000),  # 999.5: half rounds up
    ({"percent_off": 33}, (("BB-MEDIUM", 1),), 726),  # 725.67
    ({"percent_off": 100}, (("BB-LIGHT", 1),), 1999),
    ({"amount_off": 500}, (("BB-LIGHT", 1),), 500),
    ({"amount_off": 5000}, (("BB-LIGHT", 1),), 1999),  # never more than the goods
])
def test_a_code_takes_its_share_off_the_goods_in_minor_units(client, demo, admin, fields,
                                                             lines, off):
    make_code(client, admin, **fields)
    token = cart_with(client, *lines)
    cart = apply(client, token, "SPRING-10")
    assert cart.status_code == 200, cart.get_json()
    discount = cart.get_json()["discount"]
    assert discount["code"] == "SPRING-10" and discount["reason"] is None
    assert discount["amount"]["amount"] == off and discount["amount"]["currency"] == "usd"
    assert client.get(f"/api/v1/carts/{token}").get_json()["discount"] == discount


def test_codes_are_case_insensitive_and_kept_in_capitals(client, demo, admin):
    made = make_code(client, admin, code="spring_sale-2")
    assert made["code"] == "SPRING_SALE-2"
    token = cart_with(client, ("BB-LIGHT", 1))
    assert apply(client, token, "  Spring_Sale-2 ").get_json()["discount"]["code"] == \
        "SPRING_SALE-2"


def test_a_cart_without_a_code_has_no_discount_and_remove_takes_it_off(client, demo, admin):
    make_code(client, admin)
    token = cart_with(client, ("BB-LIGHT", 1))
    assert client.get(f"/api/v1/carts/{token}").get_json()["discount"] is None
    apply(client, token, "spring-10")
    removed = client.delete(f"/api/v1/carts/{token}/discount")
    assert removed.status_code == 200 and removed.get_json()["discount"] is None
    assert client.get(f"/api/v1/carts/{token}").get_json()["discount"] is None
    assert client.delete("/api/v1/carts/nope/discount").status_code == 404


def test_the_discount_follows_the_subtotal_on_every_read(client, demo, admin):
    make_code(client, admin, min_subtotal=3000)
    token = cart_with(client, ("BB-LIGHT", 2))
    assert apply(client, token, "SPRING-10").get_json()["discount"]["amount"]["amount"] == 400
    line = client.get(f"/api/v1/carts/{token}").get_json()["lines"][0]["id"]
    fewer = client.patch(f"/api/v1/carts/{token}/lines/{line}", json={"quantity": 1})
    discount = fewer.get_json()["discount"]
    assert discount["amount"]["amount"] == 0 and discount["reason"] == "discount_below_minimum"
    assert "$30.00" in discount["message"]
    more = client.post(f"/api/v1/carts/{token}/lines", json={"sku": "BB-LIGHT", "quantity": 2})
    assert more.get_json()["discount"]["amount"]["amount"] == 600


# --- refusals --------------------------------------------------------------------------------

def _used_up(client, admin):
    make_code(client, admin, max_uses=1)
    placed = checkout(client, _with_code(client, "SPRING-10"), "first@example.com")
    assert placed.status_code == 201, placed.get_json()


def _with_code(client, code):
    token = cart_with(client, ("BB-LIGHT", 1))
    assert apply(client, token, code).status_code == 200
    return token


REFUSALS = [
    ("discount_unknown", lambda client, admin: None, "NO-SUCH-CODE"),
    ("discount_unknown", lambda client, admin: client.patch(
        f"{CODES}/SPRING-10", headers=admin, json={"active": False}) if make_code(
        client, admin) else None, "SPRING-10"),
    ("discount_not_started", lambda client, admin: make_code(
        client, admin, starts_at=iso(timedelta(days=1))), "SPRING-10"),
    ("discount_expired", lambda client, admin: make_code(
        client, admin, starts_at=iso(-timedelta(days=9)), ends_at=iso(-timedelta(days=1))),
     "SPRING-10"),
    ("discount_used_up", _used_up, "SPRING-10"),
    ("discount_below_minimum", lambda client, admin: make_code(
        client, admin, min_subtotal=5000), "SPRING-10"),
]


@pytest.mark.parametrize(("reason", "setup", "code"), REFUSALS)
def test_each_refusal_has_its_reason_in_the_api(client, demo, admin, reason, setup, code):
    setup(client, admin)
    token = cart_with(client, ("BB-LIGHT", 1))
    refused = apply(client, token, code)
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["reason"] == reason and body["message"]
    assert client.get(f"/api/v1/carts/{token}").get_json()["discount"] is None


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": "x" * 41}, {"code": 7},
                                  {"code": "SPRING-10", "extra": 1}])
def test_a_malformed_apply_is_422(client, demo, body):
    token = cart_with(client, ("BB-LIGHT", 1))
    assert client.post(f"/api/v1/carts/{token}/discount", json=body).status_code == 422


@pytest.mark.parametrize("typed", ["spr\u0131ng-10", "\u017fpring-10", "ＳＰＲＩＮＧ-10",
                                   "SPRING-10\u200b", "SPRING\u201010", "SPRING-10\x00",
                                   "\U0001f4aa" * 10])
def test_look_alike_codes_never_apply_a_real_one(client, demo, admin, typed):
    make_code(client, admin)
    token = cart_with(client, ("BB-LIGHT", 1))
    refused = apply(client, token, typed)
    assert refused.status_code in (400, 422) and refused.is_json
    assert client.get(f"/api/v1/carts/{token}").get_json()["discount"] is None
    add(client, sku="BB-LIGHT")
    page = page_apply(client, typed)
    assert page.status_code in (400, 422)
    assert "Discount (SPRING-10)" not in client.get("/cart").get_data(as_text=True)


def test_applying_the_same_code_twice_keeps_one_discount(client, demo, admin):
    make_code(client, admin)
    token = cart_with(client, ("BB-LIGHT", 1))
    first = apply(client, token, "spring-10").get_json()
    again = apply(client, token, "SPRING-10")
    assert again.status_code == 200 and again.get_json()["discount"] == first["discount"]


def test_applying_to_a_missing_cart_is_404(client, demo):
    response = apply(client, "no-such-cart", "SPRING-10")
    assert response.status_code == 404 and response.get_json()["reason"] == "cart_not_found"


# --- the cart page ------------------------------------------------------------------------------

def page_apply(client, code):
    page = client.get("/cart").get_data(as_text=True)
    return client.post("/cart/discount", data={"csrf_token": csrf(page), "code": code})


@pytest.mark.parametrize(("reason", "setup", "code"), REFUSALS)
def test_the_cart_page_says_why_a_code_is_refused_beside_the_field(client, demo, admin,
                                                                  reason, setup, code):
    setup(client, admin)
    add(client, sku="BB-LIGHT")
    refused = page_apply(client, code)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    field = re.search(r'<input[^>]*name="code"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="code-error"' in field
    assert f'value="{code}"' in field
    error = re.search(r'<span id="code-error" class="field-error">([^<]+)</span>', page)
    assert error and ("code" in error.group(1).lower())
    assert '<label for="code">Discount code</label>' in page


def test_the_cart_page_applies_shows_and_removes_a_code(client, demo, admin):
    make_code(client, admin, amount_off=500)
    add(client, sku="BB-LIGHT")
    applied = page_apply(client, "spring-10")
    assert applied.status_code == 303
    page = client.get("/cart").get_data(as_text=True)
    assert "Discount code SPRING-10 applied." in page
    assert re.search(r"Discount \(SPRING-10\)</th><td[^>]*>-\$5\.00", page)
    assert "$14.99" in page  # the goods after the discount
    remove = client.post("/cart/discount/remove", data={"csrf_token": csrf(page)})
    assert remove.status_code == 303
    page = client.get("/cart").get_data(as_text=True)
    assert "Discount code removed." in page and "Discount (SPRING-10)" not in page


def test_the_cart_page_form_needs_its_csrf_token(client, demo, admin):
    make_code(client, admin)
    add(client, sku="BB-LIGHT")
    response = client.post("/cart/discount", data={"code": "SPRING-10"})
    assert response.status_code == 422
    page = client.get("/cart").get_data(as_text=True)
    assert "Discount (SPRING-10)" not in page


def test_the_cart_page_shows_why_an_applied_code_takes_nothing_off(client, demo, admin):
    make_code(client, admin, min_subtotal=3000)
    add(client, sku="BB-LIGHT", quantity=2)
    assert page_apply(client, "SPRING-10").status_code == 303
    page = client.get("/cart").get_data(as_text=True)
    line = re.search(r'/cart/lines/(\d+)"', page).group(1)
    client.post(f"/cart/lines/{line}", data={"csrf_token": csrf(page), "quantity": 1})
    page = client.get("/cart").get_data(as_text=True)
    assert "takes nothing off" in page and "at least $30.00" in page


# --- the staff API -------------------------------------------------------------------------------

def test_admins_list_create_and_deactivate_codes(client, demo, admin, session):
    made = make_code(client, admin, amount_off=750, min_subtotal=2000, max_uses=50,
                     max_uses_per_email=1, source=ARTICLE, ends_at=iso(timedelta(days=30)))
    assert made["amount_off"] == 750 and made["percent_off"] is None
    assert made["currency"] == "usd" and made["used"] == 0 and made["remaining"] == 50
    assert made["active"] is True and made["source"] == ARTICLE
    make_code(client, admin, code="CAMPAIGN-5", percent_off=5, source="campaign:spring-mail")
    listed = client.get(CODES, headers=admin).get_json()["items"]
    assert [c["code"] for c in listed] == ["CAMPAIGN-5", "SPRING-10"]
    assert listed[0]["remaining"] is None
    token = cart_with(client, ("BB-LIGHT", 2))
    apply(client, token, "SPRING-10")
    off = client.patch(f"{CODES}/spring-10", headers=admin, json={"active": False})
    assert off.status_code == 200 and off.get_json()["active"] is False
    assert off.get_json()["amount_off"] == 750  # the rest is kept
    discount = client.get(f"/api/v1/carts/{token}").get_json()["discount"]
    assert discount["amount"]["amount"] == 0 and discount["reason"] == "discount_unknown"
    switched = client.patch(f"{CODES}/SPRING-10", headers=admin,
                            json={"percent_off": 20, "active": True, "min_subtotal": None})
    assert switched.get_json()["percent_off"] == 20 and switched.get_json()["amount_off"] is None
    assert client.get(f"/api/v1/carts/{token}").get_json()["discount"]["amount"]["amount"] == 800
    actions = session.scalars(select(StaffAction.action).where(
        StaffAction.subject == "SPRING-10").order_by(StaffAction.id)).all()
    assert actions == ["discount_create", "discount_deactivate", "discount_update"]


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("moderator", 403),
                                               ("editor", 403)])
def test_codes_are_for_admins_only(client, demo, staff, role, status):
    headers = staff.headers(role) if role else {}
    assert client.get(CODES, headers=headers).status_code == status
    assert client.post(CODES, headers=headers,
                       json={"code": "NOPE-1", "percent_off": 5}).status_code == status
    assert client.patch(f"{CODES}/NOPE-1", headers=headers,
                        json={"active": False}).status_code == status


@pytest.mark.parametrize(("body", "field"), [
    ({"code": "BOTH-1", "percent_off": 10, "amount_off": 500}, "percent_off"),
    ({"code": "NONE-1"}, "percent_off"),
    ({"code": "ZERO-1", "percent_off": 0}, "percent_off"),
    ({"code": "MANY-1", "percent_off": 101}, "percent_off"),
    ({"code": "NEG-1", "amount_off": -500}, "amount_off"),
    ({"code": "NEG-2", "percent_off": 5, "min_subtotal": -1}, "min_subtotal"),
    ({"code": "HUGE-1", "amount_off": 10**12}, "amount_off"),
    ({"code": "HUGE-2", "percent_off": 5, "max_uses": 10**12}, "max_uses"),
    ({"code": "HUGE-3", "percent_off": 5, "max_uses_per_email": 0}, "max_uses_per_email"),
    ({"code": "STR-1", "percent_off": "10"}, "percent_off"),
    ({"code": "ab", "percent_off": 5}, "code"),
    ({"code": "with space", "percent_off": 5}, "code"),
    ({"code": "X" * 41, "percent_off": 5}, "code"),
    ({"code": "SRC-1", "percent_off": 5, "source": "article:no-such-article"}, "source"),
    ({"code": "SRC-2", "percent_off": 5, "source": "direct"}, "source"),
    ({"code": "SRC-3", "percent_off": 5, "source": "campaign:"}, "source"),
    ({"code": "WIN-1", "percent_off": 5, "starts_at": iso(timedelta(days=2)),
      "ends_at": iso(timedelta(days=1))}, "ends_at"),
    ({"code": "EXTRA-1", "percent_off": 5, "colour": "red"}, "colour"),
])
def test_a_bad_code_is_refused_with_its_field(client, demo, admin, body, field):
    response = client.post(CODES, headers=admin, json=body)
    assert response.status_code == 422, response.get_json()
    assert field in str(response.get_json()["errors"])
    if field == "source":
        assert response.get_json()["reason"] == "unknown_source"
    assert client.get(CODES, headers=admin).get_json()["items"] == []


def test_a_bad_change_leaves_the_code_as_it_was(client, demo, admin):
    make_code(client, admin)
    for body in ({"percent_off": 10, "amount_off": 5}, {"percent_off": 0},
                 {"source": "article:nope"}, {"code": "OTHER"}, {"max_uses": -1}):
        assert client.patch(f"{CODES}/SPRING-10", headers=admin, json=body).status_code == 422
    assert client.get(CODES, headers=admin).get_json()["items"][0]["percent_off"] == 10
    assert client.patch(f"{CODES}/NOPE-1", headers=admin,
                        json={"active": False}).status_code == 404


def test_a_code_is_made_once(client, demo, admin):
    make_code(client, admin)
    again = client.post(CODES, headers=admin, json={"code": "spring-10", "percent_off": 5})
    assert again.status_code == 409 and again.get_json()["reason"] == "discount_code_taken"


# --- the staff console --------------------------------------------------------------------------

def console_post(client, staff, path, **fields):
    return client.post(path, data={"csrf_token": staff.csrf_token(path), **fields})


def test_admins_run_codes_in_the_console(client, demo, staff):
    staff.login(staff.create("admin").email)
    home = client.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/discount-codes"' in home
    added = console_post(client, staff, "/staff/discount-codes", code="summer-5",
                         kind="amount", value="5.00", min_subtotal="20", max_uses="3",
                         source=ARTICLE, active="y")
    assert added.status_code == 303, added.get_data(as_text=True)
    page = client.get("/staff/discount-codes").get_data(as_text=True)
    assert "SUMMER-5" in page and "$5.00" in page and "$20.00" in page
    assert 'aria-current="page"' in page
    token = cart_with(client, ("BB-LIGHT", 2))
    assert apply(client, token, "summer-5").get_json()["discount"]["amount"]["amount"] == 500
    edit = "/staff/discount-codes/SUMMER-5"
    assert 'value="5.00"' in client.get(edit).get_data(as_text=True)
    console_post(client, staff, edit, code="SUMMER-5", kind="percent", value="15",
                 max_uses="3")  # not active
    listed = client.get(CODES, headers=staff.headers("admin")).get_json()["items"][0]
    assert listed["active"] is False and listed["percent_off"] == 15
    assert client.get(f"/api/v1/carts/{token}").get_json()["discount"]["amount"]["amount"] == 0
    assert client.get("/staff/discount-codes/NOPE-9").status_code == 404


@pytest.mark.parametrize(("fields", "words"), [
    ({"kind": "percent", "value": "101"}, "whole percent from 1 to 100"),
    ({"kind": "percent", "value": "0"}, "whole percent from 1 to 100"),
    ({"kind": "amount", "value": "-1"}, "Type an amount such as 5.00"),
    ({"kind": "amount", "value": "5.001"}, "Type an amount such as 5.00"),
    ({"code": "a b"}, "3 to 40 letters"),
    ({"source": "article:no-such-article"}, "neither a published article"),
])
def test_a_wrong_code_in_the_console_is_explained_and_kept(client, demo, staff, fields, words):
    staff.login(staff.create("admin").email)
    form = {"code": "WRONG-1", "kind": "percent", "value": "10", **fields}
    response = console_post(client, staff, "/staff/discount-codes", **form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and words in page
    assert 'aria-invalid="true"' in page and f'value="{form["code"]}"' in page
    assert client.get(CODES, headers=staff.headers("admin")).get_json()["items"] == []


@pytest.mark.parametrize("role", ["moderator", "editor"])
def test_only_admins_open_the_code_pages(client, demo, staff, role):
    staff.login(staff.create(role).email)
    assert client.get("/staff/discount-codes").status_code == 403
    assert 'href="/staff/discount-codes"' not in client.get("/staff/").get_data(as_text=True)


def test_the_audit_log_names_who_changed_a_code(client, demo, staff, session):
    email = staff.create("admin").email
    staff.login(email)
    console_post(client, staff, "/staff/discount-codes", code="AUDIT-1", kind="percent",
                 value="5", active="y")
    action = session.scalar(select(StaffAction).where(StaffAction.subject == "AUDIT-1"))
    assert action.actor == email and action.subject_type == "discount_code"
    assert "percent_off: 5" in action.detail
