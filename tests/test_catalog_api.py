"""Products through the JSON API."""

from storefront.catalog.models import Variant

from .factories import make_exercise, make_product


def test_product_list_pages_with_an_opaque_cursor(client, session):
    created = [make_product(session).slug for _ in range(5)]
    first = client.get("/api/v1/products?limit=2").get_json()
    assert len(first["items"]) == 2
    seen = [p["slug"] for p in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(f"/api/v1/products?limit=2&cursor={cursor}").get_json()
        seen += [p["slug"] for p in page["items"]]
        cursor = page["next_cursor"]
    assert seen == created


def test_product_list_item_shape(client, demo):
    item = client.get("/api/v1/products").get_json()["items"][0]
    assert item["slug"] == "better-band"
    assert item["price_from"] == {"amount": 1999, "currency": "usd", "formatted": "$19.99"}
    assert item["url"] == "/products/better-band"
    [image] = item["images"]  # the demo's drawn picture
    assert item["image_url"] == image["url"] and image["url"].endswith(".png")
    assert item["in_stock"] is True


def test_product_detail_has_variants_exercises_and_rating(client, demo):
    body = client.get("/api/v1/products/better-band").get_json()
    assert [v["sku"] for v in body["variants"]] == ["BB-LIGHT", "BB-MEDIUM", "BB-HEAVY"]
    heavy = body["variants"][2]
    assert heavy["price"]["amount"] == 2499 and heavy["price"]["formatted"] == "$24.99"
    assert heavy["available"] == 40 and heavy["in_stock"] is True
    assert "glute-bridge" in [e["slug"] for e in body["exercises"]]
    assert body["exercises"][0]["url"].startswith("/exercises/")
    assert body["rating"] == {"average": None, "count": 0}


def test_sold_out_variant_says_so(client, session, demo):
    session.query(Variant).filter_by(sku="BB-HEAVY").update({"stock": 0})
    session.commit()
    heavy = client.get("/api/v1/products/better-band").get_json()["variants"][2]
    assert heavy["in_stock"] is False and heavy["available"] == 0


def test_unknown_product_is_json_404(client, demo):
    response = client.get("/api/v1/products/no-such-band")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["status"] == "Not Found"


def test_bad_limit_and_cursor_are_422(client, demo):
    for query in ("limit=0", "limit=101", "limit=abc", "cursor=not-ours",
                  "cursor=WyJ4Il0", "cursor=" + "A" * 600, "limit=99999999999999999999"):
        response = client.get(f"/api/v1/products?{query}")
        assert response.status_code == 422, query
        assert response.get_json()["code"] == 422


def test_etag_gives_304_until_the_data_changes(client, session, demo):
    first = client.get("/api/v1/products/better-band")
    etag = first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]
    again = client.get("/api/v1/products/better-band", headers={"If-None-Match": etag})
    assert again.status_code == 304
    session.query(Variant).filter_by(sku="BB-LIGHT").update({"stock": 3})
    session.commit()
    changed = client.get("/api/v1/products/better-band", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.get_json()["variants"][0]["available"] == 3


def test_product_detail_query_count_does_not_grow(app, client, session, count_queries):
    small = make_product(session, "small", variants=1)
    make_exercise(session, products=[small])
    big = make_product(session, "big", variants=12)
    for _ in range(8):
        make_exercise(session, products=[big])
    with app.app_context():
        with count_queries() as small_count:
            assert client.get("/api/v1/products/small").status_code == 200
        with count_queries() as big_count:
            assert client.get("/api/v1/products/big").status_code == 200
        with count_queries() as warm_count:
            assert client.get("/api/v1/products/big").status_code == 200
    assert big_count() == small_count()
    # The first read builds the document: its lookup, product, variants, pictures, rating,
    # content links, and storing it; every later one reads it (and stock) in one statement.
    assert big_count() <= 7
    assert warm_count() == 1


def test_product_list_query_count_does_not_grow_with_page_size(app, client, session,
                                                               count_queries):
    for _ in range(12):
        make_product(session, variants=3)
    with app.app_context():
        with count_queries() as two:
            client.get("/api/v1/products?limit=2")
        with count_queries() as twelve:
            client.get("/api/v1/products?limit=12")
    assert two() == twelve()
