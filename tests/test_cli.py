"""The `storefront` command line."""

import os
import subprocess
import sys

from sqlalchemy import func, select

from content.models import Article, Exercise
from storefront.catalog.models import Product, Variant
from storefront.staff.models import ApiToken, StaffUser
from storefront.tokens import digest


def test_seed_demo_is_idempotent(runner, session):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = [session.scalar(select(func.count()).select_from(m))
              for m in (Product, Variant, Exercise, Article)]
    assert counts == [3, 5, 5, 1]
    session.query(Variant).filter_by(sku="BB-HEAVY").update({"stock": 7})
    session.commit()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert [session.scalar(select(func.count()).select_from(m))
            for m in (Product, Variant, Exercise, Article)] == counts
    session.expire_all()
    assert session.scalar(select(Variant.stock).where(Variant.sku == "BB-HEAVY")) == 7


def test_create_staff_and_token(runner, session):
    result = runner.invoke(args=["create-staff", "Ana@Example.com", "--role", "admin",
                                 "--password", "a long passphrase"])
    assert result.exit_code == 0, result.output
    user = session.scalar(select(StaffUser))
    assert user.email == "ana@example.com" and user.role == "admin"
    assert user.password_hash.startswith("$argon2")
    result = runner.invoke(args=["create-token", "ana@example.com"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    stored = session.scalar(select(ApiToken))
    assert stored.token_hash == digest(token) and token not in stored.token_hash


def test_create_staff_prompts_for_the_password(runner, session):
    result = runner.invoke(args=["create-staff", "mo@example.com", "--role", "moderator"],
                           input="a long passphrase\na long passphrase\n")
    assert result.exit_code == 0, result.output
    assert "a long passphrase" not in result.output
    assert session.scalar(select(StaffUser.role)) == "moderator"


def test_create_staff_refuses_bad_input(runner, session):
    for args in (["x@example.com", "--role", "owner", "--password", "a long passphrase"],
                 ["not-an-email", "--role", "admin", "--password", "a long passphrase"],
                 ["x@example.com", "--role", "admin", "--password", "short"]):
        result = runner.invoke(args=["create-staff", *args])
        assert result.exit_code != 0
    runner.invoke(args=["create-staff", "x@example.com", "--role", "admin",
                        "--password", "a long passphrase"])
    again = runner.invoke(args=["create-staff", "X@example.com", "--role", "admin",
                                "--password", "a long passphrase"])
    assert again.exit_code != 0 and "already exists" in again.output
    assert session.scalar(select(func.count()).select_from(StaffUser)) == 1
    unknown = runner.invoke(args=["create-token", "nobody@example.com"])
    assert unknown.exit_code != 0 and "No staff member" in unknown.output


def test_console_script_upgrades_and_seeds_a_fresh_database_from_any_folder(tmp_path):
    env = {**os.environ, "STOREFRONT_ENV": "development",
           "STOREFRONT_INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-c", "from storefront.cli import main; main()"]
    for args in (["db", "upgrade"], ["seed-demo"], ["--help"]):
        result = subprocess.run(command + args, env=env, cwd=tmp_path, capture_output=True,
                                text=True)
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "instance" / "storefront.db").exists()
    assert "seed-demo" in result.stdout and "create-token" in result.stdout
