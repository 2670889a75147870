"""Refunds, cancellations and provider settings through the payment hooks, by name only.

Stripe is spoken to through the real SDK over HTTP, against the fake Stripe server."""

from __future__ import annotations

import time

import pytest

from plugins.manager import build_plugin_manager
from plugins.test_payments import signing_secret
from plugins.types import (
    CancelResult,
    CheckoutLine,
    CheckoutRequest,
    PaymentProviderError,
    PaymentSettings,
)
from storefront.checkout.providers import payment_settings
from storefront.settings import Settings

from . import fakestripe_fixtures
from .fakestripe import TEST_KEY, WEBHOOK_SECRET

fake_stripe = fakestripe_fixtures.fake_stripe

PROVIDERS = ("plugins.stripe_payments", "plugins.stripe_webhooks", "plugins.test_payments")


@pytest.fixture
def plugins():
    return build_plugin_manager(load_entrypoints=False, default_plugins=PROVIDERS)


@pytest.fixture
def shop(fake_stripe):
    """The shop's settings, as `create_app` would build them for a Stripe shop."""
    return Settings(env="testing", secret_key="shop-secret", stripe_secret_key=TEST_KEY,
                    stripe_webhook_secret=WEBHOOK_SECRET, stripe_api_base=fake_stripe.url,
                    public_base_url="https://shop.example").resolve("/nowhere")


def paid_session(plugins, shop, fake_stripe, number="BB-TEST-0001", total=2500):
    """A Checkout Session for one order, paid at the fake; returns its state."""
    request = CheckoutRequest(
        order_number=number, email="ada@example.com", currency="usd", total_amount=total,
        lines=(CheckoutLine(sku="BB-MEDIUM", name="Band", quantity=1, unit_amount=total,
                            currency="usd"),),
        success_url="https://shop.example/ok", cancel_url="https://shop.example/no",
        expires_at=int(time.time()) + 3600)
    settings = payment_settings(plugins, "stripe", shop)
    redirect = plugins.hook.create_checkout_session(provider="stripe", request=request,
                                                    settings=settings)
    fake_stripe.complete(redirect.session_id)
    return plugins.hook.retrieve_checkout_session(provider="stripe",
                                                  session_id=redirect.session_id,
                                                  settings=settings)


def refund(plugins, shop, provider, state, amount, key="refund-1"):
    return plugins.hook.refund_payment(
        provider=provider, payment_intent=state.payment_intent, session_id=state.session_id,
        amount=amount, currency="usd", key=key,
        settings=payment_settings(plugins, provider, shop))


def test_each_provider_builds_its_own_settings_from_the_shops(plugins, shop):
    stripe = payment_settings(plugins, "stripe", shop)
    assert (stripe.secret_key, stripe.webhook_secret, stripe.api_base) == (
        TEST_KEY, WEBHOOK_SECRET, shop.stripe_api_base)
    assert stripe.webhook_url == "https://shop.example/api/v1/webhooks/stripe"
    assert stripe.site_url == "https://shop.example" and stripe.environment == "testing"
    test = payment_settings(plugins, "test", shop)
    assert test.secret_key == test.webhook_secret == signing_secret("shop-secret")
    assert test.webhook_url.endswith("/webhooks/test")


def test_a_provider_nobody_answers_for_gets_only_the_shops_part(plugins, shop):
    settings = payment_settings(plugins, "nobody", shop)
    assert settings == PaymentSettings(site_url="https://shop.example",
                                       webhook_url="https://shop.example/api/v1/webhooks/nobody",
                                       environment="testing")


def test_stripe_refunds_part_then_the_rest_of_a_payment(plugins, shop, fake_stripe):
    state = paid_session(plugins, shop, fake_stripe)
    first = refund(plugins, shop, "stripe", state, 1000, key="r1")
    assert (first.provider, first.amount, first.currency, first.status) == (
        "stripe", 1000, "usd", "succeeded")
    assert fake_stripe.requests[-1].path == "/v1/refunds"
    assert fake_stripe.requests[-1].params["payment_intent"] == state.payment_intent
    rest = refund(plugins, shop, "stripe", state, 1500, key="r2")
    assert rest.refund_id != first.refund_id
    assert fake_stripe.charge_for(state.session_id)["refunded"] is True


def test_a_retried_refund_refunds_once(plugins, shop, fake_stripe):
    state = paid_session(plugins, shop, fake_stripe)
    first = refund(plugins, shop, "stripe", state, 1000, key="same")
    again = refund(plugins, shop, "stripe", state, 1000, key="same")
    assert again.refund_id == first.refund_id
    assert fake_stripe.charge_for(state.session_id)["amount_refunded"] == 1000


def test_refunding_more_than_remains_is_a_provider_error(plugins, shop, fake_stripe):
    state = paid_session(plugins, shop, fake_stripe)
    with pytest.raises(PaymentProviderError, match="amount_too_large"):
        refund(plugins, shop, "stripe", state, 2501)
    assert fake_stripe.charge_for(state.session_id)["amount_refunded"] == 0


def test_stripe_cancels_an_open_payment_page(plugins, shop, fake_stripe):
    settings = payment_settings(plugins, "stripe", shop)
    state = paid_session(plugins, shop, fake_stripe)  # one paid, to tell them apart
    request = CheckoutRequest(
        order_number="BB-TEST-0002", email="", currency="usd", total_amount=100,
        lines=(CheckoutLine(sku="X", name="X", quantity=1, unit_amount=100, currency="usd"),),
        success_url="https://shop.example/ok", cancel_url="https://shop.example/no",
        expires_at=int(time.time()) + 3600)
    open_page = plugins.hook.create_checkout_session(provider="stripe", request=request,
                                                     settings=settings)
    result = plugins.hook.cancel_payment(provider="stripe", payment_intent=None,
                                         session_id=open_page.session_id, settings=settings)
    assert result == CancelResult(provider="stripe", cancelled=True)
    assert fake_stripe.sessions[open_page.session_id]["status"] == "expired"
    paid = plugins.hook.cancel_payment(provider="stripe", payment_intent=state.payment_intent,
                                       session_id=state.session_id, settings=settings)
    assert paid == CancelResult(provider="stripe", cancelled=False, paid=True)


def test_the_test_provider_refunds_and_cancels_without_moving_money(plugins, shop):
    settings = payment_settings(plugins, "test", shop)
    result = plugins.hook.refund_payment(provider="test", payment_intent=None,
                                         session_id="tp_1", amount=700, currency="usd",
                                         key="r1", settings=settings)
    assert (result.provider, result.amount, result.status) == ("test", 700, "succeeded")
    again = plugins.hook.refund_payment(provider="test", payment_intent=None,
                                        session_id="tp_1", amount=700, currency="usd",
                                        key="r1", settings=settings)
    assert again.refund_id == result.refund_id
    assert plugins.hook.cancel_payment(provider="test", payment_intent=None, session_id="tp_1",
                                       settings=settings) == CancelResult("test", True)


def test_providers_answer_only_for_their_own_name(plugins, shop):
    settings = payment_settings(plugins, "nobody", shop)
    assert plugins.hook.refund_payment(provider="nobody", payment_intent="pi", session_id="cs",
                                       amount=1, currency="usd", key="k",
                                       settings=settings) is None
    assert plugins.hook.cancel_payment(provider="nobody", payment_intent=None,
                                       session_id="cs", settings=settings) is None
