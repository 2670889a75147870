"""What a benchmark run reports: each group's section and targets, the machine, and the
Markdown it writes to bench/RESULTS.md."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from .load import ROOT, Result


@dataclass
class Section:
    """What one group of the run measured: its part of bench/RESULTS.md and its targets."""

    group: str  # the name `--only` takes
    title: str
    intro: str
    table: list[str]  # Markdown lines
    checks: list[tuple[str, str, bool]] = field(default_factory=list)  # (target, got, met)
    failures: int = 0  # failed requests over every run of the group
    label: str = ""  # how the Targets table names the group

    def check(self, target: str, got: str, met: bool) -> None:
        """Add one target with what was measured."""
        self.checks.append((target, got, met))


def all_met(sections: list[Section]) -> bool:
    """Whether every target of every group was met."""
    return all(met for section in sections for _, _, met in section.checks)


def results_table(results: list[Result], ceiling: Result | None = None,
                  cold: dict[str, Result] | None = None) -> list[str]:
    """A table of endpoints (and the group's ceiling), optionally with the same endpoints'
    cache-off figures beside them."""
    head = "| endpoint | req/s | p50 ms | p99 ms | of ceiling | failed |"
    rule = "|---|---:|---:|---:|---:|---:|"
    if cold is not None:
        head = head.replace(" failed |", " cache off req/s | p50 ms | p99 ms | failed |")
        rule += "---:|---:|---:|"
    rows = [head, rule]
    for result in [*results, *([ceiling] if ceiling else [])]:
        share = f"{result.share:.1%}" if result.share is not None else "—"
        row = f"| {result.name} | {result.rps:,.0f} | {result.p50_ms:.2f} | " \
              f"{result.p99_ms:.2f} | {share} |"
        if cold is not None:
            off = cold.get(result.name)
            row += (f" {off.rps:,.0f} | {off.p50_ms:.2f} | {off.p99_ms:.2f} |" if off
                    else " — | — | — |")
        rows.append(f"{row} {result.failures} |")
    return rows



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
        engine = create_engine(url.set(database="postgres"))  # whichever groups ran
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


def markdown(sections: list[Section], *, settings: list[str], database_url: str,
             minutes: float, command: str) -> str:
    """bench/RESULTS.md for one run."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results", "",
        f"Produced by `{command}` on {when}, in {minutes:.0f} minutes. Every figure below "
        "comes from that one run; every share is of the ceiling measured in the same run.",
        "", "## Machine", "", *[f"- {line}" for line in machine(database_url)], "",
        "## Settings", "", *[f"- {line}" for line in settings], ""]
    for section in sections:
        if section.table:
            lines += [f"## {section.title}", "", section.intro, "", *section.table, ""]
    lines += ["## Targets", "",
              "| group | target | measured | met |", "|---|---|---|---|",
              *[f"| {section.label or section.group} | {target} | {got} | "
                f"{'yes' if met else '**no**'} |"
                for section in sections for target, got, met in section.checks], ""]
    return "\n".join(lines)
