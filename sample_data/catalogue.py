"""Reference lists for the sample county: categories, item types, departments, names.

Everything here is plain data; the generator draws from it with seeded generators only.
Item tuples: (name, name_en, trivial, default urgency E/U/O, hard, department key, weight).
"Hard" items (illegal building, wage arrears, petitions, ...) are the ones filtering villages
leave unreported and the ones most often filed only (事件报备); the flag is not stored.
"""

from __future__ import annotations

URGENCY_CODES = {"E": "emergency", "U": "urgent", "O": "ordinary"}

# (code, name, name_en, share of grid reports, urban multiplier, rural multiplier)
CATEGORIES = [
    ("public_safety", "公共安全与法治", "Public security and rule of law", 26.0, 1.0, 1.0),
    ("city_mgmt", "城市管理", "City management", 45.0, 1.25, 0.85),
    ("work_safety", "安全生产监管", "Work-safety supervision", 8.0, 1.0, 1.0),
    ("construction", "城乡建设", "Urban and rural construction", 5.0, 1.0, 1.1),
    ("edu_health", "科教文卫", "Science, education, culture and health", 3.0, 1.0, 1.0),
    ("economy", "经济管理", "Economic management", 3.0, 1.2, 0.8),
    ("environment", "生态环境", "Ecology and environment", 4.5, 0.6, 1.3),
    ("social_affairs", "社会保障与民政", "Social security and civil affairs", 4.5, 1.0, 1.0),
    ("disputes", "矛盾纠纷", "Conflicts and disputes", 4.0, 1.0, 1.0),
    ("agriculture", "农业农村", "Agriculture and rural affairs", 3.0, 0.15, 1.5),
    ("transport", "交通运输", "Transport", 2.0, 1.0, 1.0),
    ("petitions", "信访维稳", "Petitions and stability", 0.7, 1.0, 1.0),
    ("beyond_scope", "其他/超出职责范围", "Other / beyond the grid's remit", 0.6, 1.0, 1.0),
]

# Category shares of 12345 hotline calls (residents call about different things than patrols see).
HOTLINE_CATEGORY_SHARES = {
    "public_safety": 11,
    "city_mgmt": 33,
    "work_safety": 3,
    "construction": 10,
    "edu_health": 4,
    "economy": 8,
    "environment": 8,
    "social_affairs": 9,
    "disputes": 9,
    "agriculture": 2,
    "transport": 5,
    "petitions": 2,
    "beyond_scope": 3,
}

# Items that video/AI cameras recognise, with weights.
CAMERA_ITEMS = {
    "占道经营": 10,
    "暴露垃圾": 8,
    "乱堆物料": 5,
    "机动车乱停放": 8,
    "乱停放非机动车": 6,
    "店外经营": 6,
    "垃圾满溢": 6,
    "消防通道堵塞": 3,
    "露天焚烧": 2,
    "道路障碍物": 2,
    "打架斗殴": 0.3,
    "电动车违规载人": 2,
    "河道漂浮物": 2,
    "违规晾晒": 2,
    "秸秆焚烧": 1,
}

T, F = True, False
ITEMS = {
    "public_safety": [
        ("治安隐患", "Public-order hazard", F, "U", F, "police", 3),
        ("可疑人员", "Suspicious person", F, "U", F, "police", 2),
        ("电信诈骗线索", "Telecom fraud lead", F, "U", T, "police", 1.5),
        ("盗窃线索", "Theft lead", F, "U", F, "police", 1.5),
        ("打架斗殴", "Fight or brawl", F, "E", T, "police", 1),
        ("黄赌毒线索", "Vice, gambling or drugs lead", F, "U", T, "police", 0.6),
        ("出租房未登记", "Unregistered rental housing", T, "O", F, "police", 4),
        ("流动人口未登记", "Unregistered migrant resident", T, "O", F, "police", 4),
        ("重点人员动态", "Movements of a person under watch", F, "O", T, "police", 1.2),
        ("精神障碍患者肇事隐患", "Risk from a person with severe mental disorder", F, "U", T, "police", 0.8),
        ("非法集资线索", "Illegal fund-raising lead", F, "U", T, "police", 0.4),
        ("反诈宣传入户", "Anti-fraud awareness visit", T, "O", F, "police", 5),
        ("治安巡防记录", "Security patrol record", T, "O", F, "police", 4),
        ("校园周边安全隐患", "Hazard around a school", F, "U", F, "police", 1),
        ("寄递物流安全隐患", "Parcel and logistics safety hazard", F, "O", F, "police", 0.7),
    ],
    "city_mgmt": [
        ("占道经营", "Street vending on the road", T, "O", F, "enforcement", 10),
        ("暴露垃圾", "Exposed rubbish", T, "O", F, "enforcement", 12),
        ("乱堆物料", "Materials piled in public space", T, "O", F, "enforcement", 6),
        ("乱张贴小广告", "Illegal flyers", T, "O", F, "enforcement", 7),
        ("乱停放非机动车", "Disorderly parked bicycles and e-bikes", T, "O", F, "enforcement", 6),
        ("机动车乱停放", "Illegally parked car", T, "O", F, "enforcement", 6),
        ("店外经营", "Business spilling out of a shop", T, "O", F, "enforcement", 6),
        ("违规户外广告", "Illegal outdoor advertising", F, "O", F, "enforcement", 2),
        ("垃圾满溢", "Overflowing rubbish bins", T, "O", F, "enforcement", 6),
        ("道路积水", "Waterlogged road", F, "U", F, "housing", 2),
        ("路灯不亮", "Street light out", T, "O", F, "power", 3),
        ("井盖缺失破损", "Missing or broken manhole cover", F, "U", F, "housing", 2),
        ("绿化损毁", "Damaged greenery", T, "O", F, "housing", 2),
        ("违规晾晒", "Laundry hung in a prohibited place", T, "O", F, "enforcement", 3),
        ("油烟扰民", "Cooking-fume nuisance", F, "O", F, "enforcement", 1.5),
        ("噪声扰民", "Noise nuisance", F, "O", F, "enforcement", 2),
        ("供水管道漏水", "Leaking water main", F, "U", F, "water_supply", 1.5),
        ("电力线路隐患", "Power-line hazard", F, "U", F, "power", 1.5),
        ("流浪犬只", "Stray dogs", T, "O", F, "enforcement", 2),
        ("建筑垃圾乱倒", "Construction waste dumped", F, "O", F, "enforcement", 2),
    ],
    "work_safety": [
        ("消防通道堵塞", "Blocked fire lane", T, "U", F, "fire", 5),
        ("灭火器过期缺失", "Expired or missing fire extinguisher", T, "O", F, "fire", 4),
        ("电动车违规充电", "E-bike charged indoors", T, "U", F, "fire", 5),
        ("飞线充电", "Charging cable run from a window", T, "U", F, "fire", 4),
        ("燃气使用隐患", "Gas-use hazard", F, "U", F, "emergency", 2),
        ("三合一场所隐患", "Hazard in a live-work-store premises", F, "U", T, "fire", 1.5),
        ("危化品违规存放", "Hazardous chemicals stored illegally", F, "E", T, "emergency", 0.5),
        ("企业安全生产隐患", "Work-safety hazard in a company", F, "U", T, "emergency", 1.5),
        ("建筑工地安全隐患", "Construction-site safety hazard", F, "U", T, "housing", 1.2),
        ("有限空间作业隐患", "Confined-space work hazard", F, "U", T, "emergency", 0.4),
        ("烟花爆竹违规销售", "Illegal firework sales", F, "U", F, "emergency", 0.5),
        ("小作坊安全隐患", "Small-workshop safety hazard", F, "O", F, "emergency", 1.5),
        ("疏散通道堵塞", "Blocked evacuation route", T, "U", F, "fire", 2),
        ("电气线路老化", "Ageing electrical wiring", F, "O", F, "emergency", 1.5),
    ],
    "construction": [
        ("违章搭建", "Illegal structure", F, "O", T, "resources", 3),
        ("农房违法建设", "Illegal rural house building", F, "O", T, "resources", 2),
        ("危房隐患", "Dangerous building", F, "U", T, "housing", 1.5),
        ("路面破损", "Damaged road surface", F, "O", F, "housing", 4),
        ("人行道破损", "Damaged pavement", T, "O", F, "housing", 3),
        ("小区物业管理问题", "Housing-estate management problem", F, "O", F, "housing", 1.5),
        ("房屋外立面脱落", "Falling facade", F, "E", F, "housing", 0.5),
        ("老旧小区设施损坏", "Broken facilities in an old estate", F, "O", F, "housing", 2),
        ("施工扰民", "Construction noise", F, "O", F, "housing", 1.5),
        ("施工围挡破损", "Damaged construction hoarding", T, "O", F, "housing", 1.5),
        ("电梯故障困人", "People trapped in a broken lift", F, "E", F, "market", 0.4),
        ("违规占用耕地建房", "Building on farmland", F, "O", T, "resources", 0.8),
        ("排水管网堵塞", "Blocked drain", F, "U", F, "housing", 2),
    ],
    "edu_health": [
        ("校外培训机构违规", "Unlicensed tutoring centre", F, "O", F, "education", 0.8),
        ("适龄儿童失学辍学", "School-age child out of school", F, "U", T, "education", 0.3),
        ("无证行医", "Unlicensed medical practice", F, "U", T, "health", 0.4),
        ("疫苗接种提醒", "Vaccination reminder", T, "O", F, "health", 2),
        ("慢病随访", "Chronic-illness follow-up", T, "O", F, "health", 2),
        ("病媒生物孳生", "Mosquito or rat breeding site", T, "O", F, "health", 2),
        ("公共场所吸烟", "Smoking in a public place", T, "O", F, "health", 1),
        ("文化场所违规经营", "Entertainment venue breaking the rules", F, "O", F, "culture", 0.5),
        ("网吧接纳未成年人", "Internet cafe admitting minors", F, "O", F, "culture", 0.4),
        ("健身器材损坏", "Broken outdoor fitness equipment", T, "O", F, "culture", 1.5),
        ("传染病疫情线索", "Infectious-disease lead", F, "E", T, "health", 0.3),
        ("文物保护隐患", "Threat to a protected relic", F, "O", F, "culture", 0.3),
    ],
    "economy": [
        ("无证无照经营", "Unlicensed business", F, "O", F, "market", 2),
        ("食品安全隐患", "Food-safety hazard", F, "U", F, "market", 2),
        ("过期食品销售", "Expired food on sale", T, "O", F, "market", 1.5),
        ("价格欺诈", "Price fraud", F, "O", F, "market", 0.8),
        ("假冒伪劣商品", "Counterfeit goods", F, "O", F, "market", 0.7),
        ("拖欠农民工工资", "Unpaid migrant-worker wages", F, "U", T, "hrss", 1.2),
        ("企业经营异常", "Company in difficulty", F, "O", F, "economy_it", 0.6),
        ("市场秩序混乱", "Disorderly market", T, "O", F, "market", 1.5),
        ("消费纠纷", "Consumer dispute", F, "O", F, "market", 1.2),
        ("特种设备安全隐患", "Special-equipment hazard", F, "U", F, "market", 0.5),
        ("商铺空置登记", "Vacant shop record", T, "O", F, "commerce", 0.8),
        ("直播带货违规", "Illegal live-stream selling", F, "O", F, "market", 0.3),
    ],
    "environment": [
        ("河道漂浮物", "Floating debris in a river", T, "O", F, "water", 3),
        ("污水直排", "Untreated sewage discharge", F, "U", T, "ecology", 1.5),
        ("露天焚烧", "Open burning", T, "U", F, "ecology", 2.5),
        ("扬尘污染", "Dust pollution", F, "O", F, "ecology", 1.5),
        ("工业废气异味", "Industrial odour", F, "U", T, "ecology", 0.8),
        ("畜禽养殖污染", "Livestock-farm pollution", F, "O", T, "ecology", 1),
        ("非法采砂", "Illegal sand mining", F, "U", T, "water", 0.4),
        ("河道违法占用", "Illegal occupation of a river", F, "O", T, "water", 0.6),
        ("秸秆焚烧", "Straw burning", T, "U", F, "ecology", 1.5),
        ("固体废物非法倾倒", "Illegal dumping of solid waste", F, "U", T, "ecology", 0.7),
        ("山塘水库安全隐患", "Pond or reservoir safety hazard", F, "U", F, "water", 0.6),
        ("森林防火隐患", "Forest-fire hazard", F, "U", F, "resources", 1.2),
        ("野生动物保护", "Wild-animal protection", F, "O", F, "resources", 0.3),
    ],
    "social_affairs": [
        ("困难群众救助", "Help for a family in hardship", F, "O", F, "civil", 2),
        ("独居老人关爱", "Visit to an elderly person living alone", T, "O", F, "civil", 4),
        ("残疾人帮扶", "Disability assistance", T, "O", F, "civil", 1.5),
        ("低保申请咨询", "Minimum-allowance enquiry", T, "O", F, "civil", 2),
        ("社保医保参保", "Pension and medical-insurance enrolment", T, "O", F, "hrss", 3),
        ("医保报销咨询", "Medical-insurance reimbursement enquiry", T, "O", F, "medical_insurance", 1.5),
        ("就业求助", "Help finding work", T, "O", F, "hrss", 1.5),
        ("留守儿童关爱", "Care for a left-behind child", T, "O", F, "civil", 1.5),
        ("退役军人服务", "Veteran services", T, "O", F, "veterans", 0.8),
        ("违规殡葬", "Illegal burial", F, "O", T, "civil", 0.4),
        ("流浪乞讨救助", "Help for a vagrant", F, "U", F, "civil", 0.4),
        ("养老服务投诉", "Elderly-care complaint", F, "O", F, "civil", 0.5),
    ],
    "disputes": [
        ("邻里纠纷", "Neighbour dispute", F, "O", F, "justice", 4),
        ("家庭婚姻纠纷", "Family or marriage dispute", F, "O", F, "justice", 2),
        ("土地山林权属纠纷", "Land or forest ownership dispute", F, "O", T, "justice", 1.2),
        ("劳资纠纷", "Labour dispute", F, "U", T, "hrss", 1.2),
        ("物业纠纷", "Property-management dispute", F, "O", F, "housing", 1),
        ("宅基地纠纷", "Homestead dispute", F, "O", T, "resources", 0.8),
        ("征地拆迁纠纷", "Land-acquisition or demolition dispute", F, "U", T, "resources", 0.5),
        ("医疗纠纷", "Medical dispute", F, "U", T, "health", 0.3),
        ("交通事故纠纷", "Traffic-accident dispute", F, "O", F, "traffic_police", 0.7),
        ("婚恋纠纷", "Relationship dispute", F, "O", F, "justice", 0.5),
        ("合同债务纠纷", "Contract or debt dispute", F, "O", F, "justice", 0.8),
        ("房屋租赁纠纷", "Tenancy dispute", F, "O", F, "justice", 0.8),
    ],
    "agriculture": [
        ("农村人居环境问题", "Rural living-environment problem", T, "O", F, "agriculture", 3),
        ("农田抛荒", "Abandoned farmland", F, "O", F, "agriculture", 0.8),
        ("动物疫病线索", "Animal-disease lead", F, "U", T, "agriculture", 0.3),
        ("病死畜禽乱丢", "Dead livestock dumped", F, "U", F, "agriculture", 0.4),
        ("农药化肥违规使用", "Misuse of pesticide or fertiliser", F, "O", F, "agriculture", 0.4),
        ("农村公路损坏", "Damaged rural road", F, "O", F, "transport", 1.2),
        ("农田水利设施损坏", "Damaged irrigation works", F, "O", F, "water", 0.8),
        ("农村改厕问题", "Rural toilet renovation problem", T, "O", F, "agriculture", 0.8),
        ("村务公开问题", "Village affairs not made public", T, "O", F, "agriculture", 0.6),
        ("违规占用农田", "Illegal occupation of farmland", F, "O", T, "resources", 0.5),
        ("农产品滞销", "Unsold farm produce", F, "O", F, "agriculture", 0.3),
        ("地质灾害隐患点", "Geological-hazard site", F, "U", T, "resources", 0.5),
        ("山林火情", "Hill fire", F, "E", F, "emergency", 0.2),
    ],
    "transport": [
        ("交通信号灯故障", "Traffic-light failure", F, "U", F, "traffic_police", 1),
        ("交通标志缺损", "Damaged traffic sign", T, "O", F, "transport", 1),
        ("非法营运", "Unlicensed taxi", F, "O", F, "transport", 0.6),
        ("道路障碍物", "Obstacle on the road", T, "U", F, "transport", 1.5),
        ("公交站台损坏", "Damaged bus stop", T, "O", F, "transport", 0.8),
        ("桥梁安全隐患", "Bridge safety hazard", F, "U", T, "transport", 0.4),
        ("道路塌陷", "Road collapse", F, "E", F, "transport", 0.3),
        ("交通事故", "Traffic accident", F, "E", F, "traffic_police", 0.6),
        ("货车超限超载", "Overloaded lorry", F, "O", F, "transport", 0.4),
        ("电动车违规载人", "E-bike carrying passengers illegally", T, "O", F, "traffic_police", 1),
        ("僵尸车", "Abandoned car", T, "O", F, "traffic_police", 1),
        ("护栏损坏", "Damaged guard-rail", T, "O", F, "transport", 0.8),
    ],
    "petitions": [
        ("群体性事件苗头", "Sign of a collective incident", F, "E", T, "petitions", 0.3),
        ("越级上访苗头", "Sign of petitioning over the head of the county", F, "U", T, "petitions", 0.4),
        ("信访积案化解", "Long-standing petition case", F, "O", T, "petitions", 0.5),
        ("重点信访人员动态", "Movements of a repeat petitioner", F, "O", T, "petitions", 0.6),
        ("网络舆情", "Online public-opinion incident", F, "U", T, "petitions", 0.4),
        ("涉众型经济风险", "Mass economic risk", F, "U", T, "police", 0.2),
        ("不稳定因素排查", "Stability risk check", T, "O", F, "petitions", 1.2),
        ("政策咨询", "Policy enquiry", T, "O", F, "gov_office", 1),
        ("历史遗留问题", "Historical grievance", F, "O", T, "petitions", 0.4),
        ("邪教活动线索", "Cult activity lead", F, "U", T, "police", 0.1),
        ("重大活动维稳", "Stability work for a major event", T, "O", F, "petitions", 0.5),
    ],
    "beyond_scope": [
        ("超出网格职责事项", "Matter beyond the grid's remit", F, "O", F, "gov_office", 1),
        ("其他事项", "Other matter", T, "O", F, "gov_office", 2),
        ("意见建议", "Suggestion", T, "O", F, "gov_office", 1),
        ("表扬感谢", "Praise or thanks", T, "O", F, "gov_office", 0.5),
        ("跨区域事项", "Matter crossing county borders", F, "O", T, "gov_office", 0.3),
        ("无法归类事项", "Unclassifiable matter", T, "O", F, "gov_office", 0.5),
        ("企业诉求", "Request from a business", F, "O", F, "commerce", 0.6),
        ("公共服务设施需求", "Request for a public facility", F, "O", F, "gov_office", 0.6),
        ("通信网络故障", "Telecom network fault", F, "O", F, "gov_office", 0.5),
        ("快递服务投诉", "Courier service complaint", T, "O", F, "gov_office", 0.3),
        ("宠物扰民", "Pet nuisance", T, "O", F, "gov_office", 0.5),
    ],
}

# County departments: (key, name, name_en, line of business = category code).
COUNTY_DEPARTMENTS = [
    ("police", "县公安局", "County Public Security Bureau", "public_safety"),
    ("enforcement", "县综合行政执法局", "County Comprehensive Law Enforcement Bureau", "city_mgmt"),
    ("housing", "县住房和城乡建设局", "County Housing and Urban-Rural Development Bureau", "construction"),
    ("transport", "县交通运输局", "County Transport Bureau", "transport"),
    ("traffic_police", "县公安局交警大队", "County Traffic Police Brigade", "transport"),
    ("emergency", "县应急管理局", "County Emergency Management Bureau", "work_safety"),
    ("fire", "县消防救援大队", "County Fire and Rescue Brigade", "work_safety"),
    ("market", "县市场监督管理局", "County Market Supervision Administration", "economy"),
    ("ecology", "市生态环境局县分局", "County Branch of the Municipal Ecology and Environment Bureau", "environment"),
    ("water", "县水利局", "County Water Resources Bureau", "environment"),
    ("health", "县卫生健康局", "County Health Commission", "edu_health"),
    ("education", "县教育局", "County Education Bureau", "edu_health"),
    ("culture", "县文化和广电旅游体育局", "County Culture, Broadcasting, Tourism and Sports Bureau", "edu_health"),
    ("civil", "县民政局", "County Civil Affairs Bureau", "social_affairs"),
    ("hrss", "县人力资源和社会保障局", "County Human Resources and Social Security Bureau", "social_affairs"),
    ("medical_insurance", "县医疗保障局", "County Healthcare Security Administration", "social_affairs"),
    ("veterans", "县退役军人事务局", "County Veterans Affairs Bureau", "social_affairs"),
    ("resources", "县自然资源和规划局", "County Natural Resources and Planning Bureau", "construction"),
    ("agriculture", "县农业农村局", "County Agriculture and Rural Affairs Bureau", "agriculture"),
    ("power", "国网县供电公司", "State Grid County Power Supply Company", "city_mgmt"),
    ("water_supply", "县自来水公司", "County Water Supply Company", "city_mgmt"),
    ("petitions", "县信访局", "County Petitions Bureau", "petitions"),
    ("justice", "县司法局", "County Justice Bureau", "disputes"),
    ("economy_it", "县经济和信息化局", "County Economy and Information Technology Bureau", "economy"),
    ("commerce", "县商务局", "County Commerce Bureau", "economy"),
    ("gov_office", "县政府办公室(12345热线)", "County Government Office (12345 hotline)", "beyond_scope"),
]

# Units every town/street has: (county department key they stand in for, name suffix, name_en, line).
TOWN_UNITS = [
    ("enforcement", "综合行政执法中队", "Law Enforcement Squad", "city_mgmt"),
    ("emergency", "应急管理(安监)站", "Emergency and Work-Safety Station", "work_safety"),
    ("justice", "司法所", "Justice Office", "disputes"),
]

# Departments whose professional workers sit in the grids (one covers about a dozen grids).
PROFESSIONAL_DEPARTMENTS = [("police", 12), ("enforcement", 12), ("justice", 16)]

COUNTY_NAME = "台岳县"
STREET_NAMES = ["城关街道", "东湖街道", "西溪街道", "南屏街道"]
TOWN_NAMES = [
    "白鹤镇",
    "平桥镇",
    "石梁镇",
    "清溪镇",
    "龙溪镇",
    "桃源镇",
    "松岭镇",
    "枫林镇",
    "金竹镇",
    "上塘镇",
    "花山镇",
    "双港镇",
    "岩下镇",
    "横山乡",
    "三溪乡",
]

VILLAGE_FIRST = list("前后上下东西南北大小新中外里")
VILLAGE_AUSPICIOUS = list("和平兴福龙凤青石竹梅桃杏柳桂松枫莲金银玉花白黄红沙岩")
VILLAGE_LANDFORM = list("山溪塘岙坑桥岭湾洋田坦岩头墩坪垟庄林口村")
COMMUNITY_CHARS = list("文和兴华新康安泰锦阳丰学府湖滨江桥园光明城东西南北德育仁惠")
PLACE_SURNAMES = list("王陈张李林吴徐金周叶朱杨胡潘何许应郑娄褚范")

LANDMARKS_RURAL = ["村口", "文化礼堂旁", "老年活动中心附近", "溪边", "村道旁", "祠堂前", "农贸点", "桥头"]
LANDMARKS_URBAN = ["小区东门", "菜市场旁", "商业街", "十字路口", "学校门口", "公交站附近", "沿街店铺前", "地下车库入口"]

SURNAMES = (
    "陈王张李林吴徐金周叶朱杨胡潘何许应郑黄赵孙马刘郭罗高梁谢宋唐韩冯邓曹彭曾肖田董袁蔡蒋余"
    "杜程魏苏吕丁任卢姚沈钟姜崔陆范汪廖石贾夏方邹熊孟秦邱侯江尹薛段雷龙史陶贺毛顾龚邵钱戴汤庞娄褚"
)
GIVEN_MALE = list("伟强军平建国明华志勇斌海涛杰峰磊超鹏飞俊宏波辉刚健文林成东亮晨浩宇德福荣贵新春")
GIVEN_FEMALE = list("芳娟敏静丽艳萍燕红霞玲英华秀兰凤琴云洁琳雪梅莉婷慧颖珍娜翠桂花月美佳")

MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "170",
    "173",
    "175",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "193",
    "195",
    "198",
    "199",
]

# Description openers by source.
SOURCE_PHRASES = {
    "patrol": "巡查发现",
    "household_visit": "入户走访时居民反映",
    "resident_call": "居民来电反映",
    "camera_alert": "视频监控智能识别",
    "hotline_12345": "12345热线转办:市民反映",
}

# Rewordings of a re-entered report (planted near-duplicates): the same place and problem in other
# words, as a worker re-typing a report does it.
REWORDINGS = (
    "{place}{item}问题仍未解决,再次上报。",
    "再次巡查:{place}存在{item}情况。",
    "{place}附近发现{item},请及时处理。",
    "{place}{item}反复出现,现场拍照上报。",
    "复查发现{place}仍有{item}问题。",
    "{place}一带{item},已提醒当事人整改。",
)
