"""Production API: the capacity check, for a what-if quantity or an existing order."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gendan.core.apiutils import require_perm
from gendan.core.exceptions import NotFound
from gendan.production import planning, services
from gendan.production.models import Anomaly, DailyReport, ProductionNotice
from gendan.production.schemas import (
    AnomalyIn,
    AnomalyOut,
    AnomalyPage,
    CapacityCheckIn,
    CapacityCheckOut,
    CloseIn,
    DailyReportIn,
    DailyReportOut,
    DailyReportPage,
    FactoryLinkOut,
    FactoryRecordOut,
    NoticeIn,
    NoticeOut,
    NoticePage,
    OrderCheckIn,
    OrderCheckOut,
    PlanEditOut,
    PlanIn,
    PlanOut,
    ProductionReasonIn,
    ProgressOut,
    ReleaseIn,
    SubcontractIn,
    SubcontractOut,
    SubcontractPage,
    SubcontractPatch,
    SubcontractReceiptIn,
    TextIn,
    TrackingPage,
    TrackingSortT,
    VersionIn,
)
from gendan.sales.models import OrderLine
from gendan.sales.selectors import get_order

router = Router(tags=["production"])


@router.post("/capacity-check", response=CapacityCheckOut)
def capacity_check(request: HttpRequest, data: CapacityCheckIn):
    """Can this quantity of a product be made by the date (能否按期交货)? Scheduled on finite capacity against the
    released plan (earliest due date first, or ahead of everything with priority rush): the earliest finish, the
    load it adds per work centre and day, and when the date is not met the measures with their figures."""
    require_perm(request, "production.view_planload")
    result = services.capacity_check(
        product=data.product_id, quantity=data.quantity, due_date=data.due_date, priority=data.priority
    )
    return result.as_dict()


@router.post("/orders/{order_id}/capacity-check", response=OrderCheckOut)
def order_capacity_check(request: HttpRequest, order_id: int, data: OrderCheckIn | None = None):
    """The capacity check of an existing order: its lines one after the other, each by its ex-factory date."""
    require_perm(request, "production.view_planload")
    return services.order_capacity_check(order=get_order(order_id), priority=data.priority if data else "edd")


# ---- production notices ------------------------------------------------------------------------------------


def notice_dict(n: ProductionNotice) -> dict[str, Any]:
    return {
        "id": n.pk,
        "number": n.number,
        "order_id": n.order_id,
        "order_number": n.order.number,
        "order_line_id": n.order_line_id,
        "product_id": n.product_id,
        "product_code": n.product.code,
        "spec": n.spec,
        "quantity": n.quantity,
        "packaging": n.packaging,
        "due_date": n.due_date,
        "status": n.status,
        "planned_start": n.planned_start,
        "planned_finish": n.planned_finish,
        "plan_edited": n.plan_edited,
        "version": n.version,
    }


def _notice(notice_id: int) -> ProductionNotice:
    found = ProductionNotice.objects.select_related("order", "product").filter(pk=notice_id).first()
    if found is None:
        raise NotFound(_("There is no production notice %(id)s.") % {"id": notice_id})
    return found


@router.get("/production-notices", response=NoticePage)
def notice_list(
    request: HttpRequest,
    status: str = "",
    order_id: int | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """The production register (生产登记表), newest first."""
    require_perm(request, "production.view_productionnotice")
    qs = ProductionNotice.objects.select_related("order", "product").order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status)
    if order_id:
        qs = qs.filter(order_id=order_id)
    return {"items": [notice_dict(n) for n in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/production-notices", response={201: NoticeOut})
def notice_create(request: HttpRequest, data: NoticeIn):
    """Register a production notice for a confirmed order line."""
    require_perm(request, "production.add_productionnotice")
    line = OrderLine.objects.select_related("order", "product").filter(pk=data.order_line_id).first()
    if line is None:
        raise NotFound(_("There is no order line %(id)s.") % {"id": data.order_line_id})
    values = data.model_dump(exclude={"order_line_id"}, exclude_none=True)
    notice = services.create_notice(order_line=line, by=request.user, data=values)
    return Status(201, notice_dict(_notice(notice.pk)))


@router.get("/production-notices/{notice_id}", response=NoticeOut)
def notice_detail(request: HttpRequest, notice_id: int):
    require_perm(request, "production.view_productionnotice")
    return notice_dict(_notice(notice_id))


@router.post("/production-notices/{notice_id}/release", response=NoticeOut)
def notice_release(request: HttpRequest, notice_id: int, data: ReleaseIn | None = None):
    """Release a draft notice to the plan after its capacity check: refused (422) with the earliest finish when the
    date cannot be met, unless `accept` is overtime (made real as capacity exceptions) or late."""
    require_perm(request, "production.release_productionnotice")
    services.release_notice(notice=_notice(notice_id), by=request.user, accept=data.accept if data else "")
    return notice_dict(_notice(notice_id))


@router.get("/production-notices/{notice_id}/plan", response=PlanOut)
def notice_plan(request: HttpRequest, notice_id: int):
    """A notice's in-house plan (生产计划): each operation's daily quantity, load and overtime."""
    require_perm(request, "production.view_planload")
    return planning.notice_plan(_notice(notice_id))


@router.put("/production-notices/{notice_id}/plan", response=PlanEditOut)
def notice_plan_edit(request: HttpRequest, notice_id: int, data: PlanIn):
    """Adjust a released notice's daily quantities by hand, re-checked against capacity: each operation given must
    add up to its in-house quantity, on days its work centre works, never ahead of the operation before it (422).
    A day over capacity within the allowed overtime is refused (409, `code` insufficient_quantity, with the
    `overloads`) unless `accept_overload`; beyond the overtime it is refused (422). `check_only` answers the
    re-check without saving. The adjusted plan stays when others are planned, and comes first."""
    require_perm(request, "production.edit_plan")
    notice = _notice(notice_id)
    proposal = planning.edit_plan(
        notice=notice,
        by=request.user,
        items=[row.model_dump() for row in data.rows],
        version=data.version,
        accept_overload=data.accept_overload,
        check_only=data.check_only,
    )
    return {
        "saved": not data.check_only,
        "overloads": proposal.overloads,
        "plan": planning.notice_plan(_notice(notice_id)),
    }


@router.post("/production-notices/{notice_id}/plan/reset", response=PlanOut)
def notice_plan_reset(request: HttpRequest, notice_id: int, data: VersionIn | None = None):
    """Hand a plan adjusted by hand back to the scheduler (planned afresh, earliest due date first)."""
    require_perm(request, "production.edit_plan")
    planning.reset_plan(notice=_notice(notice_id), by=request.user, version=data.version if data else None)
    return planning.notice_plan(_notice(notice_id))


# ---- daily reports and progress ----------------------------------------------------------------------------


def report_dict(r: DailyReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "date": r.date,
        "work_centre_id": r.work_centre_id,
        "work_centre": r.work_centre.code,
        "order_id": r.order_id,
        "notice_id": r.notice_id,
        "subcontract_id": r.subcontract_id,
        "good_qty": r.good_qty,
        "defect_qty": r.defect_qty,
        "scrap_qty": r.scrap_qty,
        "hours": r.hours,
        "headcount": r.headcount,
        "variance_reason": r.variance_reason,
        "note": r.note,
        "reported_by": r.reported_by,
    }


@router.get("/daily-reports", response=DailyReportPage)
def report_list(
    request: HttpRequest,
    order_id: int | None = None,
    work_centre_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Daily production reports (生产日报表), newest first."""
    require_perm(request, "production.view_dailyreport")
    qs = DailyReport.objects.select_related("work_centre").order_by("-date", "work_centre__code", "id")
    if order_id:
        qs = qs.filter(order_id=order_id)
    if work_centre_id:
        qs = qs.filter(work_centre_id=work_centre_id)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return {"items": [report_dict(r) for r in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/daily-reports", response={201: list[DailyReportOut]})
def report_create(request: HttpRequest, data: DailyReportIn | list[DailyReportIn]):
    """Record one report, or a list (a whole line's day at once; all or nothing). A day behind plan beyond the
    tolerance needs `variance_reason` (plan_error, equipment, material, quality, rush, upstream, staff)."""
    require_perm(request, "production.add_dailyreport")
    items = [d.model_dump() for d in (data if isinstance(data, list) else [data])]
    saved = services.record_reports(by=request.user, items=items)
    rows = DailyReport.objects.select_related("work_centre").filter(pk__in=[r.pk for r in saved])
    return Status(201, [report_dict(r) for r in rows])


@router.get("/orders/{order_id}/progress", response=ProgressOut)
def order_progress(request: HttpRequest, order_id: int):
    """The plan-progress tracking table (生产计划进度跟踪表): planned and actual cumulative finished output per day,
    the variance, % complete, defect and scrap rates, and the completion forecast from the run rate."""
    require_perm(request, "production.view_dailyreport")
    order = get_order(order_id)
    p = services.progress(order)
    return {
        "order_id": order.pk,
        "total": p.total,
        "actual": p.actual,
        "rows": p.rows,
        "planned_finish": p.planned_finish,
        "forecast_completion_date": p.forecast_completion_date,
        "run_rate": p.run_rate,
        "defect_rate": p.defect_rate,
        "scrap_rate": p.scrap_rate,
    }


# ---- anomalies -----------------------------------------------------------------------------------------------


def anomaly_dict(a: Anomaly) -> dict[str, Any]:
    return {
        "id": a.pk,
        "order_id": a.order_id,
        "order_number": a.order.number,
        "work_centre_id": a.work_centre_id,
        "kind": a.kind,
        "severity": a.severity,
        "description": a.description,
        "owner": a.owner.username,
        "due_date": a.due_date,
        "closed_at": a.closed_at,
        "resolution": a.resolution,
        "actions": [{"text": x.text, "by": x.by.username, "at": x.at} for x in a.actions.all()],
        "version": a.version,
    }


def _anomaly(anomaly_id: int) -> Anomaly:
    found = (
        Anomaly.objects.select_related("order", "owner").prefetch_related("actions__by").filter(pk=anomaly_id).first()
    )
    if found is None:
        raise NotFound(_("There is no anomaly %(id)s.") % {"id": anomaly_id})
    return found


@router.get("/anomalies", response=AnomalyPage)
def anomaly_list(
    request: HttpRequest,
    open: bool | None = None,  # noqa: A002 - the API's name for "still open"
    owner: str = "",
    order_id: int | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Production anomalies (生产异常): open ones first, by resolve-by date."""
    require_perm(request, "production.view_anomaly")
    qs = Anomaly.objects.select_related("order", "owner").prefetch_related("actions__by")
    if open is not None:
        qs = qs.filter(closed_at__isnull=open)
    if owner:
        qs = qs.filter(owner__username=owner)
    if order_id:
        qs = qs.filter(order_id=order_id)
    return {"items": [anomaly_dict(a) for a in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/anomalies", response={201: AnomalyOut})
def anomaly_create(request: HttpRequest, data: AnomalyIn):
    """Raise an anomaly; its owner finds it in the chase list until it is closed."""
    require_perm(request, "production.add_anomaly")
    anomaly = services.raise_anomaly(by=request.user, data=data.model_dump(exclude_none=True))
    return Status(201, anomaly_dict(_anomaly(anomaly.pk)))


@router.get("/anomalies/{anomaly_id}", response=AnomalyOut)
def anomaly_detail(request: HttpRequest, anomaly_id: int):
    require_perm(request, "production.view_anomaly")
    return anomaly_dict(_anomaly(anomaly_id))


@router.post("/anomalies/{anomaly_id}/actions", response=AnomalyOut)
def anomaly_action(request: HttpRequest, anomaly_id: int, data: TextIn):
    require_perm(request, "production.change_anomaly")
    services.add_action(anomaly=_anomaly(anomaly_id), by=request.user, text=data.text)
    return anomaly_dict(_anomaly(anomaly_id))


@router.post("/anomalies/{anomaly_id}/close", response=AnomalyOut)
def anomaly_close(request: HttpRequest, anomaly_id: int, data: CloseIn):
    require_perm(request, "production.change_anomaly")
    services.close_anomaly(anomaly=_anomaly(anomaly_id), by=request.user, resolution=data.resolution)
    return anomaly_dict(_anomaly(anomaly_id))


# ---- reports: variance reasons and the load of the plan ------------------------------------------------------------


@router.get("/variance-reasons", response=dict)
def variance_reasons(
    request: HttpRequest,
    date_from: dt.date | None = Query(None, alias="from"),
    date_to: dt.date | None = Query(None, alias="to"),
    work_centre_id: int | None = None,
):
    """The Pareto of variance reasons given in daily reports over the period (default the last 90 days): `rows`
    [{cause, cause_label, lines (reports), pct, cumulative_pct}], `by_centre` and `total`."""
    from gendan.core import clock
    from gendan.core.exceptions import ValidationError
    from gendan.production.selectors import variance_pareto

    require_perm(request, "production.view_dailyreport")
    date_to = date_to or clock.today()
    date_from = date_from or date_to - dt.timedelta(days=90)
    if date_from > date_to:
        raise ValidationError({"from": _("The period starts after it ends.")})
    return variance_pareto(date_from, date_to, work_centre_id=work_centre_id)


@router.get("/plan-load", response=dict)
def plan_load(
    request: HttpRequest, date_from: dt.date | None = Query(None, alias="from"), days: int = Query(42, ge=1, le=366)
):
    """The plan's load against capacity per work centre and day: `rows` [{work_centre_id, date, load, capacity,
    over}] for the days that have either, and `over` (how many are planned over capacity)."""
    from gendan.core import clock
    from gendan.production.selectors import load_chart_data

    require_perm(request, "production.view_planload")
    data = load_chart_data(date_from or clock.today(), days)
    rows = []
    for pk, _label in data["centres"]:
        for day in data["days"]:
            load = data["load"].get((pk, day), Decimal(0))
            capacity = data["capacity"].get((pk, day), Decimal(0))
            if load or capacity:
                rows.append(
                    {"work_centre_id": pk, "date": day, "load": load, "capacity": capacity, "over": load > capacity}
                )
    return {"rows": rows, "over": data["over"]}


# ---- daily reports imported from Excel -----------------------------------------------------------------------------


class ReportImportOut(Schema):
    recorded: int
    created: int
    updated: int


class ImportRowErrorOut(Schema):
    loc: list[str | int]
    msg: str
    type: str = "value_error"
    row: int
    column: str


class ImportErrorsOut(Schema):
    detail: list[ImportRowErrorOut]


@router.post("/daily-reports/import", response={200: ReportImportOut, 422: ImportErrorsOut})
def report_import(request: HttpRequest, file: File[UploadedFile]):
    """Import daily reports from an .xlsx made from the page's template (multipart, field `file`): one row per day,
    work centre code and order number, all rows or none. `created` counts new reports, `updated` days reported
    again (replaced). A bad file is a 422 listing every problem with its spreadsheet row (`loc`: body, file, row,
    column key; `row`; `column` as headed in the caller's language); nothing is saved."""
    from gendan.production.imports import import_reports

    require_perm(request, "production.add_dailyreport")
    result = import_reports(fileobj=file, by=request.user)
    if not result.ok:
        detail = [
            {"loc": ["body", "file", e.row, e.field], "msg": e.message, "row": e.row, "column": e.column or e.field}
            for e in result.errors
        ]
        return Status(422, {"detail": detail})
    return {"recorded": result.created + result.updated, "created": result.created, "updated": result.updated}


# ---- the plan-progress tracking table of every order in production -------------------------------------------------


@router.get("/production-tracking", response=TrackingPage)
def production_tracking(
    request: HttpRequest,
    merchandiser: str = "",
    customer_id: int | None = None,
    work_centre_id: int | None = None,
    behind: bool = False,
    sort: TrackingSortT = "-lateness",
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """The plan-progress tracking table (生产计划进度跟踪表) of every order with released notices: planned and actual
    cumulative finished output to today, variance, % complete, defect and scrap rates, run rate, planned finish and
    forecast completion (as `GET /orders/{id}/progress`) against the ex-factory date. Filters: `merchandiser`
    (username), `customer_id`, `work_centre_id` (orders whose released notices pass it), `behind` (behind plan
    beyond the tolerance only). `sort`: lateness (working days the forecast is after the ex-factory date; stalled
    orders latest), number, customer, ex_factory, forecast, variance, complete; "-" first for the reverse (default:
    the latest first)."""
    from dataclasses import asdict

    from gendan.production.selectors import tracking_table

    require_perm(request, "production.view_dailyreport")
    rows = tracking_table(
        merchandiser=merchandiser,
        customer_id=customer_id,
        work_centre_id=work_centre_id,
        behind_only=behind,
        sort=sort,
    )
    return {"items": [asdict(r) for r in rows[offset : offset + limit]], "count": len(rows)}


# ---- outsourcing (外发) ----------------------------------------------------------------------------------------------


def subcontract_dict(sc: Any, *, receipts: bool = False) -> dict[str, Any]:
    from gendan.production import subcontracting

    steps = list(sc.notice.product.routing.all())
    result = {
        "id": sc.pk,
        "number": sc.number,
        "notice_id": sc.notice_id,
        "notice_number": sc.notice.number,
        "order_id": sc.order_id,
        "order_number": sc.order.number,
        "product_code": sc.notice.product.code,
        "factory_id": sc.factory_id,
        "factory": sc.factory.code,
        "first_position": sc.first_position,
        "last_position": sc.last_position,
        "operations": subcontracting.operations_text(steps, sc.first_position, sc.last_position),
        "quantity": sc.quantity,
        "unit_price": sc.unit_price,
        "currency": sc.currency,
        "amount": sc.amount,
        "send_date": sc.send_date,
        "due_date": sc.due_date,
        "planned_finish": sc.planned_finish,
        "status": sc.status,
        "received_qty": sc.received_qty,
        "accepted_qty": sc.accepted_qty,
        "rejected_qty": sc.rejected_qty,
        "owner": sc.owner.username,
        "notes": sc.notes,
        "version": sc.version,
    }
    if receipts:
        result["receipts"] = [
            {
                "id": r.pk,
                "date": r.date,
                "quantity": r.quantity,
                "accepted_qty": r.accepted_qty,
                "rejected_qty": r.rejected_qty,
                "findings": r.findings,
                "by": r.by.username,
            }
            for r in sc.receipts.select_related("by")
        ]
    return result


def _subcontracts() -> Any:
    from gendan.production.models import SubcontractOrder

    return SubcontractOrder.objects.select_related("notice__product", "order", "factory", "owner").prefetch_related(
        "notice__product__routing"
    )


def _subcontract(sc_id: int) -> Any:
    found = _subcontracts().filter(pk=sc_id).first()
    if found is None:
        raise NotFound(_("There is no subcontract order %(id)s.") % {"id": sc_id})
    return found


@router.get("/subcontract-orders", response=SubcontractPage)
def subcontract_list(
    request: HttpRequest,
    q: str = "",
    status: str = Query("", description="a status, or open (draft or sent)"),
    factory_id: int | None = None,
    order_id: int | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Subcontract orders (外发加工单), newest first."""
    from gendan.production import subcontracting

    require_perm(request, "production.view_subcontractorder")
    qs = subcontracting.subcontract_list(q=q, status=status, factory_id=factory_id).prefetch_related(
        "notice__product__routing"
    )
    if order_id:
        qs = qs.filter(order_id=order_id)
    return {"items": [subcontract_dict(sc) for sc in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/subcontract-orders", response={201: SubcontractOut})
def subcontract_create(request: HttpRequest, data: SubcontractIn):
    """Draft a subcontract order: a quantity of a production notice's operations for a subcontract factory, at a
    price, back by a date. It takes the factory's capacity once sent (`POST .../send`)."""
    from gendan.production import subcontracting

    sc = subcontracting.create_subcontract(by=request.user, data=data.model_dump(exclude_none=True))
    return Status(201, subcontract_dict(_subcontract(sc.pk), receipts=True))


@router.get("/subcontract-orders/{sc_id}", response=SubcontractOut)
def subcontract_detail(request: HttpRequest, sc_id: int):
    require_perm(request, "production.view_subcontractorder")
    return subcontract_dict(_subcontract(sc_id), receipts=True)


@router.patch("/subcontract-orders/{sc_id}", response=SubcontractOut)
def subcontract_update(request: HttpRequest, sc_id: int, data: SubcontractPatch):
    """Change a draft (`version` as read; 409 when someone changed it since)."""
    from gendan.production import subcontracting

    values = data.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    subcontracting.update_subcontract(sc=_subcontract(sc_id), by=request.user, data=values, version=version)
    return subcontract_dict(_subcontract(sc_id), receipts=True)


@router.post("/subcontract-orders/{sc_id}/send", response=SubcontractOut)
def subcontract_send(request: HttpRequest, sc_id: int):
    """Send a draft: scheduled on the factory's free capacity (422 with its earliest finish when that is after the
    return date); the notice's in-house plan shrinks by the quantity."""
    from gendan.production import subcontracting

    subcontracting.send_subcontract(sc=_subcontract(sc_id), by=request.user)
    return subcontract_dict(_subcontract(sc_id), receipts=True)


@router.post("/subcontract-orders/{sc_id}/cancel", response=SubcontractOut)
def subcontract_cancel(request: HttpRequest, sc_id: int, data: ProductionReasonIn | None = None):
    """Cancel a draft, or a sent order nothing was reported or received on: the work goes back in-house."""
    from gendan.production import subcontracting

    subcontracting.cancel_subcontract(sc=_subcontract(sc_id), by=request.user, reason=data.reason if data else "")
    return subcontract_dict(_subcontract(sc_id), receipts=True)


@router.post("/subcontract-orders/{sc_id}/close", response=SubcontractOut)
def subcontract_close(request: HttpRequest, sc_id: int, data: ProductionReasonIn):
    """Close a partly received order short: the rest is not coming back (a reason is required)."""
    from gendan.production import subcontracting

    subcontracting.close_short(sc=_subcontract(sc_id), by=request.user, reason=data.reason)
    return subcontract_dict(_subcontract(sc_id), receipts=True)


@router.post("/subcontract-orders/{sc_id}/receipts", response={201: SubcontractOut})
def subcontract_receive(request: HttpRequest, sc_id: int, data: SubcontractReceiptIn):
    """Goods back from the factory with their inspection: received, rejected (the rest accepted), findings."""
    from gendan.production import subcontracting

    subcontracting.receive(sc=_subcontract(sc_id), by=request.user, data=data.model_dump(exclude_none=True))
    return Status(201, subcontract_dict(_subcontract(sc_id), receipts=True))


@router.get("/factory-record", response=list[FactoryRecordOut])
def factory_record(
    request: HttpRequest,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    factory_id: int | None = None,
):
    """Each subcontract factory's on-time and quality record over the orders due back in the period (default: the
    last 90 days to 30 days ahead)."""
    from gendan.production import subcontracting

    require_perm(request, "production.view_subcontractorder")
    start, end = subcontracting.record_period(date_from, date_to)
    rows = subcontracting.factory_record(start, end, factory_id=factory_id)
    return [{**row, "factory_id": row["factory"].pk, "factory": row["factory"].code} for row in rows]


def factory_link_dict(request: HttpRequest, link: Any) -> dict[str, Any]:
    from django.urls import reverse

    from gendan.core import links

    return {
        "id": link.pk,
        "url": request.build_absolute_uri(reverse("factory:reports", args=[links.token_for(link)])),
        "party": link.party,
        "expires_at": link.expires_at,
        "last_used_at": link.last_used_at,
        "use_count": link.use_count,
    }


def _factory(work_centre_id: int) -> Any:
    from gendan.catalog.models import WorkCentre

    found = WorkCentre.objects.select_related("supplier").filter(pk=work_centre_id).first()
    if found is None:
        raise NotFound(_("There is no work centre %(id)s.") % {"id": work_centre_id})
    return found


@router.get("/work-centres/{work_centre_id}/links", response=list[FactoryLinkOut])
def factory_links(request: HttpRequest, work_centre_id: int):
    """A subcontract factory's live report links."""
    from gendan.production import subcontracting

    require_perm(request, "production.view_subcontractorder")
    return [factory_link_dict(request, link) for link in subcontracting.factory_links(_factory(work_centre_id))]


@router.post("/work-centres/{work_centre_id}/links", response={201: FactoryLinkOut})
def factory_link_create(request: HttpRequest, work_centre_id: int):
    """A new link for a subcontract factory to report its daily output on the work sent to it, without an account
    (the earlier one stops working). Withdraw it with `DELETE /links/{id}`."""
    from gendan.production import subcontracting

    link, _token = subcontracting.create_factory_link(factory=_factory(work_centre_id), by=request.user)
    return Status(201, factory_link_dict(request, link))
