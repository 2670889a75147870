"""Kept for importers of the old module: settings now live in `storefront.settings`."""

from __future__ import annotations

from .settings import (  # noqa: F401 (re-exported)
    ENVIRONMENTS,
    MAX_BODY_BYTES,
    ConfigError,
    Settings,
    normalise_database_url,
)
