"""`fanzha create-operator`: create a console operator from the command line."""

from __future__ import annotations

import click

from bot import db as store
from bot.cli import Settings, config_option, pass_settings
from bot.db import console as console_db
from bot.timeutil import now_text


def register(main: click.Group) -> None:
    main.add_command(create_operator)


@click.command("create-operator")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "editor", "viewer"]), default="viewer",
              show_default=True, help="viewer reads; editor also edits; admin also manages operators.")
@click.option("--password", envvar="FANZHA_OPERATOR_PASSWORD",
              help="For scripts (or $FANZHA_OPERATOR_PASSWORD); prompted for when absent.")
@config_option
@pass_settings
def create_operator(settings: Settings, name: str, role: str, password: str | None) -> None:
    """Create a console operator NAME with a hashed password."""
    from bot.admin.auth import OperatorError
    from bot.admin.auth import create_operator as create

    if password is None:
        password = click.prompt("密码 (password)", hide_input=True, confirmation_prompt=True)
    db = store.connect(settings.config["storage"]["database"])
    try:
        store.migrate(db)
        create(db, name, password, role)
        console_db.add_audit(db, now_text(), "cli", "operator.create", f"operator:{name.strip()}", None,
                             {"name": name.strip(), "role": role, "active": 1})
    except OperatorError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.conn.close()
    click.echo(f"created operator {name.strip()} ({role})")
