"""The shop's emails as templates: `<name>.txt` and `<name>.html` under `mail/templates/`.

A standalone Jinja environment (no Flask app needed): HTML is autoescaped, plain text is
not. Both parts of an email get the same context; `money` formats minor units. In the
text part, runs of blank lines left by optional sections are closed up to one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound

from ..money import format_money

_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n){2,}")


@dataclass(frozen=True)
class RenderedEmail:
    """The two parts of an email; `html` is None for an email written in text only."""

    text: str
    html: str | None


@cache
def environment() -> Environment:
    """The mail templates' environment, built once."""
    env = Environment(
        loader=PackageLoader("storefront.mail", "templates"),
        autoescape=lambda name: (name or "").endswith(".html"),
        undefined=StrictUndefined,  # a misspelt name fails the test, not the email
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["money"] = format_money
    return env


def render_email(name: str, **context) -> RenderedEmail:
    """Render `name.txt` and, when it exists, `name.html` with `context`."""
    env = environment()
    text = _BLANK_LINES.sub("\n\n", env.get_template(f"{name}.txt").render(**context))
    text = text.strip("\n") + "\n"
    try:
        html_template = env.get_template(f"{name}.html")
    except TemplateNotFound:
        return RenderedEmail(text=text, html=None)
    return RenderedEmail(text=text, html=html_template.render(**context))
