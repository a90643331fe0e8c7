"""The live knowledge base: seeded from files, reloaded on change in every process, robust to failures."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time

import pytest
from click.testing import CliRunner

from bot import db as store
from bot.advisor.knowledge import validate_directory
from bot.cli import main as cli
from bot.cli.server import run_setup
from bot.db import console as console_db
from bot.db import knowledge as kb_db
from bot.livekb import LiveKnowledge, export_directory, import_directory
from bot.timeutil import now_text
from tests.console_fixtures import TEST_ENTRY, console_config


class Clock:
    """A hand-moved monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def config(tmp_path):
    return console_config(tmp_path)


@pytest.fixture
def db(config):
    run_setup(config, echo=lambda _line: None)
    connection = store.connect(config["storage"]["database"])
    yield connection
    connection.conn.close()


def _edit_entry(db, **changes) -> None:
    document = {**kb_db.entry(db, TEST_ENTRY["id"])["document"], **changes}
    with kb_db.transaction(db):
        kb_db.save_entry(db, document, True, now_text(), "test", "update")
        kb_db.bump_version(db)


def test_setup_seeds_the_database_from_the_files(db, config):
    row = kb_db.entry(db, TEST_ENTRY["id"])
    assert row["document"]["title"] == TEST_ENTRY["title"]
    assert row["revision"] == 1 and row["updated_by"] == "setup"
    assert "fallback" in kb_db.texts(db)
    assert kb_db.document(db, "disguises")
    assert kb_db.version(db) == 1
    assert console_db.audit_entries(db)[0]["action"] == "kb.import"


def test_setup_does_not_reseed_or_overwrite_edits(db, config):
    _edit_entry(db, title="改过的标题")
    run_setup(config, echo=lambda _line: None)
    assert kb_db.entry(db, TEST_ENTRY["id"])["document"]["title"] == "改过的标题"


def test_setup_adds_texts_a_newer_release_brings(db, config):
    with kb_db.transaction(db):
        kb_db.delete_text(db, "location_ack", now_text(), "test")
    run_setup(config, echo=lambda _line: None)
    assert "location_ack" in kb_db.texts(db)


def test_residents_are_answered_from_the_database(db, config):
    live = LiveKnowledge(config)
    assert live.advisor().analyze("我接到蓝莓理赔专员的电话").entry == TEST_ENTRY["id"]
    _edit_entry(db, signals=[{"words": ["橙子专员"], "weight": 5}])
    live.refresh()
    assert live.advisor().analyze("我接到蓝莓理赔专员的电话").entry != TEST_ENTRY["id"]
    assert live.advisor().analyze("橙子专员让我填银行卡").entry == TEST_ENTRY["id"]


def test_a_change_reaches_another_process_after_the_check_interval(db, config):
    clock = Clock()
    worker = LiveKnowledge(config, clock=clock)
    worker.advisor()
    _edit_entry(db, actions=["新的第一步：先打110核实。"])
    assert "新的第一步" not in worker.advisor().analyze("蓝莓理赔专员").reply
    clock.now += config["knowledge"]["reload_check_seconds"] + 0.01
    assert "新的第一步" in worker.advisor().analyze("蓝莓理赔专员").reply


def _worker(config: dict, requests, answers) -> None:
    """Another worker process: answers each text it is sent with its advisor's reply."""
    live = LiveKnowledge(config)
    answers.put("ready")
    for text in iter(requests.get, None):
        answers.put(live.advisor().analyze(text).reply)


def test_a_saved_change_reaches_a_separate_worker_process(db, config):
    context = multiprocessing.get_context("spawn")
    requests, answers = context.Queue(), context.Queue()
    worker = context.Process(target=_worker, args=(config, requests, answers), daemon=True)
    worker.start()
    try:
        assert answers.get(timeout=60) == "ready"
        requests.put("蓝莓理赔专员找我")
        assert "另一个进程" not in answers.get(timeout=30)
        _edit_entry(db, actions=["另一个进程也要看到这一步。"])
        time.sleep(config["knowledge"]["reload_check_seconds"] * 3)
        requests.put("蓝莓理赔专员找我")
        assert "另一个进程也要看到这一步" in answers.get(timeout=30)
    finally:
        requests.put(None)
        worker.join(timeout=10)


def test_the_version_is_checked_at_most_once_per_interval(db, config, monkeypatch):
    clock = Clock()
    worker = LiveKnowledge(config, clock=clock)
    calls = []
    real = kb_db.version
    monkeypatch.setattr(kb_db, "version", lambda conn: calls.append(1) or real(conn))
    for _ in range(50):
        worker.advisor()
    assert len(calls) <= 1


def test_a_failing_database_keeps_the_last_good_advisor(db, config, monkeypatch):
    clock = Clock()
    worker = LiveKnowledge(config, clock=clock)

    def broken(_conn):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(kb_db, "version", broken)
    clock.now += 10
    analysis = worker.advisor().analyze("蓝莓理赔专员打电话给我")
    assert analysis.entry == TEST_ENTRY["id"]
    assert worker.texts()["fallback"]


def test_an_invalid_stored_entry_keeps_the_last_good_advisor(db, config):
    clock = Clock()
    worker = LiveKnowledge(config, clock=clock)
    _edit_entry(db, category="不存在的类型")
    clock.now += 10
    assert worker.advisor().analyze("蓝莓理赔专员").entry == TEST_ENTRY["id"]


def test_an_unusable_version_is_built_once_not_at_every_check(db, config, monkeypatch):
    import bot.livekb as livekb

    clock = Clock()
    worker = LiveKnowledge(config, clock=clock)
    _edit_entry(db, category="不存在的类型")
    builds = []
    real_build = livekb.build_knowledge
    monkeypatch.setattr(livekb, "build_knowledge", lambda *args: builds.append(1) or real_build(*args))
    for _check in range(3):
        clock.now += 10
        worker.advisor()
    assert len(builds) == 1
    _edit_entry(db, category=TEST_ENTRY["category"], title="修好了")
    clock.now += 10
    worker.advisor()
    assert len(builds) == 2
    assert worker.advisor().analyze("蓝莓理赔专员").entry == TEST_ENTRY["id"]


def test_a_version_that_fails_to_answer_is_not_served(db, config):
    clock = Clock()
    worker = LiveKnowledge(config, clock=clock)
    template = kb_db.texts(db)["default"]
    with kb_db.transaction(db):
        kb_db.save_text(db, "default", "{", now_text(), "test", "update")  # str.format would raise
        kb_db.bump_version(db)
    with kb_db.transaction(db):
        kb_db.save_text(db, "verdict_medium", "{nothing_fills_this}", now_text(), "test", "update")
        kb_db.bump_version(db)
    clock.now += 10
    assert worker.advisor().analyze("蓝莓理赔专员").entry == TEST_ENTRY["id"]
    assert worker.texts()["default"] == template


def test_disabled_entries_do_not_answer(db, config):
    document = kb_db.entry(db, TEST_ENTRY["id"])["document"]
    with kb_db.transaction(db):
        kb_db.save_entry(db, document, False, now_text(), "test", "disable")
        kb_db.bump_version(db)
    live = LiveKnowledge(config)
    assert live.advisor().analyze("蓝莓理赔专员打电话给我").entry != TEST_ENTRY["id"]


def test_the_advisor_flags_blacklisted_values(db, config):
    console_db.upsert_blacklist(db, "phone", "16500001234", "通报", "冒充客服", now_text(), "test")
    console_db.upsert_blacklist(db, "domain", "pay-refund.example", "通报", "", now_text(), "test")
    kb_db.bump_version(db)
    advisor = LiveKnowledge(config).advisor()
    analysis = advisor.analyze("刚才16500001234给我打电话")
    assert analysis.is_scam and analysis.entities["phones"][0]["known_bad"]["note"] == "冒充客服"
    link = advisor.analyze("打开 https://www.pay-refund.example/a 退款")
    assert link.is_scam and link.entities["urls"][0]["known_bad"]["source"] == "通报"


def test_an_unseeded_database_answers_from_the_files(tmp_path):
    config = console_config(tmp_path)
    connection = store.connect(config["storage"]["database"])
    store.migrate(connection)
    live = LiveKnowledge(config)
    assert live.advisor().analyze("蓝莓理赔专员").entry == TEST_ENTRY["id"]


# --- import and export ---------------------------------------------------------------------------

def test_export_writes_files_kb_validate_accepts(db, tmp_path):
    target = tmp_path / "exported"
    count = export_directory(db, target)
    assert count == len(kb_db.entries(db))
    assert validate_directory(target) == []
    assert (target / "entries" / f"{TEST_ENTRY['id']}.toml").exists()


def test_export_then_import_round_trips(db, tmp_path):
    _edit_entry(db, title="往返测试")
    with kb_db.transaction(db):
        kb_db.save_entry(db, {**TEST_ENTRY, "id": "console-disabled"}, False, now_text(), "t", "create")
    export_directory(db, tmp_path / "out")
    other = store.connect(str(tmp_path / "other.db"))
    store.migrate(other)
    import_directory(other, tmp_path / "out", by="test")
    assert kb_db.entry(other, TEST_ENTRY["id"])["document"]["title"] == "往返测试"
    assert kb_db.entry(other, "console-disabled")["enabled"] == 0
    assert kb_db.texts(other) == kb_db.texts(db)


def test_reimporting_the_same_files_changes_nothing(db, config):
    before = kb_db.version(db)
    result = import_directory(db, config["knowledge"]["path"], by="test")
    assert result.entries == result.texts == 0 and kb_db.version(db) == before


def test_import_replace_deletes_what_the_files_lack(db, config, tmp_path):
    export_directory(db, tmp_path / "out")
    (tmp_path / "out" / "entries" / f"{TEST_ENTRY['id']}.toml").unlink()
    result = import_directory(db, tmp_path / "out", by="test", replace=True)
    assert result.deleted == 1 and kb_db.entry(db, TEST_ENTRY["id"]) is None
    assert kb_db.deleted_entries(db)[0]["key"] == TEST_ENTRY["id"]


def test_cli_import_and_export(db, config, tmp_path, monkeypatch):
    monkeypatch.setenv("FANZHA_STORAGE__DATABASE", config["storage"]["database"])
    exported = CliRunner().invoke(cli, ["kb", "export", str(tmp_path / "out")])
    assert exported.exit_code == 0, exported.output
    assert "exported" in exported.output
    (tmp_path / "out" / "entries" / "broken.toml").write_text('id = "broken"\n', encoding="utf-8")
    refused = CliRunner().invoke(cli, ["kb", "import", str(tmp_path / "out")])
    assert refused.exit_code == 1 and "broken.toml" in refused.output


def test_a_forked_worker_opens_its_own_connection(db, config, monkeypatch):
    live = LiveKnowledge(config)
    inherited = live._connection()
    monkeypatch.setattr("bot.livekb.os.getpid", lambda: -1)
    assert live._connection() is not inherited
