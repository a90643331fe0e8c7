"""The live knowledge base: residents are answered from the database copy, reloaded on change.

Every worker process holds one LiveKnowledge. At most every `knowledge.reload_check_seconds`
it reads the version counter; when it moved, it loads the enabled entries, texts, disguises and
the blacklist and builds a new Advisor. If the database fails, the last good advisor keeps
answering. Import and export move the knowledge base between files and the database.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter
from typing import Any, Callable

import tomli_w

from bot import db as store
from bot.advisor import Advisor
from bot.advisor.knowledge import (KnowledgeBase, KnowledgeError, entry_to_document, load_directory,
                                   load_entry, load_texts)
from bot.db import console as console_db
from bot.db import knowledge as kb_db
from bot.timeutil import now_text

log = logging.getLogger("fanzha.livekb")
DISABLED_DIR = "entries-disabled"
EXPORT_HEADER = "# Exported from the live knowledge base by `fanzha kb export`.\n"


class BlacklistIndex:
    """The blacklist in memory: (kind, normalized value) -> record, for the advisor's lookups."""

    def __init__(self, rows: list[dict[str, Any]]):
        self._records = {(row["kind"], row["value"]): dict(row) for row in rows}

    def __call__(self, kind: str, value: str) -> dict[str, Any] | None:
        return self._records.get((kind, value))

    def __len__(self) -> int:
        return len(self._records)


@dataclass
class Snapshot:
    """What the database holds at one version: enabled entry documents, texts, disguises, blacklist."""
    version: int
    entries: list[dict[str, Any]]
    texts: dict[str, str]
    disguises: dict[str, list[str]]
    blacklist: list[dict[str, Any]] = field(default_factory=list)


def read_snapshot(db) -> Snapshot:
    """A consistent read of everything the advisor is built from."""
    db.execute("BEGIN")
    try:
        return Snapshot(version=kb_db.version(db),
                        entries=[row["document"] for row in kb_db.entries(db, enabled_only=True)],
                        texts=kb_db.texts(db),
                        disguises=kb_db.document(db, kb_db.DISGUISES_KEY) or {},
                        blacklist=console_db.blacklist_all(db))
    finally:
        db.execute("COMMIT")


def placeholders(text: str) -> set[str]:
    """The {names} a text is filled with; ValueError when its braces do not pair up."""
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def check_placeholders(texts: dict[str, str], bundled: dict[str, str]) -> None:
    """Stored texts may only use the placeholders their bundled versions use: the code fills no others."""
    for key, text in texts.items():
        try:
            extra = placeholders(text) - placeholders(bundled.get(key, text))
        except ValueError:
            raise KnowledgeError(f"texts: field {key} has unpaired braces") from None
        if extra:
            raise KnowledgeError(f"texts: field {key} uses unknown placeholders {sorted(extra)}")


def build_knowledge(snapshot: Snapshot, default_texts: dict[str, str] | None = None) -> KnowledgeBase:
    """Validate a snapshot into a KnowledgeBase; texts missing from the database fall back to the files'."""
    check_placeholders(snapshot.texts, default_texts or {})
    return KnowledgeBase.from_documents(snapshot.entries, {**(default_texts or {}), **snapshot.texts},
                                        snapshot.disguises)


class LiveKnowledge:
    """Holds the current advisor and texts; the last good copy survives any later failure."""

    def __init__(self, config: dict, clock: Callable[[], float] = time.monotonic):
        self._database = config["storage"]["database"]
        self._busy_ms = config["server"]["db_busy_timeout_ms"]
        self._every = config["knowledge"]["reload_check_seconds"]
        self._files = config["knowledge"]["path"]
        self._clock = clock
        self._lock = threading.Lock()
        self._conn = None
        self._conn_pid = 0
        self._default_texts = _file_texts(self._files)
        self.version = -1
        self._rejected_version: int | None = None  # an unusable version is tried once, not every check
        self.snapshot: Snapshot | None = None
        self._next_check = 0.0
        if not self._reload():
            self._use_files()

    # --- what the webhook uses ---------------------------------------------------------

    def advisor(self) -> Advisor:
        self._maybe_reload()
        return self._advisor

    def texts(self) -> dict[str, str]:
        self._maybe_reload()
        return self._knowledge.texts

    def knowledge(self) -> KnowledgeBase:
        self._maybe_reload()
        return self._knowledge

    @property
    def bundled_texts(self) -> dict[str, str]:
        """The texts of the bundled files: their placeholders are the ones the code fills."""
        return dict(self._default_texts)

    def refresh(self) -> None:
        """Check the database now (the console calls this after a save in its own process)."""
        with self._lock:
            self._next_check = 0.0
        self._maybe_reload(wait=True)

    # --- drafts for "try it" ---------------------------------------------------------------

    def draft_advisor(self, entry: dict[str, Any] | None = None, texts: dict[str, str] | None = None) -> Advisor:
        """An advisor like the live one but with one entry document or some texts replaced (not saved)."""
        self._maybe_reload()
        base = self.snapshot or Snapshot(self.version, [entry_to_document(e) for e in self._knowledge.entries],
                                         dict(self._knowledge.texts), dict(self._knowledge.disguises))
        entries = [doc for doc in base.entries if entry is None or doc["id"] != entry["id"]]
        draft = Snapshot(base.version, entries + ([entry] if entry else []), {**base.texts, **(texts or {})},
                         base.disguises, base.blacklist)
        return Advisor(build_knowledge(draft, self._default_texts), blacklist=BlacklistIndex(draft.blacklist))

    # --- reloading -------------------------------------------------------------------------

    def _maybe_reload(self, wait: bool = False) -> None:
        if self._clock() < self._next_check:
            return
        if not self._lock.acquire(blocking=wait):
            return  # another thread is checking; answer with the current advisor meanwhile
        try:
            if self._clock() >= self._next_check:
                self._next_check = self._clock() + self._every
                self._reload()
        finally:
            self._lock.release()

    def _reload(self) -> bool:
        """Load a newer version from the database; False (keeping the last good one) on any failure."""
        try:
            db = self._connection()
            if kb_db.version(db) in (self.version, self._rejected_version):
                return True
            snapshot = read_snapshot(db)
        except store.StoreError as error:
            log.error("knowledge base version check failed; keeping version %s: %s", self.version, error)
            self._drop_connection()
            return False
        if not snapshot.entries and not snapshot.texts:
            return False  # not seeded yet
        try:
            knowledge = build_knowledge(snapshot, self._default_texts)
            advisor = Advisor(knowledge, blacklist=BlacklistIndex(snapshot.blacklist))
            probe(advisor, knowledge)
        except Exception:  # any failure of a new version must leave residents with the last good one
            log.exception("knowledge base version %s is unusable; keeping version %s", snapshot.version,
                          self.version)
            self._rejected_version = snapshot.version
            return False
        self._knowledge, self._advisor, self.snapshot, self.version = knowledge, advisor, snapshot, snapshot.version
        log.info("knowledge base version %s loaded: %d entries, %d blacklisted values",
                 snapshot.version, len(knowledge.entries), len(snapshot.blacklist))
        return True

    def _use_files(self) -> None:
        """Before the database is seeded, answer from the bundled files."""
        self._knowledge = load_directory(self._files)
        self._advisor = Advisor(self._knowledge)
        log.warning("knowledge base not in the database yet; answering from %s", self._files)

    def _connection(self):
        """This process's connection: one inherited through fork (gunicorn --preload) is never reused."""
        if self._conn is None or self._conn_pid != os.getpid():
            self._conn = store.connect(self._database, self._busy_ms)
            self._conn_pid = os.getpid()
        return self._conn

    def _drop_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.conn.close()
            except store.StoreError:
                pass
            self._conn = None


PROBE_ENTRIES = 5


def probe(advisor: Advisor, knowledge: KnowledgeBase) -> None:
    """Answer a greeting and a few entries' own signal words: a version that raises here is not served."""
    messages = ["你好"] + ["，".join(entry.signals[0].words[:3]) for entry in knowledge.entries[:PROBE_ENTRIES]]
    for message in messages:
        advisor.analyze(message)


def _file_texts(path: str) -> dict[str, str]:
    """The bundled texts, used for keys the database lacks (e.g. added by a newer release)."""
    try:
        return load_texts(Path(path) / "texts.toml")
    except KnowledgeError as error:
        log.warning("bundled texts unavailable: %s", error)
        return {}


# --- import and export ------------------------------------------------------------------------

@dataclass
class ImportResult:
    entries: int = 0
    texts: int = 0
    disguises: int = 0
    deleted: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return (f"{self.entries} entries, {self.texts} texts, {self.disguises} disguise tables changed; "
                f"{self.deleted} deleted; {self.unchanged} unchanged")


def read_directory(path: str | Path) -> tuple[KnowledgeBase, list[dict[str, Any]]]:
    """A validated knowledge directory, plus the documents of its disabled entries."""
    root = Path(path)
    knowledge = load_directory(root)
    disabled = [entry_to_document(load_entry(file)) for file in sorted((root / DISABLED_DIR).glob("*.toml"))]
    KnowledgeBase.from_documents([*map(entry_to_document, knowledge.entries), *disabled], knowledge.texts,
                                 knowledge.disguises)  # ids unique across both folders
    return knowledge, disabled


def import_directory(db, path: str | Path, by: str, replace: bool = False) -> ImportResult:
    """Load a knowledge directory into the database, one revision per changed item, one version bump."""
    knowledge, disabled = read_directory(path)
    documents = [(entry_to_document(entry), True) for entry in knowledge.entries] + [(d, False) for d in disabled]
    result = ImportResult()
    now = now_text()
    with kb_db.transaction(db):
        for document, enabled in documents:
            current = kb_db.entry(db, document["id"])
            if current and current["document"] == document and bool(current["enabled"]) == enabled:
                result.unchanged += 1
                continue
            kb_db.save_entry(db, document, enabled, now, by, "import")
            result.entries += 1
        _import_texts(db, knowledge.texts, now, by, result)
        if knowledge.disguises != (kb_db.document(db, kb_db.DISGUISES_KEY) or {}):
            kb_db.save_document(db, kb_db.DISGUISES_KEY, knowledge.disguises, now, by, "import")
            result.disguises += 1
        if replace:
            _delete_missing(db, {d["id"] for d, _ in documents}, set(knowledge.texts), now, by, result)
        if result.entries or result.texts or result.disguises or result.deleted:
            kb_db.bump_version(db)
            console_db.add_audit(db, now, by, "kb.import", f"directory:{Path(path).resolve()}", None,
                                 {"summary": result.summary()})
    return result


def _import_texts(db, texts: dict[str, str], now: str, by: str, result: ImportResult) -> None:
    current = kb_db.texts(db)
    for key, value in texts.items():
        if current.get(key) == value:
            result.unchanged += 1
        else:
            kb_db.save_text(db, key, value, now, by, "import")
            result.texts += 1


def _delete_missing(db, entry_ids: set[str], text_keys: set[str], now: str, by: str,
                    result: ImportResult) -> None:
    for row in kb_db.entries(db):
        if row["id"] not in entry_ids:
            kb_db.delete_entry(db, row["id"], now, by)
            result.deleted += 1
    for key in set(kb_db.texts(db)) - text_keys:
        kb_db.delete_text(db, key, now, by)
        result.deleted += 1


def export_directory(db, path: str | Path) -> int:
    """Write the live knowledge base as files `fanzha kb validate` accepts; return the entry count."""
    root = Path(path)
    rows = kb_db.entries(db)
    for folder, enabled in (("entries", True), (DISABLED_DIR, False)):
        wanted = {f"{row['id']}.toml": row["document"] for row in rows if bool(row["enabled"]) == enabled}
        _write_folder(root / folder, wanted)
    _write_toml(root / "texts.toml", kb_db.texts(db))
    _write_toml(root / "disguises.toml", {"disguises": kb_db.document(db, kb_db.DISGUISES_KEY) or {}})
    return len(rows)


def _write_folder(folder: Path, documents: dict[str, dict[str, Any]]) -> None:
    """Write one TOML file per document and remove the folder's other TOML files."""
    if not documents and not folder.exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.toml"):
        if stale.name not in documents:
            stale.unlink()
    for name, document in documents.items():
        _write_toml(folder / name, document)


def _write_toml(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(EXPORT_HEADER + tomli_w.dumps(data, multiline_strings=True), encoding="utf-8")


def seed_step(db, config: dict, echo: Callable[[str], None]) -> None:
    """Setup step: seed an empty database knowledge base from the bundled files; add texts it lacks."""
    path = config["knowledge"]["path"]
    if kb_db.is_empty(db):
        result = import_directory(db, path, by="setup")
        echo(f"knowledge base seeded from {path}: {result.summary()}")
        return
    missing = {key: value for key, value in _file_texts(path).items() if key not in kb_db.texts(db)}
    if missing:
        with kb_db.transaction(db):
            for key, value in missing.items():
                kb_db.save_text(db, key, value, now_text(), "setup", "import")
            kb_db.bump_version(db)
        echo(f"knowledge base: added {len(missing)} new texts from {path}")

