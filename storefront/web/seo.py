"""Search engines and link previews: JSON-LD, canonical and Open Graph tags, sitemap, feed, robots.

Every address here is absolute: under PUBLIC_BASE_URL when it is set, otherwise under the
scheme and host of the request being answered.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from flask import Response, current_app, request, url_for
from markupsafe import Markup
from sqlalchemy import func, select

from plugins.types import SitemapEntry

from ..catalog.models import Product, Variant
from ..extensions import db
from ..money import decimal_amount
from ..timeutil import utcnow
from ..urls import asset_url, page_url

SITE_DESCRIPTION = "Resistance bands and the exercises they are made for."
SCHEMA = "https://schema.org"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_LIMIT = 20
DESCRIPTION_LENGTH = 200
# Pages that are nobody's search result: carts, checkouts, the staff console, the API.
ROBOTS_DISALLOW = ("/staff/", "/cart", "/checkout/", "/test-payments/")
# Inside a script element these three could end it or start markup; JSON allows \u escapes.
_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


# ---------------------------------------------------------------------------
# Addresses, dates, prices and text
# ---------------------------------------------------------------------------

def shop_name() -> str:
    """The shop's name as search engines and feed readers see it (`SHOP_NAME`)."""
    return current_app.extensions["storefront"].settings.shop_name


def absolute_url(url: str) -> str:
    """`url` made absolute: a root-relative path goes under PUBLIC_BASE_URL, else the host."""
    if url.startswith("/") and not url.startswith("//"):
        base = current_app.config["PUBLIC_BASE_URL"] or request.host_url.rstrip("/")
        return base + url
    return url


def endpoint_url(endpoint: str, **values) -> str:
    """The absolute address of a page endpoint, without any query string."""
    return absolute_url(url_for(endpoint, **values))


def w3c_datetime(moment: datetime) -> str:
    """A moment in W3C Datetime (RFC 3339) form, in UTC to the second: `2026-11-02T09:00:00Z`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def plain_text(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """Whitespace folded to single spaces, cut at a word boundary to at most `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def json_ld(data: dict) -> Markup:
    """`data` as the text of a JSON-LD script block; `<`, `>` and `&` are escaped, so no text
    from the database can close the element or open another."""
    return Markup(json.dumps(data).translate(_JSON_ESCAPES))


# ---------------------------------------------------------------------------
# Structured data and page metadata
# ---------------------------------------------------------------------------

def organization() -> dict:
    """The shop as author and publisher."""
    return {"@type": "Organization", "name": shop_name(), "url": endpoint_url("web.home"),
            "logo": {"@type": "ImageObject", "url": absolute_url(asset_url("img/logo.svg"))}}


def breadcrumb_list(items: list[tuple[str, str]]) -> dict:
    """A BreadcrumbList from `(name, absolute url)` pairs, in the order the page shows them."""
    return {"@context": SCHEMA, "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": position, "name": name, "item": url}
        for position, (name, url) in enumerate(items, start=1)]}


def page_meta(*, title: str, description: str, url: str, kind: str = "website",
              image: str | None = None, card: str | None = None,
              structured: tuple | list = (), properties: tuple | list = ()) -> dict:
    """What `storefront/_seo_head.html` shows: canonical link, Open Graph and Twitter tags,
    extra Open Graph `(property, content)` pairs and JSON-LD blocks."""
    return {"title": title, "description": plain_text(description or SITE_DESCRIPTION),
            "url": url, "type": kind, "image": image, "site_name": shop_name(),
            "card": card or ("summary_large_image" if image else "summary"),
            "properties": list(properties), "feed_url": endpoint_url("web.feed"),
            "json_ld": [json_ld(data) for data in structured]}


def home_page() -> dict:
    """The home page: the site itself, with its search box."""
    url = endpoint_url("web.home")
    website = {
        "@context": SCHEMA, "@type": "WebSite", "name": shop_name(), "url": url,
        "description": SITE_DESCRIPTION,
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint",
                       "urlTemplate": endpoint_url("web.search") + "?q={search_term_string}"},
            "query-input": "required name=search_term_string"},
    }
    return page_meta(title=shop_name(), description=SITE_DESCRIPTION, url=url,
                     image=absolute_url(asset_url("img/logo.svg")), card="summary",
                     structured=[website])


def _offer(variant: dict, url: str) -> dict:
    offer = {
        "@type": "Offer",
        "name": variant["name"],
        "sku": variant["sku"],
        "price": decimal_amount(variant["price"]["amount"], variant["price"]["currency"]),
        "priceCurrency": variant["price"]["currency"].upper(),
        "availability": f"{SCHEMA}/{'InStock' if variant['in_stock'] else 'OutOfStock'}",
        "itemCondition": f"{SCHEMA}/NewCondition",
        "url": url,
    }
    if variant.get("compare_at_price"):
        was = variant["compare_at_price"]
        offer["priceSpecification"] = {
            "@type": "UnitPriceSpecification", "priceType": f"{SCHEMA}/ListPrice",
            "price": decimal_amount(was["amount"], was["currency"]),
            "priceCurrency": was["currency"].upper()}
    return offer


def product_json_ld(detail: dict, url: str, image: str | None) -> dict:
    """A schema.org Product from the product API's detail form, in the product's own
    words: one Offer for a single variant, an AggregateOffer over several (each variant
    an Offer in it, named by its option values)."""
    data = {"@context": SCHEMA, "@type": "Product", "name": detail["name"],
            "description": detail["description"], "productID": detail["slug"], "url": url}
    if detail.get("kind"):
        data["category"] = detail["kind"]
    if image:
        data["image"] = image
    variants = detail["variants"]
    if len(variants) == 1:
        data["sku"] = variants[0]["sku"]
        data["offers"] = _offer(variants[0], url)
    elif variants:
        offers = [_offer(variant, url) for variant in variants]
        prices = [variant["price"]["amount"] for variant in variants]
        currency = variants[0]["price"]["currency"]
        data["offers"] = {
            "@type": "AggregateOffer", "offerCount": len(offers),
            "lowPrice": decimal_amount(min(prices), currency),
            "highPrice": decimal_amount(max(prices), currency),
            "priceCurrency": currency.upper(),
            "availability": f"{SCHEMA}/"
                            + ("InStock" if any(v["in_stock"] for v in variants)
                               else "OutOfStock"),
            "offers": offers}
    rating = detail["rating"]
    if rating["count"]:
        data["aggregateRating"] = {"@type": "AggregateRating", "ratingValue": rating["average"],
                                   "reviewCount": rating["count"], "bestRating": 5,
                                   "worstRating": 1}
    return data


def product_page(detail: dict) -> dict:
    """A product page: Product and BreadcrumbList, canonical address without `?source=`."""
    url = absolute_url(detail["url"])
    image = absolute_url(detail["image_url"]) if detail["image_url"] else None
    crumbs = breadcrumb_list([("Home", endpoint_url("web.home")),
                              ("Bands", endpoint_url("web.products")),
                              (detail["name"], url)])
    return page_meta(title=detail["name"], description=detail["description"], url=url,
                     kind="product", image=image,
                     structured=[product_json_ld(detail, url, image), crumbs])


# ---------------------------------------------------------------------------
# Sitemap, feed and robots.txt
# ---------------------------------------------------------------------------

def _plugins():
    return current_app.extensions["storefront"].plugins


def product_entries(session) -> list[SitemapEntry]:
    """Every public (active) product page, last changed when the product or any of its
    variants was (one query)."""
    rows = session.execute(
        select(Product.slug, Product.updated_at, func.max(Variant.updated_at))
        .outerjoin(Variant, Variant.product_id == Product.id)
        .where(Product.status == "active")
        .group_by(Product.id, Product.slug, Product.updated_at).order_by(Product.id))
    return [SitemapEntry(url=page_url("product", slug),
                         lastmod=max(updated, variant_updated or updated), kind="product")
            for slug, updated, variant_updated in rows]


def sitemap_xml() -> bytes:
    """The sitemap: products, then every page plugins list."""
    entries = product_entries(db.session)
    for contributed in _plugins().hook.sitemap_entries():
        entries.extend(contributed)
    root = ET.Element("urlset", xmlns=SITEMAP_NS)
    for entry in entries:
        item = ET.SubElement(root, "url")
        ET.SubElement(item, "loc").text = absolute_url(entry.url)
        if entry.lastmod is not None:
            ET.SubElement(item, "lastmod").text = w3c_datetime(entry.lastmod)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def feed_xml() -> bytes:
    """An Atom feed of what plugins publish, newest first."""
    entries = [entry for contributed in _plugins().hook.feed_entries(limit=FEED_LIMIT)
               for entry in contributed]
    entries.sort(key=lambda entry: entry.published, reverse=True)
    entries = entries[:FEED_LIMIT]
    feed_url = endpoint_url("web.feed")
    root = ET.Element("feed", xmlns=ATOM_NS)
    ET.SubElement(root, "id").text = feed_url
    ET.SubElement(root, "title").text = shop_name()
    ET.SubElement(root, "subtitle").text = SITE_DESCRIPTION
    updated = max((entry.updated for entry in entries), default=None) or utcnow()
    ET.SubElement(root, "updated").text = w3c_datetime(updated)
    ET.SubElement(root, "link", rel="self", type="application/atom+xml", href=feed_url)
    ET.SubElement(root, "link", rel="alternate", type="text/html",
                  href=endpoint_url("web.home"))
    ET.SubElement(ET.SubElement(root, "author"), "name").text = shop_name()
    for entry in entries:
        url = absolute_url(entry.url)
        item = ET.SubElement(root, "entry")
        ET.SubElement(item, "id").text = url
        ET.SubElement(item, "title").text = entry.title
        ET.SubElement(item, "link", rel="alternate", type="text/html", href=url)
        ET.SubElement(item, "published").text = w3c_datetime(entry.published)
        ET.SubElement(item, "updated").text = w3c_datetime(entry.updated)
        ET.SubElement(item, "summary").text = entry.summary
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def robots_txt() -> str:
    """Crawl the public pages, not carts, checkouts, the staff console or the API."""
    prefix = current_app.config["STOREFRONT_PAGES_PREFIX"].rstrip("/")
    api_prefix = current_app.extensions["storefront"].api_prefix
    api_root = api_prefix.rsplit("/", 1)[0] or api_prefix
    lines = ["User-agent: *", f"Allow: {prefix}/"]
    lines += [f"Disallow: {prefix}{path}" for path in ROBOTS_DISALLOW]
    lines += [f"Disallow: {api_root}/", "", f"Sitemap: {endpoint_url('web.sitemap')}"]
    return "\n".join(lines) + "\n"


def register(bp) -> None:
    """Add the sitemap, the feed and robots.txt to the storefront blueprint."""

    @bp.route("/sitemap.xml")
    def sitemap():
        """Every public product, exercise and article page, with its last change."""
        return Response(sitemap_xml(), mimetype="application/xml")

    @bp.route("/feed.xml")
    def feed():
        """The newest articles as an Atom feed."""
        return Response(feed_xml(), mimetype="application/atom+xml")

    @bp.route("/robots.txt")
    def robots():
        """What crawlers may visit, and where the sitemap is."""
        return Response(robots_txt(), mimetype="text/plain")
