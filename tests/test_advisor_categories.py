"""Each canonical category is recognised: disguised spellings, pasted texts, descriptions, short questions."""

from __future__ import annotations

import pytest

from bot.advisor import Advisor
from bot.advisor.knowledge import CATEGORIES, load_directory
from bot.config import PROJECT_ROOT

CASES: dict[str, list[str]] = {
    "刷单返利": [
        "兼职刷 单，日结三百，加V信详聊",                       # disguised
        "【招募】抖音点赞员，一单3元，截图即返佣金，宝妈学生皆可",   # pasted
        "我在做一个点赞任务，前面给了佣金，现在说要做连单先垫付1000",  # description
        "網上刷單返利是真的嗎",                                   # traditional
        "刷单靠谱吗",                                             # short question
    ],
    "虚假网络投资理财": [
        "老师在股票群里推荐牛股，说跟着买稳 赚 不 赔",
        "【XX财富】内部消息：原始股即将上市，名额有限，高额回报",
        "我在一个虚拟币平台赚了钱，提现的时候让我先交保证金",
        "带单老师让我炒外汇，说一个月翻倍",
        "投资平台提不了现怎么办",
    ],
    "虚假网络贷款": [
        "无抵押秒到账dk，黑户可贷，加vx",
        "【速借】您有20万额度待领取，免征信，点击领取",
        "贷款还没放下来，客服说我银行卡号填错了要交解冻费",
        "网贷要先交保证金才放款正常吗",
        "放款前让我刷流水",
    ],
    "虚假征信": [
        "自称银保监会的说我有校园贷没注销，影响征信",
        "有人能修复征信吗？说交钱就能消除逾期",
        "对方说要关闭我的金条额度，不关就上征信黑名单",
        "注销学生账户要转账吗",
    ],
    "冒充电商物流客服": [
        "淘宝客服说要给我双倍赔偿，让我加QQ扫码",
        "快递丢了，快递客服说给我三倍理赔，要我开屏幕共享",
        "电话说我开通了百万保障，不关闭每月扣费",
        "客服让我把手机上收到的验证码报给他才能退款",
        "说我误开了直播会员要取消",
    ],
    "冒充公检法及政府机关": [
        "警官说我涉嫌洗钱，要把钱转到安全帐户",
        "有人发来逮捕令，说我卷入案件，不能告诉家人",
        "检察院打电话要给我做视频笔录",
        "医保局的人说我医保卡违规，帮我转接公安",
        "【人民法院】您有传票未签收，请点击链接查看案件详情",
    ],
    "冒充领导熟人": [
        "领导加我微信说在开会不方便接电话，让我先给客户转账",
        "猜猜我是谁，我换号了",
        "QQ好友说急用钱借我两千，明天就还",
        "孙子打电话说打架被抓了要保释金，别告诉他爸妈",
        "老板让我转钱是不是要核实",
    ],
    "网络婚恋交友": [
        "网恋对象带我在一个平台投资，说稳赚",
        "交友软件认识的男朋友说要给我寄礼物，让我交关税",
        "杀猪盘是什么意思，我是不是遇到了",
        "婚恋网站认识的人一直不肯视频，还找我借钱",
    ],
    "网络游戏产品虚假交易": [
        "游戏币五折出售，私下交易",
        "卖游戏账号，买家让我去一个网站交保证金才能提现",
        "孩子说有人免费送皮肤，要扫码",
        "低价充王者荣耀点券靠谱吗",
    ],
    "虚假购物服务": [
        "海关罚没的苹果手机一千元，先付定金",
        "闲鱼卖家让我加微信私下转账，转完就联系不上了",
        "网上买的东西付款后一直不发货",
        "朋友圈代购专柜正品半价要先付全款",
    ],
    "机票退改签": [
        "【航空公司】您的航班因机械故障已取消，请联系客服办理改签领取补偿",
        "说我航班延误可以理赔，要我的银行卡号和验证码",
        "航班取消了让我去ATM上操作退票",
    ],
    "虚假中奖": [
        "恭喜您被选为幸运观众，获得二等奖，请先缴纳个人所得税",
        "刮刮卡中了一等奖要先交公证费",
        "抽奖抽中了手机，要付运费和激活费",
        "中奖了要先交钱吗",
    ],
    "冒充通信运营商": [
        "【中国移动】您的积分即将清零，可兑换现金，请点击 10086-jf.top",
        "电话说我手机欠费要停机，按9转人工",
        "客服说免费升级5G套餐，让我报验证码",
        "名下号码发了违法短信要停机是真的吗",
    ],
    "虚假退税补贴": [
        "【个税】您有一笔退税待领取，点击 http://tax-refund.vip 办理",
        "有人说能领育儿补贴，让我扫码填银行卡和密码",
        "车管所说购车可以退税，让我去ATM操作",
        "社保卡需要升级，不然停用，要验证码",
    ],
    "虚假保健品": [
        "专家说这个保健品能根治糖尿病，不用吃药",
        "免费体检送鸡蛋，然后推销磁疗床垫",
        "养老项目投十万每年返15%",
        "我妈听健康讲座买了神药",
    ],
    "网络赌博": [
        "玩菠菜平台，有导师带稳赢",
        "百家乐必赢计划，跟单下注",
        "网赌输了提不出来",
        "朋友拉我进群买时时彩，说包赢回本",
    ],
    "帮信犯罪": [
        "高价收银行卡，一张一千，日结",
        "有人让我用自己的收款码帮忙跑分拿提成",
        "把电话卡借给别人用犯法吗",
        "帮人走账刷流水给佣金",
    ],
    "虚假招聘": [
        "招聘打字员，入职先交培训费和服装费",
        "境外高薪招聘，月薪三万，包机票包吃住",
        "面试通过了要先交体检费和押金",
        "找工作要交保证金正常吗",
    ],
}
TABLE = [(category, text) for category, texts in CASES.items() for text in texts]


@pytest.fixture(scope="module")
def advisor() -> Advisor:
    return Advisor(load_directory(PROJECT_ROOT / "knowledge"))


def test_table_covers_every_category() -> None:
    assert set(CASES) == set(CATEGORIES)


@pytest.mark.parametrize("category, text", TABLE, ids=[f"{c}-{i}" for i, (c, _t) in enumerate(TABLE)])
def test_scam_is_recognised_with_its_category(advisor: Advisor, category: str, text: str) -> None:
    analysis = advisor.analyze(text)
    assert analysis.is_scam, analysis.score
    assert analysis.category == category
    assert analysis.risk in ("medium", "high")
    assert category in analysis.reply
    assert analysis.signals
