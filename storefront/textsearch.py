"""Plain substring matching that treats the reader's text as text, never as a pattern."""

from __future__ import annotations

MAX_QUERY_LENGTH = 200


def escape_like(text: str) -> str:
    """Escape LIKE wildcards so `50%` means fifty percent."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def clean_query(text: str | None) -> str:
    """The reader's query, trimmed, without control characters, at most 200 characters."""
    text = "".join(ch for ch in (text or "") if ch.isprintable())
    return " ".join(text.split())[:MAX_QUERY_LENGTH]
