"""Residents opt in and out of alerts and pick their street and groups, by message or menu."""

from __future__ import annotations

import pytest

from bot import db as store
from bot.advisor import Advisor
from bot.advisor.knowledge import load_directory
from bot.alerts.subscriptions import tags_for
from bot.config import PROJECT_ROOT
from bot.db import alerts as alerts_store
from bot.dialogue.content import content_for
from bot.dialogue.subscription import SetPreferences, pick_many, pick_one
from bot.dialogue.testbot import TestBot

AREAS = ["城关街道", "东湖街道", "西山街道"]


@pytest.fixture(scope="module")
def knowledge():
    return load_directory(PROJECT_ROOT / "knowledge")


@pytest.fixture
def bot(knowledge) -> TestBot:
    content = content_for(PROJECT_ROOT / "knowledge")
    return TestBot(Advisor(knowledge), {**content.texts(), **knowledge.texts}, content.quiz())


@pytest.mark.parametrize("text, expected", [
    ("2", "东湖街道"), ("东湖", "东湖街道"), ("西山街道", "西山街道"), ("跳过", ""), ("0", ""),
    ("4", None), ("街道", None), ("火星", None),
])
def test_an_area_is_picked_by_number_or_name(text, expected):
    assert pick_one(text, AREAS) == expected


@pytest.mark.parametrize("text, expected", [
    ("1 3", ["城关街道", "西山街道"]), ("3，1", ["城关街道", "西山街道"]), ("13", ["城关街道", "西山街道"]),
    ("东湖、西山", ["东湖街道", "西山街道"]), ("无", []), ("1 9", None),
])
def test_groups_are_picked_several_at_once(text, expected):
    assert pick_many(text, AREAS) == expected


def test_subscribing_asks_area_then_groups_then_confirms(bot):
    assert "街道或社区" in bot.says("订阅")
    assert bot.effects == [SetPreferences("o_testbot", opted_in=True)]
    assert "人群" in bot.says("2")
    done = bot.says("1 3")
    assert "东湖街道" in done and "老年人、学生" in done and bot.state is None
    assert bot.effects[1:] == [SetPreferences("o_testbot", area="东湖街道"),
                               SetPreferences("o_testbot", groups=("老年人", "学生"))]


def test_skipping_both_questions_keeps_the_subscription(bot):
    bot.says("订阅预警")
    bot.says("跳过")
    assert "不限" in bot.says("跳过")
    assert bot.effects[-1] == SetPreferences("o_testbot", groups=())


def test_menu_buttons_subscribe_change_settings_and_unsubscribe(bot):
    assert "街道或社区" in bot.taps("MENU_SUBSCRIBE")
    assert "街道或社区" in bot.taps("MENU_SETTINGS")
    assert "退订" in bot.taps("MENU_UNSUBSCRIBE")
    assert bot.effects[-1] == SetPreferences("o_testbot", opted_in=False) and bot.state is None


def test_unsubscribing_by_message(bot):
    assert "不会再收到" in bot.says("退订")
    assert bot.effects == [SetPreferences("o_testbot", opted_in=False)]


def test_an_unclear_answer_is_asked_again_then_the_flow_gives_up_kindly(bot):
    bot.says("订阅")
    assert "没看懂" in bot.says("第九个")
    assert "退出设置" in bot.says("还是不知道")
    assert bot.state is None


def test_cancel_leaves_the_settings_but_keeps_the_opt_in(bot):
    bot.says("订阅")
    assert "取消" in bot.says("取消")
    assert bot.state is None and bot.effects == [SetPreferences("o_testbot", opted_in=True)]


def test_a_long_message_mid_flow_is_answered_by_the_advisor(bot):
    bot.says("订阅")
    reply = bot.says("刚才有人打电话说是公安局的，说我涉嫌洗钱，要我把钱转到安全账户配合调查")
    assert bot.state is None and "没看懂" not in reply


def test_tags_follow_the_opt_in():
    assert tags_for(True, "东湖街道", ["学生"]) == {"东湖街道", "学生"}
    assert tags_for(False, "东湖街道", ["学生"]) == set()


def _queue(config):
    db = store.connect(config["storage"]["database"])
    try:
        return [(r["openid"], r["tag_name"], r["action"]) for r in
                db.query("SELECT * FROM tag_sync WHERE status = 'pending' ORDER BY id")], \
            alerts_store.subscription(db, "o_resident_1")
    finally:
        db.conn.close()


def test_the_conversation_through_the_webhook_stores_preferences_and_queues_tags(resident, config):
    assert "街道或社区" in resident.says("订阅")
    resident.says("2")
    resident.says("1 3")
    queue, saved = _queue(config)
    assert saved["opted_in"] == 1 and saved["area"] == "东湖街道" and saved["groups"] == ["老年人", "学生"]
    assert sorted(queue) == [("o_resident_1", "东湖街道", "tag"), ("o_resident_1", "学生", "tag"),
                             ("o_resident_1", "老年人", "tag")]
    assert "退订" in resident.does("CLICK", EventKey="MENU_UNSUBSCRIBE")
    queue, saved = _queue(config)
    assert saved["opted_in"] == 0
    # Still-pending tag intents turn into untag intents instead of stacking up.
    assert sorted(queue) == [("o_resident_1", "东湖街道", "untag"), ("o_resident_1", "学生", "untag"),
                             ("o_resident_1", "老年人", "untag")]


def test_every_choice_is_a_valid_wechat_tag_name(bot):
    for key in ("subscription_areas", "subscription_groups"):
        names = [n for n in bot.texts[key].split("、") if n]
        assert names and all(len(n.encode("utf-8")) <= 30 for n in names)
        assert len(set(names)) == len(names)
