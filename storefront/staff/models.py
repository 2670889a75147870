"""Staff identity: people who run the shop and the API tokens they hold."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..timeutil import UTCDateTime, utcnow

ROLES = ("moderator", "editor", "admin")


class StaffUser(UserMixin, Model):
    """A person who moderates (moderator), runs the catalogue and the content (editor),
    or runs the whole shop (admin)."""

    __tablename__ = "staff_user"
    __table_args__ = (
        CheckConstraint("role IN ('moderator', 'editor', 'admin')", name="known_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Console sessions carry the version they were opened with; bumping it ends them all.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user",
                                                  cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    def get_id(self) -> str:  # Flask-Login keeps this in the session
        """The session's hold on this person: id and session version (see `end_sessions`)."""
        return f"{self.id}:{self.session_version}"

    def has_role(self, role: str) -> bool:
        """Admins may do everything a moderator or an editor may."""
        return self.role == "admin" or self.role == role


class ApiToken(Model):
    """A bearer token for the staff API, kept only as a SHA-256 digest."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"),
                                         index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[StaffUser] = relationship(back_populates="tokens")


class StaffInvite(Model):
    """A one-time invitation to join the staff with a role, kept as a SHA-256 digest."""

    __tablename__ = "staff_invite"
    __table_args__ = (
        CheckConstraint("role IN ('moderator', 'editor', 'admin')", name="known_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
