"""The quotations API: quotations with their lines and cost build-up, the transitions, revisions, the order made
from an accepted quotation, the PDF, the win-rate report."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from gendan.core.apiutils import require_perm
from gendan.core.exceptions import ValidationError
from gendan.core.money import places
from gendan.quotations import costing, selectors, services
from gendan.quotations.models import Quotation, QuotationLine
from gendan.quotations.schemas import (
    AcceptIn,
    LoseIn,
    QuotationDetailOut,
    QuotationIn,
    QuotationPage,
    QuotationPatch,
    QuotationReportOut,
    QuotationSendIn,
    ReviseIn,
    ToOrderIn,
)
from gendan.sales.schemas import OrderDetailOut

router = Router(tags=["quotations"])


def quotation_dict(q: Quotation) -> dict[str, Any]:
    return {
        "id": q.pk,
        "number": q.number,
        "revision": q.revision,
        "customer_id": q.customer_id,
        "customer_code": q.customer.code,
        "contact_id": q.contact_id,
        "quote_date": q.quote_date,
        "currency": q.currency,
        "fx_rate": q.fx_rate,
        "incoterm": q.incoterm,
        "incoterm_place": q.incoterm_place,
        "payment_terms": q.payment_terms,
        "lead_time_days": q.lead_time_days,
        "valid_until": q.valid_until,
        "salesperson": q.salesperson.username,
        "status": getattr(q, "state", None) or selectors.effective_status(q.status, q.valid_until),
        "total_amount": q.total_amount,
        "sent_at": q.sent_at,
        "decided_date": q.decided_date,
        "lost_reason": q.lost_reason,
        "lost_note": q.lost_note,
        "order_id": q.order_id,
        "previous_id": q.previous_id,
        "next_revision_id": _next_id(q),
        "version": q.version,
    }


def _next_id(q: Quotation) -> int | None:
    if q.status != "superseded":
        return None
    try:
        return q.next_revision.pk
    except Quotation.next_revision.RelatedObjectDoesNotExist:
        return None


def price(value: Decimal | None, currency: str) -> Decimal | None:
    """A unit price with the currency's places, more when it has them (up to 4): 4.4100 → 4.41; 0.1235 stays."""
    if value is None:
        return None
    decimals = min(max(places(currency), -value.normalize().as_tuple().exponent), 4)
    return value.quantize(Decimal(1).scaleb(-decimals))


def line_dict(line: QuotationLine, q: Quotation) -> dict[str, Any]:
    up = costing.build_up(services.inputs_of(line), line.quantity, fx_rate=q.fx_rate, currency=q.currency)
    return {
        "id": line.pk,
        "position": line.position,
        "product_id": line.product_id,
        "product_code": line.product.code,
        "description": line.description,
        "quantity": line.quantity,
        "material_cost": line.material_cost,
        "processing_cost": up.processing,
        "run_cost": line.run_cost,
        "setup_cost": line.setup_cost,
        "packaging_cost": line.packaging_cost,
        "overhead_pct": line.overhead_pct,
        "freight_cost": line.freight_cost,
        "margin_pct": line.margin_pct,
        "cost": up.cost,
        "unit_price": price(line.quoted_price, q.currency),
        "computed_unit_price": price(line.unit_price, q.currency),
        "price_override": price(line.price_override, q.currency),
        "amount": line.amount,
        "materials": [
            {
                "id": m.pk,
                "material_id": m.material_id,
                "material_code": m.material.code,
                "qty_per_unit": m.qty_per_unit,
                "scrap_pct": m.scrap_pct,
                "unit_price": m.unit_price,
                "cost": m.cost,
                "source": m.source,
                "source_note": m.source_note,
            }
            for m in line.materials.all()
        ],
        "operations": [
            {
                "id": o.pk,
                "position": o.position,
                "name": o.name,
                "work_centre_id": o.work_centre_id,
                "work_centre_code": o.work_centre.code,
                "minutes_per_unit": o.minutes_per_unit,
                "setup_minutes": o.setup_minutes,
                "hourly_rate": o.hourly_rate,
                "has_rate": o.has_rate,
            }
            for o in line.operations.all()
        ],
        "breaks": [
            {"id": b.pk, "quantity": b.quantity, "unit_price": price(b.unit_price, q.currency)}
            for b in line.breaks.all()
        ],
    }


def detail_dict(quotation_id: int) -> dict[str, Any]:
    q = selectors.get_quotation(quotation_id)
    data = quotation_dict(q)
    data["remarks"] = q.remarks
    data["notes"] = q.notes
    data["lines"] = [line_dict(line, q) for line in selectors.lines_of(q)]
    return data


def _lines(data: list[Any] | None) -> list[dict[str, Any]] | None:
    if data is None:
        return None
    result = []
    for line in data:
        values = line.model_dump(exclude_unset=True)
        if values.get("breaks") is None:
            values.pop("breaks", None)
        if values.get("materials") is None:
            values.pop("materials", None)
        result.append(values)
    return result


@router.get("/quotations", response=QuotationPage)
def quotation_list(
    request: HttpRequest,
    q: str = "",
    status: str = Query("", description="a status (as it stands today), or open (draft, or sent and valid)"),
    customer_id: int | None = None,
    salesperson: str = Query("", description="username"),
    quote_date_from: dt.date | None = None,
    quote_date_to: dt.date | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Quotations, newest first (superseded revisions only when asked for by status)."""
    require_perm(request, "quotations.view_quotation")
    qs = selectors.quotation_list(
        q=q,
        status=status,
        customer_id=customer_id,
        salesperson=salesperson or None,
        date_from=quote_date_from,
        date_to=quote_date_to,
    )
    return {"items": [quotation_dict(x) for x in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/quotations", response={201: QuotationDetailOut})
def quotation_create(request: HttpRequest, data: QuotationIn):
    """A draft quotation for a customer (currency, Incoterm, payment terms and rate from the customer's defaults),
    with its first lines: each costed from its product's BOM and routing."""
    values = data.model_dump(exclude_unset=True)
    values["lines"] = _lines(data.lines) or []
    quotation = services.create_quotation(by=request.user, data=values)
    return Status(201, detail_dict(quotation.pk))


@router.get("/quotations/{quotation_id}.pdf")
def quotation_pdf(request: HttpRequest, quotation_id: int, lang: str = "en"):
    """The quotation as the customer gets it, as PDF: `lang` en or zh (prices, breaks, validity, terms; never the
    cost build-up)."""
    from gendan.quotations.documents import LANGS, filename
    from gendan.quotations.documents import quotation_pdf as render

    require_perm(request, "quotations.view_quotation")
    if lang not in LANGS:
        raise ValidationError({"lang": _("Choose en or zh.")})
    quotation = selectors.get_quotation(quotation_id)
    response = HttpResponse(render(quotation.pk, lang), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename(quotation, lang)}"'
    return response


@router.get("/quotations/{quotation_id}", response=QuotationDetailOut)
def quotation_detail(request: HttpRequest, quotation_id: int):
    require_perm(request, "quotations.view_quotation")
    return detail_dict(quotation_id)


@router.patch("/quotations/{quotation_id}", response=QuotationDetailOut)
def quotation_update(request: HttpRequest, quotation_id: int, data: QuotationPatch):
    """Change a draft (`version` as read): its header and, with `lines`, its lines whole. unit_price is computed."""
    values = data.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    lines = _lines(data.lines) if "lines" in values else None
    values.pop("lines", None)
    services.update_quotation(
        quotation=selectors.get_quotation(quotation_id), by=request.user, data=values, version=version, lines=lines
    )
    return detail_dict(quotation_id)


@router.post("/quotations/{quotation_id}/send", response=QuotationDetailOut)
def quotation_send(request: HttpRequest, quotation_id: int, data: QuotationSendIn | None = None):
    """draft → sent: the PDF e-mailed to `to` (default: the contact) in `lang`, or only recorded (`email` false)."""
    data = data or QuotationSendIn()
    services.send_quotation(
        quotation=selectors.get_quotation(quotation_id),
        by=request.user,
        to=data.to,
        lang=data.lang,
        message=data.message,
        email=data.email,
        version=data.version,
    )
    return detail_dict(quotation_id)


@router.post("/quotations/{quotation_id}/accept", response=QuotationDetailOut)
def quotation_accept(request: HttpRequest, quotation_id: int, data: AcceptIn | None = None):
    """sent (and still valid) → accepted."""
    data = data or AcceptIn()
    services.accept_quotation(
        quotation=selectors.get_quotation(quotation_id),
        by=request.user,
        comment=data.comment,
        day=data.date,
        version=data.version,
    )
    return detail_dict(quotation_id)


@router.post("/quotations/{quotation_id}/lose", response=QuotationDetailOut)
def quotation_lose(request: HttpRequest, quotation_id: int, data: LoseIn):
    """draft, sent or expired → lost, with the reason (and a comment; required for other)."""
    services.lose_quotation(
        quotation=selectors.get_quotation(quotation_id),
        by=request.user,
        reason=data.reason,
        comment=data.comment,
        day=data.date,
        version=data.version,
    )
    return detail_dict(quotation_id)


@router.post("/quotations/{quotation_id}/revise", response={201: QuotationDetailOut})
def quotation_revise(request: HttpRequest, quotation_id: int, data: ReviseIn | None = None):
    """sent or expired → superseded, and its next revision (…-R2) as a new draft, which is returned."""
    data = data or ReviseIn()
    new = services.revise_quotation(
        quotation=selectors.get_quotation(quotation_id), by=request.user, comment=data.comment, version=data.version
    )
    return Status(201, detail_dict(new.pk))


@router.post("/quotations/{quotation_id}/to-order", response={201: OrderDetailOut})
def quotation_to_order(request: HttpRequest, quotation_id: int, data: ToOrderIn | None = None):
    """An accepted quotation becomes a draft order (lines, prices, currency, Incoterm, payment terms); the new
    order is returned as `GET /api/v1/orders/{id}` gives it."""
    from gendan.sales.api import detail_dict as order_detail

    data = data or ToOrderIn()
    order = services.quotation_to_order(
        quotation=selectors.get_quotation(quotation_id),
        by=request.user,
        customer_po=data.customer_po,
        ex_factory_date=data.ex_factory_date,
        lines=[c.model_dump(exclude_none=True) for c in data.lines] if data.lines is not None else None,
    )
    return Status(201, order_detail(order.pk))


def report_dict(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "date_from": report["date_from"],
        "date_to": report["date_to"],
        "currency": report["currency"],
        "totals": report["totals"].as_dict(),
        "by_customer": [r.as_dict() for r in report["by_customer"]],
        "by_salesperson": [r.as_dict() for r in report["by_salesperson"]],
        "lost_reasons": report["lost_reasons"],
    }


@router.get("/quotation-report", response=QuotationReportOut)
def quotation_report(
    request: HttpRequest,
    date_from: dt.date | None = Query(None, alias="from", description="quotation dates from (default 1 January)"),
    date_to: dt.date | None = Query(None, alias="to", description="to (default today)"),
):
    """Win rate and lost reasons per customer and per salesperson for quotations dated in the period (counts,
    values in CNY at the quoted rates, rates)."""
    require_perm(request, "quotations.view_quotation")
    start, end = selectors.report_period(date_from, date_to)
    return report_dict(selectors.win_rate_report(date_from=start, date_to=end))
