"""The demo company's fixed vocabulary: a home-textile and housewares exporter in Zhejiang."""

# (username, role, Chinese name, English name) — every role has at least one user.
USERS = [
    ("admin", "admin", "系统管理员", "Admin"),
    ("manager", "manager", "王经理", "Wang Jun"),
    ("merch1", "merchandiser", "李娜", "Li Na"),
    ("merch2", "merchandiser", "陈静", "Chen Jing"),
    ("merch3", "merchandiser", "赵磊", "Zhao Lei"),
    ("sales1", "sales", "刘洋", "Liu Yang"),
    ("sales2", "sales", "周婷", "Zhou Ting"),
    ("buyer", "purchasing", "孙强", "Sun Qiang"),
    ("planner", "planner", "吴敏", "Wu Min"),
    ("qc", "qc", "郑浩", "Zheng Hao"),
    ("shipping", "shipping", "黄丽", "Huang Li"),
    ("finance", "finance", "何芳", "He Fang"),
]
DEMO_PASSWORD = "gendan-demo"

# (code, Chinese name, English name, tier, country, currency, incoterm, payment terms)
CUSTOMERS = [
    ("C-NW01", "北风家居", "Northwind Home Inc.", "key", "US", "USD", "FOB", "T/T 30% deposit, 70% against B/L copy"),
    ("C-HB02", "汉堡生活馆", "Hamburg Living GmbH", "key", "DE", "EUR", "FOB", "L/C at sight"),
    ("C-BL03", "蓝湖零售", "Bluelake Retail Ltd", "key", "GB", "GBP", "CIF", "T/T 60 days after B/L"),
    ("C-SK04", "樱花商事", "Sakura Shoji Co., Ltd.", "key", "JP", "JPY", "FOB", "T/T 30 days"),
    (
        "C-MP05",
        "枫叶百货",
        "Maple Department Stores",
        "normal",
        "CA",
        "CAD",
        "FOB",
        "T/T 30% deposit, balance before shipment",
    ),
    ("C-OZ06", "袋鼠家纺", "Roo Home Textiles Pty", "normal", "AU", "AUD", "CIF", "T/T 45 days"),
    ("C-PA07", "巴黎之家", "Maison de Paris SARL", "normal", "FR", "EUR", "FOB", "L/C 30 days"),
    ("C-DU08", "郁金香贸易", "Tulip Trading B.V.", "normal", "NL", "EUR", "FOB", "T/T 30 days"),
    ("C-MI09", "米兰设计", "Milano Design S.r.l.", "normal", "IT", "EUR", "CFR", "T/T 50% deposit"),
    ("C-MA10", "马德里家居", "Casa Madrid S.L.", "normal", "ES", "EUR", "FOB", "T/T 30 days"),
    ("C-DX11", "迪拜优品", "Dubai Select LLC", "normal", "AE", "USD", "CIF", "L/C at sight"),
    ("C-SE12", "首尔生活", "Seoul Living Co.", "normal", "KR", "USD", "FOB", "T/T 30 days"),
    ("C-TX13", "德州批发", "Texas Wholesale Supply", "normal", "US", "USD", "FOB", "O/A 60 days"),
    (
        "C-CA14",
        "加州户外",
        "California Outdoor Co.",
        "normal",
        "US",
        "USD",
        "FOB",
        "T/T 30% deposit, 70% before shipment",
    ),
    ("C-NY15", "纽约精品", "NY Boutique Group", "key", "US", "USD", "DDP", "T/T 30 days"),
    ("C-SG16", "狮城家品", "Lion City Homeware Pte", "normal", "SG", "SGD", "CIF", "T/T 30 days"),
    ("C-HK17", "维港贸易", "Harbour Trading (HK) Ltd", "normal", "HK", "HKD", "FOB", "T/T before shipment"),
    ("C-SZ18", "阿尔卑斯", "Alpine Haus AG", "normal", "CH", "CHF", "FCA", "T/T 30 days"),
    ("C-PL19", "波罗的海", "Baltic Home Sp. z o.o.", "prospect", "PL", "EUR", "FOB", "to be agreed"),
    ("C-BR20", "里约家居", "Rio Casa Ltda", "prospect", "BR", "USD", "CIF", "to be agreed"),
    ("C-MX21", "墨城百货", "Mexico City Stores", "prospect", "MX", "USD", "FOB", "to be agreed"),
    ("C-SA22", "利雅得贸易", "Riyadh Trading Est.", "prospect", "SA", "USD", "CFR", "to be agreed"),
    ("C-SE23", "北欧之家", "Nordic Hem AB", "normal", "SE", "EUR", "FOB", "T/T 45 days"),
    ("C-DK24", "丹麦设计", "Copenhagen Design ApS", "normal", "DK", "EUR", "FOB", "T/T 30 days"),
    ("C-CN25", "上海优家", "Shanghai Youjia Trading", "normal", "CN", "CNY", "EXW", "月结 30 天"),
]

# (code, Chinese name, English name, kind, city)
SUPPLIERS = [
    ("S-TX01", "绍兴华纺织造", "Shaoxing Huafang Weaving", "material", "绍兴"),
    ("S-TX02", "高阳毛巾原料", "Gaoyang Terry Yarn Co.", "material", "保定"),
    ("S-TX03", "南通棉纺", "Nantong Cotton Mill", "material", "南通"),
    ("S-TR04", "义乌辅料城", "Yiwu Trims Centre", "material", "义乌"),
    ("S-ZP05", "温州拉链", "Wenzhou Zipper Works", "material", "温州"),
    ("S-PK06", "宁波纸箱包装", "Ningbo Carton Packaging", "material", "宁波"),
    ("S-LB07", "杭州织唛", "Hangzhou Woven Labels", "material", "杭州"),
    ("S-DY08", "柯桥印染", "Keqiao Dyeing & Printing", "material", "绍兴"),
    ("S-FA09", "海宁缝制厂", "Haining Sewing Factory", "subcontract", "海宁"),
    ("S-FA10", "桐乡家纺加工厂", "Tongxiang Home Textile Works", "subcontract", "桐乡"),
    ("S-FA11", "湖州绣花厂", "Huzhou Embroidery", "subcontract", "湖州"),
    ("S-FW12", "宁波远航货代", "Ningbo Ocean Link Logistics", "forwarder", "宁波"),
    ("S-FW13", "上海环球货运", "Shanghai Global Freight", "forwarder", "上海"),
    ("S-CR14", "顺丰速运", "SF Express", "courier", "深圳"),
    ("S-IN15", "华测检测", "CTI Inspection Services", "inspection", "上海"),
    ("S-KN16", "萧山经编织造", "Xiaoshan Warp Knitting", "material", "杭州"),
    ("S-HW17", "东阳五金辅料", "Dongyang Hardware Trims", "material", "金华"),
]
# Payment terms agreed with the material suppliers (copied onto their purchase orders).
SUPPLIER_TERMS = {
    "S-TX01": "月结 60 天",
    "S-TX02": "月结 30 天",
    "S-TX03": "月结 60 天",
    "S-TR04": "货到付款",
    "S-ZP05": "月结 30 天",
    "S-PK06": "月结 30 天",
    "S-LB07": "月结 30 天",
    "S-DY08": "30% 预付, 余款月结 30 天",
    "S-KN16": "月结 45 天",
    "S-HW17": "货到付款",
}

# Materials: (category, Chinese stem, spec options, unit, lead time, supplier code)
MATERIAL_FAMILIES = [
    ("fabric", "全棉毛巾布", ["400gsm 白", "500gsm 白", "550gsm 灰", "600gsm 米", "450gsm 蓝"], "kg", 15, "S-TX02"),
    ("fabric", "竹纤维毛圈布", ["450gsm 白", "500gsm 灰", "520gsm 粉"], "kg", 20, "S-TX02"),
    ("fabric", "全棉府绸", ["40S 133x72 白", "40S 133x72 印花", "60S 200TC 白"], "m", 12, "S-TX03"),
    ("fabric", "全棉贡缎", ["300TC 白", "400TC 灰", "400TC 蓝"], "m", 18, "S-TX03"),
    ("fabric", "涤纶超细纤维", ["220gsm 灰", "280gsm 白", "300gsm 蓝"], "m", 10, "S-KN16"),
    ("fabric", "亚麻布", ["160gsm 本色", "180gsm 白", "180gsm 灰"], "m", 25, "S-TX01"),
    ("fabric", "帆布", ["10oz 本色", "12oz 黑", "12oz 军绿"], "m", 14, "S-TX01"),
    ("fabric", "法兰绒", ["200gsm 格子", "220gsm 纯色"], "m", 16, "S-KN16"),
    ("fabric", "印花棉布", ["花卉", "几何", "条纹", "圣诞"], "m", 20, "S-DY08"),
    ("raw", "聚酯纤维填充棉", ["7D 中空", "15D 中空", "羽丝绒"], "kg", 8, "S-TX01"),
    ("raw", "缝纫线", ["40S/2 白", "40S/2 黑", "40S/2 配色"], "roll", 5, "S-TR04"),
    ("trim", "织唛", ["主唛 3x5cm", "洗水唛", "尺码唛"], "pcs", 10, "S-LB07"),
    ("trim", "吊牌", ["纸质 5x9cm", "环保牛皮纸"], "pcs", 7, "S-TR04"),
    ("trim", "棉织带", ["15mm 白", "25mm 本色", "25mm 黑"], "m", 7, "S-TR04"),
    ("trim", "拉链", ["3# 尼龙 40cm", "5# 尼龙 60cm", "5# 金属 20cm", "隐形 50cm"], "pcs", 12, "S-ZP05"),
    ("trim", "纽扣", ["11mm 树脂", "15mm 椰壳", "18mm 木质"], "pcs", 10, "S-HW17"),
    ("trim", "绣花线", ["人丝 120D", "涤纶 150D"], "roll", 9, "S-TR04"),
    ("component", "金属扣", ["D 环 25mm", "日字扣 25mm", "磁扣 14mm"], "pcs", 15, "S-HW17"),
    ("component", "包边条", ["斜纹 20mm", "涤纶 15mm"], "m", 8, "S-TR04"),
    ("packaging", "外箱", ["五层 60x40x40", "五层 50x40x30", "三层 40x30x30", "五层 60x45x35"], "pcs", 6, "S-PK06"),
    ("packaging", "PE 自封袋", ["30x40cm", "40x50cm", "50x60cm"], "pcs", 6, "S-PK06"),
    ("packaging", "彩盒", ["单条装", "三条装", "礼盒"], "pcs", 12, "S-PK06"),
    ("packaging", "腰封", ["彩印 8cm", "牛皮纸 6cm"], "pcs", 8, "S-PK06"),
    ("packaging", "条码贴纸", ["EAN-13", "UPC-A", "箱唛贴"], "sheet", 5, "S-PK06"),
]

# Product families: (category, Chinese stem, English stem, specs, unit, units per carton, carton LxWxH, net kg,
#   unit price range (USD), BOM material families by index into MATERIAL_FAMILIES)
PRODUCT_FAMILIES = [
    (
        "毛巾 Towels",
        "纯棉浴巾",
        "Cotton bath towel",
        ["70x140cm", "80x160cm", "90x180cm"],
        "pcs",
        24,
        (60, 40, 40),
        14.0,
        (3.2, 6.5),
        [0, 10, 11, 12, 19, 20],
    ),
    (
        "毛巾 Towels",
        "纯棉面巾",
        "Cotton face towel",
        ["34x76cm", "40x80cm"],
        "pcs",
        60,
        (60, 40, 35),
        9.5,
        (0.9, 1.8),
        [0, 10, 11, 19, 20],
    ),
    (
        "毛巾 Towels",
        "竹纤维方巾",
        "Bamboo wash cloth",
        ["30x30cm", "33x33cm"],
        "pcs",
        120,
        (50, 40, 30),
        6.5,
        (0.5, 1.1),
        [1, 10, 11, 19, 21],
    ),
    (
        "毛巾 Towels",
        "沙滩巾",
        "Beach towel",
        ["90x170cm 条纹", "100x180cm 印花"],
        "pcs",
        20,
        (60, 45, 35),
        12.0,
        (4.5, 8.0),
        [8, 10, 11, 12, 19, 20],
    ),
    (
        "床品 Bedding",
        "全棉四件套",
        "Cotton duvet cover set",
        ["单人", "双人", "加大"],
        "set",
        8,
        (60, 40, 40),
        12.0,
        (14.0, 28.0),
        [2, 10, 11, 15, 19, 21],
    ),
    (
        "床品 Bedding",
        "贡缎被套",
        "Sateen duvet cover",
        ["150x200cm", "200x220cm", "220x240cm"],
        "pcs",
        10,
        (60, 40, 35),
        11.0,
        (11.0, 22.0),
        [3, 10, 11, 14, 19, 20],
    ),
    (
        "床品 Bedding",
        "枕芯",
        "Pillow insert",
        ["48x74cm", "50x75cm"],
        "pcs",
        12,
        (60, 45, 35),
        9.0,
        (2.8, 5.5),
        [2, 9, 10, 11, 19, 20],
    ),
    (
        "床品 Bedding",
        "法兰绒毯",
        "Flannel throw",
        ["127x152cm", "150x200cm"],
        "pcs",
        12,
        (60, 40, 40),
        10.5,
        (6.0, 12.0),
        [7, 10, 11, 18, 19, 22],
    ),
    (
        "厨房纺织 Kitchen",
        "亚麻茶巾",
        "Linen tea towel",
        ["45x65cm", "50x70cm"],
        "pcs",
        100,
        (50, 40, 30),
        8.0,
        (1.2, 2.6),
        [5, 10, 11, 12, 19, 22],
    ),
    (
        "厨房纺织 Kitchen",
        "隔热手套",
        "Oven mitt",
        ["17x30cm", "18x32cm"],
        "pcs",
        100,
        (60, 40, 40),
        9.0,
        (1.1, 2.4),
        [8, 9, 10, 11, 18, 19],
    ),
    (
        "厨房纺织 Kitchen",
        "围裙",
        "Apron",
        ["70x85cm", "儿童 50x60cm"],
        "pcs",
        50,
        (60, 40, 30),
        10.0,
        (2.5, 5.0),
        [6, 10, 11, 13, 17, 19, 20],
    ),
    (
        "厨房纺织 Kitchen",
        "超细纤维清洁布",
        "Microfiber cleaning cloth",
        ["30x30cm 5 片装", "40x40cm 3 片装"],
        "set",
        80,
        (50, 40, 35),
        9.0,
        (1.0, 2.2),
        [4, 10, 12, 19, 23],
    ),
    (
        "箱包 Bags",
        "帆布购物袋",
        "Canvas tote bag",
        ["38x42cm", "45x40x12cm"],
        "pcs",
        100,
        (60, 40, 40),
        15.0,
        (1.8, 4.2),
        [6, 10, 13, 11, 19, 20],
    ),
    (
        "箱包 Bags",
        "收纳篮",
        "Storage basket",
        ["S 25cm", "M 30cm", "L 35cm"],
        "pcs",
        24,
        (60, 60, 45),
        7.0,
        (3.0, 7.5),
        [6, 10, 13, 11, 17, 19],
    ),
    (
        "箱包 Bags",
        "化妆包",
        "Cosmetic pouch",
        ["20x14cm", "24x16cm"],
        "pcs",
        200,
        (60, 40, 35),
        11.0,
        (1.4, 3.2),
        [6, 14, 10, 11, 19, 20],
    ),
    (
        "家居饰品 Home decor",
        "抱枕套",
        "Cushion cover",
        ["45x45cm", "50x50cm", "30x50cm"],
        "pcs",
        100,
        (60, 40, 35),
        10.0,
        (1.6, 4.0),
        [5, 14, 10, 11, 19, 20],
    ),
    (
        "家居饰品 Home decor",
        "刺绣桌旗",
        "Embroidered table runner",
        ["33x180cm", "40x200cm"],
        "pcs",
        60,
        (60, 40, 30),
        9.0,
        (3.5, 7.0),
        [5, 16, 10, 11, 19, 22],
    ),
    (
        "家居饰品 Home decor",
        "窗帘",
        "Curtain panel",
        ["140x245cm", "140x270cm"],
        "pcs",
        20,
        (60, 40, 40),
        13.0,
        (6.5, 14.0),
        [5, 10, 13, 11, 19, 20],
    ),
]

PORTS = [
    "Los Angeles",
    "Hamburg",
    "Felixstowe",
    "Tokyo",
    "Vancouver",
    "Sydney",
    "Le Havre",
    "Rotterdam",
    "Genoa",
    "Valencia",
    "Jebel Ali",
    "Busan",
    "Houston",
    "Oakland",
    "New York",
    "Singapore",
    "Hong Kong",
    "Basel",
    "Gdansk",
    "Santos",
    "Manzanillo",
    "Dammam",
    "Gothenburg",
    "Aarhus",
    "Shanghai",
]

QUALITY_NOTES = [
    "AQL 2.5 major / 4.0 minor; colour fastness ≥ 4 级",
    "OEKO-TEX Standard 100 证书随货; 甲醛不得检出",
    "缩水率 ≤ 5%; 不得有断纱、跳针",
    "按客户确认的产前样生产; 色差 ≥ 4 级",
    "",
]
PACKAGING_NOTES = [
    "每件入 PE 袋, 24 件一外箱, 箱唛按客户文件",
    "彩盒包装, 条码贴在右下角, 外箱五层瓦楞",
    "腰封 + 吊牌, 6 件一内盒, 4 内盒一外箱",
    "散装入 PE 袋, 外箱不超过 20 kg",
]
CHANGE_REASONS = [
    "客户邮件要求追加数量",
    "客户要求推迟出厂日期",
    "客户确认新的价格",
    "包装要求变更: 改为彩盒",
    "客户取消部分款式",
]
REJECT_COMMENTS = {
    "price": "单价低于成本核算, 请业务重新确认",
    "delivery_date": "交期太紧, 当前产能排满, 建议推迟两周",
    "materials": "面料供应商交期 25 天, 需调整",
    "quality": "客户质量标准文件未提供",
    "completeness": "缺少客户确认的产前样照片",
}

# What a merchandiser hears when chasing each milestone: (party, what was said).
FOLLOW_UPS = {
    "MO": [("supplier", "面料厂确认已收到采购单, 安排排期"), ("colleague", "采购已下单, 等供应商回签")],
    "PPS": [("customer", "客户说产前样评语本周内回复"), ("factory", "产前样已寄出, DHL 单号已发客户")],
    "MIH": [("supplier", "面料厂说染色排期推迟, 承诺新交期"), ("supplier", "辅料已发货, 物流预计两天到")],
    "PS": [("factory", "车间确认产线已排, 等物料齐套上线"), ("colleague", "PMC 说下周一上线")],
    "P50": [("factory", "车间日产量低于计划, 已要求加班"), ("factory", "中期检验安排在周四")],
    "PC": [("factory", "尾部包装中, 预计周末完成"), ("factory", "返工 200 件, 完成日期顺延")],
    "FI": [("customer", "客户验货员确认验货日期"), ("colleague", "QC 安排尾期检验")],
    "BK": [("colleague", "货代已订舱, 等船公司放舱"), ("customer", "客户指定货代, 等订舱确认")],
    "*": [("customer", "客户询问进度, 已回复预计出厂日"), ("colleague", "与跟单组同步进度")],
}

# ---- purchasing and stock -------------------------------------------------------------------------------------

# Purchasing, receiving and the stores moved into Gendan this many days ago: the stores were set up and counted
# (the opening stock) then, and the orders bought from then on have their purchase orders in Gendan.
PURCHASING_SINCE_DAYS = 75

# Purchase price (CNY, without VAT) of each material family's first spec, per its unit: fabric per kg or metre,
# trims and cartons per piece. Each further spec of the family costs 6 % more, a colour variant 5 % more.
MATERIAL_PRICES = {
    "全棉毛巾布": "42.50",  # kg
    "竹纤维毛圈布": "58.00",  # kg
    "全棉府绸": "9.80",  # m
    "全棉贡缎": "16.50",  # m
    "涤纶超细纤维": "7.20",  # m
    "亚麻布": "28.00",  # m
    "帆布": "12.50",  # m
    "法兰绒": "11.00",  # m
    "印花棉布": "10.50",  # m
    "聚酯纤维填充棉": "14.00",  # kg
    "缝纫线": "6.50",  # roll
    "织唛": "0.12",  # pcs
    "吊牌": "0.08",  # pcs
    "棉织带": "0.65",  # m
    "拉链": "0.90",  # pcs
    "纽扣": "0.15",  # pcs
    "绣花线": "8.00",  # roll
    "金属扣": "0.35",  # pcs
    "包边条": "0.30",  # m
    "外箱": "6.80",  # pcs
    "PE 自封袋": "0.12",  # pcs
    "彩盒": "1.60",  # pcs
    "腰封": "0.25",  # pcs
    "条码贴纸": "0.05",  # sheet
}

# (code, name, address, [(location code, location name)]): the material store first, so purchase orders deliver
# there by default.
WAREHOUSES = [
    (
        "WH01",
        "原料仓",
        "厂区 1 号楼一楼",
        [
            ("A-01", "面料区 1 号货架"),
            ("A-02", "面料区 2 号货架"),
            ("A-03", "面料区 3 号货架"),
            ("B-01", "辅料区 1 号货架"),
            ("B-02", "辅料区 2 号货架"),
            ("C-01", "包材区"),
        ],
    ),
    ("WH02", "成品仓", "厂区 3 号楼", [("F-01", "成品区 1 号"), ("F-02", "成品区 2 号"), ("F-09", "待出货区")]),
]
# Where each material category is kept in the material store (location codes of WH01).
STORE_RACKS = {
    "fabric": ["A-01", "A-02", "A-03"],
    "raw": ["A-03"],
    "trim": ["B-01", "B-02"],
    "component": ["B-02"],
    "packaging": ["C-01"],
}
OPENING_STOCK_REASON = "期初库存"
# Opening stock (name, spec): quantity. Generic trims and packaging are kept in stock (white and black thread,
# care and size labels, plain tags and bags) with a few staple fabrics; what carries the customer's name or colour
# (main labels, matched thread, printed cartons) is bought for each order.
OPENING_STOCK = {
    ("全棉毛巾布", "400gsm 白"): 6000,
    ("全棉府绸", "40S 133x72 白"): 20000,
    ("帆布", "10oz 本色"): 12000,
    ("亚麻布", "160gsm 本色"): 8000,
    ("聚酯纤维填充棉", "7D 中空"): 5000,
    ("缝纫线", "40S/2 白"): 240000,
    ("缝纫线", "40S/2 黑"): 160000,
    ("织唛", "洗水唛"): 300000,
    ("织唛", "尺码唛"): 200000,
    ("吊牌", "纸质 5x9cm"): 150000,
    ("棉织带", "25mm 本色"): 40000,
    ("包边条", "斜纹 20mm"): 50000,
    ("PE 自封袋", "30x40cm"): 150000,
    ("PE 自封袋", "40x50cm"): 120000,
    ("腰封", "牛皮纸 6cm"): 60000,
    ("条码贴纸", "EAN-13"): 200000,
    ("外箱", "五层 60x40x40"): 15000,
}

# What a supplier writes when it confirms through its link.
SUPPLIER_CONFIRM_NOTES = [
    "已排产, 按确认日期交货",
    "收到订单, 染色排期已确认",
    "按期交货, 送货前电话通知",
    "",
    "",
]
# What a buyer notes when the supplier pushes a promised date out on the phone.
PROMISE_CHANGE_NOTES = [
    "供应商电话: 染缸排满, 交期推迟",
    "供应商微信: 原纱未到, 顺延几天",
    "供应商说机台检修, 新交期如下",
    "催单后供应商给出新交期",
]
# Incoming inspection: defects of rejected goods, by disposition.
DEFECTS = {
    "reject": ["色差超标 (低于 4 级)", "克重不足, 实测低于合同 8%", "布面破洞、油污较多", "尺寸不符, 宽幅偏窄 3cm"],
    "rework": ["印刷位置偏移, 退回返工", "织唛字体错误, 返工重织", "纸箱印刷模糊, 返工"],
    "concession": ["轻微色差 (3-4 级), 业务确认让步接收", "个别跳纱, 不影响使用, 让步接收"],
}
# Delay causes of late purchase lines (cause, note), covering the three families of the scorecard.
DELAY_NOTES = {
    "over_capacity": ["供应商旺季产能不足, 排单延后", "染缸排满, 插单未果"],
    "beyond_technology": ["新工艺打样三次才通过", "特殊色号供应商染不准"],
    "poor_process": ["生产过程断纱多, 返工耽误", "印花对花不准, 重新生产"],
    "poor_quality": ["首批来料不合格, 重新生产", "检验不合格退货后补货"],
    "wrong_supplier": ["小厂接大单, 交不出来", "该供应商不擅长此类面料"],
    "unclear_quality": ["色卡未及时确认, 供应商等样", "质量标准未写清, 来回确认"],
    "forced_price": ["压价后供应商优先做其他客户的单", "价格过低, 供应商拖延"],
    "weak_expediting": ["下单后没有及时跟催", "交期前一天才发现未发货"],
    "too_far": ["外省供应商, 物流在途时间长", "物流中转耽误两天"],
    "late_information": ["客户包装资料晚到, 下单推迟", "订单变更未及时通知供应商"],
}
SHORT_CLOSE_REASON = "供应商余量不再交货, 差额已从库存调配"
CANCEL_PO_REASON = "客户取消订单, 采购单一并取消"
ISSUE_REASON = "生产领料"

# ---- production planning --------------------------------------------------------------------------------------

# Production planning moved into Gendan this many working days ago: the planner set up the plant (work centres,
# routings), registered a production notice for each line of the open orders and released them in due-date order.
PLANNING_SINCE_WORKING_DAYS = 6

# The shop floor since go-live: most days a line makes 97–103 % of its plan; about one day in six it falls short
# (70–90 %) and says why. Defects run at 0–3 % of the good output.
SLOW_DAY_SHARE = 0.17
NORMAL_DAY_OUTPUT = ["0.97", "0.98", "1.00", "1.00", "1.01", "1.03"]
SLOW_DAY_OUTPUT = ["0.70", "0.78", "0.85", "0.90"]
DEFECT_RATES = ["0", "0.005", "0.01", "0.02", "0.03"]
VARIANCE_REASONS = ["equipment", "material", "staff", "quality", "upstream", "rush", "equipment", "staff"]
VARIANCE_NOTES = ["平车断针, 停机 2 小时", "面料晚到半天", "3 人请假", "返工 40 件", "上道工序未完成", "插单: 急单先做"]
SUBCONTRACT_PRICES = {"WX-HN": "4.50", "WX-TX": "3.20"}  # per piece, sewing only
SUBCONTRACT_FINDINGS = "跳线、线头未剪净, 退回返修"
SUBCONTRACT_NOTE = "只做缝制; 裁片由本厂发出, 成品回厂整烫包装。"

# Work centres: (code, name, kind, subcontract supplier, capacity unit, daily capacity, product family, overtime per
# day). The cutting room has two tables (8 hours each); a sewing line's hours are the line's own (two shifts on the
# busy lines); a subcontract factory (外协厂) takes so many units of its product family a day.
WORK_CENTRES = [
    ("CUT", "裁床 (2 台)", "workshop", "", "hours", "16", "", "4"),
    ("SEW1", "缝制一线 (毛巾/厨房)", "line", "", "hours", "18", "", "3"),
    ("SEW2", "缝制二线 (床品)", "line", "", "hours", "20", "", "3"),
    ("SEW3", "缝制三线 (箱包/饰品)", "line", "", "hours", "16", "", "2"),
    ("EMB", "绣花车间", "workshop", "", "hours", "16", "", "2"),
    ("IRON", "整烫", "workshop", "", "hours", "20", "", "2"),
    ("PACK", "包装", "workshop", "", "hours", "20", "", "3"),
    ("WX-HN", "海宁缝制厂 (外协)", "factory", "S-FA09", "units", "800", "箱包 Bags", "0"),
    ("WX-TX", "桐乡家纺加工厂 (外协)", "factory", "S-FA10", "units", "600", "床品 Bedding", "0"),
]

# Capacity exceptions: (work centre, first day counted from next Monday, number of days, capacity that day, kind,
# reason). A Saturday shift this week, a maintenance day next week, and two more in the weeks after.
CAPACITY_EXCEPTIONS = [
    ("SEW1", -2, 1, "8", "overtime", "周六加班一班, 赶毛巾订单"),
    ("SEW2", 2, 1, "0", "maintenance", "设备保养: 平车、包缝机全面检修"),
    ("EMB", 7, 2, "8", "maintenance", "绣花机换针板, 单机运行"),
    ("CUT", 10, 1, "8", "other", "计划停电半天"),
]

# Routings (工艺路线): every product is cut, sewn on its category's line, embroidered when its family is
# embroidered, ironed and packed. The operations in sequence: (operation, work centre (None: the category's sewing
# line), setup minutes per batch).
OPERATIONS = [
    ("裁剪", "CUT", "30"),
    ("缝制", None, "60"),
    ("绣花", "EMB", "45"),
    ("整烫", "IRON", "15"),
    ("包装", "PACK", "20"),
]
# By product category: its sewing line, and the standard minutes per unit (the work centre's time for one piece: a
# line of 20–30 people, a cutting table cutting many plies at once) of cutting, sewing, ironing and packing.
CATEGORY_ROUTING = {
    "毛巾 Towels": ("SEW1", {"CUT": "0.03", "SEW": "0.20", "IRON": "0.03", "PACK": "0.06"}),
    "厨房纺织 Kitchen": ("SEW1", {"CUT": "0.04", "SEW": "0.25", "IRON": "0.06", "PACK": "0.05"}),
    "床品 Bedding": ("SEW2", {"CUT": "0.10", "SEW": "0.66", "IRON": "0.20", "PACK": "0.15"}),
    "箱包 Bags": ("SEW3", {"CUT": "0.07", "SEW": "0.52", "IRON": "0.08", "PACK": "0.06"}),
    "家居饰品 Home decor": ("SEW3", {"CUT": "0.06", "SEW": "0.42", "IRON": "0.12", "PACK": "0.08"}),
}
EMBROIDERED = {"抱枕套", "刺绣桌旗"}  # product families (Chinese stems) with an embroidery operation
EMBROIDERY_MINUTES = "0.55"  # a 12-head machine: a design of about 6.5 minutes per cycle
SIZE_STEP = "0.10"  # each larger spec of a family takes 10 % longer in every operation

# Quality: the defect catalogue (缺陷库), every category's own and the common ones:
#   (category ("" every category), code, Chinese name, English name, class)
QUALITY_DEFECTS = [
    ("", "HOLE", "破洞", "Hole", "critical"),
    ("", "NEEDLE", "断针/金属异物", "Broken needle or metal", "critical"),
    ("", "STAIN", "污渍", "Stain", "major"),
    ("", "SHADE", "色差", "Shade variation", "major"),
    ("", "SIZE", "尺寸超差", "Out of tolerance", "major"),
    ("", "SEAM", "开线/跳针", "Open seam or skipped stitch", "major"),
    ("", "LABEL", "标签错误", "Wrong or missing label", "major"),
    ("", "THREAD", "线头", "Loose thread", "minor"),
    ("", "CREASE", "折痕", "Crease", "minor"),
    ("", "PACK", "包装不良", "Poor packing", "minor"),
    ("毛巾 Towels", "PILE", "毛圈脱落/勾丝", "Pulled loop", "major"),
    ("毛巾 Towels", "HEM", "折边不齐", "Uneven hem", "minor"),
]
# The inspection level and AQLs the key customers asked for (customer code: level, critical, major, minor)
QUALITY_DEFAULTS = {"C-NW01": ("II", "0", "1.5", "4.0")}
FAIL_FINDINGS = "大货抽检: 污渍、开线超标, 返工后复检"

# Samples: what the PP samples look like, the customers' comments on a first round that is rejected, and the
# development samples asked for by prospects.
PP_SAMPLE_NOTES = ["大货面料, 按确认色", "PP sample in bulk fabric and trims", "大货面料, 含洗标/吊牌"]
PP_REJECTIONS = [
    "颜色偏浅, 请按确认色卡重做",
    "Side seams puckered; stitch density too low",
    "吊牌位置不对, 尺寸偏小 1cm",
]
DEVELOPMENT_SAMPLES = [
    ("新款提花浴巾, 两色", "灰/白", 3),
    ("Waffle weave bathrobe, proto in size M", "white / M", 2),
    ("亚麻餐垫 4 件套, 刺绣 logo", "natural", 4),
]
SAMPLE_COURIER = "S-CR14"

# Cash: each customer tier's payment term (a code of the standard terms), and the rates of the day to CNY
TERMS_BY_TIER = {"key": "TT30-70BL", "normal": "OA30", "prospect": "TT100BS"}
FX_TO_CNY = {"USD": "7.1200", "EUR": "7.7500", "GBP": "9.0500", "JPY": "0.047800", "CAD": "5.1800", "AUD": "4.6500"}
SHIPPING_FORWARDER = "S-FW12"
VESSELS = ["CSCL STAR", "MAERSK EDMONTON", "MSC ANNA", "EVER GIVEN"]
