"""The newsletter's emails: the confirmation and the welcome, written to the shop's outbox.

Every one of them carries the reader's unsubscribe link in its text and in the headers
mail programs turn into an "Unsubscribe" button: `List-Unsubscribe` with the address and
`List-Unsubscribe-Post` for the one-click POST of RFC 8058. The templates are plain Jinja
(`templates/content/newsletter/mail/`), rendered without Flask, so the sign-up rules
(`newsletter`) need no request to write an email.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from storefront.plugin_api import queue_message

from .newsletter_links import CONFIRM_PATH, UNSUBSCRIBE_PATH, Signer

TEMPLATES = Path(__file__).parent / "templates" / "content" / "newsletter" / "mail"
TOPIC = "newsletter"


@dataclass(frozen=True)
class Mailing:
    """What the emails need from the app: the link signer, the absolute address the
    shop's pages start at (`https://shop.example` plus the pages prefix), its name."""

    signer: Signer
    pages_base: str
    shop_name: str

    def confirm_url(self, subscriber_id: int) -> str:
        return self.pages_base + CONFIRM_PATH.format(
            token=self.signer.confirm_token(subscriber_id))

    def unsubscribe_url(self, subscriber_id: int) -> str:
        return self.pages_base + UNSUBSCRIBE_PATH.format(
            token=self.signer.unsubscribe_token(subscriber_id))


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                       autoescape=select_autoescape(["html"]), keep_trailing_newline=True)


def _queue(session, mailing: Mailing, name: str, *, email: str, subscriber_id: int,
           subject: str, now: datetime, **context) -> None:
    unsubscribe = mailing.unsubscribe_url(subscriber_id)
    values = {"shop_name": mailing.shop_name, "subject": subject,
              "unsubscribe_url": unsubscribe, **context}
    env = _environment()
    queue_message(
        session, topic=TOPIC, recipient=email, subject=subject,
        text=env.get_template(f"{name}.txt").render(values),
        html=env.get_template(f"{name}.html").render(values),
        headers=json.dumps({"List-Unsubscribe": f"<{unsubscribe}>",
                            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}),
        dedupe_key=f"newsletter_{name}:{subscriber_id}:{now.isoformat()}")


def queue_confirmation(session, mailing: Mailing, *, email: str, subscriber_id: int,
                       now: datetime) -> None:
    """The email with the link that confirms the sign-up (valid three days)."""
    _queue(session, mailing, "confirm", email=email, subscriber_id=subscriber_id, now=now,
           subject=f"Please confirm your {mailing.shop_name} newsletter sign-up",
           confirm_url=mailing.confirm_url(subscriber_id))


def queue_welcome(session, mailing: Mailing, *, email: str, subscriber_id: int,
                  now: datetime) -> None:
    """A short welcome once the address is confirmed."""
    _queue(session, mailing, "welcome", email=email, subscriber_id=subscriber_id, now=now,
           subject=f"Welcome to the {mailing.shop_name} newsletter")
