"""Staff catalogue API schemas: products and variants as editors write and read them."""

from __future__ import annotations

import marshmallow as ma

from ..money import Money
from ..pagination import PageArgsSchema, page_schema
from ..schemas import InputString, MoneySchema, StrictSchema
from ..urls import page_url
from .models import PRODUCT_STATUSES, Product, Variant
from .schemas import MAX_PRICE, MAX_STOCK

MONEY_NOTE = "Integer minor units (cents) in the shop's currency"


def _price(**kwargs) -> ma.fields.Integer:
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=MAX_PRICE),
                             **kwargs)


def _stock(**kwargs) -> ma.fields.Integer:
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=MAX_STOCK),
                             **kwargs)


def _options(**kwargs) -> ma.fields.Dict:
    return ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(min=1, max=60)),
                          values=ma.fields.String(validate=ma.validate.Length(max=120)),
                          **kwargs)


class StaffProductFieldsSchema(StrictSchema):
    """A product's fields as staff write them."""

    slug = InputString(max_length=120, metadata={
        "description": "Lowercase letters, digits and hyphens; the page's address."})
    name = InputString(max_length=200, min_length=1)
    kind = InputString(max_length=40, min_length=1, metadata={
        "description": "The noun pages use for it: band, ball, set.", "example": "ball"})
    summary = InputString(max_length=2000)
    description = InputString(max_length=20000)
    options = ma.fields.List(InputString(max_length=60), validate=ma.validate.Length(max=5),
                             metadata={"description": "Names its variants differ by.",
                                       "example": ["Size"]})
    status = ma.fields.String(validate=ma.validate.OneOf(PRODUCT_STATUSES), metadata={
        "description": "Only active products are public."})


class StaffProductCreateSchema(StaffProductFieldsSchema):
    """A new product; a draft unless `status` says otherwise."""

    slug = InputString(max_length=120, required=True, metadata={
        "description": "Lowercase letters, digits and hyphens; the page's address."})
    name = InputString(max_length=200, min_length=1, required=True)
    kind = InputString(max_length=40, min_length=1, required=True, metadata={
        "description": "The noun pages use for it: band, ball, set.", "example": "ball"})


class StaffProductUpdateSchema(StaffProductFieldsSchema):
    """Fields to change; the rest stay as they are."""


class StaffProductQueryArgsSchema(PageArgsSchema):
    """Which products to list."""

    status = ma.fields.String(validate=ma.validate.OneOf(PRODUCT_STATUSES), load_default=None)


class StaffVariantCreateSchema(StrictSchema):
    """A new variant: a value for each of the product's options, a price and stock."""

    sku = InputString(max_length=64, min_length=1, required=True)
    options = _options(load_default=dict, metadata={
        "description": "One value per option name of the product.",
        "example": {"Size": "65 cm"}})
    price = _price(required=True, metadata={"description": MONEY_NOTE + "."})
    compare_at_price = _price(allow_none=True, load_default=None, metadata={
        "description": MONEY_NOTE + ", above the price; shown as a saving."})
    stock = _stock(load_default=0)
    active = ma.fields.Boolean(load_default=True, metadata={
        "description": "Inactive variants are not offered to shoppers."})
    name = InputString(max_length=120, metadata={
        "description": "Defaults to the option values, such as Medium."})


class StaffVariantUpdateSchema(StrictSchema):
    """Changes to a variant; the rest stay as they are."""

    sku = InputString(max_length=64, min_length=1)
    options = _options()
    stock = _stock(metadata={"description": f"Units in stock, 0-{MAX_STOCK:,}."})
    price = _price(metadata={"description": MONEY_NOTE + f", 0-{MAX_PRICE:,}."})
    compare_at_price = _price(allow_none=True, metadata={
        "description": MONEY_NOTE + ", above the price; null removes it."})
    active = ma.fields.Boolean()
    name = InputString(max_length=120)


class StaffVariantSchema(ma.Schema):
    """A variant as staff see it."""

    sku = ma.fields.String(required=True)
    product_slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    options = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True)
    price = ma.fields.Nested(MoneySchema, required=True)
    compare_at_price = ma.fields.Nested(MoneySchema, allow_none=True, required=True)
    stock = ma.fields.Integer(required=True)
    active = ma.fields.Boolean(required=True)
    version = ma.fields.Integer(required=True, metadata={
        "description": "Send it back as If-Match to refuse changes made meanwhile."})


class StaffProductSchema(ma.Schema):
    """A product as staff see it, in any status, with every variant."""

    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    summary = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    options = ma.fields.List(ma.fields.String(), required=True)
    status = ma.fields.String(required=True)
    url = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True, metadata={
        "description": "Also sent as the ETag; PATCH needs it as If-Match."})
    variants = ma.fields.List(ma.fields.Nested(StaffVariantSchema), required=True)


StaffProductPageSchema = page_schema(StaffProductSchema, "StaffProductPage")


def _money(amount: int | None, currency: str) -> dict | None:
    return None if amount is None else Money(amount, currency).as_dict()


def staff_variant_dict(variant: Variant, product_slug: str | None = None) -> dict:
    """A variant's staff form."""
    return {"sku": variant.sku, "product_slug": product_slug or variant.product.slug,
            "name": variant.name, "options": dict(variant.options or {}),
            "price": _money(variant.price_amount, variant.currency),
            "compare_at_price": _money(variant.compare_at_amount, variant.currency),
            "stock": variant.stock, "active": variant.active, "version": variant.version}


def staff_product_dict(product: Product) -> dict:
    """A product's staff form, with every variant (active or not)."""
    return {"slug": product.slug, "name": product.name, "kind": product.kind,
            "summary": product.summary, "description": product.description,
            "options": list(product.options or []), "status": product.status,
            "url": page_url("product", product.slug), "version": product.version,
            "variants": [staff_variant_dict(v, product.slug) for v in product.variants]}
