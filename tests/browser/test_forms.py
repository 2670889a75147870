"""Forms keep the visitor's work and show their result beside them, in a real browser:
thanks in view and announced, what was typed kept after a refusal or a rate limit, and a
purchase made with the keyboard alone."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
REVIEW = {"Title": "Keeps its shape", "Your review": "Three weeks of glute bridges and "
          "it has not rolled once.\nStill grippy.", "Your name (shown)": "Sam Keyes",
          "Your email (never shown)": "sam@example.com"}


def write_review(page: Page, stars: str = "4 stars") -> Locator:
    """Fill the product page's review form (without sending it) and return the form."""
    form = page.get_by_role("form", name="Write a review")
    form.get_by_role("radio", name=stars, exact=True).check()
    for label, value in REVIEW.items():
        form.get_by_label(label, exact=True).fill(value)
    return form


def expect_focused_and_in_view(result: Locator) -> None:
    expect(result).to_be_focused()
    expect(result).to_be_in_viewport()


def test_a_sent_review_is_thanked_beside_the_form_in_view_and_announced(page: Page,
                                                                        check_a11y):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/products/better-band-trio")
    write_review(page).get_by_role("button", name="Send review").click()
    expect(page).to_have_url(re.compile(r"/products/better-band-trio#review-result$"))
    thanks = page.get_by_role("status").filter(has_text="Thank you!")
    expect(thanks).to_contain_text("will appear once a moderator has approved it")
    expect_focused_and_in_view(thanks)
    # Beside the form it is about, not at the top of the page.
    expect(page.locator("#write-review + .form-result[role=status] ~ form")).to_have_count(1)
    form = page.get_by_role("form", name="Write a review")
    expect(form.get_by_label("Your review")).to_have_value("")
    check_a11y()
    page.reload()
    expect(page.get_by_text("Thank you!")).to_have_count(0)  # shown once


def test_a_refused_review_keeps_everything_typed(page: Page, check_a11y):
    page.goto("/products/better-band-trio")
    form = write_review(page, "5 stars")
    # A rating no star offers, as a hand-made request would send.
    form.get_by_role("radio", name="5 stars").evaluate("radio => { radio.value = '7'; }")
    with page.expect_response(re.compile(r"/reviews$")) as sent:
        form.get_by_role("button", name="Send review").click()
    assert sent.value.status == 422
    problem = page.get_by_role("alert")
    expect(problem).to_contain_text("Your review was not sent")
    expect(problem).to_contain_text("Rating: Choose from 1 to 5 stars.")
    expect_focused_and_in_view(problem)
    form = page.get_by_role("form", name="Write a review")
    for label, value in REVIEW.items():
        expect(form.get_by_label(label, exact=True)).to_have_value(value)
    rating = form.get_by_role("group", name="Rating")
    expect(rating).to_have_attribute("aria-describedby", "rating-error")
    expect(page.locator("#rating-error")).to_have_text("Choose from 1 to 5 stars.")
    check_a11y()
    form.get_by_role("radio", name="3 stars").check()
    form.get_by_role("button", name="Send review").click()
    expect(page.get_by_role("status").filter(has_text="Thank you!")).to_be_visible()


def test_stars_are_radio_buttons_for_the_keyboard(page: Page):
    page.goto("/products/better-band-trio")
    form = page.get_by_role("form", name="Write a review")
    rating = form.get_by_role("group", name="Rating")
    expect(rating.get_by_role("radio")).to_have_count(5)
    rating.get_by_role("radio", name="1 star", exact=True).focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    three = rating.get_by_role("radio", name="3 stars")
    expect(three).to_be_checked()
    expect(three).to_be_focused()
    star = page.locator("label[for=rating-3]")
    shown = star.evaluate("el => ({outline: getComputedStyle(el).outlineStyle,"
                          " glyph: getComputedStyle(el, '::before').content})")
    assert shown["outline"] != "none", "the focused star shows no focus"
    assert "★" in shown["glyph"]
    assert "☆" in page.locator("label[for=rating-4]").evaluate(
        "el => getComputedStyle(el, '::before').content")


def test_too_many_is_explained_beside_the_form_with_the_choice_kept(page: Page, check_a11y):
    page.goto("/products/better-band")
    page.get_by_label("Resistance").select_option("BB-HEAVY")
    page.get_by_label("Quantity").fill("99")
    with page.expect_response(re.compile(r"/cart/add$")) as sent:
        page.get_by_role("button", name="Add to cart").click()
    assert sent.value.status == 409
    problem = page.locator("#add-result")
    expect(page.locator("#add-result ~ form.add-to-cart")).to_have_count(1)  # beside it
    expect(problem).to_have_attribute("role", "alert")
    expect(problem).to_contain_text(re.compile(r"Only \d+ of Better Band \(Heavy\) available"))
    expect_focused_and_in_view(problem)
    expect(page.get_by_label("Resistance")).to_have_value("BB-HEAVY")
    expect(page.get_by_label("Quantity")).to_have_value("99")
    check_a11y()
    page.get_by_label("Quantity").fill("1")
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/cart$"))


def test_a_long_search_is_wrapped_and_said_to_be_shortened(page: Page):
    page.set_viewport_size({"width": 320, "height": 800})
    query = "hamstring" * 30
    box = page.get_by_role("search").get_by_label("Search the shop")
    page.goto("/")
    box.fill(query)
    expect(box).to_have_value(query)  # nothing cut while typing
    box.press("Enter")
    expect(page.get_by_text("only its first 200 characters were used")).to_be_visible()
    heading = page.get_by_role("heading", name=re.compile("^Nothing matched"))
    expect(heading).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


# ---------------------------------------------------------------------------
# Rate limits: a shop of its own in another process (the limiter is one per process)
# ---------------------------------------------------------------------------

LIMITED_SHOP = """
import sys, flask_migrate
from werkzeug.serving import make_server
from storefront import create_app
from storefront.demo import seed_demo
from storefront.extensions import db
app = create_app({"STOREFRONT_ENV": "testing", "SECRET_KEY": "rate-limit-tests",
                  "SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1],
                  "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
                  "STOREFRONT_VIEW_BATCH": 1, "PUBLIC_BASE_URL": ""})
with app.app_context():
    flask_migrate.upgrade()
    seed_demo(db.session, app.extensions["storefront"].plugins)
    db.session.commit()
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


@pytest.fixture(scope="module")
def limited_shop(tmp_path_factory) -> Iterator[str]:
    """Base URL of a shop whose rate limits are on."""
    folder = tmp_path_factory.mktemp("limited")
    shop = subprocess.Popen([sys.executable, "-c", LIMITED_SHOP, str(folder / "shop.db")],
                            cwd=ROOT, env={**os.environ, "STOREFRONT_INSTANCE_PATH": str(folder)},
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = shop.stdout.readline().strip() if shop.stdout else ""
        assert port.isdigit(), "the rate-limited shop did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        shop.terminate()
        shop.wait(timeout=10)
        if shop.stdout:
            shop.stdout.close()


@pytest.mark.parametrize(("path", "form_name", "button", "fields"), [
    ("/products/better-band", "Write a review", "Send review",
     {"Your review": "Fourth band this year.\nThis one stays put.", "Your name (shown)": "Ana",
      "Your email (never shown)": "ana@example.com"}),
    ("/articles/are-hamstrings-your-missing-link", "Leave a comment", "Send comment",
     {"Your comment": "Tried the curls with a ball:\nmy hamstrings noticed.",
      "Your name (shown)": "Ana", "Your email (never shown)": "ana@example.com"}),
], ids=["review", "comment"])
def test_past_the_rate_limit_the_page_says_how_long_and_keeps_the_text(
        browser: Browser, limited_shop: str, path, form_name, button, fields):
    context = browser.new_context(base_url=limited_shop)
    try:
        page = context.new_page()
        page.goto(path)
        token = page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
        target = path + ("/reviews" if path.startswith("/products") else "/comments")
        for n in range(5):  # the limit: 5 a minute from one visitor
            sent = context.request.post(target, form={
                "csrf_token": token, "rating": "4", "body": f"Note {n}.", "author_name": "Ana",
                "email": f"ana{n}@example.com", "website": ""})
            assert sent.ok, sent.status
        form = page.get_by_role("form", name=form_name)
        if form_name == "Write a review":
            form.get_by_role("radio", name="5 stars").check()
        for label, value in fields.items():
            form.get_by_label(label, exact=True).fill(value)
        with page.expect_response(re.compile(r"/(reviews|comments)$")) as answer:
            form.get_by_role("button", name=button).click()
        assert answer.value.status == 429
        retry_after = int(answer.value.headers["retry-after"])
        problem = page.get_by_role("alert")
        expect(problem).to_contain_text(re.compile(r"Please wait \d+ seconds?, then send it again"))
        said = int(re.search(r"Please wait (\d+)", problem.inner_text())[1])
        assert abs(said - retry_after) <= 2, (said, retry_after)  # the same wait
        expect(problem).to_contain_text("at most 5 per minute")
        expect_focused_and_in_view(problem)
        form = page.get_by_role("form", name=form_name)
        for label, value in fields.items():
            expect(form.get_by_label(label, exact=True)).to_have_value(value)
        if form_name == "Write a review":
            expect(form.get_by_role("radio", name="5 stars")).to_be_checked()
        expect(page.get_by_role("link", name=re.compile("home$"))).to_be_visible()  # our page
    finally:
        context.close()


def test_any_other_limited_page_answers_with_the_shops_own_page(browser: Browser,
                                                                limited_shop: str):
    context = browser.new_context(base_url=limited_shop)
    try:
        for _ in range(10):  # checkout: 10 a minute
            assert context.request.post("/checkout", max_redirects=0).status == 303
        page = context.new_page()
        page.goto("/cart")
        page.evaluate("""() => { const f = document.createElement('form');
            f.method = 'post'; f.action = '/checkout'; document.body.append(f); f.submit(); }""")
        page.wait_for_url(re.compile(r"/checkout$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Slow down a little")
        expect(page.get_by_role("alert")).to_have_text(
            re.compile(r"Please wait \d+ seconds?, then try again\."))
        expect(page.get_by_text("at most 10 per minute")).to_be_visible()
        expect(page.get_by_role("search")).to_be_visible()  # the shop's header and all
        answer = context.request.post("/checkout", max_redirects=0)
        assert answer.status == 429 and int(answer.headers["retry-after"]) > 0
    finally:
        context.close()


# ---------------------------------------------------------------------------
# The keyboard alone
# ---------------------------------------------------------------------------

def tab_to(page: Page, target: Locator, limit: int = 80) -> None:
    """Press Tab until `target` has the focus; each stop must show that it has it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
        shown = page.evaluate("""() => { const el = document.activeElement;
            if (!el || el === document.body) return true;
            const s = getComputedStyle(el);
            return s.outlineStyle !== 'none' || s.boxShadow !== 'none'; }""")
        assert shown, "a focused control shows no focus: " + page.evaluate(
            "document.activeElement.outerHTML.slice(0, 120)")
    raise AssertionError(f"Tab never reached {target}")


def type_into(page: Page, field: Locator, text: str) -> None:
    tab_to(page, field)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_from_product_page_to_paid_order_with_the_keyboard_only(page: Page):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/products/better-band")
    resistance = page.get_by_label("Resistance")
    tab_to(page, resistance)
    page.keyboard.press("ArrowDown")  # Light -> Medium
    expect(resistance).to_have_value("BB-MEDIUM")
    type_into(page, page.get_by_label("Quantity"), "2")
    tab_to(page, page.get_by_role("button", name="Add to cart"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cart$"))
    expect(page.get_by_label("Quantity of Better Band – Medium")).to_have_value("2")

    type_into(page, page.get_by_label("Email for your receipt"), "keys@example.com")
    tab_to(page, page.get_by_role("button", name="Check out"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/test-payments/"))

    if page.get_by_role("button", name="Continue to payment").count():
        for label, value in (("Full name", "Kim Keys"), ("Address", "12 Tab Street"),
                             ("City", "Portland"), ("Postal code", "97201")):
            type_into(page, page.get_by_label(label, exact=True), value)
        country = page.get_by_label("Country")
        tab_to(page, country)
        page.keyboard.type("US")  # a select takes the typed start of an option
        expect(country).to_have_value("US")
        tab_to(page, page.get_by_role("button", name="Continue to payment"))
        page.keyboard.press("Enter")

    pay = page.get_by_role("button", name=re.compile(r"^Pay \$"))
    tab_to(page, pay)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/checkout/success/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, your order is paid")
