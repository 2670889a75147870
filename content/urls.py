"""Where content's pages live: the paths content owns, and addresses built from them."""

from __future__ import annotations

from storefront.plugin_api import page_url as core_page_url
from storefront.plugin_api import pages_url

# The same paths as the routes in web.py; the core learns them through the `page_path` hook.
PAGE_PATHS = {
    "exercise": "/exercises/{slug}",
    "article": "/articles/{slug}",
}


def page_path(kind: str, slug: str) -> str | None:
    """The path of one of content's pages, or None for a kind content does not own."""
    template = PAGE_PATHS.get(kind)
    return template.format(slug=slug) if template else None


def page_url(kind: str, slug: str) -> str:
    """Address of the page of an exercise, an article or (through the core) a product."""
    path = page_path(kind, slug)
    return pages_url(path) if path else core_page_url(kind, slug)
