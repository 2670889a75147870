"""The shared way a page form hands a visitor's writing to moderation and answers them."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, flash, redirect

from ..errors import ServiceError


def submit_for_moderation(form, back: str, what: str, submit: Callable) -> object:
    """Validate `form`, call `submit(plugins, **fields)`, thank or explain, go `back`.

    `fields` are the form's data without the CSRF token, the button and the honeypot,
    which is passed on as `honeypot` so the spam filter sees it.
    """
    if not form.validate_on_submit():
        problems = "; ".join(f"{form[name].label.text}: {errors[0]}"
                             for name, errors in form.errors.items())
        flash(f"Your {what} was not sent. {problems}")
        return redirect(back, 303)
    fields = {name: value for name, value in form.data.items()
              if name not in ("csrf_token", "submit", "website")}
    try:
        submit(current_app.extensions["storefront"].plugins, honeypot=form.website.data or "",
               **fields)
    except ServiceError as exc:
        flash(exc.message)
        return redirect(back, 303)
    flash(f"Thank you! Your {what} will appear once a moderator has approved it.")
    return redirect(back, 303)
