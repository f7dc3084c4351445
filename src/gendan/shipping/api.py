"""Shipping API: shipments (plan, change, book, load, depart, arrive, close, cancel, B/L), their packing, the customs
declaration and the export documents as PDF or .xlsx."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from gendan.core.apiutils import require_perm
from gendan.core.excel import xlsx_response
from gendan.core.exceptions import NotFound, ValidationError
from gendan.core.money import round_money
from gendan.shipping import documents, selectors, services
from gendan.shipping.choices import DocumentKind, ShipmentStatus
from gendan.shipping.models import Shipment
from gendan.shipping.schemas import (
    ArriveIn,
    BlIn,
    BookIn,
    CustomsIn,
    CustomsOut,
    DepartIn,
    LoadIn,
    PackingIn,
    PackingOut,
    SendIn,
    ShipmentCancelIn,
    ShipmentIn,
    ShipmentOut,
    ShipmentPage,
    ShipmentPatch,
    ShipmentVersionIn,
)

router = Router(tags=["shipping"])


def shipment_dict(s: Shipment) -> dict[str, Any]:
    lines = list(s.lines.all())
    amounts = [round_money(sl.quantity * sl.order_line.unit_price, s.currency) for sl in lines]
    return {
        **{
            f: getattr(s, f)
            for f in (
                "number",
                "customer_id",
                "mode",
                "port_of_loading",
                "port_of_discharge",
                "incoterm",
                "incoterm_place",
                "currency",
                "status",
                "version",
                "planned_ex_factory_date",
                "forwarder_id",
                "booking_no",
                "carrier",
                "vessel_voyage",
                "container_type",
                "container_count",
                "cutoff_documents",
                "cutoff_customs",
                "cutoff_cargo",
                "etd",
                "eta",
                "loaded_date",
                "departed_date",
                "arrived_date",
                "bl_number",
                "bl_date",
                "invoice_number",
                "invoice_date",
                "consignee",
                "notify_party",
                "shipping_marks",
                "co_form",
                "notes",
                "cancel_reason",
                "documents_sent_at",
            )
        },
        "id": s.pk,
        "customer_code": s.customer.code,
        "total_amount": sum(amounts, round_money(0, s.currency)),
        "order_ids": sorted({sl.order_line.order_id for sl in lines}),
        "lines": [
            {
                "id": sl.pk,
                "position": sl.position,
                "order_line_id": sl.order_line_id,
                "order_id": sl.order_line.order_id,
                "order_number": sl.order_line.order.number,
                "product_code": sl.order_line.product.code,
                "quantity": sl.quantity,
                "unit": sl.order_line.unit,
                "unit_price": sl.order_line.unit_price,
                "amount": amount,
                "cartons": sl.cartons,
                "net_kg": sl.net_kg,
                "gross_kg": sl.gross_kg,
                "cbm": sl.cbm,
            }
            for sl, amount in zip(lines, amounts, strict=True)
        ],
    }


def _fresh(pk: int) -> dict[str, Any]:
    return shipment_dict(selectors.shipment(pk))


@router.get("/shipments", response=ShipmentPage)
def shipment_list(
    request: HttpRequest,
    status: str = "",
    customer_id: int | None = None,
    mode: str = "",
    order_id: int | None = None,
    etd_from: dt.date | None = None,
    etd_to: dt.date | None = None,
    q: str = "",
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Shipments, latest planned ex-factory first (`status=open`: planned, booked or loaded)."""
    require_perm(request, "shipping.view_shipment")
    qs = selectors.shipments(
        status=status, customer_id=customer_id, mode=mode, etd_from=etd_from, etd_to=etd_to, order_id=order_id, q=q
    )
    page = selectors.with_lines(qs)[offset : offset + limit]
    return {"items": [shipment_dict(s) for s in page], "count": qs.count()}


@router.post("/shipments", response={201: ShipmentOut})
def shipment_create(request: HttpRequest, data: ShipmentIn):
    """Plan a shipment of one customer's confirmed order lines. A line shipping more than its open quantity plus
    the customer's tolerance → 422 naming the line (`lines.<n>.quantity`)."""
    require_perm(request, "shipping.add_shipment")
    values = data.model_dump(exclude_none=True)
    values["lines"] = [line.model_dump(exclude_none=True) for line in data.lines]
    created = services.create_shipment(by=request.user, data=values)
    return Status(201, _fresh(created.pk))


@router.get("/shipments/{shipment_id}", response=ShipmentOut)
def shipment_detail(request: HttpRequest, shipment_id: int):
    require_perm(request, "shipping.view_shipment")
    return _fresh(shipment_id)


@router.patch("/shipments/{shipment_id}", response=ShipmentOut)
def shipment_update(request: HttpRequest, shipment_id: int, data: ShipmentPatch):
    """Change the facts and booking details (`version` as read; 409 when stale), and `lines` (the whole list)
    while planned or booked."""
    require_perm(request, "shipping.change_shipment")
    values = data.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    if data.lines is not None:
        values["lines"] = [line.model_dump(exclude_unset=True) for line in data.lines]
    services.update_shipment(shipment=selectors.shipment(shipment_id), by=request.user, data=values, version=version)
    return _fresh(shipment_id)


@router.post("/shipments/{shipment_id}/book", response=ShipmentOut)
def shipment_book(request: HttpRequest, shipment_id: int, data: BookIn):
    """Confirm the booking (booking number and ETD needed): the orders' "booking confirmed" milestone is done."""
    require_perm(request, "shipping.change_shipment")
    values = data.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    services.book(shipment=selectors.shipment(shipment_id), by=request.user, data=values, version=version)
    return _fresh(shipment_id)


@router.post("/shipments/{shipment_id}/load", response=ShipmentOut)
def shipment_load(request: HttpRequest, shipment_id: int, data: LoadIn):
    """The goods left the factory: the orders' "ex-factory" milestone is done on that day."""
    require_perm(request, "shipping.change_shipment")
    services.load(shipment=selectors.shipment(shipment_id), by=request.user, day=data.date, version=data.version)
    return _fresh(shipment_id)


@router.post("/shipments/{shipment_id}/depart", response=ShipmentOut)
def shipment_depart(request: HttpRequest, shipment_id: int, data: DepartIn):
    """The vessel or flight left (ATD), with the B/L when known; straight from booked, the goods were loaded that
    day."""
    require_perm(request, "shipping.change_shipment")
    services.depart(
        shipment=selectors.shipment(shipment_id),
        by=request.user,
        atd=data.atd,
        bl_number=data.bl_number,
        bl_date=data.bl_date,
        version=data.version,
    )
    return _fresh(shipment_id)


@router.post("/shipments/{shipment_id}/arrive", response=ShipmentOut)
def shipment_arrive(request: HttpRequest, shipment_id: int, data: ArriveIn):
    require_perm(request, "shipping.change_shipment")
    services.arrive(shipment=selectors.shipment(shipment_id), by=request.user, ata=data.ata, version=data.version)
    return _fresh(shipment_id)


@router.post("/shipments/{shipment_id}/close", response=ShipmentOut)
def shipment_close(request: HttpRequest, shipment_id: int, data: ShipmentVersionIn):
    require_perm(request, "shipping.change_shipment")
    services.close(shipment=selectors.shipment(shipment_id), by=request.user, version=data.version)
    return _fresh(shipment_id)


@router.post("/shipments/{shipment_id}/cancel", response=ShipmentOut)
def shipment_cancel(request: HttpRequest, shipment_id: int, data: ShipmentCancelIn):
    """Cancel a planned or booked shipment, with the reason; its quantities can ship again."""
    require_perm(request, "shipping.change_shipment")
    services.cancel(shipment=selectors.shipment(shipment_id), by=request.user, reason=data.reason, version=data.version)
    return _fresh(shipment_id)


@router.post("/shipments/{shipment_id}/bl", response=ShipmentOut)
def shipment_bl(request: HttpRequest, shipment_id: int, data: BlIn):
    """The original B/L arrived: its number and date."""
    require_perm(request, "shipping.change_shipment")
    services.record_bl(
        shipment=selectors.shipment(shipment_id),
        by=request.user,
        bl_number=data.bl_number,
        bl_date=data.bl_date,
        version=data.version,
    )
    return _fresh(shipment_id)


def packing_dict(s: Shipment) -> dict[str, Any]:
    p = selectors.packing_of(s)
    suggestion = p.suggestion
    return {
        "lines": [
            {
                "id": line.key.pk,
                "order_line_id": line.key.order_line_id,
                "quantity": line.quantity,
                "full_cartons": line.full_cartons,
                "part_carton_units": line.part_units,
                "cartons": line.cartons,
                "carton_from": line.carton_from,
                "carton_to": line.carton_to,
                "net_kg": line.net_kg,
                "gross_kg": line.gross_kg,
                "cbm": line.cbm,
                "overridden": list(line.overridden),
            }
            for line in p.lines
        ],
        "total_cartons": p.total_cartons,
        "total_net_kg": p.total_net_kg,
        "total_gross_kg": p.total_gross_kg,
        "total_cbm": p.total_cbm,
        "container_suggestion": suggestion.text if suggestion else "",
        "containers": [{"type": code, "count": n} for code, n in (suggestion.containers if suggestion else ())],
        "cbm_fill_pct": suggestion.cbm_fill_pct if suggestion else None,
        "kg_fill_pct": suggestion.kg_fill_pct if suggestion else None,
    }


@router.get("/shipments/{shipment_id}/packing", response=PackingOut)
def shipment_packing(request: HttpRequest, shipment_id: int):
    """Cartons per line (numbered 1…N across the lines), net and gross weight, CBM, totals, the container
    suggestion."""
    require_perm(request, "shipping.view_shipment")
    return packing_dict(selectors.shipment(shipment_id))


@router.put("/shipments/{shipment_id}/packing", response=PackingOut)
def shipment_packing_set(request: HttpRequest, shipment_id: int, data: PackingIn):
    """The figures the factory really packed, per line (null: back to the computed figure)."""
    require_perm(request, "shipping.change_shipment")
    services.set_packing(
        shipment=selectors.shipment(shipment_id),
        by=request.user,
        lines=[line.model_dump(exclude_unset=True) for line in data.lines],
        version=data.version,
    )
    return packing_dict(selectors.shipment(shipment_id))


def _customs(s: Shipment) -> dict[str, Any]:
    found = selectors.declaration_of(s)
    found.pop("broker", None)
    found["total_value"] = sum((line["value"] for line in found["lines"]), round_money(0, found["currency"]))
    return found


@router.get("/shipments/{shipment_id}/customs", response=CustomsOut)
def customs_get(request: HttpRequest, shipment_id: int):
    """The customs declaration; before it is saved (`id` null), the one the shipment's lines give."""
    require_perm(request, "shipping.view_customsdeclaration")
    return _customs(selectors.shipment(shipment_id))


@router.put("/shipments/{shipment_id}/customs", response=CustomsOut)
def customs_put(request: HttpRequest, shipment_id: int, data: CustomsIn):
    """Save the declaration (its lines replaced when given; a new one takes the shipment's lines by default)."""
    require_perm(request, "shipping.change_customsdeclaration")
    values = data.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    if data.lines is not None:
        values["lines"] = [line.model_dump() for line in data.lines]
    services.save_declaration(shipment=selectors.shipment(shipment_id), by=request.user, data=values, version=version)
    return _customs(selectors.shipment(shipment_id))


@router.post("/shipments/{shipment_id}/send-documents", response=ShipmentOut)
def send_documents(request: HttpRequest, shipment_id: int, data: SendIn):
    """E-mail the chosen documents (PDF) to the customer; once departed, the "documents sent" milestone is done."""
    require_perm(request, "shipping.change_shipment")
    services.send_documents(
        shipment=selectors.shipment(shipment_id),
        by=request.user,
        kinds=data.kinds,
        to=data.to,
        lang=data.lang,
        message=data.message,
    )
    return _fresh(shipment_id)


@router.get("/shipments/{shipment_id}/documents/{document}")
def shipment_document(request: HttpRequest, shipment_id: int, document: str, lang: str = "en"):
    """`{kind}.pdf` or `{kind}.xlsx` for kind in commercial-invoice, packing-list, shipping-marks, bl-instructions,
    co-application; `lang` en, zh or both. The commercial invoice number is issued the first time."""
    require_perm(request, "shipping.view_shipment")
    kind, _dot, fmt = document.rpartition(".")
    if kind not in DocumentKind.values or fmt not in ("pdf", "xlsx"):
        raise NotFound(_("There is no document %(name)s.") % {"name": document})
    if lang not in documents.LANGS:
        raise ValidationError({"lang": _("Choose en, zh or both.")})
    s = selectors.shipment(shipment_id)
    if s.status == ShipmentStatus.CANCELLED:
        raise NotFound(_("A cancelled shipment has no documents."))
    doc = documents.build(s.pk, kind, lang)
    if fmt == "xlsx":
        return xlsx_response(documents.xlsx_of(doc), f"{doc.filename}-{lang}.xlsx")
    response = HttpResponse(documents.pdf_of(doc), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{doc.filename}-{lang}.pdf"'
    return response
