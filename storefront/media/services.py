"""The rules for pictures: what an upload must be, where its files go, and product galleries.

Every function takes the session and, where it stores files, a `MediaStorage` (the
database by default). Limits come in as `UploadLimits`, built from the settings by the
face that calls. A refused upload raises before anything is added to the session, so a
refusal stores nothing. Gallery changes are written to the staff audit log in the same
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..catalog.models import Product
from ..errors import InvalidError, NotFoundError, ServiceError
from ..orders.models import StaffAction
from . import images
from .models import Image, ProductImage
from .storage import DatabaseStorage, MediaStorage, media_key

ALT_MAX = 300
SUBJECT = "product"  # StaffAction.subject_type of gallery changes


class ImageTooLarge(ServiceError):
    """An upload with more bytes than `MEDIA_MAX_BYTES`."""

    status = 413
    reason = "body_too_large"


@dataclass(frozen=True)
class UploadLimits:
    """How big an upload may be: bytes (`MEDIA_MAX_BYTES`) and pixels (`MEDIA_MAX_PIXELS`)."""

    max_bytes: int = 10 * 1024 * 1024
    max_pixels: int = 40_000_000

    @classmethod
    def from_settings(cls, settings) -> UploadLimits:
        """The limits the shop's settings give."""
        return cls(max_bytes=settings.media_max_bytes, max_pixels=settings.media_max_pixels)


def clean_alt(alt: object) -> str:
    """Alt text folded to single spaces; 1-300 characters, else a 422 naming `alt`."""
    text = " ".join(alt.split()) if isinstance(alt, str) else ""
    if not text:
        raise InvalidError("Describe the picture in a few words (alt text) for people "
                           "who cannot see it.", field="alt")
    if len(text) > ALT_MAX:
        raise InvalidError(f"Alt text is at most {ALT_MAX} characters.", field="alt")
    return text


def save_image(session, data: bytes, alt: str, actor: str, *,
               limits: UploadLimits | None = None,
               storage: MediaStorage | None = None) -> Image:
    """Check an upload, store its cleaned original and renditions, and add its `Image` row
    (flushed, so it has an id; the caller commits). Refusals raise `InvalidError` with
    `field` "file" or "alt" (422), or `ImageTooLarge` (413), and store nothing."""
    limits = limits or UploadLimits()
    text = clean_alt(alt)
    images.guard_decompression_bombs(limits.max_pixels)
    try:
        made = images.process(data, max_bytes=limits.max_bytes, max_pixels=limits.max_pixels)
    except images.UploadRefused as refused:
        if refused.too_large:
            raise ImageTooLarge(refused.message, field="file") from None
        raise InvalidError(refused.message, field="file") from None
    return store_image(session, made, text, actor, storage=storage)


def store_image(session, made: images.Processed, alt: str, actor: str, *,
                storage: MediaStorage | None = None) -> Image:
    """Store the files of an accepted upload and add its `Image` row (flushed)."""
    text = clean_alt(alt)
    storage = storage or DatabaseStorage(session)
    original = _put(storage, made.original)
    renditions = [{"key": _put(storage, r), "width": r.width, "height": r.height,
                   "type": r.content_type} for r in made.renditions]
    if made.social is not None:
        renditions.append({"key": _put(storage, made.social), "width": made.social.width,
                           "height": made.social.height, "type": made.social.content_type})
    image = Image(key=original, content_type=made.original.content_type,
                  width=made.original.width, height=made.original.height, alt=text,
                  renditions=renditions, created_by=actor)
    session.add(image)
    session.flush()
    return image


def _put(storage: MediaStorage, encoded: images.Encoded) -> str:
    key = media_key(encoded.data, encoded.extension)
    storage.put(key, encoded.data, encoded.content_type)
    return key


def social_key(image: Image) -> str:
    """The key of the picture's JPEG or PNG, for link previews (social sites show no WebP
    or SVG): the original when it is one, else the JPEG made from it."""
    if image.content_type in ("image/jpeg", "image/png"):
        return image.key
    for rendition in image.renditions or []:
        if rendition["type"] in ("image/jpeg", "image/png"):
            return rendition["key"]
    return image.key


def smallest_webp(image: Image) -> str:
    """The key of the narrowest WebP rendition (the original when there is none)."""
    webps = [r for r in image.renditions or [] if r["type"] == "image/webp"]
    return min(webps, key=lambda r: r["width"])["key"] if webps else image.key


# ---------------------------------------------------------------------------
# Product galleries
# ---------------------------------------------------------------------------

def gallery(product: Product) -> list[Image]:
    """A product's pictures, in gallery order (loaded with the product, see `ProductImage`)."""
    return [entry.image for entry in product.gallery]


def _product(session, slug: str) -> Product:
    product = session.scalar(select(Product).where(Product.slug == slug))
    if product is None:
        raise NotFoundError(f"No product {slug!r}.")
    return product


def _entries(session, product: Product) -> list[ProductImage]:
    return list(session.scalars(select(ProductImage).where(
        ProductImage.product_id == product.id)
        .order_by(ProductImage.position, ProductImage.id)))


def _audit(session, actor: str, action: str, product: Product, detail: str) -> None:
    session.add(StaffAction(actor=actor, action=action, subject_type=SUBJECT,
                            subject=product.slug, detail=detail[:2000]))


def product_images(session, slug: str) -> list[Image]:
    """The gallery of the product `slug`, in order."""
    return [entry.image for entry in _entries(session, _product(session, slug))]


def add_product_image(session, slug: str, data: bytes, alt: str, actor: str, *,
                      limits: UploadLimits | None = None,
                      storage: MediaStorage | None = None) -> Image:
    """Upload a picture to the end of a product's gallery, audited, and commit."""
    product = _product(session, slug)
    image = save_image(session, data, alt, actor, limits=limits, storage=storage)
    last = session.scalar(select(func.max(ProductImage.position))
                          .where(ProductImage.product_id == product.id))
    session.add(ProductImage(product_id=product.id, image_id=image.id,
                             position=(last + 1) if last is not None else 0))
    _audit(session, actor, "image_added", product,
           f"image {image.id} ({image.width}x{image.height}): {image.alt}")
    session.commit()
    return image


def _entry(entries: list[ProductImage], product: Product, image_id: int) -> ProductImage:
    for entry in entries:
        if entry.image_id == image_id:
            return entry
    raise NotFoundError(f"Product {product.slug!r} has no image {image_id}.")


def update_product_image(session, slug: str, image_id: int, actor: str, *,
                         alt: str | None = None, position: int | None = None) -> Image:
    """Change a gallery picture's alt text and/or move it to `position` (0 is first;
    past the end is last), audited, and commit."""
    product = _product(session, slug)
    entries = _entries(session, product)
    entry = _entry(entries, product, image_id)
    changes = []
    if alt is not None:
        text = clean_alt(alt)
        if text != entry.image.alt:
            entry.image.alt = text
            changes.append(f"alt: {text}")
    if position is not None:
        entries.remove(entry)
        entries.insert(min(max(position, 0), len(entries)), entry)
        for n, item in enumerate(entries):
            item.position = n
        changes.append(f"position: {entries.index(entry)}")
    if changes:
        _audit(session, actor, "image_changed", product,
               f"image {image_id}: " + "; ".join(changes))
    session.commit()
    return entry.image


def remove_product_image(session, slug: str, image_id: int, actor: str) -> None:
    """Take a picture out of a product's gallery, audited, and commit. Its files stay:
    their addresses may be cached anywhere, and other galleries or exercises may use them."""
    product = _product(session, slug)
    entries = _entries(session, product)
    entry = _entry(entries, product, image_id)
    session.delete(entry)
    entries.remove(entry)
    for n, item in enumerate(entries):
        item.position = n
    _audit(session, actor, "image_removed", product, f"image {image_id}: {entry.image.alt}")
    session.commit()


def first_images(session, product_ids) -> dict[int | None, Image]:
    """The first gallery picture of each product that has one, in one query (an order
    line whose product is gone has none: look it up by None)."""
    ids = {pid for pid in product_ids if pid is not None}
    if not ids:
        return {}
    rows = session.execute(
        select(ProductImage.product_id, Image).join(Image, Image.id == ProductImage.image_id)
        .where(ProductImage.product_id.in_(ids))
        .order_by(ProductImage.product_id, ProductImage.position, ProductImage.id))
    found: dict[int | None, Image] = {}
    for product_id, image in rows:
        found.setdefault(product_id, image)
    return found
