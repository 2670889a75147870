"""The demo catalogue (catalog.yaml), loaded idempotently by `storefront seed-demo`."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select

from ..catalog.models import Product, Variant
from ..checkout.shipping import seed_demo_methods
from ..media.demo import seed_pictures

CATALOG_FILE = Path(__file__).parent / "catalog.yaml"


def seed_catalog(session) -> dict[str, int]:
    """Create or update the demo products; returns slug -> id.

    Names, descriptions and prices follow the file; stock is set only when a variant
    is first created, so seeding again never undoes sales.
    """
    data = yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))
    ids = {}
    for entry in data["products"]:
        product = session.scalar(select(Product).where(Product.slug == entry["slug"]))
        if product is None:
            product = Product(slug=entry["slug"])
            session.add(product)
        product.name = entry["name"]
        product.kind = entry["kind"]
        product.options = list(entry["options"])
        product.summary = entry["summary"]
        product.description = entry["description"].strip()
        product.image = entry.get("image")
        existing = {v.sku: v for v in product.variants}
        for position, spec in enumerate(entry["variants"]):
            variant = existing.get(spec["sku"])
            if variant is None:
                variant = Variant(sku=spec["sku"], stock=spec["stock"])
                product.variants.append(variant)
            variant.name = spec["name"]
            variant.resistance = spec.get("resistance") or ""
            variant.options = dict(spec.get("options") or {})
            variant.price_amount = int(spec["price_amount"])
            variant.compare_at_amount = spec.get("compare_at_amount")
            variant.currency = spec["currency"]
            variant.position = position
        session.flush()
        ids[product.slug] = product.id
    return ids


def seed_demo(session, plugins) -> dict[str, int]:
    """The demo catalogue (with a drawn picture per product) and shipping methods, then
    every plugin's demo data, in one transaction."""
    try:
        products = seed_catalog(session)
        seed_pictures(session, products)
        seed_demo_methods(session)
        plugins.hook.seed_demo(products=products)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return products
