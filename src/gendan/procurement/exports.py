"""The purchasing reports as .xlsx: the supplier scorecards and the delay causes (headers in the user's language)."""

from gendan.core.excel import Column

PCT = "0.0"


SCORECARD_COLUMNS = [
    Column("rank", "排名", "Rank", width=6),
    Column("supplier_code", "供应商代码", "Supplier code", width=12),
    Column("supplier_name", "供应商", "Supplier", width=28),
    Column("date_from", "起", "From", width=11, number_format="yyyy-mm-dd"),
    Column("date_to", "止", "To", width=11, number_format="yyyy-mm-dd"),
    Column("lines_due", "收货行数", "Receipt lines", width=10),
    Column("on_time_lines", "准时行数", "Lines on time", width=10),
    Column("on_time_pct", "准时率 %", "On time %", width=10, number_format=PCT),
    Column("inspected_qty", "检验数量", "Inspected quantity", width=12, number_format="#,##0.###"),
    Column("quality_pct", "合格率 %", "Quality %", width=10, number_format=PCT),
    Column("quantity_lines", "数量考核行数", "Lines measured for quantity", width=12),
    Column("quantity_pct", "数量准确率 %", "Quantity %", width=11, number_format=PCT),
    Column("price_variance_pct", "价格偏差 %", "Price variance %", width=11, number_format="+0.0;-0.0;0.0"),
    Column("price_score", "价格得分", "Price score", width=10, number_format=PCT),
    Column("receipts", "收货单数", "Receipts", width=9),
    Column("place_errors", "地点错误", "Place errors", width=9),
    Column("place_pct", "地点准确率 %", "Place %", width=10, number_format=PCT),
    Column("score", "综合得分", "Weighted score", width=10, number_format=PCT),
]

DELAY_CAUSE_COLUMNS = [
    Column("cause_label", "延误原因", "Delay cause", width=28),
    Column("family_label", "责任归属", "Family", width=14),
    Column("lines", "行数", "Lines", width=8),
    Column("late_days_total", "延误天数", "Late days", width=10),
    Column("pct", "占比 %", "%", width=8, number_format=PCT),
    Column("cumulative_pct", "累计 %", "Cumulative %", width=12, number_format=PCT),
]
