"""The content module, plugged into the core through the same hooks as any plugin."""

from __future__ import annotations

from plugins.hookspecs import hookimpl
from plugins.types import ConsoleLink, ModeratedKind, NavLink
from storefront.plugin_api import db

from . import (
    models,  # noqa: F401  (registers the content tables with the metadata)
    services,
    urls,
)


@hookimpl
def storefront_api_blueprints():
    """Exercises and articles under the API prefix, and their staff editing."""
    from .api import make_blueprints
    from .comments import make_blueprint as comments_blueprint
    from .newsletter_api import make_blueprints as newsletter_blueprints
    from .staff_api import make_blueprints as staff_blueprints
    return [*make_blueprints(), comments_blueprint(), *staff_blueprints(),
            *newsletter_blueprints()]


@hookimpl
def storefront_web_blueprints():
    """Exercise and article pages, the newsletter's pages, and the console's exercise and
    article editors and newsletter page."""
    from .newsletter_console import make_blueprint as newsletter_console
    from .newsletter_pages import make_blueprint as newsletter_pages
    from .staff_pages import make_blueprint as staff_pages
    from .web import make_blueprint
    return [make_blueprint(), staff_pages(), newsletter_pages(), newsletter_console()]


@hookimpl
def staff_console_links():
    """Exercises and Articles in the staff console, for editors; the Newsletter for admins."""
    return [ConsoleLink("Exercises", "content_console.exercises", "editor", order=30),
            ConsoleLink("Articles", "content_console.articles", "editor", order=40),
            ConsoleLink("Newsletter", "newsletter_console.subscribers", "admin", order=50)]


@hookimpl
def footer_forms():
    """The newsletter sign-up in the footer of every page."""
    from .newsletter_pages import footer_forms as forms
    return forms()


@hookimpl
def storefront_commands():
    """`storefront content import DIR`."""
    from .cli import content_group
    return [content_group]


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
def empty_state_links(page):
    """The exercises, as a way on from an empty cart or a search that found nothing."""
    return [NavLink("See the exercises", "content.exercises", order=20)]


@hookimpl
def page_path(kind, slug):
    """Where an exercise or an article page lives."""
    return urls.page_path(kind, slug)


@hookimpl
def product_links(product):
    """The exercises that use this product."""
    return services.links_for_product(db.session, product.id)


@hookimpl
def product_articles(product):
    """The published articles that feature this product."""
    return services.articles_for_product(db.session, product.id)


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
def search_sources():
    """Exercise rows feed exercise documents, article rows article documents."""
    return list(services.SEARCH_SOURCES)


@hookimpl
def search_documents(kind, ids):
    """Exercises (name, summary, steps, muscles) and published articles (title, text)."""
    return services.search_documents(db.session, kind, ids)


@hookimpl
def sitemap_entries():
    """Every published exercise and article, for the sitemap."""
    from .seo import sitemap_entries as entries
    return entries(db.session)


@hookimpl
def feed_entries(limit):
    """The newest published articles, for the Atom feed."""
    from .seo import feed_entries as entries
    return entries(db.session, limit)
