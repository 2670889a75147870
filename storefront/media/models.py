"""Media tables: stored bytes by content hash, uploaded images, and product galleries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..timeutil import UTCDateTime, utcnow


class MediaBlob(Model):
    """The bytes of one stored file (an original or a rendition), named by its content
    hash, so the same bytes are stored once and a key never changes meaning."""

    __tablename__ = "media_blob"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Image(Model):
    """One uploaded picture: its cleaned original (EXIF removed), its alt text and the
    WebP renditions made from it (`[{key, width, height, type}]`, narrowest first)."""

    __tablename__ = "image"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    alt: Mapped[str] = mapped_column(String(300))
    renditions: Mapped[list] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProductImage(Model):
    """A picture in a product's gallery (`Product.gallery`), in the order staff gave."""

    __tablename__ = "product_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("image.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    image: Mapped[Image] = relationship(lazy="joined")
