"""From the search box to a sale that the attribution report credits to the article."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import ADMIN_EMAIL, STAFF_PASSWORD
from .test_checkout_journey import fill_address

SOURCE = "article:are-hamstrings-your-missing-link"


def article_orders(page: Page) -> int:
    """Orders the report credits to the article today (0 when it has no row yet)."""
    page.goto("/staff/reports/attribution")
    row = page.get_by_role("row").filter(has=page.get_by_role(
        "rowheader", name=re.compile(re.escape(SOURCE) + "$")))
    if row.count() == 0:
        return 0
    return int(row.get_by_role("cell").nth(2).inner_text())


def test_reader_finds_the_article_buys_the_band_and_the_report_shows_it(
        browser, live_server: str, screenshot):
    admin = browser.new_context(base_url=live_server)
    staff_page = admin.new_page()
    staff_page.goto("/staff/login")
    staff_page.get_by_label("Email").fill(ADMIN_EMAIL)
    staff_page.get_by_label("Password").fill(STAFF_PASSWORD)
    staff_page.get_by_role("button", name="Log in").click()
    before = article_orders(staff_page)

    reader = browser.new_context(base_url=live_server)
    page = reader.new_page()
    try:
        page.goto("/")
        page.get_by_label("Search the shop").fill("hamstr")
        page.get_by_label("Search the shop").press("Enter")
        page.get_by_role("link", name="Are Hamstrings Your Missing Link?").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Are Hamstrings Your Missing Link?")
        card = page.locator("aside.card-product").first
        card.get_by_role("link").click()
        expect(page).to_have_url(re.compile(re.escape(f"?source={SOURCE}") + "$"))
        page.get_by_role("button", name="Add to cart").click()
        page.get_by_label("Email for your receipt").fill("reader@example.com")
        page.get_by_role("button", name="Check out").click()
        fill_address(page)
        page.get_by_role("button", name="Continue to payment").click()
        page.get_by_role("button", name=re.compile(r"^Pay ")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Thank you, your order is paid")
    finally:
        reader.close()

    try:
        assert article_orders(staff_page) == before + 1
        expect(staff_page.get_by_role("img", name=re.compile("^Paid revenue per source"))
               ).to_be_visible()
        row = staff_page.get_by_role("rowheader", name=re.compile(re.escape(SOURCE) + "$"))
        expect(row.get_by_role("link", name="Are Hamstrings Your Missing Link?")).to_be_visible()
        check_a11y_page(staff_page)
        screenshot(staff_page, "attribution-report")
        staff_page.set_viewport_size({"width": 320, "height": 900})
        staff_page.reload()
        wide = staff_page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= 320, f"the report is {wide} px wide in a 320 px window"
        check_a11y_page(staff_page)
        screenshot(staff_page, "attribution-report-320")
    finally:
        admin.close()


def check_a11y_page(page: Page) -> None:
    """The report page passes the same accessibility bar as the public pages."""
    from .conftest import AXE_SOURCE, BLOCKING_IMPACTS
    page.evaluate(AXE_SOURCE.read_text(encoding="utf-8") + "\n;void 0;")
    violations = page.evaluate(
        "async () => (await window.axe.run(document)).violations"
        ".map(v => ({id: v.id, impact: v.impact}))")
    assert not [v for v in violations if v["impact"] in BLOCKING_IMPACTS], violations
