"""Picture schemas: what the API answers about images, and what staff send."""

import marshmallow as ma
from flask_smorest.fields import Upload

from ..schemas import InputString, StrictSchema
from .services import ALT_MAX

URL_EXAMPLE = "https://shop.example/media/" + "3f" * 32 + ".webp"


class RenditionSchema(ma.Schema):
    """One derived file: WebP at a width, or the JPEG made for link previews."""

    url = ma.fields.String(required=True, metadata={"example": URL_EXAMPLE})
    width = ma.fields.Integer(required=True, metadata={"example": 640})
    type = ma.fields.String(required=True, metadata={
        "description": "`image/webp`, or `image/jpeg` for the link-preview copy of a WebP "
                       "original.", "example": "image/webp"})


class ImageSchema(ma.Schema):
    """A picture: its cleaned original, alt text, size in pixels and renditions. Every
    address is content-hashed and cached for a year; a changed picture is a new address."""

    url = ma.fields.String(required=True, metadata={"example": URL_EXAMPLE})
    alt = ma.fields.String(required=True, metadata={"example": "A teal fabric loop band"})
    width = ma.fields.Integer(required=True, metadata={"example": 1600})
    height = ma.fields.Integer(required=True, metadata={"example": 1200})
    renditions = ma.fields.List(ma.fields.Nested(RenditionSchema), required=True)


class StaffImageSchema(ImageSchema):
    """A picture as staff see it, with the id that names it in a gallery."""

    id = ma.fields.Integer(required=True, metadata={"example": 12})


class ThumbnailSchema(ma.Schema):
    """A small picture of a line's product (its first image's narrowest WebP)."""

    url = ma.fields.String(required=True, metadata={"example": URL_EXAMPLE})
    alt = ma.fields.String(required=True)


class ImageUploadFormSchema(StrictSchema):
    """The text part of an upload."""

    alt = InputString(required=True, min_length=1, max_length=ALT_MAX, metadata={
        "description": f"What the picture shows, for people who cannot see it "
                       f"(1-{ALT_MAX} characters)."})


class ImageUploadFileSchema(StrictSchema):
    """The file part of an upload: a JPEG, PNG or WebP picture."""

    file = Upload(required=True, metadata={
        "description": "A JPEG, PNG or WebP picture, judged by its content; at most "
                       "`MEDIA_MAX_BYTES` bytes (10 MB) and `MEDIA_MAX_PIXELS` pixels (40 "
                       "million) by default. Metadata (EXIF) is removed."})


class ImageUpdateSchema(StrictSchema):
    """A change to a gallery picture: its alt text, its place, or both."""

    alt = InputString(min_length=1, max_length=ALT_MAX)
    position = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=10_000),
                                 metadata={"description": "Its place in the gallery, 0 "
                                                          "first; past the end is last."})


class GallerySchema(ma.Schema):
    """A product's pictures in gallery order."""

    items = ma.fields.List(ma.fields.Nested(StaffImageSchema), required=True)
