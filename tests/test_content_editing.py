"""Staff editing of exercises and articles through the staff API: roles, drafts kept from
readers, scheduling by the shop's clock, shortcodes checked, and edits that never overwrite
each other silently."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from content.models import Article, Exercise
from storefront import timeutil
from storefront.orders.models import StaffAction

from .factories import make_product
from .media_helpers import picture

EXERCISES = "/api/v1/staff/exercises"
ARTICLES = "/api/v1/staff/articles"
NOON = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """The shop's clock (`storefront.timeutil.utcnow`), frozen at `clock.now`; move it by
    setting `clock.now`."""
    class Clock:
        now = NOON

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return Clock.now.astimezone(tz) if tz else Clock.now.replace(tzinfo=None)

    monkeypatch.setattr(timeutil, "datetime", Frozen)
    return Clock


@pytest.fixture
def editor(staff):
    return staff.headers("editor")


def with_version(headers: dict, response) -> dict:
    return {**headers, "If-Match": response.headers["ETag"]}


def search(client, q: str) -> list[str]:
    response = client.get("/api/v1/search", query_string={"q": q})
    assert response.status_code == 200
    return [item["slug"] for item in response.get_json()["items"]]


def new_exercise(client, headers, slug="banded-clamshell", **fields):
    body = {"slug": slug, "name": "Banded Clamshell", "summary": "Side-lying hip work.",
            "steps": ["Lie on your side.", "Open the top knee."], "muscles": ["Glutes"],
            "safety": "Keep the pelvis still.", **fields}
    return client.post(EXERCISES, json=body, headers=headers)


def new_article(client, headers, slug="bands-for-beginners", **fields):
    body = {"slug": slug, "title": "Bands for beginners", "summary": "Where to start.",
            "body_markdown": "Start light.\n", **fields}
    return client.post(ARTICLES, json=body, headers=headers)


# --- Who may edit ---------------------------------------------------------------------------

def test_every_staff_content_endpoint_needs_an_editor_token(client, staff, demo):
    calls = [("get", EXERCISES, None), ("post", EXERCISES, {"slug": "x", "name": "X"}),
             ("get", f"{EXERCISES}/glute-bridge", None),
             ("patch", f"{EXERCISES}/glute-bridge", {"summary": "Changed."}),
             ("get", ARTICLES, None), ("post", ARTICLES, {"slug": "x", "title": "X"}),
             ("get", f"{ARTICLES}/are-hamstrings-your-missing-link", None),
             ("patch", f"{ARTICLES}/are-hamstrings-your-missing-link", {"summary": "New."})]
    moderator = staff.headers("moderator")
    for method, path, body in calls:
        response = getattr(client, method)(path, json=body)
        assert response.status_code == 401, (method, path)
        assert response.get_json()["code"] == 401
        assert getattr(client, method)(path, json=body, headers=moderator).status_code == 403
    for role in ("editor", "admin"):
        headers = staff.headers(role)
        for method, path, body in calls:
            if method == "post":
                body = {**body, "slug": f"{role}-made"}
            if method == "patch":
                headers_now = with_version(headers, client.get(path, headers=headers))
            else:
                headers_now = headers
            response = getattr(client, method)(path, json=body, headers=headers_now)
            assert response.status_code in (200, 201), (role, method, path, response.get_json())


# --- Exercises ------------------------------------------------------------------------------

def test_an_editor_writes_an_exercise_with_its_bands_and_publishes_it(client, editor, demo):
    created = new_exercise(client, editor, products=[
        {"slug": "better-band", "role": "required", "recommended_sku": "BB-LIGHT"},
        {"slug": "stability-ball", "role": "optional"}])
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["status"] == "draft" and created.headers["ETag"] == f'"{body["version"]}"'
    assert body["products"][0] == {"slug": "better-band", "role": "required",
                                   "recommended_sku": "BB-LIGHT"}
    # A draft is nowhere public.
    assert client.get("/api/v1/exercises/banded-clamshell").status_code == 404
    assert client.get("/exercises/banded-clamshell").status_code == 404
    assert "banded-clamshell" not in search(client, "clamshell")
    assert "banded-clamshell" not in client.get("/sitemap.xml").get_data(as_text=True)

    published = client.patch(f"{EXERCISES}/banded-clamshell", json={"status": "published"},
                             headers=with_version(editor, created))
    assert published.status_code == 200, published.get_json()
    public = client.get("/api/v1/exercises/banded-clamshell").get_json()
    gear = {p["slug"]: p for p in public["products"]}
    assert gear["better-band"]["recommended_sku"] == "BB-LIGHT"
    assert gear["stability-ball"]["recommended_sku"] is None
    assert search(client, "clamshell") == ["banded-clamshell"]
    assert "/exercises/banded-clamshell" in client.get("/sitemap.xml").get_data(as_text=True)
    page = client.get("/exercises/banded-clamshell").get_data(as_text=True)
    assert "Start with the Light band" in page
    assert "/products/better-band?source=exercise:banded-clamshell&amp;sku=BB-LIGHT" in page


def test_the_demo_glute_bridge_starts_with_the_medium_band(client, demo):
    page = client.get("/exercises/glute-bridge").get_data(as_text=True)
    assert "Start with the Medium band" in page
    assert "sku=BB-MEDIUM" in page
    api = client.get("/api/v1/exercises/glute-bridge").get_json()
    assert {p["slug"]: p["recommended_sku"] for p in api["products"]}["better-band"] == \
        "BB-MEDIUM"


def test_archiving_an_exercise_takes_it_off_every_public_list(client, editor, demo):
    read = client.get(f"{EXERCISES}/squat", headers=editor)
    assert client.patch(f"{EXERCISES}/squat", json={"status": "archived"},
                        headers=with_version(editor, read)).status_code == 200
    assert client.get("/api/v1/exercises/squat").status_code == 404
    listed = [e["slug"] for e in client.get("/api/v1/exercises").get_json()["items"]]
    assert "squat" not in listed and "glute-bridge" in listed
    assert "squat" not in search(client, "squat")
    product = client.get("/api/v1/products/better-band").get_json()
    assert "squat" not in [e["slug"] for e in product["exercises"]]
    article = client.get("/api/v1/articles/are-hamstrings-your-missing-link").get_json()
    assert "/exercises/squat" not in article["body_html"]
    # Staff still see it, in any status.
    assert "squat" in [e["slug"] for e in client.get(EXERCISES, headers=editor)
                       .get_json()["items"]]


def test_unknown_products_and_foreign_variants_are_refused_naming_the_field(
        client, editor, session, demo):
    unknown = new_exercise(client, editor, products=[{"slug": "no-such-band"}])
    assert unknown.status_code == 422
    assert "no-such-band" in unknown.get_json()["errors"]["json"]["products"][0]
    foreign = new_exercise(client, editor, products=[
        {"slug": "better-band", "recommended_sku": "SB-65"}])
    assert foreign.status_code == 422
    assert "SB-65" in foreign.get_json()["errors"]["json"]["products"][0]
    bad_role = new_exercise(client, editor, products=[{"slug": "better-band", "role": "nice"}])
    assert bad_role.status_code == 422 and "products" in bad_role.get_json()["errors"]["json"]
    # Nothing was half-created.
    session.expire_all()
    assert session.scalar(select(Exercise).where(Exercise.slug == "banded-clamshell")) is None


def test_a_duplicate_slug_is_a_conflict(client, editor, demo):
    response = new_exercise(client, editor, slug="glute-bridge")
    assert response.status_code == 409
    assert "slug" in response.get_json()["errors"]["json"]
    assert new_article(client, editor, slug="are-hamstrings-your-missing-link").status_code == 409
    renamed = client.patch(f"{EXERCISES}/squat", json={"slug": "glute-bridge"},
                           headers=with_version(editor, client.get(f"{EXERCISES}/squat",
                                                                   headers=editor)))
    assert renamed.status_code == 409


# --- Safe edits -----------------------------------------------------------------------------

def test_an_update_needs_the_version_it_was_based_on(client, editor, demo):
    path = f"{EXERCISES}/glute-bridge"
    missing = client.patch(path, json={"summary": "New words."}, headers=editor)
    assert missing.status_code == 428 and "If-Match" in missing.get_json()["message"]
    stale = client.patch(path, json={"summary": "New words."},
                         headers={**editor, "If-Match": '"999"'})
    assert stale.status_code == 412
    assert "changed by someone else" in stale.get_json()["message"]
    assert client.get("/api/v1/exercises/glute-bridge").get_json()["summary"] != "New words."


def test_two_editors_with_the_same_version_one_wins_one_gets_412(client, staff, session, demo):
    first, second = staff.headers("editor"), staff.headers("editor")
    read = client.get(f"{ARTICLES}/are-hamstrings-your-missing-link", headers=first)
    path = f"{ARTICLES}/are-hamstrings-your-missing-link"
    won = client.patch(path, json={"summary": "First editor's words."},
                       headers={**first, "If-Match": read.headers["ETag"]})
    lost = client.patch(path, json={"summary": "Second editor's words."},
                        headers={**second, "If-Match": read.headers["ETag"]})
    assert won.status_code == 200 and lost.status_code == 412
    assert client.get(path, headers=first).get_json()["summary"] == "First editor's words."


def test_a_save_racing_past_the_version_check_still_loses(app, client, editor, demo):
    """Two saves read the same version; the database refuses the later write."""
    from content import editing
    from storefront.extensions import db
    from storefront.versioning import StaleVersion

    with app.app_context():
        slow = editing.staff_exercise(db.session, "squat")  # read, not yet written
        version = slow.version
        read = client.get(f"{EXERCISES}/squat", headers=editor)
        assert client.patch(f"{EXERCISES}/squat", json={"summary": "Fast editor."},
                            headers=with_version(editor, read)).status_code == 200
        with pytest.raises(StaleVersion):
            editing.update_exercise(db.session, "squat", {"summary": "Slow editor."},
                                    expected_version=version, actor="slow@example.com")
    assert client.get("/api/v1/exercises/squat").get_json()["summary"] == "Fast editor."


def test_every_change_is_in_the_audit_log(client, editor, session, demo):
    created = new_article(client, editor)
    client.patch(f"{ARTICLES}/bands-for-beginners", json={"status": "published"},
                 headers=with_version(editor, created))
    session.expire_all()
    rows = session.scalars(select(StaffAction).where(StaffAction.subject_type == "article")
                           .order_by(StaffAction.id)).all()
    assert [(r.action, r.subject) for r in rows] == [("create", "bands-for-beginners"),
                                                     ("publish", "bands-for-beginners")]
    assert all(r.actor.startswith("editor") for r in rows)


# --- Articles -------------------------------------------------------------------------------

def test_an_article_published_through_the_api_is_public_and_found_at_once(client, editor, demo):
    body = "Try this first.\n\n[[exercise:glute-bridge]]\n\nThen this.\n\n[[product:better-band]]\n"
    response = new_article(client, editor, status="published", body_markdown=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["public"] is True
    assert search(client, "beginners") == ["bands-for-beginners"]
    public = client.get("/api/v1/articles/bands-for-beginners").get_json()
    assert [e["slug"] for e in public["exercises"]] == ["glute-bridge"]
    assert [p["slug"] for p in public["products"]] == ["better-band"]
    assert ('href="/exercises/glute-bridge?source=article:bands-for-beginners"'
            in public["body_html"])
    assert "bands-for-beginners" in client.get("/feed.xml").get_data(as_text=True)


def test_drafts_stay_out_of_every_public_read(client, editor, demo):
    assert new_article(client, editor).status_code == 201
    assert client.get("/api/v1/articles/bands-for-beginners").status_code == 404
    assert client.get("/articles/bands-for-beginners").status_code == 404
    assert "bands-for-beginners" not in [
        a["slug"] for a in client.get("/api/v1/articles").get_json()["items"]]
    assert search(client, "beginners") == []
    assert "bands-for-beginners" not in client.get("/sitemap.xml").get_data(as_text=True)


def test_scheduling_follows_the_shops_clock(client, editor, clock, demo):
    earlier = new_article(client, editor, slug="went-out-this-morning", title="Morning bands",
                          status="scheduled", published_at=(NOON - timedelta(hours=3))
                          .isoformat())
    later = new_article(client, editor, slug="goes-out-tomorrow", title="Tomorrow bands",
                        status="scheduled", published_at=(NOON + timedelta(days=1)).isoformat())
    assert earlier.status_code == later.status_code == 201
    assert earlier.get_json()["public"] is True and later.get_json()["public"] is False

    listed = [a["slug"] for a in client.get("/api/v1/articles").get_json()["items"]]
    assert "went-out-this-morning" in listed and "goes-out-tomorrow" not in listed
    assert client.get("/articles/went-out-this-morning").status_code == 200
    assert client.get("/articles/goes-out-tomorrow").status_code == 404
    assert client.get("/api/v1/articles/goes-out-tomorrow").status_code == 404
    assert search(client, "bands morning") == ["went-out-this-morning"]
    assert search(client, "tomorrow") == []
    feed = client.get("/feed.xml").get_data(as_text=True)
    assert "went-out-this-morning" in feed and "goes-out-tomorrow" not in feed

    clock.now = NOON + timedelta(days=1, minutes=1)  # no job runs: the reads follow the clock
    assert client.get("/api/v1/articles/goes-out-tomorrow").status_code == 200
    assert client.get("/articles/goes-out-tomorrow").status_code == 200
    assert search(client, "tomorrow") == ["goes-out-tomorrow"]
    assert "goes-out-tomorrow" in client.get("/sitemap.xml").get_data(as_text=True)


def test_a_scheduled_article_needs_its_time(client, editor, demo):
    response = new_article(client, editor, status="scheduled")
    assert response.status_code == 422
    assert "published_at" in response.get_json()["errors"]["json"]


@pytest.mark.parametrize("body, line, words", [
    ("Intro.\n\n[[video:glute-bridge]]\n", 3, "unknown shortcode kind 'video'"),
    ("Intro.\n\nMore.\n\n[[exercise:no-such-move]]\n", 5, "unknown exercise 'no-such-move'"),
    ("[[product:no-such-band]]\n", 1, "unknown product 'no-such-band'"),
    ("One.\n[[exercise:Glute Bridge]]\n", 2, "malformed shortcode"),
])
def test_shortcodes_are_checked_as_on_import(client, editor, session, demo, body, line, words):
    response = new_article(client, editor, body_markdown=body)
    assert response.status_code == 422
    message = response.get_json()["errors"]["json"]["body_markdown"][0]
    assert message.startswith(f"Line {line}:") and words in message
    session.expire_all()
    assert session.scalar(select(Article).where(Article.slug == "bands-for-beginners")) is None
    # The same check on a change leaves the saved article as it was.
    path = f"{ARTICLES}/are-hamstrings-your-missing-link"
    read = client.get(path, headers=editor)
    changed = client.patch(path, json={"body_markdown": body, "title": "Changed"},
                           headers=with_version(editor, read))
    assert changed.status_code == 422
    assert client.get(path, headers=editor).get_json()["title"] == read.get_json()["title"]


def test_an_article_about_a_draft_exercise_leaves_its_card_out_until_it_is_published(
        client, editor, demo):
    exercise = new_exercise(client, editor)
    new_article(client, editor, status="published",
                body_markdown="Read on.\n\n[[exercise:banded-clamshell]]\n")
    public = client.get("/api/v1/articles/bands-for-beginners").get_json()
    assert "/exercises/banded-clamshell" not in public["body_html"]
    assert public["exercises"] == []
    client.patch(f"{EXERCISES}/banded-clamshell", json={"status": "published"},
                 headers=with_version(editor, exercise))
    public = client.get("/api/v1/articles/bands-for-beginners").get_json()
    assert ('href="/exercises/banded-clamshell?source=article:bands-for-beginners"'
            in public["body_html"])


def test_bad_input_is_a_clear_422(client, editor, session):
    make_product(session, "plain-band")
    cases = [({"slug": "Not A Slug", "name": "X"}, "slug"),
             ({"slug": "ok", "name": ""}, "name"),
             ({"slug": "ok", "name": "X", "status": "live"}, "status"),
             ({"slug": "ok", "name": "X", "steps": "one"}, "steps"),
             ({"slug": "ok", "name": "X\x00"}, "name")]
    for body, field in cases:
        response = client.post(EXERCISES, json=body, headers=editor)
        assert response.status_code == 422, body
        assert field in response.get_json()["errors"]["json"], body
    bad_time = client.post(ARTICLES, json={"slug": "ok", "title": "X", "published_at": "soon"},
                           headers=editor)
    assert bad_time.status_code == 422
    assert "published_at" in bad_time.get_json()["errors"]["json"]


# --- The exercise's picture -----------------------------------------------------------------

def upload_exercise_picture(client, slug, data, alt, headers):
    form: dict = {"file": FileStorage(io.BytesIO(data), filename="move.jpg",
                                      content_type="image/jpeg")}
    if alt is not None:
        form["alt"] = alt
    boundary, body = encode_multipart(form)
    return client.post(f"{EXERCISES}/{slug}/image", data=body, headers=headers,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_an_editor_gives_an_exercise_its_picture(client, staff, editor, session, demo):
    assert upload_exercise_picture(client, "squat", picture(), "Squat", {}).status_code == 401
    assert upload_exercise_picture(client, "squat", picture(), "Squat",
                                   staff.headers("moderator")).status_code == 403
    no_alt = upload_exercise_picture(client, "squat", picture(), "", editor)
    assert no_alt.status_code == 422 and "alt" in no_alt.get_json()["errors"]["form"]
    not_a_picture = upload_exercise_picture(client, "squat", b"GIF89a nonsense", "Squat", editor)
    assert not_a_picture.status_code == 422
    assert "file" in not_a_picture.get_json()["errors"]["files"]
    assert client.get("/api/v1/exercises/squat").get_json()["image"] is None

    response = upload_exercise_picture(client, "squat", picture(),
                                       "Someone squatting with a band", editor)
    assert response.status_code == 201, response.get_json()
    image = response.get_json()
    assert image["alt"] == "Someone squatting with a band" and image["renditions"]
    public = client.get("/api/v1/exercises/squat").get_json()["image"]
    assert public["url"] == image["url"] and public["alt"] == image["alt"]
    assert client.get(f"{EXERCISES}/squat", headers=editor).get_json()["image"]["id"] == \
        image["id"]
    page = client.get("/exercises/squat").get_data(as_text=True)
    assert 'alt="Someone squatting with a band"' in page and "srcset=" in page
    assert client.get(image["url"]).status_code == 200
    session.expire_all()
    assert session.scalar(select(StaffAction.action).where(
        StaffAction.subject_type == "exercise", StaffAction.subject == "squat")) == "upload"


# --- Every host sees a change at once -------------------------------------------------------

@pytest.mark.shared_cache
def test_an_edit_on_another_host_shows_at_once_through_the_shared_cache(
        app, client, staff, make_app, demo):
    other = make_app(STOREFRONT_CACHE_PREFIX=app.config["STOREFRONT_CACHE_PREFIX"]).test_client()
    editor = staff.headers("editor")
    page, api = "/articles/are-hamstrings-your-missing-link", \
        f"{ARTICLES}/are-hamstrings-your-missing-link"
    assert "Are Hamstrings Your Missing Link?" in client.get(page).get_data(as_text=True)
    assert "/exercises/squat" in client.get("/products/better-band").get_data(as_text=True)

    read = other.get(api, headers=editor)
    assert other.patch(api, json={"title": "The hamstring chapter"},
                       headers=with_version(editor, read)).status_code == 200
    read = other.get(f"{EXERCISES}/squat", headers=editor)
    assert other.patch(f"{EXERCISES}/squat", json={"status": "archived"},
                       headers=with_version(editor, read)).status_code == 200

    assert "The hamstring chapter" in client.get(page).get_data(as_text=True)
    assert "/exercises/squat" not in client.get("/products/better-band").get_data(as_text=True)
