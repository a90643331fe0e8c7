"""Urgency: money already gone, a code or password given away, or paying right now; negation matters."""

from __future__ import annotations

import pytest

from bot.advisor import Advisor
from bot.advisor.knowledge import load_directory
from bot.advisor.normalize import normalize
from bot.advisor.urgency import detect
from bot.config import PROJECT_ROOT

URGENT = [
    "客服让我退款，我已经把验证码发给他了",
    "警察说我涉嫌洗钱，我把五万转到安全账户了",
    "刷单做任务，我刚才又转了3000进去",
    "被骗了，网上投资平台骗了我二十万",
    "我正在跟快递理赔的客服共享屏幕，他让我打开银行App",
    "贷款交了解冻费2000，还是没放款",
    "按照他说的在ATM上操作了，卡里少了8000",
    "我把银行卡密码告诉那个自称客服的人了",
    "领导让我转账，我已经汇过去8万",
    "游戏卖家收了钱就把我拉黑了",
    "对方让我把验证码发过去，我刚发了，卡里的钱都没了",
    "在一个网站上输入了卡号和密码，接着卡里就被扣了三千",
    "网上买的货一直没到，付了两千，卖家把我删了",
    "我爸正在保健品会场交钱，怎么劝都不听",
    "我把支付宝借给朋友收款，现在账户被冻结了",
    "退款客服让我下了个会议软件，现在还在共享屏幕",
    "说是公安局的，让我装了个app配合调查，现在他能看到我的手机屏幕",
    "网上兼职帮别人收款再转出去，我已经做了二十多单了",
    "对方说先缴清欠费再退款，我已按他给的二维码付款两次",
    "我儿子把自己的电话卡卖了，一张两百，现在警察找他了",
    "老师说稳赚不赔，我上午刚入金5万，下午群里就没人说话了",
    "我老婆还在跟刷单的接待员聊，对方让她继续充值，我拦不住",
    "网恋对象让我往平台再充3万，说充够了就能提现，我已经到银行了",
    "有人出两千收我的银行卡和电话卡，我已经寄过去了",
    "说我涉嫌洗钱要配合调查，我把银行卡号和密码都说了",
    "客服说要开屏幕共享处理，我现在开着",
    "说我有补贴可以领，现在对方在电话里教我操作手机银行",
    "弟弟在赌球app上把工资卡也绑进去了，还在往里充钱",
    "网贷放款前让交会员费和保证金，前后两次共六千八，款一直没下来",
    "我儿子把微信账号租给别人了，每天给他一百，现在还在租",
    # ordinary words ("工资卡") do not hide a code and a card handed over, then money gone
    "短信说有个税退税，我点链接填了银行卡号、密码和验证码，刚才工资卡里少了八千",
    "我妈现在一个人在房间里跟“警察”视频，说要配合调查",
    # walked through it, or at the payment page, right now
    "客服说要取消会员，我正按客服说的几个步骤在支付宝里操作",
    "平台说交了保证金才能提现，我人在付款页面了",
    # card details and password read out or typed in
    "冒充公安的说我涉嫌洗钱，我把银行卡号和密码都报了",
    "点了短信里的补贴链接，把卡号和密码都填好了",
]
NOT_URGENT = [
    "客服让我把验证码发给他，我没给",
    "对方让我转到安全账户，我还没转",
    "刷单的人叫我充值，我没有充",
    "网上贷款要先交保证金，我差点就转了",
    "我担心被骗，想问问这个投资平台靠谱吗",
    "有人让我下载会议软件开屏幕共享，我拒绝了",
    "要不要转账给这个说是公安局的人",
    "刷单的让我先垫付三百，我没理，把他删了",
]


@pytest.fixture(scope="module")
def advisor() -> Advisor:
    return Advisor(load_directory(PROJECT_ROOT / "knowledge"))


@pytest.mark.parametrize("text", URGENT)
def test_money_or_secrets_already_gone_is_urgent(advisor: Advisor, text: str) -> None:
    analysis = advisor.analyze(text)
    assert analysis.is_scam and analysis.urgent and analysis.risk == "high"
    assert analysis.reply.startswith(advisor.knowledge.text("emergency"))
    assert any(signal.startswith("紧急") for signal in analysis.signals)


@pytest.mark.parametrize("text", NOT_URGENT)
def test_not_yet_paid_is_a_scam_but_not_urgent(advisor: Advisor, text: str) -> None:
    analysis = advisor.analyze(text)
    assert analysis.is_scam
    assert not analysis.urgent
    assert not analysis.reply.startswith(advisor.knowledge.text("emergency"))


@pytest.mark.parametrize("text, urgent", [
    ("我转了", True), ("我没转", False), ("我还没有转", False), ("钱已经转过去了", True),
    ("他让我把验证码发给他", False), ("我把验证码发给他了", True), ("差点就付了", False),
    ("我没有付，但是他让我交了3000", True), ("幸好没有告诉他密码", False),
    ("老公在网站上输了二十多万", True), ("我按他说的操作了", True), ("我刚打完款", True),
    ("他让我把支付宝里的钱都转出去验证", False), ("说存了五千就能放款", False),
    ("航班已经取消了", False), ("奖金会打到我卡上", False), ("电话转到一个警察那里", False),
])
def test_negation_and_requests_decide_urgency(text: str, urgent: bool) -> None:
    assert bool(detect(normalize(text))) is urgent


@pytest.mark.parametrize("text, urgent", [
    # paying right now, or on the way to pay
    ("正在往那个账户里转", True), ("我妈正在按他说的在手机上输卡号", True), ("他正在手机银行上给对方打款", True),
    ("我马上就去银行给他汇", True), ("我现在在去银行的路上", True),
    # deeds told with an amount or an object, by the resident or a relative
    ("我把存款全都买了", True), ("借了两万转给他了", True), ("验证码是核实用的，我就给他了", True),
    ("把账号和登录密码都给他了", True), ("卡号和密码都填进去了", True),
    ("他让我把验证码告诉他了", True),
    # requests, plans, terms, questions and other people's deeds are not
    ("他让我马上转", False), ("先付款后发货", False), ("钱打到我卡上，我再转出去", False),
    ("警察会让人把钱转到安全账户吗", False), ("输了包赔", False), ("好多老人都买了", False),
    ("他问我存了多少钱", False), ("不要把验证码告诉任何人", False),
])
def test_grammar_of_paying_now_and_having_paid(text: str, urgent: bool) -> None:
    assert bool(detect(normalize(text))) is urgent


@pytest.mark.parametrize("text", [
    "客服说退款要先交保证金，我已经往他给的账户里转了一半了",
    "对方说验证码是核实身份的，我就给他了，现在电话打不通",
    "我已经转了三万给那个骗子",
    "我现在正在去银行的路上，他让我转钱",
    "已经交了两千的解冻费",
])
def test_money_gone_to_someone_suspicious_is_urgent_without_a_sure_type(advisor: Advisor, text: str) -> None:
    analysis = advisor.analyze(text)
    assert analysis.is_scam and analysis.urgent


@pytest.mark.parametrize("text", [
    "我儿子要结婚了，我给他转了十万买房", "朋友把上次借的两千微信转给我了", "我正在手机银行给我妈转钱，怎么显示限额",
])
def test_ordinary_transfers_are_neither_scams_nor_urgent(advisor: Advisor, text: str) -> None:
    analysis = advisor.analyze(text)
    assert not analysis.is_scam and not analysis.urgent


@pytest.mark.parametrize("text, urgent", [
    # at the bank, the counter or the payment page right now, or still being walked through it
    ("我现在人就在工商银行排队", True), ("我在去ATM的路上了", True), ("我现在就在转账页面", True),
    ("他还在远程控制着我手机", True), ("我正准备交", True), ("还在转", True),
    ("会议软件现在还开着", True), ("他现在还在看我屏幕", True), ("我在邮局排队汇款", True),
    ("我人已经在农行排上号了", True), ("我现在就在工行门口", True), ("手机屏幕在自己动", True),
    ("对方问奶奶密码 奶奶已经说了", True), ("让我给客户转18万 我刚转完", True),
    # a card or account handed over for someone else's use is done; asking about it is not
    ("我把银行卡卖给他了", True), ("把微信号租给别人用犯法吗", False),
    ("我打了陆仟过去", True), ("我现在就站在ATM机前面", True), ("手机在被他控制", True),
    # already done, told in a few words
    ("我刚才说了", True), ("装了他们发的软件", True), ("卡号我已经输了", True), ("卡里被扣了两千", True),
    # told as an instruction or as an old experience, it is not
    ("他说先转到这个卡上", False), ("以前被骗过一次", False), ("我现在在银行，要转吗", True),
    # still on the line, doing what they say, or an account lent out for a while
    ("他还在电话上教我弄", True), ("人还在线上", True), ("电话还没挂", True),
    ("她正按对方说的开了屏幕共享", True), ("客服让我下载了个app正在操作", True),
    ("卡已经借出去三个月了", True), ("房子租出去", False),
    # a card swiped, an advance paid, money put in, principal not back, a card frozen, codes told
    ("信用卡都刷爆了", True), ("我先垫付了3000", True), ("垫付返佣15%的活", False), ("把二十万投进了一个项目", True),
    ("本金都没退", True), ("现在银行卡被冻了", True), ("验证码都告诉他们了", True),
    # asked to pay right now, not merely asked
    ("店员正让他刷卡", True), ("现在让我交退伍费", False),
    # about to pay, or on the way, or the charge already came through
    ("我银行APP都打开了", True), ("我爷爷人已经出门了", True), ("收到扣款提醒1万", True),
    # still being walked through it, or the details already told
    ("他还在让我操作", True), ("卡里钱在变少", True), ("孩子正拿着我手机在输密码", True), ("密码都说给他听了", True),
    ("我爸正在直播间下单", True), ("我正按他们说的用我的卡帮他们过账", True), ("我的银行卡就被他们拿去用了", True),
])
def test_deeds_under_way_in_residents_own_words(text: str, urgent: bool) -> None:
    assert bool(detect(normalize(text))) is urgent


@pytest.mark.parametrize("text", [
    "客服说解冻要交五千 我现在人就在工商银行排队",
    "那个自称警察的让我装了他们发的软件 现在还在远程控制着我手机",
    "要我帮他先垫付货款2万 我在手机银行正在转",  # a space after the number still ends the clause
])
def test_voice_style_messages_in_progress_are_urgent(advisor: Advisor, text: str) -> None:
    analysis = advisor.analyze(text)
    assert analysis.is_scam and analysis.urgent


@pytest.mark.parametrize("text, loss", [
    ("我挂了电话又打了95533问", False),
    ("打了10086问了一下", False),
    ("刚给他打了9500块", True),
    ("我刚转了95000元给他", True),
])
def test_a_call_to_a_service_number_is_no_payment(text: str, loss: bool) -> None:
    assert any(cue.kind == "loss" for cue in detect(normalize(text))) is loss
