"""Steps shared by the review, comment and moderation tests."""

REVIEW = {"rating": 4, "title": "Stays put", "body": "It does not roll up my legs.",
          "author_name": "Ana", "email": "ana@example.com"}
COMMENT = {"body": "Bridges changed my runs.", "author_name": "Ben", "email": "ben@example.com"}
ARTICLE = "are-hamstrings-your-missing-link"


def post_review(client, slug="better-band", **changes):
    """Send a review through the API."""
    return client.post(f"/api/v1/products/{slug}/reviews", json={**REVIEW, **changes})


def post_comment(client, slug=ARTICLE, **changes):
    """Send a comment through the API."""
    return client.post(f"/api/v1/articles/{slug}/comments", json={**COMMENT, **changes})


def decide(client, headers, kind, item_id, action, reason=""):
    """A moderator's decision through the staff API."""
    return client.post(f"/api/v1/staff/moderation/{kind}/{item_id}",
                       json={"action": action, "reason": reason}, headers=headers)
