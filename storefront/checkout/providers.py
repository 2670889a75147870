"""What the core asks of payment providers without naming any: settings, holds, warnings."""

from __future__ import annotations

import dataclasses
import logging

from plugins.types import PaymentSettings

from ..settings import Settings

log = logging.getLogger(__name__)

# How long an order holds its stock when no provider says otherwise: Stripe's minimum
# session lifetime of 30 minutes, plus one.
CHECKOUT_TTL_SECONDS = 30 * 60 + 60


def payment_settings(plugins, provider: str, settings: Settings) -> PaymentSettings:
    """The settings `provider`'s plugin receives: its own part, built by the plugin from
    the shop's settings (`payment_settings` hook), and the shop-wide part, filled in here."""
    own = plugins.hook.payment_settings(provider=provider, settings=settings.as_mapping())
    return dataclasses.replace(
        own or PaymentSettings(), site_url=settings.site_url,
        webhook_url=f"{settings.api_url}/webhooks/{provider}", environment=settings.env)


def hold_seconds(plugins, provider: str) -> int:
    """How long an unpaid order of `provider` holds its stock, as the provider says."""
    seconds = plugins.hook.payment_hold_seconds(provider=provider)
    return int(seconds) if seconds else CHECKOUT_TTL_SECONDS


def warn_about_payment_provider(plugins, settings: Settings) -> None:
    """Log, once at start, what the chosen provider says is unsafe about it here."""
    if not settings.payment_provider:
        return
    warning = plugins.hook.payment_provider_warning(provider=settings.payment_provider,
                                                    environment=settings.env)
    if warning:
        log.warning("%s", warning)
