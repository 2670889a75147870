"""Staff members and console sessions for tests that sign in several people at once.

Each helper opens its own app context and closes it again: a test client's request
reuses an app context left open around it (and with it `flask.g`, where the signed-in
user and the CSRF token are kept), so clients of different people must not run inside
one."""

from __future__ import annotations

import itertools
import re
from contextlib import contextmanager

from storefront.extensions import db
from storefront.staff.services import create_staff, create_token

from .factories import PASSWORD

LOGIN = "/staff/login"
_seq = itertools.count(1)


@contextmanager
def database(app):
    """The shop's session inside a short app context of its own."""
    with app.app_context():
        try:
            yield db.session
        finally:
            db.session.remove()


def new_staff(app, role: str, email: str | None = None) -> str:
    """A new staff member's email."""
    email = email or f"{role}-{next(_seq)}@example.com"
    with database(app) as session:
        create_staff(session, email, role, PASSWORD)
    return email


def token_headers(app, role: str | None = None, email: str | None = None) -> dict:
    """Bearer headers for `email`, or for a new staff member with `role`."""
    email = email or new_staff(app, role or "moderator")
    with database(app) as session:
        return {"Authorization": f"Bearer {create_token(session, email)}"}


def csrf(text: str) -> str:
    """The first CSRF token of a page."""
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text)
    assert found, "no CSRF token on the page"
    return found.group(1)


def signed_in(app, role: str | None = None, email: str | None = None,
              password: str = PASSWORD):
    """A test client of its own, signed in to the console: as a new staff member with
    `role` (and `email`, if given), or as the existing `email`."""
    if role is not None or email is None:
        email = new_staff(app, role or "moderator", email)
    client = app.test_client()
    answer = client.post(LOGIN, data={"csrf_token": csrf(client.get(LOGIN).get_data(
        as_text=True)), "email": email, "password": password})
    assert answer.status_code == 302, answer.status_code
    return client
