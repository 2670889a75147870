"""Errors that services raise and faces turn into statuses (API) or messages (pages)."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the rules refuse; `status` is the HTTP status the API answers with, and
    `reason` the machine-readable word for why (`out_of_stock`, `cart_not_found` ...),
    which the API sends beside `code`, `status` and `message`."""

    status = 400
    reason = "bad_request"

    def __init__(self, message: str, *, reason: str | None = None, **details):
        super().__init__(message)
        self.message = message
        if reason is not None:
            self.reason = reason
        self.details = details


class NotFoundError(ServiceError):
    """Nothing by that token, number, slug or sku."""

    status = 404
    reason = "not_found"


class ConflictError(ServiceError):
    """The request conflicts with the current state (stock, empty cart, order status)."""

    status = 409
    reason = "conflict"


class InvalidError(ServiceError):
    """A value the rules do not accept."""

    status = 422
    reason = "invalid"


class UpstreamError(ServiceError):
    """The payment provider failed; nothing was kept."""

    status = 502
    reason = "payment_provider_unavailable"


# The `reason` an API error carries when whoever refused did not name one: one word per
# HTTP status, so a client can always branch on `reason` alone.
STATUS_REASONS = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 409: "conflict",
    412: "precondition_failed", 413: "body_too_large", 415: "unsupported_media_type",
    422: "invalid_fields", 428: "precondition_required", 429: "rate_limited",
    500: "internal_error", 502: "bad_gateway", 503: "service_unavailable",
}

# Reasons named where a refusal happens (`ServiceError(..., reason=...)`, `abort(...,
# reason=...)`), beside the defaults of the error classes and of `STATUS_REASONS`. The
# OpenAPI document lists them; a test checks that every reason the code names is here.
SPECIFIC_REASONS = (
    "malformed_json", "invalid_cursor", "unknown_source", "invalid",
    "cart_not_found", "line_not_found", "variant_not_found", "order_not_found",
    "out_of_stock", "quantity_out_of_range", "cart_empty", "currency_mismatch",
    "hold_limit", "hold_expired", "order_number_taken", "order_not_paid", "invalid_proof",
    "payment_provider_unavailable", "invalid_countries", "shipping_method_not_found",
    "slug_taken", "sku_taken", "not_for_sale",
    "discount_unknown", "discount_not_started", "discount_expired", "discount_used_up",
    "discount_below_minimum", "discount_code_taken",
)


def status_reason(code: int | None) -> str:
    """The default `reason` of an error with this HTTP status."""
    return STATUS_REASONS.get(code or 500) or ("bad_request" if (code or 500) < 500
                                                else "internal_error")
