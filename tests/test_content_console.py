"""The console's exercise and article editors, used through the browser's forms: who may
use them, what they save, the preview, and a save that someone else's save overtook."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import select

from content.models import Article, Exercise

from .media_helpers import picture

EXERCISES = "/staff/exercises"
ARTICLES = "/staff/articles"


def csrf(text: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text).group(1)


def hidden_version(text: str) -> str:
    return re.search(r'name="version" type="hidden" value="([^"]*)"', text).group(1)


def page(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def editor(staff):
    """A logged-in editor's console session."""
    user = staff.create("editor", email="writer@example.com")
    assert staff.login(user.email).status_code == 302
    return user


EXERCISE_FORM = {"name": "Banded Clamshell", "slug": "banded-clamshell",
                 "summary": "Side-lying hip work.", "steps": "Lie on your side.\nOpen the knee.",
                 "muscles": "Glutes, Hip abductors", "safety": "Keep the pelvis still.",
                 "status": "published", "gear-0-product": "better-band",
                 "gear-0-role": "required", "gear-0-recommended_sku": "BB-LIGHT",
                 "gear-1-product": "", "gear-1-role": "required", "gear-1-recommended_sku": ""}


def test_visitors_log_in_and_moderators_are_kept_out(client, staff, demo):
    paths = [EXERCISES, f"{EXERCISES}/new", f"{EXERCISES}/glute-bridge", ARTICLES,
             f"{ARTICLES}/new", f"{ARTICLES}/are-hamstrings-your-missing-link"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    moderator = staff.create("moderator")
    staff.login(moderator.email)
    for path in paths:
        assert client.get(path).status_code == 403, path
    nav = page(client, "/staff/")
    assert f'href="{EXERCISES}"' not in nav


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_editors_and_admins_see_every_exercise_and_article(client, staff, demo, role):
    staff.login(staff.create(role).email)
    listing = page(client, EXERCISES)
    assert "Banded Glute Bridge" in listing and 'class="stack"' in listing
    assert f'href="{EXERCISES}"' in listing and f'href="{ARTICLES}"' in listing  # console nav
    assert "Are Hamstrings Your Missing Link?" in html.unescape(page(client, ARTICLES))
    for path in (f"{EXERCISES}/glute-bridge", f"{ARTICLES}/new"):
        text = page(client, path)
        assert "<script" not in text and " style=" not in text


def test_an_editor_writes_an_exercise_that_recommends_a_band(client, editor, session, demo):
    form = page(client, f"{EXERCISES}/new")
    assert '<label for="gear-0-recommended_sku">Start with</label>' in form
    response = client.post(f"{EXERCISES}/new", data={"csrf_token": csrf(form), **EXERCISE_FORM})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{EXERCISES}/banded-clamshell")
    assert "Saved Banded Clamshell" in text_of(client.get(response.headers["Location"]))
    saved = session.scalar(select(Exercise).where(Exercise.slug == "banded-clamshell"))
    assert saved.steps == ["Lie on your side.", "Open the knee."]
    assert saved.muscles == ["Glutes", "Hip abductors"]
    assert [link.recommended_variant.sku for link in saved.product_links] == ["BB-LIGHT"]
    public = client.get("/exercises/banded-clamshell").get_data(as_text=True)
    assert "Start with the Light band" in public and "sku=BB-LIGHT" in public


def test_a_form_without_its_csrf_token_is_refused(client, editor, session, demo):
    assert client.post(f"{EXERCISES}/new", data=EXERCISE_FORM).status_code == 400
    assert client.post(f"{ARTICLES}/new", data={"title": "X", "slug": "x"}).status_code == 400
    assert session.scalar(select(Exercise).where(Exercise.slug == "banded-clamshell")) is None


def test_mistakes_are_shown_beside_their_fields_with_the_typed_text_kept(
        client, editor, session, demo):
    form = page(client, f"{EXERCISES}/new")
    response = client.post(f"{EXERCISES}/new", data={
        "csrf_token": csrf(form), **EXERCISE_FORM, "name": "", "summary": "Kept words.",
        "gear-0-recommended_sku": "SB-65"})
    assert response.status_code == 422
    text = text_of(response)
    assert re.search(r'<p class="field-error" id="name-error1">[^<]+</p>', text)
    assert 'aria-invalid="true"' in text and "Kept words.</textarea>" in text

    response = client.post(f"{EXERCISES}/new", data={
        "csrf_token": csrf(form), **EXERCISE_FORM, "gear-0-recommended_sku": "SB-65"})
    assert response.status_code == 422
    assert re.search(r'id="gear-error">[^<]*SB-65[^<]*not a variant', text_of(response))
    taken = client.post(f"{EXERCISES}/new", data={
        "csrf_token": csrf(form), **EXERCISE_FORM, "slug": "glute-bridge"})
    assert taken.status_code == 409 and 'id="slug-error1"' in taken.get_data(as_text=True)
    assert session.scalar(select(Exercise).where(Exercise.slug == "banded-clamshell")) is None


ARTICLE_BODY = "Start here.\n\n[[exercise:glute-bridge]]\n\nThen buy:\n\n[[product:better-band]]\n"


def test_the_preview_renders_the_body_as_readers_will_and_saves_nothing(
        client, editor, session, demo):
    form = page(client, f"{ARTICLES}/new")
    assert 'name="body_markdown"' in form and 'type="datetime-local"' in form
    response = client.post(f"{ARTICLES}/new", data={
        "csrf_token": csrf(form), "title": "First bands", "slug": "first-bands",
        "summary": "", "body_markdown": ARTICLE_BODY, "status": "draft", "published_at": "",
        "preview": "Preview"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    preview = text.split('id="preview-title"', 1)[1]
    assert '<aside class="card card-exercise">' in preview
    assert 'href="/exercises/glute-bridge?source=article:' in preview
    assert "[[exercise:glute-bridge]]" in text.split('id="preview-title"', 1)[0]  # kept
    assert session.scalar(select(Article).where(Article.slug == "first-bands")) is None


def test_an_unknown_shortcode_is_shown_beside_the_body_with_its_line(client, editor, demo):
    form = page(client, f"{ARTICLES}/new")
    for button in ("preview", "save"):
        response = client.post(f"{ARTICLES}/new", data={
            "csrf_token": csrf(form), "title": "First bands", "slug": "first-bands",
            "body_markdown": "One.\n\n[[exercise:no-such-move]]\n", "status": "draft",
            button: "go"})
        assert response.status_code == 422
        assert re.search(r'id="body_markdown-error1">Line 3: unknown exercise',
                         text_of(response))


def test_an_editor_schedules_an_article(client, editor, session, demo):
    form = page(client, f"{ARTICLES}/new")
    response = client.post(f"{ARTICLES}/new", data={
        "csrf_token": csrf(form), "title": "Next week's bands", "slug": "next-weeks-bands",
        "summary": "Soon.", "body_markdown": ARTICLE_BODY, "status": "scheduled",
        "published_at": "2099-01-05T09:30", "save": "Save article"})
    assert response.status_code == 302
    article = session.scalar(select(Article).where(Article.slug == "next-weeks-bands"))
    assert article.status == "scheduled"
    assert article.published_at.isoformat() == "2099-01-05T09:30:00+00:00"
    assert client.get("/articles/next-weeks-bands").status_code == 404
    listing = page(client, ARTICLES)
    assert "2099-01-05 09:30 UTC" in listing


def test_a_save_overtaken_by_another_shows_what_changed_and_keeps_the_typed_text(
        client, editor, staff, demo):
    path = f"{ARTICLES}/are-hamstrings-your-missing-link"
    form = page(client, path)
    opened = hidden_version(form)
    # Meanwhile another editor changes the summary through the API.
    api = "/api/v1/staff/articles/are-hamstrings-your-missing-link"
    headers = staff.headers("editor")
    read = client.get(api, headers=headers)
    assert client.patch(api, json={"summary": "Their newer summary."},
                        headers={**headers, "If-Match": read.headers["ETag"]}).status_code == 200
    mine = {"csrf_token": csrf(form), "version": opened, "title": "My better title",
            "slug": "are-hamstrings-your-missing-link", "summary": "My summary.",
            "body_markdown": read.get_json()["body_markdown"], "status": "published",
            "published_at": "2026-01-01T08:00", "save": "Save article"}
    response = client.post(path, data=mine)
    assert response.status_code == 409
    text = text_of(response)
    assert "Someone else saved this article" in text and "Their newer summary." in text
    assert 'value="My better title"' in text and "My summary.</textarea>" in text
    assert client.get("/api/v1/articles/are-hamstrings-your-missing-link").get_json()[
        "summary"] == "Their newer summary."
    # Saving again, now knowingly based on their version, goes through.
    again = client.post(path, data={**mine, "version": hidden_version(text)})
    assert again.status_code == 302
    assert client.get(api, headers=headers).get_json()["title"] == "My better title"


def test_an_editor_uploads_the_exercise_picture_from_its_form(client, editor, demo):
    form = page(client, f"{EXERCISES}/squat")
    assert "No picture yet." in form and 'enctype="multipart/form-data"' in form
    missing_alt = client.post(f"{EXERCISES}/squat/image", data={
        "csrf_token": csrf(form), "alt": "", "file": (io.BytesIO(picture()), "squat.jpg")})
    assert missing_alt.status_code == 303
    assert "The picture was not saved" in text_of(client.get(f"{EXERCISES}/squat"))
    response = client.post(f"{EXERCISES}/squat/image", data={
        "csrf_token": csrf(form), "alt": "A squat with a band above the knees",
        "file": (io.BytesIO(picture()), "squat.jpg")})
    assert response.status_code == 303
    after = text_of(client.get(response.headers["Location"]))
    assert "Saved the picture" in after and 'alt="A squat with a band above the knees"' in after
    public = client.get("/exercises/squat").get_data(as_text=True)
    assert 'alt="A squat with a band above the knees"' in public
