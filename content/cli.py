"""`storefront content ...`: importing articles from Markdown files."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from storefront.plugin_api import db

from .authoring import import_directory
from .markdown import ContentError


@click.group("content")
def content_group():
    """Articles and exercises."""


@content_group.command("import")
@click.argument("directory", type=click.Path(file_okay=False, exists=True))
@with_appcontext
def import_command(directory):
    """Create or update the articles in DIRECTORY's .md files (all or nothing)."""
    try:
        result = import_directory(db.session, directory)
    except ContentError as exc:
        raise click.ClickException(f"{exc}\nNothing was imported.") from None
    click.echo(f"Imported {len(result.created) + len(result.updated)} articles: "
               f"{len(result.created)} new, {len(result.updated)} updated.")
