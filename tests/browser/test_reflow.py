"""Every page at phone and desktop widths: nothing wider than the screen (WCAG 1.4.10
Reflow), the page's main action whole and in view, and no serious accessibility finding.

Each page is shot at each width into test-artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from .conftest import (
    ADMIN_EMAIL,
    AXE_SOURCE,
    BLOCKING_IMPACTS,
    STAFF_PASSWORD,
    _format_violations,
)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
WIDTHS = (320, 390, 1280)
LONG_QUERY = "resistance" * 30  # 300 characters and no space to break at

SEARCH = ("button", "Search")
# name, address ({order} and {review} are filled in once the data exists), the main
# actions as (role, accessible name), and what to wait for before measuring.
PUBLIC = [
    ("home", "/", [SEARCH], None),
    ("bands", "/products", [SEARCH], None),
    ("product", "/products/better-band",
     [("button", "Add to cart"), ("button", "Send review")], None),
    ("product-trio", "/products/better-band-trio",
     [("button", "Add to cart"), ("button", "Send review")], None),
    ("exercises", "/exercises", [SEARCH], None),
    ("exercise", "/exercises/glute-bridge", [SEARCH], None),
    ("articles", "/articles", [SEARCH], None),
    ("article", "/articles/are-hamstrings-your-missing-link", [("button", "Send comment")],
     None),
    ("search", "/search?q=bridge", [SEARCH], None),
    ("search-nothing", "/search?q=zzzz", [("link", "Browse the bands")], None),
    ("search-long", "/search?q=" + LONG_QUERY, [SEARCH], None),
    ("cart-empty", "/cart", [("link", "Browse the bands")], None),
    ("cart", "/cart", [("button", "Check out")], None),
    ("not-found", "/no-such-page", [("link", "Back to the shop")], None),
    ("staff-login", "/staff/login", [("button", "Log in")], None),
    ("api-reference", "/api/v1/docs", [("button", "Authorize")], ".opblock"),
]
STAFF = [
    ("staff-dashboard", "/staff/", [("button", "Log out")], None),
    ("staff-queue", "/staff/moderation?status=pending", [("button", re.compile("^Approve"))],
     None),
    ("staff-item", "/staff/moderation/review/{review}", [("button", re.compile("^Approve"))],
     None),
    ("staff-attribution", "/staff/reports/attribution", [("button", "Show")], None),
    ("staff-orders", "/staff/orders", [("button", "Show orders")], None),
    ("staff-order", "/staff/orders/{order}", [("button", re.compile("^Cancel order"))], None),
    ("staff-shipping", "/staff/shipping", [("button", "Save")], None),
    ("staff-team", "/staff/team", [("button", "Send invitation")], None),
]


@pytest.fixture(scope="module")
def contexts(browser: Browser, live_server: str) -> Iterator[dict]:
    """A shopper with a band in the cart, a visitor with none, and an admin signed in;
    plus a pending review, a decided one and an unpaid order for the staff pages."""
    made: dict = {name: browser.new_context(base_url=live_server) for name in
                  ("shopper", "visitor", "staff")}
    try:
        shopper = made["shopper"].new_page()
        shopper.goto("/products/better-band-trio")
        shopper.get_by_role("button", name="Add to cart").click()
        expect(shopper).to_have_url(re.compile(r"/cart$"))

        api = made["visitor"].request
        reviews = []
        for n in range(2):
            answer = api.post("/api/v1/products/better-band-trio/reviews", data={
                "rating": 4, "title": f"Layout check {n}", "body": "Three bands, one bag. " * 8,
                "author_name": "Reflow", "email": f"reflow{n}@example.com"})
            assert answer.status == 202, answer.text()
            reviews.append(answer.json()["id"])
        cart = api.post("/api/v1/carts").json()["token"]
        api.post(f"/api/v1/carts/{cart}/lines", data={"sku": "BB-TRIO", "quantity": 1})
        placed = api.post(f"/api/v1/carts/{cart}/checkout",
                          data={"email": "a-rather-long-address.for-layout@example.com"})
        assert placed.status == 201, placed.text()

        staff = made["staff"].new_page()
        staff.goto("/staff/login")
        staff.get_by_label("Email").fill(ADMIN_EMAIL)
        staff.get_by_label("Password").fill(STAFF_PASSWORD)
        staff.get_by_role("button", name="Log in").click()
        staff.goto(f"/staff/moderation/review/{reviews[0]}")
        staff.get_by_label(re.compile("^Reason")).fill("Checked for the layout test")
        staff.get_by_role("button", name=re.compile("^Reject")).click()
        for page in (shopper, staff):
            page.close()
        made["values"] = {"review": reviews[0], "order": placed.json()["order_number"]}
        yield made
    finally:
        for name in ("shopper", "visitor", "staff"):
            made[name].close()


def run_axe(page: Page) -> None:
    """axe-core on the page as it is; serious and critical findings fail."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8") + "\n;void 0;")
    found = page.evaluate("""async () => (await window.axe.run(document,
        {resultTypes: ['violations']})).violations.map(v => ({id: v.id, impact: v.impact,
        help: v.help, helpUrl: v.helpUrl, nodes: v.nodes.map(n => ({target: n.target}))}))""")
    blocking = [v for v in found if v.get("impact") in BLOCKING_IMPACTS]
    assert not blocking, _format_violations(page.url, blocking)


def check_screen(context: BrowserContext, name: str, path: str, actions, ready, width: int):
    page = context.new_page()
    try:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(path)
        if ready:
            page.wait_for_selector(ready)
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        assert wide <= width, f"{path} is {wide} px wide in a {width} px window"
        for role, label in actions:
            action = page.get_by_role(role, name=label).first
            expect(action).to_be_visible()
            shown = action.evaluate("""el => { const r = el.getBoundingClientRect();
                return {clipped: el.scrollWidth > el.clientWidth, left: r.left,
                        right: r.right}; }""")
            assert not shown["clipped"], f"{label} is cut off on {path} at {width} px"
            assert shown["left"] >= 0 and shown["right"] <= width, \
                f"{label} sticks out of the window on {path} at {width} px: {shown}"
        run_axe(page)
    finally:
        page.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("name", "path", "actions", "ready"), PUBLIC,
                         ids=[screen[0] for screen in PUBLIC])
def test_public_pages_fit_every_width(contexts, name, path, actions, ready, width):
    who = "visitor" if name == "cart-empty" else "shopper"
    check_screen(contexts[who], name, path, actions, ready, width)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("name", "path", "actions", "ready"), STAFF,
                         ids=[screen[0] for screen in STAFF])
def test_staff_pages_fit_every_width(contexts, name, path, actions, ready, width):
    check_screen(contexts["staff"], name, path.format(**contexts["values"]), actions, ready,
                 width)
