"""The risk board as .xlsx (one row per order at risk, in the user's language)."""

from gendan.core.excel import Column
from gendan.sales.choices import Risk

MAX_ROWS = 50_000
RISK_LABELS = dict(Risk.choices)


def _follow_up(row: dict) -> str:
    f = row.get("latest_follow_up")
    if not f:
        return ""
    return f"{f['date']:%Y-%m-%d} {f['by']}: {f['summary']}"


RISK_COLUMNS = [
    Column("number", "订单号", "Order number", width=18),
    Column("customer_code", "客户代码", "Customer code", width=12),
    Column("customer_name", "客户", "Customer", width=24),
    Column("merchandiser", "跟单员", "Merchandiser", width=12),
    Column("risk", "风险", "Risk", getter=lambda r: str(RISK_LABELS.get(r["risk"], r["risk"])), width=10),
    Column("ex_factory_date", "承诺出厂日", "Committed ex-factory", width=12, number_format="yyyy-mm-dd"),
    Column("forecast_ex_factory_date", "预计出厂日", "Forecast ex-factory", width=12, number_format="yyyy-mm-dd"),
    Column("slack_days", "余量(工作日)", "Slack (working days)", width=10),
    Column("on_time_probability", "准时出厂概率", "On-time probability", width=10, number_format="0%"),
    Column("learned_ex_factory_date", "按历史预计出厂日", "Learned ex-factory", width=12, number_format="yyyy-mm-dd"),
    Column("driving_milestone", "关键节点", "Driving milestone", width=10),
    Column("driving_milestone_name", "节点名称", "Milestone name", width=18),
    Column("driving_owner", "节点负责人", "Milestone owner", width=12),
    Column("driving_forecast_date", "节点预计", "Milestone forecast", width=12, number_format="yyyy-mm-dd"),
    Column("latest_follow_up", "最近跟进", "Latest follow-up", getter=_follow_up, width=40),
    Column("total_amount", "金额", "Amount", width=14, number_format="#,##0.00"),
    Column("currency", "币种", "Currency", width=8),
]
