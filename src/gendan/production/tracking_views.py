"""The plan-progress tracking table (生产计划进度跟踪表) of every order in production: one row per order with released
notices, its finished output to date against the plan and its forecast completion against the ex-factory date;
filters, sorting, the rows behind plan highlighted, and the .xlsx of every row that matches."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gendan.core import clock
from gendan.core.excel import Column, xlsx_download
from gendan.core.pages import cleaned_filters, paginate, perm_required, querystring_without
from gendan.production import selectors
from gendan.production.forms import TrackingFilterForm

PCT = "0.0"
QTY = "#,##0.###"
DAY = "yyyy-mm-dd"

TRACKING_COLUMNS = [
    Column("order_number", "订单号", "Order", width=16),
    Column("customer_code", "客户代码", "Customer code", width=12),
    Column("customer_name", "客户", "Customer", width=24),
    Column("merchandiser", "跟单员", "Merchandiser", width=12),
    Column("products_text", "产品", "Products", width=20),
    Column("quantity", "数量", "Quantity", width=11, number_format=QTY),
    Column("planned_cum", "计划累计", "Planned to date", width=11, number_format=QTY),
    Column("actual_cum", "实际累计", "Made to date", width=11, number_format=QTY),
    Column("variance", "差异", "Variance", width=11, number_format=QTY),
    Column("pct_complete", "完成率 %", "Complete %", width=10, number_format=PCT),
    Column("defect_rate", "不良率 %", "Defect rate %", width=10, number_format=PCT),
    Column("scrap_rate", "报废率 %", "Scrap rate %", width=10, number_format=PCT),
    Column("run_rate", "日均产量", "Run rate a day", width=10, number_format="#,##0.##"),
    Column("planned_finish", "计划完工日", "Planned finish", width=12, number_format=DAY),
    Column("forecast_completion_date", "预计完工日", "Forecast completion", width=12, number_format=DAY),
    Column("ex_factory_date", "承诺出厂日", "Committed ex-factory date", width=12, number_format=DAY),
    Column("late_days", "预计延误 (工作日)", "Forecast late (working days)", width=12),
    Column("is_forecast_late", "预计晚于出厂日", "Forecast after ex-factory", width=12),
    Column("is_behind", "落后计划", "Behind plan", width=10),
]


@perm_required("production.view_dailyreport")
def tracking(request: HttpRequest) -> HttpResponse:
    """Every order in production on one page (GET filters, `?sort=`, `?format=xlsx` for every matching row)."""
    form = TrackingFilterForm(request.GET or None)
    filters = cleaned_filters(form) if request.GET else {}
    sort = request.GET.get("sort") or selectors.DEFAULT_TRACKING_SORT
    if sort.lstrip("-") not in selectors.TRACKING_SORTS:
        sort = selectors.DEFAULT_TRACKING_SORT
    today = clock.today()
    rows = selectors.tracking_table(
        today,
        merchandiser=filters.get("merchandiser") or "",
        customer_id=filters["customer"].pk if filters.get("customer") else None,
        work_centre_id=filters["work_centre"].pk if filters.get("work_centre") else None,
        behind_only=bool(filters.get("behind")),
        sort=sort,
    )
    if request.GET.get("format") == "xlsx":
        return xlsx_download(
            TRACKING_COLUMNS, rows, title=_("Plan-progress tracking table"), stem="production-tracking"
        )
    page = paginate(request, rows)
    return render(
        request,
        "production/tracking.html",
        {
            "page": page,
            "rows": page.object_list,
            "filter_form": form,
            "sort": sort,
            "today": today,
            "tolerance": selectors.tolerance(),
            "days": selectors.RUN_RATE_DAYS,
            "behind_count": sum(1 for r in rows if r.is_behind),
            "late_count": sum(1 for r in rows if r.is_forecast_late or r.is_stalled),
            "qs": querystring_without(request, "page"),
            "export_qs": querystring_without(request, "page", "per_page", "format"),
        },
    )
