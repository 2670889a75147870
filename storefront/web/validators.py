"""Form field checks shared by the shop's pages and the plugins' pages."""

from __future__ import annotations

import marshmallow as ma
from wtforms.validators import ValidationError


def same_email_rule_as_the_api(form, field):
    """The API's email check (marshmallow's), so a page and a client agree."""
    try:
        ma.validate.Email()(field.data or "")
    except ma.ValidationError:
        raise ValidationError("Enter an email address such as name@example.com.") from None
