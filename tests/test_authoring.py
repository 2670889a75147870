"""`storefront content import`: Markdown files in, articles out, all or nothing."""

from sqlalchemy import select

from content.models import Article

from .factories import make_product

GOOD = """---
title: Bridges for Beginners
slug: bridges-for-beginners
summary: Start here.
published_at: 2026-10-01T08:00:00Z
status: published
exercises: [glute-bridge]
products: [better-band]
---
Lift your hips.

[[exercise:glute-bridge]]
"""


def write(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run_import(runner, folder):
    return runner.invoke(args=["content", "import", str(folder)])


def test_import_creates_then_updates_in_place(runner, client, session, demo, tmp_path):
    write(tmp_path, "bridges.md", GOOD)
    result = run_import(runner, tmp_path)
    assert result.exit_code == 0, result.output
    assert "1 new, 0 updated" in result.output
    body = client.get("/api/v1/articles/bridges-for-beginners").get_json()
    assert body["title"] == "Bridges for Beginners" and 'class="card card-exercise"' in body[
        "body_html"]
    write(tmp_path, "bridges.md", GOOD.replace("Lift your hips.", "Lift your hips slowly."))
    result = run_import(runner, tmp_path)
    assert "0 new, 1 updated" in result.output
    assert "slowly" in client.get("/api/v1/articles/bridges-for-beginners").get_json()[
        "body_html"]
    assert len(session.scalars(select(Article).where(
        Article.slug == "bridges-for-beginners")).all()) == 1


def test_errors_name_the_file_and_line_and_change_nothing(runner, client, session, demo,
                                                           tmp_path):
    write(tmp_path, "a-good.md", GOOD)
    assert run_import(runner, tmp_path).exit_code == 0
    write(tmp_path, "a-good.md", GOOD.replace("Lift your hips.", "CHANGED"))
    cases = {
        "b-shortcode.md": (GOOD.replace("bridges-for-beginners", "other").replace(
            "[[exercise:glute-bridge]]", "[[video:glute-bridge]]"), "b-shortcode.md:12",
            "unknown shortcode kind 'video'"),
        "b-slug.md": (GOOD.replace("bridges-for-beginners", "other").replace(
            "products: [better-band]", "products: [golden-band]"), "b-slug.md:8",
            "unknown product 'golden-band'"),
        "b-yaml.md": ("---\ntitle: x\nslug: [broken\n---\nbody\n", "b-yaml.md:",
                      "not valid YAML"),
        "b-key.md": (GOOD.replace("bridges-for-beginners", "other").replace(
            "summary:", "sumary:"), "b-key.md:4", "unknown front matter key 'sumary'"),
        "b-status.md": (GOOD.replace("bridges-for-beginners", "other").replace(
            "status: published", "status: live"), "b-status.md:6", "status must be"),
        "b-malformed.md": (GOOD.replace("bridges-for-beginners", "other").replace(
            "[[exercise:glute-bridge]]", "[[exercise: glute bridge]]"), "b-malformed.md:12",
            "malformed shortcode"),
    }
    for name, (text, where, message) in cases.items():
        broken = write(tmp_path, name, text)
        result = run_import(runner, tmp_path)
        assert result.exit_code != 0, name
        assert where in result.output and message in result.output, result.output
        assert "Nothing was imported" in result.output
        broken.unlink()
    # a-good.md's change was in the same failed imports: what is published is unchanged.
    assert "CHANGED" not in client.get("/api/v1/articles/bridges-for-beginners").get_json()[
        "body_html"]


def test_duplicate_slugs_are_refused(runner, demo, tmp_path):
    write(tmp_path, "one.md", GOOD)
    write(tmp_path, "two.md", GOOD)
    result = run_import(runner, tmp_path)
    assert result.exit_code != 0 and "also used by" in result.output


def test_drafts_are_for_staff_only_with_a_preview(runner, client, staff, demo, tmp_path):
    write(tmp_path, "draft.md", GOOD.replace("status: published", "status: draft"))
    assert run_import(runner, tmp_path).exit_code == 0
    assert client.get("/articles/bridges-for-beginners").status_code == 404
    assert client.get("/api/v1/articles/bridges-for-beginners").status_code == 404
    assert client.get("/articles/bridges-for-beginners/preview").status_code == 302
    user = staff.create()
    staff.login(user.email)
    page = client.get("/articles/bridges-for-beginners/preview").get_data(as_text=True)
    assert "Bridges for Beginners" in page and "readers cannot see it yet" in page


def test_new_products_become_known_to_imports(runner, session, demo, tmp_path):
    make_product(session, "door-anchor")
    write(tmp_path, "anchor.md", GOOD.replace("products: [better-band]",
                                              "products: [door-anchor]"))
    assert run_import(runner, tmp_path).exit_code == 0
