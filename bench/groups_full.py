"""Groups measured on the benchmark-size shop (10,000 products, 100,000 reviews, 1,000
articles on PostgreSQL): cache off, cache on, catalogue size, writes, worker memory."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from .load import ROOT, Server, rss_kib, wrk
from .measure import Bench, ceiling_for, measure
from .report import Section, results_table
from .shop import checkout_lines, shop_app

PROBE = "/api/v1/products"
P99_MS = 50.0  # every cache-on read, and the search API with the cache off
# Shares of the ceiling's rps, cache off (a cache miss must stay affordable).
COLD_SHARE = {"product detail API": 0.25, "product page": 0.12, "exercise page": 0.12,
              "article page": 0.12, "search API": 0.10}
DEEP_RATIO = 1.3  # p50 of deep product list pages over p50 of the first page, cache off
# Shares of the ceiling's rps, cache on and filled.
WARM_SHARE = {"product detail API": 0.50, "product page": 0.35, "article page": 0.35}
WARM_ROWS = ("product list API", "product detail API", "product page", "article page",
             "search API")
SCALE_RATIO = 1.3  # p50 at 10,000 products over p50 at 100, for list and detail
SCALED = ("product list API", "product detail API")
MEMORY_GROWTH = 1.10  # RSS after the last request over RSS after the first 1,000
MEMORY_MIX = ("product list API", "product detail API", "product page", "article page",
              "search API", "add cart line")
# Writes: shares of the ceiling's rps, and add-line's p99.
WRITE_SHARE = {"create cart": 0.30, "add cart line": 0.25, "checkout": 0.05}
WRITE_P99_MS = {"add cart line": 30.0}
# The writes run with rate limits off (RATELIMIT_ENABLED=false, the documented switch for
# trusted load tests: 30 carts and 10 checkouts a minute per client otherwise) and no
# bound on unpaid units per client (every request comes from 127.0.0.1).
WRITE_ENV = {"RATELIMIT_ENABLED": "false", "CHECKOUT_MAX_UNITS": "0",
             "PAYMENT_PROVIDER": "test"}


def detail_path(bench: Bench) -> str:
    """A product detail's path, whose bytes the ceiling answers."""
    return bench.lines["product detail API"][0].split()[1]


def clear_cache(env: dict[str, str]) -> None:
    """Make every cached answer stale (`storefront cache clear`), so that a group never
    reads what an earlier run, or the other shop, left in Redis."""
    storefront = str(Path(sys.executable).with_name("storefront"))
    subprocess.run([storefront, "cache", "clear"], cwd=ROOT, env={**os.environ, **env},
                   check=True, stdout=subprocess.DEVNULL)


def build_read_models(server: Server, bench: Bench) -> None:
    """Ask once for every product detail and article, as a running shop's readers have:
    the first read after a change builds the product's document and the article's stored
    body (the database's read models), which every later read uses. The Redis cache
    stays off; only what the database keeps is built."""
    for name in ("product detail API", "article page"):
        wrk(f"{name} (read models)", server.base, bench.lines[name],
            connections=bench.plan.connections, seconds=0, once=True)


def small(bench: Bench) -> None:
    """The product list and detail APIs, cache off, at 100 products (before growth)."""
    with Server("wsgi:app", workers=bench.workers, env=bench.uncached, probe=PROBE) as server:
        build_read_models(server, bench)
        for name in SCALED:
            bench.small[name] = measure(server, name, bench.lines[name], bench.plan)


def cache_off(bench: Bench) -> Section:
    """Group 1: every read built from the database, each as a share of the ceiling."""
    lines, plan = bench.lines, bench.plan
    with Server("wsgi:app", workers=bench.workers, env=bench.uncached, probe=PROBE) as server:
        build_read_models(server, bench)
        with ceiling_for(server, detail_path(bench), plan, "cacheoff") as top:
            for name in COLD_SHARE:
                bench.cold[name] = measure(server, name, lines[name], plan, ceiling=top,
                                           label="off")
        for name in ("product list API", "product list API, first page",
                     "product list API, deep pages"):
            bench.cold[name] = measure(server, name, lines[name], plan, label="off")
    section = Section(
        "cacheoff", "1. Cache off, at 10,000 products, 100,000 reviews, 1,000 articles",
        "Every request built from the database (`CACHE_URL` empty): what each cache miss "
        "costs, once one pass over every product and article has built the database's "
        "read models (product documents, stored article bodies), as readers of a running "
        "shop have. Shares are paired with the ceiling; the product list rows are compared "
        "with each other (first page against pages from the back half of the catalogue).",
        results_table([*bench.cold.values()], top.summary()),
        label="1 cache off")
    for name, share in COLD_SHARE.items():
        got = bench.cold[name].share or 0.0
        section.check(f"{name}, cache off: at least {share:.0%} of the ceiling's rps",
                      f"{got:.1%}", got >= share)
    search = bench.cold["search API"]
    section.check(f"search API, cache off: p99 under {P99_MS:.0f} ms",
                  f"{search.p99_ms:.1f} ms", search.p99_ms < P99_MS)
    first = bench.cold["product list API, first page"]
    deep = bench.cold["product list API, deep pages"]
    ratio = deep.p50_ms / first.p50_ms
    section.check(f"product list API, cache off: p50 of deep pages within {DEEP_RATIO}x "
                  "of the first page", f"{ratio:.2f}x", ratio <= DEEP_RATIO)
    section.failures = sum(r.failures for r in bench.cold.values()) + top.summary().failures
    return section


def cache_on(bench: Bench) -> Section:
    """The production setting at benchmark size: Redis filled by one pass, then timed."""
    lines, plan = bench.lines, bench.plan
    clear_cache(bench.env)
    warm = {}
    with Server("wsgi:app", workers=bench.workers, env=bench.env, probe=PROBE) as server:
        with ceiling_for(server, detail_path(bench), plan, "cacheon") as top:
            for name in WARM_ROWS:
                warm[name] = measure(server, name, lines[name], plan, prime=True,
                                     ceiling=top)
    ceiling = top.summary()
    section = Section(
        "cacheon", "Cache on, at 10,000 products, 100,000 reviews, 1,000 articles",
        "The shared cache in Redis, as the shop runs in production, after one pass over "
        "every product, article, list page and phrase has filled it. The cache-off columns "
        "are group 1's figures for the same requests, when that group ran.",
        results_table(list(warm.values()), ceiling, cold=bench.cold), label="cache on")
    for name, share in WARM_SHARE.items():
        got = warm[name].share or 0.0
        section.check(f"{name}, cache on: at least {share:.0%} of the ceiling's rps",
                      f"{got:.1%}", got >= share)
    for result in warm.values():
        section.check(f"{result.name}, cache on: p99 under {P99_MS:.0f} ms at "
                      f"{plan.connections} connections", f"{result.p99_ms:.1f} ms",
                      result.p99_ms < P99_MS)
    section.failures = sum(r.failures for r in warm.values()) + ceiling.failures
    return section


def scale(bench: Bench) -> Section:
    """The list and detail APIs, cache off, at 100 products against 10,000."""
    missing = [name for name in SCALED if name not in bench.cold]
    if missing:
        with Server("wsgi:app", workers=bench.workers, env=bench.uncached,
                    probe=PROBE) as server:
            for name in missing:
                bench.cold[name] = measure(server, name, bench.lines[name], bench.plan,
                                           label="off")
    rows = ["| endpoint | req/s at 100 | p50 ms at 100 | p50 ms at 10,000 | ratio "
            "| p99 ms at 100 | p99 ms at 10,000 |", "|---|---:|---:|---:|---:|---:|---:|"]
    section = Section("scale", "Catalogue size, on the database path",
                      "The product list (its first 200 pages) and detail APIs with the cache "
                      "off, at 100 products (1,000 reviews) and at 10,000 (100,000 reviews):",
                      rows, label="catalogue size")
    for name in SCALED:
        few, many = bench.small[name], bench.cold[name]
        ratio = many.p50_ms / few.p50_ms
        rows.append(f"| {name} | {few.rps:,.0f} | {few.p50_ms:.2f} | {many.p50_ms:.2f} | "
                    f"{ratio:.2f}x | {few.p99_ms:.2f} | {many.p99_ms:.2f} |")
        section.check(f"{name}, cache off: p50 at 10,000 products within {SCALE_RATIO}x "
                      "of 100", f"{ratio:.2f}x", ratio <= SCALE_RATIO)
    section.failures = sum(bench.small[name].failures + bench.cold[name].failures
                           for name in SCALED)
    return section


def writes(bench: Bench) -> Section:
    """Group 3: create a cart, add a line, check out (test payments), on PostgreSQL."""
    lines, plan = bench.lines, bench.plan
    env = {**bench.env, **WRITE_ENV}
    print(f"  preparing {bench.checkout_carts:,} carts with a line each", flush=True)
    checkouts = checkout_lines(env, lines["skus"], bench.checkout_carts)
    orders_before = orders(env)
    found = {}
    with Server("wsgi:app", workers=bench.workers, env=env, probe=PROBE) as server:
        with ceiling_for(server, detail_path(bench), plan, "writes") as top:
            for name in ("create cart", "add cart line"):
                found[name] = measure(server, name, lines[name], plan, ceiling=top,
                                      headline=False)
            found["checkout"] = measure(server, "checkout", checkouts, plan, ceiling=top,
                                        headline=False, warmup=1)
    placed = orders(env) - orders_before  # one per checkout answered
    ceiling = top.summary()
    section = Section(
        "writes", "3. Writes, on PostgreSQL at 10,000 products",
        "Production settings with `PAYMENT_PROVIDER=test`, rate limits off "
        "(`RATELIMIT_ENABLED=false`) and no bound on unpaid units (`CHECKOUT_MAX_UNITS=0`), "
        "since every request comes from one address. *create cart* is `POST /api/v1/carts`; "
        f"*add cart line* adds lines to {len(lines['add cart line']) // 10:,} carts in turn; "
        f"*checkout* goes through {len(checkouts):,} carts prepared before the runs, each "
        f"with one line and its own email address ({placed:,} orders placed).",
        results_table(list(found.values()), ceiling), label="3 writes")
    for name, share in WRITE_SHARE.items():
        got = found[name].share or 0.0
        section.check(f"{name}: at least {share:.0%} of the ceiling's rps", f"{got:.1%}",
                      got >= share)
    for name, limit in WRITE_P99_MS.items():
        section.check(f"{name}: p99 under {limit:.0f} ms", f"{found[name].p99_ms:.1f} ms",
                      found[name].p99_ms < limit)
    # wrk goes through the list in order, so no cart is used twice while the orders
    # placed (warm-up and timed runs) are no more than the carts prepared.
    section.check("checkout: every checkout with a cart of its own (orders placed, at "
                  "most the carts prepared)", f"{placed:,} of {len(checkouts):,}",
                  placed <= len(checkouts))
    section.failures = sum(r.failures for r in found.values()) + ceiling.failures
    return section


def orders(env: dict[str, str]) -> int:
    """How many orders the shop's database holds."""
    from sqlalchemy import func, select

    from storefront.extensions import db
    from storefront.orders.models import Order

    with shop_app(env):
        return db.session.scalar(select(func.count(Order.id))) or 0


def memory(bench: Bench) -> Section:
    """Resident memory (KiB) of a single worker after 1,000, 5,000, ... requests, with the
    cache off so that every request runs the shop's code from the database up."""
    lines, total = bench.lines, bench.memory_requests
    mixed = [lines[name][(n // len(MEMORY_MIX)) % len(lines[name])]  # each in its turn
             for n in range(total) for name in (MEMORY_MIX[n % len(MEMORY_MIX)],)]
    marks = {mark for mark in (1_000, 5_000, 10_000, 15_000, total) if mark <= total}
    figures = {}
    with Server("wsgi:app", workers=1, env=bench.uncached, probe=PROBE) as server:
        worker = server.workers()[0]
        for n in range(1, total + 1):
            method, _, rest = mixed[n - 1].partition(" ")
            path, _, body = rest.partition(" ")
            request = urllib.request.Request(
                server.base + path, method=method, data=body.encode() or None,
                headers={"Content-Type": "application/json"} if body else {})
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
            if n in marks:
                figures[n] = rss_kib(worker)
                print(f"  after {n:>6} requests: {figures[n] / 1024:7.1f} MiB", flush=True)
    section = Section(
        "memory", "Memory of one worker",
        "Mixed requests (list, detail, product page, article page, search, add cart line, "
        "each going through its own list) to a one-worker shop with the cache off, so "
        "every request runs the shop's code from the database up:",
        ["| after requests | resident memory MiB |", "|---:|---:|",
         *[f"| {n:,} | {kib / 1024:.1f} |" for n, kib in sorted(figures.items())]],
        label="memory")
    first, last = figures[min(figures)], figures[max(figures)]
    section.check(f"worker memory after {max(figures):,} requests within "
                  f"{MEMORY_GROWTH - 1:.0%} of after {min(figures):,}",
                  f"{(last / first - 1):+.1%}", last <= first * MEMORY_GROWTH)
    return section

