"""Pictures made in the test with Pillow, and a helper that uploads them as staff would."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

UPLOAD = "/api/v1/staff/products/{slug}/images"


def picture(kind: str = "JPEG", size=(800, 600), colour=(31, 181, 165), **save) -> bytes:
    """A picture of one colour with a darker square in the corner, saved as `kind`."""
    mode = "RGBA" if kind == "PNG" else "RGB"
    image = Image.new(mode, size, colour)
    image.paste((10, 95, 88), (0, 0, size[0] // 4, size[1] // 4))
    out = io.BytesIO()
    image.save(out, kind, **save)
    return out.getvalue()


def jpeg_with_exif(size=(600, 400)) -> bytes:
    """A JPEG carrying a camera make, GPS-like text and a rotate-90 orientation tag."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Test Camera Co"   # Make
    exif[0x0110] = "Model 7"          # Model
    exif[0x0131] = "Secret Editor"    # Software
    exif[0x0112] = 6                  # Orientation: rotate 90 degrees clockwise to view
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height` pixels but holds one row of data: only
    a decoder that trusts the header and starts decoding would meet the difference."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b""))


SVG_WITH_SCRIPT = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
                   b'width="10" height="10"><script>alert(document.cookie)</script>'
                   b'<rect width="10" height="10" fill="red"/></svg>')


def upload(client, slug: str, data: bytes | None, alt: str | None = "A teal band",
           filename: str = "photo.jpg", headers=None, content_type="image/jpeg"):
    """POST a multipart upload to the product's gallery. The body is encoded in memory
    (the test client would spool a large one to a temporary file it never closes)."""
    form: dict = {}
    if alt is not None:
        form["alt"] = alt
    if data is not None:
        form["file"] = FileStorage(io.BytesIO(data), filename=filename,
                                   content_type=content_type)
    boundary, body = encode_multipart(form)
    return client.post(UPLOAD.format(slug=slug), data=body, headers=headers or {},
                       content_type=f"multipart/form-data; boundary={boundary}")


def opened(data: bytes) -> Image.Image:
    """Bytes opened with Pillow (what a browser would decode)."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
