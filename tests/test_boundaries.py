"""The plugin boundary, read from the code: who may import whom, and who may name whom.

Each check reads source with `ast` (and templates as text), so a string such as
`"content.exercises"` counts as much as an import. Failures list `file:line` of every break.
"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from storefront import plugin_api

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_API = "storefront.plugin_api"
BOUNDARY = {"plugins.types", "plugins.hookspecs"}  # the values and markers every side shares
CORE_MAY_USE = BOUNDARY | {"plugins.manager"}
# Content's endpoints, module or template names, and page paths.
CONTENT_NAME = re.compile(r"(?<![\w.])content[./][a-z_]|/exercises\b|/articles\b")
PROVIDER_NAMES = {"stripe", "test"}
PROVIDER_IN_TEMPLATE = re.compile(r"""["'](stripe|test)["']""")
# The settings module turns the environment into defaults, which name the default provider.
SETTINGS_MODULES = {"storefront/config.py", "storefront/settings.py"}


def _python_files(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts)


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def imported(source: str) -> Iterator[tuple[int, str, str | None]]:
    """Each absolute import as (line, module, imported name or None)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield from ((node.lineno, node.module, alias.name) for alias in node.names)


def _within(module: str, name: str | None, allowed: set[str]) -> bool:
    """Whether `from module import name` (or `import module`) stays inside `allowed`."""
    return module in allowed or (name is not None and f"{module}.{name}" in allowed)


def content_import_problems(source: str) -> list[tuple[int, str]]:
    """Imports of the core other than its public API, or of plugins beyond the boundary."""
    problems = []
    for line, module, name in imported(source):
        top = module.split(".")[0]
        if top == "storefront" and not _within(module, name, {PUBLIC_API}):
            problems.append((line, f"imports {module} (use {PUBLIC_API})"))
        elif module == PUBLIC_API and name not in (*plugin_api.__all__, "*"):
            problems.append((line, f"imports {name!r}, which {PUBLIC_API}.__all__ does not list"))
        elif top == "plugins" and not _within(module, name, BOUNDARY):
            problems.append((line, f"imports {module}{'.' + name if name else ''}"))
    return problems


def core_import_problems(source: str) -> list[tuple[int, str]]:
    """Imports of content, of the Stripe SDK, or of any plugin module beyond the boundary."""
    problems = []
    for line, module, name in imported(source):
        top = module.split(".")[0]
        if top in {"content", "stripe"}:
            problems.append((line, f"imports {module}"))
        elif top == "plugins" and not _within(module, name, CORE_MAY_USE):
            problems.append((line, f"imports {module}{'.' + name if name else ''}"))
    return problems


def python_name_problems(source: str, *, providers: bool = True) -> list[tuple[int, str]]:
    """String constants naming a content endpoint or path, or a payment provider."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if CONTENT_NAME.search(node.value):
            problems.append((node.lineno, f"names content: {node.value[:60]!r}"))
        elif providers and node.value in PROVIDER_NAMES:
            problems.append((node.lineno, f"names a payment provider: {node.value!r}"))
    return problems


def template_name_problems(text: str) -> list[tuple[int, str]]:
    """Template lines naming a content endpoint, template or path, or a payment provider."""
    return [(number, f"names a plugin: {line.strip()[:80]}")
            for number, line in enumerate(text.splitlines(), start=1)
            if CONTENT_NAME.search(line) or PROVIDER_IN_TEMPLATE.search(line)]


def _report(found: dict[str, list[tuple[int, str]]]) -> str:
    return "\n".join(f"{path}:{line}: {what}"
                     for path, problems in found.items() for line, what in problems)


def test_content_imports_the_core_only_through_its_public_api():
    found = {_relative(p): content_import_problems(p.read_text()) for p in _python_files("content")}
    found = {path: problems for path, problems in found.items() if problems}
    assert not found, "content reaches past the core's public API:\n" + _report(found)


def test_core_imports_neither_content_nor_concrete_plugins_nor_stripe():
    found = {_relative(p): core_import_problems(p.read_text())
             for p in _python_files("storefront")}
    found = {path: problems for path, problems in found.items() if problems}
    assert not found, "the core imports a plugin:\n" + _report(found)


def test_core_code_names_no_plugin_even_as_a_string():
    found = {}
    for path in _python_files("storefront"):
        name = _relative(path)
        found[name] = python_name_problems(path.read_text(),
                                           providers=name not in SETTINGS_MODULES)
    found = {path: problems for path, problems in found.items() if problems}
    assert not found, "core code names a plugin (ask a hook instead):\n" + _report(found)


def test_core_templates_name_no_plugin():
    templates = sorted(p for p in (ROOT / "storefront").rglob("templates/**/*") if p.is_file())
    assert templates, "no core templates found"
    found = {_relative(p): template_name_problems(p.read_text()) for p in templates}
    found = {path: problems for path, problems in found.items() if problems}
    assert not found, "core templates name a plugin (ask a hook instead):\n" + _report(found)


def test_plugins_never_touch_the_database():
    for path in _python_files("plugins"):
        for line, module, _ in imported(path.read_text()):
            assert module.split(".")[0] not in {
                "storefront", "content", "sqlalchemy", "flask_sqlalchemy"}, \
                f"{_relative(path)}:{line}: imports {module}"


def test_every_public_name_exists():
    missing = [name for name in plugin_api.__all__ if not hasattr(plugin_api, name)]
    assert not missing, f"{PUBLIC_API}.__all__ lists names it does not have: {missing}"


@pytest.mark.parametrize(("check", "source", "line", "expected"), [
    (content_import_problems, "from storefront.web.cart import x\n", 1, "storefront.web.cart"),
    (content_import_problems, "import storefront.extensions\n", 1, "storefront.extensions"),
    (content_import_problems, "from storefront.plugin_api import nope\n", 1, "'nope'"),
    (content_import_problems, "from plugins import spam\n", 1, "imports plugins.spam"),
    (core_import_problems, "from plugins import stripe_payments\n", 1, "stripe_payments"),
    (core_import_problems, "import plugins.test_payments\n", 1, "plugins.test_payments"),
    (core_import_problems, "from content.models import Article\n", 1, "content.models"),
    (python_name_problems, "ok = 1\nx = url_for('content.exercises')\n", 2, "names content"),
    (python_name_problems, "import_module('content.plugin')\n", 1, "names content"),
    (python_name_problems, "PATH = '/articles/{slug}'\n", 1, "names content"),
    (python_name_problems, "if provider == 'stripe':\n    pass\n", 1, "payment provider"),
    (template_name_problems, "<p>\n<a href=\"{{ url_for('content.articles') }}\">", 2,
     "names a plugin"),
    (template_name_problems, "{% include \"content/_card.html\" %}", 1, "names a plugin"),
    (template_name_problems, "{% if provider == 'test' %}", 1, "names a plugin"),
])
def test_the_checks_catch_a_break(check, source, line, expected):
    """The scanners above find what they are for, at the right line."""
    problems = check(source)
    assert problems, f"{check.__name__} missed {source!r}"
    assert problems[0][0] == line and expected in problems[0][1], problems
