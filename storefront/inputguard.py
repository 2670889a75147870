"""Refusals of request input that no part of the shop can hold, before any view reads it.

- A NUL character in a path segment (a slug, a sku, a token, an order number) names
  nothing the shop has, and PostgreSQL refuses to even compare text holding one: 404.
- A NUL character in a page form's field: 400 (API bodies are judged by their schemas,
  which answer 422 with the field; see `storefront.schemas.InputSchema`).
- A JSON body under the API nested deeper than `MAX_JSON_DEPTH`, or holding a number of
  more than `MAX_NUMBER_DIGITS` digits: 400 with reason `malformed_json`. The body is
  parsed here once with those bounds, so the parser that follows (webargs') never meets
  nesting that would exhaust the recursion limit (a `RecursionError`, so a 500) nor an
  integer Python refuses to convert (more than 4,300 digits: a `ValueError`, so a 500).

A body larger than Flask's `MAX_CONTENT_LENGTH` is a 413 (reason `body_too_large`) before
anything reads it. A chunked body (no `Content-Length`) is read through werkzeug's limit
when the server marks its input as terminated (gunicorn and werkzeug's server do; others
hand Flask an empty body): werkzeug stops reading at the limit but then returns what it
read, cut short, so a chunked body that reaches the limit is refused here rather than
handed on truncated. Reading stops at the limit either way.
"""

from __future__ import annotations

import json

from flask import current_app, request
from flask_smorest import abort
from webargs.core import is_json
from werkzeug.exceptions import RequestEntityTooLarge

from .config import MAX_BODY_BYTES

MAX_JSON_DEPTH = 32
MAX_NUMBER_DIGITS = 100
NUL = "\x00"


def init_app(app) -> None:
    """Check every request to the shop's own routes (a host app's routes are left alone)."""
    app.url_value_preprocessor(refuse_nul_in_path)
    app.before_request(refuse_unusable_body)


def _ours() -> bool:
    """Whether the request is for one of the shop's blueprints (API, pages, assets)."""
    return request.blueprint in current_app.extensions["storefront"].blueprint_names


def refuse_nul_in_path(endpoint, values) -> None:
    """A path segment holding a NUL character names nothing: 404."""
    if values and _ours() and any(NUL in v for v in values.values() if isinstance(v, str)):
        abort(404, message="Nothing here: the address holds a NUL character.")


def refuse_unusable_body() -> None:
    """Refuse a page form with a NUL character, or an API JSON body too deep or with
    absurdly long numbers, before a view reads either."""
    if request.method in ("GET", "HEAD", "OPTIONS") or not _ours():
        return
    _refuse_oversized_body()
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        request.get_data(cache=True)  # kept, so a view may still read the raw body after
        if any(NUL in value for _, value in request.form.items(multi=True)):
            abort(400, message="A form field holds a NUL character, which the shop cannot "
                               "keep. Please remove it and send the form again.")
    elif is_json(request.mimetype):
        problem = json_problem(request.get_data(cache=True))
        if problem:
            abort(400, message=problem, reason="malformed_json")


def _refuse_oversized_body() -> None:
    """413 for a body over the limit, whether it announced its length or came chunked."""
    limit = request.max_content_length
    if limit is None:  # a host app that set no limit of its own: the shop's routes keep one
        limit = request.max_content_length = MAX_BODY_BYTES
    too_large = (request.content_length or 0) > limit
    if (not too_large and request.content_length is None
            and request.environ.get("wsgi.input_terminated")):
        try:
            too_large = len(request.get_data(cache=True)) >= limit  # read up to the limit
        except RequestEntityTooLarge:
            too_large = True
    if too_large:
        abort(413, message=f"The request body is larger than the shop accepts ({limit:,} "
                           "bytes).", reason="body_too_large")


def json_problem(body: bytes) -> str | None:
    """Why a JSON body cannot be accepted, or None (also for bodies that are not JSON
    at all: refusing those is the parser's job, with its usual message)."""
    try:
        value = json.loads(body, parse_int=_bounded_int)
    except RecursionError:  # the C parser recursed past the interpreter's limit
        return _too_deep()
    except _NumberTooLong:
        return (f"A number in the JSON body has more than {MAX_NUMBER_DIGITS} digits; "
                "no field of this API takes one so long.")
    except ValueError:  # not JSON (or not UTF-8): the arguments parser answers that
        return None
    return _too_deep() if _depth_exceeds(value, MAX_JSON_DEPTH) else None


def _too_deep() -> str:
    return f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep."


class _NumberTooLong(ValueError):
    """An integer literal longer than `MAX_NUMBER_DIGITS` digits."""


def _bounded_int(literal: str) -> int:
    """`int()` for JSON integer literals, refusing long ones before converting them."""
    if len(literal.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _NumberTooLong(literal[:20])
    return int(literal)


def _depth_exceeds(value, limit: int) -> bool:
    """Whether arrays and objects nest deeper than `limit` (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False
