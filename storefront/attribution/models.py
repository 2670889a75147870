"""Daily counters per source (`article:<slug>`, `exercise:<slug>`, `campaign:<name>`,
`direct`), and the touches each order's journey credits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model


class SourceMetric(Model):
    """How often something happened for one source on one day (views, adds to cart)."""

    __tablename__ = "source_metric"

    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class OrderTouch(Model):
    """A source an order's journey credits besides its lines' last touches: the first
    content touch and the campaign that began the visit (`first`), and the content touched
    on the way (`assisted`). Written once, when the order is placed."""

    __tablename__ = "order_touch"
    __table_args__ = (
        UniqueConstraint("order_id", "source", "role", name="uq_order_touch"),
        CheckConstraint("role IN ('first', 'assisted')", name="known_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"),
                                          index=True)
    source: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str] = mapped_column(String(10))
