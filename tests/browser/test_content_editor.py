"""The exercise and article editors in Chromium: an editor opens an exercise, writes an
article with a shortcode, previews it and schedules it. Every screen is checked with axe
and for sideways scrolling at phone widths."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from .conftest import ADMIN_EMAIL, STAFF_PASSWORD
from .test_reflow import run_axe


def fits(page: Page) -> None:
    """No sideways scrolling at 320 and 390 px, and axe at each width."""
    for width in (320, 390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= width, f"{page.url} is {wide} px wide in a {width} px window"
        run_axe(page)


def test_an_editor_previews_and_schedules_an_article(browser: Browser, live_server: str):
    context = browser.new_context(base_url=live_server)
    try:
        page = context.new_page()
        page.goto("/staff/login")
        page.get_by_label("Email").fill(ADMIN_EMAIL)
        page.get_by_label("Password").fill(STAFF_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        nav = page.get_by_role("navigation", name="Staff console")

        nav.get_by_role("link", name="Exercises", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Exercises")
        fits(page)
        page.get_by_role("link", name="Banded Glute Bridge").click()
        expect(page.get_by_label("Start with").first).to_have_value("BB-MEDIUM")
        fits(page)

        nav.get_by_role("link", name="Articles", exact=True).click()
        fits(page)
        page.get_by_role("link", name="Write a new article").click()
        page.get_by_label("Title").fill("Bands on the road")
        page.get_by_label("Address (slug)").fill("bands-on-the-road")
        page.get_by_label("Body (Markdown)").fill(
            "Pack one band.\n\n[[exercise:glute-bridge]]\n\n[[exercise:no-such-move]]\n")
        page.get_by_role("button", name="Preview").click()
        expect(page.locator("#body_markdown-error1")).to_contain_text("Line 5")
        expect(page.get_by_label("Title")).to_have_value("Bands on the road")
        fits(page)

        page.get_by_label("Body (Markdown)").fill("Pack one band.\n\n[[exercise:glute-bridge]]\n")
        page.get_by_role("button", name="Preview").click()
        preview = page.get_by_role("region", name="Preview")
        expect(preview.get_by_role("link", name="Banded Glute Bridge")).to_be_visible()
        fits(page)

        page.get_by_label("Status").select_option("scheduled")
        page.get_by_label("Goes public at (UTC)").fill("2099-05-01T08:00")
        page.get_by_role("button", name="Save article").click()
        expect(page.get_by_role("status")).to_contain_text("Saved Bands on the road")
        nav.get_by_role("link", name="Articles", exact=True).click()
        expect(page.get_by_role("row", name="Bands on the road")).to_contain_text(
            "2099-05-01 08:00 UTC")
        fits(page)
    finally:
        context.close()
