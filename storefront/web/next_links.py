"""Where to go next from a page with nothing to show, as plugins offer it."""

from __future__ import annotations

from flask import current_app

from plugins.types import NavLink


def empty_state_links(page: str) -> list[NavLink]:
    """The links plugins offer on an empty `page` ("cart" or "search"), in their order."""
    hook = current_app.extensions["storefront"].plugins.hook
    views = current_app.view_functions
    # A plugin may offer a page that this app does not mount (pages of its own turned off).
    links = [link for contributed in hook.empty_state_links(page=page)
             for link in contributed if link.endpoint in views]
    return sorted(links, key=lambda link: (link.order, link.label))
