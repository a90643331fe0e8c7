"""`fanzha kb`: the knowledge base on the command line (import, export; validate is added here too)."""

from __future__ import annotations

import click

from bot import db as store
from bot.advisor.knowledge import KnowledgeError, validate_directory
from bot.cli import Settings, config_option, pass_settings


def register(main: click.Group) -> None:
    main.add_command(kb)


@click.group()
def kb() -> None:
    """Validate, import and export the knowledge base."""


@kb.command()
@click.argument("path", required=False, type=click.Path(file_okay=False))
@config_option
@pass_settings
def validate(settings: Settings, path: str | None) -> None:
    """Check every file of a knowledge directory (default: the configured knowledge.path)."""
    root = path or settings.config["knowledge"]["path"]
    problems = validate_directory(root)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {root}")
    click.echo(f"{root}: valid")


@kb.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--replace", is_flag=True,
              help="Also delete entries and texts that are not in DIRECTORY (they stay restorable).")
@config_option
@pass_settings
def import_command(settings: Settings, directory: str, replace: bool) -> None:
    """Load DIRECTORY (texts.toml, disguises.toml, entries/*.toml) into the live knowledge base."""
    from bot.livekb import import_directory

    db = store.connect(settings.config["storage"]["database"])
    try:
        store.migrate(db)
        result = import_directory(db, directory, by="cli", replace=replace)
    except KnowledgeError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.conn.close()
    click.echo(f"imported {directory}: {result.summary()}")


@kb.command("export")
@click.argument("directory", type=click.Path(file_okay=False))
@config_option
@pass_settings
def export_command(settings: Settings, directory: str) -> None:
    """Write the live knowledge base to DIRECTORY as files `fanzha kb validate` accepts."""
    from bot.livekb import export_directory

    db = store.connect(settings.config["storage"]["database"])
    try:
        store.migrate(db)
        count = export_directory(db, directory)
    finally:
        db.conn.close()
    click.echo(f"exported {count} entries to {directory}")
