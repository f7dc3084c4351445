"""The report pages: the manager's dashboard, the four statistics (filter form, charts, table, Excel) and the
exchange rates. Thin: forms in, selectors out."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gendan.core import clock, fx
from gendan.core.excel import xlsx_response
from gendan.core.exceptions import GendanError, NotFound, ValidationError
from gendan.core.pages import apply_errors, perm_required, querystring_without
from gendan.reports import charts, exports, selectors
from gendan.reports.forms import CollectionForm, DeliveryForm, InventoryForm, RateForm, ReportForm, SalesForm
from gendan.reports.fx import reporting_currency
from gendan.reports.selectors import Report

FIELD_OF = {"from": "date_from", "to": "date_to"}  # a selector's field name → the form's
# the dimensions a row can be opened by: the form field that filters by it
DRILL = {"customer", "merchandiser", "category", "country", "status", "factory", "warehouse", "kind", "currency"}


def _run(
    request: HttpRequest, form: ReportForm, run: Callable[[ReportForm], Report]
) -> tuple[Report, ReportForm, bool]:
    """The report the form asks for; on bad input the errors go on the form and the default report is shown."""
    if form.is_bound and not form.is_valid():
        defaults = type(form)()
        defaults.cleaned_data = {}
        return run(defaults), form, True
    try:
        return run(form), form, False
    except ValidationError as exc:
        apply_errors(form, ValidationError({FIELD_OF.get(k, k): v for k, v in exc.errors.items()}))
        defaults = type(form)()
        defaults.cleaned_data = {}
        return run(defaults), form, True


def _drill(request: HttpRequest, report: Report, form: ReportForm) -> None:
    """Each row's link to the same report for that row's customer (merchandiser, …), by month."""
    base = {"date_from": f"{report.date_from:%Y-%m-%d}", "date_to": f"{report.date_to:%Y-%m-%d}"}
    for row in report.rows:
        row["drill"] = {}
        for dim in report.group_by:
            key = row["keys"][dim]
            if dim in DRILL and dim in form.fields and key not in (None, ""):
                row["drill"][dim] = "?" + urlencode({**base, "group_by": "month", dim: key})


def _page(
    request: HttpRequest,
    *,
    form_class: type[ReportForm],
    run: Callable[[Any], Report],
    chart: Callable[[Report], list[dict[str, Any]]],
    tab: str,
    title: str,
    note: str,
) -> HttpResponse:
    params = request.GET.copy()
    params.pop("format", None)
    if params:  # the period shown in the form even when only the grouping was asked for
        if not params.get("date_to"):
            params["date_to"] = f"{clock.today():%Y-%m-%d}"
        if not params.get("date_from"):
            try:
                end = dt.date.fromisoformat(params["date_to"])
            except ValueError:
                end = clock.today()
            params["date_from"] = f"{selectors.default_period(end)[0]:%Y-%m-%d}"
    form = form_class(params or None)
    report, form, has_errors = _run(request, form, run)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(exports.report_xlsx(report, lang=translation.get_language()), exports.filename(report))
    _drill(request, report, form)
    return render(
        request,
        "reports/report.html",
        {
            "tab": tab,
            "title": title,
            "note": note,
            "report": report,
            "form": form,
            "has_errors": has_errors,
            "charts": chart(report),
            "export_qs": querystring_without(request, "format"),
            "filter_fields": [f for f in form if f.name not in ("date_from", "date_to", "group_by", "then_by")],
        },
    )


@perm_required("reports.view_reports")
def sales(request: HttpRequest) -> HttpResponse:
    scope = selectors.scope_of(request.user)

    def run(form: SalesForm) -> Report:
        start, end = form.period()
        return selectors.sales_report(
            date_from=start, date_to=end, group_by=form.group(), filters=form.filters(), scope=scope
        )

    return _page(
        request,
        form_class=SalesForm,
        run=run,
        chart=charts.sales_charts,
        tab="sales",
        title=_("Sales"),
        note=_(
            "Order lines of the orders dated in the period, confirmed and later (an order on hold counts when it was "
            "held after its confirmation); amounts in the reporting currency at the rate of the order's month."
        ),
    )


@perm_required("reports.view_reports")
def collection(request: HttpRequest) -> HttpResponse:
    scope = selectors.scope_of(request.user)

    def run(form: CollectionForm) -> Report:
        start, end = form.period()
        return selectors.collection_report(
            date_from=start, date_to=end, group_by=form.group(), filters=form.filters(), scope=scope
        )

    return _page(
        request,
        form_class=CollectionForm,
        run=run,
        chart=charts.collection_charts,
        tab="collection",
        title=_("Collection"),
        note=_(
            "Invoiced: invoices dated in the period. Collected: receipts allocated in the period; credit notes "
            "applied are shown apart. Receivable and overdue: at the end of the period, or of each month. DSO (days "
            "sales outstanding) = receivable at the end ÷ invoiced in the period × days of the period."
        ),
    )


@perm_required("reports.view_reports")
def delivery(request: HttpRequest) -> HttpResponse:
    scope = selectors.scope_of(request.user)

    def run(form: DeliveryForm) -> Report:
        start, end = form.period()
        return selectors.delivery_report(
            date_from=start, date_to=end, group_by=form.group(), filters=form.filters(), scope=scope
        )

    return _page(
        request,
        form_class=DeliveryForm,
        run=run,
        chart=charts.delivery_charts,
        tab="delivery",
        title=_("Delivery performance"),
        note=_(
            "Orders whose committed ex-factory date falls in the period. Due: out of the factory, or the date has "
            "passed. On time: out on or before the committed date. In full: the shipments out by then carried the "
            "ordered quantity less the customer's tolerance. Late orders not out yet count their days late to today."
        ),
    )


@perm_required("inventory.view_stock")
def inventory(request: HttpRequest) -> HttpResponse:
    def run(form: InventoryForm) -> Report:
        start, end = form.period()
        return selectors.inventory_report(
            date_from=start, date_to=end, group_by=form.group(), filters=form.filters(), slow_days=form.slow_after()
        )

    return _page(
        request,
        form_class=InventoryForm,
        run=run,
        chart=charts.inventory_charts,
        tab="inventory",
        title=_("Inventory"),
        note=_(
            "Stock as of today; received and issued: the movements of the period. Value: materials at their purchase "
            "price, finished products at the standard cost of their bill of materials. Age: first in, first out — "
            "what is on hand is taken to be the latest receipts. A slow mover has had nothing out for the days given."
        ),
    )


@perm_required("reports.view_reports")
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = selectors.scope_of(request.user)
    figures = selectors.key_figures(scope=scope)
    return render(
        request,
        "reports/dashboard.html",
        {
            "tab": "dashboard",
            "figures": figures,
            "charts": charts.dashboard_charts(figures),
            "scoped": scope is not None,
        },
    )


@perm_required("reports.view_all_reports")
def panel(request: HttpRequest) -> HttpResponse:
    """The dashboard panel's figures (fetched by the panel after the dashboard has loaded)."""
    return render(request, "reports/partials/_panel_figures.html", {"figures": selectors.key_figures(scope=None)})


# ---- exchange rates ------------------------------------------------------------------------------------------


@perm_required("core.view_exchangerate")
def rates(request: HttpRequest) -> HttpResponse:
    form = RateForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("core.add_exchangerate"):
            messages.error(request, _("You may not maintain exchange rates."))
            return redirect("reports:rates")
        if form.is_valid():
            try:
                rate = fx.create_rate(by=request.user, data=form.cleaned_data)
            except GendanError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(currency)s for %(month)s saved.")
                    % {"currency": rate.currency, "month": f"{rate.month:%Y-%m}"},
                )
                return redirect("reports:rates")
    currency = (request.GET.get("currency") or "").upper()
    return render(
        request,
        "reports/rates.html",
        {
            "tab": "rates",
            "form": form,
            "rates": fx.rates(currency=currency)[:200],
            "currency": currency,
            "overview": selectors.rates_overview(),
            "reporting": reporting_currency(),
        },
    )


@perm_required("core.change_exchangerate")
def rate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        rate = fx.get_rate(pk)
    except NotFound as exc:
        from django.http import Http404

        raise Http404(exc.message) from exc
    initial = {
        "currency": rate.currency,
        "month": rate.month,
        "rate": rate.rate,
        "note": rate.note,
        "version": rate.version,
    }
    form = RateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            fx.update_rate(rate=rate, by=request.user, data=data, version=version)
        except GendanError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Exchange rate saved."))
            return redirect("reports:rates")
    return render(request, "reports/rate_edit.html", {"tab": "rates", "form": form, "rate": rate})


@require_POST
@perm_required("core.delete_exchangerate")
def rate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        rate = fx.get_rate(pk)
        version = request.POST.get("version")
        fx.delete_rate(rate=rate, by=request.user, version=int(version) if version and version.isdigit() else None)
    except GendanError as exc:
        messages.error(request, exc.message)
        return redirect("reports:rate_edit", pk=pk)
    messages.success(request, _("Exchange rate removed."))
    return redirect("reports:rates")
