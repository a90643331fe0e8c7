"""WSGI entry point: `gunicorn server:app`, config file named by FANZHA_CONFIG."""

from bot import create_app

app = create_app()
