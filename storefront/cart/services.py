"""Cart rules: random tokens, lines of 1-99, stock checked on every change."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload, scoped_session, selectinload

from ..attribution.services import FLUSH_EVERY, count_later
from ..catalog.models import Variant
from ..errors import ConflictError, InvalidError, NotFoundError
from ..money import Money
from ..timeutil import utcnow
from .models import MAX_LINE_QUANTITY, Cart, CartLine

DEFAULT_CURRENCY = "usd"
IDLE_DAYS = 30
TOUCH_EVERY = timedelta(hours=1)


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class CartView:
    """A cart with prices worked out, ready for the API or a page."""

    cart: Cart
    subtotal: Money
    item_count: int

    @property
    def is_empty(self) -> bool:
        """True for a new or emptied cart."""
        return not self.cart.lines


def create_cart(session) -> Cart:
    """A new, empty cart."""
    cart = Cart(token=new_token())
    session.add(cart)
    session.commit()
    return cart


def load_cart(session, token: str, *, for_update=False) -> Cart:
    """A cart with its lines, variants and products; unknown tokens are not found."""
    if not isinstance(token, str) or len(token) > 64:
        raise NotFoundError("No such cart.")
    stmt = select(Cart).where(Cart.token == token).options(
        selectinload(Cart.lines).joinedload(CartLine.variant).joinedload(Variant.product))
    if for_update:
        stmt = stmt.with_for_update(of=Cart)
    cart = session.scalar(stmt)
    if cart is None:
        raise NotFoundError("No such cart.")
    return cart


def view(cart: Cart) -> CartView:
    """Subtotal and item count of a cart."""
    currency = cart.lines[0].variant.currency if cart.lines else DEFAULT_CURRENCY
    subtotal = sum(line.quantity * line.variant.price_amount for line in cart.lines)
    return CartView(cart=cart, subtotal=Money(subtotal, currency),
                    item_count=sum(line.quantity for line in cart.lines))


def get_cart(session, token: str) -> CartView:
    """A cart and its lines (three queries, whatever the number of lines)."""
    return view(load_cart(session, token))


def item_count(session, token: str) -> int | None:
    """Units in the cart with this token (0 when empty), or None when there is no such cart;
    one query, for the header of every page."""
    found = session.execute(
        select(Cart.id, func.coalesce(func.sum(CartLine.quantity), 0))
        .outerjoin(CartLine, CartLine.cart_id == Cart.id)
        .where(Cart.token == token).group_by(Cart.id)).first()
    return None if found is None else int(found[1])


def _check_stock(variant: Variant, quantity: int) -> None:
    if quantity > variant.stock:
        raise ConflictError(
            f"Only {variant.stock} of {variant.product.name} ({variant.name}) available.",
            sku=variant.sku, available=variant.stock)


def _check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_LINE_QUANTITY:
        raise InvalidError(f"A line holds 1 to {MAX_LINE_QUANTITY} units.",
                           field="quantity")


def add_line(session, token: str, sku: str, quantity: int, source: str | None = None,
             batch: int = FLUSH_EVERY) -> CartView:
    """Add units of a variant, or more units to the line that has it."""
    cart = load_cart(session, token, for_update=True)
    variant = session.scalar(select(Variant).where(Variant.sku == sku)
                             .options(joinedload(Variant.product)))
    if variant is None:
        raise NotFoundError(f"No variant {sku!r}.")
    if cart.lines and cart.lines[0].variant.currency != variant.currency:
        raise ConflictError("A cart holds one currency; check out this cart first.")
    line = next((line for line in cart.lines if line.variant_id == variant.id), None)
    total = quantity + (line.quantity if line else 0)
    _check_quantity(total)
    _check_stock(variant, total)
    if line is None:
        cart.lines.append(CartLine(variant=variant, quantity=quantity, source=source))
    else:
        line.quantity = total
        if source:
            line.source = source  # the latest content to send the shopper here
    _touch(cart)
    _commit_keeping_objects(session)
    count_later(session, source, batch, metric="add_to_cart")  # once the line is kept
    return view(cart)


def _touch(cart: Cart) -> None:
    """Mark the cart as in use. Idle carts are pruned after days, so the (indexed)
    timestamp is rewritten at most once per `TOUCH_EVERY`, not on every change."""
    now = utcnow()
    if cart.updated_at is None or now - cart.updated_at >= TOUCH_EVERY:
        cart.updated_at = now


def _commit_keeping_objects(session) -> None:
    """Commit without expiring what is loaded: the cart, its lines and their variants hold
    exactly what was just written (the cart row was locked), so the answer needs no
    second read of them."""
    actual = session() if isinstance(session, scoped_session) else session
    keep, actual.expire_on_commit = actual.expire_on_commit, False
    try:
        actual.commit()
    finally:
        actual.expire_on_commit = keep


def _line(cart: Cart, line_id: int) -> CartLine:
    line = next((line for line in cart.lines if line.id == line_id), None)
    if line is None:
        raise NotFoundError("No such line in this cart.")
    return line


def set_quantity(session, token: str, line_id: int, quantity: int) -> CartView:
    """Change a line's quantity; zero removes it."""
    cart = load_cart(session, token, for_update=True)
    line = _line(cart, line_id)
    if quantity == 0:
        cart.lines.remove(line)
    else:
        _check_quantity(quantity)
        _check_stock(line.variant, quantity)
        line.quantity = quantity
    _touch(cart)
    session.commit()
    return get_cart(session, token)


def remove_line(session, token: str, line_id: int) -> CartView:
    """Take a line out of the cart."""
    return set_quantity(session, token, line_id, 0)


def empty_cart(session, cart_id: int) -> None:
    """Remove every line (after the cart's order is paid). The caller commits."""
    session.execute(delete(CartLine).where(CartLine.cart_id == cart_id))


def prune_idle_carts(session, days: int = IDLE_DAYS) -> int:
    """Delete carts untouched for `days` days; returns how many went."""
    cutoff = utcnow() - timedelta(days=days)
    ids = list(session.scalars(select(Cart.id).where(Cart.updated_at < cutoff)))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        session.execute(delete(CartLine).where(CartLine.cart_id.in_(chunk)))
        session.execute(delete(Cart).where(Cart.id.in_(chunk)))
    session.commit()
    return len(ids)

