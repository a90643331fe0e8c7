"""The router end to end with the real advisor: emergencies mid-flow, escapes, two residents."""

from __future__ import annotations

from bot import db as store
from bot.db import cases
from tests.conftest import Resident

URGENT = "对方冒充公安，我刚转了5万到他说的账户"


def state_of(config, openid):
    with store.connect(config["storage"]["database"]) as db:
        return cases.load_state(db, openid)


def test_an_emergency_mid_quiz_gets_the_emergency_advice_first(resident, config):
    assert "第1题" in resident.says("测一测")
    reply = resident.says(URGENT)
    assert "110" in reply.split("\n\n")[0]                  # the emergency advice leads
    assert reply.rstrip().endswith("（反诈测一测先停下了，先处理好眼前的事要紧。）")
    assert state_of(config, resident.openid) is None


def test_an_emergency_as_the_first_report_answer_keeps_it_in_the_draft(resident, config):
    resident.says("举报")
    reply = resident.says(URGENT)
    assert reply.index("110") < reply.index("举报登记已经保存")
    draft = state_of(config, resident.openid)["aside"]["report"]
    assert draft["answers"]["what"] == URGENT and draft["stage"] == "when"
    assert "还没填完" in resident.says("举报")


def test_a_menu_tap_mid_report_leaves_it(resident, config):
    resident.says("举报")
    reply = resident.does("CLICK", EventKey="MENU_QUIZ")
    assert "第1题" in reply and "举报登记已保存" in reply
    assert state_of(config, resident.openid)["flow"] == "quiz"


def test_two_residents_interleaved_in_different_flows(client, config):
    quizzer, reporter = Resident(client, config, "o_quiz"), Resident(client, config, "o_report")
    quizzer.says("测一测")
    reporter.says("举报")
    assert "请回复选项前面的字母" in quizzer.says("昨天下午")      # not a report answer
    assert "（2/6）" in reporter.says("昨天下午有人让我刷单")
    assert state_of(config, "o_quiz")["flow"] == "quiz"
    assert state_of(config, "o_report")["answers"] == {"what": "昨天下午有人让我刷单"}
