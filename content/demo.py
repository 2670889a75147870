"""Demo exercises and articles, loaded from files under content/demo/ (idempotent)."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select

from storefront.plugin_api import Variant

from .authoring import upsert_article
from .markdown import ContentError
from .models import LINK_ROLES, Exercise, ExerciseProduct

DEMO_DIR = Path(__file__).parent / "demo"


def seed(session, products: dict[str, int]) -> None:
    """Create or update the demo exercises and articles; `products` maps slug to id."""
    exercises = _seed_exercises(session, products)
    for path in sorted((DEMO_DIR / "articles").glob("*.md")):
        upsert_article(session, path.read_text(encoding="utf-8"), str(path), exercises, products)


def _seed_exercises(session, products: dict[str, int]) -> dict[str, int]:
    data = yaml.safe_load((DEMO_DIR / "exercises.yaml").read_text(encoding="utf-8"))
    skus = dict(session.execute(select(Variant.sku, Variant.id)).all())
    ids = {}
    for entry in data["exercises"]:
        exercise = session.scalar(select(Exercise).where(Exercise.slug == entry["slug"]))
        if exercise is None:
            exercise = Exercise(slug=entry["slug"])
            session.add(exercise)
        exercise.name = entry["name"]
        exercise.summary = entry["summary"].strip()
        exercise.steps = list(entry["steps"])
        exercise.muscles = list(entry["muscles"])
        exercise.safety = entry.get("safety", "").strip()
        exercise.product_links = [
            ExerciseProduct(product_id=products[link["product"]], role=_role(link["role"]),
                            recommended_variant_id=skus.get(link.get("sku")), position=i)
            for i, link in enumerate(entry.get("products", []))]
        session.flush()
        ids[exercise.slug] = exercise.id
    return ids


def _role(role: str) -> str:
    if role not in LINK_ROLES:
        raise ContentError(f"unknown role {role!r}")
    return role
