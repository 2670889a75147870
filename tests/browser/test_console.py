"""The staff console in Chromium: an admin invites an editor, the editor joins through the
one-time link and finds the catalogue and content sections and nothing of the orders.
Each screen is checked with axe, for sideways scrolling at phone widths, and shot into
test-artifacts/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from .conftest import ADMIN_EMAIL, STAFF_PASSWORD
from .test_reflow import run_axe

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
EDITOR_EMAIL = "new-editor@example.com"
EDITOR_PASSWORD = "a fresh editor password"


def fits(page: Page, name: str) -> None:
    """No sideways scrolling at 320 and 390 px, axe at each width, shots at 390 and 1280."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (320, 390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= width, f"{page.url} is {wide} px wide in a {width} px window"
        if width != 320:
            page.screenshot(path=str(ARTIFACTS / f"console-{name}-{width}.png"), full_page=True)
        run_axe(page)


def test_an_admin_invites_an_editor_who_joins_and_sees_their_sections(browser: Browser,
                                                                      live_server: str):
    admin_context = browser.new_context(base_url=live_server)
    editor_context = browser.new_context(base_url=live_server)
    try:
        admin = admin_context.new_page()
        admin.goto("/staff/login")
        admin.get_by_label("Email").fill(ADMIN_EMAIL)
        admin.get_by_label("Password").fill(STAFF_PASSWORD)
        admin.get_by_role("button", name="Log in").click()
        expect(admin).to_have_url(f"{live_server}/staff/")
        nav = admin.get_by_role("navigation", name="Staff console")
        for section in ("Orders", "Products", "Exercises", "Articles", "Moderation",
                        "Reports", "Staff"):
            expect(nav.get_by_role("link", name=section, exact=True)).to_be_visible()
        fits(admin, "admin-home")

        nav.get_by_role("link", name="Staff", exact=True).click()
        expect(admin.get_by_role("heading", level=1)).to_have_text("Staff")
        expect(nav.get_by_role("link", name="Staff", exact=True)).to_have_attribute(
            "aria-current", "page")
        admin.get_by_label("Email", exact=True).fill(EDITOR_EMAIL)
        admin.get_by_label("Role", exact=True).select_option("editor")
        admin.get_by_role("button", name="Send invitation").click()
        expect(admin.get_by_role("heading", name=f"Invitation sent to {EDITOR_EMAIL}")) \
            .to_be_visible()
        link = admin.locator("#invite-link").inner_text().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/staff/invite/[\w-]{40,}", link), link
        fits(admin, "team")

        editor = editor_context.new_page()
        editor.goto(link)
        expect(editor.get_by_role("heading", level=1)).to_have_text("Join the staff")
        expect(editor.get_by_role("navigation", name="Staff console")).to_have_count(0)
        fits(editor, "invite")
        editor.get_by_label("Choose a password").fill(EDITOR_PASSWORD)
        editor.get_by_label("Type it again").fill(EDITOR_PASSWORD)
        editor.get_by_role("button", name="Join the staff").click()

        expect(editor).to_have_url(f"{live_server}/staff/")
        expect(editor.get_by_role("status")).to_contain_text(f"signed in as {EDITOR_EMAIL}")
        expect(editor.get_by_role("banner")).to_contain_text(EDITOR_EMAIL)
        nav = editor.get_by_role("navigation", name="Staff console")
        for section in ("Products", "Exercises", "Articles"):
            expect(nav.get_by_role("link", name=section, exact=True)).to_be_visible()
        for section in ("Orders", "Moderation", "Reports", "Shipping", "Staff"):
            expect(nav.get_by_role("link", name=section, exact=True)).to_have_count(0)
        expect(editor.get_by_role("heading", name="Waiting for moderation")).to_have_count(0)
        fits(editor, "editor-home")

        # Keyboard: the skip link comes first and is visible when focused.
        editor.keyboard.press("Tab")
        skip = editor.get_by_role("link", name="Skip to main content")
        expect(skip).to_be_focused()
        box = skip.bounding_box()
        assert box is not None and box["x"] >= 0 and box["y"] >= 0

        nav.get_by_role("link", name="Products", exact=True).click()
        expect(nav.get_by_role("link", name="Products", exact=True)).to_have_attribute(
            "aria-current", "page")
        editor.goto("/staff/orders")
        assert editor.title() != "" and editor.url.endswith("/staff/orders")
        expect(editor.get_by_role("main")).to_contain_text(
            "This page needs the admin role, and you are an editor.")

        # The link worked once.
        used = editor_context.new_page()
        used.goto(link)
        expect(used.get_by_role("alert")).to_contain_text("used already")
    finally:
        admin_context.close()
        editor_context.close()
