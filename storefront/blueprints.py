"""Mounting the core's and the plugins' blueprints at their prefixes."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_smorest import Blueprint as ApiBlueprint

from .caching import add_cache_headers


def register_blueprints(app: Flask, state) -> None:
    """Register API blueprints under the API prefix and page blueprints under the pages prefix."""
    from .attribution.api import make_blueprint as attribution_api
    from .cart.api import make_blueprint as cart_api
    from .catalog.api import make_blueprints as catalog_api
    from .catalog.staff_api import make_blueprints as catalog_staff_api
    from .checkout.shipping_api import make_blueprint as shipping_api
    from .discounts.cart_api import make_blueprint as cart_discount_api
    from .discounts.staff_api import make_blueprint as discount_staff_api
    from .media.api import make_blueprint as media_api
    from .moderation.api import make_blueprint as moderation_api
    from .orders.api import make_blueprints as order_api
    from .reviews.api import make_blueprint as review_api
    from .search.api import make_blueprint as search_api
    from .staff.api import make_blueprint as staff_api
    from .staff.team_api import make_blueprint as staff_team_api

    api_blueprints: list[ApiBlueprint] = [*catalog_api(), review_api(), cart_api(),
                                          *order_api(), search_api(), moderation_api(),
                                          attribution_api(), staff_api(), shipping_api(),
                                          *catalog_staff_api(), media_api(), staff_team_api(),
                                          cart_discount_api(), discount_staff_api()]
    for contributed in state.plugins.hook.storefront_api_blueprints():
        api_blueprints.extend(contributed)
    for blp in api_blueprints:
        blp.after_request(add_cache_headers)
        state.api.register_blueprint(blp, url_prefix=state.api_prefix + (blp.url_prefix or ""))
        state.blueprint_names.add(blp.name)

    assets = Blueprint("storefront_assets", __name__, static_folder="web/static",
                       static_url_path=app.config["STOREFRONT_ASSETS_PATH"])
    app.register_blueprint(assets)
    state.blueprint_names.add(assets.name)

    # Uploaded pictures are served with or without the reference pages: the API links them.
    from .media.pages import make_blueprint as media_files
    media = media_files(app.config["STOREFRONT_PAGES_PREFIX"].rstrip("/") + "/media")
    app.register_blueprint(media)
    state.blueprint_names.add(media.name)

    from .apidocs import make_blueprint as api_reference
    reference = api_reference(state.api_prefix, app.config["STOREFRONT_OPENAPI_URL_PREFIX"])
    app.register_blueprint(reference)
    state.blueprint_names.add(reference.name)

    if not state.pages:
        return
    from .media.console import make_blueprint as picture_pages
    from .staff.catalog_pages import make_blueprint as catalog_pages
    from .staff.console import make_blueprint as staff_console
    from .staff.order_pages import make_blueprint as order_desk_pages
    from .web import make_blueprint as web_pages
    from .web import render_error_page

    pages_prefix = app.config["STOREFRONT_PAGES_PREFIX"].rstrip("/")
    page_blueprints: list[Blueprint] = [web_pages(), staff_console(), order_desk_pages(),
                                       catalog_pages(), picture_pages()]
    for contributed in state.plugins.hook.storefront_web_blueprints():
        page_blueprints.extend(contributed)
    state.render_html_error = render_error_page
    for bp in page_blueprints:
        app.register_blueprint(bp, url_prefix=pages_prefix + (bp.url_prefix or ""))
        state.blueprint_names.add(bp.name)
