"""The order desk in the staff console: what an admin sees and does, and who is kept out."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from storefront.orders.models import Order, StaffAction

from .checkout_helpers import ADDRESS, available, cart_with, checkout, test_page_action
from .factories import make_order, make_product
from .moderation_helpers import ARTICLE

DESK = "/staff/orders"


@pytest.fixture
def admin(staff):
    """A logged-in admin's console session."""
    user = staff.create("admin", email="desk@example.com")
    assert staff.login(user.email).status_code == 302
    return user


def page(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def csrf(text: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text).group(1)


def post(client, number, action, **fields):
    """Submit one of the order page's forms, with the page's CSRF token."""
    token = csrf(page(client, f"{DESK}/{number}"))
    return client.post(f"{DESK}/{number}/{action}", data={"csrf_token": token, **fields})


def notice(text: str, action: str) -> str:
    """The result shown beside the form of `action`."""
    found = re.search(rf'<p id="{action}-result" class="[^"]*" role="status">([^<]*)</p>', text)
    return html.unescape(found.group(1)) if found else ""


# --- Who may use the desk ------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_the_login(client, session):
    order = make_order(session, "paid")
    for path in (DESK, f"{DESK}/{order.number}"):
        response = client.get(path)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    for action in ("fulfil", "refunds", "cancel"):
        response = client.post(f"{DESK}/{order.number}/{action}", data={"amount": "1"})
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    session.expire_all()
    assert order.status == "paid" and order.refunded_amount == 0


def test_moderators_are_refused_every_desk_page(client, staff, session):
    order = make_order(session, "paid")
    moderator = staff.create("moderator")
    staff.login(moderator.email)
    token = staff.csrf_token("/staff/")
    for path in (DESK, f"{DESK}/{order.number}", f"{DESK}/BB-NOPE-NOPE"):
        assert client.get(path).status_code == 403
    for action in ("fulfil", "refunds", "cancel"):
        response = client.post(f"{DESK}/{order.number}/{action}",
                               data={"csrf_token": token, "amount": "1.00"})
        assert response.status_code == 403
    session.expire_all()
    assert order.status == "paid" and order.refunded_amount == 0
    assert session.scalars(select(StaffAction)).all() == []


def test_the_dashboard_leads_to_the_desk(client, admin, session):
    order = make_order(session, "paid")
    text = page(client, "/staff/")
    assert f'href="{DESK}"' in text and f'href="{DESK}/{order.number}"' in text


# --- The list ------------------------------------------------------------------------------

def test_the_list_filters_and_links_each_order(client, admin, session):
    product = make_product(session, stock=50)
    paid, pending = make_order(session, "paid", product=product), make_order(session,
                                                                             product=product)
    paid.email, pending.email = "ada@example.com", "ben@example.com"
    session.commit()
    text = page(client, DESK)
    for order in (paid, pending):
        assert f'<a href="{DESK}/{order.number}">{order.number}</a>' in text
    assert "$19.99" in text
    only_paid = page(client, f"{DESK}?status=paid")
    assert paid.number in only_paid and pending.number not in only_paid
    assert '<option selected value="paid">' in only_paid or 'value="paid" selected' in only_paid
    by_email = page(client, f"{DESK}?q=ben%40")
    assert pending.number in by_email and paid.number not in by_email
    assert 'value="ben@"' in by_email  # the typed filter stays in the box
    nothing = page(client, f"{DESK}?q=nobody")
    assert "No orders match these filters." in nothing


def test_bad_filters_are_shown_with_what_was_typed(client, admin, session):
    make_order(session, "paid")
    response = client.get(f"{DESK}?since=2026-03-05&until=2026-03-01&q=ada")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Must not be before the first day." in text and 'value="ada"' in text
    assert 'value="2026-03-05"' in text and "aria-invalid" in text
    assert client.get(f"{DESK}?status=shipped").status_code == 400
    assert client.get(f"{DESK}?cursor=not-ours").status_code == 404


def test_the_list_pages_25_at_a_time(client, admin, session):
    product = make_product(session, stock=100)
    made = []
    for n in range(27):
        order = make_order(session, "paid", product=product)
        order.created_at = datetime(2026, 2, 1, n % 24, tzinfo=UTC)
        made.append(order.number)
    session.commit()
    first = page(client, DESK)
    assert made[-1] in first and made[1] not in first
    older = re.search(r'<a href="([^"]+)">Older orders</a>', first).group(1)
    second = page(client, html.unescape(older))
    assert made[0] in second and made[1] in second and made[-1] not in second
    assert "Older orders" not in second


# --- One order -----------------------------------------------------------------------------

def test_an_order_page_shows_all_staff_need(client, admin, demo):
    placed = checkout(client, cart_with(client, ("BB-LIGHT", 2), source=f"article:{ARTICLE}"),
                      "robin@example.com").get_json()
    test_page_action(client, placed["checkout_url"], 0)
    text = html.unescape(page(client, f"{DESK}/{placed['order_number']}"))
    assert f"Order {placed['order_number']}" in text and "robin@example.com" in text
    assert "BB-LIGHT" in text and f"article:{ARTICLE}" in text  # the content that sold it
    assert ADDRESS["line1"] in text and ADDRESS["city"] in text  # where it goes
    assert "Subtotal" in text and "Shipping" in text and "Tax" in text
    assert "Payment events" in text and "paid" in text and "applied" in text
    assert "Emails" in text and "pending" in text  # the confirmation, waiting to be sent
    assert "Mark as fulfilled" in text and "Refund" in text
    assert "Cancel order" not in text  # a paid order cannot be cancelled
    assert client.get(f"{DESK}/BB-NOPE-NOPE").status_code == 404


def test_a_flagged_order_says_why(client, admin, session):
    order = make_order(session, "paid")
    order.flag = "Charged $12.00, expected $19.99."
    session.commit()
    text = html.unescape(page(client, f"{DESK}/{order.number}"))
    assert "Needs a look" in text and "Charged $12.00, expected $19.99." in text
    assert "Charged $12.00" in html.unescape(page(client, DESK))


# --- Actions -------------------------------------------------------------------------------

def test_fulfil_from_the_page(client, admin, session):
    order = make_order(session, "paid")
    response = post(client, order.number, "fulfil", carrier="UPS",
                    tracking_number="1Z999", tracking_url="https://ups.example/t/1Z999")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{DESK}/{order.number}#fulfil-title")
    text = page(client, f"{DESK}/{order.number}")
    assert notice(text, "fulfil") == f"Order {order.number} is marked as fulfilled."
    assert 'href="https://ups.example/t/1Z999"' in text and "desk@example.com" in text
    assert "Mark as fulfilled" not in text
    assert notice(page(client, f"{DESK}/{order.number}"), "fulfil") == ""  # said once


def test_a_bad_tracking_link_keeps_what_was_typed(client, admin, session):
    order = make_order(session, "paid")
    response = post(client, order.number, "fulfil", carrier="UPS",
                    tracking_number="1Z999", tracking_url="javascript:alert(1)")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert notice(text, "fulfil").startswith("Nothing was done")
    assert "Must be an http:// or https:// address." in text
    assert 'value="UPS"' in text and 'value="1Z999"' in text
    assert 'value="javascript:alert(1)"' in text
    session.expire_all()
    assert order.status == "paid"


def test_fulfilling_an_unpaid_order_is_refused_beside_the_form(client, admin, session):
    order = make_order(session, "paid")
    token = csrf(page(client, f"{DESK}/{order.number}"))
    order.status = "cancelled"  # cancelled by someone else meanwhile
    session.commit()
    response = client.post(f"{DESK}/{order.number}/fulfil",
                           data={"csrf_token": token, "carrier": "UPS"})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "only paid orders can be fulfilled" in notice(text, "fulfil")


def test_a_form_without_its_csrf_token_does_nothing(client, admin, session):
    order = make_order(session, "paid")
    response = client.post(f"{DESK}/{order.number}/refunds", data={"amount": "5.00"})
    assert response.status_code == 400
    assert "expired" in notice(response.get_data(as_text=True), "refund")
    session.expire_all()
    assert order.refunded_amount == 0


def test_partial_then_full_refund_from_the_page(client, admin, session):
    order = make_order(session, "paid")  # $19.99
    response = post(client, order.number, "refunds", amount="5.00")
    assert response.status_code == 303
    text = page(client, f"{DESK}/{order.number}")
    assert notice(text, "refund") == "Refunded $5.00; $14.99 can still be refunded."
    assert "Status: <strong>paid</strong> · $5.00 refunded" in text
    assert "Up to $14.99" in text
    response = post(client, order.number, "refunds", amount="$14.99")
    assert response.status_code == 303
    text = page(client, f"{DESK}/{order.number}")
    assert notice(text, "refund") == "Refunded $14.99; the order is now fully refunded."
    assert "Status: <strong>refunded</strong>" in text
    assert '<form method="post" action="/staff/orders/' + order.number + '/refunds"' not in text
    actions = session.scalars(select(StaffAction.action).where(
        StaffAction.subject == order.number)).all()
    assert actions == ["refund", "refund"]


@pytest.mark.parametrize("typed, says", [
    ("abc", "Enter an amount above 0"), ("0", "Enter an amount above 0"),
    ("-5", "Enter an amount above 0"), ("1.005", "Enter an amount above 0"),
    ("", "This field is required."),
    ("20.00", "At most $19.99 of order"),
])
def test_a_bad_refund_amount_keeps_what_was_typed(client, admin, session, typed, says):
    order = make_order(session, "paid")
    response = post(client, order.number, "refunds", amount=typed)
    assert response.status_code == 422
    text = html.unescape(response.get_data(as_text=True))
    assert says in text
    assert f'value="{typed}"' in text
    assert notice(text, "refund")
    session.expire_all()
    assert order.refunded_amount == 0 and order.refunds == []


def test_cancel_from_the_page_puts_the_stock_back(client, admin, demo):
    before = available(client)
    placed = checkout(client, cart_with(client, ("BB-LIGHT", 2))).get_json()
    number = placed["order_number"]
    assert "Cancel order" in page(client, f"{DESK}/{number}")
    response = post(client, number, "cancel")
    assert response.status_code == 303
    text = page(client, f"{DESK}/{number}")
    assert notice(text, "cancel") == f"Order {number} is cancelled and its stock is back on sale."
    assert "Status: <strong>cancelled</strong>" in text and "stock put back" in text
    assert available(client) == before


def test_cancelling_a_paid_order_is_refused(client, admin, session):
    order = make_order(session, "paid")
    token = csrf(page(client, f"{DESK}/{order.number}"))
    response = client.post(f"{DESK}/{order.number}/cancel", data={"csrf_token": token})
    assert response.status_code == 409
    assert "only orders waiting for payment" in notice(response.get_data(as_text=True),
                                                       "cancel")
    assert session.get(Order, order.id).status == "paid"
