"""The private library names the shop still relies on are there.

Each is listed, with why it is used, in docs/performance.md ("Private library names
still in use"). A library upgrade that renames one fails here, by name, instead of
somewhere deep in a request; the fix is then to follow the library or drop the trick.
"""

from __future__ import annotations

import inspect

import flask_limiter._extension
import pytest
from flask import Flask
from flask.cli import FlaskGroup
from flask_limiter import Limiter
from flask_smorest import Api, Blueprint

PRIVATE_METHODS = [
    (Limiter, "_check_request_limit", "the app-wide limit check the shop takes out"),
    (Api, "_register_error_handlers", "JSON errors under the API paths only"),
    (Blueprint, "_generate_etag", "the ETag fastreads sends for a cached entry"),
    (FlaskGroup, "_load_plugin_commands", "commands listed when the settings are incomplete"),
]


@pytest.mark.parametrize(("owner", "name", "why"), PRIVATE_METHODS,
                         ids=[f"{owner.__name__}.{name}" for owner, name, _ in PRIVATE_METHODS])
def test_private_methods_the_shop_uses_still_exist(owner, name, why):
    assert callable(getattr(owner, name, None)), (
        f"{owner.__module__}.{owner.__name__}.{name} is gone ({why}); see docs/performance.md")


def test_private_attributes_the_shop_uses_still_exist():
    app = Flask(__name__)
    limiter = Limiter(key_func=lambda: "x", app=app, storage_uri="memory://")
    api = Api(app, spec_kwargs={"title": "t", "version": "1", "openapi_version": "3.0.3"})
    assert isinstance(getattr(limiter, "_storage_dead", None), bool), (
        "Limiter._storage_dead is gone (each app starts trusting its own limit storage)")
    assert getattr(api, "_app", None) is app, (
        "Api._app is gone (the shop's error handlers register on it)")
    assert "_limiter_request_context" in inspect.getsource(flask_limiter._extension), (
        "flask-limiter keeps its per-request state elsewhere now: the shop's after-request "
        "and teardown hooks skip requests without `_limiter_request_context`")
