"""The complaints API (客户投诉): the register, a complaint and its transitions (route, investigate, answer, verify,
close, reject), its actions, photos and the answer's PDF; the root-cause list; the complaint report."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from gendan.core import clock
from gendan.core.apiutils import require_perm
from gendan.core.exceptions import ValidationError
from gendan.core.models import Attachment
from gendan.service import selectors, services
from gendan.service.models import Complaint, ComplaintAction
from gendan.service.schemas import (
    ActionIn,
    ActionOut,
    ActionPatch,
    AnswerIn,
    ComplaintCloseIn,
    ComplaintCommentIn,
    ComplaintDetail,
    ComplaintFileOut,
    ComplaintIn,
    ComplaintPage,
    ComplaintPatch,
    ComplaintRejectIn,
    ComplaintReportOut,
    ComplaintSendIn,
    CompleteIn,
    RootCauseOut,
    RouteIn,
    VerifyIn,
)

router = Router(tags=["Customer service"])
VIEW = "service.view_complaint"


def complaint_dict(c: Complaint) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.number,
        "customer_id": c.customer_id,
        "contact_id": c.contact_id,
        "channel": c.channel,
        "received_date": c.received_date,
        "customer_reference": c.customer_reference,
        "order_id": c.order_id,
        "shipment_id": c.shipment_id,
        "lot": c.lot,
        "title": c.title,
        "description": c.description,
        "severity": c.severity,
        "claim_amount": c.claim_amount,
        "currency": c.currency,
        "owner": c.owner.username,
        "status": c.status,
        "department": c.department.code if c.department_id else None,
        "responsible": c.responsible.username if c.responsible_id else None,
        "due_date": c.due_date,
        "routed_date": c.routed_date,
        "is_overdue": selectors.is_overdue(c),
        "root_cause": c.root_cause.code if c.root_cause_id else None,
        "cause_detail": c.cause_detail,
        "answer_text": c.answer_text,
        "settlement_offer": c.settlement_offer,
        "answer_language": c.answer_language,
        "answered_date": c.answered_date,
        "answer_sent_at": c.answer_sent_at,
        "answer_sent_to": c.answer_sent_to,
        "verified_date": c.verified_date,
        "verification_note": c.verification_note,
        "closed_date": c.closed_date,
        "credit_amount": c.credit_amount,
        "credit_note_id": c.credit_note_id,
        "credit_note_number": c.credit_note_number,
        "replacement_qty": c.replacement_qty,
        "replacement_value": c.replacement_value,
        "replacement_order_id": c.replacement_order_id,
        "replacement_order_number": c.replacement_order.number if c.replacement_order_id else None,
        "discount_pct": c.discount_pct,
        "discount_order_id": c.discount_order_id,
        "settlement_note": c.settlement_note,
        "rejected_date": c.rejected_date,
        "reject_reason": c.reject_reason,
        "version": c.version,
    }


def action_dict(a: ComplaintAction) -> dict[str, Any]:
    return {
        "id": a.pk,
        "position": a.position,
        "kind": a.kind,
        "description": a.description,
        "owner": a.owner.username,
        "due_date": a.due_date,
        "done_date": a.done_date,
        "result": a.result,
        "is_late": a.done_date is None and a.due_date < clock.today(),
        "version": a.version,
    }


def _file(request: HttpRequest, a: Attachment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "name": a.name,
        "size": a.size,
        "url": request.build_absolute_uri(reverse("core:attachment", args=[a.pk])),
    }


def detail_dict(request: HttpRequest, complaint_id: int) -> dict[str, Any]:
    c = selectors.get_complaint(complaint_id)
    return {
        **complaint_dict(c),
        "lines": [
            {
                "product_id": ln.product_id,
                "product_code": ln.product.code,
                "order_line_id": ln.order_line_id,
                "quantity": ln.quantity,
                "defect": ln.defect,
            }
            for ln in selectors.lines_of(c)
        ],
        "actions": [action_dict(a) for a in selectors.actions_of(c)],
        "photos": [_file(request, a) for a in selectors.photos_of(c)],
    }


@router.get("/complaints", response=ComplaintPage)
def complaint_list(
    request: HttpRequest,
    q: str = "",
    status: str = Query("", description="a status, or open (not closed nor rejected)"),
    customer_id: int | None = None,
    product_id: int | None = None,
    order_id: int | None = None,
    responsible: str = Query("", description="username"),
    owner: str = Query("", description="username"),
    root_cause: str = Query("", description="a root-cause code"),
    severity: str = "",
    overdue: bool = Query(False, description="the answer is past due, or an action is"),
    received_date_from: dt.date | None = None,
    received_date_to: dt.date | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Customer complaints (客户投诉), latest received first."""
    require_perm(request, VIEW)
    qs = selectors.complaint_list(
        q=q,
        status=status,
        customer_id=customer_id,
        product_id=product_id,
        order_id=order_id,
        responsible=responsible,
        owner=owner,
        root_cause=root_cause,
        severity=severity,
        overdue=overdue,
        received_from=received_date_from,
        received_to=received_date_to,
    )
    return {"items": [complaint_dict(c) for c in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/complaints", response={201: ComplaintDetail})
def complaint_create(request: HttpRequest, data: ComplaintIn):
    """Register a complaint from a customer (or against an order: its customer), with the products affected."""
    values = data.model_dump(exclude_none=True)
    values["lines"] = [line.model_dump(exclude_none=True) for line in data.lines]
    complaint = services.create_complaint(by=request.user, data=values)
    return Status(201, detail_dict(request, complaint.pk))


@router.get("/complaints/{complaint_id}", response=ComplaintDetail)
def complaint_detail(request: HttpRequest, complaint_id: int):
    """A complaint with its products, actions and photos."""
    require_perm(request, VIEW)
    return detail_dict(request, complaint_id)


@router.patch("/complaints/{complaint_id}", response=ComplaintDetail)
def complaint_update(request: HttpRequest, complaint_id: int, data: ComplaintPatch):
    """Correct the complaint's facts (until it is answered), and/or write the investigation (`root_cause`,
    `cause_detail`, while routed or under investigation). `version` as read."""
    values = data.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    investigation = {k: values.pop(k) for k in ("root_cause", "cause_detail") if k in values}
    if "lines" in values:
        values["lines"] = [line.model_dump(exclude_none=True) for line in data.lines or []]
    complaint = selectors.get_complaint(complaint_id)
    if values:
        complaint = services.update_complaint(complaint=complaint, by=request.user, data=values, version=version)
        version = complaint.version if version is not None else None
    if investigation:
        services.save_investigation(
            complaint=complaint,
            by=request.user,
            root_cause=investigation.get("root_cause"),
            cause_detail=investigation.get("cause_detail"),
            version=version,
        )
    return detail_dict(request, complaint_id)


@router.post("/complaints/{complaint_id}/route", response=ComplaintDetail)
def complaint_route(request: HttpRequest, complaint_id: int, data: RouteIn):
    """registered → routed to a responsible person and department, answer due by `due_date`; again: hand over."""
    services.route_complaint(
        complaint=selectors.get_complaint(complaint_id),
        by=request.user,
        responsible=data.responsible,
        department=data.department,
        due_date=data.due_date,
        comment=data.comment,
        version=data.version,
    )
    return detail_dict(request, complaint_id)


@router.post("/complaints/{complaint_id}/investigate", response=ComplaintDetail)
def complaint_investigate(request: HttpRequest, complaint_id: int, data: ComplaintCommentIn | None = None):
    """routed → investigating (writing the root cause or adding an action does it too)."""
    services.start_investigation(
        complaint=selectors.get_complaint(complaint_id),
        by=request.user,
        comment=data.comment if data else "",
        version=data.version if data else None,
    )
    return detail_dict(request, complaint_id)


@router.post("/complaints/{complaint_id}/answer", response=ComplaintDetail)
def complaint_answer(request: HttpRequest, complaint_id: int, data: AnswerIn):
    """investigating → answered (root cause and a corrective action needed); with `send_to`, the PDF is e-mailed."""
    if data.send_to is not None:
        services.parse_addresses(data.send_to)  # bad addresses refuse the whole request before anything is written
    complaint = services.answer_complaint(
        complaint=selectors.get_complaint(complaint_id),
        by=request.user,
        answer_text=data.answer_text,
        settlement_offer=data.settlement_offer,
        language=data.language or "",
        version=data.version,
    )
    if data.send_to:
        services.send_answer(
            complaint=complaint, by=request.user, to=data.send_to, language=data.language or "", message=data.message
        )
    return detail_dict(request, complaint_id)


@router.post("/complaints/{complaint_id}/send-answer", response=ComplaintDetail)
def complaint_send_answer(request: HttpRequest, complaint_id: int, data: ComplaintSendIn):
    """E-mail the answer's PDF (again) to the customer."""
    services.send_answer(
        complaint=selectors.get_complaint(complaint_id),
        by=request.user,
        to=data.to,
        language=data.language or "",
        message=data.message,
    )
    return detail_dict(request, complaint_id)


@router.post("/complaints/{complaint_id}/verify", response=ComplaintDetail)
def complaint_verify(request: HttpRequest, complaint_id: int, data: VerifyIn):
    """The customer's verification: accepted → verified; not accepted → investigating (with the comment)."""
    services.verify_complaint(
        complaint=selectors.get_complaint(complaint_id),
        by=request.user,
        accepted=data.accepted,
        comment=data.comment,
        day=data.date,
        version=data.version,
    )
    return detail_dict(request, complaint_id)


@router.post("/complaints/{complaint_id}/close", response=ComplaintDetail)
def complaint_close(request: HttpRequest, complaint_id: int, data: ComplaintCloseIn | None = None):
    """verified → closed with the settlement agreed (a credit note is issued in finance; a replacement quantity makes
    the replacement order, a free-of-charge draft of the complained products; a discount reaches the customer's next
    order's contract review). A settlement needs service.settle_complaint (and a replacement sales.add_order)."""
    data = data or ComplaintCloseIn()
    services.close_complaint(
        complaint=selectors.get_complaint(complaint_id),
        by=request.user,
        credit_amount=data.credit_amount,
        replacement_qty=data.replacement_qty,
        replacement_value=data.replacement_value,
        discount_pct=data.discount_pct,
        note=data.note,
        version=data.version,
    )
    return detail_dict(request, complaint_id)


@router.post("/complaints/{complaint_id}/reject", response=ComplaintDetail)
def complaint_reject(request: HttpRequest, complaint_id: int, data: ComplaintRejectIn):
    """registered / routed / investigating → rejected, with the reason."""
    services.reject_complaint(
        complaint=selectors.get_complaint(complaint_id), by=request.user, reason=data.reason, version=data.version
    )
    return detail_dict(request, complaint_id)


@router.get("/complaints/{complaint_id}/actions", response=list[ActionOut])
def action_list(request: HttpRequest, complaint_id: int):
    """The complaint's containment, corrective and preventive actions (a bare array: always short)."""
    require_perm(request, VIEW)
    return [action_dict(a) for a in selectors.actions_of(selectors.get_complaint(complaint_id))]


@router.post("/complaints/{complaint_id}/actions", response={201: ActionOut})
def action_add(request: HttpRequest, complaint_id: int, data: ActionIn):
    """Add an action with its owner (notified) and due date."""
    action = services.add_action(
        complaint=selectors.get_complaint(complaint_id), by=request.user, data=data.model_dump()
    )
    return Status(201, action_dict(action))


@router.patch("/complaints/{complaint_id}/actions/{action_id}", response=ActionOut)
def action_update(request: HttpRequest, complaint_id: int, action_id: int, data: ActionPatch):
    values = data.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    action = selectors.get_action(selectors.get_complaint(complaint_id), action_id)
    return action_dict(services.update_action(action=action, by=request.user, data=values, version=version))


@router.post("/complaints/{complaint_id}/actions/{action_id}/complete", response=ActionOut)
def action_complete(request: HttpRequest, complaint_id: int, action_id: int, data: CompleteIn):
    """The action is done, with its result."""
    action = selectors.get_action(selectors.get_complaint(complaint_id), action_id)
    return action_dict(
        services.complete_action(
            action=action, by=request.user, result=data.result, day=data.date, version=data.version
        )
    )


@router.post("/complaints/{complaint_id}/photos", response={201: ComplaintFileOut})
def photo_add(request: HttpRequest, complaint_id: int, file: File[UploadedFile]):
    """Attach a photo or file (the customer's photos, the claim letter, a test report)."""
    att = services.add_photo(complaint=selectors.get_complaint(complaint_id), upload=file, by=request.user)
    return Status(201, _file(request, att))


@router.get("/complaints/{complaint_id}/answer.pdf")
def answer_pdf(request: HttpRequest, complaint_id: int, lang: str = ""):
    """The answer to the customer (8D), as PDF: `lang` en or zh (default: the answer's language)."""
    from gendan.service.documents import answer_pdf as render

    require_perm(request, VIEW)
    complaint = selectors.get_complaint(complaint_id)
    lang = lang or complaint.answer_language
    if lang not in ("en", "zh"):
        raise ValidationError({"lang": _("Choose zh or en.")})
    response = HttpResponse(render(complaint, lang), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{complaint.number}-8D-{lang}.pdf"'
    return response


@router.get("/root-causes", response=list[RootCauseOut])
def root_cause_list(request: HttpRequest, active: bool = True):
    """The root-cause categories (a bare array: a short list)."""
    require_perm(request, "service.view_rootcause")
    return [
        {
            "id": r.pk,
            "code": r.code,
            "name_zh": r.name_zh,
            "name_en": r.name_en,
            "position": r.position,
            "is_active": r.is_active,
        }
        for r in selectors.root_causes(active_only=active)
    ]


def _period(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    today = clock.today()
    return date_from or today.replace(month=1, day=1), date_to or today


@router.get("/complaint-report", response=ComplaintReportOut)
def complaint_report(
    request: HttpRequest,
    date_from: dt.date | None = Query(None, alias="from", description="received from (default: 1 January)"),
    date_to: dt.date | None = Query(None, alias="to", description="received until (default: today)"),
    group_by: str = Query("customer", description="customer, product, cause, department, month or severity"),
    customer_id: int | None = None,
    lang: str = Query("", description="labels in en or zh (default: yours)"),
):
    """Complaints received in a period by customer, product, root cause, department, month or severity: how many,
    the quantity affected, and per currency the claims asked, credit notes granted and replacements' value; with
    the Pareto of root causes."""
    require_perm(request, VIEW)
    start, end = _period(date_from, date_to)
    language = lang or getattr(request, "LANGUAGE_CODE", "") or "en"
    return selectors.complaint_report(
        date_from=start, date_to=end, group_by=group_by, language=language, customer_id=customer_id
    )


@router.get("/complaint-report.xlsx")
def complaint_report_xlsx(
    request: HttpRequest,
    date_from: dt.date | None = Query(None, alias="from"),
    date_to: dt.date | None = Query(None, alias="to"),
    group_by: str = "customer",
    customer_id: int | None = None,
    lang: str = "",
):
    """The complaint report as an Excel workbook (the groups, then the causes)."""
    from gendan.service.exports import report_xlsx

    require_perm(request, VIEW)
    start, end = _period(date_from, date_to)
    language = lang or getattr(request, "LANGUAGE_CODE", "") or "en"
    report = selectors.complaint_report(
        date_from=start, date_to=end, group_by=group_by, language=language, customer_id=customer_id
    )
    from gendan.core.excel import xlsx_response

    return xlsx_response(report_xlsx(report, language), f"complaints-{start}-{end}.xlsx")
