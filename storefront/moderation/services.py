"""Moderation rules for every kind: submit, judge, queue, act, and what the public sees."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from plugins.types import ModerationSettings, Submission, Verdict

from ..emails import normalise_email
from ..errors import ConflictError, InvalidError, NotFoundError
from ..pagination import keyset_page
from ..timeutil import utcnow
from .models import ModeratedItem, ModerationAction, ModerationStatus

log = logging.getLogger(__name__)

# action -> (statuses it applies to, status it leads to)
ACTIONS = {
    "approve": (frozenset({ModerationStatus.PENDING, ModerationStatus.REJECTED,
                           ModerationStatus.SPAM}), ModerationStatus.APPROVED),
    "reject": (frozenset({ModerationStatus.PENDING, ModerationStatus.SPAM}),
               ModerationStatus.REJECTED),
    "spam": (frozenset({ModerationStatus.PENDING, ModerationStatus.APPROVED,
                        ModerationStatus.REJECTED}), ModerationStatus.SPAM),
    "unpublish": (frozenset({ModerationStatus.APPROVED}), ModerationStatus.REJECTED),
}
# How often one visitor may send reviews, comments or any other moderated writing.
SUBMISSION_RATE_LIMIT = "5 per minute; 30 per hour"


@dataclass(frozen=True)
class Target:
    """What a submission is about."""

    type: str
    id: int
    slug: str
    title: str


def approved(stmt):
    """Every public query goes through here: only approved items are ever shown or counted."""
    return stmt.where(ModeratedItem.status == ModerationStatus.APPROVED)


def kinds(plugins) -> dict:
    """The moderated kinds plugins declare, by name."""
    return {kind.name: kind for contributed in plugins.hook.moderated_kinds()
            for kind in contributed}


def moderation_settings(settings) -> ModerationSettings:
    """The spam settings filters receive, from the shop's `Settings`."""
    return ModerationSettings(banned_words=settings.banned_words,
                              max_links=settings.moderation_max_links)


def combine(verdicts: list[Verdict | None]) -> Verdict:
    """Spam if any filter says so; the highest score; every reason."""
    given = [v for v in verdicts if v is not None]
    return Verdict(spam=any(v.spam for v in given),
                   score=max((v.score for v in given), default=0.0),
                   reasons=tuple(r for v in given for r in v.reasons))


def as_submission(item: ModeratedItem, honeypot: str = "",
                  recent_bodies: tuple[str, ...] = ()) -> Submission:
    """The plain value that filters and notifiers receive."""
    return Submission(kind=item.kind, id=item.id or 0, author_name=item.author_name,
                      email=item.email, body=item.body, title=item.title, rating=item.rating,
                      target_type=item.target_type, target_slug=item.target_slug,
                      honeypot=honeypot, recent_bodies=recent_bodies, status=item.status)


def submit(session, plugins, *, kind: str, target: Target, author_name: str, email: str,
           body: str, title: str = "", rating: int | None = None, honeypot: str = "",
           verified_purchase: bool = False, unique_per_author: bool = False,
           moderation: ModerationSettings) -> ModeratedItem:
    """Store what a visitor wrote as `pending` (or `spam`, if a filter says so).

    Nothing is public until a moderator approves it. Filters judge it with `moderation`
    (the shop's spam settings, from `moderation_settings`).
    With `unique_per_author`, one email has at most one approved item about a target: a
    second is taken like any other (so the answer never tells whether an email wrote
    before), and approving it retires the first (`act`).
    """
    email = normalise_email(email)
    item = ModeratedItem(kind=kind, target_type=target.type, target_id=target.id,
                         target_slug=target.slug, target_title=target.title,
                         author_name=author_name.strip(), email=email, body=body.strip(),
                         title=title.strip(), rating=rating, verified_purchase=verified_purchase,
                         dedupe_key=f"{kind}:{target.type}:{target.id}:{email}"
                         if unique_per_author else None)
    since = utcnow() - timedelta(days=1)
    recent = tuple(session.scalars(
        select(ModeratedItem.body).where(ModeratedItem.email == email,
                                         ModeratedItem.created_at >= since)
        .order_by(ModeratedItem.id.desc()).limit(20)))
    verdict = combine(plugins.hook.moderation_verdict(
        submission=as_submission(item, honeypot, recent),
        settings=moderation))
    item.status = ModerationStatus.SPAM if verdict.spam else ModerationStatus.PENDING
    item.spam_score = round(verdict.score, 3)
    item.spam_reasons = list(verdict.reasons)
    session.add(item)
    session.commit()
    plugins.hook.submission_received(submission=as_submission(item))
    return item


def public_items(session, *, kind: str, target: Target, limit: int, cursor: str | None):
    """Approved items about one target, newest first (one query per page)."""
    stmt = approved(select(ModeratedItem).where(
        ModeratedItem.kind == kind, ModeratedItem.target_type == target.type,
        ModeratedItem.target_id == target.id))
    return keyset_page(session, stmt, [ModeratedItem.id], limit=limit, cursor=cursor,
                       descending=True)


def public_count(session, *, kind: str, target_type: str, target_id: int) -> int:
    """How many approved items a target has."""
    return session.scalar(approved(select(func.count()).select_from(ModeratedItem).where(
        ModeratedItem.kind == kind, ModeratedItem.target_type == target_type,
        ModeratedItem.target_id == target_id)))


def rating(session, product_id: int) -> tuple[float | None, int]:
    """Average and count of approved review ratings of a product (one query)."""
    average, count = session.execute(approved(
        select(func.avg(ModeratedItem.rating), func.count(ModeratedItem.id)).where(
            ModeratedItem.kind == "review", ModeratedItem.target_type == "product",
            ModeratedItem.target_id == product_id))).one()
    return (round(float(average), 2) if average is not None else None), count


def queue(session, plugins, *, status: str | None, kind: str | None, limit: int,
          cursor: str | None):
    """The moderation queue across kinds, oldest first (what waits longest comes first)."""
    stmt = select(ModeratedItem)
    if status:
        stmt = stmt.where(ModeratedItem.status == status)
    if kind:
        if kind not in kinds(plugins):
            raise InvalidError(f"Unknown kind {kind!r}.", field="kind")
        stmt = stmt.where(ModeratedItem.kind == kind)
    return keyset_page(session, stmt, [ModeratedItem.id], limit=limit, cursor=cursor)


def get_item(session, plugins, kind: str, item_id: int) -> ModeratedItem:
    """One item with its audit trail."""
    if kind not in kinds(plugins):
        raise NotFoundError(f"No moderated kind {kind!r}.")
    item = session.scalar(select(ModeratedItem).where(
        ModeratedItem.id == item_id, ModeratedItem.kind == kind)
        .options(selectinload(ModeratedItem.actions)))
    if item is None:
        raise NotFoundError(f"No {kind} {item_id}.")
    return item


def act(session, plugins, *, kind: str, item_id: int, action: str, actor,
        reason: str = "") -> ModeratedItem:
    """Approve, reject, mark as spam or unpublish an item, and write it to the audit log."""
    if action not in ACTIONS:
        raise InvalidError(f"Unknown action {action!r}.", field="action")
    item = get_item(session, plugins, kind, item_id)
    allowed_from, target = ACTIONS[action]
    before = item.status
    if target == ModerationStatus.APPROVED and item.dedupe_key and before in allowed_from:
        _retire_earlier(session, item, actor)
    changed = session.execute(
        update(ModeratedItem).where(ModeratedItem.id == item.id,
                                    ModeratedItem.status.in_(allowed_from))
        .values(status=target, moderated_at=utcnow(), moderated_by_id=actor.id,
                moderation_reason=reason.strip())
        .execution_options(synchronize_session=False,
                           product_documents=_rated_products(item)))
    if changed.rowcount != 1:
        session.rollback()
        raise ConflictError(f"Cannot {action} a {kind} that is {before}.", status=before)
    session.add(ModerationAction(item_id=item.id, actor_id=actor.id, actor_email=actor.email,
                                 action=action, from_status=before, to_status=target,
                                 reason=reason.strip()))
    session.commit()
    session.refresh(item)
    log.info("%s %s %s: %s -> %s by %s", action, kind, item.id, before, target, actor.email)
    return item


def _rated_products(item: ModeratedItem) -> tuple[int, ...]:
    """The products whose rating (and so whose document) moderating `item` may change."""
    return (item.target_id,) if (item.kind, item.target_type) == ("review", "product") else ()


def _retire_earlier(session, item: ModeratedItem, actor) -> None:
    """Unpublish the author's approved item about the same target, which `item` replaces
    (in the caller's transaction, with its own line in the audit log)."""
    earlier = session.scalars(select(ModeratedItem).where(
        ModeratedItem.dedupe_key == item.dedupe_key,
        ModeratedItem.status == ModerationStatus.APPROVED,
        ModeratedItem.id != item.id).with_for_update()).all()
    reason = f"replaced by the same author's {item.kind} {item.id}"
    for old in earlier:
        old.status = ModerationStatus.REJECTED
        old.moderated_at, old.moderated_by_id = utcnow(), actor.id
        old.moderation_reason = reason
        session.add(ModerationAction(item_id=old.id, actor_id=actor.id,
                                     actor_email=actor.email, action="unpublish",
                                     from_status=ModerationStatus.APPROVED,
                                     to_status=ModerationStatus.REJECTED,
                                     reason=reason))
    session.flush()


def pending_counts(session) -> dict[str, int]:
    """Items waiting per kind, for the console's dashboard."""
    rows = session.execute(select(ModeratedItem.kind, func.count()).where(
        ModeratedItem.status == ModerationStatus.PENDING).group_by(ModeratedItem.kind))
    return dict(rows.all())
