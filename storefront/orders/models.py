"""Order tables: snapshots of what was bought, and every payment event received."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..timeutil import UTCDateTime, utcnow


class OrderStatus(StrEnum):
    """Where an order stands (`orders.state` moves it); stored and shown as the value."""

    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


# Orders the shop has been paid for and still keeps the money of (shipped or not).
PAID_STATUSES = (OrderStatus.PAID, OrderStatus.FULFILLED)


class Order(Model):
    """A placed order: who, what (as it was when bought), how much, and where it stands."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(f"status IN ({', '.join(repr(s.value) for s in OrderStatus)})",
                        name="known_status"),
        CheckConstraint("total_amount >= 0", name="total_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.PENDING_PAYMENT,
                                        index=True)
    currency: Mapped[str] = mapped_column(String(3))
    # total = subtotal + shipping + tax (unless included in the prices) - discount: what the
    # provider charged, taken from the provider's own figures when the order is paid.
    total_amount: Mapped[int] = mapped_column(BigInteger)
    subtotal_amount: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    shipping_amount: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    tax_amount: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    tax_inclusive: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    discount_amount: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    discount_code: Mapped[str | None] = mapped_column(String(60))
    # The journey that led to the order, as the cart held it at checkout.
    journey: Mapped[dict | None] = mapped_column(JSON)
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    shipping_method_id: Mapped[int | None] = mapped_column(
        ForeignKey("shipping_method.id", ondelete="SET NULL"))
    shipping_method: Mapped[str | None] = mapped_column(String(120))  # its name, as chosen
    # The provider's ids of the shipping rates offered, as JSON {rate id: method id}.
    shipping_offer: Mapped[str | None] = mapped_column(Text)
    ship_name: Mapped[str | None] = mapped_column(String(200))
    ship_line1: Mapped[str | None] = mapped_column(String(200))
    ship_line2: Mapped[str | None] = mapped_column(String(200))
    ship_city: Mapped[str | None] = mapped_column(String(120))
    ship_postal_code: Mapped[str | None] = mapped_column(String(20))
    ship_region: Mapped[str | None] = mapped_column(String(120))
    ship_country: Mapped[str | None] = mapped_column(String(2))
    ship_phone: Mapped[str | None] = mapped_column(String(40))
    # Why staff must look at this order (amounts that differ from what was charged, a
    # shipping method that does not serve the address); empty when all is well.
    flag: Mapped[str] = mapped_column(Text, default="", server_default="")
    cart_id: Mapped[int | None] = mapped_column(ForeignKey("cart.id", ondelete="SET NULL"),
                                                index=True)
    payment_provider: Mapped[str] = mapped_column(String(40))
    payment_session_id: Mapped[str | None] = mapped_column(String(255), index=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), index=True)
    # A digest of the address that placed the order, to bound what one client may hold.
    client_key: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id")
    refunds: Mapped[list[OrderRefund]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderRefund.id")
    fulfilments: Mapped[list[OrderFulfilment]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderFulfilment.id")

    @property
    def subtotal(self) -> int:
        """What the lines add up to (orders from before shipping and tax: the total)."""
        return self.subtotal_amount or sum(line.quantity * line.unit_amount for line in self.lines)

    @property
    def has_address(self) -> bool:
        return bool(self.ship_country)


class ShippingMethod(Model):
    """A way of sending an order, as staff set it up: price, estimate, where it goes."""

    __tablename__ = "shipping_method"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    estimate: Mapped[str] = mapped_column(String(120), default="")  # "3-5 business days"
    min_days: Mapped[int | None] = mapped_column(Integer)
    max_days: Mapped[int | None] = mapped_column(Integer)
    countries: Mapped[str] = mapped_column(Text, default="")  # ISO codes, comma-separated
    free_above: Mapped[int | None] = mapped_column(BigInteger)  # a subtotal at least this
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def country_codes(self) -> tuple[str, ...]:
        return tuple(c.strip().upper() for c in self.countries.split(",") if c.strip())


class OrderRefund(Model):
    """Money given back on an order, in full or in part, through its payment provider."""

    __tablename__ = "order_refund"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # pending (asked for), succeeded, failed (the provider refused: it counts for nothing)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    key: Mapped[str] = mapped_column(String(80), unique=True)  # the idempotency key
    provider_refund_id: Mapped[str | None] = mapped_column(String(255))
    actor: Mapped[str] = mapped_column(String(254), default="")  # the staff member
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship(back_populates="refunds")


class OrderFulfilment(Model):
    """A parcel sent for an order: the carrier and the tracking number the shopper gets."""

    __tablename__ = "order_fulfilment"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    carrier: Mapped[str] = mapped_column(String(80), default="")
    tracking_number: Mapped[str] = mapped_column(String(120), default="")
    tracking_url: Mapped[str] = mapped_column(String(500), default="")
    actor: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship(back_populates="fulfilments")


class StaffAction(Model):
    """The audit log of what staff did to orders (and, later, to the catalogue)."""

    __tablename__ = "staff_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))  # fulfil, refund, cancel ...
    subject_type: Mapped[str] = mapped_column(String(40))  # "order"
    subject: Mapped[str] = mapped_column(String(200), index=True)  # the order number
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class OrderLine(Model):
    """One variant of an order, with its name and price as they were at checkout."""

    __tablename__ = "order_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("variant.id", ondelete="SET NULL"), index=True)
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("product.id", ondelete="SET NULL"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    source: Mapped[str | None] = mapped_column(String(200), index=True)

    order: Mapped[Order] = relationship(back_populates="lines")


class PaymentEventRecord(Model):
    """A provider event, stored before it is applied so it is applied at most once."""

    __tablename__ = "payment_event"
    __table_args__ = (UniqueConstraint("provider", "event_id", name="uq_payment_event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(40))
    raw_type: Mapped[str] = mapped_column(String(100))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"),
                                                 index=True)
    outcome: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxStatus(StrEnum):
    """Where a message stands: waiting (perhaps after a failed try), sent, or given up."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Model):
    """A message to send, written in the transaction of the change it tells of.

    Delivered after commit and by `storefront outbox deliver`; `dedupe_key` keeps one
    message per event however often the event is seen."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(60), index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # the plain-text part
    html_body: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[str | None] = mapped_column(Text)  # extra headers, as JSON
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"),
                                                 index=True)
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.PENDING,
                                        server_default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
