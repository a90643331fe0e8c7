"""Messages that are not scams must not be called scams: greetings, service questions, genuine notices."""

from __future__ import annotations

import pytest

from bot.advisor import Advisor
from bot.advisor.knowledge import load_directory
from bot.config import PROJECT_ROOT

BENIGN = [
    # greetings and thanks
    "您好", "你好呀", "早上好", "晚上好，辛苦了", "谢谢你们", "收到，谢谢提醒", "好的", "嗯嗯", "？", "123",
    # questions about the account
    "这个公众号是派出所办的吗", "怎么用这个查号码", "你们是机器人还是人工", "菜单里的测一测是什么",
    "怎么把这个公众号推荐给我爸妈",
    # police and public services
    "派出所的电话是多少", "身份证快到期了在哪换", "户口本丢了怎么补", "办护照要预约吗",
    "暂住证去哪里办理", "我想咨询一下户籍迁入", "交通事故去哪里处理", "丢了钱包可以报警吗",
    "楼上漏水找谁", "怎么开无犯罪记录证明", "驾照换证要体检吗", "孩子上户口需要什么材料",
    "国家反诈中心App怎么注册", "96110打电话给我是干什么的", "怎么举报骚扰电话", "交通违章怎么处理",
    "孩子要转学，需要派出所开户籍证明吗", "反诈App下载好了，来电预警在哪开",
    # genuine bank, carrier and parcel notices, and the resident's own login code
    "【工商银行】您的验证码是123456，请勿泄露给他人。如非本人操作请忽略",
    "【农业银行】验证码：889012，您正在进行手机银行登录，切勿告知他人",
    "【微信】验证码 204866，用于登录，5分钟内有效",
    "【招商银行】您账户1234于12月1日入账工资6,800.00元，余额12,345.60元",
    "【中国银行】您尾号5678的借记卡12月2日消费支出58.00元",
    "【中国移动】您本月账单已出：套餐费38元，流量费0元，详情请登录中国移动App查询",
    "【中国电信】您的话费余额不足10元，为避免影响使用请及时充值",
    "【中国联通】您订购的流量包已生效",
    "【丰巢】您的快递已存入3号柜，取件码123456",
    "【圆通速递】您的快件已签收，如有疑问请联系快递员",
    "【京东】您的订单已出库，正在派送中",
    "【美团】骑手已取餐，预计18:30送达",
    "【12306】您已成功购买12月10日G1234次车票",
    "【支付宝】您的校验码为552301，请勿泄露",
    # everyday life
    "今天菜市场的菠菜真新鲜", "我给孙子买了个书包", "明天要下雪了吗", "我家猫丢了",
    "晚上广场舞音响太吵了", "我在银行柜台存了一万定期", "给女儿转了生活费", "儿子下周回家过年",
    "我们小区什么时候装电梯", "去医院看病怎么挂号", "老伴的降压药吃完了",
    "单位年会抽中了一个保温杯", "我在京东App上买了台洗衣机", "在营业厅交了话费",
    "我没有转账，也没给任何人验证码，就是想学学怎么防骗",
]


@pytest.fixture(scope="module")
def advisor() -> Advisor:
    return Advisor(load_directory(PROJECT_ROOT / "knowledge"))


def test_at_least_fifty_benign_messages() -> None:
    assert len(BENIGN) >= 50


@pytest.mark.parametrize("text", BENIGN)
def test_benign_message_is_not_a_scam(advisor: Advisor, text: str) -> None:
    analysis = advisor.analyze(text)
    assert not analysis.is_scam, (analysis.score, analysis.signals)
    assert analysis.category is None
    assert not analysis.urgent
    assert analysis.risk in ("none", "low")
    assert "110" in analysis.reply


@pytest.mark.parametrize("text", [
    "新单位人事让我把身份证复印件和银行卡号交上去，发工资用",
    "居委会通知周六在社区卫生服务中心免费测血压",
    "今天去面试了，没让交任何钱",
    "我上个月报的案子有进展了吗，办案民警的电话是多少",
    "班长让每人交两百块聚餐费",
])
def test_ordinary_dealings_without_a_money_or_code_tactic(advisor: Advisor, text: str) -> None:
    assert not advisor.analyze(text).is_scam


@pytest.mark.parametrize("text", [
    "新单位人事换了个新微信，让我先转五百块押金",
    "自称居委会的人让我把银行卡号和验证码发过去领补贴",
    "急招超市理货员，月薪九千，入职需交培训费五百",
    # checking a caller's story in the official app shows care, not that the caller was genuine
    "接到电话说我的航班取消了要改签，我自己去航空公司app里看了是正常的",
    "在旗舰店买的东西，客服打电话说要给我退款，让我下载个软件",
    # one ordinary word does not clear a pasted scam that names many signs
    "【市公安局】你涉嫌洗钱案件，请立即联系办案民警配合调查，否则将发布通缉令",
    # a check that showed a fake, or one not yet made
    "有人冒充我儿子发短信要钱，说换了号，我打他原来的电话确认了，没给钱",
    "外甥QQ找我借钱，说是换了新号，我要先打电话确认吗",
    "QQ上表弟说在国外急用钱，让我先帮他转一万给朋友，我已经转了，现在发现不是他本人",
    "闲鱼上买的游戏号，卖家说要加钱换绑，我又转了500，现在账号被找回了",
    # a contact described, however the question is put
    "有人打电话说我开通了京东金条，利率太高要帮我关掉，不然影响征信，怎么判断真假",
    # spaced out to dodge filters
    "收到短信 真 人 荷 官 在 线 发 牌 首 充 送 彩 金",
])
def test_ordinary_words_do_not_hide_a_scam(advisor: Advisor, text: str) -> None:
    assert advisor.analyze(text).is_scam


@pytest.mark.parametrize("text, category", [
    ("杀猪盘是什么意思", "网络婚恋交友"), ("啥叫跑分", "帮信犯罪"), ("出租微信号违法吗", "帮信犯罪"),
    ("退款需要先交保证金是不是骗子", "冒充电商物流客服"), ("花钱就能删掉逾期记录吗", "虚假征信"),
])
def test_a_question_about_a_named_scam_names_its_category(advisor: Advisor, text: str, category: str) -> None:
    assert advisor.analyze(text).category == category


@pytest.mark.parametrize("text, category", [
    ("什么是刷单？我想给我爸妈科普一下", "刷单返利"),
    ("学校要开反诈班会，杀猪盘是什么意思，怎么给学生讲", "网络婚恋交友"),
    ("新闻里老说安全账户，安全账户是什么意思", "冒充公检法及政府机关"),
    ("学校开了反诈课，想再了解下校园贷注销是怎么骗人的", "虚假征信"),
])
def test_asking_what_a_scam_is_to_teach_others_is_explained_without_an_alarm(
        advisor: Advisor, text: str, category: str) -> None:
    analysis = advisor.analyze(text)
    assert not analysis.is_scam and not analysis.urgent and analysis.category is None
    assert f"“{category}”" in analysis.reply
    assert advisor.knowledge.text("avoid_heading") in analysis.reply and "110" in analysis.reply
    assert "⚠️" not in analysis.reply


def test_a_teaching_question_with_something_happening_is_still_a_scam(advisor: Advisor) -> None:
    analysis = advisor.analyze("什么是刷单？我想给我妈科普一下，她说有人让她先垫付300")
    assert analysis.is_scam and analysis.category == "刷单返利"


@pytest.mark.parametrize("text, category", [
    ("怎么防止老人被骗买保健品", "虚假保健品"), ("AI换脸视频借钱怎么防", "冒充领导熟人"), ("杀猪盘是什么意思", "网络婚恋交友"),
    ("我们单位财务想学一下怎么防冒充老板转账", "冒充领导熟人"),
])
def test_a_question_about_a_named_scam_is_about_it_and_explained_without_an_alarm(
        advisor: Advisor, text: str, category: str) -> None:
    analysis = advisor.analyze(text)
    assert analysis.is_scam and not analysis.urgent and analysis.category == category
    assert analysis.risk == "medium"
    assert f"“{category}”" in analysis.reply and "⚠️" not in analysis.reply


@pytest.mark.parametrize("text", ["我想学习一下怎么防范电信诈骗", "怎么防止被骗？家里老人总接到奇怪的电话"])
def test_general_prevention_questions_stay_benign(advisor: Advisor, text: str) -> None:
    assert not advisor.analyze(text).is_scam


@pytest.mark.parametrize("text", [
    "在楼下便利店扫码付了28块 老板是熟人",
    "老公让我转三百交燃气费 我已经转了",
    "我自己在app里申请的退货退款 商家同意了",
    "【东方航空】您的航班值机已开放，请通过官方App或官网办理",
    "以前被骗过一次 现在接到陌生电话就害怕 有什么办法",
    "侄子来我家当面借了三千 写了借条 我给的现金",
    "我在12306上自己退了车票 手续费扣了几块 剩下的退回卡里了",
    "裤子不合身 我自己在app里申请了退款 钱已经退回支付宝了",
    "孩子在游戏官方充值了68块 我同意的",
    "上个礼拜来派出所报案被骗了三千 民警给了回执 多久能有结果",
    "商场满额抽奖抽中一个电饭煲 现场就领了",
    # through the official channel, in person, or checked with the official line
    "我在个税app里自己办的年度汇算，退税已经到账了",
    "南航app通知我航班改了时间，我在app里确认了新的航班",
    "在游戏官方商城给孩子买了皮肤，点券到账了",
    "在中介门店签了正式的租房合同，交了押金，开了收据",
    "快递员当面验货，我当面付的钱",
    "派出所叫我去做笔录，我自己过去的，到了确实是民警",
    "去工行柜台办了张借记卡，一分钱手续费没收",
    "自己在携程app里把酒店订单取消了，退款到账了",
    "婶婶打电话找我借两千，我打她家座机核实过了，确实是她本人",
    "堂弟换了新微信找我借钱，我打他原来的号码确认了是他本人，借了他一千",
    "在闲鱼卖旧手机，走的平台担保交易，货款已经到账了",
    "【交管12123】您的车辆于11月3日违法停车，请及时登录交管12123处理。",
    "街道通知去居委会领高龄补贴，要带身份证和存折",
    "在证券公司营业部现场开户买了国债",
    "我和女朋友是网上认识的，已经见过双方父母了",
    "女儿打视频说要交住宿费，我也打电话问了她辅导员，确认是真的",
    "公司开腾讯会议，领导让我共享屏幕讲PPT",
    "在银行转首付被柜员拦下核实，女儿就站我边上，后来办好了",
    "单位让大家都装国家反诈中心App，注册要填手机验证码",
    "去4S店买车交了五千定金，有合同和收据",
    "我的银行卡丢了，已经打银行客服电话挂失了，还要报警吗",
    "奶奶去柜台取钱给小叔凑首付，小叔也在旁边，柜员问了半天，这是正常流程吗",
    "【京东】您的订单已签收，京东客服不会以任何理由要求您转账。",
    # the resident's own step inside a known app or platform
    "在工商银行App买了个理财，年化2%出头",
    "拼多多上的快递丢了，我在平台上申请了售后，已经退款了",
    "用个人所得税App退税了，钱已经到账",
    # a check that showed the resident's own doing
    "银行短信说信用卡有一笔消费，我打卡背面的客服电话核实，原来是我在商场刷的定金",
    # a couple of long standing, one's own visit to the central bank, one's own lawsuit
    "我和老公谈了五年才结婚，他让我把工资一起存起来买房",
    "去人民银行网点查了一下自己的征信报告，没有逾期记录",
    "起诉了欠我房租的租客，我是原告，法院寄来了传票，要带什么去开庭",
    # the institution's own service number, dialled by the resident, and a notice pointing to the official app
    "收到南航短信说航班改到下午，我打95539确认过了",
    "【交管12123】您的驾驶证即将到期，可登录交管12123APP查询处理。",
    # told in person and checked by landline; the number on the back of one's own card; the airline's own app
    "老板当面跟我说把货款转给供应商，我打了合同上的座机跟对方财务确认过了",
    "收到银行短信说卡被盗刷已拦截，我打了卡背面的客服电话，让我去网点换卡",
    "打开南航app看了，航班确实取消了，我在app里改签了",
    "交通违章罚款在哪里交",
    # the resident's own look in the app, a superior or colleague in person, the resident's own step in the app
    "收到短信说额度提升，我自己登录银行app查了确实提了",
    "领导在会议室当面让我给供应商付款，合同齐全",
    "同事当面找我借了50块，第二天就还了",
    "儿子做兼职家教，家长每次当面结课时费",
    "在app里点了价格保护，退了差价",
    "社区民警上门走访，提醒老人防诈骗，没问任何个人信息",
    "家里老人老接到推销电话怎么办",
    "【腾讯科技】你正在登录微信，验证码 123456。转给他人将导致微信被盗。",
    # services, one's own step in an official app or in person, nothing asked
    "驾照扣分了去哪里处理",
    "派出所能帮忙寻人吗",
    "航班延误了，我在航司官方app上改签了下一班",
    "在支付宝买的基金跌了，正常吗",
    "用花呗买东西都按时还的，会影响征信吗",
    "社区民警上门做人口信息登记，就问了问家里几口人",
    "在官方的交易平台上卖了游戏号",
    "商场抽奖中了一袋米，当场就拎回家了",
    "社区干部当面帮我办了高龄补贴，没让交任何钱",
    # others' losses are why a talk is wanted, not a case
    "好几个老人被骗买保健品，想请民警来小区做个反诈宣传讲座",
    "我们单位想办一场防骗讲座，民警来讲要怎么预约",
    # done in person, or signed face to face
    "在营业厅本人现场签字办了宽带续费",
    "租房合同是当面签的，房东让我把押金转给他",
    # services and an institution's own notice
    "办护照去出入境大厅还是派出所",
    "【交管12123】您的违法记录已处理完毕，是真的吗",
    "停车罚单能在交管12123上交吗",
    "我在交管12123上交的罚款，交完了",
    "衣服尺码不对，我自己在订单页点了退货，快递员上门取件",
    # a fake only feared, then the official number dialled: the check settles it
    "有人打电话说是我表哥要借钱，我怕是骗子，挂了打他原来的号码，确认是他本人",
    "我翻到卡背面打了95588问，客服说确实是银行的回访电话",
])
def test_the_residents_own_ordinary_dealings_stay_benign(advisor: Advisor, text: str) -> None:
    analysis = advisor.analyze(text)
    assert not analysis.is_scam and not analysis.urgent


@pytest.mark.parametrize("text", [
    "楼下李阿姨接到冒充公安的电话，对方让她转到安全账户，她直接挂了，一分钱没损失，你们宣传得好",
    "看到新闻说有人把银行卡卖了被判刑，想转给我儿子看看",
    "单位群里有人发了冒充客服诈骗的案例，我转给了我爸妈",
])
def test_a_scam_story_shared_as_feedback_or_a_lesson_is_not_an_alarm(advisor: Advisor, text: str) -> None:
    analysis = advisor.analyze(text)
    assert not analysis.is_scam and not analysis.urgent


@pytest.mark.parametrize("text", [
    "最近冒充客服的骗局好多，想提醒我爸妈，有没有宣传资料",
    "想给社区老人讲讲刷单的套路，有宣传资料吗",
])
def test_asking_for_material_to_warn_others_is_not_a_case_whatever_scam_it_names(advisor: Advisor, text: str) -> None:
    analysis = advisor.analyze(text)
    assert not analysis.is_scam and not analysis.urgent


def test_news_of_someone_elses_scam_stopped_in_time_is_not_an_alarm(advisor: Advisor) -> None:
    analysis = advisor.analyze("听说邻居差点被冒充客服的骗了 幸好银行拦下来了")
    assert not analysis.is_scam and not analysis.urgent


@pytest.mark.parametrize("text, category", [
    ("我表哥新QQ说在国外出事急需用钱，我打了一万过去，打电话问他根本不知道", "冒充领导熟人"),
    ("群里老师推荐的平台，汇了八万，今天群突然解散了", "虚假网络投资理财"),
    ("我弟用自己的微信和银行卡收别人的钱再转到指定的卡上，每笔抽一个点，已经干了一周", "帮信犯罪"),
    ("对方让我帮他刷脸验证，我的银行卡就被他们拿去用了", "帮信犯罪"),
])
def test_money_gone_after_an_impostor_or_a_vanished_group_is_an_urgent_scam(
        advisor: Advisor, text: str, category: str) -> None:
    analysis = advisor.analyze(text)
    assert (analysis.is_scam, analysis.category, analysis.urgent) == (True, category, True)


@pytest.mark.parametrize("text", [
    "接到电话说我中奖了，我在官网上查了确实有这个活动，要先交税3000才能领",  # a fee first
    "客服说我的订单要退款，我打开淘宝app看了确实有这个订单，他让我把验证码给他",  # a code handed over
    "自称银行的人打电话说我卡有风险，我在官方app里查了，他让我把钱转到安全账户",  # a "safe" account
    "领导当面让我把钱转给一个新账户，说是保密项目",  # secrecy
    "老公就在我旁边，客服让我把验证码发给他",
])
def test_a_check_or_a_face_does_not_clear_a_request_no_genuine_party_makes(advisor: Advisor, text: str) -> None:
    assert advisor.analyze(text).is_scam


def test_a_check_in_the_official_app_that_shows_all_normal_exposes_the_notice_as_a_scam(advisor: Advisor) -> None:
    analysis = advisor.analyze("收到航班取消短信，我在航司官方app上查了，是正常的")
    assert (analysis.is_scam, analysis.category) == (True, "机票退改签")


@pytest.mark.parametrize("text", [
    "我妈差点被冒充警察的骗了 被银行拦下了 这是什么骗局",  # family, and a question: a consultation
    "听说邻居被冒充客服的骗了 我也接到了同样的电话 让我开屏幕共享",  # it concerns the resident
])
def test_a_near_miss_that_concerns_the_resident_is_still_answered_as_a_scam(advisor: Advisor, text: str) -> None:
    assert advisor.analyze(text).is_scam
