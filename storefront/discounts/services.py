"""Discount rules: whether a code applies to a cart, what it takes off, and its use count.

A code takes a percentage or a fixed amount off the goods (the subtotal), never off
shipping. What a cart shows is worked out again on every read from its current subtotal,
so a code never promises what checkout would refuse; checkout checks it once more and
takes one use with a guarded update, the way stock is reserved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select, update

from ..cart.models import Cart
from ..cart.services import CartView, lock_for_checkout
from ..errors import InvalidError, ServiceError
from ..money import format_money
from ..orders.models import Order, OrderStatus
from .models import DiscountCode

CODE_PATTERN = r"^[A-Z0-9_-]{3,40}$"
_CODE_FORM = re.compile(CODE_PATTERN[1:-1])

# Why a code does not apply, in the order they are checked.
UNKNOWN = "discount_unknown"
NOT_STARTED = "discount_not_started"
EXPIRED = "discount_expired"
USED_UP = "discount_used_up"
BELOW_MINIMUM = "discount_below_minimum"


def normalise_code(text) -> str:
    """A code as it is stored: trimmed, upper case (codes are case-insensitive). Only
    ASCII is folded: Unicode case rules would turn look-alikes into a real code (`ı` and
    `ſ` upper-case to `I` and `S`), so other text stays as typed and is no code at all."""
    if not isinstance(text, str):
        return ""
    text = text.strip()
    return text.upper() if text.isascii() else text


def is_code(text: str) -> bool:
    """Whether `text` (normalised) has the form of a code: 3-40 of A-Z, 0-9, - and _."""
    return _CODE_FORM.fullmatch(text) is not None


def find_code(session, text) -> DiscountCode | None:
    """The code typed as `text`, whatever its case; None when there is none."""
    code = normalise_code(text)
    if not is_code(code):
        return None
    return session.scalar(select(DiscountCode).where(DiscountCode.code == code))


def amount_off(code: DiscountCode, subtotal: int) -> int:
    """What the code takes off a subtotal, in minor units: a percentage rounded half up,
    or the fixed amount capped at the subtotal (a discount never pays for shipping)."""
    if subtotal <= 0:
        return 0
    if code.percent_off is not None:
        return min(subtotal, (subtotal * code.percent_off + 50) // 100)
    return min(subtotal, code.amount_off or 0)


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a code does not apply: the API's `reason` and words for the shopper."""

    reason: str
    message: str

    def error(self) -> ServiceError:
        """The refusal as a 422 the faces turn into their answers."""
        return InvalidError(self.message, reason=self.reason, field="code")


def refusal(code: DiscountCode | None, *, subtotal: int, currency: str,
            now: datetime) -> Refusal | None:
    """Why `code` cannot apply to goods worth `subtotal` now, or None when it applies.

    A deactivated code, or one in another currency than the cart's, is as unknown."""
    if code is None or not code.active or (
            code.amount_off is not None and code.currency.lower() != currency.lower()):
        return Refusal(UNKNOWN, "We do not know that discount code.")
    if code.starts_at is not None and now < code.starts_at:
        return Refusal(NOT_STARTED, f"The code {code.code} is not valid yet.")
    if code.ends_at is not None and now >= code.ends_at:
        return Refusal(EXPIRED, f"The code {code.code} has expired.")
    if code.max_uses is not None and code.used >= code.max_uses:
        return Refusal(USED_UP, f"The code {code.code} has been used up.")
    if code.min_subtotal is not None and subtotal < code.min_subtotal:
        return Refusal(BELOW_MINIMUM, f"The code {code.code} needs a subtotal of at least "
                                      f"{format_money(code.min_subtotal, currency)}.")
    return None


@dataclass(frozen=True, slots=True)
class CartDiscount:
    """The discount a cart shows: its code, what it takes off now (0 when it does not
    apply, and then `refusal` says why)."""

    code: str
    amount: int
    refusal: Refusal | None = None


def cart_discount(session, code_text: str | None, *, subtotal: int, currency: str,
                  now: datetime) -> CartDiscount | None:
    """The discount of a cart holding `code_text`, worked out from its current subtotal."""
    if not code_text:
        return None
    code = find_code(session, code_text)
    refused = refusal(code, subtotal=subtotal, currency=currency, now=now)
    if refused is not None or code is None:
        return CartDiscount(normalise_code(code_text), 0, refused)
    return CartDiscount(code.code, amount_off(code, subtotal))


def check_applies(session, code_text, *, subtotal: int, currency: str,
                  now: datetime) -> DiscountCode:
    """The code if it applies to this subtotal now; else its refusal is raised."""
    code = find_code(session, code_text)
    refused = refusal(code, subtotal=subtotal, currency=currency, now=now)
    if refused is not None or code is None:
        raise (refused or Refusal(UNKNOWN, "We do not know that discount code.")).error()
    return code


@dataclass(frozen=True, slots=True)
class TakenDiscount:
    """A use a checkout took: the code and what it takes off the order."""

    code: str
    amount: int


def take_use(session, code_text: str, *, subtotal: int, currency: str, email: str,
             now: datetime) -> TakenDiscount:
    """Check the code once more and take one of its uses for a new order of `email`.

    The use is taken with a guarded update (`used < max_uses`), so concurrent checkouts
    cannot take more uses than there are; `max_uses_per_email` counts the email's
    orders holding the code that were not cancelled. A refusal raises; the caller rolls
    back. The caller's transaction commits the use with the order."""
    code = check_applies(session, code_text, subtotal=subtotal, currency=currency, now=now)
    if code.max_uses_per_email is not None:
        held = session.scalar(select(func.count()).select_from(Order).where(
            Order.email == email, Order.discount_code == code.code,
            Order.status != OrderStatus.CANCELLED))
        if held >= code.max_uses_per_email:
            raise Refusal(USED_UP, f"The code {code.code} has already been used with this "
                                   "email address.").error()
    taken = session.execute(
        update(DiscountCode).where(DiscountCode.id == code.id, DiscountCode.active.is_(True),
                                   (DiscountCode.max_uses.is_(None))
                                   | (DiscountCode.used < DiscountCode.max_uses))
        .values(used=DiscountCode.used + 1)
        .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise Refusal(USED_UP, f"The code {code.code} has been used up.").error()
    return TakenDiscount(code.code, amount_off(code, subtotal))


def release_use(session, order: Order) -> None:
    """Give back the use a cancelled order held (guarded: never below zero). Called by
    the transition that cancels the order, so it happens once; refunds keep the use."""
    if not order.discount_code:
        return
    session.execute(update(DiscountCode).where(DiscountCode.code == order.discount_code,
                                               DiscountCode.used > 0)
                    .values(used=DiscountCode.used - 1)
                    .execution_options(synchronize_session=False))


def apply_to_cart(session, token: str, code_text, *, now: datetime,
                  secret: str | None = None) -> CartView:
    """Keep a code on the cart if it applies to the cart's goods now; else refuse why.
    (`secret`: see `cart.services.lock_for_checkout`.)"""
    cart_id, cart = lock_for_checkout(session, token, secret)  # the lines as they are now
    try:
        code = check_applies(session, code_text, subtotal=cart.subtotal.amount,
                             currency=cart.subtotal.currency, now=now)
    except ServiceError:
        session.rollback()
        raise
    session.execute(update(Cart).where(Cart.id == cart_id).values(discount_code=code.code)
                    .execution_options(synchronize_session=False))
    session.commit()
    return replace(cart, discount_code=code.code)


def remove_from_cart(session, token: str, secret: str | None = None) -> CartView:
    """Take the code off the cart (a cart without one is left as it is)."""
    cart_id, cart = lock_for_checkout(session, token, secret)
    session.execute(update(Cart).where(Cart.id == cart_id).values(discount_code=None)
                    .execution_options(synchronize_session=False))
    session.commit()
    return replace(cart, discount_code=None)
