"""Test payments: the embedded default provider. A local page with Pay, Decline and Cancel.

No money moves. The page's buttons post signed events to the shop's webhook endpoint
(`/webhooks/test`), so a test payment travels the same path as a Stripe event. The
plugin keeps no state: everything the page needs travels signed in its address, signed
with a secret derived from the app's `SECRET_KEY` (`signing_secret`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from urllib.parse import parse_qs

from flask import Blueprint, abort, current_app, render_template, request
from itsdangerous import BadSignature, URLSafeSerializer

from .hookspecs import hookimpl
from .types import (
    Address,
    CancelResult,
    CheckoutRedirect,
    PaymentEvent,
    PaymentSettings,
    RefundResult,
    TaxPolicy,
    WebhookVerificationError,
)

PROVIDER = "test"
ACTIONS = {"pay": "paid", "decline": "failed"}
# An abandoned test page gives its stock back sooner than Stripe's 30-minute minimum.
HOLD_SECONDS = 15 * 60
PRODUCTION_WARNING = ("PAYMENT_PROVIDER=test in production: no money moves, and anyone "
                      "who opens a test payment page can mark an order paid.")


def signing_secret(app_secret_key: str | bytes | None) -> str:
    """The secret test pages and events are signed with, derived from the app's key (the
    shop sets a text key; a host app's bytes key is read byte for byte)."""
    if isinstance(app_secret_key, bytes):
        app_secret_key = app_secret_key.decode("latin-1")
    return hashlib.sha256(f"{PROVIDER}-payments:{app_secret_key}".encode()).hexdigest()


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="test-payments-page")


def sign_event(secret: str, fields: dict) -> dict[str, str]:
    """The form a test page's button posts: the event as JSON, and its signature."""
    body = json.dumps(fields, separators=(",", ":"))
    return {"event": body, "signature": _sign(secret, body)}


def _sign(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()


@hookimpl
def payment_settings(provider, settings):
    """No keys of its own: pages and events are signed with a secret derived from SECRET_KEY."""
    if provider != PROVIDER:
        return None
    secret = signing_secret(settings["SECRET_KEY"])
    return PaymentSettings(secret_key=secret, webhook_secret=secret)


@hookimpl
def create_checkout_session(provider, request, settings):
    """A signed local payment page for the order."""
    if provider != PROVIDER:
        return None
    session_id = "tp_" + secrets.token_urlsafe(12)
    page = {
        "session_id": session_id, "order_number": request.order_number,
        "currency": request.currency, "total": request.total_amount,
        "discount": request.discount_amount,
        "lines": [[line.name, line.quantity, line.unit_amount] for line in request.lines],
        "success_url": request.success_url.replace("{CHECKOUT_SESSION_ID}", session_id),
        "cancel_url": request.cancel_url, "expires_at": request.expires_at,
        "webhook_url": settings.webhook_url,
        "warning": production_warning(settings.environment),
        "countries": list(request.shipping_countries),
        "options": [[o.id, o.name, o.amount, list(o.countries), o.estimate]
                    for o in request.shipping_options],
        "phone": request.collect_phone,
        "tax": [request.tax.inclusive, [list(rate) for rate in request.tax.rates]],
    }
    token = _serializer(settings.secret_key).dumps(page)
    return CheckoutRedirect(provider=PROVIDER, session_id=session_id,
                            url=f"{settings.site_url}/test-payments/{token}")


@hookimpl
def verify_webhook(provider, payload, headers, settings):
    """A button press on the test page, checked against its signature."""
    if provider != PROVIDER:
        return None
    try:
        form = parse_qs(payload.decode("utf-8"), strict_parsing=True)
        body, signature = form["event"][0], form["signature"][0]
    except (UnicodeDecodeError, ValueError, KeyError):
        raise WebhookVerificationError("Not a test payment form.") from None
    if not hmac.compare_digest(_sign(settings.webhook_secret, body), signature):
        raise WebhookVerificationError("The test payment signature does not match.")
    data = json.loads(body)
    address = data.get("address")
    return PaymentEvent(provider=PROVIDER, event_id=data["event_id"], kind=data["kind"],
                        raw_type=f"test.{data['kind']}", order_number=data["order_number"],
                        session_id=data["session_id"], amount=data["amount"],
                        currency=data["currency"], created=int(time.time()),
                        payment_status="paid" if data["kind"] == "paid" else "unpaid",
                        return_to=data["return_to"],
                        amount_subtotal=data.get("subtotal"),
                        shipping_amount=data.get("shipping"), tax_amount=data.get("tax"),
                        discount_amount=data.get("discount"),
                        shipping_rate=data.get("shipping_rate"),
                        shipping_address=Address(**address) if address else None)


@hookimpl
def retrieve_checkout_session(provider, session_id, settings):
    """Test pages keep no state to ask about: the events are the whole story."""
    return None


@hookimpl
def expire_checkout_session(provider, session_id, settings):
    """A test page can always be given up on."""
    return True if provider == PROVIDER else None


@hookimpl
def refund_payment(provider, payment_intent, session_id, amount, currency, key, settings):
    """No money moved, so none goes back: the refund succeeds at once."""
    if provider != PROVIDER:
        return None
    refund_id = "tr_" + hashlib.sha256(str(key).encode()).hexdigest()[:16]  # same key, same id
    return RefundResult(provider=PROVIDER, refund_id=refund_id, amount=int(amount),
                        currency=currency, status="succeeded")


@hookimpl
def cancel_payment(provider, payment_intent, session_id, settings):
    """A test page keeps no state: once the shop cancels, its events are refused."""
    return CancelResult(provider=PROVIDER, cancelled=True) if provider == PROVIDER else None


@hookimpl
def payment_hold_seconds(provider):
    """Test pages stay open for 15 minutes."""
    return HOLD_SECONDS if provider == PROVIDER else None


@hookimpl
def payment_provider_warning(provider, environment):
    """Taking no money is only safe where no money is expected."""
    return production_warning(environment) if provider == PROVIDER else None


def production_warning(environment: str) -> str | None:
    """The warning the shop logs at start and every test page shows, in production only."""
    return PRODUCTION_WARNING if environment == "production" else None


@hookimpl
def storefront_web_blueprints():
    """The hosted test payment page."""
    return [make_blueprint()]


def make_blueprint() -> Blueprint:
    """The hosted test payment page, signed with the secret `payment_settings` gives."""
    bp = Blueprint("test_payments", __name__, url_prefix="/test-payments",
                   template_folder="templates")

    @bp.route("/<token>", methods=["GET", "POST"])
    def page(token):
        """The test payment page for one order: the address and shipping method first
        (when the order ships), then Pay, Decline or Cancel."""
        secret = signing_secret(current_app.secret_key)  # Flask's key: the shop's SECRET_KEY
        try:
            data = _serializer(secret).loads(token)
        except BadSignature:
            abort(404)
        expired = time.time() > data["expires_at"]
        ships = bool(data.get("countries"))
        values, errors, choice = {}, {}, None
        if request.method == "POST" and not expired:
            values = {key: request.form.get(key, "").strip()[:limit]
                      for key, limit in ADDRESS_FIELDS.items()}
            values["country"] = values["country"].upper()
            values["shipping"] = request.form.get("shipping", "")[:40]
            errors = address_errors(data, values)
            if not errors:
                choice = charge_for(data, values)
        status = 422 if errors else 200
        if ships and choice is None:
            return render_template("test_payments/address.html", data=data, values=values,
                                   errors=errors, expired=expired, token=token,
                                   options=data["options"], warning=data.get("warning"),
                                   field_labels=FIELD_LABELS), status
        choice = choice or charge_for(data, None)
        forms = {}
        for action, kind in ACTIONS.items():
            target = data["success_url"] if kind == "paid" else data["cancel_url"]
            forms[action] = sign_event(secret, {
                "event_id": f"{data['session_id']}:{kind}", "kind": kind,
                "order_number": data["order_number"], "session_id": data["session_id"],
                "amount": choice["total"], "currency": data["currency"], "return_to": target,
                **({key: choice[key] for key in CHARGE_KEYS} if kind == "paid" else {}),
            })
        return render_template("test_payments/page.html", data=data, forms=forms,
                               expired=expired, warning=data.get("warning"), charge=choice)

    return bp


ADDRESS_FIELDS = {"name": 200, "line1": 200, "line2": 200, "city": 120, "region": 120,
                  "postal_code": 20, "country": 2, "phone": 40}
REQUIRED = ("name", "line1", "city", "postal_code", "country")
FIELD_LABELS = {"name": "Full name", "line1": "Address", "line2": "Apartment, suite, etc.",
                "city": "City", "region": "State, province or region",
                "postal_code": "Postal code", "country": "Country", "phone": "Phone",
                "shipping": "Shipping method"}
CHARGE_KEYS = ("subtotal", "shipping", "tax", "discount", "shipping_rate", "address")


def address_errors(data: dict, values: dict) -> dict[str, str]:
    """What is wrong with the address and shipping choice, per field."""
    errors = {key: f"Enter your {FIELD_LABELS[key].lower()}." for key in REQUIRED
              if not values.get(key)}
    if data.get("phone") and not values.get("phone"):
        errors["phone"] = "Enter a phone number for the delivery."
    country = values.get("country")
    if country and country not in data["countries"]:
        errors["country"] = (f"Sorry, we do not ship to {country}. We ship to "
                             f"{', '.join(data['countries'])}.")
    options = {option[0]: option for option in data["options"]}
    if options:
        option = options.get(values.get("shipping"))
        if option is None:
            errors["shipping"] = "Choose a shipping method."
        elif country and "country" not in errors and country not in option[3]:
            errors["shipping"] = (f"{option[1]} does not deliver to {country}; choose "
                                  "another method.")
    return errors


def charge_for(data: dict, values: dict | None) -> dict:
    """What the page charges: goods less discount, the shipping chosen, and tax at the
    address's rate (added, or the part of the price that is tax when inclusive)."""
    goods = int(data["total"])
    discount = int(data.get("discount") or 0)
    shipping, rate_id, address = 0, None, None
    if values is not None:
        option = {o[0]: o for o in data["options"]}.get(values.get("shipping"))
        if option is not None:
            shipping, rate_id = int(option[2]), option[0]
        address = {key: values.get(key, "") for key in ADDRESS_FIELDS}
    inclusive, rates = data.get("tax") or [False, []]
    policy = TaxPolicy(inclusive=inclusive, rates=tuple((c, int(r)) for c, r in rates))
    tax = policy.tax_on(goods + shipping, address["country"]) if address else 0
    return {"subtotal": goods + discount, "shipping": shipping, "tax": tax,
            "discount": discount, "shipping_rate": rate_id, "address": address,
            "total": goods + shipping + (0 if inclusive else tax), "inclusive": inclusive}
