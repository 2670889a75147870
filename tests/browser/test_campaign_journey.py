"""A campaign that sells, measured: a reader lands on an article from a campaign link, follows
its exercise to the band, applies the article's code and pays; the report credits the
article with the first touch, the exercise with the last and the campaign with the visit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import ADMIN_EMAIL, STAFF_PASSWORD, screenshot, serving
from .test_checkout_journey import fill_address
from .test_reflow import run_axe

ARTICLE = "are-hamstrings-your-missing-link"
CODE = "HAMSTRINGS10"


@pytest.fixture(scope="module")
def shop(tmp_path_factory, mail_server):
    """A shop of this test's own: its code and paid order change what the report and the
    "readers also bought" lists of the other journeys' shop would show."""
    with serving(tmp_path_factory.mktemp("campaign-db") / "storefront.db",
                 mail_server.url) as url:
        yield url


def _log_in_as_admin(page: Page) -> None:
    page.goto("/staff/login")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _create_code(page: Page) -> None:
    """10% off, tied to the article, from the console."""
    page.get_by_role("navigation", name="Staff console").get_by_role(
        "link", name="Discount codes").click()
    page.get_by_label("Code", exact=True).fill(CODE.lower())
    page.get_by_label("Kind").select_option(label="Percent off")
    page.get_by_label("Percent or amount off").fill("10")
    page.get_by_label("Belongs to").fill(f"article:{ARTICLE}")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("rowheader", name=re.compile(CODE))).to_be_visible()


def _report_row(page: Page, source: str):
    """The report's row of `source` (its header ends with the source)."""
    header = page.get_by_role("rowheader", name=re.compile(re.escape(source) + "$"))
    return page.get_by_role("row").filter(has=header)


def _cell(row, label: str) -> str:
    return row.locator(f'td[data-label="{label}"]').inner_text()


def test_campaign_to_article_to_band_with_the_articles_code(browser: Browser, shop: str):
    admin = browser.new_context(base_url=shop)
    staff = admin.new_page()
    _log_in_as_admin(staff)
    _create_code(staff)

    reader = browser.new_context(base_url=shop)
    page = reader.new_page()
    try:
        # The campaign link of a newsletter lands on the article.
        page.goto(f"/articles/{ARTICLE}?utm_source=newsletter&utm_medium=email"
                  "&utm_campaign=Spring%20Strength")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Are Hamstrings Your Missing Link?")
        exercises = page.get_by_role("region", name="Exercises in this article")
        exercises.get_by_role("link").first.click()
        expect(page).to_have_url(re.compile(
            r"/exercises/[a-z0-9-]+\?source=article(:|%3A)" + ARTICLE + "$"))
        exercise = page.url.split("/exercises/")[1].split("?")[0]

        # The exercise's gear leads to the band, its source on the link.
        page.get_by_role("link", name=re.compile("^Better Band")).first.click()
        expect(page).to_have_url(re.compile(r"/products/better-band"))
        page.get_by_role("button", name="Add to cart").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your cart")

        # The article's code, typed in lower case, comes off the items as its own line.
        page.get_by_role("textbox", name="Discount code").fill(CODE.lower())
        page.get_by_role("button", name="Apply").click()
        discount = page.get_by_role("row", name=re.compile(rf"Discount \({CODE}\)"))
        expect(discount).to_be_visible()
        run_axe(page)
        screenshot(page, "cart-with-discount")

        page.get_by_label("Email for your receipt").fill("campaign.reader@example.com")
        page.get_by_role("button", name="Check out").click()
        fill_address(page)
        page.get_by_role("button", name="Continue to payment").click()
        page.get_by_role("button", name=re.compile(r"^Pay ")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Thank you, your order is paid")
        expect(page.get_by_text(re.compile(rf"Discount.*{CODE}|{CODE}"))).not_to_have_count(0)
    finally:
        reader.close()

    try:
        staff.goto("/staff/reports/attribution")
        article = _report_row(staff, f"article:{ARTICLE}")
        assert _cell(article, "Orders (first touch)") == "1"
        assert _cell(article, "Orders (last touch)") == "0"
        last = _report_row(staff, f"exercise:{exercise}")
        assert _cell(last, "Orders (last touch)") == "1"
        assert _cell(last, "Orders (first touch)") == "0"
        assert _cell(last, "Revenue (last touch)") == _cell(article, "Revenue (first touch)")
        campaign = _report_row(staff, "campaign:spring-strength")
        assert _cell(campaign, "Orders (first touch)") == "1"
        run_axe(staff)
        screenshot(staff, "attribution-campaign")

        staff.goto("/staff/discount-codes")
        used = staff.get_by_role("row").filter(
            has=staff.get_by_role("rowheader", name=re.compile(CODE)))
        assert _cell(used, "Used") == "1"
    finally:
        admin.close()
