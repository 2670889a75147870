"""Buying a band in a real browser with the built-in test payments."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect


def add_medium_band(page: Page, source: str = "") -> None:
    page.goto("/products/better-band" + (f"?source={source}" if source else ""))
    page.get_by_label("Resistance").select_option(label="Medium – $21.99")
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/cart$"))


def fill_address(page: Page) -> None:
    """Type a US address on the test payment page, as a shopper would."""
    page.get_by_label("Full name").fill("Robin Park")
    page.get_by_label("Address", exact=True).fill("48 Harbour Road")
    page.get_by_label("City").fill("Portland")
    page.get_by_label("State, province or region").fill("OR")
    page.get_by_label("Postal code").fill("97201")
    page.get_by_label("Country").select_option("US")


def test_a_wrong_country_is_explained_next_to_it_and_the_address_kept(page: Page, check_a11y):
    add_medium_band(page)
    page.get_by_label("Email for your receipt").fill("reader@example.com")
    page.get_by_role("button", name="Check out").click()
    fill_address(page)
    page.get_by_label("Express").check()
    page.get_by_label("Country").select_option("CA")
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("alert")).to_contain_text("does not deliver to CA")
    expect(page.get_by_label("City")).to_have_value("Portland")
    check_a11y()


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_add_to_cart_is_a_whole_primary_button_at_every_width(page: Page, width: int):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/products/better-band")
    button = page.get_by_role("button", name="Add to cart")
    expect(button).to_be_visible()
    shown = button.evaluate(
        "el => ({clipped: el.scrollWidth > el.clientWidth, width: el.clientWidth,"
        " background: getComputedStyle(el).backgroundColor})")
    assert not shown["clipped"], f"'Add to cart' is cut off at {width} px: {shown}"
    assert shown["background"] != "rgb(255, 255, 255)", f"not a primary button: {shown}"


def test_cart_link_counts_one_item_in_the_singular(page: Page):
    page.goto("/products/better-band")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("link", name="Cart (1 item)", exact=True)).to_be_visible()


def test_shopper_buys_a_band_with_test_payments(page: Page, check_a11y, screenshot):
    add_medium_band(page, "article:are-hamstrings-your-missing-link")
    expect(page.get_by_role("status")).to_contain_text("Added to your cart.")
    lines = page.get_by_role("table")
    expect(lines.get_by_role("link", name="Better Band – Medium")).to_be_visible()
    expect(lines).to_contain_text("$43.98")
    expect(page.get_by_role("link", name=re.compile(r"^Cart \(2"))).to_be_visible()
    check_a11y()
    screenshot(page, "checkout-1-cart")

    page.get_by_label("Email for your receipt").fill("reader@example.com")
    page.get_by_role("button", name="Check out").click()
    expect(page).to_have_url(re.compile(r"/test-payments/"))
    expect(page.get_by_role("note")).to_contain_text("No money moves")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Where should order BB-")
    fill_address(page)
    check_a11y()
    screenshot(page, "checkout-2-address")
    page.get_by_role("button", name="Continue to payment").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Pay for order BB-")
    expect(page.get_by_role("table")).to_contain_text("$4.99")  # Standard shipping
    check_a11y()
    screenshot(page, "checkout-3-test-payment")

    page.get_by_role("button", name=re.compile(r"^Pay \$48\.97")).click()
    expect(page).to_have_url(re.compile(r"/checkout/success/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, your order is paid")
    expect(page.get_by_role("status")).to_contain_text("is paid")
    expect(page.locator("address")).to_contain_text("48 Harbour Road")
    expect(page.get_by_role("table")).to_contain_text("Shipping (Standard)")
    check_a11y()
    screenshot(page, "checkout-4-paid")

    page.get_by_role("link", name="Cart", exact=True).click()
    expect(page.get_by_role("heading", name="Your cart is empty")).to_be_visible()


def test_cancelling_at_the_payment_page_returns_to_the_same_cart(page: Page):
    add_medium_band(page)
    page.get_by_label("Email for your receipt").fill("reader@example.com")
    page.get_by_role("button", name="Check out").click()
    page.get_by_role("link", name="Cancel and return to the cart").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    expect(page.get_by_role("status")).to_contain_text("Payment cancelled")
    expect(page.get_by_label("Quantity of Better Band – Medium")).to_have_value("2")


def test_changing_and_removing_lines(page: Page):
    add_medium_band(page)
    page.get_by_label("Quantity of Better Band – Medium").fill("3")
    page.get_by_role("button", name="Update Better Band – Medium").click()
    expect(page.get_by_role("table")).to_contain_text("$65.97")
    page.get_by_role("button", name="Remove Better Band – Medium").click()
    expect(page.get_by_role("heading", name="Your cart is empty")).to_be_visible()
