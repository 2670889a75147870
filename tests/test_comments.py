"""Article comments: the same lifecycle as reviews, through the same queue."""

import re

import pytest
from sqlalchemy import func, select

from storefront.moderation.models import ModeratedItem

from .factories import make_article
from .moderation_helpers import ARTICLE, decide, post_comment


def test_comment_lifecycle(client, staff, demo):
    response = post_comment(client)
    assert response.status_code == 202 and response.get_json()["status"] == "pending"
    comment_id = response.get_json()["id"]
    assert client.get(f"/api/v1/articles/{ARTICLE}/comments").get_json()["items"] == []
    assert client.get(f"/api/v1/articles/{ARTICLE}").get_json()["comment_count"] == 0
    decide(client, staff.headers(), "comment", comment_id, "approve")
    items = client.get(f"/api/v1/articles/{ARTICLE}/comments").get_json()["items"]
    assert [c["body"] for c in items] == ["Bridges changed my runs."]
    assert "email" not in items[0]
    assert client.get(f"/api/v1/articles/{ARTICLE}").get_json()["comment_count"] == 1
    page = client.get(f"/articles/{ARTICLE}").get_data(as_text=True)
    assert "Bridges changed my runs." in page and "Comments (1)" in page
    decide(client, staff.headers(), "comment", comment_id, "unpublish", "off topic")
    assert client.get(f"/api/v1/articles/{ARTICLE}/comments").get_json()["items"] == []


def test_comments_on_drafts_or_unknown_articles_are_404(client, session, demo):
    make_article(session, "hidden", status="draft")
    assert post_comment(client, slug="hidden").status_code == 404
    assert post_comment(client, slug="nope").status_code == 404
    assert client.get("/api/v1/articles/hidden/comments").status_code == 404


@pytest.mark.parametrize("changes", [
    pytest.param({"body": ""}, id="empty-body"),
    pytest.param({"body": " \n "}, id="blank-body"),
    pytest.param({"body": "x" * 5001}, id="body-past-5000"),
    pytest.param({"email": "x"}, id="bad-email"),
    pytest.param({"author_name": ""}, id="no-name"),
    pytest.param({"rating": 5}, id="a-rating-on-a-comment"),
])
def test_bad_comments_are_refused(client, session, demo, changes):
    assert post_comment(client, **changes).status_code == 422
    assert session.scalar(select(func.count()).select_from(ModeratedItem)) == 0


def test_repeated_comment_text_is_spam(client, session, demo):
    post_comment(client, body="Visit my page for more")
    post_comment(client, body="visit my  PAGE for more")
    statuses = session.scalars(select(ModeratedItem.status).order_by(ModeratedItem.id)).all()
    assert statuses == ["pending", "spam"]


def test_article_page_comment_form(client, session, demo):
    page = client.get(f"/articles/{ARTICLE}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"/articles/{ARTICLE}/comments", data={
        "csrf_token": token, "body": "<script>x()</script> nice", "author_name": "Di",
        "email": "di@example.com", "website": ""})
    assert response.status_code == 303
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "will appear once a moderator has approved it" in after
    assert "<script>x()" not in after
    assert session.scalar(select(ModeratedItem.kind)) == "comment"
