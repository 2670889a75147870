"""Product documents: a product's detail read in one statement, and stale the moment
anything it shows changes, on every write path."""

from sqlalchemy import text, update

from storefront.catalog import documents
from storefront.catalog.api import PRODUCT, document_builder, product_detail, public_document
from storefront.catalog.models import Product, ProductDocument, Variant
from storefront.catalog.services import PUBLIC_STATUS, product_view

from .factories import make_exercise, make_product
from .moderation_helpers import decide, post_review

DETAIL = "/api/v1/products/better-band"


def _read(client, count_queries, path=DETAIL):
    with count_queries() as counted:
        response = client.get(path)
    assert response.status_code == 200
    return response, counted()


def test_a_stored_document_answers_with_the_same_bytes_in_one_statement(
        app, client, demo, count_queries):
    with app.app_context():
        built, _ = _read(client, count_queries)
        kept, statements = _read(client, count_queries)
    assert statements == 1
    assert kept.get_data() == built.get_data()
    assert kept.headers["ETag"] == built.headers["ETag"]


def test_stock_is_read_fresh_without_rebuilding(app, client, session, demo, count_queries):
    client.get(DETAIL)
    # As checkout reserves stock: a Core UPDATE of stock alone.
    session.execute(update(Variant).where(Variant.sku == "BB-LIGHT")
                    .values(stock=0).execution_options(synchronize_session=False))
    session.commit()
    response, statements = _read(client, count_queries)
    light = next(v for v in response.get_json()["variants"] if v["sku"] == "BB-LIGHT")
    assert (light["available"], light["in_stock"], statements) == (0, False, 1)


def test_an_orm_price_change_shows_on_the_next_read(client, session, demo):
    client.get(DETAIL)
    variant = session.query(Variant).filter_by(sku="BB-LIGHT").one()
    variant.price_amount = 1234
    session.commit()
    light = next(v for v in client.get(DETAIL).get_json()["variants"] if v["sku"] == "BB-LIGHT")
    assert light["price"]["amount"] == 1234


def test_a_core_update_of_anything_but_stock_shows_on_the_next_read(client, session, demo):
    client.get(DETAIL)
    session.execute(update(Variant).where(Variant.sku == "BB-LIGHT").values(name="Feather")
                    .execution_options(synchronize_session=False))
    session.commit()
    names = [v["name"] for v in client.get(DETAIL).get_json()["variants"]]
    assert "Feather" in names


def test_raw_sql_through_the_session_makes_documents_stale(client, session, demo):
    client.get(DETAIL)
    session.execute(text("UPDATE product SET name = 'Renamed band' WHERE slug = 'better-band'"))
    session.commit()
    assert client.get(DETAIL).get_json()["name"] == "Renamed band"


def test_a_product_edit_and_archive_show_on_the_next_read(client, session, demo):
    client.get(DETAIL)
    product = session.query(Product).filter_by(slug="better-band").one()
    product.description = "A new description."
    session.commit()
    assert client.get(DETAIL).get_json()["description"] == "A new description."
    product.status = "archived"
    session.commit()
    assert client.get(DETAIL).status_code == 404


def test_moderating_a_review_changes_the_rating(client, staff, demo):
    before = client.get(DETAIL).get_json()["rating"]
    review = post_review(client).get_json()["id"]
    decide(client, staff.headers(), "review", review, "approve")
    after = client.get(DETAIL).get_json()["rating"]
    assert after["count"] == before["count"] + 1


def test_a_plugin_linking_an_exercise_shows_on_the_next_read(client, session):
    product = make_product(session, "linked-band")
    path = "/api/v1/products/linked-band"
    assert client.get(path).get_json()["exercises"] == []
    make_exercise(session, "band-walk", products=[product])
    assert [e["slug"] for e in client.get(path).get_json()["exercises"]] == ["band-walk"]


def test_a_document_built_from_an_older_snapshot_is_never_served(app, client, session, demo):
    # A reader looks the product up and builds its document from what it reads...
    with app.test_request_context(DETAIL):
        found = documents.find(session, "better-band", PUBLIC_STATUS, document_builder())
        plugins = app.extensions["storefront"].plugins
        old = PRODUCT.dump(product_detail(product_view(session, plugins, "better-band")))
        session.rollback()
        # ...while a writer commits a change...
        product = session.query(Product).filter_by(slug="better-band").one()
        product.name = "Changed meanwhile"
        session.commit()
        # ...and only then does the reader store what it built.
        documents.store(session, found, old, {"extra": {}, "links": []})
        session.rollback()
        assert public_document(session, "better-band")["name"] == "Changed meanwhile"
    assert client.get(DETAIL).get_json()["name"] == "Changed meanwhile"


def test_a_read_on_another_host_sees_a_change_made_on_this_one(make_app, client, session, demo):
    other = make_app().test_client()
    assert other.get(DETAIL).status_code == 200
    product = session.query(Product).filter_by(slug="better-band").one()
    product.description = "Seen everywhere."
    session.commit()
    assert other.get(DETAIL).get_json()["description"] == "Seen everywhere."
    assert session.query(ProductDocument).count() >= 1


def test_the_product_page_is_the_same_from_a_stored_document(client, session, demo):
    make_exercise(session, "band-walk", products=[
        session.query(Product).filter_by(slug="better-band").one()])
    built = client.get("/products/better-band").get_data(as_text=True)
    kept = client.get("/products/better-band").get_data(as_text=True)
    assert "band-walk" in kept
    assert kept == built


def test_gallery_changes_show_on_the_next_read(client, session, staff):
    from storefront.staff.services import create_token

    from .media_helpers import picture, upload
    band = make_product(session, "pictured-band")
    path = "/api/v1/products/pictured-band"
    headers = {"Authorization": f"Bearer {create_token(session, staff.create('editor').email)}"}
    assert client.get(path).get_json()["images"] == []
    added = upload(client, band.slug, picture("JPEG"), alt="Front", headers=headers).get_json()
    assert [i["alt"] for i in client.get(path).get_json()["images"]] == ["Front"]
    image = f"/api/v1/staff/products/{band.slug}/images/{added['id']}"
    assert client.patch(image, json={"alt": "From the front"}, headers=headers).status_code == 200
    assert [i["alt"] for i in client.get(path).get_json()["images"]] == ["From the front"]
    assert client.delete(image, headers=headers).status_code in (200, 204)
    assert client.get(path).get_json()["images"] == []


def test_the_list_is_the_same_from_documents_and_from_the_catalogue(
        app, client, session, count_queries):
    for n in range(5):
        make_product(session, f"listed-{n}", variants=2)
    first = client.get("/api/v1/products?limit=3")
    cursor = first.get_json()["next_cursor"]
    second = client.get(f"/api/v1/products?limit=3&cursor={cursor}")
    client.get("/api/v1/products/listed-1")  # a document for some of them
    client.get("/api/v1/products/listed-4")
    assert client.get("/api/v1/products?limit=3").get_data() == first.get_data()
    assert client.get(f"/api/v1/products?limit=3&cursor={cursor}").get_data() == \
        second.get_data()
    for n in range(5):
        client.get(f"/api/v1/products/listed-{n}")
    session.execute(update(Variant).values(stock=0).execution_options(
        synchronize_session=False))
    session.commit()
    with app.app_context(), count_queries() as statements:
        items = client.get("/api/v1/products?limit=5").get_json()["items"]
    assert statements() == 1
    assert [i["slug"] for i in items] == [f"listed-{n}" for n in range(5)]
    assert not any(i["in_stock"] for i in items)

