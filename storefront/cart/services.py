"""Cart rules: random tokens, lines of 1-99, stock checked on every change."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import and_, bindparam, delete, func, insert, null, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..attribution import journeys
from ..attribution.services import DIRECT, FLUSH_EVERY, count_later, source_exists
from ..catalog.models import Product, Variant
from ..catalog.services import PUBLIC_STATUS
from ..errors import ConflictError, InvalidError, NotFoundError
from ..money import Money
from ..timeutil import utcnow
from . import tokens as cart_tokens
from .models import MAX_LINE_QUANTITY, Cart, CartLine

DEFAULT_CURRENCY = "usd"
IDLE_DAYS = 30
TOUCH_EVERY = timedelta(hours=1)


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class LineView:
    """One line of a cart as plain values."""

    id: int
    variant_id: int
    product_id: int
    sku: str
    product_slug: str
    product_name: str
    variant_name: str
    quantity: int
    unit_price: Money
    source: str | None

    @property
    def line_total(self) -> Money:
        """Quantity times unit price."""
        return Money(self.quantity * self.unit_price.amount, self.unit_price.currency)


@dataclass(frozen=True, slots=True)
class CartView:
    """A cart with prices worked out, ready for the API or a page."""

    token: str
    lines: tuple[LineView, ...] = ()
    discount_code: str | None = None  # as applied; `discounts` works out what it takes off

    @property
    def is_empty(self) -> bool:
        """True for a new or emptied cart."""
        return not self.lines

    @property
    def item_count(self) -> int:
        """Units in the cart."""
        return sum(line.quantity for line in self.lines)

    @property
    def subtotal(self) -> Money:
        """The sum of the line totals (zero in the shop's currency when empty)."""
        currency = self.lines[0].unit_price.currency if self.lines else DEFAULT_CURRENCY
        return Money(sum(line.line_total.amount for line in self.lines), currency)


def new_cart(secret: str) -> CartView:
    """A new, empty cart: a token the shop signs (`cart.tokens`), written to the database
    only by the cart's first change."""
    return CartView(token=cart_tokens.issue(secret, utcnow()))


def create_cart(session) -> Cart:
    """A new, empty cart with its row written now (for loading many carts in bulk)."""
    cart = Cart(token=new_token())
    session.add(cart)
    session.commit()
    return cart


def _unwritten(token: str, secret: str | None) -> bool:
    """Whether `token` is a cart the shop issued that has no row yet (an empty cart)."""
    return bool(secret) and cart_tokens.unwritten_cart(secret or "", token, utcnow(),
                                                        timedelta(days=IDLE_DAYS))


def _check_token(token) -> None:
    if not isinstance(token, str) or len(token) > 64:
        raise NotFoundError("No such cart.", reason="cart_not_found")


# A cart is read and changed with Core statements on the session's connection rather than
# with ORM objects: adding to a cart is the busiest write of the shop, and plain rows are
# all an answer needs. The statements are built once, with parameters, so a request
# spends nothing on building them. (Cart tables feed no cached answer, so these writes
# need not pass through the session's statement events.)
# Every column is labelled, and rows are read by these names: a column added later cannot
# shift the others, and the tables' own `id` and `name` columns cannot collide.
_LINE_COLUMNS = (CartLine.id.label("line_id"), CartLine.variant_id, Variant.product_id,
                 Variant.sku, Product.slug.label("product_slug"),
                 Product.name.label("product_name"), Variant.name.label("variant_name"),
                 CartLine.quantity, Variant.price_amount, Variant.currency, CartLine.source)


_CART_WITH_LINES = (  # a cart without lines still gives one row
    select(Cart.id.label("cart_id"), Cart.discount_code.label("cart_discount_code"),
           *_LINE_COLUMNS).select_from(Cart)
    .outerjoin(CartLine, CartLine.cart_id == Cart.id)
    .outerjoin(Variant, Variant.id == CartLine.variant_id)
    .outerjoin(Product, Product.id == Variant.product_id)
    .where(Cart.token == bindparam("token")).order_by(CartLine.id))
_LINES = (select(*_LINE_COLUMNS)
          .join(Variant, Variant.id == CartLine.variant_id)
          .join(Product, Product.id == Variant.product_id)
          .where(CartLine.cart_id == bindparam("cart_id")).order_by(CartLine.id))
# The cart row locked: changes to one cart wait for each other. The lines are read by a
# statement of their own once the lock is held, as a statement that waited for a lock
# still sees the rows of other tables as they were when it started.
_LOCK = (select(Cart.id.label("cart_id"), Cart.updated_at,
                Cart.discount_code.label("cart_discount_code"))
         .where(Cart.token == bindparam("token")).with_for_update(of=Cart))
_LOCK_WITH_VARIANT = (  # the variant's columns are None when there is no such sku
    select(Cart.id.label("cart_id"), Cart.updated_at,
           Cart.discount_code.label("cart_discount_code"), Cart.journey.label("cart_journey"),
           Variant.id.label("variant_id"),
           Variant.product_id, Variant.stock, Variant.price_amount, Variant.currency,
           Variant.name.label("variant_name"), Product.name.label("product_name"),
           Product.slug.label("product_slug"), Product.status.label("product_status"))
    .select_from(Cart)
    .outerjoin(Variant, and_(Variant.sku == bindparam("sku"), Variant.active.is_(True)))
    .outerjoin(Product, Product.id == Variant.product_id)
    .where(Cart.token == bindparam("token")).with_for_update(of=Cart))
# SQLite has no row locks: a write as the transaction's first statement takes the
# database's write lock instead (waiting for any other writer), so what is read after it
# is current.
_CLAIM_FOR_SQLITE = (update(Cart).where(Cart.token == bindparam("token"))
                     .values(token=Cart.token))
_ITEM_COUNT = (select(Cart.id, func.coalesce(func.sum(CartLine.quantity), 0).label("units"))
               .outerjoin(CartLine, CartLine.cart_id == Cart.id)
               .where(Cart.token == bindparam("token")).group_by(Cart.id))
_INSERT_LINE = insert(CartLine)
_SET_LINE = (update(CartLine).where(CartLine.id == bindparam("line_id"))
             .values(quantity=bindparam("new_quantity"), source=bindparam("new_source")))
_DELETE_LINE = delete(CartLine).where(CartLine.id == bindparam("line_id"))
_TOUCH = update(Cart).where(Cart.id == bindparam("cart_id")).values(updated_at=bindparam("now"))
_STOCK = select(Variant.stock).where(Variant.id == bindparam("variant_id"))
_SET_JOURNEY = (update(Cart).where(Cart.id == bindparam("cart_id"))
                .values(journey=bindparam("journey", type_=Cart.__table__.c.journey.type)))


def _line_view(row) -> LineView:
    """A line from a row of `_LINE_COLUMNS` (read by name)."""
    return LineView(id=row.line_id, variant_id=row.variant_id, product_id=row.product_id,
                    sku=row.sku, product_slug=row.product_slug, product_name=row.product_name,
                    variant_name=row.variant_name, quantity=row.quantity,
                    unit_price=Money(row.price_amount, row.currency), source=row.source)


def _read_lines(conn, cart_id: int) -> list[LineView]:
    return [_line_view(row) for row in conn.execute(_LINES, {"cart_id": cart_id})]


def _lock(conn, token: str, sku: str | None = None, *, secret: str | None = None):
    """Lock the cart and return its row (`cart_id`, `updated_at`), with the variant `sku`'s
    columns (or Nones) in the same round trip when one is given. With `secret`, a cart
    the shop issued that has no row yet gets its row first (its first change)."""
    _check_token(token)
    sqlite_ = conn.dialect.name == "sqlite"
    if sqlite_:
        conn.execute(_CLAIM_FOR_SQLITE, {"token": token})
    statement, values = ((_LOCK, {"token": token}) if sku is None
                         else (_LOCK_WITH_VARIANT, {"token": token, "sku": sku}))
    found = conn.execute(statement, values).first()
    if found is None and secret is not None and _unwritten(token, secret):
        # Two first changes at once both insert; the second insert does nothing, and
        # its lock then waits for the first change to commit.
        new_row = (sqlite.insert(Cart) if sqlite_ else postgresql.insert(Cart))
        now = utcnow()
        conn.execute(new_row.values(token=token, created_at=now, updated_at=now)
                     .on_conflict_do_nothing(index_elements=[Cart.token]))
        found = conn.execute(statement, values).first()
    if found is None:
        raise NotFoundError("No such cart.", reason="cart_not_found")
    return found


def get_cart(session, token: str, secret: str | None = None) -> CartView:
    """A cart and its lines, in one query whatever the number of lines. With `secret`, a
    cart the shop issued that has no row yet is an empty cart."""
    _check_token(token)
    rows = session.connection().execute(_CART_WITH_LINES, {"token": token}).all()
    if not rows:
        if _unwritten(token, secret):
            return CartView(token=token)
        raise NotFoundError("No such cart.", reason="cart_not_found")
    return CartView(token=token, lines=tuple(_line_view(row) for row in rows
                                             if row.line_id is not None),
                    discount_code=rows[0].cart_discount_code)


def lock_for_checkout(session, token: str, secret: str | None = None) -> tuple[int, CartView]:
    """Lock a cart and read its lines once the lock is held: (cart id, view). Checkout
    reads the same rows as the API, in the same two round trips as any change. With
    `secret`, a cart the shop issued gets its row if it has none yet."""
    found = _lock(conn := session.connection(), token, secret=secret)
    return found.cart_id, CartView(token=token, lines=tuple(_read_lines(conn, found.cart_id)),
                                   discount_code=found.cart_discount_code)


def empty_view(cart: Cart) -> CartView:
    """The view of a cart just created."""
    return CartView(token=cart.token)


def item_count(session, token: str, secret: str | None = None) -> int | None:
    """Units in the cart with this token (0 when empty), or None when there is no such cart;
    one query, for the header of every page."""
    found = session.connection().execute(_ITEM_COUNT, {"token": token}).first()
    if found is None:
        return 0 if _unwritten(token, secret) else None
    return int(found.units)


def _check_stock(product_name: str, variant_name: str, sku: str, stock: int,
                 quantity: int) -> None:
    if quantity > stock:
        raise ConflictError(f"Only {stock} of {product_name} ({variant_name}) available.",
                            reason="out_of_stock", sku=sku, available=stock)


def _check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_LINE_QUANTITY:
        raise InvalidError(f"A line holds 1 to {MAX_LINE_QUANTITY} units.",
                           reason="quantity_out_of_range", field="quantity")


def add_line(session, token: str, sku: str, quantity: int, source: str | None = None,
             batch: int = FLUSH_EVERY, *, unknown_source_is_direct: bool = False,
             journey: dict | None = None, secret: str | None = None) -> CartView:
    """Add units of a variant, or more units to the line that has it. A `source` must name
    published content, a campaign or be `direct`: reports would count ghosts otherwise.
    An unknown one is refused, or (`unknown_source_is_direct`, for links followed on the
    pages) the add counts as direct. `source` becomes a touch of the cart's journey; the
    pages also hand in the visitor's `journey` so far (`attribution.journeys`), merged
    into the cart's, and a line without a source of its own then credits its last touch.
    With `secret`, a cart the shop issued that has no row yet gets one.
    """
    if source is not None and not source_exists(session, source):
        if not unknown_source_is_direct:
            raise InvalidError(f"No published content {source!r} to credit.",
                               reason="unknown_source", field="source")
        source = None
    found = _lock(conn := session.connection(), token, sku, secret=secret)
    if found.variant_id is None or found.product_status != PUBLIC_STATUS:
        # Drafts, archived products and inactive variants are not for sale: as unknown.
        raise NotFoundError(f"No variant {sku!r}.", reason="variant_not_found")
    cart_id, variant_id, currency = found.cart_id, found.variant_id, found.currency
    lines = _read_lines(conn, cart_id)
    if lines and lines[0].unit_price.currency != currency:
        raise ConflictError("A cart holds one currency; check out this cart first.",
                            reason="currency_mismatch")
    at = next((n for n, line in enumerate(lines) if line.variant_id == variant_id), None)
    total = quantity + (lines[at].quantity if at is not None else 0)
    _check_quantity(total)
    _check_stock(found.product_name, found.variant_name, sku, found.stock, total)
    source = _record_journey(conn, cart_id, found.cart_journey, source, journey)
    if at is None:
        line_id = conn.execute(_INSERT_LINE, {
            "cart_id": cart_id, "variant_id": variant_id, "quantity": quantity,
            "source": source}).inserted_primary_key[0]
        kept_source = source
    else:
        line_id, kept_source = lines[at].id, source or lines[at].source
        conn.execute(_SET_LINE, {"line_id": line_id, "new_quantity": total,
                                 "new_source": kept_source})
    _touch(conn, cart_id, found.updated_at)
    session.commit()
    count_later(session, source, batch, metric="add_to_cart")  # once the line is kept
    line = LineView(id=line_id, variant_id=variant_id, product_id=found.product_id, sku=sku,
                    product_slug=found.product_slug, product_name=found.product_name,
                    variant_name=found.variant_name, quantity=total,
                    unit_price=Money(found.price_amount, currency), source=kept_source)
    if at is None:
        lines.append(line)  # the newest line has the highest id, so it goes last
    else:
        lines[at] = line
    return CartView(token=token, lines=tuple(lines), discount_code=found.cart_discount_code)


def _record_journey(conn, cart_id: int, kept_json, source: str | None,
                    visitor: dict | None):
    """Merge the visitor's journey and `source` into the (locked) cart's journey; the
    source the new units credit: `source`, else (an add from the pages) the journey's
    last touch."""
    if visitor is None and source in (None, DIRECT):
        return source
    kept = journeys.from_json(kept_json)  # read with the cart's lock, in the same trip
    merged = journeys.add_touch(journeys.merge(kept, journeys.from_json(visitor)), source)
    if merged != kept:
        conn.execute(_SET_JOURNEY, {"cart_id": cart_id, "journey": journeys.to_json(merged)})
    return source or (merged.last_touch if visitor is not None else None)


def _touch(conn, cart_id: int, updated_at) -> None:
    """Mark the cart as in use. Idle carts are pruned after days, so the (indexed)
    timestamp is rewritten at most once per `TOUCH_EVERY`, not on every change."""
    now = utcnow()
    if updated_at is None or now - updated_at >= TOUCH_EVERY:
        conn.execute(_TOUCH, {"cart_id": cart_id, "now": now})


def set_quantity(session, token: str, line_id: int, quantity: int,
                 secret: str | None = None) -> CartView:
    """Change a line's quantity; zero removes it."""
    try:
        found = _lock(conn := session.connection(), token)
    except NotFoundError:
        if _unwritten(token, secret):  # an empty cart: it has no lines to change
            raise NotFoundError("No such line in this cart.", reason="line_not_found") from None
        raise
    cart_id = found.cart_id
    lines = _read_lines(conn, cart_id)
    at = next((n for n, line in enumerate(lines) if line.id == line_id), None)
    if at is None:
        raise NotFoundError("No such line in this cart.", reason="line_not_found")
    line = lines[at]
    if quantity == 0:
        conn.execute(_DELETE_LINE, {"line_id": line_id})
        del lines[at]
    else:
        _check_quantity(quantity)
        stock = conn.scalar(_STOCK, {"variant_id": line.variant_id})
        _check_stock(line.product_name, line.variant_name, line.sku, stock, quantity)
        conn.execute(_SET_LINE, {"line_id": line_id, "new_quantity": quantity,
                                 "new_source": line.source})
        lines[at] = replace(line, quantity=quantity)
    _touch(conn, cart_id, found.updated_at)
    session.commit()
    return CartView(token=token, lines=tuple(lines), discount_code=found.cart_discount_code)


def remove_line(session, token: str, line_id: int, secret: str | None = None) -> CartView:
    """Take a line out of the cart."""
    return set_quantity(session, token, line_id, 0, secret)


def empty_cart(session, cart_id: int) -> None:
    """Remove every line (after the cart's order is paid) and end its journey and its
    discount code: the order keeps them. The caller commits."""
    session.execute(delete(CartLine).where(CartLine.cart_id == cart_id))
    session.execute(update(Cart).where(Cart.id == cart_id).values(journey=null(),
                                                                  discount_code=None))


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

