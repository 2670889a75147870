"""Reviews as a moderated kind, and notices to staff when anything is submitted."""

from __future__ import annotations

import logging

from plugins.hookspecs import hookimpl
from plugins.types import ModeratedKind

from ..extensions import db
from ..moderation.models import ModerationStatus
from ..orders.models import OutboxMessage

log = logging.getLogger(__name__)


@hookimpl
def moderated_kinds():
    """Product reviews go through the moderation queue."""
    return [ModeratedKind(name="review", label="Review", target_type="product")]


@hookimpl
def submission_received(submission):
    """Tell staff there is something to moderate (outbox and log; spam is only logged)."""
    log.info("New %s %s on %s %s: %s", submission.kind, submission.id,
             submission.target_type, submission.target_slug, submission.status)
    if submission.status == ModerationStatus.SPAM:
        return
    db.session.add(OutboxMessage(
        topic="submission_received", recipient="moderators",
        subject=f"New {submission.kind} on {submission.target_slug} to moderate",
        body=f"{submission.author_name} wrote:\n\n{submission.body[:500]}",
        dedupe_key=f"submission:{submission.kind}:{submission.id}"))
    db.session.commit()
