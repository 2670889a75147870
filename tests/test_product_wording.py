"""Product pages in each product's own words: its options, its kind, one price or "From",
savings, a preselected variant, and edits seen at once by search and every host."""

from __future__ import annotations

import pytest

from .test_catalog_editing import patch, read


@pytest.fixture
def editor(staff):
    return staff.headers("editor")


def test_the_stability_ball_speaks_of_sizes_and_shows_one_price(client, demo):
    page = client.get("/products/stability-ball").get_data(as_text=True)
    words = " ".join(page.split())
    main = words.split("<main")[1].split("</main>")[0]
    assert "Sizes and prices" in main and "Resistance" not in main
    assert '<p class="price">$29.99</p>' in words and "From $29.99" not in words
    assert '<select id="sku"' not in page  # one variant: nothing to choose
    assert 'name="sku" type="hidden" value="SB-65"' in page
    assert "Exercises this ball supports" in words
    card = client.get("/products").get_data(as_text=True)
    assert "From $29.99" not in card and "$29.99" in card and "From $19.99" in card


def test_the_trio_shows_its_saving(client, demo):
    words = " ".join(client.get("/products/better-band-trio").get_data(as_text=True).split())
    assert "$54.99<span class=\"was\">, was $66.97</span><span class=\"saving\">, save $11.98" \
        in words
    assert "Exercises this set supports" in words
    detail = client.get("/api/v1/products/better-band-trio").get_json()
    assert detail["variants"][0]["compare_at_price"]["amount"] == 6697
    assert detail["price_from"]["amount"] == 5499


def test_a_sku_in_the_address_preselects_that_variant(client, demo):
    page = client.get("/products/better-band?sku=BB-MEDIUM").get_data(as_text=True)
    assert '<option selected value="BB-MEDIUM">' in page
    assert '<label for="sku">Resistance</label>' in page
    plain = client.get("/products/better-band").get_data(as_text=True)
    assert "selected" not in plain.split('<select id="sku"')[1].split("</select>")[0]
    unknown = client.get("/products/better-band?sku=SB-65").get_data(as_text=True)
    assert "selected" not in unknown.split('<select id="sku"')[1].split("</select>")[0]


@pytest.mark.shared_cache
def test_an_edit_is_seen_at_once_by_search_and_by_another_host(app, client, demo, editor,
                                                               make_app):
    other = make_app(STOREFRONT_CACHE_PREFIX=app.config["STOREFRONT_CACHE_PREFIX"]).test_client()
    assert "Stability Ball" in other.get("/products/stability-ball").get_data(as_text=True)
    assert other.get("/api/v1/products/stability-ball").get_json()["name"] == "Stability Ball"
    etag = read(client, editor, "stability-ball").headers["ETag"]
    assert patch(client, editor, {"name": "Gym Ball", "summary": "Wobbly seat for desks."},
                 etag, "stability-ball").status_code == 200
    assert other.get("/api/v1/products/stability-ball").get_json()["name"] == "Gym Ball"
    assert "Gym Ball" in other.get("/products/stability-ball").get_data(as_text=True)
    assert "stability-ball" in [i["slug"] for i in other.get(
        "/api/v1/search", query_string={"q": "wobbly"}).get_json()["items"]]
    etag = read(client, editor, "stability-ball").headers["ETag"]
    patch(client, editor, {"status": "archived"}, etag, "stability-ball")
    assert other.get("/products/stability-ball").status_code == 404
    assert other.get("/api/v1/products/stability-ball").status_code == 404
    assert "stability-ball" not in [i["slug"] for i in other.get(
        "/api/v1/search", query_string={"q": "wobbly"}).get_json()["items"]]
