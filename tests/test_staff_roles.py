"""Who may use which console page and staff API endpoint: nobody, a moderator, an editor,
an admin. Admins pass every check; an editor runs the catalogue and the content and is
kept out of orders, refunds, shipping, reports, moderation and the team."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storefront.demo import seed_demo
from storefront.orders.models import Order
from storefront.staff.models import StaffUser

from .factories import make_order
from .moderation_helpers import post_review
from .staff_helpers import LOGIN, database, new_staff, signed_in, token_headers

ROLES = ("moderator", "editor", "admin")


@pytest.fixture
def world(app, client):
    """A review waiting for moderation, a paid order, a shipping method and a moderator to
    point at, made outside any request."""
    with database(app) as session:
        seed_demo(session, app.extensions["storefront"].plugins)
        order = make_order(session, "paid").number
    review = post_review(client).get_json()["id"]
    method = client.post("/api/v1/staff/shipping-methods", headers=token_headers(app, "admin"),
                         json={"name": "Standard", "amount": 499, "estimate": "3-5 days",
                               "countries": ["US"]})
    assert method.status_code == 201, method.get_json()
    member = new_staff(app, "moderator", "member@example.com")
    with database(app) as session:
        member_id = session.scalar(select(StaffUser.id).where(StaffUser.email == member))
    return {"review": review, "order": order, "method": method.get_json()["id"],
            "member": member_id}


def _fill(path: str, world: dict) -> str:
    return path.format(**world)


# Console pages: (path, who may see it). Everyone else who is signed in gets 403.
CONSOLE_GETS = [
    ("/staff/", set(ROLES)),
    ("/staff/moderation", {"moderator", "admin"}),
    ("/staff/moderation/review/{review}", {"moderator", "admin"}),
    ("/staff/reports/attribution", {"admin"}),
    ("/staff/reports/attribution.csv", {"admin"}),
    ("/staff/shipping", {"admin"}),
    ("/staff/shipping/{method}", {"admin"}),
    ("/staff/orders", {"admin"}),
    ("/staff/orders/{order}", {"admin"}),
    ("/staff/team", {"admin"}),
]
# Console forms: (path, role needed). Nobody may post without signing in.
CONSOLE_POSTS = [
    ("/staff/moderation/review/{review}", "moderator"),
    ("/staff/shipping", "admin"),
    ("/staff/shipping/{method}", "admin"),
    ("/staff/orders/{order}/fulfil", "admin"),
    ("/staff/orders/{order}/refunds", "admin"),
    ("/staff/orders/{order}/cancel", "admin"),
    ("/staff/team/invites", "admin"),
    ("/staff/team/{member}/role", "admin"),
    ("/staff/team/{member}/active", "admin"),
]


@pytest.fixture
def consoles(app, world):
    """One signed-in console per role."""
    return {role: signed_in(app, role) for role in ROLES}


def test_console_pages_by_role(client, world, consoles):
    for path, allowed in CONSOLE_GETS:
        path = _fill(path, world)
        anonymous = client.get(path)
        assert anonymous.status_code == 302 and LOGIN in anonymous.headers["Location"], path
        for role, console in consoles.items():
            answer = console.get(path)
            assert answer.status_code == (200 if role in allowed else 403), (role, path)


def test_console_forms_by_role(app, client, world, consoles):
    for path, needed in CONSOLE_POSTS:
        path = _fill(path, world)
        anonymous = client.post(path, data={})
        assert anonymous.status_code == 302 and LOGIN in anonymous.headers["Location"], path
        for role, console in consoles.items():
            answer = console.post(path, data={})  # no CSRF token: nothing may change
            if role in (needed, "admin"):
                assert answer.status_code not in (302, 401, 403), (role, path)
            else:
                assert answer.status_code == 403, (role, path)
    with database(app) as session:
        order = session.scalar(select(Order).where(Order.number == world["order"]))
        assert order.status == "paid" and order.refunded_amount == 0
        assert session.scalar(select(StaffUser.role).where(
            StaffUser.id == world["member"])) == "moderator"


# Staff API: (method, path, body, role needed or None for every staff member).
API = [
    ("GET", "/api/v1/staff/me", None, None),
    ("GET", "/api/v1/staff/moderation", None, "moderator"),
    ("POST", "/api/v1/staff/moderation/review/{review}", {"action": "approve"}, "moderator"),
    ("GET", "/api/v1/staff/orders", None, "admin"),
    ("GET", "/api/v1/staff/orders/{order}", None, "admin"),
    ("POST", "/api/v1/staff/orders/{order}/fulfil", {}, "admin"),
    ("POST", "/api/v1/staff/orders/{order}/refunds", {"amount": 1}, "admin"),
    ("POST", "/api/v1/staff/orders/{order}/cancel", {}, "admin"),
    ("GET", "/api/v1/staff/reports/attribution", None, "admin"),
    ("GET", "/api/v1/staff/shipping-methods", None, "admin"),
    ("POST", "/api/v1/staff/shipping-methods", {"name": "X"}, "admin"),
    ("PATCH", "/api/v1/staff/shipping-methods/{method}", {"active": False}, "admin"),
    ("GET", "/api/v1/staff/members", None, "admin"),
    ("POST", "/api/v1/staff/invites", {"email": "new@example.com", "role": "editor"},
     "admin"),
    ("PATCH", "/api/v1/staff/members/member@example.com", {"role": "editor"}, "admin"),
]


def test_staff_api_by_role(app, client, world):
    headers = {role: token_headers(app, role) for role in ROLES}
    for method, path, body, needed in API:
        path = _fill(path, world)
        kwargs = {"json": body} if body is not None else {}
        anonymous = client.open(path, method=method, **kwargs)
        assert anonymous.status_code == 401 and anonymous.is_json, path
        for role in ROLES:
            answer = client.open(path, method=method, headers=headers[role], **kwargs)
            if needed is None or role in (needed, "admin"):
                assert answer.status_code not in (401, 403), (role, path, answer.get_json())
            else:
                assert answer.status_code == 403 and answer.is_json, (role, path)
                assert answer.get_json()["message"] == f"This needs the {needed} role."


def test_an_editor_is_told_who_they_are(app, client):
    answer = client.get("/api/v1/staff/me", headers=token_headers(app, "editor"))
    assert answer.status_code == 200 and answer.get_json()["role"] == "editor"


def test_console_nav_shows_each_role_its_own_sections(app, world):
    expected = {
        "moderator": ({"Moderation"}, {"Orders", "Reports", "Shipping", "Staff", "Products"}),
        "editor": ({"Exercises", "Articles"}, {"Orders", "Moderation", "Reports", "Shipping",
                                                "Staff"}),
        "admin": ({"Orders", "Moderation", "Reports", "Shipping", "Staff", "Exercises",
                   "Articles"}, set()),
    }
    if "staff_catalog.products" in app.view_functions:
        expected["editor"][0].add("Products")
        expected["admin"][0].add("Products")
    for role, (shown, hidden) in expected.items():
        text = signed_in(app, role).get("/staff/").get_data(as_text=True)
        nav = re.search(r'<nav class="console-nav" aria-label="Staff console">(.*?)</nav>',
                        text, re.S).group(1)
        labels = set(re.findall(r">([^<>]+)</a>", nav))
        assert shown <= labels and not (hidden & labels), (role, labels)


def test_the_current_section_is_marked(app, world):
    admin = signed_in(app, "admin")
    text = admin.get(f"/staff/orders/{world['order']}").get_data(as_text=True)
    assert re.search(r'<a href="/staff/orders" aria-current="page">Orders</a>', text)
    assert text.count('aria-current="page"') == 1
    home = admin.get("/staff/").get_data(as_text=True)
    assert 'aria-current="page"' not in home


def test_the_dashboard_fits_the_role(app, world):
    editor = signed_in(app, "editor").get("/staff/").get_data(as_text=True)
    assert "catalogue and the content" in editor
    assert "Waiting for moderation" not in editor and "Recent orders" not in editor
    moderator = signed_in(app, "moderator").get("/staff/").get_data(as_text=True)
    assert "Reviews pending: 1" in moderator and "Recent orders" not in moderator
    admin = signed_in(app, "admin").get("/staff/").get_data(as_text=True)
    assert "Reviews pending: 1" in admin and world["order"] in admin


def test_the_console_has_its_own_layout(app):
    text = signed_in(app, "editor").get("/staff/").get_data(as_text=True)
    assert 'class="skip-link" href="#main"' in text and '<main id="main"' in text
    assert "Staff console" in text and "Log out" in text
    assert 'id="site-search-q"' not in text  # not the shopper's header
    assert "style=" not in text and "<script" not in text
