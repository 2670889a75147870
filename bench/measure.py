"""Timed wrk runs of one endpoint, paired with runs of the bare-Flask ceiling.

The machine is shared (load tool, server, PostgreSQL and Redis on the same cores), so one
run can be unlucky: a figure is the median of several timed runs after a warm-up, and each
timed run of the shop is followed by a run of the ceiling, so that a slow minute of the
machine weighs on both sides of the share.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .load import ROOT, Result, Server, wrk


@dataclass
class Plan:
    """How long and how often each endpoint runs: the headline rows get `repeat` runs of
    `seconds`, the others `minor_repeat` runs of `minor_seconds`, to keep the whole run
    near half an hour."""

    connections: int
    warmup: int
    seconds: int
    repeat: int
    minor_seconds: int
    minor_repeat: int

    def runs(self, headline: bool) -> tuple[int, int]:
        """(timed runs, seconds each) for a headline row or another one."""
        if headline:
            return self.repeat, self.seconds
        return self.minor_repeat, self.minor_seconds


@dataclass
class Ceiling:
    """The bare-Flask ceiling of one group, and every run of it paired with a shop run."""

    server: Server
    runs: list[Result] = field(default_factory=list)

    def run(self, plan: Plan, seconds: int) -> Result:
        """One timed run of the ceiling, kept for the group's ceiling row."""
        result = wrk("ceiling", self.server.base, ["GET /ceiling"],
                     connections=plan.connections, seconds=seconds)
        self.runs.append(result)
        return result

    def summary(self) -> Result:
        """The median of the ceiling's paired runs (by rps), with all their failures."""
        if not self.runs:
            return Result("ceiling", 0.0, 0.0, 0.0, 0, 0, 1.0)
        return Result(**{**median(self.runs).__dict__, "share": 1.0,
                         "failures": sum(run.failures for run in self.runs)})


def median(runs: list[Result]) -> Result:
    """The median run by requests per second."""
    return sorted(runs, key=lambda run: run.rps)[len(runs) // 2]


@contextmanager
def ceiling_for(shop: Server, detail_path: str, plan: Plan, tag: str) -> Iterator[Ceiling]:
    """The ceiling under the shop's gunicorn settings, answering the bytes the shop sends
    for `detail_path` (a product detail), warmed up and ready to pair with."""
    body = urllib.request.urlopen(shop.base + detail_path, timeout=30).read()
    body_file = ROOT / "bench" / f".ceiling-body-{tag}.json"
    body_file.write_bytes(body)
    try:
        with Server("bench.ceiling:app", workers=shop.workers_count, probe="/ceiling",
                    env={"BENCH_CEILING_BODY": str(body_file)}) as top:
            wrk("ceiling", top.base, ["GET /ceiling"], connections=plan.connections,
                seconds=plan.warmup)
            yield Ceiling(top)
    finally:
        body_file.unlink(missing_ok=True)


def measure(server: Server, name: str, lines: list[str], plan: Plan, *,
            headline: bool = True, prime: bool = False, ceiling: Ceiling | None = None,
            headers: dict[str, str] | None = None, warmup: int | None = None,
            label: str = "") -> Result:
    """Figures of the median timed run after a warm-up; with `prime`, the warm-up first
    asks for every line once, so the cache holds what the timed runs will ask for. With
    `ceiling`, each timed run is followed by a run of the ceiling and the result carries
    the median of the paired shares."""
    if prime:
        wrk(name, server.base, lines, connections=plan.connections, seconds=0, once=True,
            headers=headers)
    warm = plan.warmup if warmup is None else warmup
    if warm:
        wrk(name, server.base, lines, connections=plan.connections, seconds=warm,
            headers=headers)
    repeat, seconds = plan.runs(headline)
    runs, shares = [], []
    for _ in range(repeat):
        runs.append(wrk(name, server.base, lines, connections=plan.connections,
                        seconds=seconds, headers=headers))
        if ceiling is not None:
            shares.append(runs[-1].rps / ceiling.run(plan, seconds).rps)
    result = median(runs)
    result.failures = sum(run.failures for run in runs)
    result.total = sum(run.requests for run in runs)
    if shares:
        result.share = sorted(shares)[len(shares) // 2]
    show(result, label or ("cache" if prime else ""))
    return result


def show(result: Result, label: str = "") -> None:
    """Print one line of figures as the run goes."""
    share = f"{result.share:6.1%} of ceiling" if result.share is not None else ""
    print(f"  {result.name:<28} {label:<6} {result.rps:8.0f} rps  p50 {result.p50_ms:6.2f} ms  "
          f"p99 {result.p99_ms:6.2f} ms  requests {result.requests:6d}  "
          f"failures {result.failures}  {share}", flush=True)


@dataclass
class Bench:
    """One run's settings and what its groups share: the benchmark-size shop's request
    lines, and the cache-off figures that other groups compare with."""

    plan: Plan
    workers: int
    env: dict[str, str]  # production settings, the benchmark-size database
    checkout_carts: int
    memory_requests: int
    lines: dict[str, list[str]] = field(default_factory=dict)
    small: dict[str, Result] = field(default_factory=dict)  # cache off, 100 products
    cold: dict[str, Result] = field(default_factory=dict)  # cache off, 10,000 products

    @property
    def uncached(self) -> dict[str, str]:
        """The production settings with the shared cache off: the database path."""
        return {**self.env, "CACHE_URL": ""}
