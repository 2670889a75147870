"""The Stripe plugin, through the real SDK and real HTTP, against the fake Stripe server."""

from __future__ import annotations

import hashlib
import hmac
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from plugins import stripe_payments, stripe_webhooks
from plugins.manager import build_plugin_manager
from plugins.types import (
    CheckoutLine,
    CheckoutRedirect,
    CheckoutRequest,
    PaymentEvent,
    PaymentProviderError,
    PaymentSessionState,
    PaymentSettings,
    WebhookVerificationError,
)

from . import fakestripe_fixtures
from .fakestripe import TEST_KEY, WEBHOOK_SECRET, FakeStripe

fake_stripe = fakestripe_fixtures.fake_stripe

ORDER = "SO-2024-0001"


@pytest.fixture
def hook():
    manager = build_plugin_manager(
        load_entrypoints=False,
        default_plugins=("plugins.stripe_payments", "plugins.stripe_webhooks"))
    return manager.hook


@pytest.fixture
def settings(fake_stripe):
    return PaymentSettings(secret_key=TEST_KEY, webhook_secret=WEBHOOK_SECRET,
                           api_base=fake_stripe.url, site_url="http://shop.test")


@pytest.fixture
def fast(monkeypatch):
    """No retries and a short read timeout, so failing calls fail quickly."""
    monkeypatch.setattr(stripe_payments, "MAX_NETWORK_RETRIES", 0)
    monkeypatch.setattr(stripe_payments, "CONNECT_TIMEOUT", 0.5)
    monkeypatch.setattr(stripe_payments, "READ_TIMEOUT", 0.3)


def checkout_request(order_number: str = ORDER, **changes) -> CheckoutRequest:
    values = {
        "order_number": order_number,
        "email": "ada@example.com",
        "currency": "EUR",
        "total_amount": 2 * 1250 + 2999,
        "lines": (
            CheckoutLine(sku="BAND-RED", name="Resistance band – red", quantity=2,
                         unit_amount=1250, currency="EUR"),
            CheckoutLine(sku="BALL-65", name="Stability ball 65 cm", quantity=1,
                         unit_amount=2999, currency="EUR"),
        ),
        "success_url": f"http://shop.test/checkout/{order_number}/done"
                       "?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": f"http://shop.test/checkout/{order_number}/cancelled",
        "expires_at": int(time.time()) + 3600,
    }
    values.update(changes)
    return CheckoutRequest(**values)


def create(hook, settings, request=None) -> CheckoutRedirect:
    return hook.create_checkout_session(
        provider="stripe", request=request or checkout_request(), settings=settings)


def verify(hook, payload, headers, settings) -> PaymentEvent:
    return hook.verify_webhook(provider="stripe", payload=payload, headers=headers,
                               settings=settings)


# ---------------------------------------------------------------------------
# Creating a payment page
# ---------------------------------------------------------------------------

def test_create_sends_the_order_to_stripe(hook, settings, fake_stripe):
    request = checkout_request()
    redirect = create(hook, settings, request)

    assert isinstance(redirect, CheckoutRedirect)
    assert redirect.provider == "stripe"
    assert redirect.session_id.startswith("cs_test_")
    assert redirect.url == f"{fake_stripe.url}/pay/{redirect.session_id}"

    [sent] = fake_stripe.requests
    assert (sent.method, sent.path) == ("POST", "/v1/checkout/sessions")
    assert sent.headers["authorization"] == f"Bearer {TEST_KEY}"
    assert sent.headers["idempotency-key"] == f"checkout-{ORDER}"
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    params = sent.params
    assert params["mode"] == "payment"
    assert params["line_items"] == [
        {"price_data": {"currency": "eur", "unit_amount": "1250",
                        "product_data": {"name": "Resistance band – red",
                                         "metadata": {"sku": "BAND-RED"}}},
         "quantity": "2"},
        {"price_data": {"currency": "eur", "unit_amount": "2999",
                        "product_data": {"name": "Stability ball 65 cm",
                                         "metadata": {"sku": "BALL-65"}}},
         "quantity": "1"},
    ]
    assert params["client_reference_id"] == ORDER
    assert params["metadata"] == {"order_number": ORDER}
    assert params["payment_intent_data"] == {"metadata": {"order_number": ORDER}}
    assert params["customer_email"] == "ada@example.com"
    assert params["success_url"] == request.success_url
    assert "{CHECKOUT_SESSION_ID}" in params["success_url"]
    assert params["cancel_url"] == request.cancel_url
    assert params["expires_at"] == str(request.expires_at)

    session = fake_stripe.sessions[redirect.session_id]
    assert session["amount_total"] == request.total_amount == 5499
    assert session["currency"] == "eur"
    assert (session["status"], session["payment_status"]) == ("open", "unpaid")


def test_creating_again_for_the_same_order_returns_the_same_session(hook, settings, fake_stripe):
    first = create(hook, settings)
    second = create(hook, settings)
    assert second == first
    assert len(fake_stripe.sessions) == 1
    assert [r.headers["idempotency-key"] for r in fake_stripe.requests] == [
        f"checkout-{ORDER}", f"checkout-{ORDER}"]

    other = create(hook, settings, checkout_request("SO-2024-0002"))
    assert other.session_id != first.session_id
    assert len(fake_stripe.sessions) == 2


def test_other_providers_get_no_answer(hook, settings, fake_stripe):
    assert hook.create_checkout_session(
        provider="test", request=checkout_request(), settings=settings) is None
    assert hook.retrieve_checkout_session(
        provider="test", session_id="cs_test_x", settings=settings) is None
    assert hook.expire_checkout_session(
        provider="test", session_id="cs_test_x", settings=settings) is None
    assert hook.verify_webhook(provider="test", payload=b"{}", headers={},
                               settings=settings) is None
    assert fake_stripe.requests == []


def test_a_server_error_on_every_attempt_becomes_a_provider_error(hook, settings, fake_stripe):
    fake_stripe.fail_next(500, count=stripe_payments.MAX_NETWORK_RETRIES + 1)
    with pytest.raises(PaymentProviderError) as raised:
        create(hook, settings)
    assert ORDER in str(raised.value)
    assert "HTTP 500" in str(raised.value)
    assert TEST_KEY not in str(raised.value)
    # One attempt and every retry, all with the same idempotency key.
    assert len(fake_stripe.requests) == stripe_payments.MAX_NETWORK_RETRIES + 1
    assert {r.headers["idempotency-key"] for r in fake_stripe.requests} == {f"checkout-{ORDER}"}
    assert fake_stripe.sessions == {}


def test_a_passing_server_error_is_retried(hook, settings, fake_stripe):
    fake_stripe.fail_next(503)
    redirect = create(hook, settings)
    assert list(fake_stripe.sessions) == [redirect.session_id]
    assert len(fake_stripe.requests) == 2


def test_a_timeout_becomes_a_provider_error(hook, settings, fake_stripe, fast):
    fake_stripe.delay_next(5)
    started = time.monotonic()
    with pytest.raises(PaymentProviderError, match="APIConnectionError"):
        create(hook, settings)
    assert time.monotonic() - started < 2


def test_an_unreachable_server_becomes_a_provider_error(hook, fast):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = PaymentSettings(secret_key=TEST_KEY, api_base=f"http://127.0.0.1:{port}")
    with pytest.raises(PaymentProviderError, match="APIConnectionError"):
        create(hook, settings)


def test_a_refused_key_becomes_a_provider_error_without_the_key(hook, fake_stripe):
    secret = "sk_live_not_a_test_key_1234567890"
    settings = PaymentSettings(secret_key=secret, api_base=fake_stripe.url)
    with pytest.raises(PaymentProviderError, match="AuthenticationError") as raised:
        create(hook, settings)
    assert secret not in str(raised.value)
    assert fake_stripe.sessions == {}


def test_no_secret_key_fails_before_calling_stripe(hook, fake_stripe):
    settings = PaymentSettings(secret_key="", api_base=fake_stripe.url)
    with pytest.raises(PaymentProviderError, match="no secret key"):
        create(hook, settings)
    assert fake_stripe.requests == []


def test_a_request_stripe_refuses_becomes_a_provider_error(hook, settings, fake_stripe):
    too_soon = checkout_request(expires_at=int(time.time()) + 60)
    with pytest.raises(PaymentProviderError, match="expires_at"):
        create(hook, settings, too_soon)


def test_lines_that_do_not_add_up_are_never_sent(hook, settings, fake_stripe):
    with pytest.raises(PaymentProviderError, match="add up"):
        create(hook, settings, checkout_request(total_amount=1))
    with pytest.raises(PaymentProviderError, match="no lines"):
        create(hook, settings, checkout_request(lines=(), total_amount=0))
    assert fake_stripe.requests == []


# ---------------------------------------------------------------------------
# Asking about and closing a payment page
# ---------------------------------------------------------------------------

def test_retrieve_reports_the_session_as_it_is_now(hook, settings, fake_stripe):
    redirect = create(hook, settings)
    state = hook.retrieve_checkout_session(
        provider="stripe", session_id=redirect.session_id, settings=settings)
    assert state == PaymentSessionState(
        provider="stripe", session_id=redirect.session_id, order_number=ORDER,
        status="open", payment_status="unpaid", amount_total=5499, currency="eur",
        amount_subtotal=5499, shipping_amount=0, tax_amount=0, discount_amount=0)

    fake_stripe.complete(redirect.session_id)
    state = hook.retrieve_checkout_session(
        provider="stripe", session_id=redirect.session_id, settings=settings)
    assert (state.status, state.payment_status) == ("complete", "paid")
    assert fake_stripe.requests[-1].method == "GET"
    assert fake_stripe.requests[-1].path == f"/v1/checkout/sessions/{redirect.session_id}"


def test_retrieving_an_unknown_session_is_a_provider_error(hook, settings):
    with pytest.raises(PaymentProviderError, match="resource_missing"):
        hook.retrieve_checkout_session(provider="stripe", session_id="cs_test_nope",
                                       settings=settings)


def test_expire_closes_an_open_session(hook, settings, fake_stripe):
    redirect = create(hook, settings)
    assert hook.expire_checkout_session(
        provider="stripe", session_id=redirect.session_id, settings=settings) is True
    assert fake_stripe.sessions[redirect.session_id]["status"] == "expired"
    assert fake_stripe.requests[-1].path == f"/v1/checkout/sessions/{redirect.session_id}/expire"


@pytest.mark.parametrize("close", ["expire", "complete"])
def test_expiring_a_session_that_is_no_longer_open_is_fine(hook, settings, fake_stripe, close):
    redirect = create(hook, settings)
    getattr(fake_stripe, close)(redirect.session_id)
    assert hook.expire_checkout_session(
        provider="stripe", session_id=redirect.session_id, settings=settings) is True
    assert [r.method for r in fake_stripe.requests[-2:]] == ["POST", "GET"]


def test_a_refusal_to_expire_an_open_session_is_a_provider_error(hook, settings, fake_stripe):
    redirect = create(hook, settings)
    fake_stripe.fail_next(400)
    with pytest.raises(PaymentProviderError, match="still open"):
        hook.expire_checkout_session(
            provider="stripe", session_id=redirect.session_id, settings=settings)


def test_expiring_an_unknown_session_is_a_provider_error(hook, settings):
    with pytest.raises(PaymentProviderError, match="cs_test_nope"):
        hook.expire_checkout_session(provider="stripe", session_id="cs_test_nope",
                                     settings=settings)


# ---------------------------------------------------------------------------
# Webhooks
# ---------------------------------------------------------------------------

def _session_in(hook, settings, fake_stripe, state: str) -> str:
    """A session created through the plugin and brought to `state` by the fake."""
    session_id = create(hook, settings).session_id
    if state == "paid":
        fake_stripe.complete(session_id)
    elif state == "unpaid":
        fake_stripe.complete(session_id, payment_status="unpaid")
    elif state == "no_payment_required":
        fake_stripe.complete(session_id, payment_status="no_payment_required")
    elif state == "settled":
        fake_stripe.complete(session_id, payment_status="unpaid")
        fake_stripe.settle(session_id)
    elif state == "failed":
        fake_stripe.complete(session_id, payment_status="unpaid")
        fake_stripe.settle(session_id, succeeded=False)
    elif state == "expired":
        fake_stripe.expire(session_id)
    return session_id


@pytest.mark.parametrize(("state", "event_type", "kind", "payment_status"), [
    ("paid", "checkout.session.completed", "paid", "paid"),
    ("no_payment_required", "checkout.session.completed", "paid", "no_payment_required"),
    ("unpaid", "checkout.session.completed", "ignored", "unpaid"),
    ("settled", "checkout.session.async_payment_succeeded", "paid", "paid"),
    ("failed", "checkout.session.async_payment_failed", "failed", "unpaid"),
    ("expired", "checkout.session.expired", "expired", "unpaid"),
])
def test_session_events_map_to_kinds(hook, settings, fake_stripe, state, event_type, kind,
                                     payment_status):
    session_id = _session_in(hook, settings, fake_stripe, state)
    event = fake_stripe.session_event(event_type, session_id, created=1_700_000_000)
    payload, headers = fake_stripe.signed(event, WEBHOOK_SECRET)

    result = verify(hook, payload, headers, settings)

    figures = {"amount_subtotal": 5499, "shipping_amount": 0, "tax_amount": 0,
               "discount_amount": 0} if kind == "paid" else {}
    assert result == PaymentEvent(
        provider="stripe", event_id=event["id"], kind=kind, raw_type=event_type,
        order_number=ORDER, session_id=session_id, payment_status=payment_status,
        amount=5499, currency="eur", created=1_700_000_000,
        payment_intent=fake_stripe.sessions[session_id]["payment_intent"], **figures)


def test_the_order_number_may_come_from_metadata_alone(hook, settings, fake_stripe):
    obj = {"id": "cs_test_meta", "object": "checkout.session", "client_reference_id": None,
           "metadata": {"order_number": "SO-9"}, "payment_status": "paid",
           "amount_total": 100, "currency": "usd"}
    payload, headers = fake_stripe.signed(
        fake_stripe.event("checkout.session.completed", obj), WEBHOOK_SECRET)
    result = verify(hook, payload, headers, settings)
    assert (result.kind, result.order_number, result.session_id) == ("paid", "SO-9",
                                                                     "cs_test_meta")


def test_a_full_refund(hook, settings, fake_stripe):
    session_id = _session_in(hook, settings, fake_stripe, "paid")
    fake_stripe.refund(session_id)
    event = fake_stripe.charge_refunded_event(session_id)
    result = verify(hook, *fake_stripe.signed(event, WEBHOOK_SECRET), settings)
    assert (result.kind, result.raw_type) == ("refunded", "charge.refunded")
    assert (result.order_number, result.session_id) == (ORDER, None)
    assert (result.amount, result.currency) == (5499, "eur")
    assert result.event_id == event["id"]


def test_a_partial_refund_then_the_rest(hook, settings, fake_stripe):
    session_id = _session_in(hook, settings, fake_stripe, "paid")
    fake_stripe.refund(session_id, amount=1000)
    partial = verify(hook, *fake_stripe.signed(
        fake_stripe.charge_refunded_event(session_id), WEBHOOK_SECRET), settings)
    assert (partial.kind, partial.amount, partial.order_number) == (
        "partially_refunded", 1000, ORDER)

    fake_stripe.refund(session_id)
    full = verify(hook, *fake_stripe.signed(
        fake_stripe.charge_refunded_event(session_id), WEBHOOK_SECRET), settings)
    assert (full.kind, full.amount) == ("refunded", 5499)


def test_an_unknown_event_type_is_ignored(hook, settings, fake_stripe):
    event = fake_stripe.event("customer.created", {"id": "cus_1", "object": "customer"},
                              event_id="evt_unknown", created=1_700_000_123)
    result = verify(hook, *fake_stripe.signed(event, WEBHOOK_SECRET), settings)
    assert result == PaymentEvent(provider="stripe", event_id="evt_unknown", kind="ignored",
                                  raw_type="customer.created", created=1_700_000_123)


def test_header_names_may_come_in_any_case(hook, settings, fake_stripe):
    event = fake_stripe.event("customer.created", {"id": "cus_1"})
    payload, headers = fake_stripe.signed(event, WEBHOOK_SECRET)
    headers = {"Stripe-Signature": headers["stripe-signature"]}
    assert verify(hook, payload, headers, settings).kind == "ignored"


def _signed_completion(hook, settings, fake_stripe, **signing):
    session_id = _session_in(hook, settings, fake_stripe, "paid")
    event = fake_stripe.session_event("checkout.session.completed", session_id)
    return fake_stripe.signed(event, signing.pop("secret", WEBHOOK_SECRET), **signing)


def test_a_tampered_payload_is_rejected(hook, settings, fake_stripe):
    payload, headers = _signed_completion(hook, settings, fake_stripe)
    tampered = payload.replace(b'"amount_total": 5499', b'"amount_total": 1')
    assert tampered != payload
    with pytest.raises(WebhookVerificationError):
        verify(hook, tampered, headers, settings)


def test_a_signature_with_another_secret_is_rejected(hook, settings, fake_stripe):
    payload, headers = _signed_completion(hook, settings, fake_stripe, secret="whsec_other")
    with pytest.raises(WebhookVerificationError):
        verify(hook, payload, headers, settings)


def test_a_missing_signature_is_rejected(hook, settings, fake_stripe):
    payload, _ = _signed_completion(hook, settings, fake_stripe)
    with pytest.raises(WebhookVerificationError):
        verify(hook, payload, {"content-type": "application/json"}, settings)
    with pytest.raises(WebhookVerificationError):
        verify(hook, payload, {"stripe-signature": "garbage"}, settings)


def test_a_stale_signature_is_rejected(hook, settings, fake_stripe):
    session_id = _session_in(hook, settings, fake_stripe, "paid")
    event = fake_stripe.session_event("checkout.session.completed", session_id)
    payload, headers = fake_stripe.signed(event, WEBHOOK_SECRET,
                                          timestamp=int(time.time()) - 301)
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        verify(hook, payload, headers, settings)
    payload, headers = fake_stripe.signed(event, WEBHOOK_SECRET,
                                          timestamp=int(time.time()) - 200)
    assert verify(hook, payload, headers, settings).kind == "paid"


def test_no_webhook_secret_rejects_everything(hook, settings, fake_stripe):
    payload, headers = _signed_completion(hook, settings, fake_stripe, secret="")
    unconfigured = PaymentSettings(secret_key=TEST_KEY, api_base=fake_stripe.url)
    with pytest.raises(WebhookVerificationError):
        verify(hook, payload, headers, unconfigured)


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"id": "evt_1"}', b"\xff\xfe"])
def test_a_signed_body_that_is_not_an_event_is_rejected(hook, settings, body):
    timestamp = int(time.time())
    signature = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body,
                         hashlib.sha256).hexdigest()
    headers = {"stripe-signature": f"t={timestamp},v1={signature}"}
    with pytest.raises(WebhookVerificationError):
        verify(hook, body, headers, settings)


def test_the_fake_signs_as_the_sdk_does(fake_stripe):
    event = fake_stripe.event("customer.created", {"id": "cus_1"})
    payload, headers = fake_stripe.signed(event, WEBHOOK_SECRET, timestamp=1_700_000_000)
    expected = stripe.WebhookSignature.generate_signature_header(
        payload.decode(), WEBHOOK_SECRET, timestamp=1_700_000_000)
    assert headers["stripe-signature"] == expected


def test_hook_functions_can_be_called_directly(settings, fake_stripe):
    redirect = stripe_payments.create_checkout_session(
        provider="stripe", request=checkout_request(), settings=settings)
    event = fake_stripe.session_event("checkout.session.expired", redirect.session_id)
    result = stripe_webhooks.verify_webhook(
        provider="stripe", payload=fake_stripe.signed(event, WEBHOOK_SECRET)[0],
        headers=fake_stripe.signed(event, WEBHOOK_SECRET)[1], settings=settings)
    assert result.kind == "expired"


# ---------------------------------------------------------------------------
# The fake itself, as the SDK sees it
# ---------------------------------------------------------------------------

def test_the_fake_lists_sessions_and_refunds_through_the_sdk(hook, settings, fake_stripe):
    first = _session_in(hook, settings, fake_stripe, "paid")
    create(hook, settings, checkout_request("SO-2024-0002"))
    intent = fake_stripe.sessions[first]["payment_intent"]

    with stripe_payments.stripe_client(settings) as client:
        everything = client.v1.checkout.sessions.list({"limit": 1})
        assert len(everything.data) == 1 and everything.has_more is True
        by_intent = client.v1.checkout.sessions.list({"payment_intent": intent})
        assert [s.id for s in by_intent.data] == [first]
        assert by_intent.data[0].metadata.order_number == ORDER

        refund = client.v1.refunds.create({"payment_intent": intent, "amount": 500})
        assert (refund.amount, refund.status) == (500, "succeeded")
        with pytest.raises(stripe.InvalidRequestError, match="greater than"):
            client.v1.refunds.create({"payment_intent": intent, "amount": 10_000})
        with pytest.raises(stripe.InvalidRequestError) as missing:
            client.v1.checkout.sessions.retrieve("cs_test_missing")
        assert missing.value.http_status == 404
        assert missing.value.code == "resource_missing"
        changed = checkout_request(total_amount=2500, lines=checkout_request().lines[:1])
        with pytest.raises(stripe.IdempotencyError):
            client.v1.checkout.sessions.create(
                stripe_payments.checkout_session_params(changed),
                {"idempotency_key": f"checkout-{ORDER}"})

    charge = fake_stripe.charge_for(first)
    assert (charge["amount_refunded"], charge["refunded"]) == (500, False)
    assert charge["metadata"] == {"order_number": ORDER}


def test_the_fake_payment_page_completes_and_redirects(hook, settings, fake_stripe):
    redirect = create(hook, settings)
    with urllib.request.urlopen(redirect.url, timeout=5) as page:
        assert b"Stability ball 65 cm" in page.read()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    body = urllib.parse.urlencode({"action": "pay"}).encode()
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(urllib.request.Request(redirect.url, data=body), timeout=5)
    with answer.value as response:
        assert response.code == 303
        assert response.headers["Location"] == (
            f"http://shop.test/checkout/{ORDER}/done?session_id={redirect.session_id}")
    assert fake_stripe.sessions[redirect.session_id]["payment_status"] == "paid"


class _Receiver(BaseHTTPRequestHandler):
    """Stands in for the shop's webhook endpoint: keeps what it is sent."""

    received: list[tuple[bytes, dict[str, str]]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((body, {k.lower(): v for k, v in self.headers.items()}))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format, *args):
        pass


def test_the_fake_forwards_signed_events(hook, settings, fake_stripe):
    _Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        fake_stripe.forward_webhooks(f"http://127.0.0.1:{server.server_address[1]}/webhooks/stripe",
                                     WEBHOOK_SECRET)
        session_id = create(hook, settings).session_id
        fake_stripe.complete(session_id)
        fake_stripe.refund(session_id, amount=99)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert fake_stripe.deliveries == [("checkout.session.completed", 204),
                                      ("charge.refunded", 204)]
    events = [verify(hook, body, headers, settings) for body, headers in _Receiver.received]
    assert [(e.kind, e.order_number, e.amount) for e in events] == [
        ("paid", ORDER, 5499), ("partially_refunded", ORDER, 99)]


def test_a_stopped_fake_lets_go_of_a_held_answer(fast):
    fake = FakeStripe().start()
    settings = PaymentSettings(secret_key=TEST_KEY, api_base=fake.url)
    fake.delay_next(30)
    with pytest.raises(PaymentProviderError):
        stripe_payments.retrieve_checkout_session(
            provider="stripe", session_id="cs_test_x", settings=settings)
    started = time.monotonic()
    fake.stop()
    assert time.monotonic() - started < 2
    assert [r.path for r in fake.requests] == ["/v1/checkout/sessions/cs_test_x"]
