"""The app factory, settings, security headers and mounting into a host app."""

import subprocess
import sys

import pytest

from storefront import ConfigError, create_app
from storefront.extensions import db


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("STOREFRONT_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app({"STOREFRONT_ENV": "production"})


@pytest.mark.parametrize(("settings", "message"), [
    ({}, "PUBLIC_BASE_URL is not set: export"),
    ({"TRUSTED_HOSTS": ["shop.example"]}, "Stripe Checkout needs absolute addresses"),
], ids=["no-base-url", "stripe-with-trusted-hosts-only"])
def test_production_needs_a_public_base_url(tmp_path, monkeypatch, settings, message):
    monkeypatch.setenv("STOREFRONT_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match=message):
        create_app({"STOREFRONT_ENV": "production", "SECRET_KEY": "x" * 32,
                    "STRIPE_SECRET_KEY": "sk_test_x", **settings})


def test_production_failure_is_one_clear_line_on_the_command_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "STOREFRONT_INSTANCE_PATH": str(tmp_path),
           "STOREFRONT_ENV": "production"}
    result = subprocess.run([sys.executable, "-c", "from storefront.cli import main; main()",
                             "routes"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_development_generates_and_keeps_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("STOREFRONT_INSTANCE_PATH", str(tmp_path))
    first = create_app({"STOREFRONT_ENV": "development"}).config["SECRET_KEY"]
    second = create_app({"STOREFRONT_ENV": "development"}).config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_settings_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("STOREFRONT_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("DATABASE_URL", "postgresql://shop@db.internal/shop")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://shop.example/")
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_123")
    monkeypatch.setenv("RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("MODERATION_BANNED_WORDS", "casino,lottery")
    monkeypatch.setenv("MODERATION_MAX_LINKS", "3")
    config = create_app().config
    assert config["MODERATION_BANNED_WORDS"] == "casino,lottery"
    assert config["MODERATION_MAX_LINKS"] == 3
    assert config["SECRET_KEY"] == "from-the-environment"
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://shop@db.internal/shop"
    assert config["PUBLIC_BASE_URL"] == "https://shop.example"
    assert config["PAYMENT_PROVIDER"] == "stripe"
    assert config["RATELIMIT_ENABLED"] is False
    assert config["SESSION_COOKIE_SECURE"] is True


def test_payment_provider_defaults_to_test_without_a_stripe_key(tmp_path, monkeypatch):
    monkeypatch.setenv("STOREFRONT_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    config = create_app({"STOREFRONT_ENV": "development"}).config
    assert config["PAYMENT_PROVIDER"] == "test"
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/storefront.db"
    assert config["SESSION_COOKIE_SECURE"] is False


def test_unknown_environment_name_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("STOREFRONT_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="STOREFRONT_ENV"):
        create_app({"STOREFRONT_ENV": "staging"})


def test_security_headers_on_pages_and_api(client, demo):
    for path in ("/", "/api/v1/products", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_httponly_and_samesite(client, staff):
    user = staff.create()
    response = staff.login(user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_openapi_document_lists_the_api(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/products", "/api/v1/products/{slug}", "/api/v1/exercises/{slug}",
                 "/api/v1/articles/{slug}", "/api/v1/staff/variants/{sku}"):
        assert path in spec["paths"], path
    assert "bearerAuth" in spec["components"]["securitySchemes"]


def test_api_errors_are_json_even_for_unknown_paths_and_methods(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.is_json
    wrong = client.delete("/api/v1/products")
    assert wrong.status_code == 405 and wrong.is_json
    assert "GET" in wrong.headers["Allow"]


def test_unknown_page_is_a_friendly_html_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "text/html" in response.content_type
    assert "Page not found" in response.get_data(as_text=True)


def test_host_app_gets_the_api_under_its_prefix_and_keeps_its_routes(make_host_app):
    host = make_host_app(api_prefix="/shop/api/v1", pages=False)
    client = host.test_client()
    assert client.get("/").get_data(as_text=True) == "host home"
    assert client.get("/about").get_data(as_text=True) == "about the host"
    products = client.get("/shop/api/v1/products")
    assert products.status_code == 200 and products.get_json()["items"] == []
    assert client.get("/api/v1/products").status_code == 404
    assert client.get("/shop/api/openapi.json").status_code == 200
    assert client.get("/products/better-band").status_code == 404  # no pages asked for
    # The host's own errors stay the host's: no JSON, no shop error page.
    host_missing = client.get("/nothing")
    assert host_missing.status_code == 404 and not host_missing.is_json
    assert "Content-Security-Policy" not in client.get("/").headers
    with host.app_context():
        db.engine.dispose()


def test_host_app_can_take_the_pages_too(make_host_app):
    host = make_host_app(api_prefix="/shop/api/v1", pages=True)
    host.config["STOREFRONT_PAGES_PREFIX"] = ""
    client = host.test_client()
    assert client.get("/").get_data(as_text=True) == "host home"
    assert client.get("/cart").status_code == 200
    assert "Your cart is empty" in client.get("/cart").get_data(as_text=True)
    with host.app_context():
        db.engine.dispose()
