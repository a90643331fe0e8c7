"""Whatever fails downstream, the resident gets an answer in time and nothing is lost."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

from bot.db import connect


def fallback(app) -> str:
    return app.extensions["fanzha.live"].texts()["fallback"]


def use_turn(app, turn) -> None:
    """Swap the dialogue turn the pipeline runs, as a failing matcher or database would."""
    app.extensions["fanzha.pipeline"].turn = turn


def test_a_matcher_error_still_gets_the_safety_advice_and_the_message_is_stored(app, resident, config, caplog):
    def broken_turn(db, live, inbound, **_options):
        raise RuntimeError("matcher exploded")

    use_turn(app, broken_turn)
    with caplog.at_level(logging.ERROR, logger="fanzha.webhook"):
        reply = resident.says("客服让我开屏幕共享")
    assert reply == fallback(app)
    assert "110" in reply and "96110" in reply
    assert any("turn failed" in r.getMessage() for r in caplog.records)
    [row] = connect(config["storage"]["database"]).query("SELECT * FROM messages")
    assert row["content"] == "客服让我开屏幕共享"
    assert row["status"] == "fallback"
    assert "matcher exploded" in row["error"]


def test_a_database_failure_still_yields_an_answer(app, resident, config, monkeypatch, caplog):
    def locked(*_args, **_kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr("bot.db.core.claim_message", locked)
    monkeypatch.setattr("bot.db.core.remember_nonce", locked)
    with caplog.at_level(logging.ERROR, logger="fanzha.webhook"):
        reply = resident.says("有人说我的银行卡涉嫌洗钱")
    assert reply
    assert any("kept here" in r.getMessage() and "涉嫌洗钱" in r.getMessage() for r in caplog.records)


def test_a_database_locked_by_another_writer_still_yields_an_answer_in_time(app, resident, config):
    blocker = connect(config["storage"]["database"])
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        reply = resident.says("对方让我先交解冻费才能提现")
        elapsed = time.monotonic() - started
    finally:
        blocker.execute("ROLLBACK")
    assert reply == fallback(app)
    assert elapsed < config["server"]["reply_deadline_seconds"] + 1.0


def test_a_message_whose_turn_was_slow_is_stored_once_the_database_frees_up(app, resident, config):
    blocker = connect(config["storage"]["database"])
    blocker.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(config["server"]["reply_deadline_seconds"] + 0.5,
                              lambda: blocker.execute("ROLLBACK"))
    release.start()
    resident.says("刚才转了两万给安全账户")
    release.join()
    deadline = time.monotonic() + 10
    rows: list = []
    while time.monotonic() < deadline and not rows:
        rows = list(connect(config["storage"]["database"]).query(
            "SELECT * FROM messages WHERE reply_content IS NOT NULL"))
        time.sleep(0.1)
    assert [row["content"] for row in rows] == ["刚才转了两万给安全账户"]


def test_a_turn_slower_than_the_deadline_gets_the_safety_advice_and_retries_get_the_same(app, resident, config):
    gate = threading.Event()

    def slow_turn(db, live, inbound, **_options):
        gate.wait(10)
        raise AssertionError("unreachable: the deadline answers first")

    app.extensions["fanzha.pipeline"].deadline = 0.5
    use_turn(app, slow_turn)
    xml = resident.wechat.text_xml(resident.openid, "慢消息")
    first = resident.wechat.read_reply(resident.push(xml).data)["Content"]
    gate.set()
    time.sleep(0.3)
    second = resident.wechat.read_reply(resident.push(xml).data)["Content"]
    assert first == second == fallback(app)


def test_the_first_answer_wins_between_the_turn_and_the_deadline():
    from bot.dialogue.model import Reply
    from bot.wechat.pipeline import FirstAnswer

    answer = FirstAnswer()
    assert answer.offer(Reply("deadline")) == Reply("deadline")
    assert answer.offer(Reply("late turn")) == Reply("deadline")


def test_a_turn_finished_after_the_deadline_leaves_the_residents_state_as_it_was(app, resident, config):
    from bot.db import cases

    pipeline = app.extensions["fanzha.pipeline"]
    real_turn = pipeline.turn
    finished = threading.Event()

    def late_turn(db, live, inbound, **options):
        time.sleep(0.8)
        try:
            return real_turn(db, live, inbound, **options)
        finally:
            finished.set()

    pipeline.deadline = 0.3
    use_turn(app, late_turn)
    assert resident.says("我要举报") == fallback(app)
    assert finished.wait(10)
    time.sleep(0.2)
    assert cases.load_state(connect(config["storage"]["database"]), resident.openid) is None

    pipeline.deadline = config["server"]["reply_deadline_seconds"]
    use_turn(app, real_turn)
    resident.says("我要举报")
    assert cases.load_state(connect(config["storage"]["database"]), resident.openid) is not None
