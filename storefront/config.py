"""Settings: safe defaults, then the environment, then the caller's mapping."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ENVIRONMENTS = ("development", "testing", "production")


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
    config.setdefault(
        "PAYMENT_PROVIDER", "stripe" if config.get("STRIPE_SECRET_KEY") else "test")
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
    _secret_key(config, instance_path)


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
