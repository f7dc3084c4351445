"""Production pages: the capacity check (能否按期交货?) of a quantity or of an order, with its measures."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from gendan.catalog.models import Product
from gendan.core import audit
from gendan.core.exceptions import GendanError
from gendan.core.pages import apply_errors, error_text, list_page, perm_required
from gendan.production import selectors, services
from gendan.production.choices import NOTICE_STATUS_COLORS, NoticeStatus
from gendan.production.forms import CapacityCheckForm, NoticeFilterForm
from gendan.production.models import PlanLoad, ProductionNotice
from gendan.sales.models import Order, OrderLine


def pivot(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The load rows as a table: one row per work centre, one column per day."""
    days = sorted({r["date"] for r in rows})
    centres: dict[str, dict[Any, Any]] = {}
    for r in rows:
        amount = r["hours"] if r["hours"] is not None else r["units"]
        cells = centres.setdefault(r["work_centre"], {})
        cells[r["date"]] = cells.get(r["date"], 0) + amount
    return {
        "days": days,
        "rows": [{"centre": code, "cells": [cells.get(d) for d in days]} for code, cells in sorted(centres.items())],
    }


@perm_required("production.view_planload")
def capacity_check(request: HttpRequest) -> HttpResponse:
    """Check a what-if quantity of a product (GET with the form's fields), or an order (?order=<id>)."""
    context: dict[str, Any] = {"result": None, "order_result": None}
    order_id = request.GET.get("order")
    if order_id and order_id.isdigit():
        order = Order.objects.filter(pk=order_id).select_related("customer").first()
        if order is not None:
            context["order"] = order
            try:
                result = services.order_capacity_check(order=order, priority=request.GET.get("priority") or "edd")
            except GendanError as exc:
                context["error"] = error_text(exc)
            else:
                context["order_result"] = result
                context["pivot"] = pivot(result["load"])
        form = CapacityCheckForm()
    else:
        form = CapacityCheckForm(request.GET or None)
        if form.is_valid():
            data = form.cleaned_data
            product = Product.objects.filter(code=data["product"].strip()).first()
            if product is None:
                form.add_error("product", _("There is no product %(id)s.") % {"id": data["product"]})
            else:
                try:
                    result = services.capacity_check(
                        product=product,
                        quantity=data["quantity"],
                        due_date=data["due_date"],
                        priority=data["priority"] or "edd",
                    )
                except GendanError as exc:
                    apply_errors(form, exc)
                else:
                    context["result"] = result
                    context["product"] = product
                    context["pivot"] = pivot(result.load)
    context["form"] = form
    return render(request, "production/capacity_check.html", context)


# ---- the order page's production section, the register, a notice -------------------------------------------


def production_section_context(request: HttpRequest, order: Order) -> dict[str, Any]:
    notices = list(ProductionNotice.objects.filter(order=order).select_related("product").order_by("created_at"))
    noticed = {n.order_line_id for n in notices if n.status != NoticeStatus.CANCELLED}
    lines = [line for line in order.lines.all() if line.pk not in noticed]
    released = any(n.status in (NoticeStatus.RELEASED, NoticeStatus.DONE) for n in notices)
    from gendan.sales.choices import OrderStatus

    return {
        "notices": notices,
        "lines_without": lines,
        "can_add": order.status in (OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION)
        and request.user.has_perm("production.add_productionnotice"),
        "colors": NOTICE_STATUS_COLORS,
        "progress": services.progress(order) if released else None,
        "anomalies": list(order.anomalies.filter(closed_at__isnull=True).select_related("owner")),
    }


@require_POST
@perm_required("production.add_productionnotice")
def notice_add(request: HttpRequest, line_id: int) -> HttpResponse:
    line = OrderLine.objects.select_related("order", "product").filter(pk=line_id).first()
    if line is None:
        raise Http404
    try:
        notice = services.create_notice(order_line=line, by=request.user)
    except GendanError as exc:
        messages.error(request, error_text(exc))
        return redirect(reverse("sales:order", args=[line.order_id]) + "#production")
    messages.success(request, _("Production notice %(number)s registered.") % {"number": notice.number})
    return redirect("production:notice", notice_id=notice.pk)


@perm_required("production.view_productionnotice")
def notice_list(request: HttpRequest) -> HttpResponse:
    form = NoticeFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.notice_list(q=filters.get("q") or "", status=filters.get("status") or "")
    return list_page(request, "production/notice_list.html", filter_form=form, qs=qs, colors=NOTICE_STATUS_COLORS)


@perm_required("production.view_productionnotice")
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = (
        ProductionNotice.objects.select_related("order__customer", "product", "released_by")
        .filter(pk=notice_id)
        .first()
    )
    if notice is None:
        raise Http404
    context: dict[str, Any] = {"notice": notice, "colors": NOTICE_STATUS_COLORS, "result": None}
    if notice.status == NoticeStatus.DRAFT:
        try:
            result = services.capacity_check(
                product=notice.product,
                quantity=notice.quantity,
                due_date=notice.due_date,
                exclude_notice=notice.pk,
                outsourced=services.outsourced_quantities(notice.pk),
            )
        except GendanError as exc:
            context["error"] = error_text(exc)
        else:
            context["result"] = result
            context["pivot"] = pivot(result.load)
            context["overtime"] = next((m for m in result.measures if m["kind"] == "overtime"), None)
    else:
        loads = list(PlanLoad.objects.filter(notice=notice).select_related("work_centre").order_by("date", "position"))
        context["pivot"] = pivot(
            [
                {
                    "work_centre": row.work_centre.code,
                    "date": row.date,
                    "hours": row.load if row.work_centre.capacity_unit == "hours" else None,
                    "units": row.load if row.work_centre.capacity_unit == "units" else None,
                }
                for row in loads
            ]
        )
    context["subcontracts"] = list(notice.subcontracts.select_related("factory").order_by("pk"))
    context["can_send_out"] = notice.status in (NoticeStatus.DRAFT, NoticeStatus.RELEASED) and request.user.has_perm(
        "production.add_subcontractorder"
    )
    context["history"] = audit.history_for(notice, limit=30)
    return render(request, "production/notice_detail.html", context)


@require_POST
@perm_required("production.release_productionnotice")
def notice_release(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = ProductionNotice.objects.filter(pk=notice_id).first()
    if notice is None:
        raise Http404
    try:
        released = services.release_notice(notice=notice, by=request.user, accept=request.POST.get("accept", ""))
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            _("%(number)s is released: planned from %(start)s to %(finish)s.")
            % {
                "number": released.number,
                "start": released.planned_start.isoformat() if released.planned_start else "—",
                "finish": released.planned_finish.isoformat() if released.planned_finish else "—",
            },
        )
    return redirect("production:notice", notice_id=notice_id)


@perm_required("production.view_productionnotice")
def notice_document(request: HttpRequest, notice_id: int) -> HttpResponse:
    from django.conf import settings
    from django.utils import translation

    from gendan.production.documents import notice_pdf

    notice = ProductionNotice.objects.select_related("order__customer", "product").filter(pk=notice_id).first()
    if notice is None:
        raise Http404
    language = request.GET.get("language") or translation.get_language() or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    response = HttpResponse(notice_pdf(notice, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{notice.number}.pdf"'
    return response


@perm_required("production.view_planload")
def load_chart(request: HttpRequest) -> HttpResponse:
    """The plan's load per work centre and day against capacity, six weeks from a start date (default today)."""
    import datetime as dt

    from gendan.core import clock
    from gendan.production import charts

    try:
        start = dt.date.fromisoformat(request.GET.get("from") or "")
    except ValueError:
        start = clock.today()
    weeks = 6
    data = selectors.load_chart_data(start, 7 * weeks)
    chart = charts.load_svg(data["centres"], data["days"], data["load"], data["capacity"])
    return render(
        request,
        "production/load.html",
        {
            "chart": chart,
            "start": start,
            "previous": start - dt.timedelta(days=7 * weeks),
            "next": start + dt.timedelta(days=7 * weeks),
            "over": data["over"],
        },
    )


@perm_required("production.add_dailyreport")
def report_grid(request: HttpRequest) -> HttpResponse:
    """A work centre's daily report for a day (生产日报表): one row per released notice passing it, entered at once."""
    import datetime as dt

    from gendan.catalog.models import WorkCentre
    from gendan.core import clock
    from gendan.production.choices import VarianceReason

    centres = list(WorkCentre.objects.filter(is_active=True).order_by("code"))
    try:
        day = dt.date.fromisoformat(request.GET.get("date") or request.POST.get("date") or "")
    except ValueError:
        day = clock.today()
    centre_id = request.GET.get("work_centre") or request.POST.get("work_centre")
    centre = next((c for c in centres if str(c.pk) == str(centre_id)), centres[0] if centres else None)
    rows: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    if centre is not None:
        rows = selectors.report_grid_rows(centre, day)
        if request.method == "POST":
            items = []
            for row in rows:
                pk = row["notice"].pk
                values = {
                    f: request.POST.get(f"{f}-{pk}", "").strip()
                    for f in ("good_qty", "defect_qty", "scrap_qty", "hours", "headcount", "variance_reason", "note")
                }
                if not any(values[f] for f in ("good_qty", "defect_qty", "scrap_qty", "hours")):
                    continue
                items.append({"date": day, "work_centre_id": centre.pk, "notice_id": pk, **values})
                row["posted"] = values
            if not items:
                messages.error(request, _("Enter the output of at least one order."))
            else:
                try:
                    services.record_reports(by=request.user, items=items)
                except GendanError as exc:
                    errors = {k: v[0] for k, v in getattr(exc, "errors", {}).items()}
                    messages.error(request, error_text(exc))
                else:
                    messages.success(
                        request,
                        ngettext(
                            "%(n)s report recorded for %(centre)s on %(day)s.",
                            "%(n)s reports recorded for %(centre)s on %(day)s.",
                            len(items),
                        )
                        % {"n": len(items), "centre": centre.code, "day": day.isoformat()},
                    )
                    return redirect(f"{reverse('production:reports')}?work_centre={centre.pk}&date={day.isoformat()}")
    return render(
        request,
        "production/report_grid.html",
        {
            "centres": centres,
            "centre": centre,
            "day": day,
            "rows": rows,
            "errors": errors,
            "reasons": VarianceReason.choices,
        },
    )


@perm_required("production.view_dailyreport")
def variances(request: HttpRequest) -> HttpResponse:
    """The Pareto of variance reasons by period and work centre."""
    import datetime as dt

    from gendan.catalog.models import WorkCentre
    from gendan.core import charts, clock
    from gendan.production.selectors import variance_pareto

    def parse(name: str, default: dt.date) -> dt.date:
        try:
            return dt.date.fromisoformat(request.GET.get(name) or "")
        except ValueError:
            return default

    date_to = parse("to", clock.today())
    date_from = parse("from", date_to - dt.timedelta(days=90))
    if date_from > date_to:
        messages.error(request, _("The period starts after it ends."))
        date_from = date_to - dt.timedelta(days=90)
    centre = request.GET.get("work_centre") or ""
    report = variance_pareto(date_from, date_to, work_centre_id=int(centre) if centre.isdigit() else None)
    chart = charts.pareto_svg(
        report["rows"],
        count_label=_("Reports behind plan"),
        empty_text=_("No report behind plan in this period."),
        tip=lambda label, n, pct, cumulative: (
            _("%(reason)s: %(n)s reports (%(pct)s), cumulative %(cumulative)s")
            % {"reason": label, "n": n, "pct": pct, "cumulative": cumulative}
        ),
    )
    return render(
        request,
        "production/variances.html",
        {
            "report": report,
            "chart": chart,
            "date_from": date_from,
            "date_to": date_to,
            "centres": WorkCentre.objects.order_by("code"),
            "centre": centre,
        },
    )


# ---- anomalies -------------------------------------------------------------------------------------------------


@perm_required("production.view_anomaly")
def anomaly_list(request: HttpRequest) -> HttpResponse:
    from gendan.production.choices import SEVERITY_COLORS

    show = request.GET.get("show", "open")
    qs = selectors.anomaly_list(show=show, user=request.user)
    return list_page(
        request,
        "production/anomaly_list.html",
        filter_form=NoticeFilterForm(),
        qs=qs,
        show=show,
        colors=SEVERITY_COLORS,
    )


@perm_required("production.view_anomaly")
def anomaly_detail(request: HttpRequest, anomaly_id: int) -> HttpResponse:
    from gendan.production.choices import SEVERITY_COLORS
    from gendan.production.models import Anomaly

    anomaly = (
        Anomaly.objects.select_related("order__customer", "owner", "raised_by", "work_centre")
        .prefetch_related("actions__by")
        .filter(pk=anomaly_id)
        .first()
    )
    if anomaly is None:
        raise Http404
    if request.method == "POST":
        if not request.user.has_perm("production.change_anomaly"):
            from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

            raise DjangoPermissionDenied
        try:
            if request.POST.get("close"):
                services.close_anomaly(anomaly=anomaly, by=request.user, resolution=request.POST.get("resolution", ""))
                messages.success(request, _("The anomaly is closed."))
            else:
                services.add_action(anomaly=anomaly, by=request.user, text=request.POST.get("text", ""))
                messages.success(request, _("The action is recorded."))
        except GendanError as exc:
            messages.error(request, error_text(exc))
        return redirect("production:anomaly", anomaly_id=anomaly.pk)
    return render(
        request,
        "production/anomaly_detail.html",
        {"anomaly": anomaly, "colors": SEVERITY_COLORS, "history": audit.history_for(anomaly, limit=30)},
    )


@perm_required("production.add_anomaly")
def anomaly_add(request: HttpRequest, order_id: int) -> HttpResponse:
    from gendan.catalog.models import WorkCentre
    from gendan.production.choices import AnomalyKind, Severity

    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            anomaly = services.raise_anomaly(
                by=request.user,
                data={
                    "order_id": order.pk,
                    **{k: request.POST.get(k, "") for k in ("kind", "severity", "description", "owner", "due_date")},
                    "work_centre_id": request.POST.get("work_centre_id") or None,
                },
            )
        except GendanError as exc:
            error = error_text(exc)
        else:
            messages.success(request, _("The anomaly is raised."))
            return redirect("production:anomaly", anomaly_id=anomaly.pk)
    return render(
        request,
        "production/anomaly_form.html",
        {
            "order": order,
            "error": error,
            "kinds": AnomalyKind.choices,
            "severities": Severity.choices,
            "centres": WorkCentre.objects.filter(is_active=True).order_by("code"),
            "post": request.POST,
        },
    )
