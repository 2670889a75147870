"""The order state machine: every allowed and every refused transition."""

import itertools

import pytest

from storefront.catalog.models import Variant
from storefront.orders.models import OrderStatus
from storefront.orders.state import TRANSITIONS, Outcome, transition

from .factories import make_order, make_product

ALLOWED = {("pending_payment", "paid"), ("pending_payment", "cancelled"),
           ("paid", "fulfilled"), ("paid", "refunded"), ("fulfilled", "refunded")}


def test_the_table_is_the_documented_machine():
    assert {(s, t) for s, targets in TRANSITIONS.items() for t in targets} == ALLOWED


@pytest.mark.parametrize(("source", "target"),
                         [p for p in itertools.product(OrderStatus, OrderStatus)
                          if p[0] != p[1] and p[1] != "pending_payment"])
def test_transition(session, source, target):
    order = make_order(session, source)
    outcome = transition(session, order, target)
    session.commit()
    if (source, target) in ALLOWED:
        assert outcome is Outcome.APPLIED and order.status == target
        assert getattr(order, f"{target}_at") is not None
    else:
        assert outcome is Outcome.REFUSED and order.status == source


@pytest.mark.parametrize("status", OrderStatus)
def test_nothing_goes_back_to_pending(session, status):
    order = make_order(session, status)
    with pytest.raises(ValueError):
        transition(session, order, "pending_payment")


def test_repeating_a_transition_is_already_not_refused(session):
    order = make_order(session, "paid")
    assert transition(session, order, "paid") is Outcome.ALREADY


def test_cancelling_releases_stock_once(session):
    product = make_product(session, stock=10)
    order = make_order(session, product=product, quantity=3)
    assert transition(session, order, "cancelled") is Outcome.APPLIED
    assert transition(session, order, "cancelled") is Outcome.ALREADY
    session.commit()
    assert session.get(Variant, product.variants[0].id).stock == 13
