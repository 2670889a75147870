"""Public addresses of pages and images, the same for the API and the pages."""

from __future__ import annotations

from flask import current_app

PAGE_PATHS = {
    "product": "/products/{slug}",
    "exercise": "/exercises/{slug}",
    "article": "/articles/{slug}",
}


def public_url(path: str) -> str:
    """`path` under PUBLIC_BASE_URL (root-relative when no base is set)."""
    return current_app.config["PUBLIC_BASE_URL"] + path


def page_url(kind: str, slug: str) -> str:
    """Address of the reference page for one product, exercise or article."""
    prefix = current_app.config["STOREFRONT_PAGES_PREFIX"].rstrip("/")
    return public_url(prefix + PAGE_PATHS[kind].format(slug=slug))


def asset_url(filename: str) -> str:
    """Address of a file shipped in the storefront's static folder."""
    return public_url(current_app.config["STOREFRONT_ASSETS_PATH"] + "/" + filename)
