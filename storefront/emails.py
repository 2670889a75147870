"""Email addresses as the shop stores and compares them: one rule for staff, orders and reviews."""

from __future__ import annotations


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces.

    A character whose lower case is longer than itself (`İ` becomes `i̇`, two code
    points) is kept as it is, so an address never grows past the 254 characters it
    was checked against when it is normalised.
    """
    return "".join(c if len(low := c.lower()) != 1 else low for c in email.strip())
