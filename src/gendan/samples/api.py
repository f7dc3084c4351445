"""The samples API: sample requests, their transitions, rounds and checklist; the dispatch register and its
packing slip."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from gendan.core.apiutils import require_perm
from gendan.core.calendar import company_calendar
from gendan.core.exceptions import ValidationError
from gendan.samples import selectors, services
from gendan.samples.models import Dispatch, Sample
from gendan.samples.schemas import (
    ApproveIn,
    ArrivedIn,
    CommentIn,
    DispatchIn,
    DispatchOut,
    DispatchPage,
    DispatchPatch,
    RejectIn,
    RoundOut,
    SampleIn,
    SampleOut,
    SamplePage,
    SamplePatch,
    SampleSendIn,
    StepPatch,
)

router = Router(tags=["samples"])
LANGS = {"zh": "zh-hans", "en": "en", "zh-hans": "zh-hans"}


def sample_dict(s: Sample) -> dict[str, Any]:
    return {
        "id": s.pk,
        "number": s.number,
        "kind": s.kind,
        "customer_id": s.customer_id,
        "order_id": s.order_id,
        "order_line_id": s.order_line_id,
        "product_id": s.product_id,
        "description": s.description,
        "quantity": s.quantity,
        "colours_sizes": s.colours_sizes,
        "required_date": s.required_date,
        "maker_supplier_id": s.maker_supplier_id,
        "cost": s.cost,
        "currency": s.currency,
        "paid_by": s.paid_by,
        "owner_id": s.owner_id,
        "status": s.status,
        "round": s.round,
        "version": s.version,
    }


@router.get("/samples", response=SamplePage)
def sample_list(
    request: HttpRequest,
    q: str = "",
    status: str = Query("", description="a status, or open (not decided nor cancelled)"),
    kind: str = "",
    customer_id: int | None = None,
    order_id: int | None = None,
    owner_id: int | None = None,
    overdue: bool = Query(False, description="not sent by the required-by date, or a checklist step late"),
    required_date_from: dt.date | None = None,
    required_date_to: dt.date | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Sample requests (打样), newest first."""
    require_perm(request, "samples.view_sample")
    qs = selectors.sample_list(
        q=q,
        status=status,
        kind=kind,
        customer_id=customer_id,
        order_id=order_id,
        owner=owner_id,
        overdue=overdue,
        required_from=required_date_from,
        required_to=required_date_to,
    )
    return {"items": [sample_dict(s) for s in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/samples", response={201: SampleOut})
def sample_create(request: HttpRequest, data: SampleIn):
    """Request a sample for a customer, an order (its merchandiser owns it) or an enquiry."""
    sample = services.create_sample(by=request.user, data=data.model_dump(exclude_none=True))
    return Status(201, sample_dict(sample))


@router.get("/samples/{sample_id}", response=SampleOut)
def sample_detail(request: HttpRequest, sample_id: int):
    require_perm(request, "samples.view_sample")
    return sample_dict(selectors.get_sample(sample_id))


@router.patch("/samples/{sample_id}", response=SampleOut)
def sample_update(request: HttpRequest, sample_id: int, data: SamplePatch):
    """Change an open sample (`version` as read; 409 stale_version when someone saved it since)."""
    values = data.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    services.update_sample(sample=selectors.get_sample(sample_id), by=request.user, data=values, version=version)
    return sample_dict(selectors.get_sample(sample_id))


def _act(request: HttpRequest, sample_id: int, action: str, data: Any, **extra: Any) -> dict[str, Any]:
    sample = selectors.get_sample(sample_id)
    services.transition(
        sample=sample,
        action=action,
        by=request.user,
        comment=data.comment if data else "",
        version=data.version if data else None,
        **extra,
    )
    return sample_dict(selectors.get_sample(sample_id))


@router.post("/samples/{sample_id}/start", response=SampleOut)
def sample_start(request: HttpRequest, sample_id: int, data: CommentIn | None = None):
    """requested → in progress."""
    return _act(request, sample_id, "start", data)


@router.post("/samples/{sample_id}/ready", response=SampleOut)
def sample_ready(request: HttpRequest, sample_id: int, data: CommentIn | None = None):
    """in progress → ready (the checklist's open steps are done today)."""
    return _act(request, sample_id, "ready", data)


@router.post("/samples/{sample_id}/send", response=SampleOut)
def sample_send(request: HttpRequest, sample_id: int, data: SampleSendIn | None = None):
    """ready → sent without a dispatch (handed over); a dispatch sends its samples itself."""
    return _act(request, sample_id, "send", data, day=data.date if data else None)


@router.post("/samples/{sample_id}/approve", response=SampleOut)
def sample_approve(request: HttpRequest, sample_id: int, data: ApproveIn | None = None):
    """sent → approved (or approved with comments). An order's PP sample completes its PPS milestone."""
    return _act(
        request,
        sample_id,
        "approve",
        data,
        with_comments=data.with_comments if data else False,
        day=data.date if data else None,
    )


@router.post("/samples/{sample_id}/reject", response=SampleOut)
def sample_reject(request: HttpRequest, sample_id: int, data: RejectIn):
    """sent → in progress in a new round (the comment is required). An order's PP sample moves its PPS forecast."""
    return _act(request, sample_id, "reject", data, day=data.date)


@router.post("/samples/{sample_id}/cancel", response=SampleOut)
def sample_cancel(request: HttpRequest, sample_id: int, data: CommentIn | None = None):
    """Any open status → cancelled (the comment, the reason, is required)."""
    return _act(request, sample_id, "cancel", data)


def round_dicts(request: HttpRequest, sample: Sample) -> list[dict[str, Any]]:
    calendar = company_calendar()
    result = []
    for r in selectors.rounds_of(sample, newest_first=False):
        result.append(
            {
                "number": r.number,
                "required_date": r.required_date,
                "started_date": r.started_date,
                "ready_date": r.ready_date,
                "sent_date": r.sent_date,
                "decided_date": r.decided_date,
                "decision": r.decision,
                "comments": r.comments,
                "expected_approval_date": None
                if r.decision or sample.status == "cancelled"
                else services.expected_approval(r, calendar),
                "steps": [
                    {
                        "step": s.step,
                        "planned_date": s.planned_date,
                        "actual_date": s.actual_date,
                        "is_late": s.is_late,
                    }
                    for s in r.steps.all()
                ],
                "attachments": [
                    {
                        "id": a.pk,
                        "name": a.name,
                        "size": a.size,
                        "url": request.build_absolute_uri(reverse("core:attachment", args=[a.pk])),
                    }
                    for a in r.files
                ],
            }
        )
    return result


@router.get("/samples/{sample_id}/rounds", response=list[RoundOut])
def sample_rounds(request: HttpRequest, sample_id: int):
    """The sample's rounds, first to current, with their checklist and files (a bare array: always short)."""
    require_perm(request, "samples.view_sample")
    return round_dicts(request, selectors.get_sample(sample_id))


@router.patch("/samples/{sample_id}/rounds/{round_number}/steps/{step}", response=RoundOut)
def sample_step_update(request: HttpRequest, sample_id: int, round_number: int, step: str, data: StepPatch):
    """Set a checklist step's planned and/or actual date (the current round of an open sample)."""
    values = data.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    sample = selectors.get_sample(sample_id)
    services.update_steps(
        sample=sample, round_number=round_number, by=request.user, steps={step: values}, version=version
    )
    rounds = round_dicts(request, selectors.get_sample(sample_id))
    return next(r for r in rounds if r["number"] == round_number)


# ---- dispatches --------------------------------------------------------------------------------------------------


def dispatch_dict(d: Dispatch) -> dict[str, Any]:
    return {
        "id": d.pk,
        "number": d.number,
        "customer_id": d.customer_id,
        "contact_id": d.contact_id,
        "address": d.address,
        "phone": d.phone,
        "sent_date": d.sent_date,
        "courier_supplier_id": d.courier_supplier_id,
        "courier": d.courier,
        "tracking_no": d.tracking_no,
        "items": [
            {
                "sample_id": i.sample_round.sample_id if i.sample_round_id else None,
                "round": i.sample_round.number if i.sample_round_id else None,
                "description": i.description,
                "kind": i.kind,
                "quantity": i.quantity,
            }
            for i in d.items.all()
        ],
        "cost": d.cost,
        "currency": d.currency,
        "expected_arrival_date": d.expected_arrival_date,
        "arrival_date": d.arrival_date,
        "feedback_due_date": d.feedback_due_date,
        "feedback_received_date": d.feedback_received_date,
        "awaiting_feedback": bool(d.is_awaiting),
        "version": d.version,
    }


@router.get("/dispatches", response=DispatchPage)
def dispatch_list(
    request: HttpRequest,
    q: str = "",
    customer_id: int | None = None,
    courier_supplier_id: int | None = None,
    courier: str = "",
    sent_date_from: dt.date | None = None,
    sent_date_to: dt.date | None = None,
    awaiting_feedback: bool = False,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """The dispatch register (样品寄送登记), latest sent first."""
    require_perm(request, "samples.view_dispatch")
    qs = selectors.dispatch_list(
        q=q,
        customer_id=customer_id,
        courier_supplier_id=courier_supplier_id,
        courier=courier,
        date_from=sent_date_from,
        date_to=sent_date_to,
        awaiting_feedback=awaiting_feedback,
    )
    return {"items": [dispatch_dict(d) for d in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/dispatches", response={201: DispatchOut})
def dispatch_create(request: HttpRequest, data: DispatchIn):
    """Register a dispatch; its samples (ready ones of the customer) become sent."""
    values = data.model_dump(exclude_none=True)
    values["items"] = [item.model_dump(exclude_none=True) for item in data.items]
    dispatch = services.create_dispatch(by=request.user, data=values)
    return Status(201, dispatch_dict(selectors.get_dispatch(dispatch.pk)))


@router.get("/dispatches/{dispatch_id}", response=DispatchOut)
def dispatch_detail(request: HttpRequest, dispatch_id: int):
    require_perm(request, "samples.view_dispatch")
    return dispatch_dict(selectors.get_dispatch(dispatch_id))


@router.patch("/dispatches/{dispatch_id}", response=DispatchOut)
def dispatch_update(request: HttpRequest, dispatch_id: int, data: DispatchPatch):
    """Complete a dispatch's facts (tracking number, cost, expected arrival…); `version` as read."""
    values = data.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    services.update_dispatch(
        dispatch=selectors.get_dispatch(dispatch_id), by=request.user, data=values, version=version
    )
    return dispatch_dict(selectors.get_dispatch(dispatch_id))


@router.post("/dispatches/{dispatch_id}/arrived", response=DispatchOut)
def dispatch_arrived(request: HttpRequest, dispatch_id: int, data: ArrivedIn):
    """The arrival date: the customer's feedback is due GENDAN_SAMPLE_FEEDBACK_DAYS working days later."""
    services.record_arrival(
        dispatch=selectors.get_dispatch(dispatch_id), by=request.user, day=data.date, version=data.version
    )
    return dispatch_dict(selectors.get_dispatch(dispatch_id))


@router.post("/dispatches/{dispatch_id}/feedback", response=DispatchOut)
def dispatch_feedback(request: HttpRequest, dispatch_id: int, data: CommentIn | None = None):
    """The customer's feedback is in: the follow-up leaves the chase list."""
    services.mark_feedback_received(
        dispatch=selectors.get_dispatch(dispatch_id),
        by=request.user,
        note=data.comment if data else "",
        version=data.version if data else None,
    )
    return dispatch_dict(selectors.get_dispatch(dispatch_id))


def _language(request: HttpRequest, lang: str) -> str:
    if not lang:
        return getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE
    if lang not in LANGS:
        raise ValidationError({"lang": _("Choose zh or en.")})
    return LANGS[lang]


@router.get("/dispatches/{dispatch_id}/slip.pdf")
def dispatch_slip(request: HttpRequest, dispatch_id: int, lang: str = ""):
    """The courier-ready packing slip, as PDF: `lang` zh or en (default: yours)."""
    from gendan.samples.documents import slip_pdf

    require_perm(request, "samples.view_dispatch")
    dispatch = selectors.get_dispatch(dispatch_id)
    response = HttpResponse(slip_pdf(dispatch, _language(request, lang)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dispatch.number}.pdf"'
    return response
