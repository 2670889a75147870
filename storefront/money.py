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


def parse_money(text: str, currency: str) -> int:
    """What a person types as a price ("4.99", "1,299", "$5") in minor units: 499.

    Raises ValueError for anything else: more decimals than the currency has, a sign,
    letters."""
    digits = CURRENCIES.get(currency.lower(), ("", 2))[1]
    symbol = CURRENCIES.get(currency.lower(), ("", 2))[0]
    cleaned = text.strip().removeprefix(symbol).replace(",", "").strip()
    whole, _, minor = cleaned.partition(".")
    if not whole.isdigit() and not (whole == "" and minor):
        raise ValueError(text)
    if minor and (not minor.isdigit() or len(minor) > digits):
        raise ValueError(text)
    return int(whole or 0) * 10**digits + int((minor or "0").ljust(digits, "0")[:digits] or 0)
