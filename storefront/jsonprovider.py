"""JSON answers encoded by orjson, through Flask's documented JSON provider seam.

Every API answer is encoded once per build (a product's document, a page of the list, a
cart after each add). Flask's default provider spends about 25 µs encoding a product
detail with the standard library and about 45 µs building the response; orjson encodes
it in about 5 (docs/performance.md). The output keeps Flask's conventions: keys sorted,
compact, a closing newline, and anything orjson does not know natively (dates as HTTP
dates, dataclasses, `Decimal`, objects with `__html__`) handed to Flask's own `default`,
so the bytes differ only in that text outside ASCII is sent as UTF-8 rather than as
`\\u` escapes. What orjson refuses (an integer beyond 64 bits) is encoded by Flask's
own. Decoding stays with the standard library: it reads numbers of any size that bad
input may carry (the schemas then refuse them with a 422, not as malformed JSON).
"""

from __future__ import annotations

import weakref
from typing import Any

import orjson
from flask import Flask, Response
from flask.json.provider import DefaultJSONProvider

_OPTIONS = (orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
            | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS)


class OrjsonProvider(DefaultJSONProvider):
    """Flask's default provider with orjson doing the encoding."""

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        self.app = weakref.proxy(app)

    def _encode(self, obj: Any) -> bytes:
        options = _OPTIONS | orjson.OPT_INDENT_2 if self.app.debug else _OPTIONS
        try:
            return orjson.dumps(obj, default=self.default, option=options)
        except TypeError:  # what orjson refuses (an integer beyond 64 bits, say)
            return super().dumps(obj).encode()

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Encode `obj`; a call with options of the standard library's (`indent`, say)
        is left to it, as Flask would."""
        if kwargs:
            return super().dumps(obj, **kwargs)
        return self._encode(obj).decode()

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """A JSON response, as `flask.json.jsonify` makes: one argument as it is, several
        as a list, keywords as an object."""
        if args and kwargs:
            raise TypeError("response() takes either arguments or keywords, not both")
        obj = args[0] if len(args) == 1 else (args or kwargs or None)
        return self.app.response_class(self._encode(obj) + b"\n", mimetype=self.mimetype)
