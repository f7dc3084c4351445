"""Excel export columns for stock, per-item stock totals and stock movements (headers in Chinese and English)."""

from typing import Any

from django.utils.translation import gettext as _

from gendan.core.excel import Column


def _item(row: Any) -> Any:
    return row.material or row.product


def _item_kind(row: Any) -> str:
    """Material or finished product, for a stock row or movement (an object) or a totals row (a dict)."""
    material_id = row.get("material_id") if isinstance(row, dict) else row.material_id
    return _("Material") if material_id else _("Finished product")


STOCK_COLUMNS = [
    Column("warehouse", "仓库", "Warehouse", getter=lambda s: s.location.warehouse.code, width=10),
    Column("location", "库位", "Location", getter=lambda s: s.location.code, width=10),
    Column("item_kind", "类型", "Item kind", getter=_item_kind, width=10),
    Column("item_code", "编码", "Code", width=14),
    Column("item_name", "名称", "Name", width=28),
    Column("unit", "单位", "Unit", getter=lambda s: _item(s).unit, width=8),
    Column("on_hand", "在库", "On hand", width=12, number_format="#,##0.###"),
    Column("reserved", "已预留", "Reserved", width=12, number_format="#,##0.###"),
    Column("free", "可用", "Free", width=12, number_format="#,##0.###"),
]

TOTAL_COLUMNS = [
    Column("item_kind", "类型", "Item kind", getter=_item_kind, width=10),
    Column("item_code", "编码", "Code", width=14),
    Column("item_name", "名称", "Name", width=28),
    Column("unit", "单位", "Unit", width=8),
    Column("total_on_hand", "在库合计", "On hand", width=12, number_format="#,##0.###"),
    Column("total_reserved", "已预留合计", "Reserved", width=12, number_format="#,##0.###"),
    Column("total_free", "可用合计", "Free", width=12, number_format="#,##0.###"),
    Column("locations", "库位数", "Locations", width=8),
]


MOVEMENT_COLUMNS = [
    Column("date", "日期", "Date", width=11, number_format="yyyy-mm-dd"),
    Column("kind", "类型", "Kind", getter=lambda m: str(m.get_kind_display()), width=14),
    Column("item_code", "编码", "Code", width=14),
    Column("item_name", "名称", "Name", getter=lambda m: _item(m).name, width=24),
    Column("warehouse", "仓库", "Warehouse", getter=lambda m: m.location.warehouse.code, width=10),
    Column("location", "库位", "Location", getter=lambda m: m.location.code, width=10),
    Column("quantity", "数量", "Quantity", width=12, number_format="#,##0.###"),
    Column("unit", "单位", "Unit", getter=lambda m: _item(m).unit, width=8),
    Column("balance_after", "结存", "Balance after", width=12, number_format="#,##0.###"),
    Column("order", "订单号", "Order number", getter=lambda m: m.order.number if m.order_id else "", width=16),
    Column("reference", "单据号", "Reference", width=16),
    Column("reason", "原因", "Reason", width=28),
    Column("override", "超额放行", "Override", width=8),
    Column(
        "created_by",
        "操作人",
        "By",
        getter=lambda m: (m.created_by.get_full_name() or m.created_by.username) if m.created_by_id else "",
        width=12,
    ),
    Column("created_at", "记录时间", "Recorded at", width=18, number_format="yyyy-mm-dd hh:mm"),
]
