"""Moderated items (reviews, comments) and the audit log of what moderators did."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..timeutil import UTCDateTime, utcnow


class ModerationStatus(StrEnum):
    """Where a moderated item stands; only `APPROVED` is ever public."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SPAM = "spam"


class ModeratedItem(Model):
    """Something a visitor wrote about a product or an article, hidden until approved."""

    __tablename__ = "moderated_item"
    __table_args__ = (
        CheckConstraint(f"status IN ({', '.join(repr(s.value) for s in ModerationStatus)})",
                        name="known_status"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
        Index("ix_moderated_item_target", "kind", "target_type", "target_id", "status"),
        Index("ix_moderated_item_queue", "status", "created_at"),
        # One approved review per email and product; any number may wait or be refused.
        Index("uq_moderated_item_approved_author", "dedupe_key", unique=True,
              sqlite_where=text(f"status = '{ModerationStatus.APPROVED}'"),
              postgresql_where=text(f"status = '{ModerationStatus.APPROVED}'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(Integer)
    target_slug: Mapped[str] = mapped_column(String(160))
    target_title: Mapped[str] = mapped_column(String(200))
    author_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(254), index=True)
    title: Mapped[str] = mapped_column(String(120), default="")
    body: Mapped[str] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    verified_purchase: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=ModerationStatus.PENDING)
    spam_score: Mapped[float] = mapped_column(Float, default=0.0)
    spam_reasons: Mapped[list] = mapped_column(JSON, default=list)
    # Who wrote about what, for items one author may have only one of (reviews); NULL
    # (comments) never conflicts.
    dedupe_key: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moderated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"))
    moderation_reason: Mapped[str] = mapped_column(Text, default="")

    actions: Mapped[list[ModerationAction]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ModerationAction.id")


class ModerationAction(Model):
    """One moderator decision: who, when, from which status to which, and why."""

    __tablename__ = "moderation_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("moderated_item.id", ondelete="CASCADE"),
                                         index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id",
                                                            ondelete="SET NULL"))
    actor_email: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[ModeratedItem] = relationship(back_populates="actions")
