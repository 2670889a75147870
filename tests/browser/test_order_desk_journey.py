"""An order reaches the door: bought with an address, fulfilled and partly refunded by
staff in the console, with each email arriving at the SMTP server."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from .conftest import ADMIN_EMAIL, STAFF_PASSWORD
from .test_checkout_journey import add_medium_band, fill_address


def wait_for_mail(server, subject_words: str, recipient: str, timeout: float = 20.0):
    """The first message to `recipient` whose subject holds `subject_words` (in any case),
    once it came."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for received in list(server.received):
            if recipient in received.recipients \
                    and subject_words.lower() in received.message["Subject"].lower():
                return received
        time.sleep(0.1)
    subjects = [(r.recipients, r.message["Subject"]) for r in server.received]
    raise AssertionError(f"no {subject_words!r} email to {recipient}; got {subjects}")


def test_an_order_is_bought_shipped_and_partly_refunded(page: Page, mail_server, check_a11y,
                                                        screenshot):
    shopper = "door@example.com"
    add_medium_band(page)
    page.get_by_label("Email for your receipt").fill(shopper)
    page.get_by_role("button", name="Check out").click()
    fill_address(page)
    page.get_by_label(re.compile(r"^Express")).check()
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_role("button", name=re.compile(r"^Pay \$58\.97")).click()  # $43.98 + $14.99
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, your order is paid")
    number = re.search(r"BB-[A-Z0-9]{4}-[A-Z0-9]{4}",
                       page.get_by_role("status").inner_text()).group(0)
    expect(page.get_by_role("table")).to_contain_text("Shipping (Express)")

    confirmation = wait_for_mail(mail_server, number, shopper)
    assert "48 Harbour Road" in confirmation.part("plain")
    assert "$58.97" in confirmation.part("html")

    page.goto("/staff/")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name=re.compile("^Order desk")).click()
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    expect(page.locator("address")).to_contain_text("48 Harbour Road")
    check_a11y()
    screenshot(page, "order-desk-1-paid")

    page.get_by_label("Carrier").fill("USPS")
    page.get_by_label("Tracking number").fill("9400 1000 0000 0000 0000 00")
    page.get_by_label("Tracking link").fill("https://tools.usps.com/go/TrackConfirmAction?tLabels=94001")
    page.get_by_role("button", name="Mark as fulfilled").click()
    expect(page.get_by_role("status").first).to_contain_text(re.compile("fulfil", re.I))
    shipped = wait_for_mail(mail_server, "shipped", shopper)
    assert "9400 1000 0000 0000 0000 00" in shipped.part("plain")
    assert "USPS" in shipped.part("html")

    page.get_by_label("Amount to refund").fill("5.00")
    page.get_by_role("button", name="Refund", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(re.compile("refund", re.I))
    refunded = wait_for_mail(mail_server, "refund", shopper)
    assert "$5.00" in refunded.part("plain")
    check_a11y()
    screenshot(page, "order-desk-2-fulfilled-and-refunded")
