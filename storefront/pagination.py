"""Cursor pagination: `?limit=` and an opaque `?cursor=`, answered as `{items, next_cursor}`."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

import marshmallow as ma
from sqlalchemy import and_, or_

from .errors import InvalidError
from .schemas import InputSchema, InputString


class PageArgsSchema(InputSchema):
    """Query arguments of every list."""

    limit = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=100),
                              metadata={"description": "Items per page, 1-100."})
    cursor = InputString(load_default=None, max_length=500,
                         metadata={"description": "`next_cursor` of the previous page; one "
                                                  "that is not is a 422 with reason "
                                                  "`invalid_cursor`."})


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A `{items: [...], next_cursor}` schema for one kind of item."""
    return ma.Schema.from_dict({
        "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
        "next_cursor": ma.fields.String(allow_none=True, required=True),
    }, name=name)


def encode_cursor(values: list) -> str:
    """Opaque cursor for the last item's sort key."""
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: tuple[type, ...]) -> list:
    """Sort key from a cursor; a cursor that is not ours is an `InvalidError` (a 422)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if isinstance(values, list) and len(values) == len(kinds):
        try:
            return [_from_json(v, k) for v, k in zip(values, kinds, strict=True)]
        except (TypeError, ValueError):
            pass
    raise InvalidError("Invalid cursor.", reason="invalid_cursor",
                       errors={"query": {"cursor": ["Not a valid cursor."]}})


def _to_json(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _from_json(value, kind):
    if kind is datetime and isinstance(value, str):
        return datetime.fromisoformat(value)
    if isinstance(value, kind) and not isinstance(value, bool):
        if kind is int and abs(value) > 2**62:
            raise ValueError("out of range")
        return value
    raise TypeError("wrong kind")


def keyset_page(session, stmt, keys, *, limit: int, cursor: str | None, descending=False):
    """One page of `stmt` ordered by `keys` (columns ending with a unique one).

    Costs one query whatever the page's depth: the cursor holds the last row's keys.
    Returns `(rows, next_cursor)`.
    """
    kinds = tuple(k.type.python_type for k in keys)
    if cursor is not None:
        after = decode_cursor(cursor, kinds)
        stmt = stmt.where(_after(keys, after, descending))
    order = [k.desc() if descending else k.asc() for k in keys]
    rows = list(session.scalars(stmt.order_by(*order).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_cursor([_to_json(getattr(last, k.key)) for k in keys])


def _after(keys, values, descending):
    """Rows strictly after `values` in (keys) order, written portably (no row values)."""
    clauses = []
    for i, key in enumerate(keys):
        equal = [keys[j] == values[j] for j in range(i)]
        beyond = key < values[i] if descending else key > values[i]
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)
