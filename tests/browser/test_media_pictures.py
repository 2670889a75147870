"""Product pictures in Chromium: staff add one from the console with its alt text, the
product page shows the gallery with WebP renditions, and both pages pass axe and fit a
phone. The picture is taken out again at the end, leaving the demo as it was."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import Browser, expect

from .conftest import ADMIN_EMAIL, STAFF_PASSWORD
from .test_console import fits
from .test_reflow import run_axe

ALT = "The band stretched between two hands"


def drawn_png() -> bytes:
    """A picture made here: an orange square on teal."""
    image = Image.new("RGB", (1200, 800), (31, 181, 165))
    image.paste((245, 140, 40), (400, 200, 800, 600))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_staff_add_a_picture_that_the_product_page_shows(browser: Browser, live_server: str):
    context = browser.new_context(base_url=live_server)
    try:
        page = context.new_page()
        page.goto("/staff/login")
        page.get_by_label("Email").fill(ADMIN_EMAIL)
        page.get_by_label("Password").fill(STAFF_PASSWORD)
        page.get_by_role("button", name="Log in").click()

        page.goto("/staff/products/better-band")
        pictures = page.locator("section[aria-labelledby=pictures-title]")
        expect(pictures.get_by_label("Alt text", exact=True).first).to_have_value(
            "A wide teal fabric loop band lying flat on a pale floor.")
        pictures.get_by_label("Picture (JPEG, PNG or WebP)").set_input_files(
            files=[{"name": "stretch.png", "mimeType": "image/png", "buffer": drawn_png()}])
        pictures.locator("#picture-alt").fill(ALT)
        pictures.get_by_role("button", name="Upload picture").click()
        expect(page.get_by_role("status").first).to_contain_text(
            f"Added the picture “{ALT}” (1200 x 800 pixels)")
        fits(page, "product-pictures")

        page.goto("/products/better-band")
        gallery = page.locator(".product-media picture")
        expect(gallery).to_have_count(2)
        second = page.get_by_role("img", name=ALT)
        expect(second).to_have_attribute("loading", "lazy")
        assert "image/webp" in (page.locator(".product-media source").nth(1)
                                .get_attribute("type") or "")
        first = gallery.first.locator("img")
        expect(first).not_to_have_attribute("loading", "lazy")
        assert first.evaluate("img => img.complete && img.naturalWidth > 0")
        for width in (320, 390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= width, f"the product page is {wide} px wide at {width} px"
            run_axe(page)

        page.goto("/staff/products/better-band")
        page.get_by_role("button", name="Remove picture 2").click()
        expect(page.get_by_role("status").first).to_contain_text("Took the picture out")
    finally:
        context.close()
