"""Inviting staff by a one-time link, accepting it, changing roles, deactivating; from the
console, the API and the command line; all of it in the audit log."""

from __future__ import annotations

import html
import re
import threading
from datetime import timedelta

from sqlalchemy import select, update

from storefront.orders.models import OutboxMessage, StaffAction
from storefront.staff.models import StaffInvite, StaffUser
from storefront.timeutil import utcnow
from storefront.tokens import digest

from .staff_helpers import csrf, database, new_staff, signed_in, token_headers

NEW_PASSWORD = "a long new password"
LINK = re.compile(r"https?://[^\s\"<>]+/staff/invite/([A-Za-z0-9_-]+)")


def invite_by_api(client, headers, email="ed@example.com", role="editor"):
    answer = client.post("/api/v1/staff/invites", json={"email": email, "role": role},
                         headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def path_of(url: str) -> str:
    found = LINK.search(url)
    assert found, url
    return "/staff/invite/" + found.group(1)


def accept(client, path, password=NEW_PASSWORD, confirm=None):
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    return client.post(path, data={"csrf_token": csrf(page.get_data(as_text=True)),
                                   "password": password,
                                   "confirm": password if confirm is None else confirm})


def member(app, email):
    with database(app) as session:
        user = session.scalar(select(StaffUser).where(StaffUser.email == email))
        return None if user is None else (user.role, user.active)


def audit(app, action=None):
    with database(app) as session:
        query = select(StaffAction).where(StaffAction.subject_type == "staff")
        if action:
            query = query.where(StaffAction.action == action)
        return [(a.actor, a.action, a.subject, a.detail)
                for a in session.scalars(query.order_by(StaffAction.id))]


# --- Inviting ------------------------------------------------------------------------------

def test_an_admin_invites_from_the_console_and_the_link_is_shown_once(app, client):
    admin = signed_in(app, "admin", "boss@example.com")
    page = admin.get("/staff/team").get_data(as_text=True)
    assert "boss@example.com" in page and "Invite someone" in page
    answer = admin.post("/staff/team/invites", data={
        "csrf_token": csrf(page), "email": "Writer@Example.com", "role": "editor"})
    assert answer.status_code == 200
    text = html.unescape(answer.get_data(as_text=True))
    assert "Invitation sent to writer@example.com" in text
    url = LINK.search(text).group(0)
    again = html.unescape(admin.get("/staff/team").get_data(as_text=True))
    assert url not in again and "writer@example.com" in again  # listed, link not shown
    with database(app) as session:
        invite = session.scalar(select(StaffInvite))
        assert invite.role == "editor" and invite.invited_by == "boss@example.com"
        assert invite.token_hash == digest(LINK.search(url).group(1))  # only the digest kept
        assert timedelta(days=6) < invite.expires_at - utcnow() <= timedelta(days=7)
        message = session.scalar(select(OutboxMessage).where(
            OutboxMessage.topic == "staff_invite"))
        assert message.recipient == "writer@example.com" and url in message.body
        assert url in html.unescape(message.html_body)
    assert audit(app, "invite")[0][:3] == ("boss@example.com", "invite", "writer@example.com")


def test_console_invite_refuses_bad_input(app):
    admin = signed_in(app, "admin", "boss@example.com")
    for email, role, problem in (("not-an-address", "editor", "is not an email address"),
                                 ("boss@example.com", "editor", "already on the staff"),
                                 ("x@example.com", "owner", "Not a valid choice")):
        page = admin.get("/staff/team").get_data(as_text=True)
        answer = admin.post("/staff/team/invites", data={"csrf_token": csrf(page),
                                                         "email": email, "role": role})
        assert answer.status_code in (400, 409, 422)
        assert problem.lower() in html.unescape(answer.get_data(as_text=True)).lower()
    with database(app) as session:
        assert session.scalars(select(StaffInvite)).all() == []


def test_the_api_invites_and_the_link_works_once(app, client):
    headers = token_headers(app, "admin", new_staff(app, "admin", "boss@example.com"))
    made = invite_by_api(client, headers, "ed@example.com", "editor")
    assert made["role"] == "editor" and made["invited_by"] == "boss@example.com"
    with database(app) as session:
        message = session.scalar(select(OutboxMessage).where(
            OutboxMessage.recipient == "ed@example.com"))
        assert made["url"] in message.body
    path = path_of(made["url"])
    newcomer = app.test_client()
    form = newcomer.get(path).get_data(as_text=True)
    assert "ed@example.com" in form and "editor" in form
    joined = accept(newcomer, path)
    assert joined.status_code == 303 and joined.headers["Location"].endswith("/staff/")
    assert member(app, "ed@example.com") == ("editor", True)
    home = newcomer.get("/staff/").get_data(as_text=True)
    assert "ed@example.com" in home and "catalogue and the content" in home
    # The password works for a fresh login too.
    signed_in(app, email="ed@example.com", password=NEW_PASSWORD)
    # A second use of the link, by anyone, is refused.
    for who in (newcomer, app.test_client()):
        assert who.get(path).status_code == 410
        assert who.post(path, data={"password": NEW_PASSWORD,
                                    "confirm": NEW_PASSWORD}).status_code == 410
    assert [a[1] for a in audit(app)] == ["invite", "accept_invite"]


def test_bad_invites_through_the_api(app, client):
    headers = token_headers(app, "admin", new_staff(app, "admin", "boss@example.com"))
    for body, status in (({"email": "x@example.com", "role": "owner"}, 422),
                         ({"email": "nope", "role": "editor"}, 422),
                         ({"email": "x@example.com"}, 422),
                         ({"email": "x@example.com", "role": "editor", "extra": 1}, 422),
                         ({"email": "boss@example.com", "role": "editor"}, 409)):
        answer = client.post("/api/v1/staff/invites", json=body, headers=headers)
        assert answer.status_code == status and answer.is_json, (body, answer.get_json())
    with database(app) as session:
        assert session.scalars(select(StaffInvite)).all() == []


def test_accepting_needs_a_long_enough_password_typed_twice(app, client):
    headers = token_headers(app, "admin")
    path = path_of(invite_by_api(client, headers)["url"])
    newcomer = app.test_client()
    short = accept(newcomer, path, password="short")
    assert short.status_code == 400 and "at least 10 characters" in short.get_data(as_text=True)
    differ = accept(newcomer, path, confirm="something else entirely")
    assert differ.status_code == 400 and "differ" in differ.get_data(as_text=True)
    assert member(app, "ed@example.com") is None
    assert accept(newcomer, path).status_code == 303  # still unused


def test_unknown_and_expired_links_are_refused(app, client):
    assert client.get("/staff/invite/not-a-real-token").status_code == 404
    headers = token_headers(app, "admin")
    path = path_of(invite_by_api(client, headers)["url"])
    with database(app) as session:
        session.execute(update(StaffInvite).values(expires_at=utcnow() - timedelta(minutes=1)))
        session.commit()
    page = client.get(path)
    assert page.status_code == 410 and "expired" in page.get_data(as_text=True)
    late = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert late.status_code == 410 and member(app, "ed@example.com") is None


def test_concurrent_accepts_make_exactly_one_member(app, client, database_url):
    headers = token_headers(app, "admin")
    path = path_of(invite_by_api(client, headers)["url"])
    tabs = 8
    clients = [app.test_client() for _ in range(tabs)]
    tokens = [csrf(c.get(path).get_data(as_text=True)) for c in clients]
    barrier = threading.Barrier(tabs)
    statuses: list[int] = []

    def join(n):
        barrier.wait()
        answer = clients[n].post(path, data={"csrf_token": tokens[n],
                                             "password": f"{NEW_PASSWORD} {n}",
                                             "confirm": f"{NEW_PASSWORD} {n}"})
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=join, args=(n,)) for n in range(tabs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [303] + [410] * (tabs - 1)
    with database(app) as session:
        assert len(session.scalars(select(StaffUser).where(
            StaffUser.email == "ed@example.com")).all()) == 1
        assert session.scalar(select(StaffInvite.used_at)) is not None
    assert len(audit(app, "accept_invite")) == 1


def test_failed_accepts_are_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    statuses = [client.get(f"/staff/invite/guess-{n}").status_code for n in range(6)]
    assert statuses[:5] == [404] * 5 and statuses[5] == 429
    assert "Too many attempts" in client.get("/staff/invite/another").get_data(as_text=True)


# --- Roles and deactivation ------------------------------------------------------------------

def test_the_api_lists_members_and_changes_roles(app, client):
    boss = new_staff(app, "admin", "boss@example.com")
    headers = token_headers(app, email=boss)
    mod = new_staff(app, "moderator", "mod@example.com")
    listed = client.get("/api/v1/staff/members", headers=headers).get_json()["items"]
    assert [(m["email"], m["role"], m["active"]) for m in listed] == [
        ("boss@example.com", "admin", True), ("mod@example.com", "moderator", True)]
    assert "last_login_at" in listed[0] and "password_hash" not in listed[0]
    changed = client.patch(f"/api/v1/staff/members/{mod}", json={"role": "editor"},
                           headers=headers)
    assert changed.status_code == 200 and changed.get_json()["role"] == "editor"
    mod_token = token_headers(app, email=mod)
    assert client.get("/api/v1/staff/moderation", headers=mod_token).status_code == 403
    off = client.patch(f"/api/v1/staff/members/{mod}", json={"active": False}, headers=headers)
    assert off.status_code == 200 and off.get_json()["active"] is False
    assert client.get("/api/v1/staff/me", headers=mod_token).status_code == 401
    on = client.patch(f"/api/v1/staff/members/{mod}", json={"active": True}, headers=headers)
    assert on.get_json()["active"] is True
    assert client.get("/api/v1/staff/me", headers=mod_token).status_code == 200
    assert [a[1:] for a in audit(app)] == [
        ("change_role", mod, "moderator -> editor"), ("deactivate", mod, ""),
        ("reactivate", mod, "")]
    assert {a[0] for a in audit(app)} == {boss}


def test_bad_member_changes_are_refused(app, client):
    headers = token_headers(app, "admin", new_staff(app, "admin", "boss@example.com"))
    mod = new_staff(app, "moderator", "mod@example.com")
    for path, body, status in (
            (f"/api/v1/staff/members/{mod}", {}, 422),
            (f"/api/v1/staff/members/{mod}", {"role": "owner"}, 422),
            (f"/api/v1/staff/members/{mod}", {"active": "maybe"}, 422),
            ("/api/v1/staff/members/nobody@example.com", {"role": "editor"}, 404)):
        answer = client.patch(path, json=body, headers=headers)
        assert answer.status_code == status and answer.is_json, (body, answer.get_json())
    assert member(app, mod) == ("moderator", True) and audit(app) == []


def test_the_last_active_admin_cannot_demote_or_shut_themselves(app, client):
    boss = new_staff(app, "admin", "boss@example.com")
    headers = token_headers(app, email=boss)
    for body in ({"role": "editor"}, {"active": False}):
        answer = client.patch(f"/api/v1/staff/members/{boss}", json=body, headers=headers)
        assert answer.status_code == 409 and "last active admin" in answer.get_json()["message"]
    assert member(app, boss) == ("admin", True) and audit(app) == []
    # With a second admin, stepping down is fine; the other is then the last one.
    other = new_staff(app, "admin", "other@example.com")
    down = client.patch(f"/api/v1/staff/members/{boss}", json={"role": "editor"},
                        headers=headers)
    assert down.status_code == 200
    other_headers = token_headers(app, email=other)
    refused = client.patch(f"/api/v1/staff/members/{other}", json={"active": False},
                           headers=other_headers)
    assert refused.status_code == 409


def test_console_role_change_and_deactivation(app):
    boss = new_staff(app, "admin", "boss@example.com")
    mod = new_staff(app, "moderator", "mod@example.com")
    mod_console = signed_in(app, email=mod)
    admin = signed_in(app, email=boss)
    with database(app) as session:
        mod_id = session.scalar(select(StaffUser.id).where(StaffUser.email == mod))
        boss_id = session.scalar(select(StaffUser.id).where(StaffUser.email == boss))
    token = csrf(admin.get("/staff/team").get_data(as_text=True))
    changed = admin.post(f"/staff/team/{mod_id}/role", data={"csrf_token": token,
                                                            "role": "editor"})
    assert changed.status_code == 303
    page = admin.get("/staff/team").get_data(as_text=True)
    assert "mod@example.com is now editor." in page
    assert mod_console.get("/staff/moderation").status_code == 403  # at once, same session
    off = admin.post(f"/staff/team/{mod_id}/active", data={"csrf_token": token, "active": "0"})
    assert off.status_code == 303
    assert "mod@example.com is deactivated." in admin.get("/staff/team").get_data(as_text=True)
    assert mod_console.get("/staff/").status_code == 302  # their session has ended
    assert member(app, mod) == ("editor", False)
    last = admin.post(f"/staff/team/{boss_id}/active", data={"csrf_token": token,
                                                            "active": "0"})
    assert last.status_code == 303
    assert "last active admin" in admin.get("/staff/team").get_data(as_text=True)
    assert member(app, boss) == ("admin", True)
    no_csrf = admin.post(f"/staff/team/{mod_id}/active", data={"active": "1"})
    assert no_csrf.status_code == 303 and member(app, mod) == ("editor", False)
    assert [a[1] for a in audit(app)] == ["change_role", "deactivate"]


# --- Command line ------------------------------------------------------------------------------

def test_create_staff_takes_the_editor_role(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-staff", "ed@example.com", "--role", "editor",
                                 "--password", NEW_PASSWORD])
    assert result.exit_code == 0 and "Created editor ed@example.com." in result.output
    assert member(app, "ed@example.com") == ("editor", True)


def test_invite_staff_prints_a_working_link(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["invite-staff", "Ed@Example.com", "--role", "editor"])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("/staff/invite/")  # no PUBLIC_BASE_URL in tests: a path
    assert "ed@example.com as editor" in result.output
    assert accept(app.test_client(), last).status_code == 303
    assert member(app, "ed@example.com") == ("editor", True)
    refused = runner.invoke(args=["invite-staff", "ed@example.com", "--role", "admin"])
    assert refused.exit_code != 0 and "already on the staff" in refused.output
    unknown = runner.invoke(args=["invite-staff", "x@example.com", "--role", "owner"])
    assert unknown.exit_code != 0
    assert [a[:3] for a in audit(app)] == [("command line", "invite", "ed@example.com"),
                                           ("ed@example.com", "accept_invite",
                                            "ed@example.com")]
