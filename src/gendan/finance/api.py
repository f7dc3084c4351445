"""Finance API: payment terms (and a customer's and an order's), invoices, receipts with their allocations, the
customer statement (JSON, .pdf, .xlsx) and the ageing of receivables. Amounts are decimal strings rounded per
currency."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import ValidationError as RequestInvalid

from gendan.core import clock
from gendan.core.apiutils import require_perm
from gendan.core.excel import xlsx_response
from gendan.core.exceptions import NotFound
from gendan.core.money import round_money
from gendan.finance import credit_note_api, documents, rebate_api, selectors, services
from gendan.finance.models import Allocation, CustomerTerms, FxSettlement, Invoice, OrderTerms, PaymentTerm, Receipt
from gendan.finance.schemas import (
    AgeingOut,
    AllocateIn,
    CancelIn,
    FxSettlementIn,
    FxSettlementOut,
    FxSettlementPage,
    InvoiceDetailOut,
    InvoiceIn,
    InvoicePage,
    PaymentTermIn,
    PaymentTermOut,
    PaymentTermPatch,
    ReceiptDetailOut,
    ReceiptIn,
    ReceiptPage,
    StatementOut,
    TermChoiceIn,
    TermChoiceOut,
)
from gendan.partners.models import Customer
from gendan.sales.models import Order

router = Router(tags=["finance"])
router.add_router("", rebate_api.router)  # verification (核销) and export tax rebate (退税)
router.add_router("", credit_note_api.router)  # credit notes (贷项通知单)
LANGS = {"zh": "zh-hans", "en": "en"}


# ---- payment terms ----------------------------------------------------------------------------------------------


def term_dict(t: PaymentTerm) -> dict[str, Any]:
    return {
        "id": t.pk,
        "code": t.code,
        "name": t.name,
        "name_en": t.name_en,
        "notes": t.notes,
        "is_active": t.is_active,
        "parts": [
            {"position": p.position, "share_pct": p.share_pct, "rule": p.rule, "days": p.days} for p in t.parts.all()
        ],
        "version": t.version,
    }


def _term(term_id: int) -> PaymentTerm:
    found = selectors.payment_terms().filter(pk=term_id).first()
    if found is None:
        raise NotFound(_("There is no payment term %(id)s.") % {"id": term_id})
    return found


@router.get("/payment-terms", response=list[PaymentTermOut])
def term_list(request: HttpRequest, active: bool | None = None):
    """Every payment term (a short list: a bare array), each with its parts."""
    require_perm(request, "finance.view_paymentterm")
    return [term_dict(t) for t in selectors.payment_terms(active_only=bool(active))]


@router.post("/payment-terms", response={201: PaymentTermOut})
def term_create(request: HttpRequest, data: PaymentTermIn):
    """A payment term: parts whose shares add up to 100, each due on its rule (422 naming the part otherwise)."""
    require_perm(request, "finance.add_paymentterm")
    created = services.create_payment_term(by=request.user, data=data.model_dump(mode="python"))
    return Status(201, term_dict(_term(created.pk)))


@router.get("/payment-terms/{term_id}", response=PaymentTermOut)
def term_detail(request: HttpRequest, term_id: int):
    require_perm(request, "finance.view_paymentterm")
    return term_dict(_term(term_id))


@router.patch("/payment-terms/{term_id}", response=PaymentTermOut)
def term_update(request: HttpRequest, term_id: int, data: PaymentTermPatch):
    """Change a term (`parts` replace the parts whole); `version` as read, 409 when stale."""
    require_perm(request, "finance.change_paymentterm")
    values = data.model_dump(exclude_unset=True, mode="python")
    version = values.pop("version", None)
    services.update_payment_term(term=_term(term_id), by=request.user, data=values, version=version)
    return term_dict(_term(term_id))


def _customer(customer_id: int) -> Customer:
    found = Customer.objects.filter(pk=customer_id).first()
    if found is None:
        raise NotFound(_("There is no customer %(id)s.") % {"id": customer_id})
    return found


def _order(order_id: int) -> Order:
    found = Order.objects.select_related("customer").filter(pk=order_id).first()
    if found is None:
        raise NotFound(_("There is no order %(id)s.") % {"id": order_id})
    return found


@router.get("/customers/{customer_id}/payment-terms", response=TermChoiceOut)
def customer_terms(request: HttpRequest, customer_id: int):
    """The customer's default term (`own` false: none set, the setting's default applies)."""
    require_perm(request, "finance.view_customerterms")
    customer = _customer(customer_id)
    own = CustomerTerms.objects.select_related("term").filter(customer=customer).first()
    term = own.term if own else services.default_term()
    return {
        "term_id": term.pk if term else None,
        "term_code": term.code if term else None,
        "own": own is not None,
        "version": own.version if own else None,
    }


@router.put("/customers/{customer_id}/payment-terms", response=TermChoiceOut)
def customer_terms_set(request: HttpRequest, customer_id: int, data: TermChoiceIn):
    require_perm(request, "finance.change_customerterms")
    services.set_customer_terms(
        customer=_customer(customer_id), term_id=data.term_id, by=request.user, version=data.version
    )
    return customer_terms(request, customer_id)


@router.get("/orders/{order_id}/payment-terms", response=TermChoiceOut)
def order_terms(request: HttpRequest, order_id: int):
    """The order's term (`own` false: inherited from the customer until the order is confirmed)."""
    require_perm(request, "finance.view_orderterms")
    order = _order(order_id)
    own = OrderTerms.objects.select_related("term").filter(order=order).first()
    term = own.term if own else services.customer_term(order.customer_id)
    return {
        "term_id": term.pk if term else None,
        "term_code": term.code if term else None,
        "own": own is not None,
        "version": own.version if own else None,
    }


@router.put("/orders/{order_id}/payment-terms", response=TermChoiceOut)
def order_terms_set(request: HttpRequest, order_id: int, data: TermChoiceIn):
    require_perm(request, "finance.change_orderterms")
    services.set_order_terms(order=_order(order_id), term_id=data.term_id, by=request.user, version=data.version)
    return order_terms(request, order_id)


# ---- invoices ---------------------------------------------------------------------------------------------------


def _m(amount: Decimal | None, currency: str) -> Decimal | None:
    return None if amount is None else round_money(amount, currency)


def allocation_dict(a: Allocation, currency: str) -> dict[str, Any]:
    return {
        "id": a.pk,
        "receipt_id": a.receipt_id,
        "receipt_number": a.receipt.number if a.receipt_id else None,
        "credit_note_id": a.credit_note_id,
        "credit_note_number": a.credit_note.number if a.credit_note_id else None,
        "invoice_id": a.invoice_id,
        "invoice_number": a.invoice.number,
        "amount": _m(a.amount, currency),
        "allocated_date": a.allocated_date,
    }


def invoice_dict(i: Invoice, *, detail: bool = False) -> dict[str, Any]:
    cur = i.currency
    today = clock.today()
    data = {
        "id": i.pk,
        "number": i.number,
        "kind": i.kind,
        "customer_id": i.customer_id,
        "customer_code": i.customer.code,
        "order_id": i.order_id,
        "order_number": i.order.number if i.order_id else None,
        "shipment_id": i.shipment_id,
        "shipment_number": i.shipment.number if i.shipment_id else None,
        "currency": cur,
        "amount": _m(i.amount, cur),
        "paid_amount": _m(i.paid_amount, cur),
        "open_amount": _m(i.amount - i.paid_amount, cur) if i.status != "cancelled" else _m(Decimal(0), cur),
        "issue_date": i.issue_date,
        "due_date": i.due_date,
        "due_rule": i.rule or None,
        "due_days": i.days,
        "due_basis": i.due_basis,
        "share_pct": i.share_pct,
        "days_overdue": max((today - i.due_date).days, 0) if i.status in ("open", "partially_paid") else 0,
        "status": i.status,
        "cancel_reason": i.cancel_reason,
        "description": i.description,
        "merchandiser": i.merchandiser.username if i.merchandiser_id else None,
        "version": i.version,
    }
    if detail:
        data["lines"] = [
            {
                "position": line.position,
                "kind": line.kind,
                "order_id": line.order_id,
                "order_number": line.order.number if line.order_id else None,
                "description": line.description,
                "amount": _m(line.amount, cur),
            }
            for line in i.lines.all()
        ]
        data["allocations"] = [allocation_dict(a, cur) for a in i.allocations.all()]
    return data


def _invoice(invoice_id: int) -> Invoice:
    found = selectors.invoice_detail(invoice_id)
    if found is None:
        raise NotFound(_("There is no invoice %(id)s.") % {"id": invoice_id})
    return found


@router.get("/invoices", response=InvoicePage)
def invoice_list(
    request: HttpRequest,
    q: str = "",
    status: str = "",
    customer_id: int | None = None,
    order_id: int | None = None,
    shipment_id: int | None = None,
    overdue: bool = False,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Invoices, newest first. `status`: open (open or partially paid), partially_paid, paid, cancelled;
    `overdue=true`: unpaid and past due."""
    require_perm(request, "finance.view_invoice")
    qs = selectors.invoices(
        q=q,
        status=status,
        customer_id=customer_id,
        order_id=order_id,
        shipment_id=shipment_id,
        overdue=overdue,
        due_from=due_from,
        due_to=due_to,
    )
    return {"items": [invoice_dict(i) for i in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/invoices", response={201: InvoiceDetailOut})
def invoice_create(request: HttpRequest, data: InvoiceIn):
    """An invoice for other charges (samples, moulds, freight): lines, or one `amount`."""
    require_perm(request, "finance.add_invoice")
    values = data.model_dump(mode="python")
    created = services.create_invoice(by=request.user, data=values)
    return Status(201, invoice_dict(_invoice(created.pk), detail=True))


@router.get("/invoices/{invoice_id}", response=InvoiceDetailOut)
def invoice_detail(request: HttpRequest, invoice_id: int):
    require_perm(request, "finance.view_invoice")
    return invoice_dict(_invoice(invoice_id), detail=True)


@router.post("/invoices/{invoice_id}/cancel", response=InvoiceDetailOut)
def invoice_cancel(request: HttpRequest, invoice_id: int, data: CancelIn):
    """Cancel an open invoice nothing is paid on, with a reason (409 otherwise)."""
    require_perm(request, "finance.cancel_invoice")
    services.cancel_invoice(invoice=_invoice(invoice_id), by=request.user, reason=data.reason, version=data.version)
    return invoice_dict(_invoice(invoice_id), detail=True)


# ---- receipts ---------------------------------------------------------------------------------------------------


def receipt_dict(r: Receipt, *, detail: bool = False) -> dict[str, Any]:
    cur = r.currency
    data = {
        "id": r.pk,
        "number": r.number,
        "customer_id": r.customer_id,
        "customer_code": r.customer.code,
        "currency": cur,
        "amount": _m(r.amount, cur),
        "bank_charges": _m(r.bank_charges, cur),
        "net_amount": _m(r.amount - r.bank_charges, cur),
        "fx_rate": r.fx_rate,
        "amount_cny": round_money(r.amount * r.fx_rate, "CNY"),
        "received_date": r.received_date,
        "reference": r.reference,
        "allocated_amount": _m(r.allocated_amount, cur),
        "unallocated_amount": _m(r.amount - r.allocated_amount, cur),
        "version": r.version,
    }
    if detail:
        data["allocations"] = [allocation_dict(a, cur) for a in r.allocations.all()]
    return data


def _receipt(receipt_id: int) -> Receipt:
    found = selectors.receipt_detail(receipt_id)
    if found is None:
        raise NotFound(_("There is no receipt %(id)s.") % {"id": receipt_id})
    return found


@router.get("/receipts", response=ReceiptPage)
def receipt_list(
    request: HttpRequest,
    q: str = "",
    customer_id: int | None = None,
    currency: str = "",
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    unallocated: bool = False,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Receipts, newest first (`unallocated=true`: those with credit left to allocate)."""
    require_perm(request, "finance.view_receipt")
    qs = selectors.receipts(
        q=q,
        customer_id=customer_id,
        currency=currency.upper(),
        date_from=received_from,
        date_to=received_to,
        unallocated=unallocated,
    )
    return {"items": [receipt_dict(r) for r in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/receipts", response={201: ReceiptDetailOut})
def receipt_create(request: HttpRequest, data: ReceiptIn):
    """Record a payment received and allocate it to the customer's invoices in one transaction: an allocation above
    an invoice's open amount or above the receipt is a 422 and nothing is written. What is not allocated stays as
    the customer's credit (allocate it later with POST /receipts/{id}/allocations)."""
    require_perm(request, "finance.add_receipt")
    values = data.model_dump(mode="python")
    created = services.record_receipt(by=request.user, data=values)
    return Status(201, receipt_dict(_receipt(created.pk), detail=True))


@router.get("/receipts/{receipt_id}", response=ReceiptDetailOut)
def receipt_detail(request: HttpRequest, receipt_id: int):
    require_perm(request, "finance.view_receipt")
    return receipt_dict(_receipt(receipt_id), detail=True)


@router.post("/receipts/{receipt_id}/allocations", response=ReceiptDetailOut)
def receipt_allocate(request: HttpRequest, receipt_id: int, data: AllocateIn):
    """Allocate a receipt's credit to invoices (the same checks as at recording)."""
    require_perm(request, "finance.add_allocation")
    services.allocate(
        receipt=_receipt(receipt_id), allocations=[a.model_dump() for a in data.allocations], by=request.user
    )
    return receipt_dict(_receipt(receipt_id), detail=True)


# ---- statement and ageing ---------------------------------------------------------------------------------------


def _period(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    today = clock.today()
    until = date_to or today
    since = date_from or until.replace(day=1)
    if since > until:
        raise RequestInvalid([{"loc": ["query", "from"], "msg": _("“from” is after “to”."), "type": "value_error"}])
    return since, until


def statement_dict(data: dict[str, Any]) -> dict[str, Any]:
    customer = data["customer"]
    return {
        "customer_id": customer.pk,
        "customer_code": customer.code,
        "customer_name": customer.name,
        "currency": customer.currency,
        "date_from": data["date_from"],
        "date_to": data["date_to"],
        "sections": data["sections"],
    }


@router.get("/customers/{customer_id}/statement", response=StatementOut)
def statement(
    request: HttpRequest,
    customer_id: int,
    date_from: dt.date | None = Query(None, alias="from"),
    date_to: dt.date | None = Query(None, alias="to"),
):
    """The statement of account (对账单) for a period (default: this month to today): per currency (the customer's
    first) the opening balance, the invoices and receipts with the running balance, the closing balance, and the
    invoices still open."""
    require_perm(request, "finance.view_invoice")
    since, until = _period(date_from, date_to)
    return statement_dict(selectors.statement(_customer(customer_id), since, until))


@router.get("/customers/{customer_id}/statement.pdf")
def statement_pdf(
    request: HttpRequest,
    customer_id: int,
    date_from: dt.date | None = Query(None, alias="from"),
    date_to: dt.date | None = Query(None, alias="to"),
    lang: str = "zh",
):
    """The statement as a PDF (`lang` zh or en)."""
    require_perm(request, "finance.view_invoice")
    since, until = _period(date_from, date_to)
    customer = _customer(customer_id)
    content = documents.statement_pdf(customer, since, until, LANGS.get(lang, "zh-hans"))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.statement_stem(customer, until)}.pdf"'
    return response


@router.get("/customers/{customer_id}/statement.xlsx")
def statement_xlsx(
    request: HttpRequest,
    customer_id: int,
    date_from: dt.date | None = Query(None, alias="from"),
    date_to: dt.date | None = Query(None, alias="to"),
    lang: str = "zh",
):
    require_perm(request, "finance.view_invoice")
    since, until = _period(date_from, date_to)
    customer = _customer(customer_id)
    content = documents.statement_xlsx(customer, since, until, LANGS.get(lang, "zh-hans"))
    return xlsx_response(content, f"{documents.statement_stem(customer, until)}.xlsx")


@router.get("/receivables/ageing", response=AgeingOut)
def receivables_ageing(request: HttpRequest, by: str = "customer", currency: str = ""):
    """Open receivables by days overdue as of today (current = not yet due; 1–30, 31–60, 61–90, > 90), per
    customer (with its unallocated credit) or per merchandiser, and currency; totals per currency."""
    require_perm(request, "finance.view_invoice")
    if by not in ("customer", "merchandiser"):
        raise RequestInvalid([{"loc": ["query", "by"], "msg": _("customer or merchandiser"), "type": "value_error"}])
    data = selectors.ageing(by=by, currency=currency.upper())
    return {"as_of": data["as_of"], "by": data["by"], "rows": data["rows"], "totals": data["totals"]}


# ---- FX settlement ----------------------------------------------------------------------------------------------


def fx_dict(s: FxSettlement) -> dict[str, Any]:
    r = s.receipt
    return {
        "id": s.pk,
        "number": s.number,
        "receipt_id": r.pk,
        "receipt_number": r.number,
        "customer_id": r.customer_id,
        "currency": r.currency,
        "amount": _m(s.amount, r.currency),
        "bank_rate": s.bank_rate,
        "booking_rate": r.fx_rate,
        "settled_date": s.settled_date,
        "cny_amount": _m(s.cny_amount, "CNY"),
        "booked_cny_amount": _m(s.booked_cny_amount, "CNY"),
        "gain_loss": _m(s.gain_loss, "CNY"),
        "reference": s.reference,
    }


@router.get("/fx-settlements", response=FxSettlementPage)
def fx_list(
    request: HttpRequest,
    receipt_id: int | None = None,
    currency: str = "",
    settled_from: dt.date | None = None,
    settled_to: dt.date | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """FX settlements (结汇), newest first, with totals per currency (CNY received, at booking rates, gain/loss)."""
    require_perm(request, "finance.view_fxsettlement")
    qs = selectors.fx_settlements(
        receipt_id=receipt_id, currency=currency.upper(), date_from=settled_from, date_to=settled_to
    )
    return {
        "items": [fx_dict(s) for s in qs[offset : offset + limit]],
        "count": qs.count(),
        "totals": selectors.fx_totals(qs),
    }


@router.post("/fx-settlements", response={201: FxSettlementOut})
def fx_create(request: HttpRequest, data: FxSettlementIn):
    """Settle part of a foreign-currency receipt into CNY at the bank's rate; 422 above its net amount not yet
    settled."""
    require_perm(request, "finance.add_fxsettlement")
    values = data.model_dump(mode="python")
    found = Receipt.objects.filter(pk=values.pop("receipt_id")).first()
    if found is None:
        raise NotFound(_("There is no receipt %(id)s.") % {"id": data.receipt_id})
    created = services.settle_fx(receipt=found, by=request.user, data=values)
    return Status(201, fx_dict(selectors.fx_settlements().get(pk=created.pk)))
