"""The shop's emails as people get them: what they say, how they are addressed, and that
they go out after the change that causes them, never holding up the answer."""

from __future__ import annotations

import dataclasses
import html
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from plugins.types import Address, FulfilmentSummary, RefundSummary
from storefront.checkout.payments import order_summary, shop_info
from storefront.extensions import db
from storefront.mail import after_commit
from storefront.mail.message import compose, message_id
from storefront.mail.transport import SmtpTarget
from storefront.orders.models import OutboxMessage, OutboxStatus
from storefront.staff.services import create_staff, set_active

from .checkout_helpers import FORM, cart_with, checkout, order
from .factories import PASSWORD, make_order
from .moderation_helpers import post_review
from .smtp_fixtures import free_port

SHOPPER = "shopper@example.com"
ADDRESS = {"name": "Ana Smith", "line1": "1 Main St", "line2": "Unit 4", "city": "Springfield",
           "region": "IL", "postal_code": "62701", "country": "US"}


# ---------------------------------------------------------------------------
# MAIL_URL and the message itself
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://mail.example.com", SmtpTarget("mail.example.com", 25)),
    ("smtp://mail.example.com:587", SmtpTarget("mail.example.com", 587)),
    ("smtps://mail.example.com", SmtpTarget("mail.example.com", 465, implicit_tls=True)),
    ("smtps://shop:secret@mail.example.com:2465",
     SmtpTarget("mail.example.com", 2465, True, "shop", "secret")),
    # Percent-encoded user and password: "@", ":" and "/" may be in them.
    ("smtp://shop%40example.com:p%40ss%3Aw%2Frd@127.0.0.1:1025",
     SmtpTarget("127.0.0.1", 1025, False, "shop@example.com", "p@ss:w/rd")),
    ("smtp://apikey:@smtp.example.com:587", SmtpTarget("smtp.example.com", 587, False, "apikey")),
])
def test_mail_url_names_the_server_and_the_login(url, expected):
    assert SmtpTarget.from_url(url) == expected


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "smtp://host:port",
                                 "mail.example.com:25"])
def test_a_mail_url_that_names_no_smtp_server_is_refused(url):
    with pytest.raises(ValueError):
        SmtpTarget.from_url(url)


def test_the_mail_password_never_shows_in_logs():
    assert "secret" not in repr(SmtpTarget.from_url("smtp://shop:secret@mail.example.com"))


def _compose(**changes):
    values = {"message_id": "<outbox.1.abc@localhost>", "sender": "Better Band <shop@localhost>",
              "recipients": (SHOPPER,), "subject": "Your order", "text": "Thank you.",
              "html": "<p>Thank you.</p>", "date": datetime(2026, 5, 1, 12, tzinfo=UTC)}
    return compose(**{**values, **changes})


@pytest.mark.parametrize(("reply_to", "html", "expected_type", "expected_reply_to"), [
    ("", "<p>Thank you.</p>", "multipart/alternative", None),
    ("help@better-band.example", "<p>Thank you.</p>", "multipart/alternative",
     "help@better-band.example"),
    ("", None, "text/plain", None),
])
def test_a_message_has_its_parts_and_headers(reply_to, html, expected_type, expected_reply_to):
    message = _compose(reply_to=reply_to, html=html, headers={"X-Order": "BB-1"})
    assert message.get_content_type() == expected_type
    assert message["Reply-To"] == expected_reply_to
    assert (message["From"], message["To"], message["Subject"]) == (
        "Better Band <shop@localhost>", SHOPPER, "Your order")
    assert message["Date"] == "Fri, 01 May 2026 12:00:00 +0000"
    assert message["Message-ID"] == "<outbox.1.abc@localhost>"
    assert message["X-Order"] == "BB-1"
    assert message.get_body(("plain",)).get_content().strip() == "Thank you."
    if html:
        assert "<p>Thank you.</p>" in message.get_body(("html",)).get_content()


@pytest.mark.parametrize(("headers", "problem"), [
    ({"From": "someone@else.example"}, "the shop's to set"),
    ({"message-id": "<x@y>"}, "the shop's to set"),
    ({"X-Note": "hi\r\nBcc: everyone@example.com"}, "linefeed"),
])
def test_extra_headers_cannot_take_the_message_over(headers, problem):
    with pytest.raises(ValueError, match=problem):
        _compose(headers=headers)


def test_the_message_id_is_the_same_for_every_send_of_one_row():
    created = datetime(2026, 5, 1, 12, tzinfo=UTC)
    first = message_id(7, "order_paid:BB-1", created, "Better Band <shop@better-band.example>")
    assert first == message_id(7, "order_paid:BB-1", created, "shop@better-band.example")
    assert re.fullmatch(r"<outbox\.7\.[0-9a-f]{16}@better-band\.example>", first)
    assert first != message_id(7, "order_paid:BB-2", created, "shop@better-band.example")


# ---------------------------------------------------------------------------
# The order confirmation, from a real checkout to the mail server
# ---------------------------------------------------------------------------

def _pay_shipping_to(client, checkout_url: str, address: dict):
    """Give the address (and the first shipping method) on the test payment page, then
    press Pay; returns the response to the payment."""
    page = client.get(checkout_url).get_data(as_text=True)
    if 'name="line1"' in page:  # the order ships: the page asks where to first
        method = re.search(r'name="shipping" value="([^"]+)"', page)
        form = {**address, **({"shipping": method.group(1)} if method else {})}
        answer = client.post(checkout_url, data=form)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        page = answer.get_data(as_text=True)
    target, event, signature = FORM.findall(page)[0]
    return client.post(target, data={"event": html.unescape(event), "signature": signature})


def test_the_confirmation_tells_what_was_paid_and_where_it_goes(make_app, smtp_server):
    app = make_app(demo=True, MAIL_URL=smtp_server.url, TAX_RATES="US:10",
                   MAIL_REPLY_TO="help@better-band.example")
    client = app.test_client()
    placed = checkout(client, cart_with(client, ("BB-LIGHT", 2)), SHOPPER).get_json()
    paid = _pay_shipping_to(client, placed["checkout_url"], ADDRESS)
    assert paid.status_code == 303
    after_commit.state(app).wait()  # sent beside the answer, by a thread of its own

    [mail] = smtp_server.received
    number = placed["order_number"]
    assert mail.recipients == (SHOPPER,) and mail.sender == "shop@localhost"
    assert mail.message["To"] == SHOPPER
    assert mail.message["Subject"] == f"Your Better Band order {number}"
    assert SHOPPER not in mail.message["Subject"]
    assert mail.message["From"] == "Better Band <shop@localhost>"
    assert mail.message["Reply-To"] == "help@better-band.example"
    seen = order(client, placed)
    expected = [number, "Ana Smith", "1 Main St", "Unit 4", "Springfield", "62701",
                "2 × Better Band", seen["subtotal"]["formatted"], seen["total"]["formatted"],
                "Standard", seen["shipping"]["amount"]["formatted"], "Tax",
                seen["tax"]["formatted"], "/products/better-band?review="]
    for part in ("plain", "html"):
        body = mail.part(part)
        missing = [text for text in expected if text not in body]
        assert not missing, f"the {part} part lacks {missing}"
    assert seen["tax"]["amount"] > 0 and seen["shipping"]["amount"]["amount"] > 0
    with app.app_context():
        stored = db.session.scalar(select(OutboxMessage))
        assert stored.status == OutboxStatus.SENT and stored.attempts == 1
        assert stored.order_id is not None and stored.dedupe_key == f"order_paid:{number}"


# ---------------------------------------------------------------------------
# Every order email, from its hook
# ---------------------------------------------------------------------------

SHOP_ADDRESS = Address(name="<b>Ana</b> Smith", line1="1 Main St", city="Springfield",
                       postal_code="62701", country="US", region="IL")


@pytest.mark.parametrize(("hook", "arguments", "subject", "texts"), [
    ("order_paid", {}, "Your Better Band order {number}",
     ["Thank you for your order {number}", "Total paid: $19.99", "Shipping to"]),
    ("order_fulfilled",
     {"fulfilment": FulfilmentSummary("UPS", "1Z999AA10123456784", "https://ups.example/1Z999")},
     "Your Better Band order {number} has shipped",
     ["is on its way", "UPS", "1Z999AA10123456784", "https://ups.example/1Z999"]),
    ("order_refunded", {"refund": RefundSummary(500, "usd", 500, False)},
     "Refund on your Better Band order {number}",
     ["refunded $5.00", "partial refund", "$5.00 of the $19.99"]),
    ("order_refunded", {"refund": RefundSummary(1999, "usd", 1999, True)},
     "Refund on your Better Band order {number}",
     ["refunded $19.99", "The whole order is now refunded"]),
    ("order_cancelled", {"cause": "staff"}, "Your Better Band order {number} was cancelled",
     ["cancelled your order {number}", "No payment was taken"]),
])
def test_each_order_email_says_what_happened(app, session, hook, arguments, subject, texts):
    placed = make_order(session, "paid")
    settings = app.extensions["storefront"].settings
    summary = dataclasses.replace(order_summary(placed, settings),
                                  shipping_address=SHOP_ADDRESS)
    call = getattr(app.extensions["storefront"].plugins.hook, hook)
    for _ in range(2):  # the same event seen twice writes one message
        call(order=summary, shop=shop_info(settings), **arguments)
    session.commit()
    [message] = session.scalars(select(OutboxMessage)).all()
    number = placed.number
    assert message.subject == subject.format(number=number)
    assert message.recipient == placed.email and placed.email not in message.subject
    assert message.order_id == placed.id and message.status == OutboxStatus.PENDING
    for text in texts:
        assert text.format(number=number) in message.body
    assert message.html_body and placed.number in message.html_body
    if hook in ("order_paid", "order_fulfilled"):
        assert "<b>Ana</b> Smith" in message.body  # text is text
        assert "&lt;b&gt;Ana&lt;/b&gt; Smith" in message.html_body  # HTML is escaped


@pytest.mark.parametrize("cause", ["declined", "expired", "abandoned"])
def test_a_shopper_who_turned_back_gets_no_cancellation_email(app, session, cause):
    placed = make_order(session, "cancelled")
    settings = app.extensions["storefront"].settings
    app.extensions["storefront"].plugins.hook.order_cancelled(
        order=order_summary(placed, settings), cause=cause, shop=shop_info(settings))
    session.commit()
    assert session.scalars(select(OutboxMessage)).all() == []


def test_a_repeated_event_leaves_the_rest_of_its_transaction_alone(app, session):
    placed = make_order(session, "paid")
    settings = app.extensions["storefront"].settings
    hook = app.extensions["storefront"].plugins.hook
    hook.order_paid(order=order_summary(placed, settings), shop=shop_info(settings))
    session.commit()
    placed.email = "changed@example.com"  # a change of the same transaction as the repeat
    hook.order_paid(order=order_summary(placed, settings), shop=shop_info(settings))
    session.commit()
    session.expire_all()
    assert placed.email == "changed@example.com"
    assert len(session.scalars(select(OutboxMessage)).all()) == 1


def test_a_rolled_back_change_leaves_no_message(app, session):
    placed = make_order(session, "paid")
    settings = app.extensions["storefront"].settings
    app.extensions["storefront"].plugins.hook.order_paid(
        order=order_summary(placed, settings), shop=shop_info(settings))
    assert session.info.get(after_commit.NOTED), "the new message is noted"
    session.rollback()
    assert session.scalars(select(OutboxMessage)).all() == []
    assert not session.info.get(after_commit.NOTED), "and forgotten with the rollback"
    assert not session.info.get(after_commit.COMMITTED)


# ---------------------------------------------------------------------------
# After the commit: delivered once the response is out
# ---------------------------------------------------------------------------

def _add_moderators(app) -> list[str]:
    """An active moderator and admin, and a moderator who left; the active ones' emails."""
    with app.app_context():
        for email, role in (("mo@example.com", "moderator"), ("al@example.com", "admin"),
                            ("gone@example.com", "moderator")):
            create_staff(db.session, email, role, PASSWORD)
        set_active(db.session, "gone@example.com", False)
    return ["al@example.com", "mo@example.com"]


def test_staff_are_told_of_a_new_review_after_the_response(make_app, smtp_server):
    app = make_app(demo=True, MAIL_URL=smtp_server.url)
    moderators = _add_moderators(app)
    response = post_review(app.test_client())
    assert response.status_code == 202
    after_commit.state(app).wait()
    [mail] = smtp_server.received
    assert sorted(mail.recipients) == moderators
    assert "gone@example.com" not in mail.message["To"]
    assert mail.message["Subject"] == "New review on better-band to moderate"
    assert after_commit.state(app).last_report.sent == 1


def test_paused_delivery_leaves_the_message_pending(make_app, smtp_server):
    app = make_app(demo=True, MAIL_URL=smtp_server.url)
    _add_moderators(app)
    with after_commit.paused(app):
        post_review(app.test_client()).close()
    assert smtp_server.received == []
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.status)) == OutboxStatus.PENDING


def test_a_mail_server_that_is_away_neither_delays_nor_fails_the_answer(make_app):
    app = make_app(demo=True, MAIL_URL=f"smtp://127.0.0.1:{free_port()}", MAIL_TIMEOUT=1)
    _add_moderators(app)
    response = post_review(app.test_client())
    assert response.status_code == 202
    after_commit.state(app).wait()  # delivery fails beside the answer, and is only logged
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
        assert message.next_attempt_at > datetime.now(UTC)
        assert message.last_error


def test_writing_a_message_leaves_the_global_random_state_alone():
    import random
    from datetime import UTC, datetime

    from storefront.mail.message import compose

    before = random.getstate()
    message = compose(message_id="<m@example.com>", sender="shop@example.com",
                      recipients=["a@example.com"], subject="Hello", text="Plain",
                      html="<p>Rich</p>", date=datetime.now(UTC))
    text = message.as_string()
    assert random.getstate() == before
    assert message.get_boundary() in text and "<p>Rich</p>" in text
