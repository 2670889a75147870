"""The JSON API's Api object: OpenAPI document, JSON errors only under the API prefix."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

from flask import Response, current_app, request
from flask_smorest import Api, Blueprint, abort
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from . import sharedcache
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
        self._app.register_error_handler(DBAPIError, self._handle_database_down)

    def _handle_database_down(self, error: DBAPIError):
        """A database that dropped the connection or does not answer (a restart, a
        failover) is a 503 to try again shortly, in the usual form; anything else a
        database refuses stays an error of ours."""
        if not (isinstance(error, OperationalError) or error.connection_invalidated):
            raise error
        current_app.logger.warning("database unavailable: %s", error.orig)
        unavailable = ServiceUnavailable(
            "The shop cannot reach its database just now; please try again in a few seconds.")
        response = current_app.make_response(current_app.handle_http_exception(unavailable))
        response.headers["Retry-After"] = "5"
        return response

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


def path_key(path: str) -> str:
    """The cache key of a read asked for without a query string: its path, which alone
    decides the answer. `storefront.fastreads` looks such reads up before dispatch."""
    return "path:" + path


def cached_json(blp, schema, key: str, build: Callable[[], object],
                ttl: int | None = None) -> Response:
    """A public read answered from the shared cache: `build()` gives the data (or aborts),
    `schema` dumps it. `key` names the answer (from the parsed arguments); a request with
    no query string is kept under its path instead, so that it can be answered before
    dispatch. The ETag follows the cached bytes, so a 304 costs no database."""
    if not request.query_string:
        key = path_key(request.path)
    entry = sharedcache.fetch(
        key, lambda: current_app.json.response(schema.dump(build())).get_data(), ttl)
    blp.set_etag(entry.tag)  # sent as response_etag(entry.tag)
    return current_app.response_class(entry.body, mimetype="application/json")


def response_etag(tag: str) -> str:
    """The ETag header flask-smorest sends for `set_etag(tag)`."""
    return Blueprint._generate_etag(tag)


def read_before_dispatch(view_class: type) -> type:
    """Mark a MethodView whose GET answers with `cached_json`: `storefront.fastreads` may
    then answer its cached reads without running it."""
    view_class.storefront_cached_read = True
    return view_class
