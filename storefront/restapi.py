"""The JSON API's Api object: OpenAPI document, JSON errors only under the API prefix."""

from __future__ import annotations

from contextlib import contextmanager

from flask import current_app, request
from flask_smorest import Api, abort
from werkzeug.exceptions import HTTPException

from .errors import ServiceError


def is_api_request() -> bool:
    """Whether the current request is for the JSON API (or its OpenAPI document)."""
    state = current_app.extensions["storefront"]
    path = request.path
    return any(path == p or path.startswith(p + "/") for p in state.api_paths)


class StorefrontApi(Api):
    """flask-smorest's Api, answering errors as JSON only on the shop's own API paths.

    flask-smorest registers its JSON error handler for the whole app; a host app's
    own pages (and our HTML pages) must keep their usual error pages.
    """

    def _register_error_handlers(self):
        self._app.register_error_handler(HTTPException, self._handle_http_exception)

    def _handle_http_exception(self, error):
        if not is_api_request():
            return current_app.extensions["storefront"].render_html_error(error)
        payload, code, headers = self.handle_http_exception(error)
        payload.setdefault("message", error.description)
        payload.update((getattr(error, "data", None) or {}).get("details") or {})
        if error.code == 405:
            headers = {**headers, "Allow": ", ".join(error.valid_methods or [])}
        if error.code == 429:
            headers = {**headers, **(getattr(error, "data", None) or {}).get("headers", {})}
        return payload, code, headers


@contextmanager
def service_errors():
    """Turn a service's refusal into the API's JSON error with the right status."""
    try:
        yield
    except ServiceError as exc:
        details = dict(exc.details)
        field = details.pop("field", None)
        if field:  # a field the schema could not judge alone, reported like schema errors
            abort(exc.status, message=exc.message, errors={"json": {field: [exc.message]}},
                  details=details)
        abort(exc.status, message=exc.message, details=details)
