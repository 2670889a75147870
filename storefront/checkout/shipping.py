"""Shipping methods, the options an order is offered, tax, and the address an order ships to.

Methods are staff's (stored in `shipping_method`); an order is offered the active methods
that ship to at least one of the shop's countries (`SHIPPING_COUNTRIES`), each priced for
its subtotal (free at or above `free_above`). The payment page takes the address and the
choice; the order keeps both, with the provider's own figures, once it is paid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from plugins.types import Address, ShippingOption, TaxPolicy

from ..errors import InvalidError, NotFoundError
from ..money import Money
from ..orders.models import Order, ShippingMethod
from ..settings import Settings

# Stripe Checkout takes at most five shipping options.
MAX_OPTIONS = 5
ADDRESS_LIMITS = {"name": 200, "line1": 200, "line2": 200, "city": 120, "postal_code": 20,
                  "region": 120, "country": 2, "phone": 40}
REQUIRED_ADDRESS_FIELDS = ("name", "line1", "city", "postal_code", "country")

# The demo's methods (`storefront seed-demo`), in the demo's currency.
DEMO_METHODS = (
    {"name": "Standard", "amount": 499, "estimate": "3-5 business days", "min_days": 3,
     "max_days": 5, "countries": "US,CA", "free_above": 5000, "position": 0},
    {"name": "Express", "amount": 1499, "estimate": "1-2 business days", "min_days": 1,
     "max_days": 2, "countries": "US", "free_above": None, "position": 1},
)


@dataclass(frozen=True)
class ShippingQuote:
    """A method as the cart shows it: its price for this subtotal, and where it goes."""

    id: int
    name: str
    amount: int
    currency: str
    estimate: str
    countries: tuple[str, ...]
    min_days: int | None = None
    max_days: int | None = None

    def as_option(self) -> ShippingOption:
        return ShippingOption(id=str(self.id), name=self.name, amount=self.amount,
                              currency=self.currency, countries=self.countries,
                              estimate=self.estimate, min_days=self.min_days,
                              max_days=self.max_days)


def tax_policy(settings: Settings) -> TaxPolicy:
    """How the payment page charges tax: Stripe Tax when asked for, else TAX_RATES."""
    return TaxPolicy(automatic=settings.stripe_automatic_tax, inclusive=settings.tax_inclusive,
                     rates=tuple(sorted(settings.tax_rate_table.items())))


def tax_note(settings: Settings) -> str:
    """What the cart says about tax before the address is known."""
    if settings.tax_inclusive and (settings.stripe_automatic_tax or settings.tax_rates):
        return "prices include tax"
    if settings.stripe_automatic_tax:
        return "tax is worked out from your address there"
    if settings.tax_rate_table:
        countries = ", ".join(sorted(settings.tax_rate_table))
        return f"tax is added there for addresses in {countries}"
    return ""


def active_methods(session) -> list[ShippingMethod]:
    return list(session.scalars(select(ShippingMethod).where(ShippingMethod.active)
                                .order_by(ShippingMethod.position, ShippingMethod.id)))


def quotes(session, *, subtotal: int, currency: str,
           settings: Settings) -> list[ShippingQuote]:
    """The methods an order of `subtotal` may ship by, cheapest first, at most five."""
    allowed = set(settings.shipping_countries)
    found = []
    for method in active_methods(session):
        if method.currency.lower() != currency.lower():
            continue
        countries = tuple(c for c in method.country_codes if c in allowed)
        if not countries:
            continue
        free = method.free_above is not None and subtotal >= method.free_above
        found.append(ShippingQuote(id=method.id, name=method.name,
                                   amount=0 if free else method.amount,
                                   currency=method.currency.lower(),
                                   estimate=method.estimate, countries=countries,
                                   min_days=method.min_days, max_days=method.max_days))
    found.sort(key=lambda quote: quote.amount)
    return found[:MAX_OPTIONS]


def checkout_options(session, *, subtotal: int, currency: str,
                     settings: Settings) -> tuple[ShippingOption, ...]:
    """The options handed to the payment page, with the methods' delivery estimates."""
    return tuple(quote.as_option() for quote in quotes(session, subtotal=subtotal,
                                                         currency=currency, settings=settings))


def address_from(data: Mapping[str, Any] | Address | None) -> Address | None:
    """An `Address` from a provider's dict (or one already), trimmed; None when empty."""
    if data is None:
        return None
    if isinstance(data, Address):
        return data
    values = {key: str(data.get(key) or "").strip()[:limit]
              for key, limit in ADDRESS_LIMITS.items()}
    values["country"] = values["country"].upper()
    if not any(values.values()):
        return None
    return Address(**values)


def address_problems(address: Address | None, settings: Settings, *,
                     method_countries: tuple[str, ...] | None = None) -> dict[str, str]:
    """What is wrong with an address for this shop, per field; empty when it will do."""
    if address is None:
        return {"address": "A shipping address is needed."}
    problems = {field: "This is required." for field in REQUIRED_ADDRESS_FIELDS
                if not getattr(address, field)}
    if settings.shipping_phone and not address.phone:
        problems["phone"] = "A phone number is needed for the delivery."
    if address.country and address.country not in settings.shipping_countries:
        problems["country"] = (f"We do not ship to {address.country}; we ship to "
                               f"{', '.join(settings.shipping_countries)}.")
    elif address.country and method_countries is not None \
            and address.country not in method_countries:
        problems["shipping"] = (f"This shipping method does not deliver to "
                                f"{address.country}.")
    return problems


def apply_address(order: Order, address: Address | None) -> None:
    """Copy an address onto an order (None leaves the order without one)."""
    if address is None:
        return
    order.ship_name, order.ship_line1, order.ship_line2 = \
        address.name, address.line1, address.line2 or None
    order.ship_city, order.ship_postal_code = address.city, address.postal_code
    order.ship_region, order.ship_country = address.region or None, address.country
    order.ship_phone = address.phone or None


def order_address(order: Order) -> Address | None:
    """The address an order ships to, or None."""
    if not order.ship_country:
        return None
    return Address(name=order.ship_name or "", line1=order.ship_line1 or "",
                   line2=order.ship_line2 or "", city=order.ship_city or "",
                   postal_code=order.ship_postal_code or "", region=order.ship_region or "",
                   country=order.ship_country, phone=order.ship_phone or "")


# --- staff -----------------------------------------------------------------------------

def list_methods(session) -> list[ShippingMethod]:
    return list(session.scalars(select(ShippingMethod)
                                .order_by(ShippingMethod.position, ShippingMethod.id)))


def create_method(session, data: Mapping[str, Any], *, currency: str) -> ShippingMethod:
    """A new method from checked input (`ShippingMethodSchema`); the caller commits."""
    countries = [c.upper() for c in data["countries"]]
    if not countries:
        raise InvalidError("Name at least one country.", reason="invalid_countries",
                           field="countries")
    position = session.scalar(select(func.coalesce(func.max(ShippingMethod.position), -1)))
    method = ShippingMethod(name=data["name"], amount=data["amount"], currency=currency,
                            estimate=data.get("estimate") or "",
                            min_days=data.get("min_days"), max_days=data.get("max_days"),
                            countries=",".join(countries), free_above=data.get("free_above"),
                            active=data.get("active", True), position=position + 1)
    session.add(method)
    session.flush()
    return method


def update_method(session, method_id: int, data: Mapping[str, Any]) -> ShippingMethod:
    """Change some fields of a method; the caller commits."""
    method = session.get(ShippingMethod, method_id)
    if method is None:
        raise NotFoundError("No such shipping method.", reason="shipping_method_not_found")
    for key, value in data.items():
        if key == "countries":
            value = ",".join(c.upper() for c in value)
        setattr(method, key, value)
    session.flush()
    return method


def seed_demo_methods(session, currency: str = "usd") -> int:
    """The two demo methods, unless any method exists already; returns how many were added."""
    if session.scalar(select(func.count()).select_from(ShippingMethod)):
        return 0
    for spec in DEMO_METHODS:
        session.add(ShippingMethod(currency=currency, active=True, **spec))
    session.flush()
    return len(DEMO_METHODS)


def method_dict(method: ShippingMethod) -> dict:
    """A method as the staff API shows it."""
    return {"id": method.id, "name": method.name,
            "amount": Money(method.amount, method.currency).as_dict(),
            "estimate": method.estimate, "min_days": method.min_days,
            "max_days": method.max_days, "countries": list(method.country_codes),
            "free_above": (Money(method.free_above, method.currency).as_dict()
                           if method.free_above is not None else None),
            "active": method.active}
