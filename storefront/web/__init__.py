"""The reference storefront: server-rendered pages over the same services as the API."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from plugins.types import ContentLink, ProductRef

from .. import sharedcache
from ..catalog import services as catalog
from ..catalog.api import product_summary, public_product
from ..errors import InvalidError
from ..extensions import db
from ..moderation import services as moderation
from ..moderation.services import Target
from ..money import format_money
from ..pagination import decode_cursor
from ..reviews import services as review_rules
from ..search import services as site_search
from ..textsearch import MAX_QUERY_LENGTH, clean_query
from ..urls import page_url
from . import cart as cart_pages
from . import discounts as discount_pages
from . import holes, journeys, product_words, seo
from . import reviews as review_pages
from .cart import add_form_for
from .holes import cached_page
from .next_links import empty_state_links

HOME_PRODUCTS = 12
SEARCH_LIMIT = 20
SEARCH_SUGGESTIONS = 3  # bands offered when a search finds nothing


def _plugins():
    return current_app.extensions["storefront"].plugins


def make_blueprint() -> Blueprint:
    """A fresh blueprint of the shop's own pages for one app."""
    bp = Blueprint("web", __name__, template_folder="templates")
    search_pages = sharedcache.CacheAdmission(window=site_search.CACHE_TTL)

    @bp.app_context_processor
    def shop_name():
        """The shop's name (`SHOP_NAME`), for the header, footer and titles of every page."""
        return {"shop_name": current_app.extensions["storefront"].settings.shop_name}

    @bp.app_context_processor
    def navigation():
        """Header links contributed by plugins, for every page."""
        def storefront_nav():
            links = [link for contributed in _plugins().hook.storefront_navigation()
                     for link in contributed]
            return sorted(links, key=lambda link: (link.order, link.label))
        return {"storefront_nav": storefront_nav}

    @bp.app_context_processor
    def footer():
        """Forms plugins put in the footer of every page (a newsletter sign-up)."""
        def footer_forms():
            forms = [form for contributed in _plugins().hook.footer_forms()
                     for form in contributed]
            return sorted(forms, key=lambda form: (form.order, form.heading))
        return {"footer_forms": footer_forms}

    @bp.route("/")
    def home():
        """Home: the bands and the latest article (kept in the shared cache like the
        product pages: the front door is the busiest page)."""
        def render():
            rows, _ = catalog.list_products(db.session, limit=HOME_PRODUCTS, cursor=None)
            featured = [link for contributed in _plugins().hook.featured_content(limit=1)
                        for link in contributed]
            return render_template("storefront/home.html",
                                   products=[product_summary(p) for p in rows],
                                   featured=featured, seo=seo.home_page())
        return cached_page("home", render)

    @bp.route("/products")
    def products():
        """Every band, a page at a time."""
        cursor = request.args.get("cursor")
        if cursor is not None:
            try:
                decode_cursor(cursor, (int,))
            except InvalidError:
                abort(404)
        rows, next_cursor = catalog.list_products(db.session, limit=24, cursor=cursor)
        return render_template("storefront/products.html",
                               products=[product_summary(p) for p in rows],
                               next_cursor=next_cursor)

    @bp.route("/products/<slug>")
    def product(slug):
        """One product: variants, prices, stock and the exercises it supports; `?sku=`
        preselects one of its variants (exercise pages link with the one they suggest)."""
        sku = request.args.get("sku") or ""
        if sku and not catalog.offers_sku(db.session, slug, sku):
            sku = ""  # only real choices make pages of their own in the cache
        key = f"product:{slug}" + (f"?sku={sku}" if sku else "")
        return cached_page(key, lambda: product_page(slug, chosen_sku=sku))

    @bp.route("/search")
    def search():
        """Search results for the header box, best first, with the matched words marked."""
        typed = request.args.get("q") or ""
        query = clean_query(typed)
        # Only the first MAX_QUERY_LENGTH characters count, as in the API: say so.
        shortened = len(" ".join(typed.split())) > len(query)
        if not site_search.terms(query):
            return render_template("storefront/search.html", search_query=query,
                                   error="Type a word to search for, such as “bridge”."), 422

        def render():
            found = site_search.find(
                db.session, query, limit=SEARCH_LIMIT,
                site_url=current_app.extensions["storefront"].settings.site_url)
            results = found.hits
            suggestions = []
            if not results:
                rows, _ = catalog.list_products(db.session, limit=SEARCH_SUGGESTIONS,
                                                cursor=None)
                suggestions = [product_summary(p) for p in rows]
            return render_template(
                "storefront/search.html", search_query=query, results=results,
                did_you_mean=found.did_you_mean, suggestions=suggestions,
                shortened=shortened, max_query_length=MAX_QUERY_LENGTH,
                next_links=empty_state_links("search") if not results else [])
        # Phrases are the visitor's to choose: kept as the search API keeps them (from
        # their second asking, for a minute), so random ones cannot fill the cache.
        key = f"search:{int(shortened)}:{query}"
        return cached_page(key, render, site_search.CACHE_TTL,
                           store=search_pages.admit(key))

    bp.add_app_template_global(page_url, "page_url")
    holes.install(bp)  # the `hole()` global and the core's holes
    journeys.install(bp)  # the visitor's journey cookie, on every page

    @bp.app_template_global("format_money")
    def format_money_global(amount, currency):
        """Money for templates: minor units and a currency code."""
        return format_money(amount, currency)

    cart_pages.register(bp)
    discount_pages.register(bp)
    review_pages.register(bp)
    seo.register(bp)
    return bp


def product_page(slug: str, *, add_form=None, source: str | None = "",
                 review_form=None, chosen_sku: str = "", **sent) -> str:
    """A product's page. A form sent from it comes back as it was sent (`add_form`,
    `review_form`) with its result beside it (`add_result`, `review_result`)."""
    try:
        product_id, _, page = public_product(db.session, slug)
    except catalog.NotFound:
        abort(404)
    detail, exercises = page()
    form = add_form_for(detail, source, add_form)
    form.sku.label.text = product_words.select_label(detail["options"])
    form.sku.choices = [(v["sku"], product_words.choice_text(v)) for v in detail["variants"]]
    if add_form is None and chosen_sku:
        form.sku.data = chosen_sku
    return render_template(
        "storefront/product.html", product=detail, exercises=exercises,
        articles=_featuring_articles(ProductRef(id=product_id, slug=detail["slug"],
                                                name=detail["name"])),
        words=product_words, add_form=form, kept_source=add_form is not None,
        reviews=_recent_reviews(product_id, detail),
        review_form=review_form or review_pages.ReviewForm(formdata=None),
        seo=seo.product_page(detail), **sent)


def _recent_reviews(product_id: int, detail: dict) -> list:
    """The newest approved reviews (as `review_pages.recent_reviews`), by the id the page
    has read already (one query)."""
    target = Target(type="product", id=product_id, slug=detail["slug"], title=detail["name"])
    rows, _ = moderation.public_items(db.session, kind=review_rules.KIND, target=target,
                                      limit=review_pages.PAGE_REVIEWS, cursor=None)
    return rows


def _featuring_articles(ref: ProductRef) -> list[ContentLink]:
    """The writing plugins say features the product, for its page (asked on every read:
    an article may be scheduled to appear later)."""
    return [link for contributed in _plugins().hook.product_articles(product=ref)
            for link in contributed]


ERROR_TITLES = {403: "Not for your role", 404: "Page not found", 405: "Not allowed here",
                429: "Slow down a little"}


def render_error_page(error: HTTPException):
    """Our own error page for the shop's pages (the host app keeps its own elsewhere)."""
    state = current_app.extensions["storefront"]
    ours = (current_app.config["STOREFRONT_SECURITY_HEADERS"] == "all"
            or request.blueprint in state.blueprint_names)
    if not ours or error.code is None:
        return error
    if error.code == 429:
        return _too_many(error)
    title = ERROR_TITLES.get(error.code, "Something went wrong")
    message = ("We could not find that page. It may have moved."
               if error.code == 404 else error.description)
    return render_template("storefront/error.html", title=title, message=message), error.code


def _too_many(error: HTTPException):
    """A rate limit's page: the form's own page again when the limit gave one (reviews,
    comments), else ours, saying how long to wait. The limiter adds `Retry-After`."""
    if error.response is not None:  # from the limit's `on_breach`
        return error.response
    from ..extensions import limiter
    from .submissions import describe_limit, describe_wait, seconds_until

    breached = limiter.current_limit
    wait = describe_wait(seconds_until(breached.reset_at)) if breached else "a minute"
    message = (f"This page takes at most {describe_limit(breached.limit)} from one visitor."
               if breached else "This page was asked for many times in a short while.")
    return render_template("storefront/error.html", title=ERROR_TITLES[429],
                           message=message, wait=wait), 429
