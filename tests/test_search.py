"""Site search: one index over products, exercises and articles, on SQLite and PostgreSQL."""

import re

import pytest
from sqlalchemy import delete, func, select

from content.models import Article, Exercise
from plugins.hookspecs import hookimpl
from plugins.types import SearchDocument, SearchSource
from storefront.catalog.models import Product, Variant
from storefront.search import services as search_services
from storefront.search.models import SearchEntry

from .factories import make_article, make_product

API = "/api/v1/search"


def found(client, q, **params):
    """(type, slug) of each API result for `q`, best first."""
    response = client.get(API, query_string={"q": q, **params})
    assert response.status_code == 200, response.get_json()
    return [(item["type"], item["slug"]) for item in response.get_json()["items"]]


def slugs(client, q):
    return [slug for _, slug in found(client, q)]


def index_size(session):
    return session.scalar(select(func.count()).select_from(SearchEntry))


# ---------------------------------------------------------------------------
# Finding things
# ---------------------------------------------------------------------------

def test_products_exercises_and_published_articles_are_all_findable(client, demo):
    assert ("product", "stability-ball") in found(client, "stability")
    assert ("exercise", "romanian-deadlift") in found(client, "romanian deadlift")
    assert ("article", "are-hamstrings-your-missing-link") in found(client, "hamstrings")
    # article body text (not in its title or summary) is searchable too
    assert ("article", "are-hamstrings-your-missing-link") in found(client, "semitendinosus")
    # exercise steps and muscles, variant names and resistance
    assert ("exercise", "squat") in found(client, "quadriceps")
    assert ("exercise", "romanian-deadlift") in found(client, "drawer")
    assert ("product", "better-band") in found(client, "heavy lb")


def test_the_answer_follows_the_contract(client, demo):
    body = client.get(API + "?q=bridge").get_json()
    assert body["query"] == "bridge"
    item = body["items"][0]
    assert set(item) == {"type", "slug", "title", "url", "snippet"}
    assert item == {**item, "type": "exercise", "slug": "glute-bridge",
                    "title": "Banded Glute Bridge", "url": "/exercises/glute-bridge"}


def test_a_prefix_finds_whole_words(client, demo):
    assert slugs(client, "bri")[0] == "glute-bridge"
    assert "glute-bridge" in slugs(client, "BRI")
    assert "glute-bridge" in slugs(client, "bridges")  # English stemming
    assert "hamstring-curl" in slugs(client, "stab hamstr")
    assert slugs(client, "bridge zzzqqq") == []  # every word must match


def test_a_name_match_outranks_a_mention_in_the_description(client, session):
    make_product(session, "mention", name="Door Anchor")
    session.get(Product, session.scalar(select(Product.id).where(Product.slug == "mention"))
                ).description = "Fix any loop to a door; not a kettlebell, but close."
    session.commit()
    make_product(session, "named", name="Kettlebell")
    assert slugs(client, "kettlebell") == ["named", "mention"]
    assert slugs(client, "kettle") == ["named", "mention"]


def test_snippets_mark_the_matches_and_escape_everything_else(client, session):
    product = make_product(session, "escapes", name="Plain Strap")
    product.description = 'A sturdy strap & "buckle" <script>alert(1)</script> 5 < 6.'
    session.commit()
    [item] = client.get(API + "?q=sturdy").get_json()["items"]
    snippet = item["snippet"]
    assert "<mark>sturdy</mark>" in snippet
    assert "<script>" not in snippet
    assert "&amp;" in snippet
    # nothing but <mark> is markup
    assert set(re.findall(r"</?([a-z]+)", snippet)) == {"mark"}


def test_demo_snippets_are_marked(client, demo):
    items = client.get(API + "?q=hips").get_json()["items"]
    assert items and all("<mark>" in item["snippet"].lower() for item in items)
    article = [i for i in client.get(API + "?q=femoris").get_json()["items"]
               if i["type"] == "article"][0]
    assert "<mark>femoris</mark>" in article["snippet"]
    assert "[[" not in article["snippet"] and "**" not in article["snippet"]


def test_limit_and_its_bounds(client, demo):
    assert len(found(client, "band", limit=1)) == 1
    assert len(found(client, "band")) > 1
    for bad in ("0", "51", "many"):
        response = client.get(API, query_string={"q": "band", "limit": bad})
        assert response.status_code == 422, bad


def test_results_carry_etag_and_cache_control(client, demo):
    response = client.get(API + "?q=band")
    assert response.headers["Cache-Control"] == "public, no-cache"
    etag = response.headers["ETag"]
    again = client.get(API + "?q=band", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_search_is_in_the_openapi_document(client):
    spec = client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/search"]["get"]
    assert {p.get("name") for p in operation["parameters"]} >= {"q", "limit"}
    text = str(spec["components"]["schemas"])
    assert "<mark>" in text and "escaped" in text


# ---------------------------------------------------------------------------
# Queries that are not plain words
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("q", ["", "   ", "\t", "***", '"', "'", "-", "()", "&|!", ":*",
                               "\x00", "%", "_", "🏋️", "\u200f\u202e"])
def test_a_query_without_words_is_422(client, q):
    response = client.get(API, query_string={"q": q})
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == 422 and "q" in body["errors"]["query"]


def test_a_missing_query_is_422(client):
    assert client.get(API).status_code == 422


ODD_QUERIES = [
    'bridge"', '"bridge', "'bridge'", "bri*", "*bri", "-bridge", "bridge -glute",
    "bridge AND", "OR bridge", "NOT bridge", "bridge NEAR(glute)", "NEAR(", "NEAR/2",
    "title:bridge", "bridge:*", "bri & glute", "bri | x", "!bri", "(bridge", "bridge)",
    "{bridge}", "^bridge", "bridge\\", "\\'", "50%", "a_b", "100%_", "x" * 5000,
    ("word " * 1000), "bridge\x00", "\x00\x01\x02bri", "🏋️ bridge 💪", "שלום bridge",
    "مرحبا", "e\u0301\u0301\u0301", "\u0301bridge", "ｂｒｉｄｇｅ", "ﷺ" * 300,
    "Ⅻ ½ ²", "the", "a", "1", "'; DROP TABLE search_document; --", "<script>",
]


@pytest.mark.parametrize("q", ODD_QUERIES)
def test_odd_queries_never_fail(client, demo, q):
    response = client.get(API, query_string={"q": q})
    assert response.status_code in (200, 422), (q, response.status_code)
    assert response.is_json
    page = client.get("/search", query_string={"q": q})
    assert page.status_code in (200, 422), (q, page.status_code)


@pytest.mark.parametrize("raw", ["%ED%A0%80", "%FF%FE", "%00", "%E2%80%AE%00bri", "%22%2A"])
def test_undecodable_or_control_bytes_never_fail(client, demo, raw):
    for path in (API, "/search"):
        assert client.get(f"{path}?q={raw}").status_code in (200, 422), (path, raw)


def test_operators_are_words_not_syntax(client, demo):
    # "-glute" does not exclude; NOT/OR/NEAR are just words that must match too
    assert "glute-bridge" in slugs(client, "bridge -glute")
    assert "glute-bridge" in slugs(client, '"glute" "bridge"')
    either = slugs(client, "bridge OR squat")  # all three words, not one or the other
    assert "glute-bridge" not in either and "squat" not in either
    assert "glute-bridge" in slugs(client, "bridge*")


def test_query_terms_are_words_only():
    assert search_services.terms(' "Glute"  bri* NEAR(x) -y 50% a_b ') == [
        "glute", "bri", "near", "x", "y", "50", "a", "b"]
    assert search_services.terms("\x00🏋️\u200f") == []
    assert search_services.terms("ｂｒｉ") == ["bri"]
    assert search_services.terms("café cafe\u0301") == ["café"]
    assert len(search_services.terms(" ".join(f"w{i}" for i in range(50)))) == 10
    assert len("".join(search_services.terms("x" * 5000))) == 200
    assert search_services.fts5_query(["bri", "glute"]) == '"bri"* "glute"*'
    assert search_services.tsquery(["bri", "glute"]) == "'bri':* & 'glute':*"
    assert search_services.fts5_title_query(["bri"]) == 'title : ("bri"*)'
    assert search_services.tsquery(["bri"], weights="A") == "'bri':*A"


# ---------------------------------------------------------------------------
# The index follows every change
# ---------------------------------------------------------------------------

def test_seed_demo_fills_the_index_once(runner, session):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert index_size(session) == 3 + 5 + 1
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert index_size(session) == 3 + 5 + 1


def test_renaming_a_product_reindexes_it(client, session, demo):
    product = session.scalar(select(Product).where(Product.slug == "stability-ball"))
    product.name = "Swiss Gym Orb"
    session.commit()
    assert slugs(client, "orb") == ["stability-ball"]
    titles = [i["title"] for i in client.get(API + "?q=stability").get_json()["items"]]
    assert "Stability Ball" not in titles and "Swiss Gym Orb" in titles  # text still says it
    [item] = client.get(API + "?q=orb").get_json()["items"]
    assert item["title"] == "Swiss Gym Orb"


def test_variant_changes_reindex_their_product(client, session, demo):
    variant = session.scalar(select(Variant).where(Variant.sku == "BB-LIGHT"))
    variant.name = "Featherweight"
    session.commit()
    assert "better-band" in slugs(client, "feather")
    session.delete(session.scalar(select(Variant).where(Variant.sku == "BB-LIGHT")))
    session.commit()
    assert "better-band" not in slugs(client, "feather")


def test_staff_variant_changes_keep_the_index_whole(client, session, staff, demo):
    before = index_size(session)
    response = client.patch("/api/v1/staff/variants/BB-HEAVY", json={"stock": 3, "price": 2599},
                            headers=staff.headers("admin"))
    assert response.status_code == 200
    assert index_size(session) == before
    assert ("product", "better-band") in found(client, "heavy")


def test_deleting_rows_removes_their_documents(client, session, demo):
    session.delete(session.scalar(select(Product).where(Product.slug == "better-band-trio")))
    session.delete(session.scalar(select(Exercise).where(Exercise.slug == "squat")))
    session.commit()
    assert "better-band-trio" not in slugs(client, "trio")
    assert "squat" not in slugs(client, "squat")
    assert session.scalar(select(func.count()).select_from(SearchEntry).where(
        SearchEntry.slug.in_(["better-band-trio", "squat"]))) == 0


def test_drafts_are_never_found_and_unpublishing_removes(client, session, demo):
    make_article(session, "secret-draft", body="Zanzibar flamingos.", status="draft")
    assert slugs(client, "zanzibar") == []
    article = session.scalar(select(Article).where(Article.slug == "secret-draft"))
    article.status = "published"
    session.commit()
    assert slugs(client, "zanzibar") == ["secret-draft"]
    article.status = "draft"
    session.commit()
    assert slugs(client, "zanzibar") == []
    demo_article = session.scalar(select(Article).where(
        Article.slug == "are-hamstrings-your-missing-link"))
    demo_article.status = "draft"
    session.commit()
    assert "are-hamstrings-your-missing-link" not in slugs(client, "semitendinosus")


def test_editing_an_exercise_reindexes_it(client, session, demo):
    exercise = session.scalar(select(Exercise).where(Exercise.slug == "squat"))
    exercise.steps = [*exercise.steps, "Finish with a pirouette."]
    session.commit()
    assert slugs(client, "pirouette") == ["squat"]


def test_a_rolled_back_change_never_reaches_the_index(client, session, demo):
    product = session.scalar(select(Product).where(Product.slug == "stability-ball"))
    product.name = "Ephemeral Sphere"
    session.flush()
    session.rollback()
    assert slugs(client, "ephemeral") == []
    assert "stability-ball" in slugs(client, "stability")


def test_reindex_command_rebuilds_everything(client, runner, session, demo):
    session.execute(delete(SearchEntry))
    session.commit()
    assert slugs(client, "bridge") == []
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "3 products, 5 exercises, 1 article" in result.output
    assert index_size(session) == 9
    assert slugs(client, "bri")[0] == "glute-bridge"


def test_reindex_command_is_listed(runner):
    result = runner.invoke(args=["search", "--help"])
    assert result.exit_code == 0 and "reindex" in result.output


class GlossaryPlugin:
    """A plugin kind of its own: glossary terms, kept outside the database."""

    @hookimpl
    def search_sources(self):
        return [SearchSource(kind="glossary", table="glossary_term")]

    @hookimpl
    def search_documents(self, kind, ids):
        if kind != "glossary":
            return None
        docs = [SearchDocument(type="glossary", key_id=1, slug="hinge", title="Hip hinge",
                               url_path="/glossary/hinge", body="Bending at the hips.")]
        return [d for d in docs if ids is None or d.key_id in ids]


def test_a_plugin_adds_its_own_kind(app, client, runner, session):
    manager = app.extensions["storefront"].plugins
    manager.register(GlossaryPlugin(), name="glossary")
    try:
        result = runner.invoke(args=["search", "reindex"])
        assert "1 glossary" in result.output
        body = client.get(API + "?q=hinge").get_json()
        assert body["items"][0]["url"] == "/glossary/hinge"
        assert body["items"][0]["type"] == "glossary"
    finally:
        manager.unregister(name="glossary")


# ---------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------

def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_the_page_lists_ranked_results_with_marked_snippets(client, demo):
    response = client.get("/search?q=bri")
    assert response.status_code == 200
    page = text_of(response)
    assert '<a href="/exercises/glute-bridge">Banded Glute Bridge</a>' in page
    assert "<mark>" in page and "best match first" in page
    first = page.index('<ol class="link-list search-results">')
    assert page.index("Banded Glute Bridge", first) < page.index("</li>", first)


def test_the_page_suggests_exercises_and_bands_when_nothing_matches(client, demo):
    response = client.get("/search?q=zzyzx")
    assert response.status_code == 200
    page = text_of(response)
    assert "Nothing matched “zzyzx”" in page
    assert 'href="/exercises"' in page and 'href="/products"' in page
    assert 'href="/products/better-band"' in page


def test_the_page_says_what_to_type(client):
    for q in ("", "  ", "***"):
        response = client.get("/search", query_string={"q": q})
        assert response.status_code == 422
        assert "Type a word" in response.get_data(as_text=True)


def test_the_page_escapes_the_query(client, demo):
    page = client.get("/search?q=<b>zzyzx</b>").get_data(as_text=True)
    assert "<b>zzyzx" not in page and "&lt;b&gt;zzyzx" in page
