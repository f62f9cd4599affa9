"""The demo county 清河县: departments, persons, projects, a year of meetings, tasks and logins."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

import click
from flask import current_app

from app import models as m
from app.domain import clock, rules
from app.domain.accounts import create_account
from app.domain.node_templates import ensure_templates
from app.extensions import appbuilder, db

# (username, password, role, who)
DEMO_ACCOUNTS: list[tuple[str, str, str, str]] = [
    ("sysadmin", "Sysadmin#2026", "Admin", "系统管理员（不绑定责任人）"),
    ("duchashi", "Duban#2026", "Supervisor", "县政府办公室副主任、督查室主任 赵丽娟"),
    ("xianzhang", "Lingdao#2026", "Leader", "县委副书记、县长 张卫国"),
    ("zhujianju", "Zhujian#2026", "DeptStaff", "县住建局建设管理股股长 郭志刚（只见住建局数据）"),
    ("gongxinju", "Gongxin#2026", "DeptStaff", "县工信局企业服务股股长 高文斌（只见工信局数据）"),
]
ACCOUNT_PERSONS = {"duchashi": "赵丽娟", "xianzhang": "张卫国", "zhujianju": "郭志刚",
                   "gongxinju": "高文斌"}

# (name, kind, e-mail prefix, ((person, title), ...)); the first person heads the unit
DEPARTMENTS = (
    ("县领导", "leadership", "xld", (
        ("张卫国", "县委副书记、县长"), ("李建华", "县委常委、常务副县长"),
        ("王海燕", "副县长（分管工业和信息化）"), ("刘志强", "副县长（分管城建和生态环境）"))),
    ("县政府办公室", "department", "zfb", (
        ("陈明远", "主任"), ("赵丽娟", "副主任、督查室主任"), ("孙浩", "督查专员"))),
    ("县发改局", "department", "fgj", (
        ("周国栋", "局长"), ("吴晓明", "副局长"), ("郑秀英", "重点项目股股长"), ("冯磊", "科员"))),
    ("县工信局", "department", "gxj", (
        ("何建军", "局长"), ("罗春梅", "副局长"), ("高文斌", "企业服务股股长"), ("林雪", "科员"))),
    ("县住建局", "department", "zjj", (
        ("马德胜", "局长"), ("胡玉兰", "副局长"), ("郭志刚", "建设管理股股长"),
        ("谢婷婷", "科员"))),
    ("县自然资源局", "department", "zrzyj", (
        ("梁永庆", "局长"), ("宋佳", "副局长"), ("唐国华", "用地审批股股长"), ("韩冬", "科员"))),
    ("县交通运输局", "department", "jtysj", (
        ("曹立新", "局长"), ("许文静", "副局长"), ("邓建平", "工程股股长"), ("彭宇", "科员"))),
    ("市生态环境局清河分局", "department", "sthj", (
        ("萧红", "分局局长"), ("田振华", "副局长"), ("董晓燕", "环评股股长"))),
    ("县卫健局", "department", "wjj", (
        ("袁继红", "局长"), ("潘明", "副局长"), ("蒋丽", "规划财务股股长"))),
    ("县财政局", "department", "czj", (
        ("蔡永健", "局长"), ("余慧", "副局长"), ("杜鹏", "经济建设股股长"))),
    ("城关镇", "township", "cgz", (("叶长青", "镇长"), ("程立", "副镇长"), ("魏芳", "党政办主任"))),
    ("河西乡", "township", "hxx", (
        ("苏宏伟", "乡长"), ("吕建新", "副乡长"), ("丁晓霞", "经济发展办主任"))),
    ("县城投公司", "enterprise", "ctgs", (
        ("沈国强", "董事长"), ("姜涛", "总经理"), ("范志远", "工程部经理"))),
)
PHONE_PREFIXES = ("138", "139", "137", "136", "135", "150", "151", "158", "187", "188")

# (name, category, source, industry, stage, list level, total 万元, lead department,
#  location, funding, content)
PROJECTS = (
    ("清河经济开发区标准化厂房建设项目", "advanced_manufacturing", "industrial_cluster",
     "装备制造", "construction", "city", 38000, "县工信局", "清河经济开发区",
     "地方政府专项债券1.5亿元，其余由园区平台公司自筹",
     "新建标准化厂房12栋，总建筑面积18万平方米，配套建设道路、雨污管网、变配电等设施。"),
    ("城区污水管网改造工程", "eco_environment", "public_demand", None, "construction",
     "county", 12600, "县住建局", "城关镇", "中央预算内投资4000万元，县级配套及专项债券",
     "改造城区雨污合流管网56公里，新建污水提升泵站2座，实现城区雨污分流。"),
    ("县人民医院新院区建设项目", "public_health", "public_demand", "医疗卫生", "construction",
     "province", 68000, "县卫健局", "县城东区", "专项债券3亿元，医院自筹及银行贷款",
     "新建门急诊医技楼、住院楼及感染楼，总建筑面积12万平方米，设置床位800张。"),
    ("5G基站及千兆光网建设项目", "new_infrastructure", "national_policy", "信息通信",
     "construction", "county", 8500, "县工信局", "全县", "通信运营企业自筹",
     "新建5G基站320个，实现乡镇以上区域5G连续覆盖，行政村千兆光网通达率100%。"),
    ("国道G230清河段改线工程", "major_engineering", "national_policy", "交通运输",
     "construction", "province", 126000, "县交通运输局", "城关镇、河西乡",
     "车购税补助、省级补助及地方配套",
     "按一级公路标准改线建设28.6公里，设计速度80公里/小时，新建大桥2座。"),
    ("城关镇老旧小区改造项目（二期）", "new_urbanization", "public_demand", None,
     "construction", "county", 9800, "县住建局", "城关镇", "中央补助资金、专项债券及居民出资",
     "改造老旧小区23个、楼栋186栋，实施屋面防水、管网更新、加装电梯及适老化改造。"),
    ("河西乡农村生活污水治理项目", "eco_environment", "public_demand", None, "construction",
     "county", 4600, "市生态环境局清河分局", "河西乡", "中央水污染防治资金及县级配套",
     "建设村级污水处理站18座、配套管网62公里，覆盖行政村15个。"),
    ("县应急物资储备库建设项目", "emergency_supplies", "national_policy", "应急物资",
     "construction", "city", 6200, "县发改局", "县城北区", "中央预算内投资及县级财政资金",
     "新建应急物资储备库房1.2万平方米及配套信息化调度平台。"),
    ("年产10万吨新型建材生产线项目", "advanced_manufacturing", "comparative_advantage",
     "新型建材", "construction", "city", 52000, "县工信局", "清河经济开发区", "企业自筹及银行贷款",
     "建设新型墙体材料及装配式构件生产线3条，达产后年产新型建材10万吨。"),
    ("智能装备产业园一期项目", "advanced_manufacturing", "industrial_cluster", "智能装备",
     "construction", "province", 85000, "县工信局", "清河经济开发区",
     "企业自筹、产业基金及银行贷款",
     "建设智能装备研发中心、总装车间及配套厂房，引进数控加工及机器人生产线。"),
    ("城区集中供热管网扩建工程", "new_urbanization", "central_city", None, "construction",
     "county", 15200, "县住建局", "城关镇", "专项债券及供热企业自筹",
     "新建供热主管网18公里、换热站26座，新增供热面积150万平方米。"),
    ("清河大道综合改造提升工程", "new_urbanization", "central_city", None, "construction",
     "county", 23800, "县城投公司", "县城区", "专项债券及城投公司融资",
     "对清河大道6.8公里实施道路拓宽、管线入地、绿化亮化及智慧路灯改造。"),
    ("县疾控中心实验室能力提升项目", "public_health", "national_policy", "医疗卫生",
     "preparation", "county", 3800, "县卫健局", "城关镇", "中央预算内投资及县级配套",
     "新建生物安全二级实验室及业务用房4500平方米，购置检测设备。"),
    ("新能源汽车零部件产业园项目", "advanced_manufacturing", "industrial_cluster",
     "新能源汽车零部件", "preparation", "province", 120000, "县工信局", "清河经济开发区",
     "企业自筹及银行贷款", "建设电驱动系统、轻量化车身零部件生产基地，规划用地800亩。"),
    ("城乡供水一体化工程", "major_engineering", "public_demand", None, "preparation", "city",
     46000, "县住建局", "全县", "专项债券、中央水利发展资金及社会资本",
     "新建水厂1座，日供水5万吨，铺设输配水管网420公里，实现城乡供水同网同质。"),
    ("县城东区保障性租赁住房项目", "new_urbanization", "national_policy", None, "preparation",
     "county", 18600, "县城投公司", "县城东区", "中央补助资金及城投公司融资",
     "建设保障性租赁住房1200套及配套商业、社区服务用房。"),
    ("县域数据中心及城市大脑项目", "new_infrastructure", "national_policy", "数字经济",
     "preparation", "county", 12000, "县发改局", "县城北区", "县级财政资金及专项债券",
     "建设县级政务云数据中心和城市运行管理平台，整合政务数据资源。"),
    ("清河湿地公园生态修复工程", "eco_environment", "comparative_advantage", "文化旅游",
     "preparation", "county", 9200, "县自然资源局", "河西乡", "中央生态保护修复资金及县级配套",
     "实施河道清淤、湿地植被恢复及生态步道建设，修复湿地面积3200亩。"),
    ("县道X012升级改造工程", "major_engineering", "public_demand", "交通运输", "preparation",
     "county", 16800, "县交通运输局", "河西乡", "省级交通补助及县级配套",
     "按二级公路标准升级改造县道19.5公里，新建中桥3座。"),
    ("农产品冷链物流中心建设项目", "other", "comparative_advantage", "农产品加工与物流",
     "preparation", "city", 22000, "县发改局", "清河经济开发区", "企业自筹及中央冷链物流专项资金",
     "建设冷库5万吨、分拣加工中心及冷链配送信息平台。"),
    ("城关镇农贸市场提升改造项目", "new_urbanization", "public_demand", None, "completed",
     "county", 3600, "城关镇", "城关镇", "县级财政资金及镇级自筹",
     "改造农贸市场主体建筑8600平方米，完善排水、消防、智慧监管设施。"),
    ("县第二中学教学楼建设项目", "other", "public_demand", "教育", "completed", "county", 7800,
     "县住建局", "县城东区", "县级财政资金及专项债券",
     "新建教学楼、实验楼2.2万平方米，新增学位1800个。"),
    ("年产5万吨食品级淀粉深加工项目", "advanced_manufacturing", "comparative_advantage",
     "农产品加工", "operating", "city", 28000, "县工信局", "清河经济开发区", "企业自筹",
     "建设玉米淀粉及变性淀粉深加工生产线，年加工玉米8万吨。"),
    ("分布式光伏发电项目（一期）", "new_infrastructure", "national_policy", "新能源",
     "operating", "county", 9600, "县发改局", "全县", "企业自筹",
     "利用公共建筑及工业厂房屋顶建设分布式光伏40兆瓦。"),
    ("抽水蓄能电站项目前期研究", "major_engineering", "national_policy", "新能源", "planning",
     "national", 650000, "县发改局", "河西乡", "拟申请纳入国家规划，企业投资建设",
     "规划装机容量120万千瓦，开展站点比选、预可研等前期研究。"),
    ("县城北部新区综合开发项目", "new_urbanization", "central_city", None, "planning", "county",
     80000, "县城投公司", "县城北区", "拟采用专项债券与市场化融资",
     "统筹实施北部新区路网、管网、公共服务设施及片区开发，规划面积3.5平方公里。"),
    ("河西乡特色农产品加工园项目", "other", "comparative_advantage", "农产品加工", "reserve",
     "county", 15000, "河西乡", "河西乡", "招商引资企业投资",
     "建设特色杂粮、林果加工厂房及仓储设施，带动周边种植基地。"),
    ("县中医院康养中心项目", "public_health", "public_demand", "康养", "reserve", "county",
     21000, "县卫健局", "县城东区", "专项债券及社会资本",
     "建设中医康复、医养结合服务中心，设置康养床位500张。"),
    ("废弃矿山生态修复综合治理项目", "eco_environment", "national_policy", None, "reserve",
     "city", 14000, "县自然资源局", "城关镇", "中央生态修复资金及社会资本",
     "对12处废弃矿山实施地形整治、边坡治理和植被恢复。"),
    ("城南商业综合体项目", "other", "central_city", "商贸服务", "terminated", "county", 45000,
     "县发改局", "城关镇", "企业投资",
     "原计划建设商业综合体15万平方米，因投资方资金链断裂已终止。"),
)
# which deputy (index into the leaders) oversees a category; province/national lists: 县长
LEADER_BY_CATEGORY = {
    "advanced_manufacturing": 2, "new_infrastructure": 2, "other": 2, "new_urbanization": 1,
    "major_engineering": 1, "emergency_supplies": 1, "eco_environment": 3, "public_health": 3,
}

# (title, expected outcome, department other than the project's lead department)
BUILD_TASKS = (
    ("加快{p}主体工程施工进度", "完成当月形象进度计划，累计工程量达到节点要求", None),
    ("完成{p}月度投资统计入库", "按时完成固定资产投资统计入库，数据真实准确", None),
    ("协调解决{p}施工用电接入问题", "完成临时用电变压器安装并正式通电", None),
    ("完成{p}剩余地块征收清表", "剩余地块完成清表交地，满足施工进场需要", "县自然资源局"),
    ("督促{p}施工单位增加作业面和施工人员", "现场作业人员和机械设备达到施工组织计划要求", None),
    ("开展{p}安全生产和扬尘治理专项检查", "完成专项检查，发现问题全部整改到位", "县住建局"),
    ("拨付{p}上级专项资金", "完成专项资金拨付并报送支付进度", "县财政局"),
    ("完成{p}主要设备采购招标", "完成设备招标并签订采购合同", None),
    ("组织{p}阶段性验收", "完成阶段性验收并形成验收意见", None),
    ("完成{p}地下管线迁改", "完成管线迁改，具备连续施工条件", None),
    ("落实{p}农民工工资专户管理", "工资专户按月足额拨付，无欠薪投诉", None),
)
# in the order a project goes through them
PREP_TASKS = (
    ("完成{p}可行性研究报告编制", "可研报告通过专家评审", None),
    ("办理{p}用地预审与选址意见书", "取得用地预审与选址意见书", "县自然资源局"),
    ("取得{p}可研批复", "取得可行性研究报告批复文件", "县发改局"),
    ("完成{p}环境影响评价审批", "取得环评批复文件", "市生态环境局清河分局"),
    ("完成{p}节能审查", "取得节能审查意见", "县发改局"),
    ("落实{p}资本金及融资方案", "资金筹措方案经县政府常务会议研究通过", "县财政局"),
    ("完成{p}初步设计及概算批复", "取得初步设计及概算批复", None),
    ("完成{p}施工图设计及审查", "取得施工图审查合格书", "县住建局"),
    ("完成{p}施工招标", "确定施工单位并签订施工合同", None),
    ("推动{p}具备开工条件", "各项开工手续办理完毕，具备开工条件", None),
)
PREP_RECURRING = ("协调推进{p}前期要件办理", "按前期工作计划取得阶段性要件", None)
GENERAL_TASKS = (
    ("梳理报送下一年度重点项目储备清单", "形成储备项目清单并报县政府审定", "县发改局"),
    ("开展重点项目推进情况专项督查", "形成专项督查通报并印发", "县政府办公室"),
    ("汇总报送全县重点项目投资完成情况", "按月报送投资统计分析报告", "县发改局"),
    ("筹备重点项目集中开工活动", "制定集中开工活动方案并报县政府", "县发改局"),
    ("做好重点项目用地指标保障", "梳理用地需求，争取新增建设用地指标", "县自然资源局"),
    ("统筹调度重点项目建设资金", "编制资金保障计划，按进度拨付资金", "县财政局"),
    ("梳理重点产业链在谈招商项目", "形成在谈项目清单及推进计划", "县工信局"),
)

# (project index, category, department, description, resolution, state)
PROBLEMS = (
    (0, "land", "县自然资源局", "园区东侧3号地块尚有约20亩土地未完成征收，影响7号、8号厂房开工。",
     "会同开发区完成征收补偿，土地已交付施工。", "resolved"),
    (1, "relocation", "城关镇", "解放路段管网施工涉及沿街商户临时搬迁，部分商户有抵触情绪。",
     "逐户做工作，落实临时过渡补助，商户已全部搬迁。", "resolved"),
    (2, "funding", "县财政局", "新院区专项债券资金到位滞后，施工单位垫资压力大。",
     "协调第二批专项债券资金提前拨付到位。", "resolved"),
    (4, "approval", "县自然资源局", "改线工程部分路段涉及基本农田，用地预审需报省自然资源厅审批。",
     None, "overdue"),
    (4, "relocation", "河西乡", "沿线涉及3处坟地迁移及2户房屋拆迁，群众补偿诉求未达成一致。",
     "联合交通运输局逐户协商，签订补偿协议并完成迁移。", "resolved"),
    (5, "construction", "县住建局", "加装电梯涉及低层住户意见分歧，部分单元无法施工。",
     None, "open"),
    (8, "approval", "市生态环境局清河分局", "生产线环评变更需重新报批，影响设备安装进度。",
     "开辟绿色通道，环评变更批复已取得。", "resolved"),
    (9, "funding", "县工信局", "企业二期设备购置资金缺口约8000万元，银行授信尚未落实。",
     None, "overdue"),
    (10, "construction", "县住建局", "供热主管网穿越铁路段需铁路部门审批，施工窗口期紧张。",
     "经市政府协调铁路部门，已取得穿越施工许可。", "resolved"),
    (11, "relocation", "县城投公司", "沿线电力、通信杆线迁改涉及多家产权单位，协调难度大。",
     "县政府召开专题会议明确迁改时限，杆线已全部迁移。", "resolved"),
    (13, "land", "县自然资源局", "产业园规划用地中约120亩尚未纳入国土空间规划建设用地范围。",
     None, "open"),
    (14, "approval", "县发改局", "供水工程水资源论证报告需报市水利局审查，进度滞后。",
     "水资源论证报告已通过市水利局审查。", "resolved"),
    (15, "funding", "县城投公司", "保障性租赁住房项目资本金尚未足额落实。", None, "open"),
    (18, "land", "县自然资源局", "县道升级改造涉及林地占用，需办理使用林地审批手续。",
     "已取得使用林地审核同意书。", "resolved"),
    (6, "other", "河西乡", "部分村污水处理站运维主体不明确，建成后管护机制尚未建立。",
     None, "open"),
)

MINUTES_POINTS = (
    "各责任单位要对照时间节点倒排工期，确保交办事项按期完成",
    "自然资源、财政等要素保障部门要主动对接、靠前服务",
    "分管县领导要定期深入项目现场调度，压实项目责任",
    "要加快项目投资入统，确保应统尽统",
    "要加强安全生产和工程质量监管，坚决防范各类事故",
    "对逾期事项要说明原因、制定措施，督查室要跟踪问效",
    "要提前谋划储备一批重大项目，积极争取上级资金支持",
)
PROGRESS_TEXTS = (
    ("已完成前期对接和方案细化，相关工作有序推进", "已召开专题推进会，明确责任分工和时间表"),
    ("主要工作已过半，正在集中力量攻坚", "已完成阶段性目标，剩余工作按计划推进"),
    ("已基本完成，正在整理验收及佐证材料", "主体工作完成，正在收尾和资料归档"),
)
FEEDBACK_PROBLEMS = (
    "受连续降雨影响，室外作业有所延误", "部分建材价格上涨，施工单位资金周转压力较大",
    "审批要件尚需补充，正在与上级部门沟通", "个别农户诉求未解决，影响施工进场",
    "电力线路迁改需供电公司配合", None, None, None,
)
NEXT_STEPS = (
    "倒排工期，增加作业班组，确保按节点完成", "加强与上级部门对接，尽快取得批复",
    "每周召开现场调度会，及时解决问题", "配合做好资料报送和现场核查",
)
RETURN_COMMENTS = (
    "反馈内容过于笼统，请补充具体完成事项和形象进度。",
    "未附佐证材料，请补充现场照片或批复文件后重新报送。",
    "完成比例与实际进度不符，请核实后重新填报。",
)
LAG_REASONS = (
    "受审批流程影响，相关批复晚于预期", "施工期间遭遇持续降雨，室外作业受阻",
    "征迁工作涉及个别户诉求，协调时间较长", "资金拨付滞后，影响工程推进",
    "设计方案调整，需重新履行审查程序",
)
MEASURES = (
    "倒排工期、挂图作战，增加施工力量", "由分管县领导牵头召开专题协调会，限期解决",
    "加强与市级部门沟通，争取尽快完成审批", "实行周调度、周通报，确保追回滞后进度",
)
EXTENSION_REASONS = (
    "上级审批部门要求补充专项论证材料，需延长办理时限",
    "受汛期影响，现场无法施工", "因设计变更需重新履行审查程序",
)
# investment lag (time progress − completion) a construction project is seeded to show
LAG_TARGETS = (-0.08, -0.04, 0.0, 0.03, 0.06, 0.08, 0.15, 0.22, 0.35)
OPEN_STAGES = ("preparation", "construction")
TABLES = ("department", "person", "project", "investment_report", "meeting", "task", "extension",
          "feedback", "supervision", "problem", "node_template", "template_node")


@dataclass
class _Seed:
    """What the seeding steps share: the dice, the day, and the rows built so far."""

    rng: random.Random
    today: dt.date
    cal: rules.Calendar
    settings: rules.Settings
    rows: dict[str, list] = field(default_factory=lambda: defaultdict(list))
    depts: dict[str, m.Department] = field(default_factory=dict)
    staff: dict[str, list[m.Person]] = field(default_factory=dict)
    completed: dict[m.Project, Decimal] = field(default_factory=dict)
    feedback_days: dict[m.Task, list[dt.date]] = field(default_factory=lambda: defaultdict(list))
    sent: set[tuple[int, str, dt.date]] = field(default_factory=set)

    def add(self, table: str, *rows: object) -> None:
        """Collect rows for a table."""
        self.rows[table].extend(rows)

    @property
    def leaders(self) -> list[m.Person]:
        """The county leaders, the 县长 first."""
        return self.staff["县领导"]

    def member(self, dept: m.Department) -> m.Person:
        """A working-level person of a department (not its head when it has others)."""
        people = self.staff[dept.name]
        return self.rng.choice(people[1:] or people)

    def workday_from(self, day: dt.date) -> dt.date:
        """The day itself if a working day, else the next working day."""
        while not self.cal.is_workday(day):
            day += rules.DAY
        return day

    def days(self, low: int, high: int) -> dt.timedelta:
        """A random number of days from `low` to `high`."""
        return dt.timedelta(days=self.rng.randint(low, high))


def seed_demo(today: dt.date | None = None, seed: int = 2026) -> dict[str, int]:
    """Load the demo county in one transaction, then the demo logins; counts per table."""
    _check_accounts_free()
    s = _Seed(random.Random(seed), today or _today(), rules.Calendar(), _settings())
    steps = (_departments, _templates, _projects, _meetings, _tasks, _extensions, _statuses,
             _feedback, _supervisions, _problems, _investment, _colors)
    for step in steps:
        step(s)
        for rows in s.rows.values():  # flushed step by step so ids follow the data's order
            db.session.add_all(rows)
        db.session.flush()
    db.session.commit()
    counts = {table: len(s.rows[table]) for table in TABLES}
    counts["meeting_project"] = sum(len(mt.projects) for mt in s.rows["meeting"])
    counts["account"] = _accounts(s)
    return counts


def _today() -> dt.date:
    """Today in the configured time zone (the one clock, app/domain/clock.py)."""
    return clock.today()


def _settings() -> rules.Settings:
    """The rule settings of the running app's configuration."""
    c = current_app.config
    return rules.Settings(c.get("DUE_SOON_WORKDAYS", 3), c.get("FEEDBACK_DAY", 25),
                          c.get("LAG_YELLOW", 0.10), c.get("LAG_RED", 0.30))


def _check_accounts_free() -> None:
    """Refuse before writing anything when a demo login exists already."""
    sm = appbuilder().sm
    taken = [name for name, *_ in DEMO_ACCOUNTS if sm.find_user(username=name) is not None]
    if taken:
        raise click.ClickException("demo accounts exist already: " + ", ".join(taken))


def _departments(s: _Seed) -> None:
    """The units and their people, with phones and unique e-mails."""
    for name, kind, mail, people in DEPARTMENTS:
        dept = m.Department(name=name, kind=kind, active=True)
        s.depts[name] = dept
        s.staff[name] = [
            m.Person(name=person, title=title, department=dept, phone=_phone(s),
                     email=f"{mail}{i:02d}@qinghe.gov.cn", is_leader=kind == "leadership")
            for i, (person, title) in enumerate(people, start=1)
        ]
        s.add("department", dept)
        s.add("person", *s.staff[name])


def _phone(s: _Seed) -> str:
    """A mobile number such as 138xxxxxxxx."""
    return s.rng.choice(PHONE_PREFIXES) + f"{s.rng.randint(0, 99_999_999):08d}"


def _templates(s: _Seed) -> None:
    """The two 前期手续 node chains (app/domain/node_templates.py), with the county's departments;
    `flask init` may have created them already without departments."""
    for row in ensure_templates(s.depts):
        s.add("node_template" if isinstance(row, m.NodeTemplate) else "template_node", row)


def _projects(s: _Seed) -> None:
    """The thirty projects of the library, coded QH<year>-001 onwards."""
    for number, row in enumerate(PROJECTS, start=1):
        s.add("project", _project(s, number, row))


def _project(s: _Seed, number: int, row: tuple) -> m.Project:
    """One project with dates, leader, responsible person and annual plan."""
    name, category, source, industry, stage, level, total, dept_name, location, funding, \
        content = row
    dept = s.depts[dept_name]
    planned_start, planned_end, actual_start, actual_end = _project_dates(s, stage)
    leader = s.leaders[0 if level in ("province", "national") else LEADER_BY_CATEGORY[category]]
    plan = None
    if stage == "construction":
        plan = Decimal(round(total * s.rng.uniform(0.2, 0.45), -2))
    return m.Project(
        code=f"QH{s.today.year}-{number:03d}", name=name, category=category, source=source,
        industry=industry, stage=stage, list_level=level, total_investment=Decimal(total),
        annual_plan_investment=plan, planned_start=planned_start, planned_end=planned_end,
        actual_start=actual_start, actual_end=actual_end, location=location, content=content,
        lead_leader=leader, lead_department=dept, responsible_person=s.staff[dept_name][1],
        funding=funding, status_color="green")


def _project_dates(s: _Seed, stage: str) -> tuple[dt.date, dt.date, dt.date | None, dt.date | None]:
    """Planned start and end, actual start and end, fitting the stage as of today."""
    today, year = s.today, s.today.year
    if stage == "construction":
        start = dt.date(year - 1, s.rng.randint(2, 11), 1) + s.days(0, 20)
        return start, start + s.days(540, 1100), start + s.days(0, 40), None
    if stage in ("completed", "operating"):
        end = today - (s.days(20, 150) if stage == "completed" else s.days(200, 500))
        start = end - s.days(300, 600)
        return start - s.days(0, 30), end - s.days(0, 30), start, end
    if stage == "preparation":
        start = today + s.days(30, 240)
        return start, start + s.days(365, 900), None, None
    if stage == "terminated":
        start = today - s.days(100, 300)
        return start, start + s.days(600, 800), None, None
    start = dt.date(year + 1, s.rng.randint(3, 9), 1)
    return start, start + s.days(700, 1400), None, None


def _meetings(s: _Seed) -> None:
    """One 调度会 a month for the last twelve months, dispatching most projects in scope."""
    for held_on in _meeting_days(s):
        quarterly = held_on.month % 3 == 0
        chair = s.leaders[0 if quarterly else 1]
        kind = "全县重点项目推进暨观摩讲评会" if quarterly else "全县重点项目调度会"
        scope = [p for p in s.rows["project"] if _in_scope(p, held_on)]
        chosen = [p for p in scope if s.rng.random() < 0.85]
        s.add("meeting", m.Meeting(
            held_on=held_on, title=f"{held_on.year}年{held_on.month}月{kind}", chair=chair,
            projects=chosen, minutes=_minutes(s, held_on, chair, chosen)))


def _meeting_days(s: _Seed) -> list[dt.date]:
    """The twelve latest monthly meeting days up to today, oldest first."""
    days: list[dt.date] = []
    month = rules.month_start(s.today)
    while len(days) < 12:
        day = s.workday_from(month.replace(day=s.rng.randint(6, 12)))
        if day <= s.today:
            days.append(day)
        month = rules.month_start(month - rules.DAY)
    return days[::-1]


def _in_scope(project: m.Project, day: dt.date) -> bool:
    """Whether a meeting held on `day` would dispatch the project."""
    if project.stage in OPEN_STAGES:
        return True
    ended = cast(dt.date, project.actual_end)  # set for a completed or operating one
    return project.stage in ("completed", "operating") and ended >= rules.month_start(day)


def _minutes(s: _Seed, held_on: dt.date, chair: m.Person, projects: list[m.Project]) -> str:
    """The minutes of a monthly meeting."""
    names = "、".join(p.name for p in projects[:3])
    one, two, three = s.rng.sample(MINUTES_POINTS, 3)
    return (f"{held_on.year}年{held_on.month}月{held_on.day}日，{chair.title}{chair.name}主持召开"
            f"调度会，听取了{len(projects)}个重点项目推进情况汇报，重点研究了{names}等项目"
            f"存在的困难和问题。会议要求：一是{one}；二是{two}；三是{three}。会议交办事项由县政府"
            "督查室跟踪督办，各责任单位于每月25日前反馈进展。")


def _tasks(s: _Seed) -> None:
    """About seventeen tasks assigned at each meeting, most on the projects it dispatched."""
    used: dict[str, set[str]] = defaultdict(set)
    meetings = s.rows["meeting"]
    for i, meeting in enumerate(meetings):
        recent = i >= len(meetings) - 2
        for _ in range(s.rng.randint(15, 18)):
            project = None
            if meeting.projects and s.rng.random() < 0.88:
                project = s.rng.choice(meeting.projects)
            s.add("task", _task(s, meeting, project, _pick(s, project, used), recent))


def _pick(s: _Seed, project: m.Project | None, used: dict[str, set[str]]) -> tuple:
    """A task template for a project: preparation in order, construction at random."""
    if project is None:
        return s.rng.choice(GENERAL_TASKS)
    pool = PREP_TASKS if project.stage == "preparation" else BUILD_TASKS
    fresh = [t for t in pool if t[0] not in used[project.code]]
    if project.stage == "preparation":
        template = fresh[0] if fresh else PREP_RECURRING
    else:
        template = s.rng.choice(fresh or pool[:2])
    used[project.code].add(template[0])
    return template


def _task(s: _Seed, meeting: m.Meeting, project: m.Project | None, template: tuple,
          recent: bool) -> m.Task:
    """One task assigned at a meeting, with its deadline and completion."""
    title, outcome, dept_name = template
    dept = s.depts[dept_name] if dept_name else cast(m.Project, project).lead_department
    assigned = meeting.held_on
    if recent and s.rng.random() < 0.3:
        deadline = s.cal.add_workdays(s.today, s.rng.randint(1, s.settings.due_soon_workdays))
    else:
        deadline = s.workday_from(assigned + s.days(10, 90))
    cancelled = s.rng.random() < 0.03
    done_on = None if cancelled else _done_on(s, assigned, deadline)
    name = project.name if project else ""
    return m.Task(
        project=project, meeting=meeting, title=title.format(p=name), expected_outcome=outcome,
        department=dept, person=s.member(dept), assigned_on=assigned, deadline=deadline,
        original_deadline=deadline, done_on=done_on, cancelled=cancelled)


def _done_on(s: _Seed, assigned: dt.date, deadline: dt.date) -> dt.date | None:
    """When the task got done: mostly on time, some late, some still open."""
    rng, today = s.rng, s.today
    if deadline >= today:
        return _between(s, assigned, today) if rng.random() < 0.15 else None
    late = (today - deadline).days
    if rng.random() < (0.25 if late <= 30 else 0.1 if late <= 75 else 0.0):
        return None
    if rng.random() < 0.17:
        return min(deadline + s.days(1, 20), today)
    return _between(s, max(assigned, deadline - dt.timedelta(days=20)), deadline)


def _between(s: _Seed, low: dt.date, high: dt.date) -> dt.date:
    """A day from `low` to `high`, both included."""
    return low + dt.timedelta(days=s.rng.randint(0, (high - low).days))


def _extensions(s: _Seed) -> None:
    """Four approved extensions (deadline moved), one rejected, two pending."""
    late = [t for t in s.rows["task"] if not t.cancelled and t.deadline < s.today
            and (t.done_on is None or t.done_on > t.deadline)
            and (t.deadline - t.assigned_on).days > 7]
    picks = s.rng.sample(late, min(5, len(late)))
    for i, task in enumerate(picks):
        asked = s.cal.subtract_workdays(task.deadline, s.rng.randint(2, 5))
        requested = max(task.assigned_on, asked)
        new_deadline = s.workday_from(task.deadline + s.days(10, 30))
        decision = "approved" if i < 4 else "rejected"
        s.add("extension", m.Extension(task=task, requested_on=requested, decision=decision,
                                       new_deadline=new_deadline,
                                       reason=s.rng.choice(EXTENSION_REASONS)))
        if decision == "approved":
            task.deadline = new_deadline
    _pending_extensions(s)


def _pending_extensions(s: _Seed) -> None:
    """Two extension requests on open tasks still awaiting a decision."""
    waiting = [t for t in s.rows["task"] if not t.cancelled and t.done_on is None
               and t.deadline >= s.today and t.original_deadline == t.deadline]
    for task in s.rng.sample(waiting, min(2, len(waiting))):
        requested = max(task.assigned_on, s.today - s.days(0, 2))
        s.add("extension", m.Extension(
            task=task, requested_on=requested, decision="pending",
            new_deadline=s.workday_from(task.deadline + s.days(15, 30)),
            reason=s.rng.choice(EXTENSION_REASONS)))


def _statuses(s: _Seed) -> None:
    """Status and overdue days by the rules; a reason and measures where late."""
    for task in s.rows["task"]:
        task.status, task.overdue_days = rules.task_status(
            task.deadline, task.done_on, task.cancelled, s.today, s.cal, s.settings)
        if task.status in ("overdue", "done_late"):
            task.lag_reason = s.rng.choice(LAG_REASONS)
            task.measures = s.rng.choice(MEASURES)


def _feedback(s: _Seed) -> None:
    """Monthly progress reports; a done task closes with an accepted 100 % on its done day."""
    for task in s.rows["task"]:
        if task.cancelled:
            continue
        _monthly_feedback(s, task)
        if task.done_on is not None:
            s.add("feedback", m.Feedback(
                task=task, reported_on=task.done_on, percent_complete=100,
                progress=f"已全部完成：{task.expected_outcome}。佐证材料已报送督查室。",
                next_steps="巩固成果，转入常态化管理。", review_status="accepted",
                review_comment="经核实已完成，同意销号。"))
            s.feedback_days[task].append(task.done_on)


def _monthly_feedback(s: _Seed, task: m.Task) -> None:
    """One report in most months the task was open, around the 20th."""
    month, last = rules.month_start(task.assigned_on), rules.month_start(task.done_on or s.today)
    percent = 0
    while month <= last:
        day = s.workday_from(month.replace(day=s.rng.randint(18, 26)))
        day = min(day, rules.month_end(month))
        before_done = task.done_on is None or day < task.done_on
        if task.assigned_on < day <= s.today and before_done and s.rng.random() >= 0.12:
            percent = _percent(s, task, day, percent)
            _report(s, task, day, percent)
        month = rules.month_end(month) + rules.DAY


def _percent(s: _Seed, task: m.Task, day: dt.date, previous: int) -> int:
    """Percent complete on a day: time-proportional, never falling, below 100."""
    span = max((task.deadline - task.assigned_on).days, 1)
    expected = 100 * (day - task.assigned_on).days / span * s.rng.uniform(0.7, 1.05)
    return max(previous, 5, min(95, int(expected) // 5 * 5))


def _report(s: _Seed, task: m.Task, day: dt.date, percent: int) -> None:
    """One monthly report; a returned one is filed again three days later."""
    recent = (s.today - day).days < 7
    returned = not recent and s.rng.random() < 0.08
    if recent and task.done_on is None and s.rng.random() < 0.15:
        percent = 100  # reported done, awaiting review: the task stays open until accepted
    status = "submitted" if recent else ("returned" if returned else "accepted")
    s.add("feedback", _feedback_row(s, task, day, percent, status))
    s.feedback_days[task].append(day)
    again = day + dt.timedelta(days=3)
    if returned and again <= s.today and again.month == day.month and (
            task.done_on is None or again < task.done_on):
        status = "submitted" if (s.today - again).days < 7 else "accepted"
        s.add("feedback", _feedback_row(s, task, again, percent, status))
        s.feedback_days[task].append(again)


def _feedback_row(s: _Seed, task: m.Task, day: dt.date, percent: int,
                  status: str) -> m.Feedback:
    """A progress report with its review status."""
    texts = PROGRESS_TEXTS[min(percent // 40, 2)]
    return m.Feedback(
        task=task, reported_on=day, percent_complete=percent,
        progress=f"{s.rng.choice(texts)}，总体完成约{percent}%。",
        problems=s.rng.choice(FEEDBACK_PROBLEMS), next_steps=s.rng.choice(NEXT_STEPS),
        review_status=status,
        review_comment=s.rng.choice(RETURN_COMMENTS) if status == "returned" else None)


def _open_on(s: _Seed, task: m.Task, day: dt.date) -> bool:
    """Whether the task was assigned, not done and not in the future on `day`."""
    return task.assigned_on <= day <= s.today and (task.done_on is None or task.done_on > day)


def _remind(s: _Seed, task: m.Task, day: dt.date, kind: str, channel: str, text: str) -> None:
    """One supervision per task, kind and day at most."""
    key = (id(task), kind, day)
    if key not in s.sent:
        s.sent.add(key)
        s.add("supervision", m.Supervision(task=task, sent_on=day, kind=kind, channel=channel,
                                           message=text))


def _supervisions(s: _Seed) -> None:
    """Due-soon, overdue, missing-feedback and monthly reminders, and meeting roll calls."""
    for task in s.rows["task"]:
        if task.cancelled:
            continue
        _due_soon_reminder(s, task)
        _overdue_reminders(s, task)
        _monthly_reminders(s, task)
    for meeting in s.rows["meeting"]:
        for task in s.rows["task"]:
            if not task.cancelled and task.deadline < meeting.held_on and _open_on(
                    s, task, meeting.held_on):
                _remind(s, task, meeting.held_on, "manual", "meeting",
                        f"在{meeting.title}上点名督办“{task.title}”，要求限期整改。")


def _due_soon_reminder(s: _Seed, task: m.Task) -> None:
    """The due-soon reminder on the day the task became due soon."""
    day = s.cal.subtract_workdays(task.deadline, s.settings.due_soon_workdays)
    day = max(day, task.assigned_on)
    if day <= task.deadline and _open_on(s, task, day):
        _remind(s, task, day, "due_soon", "in_app",
                f"【临期提醒】“{task.title}”将于{task.deadline.month}月{task.deadline.day}日"
                "到期，请抓紧推进并及时反馈。")


def _overdue_reminders(s: _Seed, task: m.Task) -> None:
    """Overdue reminders weekly from the day after the deadline; 督办单 after two weeks."""
    day = task.deadline + rules.DAY
    while _open_on(s, task, day):
        late = (day - task.deadline).days
        channel = "notice" if late >= 15 else "in_app"
        _remind(s, task, day, "overdue", channel,
                f"【逾期督办】“{task.title}”已逾期{late}天，请说明原因并限期整改。")
        day += dt.timedelta(days=7)


def _monthly_reminders(s: _Seed, task: m.Task) -> None:
    """Mid-month urging for about half the open tasks; from the feedback day, 催报."""
    month = rules.month_start(task.assigned_on)
    while month <= s.today:
        urge = s.workday_from(month.replace(day=s.rng.randint(15, 20)))
        if _open_on(s, task, urge) and s.rng.random() < 0.5:
            _remind(s, task, urge, "manual", s.rng.choice(("in_app", "webhook", "email")),
                    f"【督办】请加快推进“{task.title}”，确保按时间节点完成。")
        due = min(month.replace(day=s.settings.feedback_day), rules.month_end(month))
        reported = [d for d in s.feedback_days[task] if month <= d <= due]
        if _open_on(s, task, due) and not reported:
            _remind(s, task, due, "missing_feedback", "in_app",
                    f"【催报】“{task.title}”本月尚未报送进展，请于月底前反馈。")
        month = rules.month_end(month) + rules.DAY


def _problems(s: _Seed) -> None:
    """The 问题清单: most resolved, a few open, two past their deadline."""
    projects = s.rows["project"]
    for index, category, dept_name, description, resolution, state in PROBLEMS:
        project, dept = projects[index], s.depts[dept_name]
        raised, deadline, resolved = _problem_dates(s, state)
        s.add("problem", m.Problem(
            project=project, description=description, category=category, raised_on=raised,
            department=dept, person=s.member(dept), deadline=deadline, resolved_on=resolved,
            resolution=resolution, coordinating_leader=project.lead_leader))


def _problem_dates(s: _Seed, state: str) -> tuple[dt.date, dt.date, dt.date | None]:
    """Raised, deadline and resolved dates for a problem's state."""
    if state == "resolved":
        raised = s.today - s.days(60, 300)
        deadline = raised + s.days(20, 60)
        return raised, deadline, min(raised + s.days(5, (deadline - raised).days + 15), s.today)
    if state == "overdue":
        raised = s.today - s.days(40, 90)
        return raised, raised + s.days(15, 30), None
    return s.today - s.days(3, 30), s.today + s.days(10, 45), None


def _investment(s: _Seed) -> None:
    """Monthly completed investment of construction projects, this year up to last month."""
    months = [dt.date(s.today.year, k, 1) for k in range(1, s.today.month)]
    progress = rules.time_progress(s.today)
    for project in s.rows["project"]:
        if project.stage != "construction" or not months:
            continue
        target = max(0.0, progress - s.rng.choice(LAG_TARGETS))
        total = float(project.annual_plan_investment) * target
        weights = [s.rng.uniform(0.6, 1.4) for _ in months]
        amounts = [Decimal(f"{total * w / sum(weights):.2f}") for w in weights]
        s.completed[project] = sum(amounts, Decimal(0))
        s.add("investment_report", *(
            m.InvestmentReport(project=project, period=month, amount=amount)
            for month, amount in zip(months, amounts, strict=True)))


def _colors(s: _Seed) -> None:
    """Each project's colour from its tasks, its problems and its investment lag."""
    statuses: dict[m.Project, list[str]] = defaultdict(list)
    for task in s.rows["task"]:
        if task.project is not None:
            statuses[task.project].append(task.status)
    late = {p.project for p in s.rows["problem"]
            if rules.problem_overdue(p.deadline, p.resolved_on, s.today)}
    for project in s.rows["project"]:
        lag = rules.investment_lag(project.annual_plan_investment,
                                   s.completed.get(project, Decimal(0)), s.today)
        project.status_color = rules.project_color(statuses[project], project in late, lag,
                                                   s.settings)


def _accounts(s: _Seed) -> int:
    """The demo logins, each tied to its person (the administrator to none)."""
    people = {p.name: p for group in s.staff.values() for p in group}
    for username, password, role, _who in DEMO_ACCOUNTS:
        person = people.get(ACCOUNT_PERSONS.get(username, ""))
        create_account(username, role, password, person.id if person else None)
    return len(DEMO_ACCOUNTS)
