"""Errors that services raise and faces turn into statuses (API) or messages (pages)."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the rules refuse; `status` is the HTTP status the API answers with."""

    status = 400

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFoundError(ServiceError):
    """Nothing by that token, number, slug or sku."""

    status = 404


class ConflictError(ServiceError):
    """The request conflicts with the current state (stock, empty cart, order status)."""

    status = 409


class InvalidError(ServiceError):
    """A value the rules do not accept."""

    status = 422


class UpstreamError(ServiceError):
    """The payment provider failed; nothing was kept."""

    status = 502
