"""A product page in the product's own words: its options, its kind, its prices."""

from __future__ import annotations

from ..money import format_money

# Option names whose plural is not a plain "s": how the variants table is captioned.
PLURALS = {"resistance": "Resistance levels", "colour": "Colours", "color": "Colors"}


def option_plural(name: str) -> str:
    """"Size" -> "Sizes", "Resistance" -> "Resistance levels"."""
    known = PLURALS.get(name.lower())
    if known:
        return known
    if name.endswith(("s", "x", "ch", "sh")):
        return name + "es"
    return name + "s"


def table_caption(options: list[str]) -> str:
    """The variants table's caption: "Sizes and prices", "Options and prices" or "Prices"."""
    if len(options) == 1:
        return f"{option_plural(options[0])} and prices"
    return "Options and prices" if options else "Prices"


def select_label(options: list[str]) -> str:
    """What the variant selector is labelled: the option's own name, else "Option"."""
    return options[0] if len(options) == 1 else "Option"


def option_text(variant: dict, name: str) -> str:
    """A variant's value for one option; a band's resistance keeps its fuller text."""
    if name == "Resistance" and variant.get("resistance"):
        return variant["resistance"]
    return variant.get("options", {}).get(name) or "—"


def saving(variant: dict) -> dict | None:
    """A compare-at price as a saving: {was, save} formatted, or None when there is none."""
    was = variant.get("compare_at_price")
    price = variant["price"]
    if not was or was["amount"] <= price["amount"]:
        return None
    return {"was": was["formatted"],
            "save": format_money(was["amount"] - price["amount"], price["currency"])}


def choice_text(variant: dict) -> str:
    """A variant as the selector offers it: "Medium – $21.99", saying when it is out."""
    text = f"{variant['name']} – {variant['price']['formatted']}"
    return text if variant["in_stock"] else text + " (out of stock)"
