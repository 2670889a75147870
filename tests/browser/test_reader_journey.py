"""What a shopper (and a staff member) sees in a real browser.

Each test drives Chromium through the pages by clicking and typing, and asserts on
what is on screen: headings, links, prices, messages, focus.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

ARTICLE_SLUG = "are-hamstrings-your-missing-link"
ARTICLE_TITLE = "Are Hamstrings Your Missing Link?"
EXERCISE_CARDS = [
    "Banded Glute Bridge",
    "Banded Romanian Deadlift",
    "Stability Ball Hamstring Curl",
    "Banded Squat",
    "Banded Active Hamstring Stretch",
]
PRICE = re.compile(r"^\$\d+\.\d{2}$")


# --- a. From the home page, through an article and an exercise, to a band ------------------

def test_reader_goes_from_home_through_article_and_exercise_to_the_band(
        page: Page, live_server: str, screenshot):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bands that make every rep count")
    bands = page.get_by_role("region", name="Our bands")
    for name in ("Better Band", "Better Band Trio", "Stability Ball"):
        expect(bands.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(bands.get_by_text("From $19.99")).to_be_visible()
    blog = page.get_by_role("region", name="Latest from the blog")
    article_link = blog.get_by_role("link", name=ARTICLE_TITLE)
    expect(article_link).to_be_visible()
    screenshot(page, "journey-1-home")

    article_link.click()
    expect(page).to_have_url(f"{live_server}/articles/{ARTICLE_SLUG}")
    expect(page.get_by_role("heading", level=1)).to_have_text(ARTICLE_TITLE)
    cards = page.locator("aside.card-exercise")
    expect(cards).to_have_count(len(EXERCISE_CARDS))
    expect(cards.get_by_role("link")).to_have_text(EXERCISE_CARDS)
    glute_card = cards.filter(has_text="Banded Glute Bridge")
    glute_card.scroll_into_view_if_needed()
    expect(glute_card).to_be_visible()
    screenshot(page, "journey-2-article")

    glute_card.get_by_role("link", name="Banded Glute Bridge").click()
    # The link carries the article, so a sale this visit leads to credits it too.
    expect(page).to_have_url(
        f"{live_server}/exercises/glute-bridge?source=article:{ARTICLE_SLUG}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Banded Glute Bridge")
    expect(page.get_by_role("heading", name="How to do it")).to_be_visible()
    steps = page.locator("ol.steps > li")
    expect(steps.first).to_contain_text("Loop the band")
    assert steps.count() >= 3, "the exercise should show its steps one by one"
    expect(page.get_by_role("complementary", name="Safety note")).to_be_visible()
    gear = page.get_by_role("region", name="Bands for this exercise")
    expect(gear.get_by_role("heading", name="Bands for this exercise")).to_be_visible()
    band_link = gear.get_by_role("link", name="Better Band", exact=True)
    expect(band_link).to_be_visible()
    screenshot(page, "journey-3-exercise")

    band_link.click()
    # The exercise recommends the Medium band, and its link arrives with Medium chosen.
    expect(page).to_have_url(
        f"{live_server}/products/better-band?source=exercise:glute-bridge&sku=BB-MEDIUM")
    expect(page.get_by_role("heading", level=1)).to_have_text("Better Band")
    expect(page.get_by_label("Resistance", exact=True)).to_have_value("BB-MEDIUM")
    table = page.get_by_role("table", name="Resistance levels and prices")
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader")).to_have_text(
        ["Variant", "Resistance", "Price", "Availability"])
    prices = table.locator("tbody td:nth-child(3)")
    expect(prices.first).to_be_visible()
    price_texts = [t.strip() for t in prices.all_inner_texts()]
    assert "$19.99" in price_texts, price_texts
    assert all(PRICE.match(t) for t in price_texts), (
        f"prices should read like $19.99: {price_texts}")
    supports = page.get_by_role("region", name="Exercises this band supports")
    expect(supports.get_by_role("heading", name="Exercises this band supports")).to_be_visible()
    expect(supports.get_by_role("link", name="Banded Glute Bridge")).to_be_visible()
    screenshot(page, "journey-4-product")


# --- b. The empty cart -----------------------------------------------------------------------

def test_empty_cart_offers_ways_back_to_the_shop(page: Page, live_server: str, screenshot):
    page.goto("/")
    page.get_by_role("banner").get_by_role("link", name="Cart", exact=True).click()
    expect(page).to_have_url(f"{live_server}/cart")
    expect(page.get_by_role("heading", name="Your cart is empty")).to_be_visible()
    bands = page.get_by_role("main").get_by_role("link", name="Browse the bands")
    exercises = page.get_by_role("main").get_by_role("link", name="See the exercises")
    expect(bands).to_be_visible()
    expect(exercises).to_be_visible()
    screenshot(page, "cart-empty")

    exercises.click()
    expect(page).to_have_url(f"{live_server}/exercises")
    expect(page.get_by_role("heading", level=1)).to_have_text("Exercises")
    expect(page.get_by_role("main").get_by_role("link", name="Banded Glute Bridge")).to_be_visible()

    page.go_back()
    expect(page.get_by_role("heading", name="Your cart is empty")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Browse the bands").click()
    expect(page).to_have_url(f"{live_server}/products")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bands")
    listing = page.get_by_role("main")
    expect(listing.get_by_role("link", name="Better Band", exact=True)).to_be_visible()


# --- c. Header search ------------------------------------------------------------------------

def test_header_search_finds_the_glute_bridge(page: Page, live_server: str, screenshot):
    page.goto("/products")
    box = page.get_by_role("search").get_by_label("Search the shop")
    expect(box).to_be_visible()
    box.fill("bridge")
    box.press("Enter")

    expect(page).to_have_url(f"{live_server}/search?q=bridge")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    expect(page.get_by_role("search").get_by_label("Search the shop")).to_have_value("bridge")
    expect(page.get_by_role("main")).to_contain_text("for “bridge”")
    result = page.get_by_role("main").get_by_role("link", name="Banded Glute Bridge")
    expect(result).to_be_visible()
    screenshot(page, "search-bridge")

    result.click()
    expect(page).to_have_url(f"{live_server}/exercises/glute-bridge")
    expect(page.get_by_role("heading", level=1)).to_have_text("Banded Glute Bridge")


# --- d. Staff login --------------------------------------------------------------------------

def test_staff_login_rejects_a_wrong_password_then_lets_the_right_one_in(
        page: Page, live_server: str, screenshot):
    page.goto("/staff/")
    expect(page).to_have_url(re.compile(re.escape(f"{live_server}/staff/login")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff login")

    email = page.get_by_label("Email", exact=True)
    password = page.get_by_label("Password", exact=True)
    email.fill("mod@example.com")
    password.fill("not the password")
    page.get_by_role("button", name="Log in").click()

    error = page.get_by_role("alert")
    expect(error).to_have_text("That email and password do not match an active account.")
    expect(page).to_have_url(re.compile(re.escape(f"{live_server}/staff/login")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff login")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    screenshot(page, "staff-login-error")

    email.fill("mod@example.com")
    password.fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{live_server}/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff console")
    expect(page.get_by_text("Signed in as mod@example.com")).to_be_visible()
    screenshot(page, "staff-dashboard")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(re.escape(f"{live_server}/staff/login")))
    expect(page.get_by_role("status")).to_contain_text("You have been logged out.")

    page.goto("/staff/")
    expect(page).to_have_url(re.compile(re.escape(f"{live_server}/staff/login")))
    expect(page.get_by_text("Signed in as")).to_have_count(0)


# --- e. Accessibility ------------------------------------------------------------------------

A11Y_PAGES = [
    "/",
    "/products",
    "/products/better-band",
    "/exercises",
    "/exercises/glute-bridge",
    "/articles",
    f"/articles/{ARTICLE_SLUG}",
    "/cart",
    "/search?q=band",
    "/staff/login",
]


@pytest.mark.parametrize("path", A11Y_PAGES)
def test_page_has_no_serious_accessibility_violations(page: Page, check_a11y, path: str):
    response = page.goto(path)
    assert response is not None and response.ok, f"{path} answered {response and response.status}"
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_a11y()


def test_first_tab_reaches_a_visible_skip_link_with_a_focus_outline(page: Page, live_server: str,
                                                                     screenshot):
    page.goto("/")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).not_to_be_in_viewport()

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    outline = skip.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return {style: s.outlineStyle, width: s.outlineWidth}; }")
    assert outline["style"] != "none", f"the focused skip link has no outline: {outline}"
    assert outline["width"] != "0px", f"the focused skip link has a zero-width outline: {outline}"
    screenshot(page, "skip-link-focused")

    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/#main")
    expect(page.get_by_role("main")).to_be_focused()


# --- f. Security headers as the browser sees them ---------------------------------------------

def test_product_page_is_sent_with_security_headers(page: Page):
    response = page.goto("/products/better-band")
    assert response is not None and response.ok
    headers = response.all_headers()
    csp = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, f"CSP was: {csp!r}"
    assert "script-src 'self'" in csp, f"CSP was: {csp!r}"
    assert headers.get("x-content-type-options") == "nosniff"


CSP_PROBE = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline'));
});
"""


def _watch_csp(page: Page) -> list[str]:
    """Collect console messages that report CSP violations; also record DOM violation events."""
    messages: list[str] = []

    def on_console(msg):
        if "Content Security Policy" in msg.text or "Refused to" in msg.text:
            messages.append(f"{msg.type}: {msg.text}")

    page.on("console", on_console)
    page.add_init_script(CSP_PROBE)
    return messages


def test_article_page_loads_without_csp_violations(page: Page):
    messages = _watch_csp(page)
    page.goto(f"/articles/{ARTICLE_SLUG}", wait_until="networkidle")
    expect(page.get_by_role("heading", level=1)).to_have_text(ARTICLE_TITLE)
    # The stylesheet is allowed by the policy and really applies (cards get their border).
    border = page.locator("aside.card-exercise").first.evaluate(
        "el => getComputedStyle(el).borderLeftStyle")
    assert border == "solid"
    violations = page.evaluate("() => window.__cspViolations")
    assert messages == [], "\n".join(messages)
    assert violations == [], violations


def test_inline_script_is_refused_by_the_browser(page: Page):
    # The control for the test above: an injected inline script is blocked and reported,
    # so a violation on the article page would not go unnoticed.
    messages = _watch_csp(page)
    page.goto(f"/articles/{ARTICLE_SLUG}")
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        ran = page.evaluate("""() => {
            window.__inlineRan = false;
            const s = document.createElement('script');
            s.textContent = 'window.__inlineRan = true;';
            document.head.appendChild(s);
            return window.__inlineRan;
        }""")
    assert ran is False, "an inline script ran despite script-src 'self'"
    page.wait_for_function("() => window.__cspViolations.length > 0")
    assert any("script-src" in m for m in messages), messages
