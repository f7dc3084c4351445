"""Excel export columns for customers and suppliers (headers in Chinese and English)."""

from gendan.core.excel import Column

CUSTOMER_COLUMNS = [
    Column("code", "客户编码", "Code", width=12),
    Column("name", "客户名称", "Name", width=28),
    Column("name_en", "英文名称", "English name", width=28),
    Column("tier", "客户等级", "Tier", getter=lambda c: str(c.get_tier_display()), width=12),
    Column("country", "国家", "Country", width=8),
    Column("currency", "币种", "Currency", width=8),
    Column("payment_terms", "付款方式", "Payment terms", width=18),
    Column("credit_limit", "信用额度", "Credit limit", number_format="#,##0.00"),
    Column("default_incoterm", "贸易术语", "Incoterm", width=10),
    Column(
        "merchandiser",
        "跟单员",
        "Merchandiser",
        getter=lambda c: c.merchandiser.username if c.merchandiser_id else "",
        width=14,
    ),
    Column("address", "地址", "Address", width=36),
    Column("notes", "备注", "Notes", width=30),
    Column("is_active", "启用", "Active", width=8),
]

SUPPLIER_COLUMNS = [
    Column("code", "供应商编码", "Code", width=12),
    Column("name", "供应商名称", "Name", width=28),
    Column("name_en", "英文名称", "English name", width=28),
    Column("kind", "类型", "Kind", getter=lambda s: str(s.get_kind_display()), width=14),
    Column("country", "国家", "Country", width=8),
    Column("city", "城市", "City", width=12),
    Column("address", "地址", "Address", width=36),
    Column("payment_terms", "付款方式", "Payment terms", width=18),
    Column("notes", "备注", "Notes", width=30),
    Column("is_active", "启用", "Active", width=8),
]
