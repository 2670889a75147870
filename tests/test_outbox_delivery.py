"""Delivering the outbox: .eml files by default, SMTP with retries and backoff, messages
given up for good, workers side by side, and the `storefront outbox deliver` command."""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.mail import deliver_pending, queue_message
from storefront.mail.outbox import (
    BACKOFF_MAX,
    MODERATORS,
    NO_MODERATORS,
    backoff,
    lease,
)
from storefront.mail.transport import SmtpTarget, SmtpTransport
from storefront.orders.models import OutboxMessage, OutboxStatus
from storefront.timeutil import utcnow

from .smtp_fixtures import SmtpServer, free_port

MINUTE = timedelta(minutes=1)


def queue(session, count: int = 1, **changes) -> list[int]:
    """Queue `count` messages to a shopper and commit; their ids."""
    ids = [queue_message(session, **{
        "topic": "note", "recipient": "shopper@example.com", "subject": f"Note {n}",
        "text": f"Hello {n}.", "html": f"<p>Hello {n}.</p>",
        "dedupe_key": f"note:{uuid.uuid4().hex}", **changes}) for n in range(count)]
    session.commit()
    return ids


def settings_of(app, **changes):
    """The app's settings, with `changes` (say another MAIL_URL for one pass)."""
    return dataclasses.replace(app.extensions["storefront"].settings, **changes)


def stored(session, message_id: int) -> OutboxMessage:
    session.expire_all()
    return session.get(OutboxMessage, message_id)


# ---------------------------------------------------------------------------
# No MAIL_URL: .eml files
# ---------------------------------------------------------------------------

def test_without_a_mail_server_each_message_is_a_readable_eml_file(make_app, tmp_path, caplog):
    folder = tmp_path / "instance" / "mail"  # not there yet: made on the first message
    app = make_app(STOREFRONT_MAIL_DIR=str(folder))
    with app.app_context(), caplog.at_level("INFO", logger="storefront.mail"):
        [message_id] = queue(db.session, subject="Your Better Band order BB-1",
                             text="Thank you for your order BB-1.")
        report = deliver_pending(db.session, settings_of(app))
        assert (report.sent, report.pending) == (1, 0)
        assert stored(db.session, message_id).status == OutboxStatus.SENT
    [path] = folder.glob("*.eml")
    assert str(path) in caplog.text
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert message["To"] == "shopper@example.com"
    assert message["Subject"] == "Your Better Band order BB-1"
    assert message["From"] == "Better Band <shop@localhost>"
    assert "Thank you for your order BB-1." in message.get_body(("plain",)).get_content()
    assert "<p>Hello 0.</p>" in message.get_body(("html",)).get_content()


# ---------------------------------------------------------------------------
# Failures: pending, with a backoff, until the server answers; failed after N tries
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(("attempts", "wait"), [
    (1, MINUTE), (2, 2 * MINUTE), (3, 4 * MINUTE), (7, 64 * MINUTE), (20, BACKOFF_MAX)])
def test_each_failure_waits_twice_as_long_as_the_last(attempts, wait):
    assert backoff(attempts) == wait


@pytest.mark.parametrize("fault", ["refuses", "is down"])
def test_a_server_that_refuses_or_is_down_leaves_the_message_for_a_later_pass(
        make_app, smtp_server, fault):
    later = SmtpServer(free_port())  # started only once the fault is over
    url = smtp_server.url if fault == "refuses" else later.url
    app = make_app(MAIL_URL=url, MAIL_TIMEOUT=2)
    if fault == "refuses":
        smtp_server.refuse = "554 5.7.1 Not accepting mail from you"
    now = utcnow()
    with app.app_context():
        [message_id] = queue(db.session)
        report = deliver_pending(db.session, settings_of(app), now=now)
        assert (report.sent, report.retrying, report.pending) == (0, 1, 1)
        message = stored(db.session, message_id)
        assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
        assert message.next_attempt_at == now + MINUTE
        assert ("554" if fault == "refuses" else "Connection") in message.last_error

        smtp_server.refuse = None
        later.start()
        try:
            early = deliver_pending(db.session, settings_of(app), now=now + MINUTE / 2)
            assert early.sent == 0, "tried again before its time"
            report = deliver_pending(db.session, settings_of(app), now=now + MINUTE)
            received = (smtp_server if fault == "refuses" else later).received
            assert (report.sent, report.pending, len(received)) == (1, 0, 1)
        finally:
            later.stop()
        message = stored(db.session, message_id)
        assert (message.status, message.attempts, message.last_error) == (
            OutboxStatus.SENT, 2, "")


def test_a_message_fails_for_good_after_the_last_attempt(make_app, smtp_server):
    app = make_app(MAIL_URL=smtp_server.url, MAIL_MAX_ATTEMPTS=3)
    smtp_server.refuse = "550 5.1.1 No such mailbox"
    now = utcnow()
    with app.app_context():
        [message_id] = queue(db.session)
        passes = [deliver_pending(db.session, settings_of(app), now=now + wait)
                  for wait in (timedelta(0), MINUTE, 3 * MINUTE)]
        assert [(p.retrying, p.failed) for p in passes] == [(1, 0), (1, 0), (0, 1)]
        message = stored(db.session, message_id)
        assert (message.status, message.attempts) == (OutboxStatus.FAILED, 3)
        assert "550 5.1.1 No such mailbox" in message.last_error
        smtp_server.refuse = None
        assert deliver_pending(db.session, settings_of(app), now=now + timedelta(days=1)).sent == 0
    assert smtp_server.received == []


def test_a_slow_server_is_given_up_on_and_the_resend_has_the_same_message_id(make_app):
    with SmtpServer() as slow:
        slow.delay = 1.5  # it takes the message, but answers too late
        app = make_app(MAIL_URL=slow.url, MAIL_TIMEOUT=0.5)
        now = utcnow()
        with app.app_context():
            [message_id] = queue(db.session)
            assert deliver_pending(db.session, settings_of(app), now=now).retrying == 1
            assert "timed out" in stored(db.session, message_id).last_error
            slow.delay = 0
            assert deliver_pending(db.session, settings_of(app), now=now + MINUTE).sent == 1
        deadline = time.monotonic() + 5
        while len(slow.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)  # the first copy lands once the slow answer is done
    assert len({mail.message["Message-ID"] for mail in slow.received}) == 1


class _WorkerDies:
    """A transport whose worker stops mid-send (a crash, a kill)."""

    def send(self, message, *, sender, recipients):
        raise RuntimeError("worker stopped")

    def close(self):
        pass


@pytest.mark.parametrize(("max_attempts", "then"), [(8, OutboxStatus.SENT),
                                                    (1, OutboxStatus.FAILED)])
def test_a_claim_left_by_a_stopped_worker_is_taken_again_after_its_lease(
        make_app, smtp_server, max_attempts, then):
    app = make_app(MAIL_URL=smtp_server.url, MAIL_MAX_ATTEMPTS=max_attempts)
    settings = settings_of(app)
    now = utcnow()
    with app.app_context():
        [message_id] = queue(db.session)
        with pytest.raises(RuntimeError):
            deliver_pending(db.session, settings, now=now, transport=_WorkerDies())
        db.session.rollback()
        assert deliver_pending(db.session, settings, now=now + MINUTE).sent == 0, \
            "another worker took a message still being sent"
        deliver_pending(db.session, settings, now=now + lease(settings.mail_timeout))
        message = stored(db.session, message_id)
        assert message.status == then
    assert len(smtp_server.received) == (1 if then == OutboxStatus.SENT else 0)


# ---------------------------------------------------------------------------
# Recipients
# ---------------------------------------------------------------------------

def test_a_notice_for_moderators_with_no_moderator_is_marked_sent_with_a_note(
        app, session, smtp_server):
    [message_id] = queue(session, recipient=MODERATORS)
    report = deliver_pending(session, settings_of(app, mail_url=smtp_server.url))
    assert report.sent == 1 and smtp_server.received == []
    message = stored(session, message_id)
    assert (message.status, message.last_error) == (OutboxStatus.SENT, NO_MODERATORS)


# ---------------------------------------------------------------------------
# Workers side by side
# ---------------------------------------------------------------------------

def test_two_workers_at_once_send_each_message_once(make_app, smtp_server, database_url):
    app = make_app(MAIL_URL=smtp_server.url)
    smtp_server.delay = 0.02  # each send takes a moment, so the workers overlap
    with app.app_context():
        ids = queue(db.session, 24)
    start = threading.Barrier(2)
    reports, errors = [], []

    def worker():
        try:
            with app.app_context():  # a session and a connection of its own
                start.wait()
                reports.append(deliver_pending(db.session, settings_of(app)))
        except Exception as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sum(report.sent for report in reports) == len(ids)
    if database_url.startswith("postgres"):  # SQLite has one writer: they may take turns
        assert all(report.sent for report in reports), "one worker did all the work"
    message_ids = [mail.message["Message-ID"] for mail in smtp_server.received]
    assert len(message_ids) == len(set(message_ids)) == len(ids)
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage)).all()
        assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.SENT, 1)}


# ---------------------------------------------------------------------------
# TLS and login
# ---------------------------------------------------------------------------

LOGIN = ("shop@better-band.example", "p@ss:w/rd")
URL_LOGIN = "shop%40better-band.example:p%40ss%3Aw%2Frd"


@pytest.mark.parametrize(("tls", "login", "credentials", "sent"), [
    ("starttls", LOGIN, URL_LOGIN, True),
    ("starttls", LOGIN, "shop%40better-band.example:wrong", False),
    ("smtps", None, "", True),
])
def test_tls_and_login(make_app, certificate, tls, login, credentials, sent):
    context = certificate.server_context()
    server = SmtpServer(starttls=context if tls == "starttls" else None,
                        implicit_tls=context if tls == "smtps" else None, login=login)
    with server:
        url = server.url.replace("://", f"://{credentials}@") if credentials else server.url
        app = make_app(MAIL_URL=url)
        settings = settings_of(app)
        transport = SmtpTransport(SmtpTarget.from_url(url), timeout=5,
                                  ssl_context=certificate.client_context())
        with app.app_context():
            [message_id] = queue(db.session)
            try:
                report = deliver_pending(db.session, settings, transport=transport)
            finally:
                transport.close()  # a transport handed in is the caller's to close
            assert (report.sent, report.retrying) == ((1, 0) if sent else (0, 1))
            if not sent:
                assert "535" in stored(db.session, message_id).last_error
        assert len(server.received) == (1 if sent else 0)


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------

def test_the_command_delivers_and_says_how_it_went(make_app, smtp_server):
    app = make_app(MAIL_URL=smtp_server.url)
    runner = app.test_cli_runner()
    with app.app_context():
        queue(db.session, 2)
    result = runner.invoke(args=["outbox", "deliver"])
    assert result.exit_code == 0, result.output
    assert "sent: 2, failed: 0, retrying: 0, pending: 0" in result.output
    assert len(smtp_server.received) == 2
    smtp_server.refuse = "451 4.3.0 Try again later"
    with app.app_context():
        queue(db.session)
    result = runner.invoke(args=["outbox", "deliver"])
    assert "sent: 0, failed: 0, retrying: 1, pending: 1" in result.output


def test_the_worker_delivers_until_stopped(make_app, smtp_server, monkeypatch):
    app = make_app(MAIL_URL=smtp_server.url)
    with app.app_context():
        queue(db.session)

    def stop(seconds):
        raise KeyboardInterrupt  # Ctrl+C, while it waits for the next pass

    monkeypatch.setattr(time, "sleep", stop)
    result = app.test_cli_runner().invoke(args=["outbox", "deliver", "--loop",
                                                "--interval", "1"])
    assert result.exit_code == 0, result.output
    assert "sent: 1" in result.output and result.output.rstrip().endswith("Stopped.")
    assert len(smtp_server.received) == 1


def test_a_worker_told_to_stop_takes_no_further_message(app, session, smtp_server):
    queue(session, 3)
    told = iter([False, True])  # asked before each message: stop after the first
    report = deliver_pending(session, settings_of(app, mail_url=smtp_server.url),
                             stop=lambda: next(told))
    assert (report.sent, report.pending, len(smtp_server.received)) == (1, 2, 1)


def test_the_command_is_listed(runner):
    assert "outbox" in runner.invoke(args=["--help"]).output
    assert "--loop" in runner.invoke(args=["outbox", "deliver", "--help"]).output
