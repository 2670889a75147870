"""Where the payment page sends shoppers back to, signed so only the payer's browser has it."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

from ..settings import Settings

SALT = "checkout-return"


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)


def return_urls(settings: Settings, order_number: str) -> tuple[str, str]:
    """(success_url, cancel_url) for one order; success carries the provider's session id.

    `STOREFRONT_CHECKOUT_SUCCESS_URL` and `..._CANCEL_URL` replace the reference pages'
    addresses, with `{signed}` where the signed order number goes."""
    signed = _serializer(settings.secret_key).dumps(order_number)
    success = settings.checkout_success_url or (
        settings.site_url + "/checkout/success/{signed}?session_id={{CHECKOUT_SESSION_ID}}")
    cancel = settings.checkout_cancel_url or settings.site_url + "/checkout/cancel/{signed}"
    return success.format(signed=signed), cancel.format(signed=signed)


def order_number_from(signed: str, secret_key: str) -> str | None:
    """The order number in a return address, or None if it was not signed by us."""
    try:
        value = _serializer(secret_key).loads(signed)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def order_page_url(settings: Settings, order_number: str) -> str:
    """The order's page, for its emails: the success page without the provider's session
    id; only whoever holds the link (signed with the shop's key) can open it."""
    success, _ = return_urls(settings, order_number)
    return success.replace("session_id={CHECKOUT_SESSION_ID}", "").rstrip("?&")
