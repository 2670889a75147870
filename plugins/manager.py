"""The pluggy PluginManager: built-in plugins first, then those installed as entry points."""

from __future__ import annotations

import importlib

import pluggy

from . import hookspecs

ENTRY_POINT_GROUP = "storefront.plugins"

# Built-in behaviour goes through the same manager as outside plugins.
DEFAULT_PLUGINS = (
    "storefront.orders.notifications",
    "storefront.reviews.plugin",
    "storefront.staff.links",
    "plugins.spam",
    "plugins.test_payments",
    "plugins.stripe_payments",
    "plugins.stripe_webhooks",
    "content.plugin",
)


def build_plugin_manager(
        *, load_entrypoints: bool = True,
        default_plugins: tuple[str, ...] = DEFAULT_PLUGINS) -> pluggy.PluginManager:
    """A manager with every hook declared and the built-in plugins registered.

    Outside plugins are loaded from the `storefront.plugins` entry-point group unless
    `load_entrypoints` is false, as it is under tests.
    """
    manager = pluggy.PluginManager("storefront")
    manager.add_hookspecs(hookspecs)
    for name in default_plugins:
        manager.register(importlib.import_module(name), name=name)
    if load_entrypoints:
        manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    return manager
