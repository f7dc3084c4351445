"""Verification (核销) and export tax rebate (退税) pages: the declarations' verification (filters, Excel), the
rebates list with what is pending, a declaration's rebate page (rates per line, VAT invoice matching, the claim and
its steps), the rebate rates and the purchase VAT invoices."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gendan.core.excel import Column, xlsx_download
from gendan.core.exceptions import GendanError, PermissionDenied
from gendan.core.pages import error_text, paginate, perm_required, querystring_without
from gendan.finance import rebates
from gendan.finance.choices import CLAIM_STATUS_COLORS, ClaimStatus, VerificationStatus
from gendan.finance.models import PurchaseVatInvoice, RebateClaim, RebateRate, VatMatch
from gendan.finance.views import _date, _int
from gendan.partners.models import Customer, Supplier

VERIFICATION_COLORS = {
    VerificationStatus.OPEN: "blue",
    VerificationStatus.PARTLY: "amber",
    VerificationStatus.COLLECTED: "green",
}
VERIFICATION_COLUMNS = [
    Column("no", "报关单号", "Declaration", width=20, getter=lambda v: v.declaration.declaration_no),
    Column(
        "date",
        "申报日期",
        "Declared",
        width=12,
        number_format="yyyy-mm-dd",
        getter=lambda v: v.declaration.declaration_date,
    ),
    Column("shipment", "出货", "Shipment", width=16, getter=lambda v: v.declaration.shipment.number),
    Column("customer", "客户", "Customer", width=12, getter=lambda v: v.declaration.shipment.customer.code),
    Column("currency", "币种", "Currency", width=8),
    Column("declared", "报关金额", "Declared value", number_format="#,##0.00"),
    Column("collected", "已收汇", "Collected", number_format="#,##0.00", getter=lambda v: v.collected),
    Column("open", "未收汇", "Open", number_format="#,##0.00", getter=lambda v: v.open_amount),
    Column("status", "核销状态", "Status", width=14, getter=lambda v: v.status_label),
]


MONEY = "#,##0.00"
REBATE_COLUMNS = [
    Column("no", "报关单号", "Declaration", width=20, getter=lambda c: c.declaration.declaration_no),
    Column(
        "date",
        "申报日期",
        "Declared",
        width=12,
        number_format="yyyy-mm-dd",
        getter=lambda c: c.declaration.declaration_date,
    ),
    Column("shipment", "出货", "Shipment", width=16, getter=lambda c: c.declaration.shipment.number),
    Column("customer", "客户", "Customer", width=12, getter=lambda c: c.declaration.shipment.customer.code),
    Column("status", "状态", "Status", width=12, getter=lambda c: c.get_status_display()),
    Column("computed", "计算退税额", "Computed (CNY)", number_format=MONEY, getter=lambda c: c.computed),
    Column("filed", "申报退税额", "Claimed (CNY)", number_format=MONEY, getter=lambda c: c.filed_amount),
    Column("filed_date", "申报日期", "Filed", width=12, number_format="yyyy-mm-dd", getter=lambda c: c.filed_date),
    Column("approved", "核准退税额", "Approved (CNY)", number_format=MONEY, getter=lambda c: c.approved_amount),
    Column("received", "实收退税额", "Received (CNY)", number_format=MONEY, getter=lambda c: c.received_amount),
    Column(
        "received_date",
        "到账日期",
        "Received on",
        width=12,
        number_format="yyyy-mm-dd",
        getter=lambda c: c.received_date,
    ),
]


@perm_required("finance.view_invoice")
def verification_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    filters = {
        "q": (g.get("q") or "").strip(),
        "customer_id": _int(g.get("customer")),
        "date_from": _date(g.get("from")),
        "date_to": _date(g.get("to")),
    }
    open_only = g.get("open") == "1"
    rows = rebates.verifications(rebates.declarations(**filters), open_only=open_only)
    if g.get("format") == "xlsx":
        return xlsx_download(VERIFICATION_COLUMNS, rows, title=_("Verification"), stem="verification")
    return render(
        request,
        "finance/verification_list.html",
        {
            "page": paginate(request, rows),
            "totals": rebates.verification_totals(rows),
            "filters": filters,
            "open_only": open_only,
            "customers": Customer.objects.filter(shipments__declaration__isnull=False).distinct().order_by("code"),
            "colors": VERIFICATION_COLORS,
            "qs": querystring_without(request, "page"),
            "export_qs": querystring_without(request, "page", "per_page"),
        },
    )


# ---- rebates ------------------------------------------------------------------------------------------------------


@perm_required("finance.view_rebateclaim")
def rebate_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    date_from, date_to = _date(g.get("from")), _date(g.get("to"))
    status = g.get("status") or ""
    qs = rebates.claims(status=status, date_from=date_from, date_to=date_to)
    if g.get("format") == "xlsx":
        claims = rebates.with_computed(list(qs))
        return xlsx_download(REBATE_COLUMNS, claims, title=_("Tax rebates"), stem="tax-rebates")
    page = paginate(request, qs)
    rebates.with_computed(page.object_list)
    return render(
        request,
        "finance/rebate_list.html",
        {
            "page": page,
            "pending": rebates.pending(date_from=date_from, date_to=date_to),
            "g": g,
            "statuses": ClaimStatus.choices,
            "colors": CLAIM_STATUS_COLORS,
            "qs": querystring_without(request, "page"),
            "export_qs": querystring_without(request, "page", "format"),
        },
    )


@perm_required("finance.view_rebateclaim")
def rebate_declaration(request: HttpRequest, declaration_id: int) -> HttpResponse:
    found = rebates.declaration(declaration_id)
    rebate = rebates.rebate_of(found)
    claim = RebateClaim.objects.filter(declaration=found).first()
    return render(
        request,
        "finance/rebate_declaration.html",
        {
            "declaration": found,
            "rebate": rebate,
            "claim": claim,
            "colors": CLAIM_STATUS_COLORS,
            "vat_invoices": [i for i in rebates.vat_invoices() if (i.matched or 0) < i.amount][:200],
            "can_match": request.user.has_perm("finance.add_vatmatch") and (not claim or claim.status == "draft"),
            "can_claim": request.user.has_perm("finance.change_rebateclaim"),
        },
    )


def _back(declaration_id: int) -> HttpResponse:
    return redirect("finance:rebate", declaration_id=declaration_id)


@require_POST
@perm_required("finance.add_vatmatch")
def rebate_match(request: HttpRequest, declaration_id: int) -> HttpResponse:
    found = rebates.declaration(declaration_id)
    row = {k: request.POST.get(k, "").strip() for k in ("vat_invoice_id", "customs_line_id", "amount", "line_value")}
    try:
        rebates.match_vat(declaration=found, by=request.user, rows=[row])
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("VAT invoice matched."))
    return _back(found.pk)


@require_POST
@perm_required("finance.delete_vatmatch")
def rebate_unmatch(request: HttpRequest, declaration_id: int, match_id: int) -> HttpResponse:
    found = VatMatch.objects.filter(pk=match_id, customs_line__declaration_id=declaration_id).first()
    if found is not None:
        try:
            rebates.unmatch_vat(match=found, by=request.user)
        except GendanError as exc:
            messages.error(request, error_text(exc))
    return _back(declaration_id)


@require_POST
@perm_required("finance.change_rebateclaim")
def rebate_claim_step(request: HttpRequest, declaration_id: int, step: str) -> HttpResponse:
    found = rebates.declaration(declaration_id)
    data = {k: request.POST.get(k, "").strip() for k in ("date", "amount", "reason")}
    try:
        if step == "create":
            if not request.user.has_perm("finance.add_rebateclaim"):
                raise PermissionDenied(_("You may not open rebate claims."))
            rebates.create_claim(declaration=found, by=request.user, notes=request.POST.get("notes", ""))
        elif step in rebates.STEPS:
            claim = RebateClaim.objects.get(declaration=found)
            changed = rebates.STEPS[step](
                claim=claim, by=request.user, data=data, version=_int(request.POST.get("version"))
            )
            messages.success(request, _("The claim is %(status)s.") % {"status": changed.get_status_display().lower()})
    except (GendanError, RebateClaim.DoesNotExist) as exc:
        messages.error(request, error_text(exc) if isinstance(exc, GendanError) else _("No claim yet."))
    return _back(found.pk)


# ---- rates and VAT invoices ---------------------------------------------------------------------------------------


RATE_FIELDS = ("hs_prefix", "rate_pct", "valid_from", "notes")
VAT_FIELDS = ("supplier_id", "invoice_no", "invoice_date", "amount", "vat_amount", "vat_rate", "hs_code", "description")


def _form_post(request: HttpRequest, fields: tuple[str, ...], create: Any) -> tuple[dict[str, str], dict[str, Any]]:
    data = {k: request.POST.get(k, "").strip() for k in fields}
    errors: dict[str, Any] = {}
    try:
        create(by=request.user, data=data)
    except GendanError as exc:
        errors = getattr(exc, "errors", {"__all__": [error_text(exc)]})
    return data, errors


@perm_required("finance.view_rebaterate")
def rate_list(request: HttpRequest) -> HttpResponse:
    data: dict[str, str] = {}
    errors: dict[str, Any] = {}
    if request.method == "POST":
        if not request.user.has_perm("finance.add_rebaterate"):
            return HttpResponse(status=403)
        data, errors = _form_post(request, RATE_FIELDS, rebates.create_rebate_rate)
        if not errors:
            messages.success(request, _("Rebate rate added."))
            return redirect("finance:rebate_rates")
    return render(
        request,
        "finance/rebate_rates.html",
        {
            "rates": rebates.rebate_rates(),
            "data": data,
            "errors": errors,
            "can_add": request.user.has_perm("finance.add_rebaterate"),
            "can_delete": request.user.has_perm("finance.delete_rebaterate"),
            "can_change": request.user.has_perm("finance.change_rebaterate"),
        },
        status=422 if errors else 200,
    )


def _edit(
    request: HttpRequest,
    *,
    obj: Any,
    fields: tuple[str, ...],
    update: Any,
    template: str,
    back: str,
    extra: dict[str, Any],
) -> HttpResponse:
    """The edit page of a rate or a VAT invoice: the form filled from the object, saved through `update` with the
    version it showed."""
    errors: dict[str, Any] = {}
    data = {k: getattr(obj, k) for k in fields}
    if request.method == "POST":
        data = {k: request.POST.get(k, "").strip() for k in fields}
        try:
            update(obj, by=request.user, data=data, version=_int(request.POST.get("version")))
        except GendanError as exc:
            errors = getattr(exc, "errors", {"__all__": [error_text(exc)]})
        else:
            messages.success(request, _("Saved."))
            return redirect(back)
    return render(
        request, template, {"obj": obj, "data": data, "errors": errors, **extra}, status=422 if errors else 200
    )


@perm_required("finance.change_rebaterate")
def rate_edit(request: HttpRequest, rate_id: int) -> HttpResponse:
    rate = RebateRate.objects.filter(pk=rate_id).first()
    if rate is None:
        raise Http404
    return _edit(
        request,
        obj=rate,
        fields=RATE_FIELDS,
        update=lambda o, **kw: rebates.update_rebate_rate(rate=o, **kw),
        template="finance/rebate_rate_form.html",
        back="finance:rebate_rates",
        extra={},
    )


@perm_required("finance.change_purchasevatinvoice")
def vat_edit(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = PurchaseVatInvoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        raise Http404
    return _edit(
        request,
        obj=invoice,
        fields=VAT_FIELDS,
        update=lambda o, **kw: rebates.update_vat_invoice(invoice=o, **kw),
        template="finance/rebate_vat_form.html",
        back="finance:vat_invoices",
        extra={"suppliers": Supplier.objects.filter(is_active=True).order_by("code")},
    )


@require_POST
@perm_required("finance.delete_rebaterate")
def rate_delete(request: HttpRequest, rate_id: int) -> HttpResponse:
    found = RebateRate.objects.filter(pk=rate_id).first()
    if found is not None:
        rebates.delete_rebate_rate(rate=found, by=request.user)
    return redirect("finance:rebate_rates")


@perm_required("finance.view_purchasevatinvoice")
def vat_list(request: HttpRequest) -> HttpResponse:
    data: dict[str, str] = {}
    errors: dict[str, Any] = {}
    if request.method == "POST":
        if not request.user.has_perm("finance.add_purchasevatinvoice"):
            return HttpResponse(status=403)
        data, errors = _form_post(request, VAT_FIELDS, rebates.create_vat_invoice)
        if not errors:
            messages.success(request, _("VAT invoice recorded."))
            return redirect("finance:vat_invoices")
    q = (request.GET.get("q") or "").strip()
    return render(
        request,
        "finance/rebate_vat_invoices.html",
        {
            "page": paginate(request, rebates.vat_invoices(q=q)),
            "q": q,
            "data": data,
            "errors": errors,
            "suppliers": Supplier.objects.filter(is_active=True).order_by("code"),
            "can_add": request.user.has_perm("finance.add_purchasevatinvoice"),
            "can_change": request.user.has_perm("finance.change_purchasevatinvoice"),
            "qs": querystring_without(request, "page"),
        },
        status=422 if errors else 200,
    )
