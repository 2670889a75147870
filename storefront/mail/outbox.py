"""The outbox: messages queued in the transaction of their cause, delivered after its commit.

`queue_message` adds a row in the caller's transaction (one per `dedupe_key`, however
often the cause is seen). `deliver_pending` sends what is due, one message at a time:

1. Claim: one guarded UPDATE counts the attempt and moves `next_attempt_at` a lease
   ahead, then commits. On PostgreSQL the row is picked with `FOR UPDATE SKIP LOCKED`,
   so workers running at once each take other rows; on SQLite the single writer makes
   the guarded UPDATE enough. A worker that stops mid-send leaves its claim to expire,
   and the message is tried again after the lease.
2. Send, with no transaction open (a slow server holds no locks).
3. Record: `sent`; or, after a failure, `pending` again with a backoff (1, 2, 4 ...
   minutes, at most `BACKOFF_MAX`), or `failed` once `mail_max_attempts` are spent,
   keeping `last_error` either way.

Each step commits its own work: call these with a session that has nothing pending.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, func, or_, select, update

from ..database import is_postgresql, upsert_insert
from ..orders.models import OutboxMessage, OutboxStatus
from ..settings import Settings
from ..staff.models import StaffUser
from ..timeutil import utcnow
from .message import address_of, compose, extra_headers, message_id
from .transport import DeliveryError, ServerUnavailable, Transport, open_transport

log = logging.getLogger(__name__)

# The recipient that means every active staff member who moderates (moderators, admins).
MODERATORS = "moderators"
MODERATOR_ROLES = ("moderator", "admin")
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
# How many messages one pass tries at most (a worker's next pass takes the rest).
PASS_LIMIT = 100
NO_MODERATORS = "no active moderator or admin to tell; nothing sent"
# Where a session keeps the ids of the messages its open transaction wrote (read after
# its commit by `after_commit`, which also adds the rows written through the ORM).
QUEUED = "storefront.mail.queued"
_TABLE = cast(Table, OutboxMessage.__table__)  # for UPDATEs that skip the ORM


def lease(timeout: float) -> timedelta:
    """How long a claimed message stays its worker's: longer than one send can take
    (connect, greet, STARTTLS, login, and each step of the message may each wait out
    `timeout`), so a live worker never loses its message to another."""
    return timedelta(seconds=60 + 12 * timeout)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 1 minute, then doubling, capped."""
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


@dataclass
class DeliveryReport:
    """What a delivery pass did, and how many messages are still pending after it."""

    sent: int = 0
    failed: int = 0  # given up for good in this pass
    retrying: int = 0  # failed in this pass, to be tried again later
    pending: int = 0  # waiting after the pass (including `retrying`)

    def __str__(self) -> str:
        return (f"sent: {self.sent}, failed: {self.failed}, retrying: {self.retrying}, "
                f"pending: {self.pending}")


def queue_message(session, *, topic: str, recipient: str, subject: str, text: str,
                  dedupe_key: str, html: str | None = None, headers: str | None = None,
                  order_id: int | None = None) -> int | None:
    """Add a message to the outbox in the caller's transaction (never committed here);
    returns its id, or None when a message with `dedupe_key` exists (the event was seen
    before). `recipient` is an address, or `MODERATORS`; `headers` extra headers as JSON.

    One `INSERT ... ON CONFLICT DO NOTHING`, not a savepoint: on SQLite a savepoint
    opened before the transaction's first write is the transaction, and releasing it
    would commit the caller's work early."""
    stmt = (upsert_insert(session, OutboxMessage)
            .values(topic=topic, recipient=recipient, subject=subject, body=text,
                    html_body=html, headers=headers, dedupe_key=dedupe_key, order_id=order_id,
                    status=OutboxStatus.PENDING, attempts=0, last_error="",
                    created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(OutboxMessage.id))
    queued = session.execute(stmt).scalar()
    if queued is not None:
        session.info.setdefault(QUEUED, set()).add(queued)
    return queued


def deliver_pending(session, settings: Settings, *, limit: int = PASS_LIMIT,
                    now: datetime | None = None, transport: Transport | None = None,
                    stop: Callable[[], bool] | None = None) -> DeliveryReport:
    """One pass over the due messages (oldest first, at most `limit`): for cron and the
    worker. `now` fixes the clock (tests); `transport` replaces the settings' one (and
    stays open: it is the caller's); `stop` ends the pass early when it says so, asked
    before each message (a worker told to stop)."""
    return _deliver(session, settings, ids=None, limit=limit, now=now, transport=transport,
                    stop=stop)


def deliver_messages(session, settings: Settings, ids: Collection[int], *,
                     now: datetime | None = None,
                     transport: Transport | None = None) -> DeliveryReport:
    """Deliver these messages if they are still due: what a request queued, after its
    commit. Any that are not due (taken by a worker, waiting after a failure) are left."""
    ids = sorted(set(ids))
    if not ids:
        return DeliveryReport()
    return _deliver(session, settings, ids=ids, limit=len(ids), now=now,
                    transport=transport)


@dataclass(frozen=True)
class _Claimed:
    """A claimed message, read before the claim's commit: sending needs no session."""

    id: int
    attempts: int
    subject: str
    text: str
    html: str | None
    headers: str | None
    dedupe_key: str
    created_at: datetime
    recipients: tuple[str, ...]


def _deliver(session, settings: Settings, *, ids: Sequence[int] | None, limit: int,
             now: datetime | None, transport: Transport | None,
             stop: Callable[[], bool] | None = None) -> DeliveryReport:
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow
    report = DeliveryReport()
    report.failed += _give_up_unfinished(session, settings, clock(), ids)
    own_transport = transport is None
    if transport is None:
        transport = open_transport(settings.mail_url, settings.mail_dir,
                                   timeout=settings.mail_timeout)
    try:
        for _ in range(limit):
            if stop is not None and stop():
                break
            claimed = _claim_next(session, settings, clock(), ids)
            if claimed is None:
                break
            if not _send(session, settings, transport, claimed, clock(), report):
                break  # the server is away: the rest wait for the next pass
    finally:
        if own_transport:
            transport.close()
    report.pending = _count_pending(session, ids)
    session.commit()
    return report


def _due(now: datetime):
    return (OutboxMessage.status == OutboxStatus.PENDING,
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))


def _claim_next(session, settings: Settings, now: datetime,
                ids: Sequence[int] | None) -> _Claimed | None:
    """Take the oldest due message: count the attempt, lease it, commit."""
    pick = select(OutboxMessage.id).where(*_due(now)).order_by(OutboxMessage.id).limit(1)
    if ids is not None:
        pick = pick.where(OutboxMessage.id.in_(ids))
    if is_postgresql(session):
        pick = pick.with_for_update(skip_locked=True)
    table = _TABLE
    claimed_id = session.execute(
        update(table).where(table.c.id == pick.scalar_subquery(), *_due(now))
        .values(attempts=table.c.attempts + 1,
                next_attempt_at=now + lease(settings.mail_timeout))
        .returning(table.c.id)).scalar()
    if claimed_id is None:
        session.rollback()
        return None
    row = session.scalars(select(OutboxMessage).where(OutboxMessage.id == claimed_id)
                          .execution_options(populate_existing=True)).one()
    claimed = _Claimed(id=row.id, attempts=row.attempts, subject=row.subject, text=row.body,
                       html=row.html_body, headers=row.headers, dedupe_key=row.dedupe_key,
                       created_at=row.created_at,
                       recipients=_recipients(session, row.recipient))
    session.commit()
    return claimed


def _recipients(session, recipient: str) -> tuple[str, ...]:
    """The addresses behind a row's recipient (`MODERATORS`: staff, looked up now)."""
    if recipient != MODERATORS:
        return (recipient,)
    return tuple(session.scalars(
        select(StaffUser.email).where(StaffUser.active.is_(True),
                                      StaffUser.role.in_(MODERATOR_ROLES))
        .order_by(StaffUser.email)))


def _send(session, settings: Settings, transport: Transport, claimed: _Claimed,
          now: datetime, report: DeliveryReport) -> bool:
    """Send one claimed message and record the outcome; False when the server is away."""
    if not claimed.recipients:
        log.info("Message %s not sent: %s", claimed.id, NO_MODERATORS)
        _record(session, claimed.id, status=OutboxStatus.SENT, sent_at=now,
                last_error=NO_MODERATORS)
        report.sent += 1
        return True
    sender = settings.mail_from
    try:
        email = compose(message_id=message_id(claimed.id, claimed.dedupe_key,
                                              claimed.created_at, sender),
                        sender=sender, recipients=claimed.recipients,
                        subject=claimed.subject, text=claimed.text, html=claimed.html,
                        reply_to=settings.mail_reply_to,
                        headers=extra_headers(claimed.headers), date=claimed.created_at)
    except ValueError as exc:  # no later attempt could build it either
        log.error("Message %s cannot be built, given up: %s", claimed.id, exc)
        _record(session, claimed.id, status=OutboxStatus.FAILED,
                last_error=f"cannot be built: {exc}")
        report.failed += 1
        return True
    try:
        where = transport.send(email, sender=address_of(sender),
                               recipients=claimed.recipients)
    except DeliveryError as exc:
        _failed_attempt(session, settings, claimed, str(exc), now, report)
        return not isinstance(exc, ServerUnavailable)
    _record(session, claimed.id, status=OutboxStatus.SENT, sent_at=now, last_error="")
    log.info("Message %s (%s) sent to %s recipient(s) via %s", claimed.id, claimed.subject,
             len(claimed.recipients), where)
    report.sent += 1
    return True


def _failed_attempt(session, settings: Settings, claimed: _Claimed, error: str,
                    now: datetime, report: DeliveryReport) -> None:
    if claimed.attempts >= settings.mail_max_attempts:
        log.error("Message %s failed %s times, given up: %s", claimed.id, claimed.attempts,
                  error)
        _record(session, claimed.id, status=OutboxStatus.FAILED, last_error=error)
        report.failed += 1
        return
    retry_at = now + backoff(claimed.attempts)
    log.warning("Message %s not sent (attempt %s of %s), next try at %s: %s", claimed.id,
                claimed.attempts, settings.mail_max_attempts, f"{retry_at:%H:%M:%S}", error)
    _record(session, claimed.id, status=OutboxStatus.PENDING, next_attempt_at=retry_at,
            last_error=error)
    report.retrying += 1


def _record(session, message_id: int, **values) -> None:
    table = _TABLE
    session.execute(update(table).where(table.c.id == message_id).values(**values))
    session.commit()


def _give_up_unfinished(session, settings: Settings, now: datetime,
                        ids: Sequence[int] | None) -> int:
    """Fail the due messages whose last allowed attempt never finished (its worker
    stopped mid-send), rather than try them beyond `mail_max_attempts`."""
    table = _TABLE
    stmt = (update(table).where(*_due(now), table.c.attempts >= settings.mail_max_attempts)
            .values(status=OutboxStatus.FAILED,
                    last_error=func.coalesce(table.c.last_error, "")
                    + f" (gave up: {settings.mail_max_attempts} attempts started)"))
    if ids is not None:
        stmt = stmt.where(table.c.id.in_(ids))
    count = session.execute(stmt).rowcount
    session.commit()
    return count


def _count_pending(session, ids: Sequence[int] | None) -> int:
    query = select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.PENDING)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    return session.scalar(query)
