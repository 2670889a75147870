"""Pages kept whole in the shared cache, with holes for what differs per visitor.

A busy page (a product, an article) is rendered once per change of the data behind it
and stored in the shared cache (`storefront.sharedcache`). What belongs to one visitor
(the CSRF token of its forms, the cart count in the header, flashed messages, the
content that sent them here) is rendered as a *hole*: a marker carrying a random nonce
made for that rendering, filled in afresh on every request. Visitor writing on a page
is escaped or sanitised, so it cannot contain a marker, and could not guess the nonce
if it did.

Templates write `{{ hole("name") }}`; outside a cached rendering that is simply the
filled value, so every page can use the same templates.

A hole is filled by rendering a small Jinja template of its own (Jinja escapes what goes
in) with the values a context function gives for this request. Holes are registered per
app, through the blueprint whose pages use them (`add`), in the extension's state; the
core's are added with the shop's pages, a plugin adds its own with its blueprint.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import Blueprint, current_app, g, get_flashed_messages, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from .. import sharedcache

NONCE = "storefront_hole_nonce"  # key in flask.g while a page is rendered for the cache


def add(bp: Blueprint, name: str, template: str, context: Callable[[], dict]) -> None:
    """Register the hole `name` for every app `bp` is registered on: `template` rendered
    with `context()` fills it on each request."""
    def register(setup) -> None:
        setup.app.extensions["storefront"].holes[name] = (template, context)
    bp.record_once(register)


def install(bp: Blueprint) -> None:
    """Give the pages of `bp`'s apps the `hole()` global and the core's holes."""
    bp.add_app_template_global(hole, "hole")
    add(bp, "csrf", "storefront/holes/csrf.html", lambda: {"token": generate_csrf()})
    add(bp, "flashes", "storefront/holes/flashes.html",
        lambda: {"messages": get_flashed_messages()})
    add(bp, "source", "storefront/holes/source.html", source_context)


def hole(name: str) -> Markup:
    """The hole's marker while a page is rendered for the cache, its value otherwise."""
    if name not in current_app.extensions["storefront"].holes:
        raise KeyError(f"no filler for hole {name!r}")
    nonce = g.get(NONCE)
    if nonce is None:
        return Markup(_fill(name))
    return Markup(f"<!--hole {nonce} {name}-->")


def _fill(name: str) -> str:
    """The hole's template rendered for this request (no context processors run: the
    context function gives all the template needs)."""
    template, context = current_app.extensions["storefront"].holes[name]
    return current_app.jinja_env.get_template(template).render(context())


def cached_page(key: str, render: Callable[[], str], ttl: int | None = None, *,
                store: bool = True) -> str:
    """The page under `key`, rendered by `render()` when the cache has no current copy,
    with its holes filled for this request. `ttl` and `store` are the shared cache's
    (`sharedcache.fetch`): a page a visitor names freely is stored only when admitted."""
    def build() -> bytes:
        nonce = secrets.token_hex(12)
        setattr(g, NONCE, nonce)
        try:
            html = render()
        finally:
            g.pop(NONCE, None)
        return (nonce + "\n" + html).encode()

    entry = sharedcache.fetch("page:" + key, build, ttl, store=store)
    nonce, _, html = entry.body.decode().partition("\n")
    first, *rest = html.split(f"<!--hole {nonce} ")
    parts = [first]
    for piece in rest:
        name, _, after = piece.partition("-->")
        parts.append(_fill(name))
        parts.append(after)
    return "".join(parts)


def source_context() -> dict:
    """The content a shopper came from, carried into the cart by a hidden field."""
    from .cart import valid_source
    return {"source": valid_source(request.args.get("source"))}
