"""The `fanzha` command: a thin click layer over the library.

Each feature adds its commands in a module of its own here and registers it in COMMAND_MODULES.
"""

from __future__ import annotations

import importlib

import click

from bot import config as config_module


class ConfigProblem(click.ClickException):
    """A missing or malformed config: one clear line, exit status 2."""
    exit_code = 2


class Settings:
    """Loads the config on first use, so commands that need none never fail on it."""

    def __init__(self, path: str | None):
        self.path = path
        self._config: dict | None = None

    @property
    def config(self) -> dict:
        if self._config is None:
            try:
                self._config = config_module.load(self.path)
            except config_module.ConfigError as error:
                raise ConfigProblem(str(error)) from None
        return self._config


pass_settings = click.make_pass_decorator(Settings)


@click.group()
@click.option("--config", "config_path", envvar="FANZHA_CONFIG", type=click.Path(dir_okay=False),
              help="TOML config file (default: $FANZHA_CONFIG, else built-in defaults).")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """反诈助手 (fanzha): the anti-fraud advisor behind a WeChat official account."""
    ctx.obj = Settings(config_path)



def config_option(command):
    """`--config FILE` on a subcommand too, as in `fanzha serve --config FILE`."""

    def remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value:
            ctx.ensure_object(Settings).path = value

    return click.option("--config", "config_path", type=click.Path(dir_okay=False), expose_value=False,
                        callback=remember, is_eager=True,
                        help="TOML config file (overrides the group's --config).")(command)


COMMAND_MODULES = ["bot.cli.server", "bot.cli.wechat", "bot.cli.operators", "bot.cli.report", "bot.cli.kb",
                   "bot.cli.alerts", "bot.cli.check"]

for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(main)
