"""The `storefront` command: Flask's commands plus the shop's own."""

from __future__ import annotations

import sys
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext
from flask_migrate.cli import db as migrate_group

from . import ConfigError, create_app
from .extensions import db


def _create_app():
    return create_app()


class StorefrontGroup(FlaskGroup):
    """Flask's group, listing the shop's commands even when the settings are incomplete."""

    def list_commands(self, ctx):
        try:
            ctx.ensure_object(ScriptInfo).load_app()
        except ConfigError as exc:
            # Flask would print a traceback here; one line says what to fix.
            click.echo(f"Note: {exc}", err=True)
            self._load_plugin_commands()
            return sorted(self.commands)
        return super().list_commands(ctx)


@click.group(cls=StorefrontGroup, create_app=_create_app,
             help="Run and manage the shop. Settings come from the environment (see README).")
def cli():
    """The storefront command group: Flask's commands plus those the app registers."""


def register_commands(app) -> None:
    """Add the shop's commands to `app.cli`, so `flask` in a host app has them too."""
    for command in SHOP_COMMANDS:
        app.cli.add_command(command)
    for contributed in app.extensions["storefront"].plugins.hook.storefront_commands():
        for command in contributed:
            app.cli.add_command(command)


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Load the demo bands, exercises and article (safe to run again)."""
    from .demo import seed_demo
    products = seed_demo(db.session, current_app.extensions["storefront"].plugins)
    click.echo(f"Demo data ready: {len(products)} products.")


@contextmanager
def staff_errors():
    """A staff rule's refusal, as the command's one-line error."""
    from .staff.services import StaffError
    try:
        yield
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("create-staff")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice(["moderator", "editor", "admin"]), required=True,
              help="moderator: moderation only; editor: catalogue and content; "
                   "admin: everything.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for (hidden) when not given.")
def create_staff_command(email, role, password):
    """Add a staff member who can log in to the console."""
    from .staff.services import create_staff
    with staff_errors():
        user = create_staff(db.session, email, role, password)
    click.echo(f"Created {user.role} {user.email}.")


@click.command("set-password")
@with_appcontext
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for (hidden) when not given.")
def set_password_command(email, password):
    """Give a staff member a new password; their open console sessions end."""
    from .staff.services import set_password
    with staff_errors():
        user = set_password(db.session, email, password)
    click.echo(f"New password set for {user.email}; their console sessions have ended.")


@click.command("deactivate-staff")
@with_appcontext
@click.argument("email")
@click.option("--reactivate", is_flag=True, help="Let the staff member in again.")
def deactivate_staff_command(email, reactivate):
    """Shut a staff member out: console sessions end and API tokens stop working."""
    from .staff.services import set_active
    with staff_errors():
        user = set_active(db.session, email, reactivate)
    click.echo(f"{user.email} is {'active' if user.active else 'deactivated'}.")


@click.command("invite-staff")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice(["moderator", "editor", "admin"]), required=True,
              help="moderator: moderation only; editor: catalogue and content; "
                   "admin: everything.")
@click.option("--by", "invited_by", default="command line", show_default=True,
              help="Who the invitation is from, as the email and the audit log say.")
def invite_staff_command(email, role, invited_by):
    """Invite someone to the staff: the one-time link is emailed and printed once."""
    from .errors import ServiceError
    from .staff import team
    settings = current_app.extensions["storefront"].settings
    try:
        made = team.invite(db.session, email=email, role=role, invited_by=invited_by,
                           site_url=settings.site_url, shop_name=settings.shop_name)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Invited {made.invite.email} as {made.invite.role}. The link works once, "
               f"until {made.invite.expires_at:%Y-%m-%d %H:%M} UTC; it is in the outbox too "
               "(`storefront outbox deliver` sends it).")
    if not settings.public_base_url:
        click.echo("PUBLIC_BASE_URL is not set: put the shop's address in front of this path.")
    click.echo(made.url)


@click.command("create-token")
@with_appcontext
@click.argument("email")
@click.option("--label", default="", help="A note to recognise the token by.")
def create_token_command(email, label):
    """Make a staff API token; it is printed once, on the last line."""
    from .staff.services import create_token
    with staff_errors():
        token = create_token(db.session, email, label)
    click.echo("Keep this token safe; it will not be shown again:")
    click.echo(token)


@click.group("carts")
def carts_group():
    """Cart housekeeping."""


@carts_group.command("prune")
@click.option("--days", default=30, show_default=True, type=click.IntRange(min=1),
              help="Remove carts untouched for this many days.")
@with_appcontext
def prune_carts_command(days):
    """Remove carts nobody has touched for a while."""
    from .cart.services import prune_idle_carts
    click.echo(f"Removed {prune_idle_carts(db.session, days)} idle carts.")


@click.command("reconcile-payments")
@click.option("--older-than", default=15, show_default=True, type=click.IntRange(min=0),
              help="Check orders pending for at least this many minutes.")
@with_appcontext
def reconcile_payments_command(older_than):
    """Settle pending orders with what the payment provider says (lost webhooks).

    Also releases orders that never got a payment page (after 2 minutes) and applies
    stored events that were waiting for their order (a refund before its payment)."""
    from datetime import timedelta

    from .checkout.reconcile import reconcile_payments
    from .timeutil import utcnow
    state = current_app.extensions["storefront"]
    counts = reconcile_payments(db.session, state.plugins, settings=state.settings,
                                older_than=utcnow() - timedelta(minutes=older_than))
    click.echo(", ".join(f"{key}: {value}" for key, value in counts.items()))
    if counts["unreachable"]:
        raise click.ClickException("Some orders could not be checked; run again later.")


@click.group("search")
def search_group():
    """The site search index."""


@search_group.command("reindex")
@with_appcontext
def reindex_search_command():
    """Rebuild the search index from every product, exercise and published article."""
    from .search.index import rebuild
    counts = rebuild(db.session, current_app.extensions["storefront"].plugins)
    db.session.commit()
    summary = ", ".join(f"{count} {kind}{'' if count == 1 else 's'}"
                        for kind, count in counts.items())
    click.echo(f"Search index rebuilt: {summary or 'nothing to index'}.")


@click.group("cache")
def cache_group():
    """The shared cache of rendered pages and API answers."""


@cache_group.command("clear")
@with_appcontext
def clear_cache_command():
    """Make every cached answer stale, on every host (after editing rows by hand)."""
    from .catalog.invalidation import everything_changed
    everything_changed(db.session)  # product documents are rebuilt on their next read
    db.session.commit()
    cache = current_app.extensions["storefront"].cache
    if not cache.enabled:
        click.echo("No shared cache is set (CACHE_URL); nothing to clear.")
        return
    if not cache.invalidate():
        raise click.ClickException("The cache did not answer; entries expire on their own "
                                   f"within {cache.ttl} seconds.")
    click.echo("Every cached page and API answer will be built afresh.")


@click.group("outbox")
def outbox_group():
    """The emails the shop has written and not yet sent."""


@outbox_group.command("deliver")
@click.option("--loop", is_flag=True,
              help="Keep delivering, a pass every --interval seconds, until stopped.")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds between passes with --loop.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(min=1),
              help="Messages tried in one pass at most.")
@with_appcontext
def deliver_outbox_command(loop, interval, limit):
    """Send the emails that are due: one pass (for cron), or a worker with --loop.

    Each pass prints how many were sent, failed for good, failed and wait to be tried
    again, and are pending. Workers may run side by side; each message goes once."""
    import logging
    import signal
    import time

    from .mail.outbox import deliver_pending
    settings = current_app.extensions["storefront"].settings
    if not loop:
        click.echo(deliver_pending(db.session, settings, limit=limit))
        return
    stopping = []
    # A worker stopped by its supervisor (SIGTERM) finishes the message in hand first.
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: stopping.append(signum))
    log = logging.getLogger("storefront.mail")
    click.echo(f"Delivering the outbox every {interval:g} seconds; Ctrl+C stops.")
    try:
        while not stopping:
            busy = False
            try:
                report = deliver_pending(db.session, settings, limit=limit,
                                         stop=lambda: bool(stopping))
            except Exception:  # the database or the disk away: the next pass tries again
                log.exception("Outbox pass failed")
            else:
                busy = report.sent + report.failed + report.retrying >= limit
                if report.sent or report.failed or report.retrying:
                    click.echo(report)
            finally:
                db.session.remove()  # no connection held between passes
            if not busy and not stopping:
                time.sleep(interval)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo("Stopped.")


SHOP_COMMANDS = (seed_demo_command, create_staff_command, set_password_command,
                 deactivate_staff_command, invite_staff_command, create_token_command,
                 carts_group, reconcile_payments_command, search_group, cache_group, outbox_group)
for _command in (*SHOP_COMMANDS, migrate_group):
    cli.add_command(_command)


def main():
    """Console-script entry point: settings errors are one line, not a traceback."""
    try:
        cli(prog_name="storefront", standalone_mode=True)
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
