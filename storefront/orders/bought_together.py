"""What else shoppers bought in the paid orders that a piece of content led to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Integer, bindparam, func, select

from ..catalog.models import Product, Variant
from ..catalog.services import PUBLIC_STATUS
from ..money import Money
from .models import PAID_STATUSES, Order, OrderLine


@dataclass(frozen=True, slots=True)
class BoughtProduct:
    """A public product bought in `orders` paid orders that a source led to."""

    slug: str
    name: str
    kind: str
    orders: int
    price_from: Money | None  # the lowest price of an active variant
    single_price: bool  # every active variant costs the same


def bought_together(session, source: str, *, exclude: Iterable[int] = (),
                    limit: int = 3) -> list[BoughtProduct]:
    """The active products most often bought in paid or fulfilled orders that have a line
    from `source` (`article:<slug>`), by how many such orders hold them, leaving out the
    products `exclude` names. One query: the grouping and counting happen in the database,
    and the lowest active price comes with each row."""
    excluded = list(exclude)
    params: dict = {"source": source, "limit": limit}
    if excluded:
        params["exclude"] = excluded
    return [BoughtProduct(slug=row.slug, name=row.name, kind=row.kind or "",
                          orders=row.orders, single_price=row.prices == 1,
                          price_from=(Money(int(row.price_amount), row.currency)
                                      if row.price_amount is not None else None))
            for row in session.execute(_statement(bool(excluded)), params)]


@cache
def _statement(excluding: bool):
    """The query, built once per process (it is only code: every value is a parameter),
    since building it costs more than running it on a page that shows it."""
    led = select(OrderLine.order_id).where(OrderLine.source == bindparam("source"))
    cheapest = (select(func.min(Variant.price_amount))
                .where(Variant.product_id == Product.id, Variant.active.is_(True))
                .correlate(Product).scalar_subquery())
    prices = (select(func.count(func.distinct(Variant.price_amount)))
              .where(Variant.product_id == Product.id, Variant.active.is_(True))
              .correlate(Product).scalar_subquery())
    currency = (select(Variant.currency)
                .where(Variant.product_id == Product.id, Variant.active.is_(True))
                .order_by(Variant.price_amount, Variant.id).limit(1)
                .correlate(Product).scalar_subquery())
    orders = func.count(func.distinct(OrderLine.order_id)).label("orders")
    stmt = (select(Product.slug, Product.name, Product.kind, orders,
                   cheapest.label("price_amount"), currency.label("currency"),
                   prices.label("prices"))
            .select_from(OrderLine)
            .join(Order, Order.id == OrderLine.order_id)
            .join(Product, Product.id == OrderLine.product_id)
            .where(Order.status.in_([s.value for s in PAID_STATUSES]),
                   OrderLine.order_id.in_(led), Product.status == PUBLIC_STATUS)
            .group_by(Product.id, Product.slug, Product.name, Product.kind)
            .order_by(orders.desc(), Product.id)
            .limit(bindparam("limit", type_=Integer)))
    if excluding:
        stmt = stmt.where(Product.id.not_in(bindparam("exclude", expanding=True)))
    return stmt
