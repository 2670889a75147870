"""Staff console forms for products and variants, with prices typed as people write them."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..catalog.editing import SLUG, SLUG_RULE
from ..catalog.models import PRODUCT_STATUSES
from ..catalog.schemas import MAX_STOCK
from ..money import decimal_amount, parse_money

MAX_PRICE_TEXT = 12
STATUS_LABELS = {"draft": "Draft (only staff see it)", "active": "Active (on sale)",
                 "archived": "Archived (hidden, kept for orders)"}


class MoneyForm(FlaskForm):
    """A console form that takes money as people type it ("24.99"), in `currency`."""

    money_example = "24.99"

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency

    def _money(self, field) -> int:
        """The field's amount in minor units, or the form's way of saying how to type it."""
        try:
            return parse_money(field.data, self.currency)
        except ValueError:
            raise ValidationError(f"Type an amount such as {self.money_example}.") from None


class ProductFilterForm(FlaskForm):
    """The list's status filter, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField("Status", default="", choices=[SelectChoice("", "Any status")] + [
        SelectChoice(s, s.capitalize()) for s in PRODUCT_STATUSES])


class ProductForm(FlaskForm):
    """Every field of a product; `version` is the one the form was filled from."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    slug = StringField("Address name (slug)", validators=[DataRequired(), Length(max=120)],
                       description="The end of the page's address: lowercase letters, digits "
                                   "and hyphens, such as stability-ball.")
    kind = StringField("Kind", validators=[DataRequired(), Length(max=40)],
                       description="The word its pages use for it: band, ball, set.")
    options = StringField("Options", validators=[Optional(), Length(max=300)],
                          description="What its variants differ by, separated by commas: "
                                      "Size, or Resistance. Leave empty for a single item.")
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=2000)],
                            description="One or two sentences for lists and search.")
    description = TextAreaField("Description", validators=[Optional(), Length(max=20000)],
                                description="Paragraphs separated by an empty line.")
    status = SelectField("Status", default="draft", choices=[
        SelectChoice(value, label) for value, label in STATUS_LABELS.items()])
    version = HiddenField()
    submit = SubmitField("Save product")

    def validate_slug(self, field):
        field.data = (field.data or "").strip()
        if not SLUG.match(field.data):
            raise ValidationError(SLUG_RULE)

    def option_names(self) -> list[str]:
        return [name.strip() for name in (self.options.data or "").split(",") if name.strip()]

    def values(self) -> dict:
        return {"name": self.name.data, "slug": self.slug.data, "kind": self.kind.data,
                "options": self.option_names(), "summary": (self.summary.data or "").strip(),
                "description": (self.description.data or "").strip(),
                "status": self.status.data}


class StatusForm(FlaskForm):
    """Publish, archive or restore: one button, with the version it was based on."""

    status = HiddenField(validators=[DataRequired()])
    version = HiddenField(validators=[DataRequired()])


class VariantForm(MoneyForm):
    """A variant: options come as fields of their own (see `variant_form`)."""

    sku = StringField("SKU", validators=[DataRequired(), Length(max=64)],
                      description="Unique across the shop, such as SB-65.")
    name = StringField("Name", validators=[Optional(), Length(max=120)],
                       description="Leave empty to use the option values.")
    price = StringField("Price", validators=[DataRequired(), Length(max=MAX_PRICE_TEXT)],
                        description="For example 24.99.")
    compare_at = StringField("Compare-at price", validators=[Optional(),
                                                             Length(max=MAX_PRICE_TEXT)],
                             description="The higher price this one saves on, shown to "
                                         "shoppers as a saving; leave empty for none.")
    stock = IntegerField("Stock", default=0, validators=[InputRequired("Type a number, 0 or "
                                                                      "more."),
                                                         NumberRange(0, MAX_STOCK)])
    active = BooleanField("Offered to shoppers", default=True)
    version = HiddenField()
    submit = SubmitField("Save variant")

    option_fields: list[tuple[str, str]] = []  # (option name, field name), per subclass

    def validate_price(self, field):
        self._money(field)

    def validate_compare_at(self, field):
        if field.data:
            self._money(field)

    def options_dict(self) -> dict[str, str]:
        return {name: (getattr(self, key).data or "").strip() for name, key in self.option_fields}

    def values(self) -> dict:
        return {"sku": (self.sku.data or "").strip(), "name": (self.name.data or "").strip(),
                "options": self.options_dict(), "price": self._money(self.price),
                "compare_at_price": (self._money(self.compare_at) if self.compare_at.data
                                     else None),
                "stock": self.stock.data, "active": self.active.data}


def variant_form(option_names: list[str], *, currency: str, **kwargs) -> VariantForm:
    """A variant form with one required field per option of the product."""
    fields = {}
    pairs = []
    for n, name in enumerate(option_names):
        key = f"option_{n}"
        fields[key] = StringField(name, validators=[DataRequired(f"Give a value for {name}."),
                                                    Length(max=120)])
        pairs.append((name, key))
    form_class = type("ProductVariantForm", (VariantForm,), {**fields, "option_fields": pairs})
    return form_class(currency=currency, **kwargs)


def product_data(values: dict, version: int) -> dict:
    """A product's fields as the form shows them."""
    return {**values, "options": ", ".join(values["options"]), "version": version}


def variant_data(variant) -> dict:
    """A variant's fields as the form shows them: prices as people write them."""
    data = {"sku": variant.sku, "name": variant.name, "stock": variant.stock,
            "price": decimal_amount(variant.price_amount, variant.currency),
            "compare_at": (decimal_amount(variant.compare_at_amount, variant.currency)
                           if variant.compare_at_amount is not None else ""),
            "active": variant.active, "version": variant.version}
    for n, name in enumerate(variant.product.options or []):
        data[f"option_{n}"] = (variant.options or {}).get(name, "")
    return data
