"""Catalogue API: active products for everyone (staff changes are in `staff_api`)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict

import orjson
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from plugins.types import ContentLink

from .. import sharedcache
from ..extensions import db
from ..media.presenters import product_image_url, product_images_json
from ..money import Money
from ..pagination import PageArgsSchema, decode_cursor, encode_cursor, page_schema
from ..restapi import cached_json, read_before_dispatch
from ..urls import page_url
from . import documents, services
from .schemas import ProductSchema, ProductSummarySchema

ProductPageSchema = page_schema(ProductSummarySchema, "ProductPage")
PRODUCT, SUMMARY = ProductSchema(), ProductSummarySchema()
SUMMARY_FIELDS = tuple(SUMMARY.dump_fields)  # in the order a dump writes them


def product_summary(product) -> dict:
    """The list form of a product."""
    cheapest = services.price_from(product)
    offered = services.offered_variants(product)
    return {
        "slug": product.slug,
        "name": product.name,
        "kind": product.kind,
        "summary": product.summary,
        "options": list(product.options or []),
        "url": page_url("product", product.slug),
        "image_url": product_image_url(product),
        "images": product_images_json(product),
        "price_from": cheapest.as_dict() if cheapest else None,
        "single_price": len(offered) == 1 or len({v.price_amount for v in offered}) == 1,
        "in_stock": any(v.stock > 0 for v in offered),
    }


def product_detail(view: services.ProductView) -> dict:
    """The detail form of a product, with variants and exercise links."""
    product = view.product
    return {
        **product_summary(product),
        "description": product.description,
        "variants": [{
            "sku": v.sku,
            "name": v.name,
            "resistance": v.resistance or (v.options or {}).get("Resistance", ""),
            "options": {name: (v.options or {}).get(name, "") for name in product.options},
            "price": Money(v.price_amount, v.currency).as_dict(),
            "compare_at_price": (Money(v.compare_at_amount, v.currency).as_dict()
                                 if v.compare_at_amount is not None else None),
            "in_stock": v.stock > 0,
            "available": v.stock,
        } for v in services.offered_variants(product)],
        "exercises": [{"slug": link.slug, "name": link.title, "url": link.url}
                      for link in view.exercises],
        "rating": {"average": view.rating[0], "count": view.rating[1]},
    }


class _Dumped:
    """A schema for data that is dumped already (a product document)."""

    @staticmethod
    def dump(data):
        return data


DUMPED = _Dumped()


def document_builder() -> str:
    """What a stored document was built by, besides the data: the release, the plugins
    the app runs with (they add links), and the addresses links are made from
    (PUBLIC_BASE_URL; without it the document's links are paths, the same for every
    host). A document another one built (before a deploy, say) is built afresh rather
    than served."""
    state = current_app.extensions["storefront"]
    config = current_app.config
    made_by = "|".join((state.cache.prefix, sharedcache.scoped(state, ""),
                        config["PUBLIC_BASE_URL"] or "", config["STOREFRONT_ASSETS_PATH"]))
    return hashlib.sha256(made_by.encode()).hexdigest()[:16]


def public_document(session, slug: str) -> dict:
    """A public product's detail as `ProductSchema` dumps it, with current stock: its
    stored document in one statement, or built (and stored) when it has none that is
    current. Raises `NotFound`."""
    return public_product(session, slug)[1]


def public_product(session, slug: str) -> tuple[int, dict, Callable[[], tuple[dict, list]]]:
    """A public product's id, its API detail (`public_document`), and a function giving
    what its page shows: the detail with the fields the API leaves out, and the full
    `ContentLink`s plugins contribute. Raises `NotFound`."""
    found = documents.find(session, slug, services.PUBLIC_STATUS, document_builder())
    if found is None:
        raise services.NotFound(f"No product {slug!r}.")
    document = found.document
    if document is not None:
        return found.product_id, document, lambda: _page_from(document, found.page)
    plugins = current_app.extensions["storefront"].plugins
    view = services.product_view(session, plugins, slug)
    detail = product_detail(view)
    dumped = PRODUCT.dump(detail)
    page = {"extra": {key: value for key, value in detail.items() if key not in dumped},
            "links": [asdict(link) for link in view.exercises]}
    documents.store(session, found, dumped, page)
    return found.product_id, dumped, lambda: (detail, view.exercises)


def public_page(session, *, limit: int, cursor: str | None) -> dict:
    """A page of the public catalogue as `ProductPageSchema` dumps it: the products and
    their stock in one statement, each summed up from its document; the few without a
    current one are read (in three more queries) as `list_products` reads them. The
    list builds no documents: a product's first detail read does."""
    after = decode_cursor(cursor, (int,))[0] if cursor is not None else None
    found = documents.page(session, services.PUBLIC_STATUS, document_builder(),
                           limit=limit + 1, after=after)
    next_cursor = None
    if len(found) > limit:
        found = found[:limit]
        next_cursor = encode_cursor([found[-1].product_id])
    missing = [f.product_id for f in found if f.document is None]
    read = {p.id: SUMMARY.dump(product_summary(p))
            for p in (services.public_products(session, missing) if missing else ())}
    items = [{name: f.document[name] for name in SUMMARY_FIELDS} if f.document is not None
             else read.get(f.product_id) for f in found]
    # A product archived between the two reads is left out, as a moment later it would be.
    return {"items": [item for item in items if item is not None], "next_cursor": next_cursor}


def _page_from(document: dict, page: str | None) -> tuple[dict, list]:
    """The page's detail and links from a stored document (a copy: the API's is kept)."""
    kept = orjson.loads(page or "{}")
    detail = {**document, **kept.get("extra", {})}
    return detail, [ContentLink(**link) for link in kept.get("links", [])]


def make_blueprints() -> list[Blueprint]:
    """Fresh catalogue blueprints for one app."""
    blp = Blueprint("products", __name__, url_prefix="/products",
                    description="Products and their variants.")
    later_pages = sharedcache.CacheAdmission()

    @blp.route("")
    @read_before_dispatch
    class Products(MethodView):
        @blp.etag
        @blp.arguments(PageArgsSchema, location="query")
        @blp.response(200, ProductPageSchema)
        def get(self, args):
            """List products, in catalogue order."""
            def build():
                return public_page(db.session, **args)
            key = f"api:products:{args['limit']}:{args.get('cursor') or ''}"
            # Any id makes a valid cursor, so pages further on are kept only when asked
            # again (`CacheAdmission`); first pages always.
            return cached_json(blp, DUMPED, key, build,
                               store=not args.get("cursor") or later_pages.admit(key))

    @blp.route("/<slug>")
    @read_before_dispatch
    class ProductDetail(MethodView):
        @blp.etag
        @blp.response(200, ProductSchema)
        @blp.alt_response(404, description="No product with this slug.")
        def get(self, slug):
            """Show one product with its variants, exercises and rating."""
            def build():
                try:
                    return public_document(db.session, slug)
                except services.NotFound as exc:
                    abort(404, message=str(exc))
            return cached_json(blp, DUMPED, f"api:product:{slug}", build)

    return [blp]
