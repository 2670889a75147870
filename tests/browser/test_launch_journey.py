"""A launch without a developer: an editor creates a product with two variants and a
picture, links it to an exercise, writes an article that shows it, previews and publishes
it; a reader then finds all three through the search box and buys the new product."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, expect

from .conftest import EDITOR_EMAIL, STAFF_PASSWORD, screenshot, serving
from .test_checkout_journey import fill_address
from .test_reflow import run_axe


@pytest.fixture(scope="module")
def shop(tmp_path_factory, mail_server):
    """A shop of this test's own: the launch adds a product and the newest article, which
    the other journeys' shop must not show."""
    with serving(tmp_path_factory.mktemp("launch-db") / "storefront.db",
                 mail_server.url) as url:
        yield url


def _png() -> bytes:
    """A small picture of a coiled band, drawn here."""
    picture = Image.new("RGB", (900, 600), (240, 236, 228))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((250, 150, 650, 450), outline=(20, 110, 90), width=40)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def _search(page: Page, words: str) -> None:
    box = page.get_by_role("search").get_by_label("Search the shop")
    box.fill(words)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q="))


def _launch(page: Page) -> None:
    def check_a11y():
        run_axe(page)

    page.goto("/staff/login")
    page.get_by_label("Email").fill(EDITOR_EMAIL)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    nav = page.get_by_role("navigation", name="Staff console")
    expect(nav.get_by_role("link", name="Orders")).to_have_count(0)

    # The product, as a draft, with two variants and a picture.
    nav.get_by_role("link", name="Products", exact=True).click()
    page.get_by_role("link", name="New product").click()
    page.get_by_label("Name", exact=True).fill("Travel Band")
    page.get_by_label("Address name (slug)").fill("travel-band")
    page.get_by_label("Kind").fill("band")
    page.get_by_label("Options").fill("Resistance")
    page.get_by_label("Summary").fill("A light loop band that folds into a pocket.")
    page.get_by_label("Description").fill(
        "The Travel Band is a thin fabric loop for hotel rooms and parks.")
    page.get_by_role("button", name="Create product").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Travel Band")
    check_a11y()

    adding = page.get_by_role("form", name="Add a variant")
    for sku, level, price, stock in (("TB-LIGHT", "Light", "17.99", "30"),
                                     ("TB-HEAVY", "Heavy", "19.99", "20")):
        adding = page.get_by_role("form", name="Add a variant")
        adding.get_by_label("SKU").fill(sku)
        adding.get_by_label("Resistance").fill(level)
        adding.get_by_label("Price", exact=True).fill(price)
        adding.get_by_label("Stock").fill(stock)
        adding.get_by_role("button", name="Add variant").click()
        expect(page.get_by_role("region", name="Variants")).to_contain_text(sku)

    pictures = page.get_by_role("region", name="Pictures")
    upload = pictures.get_by_role("form", name="Add a picture")
    upload.get_by_label("Picture (JPEG, PNG or WebP)").set_input_files(
        {"name": "travel-band.png", "mimeType": "image/png", "buffer": _png()})
    upload.get_by_label("Alt text", exact=True).fill("A green Travel Band coiled in a loop")
    upload.get_by_role("button", name="Upload picture").click()
    expect(pictures.get_by_role("table")).to_contain_text("1 picture")
    expect(pictures.get_by_label("Alt text").first).to_have_value(
        "A green Travel Band coiled in a loop")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("link", name="See it in the shop")).to_be_visible()
    check_a11y()

    # The squat uses it, starting with the light one.
    nav.get_by_role("link", name="Exercises", exact=True).click()
    page.get_by_role("link", name="Banded Squat").click()
    for number in range(1, 10):
        row = page.get_by_role("group", name=f"Product {number}", exact=True)
        if row.get_by_label("Product", exact=True).input_value() == "":
            break
    row.get_by_label("Product", exact=True).select_option("travel-band")
    row.get_by_label("Needed").select_option("optional")
    row.get_by_label("Start with").select_option("TB-LIGHT")
    page.get_by_role("button", name="Save exercise").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")

    # The article that announces it, previewed, then published.
    nav.get_by_role("link", name="Articles", exact=True).click()
    page.get_by_role("link", name="Write a new article").click()
    page.get_by_label("Title").fill("Squats in a hotel room")
    page.get_by_label("Address (slug)").fill("squats-in-a-hotel-room")
    page.get_by_label("Summary").fill("A travel routine with one small band.")
    page.get_by_label("Body (Markdown)").fill(
        "A hotel room has space for one good exercise.\n\n[[exercise:squat]]\n\n"
        "Pack this band:\n\n[[product:travel-band]]\n")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview")
    expect(preview.get_by_role("link", name="Travel Band").first).to_be_visible()
    check_a11y()
    page.get_by_label("Status").select_option("published")
    page.get_by_role("button", name="Save article").click()
    expect(page.get_by_role("status")).to_contain_text("Saved Squats in a hotel room")


def test_an_editor_launches_a_product_and_a_reader_buys_it(browser: Browser, shop: str):
    editor = browser.new_context(base_url=shop)
    try:
        _launch(editor.new_page())
    finally:
        editor.close()
    reader = browser.new_context(base_url=shop)
    try:
        _read_and_buy(reader.new_page())
    finally:
        reader.close()


def _read_and_buy(page: Page) -> None:
    """A reader, without the editor's cookies, finds all three and buys the band."""
    def check_a11y():
        run_axe(page)

    page.goto("/")
    _search(page, "Travel Band")
    results = page.get_by_role("main")
    expect(results.get_by_role("link", name="Travel Band", exact=True)).to_be_visible()
    expect(results.get_by_role("link", name="Squats in a hotel room")).to_be_visible()
    check_a11y()
    _search(page, "squat")
    expect(page.get_by_role("main").get_by_role("link", name="Banded Squat")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Banded Squat").click()
    gear = page.get_by_role("region", name="Bands for this exercise")
    gear.get_by_role("link", name="Travel Band").click()

    # The exercise's link arrives with the light band chosen; the reader picks the heavy.
    expect(page.get_by_role("heading", level=1)).to_have_text("Travel Band")
    expect(page.get_by_label("Resistance", exact=True)).to_have_value("TB-LIGHT")
    expect(page.get_by_role("img", name="A green Travel Band coiled in a loop")).to_be_visible()
    screenshot(page, "launch-product")
    check_a11y()
    page.get_by_label("Resistance", exact=True).select_option("TB-HEAVY")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("banner").get_by_role("link", name=re.compile(r"^Cart")).click()
    expect(page.get_by_role("main")).to_contain_text("Travel Band")
    page.get_by_label("Email for your receipt").fill("traveller@example.com")
    page.get_by_role("button", name="Check out").click()
    fill_address(page)
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_role("button", name=re.compile(r"^Pay \$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, your order is paid")
    expect(page.get_by_role("main")).to_contain_text("Travel Band")
