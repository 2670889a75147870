"""What the core asks of payment providers without naming any: settings, holds, warnings."""

from __future__ import annotations

import hashlib
import logging

from flask import current_app

from plugins.types import PaymentSettings

from ..urls import public_url
from .urls import site_url

log = logging.getLogger(__name__)

# How long an order holds its stock when no provider says otherwise: Stripe's minimum
# session lifetime of 30 minutes, plus one.
CHECKOUT_TTL_SECONDS = 30 * 60 + 60


def payment_settings(provider: str) -> PaymentSettings:
    """The settings a provider plugin receives, from the app's config."""
    config = current_app.config
    state = current_app.extensions["storefront"]
    common = {"public_base_url": config["PUBLIC_BASE_URL"], "site_url": site_url(),
              "webhook_url": public_url(f"{state.api_prefix}/webhooks/{provider}"),
              "environment": config.get("STOREFRONT_ENV", "")}
    if provider == "stripe":
        return PaymentSettings(secret_key=config["STRIPE_SECRET_KEY"],
                               webhook_secret=config["STRIPE_WEBHOOK_SECRET"],
                               api_base=config["STRIPE_API_BASE"], **common)
    # Providers without their own secret sign with one derived from SECRET_KEY.
    derived = hashlib.sha256(f"{provider}-payments:{config['SECRET_KEY']}".encode()).hexdigest()
    return PaymentSettings(secret_key=derived, webhook_secret=derived, **common)


def hold_seconds(plugins, provider: str) -> int:
    """How long an unpaid order of `provider` holds its stock, as the provider says."""
    seconds = plugins.hook.payment_hold_seconds(provider=provider)
    return int(seconds) if seconds else CHECKOUT_TTL_SECONDS


def warn_about_payment_provider(app) -> None:
    """Log, once at start, what the chosen provider says is unsafe about it here."""
    provider = app.config.get("PAYMENT_PROVIDER")
    if not provider:
        return
    warning = app.extensions["storefront"].plugins.hook.payment_provider_warning(
        provider=provider, environment=app.config.get("STOREFRONT_ENV", ""))
    if warning:
        log.warning("%s", warning)
