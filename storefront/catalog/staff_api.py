"""Staff catalogue API (editor): products and variants, with versions for safe edits."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from ..extensions import db
from ..restapi import IF_MATCH_DOC as IF_MATCH
from ..restapi import if_match, service_errors
from ..restapi import version_etag as etag
from ..staff.auth import require_token
from . import editing
from .staff_schemas import (
    StaffProductCreateSchema,
    StaffProductPageSchema,
    StaffProductQueryArgsSchema,
    StaffProductSchema,
    StaffProductUpdateSchema,
    StaffVariantCreateSchema,
    StaffVariantSchema,
    StaffVariantUpdateSchema,
    staff_product_dict,
    staff_variant_dict,
)

SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]
ROLE_NOTE = "Role: editor (admins too)."
def _versioned(data: dict, version: int):
    return data, 200, {"ETag": etag(version)}


def make_blueprints() -> list[Blueprint]:
    """Fresh staff catalogue blueprints for one app."""
    products = Blueprint(
        "staff_products", __name__, url_prefix="/staff/products",
        description="Products in every status, for editors: create, change, publish, "
                    "archive and restore, and add variants. Every change is audited.")

    @products.route("")
    class Products(MethodView):
        @require_token("editor")
        @products.arguments(StaffProductQueryArgsSchema, location="query")
        @products.response(200, StaffProductPageSchema)
        @products.doc(security=SECURITY, description=ROLE_NOTE)
        def get(self, args):
            """List products in any status (editor)."""
            with service_errors():
                rows, next_cursor = editing.staff_products(db.session, **args)
            return {"items": [staff_product_dict(p) for p in rows], "next_cursor": next_cursor}

        @require_token("editor")
        @products.arguments(StaffProductCreateSchema)
        @products.response(201, StaffProductSchema)
        @products.alt_response(409, description="Another product has this slug.")
        @products.doc(security=SECURITY, description=ROLE_NOTE + " A draft unless `status` "
                                                                 "says otherwise.")
        def post(self, values):
            """Create a product (editor)."""
            with service_errors():
                product = editing.create_product(db.session, values, actor=g.staff_user.email)
            return staff_product_dict(product), 201, {"ETag": etag(product.version)}

    @products.route("/<slug>")
    class Product(MethodView):
        @require_token("editor")
        @products.response(200, StaffProductSchema)
        @products.alt_response(404, description="No product with this slug.")
        @products.doc(security=SECURITY, description=ROLE_NOTE + " The ETag is the version "
                                                                 "to send back as If-Match.")
        def get(self, slug):
            """Show a product in any status, with every variant (editor)."""
            with service_errors():
                product = editing.staff_product(db.session, slug)
            return _versioned(staff_product_dict(product), product.version)

        @require_token("editor")
        @products.arguments(StaffProductUpdateSchema)
        @products.response(200, StaffProductSchema)
        @products.alt_response(404, description="No product with this slug.")
        @products.alt_response(409, description="Another product has the new slug.")
        @products.alt_response(412, description="Changed by someone else since your read.")
        @products.alt_response(428, description="No If-Match header.")
        @products.doc(security=SECURITY, description=ROLE_NOTE + " Needs If-Match with the "
                      "ETag of your last read; setting `status` publishes, archives or "
                      "restores.", **IF_MATCH)
        def patch(self, changes, slug):
            """Change a product, if nobody else changed it since you read it (editor)."""
            with service_errors():
                product = editing.update_product(db.session, slug, changes,
                                                 expected_version=if_match(),
                                                 actor=g.staff_user.email)
            return _versioned(staff_product_dict(product), product.version)

    @products.route("/<slug>/variants")
    class Variants(MethodView):
        @require_token("editor")
        @products.arguments(StaffVariantCreateSchema)
        @products.response(201, StaffVariantSchema)
        @products.alt_response(404, description="No product with this slug.")
        @products.alt_response(409, description="Another variant has this SKU.")
        @products.doc(security=SECURITY, description=ROLE_NOTE + " `options` needs a value "
                      "for each of the product's options and no others.")
        def post(self, values, slug):
            """Add a variant to a product (editor)."""
            with service_errors():
                variant = editing.create_variant(db.session, slug, values,
                                                 actor=g.staff_user.email)
            return staff_variant_dict(variant), 201, {"ETag": etag(variant.version)}

    variants = Blueprint("staff_variants", __name__, url_prefix="/staff/variants",
                         description="Variants' prices, stock, options and availability "
                                     "(editor).")

    @variants.route("/<sku>")
    class Variant(MethodView):
        @require_token("editor")
        @variants.arguments(StaffVariantUpdateSchema)
        @variants.response(200, StaffVariantSchema)
        @variants.alt_response(404, description="No variant with this sku.")
        @variants.alt_response(409, description="Another variant has the new SKU.")
        @variants.alt_response(412, description="Changed by someone else since your read.")
        @variants.doc(security=SECURITY, description=ROLE_NOTE + " With If-Match (the "
                      "variant's `version`), a change made meanwhile is refused.", **IF_MATCH)
        def patch(self, changes, sku):
            """Change a variant's price, stock, options or availability (editor)."""
            with service_errors():
                variant = editing.update_variant(db.session, sku, changes,
                                                 expected_version=if_match(),
                                                 actor=g.staff_user.email)
            return _versioned(staff_variant_dict(variant), variant.version)

    return [products, variants]
