"""Exercises and articles through the JSON API."""

from datetime import UTC, datetime

from .factories import make_article, make_exercise, make_product


def test_exercise_detail_links_gear_and_articles(client, demo):
    body = client.get("/api/v1/exercises/hamstring-curl").get_json()
    assert body["name"] and len(body["steps"]) >= 4 and body["muscles"]
    gear = {p["slug"]: p for p in body["products"]}
    assert gear["stability-ball"]["role"] == "required"
    assert gear["stability-ball"]["sku"] == "SB-65"
    assert gear["better-band"]["role"] == "optional"
    assert gear["better-band"]["url"] == "/products/better-band?source=exercise:hamstring-curl"
    assert [a["slug"] for a in body["articles"]] == ["are-hamstrings-your-missing-link"]


def test_every_demo_exercise_links_to_a_band(client, demo):
    slugs = [e["slug"] for e in client.get("/api/v1/exercises").get_json()["items"]]
    assert set(slugs) == {"glute-bridge", "romanian-deadlift", "hamstring-curl", "squat",
                          "active-hamstring-stretch"}
    for slug in slugs:
        gear = client.get(f"/api/v1/exercises/{slug}").get_json()["products"]
        assert any(p["slug"].startswith("better-band") for p in gear), slug


def test_article_detail_renders_cards_and_links(client, demo):
    body = client.get("/api/v1/articles/are-hamstrings-your-missing-link").get_json()
    html = body["body_html"]
    assert 'class="card card-exercise"' in html
    assert 'href="/exercises/glute-bridge?source=article:are-hamstrings-your-missing-link"' in html
    assert 'href="/products/stability-ball?source=article:are-hamstrings-your-missing-link"' in html
    assert "[[" not in html
    assert {e["slug"] for e in body["exercises"]} >= {"glute-bridge", "squat"}
    assert body["comment_count"] == 0
    assert body["published_at"].startswith("2026-11-02")
    assert len(body["body_html"].split()) > 800


def test_drafts_and_unpublished_articles_are_hidden(client, session):
    make_article(session, "visible")
    make_article(session, "secret-draft", status="draft")
    listed = [a["slug"] for a in client.get("/api/v1/articles").get_json()["items"]]
    assert listed == ["visible"]
    assert client.get("/api/v1/articles/secret-draft").status_code == 404
    assert client.get("/articles/secret-draft").status_code == 404


def test_articles_are_newest_first_across_pages(client, session):
    for day in (3, 1, 5, 2, 4):
        make_article(session, f"day-{day}", published_at=datetime(2026, 3, day, tzinfo=UTC))
    seen, cursor = [], ""
    while cursor is not None:
        page = client.get(f"/api/v1/articles?limit=2{'&cursor=' + cursor if cursor else ''}")
        assert page.status_code == 200
        body = page.get_json()
        seen += [a["slug"] for a in body["items"]]
        cursor = body["next_cursor"]
    assert seen == ["day-5", "day-4", "day-3", "day-2", "day-1"]


def test_article_markdown_cannot_inject_markup(client, session):
    body = ("Hello <script>alert(1)</script> and <img src=x onerror=alert(2)>\n\n"
            "[click](javascript:alert(3))\n")
    make_article(session, "hostile", body=body)
    html = client.get("/api/v1/articles/hostile").get_json()["body_html"]
    assert "<script" not in html and "<img" not in html
    assert "href=\"javascript:" not in html
    assert "&lt;script&gt;" in html


def test_product_api_lists_the_exercises_that_use_it(client, session):
    band = make_product(session, "loop")
    make_exercise(session, "bridge", products=[band])
    make_exercise(session, "stretch", products=[band], role="optional")
    exercises = client.get("/api/v1/products/loop").get_json()["exercises"]
    assert [e["slug"] for e in exercises] == ["bridge", "stretch"]


def test_unknown_exercise_and_article_are_json_404(client):
    for path in ("/api/v1/exercises/nope", "/api/v1/articles/nope"):
        response = client.get(path)
        assert response.status_code == 404 and response.is_json


def test_public_base_url_makes_links_absolute(make_app):
    from storefront.extensions import db
    app = make_app(PUBLIC_BASE_URL="https://shop.example")
    with app.app_context():
        make_product(db.session, "abs")
    item = app.test_client().get("/api/v1/products").get_json()["items"][0]
    assert item["url"] == "https://shop.example/products/abs"
    assert item["image_url"].startswith("https://shop.example/assets/")
