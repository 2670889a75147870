"""One moderation queue across kinds: the staff API, the console, roles and the audit log."""

import re

from sqlalchemy import select

from storefront.moderation.models import ModerationAction
from storefront.orders.models import OutboxMessage

from .moderation_helpers import decide, post_comment, post_review


def test_queue_needs_a_staff_token(client, demo):
    assert client.get("/api/v1/staff/moderation").status_code == 401
    bad = client.get("/api/v1/staff/moderation", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.is_json
    assert decide(client, {}, "review", 1, "approve").status_code == 401


def test_queue_lists_both_kinds_oldest_first(client, staff, demo):
    review = post_review(client).get_json()["id"]
    comment = post_comment(client).get_json()["id"]
    body = client.get("/api/v1/staff/moderation", headers=staff.headers()).get_json()
    assert [(i["kind"], i["id"]) for i in body["items"]] == [("review", review),
                                                             ("comment", comment)]
    first = body["items"][0]
    assert first["target"] == {"type": "product", "slug": "better-band", "title": "Better Band"}
    assert first["rating"] == 4 and first["status"] == "pending"
    assert body["items"][1]["target"]["type"] == "article"
    only = client.get("/api/v1/staff/moderation?kind=comment", headers=staff.headers())
    assert [i["kind"] for i in only.get_json()["items"]] == ["comment"]
    for query in ("status=weird", "kind=video", "limit=0", "cursor=zz"):
        response = client.get(f"/api/v1/staff/moderation?{query}", headers=staff.headers())
        assert response.status_code == 422, query


def test_actions_follow_the_rules_and_are_audited(client, staff, session, demo):
    moderator = staff.create("moderator", email="mia@example.com")
    from storefront.staff.services import create_token
    headers = {"Authorization": f"Bearer {create_token(session, moderator.email)}"}
    item = post_review(client).get_json()["id"]
    assert decide(client, headers, "review", item, "unpublish").status_code == 409
    approved = decide(client, headers, "review", item, "approve", "looks genuine")
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    assert decide(client, headers, "review", item, "approve").status_code == 409
    assert decide(client, headers, "review", item, "unpublish", "changed mind").get_json()[
        "status"] == "rejected"
    assert decide(client, headers, "review", item, "dance").status_code == 422
    assert decide(client, headers, "review", 999999, "approve").status_code == 404
    assert decide(client, headers, "video", item, "approve").status_code == 404
    assert decide(client, headers, "comment", item, "approve").status_code == 404
    trail = session.scalars(select(ModerationAction).order_by(ModerationAction.id)).all()
    assert [(a.action, a.from_status, a.to_status, a.reason, a.actor_email) for a in trail] == [
        ("approve", "pending", "approved", "looks genuine", "mia@example.com"),
        ("unpublish", "approved", "rejected", "changed mind", "mia@example.com")]


def test_staff_are_told_of_new_items_but_not_of_spam(client, session, demo):
    post_review(client)
    post_comment(client, body="x http://a.io http://b.io http://c.io")
    notices = session.scalars(select(OutboxMessage).where(
        OutboxMessage.topic == "submission_received")).all()
    assert [n.subject for n in notices] == ["New review on better-band to moderate"]


def login(client, staff, role):
    user = staff.create(role)
    staff.login(user.email)
    return user


def test_console_queue_and_decisions(client, staff, demo):
    post_review(client, body="<script>alert(1)</script> honest words")
    post_comment(client)
    login(client, staff, "moderator")
    dashboard = client.get("/staff/").get_data(as_text=True)
    assert "Reviews pending: 1" in dashboard and "Comments pending: 1" in dashboard
    assert "Recent orders" not in dashboard
    queue = client.get("/staff/moderation").get_data(as_text=True)
    assert queue.count('class="queue-item"') == 2
    assert "<script>alert(1)" not in queue and "&lt;script&gt;" in queue
    comments = client.get("/staff/moderation?kind=comment").get_data(as_text=True)
    assert comments.count('class="queue-item"') == 1
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', queue).group(1)
    response = client.post("/staff/moderation/review/1", data={
        "csrf_token": token, "action": "reject", "reason": "contains a script",
        "back": "/staff/moderation"})
    assert response.status_code == 303 and response.headers["Location"] == "/staff/moderation"
    detail = client.get("/staff/moderation/review/1").get_data(as_text=True)
    assert "contains a script" in detail and "rejected" in detail
    forged = client.post("/staff/moderation/comment/2", data={"action": "approve"})
    assert forged.status_code == 303
    assert "Comments pending: 1" in client.get("/staff/").get_data(as_text=True)
    assert client.get("/staff/moderation?status=weird").status_code == 404


def test_console_roles(client, staff, demo):
    assert client.get("/staff/moderation").status_code == 302
    login(client, staff, "admin")
    assert "Recent orders" in client.get("/staff/").get_data(as_text=True)
    assert client.get("/staff/moderation").status_code == 200
