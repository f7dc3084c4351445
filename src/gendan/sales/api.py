"""Orders API: thin — schema in, service or selector call, schema out."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import BaseModel, Field

from gendan.core import audit
from gendan.core.apiutils import require_perm
from gendan.core.exceptions import PermissionDenied, ValidationError
from gendan.core.models import Attachment, User
from gendan.core.services import add_attachment
from gendan.partners.models import Customer
from gendan.sales import selectors, services
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order, ReviewItem
from gendan.sales.schemas import (
    AttachmentOut,
    ChangeOut,
    ConfirmIn,
    DecisionIn,
    OrderDetailOut,
    OrderIn,
    OrderOut,
    OrderPatch,
    ReasonIn,
    ReviewItemOut,
    RevisionOut,
)

router = Router(tags=["orders"])
TEXT_FIELDS = (
    "customer_po",
    "incoterm_place",
    "payment_terms",
    "ship_to",
    "quality_requirements",
    "packaging_requirements",
    "remarks",
)


class OrderPage(BaseModel):
    items: list[OrderOut]
    count: int


# ---- serialisation (plain dicts: fast for a page of 50 orders with their lines) ------------------


def line_dict(line: Any) -> dict[str, Any]:
    return {
        "id": line.id,
        "position": line.position,
        "product_id": line.product_id,
        "product_code": line.product.code,
        "quantity": line.quantity,
        "unit": line.unit,
        "unit_price": line.unit_price,
        "amount": line.amount,
        "ex_factory_date": line.ex_factory_date,
        "packaging_note": line.packaging_note,
    }


def order_dict(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "number": order.number,
        "customer_id": order.customer_id,
        "customer_code": order.customer.code,
        "customer_po": order.customer_po,
        "currency": order.currency,
        "incoterm": order.incoterm,
        "incoterm_place": order.incoterm_place,
        "payment_terms": order.payment_terms,
        "order_date": order.order_date,
        "requested_delivery_date": order.requested_delivery_date,
        "ex_factory_date": order.ex_factory_date,
        "ship_to": order.ship_to,
        "merchandiser": order.merchandiser.username,
        "priority": order.priority,
        "quality_requirements": order.quality_requirements,
        "packaging_requirements": order.packaging_requirements,
        "remarks": order.remarks,
        "status": order.status,
        "status_reason": order.status_reason,
        "version": order.version,
        "revision": order.revision,
        "review_round": order.review_round,
        "total_qty": order.total_qty,
        "total_amount": order.total_amount,
        "confirmed_at": order.confirmed_at,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "forecast_ex_factory_date": order.forecast_ex_factory_date,
        "risk": order.risk,
        "slack_days": order.slack_days,
        "driving_milestone": order.driving_milestone,
        "on_time_probability": order.on_time_probability,
        "learned_ex_factory_date": order.learned_ex_factory_date,
        "learned_driver": order.learned_driver,
        "lines": [line_dict(line) for line in order.lines.all()],
    }


def attachment_dict(att: Attachment) -> dict[str, Any]:
    return {
        "id": att.id,
        "name": att.name,
        "size": att.size,
        "url": reverse("core:attachment", args=[att.id]),
        "review_item_id": att.object_id if att.content_type.model == "reviewitem" else None,
        "uploaded_by": att.uploaded_by.username if att.uploaded_by_id else None,
        "uploaded_at": att.uploaded_at,
    }


def detail_dict(order_id: int) -> dict[str, Any]:
    order = selectors.order_with_lines(order_id)
    data = order_dict(order)
    data["review_override_reason"] = order.review_override_reason
    data["review_items"] = [review_dict(i) for i in selectors.current_review(order)] if order.review_round else []
    data["attachments"] = [attachment_dict(a) for a in selectors.attachments_of(order)]
    return data


def review_dict(item: ReviewItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "topic": item.topic,
        "department": item.department.code,
        "verdict": item.verdict,
        "comment": item.comment,
        "reviewed_by": item.reviewed_by.username if item.reviewed_by_id else None,
        "reviewed_at": item.reviewed_at,
        "round": item.round,
    }


# ---- input mapping ----------------------------------------------------------------------------------


def _api_errors(exc: ValidationError) -> ValidationError:
    """Name the service's fields the way the API does (lines[0].product → lines[0].product_id)."""
    renamed: dict[str, list[str]] = {}
    for field, msgs in exc.errors.items():
        if field == "customer":
            field = "customer_id"
        elif field.endswith(".product"):
            field = field + "_id"
        renamed.setdefault(field, []).extend(msgs)
    return ValidationError(renamed)


def _customer(customer_id: int) -> Customer:
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise ValidationError({"customer_id": _("No customer %(id)s.") % {"id": customer_id}})
    return customer


def _user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError({"merchandiser": _("No active user %(name)s.") % {"name": username}})
    return user


def _line_in(data: dict[str, Any]) -> dict[str, Any]:
    if "product_id" in data:
        data["product"] = data.pop("product_id")
    return data


def _header_in(data: dict[str, Any]) -> dict[str, Any]:
    if "customer_id" in data:
        data["customer"] = _customer(data.pop("customer_id"))
    if data.get("merchandiser"):
        data["merchandiser"] = _user(data["merchandiser"])
    elif "merchandiser" in data:
        data.pop("merchandiser")
    return data


# ---- orders -------------------------------------------------------------------------------------------


@router.get("/orders", response=OrderPage)
def order_list(
    request: HttpRequest,
    status: OrderStatus | None = None,
    customer_id: int | None = None,
    merchandiser: str | None = Query(None, description="username"),
    ex_factory_from: dt.date | None = None,
    ex_factory_to: dt.date | None = None,
    q: str = "",
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
):
    """Orders, newest order date first, each with its lines. Filters combine."""
    require_perm(request, "sales.view_order")
    qs = selectors.order_list(
        status=status,
        customer_id=customer_id,
        merchandiser=merchandiser,
        ex_factory_from=ex_factory_from,
        ex_factory_to=ex_factory_to,
        q=q,
    )
    return {"items": selectors.order_rows(qs, offset=offset, limit=limit), "count": qs.count()}


@router.post("/orders", response={201: OrderDetailOut})
def order_create(request: HttpRequest, data: OrderIn):
    """Create a draft order; number, amounts and totals are computed."""
    require_perm(request, "sales.add_order")
    body = data.dict(exclude_unset=True)
    lines = [_line_in(line) for line in body.pop("lines")]
    customer = _customer(body.pop("customer_id"))
    body = _header_in(body)
    for key in ("currency", "incoterm", "payment_terms", "order_date"):
        if body.get(key) is None:
            body.pop(key, None)
    try:
        order = services.create_order(by=request.user, customer=customer, lines=lines, **body)
    except ValidationError as exc:
        raise _api_errors(exc) from exc
    data = order_dict(order)  # a new order: its lines are in memory, no review, revisions or files yet
    data.update(review_override_reason="", review_items=[], attachments=[])
    return Status(201, data)


@router.get("/orders/{order_id}", response=OrderDetailOut)
def order_get(request: HttpRequest, order_id: int):
    require_perm(request, "sales.view_order")
    return detail_dict(order_id)


@router.patch("/orders/{order_id}", response=OrderDetailOut)
def order_update(request: HttpRequest, order_id: int, data: OrderPatch):
    """Edit an order. `lines` replaces the lines; a confirmed order needs `change_reason` and gets a revision."""
    order = selectors.get_order(order_id)
    body = data.dict(exclude_unset=True)
    version = body.pop("version")
    change_reason = body.pop("change_reason", "")
    lines = body.pop("lines", None)
    if lines is not None:
        lines = [_line_in(dict(line)) for line in lines]
    for key in ("currency", "incoterm", "priority", "order_date", "ex_factory_date"):
        if key in body and body[key] is None:
            raise ValidationError({key: _("This field cannot be empty.")})
    for key in TEXT_FIELDS:
        if key in body and body[key] is None:
            body[key] = ""
    try:
        body = _header_in(body)
        services.update_order(
            order=order, by=request.user, version=version, data=body, lines=lines, change_reason=change_reason
        )
    except ValidationError as exc:
        raise _api_errors(exc) from exc
    return detail_dict(order_id)


# ---- transitions ------------------------------------------------------------------------------------


@router.post("/orders/{order_id}/submit", response=OrderDetailOut)
def order_submit(request: HttpRequest, order_id: int):
    """Send a draft to contract review: one review item per topic for the departments that answer it."""
    services.submit_order(order=selectors.get_order(order_id), by=request.user)
    return detail_dict(order_id)


@router.post("/orders/{order_id}/confirm", response=OrderDetailOut)
def order_confirm(request: HttpRequest, order_id: int, data: ConfirmIn | None = None):
    """Confirm when every review item passed; a manager may override with `override_reason`.

    Confirming makes the order's T&A plan; `notes` says what the confirmer should know of it (compressed
    milestones, a forecast already after the committed date)."""
    reason = data.override_reason if data else ""
    order = services.confirm_order(order=selectors.get_order(order_id), by=request.user, override_reason=reason)
    return {**detail_dict(order_id), "notes": getattr(order, "notes", [])}


def _reason(data: ReasonIn | None) -> str:
    return data.reason if data else ""


@router.post("/orders/{order_id}/hold", response=OrderDetailOut)
def order_hold(request: HttpRequest, order_id: int, data: ReasonIn | None = None):
    services.hold_order(order=selectors.get_order(order_id), by=request.user, reason=_reason(data))
    return detail_dict(order_id)


@router.post("/orders/{order_id}/resume", response=OrderDetailOut)
def order_resume(request: HttpRequest, order_id: int, data: ReasonIn | None = None):
    services.resume_order(order=selectors.get_order(order_id), by=request.user, reason=_reason(data))
    return detail_dict(order_id)


@router.post("/orders/{order_id}/cancel", response=OrderDetailOut)
def order_cancel(request: HttpRequest, order_id: int, data: ReasonIn | None = None):
    services.cancel_order(order=selectors.get_order(order_id), by=request.user, reason=_reason(data))
    return detail_dict(order_id)


def _step(request: HttpRequest, order_id: int, to_status: str, data: ReasonIn | None) -> dict[str, Any]:
    services.transition_order(
        order=selectors.get_order(order_id), by=request.user, to_status=to_status, reason=_reason(data)
    )
    return detail_dict(order_id)


@router.post("/orders/{order_id}/start-production", response=OrderDetailOut)
def order_start_production(request: HttpRequest, order_id: int, data: ReasonIn | None = None):
    return _step(request, order_id, OrderStatus.IN_PRODUCTION, data)


@router.post("/orders/{order_id}/ready-to-ship", response=OrderDetailOut)
def order_ready_to_ship(request: HttpRequest, order_id: int, data: ReasonIn | None = None):
    return _step(request, order_id, OrderStatus.READY_TO_SHIP, data)


@router.post("/orders/{order_id}/ship", response=OrderDetailOut)
def order_ship(request: HttpRequest, order_id: int, data: ReasonIn | None = None):
    return _step(request, order_id, OrderStatus.SHIPPED, data)


@router.post("/orders/{order_id}/close", response=OrderDetailOut)
def order_close(request: HttpRequest, order_id: int, data: ReasonIn | None = None):
    return _step(request, order_id, OrderStatus.CLOSED, data)


# ---- contract review --------------------------------------------------------------------------------


@router.get("/orders/{order_id}/review", response=list[ReviewItemOut])
def review_list(request: HttpRequest, order_id: int):
    """The review items of the current round (a bare array: seven items at most)."""
    require_perm(request, "sales.view_order")
    return [review_dict(i) for i in selectors.current_review(selectors.get_order(order_id))]


@router.post("/orders/{order_id}/review/{item_id}", response=ReviewItemOut)
def review_decide(request: HttpRequest, order_id: int, item_id: int, data: DecisionIn):
    """Pass or reject a review item (users of its department; a reject needs a comment)."""
    item = services.decide_review_item(
        item=ReviewItem(pk=item_id), order_id=order_id, by=request.user, verdict=data.verdict, comment=data.comment
    )
    return review_dict(item)


# ---- revisions, history, attachments ---------------------------------------------------------------


@router.get("/orders/{order_id}/revisions", response=list[RevisionOut])
def revision_list(request: HttpRequest, order_id: int):
    """The order changes (订单变更) after confirmation, newest first."""
    require_perm(request, "sales.view_order")
    return [
        {
            "number": r.number,
            "reason": r.reason,
            "changes": r.changes,
            "departments": r.departments,
            "created_by": r.created_by.username if r.created_by_id else None,
            "created_at": r.created_at,
        }
        for r in selectors.revisions_of(selectors.get_order(order_id))
    ]


@router.get("/orders/{order_id}/history", response=list[ChangeOut])
def history(request: HttpRequest, order_id: int):
    """The audit trail of the order and its children (review items), newest first."""
    require_perm(request, "sales.view_order")
    return [
        {
            "id": c.id,
            "time": c.time,
            "user": c.user_name,
            "action": c.action,
            "object_type": c.content_type.model,
            "object_id": c.object_id,
            "object": c.object_repr,
            "changes": c.changes,
            "message": c.message,
        }
        for c in audit.history_for(selectors.get_order(order_id))
    ]


class AttachmentForm(Schema):
    review_item_id: int | None = Field(None, description="attach to this review item of the order")


@router.post("/orders/{order_id}/attachments", response={201: AttachmentOut})
def attachment_add(request: HttpRequest, order_id: int, file: File[UploadedFile], form: Form[AttachmentForm]):
    """Attach a file (customer spec, process sheet, approved sample, swatch card…) to the order or a review item."""
    order = selectors.get_order(order_id)
    if form.review_item_id:
        item = selectors.review_item(order, form.review_item_id)
        if not (services.can_edit(order, request.user) or services.can_decide(item, request.user)):
            raise PermissionDenied(_("Only the order's merchandiser or the item's department may attach files to it."))
        att = add_attachment(instance=item, upload=file, by=request.user, related=order)
    else:
        if not services.can_edit(order, request.user):
            raise PermissionDenied(_("Only the order's merchandiser (or a manager) may attach files to it."))
        att = add_attachment(instance=order, upload=file, by=request.user)
    att = Attachment.objects.select_related("content_type", "uploaded_by").get(pk=att.pk)
    return Status(201, attachment_dict(att))
