"""What a paid order was charged: the provider's own figures, checked against the order.

The order's total is what the provider charged. The parts (shipping, tax, discount) and
the address come from the provider's completed payment page; an order whose parts do not
add up to the charge, or that ships where its method does not go, is paid all the same
(the money was taken) and flagged for staff, with the reason logged.
"""

from __future__ import annotations

import json
import logging

from plugins.types import PaymentEvent

from ..orders.models import Order, ShippingMethod
from ..settings import Settings
from .shipping import address_from, address_problems, apply_address

log = logging.getLogger(__name__)


def _chosen_method(session, order: Order, rate: str | None) -> ShippingMethod | None:
    """The shop's method behind the provider's rate id (or behind our own id)."""
    if not rate:
        return None
    offer = json.loads(order.shipping_offer) if order.shipping_offer else {}
    method_id = offer.get(rate, rate)
    if not str(method_id).isdigit():
        return None
    return session.get(ShippingMethod, int(method_id))


def record_charge(session, order: Order, event: PaymentEvent, settings: Settings) -> None:
    """Copy the address, shipping, tax and discount of a paid order's payment, set its
    total to what was charged, and flag what does not add up. The caller commits."""
    problems = []
    address = address_from(event.shipping_address)
    apply_address(order, address)
    method = _chosen_method(session, order, event.shipping_rate)
    if method is not None:
        order.shipping_method_id, order.shipping_method = method.id, method.name
    elif event.shipping_rate:
        problems.append(f"the shipping rate {event.shipping_rate} is not one the shop offered")
    order.shipping_amount = event.shipping_amount or 0
    order.tax_amount = event.tax_amount or 0
    order.tax_inclusive = settings.tax_inclusive
    if event.discount_amount is not None:
        order.discount_amount = event.discount_amount
    subtotal = order.subtotal
    if event.amount_subtotal is not None and event.amount_subtotal != subtotal:
        problems.append(f"the provider's subtotal is {event.amount_subtotal}, "
                        f"the lines add up to {subtotal}")
    expected = (subtotal + order.shipping_amount - order.discount_amount
                + (0 if order.tax_inclusive else order.tax_amount))
    if event.amount is not None:
        order.total_amount = event.amount
        if event.amount != expected:
            problems.append(f"charged {event.amount}, but subtotal + shipping + tax - "
                            f"discount is {expected}")
    else:
        order.total_amount = expected
    if event.currency and event.currency.lower() != order.currency.lower():
        problems.append(f"charged in {event.currency}, the order is in {order.currency}")
    where = address_problems(address, settings, method_countries=(
        method.country_codes if method is not None else None))
    problems += [f"{field}: {text}" for field, text in where.items() if field != "phone"]
    if problems:
        order.flag = "; ".join(problems)
        log.error("Order %s was paid, but needs a look: %s", order.number, order.flag)
