"""Article Markdown: front matter, shortcodes, and loading refusals."""

import pytest

from content.authoring import upsert_article
from content.markdown import Card, ContentError, render, shortcodes, split_front_matter


def test_front_matter_and_body_are_split():
    meta, body, line = split_front_matter("---\ntitle: Hi\nslug: hi\n---\nBody\n")
    assert meta == {"title": "Hi", "slug": "hi"} and body == "Body\n" and line == 5


def test_broken_front_matter_names_the_file_and_line():
    with pytest.raises(ContentError, match=r"post.md:3: front matter is not valid YAML"):
        split_front_matter("---\ntitle: ok\nslug: a: b\n---\n", "post.md")
    with pytest.raises(ContentError, match="no closing"):
        split_front_matter("---\ntitle: x\n", "post.md")


def test_shortcode_becomes_an_escaped_card():
    html = render("Intro\n\n[[product:band]]\n",
                  {("product", "band"): Card("product", "Band <b>", "/products/band", "Text")})
    assert '<aside class="card card-product">' in html
    assert '<a href="/products/band"' in html and "Band &lt;b&gt;" in html


def test_shortcodes_are_found_with_their_lines():
    assert shortcodes("a\n\n[[exercise:squat]]\nx [[product:b]]") == [
        ("exercise", "squat", 3), ("product", "b", 4)]


def test_unknown_shortcode_or_slug_is_refused_with_its_line(session):
    source = "---\ntitle: T\nslug: t\n---\nOne\n\n[[exercise:moonwalk]]\n"
    with pytest.raises(ContentError, match=r"t.md:7: unknown exercise 'moonwalk'"):
        upsert_article(session, source, "t.md", exercises={}, products={})
    source = "---\ntitle: T\nslug: t\n---\n[[video:x]]\n"
    with pytest.raises(ContentError, match=r"t.md:5: unknown shortcode kind 'video'"):
        upsert_article(session, source, "t.md", exercises={}, products={})
