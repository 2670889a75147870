"""Public addresses of pages and images, the same for the API and the pages."""

from __future__ import annotations

from flask import current_app

# The core's own pages. A plugin's kinds (content's exercises and articles) come from the
# plugin that owns them, through the `page_path` hook, so the core never spells their paths.
PAGE_PATHS = {
    "product": "/products/{slug}",
}


def public_url(path: str) -> str:
    """`path` under PUBLIC_BASE_URL (root-relative when no base is set)."""
    return current_app.config["PUBLIC_BASE_URL"] + path


def pages_url(path: str) -> str:
    """Address of a reference page at `path`, under the pages prefix and PUBLIC_BASE_URL."""
    return public_url(current_app.config["STOREFRONT_PAGES_PREFIX"].rstrip("/") + path)


def page_url(kind: str, slug: str) -> str:
    """Address of the reference page for one product, or for one page of a plugin's kind."""
    if kind in PAGE_PATHS:
        return pages_url(PAGE_PATHS[kind].format(slug=slug))
    plugins = current_app.extensions["storefront"].plugins
    path = plugins.hook.page_path(kind=kind, slug=slug)
    if path is None:
        raise LookupError(f"No plugin has pages of kind {kind!r}.")
    return pages_url(path)


def asset_url(filename: str) -> str:
    """Address of a file shipped in the storefront's static folder."""
    return public_url(current_app.config["STOREFRONT_ASSETS_PATH"] + "/" + filename)
