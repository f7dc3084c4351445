"""Excel export columns for products, materials and BOMs (headers in Chinese and English)."""

from gendan.core.excel import Column

PRODUCT_COLUMNS = [
    Column("code", "产品编码", "Code", width=14),
    Column("name", "产品名称", "Name", width=28),
    Column("name_en", "英文名称", "English name", width=28),
    Column("spec", "规格型号", "Spec/model", width=20),
    Column("unit", "单位", "Unit", width=8),
    Column("category", "类别", "Category", width=14),
    Column("hs_code", "海关编码", "HS code", width=12),
    Column("units_per_carton", "每箱数量", "Units per carton", width=10),
    Column("carton_length_cm", "外箱长(cm)", "Carton length (cm)", width=10, number_format="0.0"),
    Column("carton_width_cm", "外箱宽(cm)", "Carton width (cm)", width=10, number_format="0.0"),
    Column("carton_height_cm", "外箱高(cm)", "Carton height (cm)", width=10, number_format="0.0"),
    Column("carton_cbm", "立方数(m³)", "CBM", width=10, number_format="0.0000"),
    Column("net_weight_kg", "净重(kg)", "Net weight (kg)", width=10, number_format="0.000"),
    Column("gross_weight_kg", "毛重(kg)", "Gross weight (kg)", width=10, number_format="0.000"),
    Column("bom_count", "BOM行数", "BOM lines", width=8),
    Column("notes", "备注", "Notes", width=30),
    Column("is_active", "启用", "Active", width=8),
]

MATERIAL_COLUMNS = [
    Column("code", "物料编码", "Code", width=14),
    Column("name", "物料名称", "Name", width=28),
    Column("spec", "规格", "Spec", width=20),
    Column("unit", "单位", "Unit", width=8),
    Column("category", "物料类别", "Category", getter=lambda m: str(m.get_category_display()), width=12),
    Column("lead_time_days", "采购周期(天)", "Lead time (days)", width=10),
    Column(
        "default_supplier",
        "默认供应商编码",
        "Default supplier code",
        getter=lambda m: m.default_supplier.code if m.default_supplier_id else "",
        width=14,
    ),
    Column(
        "default_supplier_name",
        "默认供应商",
        "Default supplier",
        getter=lambda m: m.default_supplier.name if m.default_supplier_id else "",
        width=24,
    ),
    Column("notes", "备注", "Notes", width=30),
    Column("is_active", "启用", "Active", width=8),
]

BOM_COLUMNS = [
    Column("product", "产品编码", "Product code", getter=lambda b: b.product.code, width=14),
    Column("material", "物料编码", "Material code", getter=lambda b: b.material.code, width=14),
    Column("material_name", "物料名称", "Material name", getter=lambda b: b.material.name, width=24),
    Column("unit", "单位", "Unit", getter=lambda b: b.material.unit, width=8),
    Column("qty_per_unit", "单位用量", "Qty per unit", width=10, number_format="0.000"),
    Column("scrap_pct", "损耗率(%)", "Scrap rate (%)", width=10, number_format="0.00"),
    Column("note", "备注", "Note", width=24),
]

WORK_CENTRE_COLUMNS = [
    Column("code", "工作中心编码", "Code", width=12),
    Column("name", "名称", "Name", width=24),
    Column("kind", "类型", "Kind", getter=lambda w: str(w.get_kind_display()), width=14),
    Column(
        "supplier",
        "外协厂编码",
        "Subcontractor code",
        getter=lambda w: w.supplier.code if w.supplier_id else "",
        width=12,
    ),
    Column(
        "supplier_name",
        "外协厂",
        "Subcontractor",
        getter=lambda w: w.supplier.name if w.supplier_id else "",
        width=24,
    ),
    Column("capacity_unit", "产能单位", "Capacity unit", getter=lambda w: str(w.get_capacity_unit_display()), width=10),
    Column("daily_capacity", "日产能", "Daily capacity", width=12, number_format="0.00"),
    Column("product_family", "产品系列", "Product family", width=14),
    Column("max_overtime_hours", "每日最多加班(小时)", "Max overtime per day (h)", width=12, number_format="0.00"),
    Column("step_count", "工序数", "Routing steps", width=8),
    Column("is_active", "启用", "Active", width=8),
]
