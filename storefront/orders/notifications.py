"""The default notification plugin: the shopper's emails about their order, via the outbox.

Each hook runs inside the transaction that changes the order, before its commit: it adds
one outbox message (its `dedupe_key` names the event, so an event seen twice writes one
message) and never commits or rolls back. The message is delivered after the commit, so
a change that rolls back sends nothing, and one that commits is never left untold.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from plugins.hookspecs import hookimpl

from ..catalog.models import Product, Variant
from ..extensions import db
from ..mail.outbox import queue_message
from ..mail.render import render_email
from ..money import format_money
from ..urls import PAGE_PATHS
from .models import Order, OrderFulfilment

log = logging.getLogger(__name__)


def review_links(order, site_url: str) -> list[tuple[str, str]]:
    """One link per product of the order to its review form, carrying the order's review
    key: the buyer's proof of purchase, which an email address alone never is."""
    skus = {line.sku for line in order.lines}
    products = db.session.execute(
        select(Product.slug, Product.name).join(Variant, Variant.product_id == Product.id)
        .where(Variant.sku.in_(skus)).distinct().order_by(Product.name)).all()
    path = site_url + PAGE_PATHS["product"]
    return [(row.name, f"{path.format(slug=row.slug)}?review={order.review_key}#write-review")
            for row in products]


def subtotal(order) -> int:
    """What the lines add up to (the summary's own figure when it has one)."""
    return order.subtotal_amount or sum(line.quantity * line.unit_amount
                                        for line in order.lines)


def totals(order) -> list[tuple[str, str]]:
    """The summary under the lines, as (label, amount) rows shared by both parts."""
    def money(amount: int) -> str:
        return format_money(amount, order.currency)

    rows = [("Subtotal", money(subtotal(order)))]
    if order.discount_amount:
        rows.append(("Discount", money(-order.discount_amount)))
    if order.shipping_method or order.shipping_amount:
        label = f"Shipping ({order.shipping_method})" if order.shipping_method else "Shipping"
        rows.append((label, money(order.shipping_amount) if order.shipping_amount else "Free"))
    if order.tax_amount and not order.tax_inclusive:
        rows.append(("Tax", money(order.tax_amount)))
    rows.append(("Total paid", money(order.total_amount)))
    if order.tax_amount and order.tax_inclusive:
        rows.append(("Includes tax", money(order.tax_amount)))
    return rows


def _queue(order, *, topic: str, subject: str, dedupe_key: str, template: str,
           **context) -> None:
    """Render `template` and add it to the outbox for the order's shopper."""
    email = render_email(template, order=order, subject=subject, **context)
    order_id = db.session.scalar(select(Order.id).where(Order.number == order.number))
    queued = queue_message(db.session, topic=topic, recipient=order.email,
                           subject=subject, text=email.text, html=email.html,
                           dedupe_key=dedupe_key, order_id=order_id)
    if queued is None:
        log.info("Order %s: %s already queued", order.number, topic)
    else:
        log.info("Order %s: %r queued", order.number, subject)


@hookimpl
def order_paid(order, shop):
    """Queue the order confirmation, once per order."""
    _queue(order, topic="order_paid", subject=f"Your {shop.name} order {order.number}",
           dedupe_key=f"order_paid:{order.number}", template="order_paid", shop=shop,
           totals=totals(order), review_links=review_links(order, shop.site_url))


@hookimpl
def order_fulfilled(order, fulfilment, shop):
    """Queue the shipped email, once per parcel."""
    parcels = db.session.scalar(
        select(func.count()).select_from(OrderFulfilment).join(Order)
        .where(Order.number == order.number))
    _queue(order, topic="order_fulfilled",
           subject=f"Your {shop.name} order {order.number} has shipped",
           dedupe_key=f"order_fulfilled:{order.number}:{max(parcels or 0, 1)}",
           template="order_fulfilled", shop=shop, fulfilment=fulfilment)


@hookimpl
def order_refunded(order, refund, shop):
    """Queue the refund email, once per refund (each leaves a new refunded total)."""
    _queue(order, topic="order_refunded",
           subject=f"Refund on your {shop.name} order {order.number}",
           dedupe_key=f"order_refunded:{order.number}:{refund.refunded_total}",
           template="order_refunded", shop=shop, refund=refund,
           order_total=format_money(order.total_amount, order.currency))


@hookimpl
def order_cancelled(order, cause, shop):
    """Queue the cancellation email when staff cancelled (a shopper who turned back at
    the payment page, or whose payment failed, already knows)."""
    if cause != "staff":
        return
    _queue(order, topic="order_cancelled",
           subject=f"Your {shop.name} order {order.number} was cancelled",
           dedupe_key=f"order_cancelled:{order.number}", template="order_cancelled",
           shop=shop)

