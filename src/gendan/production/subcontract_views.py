"""Outsourcing pages (外发): the subcontract register, an order's page (send, receive with inspection, cancel,
close short), each factory's record and link, and the factory's own page behind its link."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gendan.catalog.choices import WorkCentreKind
from gendan.catalog.models import RoutingStep, WorkCentre
from gendan.core import audit, clock, links
from gendan.core.excel import Column, xlsx_download
from gendan.core.exceptions import GendanError, ValidationError
from gendan.core.money import Currency
from gendan.core.pages import error_text, list_page, perm_required
from gendan.production import subcontracting
from gendan.production.choices import SUBCONTRACT_STATUS_COLORS, SubcontractStatus, VarianceReason
from gendan.production.forms import SubcontractFilterForm
from gendan.production.models import DailyReport, ProductionNotice, SubcontractOrder

SUBCONTRACT_COLUMNS = [
    Column("number", "外发单号", "Number", width=16),
    Column("order", "订单号", "Order", lambda s: s.order.number, width=16),
    Column("notice", "生产通知书", "Production notice", lambda s: s.notice.number, width=16),
    Column("product", "产品", "Product", lambda s: s.notice.product.code, width=14),
    Column("factory", "外协厂", "Subcontract factory", lambda s: s.factory.code, width=12),
    Column("operations", "工序", "Operations", lambda s: f"{s.first_position}–{s.last_position}", width=10),
    Column("quantity", "数量", "Quantity", number_format="#,##0.###"),
    Column("unit_price", "单价", "Unit price", number_format="#,##0.0000"),
    Column("currency", "币种", "Currency", width=8),
    Column("amount", "金额", "Amount", number_format="#,##0.00"),
    Column("send_date", "发出日期", "Send date", width=12),
    Column("due_date", "回厂日期", "Return by", width=12),
    Column("received_qty", "已收", "Received", number_format="#,##0.###"),
    Column("rejected_qty", "拒收", "Rejected", number_format="#,##0.###"),
    Column("status", "状态", "Status", lambda s: s.get_status_display(), width=10),
]
RECORD_COLUMNS = [
    Column("factory", "外协厂", "Subcontract factory", lambda r: r["factory"].code, width=12),
    Column("name", "名称", "Name", lambda r: r["factory"].name, width=24),
    Column("orders", "外发单数", "Orders"),
    Column("quantity", "外发数量", "Quantity sent", number_format="#,##0.###"),
    Column("received", "已收", "Received", number_format="#,##0.###"),
    Column("on_time_pct", "准时率 %", "On time %"),
    Column("late_orders", "延迟单数", "Late orders"),
    Column("avg_days_late", "平均延迟天数", "Average days late"),
    Column("late_open", "逾期未回", "Late and still out"),
    Column("rejected_pct", "拒收率 %", "Rejected %"),
    Column("defect_pct", "不良率 %", "Defects reported %"),
    Column("first_pass_pct", "一次合格率 %", "First-pass yield %"),
]
FORM_FIELDS = ("factory_id", "first_position", "last_position", "quantity", "unit_price", "currency", "send_date")


def _get(sc_id: int) -> SubcontractOrder:
    sc = (
        SubcontractOrder.objects.select_related("order__customer", "notice__product", "factory__supplier", "owner")
        .filter(pk=sc_id)
        .first()
    )
    if sc is None:
        raise Http404
    return sc


def _errors(exc: GendanError) -> dict[str, str]:
    return {k: v[0] for k, v in getattr(exc, "errors", {}).items()}


@perm_required("production.view_subcontractorder")
def subcontract_list(request: HttpRequest) -> HttpResponse:
    form = SubcontractFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    factory = filters.get("factory")
    qs = subcontracting.subcontract_list(
        q=filters.get("q") or "", status=filters.get("status") or "", factory_id=factory.pk if factory else None
    )
    if request.GET.get("format") == "xlsx":
        return xlsx_download(SUBCONTRACT_COLUMNS, qs, title=_("Subcontract orders"), stem="subcontract-orders")
    return list_page(
        request,
        "production/subcontract_list.html",
        filter_form=form,
        qs=qs,
        colors=SUBCONTRACT_STATUS_COLORS,
        today=clock.today(),
    )


def _form_context(notice: ProductionNotice, post: Any, initial: dict[str, Any]) -> dict[str, Any]:
    initial = {k: f"{v.normalize():f}" if isinstance(v, Decimal) else v for k, v in initial.items()}
    steps = list(RoutingStep.objects.filter(product_id=notice.product_id).order_by("position"))
    return {
        "notice": notice,
        "steps": steps,
        "factories": WorkCentre.objects.filter(kind=WorkCentreKind.FACTORY, is_active=True).order_by("code"),
        "currencies": Currency.choices,
        "values": {**initial, **{k: post.get(k) for k in (*FORM_FIELDS, "due_date", "notes") if k in post}},
    }


@perm_required("production.add_subcontractorder")
def subcontract_add(request: HttpRequest, notice_id: int) -> HttpResponse:
    """A new subcontract order for a notice; a capacity check's outsource measure fills in factory and quantity."""
    notice = ProductionNotice.objects.select_related("order", "product").filter(pk=notice_id).first()
    if notice is None:
        raise Http404
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in (*FORM_FIELDS, "due_date", "notes")}
        data["notice_id"] = notice.pk
        try:
            sc = subcontracting.create_subcontract(by=request.user, data=data)
        except GendanError as exc:
            errors = _errors(exc) or {"__all__": error_text(exc)}
        else:
            messages.success(request, _("%(number)s is drafted: check it and send it.") % {"number": sc.number})
            return redirect("production:subcontract", sc_id=sc.pk)
    steps = RoutingStep.objects.filter(product_id=notice.product_id).order_by("position")
    initial = {
        "factory_id": request.GET.get("factory", ""),
        "quantity": request.GET.get("quantity") or notice.quantity,
        "first_position": steps.first().position if steps else "",
        "last_position": steps.last().position if steps else "",
        "send_date": clock.today(),
        "due_date": request.GET.get("due") or "",
        "currency": Currency.CNY,
    }
    context = _form_context(notice, request.POST, initial)
    return render(request, "production/subcontract_form.html", {**context, "errors": errors, "sc": None})


@perm_required("production.change_subcontractorder")
def subcontract_edit(request: HttpRequest, sc_id: int) -> HttpResponse:
    sc = _get(sc_id)
    if sc.status != SubcontractStatus.DRAFT:
        messages.error(request, _("Only a draft is changed."))
        return redirect("production:subcontract", sc_id=sc.pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in (*FORM_FIELDS, "due_date", "notes")}
        try:
            subcontracting.update_subcontract(sc=sc, by=request.user, data=data, version=request.POST.get("version"))
        except GendanError as exc:
            errors = _errors(exc) or {"__all__": error_text(exc)}
        else:
            messages.success(request, _("Saved."))
            return redirect("production:subcontract", sc_id=sc.pk)
    initial = {f: getattr(sc, f) for f in (*FORM_FIELDS, "due_date", "notes")}
    context = _form_context(sc.notice, request.POST, initial)
    return render(request, "production/subcontract_form.html", {**context, "errors": errors, "sc": sc})


def _actions(sc: SubcontractOrder, user: Any) -> list[dict[str, Any]]:
    if not user.has_perm("production.change_subcontractorder"):
        return []
    actions = []
    if sc.status == SubcontractStatus.DRAFT:
        actions.append({"action": "send", "label": _("Send to the factory"), "style": "btn-primary"})
    if sc.status == SubcontractStatus.SENT and sc.received_qty > 0:
        actions.append({"action": "close", "label": _("Close short"), "style": "btn-danger", "needs_reason": True})
    reported = sc.status == SubcontractStatus.SENT and sc.reports.exists()
    if sc.status in (SubcontractStatus.DRAFT, SubcontractStatus.SENT) and sc.received_qty == 0 and not reported:
        actions.append(
            {
                "action": "cancel",
                "label": _("Cancel"),
                "style": "btn-danger",
                "needs_reason": True,
                "reason_required": False,
            }
        )
    return actions


@perm_required("production.view_subcontractorder")
def subcontract_detail(request: HttpRequest, sc_id: int) -> HttpResponse:
    sc = _get(sc_id)
    steps = list(RoutingStep.objects.filter(product_id=sc.notice.product_id).order_by("position"))
    link = subcontracting.factory_links(sc.factory)
    return render(
        request,
        "production/subcontract_detail.html",
        {
            "sc": sc,
            "colors": SUBCONTRACT_STATUS_COLORS,
            "operations": subcontracting.operations_text(steps, sc.first_position, sc.last_position),
            "actions": _actions(sc, request.user),
            "days": subcontracting.factory_days(sc),
            "receipts": sc.receipts.select_related("by"),
            "can_receive": sc.status == SubcontractStatus.SENT
            and request.user.has_perm("production.add_subcontractreceipt"),
            "today": clock.today(),
            "outstanding": f"{sc.outstanding.normalize():f}",
            "has_link": bool(link),
            "history": audit.history_for(sc, limit=30),
        },
    )


@require_POST
@perm_required("production.change_subcontractorder")
def subcontract_action(request: HttpRequest, sc_id: int, action: str) -> HttpResponse:
    sc = _get(sc_id)
    reason = request.POST.get("reason", "")
    try:
        if action == "send":
            subcontracting.send_subcontract(sc=sc, by=request.user)
            messages.success(
                request,
                _("%(number)s is sent to %(factory)s and in the plan.") % {"number": sc.number, "factory": sc.factory},
            )
        elif action == "cancel":
            subcontracting.cancel_subcontract(sc=sc, by=request.user, reason=reason)
            messages.success(request, _("%(number)s is cancelled.") % {"number": sc.number})
        elif action == "close":
            subcontracting.close_short(sc=sc, by=request.user, reason=reason)
            messages.success(request, _("%(number)s is closed short.") % {"number": sc.number})
        else:
            raise Http404
    except GendanError as exc:
        messages.error(request, error_text(exc))
    return redirect("production:subcontract", sc_id=sc.pk)


@require_POST
@perm_required("production.add_subcontractreceipt")
def subcontract_receive(request: HttpRequest, sc_id: int) -> HttpResponse:
    sc = _get(sc_id)
    try:
        subcontracting.receive(
            sc=sc,
            by=request.user,
            data={k: request.POST.get(k, "") for k in ("date", "quantity", "rejected_qty", "findings")},
        )
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The receipt is recorded."))
    return redirect("production:subcontract", sc_id=sc.pk)


# ---- factories: their record and their links -----------------------------------------------------------------------


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@perm_required("production.view_subcontractorder")
def factories(request: HttpRequest) -> HttpResponse:
    """Each subcontract factory's on-time and quality record over a period, and its report link."""
    start, end = subcontracting.record_period(_day(request.GET.get("from", "")), _day(request.GET.get("to", "")))
    rows = subcontracting.factory_record(start, end)
    live = subcontracting.live_factory_links()
    new_link = request.session.pop("factory_link", None)
    for row in rows:
        row["link"] = live.get(row["factory"].pk)
        if row["link"] and new_link and new_link.get("id") == row["link"].pk:
            row["url"] = new_link["url"]
        elif row["link"]:
            row["url"] = request.build_absolute_uri(reverse("factory:reports", args=[links.token_for(row["link"])]))
    if request.GET.get("format") == "xlsx":
        return xlsx_download(RECORD_COLUMNS, rows, title=_("Subcontract factories"), stem="factory-record")
    return render(request, "production/factories.html", {"rows": rows, "start": start, "end": end})


@require_POST
@perm_required("production.change_subcontractorder")
def factory_link(request: HttpRequest, factory_id: int, action: str) -> HttpResponse:
    factory = WorkCentre.objects.filter(pk=factory_id, kind=WorkCentreKind.FACTORY).first()
    if factory is None:
        raise Http404
    try:
        if action == "new":
            link, token = subcontracting.create_factory_link(factory=factory, by=request.user)
            url = request.build_absolute_uri(reverse("factory:reports", args=[token]))
            request.session["factory_link"] = {"id": link.pk, "url": url}
            messages.success(request, _("A new link for %(factory)s: send it to the factory.") % {"factory": factory})
        elif action == "revoke":
            for link in subcontracting.factory_links(factory):
                subcontracting.revoke_factory_link(link=link, by=request.user)
            messages.success(request, _("The link of %(factory)s is withdrawn.") % {"factory": factory})
        else:
            raise Http404
    except GendanError as exc:
        messages.error(request, error_text(exc))
    return redirect(reverse("production:factories") + f"#factory-{factory.pk}")


# ---- the factory's page behind its link ----------------------------------------------------------------------------


def factory_reports(request: HttpRequest, token: str) -> HttpResponse:
    """What a factory sees through its link: the work sent to it and still out, its plan and what it reported; it
    reports a day's output, defects, scrap, hours and headcount per order. Recorded in its name."""
    try:
        factory, link = subcontracting.factory_for_token(token)
    except links.LinkInvalid as exc:
        return render(request, "procurement/supplier_invalid.html", {"message": exc.message}, status=410)
    today = clock.today()
    try:
        day = dt.date.fromisoformat(request.POST.get("date") or request.GET.get("date") or "")
    except ValueError:
        day = today
    day = min(day, today)
    out = list(
        SubcontractOrder.objects.filter(factory=factory, status=SubcontractStatus.SENT)
        .select_related("notice__product")
        .order_by("due_date", "pk")
    )
    row_errors: dict[int, str] = {}
    if request.method == "POST":
        items, posted = [], []
        for sc in out:
            values = {f: request.POST.get(f"{f}-{sc.pk}", "") for f in ("good_qty", "defect_qty", "scrap_qty", "hours")}
            if not any(values.values()):
                continue
            items.append(
                {
                    "date": day,
                    "subcontract_id": sc.pk,
                    **values,
                    "headcount": request.POST.get(f"headcount-{sc.pk}") or 0,
                    "variance_reason": request.POST.get(f"variance_reason-{sc.pk}", ""),
                    "note": request.POST.get(f"note-{sc.pk}", ""),
                }
            )
            posted.append(sc.pk)
        try:
            if not items:
                raise ValidationError({"items": _("Enter the output of at least one order.")})
            subcontracting.record_factory_reports(factory=factory, link=link, items=items)
        except GendanError as exc:
            messages.error(request, error_text(exc))
            for key, message in _errors(exc).items():  # "items.2.variance_reason", or "variance_reason" for one
                parts = key.split(".")
                index = int(parts[1]) - 1 if len(parts) > 2 and parts[1].isdigit() else 0
                if posted and index < len(posted):
                    row_errors.setdefault(posted[index], message)
        else:
            messages.success(request, _("Thank you: your report of %(day)s is recorded.") % {"day": day.isoformat()})
            return redirect(reverse("factory:reports", args=[token]) + f"?date={day.isoformat()}")
    figures = subcontracting.progress_at_factory([sc.pk for sc in out], day)
    entered = {r.subcontract_id: r for r in DailyReport.objects.filter(subcontract__in=out, date=day)}
    rows = []
    fields = ("good_qty", "defect_qty", "scrap_qty", "hours", "headcount", "variance_reason", "note")
    for sc in out:
        planned, made = figures[sc.pk]
        report = entered.get(sc.pk)
        if request.method == "POST":  # what was typed stays on the page when it is refused
            values = {f: request.POST.get(f"{f}-{sc.pk}", "") for f in fields}
        elif report is not None:
            values = {f: getattr(report, f) for f in fields}
            values.update({f: f"{values[f].normalize():f}" for f in ("good_qty", "defect_qty", "scrap_qty", "hours")})
        else:
            values = {}
        rows.append(
            {
                "sc": sc,
                "planned_cum": planned,
                "actual_cum": made,
                "values": values,
                "error": row_errors.get(sc.pk, ""),
            }
        )
    return render(
        request,
        "production/factory_reports.html",
        {
            "factory": factory,
            "link": link,
            "token": token,
            "rows": rows,
            "day": day,
            "today": today,
            "reasons": VarianceReason.choices,
        },
    )
