"""The staff team: who is on it, invitations by one-time link, roles and deactivation.

An invitation's token is shown once (on the page that made it, in the API's answer, on
the command line) and emailed through the outbox; only its SHA-256 digest is stored.
Accepting marks the invitation used with one guarded UPDATE (`WHERE used_at IS NULL`)
in the same transaction that creates the staff member, so two accepts at once make one
person, and a used link never works again. Every invitation, acceptance, role change,
deactivation and reactivation is written to the audit log (`StaffAction`, subject type
`staff`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..errors import ConflictError, InvalidError, NotFoundError, ServiceError
from ..mail.outbox import queue_message
from ..mail.render import render_email
from ..orders.models import StaffAction
from ..timeutil import utcnow
from ..tokens import digest
from . import services
from .models import StaffInvite, StaffUser

INVITE_DAYS = 7
SUBJECT_TYPE = "staff"
INVITE_PATH = "/staff/invite/"  # under the pages prefix: the console's accept page
MAX_TOKEN_LENGTH = 100


class InviteGone(ServiceError):
    """An invitation that was used already, or has expired."""

    status = 410


@dataclass(frozen=True)
class Invitation:
    """A new invitation and its one-time link (the token is not kept anywhere else)."""

    invite: StaffInvite
    token: str
    url: str


def invite_url(site_url: str, token: str) -> str:
    """The accept page's address for `token`, under the shop's pages address."""
    return f"{site_url.rstrip('/')}{INVITE_PATH}{token}"


def members(session) -> list[StaffUser]:
    """Every staff member, active or not, by email."""
    return list(session.scalars(select(StaffUser).order_by(StaffUser.email)))


def open_invites(session, now: datetime | None = None) -> list[StaffInvite]:
    """Invitations not used yet and not expired, newest first."""
    now = now or utcnow()
    return list(session.scalars(
        select(StaffInvite).where(StaffInvite.used_at.is_(None), StaffInvite.expires_at > now)
        .order_by(StaffInvite.id.desc())))


def _checked(check, value):
    try:
        return check(value)
    except services.StaffError as exc:
        raise InvalidError(str(exc)) from None


def _audit(session, *, actor: str, action: str, subject: str, detail: str) -> None:
    session.add(StaffAction(actor=actor, action=action, subject_type=SUBJECT_TYPE,
                            subject=subject, detail=detail))


def invite(session, *, email: str, role: str, invited_by: str, site_url: str,
           shop_name: str, days: int = INVITE_DAYS, now: datetime | None = None) -> Invitation:
    """Invite `email` to join with `role`: the invitation, its audit entry and its email
    are written in one transaction. Someone already on the staff gets 409."""
    email = _checked(services.check_email, email)
    role = _checked(services.check_role, role)
    if services.find_staff(session, email) is not None:
        raise ConflictError(f"{email} is already on the staff.")
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    row = StaffInvite(email=email, role=role, token_hash=digest(token), invited_by=invited_by,
                      created_at=now, expires_at=now + timedelta(days=days))
    session.add(row)
    url = invite_url(site_url, token)
    subject = f"You are invited to the {shop_name} staff console"
    body = render_email("staff_invite", subject=subject, shop={"name": shop_name},
                        shop_name=shop_name, role=role,
                        invited_by=invited_by, url=url, expires_at=row.expires_at)
    try:
        session.flush()
        queue_message(session, topic="staff_invite", recipient=email, subject=subject,
                      text=body.text, html=body.html,
                      dedupe_key=f"staff_invite:{row.token_hash[:32]}")
        _audit(session, actor=invited_by, action="invite", subject=email,
               detail=f"invited as {role}; the link expires {row.expires_at:%Y-%m-%d %H:%M} UTC")
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return Invitation(invite=row, token=token, url=url)


def invite_for_token(session, token: str, now: datetime | None = None) -> StaffInvite:
    """The open invitation behind `token`: unknown 404, used or expired 410."""
    row = None
    if 0 < len(token) <= MAX_TOKEN_LENGTH:
        row = session.scalar(select(StaffInvite).where(StaffInvite.token_hash == digest(token)))
    if row is None:
        raise NotFoundError("This invitation link is not known.")
    if row.used_at is not None:
        raise InviteGone("This invitation link has been used already.")
    if row.expires_at <= (now or utcnow()):
        raise InviteGone("This invitation link has expired.")
    return row


def accept(session, token: str, password: str, now: datetime | None = None) -> StaffUser:
    """Join the staff through an invitation: the person gets the invited role and
    `password`, and the invitation is used up, in one transaction."""
    now = now or utcnow()
    row = invite_for_token(session, token, now)
    _checked(services.check_password, password)
    user = services.new_staff_user(row.email, row.role, password)
    claimed = session.execute(
        update(StaffInvite)
        .where(StaffInvite.id == row.id, StaffInvite.used_at.is_(None),
               StaffInvite.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        session.rollback()
        raise InviteGone("This invitation link has been used already.")
    user.last_login_at = now
    session.add(user)
    _audit(session, actor=user.email, action="accept_invite", subject=user.email,
           detail=f"joined as {user.role} (invited by {row.invited_by})")
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ConflictError(f"{user.email} is already on the staff.") from None
    return user


def _other_active_admins(session, user: StaffUser) -> int:
    # Every active admin's row is locked on PostgreSQL (the one being changed too), so two
    # admins demoting each other at once are judged one after the other.
    ids = session.scalars(select(StaffUser.id).where(
        StaffUser.role == "admin", StaffUser.active.is_(True)).with_for_update()).all()
    return len([i for i in ids if i != user.id])


def change_member(session, *, email: str, actor: str, role: str | None = None,
                  active: bool | None = None) -> StaffUser:
    """Change a staff member's role and/or let them in or shut them out. The shop always
    keeps one active admin: taking the last one's role or access is refused (409)."""
    user = services.find_staff(session, email)
    if user is None:
        raise NotFoundError(f"No staff member with email {email}.")
    if role is not None:
        role = _checked(services.check_role, role)
    losing_admin = user.role == "admin" and user.active and (
        (role is not None and role != "admin") or active is False)
    if losing_admin and _other_active_admins(session, user) == 0:
        session.rollback()
        raise ConflictError(f"{user.email} is the last active admin: make someone else an "
                            "admin first.")
    if role is not None and role != user.role:
        _audit(session, actor=actor, action="change_role", subject=user.email,
               detail=f"{user.role} -> {role}")
        user.role = role
    if active is not None and active != user.active:
        _audit(session, actor=actor, action="reactivate" if active else "deactivate",
               subject=user.email, detail="")
        services.set_active(session, user.email, active)  # ends their sessions; commits
    session.commit()
    return user


def audit_entries(session, limit: int = 50) -> list[StaffAction]:
    """The newest entries of the staff part of the audit log."""
    return list(session.scalars(
        select(StaffAction).where(StaffAction.subject_type == SUBJECT_TYPE)
        .order_by(StaffAction.id.desc()).limit(limit)))

