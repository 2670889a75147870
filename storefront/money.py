"""Money is an integer amount in minor units plus a currency code; this is where it is formatted."""

from __future__ import annotations

from dataclasses import dataclass

# Symbol and number of minor-unit digits for the currencies we format by hand.
CURRENCIES = {
    "usd": ("$", 2),
    "eur": ("€", 2),
    "gbp": ("£", 2),
    "cad": ("CA$", 2),
    "aud": ("A$", 2),
    "jpy": ("¥", 0),
}


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units of one currency."""

    amount: int
    currency: str

    def __post_init__(self):
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount must be an integer number of minor units")

    @property
    def formatted(self) -> str:
        """Human-readable form, such as `$24.99`."""
        return format_money(self.amount, self.currency)

    def as_dict(self) -> dict:
        """The API's money object."""
        return {"amount": self.amount, "currency": self.currency, "formatted": self.formatted}


def format_money(amount: int, currency: str) -> str:
    """Format minor units for people: 2499, "usd" -> "$24.99"."""
    symbol = CURRENCIES.get(currency.lower(), (currency.upper() + " ", 2))[0]
    sign, whole, minor = _parts(amount, currency)
    return f"{sign}{symbol}{whole:,}{minor}"


def decimal_amount(amount: int, currency: str) -> str:
    """Minor units as a plain decimal, for machines: 2499 usd -> `24.99`, 500 jpy -> `500`."""
    sign, whole, minor = _parts(amount, currency)
    return f"{sign}{whole}{minor}"


def _parts(amount: int, currency: str) -> tuple[str, int, str]:
    """Sign, whole units and `.minor` (empty for a currency without minor units)."""
    digits = CURRENCIES.get(currency.lower(), ("", 2))[1]
    whole, minor = divmod(abs(amount), 10**digits)
    return ("-" if amount < 0 else ""), whole, (f".{minor:0{digits}d}" if digits else "")
