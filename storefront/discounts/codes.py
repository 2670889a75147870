"""Staff rules for discount codes: creating, changing and listing them, with the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..attribution.services import is_source, order_revenue, source_exists
from ..errors import ConflictError, InvalidError, NotFoundError
from ..money import Money
from ..orders.models import PAID_STATUSES, Order, StaffAction
from .models import DiscountCode
from .services import is_code, normalise_code

SUBJECT_TYPE = "discount_code"
# Sources a code may credit: an article that exists, or a named campaign.
SOURCE_KINDS = ("article:", "campaign:")
KINDS = ("percent_off", "amount_off")
FIELDS = ("percent_off", "amount_off", "min_subtotal", "starts_at", "ends_at", "max_uses",
          "max_uses_per_email", "source", "active")


def list_codes(session) -> list[DiscountCode]:
    """Every code, newest first."""
    return list(session.scalars(select(DiscountCode).order_by(DiscountCode.id.desc())))


@dataclass(frozen=True)
class CodeSales:
    """What the paid and fulfilled orders that used a code brought in."""

    orders: int
    revenue: int  # the goods less the discount, net of partial refunds, as reports count it
    discounted: int  # what the code took off them


def sales_by_code(session) -> dict[str, CodeSales]:
    """Per code, the paid and fulfilled orders that used it (fully refunded ones count
    nowhere), their revenue counted by the attribution report's one rule
    (`order_revenue`), in one query."""
    tallies: dict[str, list[int]] = {}
    for row in session.execute(
            select(Order.discount_code, Order.subtotal_amount, Order.discount_amount,
                   Order.total_amount, Order.refunded_amount)
            .where(Order.discount_code.is_not(None), Order.status.in_(PAID_STATUSES))):
        tally = tallies.setdefault(row.discount_code, [0, 0, 0])
        tally[0] += 1
        tally[1] += order_revenue(row.subtotal_amount, row.discount_amount,
                                  row.total_amount, row.refunded_amount)
        tally[2] += row.discount_amount
    return {code: CodeSales(*tally) for code, tally in tallies.items()}


NO_SALES = CodeSales(0, 0, 0)


def get_code(session, text) -> DiscountCode:
    """The code typed as `text` (any case), or NotFoundError."""
    code = normalise_code(text)
    found = session.scalar(select(DiscountCode).where(DiscountCode.code == code)) \
        if is_code(code) else None
    if found is None:
        raise NotFoundError(f"No discount code {code or text!r}.")
    return found


def _check(session, values: Mapping[str, Any]) -> None:
    """What the schema cannot judge alone: one kind, a window in order, a real source."""
    if (values.get("percent_off") is None) == (values.get("amount_off") is None):
        raise InvalidError("Give either percent_off or amount_off, not both or neither.",
                           field="percent_off")
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if starts is not None and ends is not None and ends <= starts:
        raise InvalidError("ends_at must be after starts_at.", field="ends_at")
    source = values.get("source")
    if source is not None and not (is_source(source) and source.startswith(SOURCE_KINDS)
                                   and source_exists(session, source)):
        raise InvalidError(f"{source!r} is neither a published article (article:<slug>) nor "
                           "a campaign (campaign:<name>).", reason="unknown_source",
                           field="source")


def create_code(session, data: Mapping[str, Any], *, currency: str, actor: str) -> DiscountCode:
    """A new code in the shop's `currency`, written to the audit log; the caller commits."""
    code = normalise_code(data.get("code"))
    if not is_code(code):
        raise InvalidError("A code is 3 to 40 letters, digits, - or _.", field="code")
    values = {name: data.get(name) for name in FIELDS}
    values["active"] = True if values["active"] is None else values["active"]
    _check(session, values)
    row = DiscountCode(code=code, currency=currency.lower(), used=0, **values)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise ConflictError(f"The code {code} already exists.",
                            reason="discount_code_taken") from None
    _audit(session, actor, "create", code, _describe(values))
    return row


def update_code(session, text, data: Mapping[str, Any], *, actor: str) -> DiscountCode:
    """Change some fields of a code (those left out keep their values; giving one kind
    drops the other); `active: false` deactivates it. The caller commits."""
    row = get_code(session, text)
    changes = {name: data[name] for name in FIELDS if name in data}
    values = {name: getattr(row, name) for name in FIELDS}
    for kind in KINDS:
        if changes.get(kind) is not None:
            other = KINDS[1 - KINDS.index(kind)]
            if changes.get(other) is not None:
                raise InvalidError("Give either percent_off or amount_off, not both.",
                                   field="percent_off")
            values[other] = None
    values.update(changes)
    if values["active"] is None:
        values["active"] = True
    _check(session, values)
    for name, value in values.items():
        setattr(row, name, value)
    _audit(session, actor, "deactivate" if changes.get("active") is False else "update",
           row.code, _describe(changes))
    session.flush()
    return row


def _describe(values: Mapping[str, Any]) -> str:
    shown = []
    for name, value in values.items():
        if value is None:
            continue
        shown.append(f"{name}: {value.isoformat() if isinstance(value, datetime) else value}")
    return ", ".join(shown) or "no change"


def _audit(session, actor: str, action: str, code: str, detail: str) -> None:
    session.add(StaffAction(actor=actor, action=f"discount_{action}", subject_type=SUBJECT_TYPE,
                            subject=code, detail=detail[:4000]))


def remaining(row: DiscountCode) -> int | None:
    """Uses left (None: no limit)."""
    return None if row.max_uses is None else max(0, row.max_uses - row.used)


def code_dict(row: DiscountCode, sales: CodeSales = NO_SALES) -> dict:
    """A code as the staff API shows it (money in minor units of `currency`), with what
    its paid orders brought in."""
    return {"sales": {"orders": sales.orders,
                      "revenue": Money(sales.revenue, row.currency).as_dict(),
                      "discounted": Money(sales.discounted, row.currency).as_dict()},
            "code": row.code, "percent_off": row.percent_off, "amount_off": row.amount_off,
            "currency": row.currency, "min_subtotal": row.min_subtotal,
            "starts_at": row.starts_at, "ends_at": row.ends_at, "max_uses": row.max_uses,
            "max_uses_per_email": row.max_uses_per_email, "used": row.used,
            "remaining": remaining(row), "source": row.source, "active": row.active,
            "created_at": row.created_at}
