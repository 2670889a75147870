"""Demo pictures: one raster picture per demo product, drawn with Pillow at seed time in
the product's colours (simple shapes of our own, no outside art), stored like an upload.

Seeding again adds nothing: a product that already has a picture keeps its gallery.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image as PILImage
from PIL import ImageDraw
from sqlalchemy import select

from . import images
from .models import ProductImage
from .services import UploadLimits, store_image

SIZE = (1200, 900)
BACKGROUND, FLOOR, SHADOW = (243, 247, 245), (230, 238, 234), (213, 225, 220)
TEAL, TEAL_DARK = (31, 181, 165), (10, 95, 88)
GOLD, GOLD_DARK = (245, 184, 61), (156, 106, 12)
PURPLE, PURPLE_DARK = (107, 79, 176), (51, 36, 106)
BLUE, BLUE_DARK, BLUE_LIGHT = (58, 123, 207), (47, 104, 181), (110, 168, 236)

# What each demo picture shows, in words for people who cannot see it.
ALT_TEXT = {
    "better-band": "A wide teal fabric loop band lying flat on a pale floor.",
    "better-band-trio": "Three fabric loop bands side by side: light in yellow, medium in "
                        "teal and heavy in purple.",
    "stability-ball": "A large blue exercise ball resting on a pale floor, lit from the "
                      "top left.",
}
ACTOR = "seed-demo"


def _scene() -> tuple[PILImage.Image, ImageDraw.ImageDraw]:
    canvas = PILImage.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 600, SIZE[0], SIZE[1]), fill=FLOOR)
    return canvas, draw


def _band(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int],
          colour: tuple[int, int, int], edge: tuple[int, int, int], width: int) -> None:
    """A loop band seen from above at a slant: a thick ring with darker edges."""
    left, top, right, bottom = box
    draw.ellipse((left + 20, bottom - 40, right - 20, bottom + 30), fill=SHADOW)
    draw.ellipse(box, outline=edge, width=width)
    inset = 6
    draw.ellipse((left + inset, top + inset, right - inset, bottom - inset),
                 outline=colour, width=width - 2 * inset)


def _better_band() -> PILImage.Image:
    canvas, draw = _scene()
    _band(draw, (220, 300, 980, 720), TEAL, TEAL_DARK, 90)
    return canvas


def _trio() -> PILImage.Image:
    canvas, draw = _scene()
    for n, (colour, edge) in enumerate(((GOLD, GOLD_DARK), (TEAL, TEAL_DARK),
                                        (PURPLE, PURPLE_DARK))):
        left = 70 + n * 360
        _band(draw, (left, 380, left + 340, 700), colour, edge, 56)
    return canvas


def _ball() -> PILImage.Image:
    canvas, draw = _scene()
    draw.ellipse((330, 700, 870, 800), fill=SHADOW)
    draw.ellipse((330, 200, 870, 740), fill=BLUE_DARK)
    draw.ellipse((345, 205, 855, 715), fill=BLUE)
    draw.ellipse((420, 260, 600, 400), fill=BLUE_LIGHT)
    draw.arc((330, 200, 870, 740), start=200, end=340, fill=BLUE_DARK, width=6)
    return canvas


DRAWINGS = {"better-band": _better_band, "better-band-trio": _trio, "stability-ball": _ball}


def demo_picture(slug: str) -> bytes:
    """The demo picture of `slug` as PNG bytes (the same bytes every time)."""
    out = io.BytesIO()
    DRAWINGS[slug]().save(out, "PNG")
    return out.getvalue()


@lru_cache(maxsize=len(DRAWINGS))
def processed_demo_picture(slug: str) -> images.Processed:
    """The demo picture of `slug` checked and resized as any upload is. Drawing and
    encoding always give the same bytes, so it is done once per process and kept."""
    limits = UploadLimits()
    return images.process(demo_picture(slug), max_bytes=limits.max_bytes,
                          max_pixels=limits.max_pixels)


def seed_pictures(session, products: dict[str, int]) -> int:
    """Give each demo product (slug -> id) without a picture its drawn one; how many were
    added. Runs inside the seeding transaction (the caller commits)."""
    pictured = set(session.scalars(select(ProductImage.product_id).where(
        ProductImage.product_id.in_(list(products.values())))))
    added = 0
    for slug, product_id in products.items():
        if slug not in DRAWINGS or product_id in pictured:
            continue
        image = store_image(session, processed_demo_picture(slug), ALT_TEXT[slug], ACTOR)
        session.add(ProductImage(product_id=product_id, image_id=image.id, position=0))
        added += 1
    return added
