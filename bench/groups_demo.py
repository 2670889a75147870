"""Groups measured on the demo shop (`storefront seed-demo`, no growth): production
settings on PostgreSQL with Redis, the embedded default on SQLite, and a first visit."""

from __future__ import annotations

import re
import tempfile
import urllib.request
from pathlib import Path

from .groups_full import PROBE, clear_cache
from .load import Result, Server, wrk
from .measure import Bench, Plan, ceiling_for, measure, median
from .report import Section, results_table
from .shop import embedded_env, public_pages, seed_demo

PAGES = ("home page", "product page", "exercise page", "article page", "article list",
         "exercise list", "cart page", "search page")
DEMO_SHARE = 0.30  # every public page, production settings, demo data
DEMO_P99_MS = 30.0
EMBEDDED_SHARE = {"product detail API": 0.30, "home page": 0.15, "product page": 0.15,
                  "exercise page": 0.15, "article page": 0.15}
FIRST_VISIT_RATIO = 1.3  # a cookieless request's cost over a returning visitor's
FIRST_VISIT_PAGES = ("product page", "article page")
POST_FORM = re.compile(r"<form\b[^>]*\bmethod=[\"']?post[\"']?[^>]*>", re.IGNORECASE)
ACTION = re.compile(r"\baction=[\"']([^\"']*)[\"']", re.IGNORECASE)


def prepare_demo(demo_env: dict[str, str]) -> None:
    """The demo shop's database, migrated and seeded as `storefront seed-demo` does."""
    from .shop import fresh_database
    fresh_database(demo_env["DATABASE_URL"])
    seed_demo(demo_env)


def demo(bench: Bench, demo_env: dict[str, str]) -> Section:
    """Group 2: every public page, production settings and Redis, demo data only."""
    plan = bench.plan
    clear_cache(demo_env)
    found: dict[str, Result] = {}
    with Server("wsgi:app", workers=bench.workers, env=demo_env, probe=PROBE) as server:
        pages = public_pages(server.base)
        with ceiling_for(server, pages["product detail API"][0].split()[1], plan,
                         "demo") as top:
            for name in PAGES:
                found[name] = measure(server, name, pages[name], plan, prime=True,
                                      ceiling=top, headline=False)
    ceiling = top.summary()
    section = Section(
        "demo", "2. Production settings at demo size",
        "`STOREFRONT_ENV=production`, the shared cache and rate limits in Redis, on "
        "PostgreSQL holding the demo data only (`storefront seed-demo`). Requests carry no "
        "cookie; the cache is filled by one pass first. Rows: `/`, every product, exercise "
        "and article page, `/articles`, `/exercises`, `/cart`, `/search?q=` with 6 phrases.",
        results_table(list(found.values()), ceiling), label="2 demo, production")
    for name, result in found.items():
        got = result.share or 0.0
        section.check(f"{name}: at least {DEMO_SHARE:.0%} of the ceiling's rps",
                      f"{got:.1%}", got >= DEMO_SHARE)
        section.check(f"{name}: p99 under {DEMO_P99_MS:.0f} ms", f"{result.p99_ms:.1f} ms",
                      result.p99_ms < DEMO_P99_MS)
    home, product = found["home page"], found["product page"]
    section.check("home page no slower (rps) than the product page",
                  f"{home.rps:,.0f} against {product.rps:,.0f} rps", home.rps >= product.rps)
    section.failures = sum(r.failures for r in found.values()) + ceiling.failures
    return section


def embedded(bench: Bench) -> Section:
    """Group 4: what `make run` serves (development settings, a SQLite file, no Redis),
    under gunicorn with the benchmark's worker settings, demo data."""
    plan = bench.plan
    found: dict[str, Result] = {}
    with tempfile.TemporaryDirectory(prefix="bench-embedded-") as instance:
        env = embedded_env(Path(instance))
        seed_demo(env)
        with Server("wsgi:app", workers=bench.workers, env=env, probe=PROBE) as server:
            pages = public_pages(server.base)
            with ceiling_for(server, pages["product detail API"][0].split()[1], plan,
                             "embedded") as top:
                for name in EMBEDDED_SHARE:
                    found[name] = measure(server, name, pages[name], plan, ceiling=top, prime=True,
                                          headline=False)
    ceiling = top.summary()
    section = Section(
        "embedded", "4. The embedded default (`make run`'s settings) under gunicorn",
        "`STOREFRONT_ENV=development`, `SHOP_NAME=\"Better Band\"`, the SQLite file in the "
        "instance folder (a temporary one here), no `CACHE_URL`, rate limits in process "
        "memory, demo data from `storefront db upgrade` and `seed-demo`; gunicorn with the "
        "same workers as every other group.",
        results_table(list(found.values()), ceiling), label="4 embedded")
    for name, share in EMBEDDED_SHARE.items():
        got = found[name].share or 0.0
        section.check(f"{name}, embedded: at least {share:.0%} of the ceiling's rps",
                      f"{got:.1%}", got >= share)
    section.failures = sum(r.failures for r in found.values()) + ceiling.failures
    return section


def visit(base: str, path: str) -> tuple[list[str], set[str]]:
    """A cookieless GET of `path`: the cookies it set (`name=value`) and the actions of
    its POST forms."""
    with urllib.request.urlopen(base + path, timeout=30) as response:
        cookies = [header.split(";", 1)[0]
                   for header in response.headers.get_all("Set-Cookie") or []]
        html = response.read().decode("utf-8", "replace")
    return cookies, post_actions(html)


def post_actions(html: str) -> set[str]:
    """The actions of a page's POST forms (an empty one for a form without an action)."""
    actions = set()
    for form in POST_FORM.findall(html):
        found = ACTION.search(form)
        actions.add(found.group(1) if found else "")
    return actions


def first_visit(bench: Bench, demo_env: dict[str, str]) -> Section:
    """Group 5: a first visit (no cookie) against a returning one (the cookies the first
    visit set), and which public pages set a session for a visitor who posts nothing."""
    plan = bench.plan
    clear_cache(demo_env)
    with Server("wsgi:app", workers=bench.workers, env=demo_env, probe=PROBE) as server:
        pages = public_pages(server.base)
        survey = {name: visit(server.base, pages[name][0].split()[1]) for name in PAGES}
        rows, ratios = [], {}
        for name in FIRST_VISIT_PAGES:
            cookie = "; ".join(survey[name][0])
            first, back = paired(server, name, pages[name], plan, {"Cookie": cookie})
            shares = sorted(b.rps / f.rps for f, b in zip(first, back, strict=True))
            ratios[name] = shares[len(shares) // 2]
            rows.append((name, first, back, ratios[name], cookie))
    layout = set.intersection(*(actions for _, actions in survey.values()))
    table = ["| page | first visit req/s | p50 ms | returning req/s | p50 ms | cost ratio "
             "| failed |", "|---|---:|---:|---:|---:|---:|---:|"]
    failures = 0
    for name, first, back, ratio, _ in rows:
        f, b = median(first), median(back)
        failures += sum(r.failures for r in (*first, *back))
        table.append(f"| {name} | {f.rps:,.0f} | {f.p50_ms:.2f} | {b.rps:,.0f} | "
                     f"{b.p50_ms:.2f} | {ratio:.2f}x | {f.failures + b.failures} |")
    table += ["", "| page (cookieless GET) | path | cookies set | POST forms of its own |",
              "|---|---|---|---|"]
    for name, (cookies, actions) in survey.items():
        own = sorted(actions - layout)
        table.append(f"| {name} | `{pages[name][0].split()[1]}` | "
                     f"{', '.join(c.split('=', 1)[0] for c in cookies) or 'none'} | "
                     f"{', '.join(f'`{a}`' for a in own) or 'none'} |")
    section = Section(
        "firstvisit", "5. First visit",
        "Production settings, demo data, as group 2. *First visit*: requests without a "
        "cookie; *returning*: each request carries the cookies a cookieless visit to the "
        "page set. The two alternate, and the cost ratio (returning req/s over first-visit "
        "req/s) is the median of the pairs. Below it, one cookieless GET of each public "
        f"page: the cookies it set, and its POST forms other than the layout's "
        f"({', '.join(f'`{a}`' for a in sorted(layout)) or 'none'}, on every page).",
        table, label="5 first visit")
    for name, ratio in ratios.items():
        section.check(f"{name}: a first visit costs at most {FIRST_VISIT_RATIO}x a "
                      "returning visitor's", f"{ratio:.2f}x", ratio <= FIRST_VISIT_RATIO)
    setting = [name for name, (cookies, _) in survey.items()
               if any(c.startswith("session=") for c in cookies)]
    formless = [name for name in setting if not survey[name][1] - layout]
    section.check("no session cookie for a cookieless GET of a page without a form of "
                  "its own", "set by: " + (", ".join(setting) or "none"), not formless)
    section.failures = failures
    return section


def paired(server: Server, name: str, lines: list[str], plan: Plan, headers: dict[str, str]
           ) -> tuple[list[Result], list[Result]]:
    """Alternating timed runs without and with `headers`, after a warm-up of each."""
    repeat, seconds = plan.repeat, plan.minor_seconds
    for extra in (None, headers):
        wrk(name, server.base, lines, connections=plan.connections, seconds=plan.warmup,
            headers=extra)
    first, back = [], []
    for _ in range(repeat):
        first.append(wrk(name, server.base, lines, connections=plan.connections,
                         seconds=seconds))
        back.append(wrk(name, server.base, lines, connections=plan.connections,
                        seconds=seconds, headers=headers))
    f, b = median(first), median(back)
    print(f"  {name:<28} first visit {f.rps:8.0f} rps  returning {b.rps:8.0f} rps", flush=True)
    return first, back

