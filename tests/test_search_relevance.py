"""Search relevance: what a reader types and what they should see first, on both databases.

The table runs through the API over the demo catalogue and content. Misspelt queries find
their close spelling and say so with `did_you_mean`.
"""

import re

import pytest
from sqlalchemy import event

from storefront.extensions import db

from .factories import make_article, make_product

API = "/api/v1/search"

# (what the reader types, the first result as type:slug, the corrected query or None)
RELEVANCE = [
    ("band", "product:better-band", None),
    ("bands", "product:better-band", None),
    ("resistance band", "product:better-band", None),
    ("better band", "product:better-band", None),
    ("Better Band", "product:better-band", None),
    ("ball", "product:stability-ball", None),
    ("stability ball", "product:stability-ball", None),
    ("glute bridge", "exercise:glute-bridge", None),
    ("bridge", "exercise:glute-bridge", None),
    ("bri", "exercise:glute-bridge", None),
    ("romanian deadlift", "exercise:romanian-deadlift", None),
    ("squat", "exercise:squat", None),
    ("hamstring curl", "exercise:hamstring-curl", None),
    ("missing link", "article:are-hamstrings-your-missing-link", None),
    # typos: one swapped pair, one missing letter
    ("hamstirng", "exercise:hamstring-curl", "hamstring"),
    ("brigde", "exercise:glute-bridge", "bridge"),
    ("glute brigde", "exercise:glute-bridge", "glute bridge"),
    ("resistnce band", "product:better-band", "resistance band"),
    ("stabilty ball", "product:stability-ball", "stability ball"),
]


def search(client, q):
    response = client.get(API, query_string={"q": q})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize(("query", "first", "corrected"), RELEVANCE)
def test_relevance_table(client, demo, query, first, corrected):
    body = search(client, query)
    assert body["items"], f"{query!r} found nothing"
    item = body["items"][0]
    assert f"{item['type']}:{item['slug']}" == first
    assert body["did_you_mean"] == corrected
    assert body["query"] == query


def test_the_misspelt_hamstring_finds_the_article_too(client, demo):
    found = [(i["type"], i["slug"]) for i in search(client, "hamstirng")["items"]]
    assert ("article", "are-hamstrings-your-missing-link") in found
    assert ("exercise", "active-hamstring-stretch") in found


def test_nonsense_finds_nothing_and_suggests_nothing(client, demo):
    assert search(client, "zzyzx") == {"query": "zzyzx", "items": [], "did_you_mean": None}


def test_the_summary_weighs_more_than_the_body(client, session):
    in_body = make_article(session, "in-body", body="Notes on the quokka and its habits.")
    in_summary = make_article(session, "in-summary", body="Notes on other animals.")
    in_summary.summary = "All about the quokka."
    session.commit()
    assert in_body.title != in_summary.title
    slugs = [i["slug"] for i in search(client, "quokka")["items"]]
    assert slugs == ["in-summary", "in-body"]


def test_product_results_carry_price_stock_and_picture(client, demo, session):
    make_product(session, "sold-out-strap", name="Sold Out Strap", price=1250, stock=0)
    items = {i["slug"]: i for i in search(client, "ball")["items"]}
    ball = items["stability-ball"]
    assert ball["price_from"] == {"amount": 2999, "currency": "usd", "formatted": "$29.99"}
    assert ball["in_stock"] is True
    assert ball["image"]["url"].startswith("/media/") and ball["image"]["url"].endswith(".webp")
    assert ball["image"]["alt"]
    exercise = next(i for i in items.values() if i["type"] == "exercise")
    assert "price_from" not in exercise and "image" not in exercise

    strap = search(client, "strap")["items"][0]
    assert strap["slug"] == "sold-out-strap"
    assert strap["in_stock"] is False and strap["image"] is None
    assert strap["price_from"]["amount"] == 1250


def test_new_words_are_known_as_soon_as_they_are_published(client, session):
    make_product(session, "kettlebell", name="Kettlebell")
    body = search(client, "kettelbell")
    assert body["did_you_mean"] == "kettlebell"
    assert body["items"][0]["slug"] == "kettlebell"


def test_a_rebuilt_index_still_corrects(client, runner, demo):
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    body = search(client, "brigde")
    assert body["did_you_mean"] == "bridge"
    assert body["items"][0]["slug"] == "glute-bridge"


def test_search_is_documented_with_the_product_fields(client):
    spec = client.get("/api/openapi.json").get_json()
    hit = spec["components"]["schemas"]["SearchHit"]["properties"]
    assert {"price_from", "in_stock", "image"} <= set(hit)
    assert "did_you_mean" in spec["components"]["schemas"]["SearchResult"]["properties"]


# ---------------------------------------------------------------------------
# Query counts
# ---------------------------------------------------------------------------

def count_queries(app, client, q) -> int:
    statements = []
    with app.app_context():
        engine = db.engine
    record = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(API, query_string={"q": q}).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_product_extras_cost_the_same_for_one_product_or_many(app, client, session):
    make_product(session, "lonely-widget", name="Lonely Widget", variants=2)
    for n in range(8):
        make_product(session, f"crowd-gadget-{n}", name=f"Crowd Gadget {n}", variants=3)
    one = count_queries(app, client, "widget")
    many = count_queries(app, client, "gadget")
    assert one == many


def test_a_misspelling_costs_a_bounded_number_of_queries(app, client, session):
    make_product(session, "kettlebell", name="Kettlebell")
    exact = count_queries(app, client, "kettlebell")
    typo = count_queries(app, client, "kettelbell")
    assert typo <= exact + 3


# ---------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------

def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_the_page_shows_price_stock_and_thumbnail_of_products(client, demo):
    response = client.get("/search?q=band")
    assert response.status_code == 200
    page = text_of(response)
    first = page.index('<ol class="link-list search-results">')
    entry = page[first:page.index("</li>", first)]
    assert '<a href="/products/better-band">Better Band</a>' in entry
    assert "From $" in entry and "In stock" in entry
    assert '<img class="line-thumb" src="/media/' in entry
    assert "Did you mean" not in page


def test_the_page_offers_the_close_spelling(client, demo):
    response = client.get("/search?q=hamstirng")
    assert response.status_code == 200
    page = text_of(response)
    assert "Nothing matched “hamstirng” as typed" in page
    assert 'Did you mean <a href="/search?q=hamstring">hamstring</a>?' in page
    assert '<a href="/exercises/hamstring-curl">' in page
    assert "for “hamstring”, best match first" in page
