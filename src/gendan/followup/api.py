"""Follow-up API: an order's plan and follow-ups, milestones, the chase list, the risk board, T&A templates."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from gendan.core import clock
from gendan.core.apiutils import require_perm
from gendan.core.excel import xlsx_download
from gendan.core.exceptions import ValidationError
from gendan.followup import exports, selectors, services
from gendan.followup.models import FollowUp, Milestone, TaTemplate
from gendan.followup.schemas import (
    ChaseRowOut,
    FollowUpIn,
    FollowUpOut,
    FollowUpPage,
    MilestoneIn,
    MilestoneOut,
    MilestonePatch,
    ReassignIn,
    RiskPage,
    TemplateIn,
    TemplateOut,
)
from gendan.partners.models import Customer
from gendan.sales.choices import Risk
from gendan.sales.selectors import get_order

router = Router(tags=["follow-up"])


def milestone_dict(m: Milestone) -> dict[str, Any]:
    return {
        "id": m.id,
        "order_id": m.order_id,
        "code": m.code,
        "name": m.name,
        "name_zh": m.name_zh,
        "name_en": m.name_en,
        "planned_date": m.planned_date,
        "forecast_date": m.forecast_date,
        "actual_date": m.actual_date,
        "promised_date": m.promised_date,
        "forecast_note": m.forecast_note,
        "status": m.status,
        "owner": m.owner.username,
        "owner_role": m.owner_role,
        "depends_on": [d["code"] for d in m.depends_on],
        "lags": {d["code"]: d.get("lag", 0) for d in m.depends_on},
        "is_ex_factory": m.is_ex_factory,
        "compressed": m.compressed,
        "driven_by": m.driven_by or None,
        "version": m.version,
    }


def follow_up_dict(f: FollowUp) -> dict[str, Any]:
    return {
        "id": f.id,
        "order_id": f.order_id,
        "milestone_id": f.milestone_id,
        "milestone_code": f.milestone.code if f.milestone_id else None,
        "party": f.party,
        "contact": f.contact,
        "channel": f.channel,
        "summary": f.summary,
        "promised_date": f.promised_date,
        "next_follow_up_date": f.next_follow_up_date,
        "closed_at": f.closed_at,
        "created_by": f.created_by.username,
        "created_at": f.created_at,
    }


# ---- an order's plan and follow-ups -------------------------------------------------------------------


@router.get("/orders/{order_id}/milestones", response=list[MilestoneOut])
def order_milestones(request: HttpRequest, order_id: int):
    """The order's T&A plan in plan order (empty until the order is confirmed): a bare array, a plan is small."""
    require_perm(request, "followup.view_milestone")
    return [milestone_dict(m) for m in selectors.milestones_of(get_order(order_id))]


@router.post("/orders/{order_id}/milestones", response={201: MilestoneOut})
def order_milestone_add(request: HttpRequest, order_id: int, data: MilestoneIn):
    """Add a milestone to this order's plan (the order's merchandiser or `followup.manage_plans`)."""
    require_perm(request, "followup.change_milestone")
    milestone = services.add_milestone(order=get_order(order_id), by=request.user, data=data.dict())
    return Status(201, milestone_dict(selectors.get_milestone(milestone.pk)))


@router.get("/orders/{order_id}/follow-ups", response=FollowUpPage)
def order_follow_ups(
    request: HttpRequest,
    order_id: int,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """The order's follow-up log, newest first (paginated)."""
    require_perm(request, "followup.view_followup")
    qs = selectors.follow_ups_of(get_order(order_id))
    return {"items": [follow_up_dict(f) for f in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/orders/{order_id}/follow-ups", response={201: FollowUpOut})
def order_follow_up_add(request: HttpRequest, order_id: int, data: FollowUpIn):
    """Log a chase. A `promised_date` with a `milestone_id` becomes that milestone's forecast."""
    require_perm(request, "followup.add_followup")
    follow_up = services.log_follow_up(order=get_order(order_id), by=request.user, data=data.dict())
    return Status(201, follow_up_dict(follow_up))


# ---- milestones ---------------------------------------------------------------------------------------


@router.get("/milestones/{milestone_id}", response=MilestoneOut)
def milestone_get(request: HttpRequest, milestone_id: int):
    require_perm(request, "followup.view_milestone")
    return milestone_dict(selectors.get_milestone(milestone_id))


@router.patch("/milestones/{milestone_id}", response=MilestoneOut)
def milestone_update(request: HttpRequest, milestone_id: int, data: MilestonePatch):
    """Record an actual date or a forecast (with a note); the order is re-forecast before the answer."""
    require_perm(request, "followup.change_milestone")
    body = data.dict(exclude_unset=True)
    version = body.pop("version", None)
    if not body:
        raise ValidationError(_("Give actual_date, or forecast_date with a note, or a plan field."))
    milestone = services.update_milestone(
        milestone=selectors.get_milestone(milestone_id), by=request.user, data=body, version=version
    )
    return milestone_dict(selectors.get_milestone(milestone.pk))


@router.delete("/milestones/{milestone_id}", response={204: None})
def milestone_delete(request: HttpRequest, milestone_id: int, reason: str = ""):
    """Remove a milestone from its order's plan (never the ex-factory one)."""
    require_perm(request, "followup.change_milestone")
    services.remove_milestone(milestone=selectors.get_milestone(milestone_id), by=request.user, reason=reason)
    return Status(204, None)


@router.post("/milestones/{milestone_id}/reassign", response=MilestoneOut)
def milestone_reassign(request: HttpRequest, milestone_id: int, data: ReassignIn):
    """Give the milestone another owner (the order's merchandiser, or a manager)."""
    require_perm(request, "followup.change_milestone")
    services.reassign_owner(milestone=selectors.get_milestone(milestone_id), by=request.user, owner=data.owner)
    return milestone_dict(selectors.get_milestone(milestone_id))


# ---- the chase list and the risk board ----------------------------------------------------------------


@router.get("/chase-list", response=list[ChaseRowOut])
def chase_list(
    request: HttpRequest,
    user: str | None = Query(None, description="username; yours by default (managers may ask for anyone's)"),
    date: dt.date | None = None,
    days: int | None = Query(None, ge=0, le=60, description="working days ahead; the company setting by default"),
):
    """What to chase on a day, most urgent first: milestones overdue or due soon, follow-ups due, orders at risk."""
    require_perm(request, "followup.view_milestone")
    rows = selectors.chase_list(selectors.chase_user(request.user, user), date or clock.today(), horizon=days)
    return [row.as_dict() for row in rows]


def _board(risk: Risk | None, merchandiser: str, customer_id: int | None, driving_milestone: str, q: str, sort: str):
    return selectors.risk_board(
        risk=risk or "",
        merchandiser=merchandiser,
        customer_id=customer_id,
        driving_milestone=driving_milestone,
        q=q,
        sort=sort,
    )


@router.get("/risk-board", response=RiskPage)
def risk_board(
    request: HttpRequest,
    risk: Risk | None = None,
    merchandiser: str = Query("", description="username"),
    customer_id: int | None = None,
    driving_milestone: str = Query("", description="a milestone code, e.g. MIH"),
    q: str = "",
    sort: str = Query("probability", pattern="^-?(probability|slack|committed|forecast|number|customer|merchandiser)$"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Orders at risk or late, least slack first, with the driving milestone and the latest follow-up."""
    require_perm(request, "followup.view_milestone")
    qs = _board(risk, merchandiser, customer_id, driving_milestone, q, sort)
    return {"items": selectors.risk_rows(qs, offset=offset, limit=limit), "count": qs.count()}


@router.get("/risk-board.xlsx", response={200: None}, openapi_extra={"responses": {200: {"description": ".xlsx"}}})
def risk_board_export(
    request: HttpRequest,
    risk: Risk | None = None,
    merchandiser: str = "",
    customer_id: int | None = None,
    driving_milestone: str = "",
    q: str = "",
    sort: str = Query("probability", pattern="^-?(probability|slack|committed|forecast|number|customer|merchandiser)$"),
) -> HttpResponse:
    """The filtered risk board as an Excel workbook (all rows)."""
    require_perm(request, "followup.view_milestone")
    qs = _board(risk, merchandiser, customer_id, driving_milestone, q, sort)
    rows = selectors.risk_rows(qs, offset=0, limit=exports.MAX_ROWS)
    return xlsx_download(exports.RISK_COLUMNS, rows, title=_("Risk board"), stem="risk-board")


# ---- T&A templates ------------------------------------------------------------------------------------


def template_dict(t: TaTemplate) -> dict[str, Any]:
    return {
        "id": t.id,
        "code": t.code,
        "name": t.name,
        "is_default": t.is_default,
        "is_active": t.is_active,
        "customer_ids": sorted(c.pk for c in t.customers.all()),
        "product_categories": list(t.product_categories),
        "milestones": [
            {
                "code": m.code,
                "name_zh": m.name_zh,
                "name_en": m.name_en,
                "owner_role": m.owner_role,
                "offset_days": m.offset_days,
                "depends_on": [f"{d['code']}+{d['lag']}" if d.get("lag") else d["code"] for d in m.depends_on],
                "is_ex_factory": m.is_ex_factory,
                "done_on_confirm": m.done_on_confirm,
            }
            for m in t.milestones.all()
        ],
        "version": t.version,
    }


def _template_body(data: TemplateIn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    body = data.dict()
    customers = list(Customer.objects.filter(pk__in=body.pop("customer_ids")))
    missing = set(data.customer_ids) - {c.pk for c in customers}
    if missing:
        raise ValidationError({"customer_ids": _("No customer %(ids)s.") % {"ids": sorted(missing)}})
    body["customers"] = customers
    return body, body.pop("milestones")


@router.get("/ta-templates", response=list[TemplateOut])
def template_list(request: HttpRequest):
    require_perm(request, "followup.view_tatemplate")
    return [template_dict(t) for t in selectors.template_list()]


@router.get("/ta-templates/{template_id}", response=TemplateOut)
def template_get(request: HttpRequest, template_id: int):
    require_perm(request, "followup.view_tatemplate")
    return template_dict(selectors.get_template(template_id))


@router.post("/ta-templates", response={201: TemplateOut})
def template_create(request: HttpRequest, data: TemplateIn):
    """A new template; `milestones` in list order, exactly one `is_ex_factory`."""
    require_perm(request, "followup.add_tatemplate")
    body, milestones = _template_body(data)
    template = services.save_template(by=request.user, data=body, milestones=milestones)
    return Status(201, template_dict(selectors.get_template(template.pk)))


@router.put("/ta-templates/{template_id}", response=TemplateOut)
def template_replace(request: HttpRequest, template_id: int, data: TemplateIn):
    """Replace a template as a whole; plans already made keep their milestones."""
    require_perm(request, "followup.change_tatemplate")
    body, milestones = _template_body(data)
    template = services.save_template(
        by=request.user, data=body, milestones=milestones, template=selectors.get_template(template_id)
    )
    return template_dict(selectors.get_template(template.pk))
