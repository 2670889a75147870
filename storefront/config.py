"""Settings: safe defaults, then the environment, then the caller's mapping."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ENVIRONMENTS = ("development", "testing", "production")


# The largest request body the shop reads, in bytes (chunked ones too); larger is a 413.
MAX_BODY_BYTES = 1024 * 1024

# Defaults that `create_app` and `Storefront.init_app` (host apps) both apply.
SAFETY_DEFAULTS = {
    # Behind how many proxies the shop runs (their X-Forwarded-For and -Proto are believed).
    "TRUSTED_PROXIES": 0,
    # Browser origins allowed to call the public and cart API (Flask-CORS); none by default.
    "CORS_ORIGINS": [],
    # How many units one cart, one email or one client may hold in unpaid orders at once.
    "CHECKOUT_MAX_UNITS": 20,
    # A staff console session ends after this many hours without a request.
    "STAFF_SESSION_HOURS": 8,
}


class ConfigError(RuntimeError):
    """Raised when the shop cannot start with the settings it was given."""


def _env_bool(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the common ways."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _env_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def from_environment(environ: os._Environ | dict) -> dict:
    """Read the documented environment variables into config keys."""
    config: dict = {}
    if environ.get("STOREFRONT_ENV"):
        config["STOREFRONT_ENV"] = environ["STOREFRONT_ENV"]
    if environ.get("SECRET_KEY"):
        config["SECRET_KEY"] = environ["SECRET_KEY"]
    if environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = environ["DATABASE_URL"]
    for key in ("PUBLIC_BASE_URL", "PAYMENT_PROVIDER", "STRIPE_SECRET_KEY",
                "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE", "RATELIMIT_STORAGE_URI"):
        if environ.get(key):
            config[key] = environ[key]
    if environ.get("CACHE_URL"):
        config["STOREFRONT_CACHE_URL"] = environ["CACHE_URL"]
    if environ.get("MODERATION_BANNED_WORDS"):
        config["MODERATION_BANNED_WORDS"] = environ["MODERATION_BANNED_WORDS"]
    if environ.get("MODERATION_MAX_LINKS", "").strip().isdigit():
        config["MODERATION_MAX_LINKS"] = int(environ["MODERATION_MAX_LINKS"])
    if "RATELIMIT_ENABLED" in environ:
        config["RATELIMIT_ENABLED"] = _env_bool(environ["RATELIMIT_ENABLED"], True)
    for key in ("TRUSTED_HOSTS", "CORS_ORIGINS"):
        if environ.get(key):
            config[key] = _env_list(environ[key])
    for key in ("TRUSTED_PROXIES", "MAX_CONTENT_LENGTH", "CHECKOUT_MAX_UNITS",
                "STAFF_SESSION_HOURS"):
        value = environ.get(key, "").strip()
        if value:
            if not value.isdigit():
                raise ConfigError(f"{key} must be a whole number, not {value!r}.")
            config[key] = int(value)
    return config


def apply_defaults(config, instance_path: str) -> None:
    """Fill in every setting the caller and the environment left out."""
    env = config.setdefault("STOREFRONT_ENV", "production")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"STOREFRONT_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}.")
    config["TESTING"] = config.get("TESTING") or env == "testing"
    uri = config.get("SQLALCHEMY_DATABASE_URI") or (
        "sqlite:///" + str(Path(instance_path) / "storefront.db"))
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(uri)
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    config.setdefault("PUBLIC_BASE_URL", "")
    config["PUBLIC_BASE_URL"] = config["PUBLIC_BASE_URL"].rstrip("/")
    config.setdefault("STRIPE_SECRET_KEY", "")
    config.setdefault("STRIPE_WEBHOOK_SECRET", "")
    config.setdefault("STRIPE_API_BASE", "")
    config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    config.setdefault("RATELIMIT_ENABLED", True)
    config.setdefault("MODERATION_BANNED_WORDS", "")
    config.setdefault("MODERATION_MAX_LINKS", 2)
    config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    config.setdefault("SESSION_COOKIE_SECURE", env == "production")
    config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    config.setdefault("REMEMBER_COOKIE_SECURE", env == "production")
    config.setdefault("WTF_CSRF_TIME_LIMIT", 3600 * 8)
    config.setdefault("STOREFRONT_SECURITY_HEADERS", "all")
    for key, value in SAFETY_DEFAULTS.items():
        config.setdefault(key, value)
    if config.get("MAX_CONTENT_LENGTH") is None:
        config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    _secret_key(config, instance_path)
    _payment_provider(config)
    if env == "production" and not (config["PUBLIC_BASE_URL"] or config.get("TRUSTED_HOSTS")):
        raise ConfigError(
            "PUBLIC_BASE_URL is not set: export PUBLIC_BASE_URL=https://<your shop's host> "
            "(or TRUSTED_HOSTS=<host>,<host>), so links never follow a forged Host header.")
    if env == "production" and config["PAYMENT_PROVIDER"] == "stripe" \
            and not config["PUBLIC_BASE_URL"]:
        raise ConfigError(
            "PUBLIC_BASE_URL is not set: Stripe Checkout needs absolute addresses to send "
            "shoppers back to; export PUBLIC_BASE_URL=https://<your shop's host>.")


def _payment_provider(config) -> None:
    """Stripe when it has a key; test payments only where no money is expected.

    In production, test payments would hand out paid orders for nothing: they must be
    asked for by name (`PAYMENT_PROVIDER=test`), and the app then warns at start."""
    if config.get("PAYMENT_PROVIDER"):
        return
    if config.get("STRIPE_SECRET_KEY"):
        config["PAYMENT_PROVIDER"] = "stripe"
    elif config["STOREFRONT_ENV"] == "production":
        raise ConfigError(
            "STRIPE_SECRET_KEY is not set: export STRIPE_SECRET_KEY=sk_... (or "
            "PAYMENT_PROVIDER=test for a shop that takes no money).")
    else:
        config["PAYMENT_PROVIDER"] = "test"


def _secret_key(config, instance_path: str) -> None:
    """Keep one generated key in development; refuse to guess one in production."""
    if config.get("SECRET_KEY"):
        return
    env = config["STOREFRONT_ENV"]
    if env == "testing":
        config["SECRET_KEY"] = secrets.token_hex(32)
        return
    if env == "production":
        raise ConfigError(
            "SECRET_KEY is not set: export SECRET_KEY=<a long random string> "
            "(or STOREFRONT_ENV=development to use a generated one).")
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    config["SECRET_KEY"] = key_file.read_text().strip()
