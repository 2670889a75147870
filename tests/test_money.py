"""Money formatting."""

import pytest

from storefront.money import Money, format_money


@pytest.mark.parametrize(("amount", "currency", "text"), [
    (2499, "usd", "$24.99"), (5, "usd", "$0.05"), (123456789, "eur", "€1,234,567.89"),
    (-150, "gbp", "-£1.50"), (500, "jpy", "¥500"), (1000, "chf", "CHF 10.00"),
])
def test_format_money(amount, currency, text):
    assert format_money(amount, currency) == text


def test_money_is_whole_minor_units_only():
    assert Money(2499, "usd").as_dict() == {"amount": 2499, "currency": "usd",
                                            "formatted": "$24.99"}
    with pytest.raises(TypeError):
        Money(24.99, "usd")
    with pytest.raises(TypeError):
        Money(True, "usd")
