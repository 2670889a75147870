"""Plain values of payments and orders that cross the plugin boundary: what a payment
provider is asked and answers, and what order notifications receive. `plugins.types`
re-exports them all."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "PaymentSettings", "CheckoutLine", "Address", "ShippingOption", "TaxPolicy",
    "CheckoutRequest", "CheckoutRedirect", "PaymentSessionState", "PaymentEvent",
    "RefundResult", "CancelResult", "PaymentProviderError", "WebhookVerificationError",
    "OrderLineSummary", "OrderSummary", "FulfilmentSummary", "RefundSummary", "ShopInfo",
]

# ---------------------------------------------------------------------------
# Payments
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PaymentSettings:
    """What a payment provider needs to know of the shop's settings."""

    secret_key: str = ""
    webhook_secret: str = ""
    api_base: str = ""  # another server for the provider's API, such as a local fake
    site_url: str = ""  # base address of the shop's pages (public base URL and pages prefix)
    webhook_url: str = ""  # where this provider's webhooks are received
    environment: str = ""  # the shop's STOREFRONT_ENV: "production", "development", "testing"


@dataclass(frozen=True, slots=True)
class CheckoutLine:
    """One line of an order as the payment page shows it."""

    sku: str
    name: str
    quantity: int
    unit_amount: int  # minor units
    currency: str


@dataclass(frozen=True, slots=True)
class Address:
    """A shipping address; `country` is an ISO 3166-1 alpha-2 code ("US")."""

    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""
    region: str = ""  # state, province or county, where the country has them
    phone: str = ""


@dataclass(frozen=True, slots=True)
class ShippingOption:
    """A shipping method the payment page may offer, priced for this order."""

    id: str  # the shop's id of the method; comes back as the event's `shipping_rate`
    name: str
    amount: int  # minor units, for this order (0 when it ships free above a subtotal)
    currency: str
    countries: tuple[str, ...]  # where it ships
    estimate: str = ""  # "3-5 business days"
    min_days: int | None = None
    max_days: int | None = None


@dataclass(frozen=True, slots=True)
class TaxPolicy:
    """How tax is charged: computed by the provider (`automatic`, Stripe Tax), or a rate
    per country in basis points (2000 = 20%), added to prices or `inclusive` in them."""

    automatic: bool = False
    inclusive: bool = False
    rates: tuple[tuple[str, int], ...] = ()

    def rate_for(self, country: str) -> int:
        """The rate for `country` in basis points; 0 where none is set."""
        return dict(self.rates).get(country.upper(), 0)

    def tax_on(self, amount: int, country: str) -> int:
        """The tax on `amount` (minor units) for `country`, rounded half up to a minor
        unit: added to `amount` unless inclusive, else the part of `amount` that is tax."""
        rate = self.rate_for(country)
        if not rate or amount <= 0:
            return 0
        if self.inclusive:
            return (amount * rate * 2 + (10_000 + rate)) // (2 * (10_000 + rate))
        return (amount * rate * 2 + 10_000) // 20_000


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    """An order waiting for payment, as handed to a payment provider.

    `total_amount` is what the goods cost, less any discount; the payment page adds the
    shipping option the shopper picks and the tax for the address they give."""

    order_number: str
    email: str
    currency: str
    total_amount: int  # minor units: lines less `discount_amount`
    lines: tuple[CheckoutLine, ...]
    success_url: str  # may contain {CHECKOUT_SESSION_ID}
    cancel_url: str
    expires_at: int  # Unix time after which the payment page stops taking payment
    discount_amount: int = 0
    shipping_options: tuple[ShippingOption, ...] = ()  # none: nothing to ship
    shipping_countries: tuple[str, ...] = ()  # where the shop ships at all
    collect_phone: bool = False
    tax: TaxPolicy = TaxPolicy()


@dataclass(frozen=True, slots=True)
class CheckoutRedirect:
    """Where to send the shopper to pay, and the provider's id for that payment page."""

    provider: str
    session_id: str
    url: str
    # The provider's ids of the shipping options it made, as (its id, `ShippingOption.id`),
    # for providers whose events name the rate chosen by their own id.
    shipping_rates: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class PaymentSessionState:
    """What the provider says about a payment page now (for confirmation and reconciliation)."""

    provider: str
    session_id: str
    order_number: str | None
    status: str  # "open", "complete" or "expired"
    payment_status: str  # "paid", "unpaid" or "no_payment_required"
    amount_total: int | None = None
    currency: str | None = None
    payment_intent: str | None = None  # the provider's id of the payment itself
    amount_subtotal: int | None = None  # the goods, before shipping, tax and discount
    shipping_amount: int | None = None
    tax_amount: int | None = None
    discount_amount: int | None = None
    shipping_rate: str | None = None  # the chosen option: its id at the provider, or ours
    shipping_address: Address | None = None


@dataclass(frozen=True, slots=True)
class PaymentEvent:
    """A verified, normalised event from a payment provider.

    `kind` is what it means for the order: "paid", "failed", "expired", "refunded",
    "partially_refunded" or "ignored"; `raw_type` keeps the provider's own name
    (such as `checkout.session.completed`). `event_id` is unique per provider and is
    applied at most once.
    """

    provider: str
    event_id: str
    kind: str
    raw_type: str
    order_number: str | None = None
    session_id: str | None = None
    payment_status: str | None = None
    amount: int | None = None
    currency: str | None = None
    created: int | None = None
    return_to: str | None = None  # a hosted page's browser goes here afterwards (same site)
    payment_intent: str | None = None  # the provider's id of the payment (refunds name it)
    # On "paid": the provider's own figures, which the order takes as what was charged.
    amount_subtotal: int | None = None
    shipping_amount: int | None = None
    tax_amount: int | None = None
    discount_amount: int | None = None
    shipping_rate: str | None = None
    shipping_address: Address | None = None


@dataclass(frozen=True, slots=True)
class RefundResult:
    """What a provider did with a refund: its id for the refund, how much, and its state."""

    provider: str
    refund_id: str
    amount: int  # minor units
    currency: str
    status: str  # "succeeded", "pending" or "failed", as the provider says


@dataclass(frozen=True, slots=True)
class CancelResult:
    """What a provider did when asked to cancel a payment that has not been paid.

    `cancelled` is true once the payment can no longer be taken; `paid` is true when it
    had been taken already (then nothing was cancelled, and the order needs a refund)."""

    provider: str
    cancelled: bool
    paid: bool = False


class PaymentProviderError(Exception):
    """The provider could not be reached or refused the request; the message is for logs."""


class WebhookVerificationError(Exception):
    """A webhook whose signature is missing, wrong or too old."""


# ---------------------------------------------------------------------------
# Orders
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class OrderLineSummary:
    """One line of a placed order."""

    sku: str
    name: str
    quantity: int
    unit_amount: int
    currency: str


@dataclass(frozen=True, slots=True)
class OrderSummary:
    """A placed order, as notification plugins see it."""

    number: str
    email: str
    status: str
    total_amount: int
    currency: str
    lines: tuple[OrderLineSummary, ...]
    review_key: str = ""  # the buyer's proof of purchase, for review links in emails
    subtotal_amount: int = 0
    shipping_amount: int = 0
    shipping_method: str | None = None
    tax_amount: int = 0
    tax_inclusive: bool = False
    discount_amount: int = 0
    refunded_amount: int = 0
    shipping_address: Address | None = None
    url: str = ""  # the order's page, with the shopper's key to it


@dataclass(frozen=True, slots=True)
class FulfilmentSummary:
    """A parcel sent: what the shipped email tells."""

    carrier: str
    tracking_number: str
    tracking_url: str


@dataclass(frozen=True, slots=True)
class RefundSummary:
    """A refund made: how much, and whether anything of the order is left paid."""

    amount: int
    currency: str
    refunded_total: int
    full: bool


@dataclass(frozen=True, slots=True)
class ShopInfo:
    """What a notification plugin may know of the shop: its name and its pages' address."""

    name: str  # SHOP_NAME, as customers see it ("Better Band" in the demo)
    site_url: str  # base address of the shop's pages (root-relative without a base URL)
    environment: str = ""  # the shop's STOREFRONT_ENV
