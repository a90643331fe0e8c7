"""The router around the flows, as conversations on the in-process testbot (no web, no database).

A stand-in advisor lets these tests decide what counts as urgent; the real advisor's
judgement is pinned in its own tests and end to end in test_dialogue_webhook.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.dialogue import flowstate
from bot.dialogue.content import ContentCache, load_texts
from bot.dialogue.report import SaveCase
from bot.dialogue.testbot import TestBot

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
EMERGENCY = "【紧急】请立即拨打110！"
HIGH_RISK = "【高风险】这是诈骗。"


@dataclass
class Verdict:
    is_scam: bool
    category: str | None
    risk: str
    urgent: bool
    reply: str
    signals: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"is_scam": self.is_scam, "category": self.category, "risk": self.risk,
                "urgent": self.urgent, "signals": self.signals, "reply": self.reply}


class StandInAdvisor:
    """Urgent when money is moving now; high risk on 安全账户; otherwise the general advice."""

    def analyze(self, text: str) -> Verdict:
        if "刚转" in text or "正在转" in text:
            return Verdict(True, "冒充公检法及政府机关", "high", True, EMERGENCY)
        if "安全账户" in text:
            return Verdict(True, "冒充公检法及政府机关", "high", False, HIGH_RISK)
        return Verdict(False, None, "none", False, "【一般提醒】不听、不信、不转账。")


@pytest.fixture
def bot() -> TestBot:
    content = ContentCache(KNOWLEDGE)
    texts = {**content.texts(), **load_texts(KNOWLEDGE / "texts.toml")}
    return TestBot(StandInAdvisor(), texts, content.quiz())


def start_report(bot: TestBot) -> None:
    assert "（1/6）" in bot.says("举报")
    assert "（2/6）" in bot.says("有人说我的快递丢了要赔我钱")


def test_help_lists_what_the_account_can_do(bot):
    reply = bot.says("帮助")
    assert "举报" in reply and "测一测" in reply and "110" in reply
    assert bot.taps("MENU_HELP") == reply


def test_a_menu_button_with_a_text_of_its_own_gets_that_text(bot):
    bot.texts = {**bot.texts, "menu_menu_cases": "典型案例：……"}
    assert bot.taps("MENU_CASES") == "典型案例：……"
    assert bot.taps("MENU_UNKNOWN") == bot.texts["default"]


def test_cancel_ends_the_report_and_forgets_its_draft(bot):
    start_report(bot)
    assert "已取消举报登记" in bot.says("取消")
    assert bot.state is None
    assert "（1/6）" in bot.says("举报")          # a fresh report, no offer to resume


def test_cancel_with_nothing_going_on_says_so(bot):
    assert "没有正在进行" in bot.says("取消")


def test_a_flow_left_alone_too_long_times_out_and_the_report_waits(bot):
    start_report(bot)
    bot.waits(31)
    reply = bot.says("你好")
    assert "一般提醒" in reply                      # the message itself is answered
    assert "较长时间没有回复" in reply and "举报" in reply
    assert flowstate.active_name(bot.state) is None
    reply = bot.says("举报")
    assert "还没填完" in reply and "经过" in reply
    assert "（2/6）" in bot.says("1")              # back at the question it stopped on


def test_within_the_timeout_the_flow_goes_on(bot):
    start_report(bot)
    bot.waits(29)
    assert "（3/6）" in bot.says("昨天晚上")


def test_the_timeout_follows_the_setting(bot):
    bot.flow_timeout = bot.flow_timeout / 6          # 5 minutes
    bot.says("测一测")
    bot.waits(6)
    reply = bot.says("A")
    assert "已经结束" in reply and "反诈测一测" in reply


def test_a_menu_tap_gets_out_of_any_flow(bot):
    bot.says("测一测")
    reply = bot.taps("MENU_CHECK")
    assert "要查的电话号码" in reply and "已退出反诈测一测" in reply
    assert flowstate.active_name(bot.state) == "check"


def test_another_flows_command_word_mid_flow_switches_to_it(bot):
    start_report(bot)
    reply = bot.says("测一测")
    assert "第1题" in reply and "举报登记已保存" in reply
    assert "还没填完" in bot.says("举报")


def test_help_mid_report_leaves_it_and_keeps_the_draft(bot):
    start_report(bot)
    reply = bot.says("帮助")
    assert "测一测" in reply and "举报登记已保存" in reply
    assert flowstate.active_name(bot.state) is None
    assert "还没填完" in bot.taps("MENU_REPORT")


def test_a_draft_is_kept_three_days_then_forgotten(bot):
    start_report(bot)
    bot.says("帮助")
    bot.waits(60 * 24 * 2)
    assert "还没填完" in bot.says("举报")
    bot.says("取消")
    start_report(bot)
    bot.says("帮助")
    bot.waits(60 * 24 * 3 + 1)
    assert "（1/6）" in bot.says("举报")


def test_tapping_report_again_mid_report_offers_the_draft_without_a_second_note(bot):
    start_report(bot)
    reply = bot.taps("MENU_REPORT")
    assert "还没填完" in reply and "已保存" not in reply


def test_an_urgent_message_mid_quiz_gets_the_emergency_advice_first(bot):
    bot.says("测一测")
    reply = bot.says("等一下，我刚转了两万块给一个自称警察的人")
    assert reply.startswith(EMERGENCY)
    assert "反诈测一测先停下了" in reply
    assert bot.state is None
    assert bot.last.verdict["urgent"] is True


def test_high_risk_mid_quiz_interrupts_too(bot):
    bot.says("测一测")
    assert bot.says("有人让我把钱转到安全账户").startswith(HIGH_RISK)


def test_an_urgent_message_mid_report_keeps_the_answer_in_the_draft(bot):
    assert "（1/6）" in bot.says("举报")
    reply = bot.says("对方冒充公安，我刚转了5万到他说的账户")
    assert reply.startswith(EMERGENCY)
    assert "举报登记已经保存" in reply and "回复“举报”" in reply
    draft = flowstate.draft(bot.state, "report")
    assert draft["answers"]["what"].startswith("对方冒充公安")
    assert draft["stage"] == "when"


def test_money_gone_as_the_answer_to_the_loss_question_says_call_110_and_goes_on(bot):
    start_report(bot)
    bot.says("昨天晚上")
    bot.says("1")
    reply = bot.says("刚转了3万")
    assert "请先立即拨打110" in reply and "（5/6）" in reply
    assert bot.state["answers"]["loss"] == {"lost": True, "amount": 30000.0, "text": "刚转了3万"}
    assert "请先立即拨打110" not in bot.says("好了")


def test_no_loss_needs_no_call_110_line(bot):
    start_report(bot)
    bot.says("昨天晚上")
    bot.says("1")
    reply = bot.says("没有")
    assert "请先立即拨打110" not in reply and "（5/6）" in reply


def test_an_urgent_message_at_the_last_question_keeps_the_draft_as_it_was(bot):
    start_report(bot)
    for answer in ("昨天", "1", "没有", "好了"):
        bot.says(answer)
    reply = bot.says("又来了，我刚转了一万")
    assert reply.startswith(EMERGENCY)
    assert flowstate.draft(bot.state, "report")["stage"] == "callback"


def test_the_report_flow_takes_a_high_risk_description_as_an_answer(bot):
    assert "（1/6）" in bot.says("举报")
    assert "（2/6）" in bot.says("对方让我把钱转到安全账户，我没转")


def test_a_picture_mid_report_is_answered_kindly_and_the_question_repeated(bot):
    start_report(bot)
    reply = bot.sends("image")
    assert "请用文字" in reply and "（2/6）" in reply


def test_a_silent_event_mid_flow_keeps_the_flow(bot):
    start_report(bot)
    assert bot.send_event("VIEW") == ""
    assert "（3/6）" in bot.says("今天上午")


def test_unexpected_words_in_the_quiz_repeat_the_question(bot):
    first = bot.says("测一测")
    reply = bot.says("我不太懂")
    assert "请回复选项前面的字母" in reply
    assert first.split("\n\n")[-1] in reply
    assert flowstate.active_name(bot.state) == "quiz"


def test_two_residents_keep_their_own_state(bot):
    other = TestBot(bot.advisor, bot.texts, bot.quiz, openid="o_other")
    bot.says("举报")
    other.says("测一测")
    assert "（2/6）" in bot.says("A")              # an answer to the report, not to the quiz
    assert "答对了" in other.says(_right_answer(other))
    assert flowstate.active_name(other.state) == "quiz"
    assert bot.state["answers"]["what"] == "A"


def test_a_finished_report_returns_one_effect_with_the_case(bot):
    start_report(bot)
    for answer in ("昨天晚上", "1", "没有", "好了", "跳过"):
        reply = bot.says(answer)
    assert "编号：FZ261128" in reply and "您没有转账" in reply
    assert bot.state is None
    saved = [e for e in bot.effects if isinstance(e, SaveCase)]
    assert len(saved) == 1 and saved[0].ref in reply
    assert saved[0].fields["lost"] is False and saved[0].fields["contact_method"] == "电话"


def _right_answer(bot: TestBot) -> str:
    question = bot.quiz.question(bot.state["ids"][bot.state["at_question"]])
    return question.answer


@pytest.mark.parametrize("answer,lost,amount", [
    ("没有", False, None), ("没有损失", False, None), ("没转账", False, None), ("0", False, None),
    ("转了5000元", True, 5000.0), ("一共转了三次，共计2万", True, 20000.0),
    ("先转了2000，又转了3万", True, 32000.0), ("转了，记不清多少", True, None),
])
def test_the_loss_answer_is_read(answer, lost, amount):
    from bot.dialogue.report import loss_of

    assert (loss_of(answer)["lost"], loss_of(answer)["amount"]) == (lost, amount)
