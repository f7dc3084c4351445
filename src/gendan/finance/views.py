"""Finance pages: invoices (list with Excel, detail, other charges, cancel), receipts (record with the allocation
rows pre-filled oldest first, list, detail, allocate credit), customers' terms and balances, the statement of
account (page, PDF, Excel), the ageing of receivables (page, Excel), payment terms, and the order page's Payments."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gendan.core import audit, clock
from gendan.core.excel import Column, xlsx_download, xlsx_response
from gendan.core.exceptions import GendanError
from gendan.core.money import Currency, places, round_money
from gendan.core.pages import error_text, paginate, perm_required, querystring_without
from gendan.core.templatetags.gendan_tags import money
from gendan.finance import documents, selectors, services
from gendan.finance.choices import INVOICE_STATUS_COLORS, OPEN_STATUSES, DueRule, InvoiceStatus
from gendan.finance.models import CustomerTerms, OrderTerms, PaymentTerm
from gendan.partners.models import Customer
from gendan.sales.models import Order

INVOICE_COLUMNS = [
    Column("number", "发票号", "Invoice", width=16),
    Column("kind_label", "类别", "Kind", width=12, getter=lambda i: str(i.get_kind_display())),
    Column("customer.code", "客户", "Customer", width=12),
    Column("order_number", "订单号", "Order", width=16, getter=lambda i: i.order.number if i.order_id else ""),
    Column("shipment", "出货", "Shipment", width=16, getter=lambda i: i.shipment.number if i.shipment_id else ""),
    Column("currency", "币种", "Currency", width=8),
    Column("amount", "金额", "Amount", number_format="#,##0.00"),
    Column("paid_amount", "已收", "Paid", number_format="#,##0.00"),
    Column("open", "未收", "Open", getter=lambda i: i.amount - i.paid_amount, number_format="#,##0.00"),
    Column("issue_date", "开票日期", "Invoice date", width=12, number_format="yyyy-mm-dd"),
    Column("due_date", "到期日", "Due date", width=12, number_format="yyyy-mm-dd"),
    Column("days_overdue", "逾期天数", "Days overdue", getter=lambda i: i.days_overdue),
    Column("status_label", "状态", "Status", width=12, getter=lambda i: str(i.get_status_display())),
]
AGEING_COLUMNS = [
    Column("code", "客户/跟单员", "Customer / merchandiser", width=16),
    Column("name", "名称", "Name", width=28),
    Column("currency", "币种", "Currency", width=8),
    Column("count", "发票数", "Invoices", width=9),
    Column("current", "未到期", "Current", number_format="#,##0.00"),
    Column("d1_30", "1–30天", "1–30 days", number_format="#,##0.00"),
    Column("d31_60", "31–60天", "31–60 days", number_format="#,##0.00"),
    Column("d61_90", "61–90天", "61–90 days", number_format="#,##0.00"),
    Column("d90_plus", ">90天", "> 90 days", number_format="#,##0.00"),
    Column("overdue", "逾期合计", "Overdue", number_format="#,##0.00"),
    Column("total", "应收合计", "Total open", number_format="#,##0.00"),
]


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _with_overdue(rows: Any) -> list[Any]:
    today = clock.today()
    result = list(rows)
    for i in result:
        i.days_overdue = max((today - i.due_date).days, 0) if i.status in OPEN_STATUSES else 0
    return result


# ---- invoices ---------------------------------------------------------------------------------------------------


@perm_required("finance.view_invoice")
def invoice_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    filters = {
        "q": (g.get("q") or "").strip(),
        "status": g.get("status", "") if "status" in g else "open",
        "customer_id": _int(g.get("customer")),
        "overdue": g.get("overdue") == "1",
        "due_from": _date(g.get("due_from")),
        "due_to": _date(g.get("due_to")),
    }
    qs = selectors.invoices(**filters)
    if g.get("format") == "xlsx":
        return xlsx_download(INVOICE_COLUMNS, _with_overdue(qs), title=_("Invoices"), stem="invoices")
    page = paginate(request, qs)
    page.object_list = _with_overdue(page.object_list)
    return render(
        request,
        "finance/invoice_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": [("open", _("Open or partially paid")), *InvoiceStatus.choices],
            "customers": Customer.objects.filter(Q(invoices__isnull=False)).distinct().order_by("code"),
            "status_colors": INVOICE_STATUS_COLORS,
            "qs": querystring_without(request, "page"),
            "export_qs": querystring_without(request, "page", "per_page"),
            "can_add": request.user.has_perm("finance.add_invoice"),
        },
    )


def _invoice(invoice_id: int) -> Any:
    found = selectors.invoice_detail(invoice_id)
    if found is None:
        raise Http404
    return found


@perm_required("finance.view_invoice")
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice(invoice_id)
    shipment_lines = []
    if invoice.shipment_id:
        shipment_lines = [
            {
                "line": sl,
                "value": round_money(sl.quantity * sl.order_line.unit_price, invoice.currency),
            }
            for sl in invoice.shipment.lines.select_related("order_line__order", "order_line__product")
        ]
    today = clock.today()
    return render(
        request,
        "finance/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": list(invoice.lines.all()),
            "allocations": list(invoice.allocations.all()),
            "shipment_lines": shipment_lines,
            "status_colors": INVOICE_STATUS_COLORS,
            "days_overdue": (today - invoice.due_date).days if invoice.status in OPEN_STATUSES else 0,
            "can_cancel": invoice.status == InvoiceStatus.OPEN
            and not invoice.paid_amount
            and request.user.has_perm("finance.cancel_invoice"),
            "can_receive": invoice.status in OPEN_STATUSES and request.user.has_perm("finance.add_receipt"),
            "history": audit.history_for(invoice, limit=40),
        },
    )


@require_POST
@perm_required("finance.cancel_invoice")
def invoice_cancel(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice(invoice_id)
    try:
        services.cancel_invoice(
            invoice=invoice, by=request.user, reason=request.POST.get("reason", ""), version=request.POST.get("version")
        )
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("%(number)s is cancelled.") % {"number": invoice.number})
    return redirect("finance:invoice", invoice_id=invoice.pk)


@perm_required("finance.add_invoice")
def invoice_add(request: HttpRequest) -> HttpResponse:
    values: dict[str, Any] = {"issue_date": clock.today().isoformat(), "customer_id": request.GET.get("customer", "")}
    errors: dict[str, Any] = {}
    if request.method == "POST":
        values = {k: v.strip() for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        data = {
            "customer_id": _int(values.get("customer_id")),
            "currency": values.get("currency"),
            "order_id": _order_id(values.get("order_number", "")),
            "issue_date": values.get("issue_date"),
            "due_date": values.get("due_date"),
            "description": values.get("description"),
            "lines": [
                {"description": values.get(f"line_description-{i}", ""), "amount": values.get(f"line_amount-{i}", "")}
                for i in range(4)
                if values.get(f"line_description-{i}") or values.get(f"line_amount-{i}")
            ],
        }
        if values.get("order_number") and data["order_id"] is None:
            errors = {"order_id": [_("There is no order %(n)s.") % {"n": values["order_number"]}]}
        else:
            try:
                created = services.create_invoice(by=request.user, data=data)
            except GendanError as exc:
                errors = getattr(exc, "errors", {"__all__": [error_text(exc)]})
            else:
                messages.success(request, _("%(number)s is issued.") % {"number": created.number})
                return redirect("finance:invoice", invoice_id=created.pk)
    return render(
        request,
        "finance/invoice_form.html",
        {
            "values": values,
            "errors": errors,
            "customers": Customer.objects.filter(is_active=True).order_by("code"),
            "currencies": Currency.values,
            "rows": [
                {
                    "index": i,
                    "description": values.get(f"line_description-{i}", ""),
                    "amount": values.get(f"line_amount-{i}", ""),
                    "errors": errors.get(f"lines.{i}.description", []) + errors.get(f"lines.{i}.amount", []),
                }
                for i in range(4)
            ],
        },
    )


def _order_id(number: str) -> int | None:
    number = (number or "").strip()
    if not number:
        return None
    return Order.objects.filter(number=number).values_list("pk", flat=True).first()


# ---- receipts ---------------------------------------------------------------------------------------------------


@perm_required("finance.view_receipt")
def receipt_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    qs = selectors.receipts(
        q=(g.get("q") or "").strip(),
        customer_id=_int(g.get("customer")),
        date_from=_date(g.get("from")),
        date_to=_date(g.get("to")),
        unallocated=g.get("unallocated") == "1",
    )
    return render(
        request,
        "finance/receipt_list.html",
        {
            "page": paginate(request, qs),
            "g": g,
            "customers": Customer.objects.filter(receipts__isnull=False).distinct().order_by("code"),
            "qs": querystring_without(request, "page"),
            "can_add": request.user.has_perm("finance.add_receipt"),
        },
    )


def _allocation_rows(post: Any, count: int) -> list[dict[str, Any]]:
    return [
        {"invoice_id": post.get(f"invoice-{i}"), "amount": post.get(f"alloc-{i}", "").strip()}
        for i in range(count)
        if post.get(f"invoice-{i}") and post.get(f"alloc-{i}", "").strip() not in ("", "0", "0.00")
    ]


@perm_required("finance.add_receipt")
def receipt_add(request: HttpRequest) -> HttpResponse:
    """Choose the customer, then enter what was received; the customer's open invoices in the receipt's currency are
    listed oldest due first, each pre-filled with what the amount covers in that order."""
    customer = Customer.objects.filter(pk=_int(request.GET.get("customer") or request.POST.get("customer_id"))).first()
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    if customer is not None:
        values = {
            "currency": request.GET.get("currency") or customer.currency,
            "received_date": clock.today().isoformat(),
            "bank_charges": "0",
            "amount": request.GET.get("amount", ""),
        }
    if request.method == "POST" and customer is not None:
        values = {k: v.strip() for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        count = _int(values.get("rows")) or 0
        data = {
            "customer_id": customer.pk,
            "currency": values.get("currency"),
            "amount": values.get("amount"),
            "bank_charges": values.get("bank_charges") or "0",
            "received_date": values.get("received_date"),
            "fx_rate": values.get("fx_rate"),
            "reference": values.get("reference"),
            "notes": values.get("notes"),
            "allocations": _allocation_rows(request.POST, count),
        }
        try:
            created = services.record_receipt(by=request.user, data=data)
        except GendanError as exc:
            errors = getattr(exc, "errors", {"__all__": [error_text(exc)]})
        else:
            messages.success(
                request,
                _("%(number)s is recorded: %(allocated)s allocated, %(left)s left as credit.")
                % {
                    "number": created.number,
                    "allocated": money(created.allocated_amount, created.currency),
                    "left": money(created.unallocated_amount, created.currency),
                },
            )
            return redirect("finance:receipt", receipt_id=created.pk)
    open_rows = []
    if customer is not None:
        currency = values.get("currency") or customer.currency
        posted = request.method == "POST"
        for index, invoice in enumerate(selectors.open_invoices(customer.pk, currency)):
            open_rows.append(
                {
                    "index": index,
                    "invoice": invoice,
                    "open": invoice.amount - invoice.paid_amount,
                    "days_overdue": max((clock.today() - invoice.due_date).days, 0),
                    "value": request.POST.get(f"alloc-{index}", "") if posted else "",
                    "errors": errors.get(f"allocations.{index}.amount", [])
                    + errors.get(f"allocations.{index}.invoice_id", []),
                }
            )
    return render(
        request,
        "finance/receipt_form.html",
        {
            "customer": customer,
            "customers": Customer.objects.filter(is_active=True).order_by("code"),
            "values": values,
            "errors": errors,
            "open_rows": open_rows,
            "currencies": Currency.values,
            "credit": selectors.customer_credit(customer.pk) if customer else {},
            "places": places(values.get("currency") or "USD"),
        },
    )


def _receipt(receipt_id: int) -> Any:
    found = selectors.receipt_detail(receipt_id)
    if found is None:
        raise Http404
    return found


@perm_required("finance.view_receipt")
def receipt_detail(request: HttpRequest, receipt_id: int) -> HttpResponse:
    receipt = _receipt(receipt_id)
    can_allocate = receipt.unallocated_amount > 0 and request.user.has_perm("finance.add_allocation")
    open_rows = []
    if can_allocate:
        open_rows = [
            {"index": n, "invoice": i, "open": i.amount - i.paid_amount}
            for n, i in enumerate(selectors.open_invoices(receipt.customer_id, receipt.currency))
        ]
    return render(
        request,
        "finance/receipt_detail.html",
        {
            "receipt": receipt,
            "allocations": list(receipt.allocations.all()),
            "amount_cny": round_money(receipt.amount * receipt.fx_rate, "CNY"),
            "can_allocate": can_allocate,
            "open_rows": open_rows,
            "history": audit.history_for(receipt, limit=40),
            "settlements": list(receipt.settlements.all())
            if request.user.has_perm("finance.view_fxsettlement")
            else [],
            "can_settle": receipt.currency != Currency.CNY and request.user.has_perm("finance.add_fxsettlement"),
            "left_to_settle": receipt.net_amount - services.settled_amount(receipt.pk),
            "today": clock.today(),
        },
    )


@require_POST
@perm_required("finance.add_allocation")
def receipt_allocate(request: HttpRequest, receipt_id: int) -> HttpResponse:
    receipt = _receipt(receipt_id)
    rows = _allocation_rows(request.POST, _int(request.POST.get("rows")) or 0)
    try:
        services.allocate(receipt=receipt, allocations=rows, by=request.user)
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The allocation is saved."))
    return redirect("finance:receipt", receipt_id=receipt.pk)


# ---- customers, statement, ageing ---------------------------------------------------------------------------------


@perm_required("finance.view_invoice")
def customer_list(request: HttpRequest) -> HttpResponse:
    """Customers with their payment term, credit limit and open receivables (one ageing query for all)."""
    q = (request.GET.get("q") or "").strip()
    customers = Customer.objects.filter(is_active=True).select_related("finance_terms__term").order_by("code")
    if q:
        customers = customers.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q))
    page = paginate(request, customers)
    ageing = selectors.ageing(by="customer")
    balances: dict[int, list[dict[str, Any]]] = {}
    for row in ageing["rows"]:
        balances.setdefault(row["key_id"], []).append(row)
    rows = [{"customer": c, "balances": balances.get(c.pk, [])} for c in page.object_list]
    return render(
        request,
        "finance/customer_list.html",
        {
            "page": page,
            "rows": rows,
            "q": q,
            "terms": selectors.payment_terms(active_only=True),
            "default_term": services.default_term(),
            "can_set": request.user.has_perm("finance.change_customerterms"),
            "qs": querystring_without(request, "page"),
        },
    )


@require_POST
@perm_required("finance.change_customerterms")
def customer_terms_set(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise Http404
    try:
        services.set_customer_terms(
            customer=customer, term_id=request.POST.get("term_id"), by=request.user, version=request.POST.get("version")
        )
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The payment term of %(code)s is saved.") % {"code": customer.code})
    return redirect(request.POST.get("next") or "finance:balances")


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    until = _date(request.GET.get("to")) or clock.today()
    since = _date(request.GET.get("from")) or until.replace(day=1)
    return (until, until) if since > until else (since, until)


@perm_required("finance.view_invoice")
def customer_statement(request: HttpRequest, customer_id: int, fmt: str = "") -> HttpResponse:
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise Http404
    since, until = _period(request)
    language = request.GET.get("language") or translation.get_language() or "zh-hans"
    if fmt == "pdf":
        response = HttpResponse(
            documents.statement_pdf(customer, since, until, language), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="{documents.statement_stem(customer, until)}.pdf"'
        return response
    if fmt == "xlsx":
        content = documents.statement_xlsx(customer, since, until, language)
        return xlsx_response(content, f"{documents.statement_stem(customer, until)}.xlsx")
    data = selectors.statement(customer, since, until)
    return render(
        request,
        "finance/statement.html",
        {
            **data,
            "credit": selectors.customer_credit(customer.pk),
            "period_qs": f"from={since:%Y-%m-%d}&to={until:%Y-%m-%d}",
            "can_receive": request.user.has_perm("finance.add_receipt"),
        },
    )


@perm_required("finance.view_invoice")
def ageing_report(request: HttpRequest) -> HttpResponse:
    by = "merchandiser" if request.GET.get("by") == "merchandiser" else "customer"
    data = selectors.ageing(by=by, currency=(request.GET.get("currency") or "").upper())
    if request.GET.get("format") == "xlsx":
        return xlsx_download(AGEING_COLUMNS, data["rows"], title=_("Ageing"), stem=f"ageing-{by}")
    return render(request, "finance/ageing.html", {**data, "currency": request.GET.get("currency", "")})


# ---- payment terms ----------------------------------------------------------------------------------------------


@perm_required("finance.view_paymentterm")
def term_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "finance/term_list.html",
        {
            "terms": selectors.payment_terms(),
            "default_term": services.default_term(),
            "can_add": request.user.has_perm("finance.add_paymentterm"),
            "can_change": request.user.has_perm("finance.change_paymentterm"),
        },
    )


TERM_ROWS = 4


def _term_form(request: HttpRequest, term: PaymentTerm | None) -> HttpResponse:
    errors: dict[str, Any] = {}
    if term is not None:
        values: dict[str, Any] = {"code": term.code, "name": term.name, "name_en": term.name_en, "notes": term.notes}
        values["is_active"] = term.is_active
        parts = [
            {"share_pct": f"{p.share_pct.normalize():f}", "rule": p.rule, "days": p.days} for p in term.parts.all()
        ]
    else:
        values, parts = {"is_active": True}, [{"share_pct": "100", "rule": DueRule.COPY_BL, "days": 0}]
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in ("code", "name", "name_en", "notes")}
        values["is_active"] = request.POST.get("is_active") == "on"
        parts = [
            {
                "share_pct": request.POST.get(f"share-{i}", "").strip(),
                "rule": request.POST.get(f"rule-{i}", ""),
                "days": request.POST.get(f"days-{i}", "").strip() or "0",
            }
            for i in range(TERM_ROWS)
            if request.POST.get(f"share-{i}", "").strip()
        ]
        data = {**values, "parts": parts}
        try:
            if term is None:
                saved = services.create_payment_term(by=request.user, data=data)
            else:
                saved = services.update_payment_term(
                    term=term, by=request.user, data=data, version=request.POST.get("version")
                )
        except GendanError as exc:
            errors = getattr(exc, "errors", {"__all__": [error_text(exc)]})
        else:
            messages.success(request, _("Payment term %(code)s is saved.") % {"code": saved.code})
            return redirect("finance:terms")
    rows = [{**(parts[i] if i < len(parts) else {}), "index": i} for i in range(TERM_ROWS)]
    for row in rows:
        row["errors"] = [m for k in ("share_pct", "rule", "days") for m in errors.get(f"parts.{row['index']}.{k}", [])]
    return render(
        request,
        "finance/term_form.html",
        {"term": term, "values": values, "rows": rows, "errors": errors, "rules": DueRule.choices},
    )


@perm_required("finance.add_paymentterm")
def term_add(request: HttpRequest) -> HttpResponse:
    return _term_form(request, None)


@perm_required("finance.change_paymentterm")
def term_edit(request: HttpRequest, term_id: int) -> HttpResponse:
    term = selectors.payment_terms().filter(pk=term_id).first()
    if term is None:
        raise Http404
    return _term_form(request, term)


# ---- the order page's Payments ------------------------------------------------------------------------------------


def order_section_context(request: HttpRequest, order: Order) -> dict[str, Any]:
    own = OrderTerms.objects.select_related("term").filter(order_id=order.pk).first()
    term = own.term if own else services.customer_term(order.customer_id)
    customer_own = CustomerTerms.objects.filter(customer_id=order.customer_id).exists()
    return {
        "payments": selectors.order_payments(order),
        "term": term,
        "term_own": own,
        "term_inherited_from": "" if own else ("customer" if customer_own else "default"),
        "terms": selectors.payment_terms(active_only=True)
        if request.user.has_perm("finance.change_orderterms")
        else [],
        "status_colors": INVOICE_STATUS_COLORS,
        "today": clock.today(),
        "zero": Decimal(0),
    }


@require_POST
@perm_required("finance.change_orderterms")
def order_terms_set(request: HttpRequest, order_id: int) -> HttpResponse:
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise Http404
    try:
        services.set_order_terms(
            order=order, term_id=request.POST.get("term_id"), by=request.user, version=request.POST.get("version")
        )
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The payment term of %(number)s is saved.") % {"number": order.number})
    return redirect(_order_url(order))


def _order_url(order: Order) -> str:
    from django.urls import reverse

    return reverse("sales:order", args=[order.pk]) + "#payments"


# ---- FX settlement ----------------------------------------------------------------------------------------------


@perm_required("finance.view_fxsettlement")
def fx_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    qs = selectors.fx_settlements(
        currency=(g.get("currency") or "").upper(), date_from=_date(g.get("from")), date_to=_date(g.get("to"))
    )
    return render(
        request,
        "finance/fx_list.html",
        {
            "page": paginate(request, qs),
            "totals": selectors.fx_totals(qs),
            "g": g,
            "qs": querystring_without(request, "page"),
        },
    )


@require_POST
@perm_required("finance.add_fxsettlement")
def receipt_settle(request: HttpRequest, receipt_id: int) -> HttpResponse:
    receipt = _receipt(receipt_id)
    data = {k: request.POST.get(k, "").strip() for k in ("amount", "bank_rate", "settled_date", "reference")}
    try:
        created = services.settle_fx(receipt=receipt, by=request.user, data=data)
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            _("%(number)s: %(cny)s received, FX gain (loss) %(gain)s.")
            % {
                "number": created.number,
                "cny": money(created.cny_amount, "CNY"),
                "gain": money(created.gain_loss, "CNY"),
            },
        )
    return redirect("finance:receipt", receipt_id=receipt.pk)
