"""Staff console: a product's pictures (editor). Upload one with its alt text, change a
picture's alt text or place, take it out of the gallery. The forms sit on the product's
console page (`staff/_product_images.html`); each answer goes back there with a message."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..errors import ServiceError
from ..extensions import db, limiter
from ..staff.console import end_idle_console_session
from ..staff.moderation_pages import role_required
from . import services
from .api import UPLOAD_LIMIT, WRITE_LIMIT
from .pages import media_storage
from .presenters import media_url
from .services import ALT_MAX
from .uploads import allow_picture_uploads, upload_limits

ALT_HELP = "What the picture shows, for people who cannot see it (up to 300 characters)."


class PictureUploadForm(FlaskForm):
    """A new picture and its alt text."""

    file = FileField("Picture (JPEG, PNG or WebP)")
    alt = StringField("Alt text", validators=[InputRequired(), Length(max=ALT_MAX)],
                      description=ALT_HELP)


class PictureChangeForm(FlaskForm):
    """A picture's alt text and place in the gallery."""

    alt = StringField("Alt text", validators=[InputRequired(), Length(max=ALT_MAX)])
    position = IntegerField("Place (1 is first)", validators=[
        Optional(), NumberRange(min=1, max=10_000)])


class PictureRemoveForm(FlaskForm):
    """Take a picture out of the gallery (a button and its CSRF token)."""

    confirm = HiddenField(default="yes")


def picture_forms() -> dict:
    """Empty forms for the product page's picture block (never filled from another form's
    request)."""
    return {"upload": PictureUploadForm(formdata=None),
            "change": PictureChangeForm(formdata=None),
            "remove": PictureRemoveForm(formdata=None)}


def _back(slug: str):
    return redirect(url_for("staff_catalog.product", slug=slug) + "#pictures-title", 303)


def _problems(form: FlaskForm) -> str:
    labels = {name: field.label.text for name, field in form._fields.items()}
    return " ".join(f"{labels.get(name, name)}: {messages[0]}"
                    for name, messages in form.errors.items())


def make_blueprint() -> Blueprint:
    """A fresh blueprint for the console's picture forms."""
    bp = Blueprint("media_console", __name__, url_prefix="/staff/products")
    bp.before_request(end_idle_console_session)
    bp.add_app_template_global(picture_forms, "picture_forms")
    bp.add_app_template_global(media_url, "media_url")
    bp.add_app_template_global(upload_limits, "media_limits")

    allow_picture_uploads(bp, "media_console.upload")

    @bp.route("/<slug>/pictures", methods=["POST"])
    @limiter.limit(UPLOAD_LIMIT)
    @role_required("editor")
    def upload(slug):
        """Add a picture to the end of the product's gallery."""
        form = PictureUploadForm()
        if not form.validate_on_submit():
            flash("The picture was not added. " + _problems(form), "error")
            return _back(slug)
        data = form.file.data.read() if form.file.data else b""
        try:
            image = services.add_product_image(
                db.session, slug, data, form.alt.data, current_user.email,
                limits=upload_limits(), storage=media_storage(db.session))
        except ServiceError as exc:
            db.session.rollback()
            field = "Alt text" if exc.details.get("field") == "alt" else "Picture"
            flash(f"The picture was not added. {field}: {exc.message}", "error")
            return _back(slug)
        flash(f"Added the picture “{image.alt}” ({image.width} x {image.height} pixels).")
        return _back(slug)

    @bp.route("/<slug>/pictures/<int:image_id>", methods=["POST"])
    @limiter.limit(WRITE_LIMIT)
    @role_required("editor")
    def change(slug, image_id):
        """Change a picture's alt text and/or its place."""
        form = PictureChangeForm()
        if not form.validate_on_submit():
            flash("The picture was not changed. " + _problems(form), "error")
            return _back(slug)
        position = form.position.data - 1 if form.position.data else None
        try:
            services.update_product_image(db.session, slug, image_id, current_user.email,
                                          alt=form.alt.data, position=position)
        except ServiceError as exc:
            db.session.rollback()
            flash(f"The picture was not changed: {exc.message}", "error")
            return _back(slug)
        flash("Saved the picture.")
        return _back(slug)

    @bp.route("/<slug>/pictures/<int:image_id>/remove", methods=["POST"])
    @limiter.limit(WRITE_LIMIT)
    @role_required("editor")
    def remove(slug, image_id):
        """Take a picture out of the gallery."""
        if not PictureRemoveForm().validate_on_submit():
            flash("The picture was not removed; please try again.", "error")
            return _back(slug)
        try:
            services.remove_product_image(db.session, slug, image_id, current_user.email)
        except ServiceError as exc:
            db.session.rollback()
            flash(f"The picture was not removed: {exc.message}", "error")
            return _back(slug)
        flash("Took the picture out of the gallery.")
        return _back(slug)

    return bp
