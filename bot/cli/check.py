"""`fanzha check`: ask the advisor about a message, as a resident would get it answered."""

from __future__ import annotations

import json
import sys

import click

from bot.advisor import Advisor
from bot.advisor.knowledge import KnowledgeError, load_directory
from bot.cli import Settings, pass_settings


def register(main: click.Group) -> None:
    main.add_command(check)


def _advisor(settings: Settings) -> Advisor:
    try:
        return Advisor(load_directory(settings.config["knowledge"]["path"]))
    except KnowledgeError as error:
        raise click.ClickException(str(error)) from None


@click.command()
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as JSON (one object a line).")
@pass_settings
def check(settings: Settings, text: str, as_json: bool) -> None:
    """Print the reply to TEXT; with TEXT "-", read one message a line from stdin."""
    advisor = _advisor(settings)
    if text == "-":
        _check_lines(advisor, as_json)
        return
    analysis = advisor.analyze(text)
    click.echo(json.dumps(analysis.to_json(), ensure_ascii=False) if as_json else analysis.reply)


def _check_lines(advisor: Advisor, as_json: bool) -> None:
    """One answer a line of stdin, in order; plain replies are separated by a blank line."""
    out = sys.stdout
    for line in sys.stdin:
        analysis = advisor.analyze(line.rstrip("\r\n"))
        if as_json:
            out.write(json.dumps(analysis.to_json(), ensure_ascii=False) + "\n")
        else:
            out.write(analysis.reply + "\n\n")
    out.flush()
