"""Making product documents stale in the transaction that changes what they show.

Every write through the shop's session is followed, as the shared cache follows them
(`storefront.sharedcache`): rows flushed by the ORM, and statements run through the
session (Core UPDATEs, bulk edits, raw SQL). A write the core can map to products bumps
their document `version`; one it cannot map (a table it does not know, such as a
plugin's, or SQL it cannot read) bumps the generation, which makes every document stale.
The bump is written on the writer's connection before it commits, so the change and the
bump commit (or roll back) together.

Stock is the one column a document does not hold (it is merged in when read): a write
of stock alone, as checkout and cancellations make, leaves documents alone.

A statement may name the products it changes with the execution option
`PRODUCTS_OPTION` (a tuple of ids, empty for none), so that a Core UPDATE the listener
cannot read (moderating a review, say) does not make every document stale.
"""

from __future__ import annotations

import re

from sqlalchemy import event, inspect, literal, select

from ..database import upsert_insert
from ..extensions import db
from ..sharedcache import UNCACHED_TABLES
from .models import Product, ProductDocument, ProductDocumentGeneration, Variant

PRODUCTS_OPTION = "product_documents"  # execution option: the product ids a write changes

# Core tables no product document is made from: those no cached answer is made from,
# and more that feed pages but never a product's detail.
UNRELATED_TABLES = UNCACHED_TABLES | frozenset({
    "search_word", "search_trigram", "staff_invite", "order_touch", "shipping_method",
    "order_refund", "order_fulfilment", "staff_action", "media_blob", "discount_code",
    "product_document_generation",
})
# Columns of `variant` a document does not hold (stock is merged in when read).
VARIANT_STOCK_COLUMNS = frozenset({"stock", "updated_at", "version"})
_ASSIGNED = re.compile(r"(\w+)=")


def follow_writes() -> None:
    """Listen to the shop's sessions (`db.session`) for writes documents depend on."""
    for name, listener in (("after_flush", _flushed), ("do_orm_execute", _statement)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def products_changed(session, product_ids) -> None:
    """Bump the document version of `product_ids`, in the session's transaction."""
    ids = sorted({int(i) for i in product_ids if i is not None})
    if not ids:
        return
    insert = upsert_insert(session, ProductDocument).from_select(
        ["product_id", "version"],
        select(Product.id, literal(1)).where(Product.id.in_(ids)).order_by(Product.id))
    session.connection().execute(insert.on_conflict_do_update(
        index_elements=[ProductDocument.product_id],
        set_={"version": ProductDocument.version + 1}))


def everything_changed(session) -> None:
    """Make every product document stale, in the session's transaction."""
    insert = upsert_insert(session, ProductDocumentGeneration).values(
        id=1, generation=1)
    session.connection().execute(insert.on_conflict_do_update(
        index_elements=[ProductDocumentGeneration.id],
        set_={"generation": ProductDocumentGeneration.generation + 1}))


def _flushed(session, flush_context) -> None:
    products: set[int] = set()
    everything = False
    modified = [obj for obj in session.dirty
                if session.is_modified(obj, include_collections=False)]
    for obj in (*session.new, *session.deleted):
        everything |= _note(obj, None, products)
    for obj in modified:
        everything |= _note(obj, _changed_columns(obj), products)
    if everything:
        everything_changed(session)
    products_changed(session, products)


def _changed_columns(obj) -> set[str]:
    state = inspect(obj)
    return {attr.key for attr in state.attrs if attr.history.has_changes()}


def _note(obj, changed: set[str] | None, products: set[int]) -> bool:
    """Add the products a flushed row changes to `products` (`changed`: the attributes an
    update changed, None for an insert or delete); True when the core cannot tell which."""
    table = inspect(obj).mapper.local_table.name
    if table in UNRELATED_TABLES:
        return False
    if table == "product":
        products.add(obj.id)
    elif table == "variant":
        if changed is None or not changed <= VARIANT_STOCK_COLUMNS:
            products.update(_old_and_new(obj, "product_id"))
    elif table == "product_image":
        products.update(_old_and_new(obj, "product_id"))
    elif table == "image":
        return _image_products(obj, products)
    elif table == "moderated_item":
        if obj.target_type == "product" and obj.kind == "review":
            products.update(_old_and_new(obj, "target_id"))
    else:
        return True
    return False


def _old_and_new(obj, key: str) -> set[int]:
    history = inspect(obj).attrs[key].history
    return {*history.deleted, *history.unchanged, *history.added}


def _image_products(image, products: set[int]) -> bool:
    """The products whose galleries show `image` (its alt text changed, say)."""
    from ..media.models import ProductImage
    session = inspect(image).session
    if session is None or image.id is None:
        return False
    products.update(session.connection().scalars(
        select(ProductImage.product_id).where(ProductImage.image_id == image.id)))
    return False


def _statement(orm_execute_state) -> None:
    """Statements run through the session skip the flush: stock alone changes no
    document; one naming its products bumps those; any other write to page data, all."""
    if orm_execute_state.is_select:
        return
    named = orm_execute_state.execution_options.get(PRODUCTS_OPTION)
    session = orm_execute_state.session
    if named is not None:
        products_changed(session, named)
        return
    statement = orm_execute_state.statement
    table = getattr(statement, "table", None)
    if table is None:
        if str(statement).lstrip()[:6].lower() == "select":
            return
        everything_changed(session)
        return
    name = getattr(table, "name", None)
    if name in UNRELATED_TABLES:
        return
    if (name == Variant.__tablename__ and orm_execute_state.is_update
            and _assigned(statement) <= VARIANT_STOCK_COLUMNS):
        return
    everything_changed(session)


def _assigned(statement) -> set[str]:
    """The columns an UPDATE sets (as its SQL names them: `SET a=..., b=...`); a column
    no document holds (`?`) when the SQL is not that simple."""
    assignments = str(statement).partition(" SET ")[2].partition(" WHERE ")[0]
    found = set(_ASSIGNED.findall(assignments))
    return found if found and "SELECT" not in assignments else {"?"}
