"""Finance reads: invoice and receipt lists, a customer's open invoices and exposure, the statement of account
(对账单), the ageing of receivables (账龄, computed by the database), what an order has been invoiced and paid, and
the overdue invoices on the chase list."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Max, Min, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from gendan.core import clock
from gendan.core.money import round_money
from gendan.core.templatetags.gendan_tags import money
from gendan.finance.choices import AGEING_BUCKETS, OPEN_STATUSES, CreditNoteStatus, InvoiceStatus
from gendan.finance.models import (
    Allocation,
    CreditNote,
    FxSettlement,
    Invoice,
    InvoiceLine,
    PaymentTerm,
    Receipt,
)
from gendan.followup.selectors import ChaseQuery, ChaseRow, register_chase_source
from gendan.partners.models import Customer

INVOICE = "invoice"  # the chase-list kind
OPEN_AMOUNT = ExpressionWrapper(
    F("amount") - F("paid_amount"), output_field=DecimalField(max_digits=16, decimal_places=2)
)
UNALLOCATED = ExpressionWrapper(
    F("amount") - F("allocated_amount"), output_field=DecimalField(max_digits=16, decimal_places=2)
)
ZERO = Decimal(0)


# ---- lists --------------------------------------------------------------------------------------------------------


def invoices(
    *,
    q: str = "",
    status: str = "",
    customer_id: int | None = None,
    order_id: int | None = None,
    shipment_id: int | None = None,
    overdue: bool = False,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
    merchandiser_id: int | None = None,
) -> QuerySet[Invoice]:
    """Invoices, newest first; `status=open` means open or partially paid; `overdue`: open and past due today."""
    qs = Invoice.objects.select_related("customer", "order", "shipment", "merchandiser")
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(customer__code__icontains=q)
            | Q(customer__name__icontains=q)
            | Q(order__number__icontains=q)
            | Q(shipment__number__icontains=q)
            | Q(description__icontains=q)
        )
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if order_id:
        qs = qs.filter(Q(order_id=order_id) | Q(lines__order_id=order_id)).distinct()
    if shipment_id:
        qs = qs.filter(shipment_id=shipment_id)
    if overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, due_date__lt=clock.today())
    if due_from:
        qs = qs.filter(due_date__gte=due_from)
    if due_to:
        qs = qs.filter(due_date__lte=due_to)
    if merchandiser_id:
        qs = qs.filter(merchandiser_id=merchandiser_id)
    return qs.order_by("-issue_date", "-id")


def invoice_detail(invoice_id: int) -> Invoice | None:
    return (
        Invoice.objects.select_related("customer", "order", "shipment", "merchandiser", "created_by")
        .prefetch_related("lines__order", "allocations__receipt", "allocations__credit_note")
        .filter(pk=invoice_id)
        .first()
    )


def receipts(
    *,
    q: str = "",
    customer_id: int | None = None,
    currency: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    unallocated: bool = False,
) -> QuerySet[Receipt]:
    qs = Receipt.objects.select_related("customer")
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(reference__icontains=q) | Q(customer__code__icontains=q))
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if currency:
        qs = qs.filter(currency=currency)
    if date_from:
        qs = qs.filter(received_date__gte=date_from)
    if date_to:
        qs = qs.filter(received_date__lte=date_to)
    if unallocated:
        qs = qs.filter(allocated_amount__lt=F("amount"))
    return qs.order_by("-received_date", "-id")


def receipt_detail(receipt_id: int) -> Receipt | None:
    return (
        Receipt.objects.select_related("customer", "created_by")
        .prefetch_related("allocations__invoice")
        .filter(pk=receipt_id)
        .first()
    )


def open_invoices(customer_id: int, currency: str | None = None) -> QuerySet[Invoice]:
    """A customer's invoices with something still open, oldest due first (the order to allocate a receipt in)."""
    qs = Invoice.objects.filter(customer_id=customer_id, status__in=OPEN_STATUSES).select_related("order", "shipment")
    if currency:
        qs = qs.filter(currency=currency)
    return qs.order_by("due_date", "issue_date", "id")


def payment_terms(*, active_only: bool = False) -> QuerySet[PaymentTerm]:
    qs = PaymentTerm.objects.prefetch_related("parts")
    return qs.filter(is_active=True) if active_only else qs


def live_credit_notes() -> QuerySet[CreditNote]:
    return CreditNote.objects.exclude(status=CreditNoteStatus.CANCELLED)


def customer_credit(customer_id: int) -> dict[str, Decimal]:
    """{currency: receipts and credit notes not yet applied to invoices}."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for qs in (Receipt.objects.all(), live_credit_notes()):
        rows = (
            qs.filter(customer_id=customer_id, allocated_amount__lt=F("amount"))
            .values("currency")
            .annotate(total=Sum(UNALLOCATED))
            .order_by()
        )
        for r in rows:
            totals[r["currency"]] += r["total"]
    return {cur: round_money(total, cur) for cur, total in totals.items()}


PAYMENT_HISTORY_DAYS = 365


def payment_history(customer_id: int, *, days: int = PAYMENT_HISTORY_DAYS) -> dict[str, Any]:
    """How the customer paid the invoices it settled in the last `days` days (the credit record's payment history):
    each invoice counts on the day its last allocation settled it; paid on time when that day is on or before the
    due date. Returns the count, on-time count and %, the average and worst days late of the late ones."""
    since = clock.today() - dt.timedelta(days=days)
    settled = list(
        Invoice.objects.filter(customer_id=customer_id, status=InvoiceStatus.PAID)
        .annotate(settled=Max("allocations__allocated_date"))
        .filter(settled__gte=since)
        .values_list("due_date", "settled")
    )
    late = [(paid - due).days for due, paid in settled if paid and paid > due]
    count = len(settled)
    return {
        "days": days,
        "count": count,
        "on_time": count - len(late),
        "on_time_pct": round(Decimal(count - len(late)) * 100 / count, 1) if count else None,
        "late": len(late),
        "average_days_late": round(Decimal(sum(late)) / len(late), 1) if late else None,
        "worst_days_late": max(late) if late else None,
    }


def customer_exposure(customer_id: int) -> dict[str, Any]:
    """A customer's open receivables and overdue invoices per currency, with the oldest overdue invoice."""
    today = clock.today()
    rows = (
        Invoice.objects.filter(customer_id=customer_id, status__in=OPEN_STATUSES)
        .values("currency")
        .annotate(
            open=Sum(OPEN_AMOUNT),
            overdue=Sum(OPEN_AMOUNT, filter=Q(due_date__lt=today)),
            overdue_count=Count("id", filter=Q(due_date__lt=today)),
        )
        .order_by()
    )
    result: dict[str, Any] = {"open": {}, "overdue": {}, "overdue_count": 0, "oldest_days": 0, "oldest_number": ""}
    for r in rows:
        result["open"][r["currency"]] = round_money(r["open"] or ZERO, r["currency"])
        if r["overdue_count"]:
            result["overdue"][r["currency"]] = round_money(r["overdue"] or ZERO, r["currency"])
            result["overdue_count"] += r["overdue_count"]
    if result["overdue_count"]:
        oldest = (
            Invoice.objects.filter(customer_id=customer_id, status__in=OPEN_STATUSES, due_date__lt=today)
            .order_by("due_date", "id")
            .values_list("number", "due_date")
            .first()
        )
        if oldest:
            result["oldest_number"], result["oldest_days"] = oldest[0], (today - oldest[1]).days
    return result


# ---- an order's payments ------------------------------------------------------------------------------------------


def order_invoices(order_id: int) -> list[Invoice]:
    """The invoices that bill an order (its deposits, the shipments' invoices with its goods, its other charges)."""
    ids = set(InvoiceLine.objects.filter(order_id=order_id).values_list("invoice_id", flat=True))
    return list(
        Invoice.objects.filter(Q(order_id=order_id) | Q(pk__in=ids))
        .select_related("shipment")
        .order_by("issue_date", "id")
    )


def order_payments(order: Any) -> dict[str, Any]:
    """The figures of the order page's Payments section: its invoices (this order's part of each), invoiced, paid,
    open, overdue, and the goods not invoiced yet."""
    rows = []
    invoiced = paid = open_ = overdue = ZERO
    today = clock.today()
    found = order_invoices(order.pk)
    part = dict(
        InvoiceLine.objects.filter(order_id=order.pk, invoice__in=found)
        .values("invoice_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("invoice_id", "total")
    )
    for invoice in found:
        share = part.get(invoice.pk, invoice.amount)
        rows.append({"invoice": invoice, "order_amount": share, "is_overdue": _is_overdue(invoice, today)})
        if invoice.status == InvoiceStatus.CANCELLED:
            continue
        invoiced += share
        ratio = (invoice.paid_amount / invoice.amount) if invoice.amount else ZERO
        paid_share = round_money(share * ratio, order.currency)
        paid += paid_share
        open_ += share - paid_share
        if _is_overdue(invoice, today):
            overdue += share - paid_share
    goods = (
        InvoiceLine.objects.filter(order_id=order.pk, kind="goods")
        .exclude(invoice__status=InvoiceStatus.CANCELLED)
        .aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    total = round_money(order.total_amount, order.currency)
    return {
        "rows": rows,
        "invoiced": round_money(invoiced, order.currency),
        "paid": round_money(paid, order.currency),
        "open": round_money(open_, order.currency),
        "overdue": round_money(overdue, order.currency),
        "not_shipped": max(round_money(total - goods, order.currency), ZERO),
    }


def _is_overdue(invoice: Invoice, today: dt.date) -> bool:
    return invoice.status in OPEN_STATUSES and invoice.due_date < today


# ---- statement of account -----------------------------------------------------------------------------------------


def statement(customer: Customer, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """The statement of account (对账单) of a customer for a period, one section per currency (the customer's own
    first): opening balance (invoiced − received before the period), the period's invoices and receipts by date with
    the running balance, closing balance; and the invoices still open at the end. Cancelled invoices are left out;
    a receipt counts in full on its date (what is not allocated is credit, so it lowers the balance)."""
    live = Invoice.objects.filter(customer=customer).exclude(status=InvoiceStatus.CANCELLED)
    before_inv = dict(
        live.filter(issue_date__lt=date_from)
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("currency", "total")
    )
    before_rec: dict[str, Decimal] = defaultdict(Decimal)
    for qs, dated in ((Receipt.objects.all(), "received_date"), (live_credit_notes(), "issue_date")):
        for cur, total in (
            qs.filter(customer=customer, **{f"{dated}__lt": date_from})
            .values("currency")
            .annotate(total=Sum("amount"))
            .order_by()
            .values_list("currency", "total")
        ):
            before_rec[cur] += total
    period_inv = list(
        live.filter(issue_date__gte=date_from, issue_date__lte=date_to)
        .select_related("order", "shipment")
        .order_by("issue_date", "id")
    )
    period_rec = list(
        Receipt.objects.filter(customer=customer, received_date__gte=date_from, received_date__lte=date_to).order_by(
            "received_date", "id"
        )
    )
    period_cn = list(
        live_credit_notes()
        .filter(customer=customer, issue_date__gte=date_from, issue_date__lte=date_to)
        .order_by("issue_date", "id")
    )
    still_open = list(live.filter(issue_date__lte=date_to, status__in=OPEN_STATUSES).order_by("due_date", "id"))
    currencies = (
        set(before_inv)
        | set(before_rec)
        | {i.currency for i in period_inv}
        | {r.currency for r in period_rec}
        | {n.currency for n in period_cn}
    )
    ordered = sorted(currencies, key=lambda c: (c != customer.currency, c)) or [customer.currency]
    sections = []
    today = clock.today()
    for cur in ordered:
        opening = round_money((before_inv.get(cur) or ZERO) - (before_rec.get(cur) or ZERO), cur)
        entries: list[dict[str, Any]] = []
        for i in period_inv:
            if i.currency == cur:
                entries.append(
                    {
                        "date": i.issue_date,
                        "kind": "invoice",
                        "number": i.number,
                        "id": i.pk,
                        "description": i.description,
                        "due_date": i.due_date,
                        "debit": round_money(i.amount, cur),
                        "credit": round_money(ZERO, cur),
                    }
                )
        for r in period_rec:
            if r.currency == cur:
                entries.append(
                    {
                        "date": r.received_date,
                        "kind": "receipt",
                        "number": r.number,
                        "id": r.pk,
                        "description": r.reference,
                        "due_date": None,
                        "debit": round_money(ZERO, cur),
                        "credit": round_money(r.amount, cur),
                    }
                )
        for n in period_cn:
            if n.currency == cur:
                entries.append(
                    {
                        "date": n.issue_date,
                        "kind": "credit_note",
                        "number": n.number,
                        "id": n.pk,
                        "description": " · ".join(x for x in (n.reference, n.reason) if x)[:200],
                        "due_date": None,
                        "debit": round_money(ZERO, cur),
                        "credit": round_money(n.amount, cur),
                    }
                )
        entries.sort(key=lambda e: (e["date"], e["kind"] != "invoice", e["number"]))
        balance = opening
        for e in entries:
            balance = balance + e["debit"] - e["credit"]
            e["balance"] = balance
        invoiced = round_money(sum((e["debit"] for e in entries), ZERO), cur)
        received = round_money(sum((e["credit"] for e in entries), ZERO), cur)
        sections.append(
            {
                "currency": cur,
                "is_main": cur == customer.currency,
                "opening": opening,
                "invoiced": invoiced,
                "received": received,
                "closing": round_money(opening + invoiced - received, cur),
                "entries": entries,
                "open_invoices": [
                    {
                        "id": i.pk,
                        "number": i.number,
                        "issue_date": i.issue_date,
                        "due_date": i.due_date,
                        "amount": round_money(i.amount, cur),
                        "open": round_money(i.amount - i.paid_amount, cur),
                        "days_overdue": max((today - i.due_date).days, 0),
                    }
                    for i in still_open
                    if i.currency == cur
                ],
            }
        )
    return {"customer": customer, "date_from": date_from, "date_to": date_to, "sections": sections}


# ---- ageing -------------------------------------------------------------------------------------------------------


def _bucket_filters(as_of: dt.date) -> dict[str, Q]:
    """The due-date range of each ageing bucket, counted in calendar days overdue as of `as_of`."""
    result = {}
    for key, _label, first, last in AGEING_BUCKETS:
        cond = Q()
        if first is not None:
            cond &= Q(due_date__lte=as_of - dt.timedelta(days=first))
        if last is not None:
            cond &= Q(due_date__gte=as_of - dt.timedelta(days=last))
        result[key] = cond
    return result


def ageing(*, by: str = "customer", as_of: dt.date | None = None, currency: str = "") -> dict[str, Any]:
    """Open receivables by how long they are overdue (current = not yet due; 1–30, 31–60, 61–90, > 90 days past
    the due date), per customer or per merchandiser and currency, with totals per currency. One grouped query
    (sums filtered per bucket) does the work, whatever the number of invoices; per customer, a second one adds
    each customer's unallocated receipts (credit)."""
    as_of = as_of or clock.today()
    qs = Invoice.objects.filter(status__in=OPEN_STATUSES, issue_date__lte=as_of)
    if currency:
        qs = qs.filter(currency=currency)
    if by == "merchandiser":
        keys = ["merchandiser_id", "merchandiser__username", "merchandiser__first_name", "merchandiser__last_name"]
    else:
        keys = ["customer_id", "customer__code", "customer__name"]
    sums = {key: Sum(OPEN_AMOUNT, filter=cond) for key, cond in _bucket_filters(as_of).items()}
    rows = list(
        qs.values(*keys, "currency")
        .annotate(total=Sum(OPEN_AMOUNT), count=Count("id"), oldest_due=Min("due_date"), **sums)
        .order_by(keys[1], "currency")
    )
    credit: dict[tuple[int, str], Decimal] = {}
    if by != "merchandiser":
        for source in (Receipt.objects.all(), live_credit_notes()):
            rec = source.filter(allocated_amount__lt=F("amount"))
            if currency:
                rec = rec.filter(currency=currency)
            for r in rec.values("customer_id", "currency").annotate(total=Sum(UNALLOCATED)).order_by():
                key = (r["customer_id"], r["currency"])
                credit[key] = credit.get(key, ZERO) + r["total"]
    bucket_keys = [b[0] for b in AGEING_BUCKETS]
    totals: dict[str, dict[str, Any]] = {}
    result_rows = []
    for r in rows:
        cur = r["currency"]
        row: dict[str, Any] = {"currency": cur, "count": r["count"], "oldest_due": r["oldest_due"]}
        if by == "merchandiser":
            name = " ".join(x for x in (r["merchandiser__first_name"], r["merchandiser__last_name"]) if x)
            row.update(
                key_id=r["merchandiser_id"],
                code=r["merchandiser__username"] or _("(none)"),
                name=name or (r["merchandiser__username"] or ""),
            )
        else:
            row.update(key_id=r["customer_id"], code=r["customer__code"], name=r["customer__name"])
            row["credit"] = round_money(credit.get((r["customer_id"], cur), ZERO), cur)
        for key in [*bucket_keys, "total"]:
            row[key] = round_money(r[key] or ZERO, cur)
        row["overdue"] = row["total"] - row["current"]
        result_rows.append(row)
        t = totals.setdefault(cur, {"currency": cur, "count": 0, **{k: ZERO for k in [*bucket_keys, "total"]}})
        t["count"] += r["count"]
        for key in [*bucket_keys, "total"]:
            t[key] += row[key]
    for t in totals.values():
        t["overdue"] = t["total"] - t["current"]
    return {
        "as_of": as_of,
        "by": by,
        "buckets": [(k, str(label)) for k, label, _first, _last in AGEING_BUCKETS],
        "rows": result_rows,
        "totals": [totals[c] for c in sorted(totals)],
    }


# ---- the chase list -----------------------------------------------------------------------------------------------


@register_chase_source
def invoices_to_chase(q: ChaseQuery) -> list[ChaseRow]:
    """Unpaid invoices due by the horizon's end: on the list of the invoice's merchandiser (the order's, else the
    customer's) and of every finance user (who records receipts: finance.add_receipt). Overdue ones say by how many
    calendar days."""
    qs = Invoice.objects.filter(status__in=OPEN_STATUSES, due_date__lte=q.until)
    if not q.user.has_perm("finance.add_receipt"):
        qs = qs.filter(merchandiser=q.user)
    rows = []
    for i in qs.select_related("customer", "order").order_by("due_date", "id")[:500]:
        open_amount = round_money(i.amount - i.paid_amount, i.currency)
        late = (q.day - i.due_date).days
        what = {"number": i.number, "amount": money(open_amount, i.currency), "days": late, "due": i.due_date}
        if late > 0:
            reason = _("%(number)s: %(amount)s open, %(days)s days overdue — chase the customer") % what
        else:
            reason = _("%(number)s: %(amount)s falls due on %(due)s") % what
        rows.append(
            ChaseRow(
                kind=INVOICE,
                kind_label=_("Invoice"),
                document=i.number,
                order_id=i.order_id,
                order_number=i.order.number if i.order_id else "",
                milestone_id=None,
                milestone_code=None,
                milestone_name=_("Payment"),
                due_date=i.due_date,
                days_late=q.calendar.between(i.due_date, q.day),
                reason=reason,
                object_id=i.pk,
                url=reverse("finance:invoice", args=[i.pk]),
                customer=i.customer.code,
                tier=i.customer.tier,
                amount=open_amount,
                currency=i.currency,
            )
        )
    return rows


def allocations_of(invoice: Invoice) -> list[Allocation]:
    return list(invoice.allocations.select_related("receipt", "credit_note").order_by("allocated_date", "id"))


# ---- FX settlements -----------------------------------------------------------------------------------------------


def fx_settlements(
    *,
    receipt_id: int | None = None,
    currency: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[FxSettlement]:
    qs = FxSettlement.objects.select_related("receipt__customer")
    if receipt_id:
        qs = qs.filter(receipt_id=receipt_id)
    if currency:
        qs = qs.filter(receipt__currency=currency)
    if date_from:
        qs = qs.filter(settled_date__gte=date_from)
    if date_to:
        qs = qs.filter(settled_date__lte=date_to)
    return qs.order_by("-settled_date", "-id")


def fx_totals(qs: QuerySet[FxSettlement]) -> list[dict[str, Any]]:
    """Per foreign currency: the amount settled, the CNY received, at the booking rates, and the gain (loss)."""
    rows = (
        qs.order_by()
        .values("receipt__currency")
        .annotate(amount=Sum("amount"), cny=Sum("cny_amount"), booked=Sum("booked_cny_amount"), gain=Sum("gain_loss"))
    )
    return [
        {
            "currency": r["receipt__currency"],
            "amount": round_money(r["amount"], r["receipt__currency"]),
            "cny_amount": round_money(r["cny"], "CNY"),
            "booked_cny_amount": round_money(r["booked"], "CNY"),
            "gain_loss": round_money(r["gain"], "CNY"),
        }
        for r in sorted(rows, key=lambda r: r["receipt__currency"])
    ]
