"""Quality API: AQL sampling plans, inspections (plan, book, findings, disposition, report), the defect catalogue
and the quality records."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import ValidationError as RequestInvalid

from gendan.core import clock
from gendan.core.apiutils import require_perm
from gendan.core.exceptions import NotFound, ValidationError
from gendan.quality import aql, selectors, services
from gendan.quality.models import DefectType, Inspection
from gendan.quality.schemas import (
    AqlPlanOut,
    DefectTypeIn,
    DefectTypeOut,
    DispositionIn,
    FindingsIn,
    InspectionBookIn,
    InspectionCancelIn,
    InspectionIn,
    InspectionOut,
    InspectionPage,
    InspectionPatch,
    ParetoRowOut,
    SendReportIn,
    YieldRowOut,
)

router = Router(tags=["quality"])
LANGS = {"zh": "zh-hans", "en": "en"}


@router.get("/aql/plan", response=AqlPlanOut)
def aql_plan(request: HttpRequest, lot_size: str, level: str = "II", aql_value: str = Query(..., alias="aql")):
    """The single sampling plan for normal inspection (ISO 2859-1 Tables 1 and 2-A, with the arrow rule): the code
    letter, the sample size (the whole lot when the plan's sample is not smaller), Ac and Re. Levels I, II, III,
    S-1…S-4; AQL from the standard's table (0 means no defect accepted); anything else → 422 naming the parameter."""
    require_perm(request, "quality.view_inspection")
    try:
        p = aql.plan(lot_size, aql.parse_level(level), aql.parse_aql(aql_value))
    except aql.AqlError as exc:
        raise RequestInvalid([{"loc": ["query", exc.field], "msg": str(exc), "type": "value_error"}]) from None
    return {
        "code_letter": p.code_letter,
        "plan_letter": p.plan_letter,
        "sample_size": p.sample_size,
        "accept": p.accept,
        "reject": p.reject,
        "full_inspection": p.full_inspection,
    }


# ---- inspections ----------------------------------------------------------------------------------------------


def inspection_dict(i: Inspection) -> dict[str, Any]:
    plan = services.plan_rows(i)
    return {
        "id": i.pk,
        "number": i.number,
        "kind": i.kind,
        "order_id": i.order_id,
        "order_number": i.order.number,
        "order_line_id": i.order_line_id,
        "product_id": i.product_id,
        "factory_id": i.factory_id,
        "agency_id": i.agency_id,
        "certificate_no": i.certificate_no,
        "lot_size": i.lot_size,
        "level": i.level,
        "aql_critical": i.aql_critical,
        "aql_major": i.aql_major,
        "aql_minor": i.aql_minor,
        "code_letter": plan["code_letter"],
        "plan": plan["classes"],
        "inspector": i.inspector.username if i.inspector_id else None,
        "inspector_id": i.inspector_id,
        "planned_date": i.planned_date,
        "booked_date": i.booked_date,
        "status": i.status,
        "inspected_on": i.inspected_on,
        "inspected_qty": i.inspected_qty,
        "result": i.result,
        "disposition": i.disposition,
        "disposition_note": i.disposition_note,
        "reinspection_of_id": i.reinspection_of_id,
        "reinspection_ids": [r.pk for r in i.reinspections.all()],
        "round": i.round,
        "defects": [
            {"code": d.code, "description": d.description, "class": d.defect_class, "quantity": d.quantity}
            for d in i.defects.all()
        ],
        "checks": [
            {"kind": c.kind, "name": c.name, "expected": c.expected, "actual": c.actual, "ok": c.ok}
            for c in i.checks.all()
        ],
        "report_sent_at": i.report_sent_at,
        "version": i.version,
    }


def _inspection(inspection_id: int) -> Inspection:
    found = (
        Inspection.objects.select_related("order__customer", "inspector", "product", "factory")
        .prefetch_related("defects", "checks", "reinspections")
        .filter(pk=inspection_id)
        .first()
    )
    if found is None:
        raise NotFound(_("There is no inspection %(id)s.") % {"id": inspection_id})
    return found


@router.get("/inspections", response=InspectionPage, by_alias=True)
def inspection_list(
    request: HttpRequest,
    q: str = "",
    kind: str = "",
    status: str = "",
    result: str = "",
    order_id: int | None = None,
    inspector_id: int | None = None,
    factory_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Inspections of orders' lots, newest first (`status=open`: planned or booked)."""
    require_perm(request, "quality.view_inspection")
    qs = selectors.inspections(
        q=q,
        kind=kind,
        status=status,
        result=result,
        order_id=order_id,
        inspector_id=inspector_id,
        factory_id=factory_id,
        date_from=date_from,
        date_to=date_to,
    ).prefetch_related("defects", "checks", "reinspections")
    return {"items": [inspection_dict(i) for i in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/inspections", response={201: InspectionOut}, by_alias=True)
def inspection_create(request: HttpRequest, data: InspectionIn):
    """Plan an inspection: the sampling plan follows from the lot size, level and AQLs (the customer's defaults)."""
    require_perm(request, "quality.add_inspection")
    created = services.plan_inspection(by=request.user, data=data.model_dump(exclude_none=True))
    return Status(201, inspection_dict(_inspection(created.pk)))


@router.get("/inspections/{inspection_id}", response=InspectionOut, by_alias=True)
def inspection_detail(request: HttpRequest, inspection_id: int):
    require_perm(request, "quality.view_inspection")
    return inspection_dict(_inspection(inspection_id))


@router.patch("/inspections/{inspection_id}", response=InspectionOut, by_alias=True)
def inspection_update(request: HttpRequest, inspection_id: int, data: InspectionPatch):
    """Change a planned or booked inspection (`version` as read; 409 when someone changed it since)."""
    require_perm(request, "quality.change_inspection")
    values = data.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    services.update_inspection(inspection=_inspection(inspection_id), by=request.user, data=values, version=version)
    return inspection_dict(_inspection(inspection_id))


@router.post("/inspections/{inspection_id}/book", response=InspectionOut, by_alias=True)
def inspection_book(request: HttpRequest, inspection_id: int, data: InspectionBookIn):
    require_perm(request, "quality.change_inspection")
    services.book_inspection(
        inspection=_inspection(inspection_id),
        by=request.user,
        date=data.date,
        inspector=data.inspector_id,
        version=data.version,
    )
    return inspection_dict(_inspection(inspection_id))


@router.post("/inspections/{inspection_id}/findings", response=InspectionOut, by_alias=True)
def inspection_findings(request: HttpRequest, inspection_id: int, data: FindingsIn):
    """Record the pieces inspected, the defects per class and the checks: `result` per class (in `plan`) and overall
    is computed. A final inspection that passes records the order's final-inspection milestone."""
    require_perm(request, "quality.inspect_lot")
    services.record_findings(
        inspection=_inspection(inspection_id),
        by=request.user,
        inspected_qty=data.inspected_qty,
        inspected_on=data.inspected_on,
        defects=[d.model_dump(by_alias=True) for d in data.defects],
        checks=[c.model_dump() for c in data.checks],
        version=data.version,
    )
    return inspection_dict(_inspection(inspection_id))


@router.post("/inspections/{inspection_id}/disposition", response=InspectionOut, by_alias=True)
def inspection_disposition(request: HttpRequest, inspection_id: int, data: DispositionIn):
    """What happens to a failed lot: rework (a re-inspection is planned on `reinspection_date`), concession, reject."""
    require_perm(request, "quality.inspect_lot")
    services.set_disposition(
        inspection=_inspection(inspection_id),
        by=request.user,
        disposition=data.disposition,
        note=data.note,
        reinspection_date=data.reinspection_date,
        version=data.version,
    )
    return inspection_dict(_inspection(inspection_id))


@router.post("/inspections/{inspection_id}/cancel", response=InspectionOut, by_alias=True)
def inspection_cancel(request: HttpRequest, inspection_id: int, data: InspectionCancelIn):
    require_perm(request, "quality.change_inspection")
    services.cancel_inspection(
        inspection=_inspection(inspection_id), by=request.user, reason=data.reason, version=data.version
    )
    return inspection_dict(_inspection(inspection_id))


@router.post("/inspections/{inspection_id}/send-report", response=InspectionOut, by_alias=True)
def inspection_send_report(request: HttpRequest, inspection_id: int, data: SendReportIn):
    """E-mail the report PDF to the customer."""
    require_perm(request, "quality.view_inspection")
    services.send_report(
        inspection=_inspection(inspection_id),
        by=request.user,
        to=data.to,
        language=LANGS[data.lang],
        message=data.message,
    )
    return inspection_dict(_inspection(inspection_id))


@router.get("/inspections/{inspection_id}/report.pdf")
def inspection_report(request: HttpRequest, inspection_id: int, lang: str = ""):
    """The inspection report (验货报告) as PDF: `lang` zh or en (default: yours)."""
    from gendan.quality.documents import report_pdf

    require_perm(request, "quality.view_inspection")
    if lang and lang not in LANGS:
        raise ValidationError({"lang": _("Choose zh or en.")})
    language = LANGS.get(lang) or getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE
    inspection = _inspection(inspection_id)
    response = HttpResponse(report_pdf(inspection, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{inspection.number}.pdf"'
    return response


# ---- the defect catalogue and the records -------------------------------------------------------------------


def defect_dict(d: DefectType) -> dict[str, Any]:
    return {
        "id": d.pk,
        "code": d.code,
        "name_zh": d.name_zh,
        "name_en": d.name_en,
        "category": d.category,
        "defect_class": d.defect_class,
        "is_active": d.is_active,
    }


@router.get("/defect-types", response=list[DefectTypeOut])
def defect_types(request: HttpRequest, category: str | None = None):
    """The defect catalogue (`category`: that product category's defects and those of every category)."""
    require_perm(request, "quality.view_defecttype")
    qs = selectors.defect_catalogue(category) if category is not None else DefectType.objects.all()
    return [defect_dict(d) for d in qs]


@router.post("/defect-types", response={201: DefectTypeOut})
def defect_type_create(request: HttpRequest, data: DefectTypeIn):
    require_perm(request, "quality.add_defecttype")
    return Status(201, defect_dict(services.save_defect_type(by=request.user, data=data.model_dump())))


def _period(since: dt.date | None, until: dt.date | None) -> tuple[dt.date, dt.date]:
    until = until or clock.today()
    return since or until - dt.timedelta(days=90), until


@router.get("/quality/defect-pareto", response=list[ParetoRowOut])
def defect_pareto(
    request: HttpRequest,
    since: dt.date | None = None,
    until: dt.date | None = None,
    category: str = "",
    factory_id: int | None = None,
):
    """Defects found in the period's inspections (default: the last 90 days), most frequent first."""
    require_perm(request, "quality.view_inspection")
    since, until = _period(since, until)
    language = getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE
    return selectors.defect_pareto(
        since=since, until=until, category=category, factory_id=factory_id, language=language
    )


@router.get("/quality/first-pass-yield", response=list[YieldRowOut])
def first_pass_yield(request: HttpRequest, since: dt.date | None = None, until: dt.date | None = None):
    """Per maker: the first inspections of the period and the share passed the first time."""
    require_perm(request, "quality.view_inspection")
    since, until = _period(since, until)
    return selectors.first_pass_yield(since=since, until=until)
