"""Staff identity: bearer tokens on the API, the console login."""

import pytest

from .factories import PASSWORD


@pytest.mark.parametrize("header", [
    None, "Bearer", "Bearer nope", "Basic abc", "Bearer sft_" + "x" * 43,
], ids=["none", "no-token", "unknown-token", "basic-auth", "well-formed-but-unknown"])
def test_staff_api_refuses_a_missing_or_wrong_token(client, header):
    response = client.get("/api/v1/staff/me",
                          headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.is_json and "WWW-Authenticate" in response.headers


def test_staff_api_takes_a_valid_token(client, staff):
    ok = client.get("/api/v1/staff/me", headers=staff.headers("moderator"))
    assert ok.status_code == 200 and ok.get_json()["role"] == "moderator"


def test_inactive_staff_tokens_stop_working(client, staff, session):
    user = staff.create("admin")
    from storefront.staff.services import create_token
    token = create_token(session, user.email)
    user.active = False
    session.commit()
    response = client.get("/api/v1/staff/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_admin_endpoints_refuse_moderators(client, staff, demo):
    response = client.patch("/api/v1/staff/variants/BB-LIGHT", json={"stock": 5},
                            headers=staff.headers("moderator"))
    assert response.status_code == 403 and response.is_json
    assert client.get("/api/v1/products/better-band").get_json()["variants"][0]["available"] == 120


def test_admin_changes_stock_and_price(client, staff, demo):
    response = client.patch("/api/v1/staff/variants/BB-LIGHT", json={"stock": 5, "price": 1799},
                            headers=staff.headers("admin"))
    assert response.status_code == 200
    assert response.get_json()["price"]["formatted"] == "$17.99"
    light = client.get("/api/v1/products/better-band").get_json()["variants"][0]
    assert light["available"] == 5 and light["price"]["amount"] == 1799


def _light(client) -> dict:
    return client.get("/api/v1/products/better-band").get_json()["variants"][0]


@pytest.mark.parametrize("path, request_, status", [
    ("BB-LIGHT", {"json": {"stock": -1}}, 422),
    ("BB-LIGHT", {"json": {"stock": "5"}}, 422),
    ("BB-LIGHT", {"json": {"stock": 2.5}}, 422),
    ("BB-LIGHT", {"json": {"price": 10**12}}, 422),
    ("BB-LIGHT", {"json": {"stock": True}}, 422),
    ("BB-LIGHT", {"json": {"colour": "red"}}, 422),
    ("BB-LIGHT", {"json": [1, 2]}, 422),
    ("BB-LIGHT", {"data": "{not json", "content_type": "application/json"}, 400),
    ("NOPE", {"json": {"stock": 1}}, 404),
], ids=["negative-stock", "stock-as-text", "fractional-stock", "price-past-the-limit",
        "stock-as-boolean", "unknown-field", "a-list", "malformed-json", "unknown-sku"])
def test_bad_variant_changes_are_refused_and_change_nothing(client, staff, demo,
                                                            path, request_, status):
    response = client.patch(f"/api/v1/staff/variants/{path}", headers=staff.headers("admin"),
                            **request_)
    assert response.status_code == status and response.is_json
    light = _light(client)
    assert light["available"] == 120 and light["price"]["amount"] == 1999


def test_console_requires_login(client):
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_console_login_and_logout(client, staff):
    user = staff.create("admin")
    response = staff.login(user.email)
    assert response.status_code == 302
    page = client.get("/staff/").get_data(as_text=True)
    assert f"Signed in as <strong>{user.email}</strong>" in page
    token = staff.csrf_token("/staff/")
    client.post("/staff/logout", data={"csrf_token": token})
    assert client.get("/staff/").status_code == 302


def test_wrong_password_is_refused(client, staff):
    user = staff.create()
    response = staff.login(user.email, "wrong password!")
    assert response.status_code == 400
    assert "do not match" in response.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_login_without_csrf_token_is_refused(client, staff):
    user = staff.create()
    response = client.post("/staff/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/staff/").status_code == 302


def test_login_does_not_redirect_to_other_sites(client, staff):
    user = staff.create()
    token = staff.csrf_token()
    response = client.post("/staff/login?next=//evil.example/", data={
        "csrf_token": token, "email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/staff/"


def test_failed_logins_are_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    from storefront.extensions import db
    from tests.factories import StaffActions
    with app.app_context():
        actions = StaffActions(client, db.session)
        user = actions.create()
        statuses = [actions.login(user.email, "wrong password!").status_code for _ in range(6)]
        assert statuses[:5] == [400] * 5 and statuses[5] == 429
        locked = actions.login(user.email)
        assert locked.status_code == 429
        assert "Too many failed attempts" in locked.get_data(as_text=True)
