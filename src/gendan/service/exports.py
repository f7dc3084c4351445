"""Complaints in Excel: the register (one row per complaint) and the report (the groups, one row per group and
currency, then the root causes), headers in the user's language."""

from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from gendan.core.excel import Column, workbook_bytes, write_sheet

MONEY = "#,##0.00"
QTY = "#,##0.###"
PCT = "0.0"


def _products(c: Any) -> str:
    return "; ".join(f"{ln.product.code} × {ln.quantity.normalize():f}" for ln in c.lines.all())


COMPLAINT_COLUMNS = [
    Column("number", "投诉编号", "Number", width=16),
    Column("received_date", "收到日期", "Received", width=12),
    Column("channel", "投诉方式", "Channel", lambda c: c.get_channel_display(), width=12),
    Column("customer", "客户", "Customer", lambda c: c.customer.code, width=12),
    Column("customer_reference", "客户编号", "Customer's reference", width=14),
    Column("order", "订单号", "Order", lambda c: c.order.number if c.order_id else "", width=16),
    Column("shipment", "出货单号", "Shipment", lambda c: c.shipment.number if c.shipment_id else "", width=16),
    Column("lot", "生产批号", "Lot", width=12),
    Column("title", "主题", "Subject", width=30),
    Column("products", "产品及数量", "Products affected", _products, width=30),
    Column("severity", "严重程度", "Severity", lambda c: c.get_severity_display(), width=10),
    Column("claim_amount", "索赔金额", "Claim asked", number_format=MONEY),
    Column("currency", "币种", "Currency", width=8),
    Column("status", "状态", "Status", lambda c: c.get_status_display(), width=12),
    Column("department", "负责部门", "Department", lambda c: str(c.department) if c.department_id else "", width=14),
    Column(
        "responsible", "负责人", "Responsible", lambda c: c.responsible.username if c.responsible_id else "", width=12
    ),
    Column("due_date", "答复期限", "Answer due", width=12),
    Column("root_cause", "原因分类", "Root cause", lambda c: c.root_cause.code if c.root_cause_id else "", width=14),
    Column("answered_date", "答复日期", "Answered", width=12),
    Column("closed_date", "结案日期", "Closed", width=12),
    Column("credit_amount", "贷项金额", "Credit note", number_format=MONEY),
    Column("credit_note_number", "贷项通知单号", "Credit note number", width=16),
    Column("replacement_qty", "补货数量", "Replacement quantity", number_format=QTY),
    Column("replacement_value", "补货价值", "Replacement value", number_format=MONEY),
    Column(
        "replacement_order",
        "补货订单",
        "Replacement order",
        lambda c: c.replacement_order.number if c.replacement_order_id else "",
        width=16,
    ),
    Column("discount_pct", "折扣 %", "Discount %", number_format="0.00"),
    Column("owner", "跟进人", "Owner", lambda c: c.owner.username, width=12),
]

REPORT_COLUMNS = [
    Column("label", "分组", "Group", width=32),
    Column("count", "投诉数", "Complaints", width=10),
    Column("quantity", "影响数量", "Quantity affected", width=14, number_format=QTY),
    Column("currency", "币种", "Currency", width=8),
    Column("claim_amount", "索赔金额", "Claims asked", width=14, number_format=MONEY),
    Column("credit_amount", "贷项金额", "Credit notes granted", width=16, number_format=MONEY),
    Column("replacement_value", "补货价值", "Replacement value", width=16, number_format=MONEY),
]
CAUSE_COLUMNS = [
    Column("label", "原因分类", "Root cause", width=28),
    Column("count", "投诉数", "Complaints", width=10),
    Column("pct", "占比 %", "%", width=8, number_format=PCT),
    Column("cumulative_pct", "累计 %", "Cumulative %", width=12, number_format=PCT),
]


def _flat(label: str, count: Any, quantity: Any, costs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per currency; the count and quantity on the first only (so the columns add up)."""
    if not costs:
        return [{"label": label, "count": count, "quantity": quantity}]
    return [
        {"label": label, "count": count if n == 0 else None, "quantity": quantity if n == 0 else None, **cost}
        for n, cost in enumerate(costs)
    ]


def report_xlsx(report: dict[str, Any], lang: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = str(_("Complaints"))[:31]
    rows: list[dict[str, Any]] = []
    for r in report["rows"]:
        rows += _flat(r["label"], r["count"], r["quantity"], r["costs"])
    totals = report["totals"]
    rows += _flat(str(_("Total")), totals["count"], totals["quantity"], totals["costs"])
    write_sheet(ws, REPORT_COLUMNS, rows, lang=lang)
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    causes = wb.create_sheet(str(_("Root causes"))[:31])
    write_sheet(causes, CAUSE_COLUMNS, report["causes"], lang=lang)
    return workbook_bytes(wb)
