"""The content module, plugged into the core through the same hooks as any plugin."""

from __future__ import annotations

from plugins.hookspecs import hookimpl
from plugins.types import ModeratedKind, NavLink
from storefront.extensions import db

from . import (
    models,  # noqa: F401  (registers the content tables with the metadata)
    services,
)


@hookimpl
def storefront_api_blueprints():
    """Exercises and articles under the API prefix."""
    from .api import make_blueprints
    from .comments import make_blueprint as comments_blueprint
    return [*make_blueprints(), comments_blueprint()]


@hookimpl
def storefront_web_blueprints():
    """Exercise and article pages."""
    from .web import make_blueprint
    return [make_blueprint()]


@hookimpl
def moderated_kinds():
    """Article comments go through the shared moderation queue."""
    return [ModeratedKind(name="comment", label="Comment", target_type="article")]


@hookimpl
def storefront_navigation():
    """Exercises and Articles in the header."""
    return [NavLink("Exercises", "content.exercises", order=20),
            NavLink("Articles", "content.articles", order=30)]


@hookimpl
def product_links(product):
    """The exercises that use this product."""
    return services.links_for_product(db.session, product.id)


@hookimpl
def featured_content(limit):
    """The newest articles for the home page."""
    return services.latest_articles(db.session, limit)


@hookimpl
def seed_demo(products):
    """The demo exercises and the hamstring article."""
    from .demo import seed
    seed(db.session, products)


@hookimpl
def content_search(query, limit):
    """Exercises and published articles that mention the query."""
    return services.search(db.session, query, limit)
