"""Demo exercises and articles, loaded from files under content/demo/ (idempotent)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy import select

from storefront.catalog.models import Variant

from .markdown import SHORTCODE_KINDS, ContentError, shortcodes, split_front_matter
from .models import (
    LINK_ROLES,
    Article,
    ArticleExercise,
    ArticleProduct,
    Exercise,
    ExerciseProduct,
)

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


def upsert_article(session, source: str, path: str, exercises: dict[str, int],
                   products: dict[str, int]) -> Article:
    """Create or update one article from its Markdown file, refusing unknown references."""
    meta, body, body_line = split_front_matter(source, path)
    for key in ("title", "slug"):
        if not meta.get(key):
            raise ContentError(f"front matter needs {key!r}", path=path, line=2)
    known = {"exercise": exercises, "product": products}
    for kind, slug, line in shortcodes(body):
        if kind not in SHORTCODE_KINDS:
            raise ContentError(f"unknown shortcode kind {kind!r}", path=path,
                               line=body_line + line - 1)
        if slug not in known[kind]:
            raise ContentError(f"unknown {kind} {slug!r}", path=path, line=body_line + line - 1)
    for kind in ("exercise", "product"):
        for slug in meta.get(kind + "s", []) or []:
            if slug not in known[kind]:
                raise ContentError(f"front matter names unknown {kind} {slug!r}", path=path)
    article = session.scalar(select(Article).where(Article.slug == meta["slug"]))
    if article is None:
        article = Article(slug=meta["slug"])
        session.add(article)
    article.title = str(meta["title"])
    article.summary = str(meta.get("summary", "")).strip()
    article.body_markdown = body
    article.status = meta.get("status", "draft")
    published_at = meta.get("published_at")
    if isinstance(published_at, str):
        published_at = datetime.fromisoformat(published_at)
    article.published_at = published_at
    article.exercise_links = [ArticleExercise(exercise_id=exercises[slug], position=i)
                              for i, slug in enumerate(meta.get("exercises", []) or [])]
    article.product_links = [ArticleProduct(product_id=products[slug], position=i)
                             for i, slug in enumerate(meta.get("products", []) or [])]
    session.flush()
    return article
