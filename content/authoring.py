"""Authoring: Markdown files with front matter in, articles out, all or nothing.

An import checks every file before it writes anything, and writes them all in one
transaction, so a broken file never changes what is already published.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from storefront.plugin_api import Product

from .markdown import (
    SHORTCODE,
    SHORTCODE_KINDS,
    ContentError,
    shortcodes,
    split_front_matter,
)
from .models import ARTICLE_STATUSES, Article, ArticleExercise, ArticleProduct, Exercise

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,158}$")
KNOWN_KEYS = {"title", "slug", "summary", "published_at", "status", "exercises", "products"}


@dataclass
class ImportResult:
    """What an import did."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def _key_line(source: str, key: str, value: str | None = None) -> int | None:
    """The line of a front matter key (or of one value under it), for error messages."""
    in_key = False
    for number, line in enumerate(source.splitlines()[1:], start=2):
        if line.strip() == "---":
            break
        if re.match(rf"^{re.escape(key)}\s*:", line):
            in_key = True
            if value is None or value in line:
                return number
        elif in_key and value is not None and value in line:
            return number
        elif in_key and re.match(r"^\S", line):
            in_key = False
    return None


def _published_at(meta: dict, source: str, path: str) -> datetime | None:
    value = meta.get("published_at")
    if value is None or isinstance(value, datetime):
        return value
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ContentError(f"published_at {value!r} is not a date and time",
                           path=path, line=_key_line(source, "published_at")) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def check_article(source: str, path: str, exercises: dict[str, int],
                  products: dict[str, int]) -> tuple[dict, str]:
    """Front matter and body of one file, refusing anything unknown or missing."""
    meta, body, body_line = split_front_matter(source, path)
    unknown = set(meta) - KNOWN_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise ContentError(f"unknown front matter key {key!r}", path=path,
                           line=_key_line(source, key))
    for key in ("title", "slug"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise ContentError(f"front matter needs {key!r}", path=path,
                               line=_key_line(source, key) or 2)
    if not SLUG.match(meta["slug"]):
        raise ContentError(f"slug {meta['slug']!r} may hold only a-z, 0-9 and -", path=path,
                           line=_key_line(source, "slug"))
    status = meta.get("status", "draft")
    if status not in ARTICLE_STATUSES:
        raise ContentError(f"status must be draft or published, not {status!r}", path=path,
                           line=_key_line(source, "status"))
    meta["status"] = status
    meta["published_at"] = _published_at(meta, source, path)
    if status == "published" and meta["published_at"] is None:
        meta["published_at"] = datetime.now(UTC)
    known = {"exercise": exercises, "product": products}
    for kind in ("exercise", "product"):
        listed = meta.get(kind + "s") or []
        if not isinstance(listed, list):
            raise ContentError(f"{kind}s must be a list of slugs", path=path,
                               line=_key_line(source, kind + "s"))
        for slug in listed:
            if slug not in known[kind]:
                raise ContentError(f"unknown {kind} {slug!r}", path=path,
                                   line=_key_line(source, kind + "s", str(slug)))
    check_body(body, exercises, products, path=path, first_line=body_line)
    return meta, body


def check_body(body: str, exercises: Mapping[str, object], products: Mapping[str, object],
               *, path: str | None = None, first_line: int = 1) -> None:
    """Refuse a Markdown body with an unknown or malformed shortcode, or one naming an
    exercise or product that does not exist, giving the line (`first_line` is the line
    the body starts on in its file)."""
    known = {"exercise": exercises, "product": products}
    for kind, slug, line in shortcodes(body):
        if kind not in SHORTCODE_KINDS:
            raise ContentError(f"unknown shortcode kind {kind!r}", path=path,
                               line=first_line + line - 1)
        if slug not in known[kind]:
            raise ContentError(f"unknown {kind} {slug!r}", path=path,
                               line=first_line + line - 1)
    leftover = re.search(r"\[\[[^\]]*\]\]", _blank_shortcodes(body))
    if leftover:
        number = body[:leftover.start()].count("\n") + first_line
        raise ContentError(f"malformed shortcode {leftover.group(0)!r}", path=path, line=number)


def _blank_shortcodes(body: str) -> str:
    """The body with every well-formed shortcode blanked out (same length, same lines)."""
    return SHORTCODE.sub(lambda m: " " * len(m.group(0)), body)


def upsert_article(session, source: str, path: str, exercises: dict[str, int],
                   products: dict[str, int]) -> tuple[Article, bool]:
    """Create or update one article from its file; returns it and whether it is new."""
    meta, body = check_article(source, path, exercises, products)
    article = session.scalar(select(Article).where(Article.slug == meta["slug"]))
    created = article is None
    if created:
        article = Article(slug=meta["slug"])
        session.add(article)
    article.title = meta["title"].strip()
    article.summary = str(meta.get("summary", "") or "").strip()
    article.body_markdown = body
    article.status = meta["status"]
    article.published_at = meta["published_at"]
    article.exercise_links = [ArticleExercise(exercise_id=exercises[slug], position=i)
                              for i, slug in enumerate(meta.get("exercises") or [])]
    article.product_links = [ArticleProduct(product_id=products[slug], position=i)
                             for i, slug in enumerate(meta.get("products") or [])]
    session.flush()
    return article, created


def import_directory(session, directory: str | Path) -> ImportResult:
    """Load every `*.md` file under `directory`; any error leaves the database as it was."""
    root = Path(directory)
    if not root.is_dir():
        raise ContentError(f"{root} is not a folder")
    files = sorted(root.rglob("*.md"))
    if not files:
        raise ContentError(f"{root} holds no .md files")
    exercises = dict(session.execute(select(Exercise.slug, Exercise.id)).all())
    products = dict(session.execute(select(Product.slug, Product.id)).all())
    result, seen = ImportResult(), dict[str, str]()
    try:
        for path in files:
            try:
                source = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise ContentError("not UTF-8 text", path=str(path)) from None
            meta, _ = check_article(source, str(path), exercises, products)
            if meta["slug"] in seen:
                raise ContentError(f"slug {meta['slug']!r} is also used by {seen[meta['slug']]}",
                                   path=str(path), line=_key_line(source, "slug"))
            seen[meta["slug"]] = str(path)
            article, created = upsert_article(session, source, str(path), exercises, products)
            (result.created if created else result.updated).append(article.slug)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return result
