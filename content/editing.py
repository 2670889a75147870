"""Staff editing of exercises and articles: the rules the console and the staff API share.

Every write names the version it was based on and is refused (412) when someone saved a
newer one, checked twice: here against the row as read, and by the database through the
models' `version_id_col` when two saves race. Every create and change is one transaction
with its audit row, and nothing is half-created when a check fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from storefront.plugin_api import (
    ConflictError,
    InvalidError,
    NotFoundError,
    Product,
    ServiceError,
    Variant,
    check_version,
    commit_versioned,
    keyset_page,
    record_staff_action,
    utcnow,
)

from .authoring import SLUG, check_body
from .markdown import ContentError, shortcodes
from .models import Article, ArticleExercise, ArticleProduct, Exercise, ExerciseProduct

SLUG_RULE = "Use lower-case letters, digits and hyphens, starting with a letter or digit."
EXERCISE_FIELDS = ("slug", "name", "summary", "steps", "muscles", "safety", "status",
                   "products")
ARTICLE_FIELDS = ("slug", "title", "summary", "body_markdown", "status", "published_at")
# What a change of status is called in the audit log.
STATUS_ACTIONS = {"published": "publish", "scheduled": "schedule", "archived": "archive",
                  "draft": "unpublish"}


# ---------------------------------------------------------------------------
# Reading for staff (every status)
# ---------------------------------------------------------------------------

def _exercise_query():
    return select(Exercise).options(joinedload(Exercise.image), selectinload(
        Exercise.product_links).options(
        joinedload(ExerciseProduct.product), joinedload(ExerciseProduct.recommended_variant)))


def staff_exercises(session, *, limit: int = 50, cursor: str | None = None):
    """One page of exercises in any status, oldest first."""
    return keyset_page(session, _exercise_query(), [Exercise.id], limit=limit, cursor=cursor)


def staff_exercise(session, slug: str) -> Exercise:
    """An exercise in any status, with its gear."""
    exercise = session.scalar(_exercise_query().where(Exercise.slug == slug))
    if exercise is None:
        raise NotFoundError(f"No exercise {slug!r}.")
    return exercise


def staff_articles(session, *, limit: int = 50, cursor: str | None = None):
    """One page of articles in any status, newest first."""
    return keyset_page(session, select(Article), [Article.id], limit=limit, cursor=cursor,
                       descending=True)


def staff_article(session, slug: str) -> Article:
    """An article in any status."""
    article = session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        raise NotFoundError(f"No article {slug!r}.")
    return article


def exercise_values(exercise: Exercise) -> dict:
    """An exercise's editable fields, as staff write them."""
    return {"slug": exercise.slug, "name": exercise.name, "summary": exercise.summary,
            "steps": list(exercise.steps or []), "muscles": list(exercise.muscles or []),
            "safety": exercise.safety, "status": exercise.status,
            "products": [{"slug": link.product.slug, "role": link.role,
                          "recommended_sku": link.recommended_variant.sku
                          if link.recommended_variant else None}
                         for link in exercise.product_links]}


def article_values(article: Article) -> dict:
    """An article's editable fields, as staff write them."""
    return {"slug": article.slug, "title": article.title, "summary": article.summary,
            "body_markdown": article.body_markdown, "status": article.status,
            "published_at": article.published_at}


# ---------------------------------------------------------------------------
# Shared checks
# ---------------------------------------------------------------------------

def _check_slug(session, model, slug: str, own_id: int | None) -> None:
    if not SLUG.match(slug or "") or len(slug) > 120:
        raise InvalidError(f"{slug!r} is not a usable address. {SLUG_RULE}", field="slug")
    if slug == "new":  # the console's address for writing a new one
        raise InvalidError("'new' is kept for the console; choose another address.",
                           field="slug")
    taken = session.scalar(select(model.id).where(model.slug == slug))
    if taken is not None and taken != own_id:
        raise ConflictError(f"Another {model.__tablename__} already uses the slug {slug!r}.",
                            field="slug")


def _described(value) -> str:
    if isinstance(value, list):
        return f"{len(value)} item(s)"
    if isinstance(value, str) and len(value) > 60:
        return repr(value[:57] + "...")
    return repr(value) if not isinstance(value, datetime) else value.isoformat()


def _changes(before: Mapping, after: Mapping) -> str:
    return "; ".join(f"{name}: {_described(before.get(name))} -> {_described(after[name])}"
                     for name in after if before.get(name) != after[name])


def _action(before_status: str | None, after_status: str) -> str:
    if before_status is None:
        return "create"
    if before_status != after_status:
        return STATUS_ACTIONS.get(after_status, "update")
    return "update"


# ---------------------------------------------------------------------------
# Exercises
# ---------------------------------------------------------------------------

def _product_links(session, links) -> list[ExerciseProduct]:
    """The gear links as rows, refusing an unknown product or a variant of another one."""
    for position, link in enumerate(links):
        if not link.get("slug"):
            raise InvalidError(f"products[{position}].slug: name the product.",
                               field="products")
    slugs = [link["slug"] for link in links]
    products = {p.slug: p for p in session.scalars(
        select(Product).where(Product.slug.in_(slugs)).options(selectinload(Product.variants)))}
    rows, seen = [], set()
    for position, link in enumerate(links):
        where = f"products[{position}]"
        product = products.get(link["slug"])
        if product is None:
            raise InvalidError(f"{where}.slug: there is no product {link['slug']!r}.",
                               field="products")
        if product.id in seen:
            raise InvalidError(f"{where}.slug: {link['slug']!r} is listed twice.",
                               field="products")
        seen.add(product.id)
        variant: Variant | None = None
        sku = link.get("recommended_sku")
        if sku:
            variant = next((v for v in product.variants if v.sku == sku), None)
            if variant is None:
                raise InvalidError(f"{where}.recommended_sku: {sku!r} is not a variant of "
                                   f"{product.slug!r}.", field="products")
        rows.append(ExerciseProduct(product_id=product.id, role=link.get("role", "required"),
                                    recommended_variant_id=variant.id if variant else None,
                                    position=position))
    return rows


def _apply_exercise(session, exercise: Exercise, values: Mapping) -> None:
    for name in ("name", "summary", "safety"):
        if name in values:
            setattr(exercise, name, (values[name] or "").strip())
    for name in ("steps", "muscles"):
        if name in values:
            setattr(exercise, name, [item.strip() for item in values[name] if item.strip()])
    if "status" in values:
        exercise.status = values["status"]
    if "products" in values:
        exercise.product_links = _product_links(session, values["products"])
    exercise.updated_at = utcnow()  # always an UPDATE, so the version moves with links too


def create_exercise(session, values: Mapping, *, actor: str) -> Exercise:
    """A new exercise (a draft unless `status` says otherwise), audited, committed."""
    _check_slug(session, Exercise, values["slug"], None)
    exercise = Exercise(slug=values["slug"], status=values.get("status", "draft"),
                        summary="", safety="", steps=[], muscles=[])
    with session.no_autoflush:
        _apply_exercise(session, exercise, {"status": "draft", **values})
    if not exercise.name:
        raise InvalidError("An exercise needs a name.", field="name")
    session.add(exercise)
    session.flush()
    record_staff_action(session, actor=actor, action="create", subject_type="exercise",
                        subject=exercise.slug, detail=f"status {exercise.status}")
    commit_versioned(session, "exercise")
    return staff_exercise(session, exercise.slug)


def update_exercise(session, slug: str, changes: Mapping, *, expected_version: int | None,
                    actor: str) -> Exercise:
    """Change an exercise if nobody saved it since `expected_version`; audited, committed."""
    exercise = staff_exercise(session, slug)
    check_version(exercise.version, expected_version, "exercise")
    if "slug" in changes and changes["slug"] != exercise.slug:
        _check_slug(session, Exercise, changes["slug"], exercise.id)
    if "name" in changes and not (changes["name"] or "").strip():
        raise InvalidError("An exercise needs a name.", field="name")
    before = exercise_values(exercise)
    try:
        with session.no_autoflush:
            if "slug" in changes:
                exercise.slug = changes["slug"]
            _apply_exercise(session, exercise, changes)
    except ServiceError:
        session.rollback()
        raise
    session.flush()
    after = exercise_values(exercise)
    record_staff_action(session, actor=actor, action=_action(before["status"], after["status"]),
                        subject_type="exercise", subject=exercise.slug,
                        detail=_changes(before, after))
    commit_versioned(session, "exercise")
    return staff_exercise(session, exercise.slug)


# ---------------------------------------------------------------------------
# Articles
# ---------------------------------------------------------------------------

def check_article_body(session, body: str) -> tuple[dict[str, int], dict[str, int]]:
    """Refuse (422, naming `body_markdown` and the line) a body whose shortcodes the file
    import would refuse; returns the exercise and product ids it names, in order."""
    wanted = shortcodes(body)
    names = {kind: [slug for k, slug, _ in wanted if k == kind] for kind in ("exercise",
                                                                          "product")}
    exercises = dict(session.execute(select(Exercise.slug, Exercise.id)
                                     .where(Exercise.slug.in_(names["exercise"]))).all())
    products = dict(session.execute(select(Product.slug, Product.id)
                                    .where(Product.slug.in_(names["product"]))).all())
    try:
        check_body(body, exercises, products)
    except ContentError as exc:
        raise InvalidError(f"Line {exc.line}: {str(exc).split(': ', 1)[-1]}",
                           field="body_markdown", line=exc.line) from None
    ordered = {kind: {slug: ids[slug] for slug in names[kind]}
               for kind, ids in (("exercise", exercises), ("product", products))}
    return ordered["exercise"], ordered["product"]


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC) if moment is not None else None


def _apply_article(session, article: Article, values: Mapping) -> None:
    for name in ("title", "summary"):
        if name in values:
            setattr(article, name, (values[name] or "").strip())
    if "body_markdown" in values:
        body = (values["body_markdown"] or "").replace("\r\n", "\n")
        exercises, products = check_article_body(session, body)
        article.body_markdown = body
        article.exercise_links = [ArticleExercise(exercise_id=ex_id, position=i)
                                  for i, ex_id in enumerate(exercises.values())]
        article.product_links = [ArticleProduct(product_id=p_id, position=i)
                                 for i, p_id in enumerate(products.values())]
    if "published_at" in values:
        article.published_at = _aware(values["published_at"])
    if "status" in values:
        article.status = values["status"]
    if article.status == "scheduled" and article.published_at is None:
        raise InvalidError("A scheduled article needs the time it goes out.",
                           field="published_at")
    if article.status == "published" and article.published_at is None:
        article.published_at = utcnow()
    article.updated_at = utcnow()


def create_article(session, values: Mapping, *, actor: str) -> Article:
    """A new article (a draft unless `status` says otherwise), audited, committed."""
    _check_slug(session, Article, values["slug"], None)
    if not (values.get("title") or "").strip():
        raise InvalidError("An article needs a title.", field="title")
    article = Article(slug=values["slug"], status="draft", summary="", body_markdown="")
    with session.no_autoflush:
        _apply_article(session, article, values)
    session.add(article)
    session.flush()
    record_staff_action(session, actor=actor, action="create", subject_type="article",
                        subject=article.slug, detail=f"status {article.status}")
    commit_versioned(session, "article")
    return staff_article(session, article.slug)


def update_article(session, slug: str, changes: Mapping, *, expected_version: int | None,
                   actor: str) -> Article:
    """Change an article if nobody saved it since `expected_version`; audited, committed."""
    article = staff_article(session, slug)
    check_version(article.version, expected_version, "article")
    if "slug" in changes and changes["slug"] != article.slug:
        _check_slug(session, Article, changes["slug"], article.id)
    if "title" in changes and not (changes["title"] or "").strip():
        raise InvalidError("An article needs a title.", field="title")
    before = article_values(article)
    try:
        with session.no_autoflush:
            if "slug" in changes:
                article.slug = changes["slug"]
            _apply_article(session, article, changes)
    except ServiceError:
        session.rollback()
        raise
    session.flush()
    after = article_values(article)
    record_staff_action(session, actor=actor, action=_action(before["status"], after["status"]),
                        subject_type="article", subject=article.slug,
                        detail=_changes(before, after))
    commit_versioned(session, "article")
    return staff_article(session, article.slug)
