"""Catalogue API: active products for everyone (staff changes are in `staff_api`)."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from .. import sharedcache
from ..extensions import db
from ..media.presenters import product_image_url, product_images_json
from ..money import Money
from ..pagination import PageArgsSchema, page_schema
from ..restapi import cached_json, read_before_dispatch
from ..urls import page_url
from . import services
from .schemas import ProductSchema, ProductSummarySchema

ProductPageSchema = page_schema(ProductSummarySchema, "ProductPage")
PRODUCT, PRODUCT_PAGE = ProductSchema(), ProductPageSchema()


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
                rows, next_cursor = services.list_products(db.session, **args)
                return {"items": [product_summary(p) for p in rows], "next_cursor": next_cursor}
            key = f"api:products:{args['limit']}:{args.get('cursor') or ''}"
            # Any id makes a valid cursor, so pages further on are kept only when asked
            # again (`CacheAdmission`); first pages always.
            return cached_json(blp, PRODUCT_PAGE, key, build,
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
                plugins = current_app.extensions["storefront"].plugins
                try:
                    return product_detail(services.product_view(db.session, plugins, slug))
                except services.NotFound as exc:
                    abort(404, message=str(exc))
            return cached_json(blp, PRODUCT, f"api:product:{slug}", build)

    return [blp]
