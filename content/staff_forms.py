"""The console's exercise and article forms, and the step between them and the editing rules."""

from __future__ import annotations

from datetime import UTC

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp

from .authoring import SLUG
from .editing import SLUG_RULE

EXERCISE_STATUS_CHOICES = [SelectChoice("draft", "Draft (only staff see it)"),
                           SelectChoice("published", "Published"),
                           SelectChoice("archived", "Archived (hidden from readers)")]
ARTICLE_STATUS_CHOICES = [SelectChoice("draft", "Draft (only staff see it)"),
                          SelectChoice("published", "Published"),
                          SelectChoice("scheduled", "Scheduled (public from the time below)")]
ROLE_CHOICES = [SelectChoice("required", "Required"), SelectChoice("optional", "Optional")]
GEAR_ROWS_SPARE = 2  # empty product rows offered below the linked ones
SLUG_HINT = ("The end of the page address. " + SLUG_RULE)


class GearForm(Form):
    """One product an exercise uses (a row of the exercise form; its CSRF is the form's)."""

    product = SelectField("Product", choices=[], validate_choice=False)
    role = SelectField("Needed", choices=ROLE_CHOICES)
    recommended_sku = SelectField("Start with", choices=[], validate_choice=False)


class ExerciseForm(FlaskForm):
    """An exercise: its words, its status and the products it uses."""

    name = StringField("Title", validators=[InputRequired(), Length(max=200)])
    slug = StringField("Address (slug)", description=SLUG_HINT, validators=[
        InputRequired(), Length(max=120), Regexp(SLUG, message=SLUG_RULE)])
    summary = TextAreaField("Summary", validators=[Length(max=2000)],
                            render_kw={"rows": 3})
    steps = TextAreaField("Steps", description="One step per line, in order.",
                          validators=[Length(max=20_000)], render_kw={"rows": 8})
    muscles = StringField("Muscles worked", description="Separated by commas.",
                          validators=[Length(max=1000)])
    safety = TextAreaField("Safety note", validators=[Length(max=4000)], render_kw={"rows": 3})
    status = SelectField("Status", choices=EXERCISE_STATUS_CHOICES)
    gear = FieldList(FormField(GearForm), min_entries=1)
    version = HiddenField()
    save = SubmitField("Save exercise")


class ArticleForm(FlaskForm):
    """An article: Markdown with shortcodes, and when it goes public."""

    title = StringField("Title", validators=[InputRequired(), Length(max=200)])
    slug = StringField("Address (slug)", description=SLUG_HINT, validators=[
        InputRequired(), Length(max=120), Regexp(SLUG, message=SLUG_RULE)])
    summary = TextAreaField("Summary", validators=[Length(max=2000)], render_kw={"rows": 3})
    body_markdown = TextAreaField(
        "Body (Markdown)", validators=[Length(max=200_000)], render_kw={"rows": 20},
        description="Put [[exercise:slug]] or [[product:slug]] alone on a line to show "
                    "that exercise or product as a linked card.")
    status = SelectField("Status", choices=ARTICLE_STATUS_CHOICES)
    published_at = DateTimeLocalField(
        "Goes public at (UTC)", format="%Y-%m-%dT%H:%M", validators=[Optional()],
        description="Needed for a scheduled article; left empty, a published one goes out now.")
    version = HiddenField()
    preview = SubmitField("Preview")
    save = SubmitField("Save article")


class ExercisePictureForm(FlaskForm):
    """The exercise's picture and its alt text."""

    file = FileField("Picture (JPEG, PNG or WebP)")
    alt = StringField("Alt text", validators=[InputRequired(), Length(max=300)],
                      description="What the picture shows, for people who cannot see it.")
    upload = SubmitField("Upload picture")


def set_gear_choices(form: ExerciseForm, products) -> None:
    """Offer every product, and every variant under its product's name."""
    product_choices = [SelectChoice("", "No product")] + [
        SelectChoice(p.slug, p.name) for p in products]
    sku_choices = [SelectChoice("", "No recommendation")] + [
        SelectChoice(v.sku, f"{p.name}: {v.name} ({v.sku})")
        for p in products for v in p.variants]
    for row in form.gear:
        row.form.product.choices = product_choices
        row.form.recommended_sku.choices = sku_choices


def exercise_form_data(values: dict, version: int | None) -> dict:
    """An exercise's values as the form shows them, with spare product rows."""
    gear = [{"product": link["slug"], "role": link["role"],
             "recommended_sku": link["recommended_sku"] or ""} for link in values["products"]]
    gear += [{"product": "", "role": "required", "recommended_sku": ""}] * GEAR_ROWS_SPARE
    return {**values, "steps": "\n".join(values["steps"]),
            "muscles": ", ".join(values["muscles"]), "gear": gear, "version": version}


def exercise_values_from(form: ExerciseForm) -> dict:
    """The form's fields as the editing rules take them."""
    return {
        "slug": form.slug.data.strip(), "name": form.name.data, "summary": form.summary.data,
        "steps": [line.strip() for line in (form.steps.data or "").splitlines() if line.strip()],
        "muscles": [m.strip() for m in (form.muscles.data or "").split(",") if m.strip()],
        "safety": form.safety.data, "status": form.status.data,
        "products": [{"slug": row.product.data, "role": row.role.data,
                      "recommended_sku": row.recommended_sku.data or None}
                     for row in form.gear if row.product.data],
    }


def article_form_data(values: dict, version: int | None) -> dict:
    """An article's values as the form shows them (the time in UTC, to the minute)."""
    moment = values["published_at"]
    return {**values, "version": version,
            "published_at": moment.astimezone(UTC).replace(tzinfo=None) if moment else None}


def article_values_from(form: ArticleForm) -> dict:
    """The form's fields as the editing rules take them."""
    moment = form.published_at.data
    return {"slug": form.slug.data.strip(), "title": form.title.data,
            "summary": form.summary.data, "body_markdown": form.body_markdown.data or "",
            "status": form.status.data,
            "published_at": moment.replace(tzinfo=UTC) if moment else None}


def form_version(form) -> int | None:
    """The version the form was opened on; None when missing or not a number."""
    value = (form.version.data or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None
