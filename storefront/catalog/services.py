"""Catalogue rules: reading products with everything their page needs, and staff changes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from plugins.types import ContentLink, ProductRef

from ..moderation import services as moderation
from ..money import Money
from ..pagination import keyset_page
from .models import Product, Variant


class NotFound(LookupError):
    """Raised when a slug or sku names nothing."""


@dataclass(frozen=True)
class ProductView:
    """A product with its variants and content links, ready for any face to show."""

    product: Product
    links: tuple[ContentLink, ...]
    rating: tuple[float | None, int]  # average and count of approved reviews

    @property
    def exercises(self) -> list[ContentLink]:
        """What plugins link to this product; `exercises` is the API's name for them."""
        # Every `product_links` contribution fills the contract's one field, so the core
        # never decides by a plugin's kind name (see the hook's documentation).
        return list(self.links)


def price_from(product: Product) -> Money | None:
    """The lowest variant price, or None for a product with no variants."""
    if not product.variants:
        return None
    cheapest = min(product.variants, key=lambda v: v.price_amount)
    return Money(cheapest.price_amount, cheapest.currency)


def list_products(session, *, limit: int, cursor: str | None):
    """One page of products with their variants, in catalogue order."""
    stmt = select(Product).options(selectinload(Product.variants))
    return keyset_page(session, stmt, [Product.id], limit=limit, cursor=cursor)


def get_product(session, slug: str) -> Product:
    """A product and its variants, in two queries."""
    product = session.scalar(
        select(Product).where(Product.slug == slug).options(selectinload(Product.variants)))
    if product is None:
        raise NotFound(f"No product {slug!r}.")
    return product


def product_view(session, plugins, slug: str) -> ProductView:
    """A product with its variants and the content that plugins link to it."""
    product = get_product(session, slug)
    ref = ProductRef(id=product.id, slug=product.slug, name=product.name)
    links = [link for contributed in plugins.hook.product_links(product=ref)
             for link in contributed]
    return ProductView(product=product, links=tuple(links),
                       rating=moderation.rating(session, product.id))


def update_variant(session, sku: str, *, stock: int | None = None,
                   price: int | None = None) -> Variant:
    """Set a variant's stock and/or price (staff only)."""
    variant = session.scalar(
        select(Variant).where(Variant.sku == sku).options(selectinload(Variant.product)))
    if variant is None:
        raise NotFound(f"No variant {sku!r}.")
    if stock is not None:
        variant.stock = stock
    if price is not None:
        variant.price_amount = price
    session.commit()
    return variant
