"""The order desk's rules: finding orders for staff, and fulfilling, refunding and
cancelling them. Each change is written to the audit log (`StaffAction`), and told to the
notification plugins (which write the emails to the outbox), inside the transaction that
makes it; a notification that fails is logged and never undoes the change."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import and_, func, or_, select, update

from plugins.types import FulfilmentSummary, PaymentProviderError, RefundSummary

from ..checkout.payments import notify, order_summary, shop_info
from ..checkout.providers import payment_settings
from ..errors import ConflictError, InvalidError, NotFoundError, UpstreamError
from ..money import format_money
from ..pagination import keyset_page
from ..settings import Settings
from .models import (
    PAID_STATUSES,
    Order,
    OrderFulfilment,
    OrderRefund,
    OrderStatus,
    OutboxMessage,
    PaymentEventRecord,
    StaffAction,
)
from .state import Outcome, transition

log = logging.getLogger(__name__)

SUBJECT = "order"  # StaffAction.subject_type of the desk's rows


class RefundStatus(StrEnum):
    """Where a refund stands: asked of the provider, done, or refused (counts for nothing)."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class DeskAction(StrEnum):
    """What the audit log records of the order desk."""

    FULFIL = "fulfil"
    REFUND = "refund"
    REFUND_FAILED = "refund_failed"
    CANCEL = "cancel"


@dataclass(frozen=True)
class OrderFilter:
    """What staff look for: a status, a number or email fragment, a range of days (UTC)."""

    status: str | None = None
    q: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class OrderRecord:
    """An order with what only staff see: its payment events, emails and audit rows."""

    order: Order
    events: list[PaymentEventRecord]
    messages: list[OutboxMessage]
    actions: list[StaffAction]


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def find_orders(session, filters: OrderFilter, *, limit: int,
                cursor: str | None) -> tuple[list[Order], str | None]:
    """One page of orders, newest first; one query whatever the page's depth."""
    stmt = select(Order)
    if filters.status:
        stmt = stmt.where(Order.status == filters.status)
    text = (filters.q or "").strip().lower()
    if text:
        stmt = stmt.where(or_(func.lower(Order.number).contains(text, autoescape=True),
                              func.lower(Order.email).contains(text, autoescape=True)))
    if filters.since:
        stmt = stmt.where(Order.created_at >= _day_start(filters.since))
    if filters.until:
        stmt = stmt.where(Order.created_at < _day_start(filters.until + timedelta(days=1)))
    return keyset_page(session, stmt, [Order.id], limit=limit, cursor=cursor, descending=True)


def get_order(session, number: str) -> Order:
    """The order with this number; none is a `NotFoundError`."""
    order = session.scalar(select(Order).where(Order.number == number.strip().upper()))
    if order is None:
        raise NotFoundError(f"No order {number}.", reason="order_not_found")
    return order


def order_record(session, number: str) -> OrderRecord:
    """The order and its payment events, emails and audit log, oldest first."""
    order = get_order(session, number)
    events = session.scalars(select(PaymentEventRecord)
                             .where(PaymentEventRecord.order_id == order.id)
                             .order_by(PaymentEventRecord.id)).all()
    messages = session.scalars(select(OutboxMessage).where(OutboxMessage.order_id == order.id)
                               .order_by(OutboxMessage.id)).all()
    actions = session.scalars(select(StaffAction).where(
        StaffAction.subject_type == SUBJECT, StaffAction.subject == order.number)
        .order_by(StaffAction.id)).all()
    return OrderRecord(order, list(events), list(messages), list(actions))


def refundable(order: Order) -> int:
    """What may still be refunded: the total less every refund not refused (minor units)."""
    if order.status not in PAID_STATUSES:
        return 0
    return max(0, order.total_amount - order.refunded_amount)


def _audit(session, actor: str, action: DeskAction, order: Order, detail: str) -> None:
    session.add(StaffAction(actor=actor, action=action, subject_type=SUBJECT,
                            subject=order.number, detail=detail))


def _locked_order(session, number: str) -> Order:
    """The order, its row locked until commit (PostgreSQL; SQLite serialises writers)."""
    order = session.scalar(select(Order).where(Order.number == number.strip().upper())
                           .with_for_update().execution_options(populate_existing=True))
    if order is None:
        session.rollback()
        raise NotFoundError(f"No order {number}.", reason="order_not_found")
    return order


def fulfil(session, plugins, number: str, *, actor: str, settings: Settings, carrier: str = "",
           tracking_number: str = "", tracking_url: str = "") -> Order:
    """paid -> fulfilled, with the parcel's carrier and tracking; anything else is a conflict."""
    order = get_order(session, number)
    if transition(session, order, OrderStatus.FULFILLED) is not Outcome.APPLIED:
        status = order.status
        session.rollback()
        raise ConflictError(f"Order {order.number} is {status}; only paid orders can be "
                            "fulfilled.", reason="order_not_paid", status=status)
    parcel = OrderFulfilment(order_id=order.id, carrier=carrier, tracking_number=tracking_number,
                             tracking_url=tracking_url, actor=actor)
    session.add(parcel)
    _audit(session, actor, DeskAction.FULFIL, order,
           " ".join(p for p in (carrier, tracking_number, tracking_url) if p) or "no tracking")
    session.flush()
    notify(session, plugins.hook.order_fulfilled, order=order_summary(order, settings),
           fulfilment=FulfilmentSummary(carrier=carrier, tracking_number=tracking_number,
                                        tracking_url=tracking_url), shop=shop_info(settings))
    session.commit()
    log.info("Order %s fulfilled by %s", order.number, actor)
    return order


def _refund_refused(order: Order, amount: int, remaining: int) -> InvalidError:
    left = format_money(remaining, order.currency)
    return InvalidError(f"At most {left} of order {order.number} can be refunded; "
                        f"{format_money(amount, order.currency)} is more.",
                        field="amount", remaining=remaining)


@dataclass(frozen=True)
class ReservedRefund:
    """A refund counted against its order and committed, to be asked of the provider."""

    id: int
    key: str
    amount: int
    currency: str
    order_number: str
    provider: str
    payment_intent: str | None
    session_id: str | None


def _reserve_refund(session, number: str, amount: int, actor: str) -> ReservedRefund:
    """Count the refund against the order before the provider hears of it, so that
    refunds asked at once can never add up to more than was paid; commits."""
    order = _locked_order(session, number)
    if order.status not in PAID_STATUSES:
        status = order.status
        session.rollback()
        raise ConflictError(f"Order {order.number} is {status}; only paid or fulfilled "
                            "orders can be refunded.", reason="order_not_paid", status=status)
    remaining = refundable(order)
    if amount > remaining:
        session.rollback()
        raise _refund_refused(order, amount, remaining)
    # The guard holds even where the lock above is not taken.
    reserved = session.execute(
        update(Order).where(Order.id == order.id, Order.status.in_(PAID_STATUSES),
                            Order.refunded_amount + amount <= Order.total_amount)
        .values(refunded_amount=Order.refunded_amount + amount)
        .execution_options(synchronize_session=False))
    if reserved.rowcount != 1:
        session.rollback()
        raise _refund_refused(order, amount, refundable(order))
    # Under the row's lock, so the count (and the key it makes) is this refund's alone.
    earlier = session.scalar(select(func.count()).select_from(OrderRefund)
                             .where(OrderRefund.order_id == order.id))
    refund = OrderRefund(order_id=order.id, amount=amount, currency=order.currency,
                         status=RefundStatus.PENDING, key=f"refund-{order.number}-{earlier + 1}",
                         actor=actor)
    session.add(refund)
    _audit(session, actor, DeskAction.REFUND, order,
           f"{format_money(amount, order.currency)} asked of the payment provider ({refund.key})")
    session.flush()
    reservation = ReservedRefund(
        id=refund.id, key=refund.key, amount=amount, currency=order.currency,
        order_number=order.number, provider=order.payment_provider,
        payment_intent=order.payment_intent_id, session_id=order.payment_session_id)
    session.commit()
    return reservation


def _give_back(session, reserved: ReservedRefund, actor: str, why: str) -> None:
    """The provider refused: the refund counts for nothing, its amount is refundable again."""
    order = _locked_order(session, reserved.order_number)
    session.execute(update(Order).where(Order.id == order.id,
                                        Order.refunded_amount >= reserved.amount)
                    .values(refunded_amount=Order.refunded_amount - reserved.amount)
                    .execution_options(synchronize_session=False))
    session.execute(update(OrderRefund).where(OrderRefund.id == reserved.id)
                    .values(status=RefundStatus.FAILED)
                    .execution_options(synchronize_session=False))
    _audit(session, actor, DeskAction.REFUND_FAILED, order,
           f"{format_money(reserved.amount, reserved.currency)} ({reserved.key}): {why}"[:2000])
    session.commit()


def _accepted_total(session, order: Order) -> int:
    """What the provider has taken on: refunds done, or accepted and still settling."""
    return session.scalar(select(func.coalesce(func.sum(OrderRefund.amount), 0)).where(
        OrderRefund.order_id == order.id,
        or_(OrderRefund.status == RefundStatus.SUCCEEDED,
            and_(OrderRefund.status == RefundStatus.PENDING,
                 OrderRefund.provider_refund_id.is_not(None))))) or 0


def refund(session, plugins, number: str, amount: int, *, actor: str,
           settings: Settings) -> OrderRefund:
    """Give back `amount` (minor units) of a paid or fulfilled order through its provider.

    The amount is counted against the order (a guarded UPDATE under the row's lock) and
    committed before the provider is asked, with a key of its own as idempotency key; a
    provider that fails or refuses gives it back (`UpstreamError`). The order becomes
    `refunded` once what the provider accepted covers its total."""
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InvalidError("The amount must be a whole number of minor units above 0.",
                           field="amount")
    reserved = _reserve_refund(session, number, amount, actor)
    try:
        result = plugins.hook.refund_payment(
            provider=reserved.provider, payment_intent=reserved.payment_intent,
            session_id=reserved.session_id, amount=amount, currency=reserved.currency,
            key=reserved.key, settings=payment_settings(plugins, reserved.provider, settings))
    except PaymentProviderError as exc:
        log.error("Refund %s failed: %s", reserved.key, exc)
        _give_back(session, reserved, actor, str(exc))
        raise UpstreamError("The payment provider did not make the refund, so nothing was "
                            "refunded; try again in a moment.") from exc
    if result is None or result.status == RefundStatus.FAILED:
        why = "no payment plugin answers" if result is None else "the provider refused it"
        log.error("Refund %s failed: %s", reserved.key, why)
        _give_back(session, reserved, actor, why)
        raise UpstreamError(f"The payment provider did not make the refund ({why}), so "
                            "nothing was refunded.")
    return _settle_refund(session, plugins, reserved, result, settings)


def _settle_refund(session, plugins, reserved: ReservedRefund, result,
                   settings: Settings) -> OrderRefund:
    """Keep the provider's answer; the order is `refunded` once nothing of it remains."""
    order = _locked_order(session, reserved.order_number)
    refund = session.get(OrderRefund, reserved.id, populate_existing=True)
    refund.provider_refund_id = result.refund_id
    refund.status = (RefundStatus.SUCCEEDED if result.status == RefundStatus.SUCCEEDED
                     else RefundStatus.PENDING)  # accepted, still settling at the provider
    session.flush()
    full = _accepted_total(session, order) >= order.total_amount
    if full:
        transition(session, order, OrderStatus.REFUNDED)
    summary = RefundSummary(amount=refund.amount, currency=refund.currency,
                            refunded_total=order.refunded_amount, full=full)
    notify(session, plugins.hook.order_refunded, order=order_summary(order, settings),
           refund=summary, shop=shop_info(settings))
    session.commit()
    log.info("Refund %s: %s", refund.key, refund.status)
    return refund


def cancel(session, plugins, number: str, *, actor: str, settings: Settings) -> Order:
    """Cancel an order still waiting for payment and put its stock back, once the provider
    has closed its payment page; one paid meanwhile is a conflict and stays as it is."""
    order = get_order(session, number)
    if order.status != OrderStatus.PENDING_PAYMENT:
        status = order.status
        session.rollback()
        raise ConflictError(f"Order {order.number} is {status}; only orders waiting for "
                            "payment can be cancelled.", status=status)
    number, provider = order.number, order.payment_provider
    intent, page = order.payment_intent_id, order.payment_session_id
    session.rollback()  # no transaction stays open while the provider is asked
    try:
        result = plugins.hook.cancel_payment(
            provider=provider, payment_intent=intent, session_id=page,
            settings=payment_settings(plugins, provider, settings))
    except PaymentProviderError as exc:
        log.error("Could not cancel the payment of order %s: %s", number, exc)
        raise UpstreamError("The payment provider could not be asked to close the payment "
                            "page, so the order is unchanged; try again in a moment.") from exc
    if result is None:
        raise UpstreamError("No payment plugin answers for this order's provider, so the "
                            "order is unchanged.")
    if result.paid:
        log.warning("Order %s was paid while staff cancelled it", number)
        raise ConflictError(f"Order {number} has been paid meanwhile, so it was not "
                            "cancelled; refund or fulfil it once the payment is recorded.",
                            status=OrderStatus.PAID)
    if not result.cancelled:
        raise UpstreamError("The payment provider did not close the payment page, so the "
                            "order is unchanged; try again in a moment.")
    if transition(session, order, OrderStatus.CANCELLED) is not Outcome.APPLIED:
        status = order.status
        session.rollback()
        raise ConflictError(f"Order {number} is {status}; only orders waiting for payment "
                            "can be cancelled.", status=status)
    _audit(session, actor, DeskAction.CANCEL, order, "stock put back")
    notify(session, plugins.hook.order_cancelled, order=order_summary(order, settings),
           cause="staff", shop=shop_info(settings))
    session.commit()
    log.info("Order %s cancelled by %s", number, actor)
    return order
