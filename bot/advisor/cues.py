"""Cue words the advisor reads beyond the scam entries: urgency, negation and official-notice markers.

These are matching rules, not text residents read; they are written in the normalized form
(simplified, half-width, lowercase) that `normalize` produces.
"""

from __future__ import annotations

# The resident has already lost money or control: emergency steps come first.
LOSS_CUES = (
    "转了", "转过去", "转出去", "转进去", "转给了", "转完", "已转", "转账了", "汇了", "汇过去", "汇款了", "打过去",
    "打了钱", "打钱了", "付了", "付过", "已付", "已支付", "付款了", "支付了", "交了", "缴了", "充了", "充值了",
    "投了", "投进去", "存进去", "垫了", "垫进去", "垫付了", "借出来", "贷出来", "下款后转", "买了一", "花了",
    "被骗", "骗了我", "骗走", "上当了", "钱被扣", "扣了我", "少了",
    "损失了", "血本无归", "拿不回来", "要不回来", "提不出来", "不让提", "不能提现", "提现失败",
    "拉黑了", "把我拉黑", "联系不上", "不发货", "没发货", "不退", "输了", "已经转", "已经汇", "已经付",
    "已经交", "已经充", "已经给", "已经把", "已经借", "已经投", "充进去", "取了",
    "给人家", "给了人家", "给了他", "平台关了", "借了网贷", "亏了", "被转走", "追加了", "已经存",
    "存了", "收了钱", "收了我", "付款以后", "付款后", "付了款", "打不开了", "不给退", "不退钱", "不退款", "不回我了", "买了好几", "买了一堆", "买了一万", "买了几万",
)
# A code, password or control of the phone was given away.
EXPOSURE_CUES = (
    "验证码发给", "验证码告诉", "验证码给了", "验证码报给", "验证码念给", "验证码说给", "验证码发过去",
    "告诉了他验证码", "告诉他验证码", "把验证码", "给了他验证码", "发了验证码", "报了验证码", "输入了验证码",
    "输了验证码", "填了验证码", "密码告诉", "告诉了他密码", "把密码", "输入了密码", "输了密码", "填了密码",
    "填了卡号", "填了银行卡", "填写了银行卡", "填了身份证", "填了信息", "填了资料", "填写了信息", "填写了资料", "共享了屏幕", "开了屏幕共享", "开启了屏幕共享",
    "屏幕共享了", "扫了码", "扫了二维码",
    "报给他了", "报给了", "告诉他了", "发给他了", "照他说的", "按他的要求", "在atm上操作", "atm机上操作了",
)
# Deeds told with an amount or a target: "输了二十多万", "转到对方账户", "按他说的操作了".
LOSS_PATTERNS = (
    r"(?:转|汇|打|付|交|缴|充|投|买|借|输|存|取|垫|赔|亏|骗|订|花|刷|扣|寄)了(?:我|她|他|我妈|我爸)?.{0,3}?(?:\d|[一二两三四五六七八九十几百千万好很壹贰叁肆伍陆柒捌玖拾佰仟])",
    r"(?:我|都|也)填了",
    r"(?<![给向跟对])我(?:刚刚|刚才|刚|已经|都)?(?:发|报|给|说|念)了(?!.{0,2}(?:我|吗))",
    r"被扣款|被扣了",
    r"(?:她|老人|我妈|我爸|奶奶|爷爷|外婆|姥姥|老伴)(?:已经|都|刚刚|刚才)(?:发|报|给|说|念|告诉)了",
    r"(?:转|汇|打|存|投)到(?!我).{0,8}?(?:账户|账号|卡里|卡上|他那|他们那|对方|平台)",
    r"(?:转|汇|打|付|交)完",
    r"(?:刚|刚刚|刚才|已经)(?:转|汇|打(?!电话|给我)|付|交|缴|充|投|存|取(?!消)|给(?:他|她|对方|了))",
    r"按(?:照)?(?:他|她|对方|客服)(?:说|的要求).{0,10}?了",
    # "我把存款里的六万都买了", "刚借了一万转给他了", "我已经打了".
    r"(?:都|全|全都|全部)(?:买|转|投|充|给|交|汇|打|取)(?:了|过去|进去|出来)",
    # The other side vanished or blocked the resident, or the account is frozen: "对方也把她删了".
    r"把(?:我|她|我妈|我爸|老人|孩子)(?:删|拉黑)了|(?:找不到人|人找不到|人不见了)",
    r"(?:现在|已经|结果)(?:我的|他的|她的)?(?:银行)?(?:卡|账户|账号|微信|支付宝)(?:也|都)?被(?:封|冻结|止付)了",
    r"(?:卡里|账户里|余额)[^,。!?;]{0,8}?(?:都没了|没了|不见了)",
    r"寄钱了|寄了钱",
    r"(?:转|汇|打|付)给(?:他|她|对方|人家|他们|她们|那个人|那人)(?:了|过去)",
    r"(?:借|贷)了.{0,6}?(?:转|给|打)(?:给|了|过去)",
    r"(?:转|汇|打|付)给了",
    # Someone took the resident's money: "中介收了他一千五" (not "我收了200", money received).
    r"(?<!我)收了(?:我|他|她|我妈|我爸)(?:的)?.{0,3}?(?:\d|[一二两三四五六七八九十几百千万])",
)
# Code, password or card details handed over: "告诉了他验证码", "密码都给他了", "卡号输进去了".
EXPOSURE_PATTERNS = (
    r"(?:给了|告诉了|报了|念了|发了|输了|输入了|填了|说了|报给了|发给了|输完了|填完了|输好了|填好了)(?:他|她|对方|人家|他们|客服|那个人)?.{0,4}?"
    r"(?:验证码|密码|卡号|银行卡号|身份证号|cvv|安全码|短信码)",
    r"(?:验证码|密码|卡号|账号|cvv|安全码).{0,12}?(?:告诉|给|报给|发给|念给|说给|输|填)(?:了|进去|上去|他了|她了|对方了|人家了)",
    r"把.{0,10}?(?:密码|验证码|卡号).{0,8}?(?:都给|给了|给他|给她|告诉|报给|发给|念给|输进|填进|输入|填入|输到|填到|发过去了|都发了|发了)",
    r"(?:已经|都|刚|刚才)(?:装|下载|安装)了.{0,12}?(?:输|填|共享|转)",
    # A remote-control or "protection" app installed, or permissions granted.
    r"(?:装上|装好|安装好|下载好|安装上)了|(?:给了|开了|打开了|同意了|允许了).{0,4}?权限|授权了",
    r"(?:装|下载|安装|下)了(?:他们|他|她|对方|人家)(?:发|给|推荐)的.{0,4}?(?:app|软件|应用)",
    r"(?:软件|app|应用).{0,12}?(?:已经|我)(?:下|装|安装)(?:载)?(?:好|上)?了",
    r"(?:借给|卖给|租给|交给)(?:他|她|别人|朋友|对方|人家|同学|公司|中介|那个人)?(?:用)?了|(?:借给|卖给|租给).{0,20}?卡被冻结",
    r"(?:借给|卖给|租给)(?:他|她|别人|朋友|对方|人家|同学|同事)?(?:用来)?(?:收钱|收款|走账|转账)",
    r"(?:已经|都)(?:在我卡上|在卡上|在我的卡上)?(?:过了|走了).{0,6}?(?:万|流水)",
    r"(?:已经|都|刚刚|刚才)(?:输|填|输入|填写)了",
    r"(?:刚刚|刚才|已经|我)(?:屏幕)?共享了|开着(?:屏幕)?共享|共享着屏幕",
)
# Where money is paid in person ("我现在就在工行门口").
_PLACES = "银行|atm|柜台|营业厅|会场|邮局|工行|农行|建行|中行|交行|招行|邮储|信用社"
# Paying or being walked through it right now: "正在往那个账户里转", "马上就去银行给他转".
NOW_PATTERNS = (
    r"正在.{0,16}?(?:转|汇|付|交钱|缴|充|打款|打钱|输|填|下载|安装|共享|操作|刷卡|办卡|办新|办手机卡|办银行卡)",
    r"还在(?:转|汇|付|操作|输|填|共享|刷卡)|远程(?:看|控制|操作)着|还在远程|还在看我(?:的)?(?:屏幕|手机)",
    r"(?:会议|共享|屏幕|软件|app).{0,24}?还开着|还开着没关|被(?:他|她|对方|人家)?控制",
    rf"(?:现在|这会儿|已经|正)(?:就)?(?:站)?在.{{0,4}}?(?:{_PLACES}|转账页面|付款页面|支付页面)"
    rf"|(?:{_PLACES})(?:门口|排队)|快排到了|排队(?:汇款|转账|取钱)|排上号|排到号",
    rf"去.{{0,4}}?(?:{_PLACES}).{{0,4}}?的路上",
    # someone else is working the phone: "屏幕在自己动，是他在操作"
    r"(?:他|她|对方)(?:在|正在)(?:操作|控制)我?|屏幕(?:在)?自己(?:动|在动)",
    r"(?:已经|刚才|刚刚|现在|正|又)(?:出门)?去(?:了)?银行|去银行了",
    r"(?:正|在)(?:往|给|向|用|按|手机上|手机银行|网银|app里|银行).{0,16}?(?:转|汇|付款|充值|打款|打钱|输|填)",
    r"(?:马上|这就|现在就|立刻|赶紧|准备|正要|打算)(?:就)?(?:去)?(?:银行|atm|柜台)?(?:给他|给她|给对方|给人家)?"
    r"(?:转|汇|付|打款|打钱|充|交|缴|刷卡)",
    r"(?:在|正在|正)(?:去|往)银行|去银行的路上|(?:马上|这就|现在就|准备|赶紧)(?:就)?去银行",
    r"(?:还在|正在|正)(?:跟|和)(?:我|他|她|对方|人家).{0,4}?(?:视频|通话|打电话|共享|连麦)",
)
# The resident is paying or being walked through it right now.
NOW_CUES = (
    "正在转", "正在汇", "正在付", "正在交", "正在充", "正在操作", "正在共享", "正在跟", "正在和", "正在视频",
    "准备转", "准备汇", "马上转", "马上就转", "现在就转", "现在要转", "正要转", "在atm", "在柜台转", "在银行转",
    "正在下载", "他在教我", "还在通话", "还在视频",
)
# Words before a cue that cancel it: "我没转", "还没有付", "差点就转了", "担心被骗".
NEGATIONS = (
    "没", "未", "不", "别", "无", "差点", "险些", "幸亏", "幸好", "好在", "拒绝", "要不要", "该不该", "能不能",
    "会不会", "是不是", "可不可以", "如果", "假如", "万一", "要是", "怕", "担心", "防止", "避免", "以免", "如何",
    "怎样", "怎么防", "谨防", "小心", "提醒", "好多人", "好多老人", "很多人", "很多老人", "大家", "别人", "其他人", "征信",
)
# A request is not yet a deed: "他让我转到…" is not urgent, but "他让我交了3000" is.
REQUESTS = ("让人", "叫人", "要人", "让我", "叫我", "要我", "要求我", "劝我", "逼我", "催我", "教我", "要把", "让把", "叫把", "要先把", "要先")
# Words right after a cue that make it a condition, not a deed: "存了就能放款".
# What a caller claims ("他说我的卡被盗刷了") is not the resident's own loss.
CLAIMS = ("说我", "说您", "说你", "称我", "说他的", "说她的", "说我的", "买家说", "卖家说", "说钱")
CONDITIONS = ("就能", "就可以", "才能", "才可以", "就会", "的话", "多少", "吗", "包赔", "就赔", "全赔", "包退",
              "过一次", "过一回", "过几次", "过好几次", "过两次")
CONDITION_REACH = 5
# A claim counts only this close before a cue ("他说我的卡被盗刷了"); messages typed without
# punctuation run many clauses together.
CLAIM_REACH = 10
# A shop's terms, not a deed: "先付款后发货".
TERMS_BEFORE = "先"
# A step described, not taken: "钱打到我卡上，我再转出去".
PLAN_BEFORE = ("再", "先")
# A cue starting so is under way, not requested: "要我帮他垫付…我在手机银行正在转".
UNDER_WAY = ("正在", "还在")
# "了" this soon after a cue makes a request a deed: "他让我把验证码告诉他了".
DONE_REACH = 4

# How scams are told, whatever their type: (pattern, weight[, topical]). Their sum is capped at TACTICS_CAP.
# A topical tactic (asking "is this real?") counts only when the message is on a scam topic.
_WHO = r"(?:我|我们|你|您|她|他|我妈|我爸|老人|孩子|我儿子|我女儿|我老伴|我爱人)?"
TACTICS = (
    # Someone tells the resident to move money, or to hand over a code, password or card number.
    (rf"(?:让|叫|要|要求|逼|催|教){_WHO}[^,。!?;]{{0,12}}?(?:转|汇|交|付|充|存|打钱|取钱|垫|买)", 1.5),
    (rf"(?:让|叫|要|要求|逼|催){_WHO}.{{0,10}}?(?:报|发|提供|告诉|填|输入|说).{{0,6}}?(?:验证码|密码|短信码)", 2.0),
    (r"(?:验证码|密码).{0,4}?(?:报给|发给|告诉|给了|给他|说给|发过去|报过去|发我|给我)", 1.5),
    # Card numbers and ID copies are also asked for by employers and banks: an "info" tactic.
    (rf"(?:让|叫|要|要求|逼|催){_WHO}.{{0,10}}?(?:报|发|提供|告诉|填|输入|说).{{0,6}}?(?:卡号|身份证|银行卡照片|卡的照片)", 2.0, "info"),
    (r"卡号.{0,4}?(?:报给|发给|告诉|给了|给他|说给)", 1.5, "info"),
    # Someone claims something is wrong with the resident's account, number, parcel or record.
    (r"(?:说|称|通知)(?:我|您|你|她|他)(?:的)?.{0,12}?(?:涉嫌|涉案|违规|违法|欠费|中奖|有问题|出问题|异常|冻结"
     r"|过期|注销|停用|被扣|取消|到期|影响|嫌疑|获得|符合条件|可以领|能领|有一笔)", 1.5),
    (r"自称|冒充|声称|假冒|陌生人|陌生电话|陌生号码|不认识的人|说是.{0,8}?(?:的人|工作人员|客服|公司|局|银行|警察|民警|老师|领导)", 1.0),
    (r"(?:先|要先|需要先|得先|必须先|还要|又要|再)(?:交|付|缴|转|充|垫|打|买)", 1.0),
    # A fee asked before a job, a loan or a prize: "入职需交服装费300".
    (r"(?:需|需要|要|得|必须)(?:先)?(?:交|缴|缴纳|支付|付)[^,。!?;]{0,6}?(?:(?:服装|体检|培训|手续|会员|工本|激活|解冻|认证|验资|保险|入会|中介|材料|报名|税|公证|服务|押)费|押金|保证金)", 1.0),
    (r"atm.{0,6}?操作|按(?:照)?(?:他|她|对方|客服)(?:说|的)", 1.5),
    (r"稳赚|百分之百|百分百|包赢|必赢|翻倍|翻(?:\d+|[一二两三四五六七八九十几百]+)倍|高收益|零风险|日赚|躺赚|轻松赚", 1.5),
    (r"(?:一个月|每个月|每月|每天|一天|每年|一年|每周).{0,6}?(?:利息|收益|回报|返|分红|能拿|能赚)", 1.5),
    (r"骗子|骗局|骗人|诈骗|是真的吗|可信吗|靠谱吗|正常吗|能信吗|是不是真的|真的假的|能买吗|能干不|能做吗", 1.0, True),
    (r"提现|提不出|取不出|拉黑|联系不上|不见了|跑路", 1.0),
    # Money sent to an account someone else chose, and the resident's own doubt afterwards.
    (r"(?:他|她|对方|他们|客服)(?:给|发)的(?:账户|账号|卡号|银行卡)|指定(?:的)?账户|安全账户", 1.5),
    (r"感觉不对|不对劲|觉得不对|觉得有问题|是不是被骗|是不是上当|不回了|不回我|没回音|打不通|关机了|不见了", 1.0, True),
    (r"找我要钱|问我要钱|跟我要钱|向我要钱|找我借|免费领|免费送|赢现金|赢钱", 1.0),
    (r"链接|网址|二维码|扫码|下载|app|软件", 0.5),
    (r"不要告诉|别告诉|保密|不能告诉|不让我们知道|不让告诉|瞒着", 1.5),
)
TACTICS_CAP = 3.0
# A tactic right after one of these is denied: "没让交任何钱", "不用先交".
TACTIC_NEGATIONS = ("没", "不", "别", "无", "没有", "不用", "无需", "不需要")
# Ordinary dealings with known people and institutions: payroll at onboarding, the residents'
# committee, a shop's service desk, the progress of one's own reported case. Without a money or code
# tactic they lower the score, and a mention of having been scammed before is not a new loss.
ROUTINE_CUES = ("发工资", "工资卡", "办工资卡", "入职", "人事部", "人事让", "人事要", "hr要", "hr让", "财务要",
                "居委会", "村委会", "社区卫生服务中心", "卫生服务中心", "卫生院", "服务台", "超市积分", "会员积分",
                "面试", "进展", "查得怎么样", "查到哪", "办案民警", "办案警官", "办案的警察", "办案的民警",
                "上个月报", "之前报", "去年报", "以前报", "前几天报", "报案回执", "受案回执", "我那个案子", "我的案子",
                "我报的案", "报的案", "我的案件", "报过案", "公司财务", "单位财务", "报销单", "报销的发票", "缴费平台", "学校的缴费",
                "聚餐费", "随礼", "礼金", "份子钱", "物业费", "水电费", "物业的", "业主群",
                # the resident went to the official channel themselves
                "打客服电话", "打了客服", "问了客服", "客服电话问", "七天无理由", "彩票店", "彩票站", "体彩店", "福彩店",
                "做了笔录", "在派出所", "去派出所做", "药店买", "在药店", "医院开的", "柜员", "银行柜台", "在柜台",
                # a known shop, family asking, or the resident's own step in the official app
                "在超市", "超市扫码", "超市买", "超市付", "便利店", "菜市场", "水果店", "小卖部", "早餐店",
                "老熟人", "是熟人", "老婆让我", "老公让我", "媳妇让我", "爱人让我", "我妈让我", "我爸让我",
                "自己申请", "我自己申请", "自己点的", "自己改签", "自己退的", "自己退了", "自己做了", "自己发起",
                "自己买了", "商家同意", "商家已经同意", "官方app通知", "官方商城", "事先跟我说", "跟我说过的",
                "学生医保", "医保缴费", "自己在app", "在app里自己", "app里自己", "app上自己", "里自己交",
                "自己交了", "app里申请", "app上申请", "app里买", "app上退", "app里退", "补发了",
                "平台上下单", "在平台上付款", "我同意的", "官方充值", "查了确实", "去银行查了",
                # in person, or checked with the official number: identity is not in doubt
                "当面借", "当面跟我", "当面叫我", "当面给", "来我家", "借条", "当场", "核实过了", "座机核实",
                "网格员", "社区服务中心",
                # the resident's own report, a draw won on the spot, a platform's own order
                "回执", "多久能有结果", "上周来派出所报", "来派出所报案", "现场就领", "满额抽奖", "平台下单",
                "我也发货了", "app里直接", "官网改签", "自己在航空公司", "去网点", "网点问",
                "柜台说", "官方app推送")
# The same, told in the resident's own words: the official app, shop or counter they went to
# themselves, someone present in person, a number checked with the official line, a signed contract.
_BRANDS = (r"东航|南航|国航|海航|川航|航空公司|航空|12306|铁路|淘宝|京东|拼多多|支付宝|微信|银行|工行|农行|建行|中行|招行"
           r"|交行|邮储|移动|联通|电信|个税|个人所得税|医保|社保")
ROUTINE_PATTERNS = (
    # "在游戏官方旗舰店买了点卡", "去移动营业厅办的", "在中介门店付了定金"
    r"(?:在|去|到|通过|从|上)(?:了)?[^,。!?;他她]{0,8}?(?:官方(?:app|商城|旗舰店|网站|渠道)|官网|旗舰店|营业厅|门店)",
    # "东航app推送说航班延误", "在个税app里查了"
    rf"(?:{_BRANDS})(?:的)?(?:官方)?app(?:里|上|推送|通知|显示)",
    # "打了航空公司官网上的客服电话确认了", "打110核实过了"
    r"(?:打|拨|问)了?[^,。!?;]{0,12}?(?:官网|官方|背面|114|12345|110|客服热线)[^,。!?;]{0,12}?"
    r"(?:确认|核实|核对|证实)",
    r"到了(?:才知道)?确实是|确认了确实是|打过去确实是|核实了|核实过",
    # someone present: "人就在我面前", "小王就坐我对面", "房东也在场"
    r"(?:就|都|也)?(?:在我面前|坐我对面|在我旁边|在场)|面对面|当面(?:取货|付|签|让我|验货)",
    r"签了(?:正式|劳动|购房|租房)(?:的)?合同|开了(?:正式的?)?(?:收据|发票)|合同发票|按(?:照)?[^,。!?;]{0,6}?官方的?提示",
    r"我(?:说我)?自己(?:过去|去)",
)
# ...which do not clear a call, a message or a stranger that came to the resident unasked: checking it
# in the official app shows care, not that the caller was genuine ("接到电话说航班取消，我在app里看是正常的").
UNSOLICITED = r"有人|对方|陌生|接到[^,。!?;]{0,10}?(?:电话|短信|信息)|来电话|打电话(?:来|给我)?说|收到[^,。!?;]{0,10}?(?:短信|电话|信息)|发短信说|客服说"
# A payment directed by someone else ("他让我转钱", "我现在正在去银行的路上") or made as a scam's typical
# fee is a suspicious loss even when nothing else in the message names a scam.
SUSPECT_PAYEES = ("他让我", "她让我", "对方让我", "他们让我", "解冻费", "激活费", "认证费", "验资费", "保证金",
                  "刷流水", "安全账户")
# ...but not when the payee is family or a friend repaying ("给儿子转", "还给他").
KNOWN_PAYEES = ("儿子", "女儿", "孙子", "孙女", "外孙", "孩子", "给我妈", "给我爸", "给老伴", "给家里", "亲孙",
                "还给", "还钱", "还他", "还她", "朋友借", "借我的", "医院", "学校")
# ...unless the other side may not be who they seem: a new account, a stranger, a private code.
UNVERIFIED_CUES = ("找不到人", "联系不上", "拉黑", "跑路", "不见了", "删了我", "把我删", "新微信", "新号", "新的微信", "换了微信", "换了号", "换号", "自称", "冒充", "陌生", "私人", "不认识",
                   "小号", "加我")
ROUTINE_WEIGHT = -3.0
# A request made of the resident or their family, as opposed to a notice's general warning.
ASKED_OF_RESIDENT = r"(?:让|叫|要|要求|逼|催|教)(?:我|您|你|我妈|我爸|老人|我老伴)"# "Scammed" words that mean a loss even when no scam type is recognisable yet.
VICTIM_CUES = ("被骗", "骗了", "骗走", "上当了", "被诈骗", "遇到骗子", "遇到诈骗", "被坑了", "钱没了", "钱被转走",
               "卡里少了", "被盗刷", "被刷走", "卡里的钱被", "钱转走了", "钱都转走了", "给骗子", "给了骗子", "给那个骗子",
               "给那骗子", "陌生账户", "不认识的账户",
               # blocked by the other side after paying
               "把我拉黑", "把她拉黑", "把我删了", "把她删了", "把我妈删了", "把我爸删了", "被拉黑", "被对方拉黑",
               "被他拉黑", "被删了")
# Clause boundaries: a negation never reaches across them.
CLAUSE_ENDS = "，,。.！!？?；;\n"
NEGATION_WINDOW = 5

# Phrases of genuine bank, carrier, parcel and platform notices; they lower the score of a message.
OFFICIAL_NOTICE_CUES = (
    "已经到账", "值机已开放", "或官网", "退回原卡", "退回原账户", "诈骗高发",
    "请勿泄露", "切勿泄露", "请勿告知", "切勿告知", "请勿转发", "切勿转发", "不要泄露给他人", "如非本人操作",
    "非本人操作", "分钟内有效", "工作人员不会向您索取", "不会向您索要", "取件码", "已签收", "已发货",
    "已到达", "派送中", "预计明天送达", "余额", "入账", "话费账单", "流量已使用", "扣款成功",
    "国家反诈中心提醒", "反诈中心提醒", "凡是", "都是诈骗", "谨防诈骗", "防骗小知识", "反诈宣传", "反诈讲座",
    "反诈app", "国家反诈中心app", "下载国家反诈", "怎么举报", "如何举报", "举报诈骗", "已到账", "已完成",
    "成功办理", "感谢使用", "次月生效", "已受理", "原路返回", "原路退回", "账单已出", "本月账单", "已生效", "已出库", "已存入", "祝您用餐愉快",
)
OFFICIAL_NOTICE_WEIGHT = -2.5
# Questions that ask to learn about scams in general, not about something happening to the resident.
LEARNING_CUES = ("想学一下", "有什么建议", "怎么防", "如何防", "什么是", "是什么意思", "能讲讲", "讲一讲", "科普", "怎么防范", "如何防范", "怎么识别", "如何识别",
                 "怎样判断", "怎么判断", "防骗知识", "防骗小知识", "有哪些骗局", "常见骗局", "新的骗局",
                 "怎么防止", "如何防止", "怎样防止", "防止被骗", "怎么预防", "如何预防", "预防诈骗", "怎么避免",
                 "如何避免",
                 # feedback on the account's own articles, and family precautions
                 "你们推送", "推送的文章", "看了你们", "公众号的文章", "约个暗号", "约定暗号", "设个暗号", "定个暗号")
LEARNING_WEIGHT = -4.0
# Asking what a named scam is: answered as that scam type rather than lowered as a general question.
DEFINITION_CUES = ("什么是", "是什么意思", "是什么", "啥叫", "是啥", "什么叫", "啥意思", "能讲讲", "讲一讲")
# Questions about public services ("身份证在哪补办", "派出所几点上班") lower the score a little.
SERVICE_CUES = ("几点上班", "几点下班", "怎么办理", "在哪办", "在哪里办", "哪里办理", "去哪办", "去哪补", "怎么补办",
                "需要什么材料", "需要带什么", "要带什么", "需要哪些手续", "开证明", "怎么预约", "在哪里", "怎么联系",
                "去所里", "到所里", "来所里", "去派出所", "到派出所", "在哪查", "去哪查", "在哪里查", "官网查吗")
SERVICE_WEIGHT = -1.5
# Someone else's case that was stopped in time is news, not a loss ("银行工作人员拦下来了").
STOPPED_CUES = ("拦下", "拦住", "没被骗", "没有被骗", "及时制止", "被劝阻", "差点被", "没转出去", "没有转出去", "没上当",
                "幸亏", "幸好", "拦截", "没损失", "一分钱没转", "劝住", "及时劝")
# Someone else's story ("听说同事差点被骗"): when it was stopped in time and does not concern the
# resident, it is news, and lowers the score as a general question does.
# Family is not a third party: a parent's near miss is still the resident's concern.
THIRD_PARTY_CUES = ("听说", "同事", "邻居", "新闻", "报道", "朋友圈看到", "别人家", "家长", "同学的", "亲戚")
# A question keeps such a story a consultation: "我妈差点被骗，这是什么骗局？"
QUESTION_CUES = ("?", "吗", "怎么办", "咋办", "是不是", "是什么", "什么骗局", "怎么回事", "该怎么")
# ...unless the resident says it concerns them ("杀猪盘是什么意思，我是不是遇到了").
INVOLVEMENT_CUES = ("我是不是", "是不是遇到", "遇到了", "我被", "我已经", "对方", "他让", "她让", "让我", "我刚")
# A notice signed like an SMS from an institution ("【工商银行】…") with no link or number in it.
SIGNED_NOTICE_WEIGHT = -1.5
