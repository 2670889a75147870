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
