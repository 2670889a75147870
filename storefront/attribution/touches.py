"""What an order's journey credits besides its lines' sources: first and assisted touches.

Written once, when the order is placed, so the report reads rows instead of walking
every order's journey, and a journey edited later (it never is) could not rewrite
history.
"""

from __future__ import annotations

from sqlalchemy import insert, select

from ..cart.models import Cart
from ..discounts.models import DiscountCode
from ..orders.models import Order
from . import journeys
from .models import OrderTouch
from .services import CAMPAIGN_PREFIX, CONTENT_KINDS


def touch_roles(touches: tuple[str, ...] | list[str],
                line_sources: set[str]) -> list[tuple[str, str]]:
    """(source, role) pairs for an order: `first` for the first content touch (article
    or exercise) and `first` for the first campaign touch; `assisted` for every other
    touch that is neither of those nor the source of one of the order's lines."""
    firsts: list[str] = []
    content = next((t for t in touches if t.partition(":")[0] in CONTENT_KINDS), None)
    campaign = next((t for t in touches if t.startswith(CAMPAIGN_PREFIX)), None)
    for first in (content, campaign):
        if first is not None:
            firsts.append(first)
    roles = [(source, "first") for source in firsts]
    assisted: list[str] = []
    for touch in touches:
        if touch not in firsts and touch not in line_sources and touch not in assisted:
            assisted.append(touch)
    return roles + [(source, "assisted") for source in assisted]


def record_order_journey(session, order: Order, cart_id: int) -> None:
    """Copy the cart's journey onto `order` (just written, not yet committed) and write
    its `order_touch` rows. A discount code tied to a source (an article's own code, a
    campaign's) counts as the journey's last touch. The caller commits."""
    journey = journeys.from_json(session.scalar(select(Cart.journey).where(Cart.id == cart_id)))
    if order.discount_code:
        code_source = session.scalar(select(DiscountCode.source).where(
            DiscountCode.code == order.discount_code.upper()))
        journey = journeys.add_touch(journey, code_source)
    if journey == journeys.EMPTY:
        return
    order.journey = journeys.to_json(journey)
    line_sources = {line.source for line in order.lines if line.source}
    rows = [{"order_id": order.id, "source": source, "role": role}
            for source, role in touch_roles(journey.touches, line_sources)]
    session.flush()
    if rows:
        session.execute(insert(OrderTouch), rows)
