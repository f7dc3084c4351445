"""Credit note pages: the list, issuing one by hand, its page (applied to which invoices, apply the rest, cancel)."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gendan.core import audit, clock
from gendan.core.exceptions import GendanError
from gendan.core.money import Currency
from gendan.core.pages import error_text, object_or_404, paginate, perm_required, querystring_without
from gendan.core.templatetags.gendan_tags import money
from gendan.finance import credit_notes, selectors, services
from gendan.finance.choices import CreditNoteStatus
from gendan.finance.views import _allocation_rows, _int
from gendan.partners.models import Customer
from gendan.sales.models import Order


@perm_required("finance.view_creditnote")
def credit_note_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    qs = credit_notes.credit_notes(
        customer_id=_int(g.get("customer")), status=g.get("status") or "", q=(g.get("q") or "").strip()
    )
    return render(
        request,
        "finance/credit_note_list.html",
        {
            "page": paginate(request, qs),
            "g": g,
            "statuses": CreditNoteStatus.choices,
            "customers": Customer.objects.filter(credit_notes__isnull=False).distinct().order_by("code"),
            "qs": querystring_without(request, "page"),
            "can_add": request.user.has_perm("finance.add_creditnote"),
        },
    )


@perm_required("finance.add_creditnote")
def credit_note_add(request: HttpRequest) -> HttpResponse:
    customer = Customer.objects.filter(pk=_int(request.GET.get("customer") or request.POST.get("customer_id"))).first()
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {"currency": customer.currency if customer else "", "issue_date": clock.today()}
    if request.method == "POST" and customer is not None:
        values = {k: v.strip() for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        try:
            note = credit_notes.issue_credit_note(
                customer=customer,
                currency=values.get("currency", ""),
                amount=values.get("amount"),
                reason=values.get("reason", ""),
                reference=values.get("reference", ""),
                order=_int(values.get("order_id")),
                issue_date=values.get("issue_date") or None,
                apply_to_order=values.get("apply") == "1",
                by=request.user,
            )
        except GendanError as exc:
            errors = getattr(exc, "errors", {"__all__": [error_text(exc)]})
        else:
            messages.success(
                request,
                _("%(number)s is issued: %(applied)s applied, %(left)s left as credit.")
                % {
                    "number": note.number,
                    "applied": money(note.allocated_amount, note.currency),
                    "left": money(note.unallocated_amount, note.currency),
                },
            )
            return redirect("finance:credit_note", note_id=note.pk)
    orders = Order.objects.filter(customer=customer).order_by("-order_date", "-pk")[:200] if customer else []
    return render(
        request,
        "finance/credit_note_form.html",
        {
            "customer": customer,
            "customers": Customer.objects.filter(is_active=True).order_by("code"),
            "orders": orders,
            "values": values,
            "errors": errors,
            "currencies": Currency.values,
        },
    )


@perm_required("finance.view_creditnote")
def credit_note_detail(request: HttpRequest, note_id: int) -> HttpResponse:
    note = object_or_404(credit_notes.credit_note_detail, note_id)
    live = note.status != CreditNoteStatus.CANCELLED
    can_allocate = live and note.unallocated_amount > 0 and request.user.has_perm("finance.add_allocation")
    open_rows = []
    if can_allocate:
        open_rows = [
            {"index": n, "invoice": i, "open": i.amount - i.paid_amount}
            for n, i in enumerate(selectors.open_invoices(note.customer_id, note.currency))
        ]
    return render(
        request,
        "finance/credit_note_detail.html",
        {
            "note": note,
            "allocations": list(note.allocations.all()),
            "can_allocate": can_allocate,
            "can_cancel": note.status == CreditNoteStatus.OPEN
            and not note.allocated_amount
            and request.user.has_perm("finance.change_creditnote"),
            "open_rows": open_rows,
            "history": audit.history_for(note, limit=40),
        },
    )


@require_POST
@perm_required("finance.add_allocation")
def credit_note_allocate(request: HttpRequest, note_id: int) -> HttpResponse:
    note = object_or_404(credit_notes.credit_note_detail, note_id)
    rows = _allocation_rows(request.POST, _int(request.POST.get("rows")) or 0)
    try:
        services.allocate(receipt=note, allocations=rows, by=request.user)
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The credit is applied."))
    return redirect("finance:credit_note", note_id=note.pk)


@require_POST
@perm_required("finance.change_creditnote")
def credit_note_cancel(request: HttpRequest, note_id: int) -> HttpResponse:
    note = object_or_404(credit_notes.credit_note_detail, note_id)
    try:
        credit_notes.cancel_credit_note(
            note=note, by=request.user, reason=request.POST.get("reason", ""), version=_int(request.POST.get("version"))
        )
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("%(number)s is cancelled.") % {"number": note.number})
    return redirect("finance:credit_note", note_id=note.pk)
