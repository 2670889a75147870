"""The JSON API's Api object: OpenAPI document, JSON errors only under the API prefix."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from typing import cast

import marshmallow as ma
from flask import Response, current_app, request
from flask_smorest import Api, Blueprint, abort, error_handler
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from . import inputguard, sharedcache
from .errors import SPECIFIC_REASONS, STATUS_REASONS, ServiceError, status_reason


def is_api_request() -> bool:
    """Whether the current request is for the JSON API (or its OpenAPI document)."""
    state = current_app.extensions["storefront"]
    path = request.path
    return any(path == p or path.startswith(p + "/") for p in state.api_paths)


class ErrorSchema(error_handler.ErrorSchema):
    """An error: its HTTP status, a message for people and a reason for programs; some
    errors add facts of their own (a 409 for stock says how many are `available`)."""

    class Meta:
        unknown = ma.INCLUDE

    reason = ma.fields.String(required=True, metadata={
        "description": "Why, as a machine-readable word that stays stable when the message "
                       "changes. Known values: "
                       + ", ".join(f"`{r}`" for r in (*SPECIFIC_REASONS,
                                                      *dict.fromkeys(STATUS_REASONS.values())))
                       + "; new ones may be added.",
        "example": "out_of_stock"})


class StorefrontApi(Api):
    """flask-smorest's Api, answering errors as JSON only on the shop's own API paths.

    flask-smorest registers its JSON error handler for the whole app; a host app's
    own pages (and our HTML pages) must keep their usual error pages.
    """

    ERROR_SCHEMA = ErrorSchema

    def init_app(self, app, *args, **kwargs):
        """Bind the API, and the refusals of input no part of the shop can hold."""
        super().init_app(app, *args, **kwargs)
        inputguard.init_app(app)

    def _register_error_handlers(self):
        self._app.register_error_handler(HTTPException, self._handle_http_exception)
        self._app.register_error_handler(DBAPIError, self._handle_database_down)
        self._app.register_error_handler(ServiceError, self._handle_service_error)

    def _handle_service_error(self, error: ServiceError):
        """The one place a service's refusal becomes an HTTP answer, when no face caught it
        (a pagination cursor, a schema that asks a service): JSON with its status and
        reason under the API, the shop's error page (or the host's) elsewhere."""
        return self._handle_http_exception(http_error(error))

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
        """An HTTP error as JSON with its `reason` under the API; our page otherwise."""
        if not is_api_request():
            return current_app.extensions["storefront"].render_html_error(error)
        payload, code, headers = self.handle_http_exception(error)
        payload["reason"] = error_reason(error)
        if "message" not in payload:  # webargs names none for the errors it finds
            payload["message"] = WEBARGS_MESSAGES.get(payload["reason"], error.description)
        payload.update((getattr(error, "data", None) or {}).get("details") or {})
        if error.code == 405:
            headers = {**headers, "Allow": ", ".join(error.valid_methods or [])}
        if error.code == 429:
            headers = {**headers, **(getattr(error, "data", None) or {}).get("headers", {})}
        return payload, code, headers


WEBARGS_MESSAGES = {"invalid_fields": "Some fields are not valid; `errors` says which.",
                    "malformed_json": "The body is not valid JSON."}


def error_reason(error: HTTPException) -> str:
    """The `reason` of an API error: the one the refusal named, else one per status."""
    named = (getattr(error, "data", None) or {}).get("reason")
    if named:
        return named
    if error.code == 400 and isinstance(getattr(error, "exc", None), ValueError):
        return "malformed_json"  # webargs could not decode the body
    return status_reason(error.code)


def http_error(exc: ServiceError) -> HTTPException:
    """The API's HTTP error for a service's refusal, with its status and reason."""
    details = dict(exc.details)
    field = details.pop("field", None)
    extra = {}
    if field:  # a field the schema could not judge alone, reported like schema errors
        extra["errors"] = {"json": {field: [exc.message]}}
    try:
        abort(exc.status, message=exc.message, reason=exc.reason, details=details, **extra)
    except HTTPException as error:
        return error
    raise AssertionError("abort() always raises")  # for readers and type checkers


@contextmanager
def service_errors():
    """Turn a service's refusal into the API's JSON error with the right status."""
    try:
        yield
    except ServiceError as exc:
        raise http_error(exc) from exc


def path_key(path: str) -> str:
    """The cache key of a read asked for without a query string: its path, which alone
    decides the answer. `storefront.fastreads` looks such reads up before dispatch."""
    return "path:" + path


def cached_json(blp, schema, key: str, build: Callable[[], object],
                ttl: int | None = None, *, store: bool = True) -> Response:
    """A public read answered from the shared cache: `build()` gives the data (or aborts),
    `schema` dumps it. `key` names the answer (from the parsed arguments); a request with
    no query string is kept under its path instead, so that it can be answered before
    dispatch. The ETag follows the cached bytes, so a 304 costs no database. With `store`
    false an answer the cache holds is still used, but a missing one is not kept."""
    def dump() -> bytes:
        return cast(Response, current_app.json.response(schema.dump(build()))).get_data()

    if not request.query_string:
        key = path_key(request.path)
    entry = sharedcache.fetch(key, dump, ttl, store=store)
    blp.set_etag(entry.tag)  # sent as response_etag(entry.tag)
    return current_app.response_class(entry.body, mimetype="application/json")


def response_etag(tag: str) -> str:
    """The ETag header flask-smorest sends for `set_etag(tag)`."""
    return Blueprint._generate_etag(tag)


def read_before_dispatch(view_class: type) -> type:
    """Mark a MethodView whose GET answers with `cached_json`: `storefront.fastreads` may
    then answer its cached reads without running it."""
    setattr(view_class, "storefront_cached_read", True)  # noqa: B010 (a mark on any class)
    return view_class


# Safe edits on the staff API: a versioned row is read with its version as the `ETag` and
# changed with `If-Match` naming it (see storefront/versioning.py for the rules).
IF_MATCH_DOC = {"parameters": [{
    "in": "header", "name": "If-Match", "schema": {"type": "string"},
    "description": "The ETag of your last read; a stale one is refused with 412."}]}


def version_etag(version: int) -> str:
    """The ETag of a row's version: a strong tag holding the number."""
    return f'"{version}"'


def if_match() -> int | None:
    """The version named by `If-Match`, None when there is none; one that names no
    version (`*`, a list, any other text) can match nothing, so it reads as -1."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    tag = header.removeprefix("W/").strip().strip('"')
    return int(tag) if tag.isdigit() and len(tag) < 10 else -1
