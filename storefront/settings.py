"""Every setting the shop reads, with its default, in one frozen `Settings` value.

`create_app` builds it from the environment (`Settings.from_environment`), a host app's
`Storefront.init_app` from `app.config` (`Settings.from_config`). It is checked once, at
start, and kept on `app.extensions["storefront"].settings`; services receive it (or the
values they need from it) as arguments. The keys Flask and its extensions read themselves
(`SECRET_KEY`, `SQLALCHEMY_*`, `RATELIMIT_*`, cookies ...) are written back to `app.config`.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

ENVIRONMENTS = ("development", "testing", "production")

# The largest request body the shop reads, in bytes (chunked ones too); larger is a 413.
MAX_BODY_BYTES = 1024 * 1024

# The documented environment variables whose config key has another name.
ENVIRONMENT_NAMES = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
                     "CACHE_URL": "STOREFRONT_CACHE_URL"}


class ConfigError(RuntimeError):
    """Raised when the shop cannot start with the settings it was given."""


def _setting(key: str, default: Any, *, env: bool = True) -> Any:
    """A field read from config key `key` (and from the environment when `env`)."""
    return field(default=default, metadata={"key": key, "env": env})


@dataclass(frozen=True)
class Settings:
    """The shop's settings, each with its default; built and checked once per app."""

    env: str = _setting("STOREFRONT_ENV", "production")
    secret_key: str = _setting("SECRET_KEY", "")
    database_url: str = _setting("SQLALCHEMY_DATABASE_URI", "")  # empty: SQLite, instance
    public_base_url: str = _setting("PUBLIC_BASE_URL", "")
    shop_name: str = _setting("SHOP_NAME", "Storefront")
    payment_provider: str = _setting("PAYMENT_PROVIDER", "")  # empty: chosen by `resolve`
    stripe_secret_key: str = _setting("STRIPE_SECRET_KEY", "")
    stripe_webhook_secret: str = _setting("STRIPE_WEBHOOK_SECRET", "")
    stripe_api_base: str = _setting("STRIPE_API_BASE", "")
    ratelimit_storage_uri: str = _setting("RATELIMIT_STORAGE_URI", "memory://")
    ratelimit_enabled: bool = _setting("RATELIMIT_ENABLED", True)
    cache_url: str = _setting("STOREFRONT_CACHE_URL", "")
    cache_prefix: str = _setting("STOREFRONT_CACHE_PREFIX", "storefront:", env=False)
    cache_ttl: int = _setting("STOREFRONT_CACHE_TTL", 300, env=False)
    cache_timeout: float = _setting("STOREFRONT_CACHE_TIMEOUT", 0.25, env=False)
    cache_retry_after: float = _setting("STOREFRONT_CACHE_RETRY_AFTER", 5.0, env=False)
    # Comma-separated words or phrases that send a review or comment to the spam folder.
    moderation_banned_words: str = _setting("MODERATION_BANNED_WORDS", "")
    moderation_max_links: int = _setting("MODERATION_MAX_LINKS", 2)
    # Behind how many proxies the shop runs (their X-Forwarded-For and -Proto are believed).
    trusted_proxies: int = _setting("TRUSTED_PROXIES", 0)
    trusted_hosts: tuple[str, ...] = _setting("TRUSTED_HOSTS", ())
    # Browser origins allowed to call the public and cart API (Flask-CORS); none by default.
    cors_origins: tuple[str, ...] = _setting("CORS_ORIGINS", ())
    max_content_length: int = _setting("MAX_CONTENT_LENGTH", MAX_BODY_BYTES)
    # How many units one cart, one email or one client may hold in unpaid orders at once.
    checkout_max_units: int = _setting("CHECKOUT_MAX_UNITS", 20)
    # A staff console session ends after this many hours without a request.
    staff_session_hours: int = _setting("STAFF_SESSION_HOURS", 8)
    view_batch: int = _setting("STOREFRONT_VIEW_BATCH", 500, env=False)
    api_prefix: str = _setting("STOREFRONT_API_PREFIX", "/api/v1", env=False)
    pages: bool = _setting("STOREFRONT_PAGES", True, env=False)
    pages_prefix: str = _setting("STOREFRONT_PAGES_PREFIX", "", env=False)
    assets_path: str = _setting("STOREFRONT_ASSETS_PATH", "", env=False)  # empty: <pages>/assets
    # "all": every answer of the app gets the security headers (the standalone shop);
    # "storefront": only the shop's own (a host app keeps its pages as they are).
    security_headers: str = _setting("STOREFRONT_SECURITY_HEADERS", "storefront", env=False)
    # Where payment pages send shoppers back to, with `{signed}` for the signed order
    # number; empty: the reference pages' success and cancel pages.
    checkout_success_url: str = _setting("STOREFRONT_CHECKOUT_SUCCESS_URL", "", env=False)
    checkout_cancel_url: str = _setting("STOREFRONT_CHECKOUT_CANCEL_URL", "", env=False)
    # Mail: "smtp://user:pass@host:587" (STARTTLS when the server offers it) or
    # "smtps://user:pass@host:465" (TLS from the start); empty: every message is written
    # as an .eml file under `mail_dir` (the instance folder's `mail/`) and its path logged.
    mail_url: str = _setting("MAIL_URL", "")
    mail_from: str = _setting("MAIL_FROM", "")  # empty: "<SHOP_NAME> <shop@localhost>"
    mail_reply_to: str = _setting("MAIL_REPLY_TO", "")
    # A message that failed this many times is marked failed, for staff to see.
    mail_max_attempts: int = _setting("MAIL_MAX_ATTEMPTS", 8)
    mail_timeout: float = _setting("MAIL_TIMEOUT", 10.0)
    mail_dir: str = _setting("STOREFRONT_MAIL_DIR", "", env=False)
    # Where the shop ships (ISO 3166-1 alpha-2 codes); the payment page offers only these.
    shipping_countries: tuple[str, ...] = _setting("SHIPPING_COUNTRIES", ("US", "CA"))
    shipping_phone: bool = _setting("SHIPPING_PHONE", False)  # ask for a phone number
    # Stripe Tax computes the tax on Checkout (it must be set up in the Stripe account).
    stripe_automatic_tax: bool = _setting("STRIPE_AUTOMATIC_TAX", False)
    # Without Stripe Tax: a rate per country, "CA:5,GB:20" (percent, up to two decimals);
    # a country not listed pays no tax. TAX_INCLUSIVE: prices already include it.
    tax_rates: tuple[str, ...] = _setting("TAX_RATES", ())
    tax_inclusive: bool = _setting("TAX_INCLUSIVE", False)
    # Uploaded pictures: the largest file in bytes (larger: 413), and the most pixels
    # (width times height) a picture may have; a larger one is refused before decoding.
    media_max_bytes: int = _setting("MEDIA_MAX_BYTES", 10 * 1024 * 1024)
    media_max_pixels: int = _setting("MEDIA_MAX_PIXELS", 40_000_000)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str],
                         overrides: Mapping[str, Any] | None = None, *,
                         instance_path: str) -> Settings:
        """The standalone shop's settings: the environment, then `overrides` (config keys)."""
        config = {"STOREFRONT_SECURITY_HEADERS": "all",  # the whole app is the shop's
                  **environment_config(environ), **(overrides or {})}
        return cls.from_config(config, instance_path=instance_path)

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, instance_path: str) -> Settings:
        """Settings from config keys (a host app's `app.config`), resolved and checked."""
        values, problems = {}, []
        for item in fields(cls):
            raw = config.get(item.metadata["key"])
            if raw is None or raw == "":
                continue
            try:
                values[item.name] = _parse(raw, item.default)
            except ValueError:
                problems.append(f"{item.metadata['key']} must be "
                                f"{_KIND_NAMES[type(item.default)]}, not {raw!r}.")
        if not values.get("env") and (config.get("TESTING") or config.get("DEBUG")):
            values["env"] = "testing" if config.get("TESTING") else "development"
        if problems:
            raise ConfigError("\n".join(problems))
        return cls(**values).resolve(instance_path)

    def resolve(self, instance_path: str) -> Settings:
        """Fill in what depends on other settings, and refuse what cannot start."""
        if self.env not in ENVIRONMENTS:
            raise ConfigError(f"STOREFRONT_ENV must be one of {', '.join(ENVIRONMENTS)}, "
                              f"not {self.env!r}.")
        resolved = dataclasses.replace(
            self, public_base_url=self.public_base_url.rstrip("/"),
            database_url=normalise_database_url(self.database_url or (
                "sqlite:///" + str(Path(instance_path) / "storefront.db"))),
            secret_key=self.secret_key or _secret_key(self.env, instance_path),
            payment_provider=self.payment_provider or self._default_provider(),
            api_prefix="/" + self.api_prefix.strip("/"),
            assets_path=self.assets_path or self.pages_prefix.rstrip("/") + "/assets",
            mail_dir=self.mail_dir or str(Path(instance_path) / "mail"),
            mail_from=self.mail_from or f"{self.shop_name} <shop@localhost>",
            shipping_countries=tuple(c.upper() for c in self.shipping_countries))
        resolved._check_commerce()
        resolved._check_production()
        return resolved

    def _default_provider(self) -> str:
        """Stripe when it has a key; test payments only where no money is expected.

        In production, test payments would hand out paid orders for nothing: they must be
        asked for by name (`PAYMENT_PROVIDER=test`), and the app then warns at start."""
        if self.stripe_secret_key:
            return "stripe"
        if self.env == "production":
            raise ConfigError(
                "STRIPE_SECRET_KEY is not set: export STRIPE_SECRET_KEY=sk_... (or "
                "PAYMENT_PROVIDER=test for a shop that takes no money).")
        return "test"

    def _check_commerce(self) -> None:
        """Mail, shipping and tax settings that could only fail later, refused now."""
        problems = []
        if self.mail_url and not self.mail_url.startswith(("smtp://", "smtps://")):
            problems.append(f"MAIL_URL must start with smtp:// or smtps://, not "
                            f"{self.mail_url.split(':', 1)[0]!r}.")
        bad = [c for c in self.shipping_countries if not (len(c) == 2 and c.isalpha())]
        if bad:
            problems.append(f"SHIPPING_COUNTRIES must be two-letter country codes; "
                            f"{', '.join(bad)} is not.")
        try:
            self.tax_rate_table  # noqa: B018 (parsed to be checked)
        except ValueError as exc:
            problems.append(str(exc))
        if problems:
            raise ConfigError("\n".join(problems))

    @property
    def tax_rate_table(self) -> dict[str, int]:
        """TAX_RATES as {country: rate in basis points} ("GB:20" -> {"GB": 2000})."""
        table = {}
        for item in self.tax_rates:
            country, _, rate = item.partition(":")
            country = country.strip().upper()
            try:
                percent = Decimal(rate.strip())
            except ArithmeticError:
                percent = Decimal(-1)
            if len(country) != 2 or not country.isalpha() or not 0 <= percent <= 100 \
                    or (percent * 100) % 1:
                raise ValueError(f"TAX_RATES must read like CA:5,GB:20 (a country code and "
                                 f"a percent with at most two decimals), not {item!r}.")
            table[country] = int(percent * 100)
        return table

    def _check_production(self) -> None:
        """Links must never follow a forged Host header in production."""
        if self.env != "production" or self.public_base_url:
            return
        if not self.trusted_hosts:
            raise ConfigError(
                "PUBLIC_BASE_URL is not set: export PUBLIC_BASE_URL=https://<your shop's host> "
                "(or TRUSTED_HOSTS=<host>,<host>), so links never follow a forged Host header.")
        if self.stripe_secret_key:  # an outside payment page must know where to send back
            raise ConfigError(
                "PUBLIC_BASE_URL is not set: Stripe Checkout needs absolute addresses to send "
                "shoppers back to; export PUBLIC_BASE_URL=https://<your shop's host>.")

    @property
    def site_url(self) -> str:
        """Base address of the shop's pages (root-relative without PUBLIC_BASE_URL)."""
        return self.public_base_url + self.pages_prefix.rstrip("/")

    @property
    def api_url(self) -> str:
        """Base address of the shop's API (root-relative without PUBLIC_BASE_URL)."""
        return self.public_base_url + self.api_prefix

    @property
    def banned_words(self) -> tuple[str, ...]:
        """MODERATION_BANNED_WORDS as a tuple of words or phrases."""
        return tuple(w.strip() for w in self.moderation_banned_words.split(",") if w.strip())

    def as_mapping(self) -> Mapping[str, Any]:
        """Every setting under its config key, read-only: what plugins are handed."""
        return MappingProxyType({item.metadata["key"]: getattr(self, item.name)
                                 for item in fields(self)})

    def write_config(self, config) -> None:
        """Put the settings into `app.config`: under their own keys (which Flask and its
        extensions, and older readers, look up), plus what Flask's own keys follow from."""
        for key, value in self.as_mapping().items():
            config[key] = list(value) if isinstance(value, tuple) else value
        config["TRUSTED_HOSTS"] = list(self.trusted_hosts) or None
        config["TESTING"] = bool(config.get("TESTING")) or self.env == "testing"
        for key, value in self.library_defaults().items():
            config.setdefault(key, value)  # a host's own choice (or Flask's) stays

    def library_defaults(self) -> dict[str, Any]:
        """The shop's choices for keys Flask and its extensions read: safe cookies (secure
        in production), rate-limit headers, CSRF tokens that last a working day."""
        secure = self.env == "production"
        return {"SQLALCHEMY_ENGINE_OPTIONS": {}, "RATELIMIT_HEADERS_ENABLED": True,
                "SESSION_COOKIE_HTTPONLY": True, "SESSION_COOKIE_SAMESITE": "Lax",
                "SESSION_COOKIE_SECURE": secure, "REMEMBER_COOKIE_HTTPONLY": True,
                "REMEMBER_COOKIE_SAMESITE": "Lax", "REMEMBER_COOKIE_SECURE": secure,
                "WTF_CSRF_TIME_LIMIT": 3600 * 8}


_KIND_NAMES = {int: "a whole number", float: "a number", bool: "true or false",
               str: "text", tuple: "a comma-separated list"}


def _parse(raw: Any, default: Any) -> Any:
    """`raw` (text from the environment, or a config value) as the kind of `default`."""
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        return str(raw).strip().lower() not in {"0", "false", "no", "off"}
    if isinstance(default, int):
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            return raw
        if isinstance(raw, str) and raw.strip().isdigit():
            return int(raw.strip())
        raise ValueError(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, tuple):
        items = raw.split(",") if isinstance(raw, str) else raw
        return tuple(str(item).strip() for item in items if str(item).strip())
    return str(raw)


def environment_config(environ: Mapping[str, str]) -> dict[str, str]:
    """The documented environment variables that are set, under their config keys."""
    names = {item.metadata["key"] for item in fields(Settings) if item.metadata["env"]}
    names -= set(ENVIRONMENT_NAMES.values())
    config = {key: environ[key] for key in names if environ.get(key, "").strip()}
    config.update({key: environ[env] for env, key in ENVIRONMENT_NAMES.items()
                   if environ.get(env, "").strip()})
    return config


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the common ways."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _secret_key(env: str, instance_path: str) -> str:
    """Keep one generated key in development; refuse to guess one in production."""
    if env == "testing":
        return secrets.token_hex(32)
    if env == "production":
        raise ConfigError(
            "SECRET_KEY is not set: export SECRET_KEY=<a long random string> "
            "(or STOREFRONT_ENV=development to use a generated one).")
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
