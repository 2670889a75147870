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


PUBLIC_STATUS = "active"  # the one product status shoppers, search and the sitemap see


def offered_variants(product: Product) -> list[Variant]:
    """The variants shoppers are offered: the active ones, in catalogue order."""
    return [v for v in product.variants if v.active]


def price_from(product: Product) -> Money | None:
    """The lowest price of an offered variant, or None for a product with none."""
    offered = offered_variants(product)
    if not offered:
        return None
    cheapest = min(offered, key=lambda v: v.price_amount)
    return Money(cheapest.price_amount, cheapest.currency)


def list_products(session, *, limit: int, cursor: str | None):
    """One page of public (active) products with their variants, in catalogue order."""
    stmt = select(Product).where(Product.status == PUBLIC_STATUS) \
        .options(selectinload(Product.variants))
    return keyset_page(session, stmt, [Product.id], limit=limit, cursor=cursor)


def public_products(session, ids) -> list[Product]:
    """The public (active) products among `ids` with their variants (in no set order)."""
    return list(session.scalars(
        select(Product).where(Product.id.in_(list(ids)), Product.status == PUBLIC_STATUS)
        .options(selectinload(Product.variants))))


def get_product(session, slug: str) -> Product:
    """A public (active) product and its variants, in two queries; drafts and archived
    products are not found."""
    product = session.scalar(
        select(Product).where(Product.slug == slug, Product.status == PUBLIC_STATUS)
        .options(selectinload(Product.variants)))
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


def offers_sku(session, slug: str, sku: str) -> bool:
    """Whether the public product `slug` offers the variant `sku` (one query)."""
    if len(sku) > 64:
        return False
    return session.scalar(
        select(Variant.id).join(Product, Product.id == Variant.product_id)
        .where(Product.slug == slug, Product.status == PUBLIC_STATUS, Variant.sku == sku,
               Variant.active.is_(True))) is not None
