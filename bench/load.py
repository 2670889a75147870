"""Parts of a benchmark run: a gunicorn server, a wrk run, a worker's resident memory."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LUA = HERE / "requests.lua"


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`gunicorn APP` on a free port of 127.0.0.1, for the length of a `with` block."""

    def __init__(self, app: str, *, workers: int, env: dict[str, str], probe: str,
                 worker_class: str = "sync", threads: int = 1):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.probe = probe
        self.workers_count = workers
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.command = [str(gunicorn), app, "--bind", f"127.0.0.1:{self.port}",
                        "--workers", str(workers), "--worker-class", worker_class,
                        "--threads", str(threads), "--backlog", "2048",
                        "--log-level", "warning"]
        self.env = {**os.environ, **env}
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(self.base + self.probe, timeout=5) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.base}{self.probe} did not answer within 60 s")

    def __exit__(self, *exc) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def workers(self) -> list[int]:
        """Process ids of the worker processes."""
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


def rss_kib(pid: int) -> int:
    """Resident set size of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


@dataclass
class Result:
    """What wrk measured for one endpoint."""

    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    failures: int  # socket errors, timeouts and non-2xx/3xx answers
    share: float | None = None  # of the ceiling's rps, from runs paired with the ceiling
    total: int = 0  # requests over every timed run, not only the median one


def wrk(name: str, base: str, lines: list[str], *, connections: int, seconds: int,
        threads: int = 2, once: bool = False, headers: dict[str, str] | None = None) -> Result:
    """Replay `lines` ("METHOD PATH [BODY]") against `base` with wrk for `seconds`, or
    (`once`) send every line once, each request with `headers` (a returning visitor's
    `Cookie`, say); the figures come from the script's summary."""
    threads = min(threads, connections)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(lines) + "\n")
    env = {**os.environ, "BENCH_REQUESTS": listing.name, "BENCH_THREADS": str(threads),
           "BENCH_HEADERS": "\n".join(f"{key}: {value}"
                                       for key, value in (headers or {}).items())}
    if once:
        env["BENCH_ONCE"] = "1"
        seconds = 3600  # ended below, when every thread has sent its share
    command = ["wrk", "--threads", str(threads), "--connections", str(connections),
               "--duration", f"{seconds}s", "--timeout", "10s", "--script", str(LUA), base]
    try:
        with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) as process:
            output = []
            finished = 0
            for line in process.stdout:
                output.append(line)
                if line.strip() == "pass-done":
                    finished += 1
                    if finished == threads:
                        process.send_signal(signal.SIGINT)  # wrk stops and reports
            if process.wait() != 0:
                raise RuntimeError(f"wrk failed: {''.join(output)[-500:]}")
    finally:
        os.unlink(listing.name)
    summary = [line for line in output if line.startswith("{")]
    figures = json.loads(summary[-1])
    seconds_taken = figures["duration_us"] / 1e6
    failures = sum(figures[key] for key in ("connect", "read", "write", "status", "timeout"))
    return Result(name=name, rps=figures["requests"] / seconds_taken,
                  p50_ms=figures["p50_us"] / 1000, p99_ms=figures["p99_us"] / 1000,
                  requests=figures["requests"], failures=failures)
