"""Secret tokens at rest: what is stored of a staff API token or an order token."""

from __future__ import annotations

import hashlib


def digest(token: str) -> str:
    """Tokens are long and random, so a fast digest (SHA-256) keeps them safe at rest."""
    return hashlib.sha256(token.encode()).hexdigest()
