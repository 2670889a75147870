"""A small, stateful stand-in for the Stripe API, spoken to over real HTTP.

`FakeStripe` serves enough of Stripe's wire format for the real `stripe` SDK:
form-encoded request bodies in bracket notation, JSON answers, errors in Stripe's
`{"error": {...}}` shape, bearer-key authentication and idempotency keys.

API endpoints:

- `POST /v1/checkout/sessions`, `GET /v1/checkout/sessions` (list),
  `GET /v1/checkout/sessions/<id>`, `GET /v1/checkout/sessions/<id>/line_items`,
  `POST /v1/checkout/sessions/<id>/expire`
- `POST /v1/refunds`, `GET /v1/refunds/<id>`
- `POST /v1/coupons`, `GET /v1/coupons/<id>`; a session's `discounts[][coupon]` takes
  the coupon off its subtotal, as `total_details.amount_discount`
- `GET /v1/payment_intents/<id>`, `GET /v1/charges/<id>`

A session's `url` points at a small payment page served by the fake
(`/pay/<id>`), with a "Pay" button that completes the session and redirects to the
session's `success_url`, and a "Cancel" button that goes to `cancel_url`.

Tests drive the rest from Python: `complete`, `settle`, `expire`, `refund`,
`fail_next`, `delay_next`; they read `requests`, and build signed webhook events
with `event`, `session_event`, `charge_refunded_event` and `signed`.

Run it on its own with `python -m tests.fakestripe --port 12111`.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import html
import json
import re
import threading
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .fakestripe_wire import (
    Handler,
    RecordedRequest,
    Server,
    StripeApiError,
    as_int,
    new_id,
    parse_form,
    require,
    strings,
)

API_VERSION = "2026-10-28.endive"
TEST_KEY = "sk_test_fake"
WEBHOOK_SECRET = "whsec_fake"
MIN_EXPIRY = 30 * 60  # Stripe: expires_at must be 30 minutes to 24 hours away
MAX_EXPIRY = 24 * 60 * 60
EXPIRY_SLACK = 60

__all__ = ["API_VERSION", "TEST_KEY", "WEBHOOK_SECRET", "FakeStripe", "RecordedRequest",
           "StripeApiError", "parse_form"]


_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    (method, re.compile(pattern), name) for method, pattern, name in [
        ("POST", r"/v1/checkout/sessions", "_api_create_session"),
        ("GET", r"/v1/checkout/sessions", "_api_list_sessions"),
        ("GET", r"/v1/checkout/sessions/(?P<id>[^/]+)", "_api_retrieve_session"),
        ("GET", r"/v1/checkout/sessions/(?P<id>[^/]+)/line_items", "_api_session_line_items"),
        ("POST", r"/v1/checkout/sessions/(?P<id>[^/]+)/expire", "_api_expire_session"),
        ("POST", r"/v1/refunds", "_api_create_refund"),
        ("GET", r"/v1/refunds/(?P<id>[^/]+)", "_api_retrieve_refund"),
        ("GET", r"/v1/payment_intents/(?P<id>[^/]+)", "_api_retrieve_payment_intent"),
        ("GET", r"/v1/charges/(?P<id>[^/]+)", "_api_retrieve_charge"),
        ("GET", r"/v1/shipping_rates/(?P<id>[^/]+)", "_api_retrieve_shipping_rate"),
        ("POST", r"/v1/coupons", "_api_create_coupon"),
        ("GET", r"/v1/coupons/(?P<id>[^/]+)", "_api_retrieve_coupon"),
    ]
]


# The address a completed page gives when a test names none.
DEFAULT_ADDRESS = {"name": "Sam Rivera", "line1": "12 Elm Street", "line2": None,
                   "city": "Springfield", "postal_code": "62701", "state": "IL",
                   "country": "US", "phone": None}


class FakeStripe:
    """A Stripe API on 127.0.0.1 with a free port, served from a background thread.

    `api_key`: the only secret key accepted; by default any `sk_test_...` key is.
    `port`: where to listen; by default a free port.
    """

    def __init__(self, api_key: str | None = None, port: int = 0):
        self.api_key = api_key
        self.port = port
        self._lock = threading.RLock()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self.reset()

    # -- life cycle ----------------------------------------------------------

    def start(self) -> FakeStripe:
        if self._server is None:
            self._server = Server(self, self.port)
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                name="fake-stripe", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._wake.set()  # release answers held back by delay_next
        self._server.shutdown()
        self._server.server_close()
        assert self._thread is not None
        self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeStripe is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def reset(self) -> None:
        """Forget every object, request, queued fault and webhook target."""
        with self._lock:
            self._wake.set()
            self._wake = threading.Event()
            self.sessions: dict[str, dict[str, Any]] = {}
            self.payment_intents: dict[str, dict[str, Any]] = {}
            self.charges: dict[str, dict[str, Any]] = {}
            self.refunds: dict[str, dict[str, Any]] = {}
            self.shipping_rates: dict[str, dict[str, Any]] = {}
            self.coupons: dict[str, dict[str, Any]] = {}
            self.requests: list[RecordedRequest] = []
            self.errors: list[str] = []  # tracebacks of the fake's own failures
            self.deliveries: list[tuple[str, int | str]] = []  # (event type, status or error)
            self._session_extras: dict[str, dict[str, Any]] = {}
            self._idempotent: dict[tuple[str, str], tuple[dict, int, bytes]] = {}
            self._faults: list[tuple[str, Any]] = []
            self._webhook_target: tuple[str, str] | None = None

    # -- faults ----------------------------------------------------------------

    def fail_next(self, status: int = 500, count: int = 1) -> None:
        """Answer the next `count` API requests with `status` and an error body."""
        with self._lock:
            self._faults.extend([("fail", status)] * count)

    def delay_next(self, seconds: float, count: int = 1) -> None:
        """Hold the answer to the next `count` API requests for `seconds`."""
        with self._lock:
            self._faults.extend([("delay", seconds)] * count)

    # -- state changes made by tests ---------------------------------------------

    def complete(self, session_id: str, payment_status: str = "paid", *,
                 address: dict[str, Any] | None = None, shipping_option: int = 0,
                 tax: int = 0, legacy_shipping_details: bool = False) -> dict[str, Any]:
        """The shopper finished the payment page: the session becomes `complete`.

        `payment_status` "paid" also creates a succeeded PaymentIntent and charge;
        "unpaid" (a delayed payment method) leaves the PaymentIntent processing until
        `settle()`. Both carry the session's `payment_intent_data[metadata]`.

        A session that collects an address gets `address` (Stripe's shape: name,
        line1, city, postal_code, state, country; a default US one if None) and the
        `shipping_option` at that index; `tax` is what Stripe Tax computed (automatic
        tax only). `legacy_shipping_details` puts the address where API versions before
        2025-03-31 did.
        """
        with self._lock:
            session = self._session(session_id)
            if session["status"] != "open":
                raise ValueError(f"session {session_id} is {session['status']}, not open")
            self._collect(session, address, shipping_option, tax, legacy_shipping_details)
            extras = self._session_extras[session_id]
            metadata = dict(extras["payment_intent_data"].get("metadata") or {})
            intent = {
                "id": new_id("pi"), "object": "payment_intent",
                "amount": session["amount_total"], "amount_received": 0,
                "currency": session["currency"], "metadata": metadata,
                "status": "processing", "latest_charge": None,
                "created": int(time.time()), "livemode": False,
            }
            self.payment_intents[intent["id"]] = intent
            session.update(status="complete", payment_status=payment_status,
                           payment_intent=intent["id"], url=None)
            if payment_status in ("paid", "no_payment_required"):
                self._succeed(intent)
            event = self.session_event("checkout.session.completed", session_id)
            result = copy.deepcopy(session)
        self._emit(event)
        return result

    def _collect(self, session: dict[str, Any], address: dict[str, Any] | None,
                 option_index: int, tax: int, legacy: bool) -> None:
        """What the shopper gave and chose on the page, and the totals that follow."""
        collection = session.get("shipping_address_collection")
        shipping = 0
        if collection is not None:
            address = dict(address or DEFAULT_ADDRESS)
            if address.get("country") not in collection["allowed_countries"]:
                raise ValueError(f"Stripe Checkout offers no way to pick {address.get('country')}")
            details = {"name": address.pop("name", ""), "address": {
                key: address.get(key) for key in ("line1", "line2", "city", "postal_code",
                                                  "state", "country")}}
            if legacy:
                session["shipping_details"] = details
            else:
                session["collected_information"] = {"shipping_details": details}
            session["customer_details"] = {"email": session.get("customer_email"),
                                           "phone": address.get("phone")}
        if session.get("shipping_options"):
            chosen = session["shipping_options"][option_index]
            shipping = chosen["shipping_amount"]
            session["shipping_cost"] = {"amount_subtotal": shipping, "amount_tax": 0,
                                        "amount_total": shipping,
                                        "shipping_rate": chosen["shipping_rate"]}
        tax = tax if session["automatic_tax"]["enabled"] else 0
        if session["automatic_tax"]["enabled"]:
            session["automatic_tax"]["status"] = "complete"
        discount = session["total_details"]["amount_discount"]
        session["total_details"] = {"amount_discount": discount, "amount_shipping": shipping,
                                    "amount_tax": tax}
        session["amount_total"] = session["amount_subtotal"] - discount + shipping + tax

    def settle(self, session_id: str, succeeded: bool = True) -> dict[str, Any]:
        """A delayed payment for a completed, unpaid session succeeds or fails."""
        with self._lock:
            session = self._session(session_id)
            if session["status"] != "complete" or session["payment_status"] != "unpaid":
                raise ValueError(f"session {session_id} has no payment waiting")
            intent = self.payment_intents[session["payment_intent"]]
            if succeeded:
                self._succeed(intent)
                session["payment_status"] = "paid"
                event_type = "checkout.session.async_payment_succeeded"
            else:
                intent["status"] = "requires_payment_method"
                event_type = "checkout.session.async_payment_failed"
            event = self.session_event(event_type, session_id)
            result = copy.deepcopy(session)
        self._emit(event)
        return result

    def expire(self, session_id: str) -> dict[str, Any]:
        """The session's time ran out: an open session becomes `expired`."""
        with self._lock:
            session = self._session(session_id)
            if session["status"] != "open":
                raise ValueError(f"session {session_id} is {session['status']}, not open")
            session.update(status="expired", url=None)
            event = self.session_event("checkout.session.expired", session_id)
            result = copy.deepcopy(session)
        self._emit(event)
        return result

    def refund(self, session_id: str, amount: int | None = None) -> dict[str, Any]:
        """Refund a paid session's charge, in full by default; returns the refund."""
        with self._lock:
            session = self._session(session_id)
            intent = self.payment_intents.get(session.get("payment_intent") or "")
            if intent is None or not intent.get("latest_charge"):
                raise ValueError(f"session {session_id} has no charge to refund")
            refund = self._refund(intent, amount)
            event = self.charge_refunded_event(session_id)
        self._emit(event)
        return refund

    def charge_for(self, session_id: str) -> dict[str, Any] | None:
        """The charge that paid a session, if any."""
        with self._lock:
            session = self._session(session_id)
            intent = self.payment_intents.get(session.get("payment_intent") or "")
            charge = self.charges.get((intent or {}).get("latest_charge") or "")
            return copy.deepcopy(charge)

    # -- webhook events ----------------------------------------------------------------

    def event(self, type: str, obj: dict[str, Any], *, event_id: str | None = None,
              created: int | None = None) -> dict[str, Any]:
        """A Stripe event (snapshot payload) of `type` about a copy of `obj`."""
        return {
            "id": event_id or new_id("evt"), "object": "event", "api_version": API_VERSION,
            "created": int(time.time()) if created is None else created,
            "data": {"object": copy.deepcopy(obj)}, "livemode": False, "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None}, "type": type,
        }

    def session_event(self, type: str, session_id: str, **kwargs) -> dict[str, Any]:
        """An event of `type` about the session as it is now."""
        with self._lock:
            return self.event(type, self._session(session_id), **kwargs)

    def charge_refunded_event(self, session_id: str, **kwargs) -> dict[str, Any]:
        """A `charge.refunded` event about the charge that paid the session."""
        charge = self.charge_for(session_id)
        if charge is None:
            raise ValueError(f"session {session_id} has no charge")
        return self.event("charge.refunded", charge, **kwargs)

    @staticmethod
    def signed(event: dict[str, Any], secret: str = WEBHOOK_SECRET, *,
               timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
        """The body and headers of a webhook delivery, signed as Stripe signs them."""
        payload = json.dumps(event, indent=2).encode("utf-8")
        timestamp = int(time.time()) if timestamp is None else timestamp
        signed_payload = f"{timestamp}.".encode() + payload
        signature = hmac.new(secret.encode("utf-8"), signed_payload, hashlib.sha256).hexdigest()
        return payload, {"stripe-signature": f"t={timestamp},v1={signature}",
                         "content-type": "application/json; charset=utf-8"}

    def forward_webhooks(self, url: str | None, secret: str = WEBHOOK_SECRET) -> None:
        """Deliver the events of later state changes to `url`, signed with `secret`.

        Covers the payment page and the test controls (`complete`, `settle`, `expire`,
        `refund`), not changes made through the API. None stops delivery. Each
        delivery is recorded in `deliveries`.
        """
        with self._lock:
            self._webhook_target = (url, secret) if url else None

    def _emit(self, event: dict[str, Any]) -> None:
        with self._lock:
            target = self._webhook_target
        if target is None:
            return
        url, secret = target
        payload, headers = self.signed(event, secret)
        request = urllib.request.Request(url, data=payload, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                outcome: int | str = response.status
        except urllib.error.HTTPError as error:
            outcome = error.code
            error.close()
        except OSError as error:
            outcome = f"{type(error).__name__}: {error}"
        with self._lock:
            self.deliveries.append((event["type"], outcome))

    # -- objects -----------------------------------------------------------------------

    def _session(self, session_id: str) -> dict[str, Any]:
        session = self.sessions.get(session_id)
        if session is None:
            raise StripeApiError(404, f"No such checkout.session: '{session_id}'",
                                 code="resource_missing", param="session")
        return session

    def _succeed(self, intent: dict[str, Any]) -> None:
        charge = {
            "id": new_id("ch"), "object": "charge", "amount": intent["amount"],
            "amount_captured": intent["amount"], "amount_refunded": 0,
            "currency": intent["currency"], "metadata": dict(intent["metadata"]),
            "payment_intent": intent["id"], "paid": True, "captured": True,
            "refunded": False, "status": "succeeded", "created": int(time.time()),
            "livemode": False,
        }
        self.charges[charge["id"]] = charge
        intent.update(status="succeeded", amount_received=intent["amount"],
                      latest_charge=charge["id"])

    def _refund(self, intent: dict[str, Any], amount: int | None) -> dict[str, Any]:
        charge = self.charges[intent["latest_charge"]]
        left = charge["amount"] - charge["amount_refunded"]
        if left <= 0:
            raise StripeApiError(400, f"Charge {charge['id']} has already been refunded.",
                                 code="charge_already_refunded")
        amount = left if amount is None else amount
        if amount <= 0 or amount > left:
            raise StripeApiError(
                400, f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                f"({left})", code="amount_too_large", param="amount")
        refund = {
            "id": new_id("re"), "object": "refund", "amount": amount,
            "charge": charge["id"], "payment_intent": intent["id"],
            "currency": charge["currency"], "metadata": {}, "reason": None,
            "status": "succeeded", "created": int(time.time()),
        }
        self.refunds[refund["id"]] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        return copy.deepcopy(refund)

    # -- HTTP ----------------------------------------------------------------------------

    def _handle(self, handler: Handler) -> None:
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        if split.path.startswith("/pay/"):
            self._pay_page(handler, split.path, body)
            return
        headers = {name.lower(): value for name, value in handler.headers.items()}
        params: dict[str, Any] = {}
        bad_params: StripeApiError | None = None
        try:
            query = body.decode("utf-8") if handler.command == "POST" else split.query
            params = parse_form(parse_qsl(query, keep_blank_values=True))
        except StripeApiError as error:
            bad_params = error
        except UnicodeDecodeError:
            bad_params = StripeApiError(400, "The request body is not UTF-8.")
        with self._lock:
            self.requests.append(RecordedRequest(handler.command, split.path, params, headers))
            fault = self._faults.pop(0) if self._faults else None
            wake = self._wake
        if fault and fault[0] == "delay" and wake.wait(fault[1]):
            return  # reset() or stop() came first: drop the request unanswered
        if fault and fault[0] == "fail":
            status = fault[1]
            kind = "api_error" if status >= 500 else "invalid_request_error"
            error = StripeApiError(status, f"Injected failure ({status}) from the fake Stripe",
                                   type=kind, code="rate_limit" if status == 429 else None)
            self._answer(handler, status, error.body)
            return
        status, payload, replayed = self._respond(handler.command, split.path, params, headers,
                                                  bad_params)
        extra = {"Idempotent-Replayed": "true"} if replayed else {}
        self._answer(handler, status, payload, extra)

    def _respond(self, method: str, path: str, params: dict[str, Any],
                 headers: dict[str, str],
                 bad_params: StripeApiError | None) -> tuple[int, Any, bool]:
        try:
            self._authenticate(headers.get("authorization", ""))
            if bad_params is not None:
                raise bad_params
            key = headers.get("idempotency-key") if method == "POST" else None
            with self._lock:
                if key and (path, key) in self._idempotent:
                    first_params, status, stored = self._idempotent[(path, key)]
                    if first_params != params:
                        raise StripeApiError(
                            400, "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with. Try using a key other than "
                            f"'{key}' if you meant to execute a different request.",
                            type="idempotency_error")
                    return status, json.loads(stored), True
                try:
                    status, payload = 200, self._route(method, path, params)
                except StripeApiError as error:
                    status, payload = error.status, error.body
                if key:
                    self._idempotent[(path, key)] = (params, status, json.dumps(payload).encode())
                return status, payload, False
        except StripeApiError as error:
            return error.status, error.body, False
        except Exception:
            with self._lock:
                self.errors.append(traceback.format_exc())
            return 500, StripeApiError(500, "The fake Stripe failed", type="api_error").body, False

    def _answer(self, handler: Handler, status: int, payload: Any,
                extra: dict[str, str] | None = None) -> None:
        body = json.dumps(payload, indent=2).encode("utf-8")
        headers = {"Content-Type": "application/json", "Request-Id": new_id("req"),
                   "Stripe-Version": API_VERSION, **(extra or {})}
        handler.send_body(status, body, headers)

    def _authenticate(self, authorization: str) -> None:
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise StripeApiError(
                401, "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY').")
        key = key.strip()
        accepted = key == self.api_key if self.api_key else key.startswith("sk_test_")
        if not accepted:
            shown = f"{key[:8]}{'*' * 4}{key[-4:]}" if len(key) > 12 else "****"
            raise StripeApiError(401, f"Invalid API Key provided: {shown}")

    def _route(self, method: str, path: str, params: dict[str, Any]) -> Any:
        for route_method, pattern, name in _ROUTES:
            match = pattern.fullmatch(path)
            if match and route_method == method:
                handler: Callable[..., Any] = getattr(self, name)
                return handler(params, **match.groupdict())
        raise StripeApiError(
            404, f"Unrecognized request URL ({method}: {path}). Please see "
            "https://stripe.com/docs or we can help at https://support.stripe.com/.")

    # -- API endpoints -------------------------------------------------------------------

    def _api_create_session(self, params: dict[str, Any]) -> dict[str, Any]:
        mode = require(params, "mode", "mode")
        if mode != "payment":
            raise StripeApiError(400, f"The fake Stripe only supports mode=payment, not {mode}",
                                 param="mode")
        raw_items = require(params, "line_items", "line_items")
        if not isinstance(raw_items, list):
            raise StripeApiError(400, "Invalid array", param="line_items")
        line_items, currencies, total = [], set(), 0
        for index, item in enumerate(raw_items):
            where = f"line_items[{index}]"
            quantity = as_int(require(item, "quantity", f"{where}[quantity]"), f"{where}[quantity]")
            price_data = require(item, "price_data", f"{where}[price_data]")
            currency = str(require(price_data, "currency", f"{where}[price_data][currency]"))
            unit_amount = as_int(
                require(price_data, "unit_amount", f"{where}[price_data][unit_amount]"),
                f"{where}[price_data][unit_amount]")
            product_data = require(price_data, "product_data", f"{where}[price_data][product]")
            name = require(product_data, "name", f"{where}[price_data][product_data][name]")
            if quantity < 1 or unit_amount < 0:
                raise StripeApiError(400, "Invalid quantity or amount", param=where)
            currencies.add(currency.lower())
            total += quantity * unit_amount
            line_items.append({
                "id": new_id("li"), "object": "item", "description": name,
                "quantity": quantity, "currency": currency.lower(),
                "amount_subtotal": quantity * unit_amount, "amount_total": quantity * unit_amount,
                "price": {"id": new_id("price"), "object": "price", "currency": currency.lower(),
                          "unit_amount": unit_amount,
                          "product": {"name": name, "metadata": strings(
                              product_data.get("metadata"), f"{where}[price_data][product_data]"
                              "[metadata]")}},
            })
        if len(currencies) > 1:
            raise StripeApiError(400, "Checkout does not support multiple currencies.",
                                 param="line_items")
        now = int(time.time())
        expires_at = now + MAX_EXPIRY
        if params.get("expires_at") not in (None, ""):
            expires_at = as_int(params["expires_at"], "expires_at")
            if not (now + MIN_EXPIRY - EXPIRY_SLACK <= expires_at
                    <= now + MAX_EXPIRY + EXPIRY_SLACK):
                raise StripeApiError(
                    400, "The `expires_at` timestamp must be between 30 minutes and 24 hours "
                    "from Checkout Session creation.", param="expires_at")
        shipping_options, allowed = self._shipping_params(params, currencies)
        discount = self._discount(params, total, currencies)
        automatic_tax = str((params.get("automatic_tax") or {}).get("enabled", "")) == "true"
        session_id = new_id("cs_test")
        session = {
            "id": session_id, "object": "checkout.session", "mode": mode,
            "url": f"{self.url}/pay/{session_id}", "status": "open",
            "payment_status": "unpaid", "client_reference_id": params.get("client_reference_id"),
            "metadata": strings(params.get("metadata"), "metadata"),
            "customer_email": params.get("customer_email"), "currency": currencies.pop(),
            "amount_subtotal": total, "amount_total": total - discount, "expires_at": expires_at,
            "success_url": params.get("success_url"), "cancel_url": params.get("cancel_url"),
            "payment_intent": None, "created": now, "livemode": False,
            "shipping_options": shipping_options,
            "shipping_address_collection": ({"allowed_countries": allowed}
                                            if allowed is not None else None),
            "automatic_tax": {"enabled": automatic_tax, "status": None},
            "phone_number_collection": {"enabled": str((params.get(
                "phone_number_collection") or {}).get("enabled", "")) == "true"},
            "shipping_cost": None, "collected_information": None, "customer_details": None,
            "total_details": {"amount_discount": discount, "amount_shipping": 0,
                              "amount_tax": 0},
        }
        payment_intent_data = params.get("payment_intent_data") or {}
        self.sessions[session_id] = session
        self._session_extras[session_id] = {
            "line_items": line_items,
            "payment_intent_data": {
                "metadata": strings(payment_intent_data.get("metadata"),
                                     "payment_intent_data[metadata]")},
        }
        return copy.deepcopy(session)

    def _shipping_params(self, params: dict[str, Any],
                         currencies: set[str]) -> tuple[list[dict[str, Any]], list | None]:
        """`shipping_options[][shipping_rate_data]` made into shipping rates, as Stripe
        does (at most five), and `shipping_address_collection[allowed_countries]`."""
        raw = params.get("shipping_options") or []
        if not isinstance(raw, list) or len(raw) > 5:
            raise StripeApiError(400, "You may only specify up to 5 shipping options.",
                                 param="shipping_options")
        options = []
        for index, entry in enumerate(raw):
            where = f"shipping_options[{index}][shipping_rate_data]"
            data = require(entry, "shipping_rate_data", where)
            fixed = require(data, "fixed_amount", f"{where}[fixed_amount]")
            amount = as_int(require(fixed, "amount", f"{where}[fixed_amount][amount]"),
                          f"{where}[fixed_amount][amount]")
            currency = str(require(fixed, "currency", f"{where}[fixed_amount][currency]"))
            if currency.lower() not in currencies or amount < 0:
                raise StripeApiError(400, "Invalid shipping rate", param=where)
            rate = {"id": new_id("shr"), "object": "shipping_rate", "active": True,
                    "display_name": require(data, "display_name", f"{where}[display_name]"),
                    "fixed_amount": {"amount": amount, "currency": currency.lower()},
                    "delivery_estimate": data.get("delivery_estimate"),
                    "metadata": strings(data.get("metadata"), f"{where}[metadata]"),
                    "tax_behavior": data.get("tax_behavior", "unspecified")}
            self.shipping_rates[rate["id"]] = rate
            options.append({"shipping_amount": amount, "shipping_rate": rate["id"]})
        collection = params.get("shipping_address_collection")
        allowed = None
        if collection is not None:
            allowed = require(collection, "allowed_countries",
                               "shipping_address_collection[allowed_countries]")
            if not isinstance(allowed, list) or not allowed:
                raise StripeApiError(400, "Invalid array",
                                     param="shipping_address_collection[allowed_countries]")
        return options, allowed

    def _discount(self, params: dict[str, Any], subtotal: int, currencies: set[str]) -> int:
        """What `discounts[][coupon]` takes off the goods, as Stripe works it out: one
        discount per session, an amount capped at the subtotal or a percentage rounded."""
        raw = params.get("discounts") or []
        if not isinstance(raw, list) or len(raw) > 1:
            raise StripeApiError(400, "You may only specify one discount.", param="discounts")
        if not raw:
            return 0
        coupon_id = require(raw[0], "coupon", "discounts[0][coupon]")
        coupon = self.coupons.get(coupon_id)
        if coupon is None or not coupon["valid"]:
            raise StripeApiError(400, f"No such coupon: '{coupon_id}'",
                                 code="resource_missing", param="discounts[0][coupon]")
        if coupon["amount_off"] is not None:
            if coupon["currency"] not in currencies:
                raise StripeApiError(400, "The coupon's currency is not the session's.",
                                     param="discounts[0][coupon]")
            amount = min(subtotal, coupon["amount_off"])
        else:
            amount = round(subtotal * coupon["percent_off"] / 100)
        coupon["times_redeemed"] += 1
        if coupon["max_redemptions"] is not None \
                and coupon["times_redeemed"] >= coupon["max_redemptions"]:
            coupon["valid"] = False
        return amount

    def _api_create_coupon(self, params: dict[str, Any]) -> dict[str, Any]:
        amount = params.get("amount_off")
        percent = params.get("percent_off")
        if (amount in (None, "")) == (percent in (None, "")):
            raise StripeApiError(400, "You must pass exactly one of amount_off or percent_off.")
        duration = params.get("duration", "once")
        if duration not in ("once", "forever", "repeating"):
            raise StripeApiError(400, "Invalid duration", param="duration")
        coupon: dict[str, Any] = {
            "id": new_id("coupon"), "object": "coupon", "amount_off": None,
            "percent_off": None, "currency": None, "duration": duration,
            "name": params.get("name"), "metadata": strings(params.get("metadata"), "metadata"),
            "max_redemptions": None, "times_redeemed": 0, "valid": True,
            "created": int(time.time()), "livemode": False}
        if amount not in (None, ""):
            coupon["amount_off"] = as_int(amount, "amount_off")
            if coupon["amount_off"] < 1:
                raise StripeApiError(400, "Invalid amount_off", param="amount_off")
            coupon["currency"] = str(require(params, "currency", "currency")).lower()
        else:
            coupon["percent_off"] = float(percent)
            if not 0 < coupon["percent_off"] <= 100:
                raise StripeApiError(400, "Invalid percent_off", param="percent_off")
        if params.get("max_redemptions") not in (None, ""):
            coupon["max_redemptions"] = as_int(params["max_redemptions"], "max_redemptions")
        self.coupons[coupon["id"]] = coupon
        return copy.deepcopy(coupon)

    def _api_retrieve_coupon(self, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self._lookup(self.coupons, "coupon", id)

    def _api_list_sessions(self, params: dict[str, Any]) -> dict[str, Any]:
        limit = as_int(params.get("limit", 10), "limit")
        if not 1 <= limit <= 100:
            raise StripeApiError(400, "Invalid limit: must be between 1 and 100", param="limit")
        found = [s for s in reversed(list(self.sessions.values()))
                 if all(params.get(field) in (None, "", s.get(field))
                        for field in ("payment_intent", "status", "client_reference_id"))]
        after = params.get("starting_after")
        if after:
            ids = [s["id"] for s in found]
            found = found[ids.index(after) + 1:] if after in ids else []
        return {"object": "list", "data": copy.deepcopy(found[:limit]),
                "has_more": len(found) > limit, "url": "/v1/checkout/sessions"}

    def _api_retrieve_session(self, params: dict[str, Any], id: str) -> dict[str, Any]:
        return copy.deepcopy(self._session(id))

    def _api_session_line_items(self, params: dict[str, Any], id: str) -> dict[str, Any]:
        self._session(id)
        items = self._session_extras[id]["line_items"]
        return {"object": "list", "data": copy.deepcopy(items), "has_more": False,
                "url": f"/v1/checkout/sessions/{id}/line_items"}

    def _api_expire_session(self, params: dict[str, Any], id: str) -> dict[str, Any]:
        session = self._session(id)
        if session["status"] != "open":
            raise StripeApiError(
                400, f"Only Checkout Sessions with a status in [\"open\"] can be expired. "
                f"This Checkout Session has a status of \"{session['status']}\".")
        session.update(status="expired", url=None)
        return copy.deepcopy(session)

    def _api_create_refund(self, params: dict[str, Any]) -> dict[str, Any]:
        intent_id = params.get("payment_intent")
        if not intent_id and params.get("charge"):
            charge = self.charges.get(params["charge"])
            if charge is None:
                raise StripeApiError(404, f"No such charge: '{params['charge']}'",
                                     code="resource_missing", param="charge")
            intent_id = charge["payment_intent"]
        if not intent_id:
            raise StripeApiError(400, "Must provide either payment_intent or charge.",
                                 code="parameter_missing", param="payment_intent")
        intent = self.payment_intents.get(intent_id)
        if intent is None:
            raise StripeApiError(404, f"No such payment_intent: '{intent_id}'",
                                 code="resource_missing", param="payment_intent")
        if not intent.get("latest_charge"):
            raise StripeApiError(400, f"PaymentIntent {intent_id} has no successful charge.",
                                 code="charge_not_refundable")
        amount = params.get("amount")
        return self._refund(intent, None if amount in (None, "") else as_int(amount, "amount"))

    def _api_retrieve_refund(self, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self._lookup(self.refunds, "refund", id)

    def _api_retrieve_payment_intent(self, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self._lookup(self.payment_intents, "payment_intent", id)

    def _api_retrieve_charge(self, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self._lookup(self.charges, "charge", id)

    def _api_retrieve_shipping_rate(self, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self._lookup(self.shipping_rates, "shipping rate", id)

    @staticmethod
    def _lookup(store: dict[str, dict[str, Any]], kind: str, id: str) -> dict[str, Any]:
        if id not in store:
            raise StripeApiError(404, f"No such {kind}: '{id}'", code="resource_missing",
                                 param="id")
        return copy.deepcopy(store[id])

    # -- the payment page ----------------------------------------------------------------

    def _pay_page(self, handler: Handler, path: str, body: bytes) -> None:
        session_id = path.removeprefix("/pay/").strip("/")
        with self._lock:
            session = copy.deepcopy(self.sessions.get(session_id))
            items = copy.deepcopy(self._session_extras.get(session_id, {}).get("line_items"))
        if session is None:
            handler.send_body(404, b"No such payment page", {"Content-Type": "text/plain"})
            return
        if handler.command == "POST" and session["status"] == "open":
            action = dict(parse_qsl(body.decode("utf-8", "replace"))).get("action")
            if action == "pay":
                self.complete(session_id)
                location = (session["success_url"] or "").replace(
                    "{CHECKOUT_SESSION_ID}", session_id)
            else:
                location = session["cancel_url"] or ""
            handler.send_body(303, b"", {"Location": location})
            return
        rows = "".join(
            f"<li>{item['quantity']} &times; {html.escape(str(item['description']))}: "
            f"{item['amount_total']} {html.escape(item['currency'])}</li>" for item in items)
        if session["status"] == "open":
            form = (f'<form method="post"><button name="action" value="pay">Pay '
                    f"{session['amount_total']} {html.escape(session['currency'])}</button> "
                    '<button name="action" value="cancel">Cancel</button></form>')
        else:
            form = f"<p>This payment page is {html.escape(session['status'])}.</p>"
        page = (f"<!doctype html><title>Fake Stripe Checkout</title><h1>Fake Stripe Checkout"
                f"</h1><p>{html.escape(session.get('customer_email') or '')}</p><ul>{rows}</ul>"
                f"{form}")
        handler.send_body(200, page.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Run the fake Stripe API.")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhook-url", help="where to deliver events, such as "
                        "http://127.0.0.1:5000/webhooks/stripe")
    parser.add_argument("--webhook-secret", default=WEBHOOK_SECRET)
    args = parser.parse_args(argv)
    fake = FakeStripe(port=args.port).start()
    if args.webhook_url:
        fake.forward_webhooks(args.webhook_url, args.webhook_secret)
    print(f"Fake Stripe API on {fake.url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
