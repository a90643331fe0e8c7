"""Case reports end to end: real signed webhook pushes, the state and the case in the database."""

from __future__ import annotations

from datetime import timedelta

from bot import create_app
from bot import db as store
from bot.cli.server import run_setup
from bot.db import cases
from bot.timeutil import to_db, utc_now
from tests.conftest import Resident, make_config


def open_db(config):
    return store.connect(config["storage"]["database"])


def report_a_loss(resident: Resident) -> str:
    assert "（1/6）" in resident.says("我要举报")
    assert "（2/6）" in resident.says("有人冒充快递客服说要理赔，让我开屏幕共享")
    assert "（3/6）" in resident.says("今天上午10点")
    assert "（4/6）" in resident.says("1")
    assert "（5/6）" in resident.says("转了三万五")
    got = resident.says("他打来的电话是 171 2345 6789，让我转到卡号 6222 0000 0000 0000 004")
    assert "17123456789" in got and "6222000000000000004" in got and "还有" in got
    assert "已记下" in resident.says("还有个链接 http://kd-lipei.top/pay")
    assert "（6/6）" in resident.says("好了")
    return resident.says("13900001111")


def test_a_report_with_a_loss_is_stored_and_says_call_110_now(resident, config):
    reply = report_a_loss(resident)
    assert "编号：FZ" in reply and "拨打110" in reply and "派出所" in reply
    ref = reply.split("编号：")[1].split()[0]
    with open_db(config) as db:
        stored = cases.case_by_ref(db, ref)
        assert cases.load_state(db, resident.openid) is None
    assert stored["status"] == "new" and stored["openid"] == resident.openid
    assert stored["what"].startswith("有人冒充快递客服") and stored["happened"] == "今天上午10点"
    assert stored["contact_method"] == "电话"
    assert stored["lost"] == 1 and stored["loss_amount"] == 35000
    assert stored["phones"] == ["17123456789"] and stored["cards"] == ["6222000000000000004"]
    assert stored["links"] == ["http://kd-lipei.top/pay"]
    assert stored["callback_phone"] == "13900001111"


def test_every_question_can_be_skipped(resident, config):
    resident.does("CLICK", EventKey="MENU_REPORT")
    for _ in range(6):
        reply = resident.says("跳过")
    assert "编号：FZ" in reply and "如果您已经转了钱" in reply
    with open_db(config) as db:
        [stored] = cases.cases(db)
    assert stored["what"] == "" and stored["lost"] is None and stored["phones"] == []


def test_the_menu_report_key_starts_the_report(resident):
    assert "（1/6）" in resident.does("CLICK", EventKey="MENU_REPORT")


def test_a_report_survives_a_restart(resident, config):
    assert "（1/6）" in resident.says("举报")
    assert "（2/6）" in resident.says("收到中奖短信，要先交税")
    second_app = create_app(config)                        # a new process on the same database
    again = Resident(second_app.test_client(), config, openid=resident.openid)
    assert "（3/6）" in again.says("昨天")
    with open_db(config) as db:
        state = cases.load_state(db, resident.openid)
    assert state["answers"] == {"what": "收到中奖短信，要先交税", "when": "昨天"}


def test_two_residents_reporting_at_once_keep_apart(client, config):
    first = Resident(client, config, openid="o_first")
    second = Resident(client, config, openid="o_second")
    first.says("举报")
    second.says("举报")
    first.says("第一个人的经过")
    second.says("第二个人的经过")
    assert "（3/6）" in first.says("周一")
    assert "（3/6）" in second.says("周二")
    with open_db(config) as db:
        assert cases.load_state(db, "o_first")["answers"]["when"] == "周一"
        assert cases.load_state(db, "o_second")["answers"] == {"what": "第二个人的经过", "when": "周二"}


def backdate(config, openid: str, minutes: int) -> None:
    """Make the resident's last step look `minutes` old."""
    with open_db(config) as db:
        stale = to_db(utc_now() - timedelta(minutes=minutes))
        state = cases.load_state(db, openid)
        cases.save_state(db, openid, {**state, "at": stale}, stale)


def test_a_report_left_past_the_timeout_is_put_aside_and_resumed(resident, config):
    resident.says("举报")
    resident.says("对方说我征信有问题要注销校园贷")
    backdate(config, resident.openid, 45)
    reply = resident.says("你好")
    assert "较长时间没有回复" in reply and "回复“举报”" in reply
    assert "还没填完" in resident.says("举报")
    assert "（2/6）" in resident.says("继续")


def test_the_flow_timeout_is_the_configured_one(tmp_path, resident, config):
    resident.says("举报")
    backdate(config, resident.openid, 6)
    assert "（2/6）" in resident.says("有人让我刷单")          # the default is 30 minutes
    short = make_config(tmp_path / "short", dialogue={"flow_timeout_minutes": 5})
    run_setup(short, echo=lambda _line: None)
    hurried = Resident(create_app(short).test_client(), short)
    hurried.says("举报")
    backdate(short, hurried.openid, 6)
    assert "较长时间没有回复" in hurried.says("有人让我刷单")


def test_cancel_mid_report_stores_nothing(resident, config):
    resident.says("举报")
    resident.says("有人让我刷单")
    assert "已取消" in resident.says("取消")
    with open_db(config) as db:
        assert cases.cases(db) == [] and cases.load_state(db, resident.openid) is None


class RacingLive:
    """The app's knowledge, but the advisor lets another turn land while this one is thinking."""

    def __init__(self, live, race):
        self.live, self.race = live, race

    def advisor(self):
        return self

    def texts(self):
        return self.live.texts()

    def analyze(self, text):
        race, self.race = self.race, None
        if race is not None:
            race()
        return self.live.advisor().analyze(text)


def test_two_turns_at_once_do_not_finish_the_same_report_twice(app, resident, config):
    from bot.conversation import TurnSettings, take_turn
    from bot.dialogue.model import Inbound

    resident.says("举报")
    for _ in range(5):
        resident.says("跳过")                                 # now at the last question
    settings = TurnSettings.from_config(config)
    live = app.extensions["fanzha.live"]
    skip = Inbound(resident.openid, "text", text="跳过")
    with open_db(config) as db:
        first = []
        racing = RacingLive(live, lambda: first.append(take_turn(db, live, skip, settings=settings)))
        second = take_turn(db, racing, skip, settings=settings)
        assert "编号：FZ" in first[0].reply.content
        assert "编号" not in second.reply.content               # re-read the state: nothing left to finish
        assert len(cases.cases(db)) == 1
        assert cases.load_state(db, resident.openid) is None


def test_a_failing_effect_puts_the_state_back(app, resident, config, monkeypatch):
    from bot import conversation
    from bot.dialogue.report import SaveCase

    resident.says("举报")
    for _ in range(5):
        resident.says("跳过")
    with open_db(config) as db:
        before = cases.load_state(db, resident.openid)

    def broken(_db, _effect, _now):
        raise RuntimeError("disk full")

    monkeypatch.setitem(conversation.EFFECT_HANDLERS, SaveCase, broken)
    assert "编号" not in resident.says("跳过")                 # the safety advice instead
    with open_db(config) as db:
        assert cases.load_state(db, resident.openid) == before and cases.cases(db) == []
    monkeypatch.undo()
    assert "编号：FZ" in resident.says("跳过")                # sent again, it goes through
