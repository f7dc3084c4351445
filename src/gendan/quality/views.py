"""Quality pages: the inspection list (with purchasing's incoming inspections), planning an inspection from an
order, an inspection's page (book, findings with the computed result, disposition, report, photos), the AQL table,
the defect catalogue, customers' defaults and the quality records."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from gendan.core import audit, clock
from gendan.core.charts import pareto_svg
from gendan.core.choices import Role
from gendan.core.excel import Column, xlsx_download
from gendan.core.exceptions import GendanError
from gendan.core.models import User
from gendan.core.pages import cleaned_filters, error_text, paginate, perm_required, querystring_without
from gendan.core.services import add_attachment, attachments_for
from gendan.partners.models import Customer, Supplier
from gendan.quality import aql, selectors, services
from gendan.quality.choices import (
    INSPECTION_STATUS_COLORS,
    OPEN_STATUSES,
    RESULT_COLORS,
    CheckKind,
    DefectClass,
    Disposition,
    InspectionKind,
    Level,
    Result,
)
from gendan.quality.forms import AqlForm, DefectTypeForm, InspectionFilterForm
from gendan.quality.models import DefectType, Inspection, QualityDefaults
from gendan.sales.models import Order

LIST_COLUMNS = [
    Column("number", "编号", "Number", width=16),
    Column("kind_label", "类别", "Kind", width=18),
    Column("date", "日期", "Date", width=12),
    Column("order_number", "订单号", "Order", width=16),
    Column("product", "产品", "Product", width=14),
    Column("maker", "生产方", "Made by", width=14),
    Column("lot_size", "批量", "Lot size", number_format="#,##0.###"),
    Column("inspector", "检验员", "Inspector", width=12),
    Column("status_label", "状态", "Status", width=10),
    Column("result_label", "结果", "Result", width=8),
]
DEFECT_ROWS = 6
CHECK_ROWS = (CheckKind.QUANTITY, CheckKind.CARTON_MARKS, CheckKind.PACKING, CheckKind.LABELS, CheckKind.MEASUREMENT)


def _inspectors() -> Any:
    return User.objects.filter(is_active=True, groups__name__in=[Role.QC, Role.MANAGER]).distinct().order_by("username")


def _get(inspection_id: int) -> Inspection:
    found = (
        Inspection.objects.select_related(
            "order__customer", "order__merchandiser", "product", "factory", "agency", "inspector", "reinspection_of"
        )
        .prefetch_related("defects__defect_type", "checks", "reinspections")
        .filter(pk=inspection_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


@perm_required("quality.view_inspection")
def inspection_list(request: HttpRequest) -> HttpResponse:
    form = InspectionFilterForm(request.GET or None)
    filters = cleaned_filters(form)
    if not request.GET.get("date_from"):  # the last two months (a year once filtered) unless a start is given
        filters["date_from"] = clock.today() - dt.timedelta(days=365 if request.GET else 60)
    rows = selectors.inspection_rows(filters)
    if request.GET.get("format") == "xlsx":
        return xlsx_download(LIST_COLUMNS, rows, title=_("Inspections"), stem="inspections")
    return render(
        request,
        "quality/inspection_list.html",
        {
            "filter_form": form,
            "page": paginate(request, rows),
            "qs": querystring_without(request, "page"),
            "export_qs": querystring_without(request, "page", "per_page"),
            "status_colors": INSPECTION_STATUS_COLORS,
            "result_colors": RESULT_COLORS,
            "since": filters.get("date_from"),
        },
    )


def _form_context(order: Order, values: dict[str, Any], errors: dict[str, Any]) -> dict[str, Any]:
    level, aqls = services.defaults_for(order.customer_id)
    return {
        "order": order,
        "lines": list(order.lines.select_related("product")),
        "values": values,
        "errors": errors,
        "kinds": InspectionKind.choices,
        "levels": Level.choices,
        "defaults": {"level": level, **{k: f"{v.normalize():f}" for k, v in aqls.items()}},
        "makers": Supplier.objects.filter(kind__in=["subcontract", "material"], is_active=True).order_by("code"),
        "agencies": Supplier.objects.filter(kind="inspection", is_active=True).order_by("code"),
        "inspectors": _inspectors(),
        "fi_date": services.milestone_date(order.pk),
    }


@perm_required("quality.add_inspection")
def inspection_add(request: HttpRequest, order_id: int) -> HttpResponse:
    order = Order.objects.select_related("customer").filter(pk=order_id).first()
    if order is None:
        raise Http404
    values: dict[str, Any] = {"kind": request.GET.get("kind") or InspectionKind.FINAL, "order_line_id": ""}
    errors: dict[str, Any] = {}
    if request.method == "POST":
        values = {k: v.strip() for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        try:
            created = services.plan_inspection(by=request.user, data={**values, "order": order})
        except GendanError as exc:
            errors = getattr(exc, "errors", {"__all__": [error_text(exc)]})
        else:
            messages.success(request, _("%(number)s is planned.") % {"number": created.number})
            return redirect("quality:inspection", inspection_id=created.pk)
    return render(request, "quality/inspection_form.html", _form_context(order, values, errors))


@perm_required("quality.view_inspection")
def inspection_detail(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = _get(inspection_id)
    user = request.user
    try:
        plan = services.plan_rows(inspection)
    except GendanError as exc:
        plan, messages_error = {"code_letter": "", "classes": {}}, error_text(exc)
        messages.error(request, messages_error)
    classes = [
        {
            "name": k,
            "label": DefectClass(k).label,
            "result_label": Result(row["result"]).label if row.get("result") else "",
            **row,
        }
        for k, row in plan["classes"].items()
    ]
    is_open = inspection.status in OPEN_STATUSES
    category = inspection.product.category if inspection.product_id else ""
    contacts = [c.email for c in inspection.order.customer.contacts.exclude(email="").order_by("-is_primary", "name")]
    return render(
        request,
        "quality/inspection_detail.html",
        {
            "inspection": inspection,
            "plan": plan,
            "classes": classes,
            "sample": max((c["sample_size"] for c in classes), default=0),
            "status_colors": INSPECTION_STATUS_COLORS,
            "result_colors": RESULT_COLORS,
            "can_change": is_open and user.has_perm("quality.change_inspection"),
            "can_inspect": is_open and user.has_perm("quality.inspect_lot"),
            "can_dispose": inspection.result == Result.FAIL
            and not inspection.disposition
            and user.has_perm("quality.inspect_lot"),
            "catalogue": list(selectors.defect_catalogue(category)),
            **_findings_rows(getattr(request, "posted_findings", None)),
            "defect_classes": DefectClass.choices,
            "check_kinds": CheckKind.choices,
            "dispositions": Disposition.choices,
            "inspectors": _inspectors(),
            "contacts": ", ".join(contacts),
            "attachments": attachments_for(inspection),
            "history": audit.history_for(inspection, limit=40),
            "today": clock.today(),
        },
    )


@perm_required("quality.change_inspection")
def inspection_edit(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = _get(inspection_id)
    if request.method == "POST":
        values = {k: v.strip() for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "version")}
        try:
            services.update_inspection(
                inspection=inspection, by=request.user, data=values, version=request.POST.get("version")
            )
        except GendanError as exc:
            context = _form_context(inspection.order, values, getattr(exc, "errors", {"__all__": [error_text(exc)]}))
            return render(request, "quality/inspection_form.html", {**context, "inspection": inspection})
        messages.success(request, _("%(number)s is saved.") % {"number": inspection.number})
        return redirect("quality:inspection", inspection_id=inspection.pk)
    values = {
        "lot_size": inspection.lot_size,
        "level": inspection.level,
        **{f: f"{getattr(inspection, f).normalize():f}" for f in ("aql_critical", "aql_major", "aql_minor")},
        "planned_date": inspection.planned_date.isoformat(),
        "inspector_id": inspection.inspector_id or "",
        "factory_id": inspection.factory_id or "",
        "agency_id": inspection.agency_id or "",
        "certificate_no": inspection.certificate_no,
        "notes": inspection.notes,
    }
    context = _form_context(inspection.order, values, {})
    return render(request, "quality/inspection_form.html", {**context, "inspection": inspection})


def _findings_rows(posted: Any) -> dict[str, Any]:
    """The findings form's rows: blank ones (the usual checks named), or what was posted when it was refused."""
    posted = posted or {}
    defects = []
    count = max(DEFECT_ROWS, sum(1 for k in posted if k.startswith("defect_qty-")))
    for i in range(count):
        defects.append({f: posted.get(f"defect_{f}-{i}", "") for f in ("code", "class", "qty", "description")})
    checks = []
    kinds = [posted.get(f"check_kind-{i}") for i in range(len(CHECK_ROWS))] if posted else list(CHECK_ROWS)
    for i, kind in enumerate(kinds):
        checks.append(
            {"kind": kind or "", **{f: posted.get(f"check_{f}-{i}", "") for f in ("name", "expected", "actual", "ok")}}
        )
    return {
        "defect_rows": defects,
        "check_rows": checks,
        "posted_qty": posted.get("inspected_qty", ""),
        "posted_on": posted.get("inspected_on", ""),
    }


def _findings(post: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    defects, checks = [], []
    index = 0
    while f"defect_qty-{index}" in post:
        code, qty = post.get(f"defect_code-{index}", "").strip(), post.get(f"defect_qty-{index}", "").strip()
        description = post.get(f"defect_description-{index}", "").strip()
        if code or qty or description:
            defects.append(
                {
                    "code": code,
                    "class": post.get(f"defect_class-{index}", ""),
                    "quantity": qty,
                    "description": description,
                }
            )
        index += 1
    index = 0
    while f"check_kind-{index}" in post:
        name, expected, actual = (post.get(f"check_{f}-{index}", "").strip() for f in ("name", "expected", "actual"))
        verdict = post.get(f"check_ok-{index}", "")
        if name or expected or actual or verdict:
            checks.append(
                {
                    "kind": post.get(f"check_kind-{index}"),
                    "name": name,
                    "expected": expected,
                    "actual": actual,
                    "ok": verdict != "no",
                }
            )
        index += 1
    return defects, checks


@require_POST
@perm_required("quality.view_inspection")
def inspection_action(request: HttpRequest, inspection_id: int, action: str) -> HttpResponse:
    inspection = _get(inspection_id)
    post, by = request.POST, request.user
    version = post.get("version") or None
    try:
        if action == "book":
            services.book_inspection(
                inspection=inspection, by=by, date=post.get("date"), inspector=post.get("inspector_id"), version=version
            )
            messages.success(request, pgettext("inspection", "%(number)s is booked.") % {"number": inspection.number})
        elif action == "cancel":
            services.cancel_inspection(inspection=inspection, by=by, reason=post.get("reason", ""), version=version)
            messages.success(request, _("%(number)s is cancelled.") % {"number": inspection.number})
        elif action == "findings":
            defects, checks = _findings(post)
            done = services.record_findings(
                inspection=inspection,
                by=by,
                inspected_qty=post.get("inspected_qty"),
                inspected_on=post.get("inspected_on") or None,
                defects=defects,
                checks=checks,
                version=version,
            )
            text = _("%(number)s: %(result)s.") % {"number": done.number, "result": done.get_result_display()}
            (messages.success if done.result == Result.PASS else messages.warning)(request, text)
        elif action == "disposition":
            services.set_disposition(
                inspection=inspection,
                by=by,
                disposition=post.get("disposition", ""),
                note=post.get("note", ""),
                reinspection_date=post.get("reinspection_date") or None,
                version=version,
            )
            messages.success(request, _("The disposition of %(number)s is recorded.") % {"number": inspection.number})
        elif action == "send":
            services.send_report(
                inspection=inspection,
                by=by,
                to=[a for a in post.get("to", "").replace(";", ",").split(",")],
                language=post.get("language") or "en",
                message=post.get("message", ""),
            )
            messages.success(request, _("The report of %(number)s is sent.") % {"number": inspection.number})
        elif action == "attach":
            if not by.has_perm("quality.change_inspection") and not by.has_perm("quality.inspect_lot"):
                raise DjangoPermissionDenied
            upload = request.FILES.get("file")
            if upload is None:
                messages.error(request, _("Choose a file to upload."))
            else:
                add_attachment(instance=inspection, upload=upload, by=by, related=inspection.order)
                messages.success(request, _("%(name)s is attached.") % {"name": upload.name})
        else:
            raise Http404
    except GendanError as exc:
        messages.error(request, error_text(exc))
        if action == "findings":  # keep what was typed
            return inspection_detail_with(request, inspection_id, posted=post)
    return redirect("quality:inspection", inspection_id=inspection_id)


def inspection_detail_with(request: HttpRequest, inspection_id: int, *, posted: Any) -> HttpResponse:
    """The inspection's page again, its findings form showing what was posted."""
    request.posted_findings = posted  # type: ignore[attr-defined]
    return inspection_detail(request, inspection_id)


@perm_required("quality.view_inspection")
def inspection_report(request: HttpRequest, inspection_id: int) -> HttpResponse:
    from gendan.quality.documents import report_pdf

    inspection = _get(inspection_id)
    language = request.GET.get("language") or translation.get_language() or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    response = HttpResponse(report_pdf(inspection, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{inspection.number}.pdf"'
    return response


@perm_required("quality.view_inspection")
def aql_table(request: HttpRequest) -> HttpResponse:
    """The AQL calculator: a lot's plan, and the whole of Table 2-A for reference."""
    form = AqlForm(request.GET or None)
    plan = None
    if form.is_bound and form.is_valid():
        try:
            plan = aql.plan(
                form.cleaned_data["lot_size"], form.cleaned_data["level"], aql.parse_aql(form.cleaned_data["aql"])
            )
        except aql.AqlError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
    table = [
        {"letter": letter, "size": aql.SAMPLE_SIZES[letter], "cells": aql.TABLE_2A[letter]}
        for letter in aql.CODE_LETTERS
    ]
    return render(
        request,
        "quality/aql.html",
        {"form": form, "plan": plan, "aqls": aql.AQLS, "table": table, "down": aql.DOWN, "up": aql.UP},
    )


@perm_required("quality.view_defecttype")
def defect_list(request: HttpRequest) -> HttpResponse:
    editing = None
    if request.GET.get("edit", "").isdigit():
        editing = DefectType.objects.filter(pk=int(request.GET["edit"])).first()
    if request.method == "POST":
        editing = DefectType.objects.filter(pk=request.POST.get("id") or 0).first()
        form = DefectTypeForm(request.POST)
        if form.is_valid():
            try:
                saved = services.save_defect_type(by=request.user, data=form.cleaned_data, defect=editing)
            except GendanError as exc:
                for field, msgs in getattr(exc, "errors", {"__all__": [error_text(exc)]}).items():
                    form.add_error(field if field in form.fields else None, msgs)
            else:
                messages.success(request, _("%(code)s is saved.") % {"code": saved.code})
                return redirect("quality:defects")
    elif editing is not None:
        form = DefectTypeForm(
            initial={
                f: getattr(editing, f) for f in ("code", "name_zh", "name_en", "category", "defect_class", "is_active")
            }
        )
    else:
        form = DefectTypeForm()
    category = request.GET.get("category", "")
    qs = DefectType.objects.all()
    if category:
        qs = qs.filter(category=category)
    return render(
        request,
        "quality/defect_list.html",
        {
            "form": form,
            "editing": editing,
            "defects": qs,
            "categories": DefectType.objects.exclude(category="")
            .order_by()
            .values_list("category", flat=True)
            .distinct(),
            "category": category,
            "can_edit": request.user.has_perm("quality.add_defecttype"),
        },
    )


@perm_required("quality.view_qualitydefaults")
def customer_defaults(request: HttpRequest) -> HttpResponse:
    """Each customer's inspection level and AQLs; the house defaults for the others."""
    if request.method == "POST":
        try:
            services.set_customer_defaults(
                by=request.user, customer_id=int(request.POST.get("customer") or 0), data=request.POST.dict()
            )
        except (GendanError, ValueError) as exc:
            messages.error(request, error_text(exc) if isinstance(exc, GendanError) else _("Choose a customer."))
        else:
            messages.success(request, _("The inspection defaults are saved."))
        return redirect("quality:defaults")
    return render(
        request,
        "quality/defaults.html",
        {
            "rows": QualityDefaults.objects.select_related("customer").order_by("customer__code"),
            "customers": Customer.objects.only("id", "code", "name").order_by("code"),
            "levels": Level.choices,
            "can_edit": request.user.has_perm("quality.change_qualitydefaults"),
        },
    )


@perm_required("quality.view_inspection")
def records(request: HttpRequest) -> HttpResponse:
    """The defect Pareto (by product category, maker and period) and the first-pass yield per maker."""
    today = clock.today()

    def day(name: str, default: dt.date) -> dt.date:
        try:
            return dt.date.fromisoformat(request.GET.get(name) or "")
        except ValueError:
            return default

    until = day("to", today)
    since = day("from", until - dt.timedelta(days=90))
    if since > until:
        messages.error(request, _("The period starts after it ends."))
        since = until - dt.timedelta(days=90)
    category = request.GET.get("category", "")
    factory = request.GET.get("factory", "")
    pareto = selectors.defect_pareto(
        since=since,
        until=until,
        category=category,
        factory_id=int(factory) if factory.isdigit() else None,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    chart = pareto_svg(
        [{"cause": r["code"], "cause_label": r["name"] or r["code"], "lines": r["quantity"]} for r in pareto],
        count_label=_("Defects found"),
        empty_text=_("No defect found in this period."),
        tip=lambda label, n, pct, cumulative: (
            _("%(defect)s: %(n)s (%(pct)s), cumulative %(cumulative)s")
            % {"defect": label, "n": n, "pct": pct, "cumulative": cumulative}
        ),
    )
    from gendan.catalog.models import Product

    return render(
        request,
        "quality/records.html",
        {
            "since": since,
            "until": until,
            "category": category,
            "factory": factory,
            "pareto": pareto,
            "chart": chart,
            "yields": selectors.first_pass_yield(since=since, until=until),
            "categories": Product.objects.exclude(category="").order_by().values_list("category", flat=True).distinct(),
            "makers": Supplier.objects.filter(kind__in=["subcontract", "material"]).order_by("code"),
        },
    )


def order_section_context(request: HttpRequest, order: Order) -> dict[str, Any]:
    return {
        "inspections": list(
            Inspection.objects.filter(order=order).select_related("inspector", "product").order_by("planned_date", "pk")
        ),
        "status_colors": INSPECTION_STATUS_COLORS,
        "result_colors": RESULT_COLORS,
        "can_plan": request.user.has_perm("quality.add_inspection") and order.status in services.INSPECTABLE,
    }
