"""Discount codes in Chromium: an admin creates a campaign code in the console, a shopper
types it in the cart, sees it refused and then applied as its own line, and removes it.
Each screen is checked with axe and for sideways scrolling at 320 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import ADMIN_EMAIL, STAFF_PASSWORD, serving
from .test_console import fits


@pytest.fixture(scope="module")
def shop(tmp_path_factory, mail_server):
    """A shop of this test's own: the code it creates must not reach other journeys."""
    with serving(tmp_path_factory.mktemp("discount-db") / "storefront.db",
                 mail_server.url) as url:
        yield url


def _create_code(page: Page) -> None:
    page.goto("/staff/login")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    nav = page.get_by_role("navigation", name="Staff console")
    nav.get_by_role("link", name="Discount codes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Discount codes")
    fits(page, "discount-codes")
    page.get_by_label("Code", exact=True).fill("spring-5")
    page.get_by_label("Kind").select_option("amount")
    page.get_by_label("Percent or amount off").fill("5.001")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Please check the fields")
    expect(page.get_by_label("Percent or amount off")).to_have_attribute("aria-invalid", "true")
    fits(page, "discount-code-error")
    page.get_by_label("Percent or amount off").fill("5.00")
    page.get_by_label("Minimum subtotal").fill("30")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Added SPRING-5")
    expect(page.get_by_role("table")).to_contain_text("SPRING-5")


def _use_code(page: Page) -> None:
    page.goto("/products/better-band")
    page.get_by_label("Resistance").select_option("BB-LIGHT")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
    code = page.get_by_role("textbox", name="Discount code")
    code.fill("spring-5")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#code-error")).to_contain_text("at least $30.00")
    expect(code).to_have_attribute("aria-invalid", "true")
    fits(page, "cart-discount-refused")
    page.get_by_label("Quantity of Better Band").fill("2")
    page.get_by_role("button", name="Update Better Band").click()
    code.fill("spring-5")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status")).to_contain_text("Discount code SPRING-5 applied")
    expect(page.get_by_role("row", name="Discount (SPRING-5)")).to_contain_text("-$5.00")
    fits(page, "cart-discount")
    page.get_by_role("button", name="Remove discount code SPRING-5").click()
    expect(page.get_by_role("status")).to_contain_text("Discount code removed")
    expect(page.get_by_role("row", name="Discount (SPRING-5)")).to_have_count(0)


def test_an_admin_makes_a_code_and_a_shopper_uses_it(browser: Browser, shop: str):
    admin = browser.new_context(base_url=shop)
    try:
        _create_code(admin.new_page())
    finally:
        admin.close()
    shopper = browser.new_context(base_url=shop)
    try:
        _use_code(shopper.new_page())
    finally:
        shopper.close()
