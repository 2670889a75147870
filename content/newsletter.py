"""The newsletter's sign-up rules: double opt-in, one-click unsubscribe, the staff export.

Every answer to a sign-up is the same, whatever the address's status, so nobody learns
from the shop whether an address is on the list: a new address gets a confirmation
email; a pending one gets it again, at most once every `RESEND_AFTER`; a confirmed one gets
nothing; an unsubscribed one starts over with a new confirmation. Each change is one
guarded UPDATE (or the INSERT of a new row), so workers answering the same address at the
same moment send one email between them.

Links are signed (`newsletter_links`): a confirmation link lasts three days, an
unsubscribe link never expires (an old email must still let its reader leave).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from storefront.plugin_api import InvalidError, normalise_email, utcnow

from .models import NEWSLETTER_STATUSES, Article, NewsletterSubscriber
from .newsletter_links import LinkInvalid, Signer
from .newsletter_mail import Mailing, queue_confirmation, queue_welcome
from .services import published

RESEND_AFTER = timedelta(minutes=10)
SOURCE_PREFIX = "article:"
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def checked_source(session, source: str | None) -> str | None:
    """`source` if it is `article:<slug>` of a published article; anything else is a 422
    naming `source`."""
    if source is None:
        return None
    slug = source[len(SOURCE_PREFIX):] if source.startswith(SOURCE_PREFIX) else ""
    if not slug or session.scalar(published(select(Article.id).where(Article.slug == slug))) \
            is None:
        raise InvalidError("The source must be article:<slug> of a published article.",
                           field="source")
    return source


def subscribe(session, *, email: str, source: str | None, mailing: Mailing,
              honeypot: str = "", now: datetime | None = None) -> None:
    """Ask for the newsletter for `email` (checked by the face) from `source` (checked).

    Returns nothing on purpose: the caller answers alike whatever happened. A filled
    honeypot stores and sends nothing."""
    if honeypot:
        return
    email = normalise_email(email)
    now = now or utcnow()
    row = session.scalar(select(NewsletterSubscriber).where(NewsletterSubscriber.email == email))
    try:
        if row is None:
            row = NewsletterSubscriber(email=email, status="pending", source=source,
                                       created_at=now, last_sent_at=now)
            session.add(row)
            session.flush()
            queue_confirmation(session, mailing, email=email, subscriber_id=row.id, now=now)
        elif row.status == "pending":
            _resend(session, row, mailing, now)
        elif row.status == "unsubscribed":
            _start_over(session, row, source, mailing, now)
        session.commit()
    except IntegrityError:
        # Another request added the address a moment ago and sent its confirmation.
        session.rollback()
    except BaseException:
        session.rollback()
        raise


def _resend(session, row: NewsletterSubscriber, mailing: Mailing, now: datetime) -> None:
    """The confirmation again, unless one went out less than `RESEND_AFTER` ago."""
    sent = session.execute(
        update(NewsletterSubscriber)
        .where(NewsletterSubscriber.id == row.id, NewsletterSubscriber.status == "pending",
               or_(NewsletterSubscriber.last_sent_at.is_(None),
                   NewsletterSubscriber.last_sent_at <= now - RESEND_AFTER))
        .values(last_sent_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if sent:
        queue_confirmation(session, mailing, email=row.email, subscriber_id=row.id, now=now)


def _start_over(session, row: NewsletterSubscriber, source: str | None, mailing: Mailing,
                now: datetime) -> None:
    """An address that left asks again: pending, with a new confirmation."""
    changed = session.execute(
        update(NewsletterSubscriber)
        .where(NewsletterSubscriber.id == row.id,
               NewsletterSubscriber.status == "unsubscribed")
        .values(status="pending", confirmed_at=None, last_sent_at=now,
                source=source if source is not None else row.source)
        .execution_options(synchronize_session=False)).rowcount
    if changed:
        queue_confirmation(session, mailing, email=row.email, subscriber_id=row.id, now=now)


def confirm(session, token: str, *, mailing: Mailing, now: datetime | None = None) -> str:
    """Follow a confirmation link: `"confirmed"` (now, or already before; the first time
    also writes the welcome email) or `"unsubscribed"` (the address left since: it must
    sign up again). `LinkExpired` and `LinkInvalid` for links that do not hold."""
    now = now or utcnow()
    subscriber_id = mailing.signer.confirmed_id(token)
    row = session.get(NewsletterSubscriber, subscriber_id)
    if row is None:
        raise LinkInvalid
    try:
        changed = session.execute(
            update(NewsletterSubscriber)
            .where(NewsletterSubscriber.id == row.id, NewsletterSubscriber.status == "pending")
            .values(status="confirmed", confirmed_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if changed:
            queue_welcome(session, mailing, email=row.email, subscriber_id=row.id, now=now)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    session.refresh(row)
    return "unsubscribed" if row.status == "unsubscribed" else "confirmed"


def unsubscribe(session, token: str, *, signer: Signer, now: datetime | None = None) -> None:
    """Follow an unsubscribe link (again and again: the address stays unsubscribed).
    `LinkInvalid` for a link that does not hold."""
    subscriber_id = signer.unsubscribed_id(token)
    try:
        found = session.scalar(select(NewsletterSubscriber.id)
                               .where(NewsletterSubscriber.id == subscriber_id))
        if found is None:
            raise LinkInvalid
        session.execute(
            update(NewsletterSubscriber)
            .where(NewsletterSubscriber.id == subscriber_id,
                   NewsletterSubscriber.status != "unsubscribed")
            .values(status="unsubscribed", unsubscribed_at=now or utcnow())
            .execution_options(synchronize_session=False))
        session.commit()
    except BaseException:
        session.rollback()
        raise


def status_counts(session) -> dict[str, int]:
    """How many addresses are in each status (every status named, zero included)."""
    counts = dict.fromkeys(NEWSLETTER_STATUSES, 0)
    rows = session.execute(select(NewsletterSubscriber.status, func.count())
                           .group_by(NewsletterSubscriber.status))
    counts.update({status: count for status, count in rows})
    return counts


def confirmed_csv(session) -> str:
    """The confirmed addresses as CSV (`email,source,confirmed_at`), oldest first, each
    cell safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["email", "source", "confirmed_at"])
    rows = session.execute(
        select(NewsletterSubscriber.email, NewsletterSubscriber.source,
               NewsletterSubscriber.confirmed_at)
        .where(NewsletterSubscriber.status == "confirmed")
        .order_by(NewsletterSubscriber.confirmed_at, NewsletterSubscriber.id))
    for email, source, confirmed_at in rows:
        writer.writerow([spreadsheet_safe(email), spreadsheet_safe(source or ""),
                         confirmed_at.isoformat() if confirmed_at else ""])
    return out.getvalue()


def spreadsheet_safe(cell: str) -> str:
    """`cell`, with a leading `'` when a spreadsheet would run it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell
