"""A reader signs up for the newsletter from the footer (on a phone-sized screen) and from
the end of an article, confirms through the emailed link and unsubscribes with one click;
every page on the way passes axe. An admin finds the counts and the CSV in the console."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import ADMIN_EMAIL, STAFF_PASSWORD, screenshot, serving
from .test_reflow import run_axe

ARTICLE = "are-hamstrings-your-missing-link"
CONFIRM_LINK = re.compile(r"https?://\S+/newsletter/confirm/\S+")
UNSUBSCRIBE_LINK = re.compile(r"https?://\S+/newsletter/unsubscribe/\S+")


@pytest.fixture(scope="module")
def shop(tmp_path_factory, mail_server):
    """A shop of this test's own: sign-ups are data no other journey should meet."""
    with serving(tmp_path_factory.mktemp("newsletter-db") / "storefront.db",
                 mail_server.url) as url:
        yield url


def _page(browser: Browser, shop: str, width: int):
    context = browser.new_context(base_url=shop, viewport={"width": width, "height": 800})
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def phone(browser: Browser, shop: str):
    """A page of this shop, 320 px wide (WCAG's reflow width)."""
    yield from _page(browser, shop, 320)


@pytest.fixture
def desktop(browser: Browser, shop: str):
    """A page of this shop in a wide window."""
    yield from _page(browser, shop, 1280)


def emails_to(mail_server, address: str, count: int, timeout: float = 10.0) -> list:
    """The first `count` messages for `address`, waiting for them to arrive."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in mail_server.received if address in m.recipients]
        if len(found) >= count or time.monotonic() > deadline:
            assert len(found) >= count, f"{count} emails to {address} expected, got {len(found)}"
            return found
        time.sleep(0.05)


def path_in(pattern: re.Pattern, text: str) -> str:
    return urlsplit(pattern.search(text).group(0)).path


def fits(page: Page) -> None:
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= 320, f"{page.url} is {wide} px wide in a 320 px window"


def test_sign_up_from_the_footer_confirm_and_leave(phone: Page, mail_server):
    page = phone
    page.goto("/products")
    screenshot(page, "newsletter-footer-320")
    footer = page.get_by_role("contentinfo")
    form = footer.get_by_role("region", name="Get the newsletter")
    field = form.get_by_label("Your email")
    expect(field).to_have_attribute("autocomplete", "email")
    field.focus()
    outline = field.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "the focused field shows where the focus is"
    fits(page)
    run_axe(page)
    field.fill("footer-reader@example.com")
    page.keyboard.press("Tab")
    expect(form.get_by_role("button", name="Sign up")).to_be_focused()  # honeypot skipped
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    expect(page.get_by_role("status")).to_contain_text("confirmation email is on its way")
    assert "footer-reader@example.com" not in page.content()
    fits(page)
    run_axe(page)

    [confirmation] = emails_to(mail_server, "footer-reader@example.com", 1)
    page.goto(path_in(CONFIRM_LINK, confirmation.part("plain")))
    expect(page.get_by_role("heading", level=1)).to_have_text("You are on the list")
    fits(page)
    run_axe(page)

    welcome = emails_to(mail_server, "footer-reader@example.com", 2)[1]
    page.goto(path_in(UNSUBSCRIBE_LINK, welcome.part("plain")))
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    run_axe(page)


def test_sign_up_from_the_end_of_an_article(desktop: Page, mail_server):
    page = desktop
    page.goto(f"/articles/{ARTICLE}")
    run_axe(page)
    section = page.get_by_role("region", name=re.compile("Get the next one by email"))
    section.get_by_label("Your email").fill("article-reader@example.com")
    section.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    run_axe(page)
    [confirmation] = emails_to(mail_server, "article-reader@example.com", 1)
    assert "List-Unsubscribe=One-Click" in confirmation.message["List-Unsubscribe-Post"]


def test_a_broken_link_explains_and_offers_the_form_again(phone: Page):
    page = phone
    page.goto("/newsletter/confirm/not-a-real-link")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    expect(page.get_by_role("alert")).to_contain_text("Nothing was changed")
    expect(page.get_by_role("main").get_by_label("Your email")).to_be_visible()
    fits(page)
    run_axe(page)


def test_admins_see_the_counts_and_the_download(desktop: Page):
    page = desktop
    page.goto("/staff/login")
    expect(page.get_by_role("contentinfo").get_by_role("form")).to_have_count(0)
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Staff console").get_by_role(
        "link", name="Newsletter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Newsletter")
    expect(page.get_by_role("table")).to_contain_text("Confirmed")
    run_axe(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download the confirmed addresses")).click()
    assert download.value.suggested_filename == "newsletter-subscribers.csv"
