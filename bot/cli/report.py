"""`fanzha report`: the campaign figures for a span of dates, as Markdown or CSV."""

from __future__ import annotations

from datetime import date

import click

from bot import db as store
from bot import report as campaign
from bot.cli import Settings, config_option, pass_settings


def register(main: click.Group) -> None:
    main.add_command(report)


def _day(_ctx: click.Context, param: click.Parameter, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-01", param=param) from None


@click.command()
@click.option("--from", "date_from", required=True, callback=_day, help="First day (YYYY-MM-DD, Beijing time).")
@click.option("--to", "date_to", required=True, callback=_day, help="Last day, included (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["md", "csv"]), default="md", show_default=True,
              help="Markdown for reading, CSV for spreadsheets.")
@config_option
@pass_settings
def report(settings: Settings, date_from: date, date_to: date, fmt: str) -> None:
    """The campaign report: consultations, urgent cases, case reports, alerts, the quiz, the blacklist."""
    db = store.connect(settings.config["storage"]["database"])
    try:
        if store.pending_migrations(db):
            raise click.ClickException("the database is not set up or not up to date: run `fanzha setup` first")
        figures = campaign.build(db, date_from, date_to)
    except campaign.ReportError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.conn.close()
    click.echo(campaign.to_markdown(figures) if fmt == "md" else campaign.to_csv(figures), nl=False)
