"""Catalogue tables: a product has variants; each variant has a price and stock."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..media.models import ProductImage
from ..timeutil import UTCDateTime, utcnow

PRODUCT_STATUSES = ("draft", "active", "archived")


class Product(Model):
    """Something the shop sells, shown on one page, bought through one of its variants.

    Only `active` products are public. `kind` is the noun its pages use ("band", "ball")
    and `options` the names its variants differ by ("Resistance", "Size"). `version`
    counts updates: the `ETag` of staff reads, checked on every staff write (a stale one
    raises `StaleDataError`, so two editors never overwrite each other).
    """

    __tablename__ = "product"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'active', 'archived')", name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), default="product")
    summary: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    options: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    image: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", order_by="Variant.position, Variant.id",
        cascade="all, delete-orphan")
    # Its pictures in order, loaded with every load of products in one more query
    # whatever their number, so a list or a cart never reads them one product at a time.
    gallery: Mapped[list[ProductImage]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ProductImage.position, ProductImage.id")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Product {self.slug}>"


class Variant(Model):
    """One buyable version of a product (a resistance level), with its own price and stock."""

    __tablename__ = "variant"
    __table_args__ = (
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("price_amount >= 0", name="price_not_negative"),
        CheckConstraint("compare_at_amount IS NULL OR compare_at_amount >= 0",
                        name="compare_at_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    resistance: Mapped[str] = mapped_column(String(120), default="")
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    price_amount: Mapped[int] = mapped_column(Integer)
    compare_at_amount: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    stock: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    product: Mapped[Product] = relationship(back_populates="variants")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Variant {self.sku}>"


class ProductDocument(Model):
    """A public product's detail document, built when it is first read after a change.

    `body` is the product's detail JSON as the API dumps it (`page`: what its page adds);
    stock (which changes with every order) is merged in when it is read, from `variant`
    in the same statement. Every write
    the document depends on bumps `version` in its own transaction (`catalog.documents`);
    a document is current only while `built_version` equals `version` and `generation`
    equals the one row of `ProductDocumentGeneration`, so one built from an older snapshot
    while a change committed is never served.
    """

    __tablename__ = "product_document"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=0)
    built_version: Mapped[int | None] = mapped_column(Integer)
    generation: Mapped[int | None] = mapped_column(BigInteger)
    # Who built it: the release, the plugins and the addresses links are made from
    # (`api.document_builder`); a document built by another is not served.
    builder: Mapped[str | None] = mapped_column(String(16))
    body: Mapped[str | None] = mapped_column(Text)
    # What the product page shows beside `body`: the detail's fields the API leaves out
    # and the full links plugins contribute (with their summaries and roles).
    page: Mapped[str | None] = mapped_column(Text)


class ProductDocumentGeneration(Model):
    """One row counting writes to tables the core cannot map to a product (a plugin's
    links, say): each makes every product document stale."""

    __tablename__ = "product_document_generation"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(BigInteger, default=0)
