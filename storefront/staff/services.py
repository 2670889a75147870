"""Staff rules: creating people and tokens, checking passwords and tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..emails import normalise_email
from ..timeutil import utcnow
from ..tokens import digest
from .models import ROLES, ApiToken, StaffUser

TOKEN_PREFIX = "sft_"
MIN_PASSWORD_LENGTH = 10
# Touching last_used_at on every request would be a write per call; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")


class StaffError(ValueError):
    """A staff request that cannot be carried out, with a message for the person."""


def check_email(email: str) -> str:
    """The address normalised, if it can be a staff member's."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise StaffError(f"{email!r} is not an email address.")
    return email


def check_role(role: str) -> str:
    """The role, if it is one the shop knows."""
    if role not in ROLES:
        raise StaffError(f"Role must be one of {', '.join(ROLES)}.")
    return role


def check_password(password: str) -> str:
    """The password, if it is long enough."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"Password must have at least {MIN_PASSWORD_LENGTH} characters.")
    return password


def new_staff_user(email: str, role: str, password: str) -> StaffUser:
    """An active staff member with an argon2-hashed password, not yet added to a session."""
    email, role = check_email(email), check_role(role)
    check_password(password)
    return StaffUser(email=email, role=role, password_hash=_hasher.hash(password), active=True)


def create_staff(session, email: str, role: str, password: str) -> StaffUser:
    """Add a staff member with an argon2-hashed password."""
    user = new_staff_user(email, role, password)
    email = user.email
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise StaffError(f"A staff member with email {email} already exists.") from None
    return user


def find_staff(session, email: str) -> StaffUser | None:
    """The staff member with this email, if any."""
    return session.scalar(
        select(StaffUser).where(func.lower(StaffUser.email) == normalise_email(email)))


def authenticate(session, email: str, password: str) -> StaffUser | None:
    """The active staff member with this email and password, or None."""
    user = find_staff(session, email)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    session.commit()
    return user


def set_password(session, email: str, password: str) -> StaffUser:
    """Give a staff member a new password, ending every console session they had open."""
    user = _existing(session, email)
    check_password(password)
    user.password_hash = _hasher.hash(password)
    end_sessions(session, user)
    return user


def set_active(session, email: str, active: bool) -> StaffUser:
    """Let a staff member in again, or shut them out: sessions end and tokens stop working."""
    user = _existing(session, email)
    user.active = active
    end_sessions(session, user)
    return user


def end_sessions(session, user: StaffUser) -> None:
    """End every console session of `user`, on every browser: each carries the version it
    was opened with, and a session of an older version is no longer accepted."""
    user.session_version = StaffUser.session_version + 1
    session.commit()
    session.refresh(user)


def user_for_session(session, value: str) -> StaffUser | None:
    """The active staff member a console session belongs to (`StaffUser.get_id()` made
    its value), if that session has not been ended since."""
    user_id, _, version = value.partition(":")
    if not (user_id.isdigit() and version.isdigit()) or len(value) > 40:
        return None
    user = session.get(StaffUser, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _existing(session, email: str) -> StaffUser:
    user = find_staff(session, email)
    if user is None:
        raise StaffError(f"No staff member with email {normalise_email(email)}.")
    return user


def create_token(session, email: str, label: str = "") -> str:
    """Make a new API token for a staff member; the token is returned once, never stored."""
    user = _existing(session, email)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user=user, token_hash=digest(token), label=label))
    session.commit()
    return token


def user_for_token(session, token: str) -> StaffUser | None:
    """The active staff member holding this token, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token))
                         .options(joinedload(ApiToken.user)))
    if row is None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        row.last_used_at = now
        session.commit()
    return row.user
