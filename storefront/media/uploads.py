"""Request bodies large enough for a picture, on the endpoints that take one.

Every other request keeps the shop's usual body limit (`MAX_CONTENT_LENGTH`); an upload
endpoint may receive a file as large as `MEDIA_MAX_BYTES`, plus room for the multipart
wrapping and the alt text around it. The preprocessor runs before the shop's body checks
(`inputguard`), which then measure the body against the raised limit.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request

from .services import UploadLimits

# Room for the multipart wrapping and the alt text around a file of the largest size.
FORM_ALLOWANCE = 64 * 1024


def upload_limits() -> UploadLimits:
    """The shop's upload limits (`MEDIA_MAX_BYTES`, `MEDIA_MAX_PIXELS`) for `save_image`."""
    return UploadLimits.from_settings(current_app.extensions["storefront"].settings)


def allow_picture_uploads(bp: Blueprint, *endpoints: str) -> None:
    """Let POSTs to `endpoints` of `bp` carry a picture of the largest allowed size."""
    allowed = frozenset(endpoints)

    @bp.url_value_preprocessor
    def allow_picture_sized_bodies(endpoint, values):
        if endpoint in allowed and request.method == "POST":
            request.max_content_length = upload_limits().max_bytes + FORM_ALLOWANCE
