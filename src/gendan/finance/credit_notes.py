"""Credit notes (贷项通知单): what the company knocks off a customer's account (a complaint settled, a price
corrected). Issued by finance by hand or by another app (customer service closes a complaint with one); applied to
the customer's open invoices like a receipt (`services.allocate`), the rest stays as the customer's credit.

Who may: `finance.add_creditnote` to issue by hand, `finance.add_allocation` to apply, `finance.change_creditnote`
to cancel. An app that issues one for a decision taken elsewhere (a complaint closed by its owner) passes
`checked=True`: the decision's own permission was checked there."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gendan.core import audit, clock
from gendan.core.choices import AuditAction
from gendan.core.editing import check_version
from gendan.core.exceptions import NotFound, TransitionNotAllowed, ValidationError
from gendan.core.models import User
from gendan.core.numbering import next_number
from gendan.core.services import ensure_can
from gendan.finance.choices import OPEN_STATUSES, CreditNoteStatus
from gendan.finance.models import CreditNote, Invoice
from gendan.finance.services import _amount, _currency, _date, _Errors, allocate
from gendan.partners.models import Customer
from gendan.sales.models import Order

PREFIX = "CN"
FIELDS = ["number", "customer", "order", "currency", "amount", "issue_date", "reason", "reference"]


def _customer(value: Any, errors: _Errors) -> Customer | None:
    if isinstance(value, Customer):
        return value
    found = Customer.objects.filter(pk=value).first() if str(value or "").isdigit() else None
    if found is None:
        errors.add("customer_id", _("Choose a customer."))
    return found


def _order(value: Any, customer: Customer | None, errors: _Errors) -> Order | None:
    if value in (None, ""):
        return None
    order = (
        value
        if isinstance(value, Order)
        else (Order.objects.filter(pk=value).first() if str(value).isdigit() else None)
    )
    if order is None or (customer is not None and order.customer_id != customer.pk):
        errors.add("order_id", _("The order is not one of this customer's."))
        return None
    return order


def open_invoices_of(order: Order, currency: str) -> QuerySet[Invoice]:
    """The order's invoices with something still open in `currency`, the earliest due first."""
    return Invoice.objects.filter(order=order, currency=currency, status__in=OPEN_STATUSES).order_by("due_date", "pk")


@transaction.atomic
def issue_credit_note(
    *,
    customer: Customer | int,
    currency: str,
    amount: Any,
    reason: str,
    by: User,
    order: Order | int | None = None,
    reference: str = "",
    issue_date: dt.date | None = None,
    apply_to_order: bool = True,
    checked: bool = False,
) -> CreditNote:
    """Issue a credit note. With an order and `apply_to_order`, it is applied at once to that order's open invoices
    in its currency, the earliest due first; what is left is the customer's credit, to apply later."""
    if not checked:
        ensure_can(by, "finance.add_creditnote", _("You may not issue credit notes."))
    errors = _Errors()
    found = _customer(customer.pk if isinstance(customer, Customer) else customer, errors)
    cur = _currency(currency or (found.currency if found else ""), errors)
    value = _amount(amount, cur, "amount", errors)
    the_order = _order(order, found, errors)
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", _("Say what the credit is for."))
    reference = (reference or "").strip()
    if len(reference) > 100:
        errors.add("reference", _("At most %(n)s characters.") % {"n": 100})
    day = _date(issue_date or clock.today(), "issue_date", errors)
    if day and day > clock.today():
        errors.add("issue_date", _("A credit note cannot be dated in the future."))
    if the_order is not None and cur and the_order.currency != cur:
        errors.add(
            "currency", _("Order %(number)s is in %(cur)s.") % {"number": the_order.number, "cur": the_order.currency}
        )
    errors.raise_if_any()
    note = CreditNote.objects.create(
        number=next_number(PREFIX),
        customer=found,
        order=the_order,
        currency=cur,
        amount=value,
        issue_date=day,
        reason=reason,
        reference=reference,
        created_by=by,
    )
    audit.record_create(instance=note, by=by, fields=FIELDS)
    if the_order is not None and apply_to_order:
        left = note.amount
        rows = []
        for invoice in open_invoices_of(the_order, cur):
            if left <= 0:
                break
            part = min(left, invoice.open_amount)
            rows.append({"invoice_id": invoice.pk, "amount": str(part)})
            left -= part
        if rows:
            allocate(receipt=note, allocations=rows, by=by, day=day)
            note.refresh_from_db()
    return note


@transaction.atomic
def cancel_credit_note(*, note: CreditNote, by: User, reason: str, version: int | None = None) -> CreditNote:
    """Cancel a credit note nothing has been applied from, with a reason."""
    ensure_can(by, "finance.change_creditnote", _("You may not cancel credit notes."))
    locked = CreditNote.objects.select_for_update().filter(pk=note.pk).first()
    if locked is None:
        raise NotFound(_("There is no credit note %(id)s.") % {"id": note.pk})
    check_version(locked, version)
    if locked.status != CreditNoteStatus.OPEN or locked.allocated_amount:
        raise TransitionNotAllowed(
            _("Credit note %(number)s is %(status)s or partly applied: it cannot be cancelled.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the credit note is cancelled.")})
    old = locked.status
    locked.status = CreditNoteStatus.CANCELLED
    locked.cancel_reason = reason
    locked.version += 1
    locked.save(update_fields=["status", "cancel_reason", "version", "updated_at"])
    audit.record(
        instance=locked,
        action=AuditAction.TRANSITION,
        by=by,
        changes={"status": [old, CreditNoteStatus.CANCELLED]},
        message=reason,
    )
    return locked


def credit_notes(
    *, customer_id: int | None = None, status: str = "", order_id: int | None = None, q: str = ""
) -> QuerySet[CreditNote]:
    qs = CreditNote.objects.select_related("customer", "order", "created_by")
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if status:
        qs = qs.filter(status=status)
    if order_id:
        qs = qs.filter(order_id=order_id)
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(number__icontains=q) | Q(reference__icontains=q) | Q(reason__icontains=q))
    return qs.order_by("-issue_date", "-id")


def credit_note_detail(pk: int) -> CreditNote:
    found = (
        CreditNote.objects.select_related("customer", "order", "created_by")
        .prefetch_related("allocations__invoice")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("There is no credit note %(id)s.") % {"id": pk})
    return found
