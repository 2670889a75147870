"""The default notification plugin: order confirmations go to the outbox and the log."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from plugins.hookspecs import hookimpl

from ..catalog.models import Product, Variant
from ..extensions import db
from ..money import format_money
from ..urls import PAGE_PATHS
from .models import OutboxMessage

log = logging.getLogger(__name__)


def confirmation_text(order, review_links: Sequence[tuple[str, str]] = ()) -> str:
    """The body of an order confirmation, in plain text."""
    lines = [f"Thank you for your order {order.number}.", ""]
    for line in order.lines:
        lines.append(f"{line.quantity} × {line.name}  "
                     f"{format_money(line.quantity * line.unit_amount, line.currency)}")
    lines += ["", f"Total paid: {format_money(order.total_amount, order.currency)}", "",
              "We will let you know when it ships."]
    if review_links:
        lines += ["", "Once you have tried it, tell others what you think. A review sent "
                  "from these links shows that you bought what you review:"]
        lines += [f"- {name}: {url}" for name, url in review_links]
    return "\n".join(lines)


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


@hookimpl
def order_paid(order, shop):
    """Queue the confirmation message once per order (a repeat is ignored)."""
    message = OutboxMessage(topic="order_paid", recipient=order.email,
                            subject=f"Your {shop.name} order {order.number}",
                            body=confirmation_text(order, review_links(order, shop.site_url)),
                            dedupe_key=f"order_paid:{order.number}")
    try:
        with db.session.begin_nested():
            db.session.add(message)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return
    log.info("Order %s paid: confirmation %r queued", order.number, message.subject)
