"""The order list as .xlsx (one row per order, in the user's language)."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from gendan.core.excel import Column, export_xlsx
from gendan.sales.models import Order

ORDER_COLUMNS = [
    Column("number", "订单号", "Order number", width=18),
    Column("customer.code", "客户代码", "Customer code", width=12),
    Column("customer.name", "客户", "Customer", width=24),
    Column("customer_po", "客户订单号", "Customer PO", width=16),
    Column("order_date", "下单日期", "Order date", width=12, number_format="yyyy-mm-dd"),
    Column("ex_factory_date", "承诺出厂日", "Ex-factory date", width=12, number_format="yyyy-mm-dd"),
    Column("requested_delivery_date", "要求交期", "Requested delivery date", width=12, number_format="yyyy-mm-dd"),
    Column("status", "状态", "Status", getter=lambda o: o.get_status_display(), width=12),
    Column("priority", "优先级", "Priority", getter=lambda o: o.get_priority_display(), width=10),
    Column("merchandiser.username", "跟单员", "Merchandiser", width=12),
    Column("currency", "币种", "Currency", width=8),
    Column("incoterm", "贸易术语", "Incoterm", width=8),
    Column("incoterm_place", "指定地点", "Named place", width=14),
    Column("payment_terms", "付款方式", "Payment terms", width=18),
    Column("total_qty", "总数量", "Total quantity", width=12, number_format="#,##0.###"),
    Column("total_amount", "总金额", "Total amount", width=14, number_format="#,##0.00"),
    Column("revision", "变更次数", "Revision", width=8),
    Column("status_reason", "状态原因", "Status reason", width=24),
]


def orders_xlsx(orders: Iterable[Order]) -> bytes:
    return export_xlsx(ORDER_COLUMNS, orders, title=_("Orders"))
