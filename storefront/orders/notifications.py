"""The default notification plugin: order confirmations go to the outbox and the log."""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from plugins.hookspecs import hookimpl

from ..extensions import db
from ..money import format_money
from .models import OutboxMessage

log = logging.getLogger(__name__)


def confirmation_text(order) -> str:
    """The body of an order confirmation, in plain text."""
    lines = [f"Thank you for your order {order.number}.", ""]
    for line in order.lines:
        lines.append(f"{line.quantity} × {line.name}  "
                     f"{format_money(line.quantity * line.unit_amount, line.currency)}")
    lines += ["", f"Total paid: {format_money(order.total_amount, order.currency)}", "",
              "We will let you know when it ships."]
    return "\n".join(lines)


@hookimpl
def order_paid(order):
    """Queue the confirmation message once per order (a repeat is ignored)."""
    message = OutboxMessage(topic="order_paid", recipient=order.email,
                            subject=f"Your Better Band order {order.number}",
                            body=confirmation_text(order), dedupe_key=f"order_paid:{order.number}")
    try:
        with db.session.begin_nested():
            db.session.add(message)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return
    log.info("Order %s paid: confirmation %r queued", order.number, message.subject)
