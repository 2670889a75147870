"""Catalogue API: products for everyone, variant changes for admins."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from .. import sharedcache
from ..extensions import db
from ..money import Money
from ..pagination import PageArgsSchema, page_schema
from ..restapi import cached_json, read_before_dispatch
from ..staff.auth import require_token
from ..urls import asset_url, page_url
from . import services
from .schemas import (
    ProductSchema,
    ProductSummarySchema,
    StaffVariantSchema,
    VariantUpdateSchema,
)

ProductPageSchema = page_schema(ProductSummarySchema, "ProductPage")
PRODUCT, PRODUCT_PAGE = ProductSchema(), ProductPageSchema()


def product_summary(product) -> dict:
    """The list form of a product."""
    cheapest = services.price_from(product)
    return {
        "slug": product.slug,
        "name": product.name,
        "url": page_url("product", product.slug),
        "image_url": asset_url("img/products/" + product.image) if product.image else None,
        "price_from": cheapest.as_dict() if cheapest else None,
        "in_stock": any(v.stock > 0 for v in product.variants),
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
            "resistance": v.resistance,
            "price": Money(v.price_amount, v.currency).as_dict(),
            "in_stock": v.stock > 0,
            "available": v.stock,
        } for v in product.variants],
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

    staff = Blueprint("staff_variants", __name__, url_prefix="/staff/variants",
                      description="Stock and prices (admin).")

    @staff.route("/<sku>")
    class StaffVariant(MethodView):
        @require_token("admin")
        @staff.arguments(VariantUpdateSchema)
        @staff.response(200, StaffVariantSchema)
        @staff.alt_response(404, description="No variant with this sku.")
        @staff.doc(security=[{"bearerAuth": []}])
        def patch(self, changes, sku):
            """Change a variant's stock and/or price."""
            try:
                variant = services.update_variant(db.session, sku, **changes)
            except services.NotFound as exc:
                abort(404, message=str(exc))
            return {
                "sku": variant.sku,
                "product_slug": variant.product.slug,
                "name": variant.name,
                "price": Money(variant.price_amount, variant.currency).as_dict(),
                "stock": variant.stock,
            }

    return [blp, staff]
