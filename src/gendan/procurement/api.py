"""Purchasing API: an order's material requirements, purchase orders and their life, receipts, inspections,
supplier scorecards."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from gendan.core import clock, links
from gendan.core.apiutils import require_perm
from gendan.core.exceptions import NotFound, ValidationError
from gendan.partners.models import Supplier
from gendan.procurement import documents, reports, selectors, services
from gendan.procurement.choices import PoStatus
from gendan.procurement.models import IncomingInspection, PurchaseOrder, PurchaseOrderLine, Receipt
from gendan.procurement.schemas import (
    DelayCauseIn,
    FromRequirementsIn,
    FromRequirementsOut,
    InspectionResultIn,
    LinkOut,
    PoDetail,
    PoIn,
    PoLineOut,
    PoOut,
    PoPage,
    PoPatch,
    PoSent,
    PromiseIn,
    PurchaseInspectionOut,
    PurchaseReasonIn,
    PurchaseReceiptIn,
    PurchaseReceiptOut,
    RequirementOut,
    ScorecardOut,
)
from gendan.sales.selectors import get_order

router = Router(tags=["purchasing"])


def line_dict(line: PurchaseOrderLine) -> dict[str, Any]:
    return {
        "id": line.id,
        "position": line.position,
        "material_id": line.material_id,
        "material_code": line.material.code,
        "spec": line.spec,
        "quantity": line.quantity,
        "confirmed_qty": line.confirmed_qty,
        "unit": line.unit,
        "unit_price": line.unit_price,
        "amount": line.amount,
        "required_date": line.required_date,
        "first_promised_date": line.first_promised_date,
        "promised_date": line.promised_date,
        "received_qty": line.received_qty,
        "accepted_qty": line.accepted_qty,
        "open_qty": line.open_qty,
        "order_id": line.order_id,
        "order_number": line.order.number if line.order_id else None,
        "delay_cause": line.delay_cause,
        "delay_note": line.delay_note,
    }


def po_dict(po: PurchaseOrder) -> dict[str, Any]:
    return {
        "id": po.id,
        "number": po.number,
        "supplier_id": po.supplier_id,
        "supplier_code": po.supplier.code,
        "status": po.status,
        "currency": po.currency,
        "buyer": po.buyer.username,
        "order_date": po.order_date,
        "ship_to_id": po.ship_to_id,
        "payment_terms": po.payment_terms,
        "notes": po.notes,
        "total_amount": po.total_amount,
        "needs_manager_approval": services.needs_manager(po),
        "approved_by": po.approved_by.username if po.approved_by_id else None,
        "approved_at": po.approved_at,
        "sent_at": po.sent_at,
        "version": po.version,
        "lines": [PoLineOut(**line_dict(line)) for line in po.lines.all()],
    }


def _po(po_id: int) -> PurchaseOrder:
    return selectors.get_po(po_id)


def _fresh(po: PurchaseOrder) -> dict[str, Any]:
    return po_dict(selectors.get_po(po.pk))


def _payload(data: Any, *, exclude_unset: bool = False) -> dict[str, Any]:
    values = data.model_dump(exclude_unset=exclude_unset)
    if values.get("lines") is not None:
        values["lines"] = [{k: v for k, v in line.items() if v is not None} for line in values["lines"]]
    return {k: v for k, v in values.items() if v is not None or k == "lines"}


# ---- requirements --------------------------------------------------------------------------------------------


@router.get("/orders/{order_id}/material-requirements", response=list[RequirementOut])
def order_requirements(request: HttpRequest, order_id: int):
    """What the order needs of each material, netted: reserved from stock, on order for it, and still to buy by the
    need-by date (its "materials in house" milestone). Empty until the order is confirmed."""
    require_perm(request, "procurement.view_materialrequirement")
    return [
        {
            "material_id": r.material_id,
            "material_code": r.material.code,
            "material_name": r.material.name,
            "unit": r.material.unit,
            "required_qty": r.required_qty,
            "issued_qty": r.issued_qty,
            "allocated_stock_qty": r.allocated_stock_qty,
            "on_order_qty": r.on_order_qty,
            "to_buy_qty": r.to_buy_qty,
            "need_by_date": r.need_by_date,
            "default_supplier_id": r.material.default_supplier_id,
        }
        for r in selectors.requirements_of(get_order(order_id))
    ]


@router.post("/orders/{order_id}/material-requirements/run", response=list[RequirementOut])
def order_requirements_run(request: HttpRequest, order_id: int):
    """Net the order's requirements again now (they also rerun by themselves when the order or its POs change)."""
    require_perm(request, "procurement.change_materialrequirement")
    order = get_order(order_id)
    services.run_requirements(order_ids=[order.pk], by=request.user, reason=_("Run by hand"), record_unchanged=True)
    return order_requirements(request, order_id)


# ---- purchase orders -------------------------------------------------------------------------------------------


@router.get("/purchase-orders", response=PoPage)
def po_list(
    request: HttpRequest,
    status: PoStatus | None = None,
    supplier_id: int | None = None,
    order_id: int | None = None,
    q: str = "",
    late: bool = Query(False, description="only POs with a line past its promised (or required) date"),
    sort: str = "-order_date",
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Purchase orders, newest first (paginated)."""
    require_perm(request, "procurement.view_purchaseorder")
    filters = {"status": status, "supplier": supplier_id, "order": order_id, "q": q, "late": late}
    qs = selectors.po_list(filters, sort=sort).prefetch_related("lines__material", "lines__order")
    return {"items": [po_dict(po) for po in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/purchase-orders", response={201: PoOut})
def po_create(request: HttpRequest, data: PoIn):
    """A draft PO by hand; a line's price defaults to the material's purchase price."""
    require_perm(request, "procurement.add_purchaseorder")
    po = services.create_purchase_order(by=request.user, data=_payload(data))
    return Status(201, _fresh(po))


@router.post("/purchase-orders/from-requirements", response={201: FromRequirementsOut})
def po_from_requirements(request: HttpRequest, data: FromRequirementsIn):
    """Draft POs for what the orders still have to buy, one per default supplier and currency."""
    require_perm(request, "procurement.add_purchaseorder")
    pos, messages = services.create_from_requirements(by=request.user, order_ids=data.order_ids)
    return Status(201, {"purchase_orders": [_fresh(po) for po in pos], "messages": messages})


@router.get("/purchase-orders/{po_id}", response=PoDetail)
def po_detail(request: HttpRequest, po_id: int):
    """One PO with its lines and its live supplier links."""
    require_perm(request, "procurement.view_purchaseorder")
    po = _po(po_id)
    return {**po_dict(po), "links": [link_dict(request, link) for link in links.live_links(po, services.LINK_PURPOSE)]}


@router.patch("/purchase-orders/{po_id}", response=PoOut)
def po_update(request: HttpRequest, po_id: int, data: PoPatch):
    """Change a PO (lines, supplier and currency only while it is a draft); `version` → 409 when stale."""
    require_perm(request, "procurement.change_purchaseorder")
    values = _payload(data, exclude_unset=True)
    version = values.pop("version", None)
    po = services.update_purchase_order(po=_po(po_id), by=request.user, version=version, data=values)
    return _fresh(po)


@router.post("/purchase-orders/{po_id}/approve", response=PoOut)
def po_approve(request: HttpRequest, po_id: int):
    """Approve a draft: the buyer up to GENDAN_PO_APPROVAL_LIMIT, a purchasing manager above it."""
    require_perm(request, "procurement.change_purchaseorder")
    return _fresh(services.approve(po=_po(po_id), by=request.user))


@router.post("/purchase-orders/{po_id}/send", response=PoSent)
def po_send(request: HttpRequest, po_id: int):
    """Send an approved PO; the answer carries the supplier's link (valid GENDAN_SUPPLIER_LINK_DAYS days; also in
    `GET /purchase-orders/{id}/links`)."""
    require_perm(request, "procurement.change_purchaseorder")
    po, token = services.send(po=_po(po_id), by=request.user)
    return {**_fresh(po), "supplier_link": supplier_url(request, token)}


@router.post("/purchase-orders/{po_id}/cancel", response=PoOut)
def po_cancel(request: HttpRequest, po_id: int, data: PurchaseReasonIn):
    require_perm(request, "procurement.change_purchaseorder")
    return _fresh(services.cancel(po=_po(po_id), by=request.user, reason=data.reason))


@router.post("/purchase-orders/{po_id}/close", response=PoOut)
def po_close(request: HttpRequest, po_id: int, data: PurchaseReasonIn):
    require_perm(request, "procurement.change_purchaseorder")
    return _fresh(services.close(po=_po(po_id), by=request.user, reason=data.reason))


@router.post("/purchase-orders/{po_id}/promises", response=PoOut)
def po_promises(request: HttpRequest, po_id: int, data: PromiseIn):
    """Record what the supplier promised (dates, confirmed quantities) after chasing it."""
    require_perm(request, "procurement.change_purchaseorder")
    lines = [line.model_dump(exclude_none=True) for line in data.lines]
    return _fresh(services.record_promise(po=_po(po_id), by=request.user, lines=lines, note=data.note))


@router.post("/purchase-orders/{po_id}/lines/{line_id}/delay-cause", response=PoOut)
def po_delay_cause(request: HttpRequest, po_id: int, line_id: int, data: DelayCauseIn):
    """Why a line is late: supplier, our company or communication causes."""
    require_perm(request, "procurement.change_purchaseorder")
    line = PurchaseOrderLine.objects.filter(pk=line_id, purchase_order_id=po_id).first()
    if line is None:
        raise NotFound(_("This purchase order has no line %(id)s.") % {"id": line_id})
    services.set_delay_cause(line=line, by=request.user, cause=data.cause, note=data.note)
    return po_dict(_po(po_id))


LANGS = {"zh": "zh-hans", "en": "en", "zh-hans": "zh-hans"}


def _language(request: HttpRequest, lang: str) -> str:
    if not lang:
        return getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE
    if lang not in LANGS:
        raise ValidationError({"lang": _("Choose zh or en.")})
    return LANGS[lang]


@router.get("/purchase-orders/{po_id}/document.pdf")
def po_document_pdf(request: HttpRequest, po_id: int, lang: str = ""):
    """The PO to send to the supplier, as PDF: `lang` zh or en (default: yours)."""
    require_perm(request, "procurement.view_purchaseorder")
    po = _po(po_id)
    response = HttpResponse(documents.po_pdf(po, _language(request, lang)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.po_filename(po, "pdf")}"'
    return response


@router.get("/purchase-orders/{po_id}/document.xlsx")
def po_document_xlsx(request: HttpRequest, po_id: int, lang: str = ""):
    """The PO to send to the supplier, as an Excel workbook: `lang` zh or en (default: yours)."""
    require_perm(request, "procurement.view_purchaseorder")
    po = _po(po_id)
    response = HttpResponse(
        documents.po_xlsx(po, _language(request, lang)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{documents.po_filename(po, "xlsx")}"'
    return response


# ---- the supplier's link ---------------------------------------------------------------------------------


@router.get("/purchase-orders/{po_id}/links", response=list[LinkOut])
def po_links(request: HttpRequest, po_id: int):
    """The PO's live supplier links."""
    require_perm(request, "procurement.view_purchaseorder")
    po = _po(po_id)
    return [link_dict(request, link) for link in links.live_links(po, services.LINK_PURPOSE)]


@router.post("/purchase-orders/{po_id}/links", response={201: LinkOut})
def po_link_create(request: HttpRequest, po_id: int):
    """A new supplier link for a sent PO (the earlier one is withdrawn): send its `url` to the supplier."""
    require_perm(request, "procurement.change_purchaseorder")
    po = _po(po_id)
    services.new_link(po=po, by=request.user)
    return Status(201, link_dict(request, links.live_links(po, services.LINK_PURPOSE).first()))


def link_dict(request: HttpRequest, link: Any) -> dict[str, Any]:
    return {
        "id": link.pk,
        "url": supplier_url(request, links.token_for(link)),
        "party": link.party,
        "expires_at": link.expires_at,
        "last_used_at": link.last_used_at,
        "use_count": link.use_count,
    }


def supplier_url(request: HttpRequest, token: str) -> str:
    from django.urls import reverse

    return request.build_absolute_uri(reverse("supplier:po", args=[token]))


# ---- receiving and inspection ------------------------------------------------------------------------------


def inspection_dict(i: IncomingInspection) -> dict[str, Any]:
    receipt = i.receipt_line.receipt
    return {
        "id": i.id,
        "receipt_number": receipt.number,
        "purchase_order_id": receipt.purchase_order_id,
        "purchase_order_number": receipt.purchase_order.number,
        "line_id": i.receipt_line.po_line_id,
        "material_code": i.receipt_line.po_line.material.code,
        "received_qty": i.receipt_line.quantity,
        "status": i.status,
        "inspected_on": i.inspected_on,
        "inspector": i.inspector.username if i.inspector_id else None,
        "checked_qty": i.checked_qty,
        "accepted_qty": i.accepted_qty,
        "rejected_qty": i.rejected_qty,
        "disposition": i.disposition,
        "defects": i.defects,
        "version": i.version,
    }


@router.post("/purchase-orders/{po_id}/receipts", response={201: PurchaseReceiptOut})
def po_receive(request: HttpRequest, po_id: int, data: PurchaseReceiptIn):
    """Receive a delivery: each line waits for its incoming inspection before it goes into stock."""
    require_perm(request, "procurement.add_receipt")
    values = data.model_dump(exclude_none=True)
    values["lines"] = [{k: v for k, v in line.items() if v is not None} for line in values["lines"]]
    receipt = services.receive(po=_po(po_id), by=request.user, data=values)
    receipt = Receipt.objects.get(pk=receipt.pk)
    rows = selectors.inspections(None).filter(receipt_line__receipt=receipt)
    return Status(
        201,
        {
            "id": receipt.id,
            "number": receipt.number,
            "purchase_order_id": receipt.purchase_order_id,
            "received_date": receipt.received_date,
            "location_id": receipt.location_id,
            "inspections": [inspection_dict(i) for i in rows],
        },
    )


@router.get("/incoming-inspections", response=list[PurchaseInspectionOut])
def inspection_list(request: HttpRequest, status: str = "pending", limit: int = Query(200, ge=1, le=1000)):
    """Incoming inspections of materials, waiting ones by default (oldest delivery first). (`/inspections` lists
    the inspections of orders' lots.)"""
    require_perm(request, "procurement.view_incominginspection")
    return [inspection_dict(i) for i in selectors.inspections(status or None)[:limit]]


@router.post("/incoming-inspections/{inspection_id}/result", response=PurchaseInspectionOut)
@router.post(
    "/inspections/{inspection_id}/result", response=PurchaseInspectionOut, operation_id="inspection_result_first_path"
)
def inspection_result(request: HttpRequest, inspection_id: int, data: InspectionResultIn):
    """Record an incoming inspection's result: accepted goes into stock (reserved for its order), rejected stays
    open and is chased. (Also at `/inspections/{id}/result`, the path it was first published at.)"""
    require_perm(request, "procurement.inspect_material")
    inspection = selectors.get_inspection(inspection_id)
    services.record_inspection(inspection=inspection, by=request.user, data=data.model_dump(exclude_none=True))
    return inspection_dict(selectors.get_inspection(inspection_id))


# ---- scorecards ---------------------------------------------------------------------------------------------------


def _period(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    date_to = date_to or clock.today()
    date_from = date_from or date_to.replace(year=date_to.year - 1) + dt.timedelta(days=1)
    if date_from > date_to:
        raise ValidationError({"from": _("The period starts after it ends.")})
    return date_from, date_to


@router.get("/suppliers/{supplier_id}/scorecard", response=ScorecardOut)
def supplier_scorecard(
    request: HttpRequest,
    supplier_id: int,
    date_from: dt.date | None = Query(None, alias="from"),
    date_to: dt.date | None = Query(None, alias="to"),
):
    """The five rights measured over the period (default: the last 12 months): on-time delivery against the first
    promise, quality acceptance, quantity accuracy, price variance against the agreed price, delivery-place errors,
    and the weighted score (weights in GENDAN_SCORECARD_WEIGHTS) with the supplier's rank."""
    require_perm(request, "procurement.view_purchaseorder")
    supplier = Supplier.objects.filter(pk=supplier_id).first()
    if supplier is None:
        raise NotFound(_("There is no supplier %(id)s.") % {"id": supplier_id})
    start, end = _period(date_from, date_to)
    card = next((c for c in reports.scorecards(start, end) if c.supplier_id == supplier.pk), None)
    return scorecard_dict(supplier, start, end, card)


def scorecard_dict(supplier: Supplier, start: dt.date, end: dt.date, card: Any) -> dict[str, Any]:
    return {
        "supplier_id": supplier.pk,
        "supplier_code": supplier.code,
        "date_from": start,
        "date_to": end,
        "receipt_lines": card.lines_due if card else 0,
        "on_time_pct": card.on_time_pct if card else None,
        "quality_pct": card.quality_pct if card else None,
        "quantity_pct": card.quantity_pct if card else None,
        "price_variance_pct": card.price_variance_pct if card else None,
        "place_errors": card.place_errors if card else 0,
        "score": card.score if card else None,
        "rank": card.rank if card else None,
    }
