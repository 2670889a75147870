"""The benchmark harness without load: its options, its pairing of runs with the ceiling,
its report, and the requests it prepares (on SQLite, and on PostgreSQL when
TEST_DATABASE_URL is set). Run with `pytest bench/test_bench.py`."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bench import measure as measuring
from bench import report, run
from bench.groups_demo import post_actions
from bench.load import Result
from bench.shop import checkout_lines, fresh_database, full_lines, seed, shop_app

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def test_only_prints_unless_an_output_is_given():
    args = run.arguments(["--only", "demo", "--only", "writes"])
    assert args.only == ["writes", "demo"]  # in the run's own order
    assert str(args.output) == "-"
    assert run.arguments(["--only", "demo", "--output", "x.md"]).output == Path("x.md")
    assert run.arguments([]).output.name == "RESULTS.md"
    assert run.arguments([]).only == list(run.GROUPS)
    with pytest.raises(SystemExit):
        run.arguments(["--only", "nonsense"])
    with pytest.raises(SystemExit):
        run.arguments(["--only", "scale", "--keep-database"])


def fake_result(name: str, rps: float) -> Result:
    return Result(name=name, rps=rps, p50_ms=1000 / rps, p99_ms=2000 / rps, requests=int(rps),
                  failures=0)


def test_measure_pairs_every_timed_run_with_the_ceiling(monkeypatch):
    shop_rps = iter([50, 100, 300, 200])  # warm-up, then three timed runs
    ceiling_rps = iter([1000, 1000, 400])
    calls = []

    def fake_wrk(name, base, lines, *, connections, seconds, once=False, headers=None):
        calls.append((name, seconds, headers))
        rps = next(ceiling_rps) if name == "ceiling" else next(shop_rps)
        return fake_result(name, rps)

    monkeypatch.setattr(measuring, "wrk", fake_wrk)
    plan = measuring.Plan(connections=4, warmup=1, seconds=5, repeat=3, minor_seconds=2,
                          minor_repeat=1)
    server = type("S", (), {"base": "http://x"})()
    ceiling = measuring.Ceiling(server=server)
    result = measuring.measure(server, "page", ["GET /"], plan, ceiling=ceiling,
                               headers={"Cookie": "a=b"})
    assert result.rps == 200  # the median run
    assert result.share == pytest.approx(0.3)  # median of 0.1, 0.3, 0.5
    assert result.total == 600
    assert [c[0] for c in calls] == ["page", "page", "ceiling", "page", "ceiling", "page",
                                     "ceiling"]
    assert all(c[2] == {"Cookie": "a=b"} for c in calls if c[0] == "page")
    assert ceiling.summary().rps == 1000 and ceiling.summary().share == 1.0
    assert plan.runs(False) == (1, 2)


def test_the_report_names_each_group_in_the_targets_table():
    section = report.Section("demo", "2. Demo", "Intro.",
                             report.results_table([fake_result("home page", 50)],
                                                  fake_result("ceiling", 100)),
                             label="2 demo")
    section.check("home page: at least 30%", "50.0%", True)
    missed = report.Section("all", "", "", [], label="all groups")
    missed.check("no failed request", "3", False)
    text = report.markdown([section, missed], settings=["one"], minutes=1.0,
                           database_url="sqlite:///x.db", command="make bench")
    assert "## 2. Demo" in text and "| home page | 50 |" in text
    assert "| 2 demo | home page: at least 30% | 50.0% | yes |" in text
    assert "| all groups | no failed request | 3 | **no** |" in text
    assert "## \n" not in text  # a section without a table has no heading
    assert not report.all_met([section, missed]) and report.all_met([section])


def test_post_actions_are_the_forms_that_need_a_session():
    html = ('<form class="s" action="/search" method="get"></form>'
            '<form method="post" action="/cart/add" class="add"></form>'
            "<FORM METHOD='POST' action='/newsletter'></FORM>")
    assert post_actions(html) == {"/cart/add", "/newsletter"}


@pytest.fixture(params=DATABASES)
def bench_env(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bench.db'}"
    else:
        url = make_url(str(POSTGRES_URL)).set(database="storefront_bench_test").render_as_string(
            hide_password=False)
    fresh_database(url)
    return {"STOREFRONT_ENV": "production", "SECRET_KEY": "k" * 64, "DATABASE_URL": url,
            "PUBLIC_BASE_URL": "http://127.0.0.1", "PAYMENT_PROVIDER": "test",
            "CACHE_URL": "", "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_ENABLED": "false", "CHECKOUT_MAX_UNITS": "0"}


def test_requests_prepared_for_the_shop_are_answered(bench_env):
    seed(bench_env, {"products": 130, "reviews": 40, "articles": 3})
    lines = full_lines(bench_env, carts=3)
    assert len(lines["product detail API"]) == 130
    assert lines["product list API, first page"] == ["GET /api/v1/products"]
    assert 1 <= len(lines["product list API, deep pages"]) <= 50
    assert len(lines["add cart line"]) == 30 and lines["exercise page"]
    checkouts = checkout_lines(bench_env, lines["skus"], 2)
    with shop_app(bench_env) as app:
        client = app.test_client(use_cookies=False)
        first = client.get("/api/v1/products").get_json()
        positions = {item["slug"]: n for n, item in enumerate(
            client.get("/api/v1/products?limit=100").get_json()["items"]
            + client.get("/api/v1/products?limit=100&cursor="
                         + client.get("/api/v1/products?limit=100").get_json()["next_cursor"]
                         ).get_json()["items"])}
        for line in lines["product list API, deep pages"]:
            page = client.get(line.split()[1]).get_json()["items"]
            assert len(page) <= len(first["items"]) and positions[page[0]["slug"]] >= 65
        for name in ("product detail API", "product page", "exercise page", "article page",
                     "search API"):
            assert client.get(lines[name][0].split()[1]).status_code == 200, name
        for line in [*lines["add cart line"][:3], *checkouts, *lines["create cart"]]:
            method, path, *body = line.split(" ", 2)
            answer = client.open(path, method=method,
                                 json=json.loads(body[0]) if body else None)
            assert answer.status_code in (200, 201), answer.get_data(as_text=True)
        assert re.match(r"POST /api/v1/carts/\S+/checkout \{\"email\": \"buyer1@",
                        checkouts[1])
