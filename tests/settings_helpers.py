"""Changing a running app's settings, for tests that need another value half-way through."""

from __future__ import annotations

import dataclasses


def change_settings(app, **changes) -> None:
    """Replace fields of the app's `Settings` (read once at start, so `app.config` will not
    do), and mirror them in `app.config` for the readers that still look there."""
    state = app.extensions["storefront"]
    state.settings = dataclasses.replace(state.settings, **changes)
    state.settings.write_config(app.config)
