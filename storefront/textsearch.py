"""Cleaning what a reader types into a search box before anything reads it as a query."""

from __future__ import annotations

MAX_QUERY_LENGTH = 200


def clean_query(text: str | None) -> str:
    """The reader's query, trimmed, without control characters, at most 200 characters."""
    text = "".join(ch for ch in (text or "") if ch.isprintable())
    return " ".join(text.split())[:MAX_QUERY_LENGTH]
