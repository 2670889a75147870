"""Schemas shared by every module's API: what every input refuses, money and links."""

import marshmallow as ma

from .emails import normalise_email

NUL_MESSAGE = "Must not contain a NUL character."
MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path, and the column's width


def no_nul(value: str) -> None:
    """PostgreSQL cannot keep (or even compare) text holding a NUL character."""
    if "\x00" in value:
        raise ma.ValidationError(NUL_MESSAGE)


def _holds_nul(value) -> bool:
    """Whether a loaded value, or any string nested in it (keys too), holds a NUL."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


class InputSchema(ma.Schema):
    """Every schema that reads a request: a NUL character in any of its fields (nested
    ones too) is that field's error, whatever the field's own rules."""

    @ma.pre_load
    def refuse_nul(self, data, **kwargs):
        """Name each field whose value holds a NUL character."""
        if not hasattr(data, "get"):
            return data  # not an object: the schema reports that itself
        problems = {}
        for name, field in self.load_fields.items():
            key = field.data_key or name
            values = data.getlist(key) if hasattr(data, "getlist") else [data.get(key)]
            if any(_holds_nul(v) for v in values):
                problems[key] = [NUL_MESSAGE]
        if problems:
            raise ma.ValidationError(problems)
        return data


class StrictSchema(InputSchema):
    """Unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = ma.RAISE


class InputString(ma.fields.String):
    """A string read from a request: `max_length` characters at most, never a NUL."""

    def __init__(self, *, max_length: int, min_length: int | None = None, validate=None,
                 **kwargs):
        extra = [validate] if callable(validate) else list(validate or [])
        super().__init__(validate=[ma.validate.Length(min=min_length, max=max_length),
                                   no_nul, *extra], **kwargs)


def fits_when_normalised(value: str) -> None:
    """An address must still fit once normalised as the shop keeps it."""
    if len(normalise_email(value)) > MAX_EMAIL_LENGTH:
        raise ma.ValidationError(f"Longer than {MAX_EMAIL_LENGTH} characters.")


class InputEmail(ma.fields.Email):
    """An email address read from a request: at most 254 characters as kept, never a NUL."""

    def __init__(self, **kwargs):
        super().__init__(validate=[ma.validate.Length(max=MAX_EMAIL_LENGTH), no_nul,
                                   fits_when_normalised], **kwargs)


class MoneySchema(ma.Schema):
    """An amount in minor units, its currency and a display form."""

    amount = ma.fields.Integer(required=True, metadata={"description": "Minor units (cents)."})
    currency = ma.fields.String(required=True, metadata={"example": "usd"})
    formatted = ma.fields.String(required=True, metadata={"example": "$24.99"})


class LinkSchema(ma.Schema):
    """A link to a product, exercise or article."""

    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    url = ma.fields.String(required=True)
