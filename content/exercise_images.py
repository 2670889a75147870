"""An exercise's picture: an upload checked and stored by the core's media service, set on
the exercise in the same transaction as its audit row."""

from __future__ import annotations

from storefront.plugin_api import commit_versioned, record_staff_action, save_image, utcnow

from .editing import staff_exercise


def set_exercise_image(session, slug: str, data: bytes, alt: str, *, actor: str,
                       limits=None, storage=None):
    """Check and store an uploaded picture and make it the exercise's; returns the image.

    Refusals (no alt text, not a whole JPEG, PNG or WebP, too large) raise the media
    service's errors naming `file` or `alt`, and store nothing.
    """
    exercise = staff_exercise(session, slug)
    try:
        image = save_image(session, data, alt, actor, limits=limits, storage=storage)
    except Exception:
        session.rollback()
        raise
    exercise.image_id = image.id
    exercise.updated_at = utcnow()
    record_staff_action(session, actor=actor, action="upload", subject_type="exercise",
                        subject=exercise.slug, detail=f"image {image.id}: {image.alt}")
    commit_versioned(session, "exercise")
    session.refresh(exercise)
    return image
