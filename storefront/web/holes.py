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
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import g, get_flashed_messages, request
from markupsafe import Markup, escape

from .. import sessions, sharedcache

NONCE = "storefront_hole_nonce"  # key in flask.g while a page is rendered for the cache
_fillers: dict[str, Callable[[], str]] = {}


def filler(name: str):
    """Register `function()` as what fills the hole `name` for the current request."""
    def register(function: Callable[[], str]) -> Callable[[], str]:
        _fillers[name] = function
        return function
    return register


def hole(name: str) -> Markup:
    """The hole's marker while a page is rendered for the cache, its value otherwise."""
    if name not in _fillers:
        raise KeyError(f"no filler for hole {name!r}")
    nonce = g.get(NONCE)
    if nonce is None:
        return Markup(_fillers[name]())
    return Markup(f"<!--hole {nonce} {name}-->")


def cached_page(key: str, render: Callable[[], str]) -> str:
    """The page under `key`, rendered by `render()` when the cache has no current copy,
    with its holes filled for this request."""
    def build() -> bytes:
        nonce = secrets.token_hex(12)
        setattr(g, NONCE, nonce)
        try:
            html = render()
        finally:
            g.pop(NONCE, None)
        return (nonce + "\n" + html).encode()

    entry = sharedcache.fetch("page:" + key, build)
    nonce, _, html = entry.body.decode().partition("\n")
    first, *rest = html.split(f"<!--hole {nonce} ")
    parts = [first]
    for piece in rest:
        name, _, after = piece.partition("-->")
        parts.append(_fillers[name]())
        parts.append(after)
    return "".join(parts)


@filler("csrf")
def csrf_input() -> str:
    """The hidden CSRF field every page form carries."""
    return f'<input name="csrf_token" type="hidden" value="{escape(sessions.csrf_token())}">'


@filler("flashes")
def flash_messages() -> str:
    """Messages left by the previous request (a review sent, say)."""
    messages = get_flashed_messages()
    if not messages:
        return ""
    return ('<div class="flash" role="status">'
            + "".join(f"<p>{escape(message)}</p>" for message in messages) + "</div>")


@filler("source")
def source_input() -> str:
    """The hidden field that carries the content a shopper came from into the cart."""
    from .cart import valid_source
    return ('<input id="source" name="source" type="hidden" value="'
            f'{escape(valid_source(request.args.get("source")))}">')
