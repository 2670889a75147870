"""What crawlers and link previews read: JSON-LD, canonical and Open Graph tags, sitemap, feed."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html.parser import HTMLParser

from .factories import make_article, make_product
from .moderation_helpers import decide, post_review

ARTICLE = "are-hamstrings-your-missing-link"
HOST = "http://localhost"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"
W3C_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
HOSTILE = "</script><script>alert(1)</script> & <b>"


class Head(HTMLParser):
    """What a crawler reads from a page: link and meta tags, JSON-LD blocks, the breadcrumb."""

    def __init__(self, html: str):
        super().__init__()
        self.links, self.meta, self.blocks, self.scripts = {}, {}, [], 0
        self.crumbs: list[str] = []
        self._in_ld = self._in_crumbs = self._in_crumb = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
            self._in_ld = attrs.get("type") == "application/ld+json"
            if self._in_ld:
                self.blocks.append("")
        elif tag == "link" and attrs.get("rel"):
            self.links[attrs["rel"]] = attrs.get("href")
        elif tag == "meta" and (attrs.get("property") or attrs.get("name")):
            self.meta[attrs.get("property") or attrs.get("name")] = attrs.get("content")
        elif tag == "nav" and "breadcrumbs" in (attrs.get("class") or ""):
            self._in_crumbs = True
        elif tag == "li" and self._in_crumbs:
            self._in_crumb = True
            self.crumbs.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False
        elif tag == "nav":
            self._in_crumbs = False
        elif tag == "li":
            self._in_crumb = False

    def handle_data(self, data):
        if self._in_ld:
            self.blocks[-1] += data
        elif self._in_crumb:
            self.crumbs[-1] += data

    def json_ld(self, kind: str) -> dict | None:
        """The JSON-LD object of `kind` (`Product`, `BreadcrumbList` ...), or None."""
        found = [data for data in map(json.loads, self.blocks) if data["@type"] == kind]
        assert len(found) <= 1, f"more than one {kind}"
        return found[0] if found else None


def head_of(client, path) -> Head:
    response = client.get(path)
    assert response.status_code == 200, path
    return Head(response.get_data(as_text=True))


def price_text(money: dict) -> str:
    whole, minor = divmod(money["amount"], 100)
    return f"{whole}.{minor:02d}"


def offers_by_sku(client, slug="better-band") -> dict:
    product = head_of(client, f"/products/{slug}").json_ld("Product")
    return {offer["sku"]: offer for offer in product["offers"]["offers"]}


# --- JSON-LD --------------------------------------------------------------------------------

def test_product_json_ld_matches_the_api(client, demo):
    api = client.get("/api/v1/products/better-band").get_json()
    head = head_of(client, "/products/better-band?source=article:" + ARTICLE)
    product = head.json_ld("Product")
    assert product["@context"] == "https://schema.org"
    assert product["name"] == api["name"] and product["description"] == api["description"]
    assert product["image"] == HOST + api["image_url"]
    assert product["url"] == f"{HOST}/products/better-band"
    assert "aggregateRating" not in product
    aggregate = product["offers"]
    assert aggregate["@type"] == "AggregateOffer" and aggregate["offerCount"] == 3
    assert (aggregate["lowPrice"], aggregate["highPrice"]) == ("19.99", "24.99")
    assert len(aggregate["offers"]) == len(api["variants"]) == 3
    for offer, variant in zip(aggregate["offers"], api["variants"], strict=True):
        assert offer["@type"] == "Offer"
        assert offer["sku"] == variant["sku"]
        assert offer["price"] == price_text(variant["price"])
        assert isinstance(offer["price"], str) and re.fullmatch(r"\d+\.\d\d", offer["price"])
        assert offer["priceCurrency"] == variant["price"]["currency"].upper() == "USD"
        assert offer["availability"] == "https://schema.org/InStock"
        assert offer["url"] == f"{HOST}/products/better-band"
    assert [o["price"] for o in aggregate["offers"]] == ["19.99", "21.99", "24.99"]


def test_a_product_with_one_variant_has_one_offer_with_its_saving(client, demo):
    product = head_of(client, "/products/better-band-trio").json_ld("Product")
    offer = product["offers"]
    assert offer["@type"] == "Offer" and offer["sku"] == "BB-TRIO"
    assert offer["price"] == "54.99"
    assert offer["priceSpecification"]["price"] == "66.97"
    assert product["category"] == "set"


def test_availability_and_price_follow_staff_changes(client, demo, staff):
    headers = staff.headers("admin")
    response = client.patch("/api/v1/staff/variants/BB-HEAVY", json={"stock": 0, "price": 2650},
                            headers=headers)
    assert response.status_code == 200
    offers = offers_by_sku(client)
    assert offers["BB-HEAVY"]["availability"] == "https://schema.org/OutOfStock"
    assert offers["BB-HEAVY"]["price"] == "26.50"
    assert offers["BB-LIGHT"]["availability"] == "https://schema.org/InStock"
    client.patch("/api/v1/staff/variants/BB-HEAVY", json={"stock": 3}, headers=headers)
    assert offers_by_sku(client)["BB-HEAVY"]["availability"] == "https://schema.org/InStock"


def test_aggregate_rating_counts_approved_reviews_only(client, demo, staff):
    headers = staff.headers("moderator")
    ids = {}
    for rating, email in ((5, "a@example.com"), (4, "b@example.com"), (1, "c@example.com"),
                          (2, "d@example.com")):
        response = post_review(client, rating=rating, email=email, body=f"Review {rating}.")
        assert response.status_code == 202
        ids[rating] = response.get_json()["id"]
    product = head_of(client, "/products/better-band").json_ld("Product")
    assert "aggregateRating" not in product, "pending reviews are never counted"

    assert decide(client, headers, "review", ids[5], "approve").status_code == 200
    assert decide(client, headers, "review", ids[4], "approve").status_code == 200
    assert decide(client, headers, "review", ids[1], "reject", "off topic").status_code == 200
    # ids[2] stays pending
    api = client.get("/api/v1/products/better-band").get_json()["rating"]
    assert api == {"average": 4.5, "count": 2}
    rating = head_of(client, "/products/better-band").json_ld("Product")["aggregateRating"]
    assert rating["@type"] == "AggregateRating"
    assert rating["ratingValue"] == api["average"] and rating["reviewCount"] == api["count"]

    assert decide(client, headers, "review", ids[5], "unpublish", "mistake").status_code == 200
    rating = head_of(client, "/products/better-band").json_ld("Product")["aggregateRating"]
    assert (rating["ratingValue"], rating["reviewCount"]) == (4, 1)


def test_howto_steps_and_tools_are_the_exercise_s(client, demo):
    api = client.get("/api/v1/exercises/glute-bridge").get_json()
    howto = head_of(client, "/exercises/glute-bridge").json_ld("HowTo")
    assert howto["name"] == api["name"] and howto["description"] == api["summary"]
    assert howto["url"] == f"{HOST}/exercises/glute-bridge"
    assert [step["@type"] for step in howto["step"]] == ["HowToStep"] * len(api["steps"])
    assert [step["text"] for step in howto["step"]] == api["steps"]
    assert [step["position"] for step in howto["step"]] == list(range(1, len(api["steps"]) + 1))
    assert [tool["name"] for tool in howto["tool"]] == [p["name"] for p in api["products"]]
    assert [tool["url"] for tool in howto["tool"]] == [
        f"{HOST}/products/{p['slug']}" for p in api["products"]]


def test_article_json_ld_names_the_shop_as_author_and_publisher(client, session, demo):
    from content.models import Article
    row = session.query(Article).filter_by(slug=ARTICLE).one()
    head = head_of(client, f"/articles/{ARTICLE}")
    article = head.json_ld("Article")
    assert article["headline"] == row.title and article["description"] == row.summary
    assert article["datePublished"] == row.published_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert W3C_DATETIME.match(article["dateModified"])
    assert article["dateModified"] >= article["datePublished"]
    assert article["url"] == f"{HOST}/articles/{ARTICLE}"
    for role in ("author", "publisher"):
        assert article[role]["@type"] == "Organization"
        assert article[role]["name"] == "Better Band"
    assert "image" not in article and "og:image" not in head.meta
    assert head.meta["og:type"] == "article"
    assert head.meta["article:published_time"] == article["datePublished"]


def test_article_image_is_the_first_image_of_its_body(client, session):
    make_article(session, "pictured", body="Look:\n\n![A band](/assets/img/products/x.svg)\n")
    head = head_of(client, "/articles/pictured")
    assert head.json_ld("Article")["image"] == f"{HOST}/assets/img/products/x.svg"
    assert head.meta["og:image"] == f"{HOST}/assets/img/products/x.svg"
    assert head.meta["twitter:card"] == "summary_large_image"


def test_breadcrumb_lists_match_the_visible_trail(client, demo):
    pages = {
        "/products/better-band?source=exercise:squat": ["Home", "Bands", "Better Band"],
        "/exercises/glute-bridge": ["Home", "Exercises", "Banded Glute Bridge"],
        f"/articles/{ARTICLE}": ["Home", "Articles", "Are Hamstrings Your Missing Link?"],
    }
    for path, names in pages.items():
        head = head_of(client, path)
        assert [crumb.strip() for crumb in head.crumbs] == names, path
        trail = head.json_ld("BreadcrumbList")
        items = trail["itemListElement"]
        assert [item["name"] for item in items] == names, path
        assert [item["position"] for item in items] == [1, 2, 3]
        assert [item["@type"] for item in items] == ["ListItem"] * 3
        assert items[0]["item"] == f"{HOST}/"
        assert items[1]["item"] == HOST + {"Bands": "/products", "Exercises": "/exercises",
                                           "Articles": "/articles"}[names[1]]
        assert items[2]["item"] == head.links["canonical"] == HOST + path.split("?")[0]


def test_hostile_text_cannot_leave_the_json_ld_block(client, session):
    product = make_product(session, "hostile", name=HOSTILE)
    product.description = HOSTILE + "\n\nMore."
    session.commit()
    response = client.get("/products/hostile")
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    head = Head(html)
    assert head.scripts == len(head.blocks) == 2, "only the two JSON-LD blocks are scripts"
    data = head.json_ld("Product")
    assert data["name"] == HOSTILE and data["description"].startswith(HOSTILE)
    assert head.json_ld("BreadcrumbList")["itemListElement"][2]["name"] == HOSTILE
    assert head.meta["og:title"] == HOSTILE
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


# --- canonical and Open Graph ---------------------------------------------------------------

def test_pages_carry_absolute_canonical_and_open_graph_tags(client, demo):
    expected = {
        "/": ("website", f"{HOST}/"),
        "/products/better-band?source=article:" + ARTICLE: (
            "product", f"{HOST}/products/better-band"),
        "/exercises/glute-bridge?source=x": ("website", f"{HOST}/exercises/glute-bridge"),
        f"/articles/{ARTICLE}?utm_source=feed": ("article", f"{HOST}/articles/{ARTICLE}"),
    }
    for path, (kind, canonical) in expected.items():
        head = head_of(client, path)
        assert head.links["canonical"] == canonical, path
        assert head.meta["og:url"] == canonical and head.meta["og:type"] == kind, path
        assert head.meta["og:title"] and head.meta["og:description"], path
        assert head.meta["twitter:card"] in {"summary", "summary_large_image"}, path
        assert head.links["alternate"] == f"{HOST}/feed.xml"
    product = head_of(client, "/products/better-band")
    assert product.meta["og:title"] == "Better Band"
    # The demo picture's PNG (link previews show no SVG or WebP).
    image_url = client.get("/api/v1/products/better-band").get_json()["image_url"]
    assert image_url.startswith("/media/") and image_url.endswith(".png")
    assert product.meta["og:image"] == HOST + image_url
    assert len(product.meta["og:description"]) <= 200
    home = head_of(client, "/")
    assert home.json_ld("WebSite")["url"] == f"{HOST}/"


def test_public_base_url_makes_every_address_absolute(make_app):
    base = "https://shop.example"
    client = make_app(demo=True, PUBLIC_BASE_URL=base).test_client()
    for path in ("/", "/products/better-band?source=x", "/exercises/glute-bridge",
                 f"/articles/{ARTICLE}"):
        head = head_of(client, path)
        assert head.links["canonical"] == base + (path.split("?")[0]), path
        assert head.meta["og:url"] == head.links["canonical"]
        crumbs = head.json_ld("BreadcrumbList")
        if crumbs:
            assert all(item["item"].startswith(base + "/")
                       for item in crumbs["itemListElement"])
    product = head_of(client, "/products/better-band")
    assert product.meta["og:image"].startswith(base + "/media/")
    assert product.json_ld("Product")["image"].startswith(base + "/media/")
    assert product.json_ld("Product")["offers"]["offers"][0]["url"] == \
        base + "/products/better-band"
    locs = [loc.text for loc in
            ET.fromstring(client.get("/sitemap.xml").data).iter(SITEMAP + "loc")]
    assert locs and all(loc.startswith(base + "/") for loc in locs)
    feed = ET.fromstring(client.get("/feed.xml").data)
    assert feed.find(ATOM + "id").text == base + "/feed.xml"
    assert feed.find(f"{ATOM}entry/{ATOM}link").get("href") == f"{base}/articles/{ARTICLE}"
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert f"Sitemap: {base}/sitemap.xml" in robots.splitlines()


# --- sitemap, feed, robots.txt --------------------------------------------------------------

def test_sitemap_lists_products_exercises_and_published_articles(client, session, demo):
    from content.models import Exercise
    make_article(session, "draft-only", status="draft")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    assert root.tag == SITEMAP + "urlset"
    entries = {url.findtext(SITEMAP + "loc"): url.findtext(SITEMAP + "lastmod")
               for url in root.findall(SITEMAP + "url")}
    paths = {loc.removeprefix(HOST) for loc in entries}
    assert {"/products/better-band", "/products/better-band-trio", "/products/stability-ball",
            "/exercises/glute-bridge", "/exercises/squat", f"/articles/{ARTICLE}"} <= paths
    assert "/articles/draft-only" not in paths
    assert len(paths) == 3 + session.query(Exercise).count() + 1
    for loc, lastmod in entries.items():
        assert loc.startswith(HOST + "/"), loc
        assert lastmod and W3C_DATETIME.match(lastmod), (loc, lastmod)
    glute = session.query(Exercise).filter_by(slug="glute-bridge").one()
    assert entries[f"{HOST}/exercises/glute-bridge"] == glute.updated_at.astimezone(
        UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_feed_is_atom_of_published_articles_newest_first(client, session, demo):
    make_article(session, "older", published_at=datetime(2025, 3, 1, tzinfo=UTC))
    make_article(session, "newest", published_at=datetime(2026, 11, 20, tzinfo=UTC))
    make_article(session, "secret-draft", status="draft")
    response = client.get("/feed.xml")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == ATOM + "feed"
    assert feed.findtext(ATOM + "id") == f"{HOST}/feed.xml"
    assert feed.findtext(ATOM + "title") == "Better Band"
    assert W3C_DATETIME.match(feed.findtext(ATOM + "updated"))
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Better Band"
    entries = feed.findall(ATOM + "entry")
    links = []
    for entry in entries:
        for tag in ("id", "title", "updated", "published", "summary"):
            assert entry.findtext(ATOM + tag), tag
        assert W3C_DATETIME.match(entry.findtext(ATOM + "published"))
        assert entry.findtext(ATOM + "updated") >= entry.findtext(ATOM + "published")
        link = entry.find(ATOM + "link")
        assert link.get("rel") == "alternate" and link.get("href").startswith(HOST + "/")
        assert entry.findtext(ATOM + "id") == link.get("href")
        links.append(link.get("href").removeprefix(HOST))
    assert links == ["/articles/newest", f"/articles/{ARTICLE}", "/articles/older"]
    published = [entry.findtext(ATOM + "published") for entry in entries]
    assert published == sorted(published, reverse=True)
    assert entries[0].findtext(ATOM + "published") == "2026-11-20T00:00:00Z"
    summary = entries[1].findtext(ATOM + "summary")
    assert summary.startswith("Why the muscles on the back of your thighs")


def test_feed_escapes_what_it_carries(client, session):
    article = make_article(session, "amp")
    article.title = HOSTILE
    session.commit()
    feed = ET.fromstring(client.get("/feed.xml").data)
    assert feed.find(ATOM + "entry").findtext(ATOM + "title") == HOSTILE


def test_robots_txt_keeps_crawlers_out_of_private_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    assert "Allow: /" in lines
    disallowed = {line.split(": ", 1)[1] for line in lines if line.startswith("Disallow: ")}
    assert disallowed == {"/staff/", "/cart", "/checkout/", "/test-payments/", "/api/"}
    assert f"Sitemap: {HOST}/sitemap.xml" in lines
