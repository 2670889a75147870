"""The stored article body: written with every change of the Markdown, built on read for
rows stored without it, never overwritten from an older snapshot; and everything on the
page that comes from other rows shown as it is now."""

from datetime import UTC, datetime

from sqlalchemy import insert, select, text

from content import read_models
from content.markdown import prose_key, render_prose
from content.models import Article
from storefront.extensions import db

from .factories import make_article, make_exercise, make_product

ARTICLES = "/api/v1/staff/articles"


def stored(session, slug: str):
    session.expire_all()
    return session.execute(select(Article.body_html, Article.body_html_key, Article.version,
                                  Article.updated_at).where(Article.slug == slug)).one()


def test_a_saved_article_stores_its_rendered_body(client, session):
    article = make_article(session, "stored-body", body="Some *words*.")
    row = stored(session, article.slug)
    assert row.body_html == render_prose("Some *words*.")
    assert row.body_html_key == prose_key("Some *words*.")
    assert "<em>words</em>" in client.get("/articles/stored-body").get_data(as_text=True)


def test_a_staff_edit_of_the_body_shows_on_the_next_read(client, session, staff):
    editor = staff.headers("editor")
    make_article(session, "edited-body", body="Old words.")
    assert "Old words." in client.get("/articles/edited-body").get_data(as_text=True)
    current = client.get(f"{ARTICLES}/edited-body", headers=editor)
    changed = client.patch(f"{ARTICLES}/edited-body", json={"body_markdown": "New **words**."},
                           headers={**editor, "If-Match": current.headers["ETag"]})
    assert changed.status_code == 200, changed.get_json()
    page = client.get("/articles/edited-body").get_data(as_text=True)
    assert "<strong>words</strong>" in page and "Old words." not in page
    assert stored(session, "edited-body").body_html == render_prose("New **words**.")


def test_a_row_inserted_without_its_body_is_built_on_read_and_stored(client, session):
    session.execute(insert(Article), [{
        "slug": "bulk-one", "title": "Bulk", "summary": "From a bulk insert.",
        "body_markdown": "Bulk *body*.", "status": "published",
        "published_at": datetime(2026, 1, 2, tzinfo=UTC)}])
    session.commit()
    before = stored(session, "bulk-one")
    assert before.body_html is None
    page = client.get("/articles/bulk-one").get_data(as_text=True)
    assert "<em>body</em>" in page
    after = stored(session, "bulk-one")
    assert after.body_html == render_prose("Bulk *body*.")
    # Storing the body is not an edit: no new version (If-Match), no new modified time.
    assert (after.version, after.updated_at) == (before.version, before.updated_at)
    assert "<em>body</em>" in client.get("/articles/bulk-one").get_data(as_text=True)


def test_a_body_built_from_an_old_snapshot_never_overwrites_a_newer_change(app, session):
    article = make_article(session, "raced", body="First text.")
    session.execute(text("UPDATE article SET body_html = NULL WHERE slug = 'raced'"))
    session.commit()
    with app.test_request_context():
        old = read_models.article_row(db.session, "raced")  # read before the edit commits
    article = session.scalar(select(Article).where(Article.slug == "raced"))
    article.body_markdown = "Second text."
    session.commit()
    with app.test_request_context():
        assert "First text." in read_models.stored_body(old, store=True)
    assert stored(session, "raced").body_html == render_prose("Second text.")


def test_a_body_changed_by_plain_sql_is_rebuilt_on_read(client, session):
    make_article(session, "sql-edit", body="Before.")
    assert "Before." in client.get("/articles/sql-edit").get_data(as_text=True)
    session.execute(text("UPDATE article SET body_markdown = 'After.' WHERE slug = 'sql-edit'"))
    session.commit()
    page = client.get("/articles/sql-edit").get_data(as_text=True)
    assert "After." in page and "Before." not in page
    assert stored(session, "sql-edit").body_html == render_prose("After.")


def test_cards_and_gear_show_product_and_exercise_changes_on_the_next_read(client, session):
    band = make_product(session, "card-band", name="Card Band", price=1500)
    move = make_exercise(session, "card-move")
    make_article(session, "with-cards", products=[band], exercises=[move],
                 body="[[product:card-band]]\n\n[[exercise:card-move]]\n")
    page = client.get("/articles/with-cards").get_data(as_text=True)
    assert "Card Band" in page and "From $15.00" in page and move.name in page
    band.name = "Renamed Band"
    band.variants[0].price_amount = 2500
    move.name = "Renamed Move"
    session.commit()
    page = client.get("/articles/with-cards").get_data(as_text=True)
    assert "Card Band" not in page and page.count("Renamed Band") >= 2
    assert "From $25.00" in page and "$15.00" not in page
    assert page.count("Renamed Move") >= 2
    band.status = "archived"
    session.commit()
    page = client.get("/articles/with-cards").get_data(as_text=True)
    assert "Renamed Band" not in page and "/products/card-band" not in page


def test_the_exercise_page_shows_article_and_gear_changes_on_the_next_read(client, session):
    band = make_product(session, "gear-band", name="Gear Band")
    move = make_exercise(session, "gear-move", products=[band])
    article = make_article(session, "teaches-move", exercises=[move])
    page = client.get("/exercises/gear-move").get_data(as_text=True)
    assert "Gear Band" in page and article.title in page
    article.title = "A New Title"
    band.name = "New Gear Name"
    session.commit()
    page = client.get("/exercises/gear-move").get_data(as_text=True)
    assert "A New Title" in page and "New Gear Name" in page and "Gear Band" not in page
