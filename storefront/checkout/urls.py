"""Where the payment page sends shoppers back to, signed so only the payer's browser has it."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ..urls import public_url

SALT = "checkout-return"


def site_url() -> str:
    """Base address of the shop's pages."""
    return public_url(current_app.config["STOREFRONT_PAGES_PREFIX"].rstrip("/"))


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def return_urls(order_number: str) -> tuple[str, str]:
    """(success_url, cancel_url) for one order; success carries the provider's session id."""
    signed = _serializer().dumps(order_number)
    config = current_app.config
    success = config.get("STOREFRONT_CHECKOUT_SUCCESS_URL") or (
        site_url() + "/checkout/success/{signed}?session_id={{CHECKOUT_SESSION_ID}}")
    cancel = config.get("STOREFRONT_CHECKOUT_CANCEL_URL") or (
        site_url() + "/checkout/cancel/{signed}")
    return success.format(signed=signed), cancel.format(signed=signed)


def order_number_from(signed: str) -> str | None:
    """The order number in a return address, or None if it was not signed by us."""
    try:
        value = _serializer().loads(signed)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None
