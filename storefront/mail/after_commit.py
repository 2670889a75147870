"""A request's new messages are delivered beside its response, never in its way.

The shop's session (`db.session`, not a host app's sessions) notes the ids of the outbox
rows its transaction writes (`queue_message`, or any flush), and keeps them once the
transaction commits; a rollback forgets them. When a request that committed some ends,
a short-lived thread of its own delivers them: the shopper never waits for the mail
server, and a mail error never reaches them. (The response's close hook would tie the
sending to how the WSGI server closes connections: Werkzeug's development server skips it
when a browser resets the connection.) Every exception there is logged, and the messages
stay pending for `storefront outbox deliver`, which also sends whatever a stopped process
left behind.

Outside requests (the command line) nothing is delivered here: the outbox command does it.

Tests: `paused(app)` turns this off; `state(app).wait()` waits for the deliveries started
so far, and `state(app).last_report` tells what the last one did.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event

from ..extensions import db
from ..orders.models import OutboxMessage
from .outbox import QUEUED, DeliveryReport, deliver_messages

log = logging.getLogger(__name__)

NOTED = QUEUED  # ids written in the open transaction
COMMITTED = "storefront.mail.committed"  # ids whose transaction has committed
EXTENSION = "storefront_mail"


@dataclass
class AfterCommitDelivery:
    """Per app (`app.extensions["storefront_mail"]`): whether a request's messages are
    delivered after its commit, the deliveries under way, and what the last one did."""

    enabled: bool = True
    last_report: DeliveryReport | None = None
    running: list[threading.Thread] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, app, ids: frozenset[int]) -> None:
        thread = threading.Thread(target=_deliver, args=(app, self, ids), daemon=True,
                                  name="storefront-mail")
        with self.lock:  # requests of several threads start deliveries at once
            self.running = [other for other in self.running if other.is_alive()]
            self.running.append(thread)
        thread.start()

    def wait(self, timeout: float = 30.0) -> None:
        """Wait for the deliveries started so far (tests, and a clean shutdown)."""
        with self.lock:
            started = list(self.running)
        for thread in started:
            thread.join(timeout)


def init_app(app) -> None:
    """Follow the shop's commits and deliver each request's messages after its response."""
    follow_commits()
    if EXTENSION in app.extensions:
        return
    delivery = app.extensions[EXTENSION] = AfterCommitDelivery()

    def deliver_after_response(response):
        if not db.session.registry.has():  # the request never opened a session
            return response
        ids = db.session.info.pop(COMMITTED, None)
        if ids and delivery.enabled:
            delivery.start(app, frozenset(ids))
        return response

    app.after_request(deliver_after_response)


def state(app) -> AfterCommitDelivery:
    """The app's after-commit delivery switch and its last report."""
    return app.extensions[EXTENSION]


@contextmanager
def paused(app) -> Iterator[AfterCommitDelivery]:
    """No delivery after responses while inside; messages stay pending in the outbox."""
    delivery = state(app)
    before, delivery.enabled = delivery.enabled, False
    try:
        yield delivery
    finally:
        delivery.enabled = before


def follow_commits() -> None:
    """Listen to the shop's sessions for outbox rows written and committed."""
    for name, listener in (("after_flush", _note_written), ("after_commit", _note_committed),
                           ("after_soft_rollback", _forget_rolled_back)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def _note_written(session, flush_context) -> None:
    ids = [obj.id for obj in session.new if isinstance(obj, OutboxMessage)]
    if ids:
        session.info.setdefault(NOTED, set()).update(ids)


def _note_committed(session) -> None:
    noted = session.info.pop(NOTED, None)
    if noted:
        session.info.setdefault(COMMITTED, set()).update(noted)


def _forget_rolled_back(session, previous_transaction) -> None:
    # A savepoint's rollback leaves the rest of the transaction, and its messages, alive;
    # the outbox's own savepoint only rolls back a row that was never written.
    if previous_transaction.parent is None:
        session.info.pop(NOTED, None)


def _deliver(app, delivery: AfterCommitDelivery, ids: frozenset[int]) -> None:
    """Runs in its own thread; whatever goes wrong is logged, never raised."""
    try:
        with app.app_context():
            settings = app.extensions["storefront"].settings
            delivery.last_report = deliver_messages(db.session, settings, ids)
    except Exception:
        log.exception("Delivering messages %s after the response failed; they stay in "
                      "the outbox for `storefront outbox deliver`", sorted(ids))
