"""Product documents: a public product's detail, read in one statement.

Building a product's detail costs several queries (the product, its variants, its
pictures, its rating, the links plugins add) and most of a request's time. The detail
changes rarely, except for stock, which every order changes. So the detail is kept as a
`ProductDocument`, built on the first read after a change, and read back in one
statement that also reads its variants' current stock and merges it in.

Freshness is decided in the database, so every worker on every host sees a change at
once: each write a document depends on bumps the product's document `version` in the
writer's own transaction (see `invalidation`), and a document is served only while the
version it was built under is still the current one (and the generation of writes the
core cannot map to a product, such as a plugin's links, is too). A reader that built a
document from a snapshot older than a commit stores it under the version it read before
building, which that commit has already moved past: the document is never served.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import orjson
from flask import has_request_context, request
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import DBAPIError

from ..database import upsert_insert
from .models import Product, ProductDocument, ProductDocumentGeneration, Variant

log = logging.getLogger(__name__)

GENERATION_ROW = 1  # the id of the one `ProductDocumentGeneration` row


@dataclass
class Found:
    """What the one statement read about a public product: its current document (stock
    merged in) or None, and what a new one must be stored under."""

    product_id: int
    document: dict | None
    version: int
    generation: int
    builder: str
    page: str | None = None  # what the page adds (JSON), when `document` is current


_STATEMENTS: dict[tuple[str, str], object] = {}  # built once per dialect and use


def _statement(session, use: str):
    """The one statement, for one product by slug (`use` "one") or a page of public
    products after an id ("first", "after"): each product's id, its document with the
    versions that decide if it is current, and `{sku: stock}` of its offered variants."""
    dialect = session.get_bind().dialect.name
    statement = _STATEMENTS.get((dialect, use))
    if statement is None:
        aggregate = func.json_object_agg if dialect == "postgresql" else func.json_group_object
        stock = (select(aggregate(Variant.sku, Variant.stock))
                 .where(Variant.product_id == Product.id, Variant.active.is_(True))
                 .scalar_subquery())
        generation = (select(ProductDocumentGeneration.generation)
                      .where(ProductDocumentGeneration.id == GENERATION_ROW).scalar_subquery())
        statement = (
            select(Product.id, ProductDocument.version, ProductDocument.built_version,
                   ProductDocument.generation, func.coalesce(generation, 0),
                   ProductDocument.builder, ProductDocument.body, stock, ProductDocument.page)
            .outerjoin(ProductDocument, ProductDocument.product_id == Product.id)
            .where(Product.status == bindparam("status")))
        if use == "one":
            statement = statement.where(Product.slug == bindparam("slug"))
        else:
            if use == "after":
                statement = statement.where(Product.id > bindparam("after"))
            statement = statement.order_by(Product.id).limit(bindparam("limit"))
        _STATEMENTS[(dialect, use)] = statement
    return statement


def find(session, slug: str, public_status: str, builder: str) -> Found | None:
    """The public product `slug` with its current document (one `builder` made), in one
    statement; None when there is no such product."""
    row = session.execute(_statement(session, "one"),
                          {"slug": slug, "status": public_status}).first()
    return None if row is None else _found(row, builder)


def page(session, public_status: str, builder: str, *, limit: int,
         after: int | None) -> list[Found]:
    """Up to `limit` public products in id order after the id `after` (from the start
    when None), each with its current document or None, in one statement."""
    use, values = "first", {"status": public_status, "limit": limit}
    if after is not None:
        use, values["after"] = "after", after
    return [_found(row, builder) for row in session.execute(_statement(session, use), values)]


def _found(row, builder: str) -> Found:
    (product_id, version, built_version, built_generation, current, built_by, body, stock,
     extra) = row
    version = version or 0
    if (body is None or built_version != version or built_generation != current
            or built_by != builder):
        return Found(product_id=product_id, document=None, version=version,
                     generation=current, builder=builder)
    return Found(product_id=product_id, document=with_stock(orjson.loads(body), _decoded(stock)),
                 version=version, generation=current, builder=builder, page=extra)


def _decoded(stock) -> dict:
    if stock is None:  # PostgreSQL aggregates no rows to NULL
        return {}
    return orjson.loads(stock) if isinstance(stock, str | bytes) else dict(stock)


def with_stock(document: dict, stock: dict) -> dict:
    """`document` with the stock of each variant (and of the product) made current."""
    in_stock = False
    for variant in document["variants"]:
        units = int(stock.get(variant["sku"], 0))
        variant["in_stock"], variant["available"] = units > 0, units
        in_stock = in_stock or units > 0
    document["in_stock"] = in_stock
    return document


def store(session, found: Found, document: dict, page: dict) -> None:
    """Keep `document` (as the API dumps it) and `page` (what the product page adds) for
    the product `found` read, under the version and generation read then; never over one
    built under a later version.

    Only a GET (or a read outside any request) stores: it commits on a connection of its
    own, which must not wait on the request's own writes. A failure to store (a busy
    database, the product deleted meanwhile) costs the next read a rebuild, nothing more."""
    if has_request_context() and request.method not in ("GET", "HEAD"):
        return
    insert = upsert_insert(session, ProductDocument).values(
        product_id=found.product_id, version=found.version, built_version=found.version,
        generation=found.generation, builder=found.builder,
        body=orjson.dumps(document).decode(),
        page=orjson.dumps(page).decode())
    insert = insert.on_conflict_do_update(
        index_elements=[ProductDocument.product_id],
        set_={"built_version": insert.excluded.built_version,
              "generation": insert.excluded.generation, "builder": insert.excluded.builder,
              "body": insert.excluded.body,
              "page": insert.excluded.page},
        where=ProductDocument.version == insert.excluded.version)
    try:
        with session.get_bind().begin() as connection:
            connection.execute(insert)
    except DBAPIError:
        log.warning("product document %s not stored", found.product_id, exc_info=True)
