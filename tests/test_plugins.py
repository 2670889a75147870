"""The plugin system: declared hooks and their documentation (import rules: test_boundaries)."""

import inspect
import re
from pathlib import Path

import plugins.hookspecs as hookspecs
from plugins.hookspecs import hookimpl
from plugins.manager import DEFAULT_PLUGINS, build_plugin_manager
from plugins.types import ContentLink, NavLink

ROOT = Path(__file__).resolve().parent.parent


def _hooks():
    return {name: fn for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
            if hasattr(fn, "storefront_spec")}


def test_every_hook_has_a_docstring_and_a_heading_with_its_signature():
    docs = (ROOT / "docs" / "plugins.md").read_text()
    headings = set(re.findall(r"^### `([^`]+)`", docs, flags=re.M))
    hooks = _hooks()
    assert hooks, "no hooks found"
    for name, fn in hooks.items():
        assert fn.__doc__ and len(fn.__doc__.strip()) > 40, name
        signature = f"{name}({', '.join(inspect.signature(fn).parameters)})"
        assert signature in headings, f"docs/plugins.md has no heading `{signature}`"
    assert headings <= {f"{n}({', '.join(inspect.signature(f).parameters)})"
                        for n, f in hooks.items()}, "docs describe a hook that does not exist"


def test_entry_point_plugins_are_not_loaded_under_tests(app, monkeypatch):
    assert app.config["STOREFRONT_LOAD_ENTRYPOINTS"] is False
    manager = app.extensions["storefront"].plugins
    assert {name for name, _ in manager.list_name_plugin()} == set(DEFAULT_PLUGINS)


def test_built_ins_come_from_the_default_tuple():
    manager = build_plugin_manager(load_entrypoints=False, default_plugins=())
    assert manager.get_plugins() == set()
    assert manager.hook.product_links(product=None) == []


class SamplePlugin:
    """Adds a link to every product and an entry to the header."""

    @hookimpl
    def product_links(self, product):
        return [ContentLink(kind="exercise", slug="clamshell",
                            title=f"Clamshell for {product.name}",
                            url="/exercises/clamshell")]

    @hookimpl
    def storefront_navigation(self):
        return [NavLink("Gift cards", "web.cart", order=5)]


def test_a_registered_plugin_adds_links_to_the_api_and_the_page(app, client, demo):
    manager = app.extensions["storefront"].plugins
    manager.register(SamplePlugin(), name="sample")
    try:
        body = client.get("/api/v1/products/stability-ball").get_json()
        assert "Clamshell for Stability Ball" in [e["name"] for e in body["exercises"]]
        page = client.get("/products/stability-ball").get_data(as_text=True)
        assert "Clamshell for Stability Ball" in page
        assert "Gift cards" in page
    finally:
        manager.unregister(name="sample")
    assert "Clamshell" not in client.get("/products/stability-ball").get_data(as_text=True)
