"""Pictures as the API and the pages show them: addresses and the documented shapes."""

from __future__ import annotations

from ..urls import asset_url, pages_url
from .models import Image
from .services import gallery, smallest_webp, social_key

MEDIA_PATH = "/media/"  # under the pages prefix; served by `storefront.media.pages`


def media_url(key: str) -> str:
    """The public address of a stored file (under PUBLIC_BASE_URL when it is set)."""
    return pages_url(MEDIA_PATH + key)


def image_json(image: Image) -> dict:
    """`{id, url, alt, width, height, renditions: [{url, width, type}]}`: the original's
    address and size, then every rendition, WebP narrowest first (and, for a WebP
    original, the JPEG made for link previews)."""
    return {"id": image.id, **public_image_json(image)}


def public_image_json(image: Image) -> dict:
    """A picture in the public API: `image_json` without the staff-facing `id`."""
    return {"url": media_url(image.key), "alt": image.alt, "width": image.width,
            "height": image.height,
            "renditions": [{"url": media_url(r["key"]), "width": r["width"],
                            "type": r["type"]} for r in image.renditions or []]}


def social_image_url(image: Image) -> str:
    """The address of the picture's JPEG or PNG, for JSON-LD and Open Graph."""
    return media_url(social_key(image))


def thumbnail_json(image: Image | None) -> dict | None:
    """A cart or order line's `thumbnail`: `{url, alt}` of the smallest WebP, or None."""
    if image is None:
        return None
    return {"url": media_url(smallest_webp(image)), "alt": image.alt}


def product_images_json(product) -> list[dict]:
    """A product's `images` in the public API, in gallery order."""
    return [public_image_json(image) for image in gallery(product)]


def product_image_url(product) -> str | None:
    """A product's `image_url`: its first picture's JPEG or PNG (what link previews and
    JSON-LD need), else the drawing shipped with the shop, else None."""
    pictures = gallery(product)
    if pictures:
        return social_image_url(pictures[0])
    return asset_url("img/products/" + product.image) if product.image else None
