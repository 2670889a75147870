"""Promises about the staff console: where a login may send you, how long a session
holds, and whose failures lock out whom."""

from __future__ import annotations

import time

import pytest

from storefront.extensions import db
from storefront.staff import services
from tests.factories import PASSWORD, StaffActions


def _login_to(client, staff, user, next_value):
    """Log in with `?next=` set to `next_value` (sent as given, already encoded)."""
    return client.post(f"/staff/login?next={next_value}", data={
        "csrf_token": staff.csrf_token(), "email": user.email, "password": PASSWORD})


@pytest.mark.parametrize("next_value", [
    "/%09/evil.example/phish", "/%0a/evil.example", "/%0d%0a/evil.example",
    "/%5Cevil.example", "%5C%5Cevil.example", "https://evil.example/staff/",
    "//evil.example/staff/", "/staff/%0d%0aSet-Cookie:x=1", "javascript:alert(1)",
    "/%00/evil.example", "/products/better-band",
])
def test_login_never_redirects_off_the_console(client, staff, next_value):
    user = staff.create()
    response = _login_to(client, staff, user, next_value)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"


def test_login_follows_a_console_path(client, staff):
    user = staff.create()
    response = _login_to(client, staff, user, "/staff/moderation%3Fstatus%3Dspam")
    assert response.headers["Location"] == "/staff/moderation?status=spam"


def _cookie(client) -> str:
    return client.get_cookie("session").value


@pytest.fixture
def admin_email(app) -> str:
    """An admin made in a context of its own, so each request below loads its user anew
    (as every request of a running shop does)."""
    with app.app_context():
        return services.create_staff(db.session, "boss@example.com", "admin", PASSWORD).email


def test_logout_ends_a_copied_session_cookie(app, admin_email):
    first = app.test_client()
    StaffActions(first, None).login(admin_email)
    copied = app.test_client()
    copied.set_cookie("session", _cookie(first))
    assert copied.get("/staff/").status_code == 200  # the copy works while the session does

    first.post("/staff/logout", data={"csrf_token": StaffActions(first, None)
                                      .csrf_token("/staff/")})
    assert first.get("/staff/").status_code == 302
    assert copied.get("/staff/").status_code == 302


@pytest.mark.parametrize("how", ["password", "deactivate"])
def test_new_password_or_deactivation_ends_open_sessions(app, admin_email, how):
    client = app.test_client()
    console = StaffActions(client, None)
    console.login(admin_email)
    assert client.get("/staff/").status_code == 200
    with app.app_context():
        if how == "password":
            services.set_password(db.session, admin_email, "a brand new passphrase")
        else:
            services.set_active(db.session, admin_email, False)
    assert client.get("/staff/").status_code == 302
    if how == "password":
        assert console.login(admin_email).status_code == 400  # the old password is gone
        assert console.login(admin_email, "a brand new passphrase").status_code == 302
        assert client.get("/staff/").status_code == 200


def test_password_and_deactivation_from_the_command_line(app, runner, staff):
    user = staff.create()
    result = runner.invoke(args=["set-password", user.email, "--password", "short"])
    assert result.exit_code != 0 and "at least" in result.output
    result = runner.invoke(args=["set-password", user.email, "--password", "long enough now"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["deactivate-staff", user.email])
    assert result.exit_code == 0 and "deactivated" in result.output
    assert staff.login(user.email, "long enough now").status_code == 400
    result = runner.invoke(args=["deactivate-staff", user.email, "--reactivate"])
    assert result.exit_code == 0
    assert staff.login(user.email, "long enough now").status_code == 302
    missing = runner.invoke(args=["deactivate-staff", "nobody@example.com"])
    assert missing.exit_code != 0 and "No staff member" in missing.output


def test_console_session_ends_after_a_working_day_idle(app, admin_email, monkeypatch):
    client = app.test_client()
    StaffActions(client, None).login(admin_email)
    assert client.get("/staff/").status_code == 200
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 7 * 3600)
    assert client.get("/staff/").status_code == 200  # in use: the session holds
    monkeypatch.setattr(time, "time", lambda: now + 7 * 3600 + 8 * 3600 + 5)
    assert client.get("/staff/").status_code == 302


@pytest.fixture
def limited_app(make_app):
    """The shop with rate limits on (in this process's memory) and two staff members."""
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        for email in ("target@example.com", "colleague@example.com"):
            services.create_staff(db.session, email, "moderator", PASSWORD)
    return app


def test_failures_on_one_account_never_lock_out_another(limited_app):
    actions = StaffActions(limited_app.test_client(), None)
    statuses = [actions.login("target@example.com", "guess number one").status_code
                for _ in range(6)]
    assert statuses == [400] * 5 + [429]
    assert actions.login("colleague@example.com").status_code == 302  # same address


def test_login_failures_count_per_address(limited_app):
    actions = StaffActions(limited_app.test_client(), None)
    for _ in range(6):
        actions.login("target@example.com", "wrong password!")
    elsewhere = limited_app.test_client()
    response = elsewhere.post("/staff/login", environ_base={"REMOTE_ADDR": "10.9.8.7"}, data={
        "csrf_token": StaffActions(elsewhere, None).csrf_token(),
        "email": "target@example.com", "password": PASSWORD})
    assert response.status_code == 302  # the owner, from their own address, still gets in
