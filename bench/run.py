"""The shop under load, against a bare-Flask ceiling: `make bench` (or `python -m bench.run`).

Groups (`--only GROUP`, repeatable, runs some of them; all by default):

- `scale`: a fresh PostgreSQL database grown to 100 products with `bench.seed`, the
  product list and detail APIs with the cache off; then again at full size.
- `cacheoff` (1): the shop grown to 10,000 products, 100,000 reviews and 1,000 articles;
  detail API, product, exercise and article pages and search with the cache off, each
  paired with the ceiling; the product list's first page against pages deep in it.
- `cacheon`: the same reads with the cache in Redis, filled by one pass first.
- `writes` (3): create a cart, add a line, check out with test payments.
- `memory`: a one-worker shop's resident memory over 20,000 mixed requests.
- `demo` (2): every public page in production settings on the demo data only.
- `firstvisit` (5): a first visit against a returning one; which pages set a session.
- `embedded` (4): `make run`'s settings (SQLite file, no Redis) under gunicorn.

Each group runs its own `bench.ceiling` (a bare Flask app answering a product detail's
bytes) under the same gunicorn settings, and every share is of runs paired with it. The
run prints every figure, checks the targets and writes bench/RESULTS.md (with `--only`,
only when `--output` is given). Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import sys
import time
from pathlib import Path

from . import groups_demo, groups_full, report
from .load import ROOT
from .measure import Bench, Plan
from .shop import FULL, SMALL, demo_database_url, fresh_database, full_lines, seed

DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/storefront_bench"
GROUPS = ("scale", "cacheoff", "cacheon", "writes", "memory", "demo", "firstvisit",
          "embedded")
ON_FULL = {"scale", "cacheoff", "cacheon", "writes", "memory"}


def arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                  DEFAULT_DATABASE))
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10, help="each headline timed run")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed runs per headline row (cache off, cache on)")
    parser.add_argument("--minor-seconds", type=int, default=None,
                        help="each timed run of the other rows (default: half --seconds)")
    parser.add_argument("--minor-repeat", type=int, default=1,
                        help="timed runs per row of the other groups")
    parser.add_argument("--memory-requests", type=int, default=20_000)
    parser.add_argument("--checkout-carts", type=int, default=4_000,
                        help="carts prepared for the checkout rows, one per checkout")
    parser.add_argument("--only", action="append", choices=GROUPS, metavar="GROUP",
                        help=f"run only this group (repeatable): {', '.join(GROUPS)}")
    parser.add_argument("--keep-database", action="store_true",
                        help="grow the existing benchmark database instead of a fresh one "
                        "(not with the scale group, which starts from 100 products)")
    parser.add_argument("--output", type=Path, default=None,
                        help="where the results go ('-' prints them only; default "
                        "bench/RESULTS.md, or '-' with --only)")
    args = parser.parse_args(argv)
    args.only = [group for group in GROUPS if group in (args.only or GROUPS)]
    if args.output is None:
        args.output = Path("-") if len(args.only) < len(GROUPS) else ROOT / "bench" / "RESULTS.md"
    if args.keep_database and "scale" in args.only:
        parser.error("--keep-database cannot measure the scale group (it needs 100 products)")
    return args


def settings(args: argparse.Namespace) -> list[str]:
    """The Settings part of RESULTS.md."""
    return [
        f"Groups: {', '.join(args.only)}.",
        f"gunicorn, {args.workers} sync workers, on 127.0.0.1; unless a group says "
        "otherwise `STOREFRONT_ENV=production`, PostgreSQL, rate limits and the shared "
        "cache in Redis.",
        f"wrk, 2 threads, {args.connections} connections, {args.warmup} s warm-up per row. "
        f"Headline rows (groups 1 and cache on): {args.repeat} timed runs of "
        f"{args.seconds} s; other rows: {args.minor_repeat} of {args.minor_seconds} s. "
        "Each figure is from the median run (by requests per second). Load tool, server, "
        "PostgreSQL and Redis share the machine.",
        "Ceiling: a bare Flask app (`bench/ceiling.py`) under the same gunicorn settings, "
        "answering the bytes of a real product detail of the group's shop. Each timed run "
        "of a shop row is followed by a run of the ceiling; *of ceiling* is the median of "
        "those paired shares, and each group's ceiling row the median of its runs.",
        "Requests go through every product, exercise and article in a shuffled order, 200 "
        "pages of the product list, 12 search phrases, and new lines in 2,000 carts."]


def main(argv: list[str] | None = None) -> int:
    """The groups asked for; exit status 1 when a target is missed."""
    args = arguments(argv)
    args.minor_seconds = args.minor_seconds or max(1, args.seconds // 2)
    plan = Plan(connections=args.connections, warmup=args.warmup, seconds=args.seconds,
                repeat=args.repeat, minor_seconds=args.minor_seconds,
                minor_repeat=args.minor_repeat)
    env = {"STOREFRONT_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
           "DATABASE_URL": args.database_url, "PUBLIC_BASE_URL": "http://127.0.0.1",
           "PAYMENT_PROVIDER": "test",  # the checkout benchmark takes no money
           "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI",
                                                   "redis://127.0.0.1:6379/15"),
           "CACHE_URL": os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/15")}
    bench = Bench(plan=plan, workers=args.workers, env=env,
                  checkout_carts=args.checkout_carts, memory_requests=args.memory_requests)
    started = time.monotonic()
    sections: list[report.Section] = []
    only = set(args.only)

    if only & ON_FULL:
        if not args.keep_database:
            fresh_database(args.database_url)
        if "scale" in only:
            print(f"Shop at {SMALL['products']} products (cache off)", flush=True)
            seed(env, SMALL)
            bench.lines = full_lines(env, carts=10)
            groups_full.small(bench)
        print(f"Shop at {FULL['products']:,} products, {FULL['reviews']:,} reviews, "
              f"{FULL['articles']:,} articles", flush=True)
        seed(env, FULL)
        bench.lines = full_lines(env)
        for group, run in (("cacheoff", groups_full.cache_off),
                           ("cacheon", groups_full.cache_on), ("scale", groups_full.scale),
                           ("writes", groups_full.writes), ("memory", groups_full.memory)):
            if group in only:
                print(f"Group {group}", flush=True)
                sections.append(run(bench))
    if only & {"demo", "firstvisit"}:
        demo_env = {**env, "DATABASE_URL": demo_database_url(args.database_url)}
        print("Demo shop (seed-demo only), production settings", flush=True)
        groups_demo.prepare_demo(demo_env)
        for group, run_demo in (("demo", groups_demo.demo),
                                ("firstvisit", groups_demo.first_visit)):
            if group in only:
                print(f"Group {group}", flush=True)
                sections.append(run_demo(bench, demo_env))
    if "embedded" in only:
        print("Group embedded: make run's settings under gunicorn", flush=True)
        sections.append(groups_demo.embedded(bench))

    failures = sum(section.failures for section in sections)
    total = report.Section("all", "", "", [], label="all groups")
    total.check("no failed request (errors, timeouts, non-2xx/3xx)", str(failures),
                failures == 0)
    sections.append(total)
    command = "make bench" if argv is None and len(sys.argv) == 1 else \
        "python -m bench.run " + shlex.join(sys.argv[1:] if argv is None else argv)
    text_ = report.markdown(sections, settings=settings(args),
                            database_url=args.database_url, command=command,
                            minutes=(time.monotonic() - started) / 60)
    print(text_)
    if str(args.output) != "-":
        args.output.write_text(text_, encoding="utf-8")
        print(f"Written to {args.output}", flush=True)
    return 0 if report.all_met(sections) else 1


if __name__ == "__main__":
    sys.exit(main())
