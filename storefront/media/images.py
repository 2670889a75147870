"""Pillow's part: deciding what an upload is by decoding it, cleaning it, and resizing it.

Nothing here touches the database. An upload is judged by its bytes alone (the file name
and the type a client declares are never believed): Pillow is asked to open it as JPEG,
PNG or WebP only, the header's size is checked against the pixel limit before any pixel
is decoded, and then the whole picture is decoded, so a truncated or corrupt file is
refused here rather than served broken. SVG (text, possibly with script inside) is no
format Pillow opens, so it is refused whatever it is called.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

# What Pillow calls the accepted formats, and what the shop stores them as.
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"),
           "WEBP": ("image/webp", "webp")}
# The widths of the WebP renditions (a picture narrower than one gets none wider than it).
RENDITION_WIDTHS = (320, 640, 1024, 1600)
SOCIAL_MAX_WIDTH = 1200  # the JPEG made for link previews when the original is WebP
WEBP_QUALITY = 80
JPEG_QUALITY = 88


class UploadRefused(ValueError):
    """An upload the shop will not keep; `too_large` when it is the byte count (a 413)."""

    def __init__(self, message: str, *, too_large: bool = False):
        super().__init__(message)
        self.message = message
        self.too_large = too_large


@dataclass(frozen=True)
class Encoded:
    """One file made from an upload: its bytes, type, extension and size in pixels."""

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


@dataclass(frozen=True)
class Processed:
    """An accepted upload: the cleaned original, its WebP renditions (narrowest first)
    and, when the original is not JPEG or PNG, a JPEG for link previews."""

    original: Encoded
    renditions: tuple[Encoded, ...]
    social: Encoded | None


_guarded: list[int] = []  # the pixel limits Pillow's own guard was set for


def guard_decompression_bombs(max_pixels: int) -> None:
    """Set Pillow's own guard to the shop's pixel limit: past it `Image.open` warns, past
    twice it refuses (`DecompressionBombError`), a second line behind the check `decode`
    makes from the header. The guard is process-wide: when apps in one process have
    different limits, the largest is kept, so none refuses what its settings allow."""
    if max_pixels in _guarded:
        return
    _guarded.append(max_pixels)
    PILImage.MAX_IMAGE_PIXELS = max(_guarded)


def decode(data: bytes, *, max_bytes: int, max_pixels: int) -> PILImage.Image:
    """The upload decoded, upright (EXIF orientation applied), or `UploadRefused`."""
    if len(data) > max_bytes:
        raise UploadRefused(f"The file is larger than {max_bytes:,} bytes.", too_large=True)
    if not data:
        raise UploadRefused("The file is empty.")
    try:
        picture = PILImage.open(io.BytesIO(data), formats=list(FORMATS))
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise UploadRefused(_too_many_pixels(max_pixels)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise UploadRefused("The file is not a JPEG, PNG or WebP picture.") from None
    width, height = picture.size
    if width < 1 or height < 1:
        raise UploadRefused("The picture has no pixels.")
    if width * height > max_pixels:
        raise UploadRefused(_too_many_pixels(max_pixels))
    try:
        picture.load()
        upright = ImageOps.exif_transpose(picture)
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError,
            struct.error):
        raise UploadRefused("The picture is truncated or damaged and cannot be read.") \
            from None
    upright.format = picture.format  # kept for the encoder (exif_transpose drops it)
    return upright


def _too_many_pixels(max_pixels: int) -> str:
    return (f"The picture has more than {max_pixels:,} pixels; please send a smaller one "
            "(resizing it to 4,000 pixels wide is plenty).")


def process(data: bytes, *, max_bytes: int, max_pixels: int) -> Processed:
    """Decode an upload, then make its cleaned original, renditions and social JPEG."""
    picture = decode(data, max_bytes=max_bytes, max_pixels=max_pixels)
    kind = picture.format or "PNG"
    widths = sorted({w for w in RENDITION_WIDTHS if w < picture.width}
                    | {min(picture.width, RENDITION_WIDTHS[-1])})
    try:
        original = encode(picture, kind)
        renditions = tuple(encode(resized(picture, w), "WEBP") for w in widths)
        social = None
        if kind == "WEBP":
            social = encode(resized(picture, min(picture.width, SOCIAL_MAX_WIDTH)), "JPEG")
    except (OSError, ValueError):  # a mode or depth the encoders cannot write
        raise UploadRefused("The picture uses a colour format the shop cannot store; "
                            "please save it as an ordinary JPEG or PNG.") from None
    return Processed(original=original, renditions=renditions, social=social)


def resized(picture: PILImage.Image, width: int) -> PILImage.Image:
    """The picture scaled to `width`, keeping its proportions (never enlarged)."""
    if width >= picture.width:
        return picture
    height = max(1, round(picture.height * width / picture.width))
    return picture.resize((width, height), PILImage.Resampling.LANCZOS)


def encode(picture: PILImage.Image, kind: str) -> Encoded:
    """The picture written as `kind` (JPEG, PNG or WEBP) with no metadata at all: no EXIF,
    no XMP, no ICC profile, no text chunks (a fresh image carries none of its source's)."""
    content_type, extension = FORMATS[kind]
    clean = _pixels_only(picture, kind)
    out = io.BytesIO()
    if kind == "JPEG":
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif kind == "PNG":
        clean.save(out, "PNG", optimize=False)
    else:
        clean.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return Encoded(out.getvalue(), content_type, extension, clean.width, clean.height)


def _pixels_only(picture: PILImage.Image, kind: str) -> PILImage.Image:
    """A copy of the pixels in a mode `kind` can hold, without the source's metadata."""
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or (
        picture.mode == "P" and "transparency" in picture.info)
    if kind == "JPEG":
        mode = "L" if picture.mode in ("L", "1") else "RGB"
    elif kind == "PNG" and picture.mode in ("1", "L", "LA", "P", "RGB", "RGBA"):
        mode = picture.mode
    else:
        mode = "RGBA" if has_alpha else "RGB"
    if kind == "JPEG" and has_alpha:  # JPEG has no transparency: lay it on white
        backdrop = PILImage.new("RGBA", picture.size, (255, 255, 255, 255))
        picture = PILImage.alpha_composite(backdrop, picture.convert("RGBA"))
    converted = picture.convert(mode) if picture.mode != mode else picture
    clean = PILImage.new(converted.mode, converted.size)
    if converted.mode == "P":
        palette = converted.getpalette()
        if palette is not None:
            clean.putpalette(palette)
        if "transparency" in converted.info:
            clean.info["transparency"] = converted.info["transparency"]
    clean.paste(converted)
    return clean
