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
    "被骗", "骗了我", "骗走", "上当了", "钱没了", "钱被转走", "钱被扣", "被扣了", "扣了我", "卡里少了", "少了",
    "被盗刷", "被刷走", "损失了", "血本无归", "拿不回来", "要不回来", "提不出来", "不让提", "不能提现", "提现失败",
    "拉黑了", "把我拉黑", "联系不上", "不发货", "没发货", "不退", "输了", "已经转", "已经汇", "已经付",
    "已经交", "已经充", "已经给", "已经把", "已经借", "已经投", "转到", "汇到", "打到",
)
# A code, password or control of the phone was given away.
EXPOSURE_CUES = (
    "验证码发给", "验证码告诉", "验证码给了", "验证码报给", "验证码念给", "验证码说给", "验证码发过去",
    "告诉了他验证码", "告诉他验证码", "把验证码", "给了他验证码", "发了验证码", "报了验证码", "输入了验证码",
    "输了验证码", "填了验证码", "密码告诉", "告诉了他密码", "把密码", "输入了密码", "输了密码", "填了密码",
    "填了卡号", "填了银行卡", "填写了银行卡", "填了身份证", "共享了屏幕", "开了屏幕共享", "开启了屏幕共享",
    "屏幕共享了", "下载了", "安装了", "装了他", "装了一个", "扫了码", "扫了二维码", "点了链接", "点开了链接",
    "按他说的", "按照他说的", "照他说的", "按他的要求", "在atm上操作", "atm机上操作了",
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
    "怎样", "怎么防", "谨防", "小心", "提醒",
)
# A request is not yet a deed: "他让我转到…" is not urgent, but "他让我交了3000" is.
REQUESTS = ("让我", "叫我", "要我", "要求我", "劝我", "逼我", "催我", "教我", "要把", "让把", "叫把")

# How scams are told, whatever their type: (pattern, weight). Their sum is capped at TACTICS_CAP.
TACTICS = (
    (r"(?:先|要|需要|需|得|还要|又要|再|必须)(?:交|付|缴|转|充|垫)", 1.0),
    (r"(?:对方|他|她|他们|客服|那人|那个人|骗子|人家)(?:让|叫|要|要求|逼|催|教)(?:我|我们|你)", 0.5),
    (r"自称|冒充|声称|假冒|陌生人|陌生电话|陌生号码|不认识的人|打电话说|来电说|短信说|发短信说", 1.0),
    (r"骗子|骗局|骗人|诈骗|是真的吗|可信吗|靠谱吗|正常吗|能信吗|是不是真的|真的假的", 1.0),
    (r"链接|网址|二维码|扫码|下载|app|软件", 0.5),
    (r"验证码|银行卡号|卡号|密码|身份证号|短信码", 0.5),
    (r"不要告诉|别告诉|保密|不能告诉", 1.0),
)
TACTICS_CAP = 2.0
# "Scammed" words that mean a loss even when no scam type is recognisable yet.
VICTIM_CUES = ("被骗", "骗了", "骗走", "上当了", "被诈骗", "遇到骗子", "遇到诈骗", "被坑了")
# Clause boundaries: a negation never reaches across them.
CLAUSE_ENDS = "，,。.！!？?；;\n"
NEGATION_WINDOW = 5

# Phrases of genuine bank, carrier, parcel and platform notices; they lower the score of a message.
OFFICIAL_NOTICE_CUES = (
    "请勿泄露", "切勿泄露", "请勿告知", "切勿告知", "请勿转发", "切勿转发", "不要泄露给他人", "如非本人操作",
    "非本人操作", "分钟内有效", "工作人员不会向您索取", "不会向您索要", "取件码", "已签收", "已发货",
    "已到达", "派送中", "预计明天送达", "余额", "入账", "话费账单", "流量已使用", "扣款成功",
    "国家反诈中心提醒", "反诈中心提醒", "凡是", "都是诈骗", "谨防诈骗", "防骗小知识", "反诈宣传", "反诈讲座",
    "反诈app", "国家反诈中心app", "下载国家反诈", "怎么举报", "如何举报", "举报诈骗", "已到账", "已完成",
    "成功办理", "感谢使用", "次月生效",
)
OFFICIAL_NOTICE_WEIGHT = -2.5
