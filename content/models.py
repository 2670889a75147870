"""Content tables: exercises, articles, and their links to products and to each other."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.plugin_api import Image, Model, Product, UTCDateTime, Variant, utcnow

from .markdown import prose_key, render_prose

LINK_ROLES = ("required", "optional")
ARTICLE_STATUSES = ("draft", "published", "scheduled")
# Statuses readers may see, once `published_at` has passed.
PUBLIC_ARTICLE_STATUSES = ("published", "scheduled")
EXERCISE_STATUSES = ("draft", "published", "archived")


class Exercise(Model):
    """A movement the shop teaches, with steps, the muscles it trains and the gear it needs."""

    __tablename__ = "exercise"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'archived')", name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    steps: Mapped[list] = mapped_column(JSON, default=list)
    muscles: Mapped[list] = mapped_column(JSON, default=list)
    safety: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="published")
    image_id: Mapped[int | None] = mapped_column(ForeignKey("image.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    product_links: Mapped[list[ExerciseProduct]] = relationship(
        back_populates="exercise", cascade="all, delete-orphan",
        order_by="ExerciseProduct.position")
    image: Mapped[Image | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class ExerciseProduct(Model):
    """An exercise uses a product, as required or optional gear, with a recommended variant."""

    __tablename__ = "exercise_product"
    __table_args__ = (CheckConstraint("role IN ('required', 'optional')", name="known_role"),)

    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("exercise.id", ondelete="CASCADE"), primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(20), default="required")
    recommended_variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("variant.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    exercise: Mapped[Exercise] = relationship(back_populates="product_links")
    product: Mapped[Product] = relationship()
    recommended_variant: Mapped[Variant | None] = relationship()


class Article(Model):
    """A piece of writing, kept as Markdown with shortcodes: a draft, published, or
    scheduled (public once `published_at` has passed, with no worker to flip it)."""

    __tablename__ = "article"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'scheduled')", name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    # The body rendered (`markdown.render_prose`), written whenever `body_markdown` is, so
    # a page never renders Markdown, and the `prose_key` of the Markdown it was built from;
    # None, or a key that no longer matches, is built again on read.
    body_html: Mapped[str | None] = mapped_column(Text, default=None)
    body_html_key: Mapped[str | None] = mapped_column(String(32), default=None)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    exercise_links: Mapped[list[ArticleExercise]] = relationship(
        back_populates="article", cascade="all, delete-orphan",
        order_by="ArticleExercise.position")
    product_links: Mapped[list[ArticleProduct]] = relationship(
        back_populates="article", cascade="all, delete-orphan",
        order_by="ArticleProduct.position")

    __mapper_args__ = {"version_id_col": version}


@event.listens_for(Article.body_markdown, "set")
def _render_body(target: Article, value, oldvalue, initiator) -> None:
    """Every ORM write of the Markdown (console, staff API, import, demo) stores its HTML in
    the same flush, so the stored body can never lag the Markdown it was built from."""
    target.body_html = render_prose(value or "")
    target.body_html_key = prose_key(value or "")


class ArticleExercise(Model):
    """An article teaches an exercise."""

    __tablename__ = "article_exercise"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("exercise.id", ondelete="CASCADE"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    article: Mapped[Article] = relationship(back_populates="exercise_links")
    exercise: Mapped[Exercise] = relationship()


class ArticleProduct(Model):
    """An article recommends a product."""

    __tablename__ = "article_product"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    article: Mapped[Article] = relationship(back_populates="product_links")
    product: Mapped[Product] = relationship()


NEWSLETTER_STATUSES = ("pending", "confirmed", "unsubscribed")


class NewsletterSubscriber(Model):
    """An address that asked for the newsletter: `pending` until the emailed link is
    followed, then `confirmed`, until it unsubscribes. Never shown to visitors."""

    __tablename__ = "newsletter_subscriber"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'confirmed', 'unsubscribed')",
                        name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # normalised
    status: Mapped[str] = mapped_column(String(20), default="pending")
    source: Mapped[str | None] = mapped_column(String(200))  # article:<slug> or a page
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # resends throttled
