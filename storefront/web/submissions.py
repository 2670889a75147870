"""The shared way a page form hands a visitor's writing to moderation and answers them.

The answer sits beside the form it is about. A form that was sent goes back to its page
(`#<what>-result`), where the thanks are shown once, in the `form_result` hole. A form
that was not sent (a field to fix, or too many sends in a short time) is shown again
with everything the visitor wrote, the reason beside it, when the page can `render` it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from flask import current_app, make_response, redirect, request, session
from flask_wtf import FlaskForm

from ..errors import ServiceError

RESULT_KEY = "form_result"  # in the session: the result of a form, until its page shows it

# `render(form, result)` draws the page of a form again, with what was sent and `result`
# ({id, error, lines}) beside the form.
Form = TypeVar("Form", bound=FlaskForm)
Render = Callable[[Form, dict], str]


def submit_for_moderation(form: Form, back: str, what: str, submit: Callable,
                          render: Render[Form] | None = None, *, breached=None) -> object:
    """Validate `form`, call `submit(plugins, **fields)`, then answer beside the form.

    `back` is the form's page; `what` names the writing ("review"). `fields` are the
    form's data without the CSRF token, the button and the honeypot, which is passed on
    as `honeypot` so the spam filter sees it. Without `render`, every answer is a
    redirect to `back` with the result kept for it.

    `breached` is the rate limit the visitor went past (what Flask-Limiter hands to an
    `on_breach` callback): nothing is sent, and the page comes back with what was
    written and how long to wait, as a 429 response (the limiter adds `Retry-After`).
    """
    page = urlsplit(back).path
    if breached is not None:
        return _slow_down(form, what, render, breached)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            # A form from a page left open too long (or from elsewhere): what it says is
            # not shown again.
            return _back_with(page, result(what, [f"Your {what} was not sent: the page had "
                                                  "been open a long time. Please send it "
                                                  "again."], error=True))
        problems = result(what, [f"Your {what} was not sent. Please check:",
                                 *(f"{form[name].label.text}: {errors[0]}"
                                   for name, errors in form.errors.items())], error=True)
        if render is None:
            return _back_with(page, problems)
        return render(form, problems), 422
    fields = {name: value for name, value in form.data.items()
              if name not in ("csrf_token", "submit", "website")}
    try:
        submit(current_app.extensions["storefront"].plugins, honeypot=form.website.data or "",
               **fields)
    except ServiceError as exc:
        refused = result(what, [f"Your {what} was not sent. {exc.message}"], error=True)
        if render is None:
            return _back_with(page, refused)
        return render(form, refused), exc.status
    return _back_with(page, result(
        what, [f"Thank you! Your {what} will appear once a moderator has approved it."]))


def result(what: str, lines: list[str], *, error: bool = False) -> dict:
    """A form's result, as the page shows it beside the form (`#<what>-result`)."""
    return {"id": f"{what}-result", "error": error, "lines": lines}


def _back_with(page: str, outcome: dict):
    session[RESULT_KEY] = {**outcome, "path": page}
    return redirect(f"{page}#{outcome['id']}", 303)


def pending_result() -> dict:
    """The `form_result` hole: the result of a form sent from this page, shown once."""
    kept = session.get(RESULT_KEY)
    if not kept or kept.get("path") != request.path:
        return {"result": None}
    session.pop(RESULT_KEY, None)
    return {"result": kept}


def _slow_down(form, what: str, render: Render | None, breached):
    """The answer to a form sent past its rate limit (None: the limiter's own)."""
    if render is None:
        return None
    wait = describe_wait(seconds_until(breached.reset_at))
    return make_response(render(form, result(what, [
        f"Your {what} was not sent: this form takes at most "
        f"{describe_limit(breached.limit)} from one visitor.",
        f"Please wait {wait}, then send it again. What you wrote is kept below."],
        error=True)), 429)


def seconds_until(reset_at: float) -> int:
    """Whole seconds from now until `reset_at` (a Unix time), at least one."""
    return max(1, math.ceil(reset_at - time.time()))


def describe_wait(seconds: int) -> str:
    """A wait in words: "1 second", "75 seconds", "25 minutes" (seconds under two
    minutes, where rounding to minutes would say little)."""
    if seconds < 120:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def describe_limit(limit) -> str:
    """A rate limit (the `limits` package's item) in words: "5 per minute"."""
    unit = limit.GRANULARITY.name
    if limit.multiples != 1:
        unit = f"{limit.multiples} {unit}s"
    return f"{limit.amount} per {unit}"
