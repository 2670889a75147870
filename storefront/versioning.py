"""Safe edits: every staff change names the version it was based on.

A row with a `version` column (SQLAlchemy's `version_id_col`) is changed only when the
change names its current version: none is refused with 428 (`VersionRequired`), an old one
with 412 (`StaleVersion`), before anything changes. Two writers that both read the same
version race at commit, where the database's version check lets one win and the other
meets the same 412 (`commit_versioned`).
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .errors import ConflictError, ServiceError


class StaleVersion(ServiceError):
    """The change was based on a version someone else has since replaced."""

    status = 412
    reason = "precondition_failed"


class VersionRequired(ServiceError):
    """An update that does not say which version it was based on."""

    status = 428
    reason = "precondition_required"


def check_version(current: int, expected: int | None, what: str) -> None:
    """Refuse a change that names no version (428) or an old one (412)."""
    if expected is None:
        raise VersionRequired(f"Say which version of the {what} this change is based on "
                              "(If-Match with the ETag of your last read).")
    if current != expected:
        raise StaleVersion(f"The {what} was changed by someone else since you read it "
                           f"(you had version {expected}, it is now {current}); read it "
                           "again and reapply your change.", current_version=current)


def commit_versioned(session, what: str, *, taken: str = "slug") -> None:
    """Commit, turning a lost race into the refusal the loser would have met a moment
    later: 412 for a version overtaken at commit, 409 for a `taken` name (a slug or SKU)
    claimed by another writer meanwhile."""
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise StaleVersion(f"The {what} was changed by someone else while you saved; read "
                           "it again and reapply your change.") from None
    except IntegrityError:
        session.rollback()
        raise ConflictError(f"Another {what} took that {taken} a moment ago; nothing was "
                            "saved.", field=taken) from None
