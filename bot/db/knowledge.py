"""Tables and queries for the knowledge feature."""

from __future__ import annotations

from sqlite_utils import Migrations

migrations = Migrations("knowledge")
