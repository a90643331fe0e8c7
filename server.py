"""WSGI entry point: `gunicorn server:app`, config file named by FANZHA_CONFIG."""

import sys

from bot import create_app
from bot.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    print(f"fanzha: config error: {error}", file=sys.stderr)
    sys.exit(2)
