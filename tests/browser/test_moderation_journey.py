"""A review from a shopper to the product page, through a moderator, in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import STAFF_EMAIL, STAFF_PASSWORD


def test_review_waits_for_a_moderator_then_appears_with_its_stars(
        page: Page, check_a11y, screenshot):
    page.goto("/products/stability-ball")
    form = page.get_by_role("form", name="Write a review")
    form.get_by_role("radio", name="4 stars").check()
    form.get_by_label("Title").fill("Steady and grippy")
    form.get_by_label("Your review").fill("Rolls smoothly for hamstring curls.")
    form.get_by_label("Your name (shown)").fill("Robin")
    form.get_by_label("Your email (never shown)").fill("robin@example.com")
    form.get_by_role("button", name="Send review").click()
    expect(page.get_by_role("status")).to_contain_text(
        "will appear once a moderator has approved it")
    reviews = page.get_by_role("region", name="Reviews")
    expect(reviews).not_to_contain_text("Rolls smoothly for hamstring curls.")
    screenshot(page, "review-1-pending")

    page.goto("/staff/")
    page.get_by_label("Email").fill(STAFF_EMAIL)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name=re.compile(r"^Reviews pending: [1-9]")).click()
    item = page.get_by_role("article").filter(has_text="Rolls smoothly for hamstring curls.")
    expect(item).to_contain_text("robin@example.com")
    check_a11y()
    screenshot(page, "review-2-queue")
    item.get_by_label(re.compile("^Reason")).fill("Genuine experience")
    item.get_by_role("button", name=re.compile(r"^Approve")).click()
    expect(page.get_by_role("status")).to_contain_text("approve done")

    page.goto("/products/stability-ball")
    reviews = page.get_by_role("region", name="Reviews")
    expect(reviews.get_by_role("heading", name="Steady and grippy")).to_be_visible()
    expect(reviews).to_contain_text("4 out of 5 stars")
    expect(page.get_by_text(re.compile(r"Rated 4\.0 out of 5 from 1 review"))).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("robin@example.com")
    check_a11y()
    screenshot(page, "review-3-approved")
