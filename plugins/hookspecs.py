"""Every hook the core calls, each documented here and in docs/plugins.md.

Hooks are always called with keyword arguments; an implementation may accept any
subset of them.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("storefront")
hookimpl = pluggy.HookimplMarker("storefront")


# ---------------------------------------------------------------------------
# Wiring: what a plugin adds to the application
# ---------------------------------------------------------------------------

@hookspec
def storefront_api_blueprints():
    """Return a list of flask-smorest Blueprints to mount under the API prefix.

    Fires once while the core is bound to an app. Each blueprint's `url_prefix` is
    taken relative to the API prefix (`/api/v1` by default), so a blueprint with
    `url_prefix="/exercises"` answers at `/api/v1/exercises`. Build a fresh Blueprint
    on every call: one app, one blueprint object.
    """


@hookspec
def storefront_web_blueprints():
    """Return a list of Flask Blueprints holding reference pages.

    Fires once while the core is bound to an app, and only when the reference pages
    are enabled (`STOREFRONT_PAGES`). Templates may extend `storefront/base.html`.
    """


@hookspec
def storefront_navigation():
    """Return a list of `NavLink` values for the header of every reference page.

    Fires when a page is rendered. Links are sorted by `order`, then label.
    """


# ---------------------------------------------------------------------------
# Catalogue: content that belongs with a product
# ---------------------------------------------------------------------------

@hookspec
def product_links(product):
    """Return a list of `ContentLink` values to show with `product` (a `ProductRef`).

    Fires once per product detail (API and page); the core shows links of kind
    `exercise` under "Exercises this band supports". Keep it to one query, whatever
    the number of links.
    """


@hookspec
def featured_content(limit):
    """Return up to `limit` `ContentLink` values to feature on the home page, newest first.

    Fires when the home page is rendered.
    """


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

@hookspec
def seed_demo(products):
    """Load the plugin's demo data; `products` maps each demo product slug to its id.

    Fires during `storefront seed-demo`, after the core has loaded the demo
    catalogue, inside the same transaction. It must be idempotent: running it twice
    leaves the same data as running it once.
    """


# ---------------------------------------------------------------------------
# Finding things
# ---------------------------------------------------------------------------

@hookspec
def content_search(query, limit):
    """Return up to `limit` `ContentLink` values whose title or text contains `query`.

    Fires when a reader searches from the header box; `query` is the reader's text,
    already trimmed and never empty. The core adds its own product matches.
    """
