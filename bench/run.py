"""The shop under load, against a bare-Flask ceiling: `make bench` (or `python -m bench.run`).

1. Builds a fresh database (PostgreSQL by default) and grows it to 100 products with
   `bench.seed`; serves it with gunicorn, the shared cache off, and measures the product
   list and detail APIs: the database path.
2. Grows the same shop to 10,000 products, 100,000 approved reviews and 1,000 articles;
   measures all six shop endpoints with the cache off (what a cache miss costs), then
   with the cache on (Redis), as production runs, after one pass over every product,
   article, list page and phrase has filled it. Then `bench.ceiling`, serving a
   product detail's bytes, under the same settings.
3. Sends 20,000 mixed requests to a one-worker shop and reads the worker's resident memory.
4. Prints every figure, each as a share of the ceiling, checks the targets, and writes
   bench/RESULTS.md. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from . import report
from .load import ROOT, Result, Server, rss_kib, wrk

DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/storefront_bench"
SMALL = {"products": 100, "reviews": 1_000, "articles": 10}
FULL = {"products": 10_000, "reviews": 100_000, "articles": 1_000}
SEARCH_TERMS = ["band", "hamstring", "glute bridge", "coral loop", "heavy", "stretch",
                "squat tempo", "moss", "romanian deadlift", "fabric grip", "knee", "hip circle"]
CARTS = 2_000
PROBE = "/api/v1/products"
SCALED = ("product list API", "product detail API")  # compared at 100 and 10,000 products
NEVER_CACHED = ("add cart line",)  # a write: nothing to fill the cache with first


def fresh_database(url: str) -> None:
    """An empty database at `url`: dropped and created again (PostgreSQL), or a new file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def seed(env: dict[str, str], sizes: dict[str, int]) -> None:
    """Grow the shop to `sizes` with bench.seed, in its own process."""
    arguments = [f"--{key}={value}" for key, value in sizes.items()]
    subprocess.run([sys.executable, "-m", "bench.seed", *arguments], cwd=ROOT,
                   env={**os.environ, **env}, check=True)


def request_lines(env: dict[str, str], *, carts: int = CARTS) -> dict[str, list[str]]:
    """What each endpoint is asked for: every product and article in a shuffled order,
    up to 200 pages of the product list, search terms, and fresh carts to add lines to."""
    os.environ.update(env)
    from sqlalchemy import select, text

    from content.models import Article
    from storefront import create_app
    from storefront.cart.services import create_cart
    from storefront.catalog.models import Product, Variant
    from storefront.extensions import db

    rng = random.Random(6)
    app = create_app()
    with app.app_context():
        products = list(db.session.scalars(select(Product.slug)))
        articles = list(db.session.scalars(
            select(Article.slug).where(Article.status == "published")))
        skus = list(db.session.scalars(select(Variant.sku).where(Variant.stock >= 100_000)))
        tokens = [create_cart(db.session).token for _ in range(carts)]
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # The planner's figures for the carts just made, as autovacuum would refresh
            # them on a server where it runs; without them a cart's lookup by token is
            # planned for an empty table.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("ANALYZE cart"))
    pages = ["GET /api/v1/products"]
    client = app.test_client()
    cursor = client.get("/api/v1/products").get_json()["next_cursor"]
    while cursor and len(pages) < 200:
        pages.append(f"GET /api/v1/products?cursor={cursor}")
        cursor = client.get(f"/api/v1/products?cursor={cursor}").get_json()["next_cursor"]
    for listing in (products, articles, skus):
        rng.shuffle(listing)
    adds = [f'POST /api/v1/carts/{tokens[n % carts]}/lines '
            f'{{"sku": "{skus[(n // carts + n) % len(skus)]}", "quantity": 1}}'
            for n in range(carts * 10)]
    return {
        "product list API": pages,
        "product detail API": [f"GET /api/v1/products/{slug}" for slug in products],
        "product page": [f"GET /products/{slug}" for slug in products],
        "article page": [f"GET /articles/{slug}" for slug in articles],
        "search API": [f"GET /api/v1/search?q={urllib.request.quote(term)}"
                       for term in SEARCH_TERMS],
        "add cart line": adds,
    }


def measure(server: Server, name: str, lines: list[str], args, *, prime: bool = False,
            ceiling: Server | None = None) -> Result:
    """Figures of the median of `repeat` timed runs after a warm-up (the machine is shared,
    so one run can be unlucky); with `prime`, the warm-up first asks for every line once,
    so the cache holds what the timed runs will ask for. With `ceiling`, each timed run
    is paired with a run of the ceiling right after it, and the result carries the median
    of the paired shares, so a slow minute of the machine weighs on both sides."""
    if prime:
        wrk(name, server.base, lines, connections=args.connections, seconds=0, once=True)
    wrk(name, server.base, lines, connections=args.connections, seconds=args.warmup)
    runs, shares = [], []
    for _ in range(args.repeat):
        runs.append(wrk(name, server.base, lines, connections=args.connections,
                        seconds=args.seconds))
        if ceiling is not None:
            paired = wrk("ceiling", ceiling.base, ["GET /ceiling"],
                         connections=args.connections, seconds=args.seconds)
            shares.append(runs[-1].rps / paired.rps)
            CEILING_RUNS.append(paired)
    result = sorted(runs, key=lambda run: run.rps)[len(runs) // 2]  # the median run
    result.failures = sum(run.failures for run in runs)
    if shares:
        result.share = sorted(shares)[len(shares) // 2]
    show(result, "cache" if prime else "")
    return result


CEILING_RUNS: list[Result] = []  # every paired run of the ceiling


def show(result: Result, label: str) -> None:
    """Print one line of figures as the run goes."""
    print(f"  {result.name:<20} {label:<5} {result.rps:8.0f} rps  p50 {result.p50_ms:6.2f} ms  "
          f"p99 {result.p99_ms:6.2f} ms  requests {result.requests:6d}  "
          f"failures {result.failures}", flush=True)


def memory(env: dict[str, str], lines: dict[str, list[str]], total: int) -> dict[int, int]:
    """Resident memory (KiB) of a single worker after 1,000, 5,000, ... `total` requests,
    with the cache off so that every request runs the shop's code from the database up."""
    names = list(lines)
    mixed = [lines[name][(n // len(names)) % len(lines[name])]  # each list in its own turn
             for n in range(total) for name in (names[n % len(names)],)]
    marks = {1_000, 5_000, 10_000, 15_000, total}
    figures = {}
    with Server("wsgi:app", workers=1, env={**env, "CACHE_URL": ""}, probe=PROBE) as server:
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
    return figures


def main(argv: list[str] | None = None) -> int:
    """The whole run; exit status 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                  DEFAULT_DATABASE))
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per endpoint")
    parser.add_argument("--memory-requests", type=int, default=20_000)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS.md",
                        help="where the results go ('-' prints them only)")
    args = parser.parse_args(argv)

    env = {"STOREFRONT_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
           "DATABASE_URL": args.database_url, "PUBLIC_BASE_URL": "http://127.0.0.1",
           "PAYMENT_PROVIDER": "test",  # the checkout benchmark takes no money
           "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI",
                                                   "redis://127.0.0.1:6379/15"),
           "CACHE_URL": os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/15")}
    uncached = {**env, "CACHE_URL": ""}  # the database path, for the scale figures
    started = time.monotonic()
    fresh_database(args.database_url)

    print(f"Shop at {SMALL['products']} products (cache off)", flush=True)
    seed(env, SMALL)
    small_lines = request_lines(env, carts=10)
    small = {}
    with Server("wsgi:app", workers=args.workers, env=uncached, probe=PROBE) as server:
        for name in SCALED:
            small[name] = measure(server, name, small_lines[name], args)

    print(f"Shop at {FULL['products']:,} products, {FULL['reviews']:,} reviews, "
          f"{FULL['articles']:,} articles", flush=True)
    seed(env, FULL)
    lines = request_lines(env)
    scaled, warm = {}, {}
    with Server("wsgi:app", workers=args.workers, env=uncached, probe=PROBE) as server:
        for name, requests in lines.items():
            scaled[name] = measure(server, name, requests, args)
    body_file = ROOT / "bench" / ".ceiling-body.json"
    with Server("wsgi:app", workers=args.workers, env=env, probe=PROBE) as server:
        slug = lines["product detail API"][0].split()[1]
        body = urllib.request.urlopen(server.base + slug).read()
        body_file.write_bytes(body)
        with Server("bench.ceiling:app", workers=args.workers, probe="/ceiling",
                    env={"BENCH_CEILING_BODY": str(body_file)}) as top:
            wrk("ceiling", top.base, ["GET /ceiling"], connections=args.connections,
                seconds=args.warmup)
            for name, requests in lines.items():
                warm[name] = measure(server, name, requests, args,
                                     prime=name not in NEVER_CACHED, ceiling=top)
    body_file.unlink()
    ceiling = sorted(CEILING_RUNS, key=lambda run: run.rps)[len(CEILING_RUNS) // 2]
    ceiling.failures = sum(run.failures for run in CEILING_RUNS)
    ceiling.share = 1.0
    show(ceiling, "")

    print(f"Memory of one worker over {args.memory_requests} requests", flush=True)
    rss = memory(env, lines, args.memory_requests)

    outcome = report.Outcome(args=args, small=small, scaled=scaled, warm=warm,
                             ceiling=ceiling,
                             body_bytes=len(body), rss=rss,
                             minutes=(time.monotonic() - started) / 60)
    text_ = report.markdown(outcome, database_url=args.database_url)
    print(text_)
    if str(args.output) != "-":
        args.output.write_text(text_, encoding="utf-8")
        print(f"Written to {args.output.relative_to(ROOT)}", flush=True)
    return 0 if outcome.all_met() else 1


if __name__ == "__main__":
    sys.exit(main())
