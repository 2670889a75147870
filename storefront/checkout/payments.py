"""Applying verified payment events to orders: each event at most once, in any order."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from plugins.types import (
    OrderLineSummary,
    OrderSummary,
    PaymentEvent,
    PaymentProviderError,
    ShopInfo,
)

from ..cart.services import empty_cart
from ..orders.models import Order, OrderStatus, PaymentEventRecord
from ..orders.state import Outcome, reaches_later, transition
from ..reviews.services import review_key
from ..settings import Settings
from .charges import record_charge
from .providers import payment_settings
from .shipping import address_from, order_address
from .urls import order_page_url

log = logging.getLogger(__name__)

# What each kind of event asks of the order.
TARGETS = {"paid": OrderStatus.PAID, "failed": OrderStatus.CANCELLED,
           "expired": OrderStatus.CANCELLED, "refunded": OrderStatus.REFUNDED}
WAITING = "waiting"
# Waiting events looked at when an order changes state; more wait for reconciliation.
WAITING_BATCH = 200
# Stripe retries an event for three days; one still waiting for no order after that never
# will find one (it belongs to another shop on the same account).
WAITING_DAYS = 3


@dataclass(frozen=True)
class EventResult:
    """What the shop did with one event (answered to the provider, kept in the log)."""

    # applied, already, refused, ignored, duplicate, unknown_order, waiting
    outcome: str
    order_number: str | None = None
    status: str | None = None


def _find_order(session, event: PaymentEvent) -> Order | None:
    if event.order_number:
        order = session.scalar(select(Order).where(Order.number == event.order_number))
        if order is not None:
            return order
    if event.session_id:
        return session.scalar(select(Order).where(
            Order.payment_session_id == event.session_id,
            Order.payment_provider == event.provider))
    if event.payment_intent:  # refunds name the payment, not the page
        return session.scalar(select(Order).where(
            Order.payment_intent_id == event.payment_intent,
            Order.payment_provider == event.provider))
    return None


def apply_payment_event(session, plugins, event: PaymentEvent, *,
                        settings: Settings) -> EventResult:
    """Store the event, then apply it, in one transaction; a repeated event id does nothing.

    Concurrent deliveries of one event meet at the unique key: one applies it, the
    others find it stored and answer `duplicate`. An event its order cannot take yet (a
    refund before the payment) is kept `waiting` and applied once the order can.
    """
    order = _find_order(session, event)
    record = PaymentEventRecord(provider=event.provider, event_id=event.event_id,
                                kind=event.kind, raw_type=event.raw_type,
                                order_id=order.id if order else None, outcome="received")
    try:
        with session.begin_nested():
            session.add(record)
            session.flush()
    except IntegrityError:
        session.rollback()
        return _redelivered(session, plugins, event, settings)
    return _settle(session, plugins, record, event, order, settings)


def _settle(session, plugins, record: PaymentEventRecord, event: PaymentEvent,
            order: Order | None, settings: Settings) -> EventResult:
    """Apply a stored event and keep its outcome; let the notification plugins write what
    must follow (the confirmation) in the same transaction; commit; then apply the
    events that waited for this one."""
    result = _apply(session, event, order, settings)
    record.outcome = result.outcome
    record.order_id = order.id if order else None
    record.detail = json.dumps(asdict(event)) if result.outcome == WAITING else ""
    if result.outcome == Outcome.APPLIED.value and order is not None:
        if result.status == OrderStatus.PAID:
            notify(session, plugins.hook.order_paid, order=order_summary(order, settings),
                   shop=shop_info(settings))
        elif result.status == OrderStatus.CANCELLED:
            notify(session, plugins.hook.order_cancelled, order=order_summary(order, settings),
                   cause="declined" if event.kind == "failed" else "expired",
                   shop=shop_info(settings))
    session.commit()
    if result.outcome == Outcome.APPLIED.value and order is not None:
        apply_waiting_events(session, plugins, order, settings=settings)
    return result


def notify(session, hook, **kwargs) -> None:
    """Call a notification hook inside the caller's transaction, in a savepoint: what a
    plugin wrote is kept, and a plugin that fails is logged and never undoes the change."""
    try:
        with session.begin_nested():
            hook(**kwargs)
    except Exception:  # a notification must never fail a payment or a staff action
        log.exception("A notification plugin failed on %s", hook.name)


def _redelivered(session, plugins, event: PaymentEvent, settings: Settings) -> EventResult:
    """A stored event delivered again: a duplicate, unless it is still waiting, when it
    is tried again (and keeps waiting if its order still cannot take it)."""
    record = session.scalar(select(PaymentEventRecord).where(
        PaymentEventRecord.provider == event.provider,
        PaymentEventRecord.event_id == event.event_id).with_for_update())
    if record is None or record.outcome != WAITING:
        session.rollback()
        return EventResult("duplicate", event.order_number)
    return _settle(session, plugins, record, event, _find_order(session, event), settings)


def _apply(session, event: PaymentEvent, order: Order | None,
           settings: Settings) -> EventResult:
    target = TARGETS.get(event.kind)
    if target is None:
        return EventResult("ignored", order.number if order else event.order_number)
    if order is None:
        return _no_order(event)
    if order.payment_provider != event.provider:
        # A provider speaks only for its own orders: a signed event from one must never
        # pay, cancel or refund an order placed through another.
        log.error("%s event %s names order %s, placed with %s: refused", event.provider,
                  event.event_id, order.number, order.payment_provider)
        return EventResult("refused", order.number, order.status)
    session.refresh(order)  # the state another worker may have moved it to
    if reaches_later(order.status, target):
        log.info("%s event %s waits until order %s (%s) can be %s", event.provider,
                 event.event_id, order.number, order.status, target)
        return EventResult(WAITING, order.number, order.status)
    outcome = transition(session, order, target)
    if target == OrderStatus.PAID and event.payment_intent and not order.payment_intent_id:
        order.payment_intent_id = event.payment_intent
    if outcome is Outcome.APPLIED and target == OrderStatus.PAID:
        record_charge(session, order, event, settings)
    if outcome is Outcome.APPLIED and target == OrderStatus.PAID and order.cart_id is not None:
        empty_cart(session, order.cart_id)
    if outcome is Outcome.REFUSED and target == OrderStatus.PAID:
        # Money arrived for an order the shop had given up on: staff must refund or ship.
        log.error("Payment received for %s order %s; it needs a refund or a fulfilment.",
                  order.status, order.number)
    return EventResult(outcome.value, order.number, order.status)


def _no_order(event: PaymentEvent) -> EventResult:
    """An event whose order is not found: unknown when it names an order number (orders
    are written before the provider hears of them), else waiting for the payment that
    will name it (a refund that overtook its payment)."""
    if event.order_number:
        log.warning("%s event %s names no known order (%s)", event.provider, event.event_id,
                    event.order_number)
        return EventResult("unknown_order", event.order_number)
    log.info("%s event %s waits for its order (%s)", event.provider, event.event_id,
             event.payment_intent or event.session_id)
    return EventResult(WAITING)


def _stored_event(record: PaymentEventRecord) -> PaymentEvent:
    data = json.loads(record.detail)
    data["shipping_address"] = address_from(data.get("shipping_address"))
    return PaymentEvent(**data)


def _names(event: PaymentEvent, record: PaymentEventRecord, order: Order) -> bool:
    """Whether a waiting event belongs to `order`."""
    return (record.order_id == order.id
            or bool(event.order_number) and event.order_number == order.number
            or bool(event.payment_intent) and event.payment_intent == order.payment_intent_id
            or bool(event.session_id) and event.session_id == order.payment_session_id)


def _waiting_records(session, provider: str | None = None, order_id: int | None = None):
    query = select(PaymentEventRecord).where(PaymentEventRecord.outcome == WAITING)
    if provider is not None:
        query = query.where(PaymentEventRecord.provider == provider)
    if order_id is not None:
        query = query.where(or_(PaymentEventRecord.order_id == order_id,
                                PaymentEventRecord.order_id.is_(None)))
    return session.scalars(query.order_by(PaymentEventRecord.id).limit(WAITING_BATCH)).all()


def apply_waiting_events(session, plugins, order: Order, *, settings: Settings) -> int:
    """Apply the waiting events of `order` it can now take; returns how many were."""
    applied = 0
    for record in _waiting_records(session, order.payment_provider, order.id):
        if record.outcome != WAITING:  # settled meanwhile, by an event applied above
            continue
        event = _stored_event(record)
        if _names(event, record, order):
            result = _settle(session, plugins, record, event, order, settings)
            applied += result.outcome != WAITING
    return applied


def retry_waiting_events(session, plugins, *, give_up_before: datetime,
                         settings: Settings) -> dict[str, int]:
    """Try every waiting event again (reconciliation); those still without an order
    since before `give_up_before` are given up as `unknown_order`."""
    counts = {"waiting_applied": 0, "waiting": 0}
    for record in _waiting_records(session):
        if record.outcome != WAITING:  # settled meanwhile, by an event applied above
            continue
        event = _stored_event(record)
        result = _settle(session, plugins, record, event, _find_order(session, event),
                         settings)
        if result.outcome == WAITING and result.order_number is None \
                and record.received_at < give_up_before:
            log.warning("%s event %s found no order in %s days; given up", event.provider,
                        event.event_id, WAITING_DAYS)
            record.outcome = "unknown_order"
            session.commit()
        counts["waiting" if record.outcome == WAITING else "waiting_applied"] += 1
    return counts


def confirm_with_provider(session, plugins, order: Order, *,
                          settings: Settings) -> EventResult | None:
    """Ask the provider about a pending order and apply what it says (idempotently).

    Used by the success page before the webhook arrives, by the cancel page and by
    reconciliation. Returns None when the provider keeps no state it can be asked about;
    raises PaymentProviderError when it cannot be reached.
    """
    if order.status != OrderStatus.PENDING_PAYMENT or not order.payment_session_id:
        return None
    state = plugins.hook.retrieve_checkout_session(
        provider=order.payment_provider, session_id=order.payment_session_id,
        settings=payment_settings(plugins, order.payment_provider, settings))
    if state is None:
        return None
    if state.status == "complete" and state.payment_status in ("paid", "no_payment_required"):
        kind = "paid"
    elif state.status == "expired":
        kind = "expired"
    else:
        return EventResult("pending", order.number, order.status)
    event = PaymentEvent(provider=order.payment_provider, kind=kind,
                         event_id=f"session:{state.session_id}:{kind}",
                         raw_type=f"session.retrieved.{kind}", order_number=order.number,
                         session_id=state.session_id, payment_status=state.payment_status,
                         amount=state.amount_total, currency=state.currency,
                         payment_intent=state.payment_intent,
                         amount_subtotal=state.amount_subtotal,
                         shipping_amount=state.shipping_amount, tax_amount=state.tax_amount,
                         discount_amount=state.discount_amount,
                         shipping_rate=state.shipping_rate,
                         shipping_address=state.shipping_address)
    return apply_payment_event(session, plugins, event, settings=settings)


def cancel_checkout(session, plugins, order: Order, *, settings: Settings) -> str:
    """The shopper turned back at the payment page: close it, then cancel unless it was paid.

    Returns the order's status afterwards. If the provider cannot be reached the order
    stays pending, and reconciliation settles it later.
    """
    if order.status != OrderStatus.PENDING_PAYMENT:
        return order.status
    try:
        if order.payment_session_id:
            plugins.hook.expire_checkout_session(
                provider=order.payment_provider, session_id=order.payment_session_id,
                settings=payment_settings(plugins, order.payment_provider, settings))
        result = confirm_with_provider(session, plugins, order, settings=settings)
    except PaymentProviderError as exc:
        log.warning("Could not close the payment page of %s: %s", order.number, exc)
        return order.status
    if result is None:  # the provider keeps no state: its page is closed, so cancel
        if transition(session, order, OrderStatus.CANCELLED) is Outcome.APPLIED:
            notify(session, plugins.hook.order_cancelled, order=order_summary(order, settings),
                   cause="abandoned", shop=shop_info(settings))
        session.commit()
    return order.status


def was_declined(session, order: Order) -> bool:
    """Whether the provider said the order's payment failed (a declined card, a bounced
    debit), rather than the shopper turning back."""
    return session.scalar(select(PaymentEventRecord.id).where(
        PaymentEventRecord.order_id == order.id, PaymentEventRecord.kind == "failed",
        PaymentEventRecord.outcome == Outcome.APPLIED.value).limit(1)) is not None


def order_summary(order: Order, settings: Settings) -> OrderSummary:
    """The plain value that notification plugins receive."""
    return OrderSummary(
        number=order.number, email=order.email, status=order.status,
        total_amount=order.total_amount, currency=order.currency,
        review_key=review_key(settings.secret_key, order.number),
        lines=tuple(OrderLineSummary(sku=line.sku, name=line.name, quantity=line.quantity,
                                     unit_amount=line.unit_amount, currency=line.currency)
                    for line in order.lines),
        subtotal_amount=order.subtotal, shipping_amount=order.shipping_amount,
        shipping_method=order.shipping_method, tax_amount=order.tax_amount,
        tax_inclusive=order.tax_inclusive, discount_amount=order.discount_amount,
        refunded_amount=order.refunded_amount, shipping_address=order_address(order),
        url=order_page_url(settings, order.number))


def shop_info(settings: Settings) -> ShopInfo:
    """What notification plugins may know of the shop: its name and its pages' address."""
    return ShopInfo(name=settings.shop_name, site_url=settings.site_url,
                    environment=settings.env)
