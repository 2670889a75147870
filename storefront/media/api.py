"""The staff API for product pictures (editor): upload, list, reorder, re-describe, remove."""

from __future__ import annotations

from contextlib import contextmanager

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from ..errors import ServiceError
from ..extensions import db, limiter
from ..restapi import http_error
from ..staff.auth import require_token
from . import services
from .pages import media_storage
from .presenters import image_json
from .schemas import (
    GallerySchema,
    ImageUpdateSchema,
    ImageUploadFileSchema,
    ImageUploadFormSchema,
    StaffImageSchema,
)
from .uploads import allow_picture_uploads, upload_limits

SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]
UPLOAD_LIMIT = "30 per minute; 300 per hour"
WRITE_LIMIT = "60 per minute"
UPLOAD_ENDPOINT = "staff_product_images.ProductImages"


@contextmanager
def upload_errors(location: str):
    """A service's refusal as the API's error; a refused field is reported where the
    client sent it (`files` for the file, `form` for alt text, `json` for changes)."""
    try:
        yield
    except ServiceError as exc:
        field = exc.details.get("field")
        if not field:
            raise http_error(exc) from exc
        where = "files" if field == "file" else location
        abort(exc.status, message=exc.message, reason=exc.reason,
              errors={where: {field: [exc.message]}})


def make_blueprint() -> Blueprint:
    """A fresh blueprint for product galleries under the staff API."""
    blp = Blueprint("staff_product_images", __name__, url_prefix="/staff/products",
                    description="Product pictures (editor): JPEG, PNG or WebP uploads with "
                                "alt text, served as WebP renditions; each change is "
                                "written to the audit log.")

    allow_picture_uploads(blp, UPLOAD_ENDPOINT)

    @blp.route("/<slug>/images")
    class ProductImages(MethodView):
        @require_token("editor")
        @blp.response(200, GallerySchema)
        @blp.alt_response(404, description="No product with this slug.")
        @blp.doc(security=SECURITY)
        def get(self, slug):
            """List a product's pictures in gallery order."""
            with upload_errors("json"):
                return {"items": [image_json(i)
                                  for i in services.product_images(db.session, slug)]}

        @limiter.limit(UPLOAD_LIMIT)
        @require_token("editor")
        @blp.arguments(ImageUploadFormSchema, location="form")
        @blp.arguments(ImageUploadFileSchema, location="files")
        @blp.response(201, StaffImageSchema)
        @blp.alt_response(404, description="No product with this slug.")
        @blp.alt_response(413, description="The file is larger than `MEDIA_MAX_BYTES`.")
        @blp.alt_response(422, description="No alt text, or a file that is not a whole "
                                           "JPEG, PNG or WebP picture within the pixel "
                                           "limit; `errors` names the field.")
        @blp.doc(security=SECURITY)
        def post(self, form, files, slug):
            """Upload a picture (multipart `file` and `alt`) to the end of the gallery."""
            upload, limits = files["file"], upload_limits()
            data = upload.stream.read(limits.max_bytes + 1)
            with upload_errors("form"):
                image = services.add_product_image(
                    db.session, slug, data, form["alt"], g.staff_user.email,
                    limits=limits,
                    storage=media_storage(db.session))
            return image_json(image)

    @blp.route("/<slug>/images/<int:image_id>")
    class ProductImageDetail(MethodView):
        @limiter.limit(WRITE_LIMIT)
        @require_token("editor")
        @blp.arguments(ImageUpdateSchema)
        @blp.response(200, StaffImageSchema)
        @blp.alt_response(404, description="No such product, or no such picture in its "
                                           "gallery.")
        @blp.doc(security=SECURITY)
        def patch(self, changes, slug, image_id):
            """Change a picture's alt text and/or its place in the gallery."""
            with upload_errors("json"):
                image = services.update_product_image(
                    db.session, slug, image_id, g.staff_user.email, **changes)
            return image_json(image)

        @limiter.limit(WRITE_LIMIT)
        @require_token("editor")
        @blp.response(204)
        @blp.alt_response(404, description="No such product, or no such picture in its "
                                           "gallery.")
        @blp.doc(security=SECURITY)
        def delete(self, slug, image_id):
            """Take a picture out of the gallery (its addresses keep working)."""
            with upload_errors("json"):
                services.remove_product_image(db.session, slug, image_id,
                                              g.staff_user.email)

    return blp
