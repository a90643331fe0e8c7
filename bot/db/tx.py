"""Write transactions. Connections run in autocommit mode; this groups writes that belong together."""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from typing import Iterator

from sqlite_utils import Database

_savepoint_names = (f"nested_{number}" for number in itertools.count())


@contextmanager
def transaction(db: Database) -> Iterator[None]:
    """BEGIN IMMEDIATE … COMMIT, taking the write lock first; inside another one, a savepoint."""
    if db.conn.in_transaction:
        with _savepoint(db):
            yield
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


@contextmanager
def _savepoint(db: Database) -> Iterator[None]:
    name = next(_savepoint_names)
    db.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        db.execute(f"ROLLBACK TO {name}")
        db.execute(f"RELEASE {name}")
        raise
    db.execute(f"RELEASE {name}")
