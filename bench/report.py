"""The targets a benchmark run is held to, and the Markdown it writes to bench/RESULTS.md."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from .load import ROOT, Result

# Shares of the ceiling's requests per second that an endpoint must reach.
RPS_SHARE = {"product detail API": 0.50, "product page": 0.35, "article page": 0.35}
P99_MS = 50.0  # every endpoint, at the run's concurrency
SCALE_RATIO = 1.3  # p50 at 10,000 products over p50 at 100, for list and detail
MEMORY_GROWTH = 1.10  # RSS after the last request over RSS after the first 1,000


@dataclass
class Outcome:
    """Everything one run measured."""

    args: object
    small: dict[str, Result]  # cache off, 100 products
    scaled: dict[str, Result]  # cache off, 10,000 products
    warm: dict[str, Result]  # cache on and filled, 10,000 products
    ceiling: Result
    body_bytes: int
    rss: dict[int, int]
    minutes: float

    def checks(self) -> list[tuple[str, str, bool]]:
        """(target, what was measured, met?) for every target."""
        found = []
        for name, share in RPS_SHARE.items():
            got = self.warm[name].share
            found.append((f"{name}: at least {share:.0%} of the ceiling's rps",
                          f"{got:.1%}", got >= share))
        for result in self.warm.values():
            found.append((f"{result.name}: p99 under {P99_MS:.0f} ms at "
                          f"{self.args.connections} connections",
                          f"{result.p99_ms:.1f} ms", result.p99_ms < P99_MS))
        for name in self.small:
            ratio = self.scaled[name].p50_ms / self.small[name].p50_ms
            found.append((f"{name}, cache off: p50 at 10,000 products within "
                          f"{SCALE_RATIO}x of 100", f"{ratio:.2f}x", ratio <= SCALE_RATIO))
        first, last = self.rss[1_000], self.rss[max(self.rss)]
        found.append((f"worker memory after {max(self.rss):,} requests within "
                      f"{MEMORY_GROWTH - 1:.0%} of after 1,000",
                      f"{(last / first - 1):+.1%}", last <= first * MEMORY_GROWTH))
        failures = sum(r.failures for group in (self.small, self.scaled, self.warm)
                       for r in group.values())
        found.append(("no failed request (errors, timeouts, non-2xx/3xx)",
                      str(failures), failures == 0))
        return found

    def all_met(self) -> bool:
        """Whether every target was met."""
        return all(met for _, _, met in self.checks())


def _first_line(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except OSError:
        return "not found"
    return ((done.stdout or done.stderr).strip().splitlines() or ["?"])[0]


def machine(database_url: str) -> list[str]:
    """Lines describing the hardware, system, tools and database the run used."""
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kib = next(int(line.split()[1]) for line in
                      Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal:"))
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        database = "SQLite (file)"
    else:
        engine = create_engine(url)
        with engine.connect() as connection:
            database = connection.execute(text("SHOW server_version")).scalar()
        engine.dispose()
        database = f"PostgreSQL {database}, on the same machine"
    import gunicorn
    return [f"CPU: {cpu}, {os.cpu_count()} cores; memory {memory_kib / 1024 ** 2:.0f} GiB",
            f"OS: {platform.platform()}",
            f"Python {platform.python_version()}, gunicorn {gunicorn.__version__}, "
            f"{_first_line(['wrk', '--version'])}",
            f"Database: {database}",
            f"Code: commit {_first_line(['git', '-C', str(ROOT), 'rev-parse', '--short', 'HEAD'])}"]


def _row(result: Result, cold: Result | None = None) -> str:
    first = (f"{cold.rps:,.0f} | {cold.p50_ms:.2f} | {cold.p99_ms:.2f}" if cold
             else "— | — | —")  # the same endpoint with the cache off
    share = f"{result.share:.1%}" if result.share is not None else "—"
    return (f"| {result.name} | {result.rps:,.0f} | {result.p50_ms:.2f} | {result.p99_ms:.2f} "
            f"| {share} | {first} | {result.failures} |")


def markdown(outcome: Outcome, *, database_url: str) -> str:
    """bench/RESULTS.md for one run."""
    args = outcome.args
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results", "",
        f"Produced by `make bench` (`python -m bench.run`) on {when}, "
        f"in {outcome.minutes:.0f} minutes. Every figure below comes from that one run.", "",
        "## Machine", "", *[f"- {line}" for line in machine(database_url)], "",
        "## Settings", "",
        f"- gunicorn, {args.workers} sync workers, on 127.0.0.1, `STOREFRONT_ENV=production`, "
        "rate limits and the shared cache in Redis.",
        f"- wrk, 2 threads, {args.connections} connections, {args.warmup} s warm-up then "
        f"{args.repeat} timed runs of {args.seconds} s per endpoint; each figure is from the "
        "median run (by requests per second). Load tool, server, PostgreSQL and Redis share "
        "the machine.",
        f"- Ceiling: a bare Flask app (`bench/ceiling.py`) under the same gunicorn settings, "
        f"answering a constant {outcome.body_bytes:,}-byte body, the bytes of a real "
        "product detail. Each timed run of a shop endpoint (cache on) is followed by a run "
        "of the ceiling; *of ceiling* is the median of those paired shares, and the "
        "ceiling's own row the median of all its runs.",
        "- Requests go through every product and article in a shuffled order, 200 pages of "
        "the product list, 12 search phrases, and new lines in 2,000 carts.", "",
        "## At 10,000 products, 100,000 approved reviews, 1,000 articles", "",
        "*Cache on*: the shared cache in Redis, as the shop runs in production, after one "
        "pass over every product, article, list page and phrase has filled it (writes are "
        "never cached). *Cache off*: the same requests built from the database every time, "
        "which is what each cache miss costs.", "",
        "| endpoint | req/s | p50 ms | p99 ms | of ceiling | cache off req/s | p50 ms "
        "| p99 ms | failed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *[_row(result, outcome.scaled.get(name))
          for name, result in outcome.warm.items()],
        _row(outcome.ceiling), "",
        "## Catalogue size, on the database path", "",
        "The product list and detail APIs with the cache off, at 100 products (1,000 "
        "reviews) and at 10,000 (100,000 reviews):", "",
        "| endpoint | req/s at 100 | p50 ms at 100 | p50 ms at 10,000 | ratio | p99 ms at 100 "
        "| p99 ms at 10,000 |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *[f"| {name} | {small.rps:,.0f} | {small.p50_ms:.2f} | "
          f"{outcome.scaled[name].p50_ms:.2f} | "
          f"{outcome.scaled[name].p50_ms / small.p50_ms:.2f}x | {small.p99_ms:.2f} | "
          f"{outcome.scaled[name].p99_ms:.2f} |" for name, small in outcome.small.items()],
        "",
        "## Memory of one worker", "",
        "Mixed requests (the six shop endpoints in turn, each going through its own list) "
        "to a one-worker shop with the cache off, so every request runs the shop's code "
        "from the database up:", "",
        "| after requests | resident memory MiB |", "|---:|---:|",
        *[f"| {n:,} | {kib / 1024:.1f} |" for n, kib in sorted(outcome.rss.items())], "",
        "## Targets", "",
        "| target | measured | met |", "|---|---|---|",
        *[f"| {target} | {got} | {'yes' if met else '**no**'} |"
          for target, got, met in outcome.checks()], "",
    ]
    return "\n".join(lines)
