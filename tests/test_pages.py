"""The reference storefront's server-rendered pages."""

import re

from .factories import make_article, make_product


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_home_shows_the_bands_and_the_latest_article(client, demo):
    page = text_of(client.get("/"))
    assert "Better Band" in page and "Stability Ball" in page and "From $19.99" in page
    assert "Are Hamstrings Your Missing Link?" in page
    assert '<main id="main"' in page and 'aria-label="Main"' in page
    assert 'role="search"' in page and 'for="site-search-q"' in page


def test_product_page_shows_variants_stock_and_exercises(client, demo):
    page = text_of(client.get("/products/better-band"))
    assert "<title>Better Band · Better Band</title>" in page
    assert "<h1>Better Band</h1>" in page
    assert "$19.99" in page and "$21.99" in page and "$24.99" in page
    assert "120 in stock" in page
    assert "Exercises this band supports" in page
    assert 'href="/exercises/glute-bridge"' in page
    assert 'alt="A wide teal fabric loop band lying flat on a pale floor."' in page


def test_exercise_page_shows_steps_and_bands(client, demo):
    page = text_of(client.get("/exercises/glute-bridge"))
    assert "Bands for this exercise" in page
    # The band link opens the product with the recommended resistance chosen.
    assert 'href="/products/better-band?source=exercise:glute-bridge&amp;sku=BB-MEDIUM"' in page
    assert "Start with the Medium band" in page
    assert page.count("<li>") >= 4 and "Safety note" in page


def test_article_page_renders_the_body_with_cards(client, demo):
    page = text_of(client.get("/articles/are-hamstrings-your-missing-link"))
    assert "<title>Are Hamstrings Your Missing Link? · Better Band</title>" in page
    assert "<h1>Are Hamstrings Your Missing Link?</h1>" in page
    assert 'class="card card-exercise"' in page and 'class="card card-product"' in page
    assert "[[" not in page


def test_cart_page_shows_the_empty_state_with_ways_back(client, demo):
    page = text_of(client.get("/cart"))
    assert "Your cart is empty" in page
    assert 'href="/products"' in page and 'href="/exercises"' in page


def test_unknown_slugs_are_404_pages(client, demo):
    for path in ("/products/nope", "/exercises/nope", "/articles/nope"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Page not found" in response.get_data(as_text=True)


def test_search_page_finds_products_exercises_and_articles(client, demo):
    page = text_of(client.get("/search?q=bridge"))
    assert "Banded Glute Bridge" in page
    page = text_of(client.get("/search?q=hamstrings"))
    assert "Are Hamstrings Your Missing Link?" in page
    page = text_of(client.get("/search?q=ball"))
    assert 'href="/products/stability-ball"' in page


def test_search_treats_the_query_as_text(client, session):
    make_product(session, "plain", name="Plain Band")
    make_product(session, "pct", name="100% Band")
    assert "Plain Band" not in text_of(client.get("/search?q=100%25"))
    assert "100% Band" in text_of(client.get("/search?q=100%25"))
    assert "Plain Band" not in text_of(client.get("/search?q=_"))
    response = client.get("/search?q=" + "x" * 5000 + "%00'\"")
    assert response.status_code == 200
    empty = client.get("/search?q=%20%20")
    assert empty.status_code == 422 and "Type a word" in empty.get_data(as_text=True)


def test_search_escapes_what_it_echoes(client):
    page = client.get("/search?q=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_articles_and_exercises_indexes(client, session, demo):
    make_article(session, "draft-only", status="draft")
    page = text_of(client.get("/articles"))
    assert "Are Hamstrings Your Missing Link?" in page and "draft-only" not in page
    assert "Banded Glute Bridge" in text_of(client.get("/exercises"))
    assert client.get("/products?cursor=garbage").status_code == 404
