"""Credit notes API (贷项通知单): list, issue, read, apply to invoices, cancel. Mounted on the finance router (see
`gendan.finance.api`)."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from gendan.core.apiutils import require_perm
from gendan.core.money import round_money
from gendan.finance import credit_notes, services
from gendan.finance.models import Allocation, CreditNote
from gendan.finance.schemas import AllocateIn, CancelIn, CreditNoteDetailOut, CreditNoteIn, CreditNotePage

router = Router(tags=["finance"])


def _allocation(a: Allocation, note: CreditNote) -> dict[str, Any]:
    return {
        "id": a.pk,
        "receipt_id": None,
        "receipt_number": None,
        "credit_note_id": a.credit_note_id,
        "credit_note_number": note.number,
        "invoice_id": a.invoice_id,
        "invoice_number": a.invoice.number,
        "amount": round_money(a.amount, note.currency),
        "allocated_date": a.allocated_date,
    }


def credit_note_dict(n: CreditNote, *, detail: bool = False) -> dict[str, Any]:
    cur = n.currency
    data = {
        "id": n.pk,
        "number": n.number,
        "customer_id": n.customer_id,
        "customer_code": n.customer.code,
        "order_id": n.order_id,
        "order_number": n.order.number if n.order_id else None,
        "currency": cur,
        "amount": round_money(n.amount, cur),
        "allocated_amount": round_money(n.allocated_amount, cur),
        "unallocated_amount": round_money(n.amount - n.allocated_amount, cur),
        "issue_date": n.issue_date,
        "reason": n.reason,
        "reference": n.reference,
        "status": n.status,
        "version": n.version,
    }
    if detail:
        data["allocations"] = [_allocation(a, n) for a in n.allocations.all()]
    return data


@router.get("/credit-notes", response=CreditNotePage)
def credit_note_list(
    request: HttpRequest,
    q: str = "",
    customer_id: int | None = None,
    order_id: int | None = None,
    status: str = "",
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Credit notes, newest first."""
    require_perm(request, "finance.view_creditnote")
    qs = credit_notes.credit_notes(customer_id=customer_id, order_id=order_id, status=status, q=q)
    return {"items": [credit_note_dict(n) for n in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/credit-notes", response={201: CreditNoteDetailOut})
def credit_note_create(request: HttpRequest, data: CreditNoteIn):
    """Issue a credit note; with an order (and `apply_to_order`) it is applied at once to the order's open invoices
    in its currency, the earliest due first, the rest staying as the customer's credit."""
    require_perm(request, "finance.add_creditnote")
    note = credit_notes.issue_credit_note(
        customer=data.customer_id,
        currency=data.currency.upper(),
        amount=data.amount,
        reason=data.reason,
        reference=data.reference,
        order=data.order_id,
        issue_date=data.issue_date,
        apply_to_order=data.apply_to_order,
        by=request.user,
    )
    return Status(201, credit_note_dict(credit_notes.credit_note_detail(note.pk), detail=True))


@router.get("/credit-notes/{note_id}", response=CreditNoteDetailOut)
def credit_note_detail(request: HttpRequest, note_id: int):
    require_perm(request, "finance.view_creditnote")
    return credit_note_dict(credit_notes.credit_note_detail(note_id), detail=True)


@router.post("/credit-notes/{note_id}/allocations", response=CreditNoteDetailOut)
def credit_note_allocate(request: HttpRequest, note_id: int, data: AllocateIn):
    """Apply what is left of a credit note to invoices (the same checks as a receipt's allocation)."""
    require_perm(request, "finance.add_allocation")
    services.allocate(
        receipt=credit_notes.credit_note_detail(note_id),
        allocations=[a.model_dump() for a in data.allocations],
        by=request.user,
    )
    return credit_note_dict(credit_notes.credit_note_detail(note_id), detail=True)


@router.post("/credit-notes/{note_id}/cancel", response=CreditNoteDetailOut)
def credit_note_cancel(request: HttpRequest, note_id: int, data: CancelIn):
    """Cancel a credit note nothing has been applied from (409 otherwise)."""
    require_perm(request, "finance.change_creditnote")
    credit_notes.cancel_credit_note(
        note=credit_notes.credit_note_detail(note_id), by=request.user, reason=data.reason, version=data.version
    )
    return credit_note_dict(credit_notes.credit_note_detail(note_id), detail=True)
