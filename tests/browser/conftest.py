"""Fixtures for browser tests: a live shop with demo data, Chromium, and a11y/screenshot helpers.

The shop runs in a background thread on a free port; Chromium is the system build
(``/usr/bin/chromium``) driven by Playwright's sync API. axe-core comes from
``node_modules`` (install it with ``npm ci``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from ..smtp_fixtures import SmtpServer

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT_DIR = Path(__file__).resolve().parent / "screenshots"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

STAFF_EMAIL = "mod@example.com"
STAFF_PASSWORD = "correct horse battery"
ADMIN_EMAIL = "admin@example.com"
EDITOR_EMAIL = "editor@example.com"

# Impacts that fail a page. "minor" and "moderate" findings are left to review.
BLOCKING_IMPACTS = ("serious", "critical")


def _build_app(database: Path, mail_url: str):
    import flask_migrate

    from storefront import create_app
    from storefront.demo import seed_demo
    from storefront.extensions import db
    from storefront.staff.services import create_staff

    app = create_app({
        "STOREFRONT_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "SECRET_KEY": "browser-tests",
        "RATELIMIT_ENABLED": False,
        "STOREFRONT_VIEW_BATCH": 1,
        "PUBLIC_BASE_URL": "",
        "STOREFRONT_MAIL_DIR": str(database.parent / "mail"),
        "MAIL_URL": mail_url,
    })
    with app.app_context():
        flask_migrate.upgrade()
        seed_demo(db.session, app.extensions["storefront"].plugins)
        create_staff(db.session, STAFF_EMAIL, "moderator", STAFF_PASSWORD)
        create_staff(db.session, ADMIN_EMAIL, "admin", STAFF_PASSWORD)
        create_staff(db.session, EDITOR_EMAIL, "editor", STAFF_PASSWORD)
        db.session.commit()
        db.session.remove()
    return app


@pytest.fixture(scope="session")
def mail_server() -> Iterator[SmtpServer]:
    """The SMTP server the live shop sends its emails to."""
    with SmtpServer() as server:
        yield server


@contextmanager
def serving(database: Path, mail_url: str) -> Iterator[str]:
    """A shop of its own on `database` (demo data and staff), served in a background
    thread; yields its base URL (no trailing slash)."""
    from storefront.extensions import db

    app = _build_app(database, mail_url)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, mail_server) -> Iterator[str]:
    """Base URL (no trailing slash) of the shop, seeded with demo data and staff users."""
    with serving(tmp_path_factory.mktemp("browser-db") / "storefront.db",
                 mail_server.url) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless system Chromium, shared by the whole session."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A fresh page in its own context (own cookies, own cart), closed after the test."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def _format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} serious/critical accessibility violation(s) on {url}:"]
    for v in violations:
        targets = []
        for node in v.get("nodes", [])[:3]:
            target = node.get("target") or []
            targets.append(" ".join(str(t) for t in target))
        more = len(v.get("nodes", [])) - len(targets)
        where = ", ".join(targets) + (f" (+{more} more)" if more > 0 else "")
        lines.append(f"  - {v['id']} [{v.get('impact')}]: {v.get('help')}")
        lines.append(f"      at: {where}")
        lines.append(f"      see: {v.get('helpUrl')}")
    return "\n".join(lines)


@pytest.fixture
def check_a11y(page: Page) -> Callable[[], list[dict]]:
    """Return a function that runs axe-core on the current page and fails on serious issues.

    axe is injected with ``page.evaluate``; that goes through the DevTools protocol, so
    the page's ``script-src 'self'`` policy stays as it is (no CSP bypass needed).
    """
    if not AXE_SOURCE.is_file():
        pytest.fail(
            f"axe-core is not installed ({AXE_SOURCE} is missing). "
            "Run `npm ci` in the project root, then run the browser tests again.",
            pytrace=False,
        )
    source = AXE_SOURCE.read_text(encoding="utf-8")

    def run() -> list[dict]:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(source + "\n;void 0;")
        results = page.evaluate(
            """async () => {
                const r = await window.axe.run(document, {resultTypes: ['violations']});
                return r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    nodes: v.nodes.map(n => ({target: n.target, html: n.html})),
                }));
            }"""
        )
        blocking = [v for v in results if v.get("impact") in BLOCKING_IMPACTS]
        assert not blocking, _format_violations(page.url, blocking)
        return results

    return run


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG of what the browser shows now, as screenshots/<name>.png."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "page"
    path = SCREENSHOT_DIR / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(name="screenshot")
def screenshot_fixture() -> Callable[[Page, str], Path]:
    """The ``screenshot(page, name)`` helper as a fixture, for tests that prefer injection."""
    return screenshot
