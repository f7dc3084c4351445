"""Quotations pages: the list, the new-quotation and header forms, the quotation's page with its cost build-up (each
line re-priced by the server as a figure changes, through htmx), its status buttons, revisions and PDF; the rates
page; the win-rate report."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gendan.catalog.models import Product, WorkCentre
from gendan.core import audit, clock, fx
from gendan.core.excel import Column, xlsx_download
from gendan.core.exceptions import GendanError, NotFound, StaleVersion, ValidationError
from gendan.core.models import User
from gendan.core.money import Currency
from gendan.core.pages import cleaned_filters, error_text, htmx_partial, list_page, perm_required
from gendan.partners.choices import Incoterm
from gendan.partners.models import Contact, Customer
from gendan.quotations import costing, selectors, services
from gendan.quotations.choices import (
    PRICE_SOURCE_COLORS,
    QUOTATION_STATUS_COLORS,
    LostReason,
    QuotationStatus,
)
from gendan.quotations.forms import PeriodForm, QuotationFilterForm
from gendan.quotations.models import ProcessingRate, Quotation, QuotationLine

LIST_COLUMNS = [
    Column("number", "报价单号", "Number", width=20),
    Column("quote_date", "报价日期", "Date", width=12),
    Column("customer", "客户", "Customer", lambda q: q.customer.code, width=12),
    Column("customer_name", "客户名称", "Customer name", lambda q: q.customer.name, width=24),
    Column("salesperson", "业务员", "Salesperson", lambda q: q.salesperson.username, width=12),
    Column("currency", "币种", "Currency", width=8),
    Column("total_amount", "金额", "Amount", number_format="#,##0.00", width=14),
    Column("fx_rate", "报价汇率", "Quoted rate", number_format="0.0000##", width=11),
    Column("total_cny", "金额 (人民币)", "Amount (CNY)", lambda q: q.total_cny, number_format="#,##0.00", width=15),
    Column("incoterm", "贸易术语", "Incoterm", lambda q: f"{q.incoterm} {q.incoterm_place}".strip(), width=16),
    Column("valid_until", "有效期至", "Valid until", width=12),
    Column("status", "状态", "Status", lambda q: q.current_status_label, width=12),
    Column("lost_reason", "丢单原因", "Reason lost", lambda q: q.get_lost_reason_display(), width=20),
    Column("order", "订单号", "Order", lambda q: q.order.number if q.order_id else "", width=16),
]
REPORT_COLUMNS = [
    Column("group", "分组", "By", width=12),
    Column("label", "名称", "Name", width=28),
    Column("quoted", "报价数", "Quoted", width=9),
    Column("open", "进行中", "Open", width=9),
    Column("won", "成交", "Won", width=9),
    Column("lost", "丢单", "Lost", width=9),
    Column("expired", "过期", "Expired", width=9),
    Column("win_rate", "成交率 %", "Win rate %", number_format="0.0", width=11),
    Column("value_quoted", "报价金额 (人民币)", "Value quoted (CNY)", number_format="#,##0.00", width=18),
    Column("value_won", "成交金额 (人民币)", "Value won (CNY)", number_format="#,##0.00", width=18),
    Column("value_lost", "丢单金额 (人民币)", "Value lost (CNY)", number_format="#,##0.00", width=18),
    Column("value_win_rate", "金额成交率 %", "Value win rate %", number_format="0.0", width=14),
    Column("reasons", "丢单原因", "Lost reasons", width=40),
]
HEADER_FORM_FIELDS = (
    "customer_id",
    "contact_id",
    "currency",
    "fx_rate",
    "incoterm",
    "incoterm_place",
    "payment_terms",
    "lead_time_days",
    "valid_until",
    "salesperson",
    "remarks",
    "notes",
)
LINE_FORM_FIELDS = (
    "quantity",
    "description",
    "packaging_cost",
    "overhead_pct",
    "freight_cost",
    "margin_pct",
    "price_override",
)


def _quotation(quotation_id: int) -> Quotation:
    try:
        return selectors.get_quotation(quotation_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _errors(exc: GendanError) -> dict[str, str]:
    if isinstance(exc, ValidationError):
        result: dict[str, str] = {}
        for key, msgs in exc.errors.items():
            name = key.split("[")[0] if key.startswith(("breaks", "materials")) else key
            result.setdefault(name, msgs[0])
        return result
    return {"__all__": exc.message}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else value


# ---- the list ----------------------------------------------------------------------------------------------------


@perm_required("quotations.view_quotation")
def quotation_list(request: HttpRequest) -> HttpResponse:
    form = QuotationFilterForm(request.GET or None)
    f = cleaned_filters(form)
    qs = selectors.quotation_list(
        q=f.get("q") or "",
        status=f.get("status") or "",
        customer_id=f["customer"].pk if f.get("customer") else None,
        salesperson=f["salesperson"].pk if f.get("salesperson") else None,
        date_from=f.get("date_from"),
        date_to=f.get("date_to"),
    )
    if request.GET.get("format") == "xlsx":
        return xlsx_download(LIST_COLUMNS, qs, title=_("Quotations"), stem="quotations")
    return list_page(request, "quotations/quotation_list.html", filter_form=form, qs=qs, colors=QUOTATION_STATUS_COLORS)


# ---- new and header ----------------------------------------------------------------------------------------------


def _people() -> Any:
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(
                groups__permissions__codename="change_quotation",
                groups__permissions__content_type__app_label="quotations",
            )
        )
        .distinct()
        .order_by("username")
    )


def _header_context(values: dict[str, Any], customer: Customer | None, quotation: Quotation | None) -> dict[str, Any]:
    return {
        "values": values,
        "customer": customer,
        "quotation": quotation,
        "customers": Customer.objects.filter(is_active=True).order_by("code"),
        "contacts": Contact.objects.filter(customer=customer).order_by("-is_primary", "name") if customer else [],
        "currencies": Currency.choices,
        "incoterms": Incoterm.choices,
        "people": _people(),
        "products": Product.objects.filter(is_active=True).order_by("code"),
        "rates": {k: _plain(v) for k, v in sorted(selectors.exchange_rates().items()) if k != Currency.CNY},
    }


@perm_required("quotations.add_quotation")
def quotation_add(request: HttpRequest) -> HttpResponse:
    """A new quotation: first the customer, then its header with the customer's defaults and the first product."""
    customer_id = request.POST.get("customer_id") or request.GET.get("customer") or ""
    customer = Customer.objects.filter(pk=customer_id, is_active=True).first() if str(customer_id).isdigit() else None
    if customer is None:
        return render(
            request,
            "quotations/quotation_customer.html",
            {"customers": Customer.objects.filter(is_active=True).order_by("code")},
        )
    errors: dict[str, str] = {}
    if request.method == "POST":
        data: dict[str, Any] = {k: request.POST.get(k, "") for k in HEADER_FORM_FIELDS}
        if not data.get("salesperson"):
            data.pop("salesperson")
        if data.get("currency") != customer.currency and data.get("fx_rate") == _plain(
            selectors.exchange_rates().get(customer.currency)
        ):
            data.pop("fx_rate")  # the rate shown was the customer's currency's: take the new currency's
        product = request.POST.get("product_id", "")
        if product:
            data["lines"] = [{"product_id": product, "quantity": request.POST.get("quantity", "")}]
        try:
            quotation = services.create_quotation(by=request.user, data=data)
        except GendanError as exc:
            errors = _errors(exc)
            errors = {k.replace("lines[0].", ""): v for k, v in errors.items()}
        else:
            messages.success(request, _("%(number)s is drafted: now cost its lines.") % {"number": quotation.number})
            return redirect("quotations:detail", quotation_id=quotation.pk)
        values = {**data, "product_id": product, "quantity": request.POST.get("quantity", "")}
    else:
        contact = Contact.objects.filter(customer=customer).order_by("-is_primary", "name", "pk").first()
        rate = selectors.exchange_rates().get(customer.currency)
        values = {
            "customer_id": customer.pk,
            "contact_id": contact.pk if contact else "",
            "currency": customer.currency,
            "fx_rate": _plain(rate) if rate else "",
            "incoterm": customer.default_incoterm,
            "incoterm_place": services.default_place(customer, customer.default_incoterm),
            "payment_terms": customer.payment_terms,
            "lead_time_days": services.default_lead_days(),
            "valid_until": (clock.today() + dt.timedelta(days=services.validity_days())).isoformat(),
            "salesperson": request.user.username,
            "product_id": request.GET.get("product", ""),
            "quantity": "",
        }
    context = _header_context(values, customer, None)
    return render(request, "quotations/quotation_form.html", {**context, "errors": errors})


@perm_required("quotations.change_quotation")
def quotation_edit(request: HttpRequest, quotation_id: int) -> HttpResponse:
    quotation = _quotation(quotation_id)
    if quotation.status != QuotationStatus.DRAFT or not services.can_change(quotation, request.user):
        messages.error(request, _("%(number)s is not a draft of yours: it is not changed.") % {"number": quotation})
        return redirect("quotations:detail", quotation_id=quotation.pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in HEADER_FORM_FIELDS if k != "customer_id"}
        if not data.get("salesperson"):
            data.pop("salesperson")
        if data.get("currency") != quotation.currency and data.get("fx_rate") == _plain(quotation.fx_rate):
            data.pop("fx_rate")  # the rate shown was the old currency's: take the new currency's
        try:
            services.update_quotation(
                quotation=quotation, by=request.user, data=data, version=request.POST.get("version")
            )
        except GendanError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("quotations:detail", quotation_id=quotation.pk)
        values: dict[str, Any] = {**data, "customer_id": quotation.customer_id}
    else:
        values = {
            "customer_id": quotation.customer_id,
            "contact_id": quotation.contact_id or "",
            "currency": quotation.currency,
            "fx_rate": _plain(quotation.fx_rate),
            "incoterm": quotation.incoterm,
            "incoterm_place": quotation.incoterm_place,
            "payment_terms": quotation.payment_terms,
            "lead_time_days": quotation.lead_time_days,
            "valid_until": _plain(quotation.valid_until),
            "salesperson": quotation.salesperson.username,
            "remarks": quotation.remarks,
            "notes": quotation.notes,
        }
    context = _header_context(values, quotation.customer, quotation)
    return render(request, "quotations/quotation_form.html", {**context, "errors": errors})


# ---- the quotation's page ----------------------------------------------------------------------------------------


class LineView:
    """What the page shows of one line: the line, its build-up at its quantity, its breaks' build-ups, the margin a
    price override leaves."""

    def __init__(self, line: QuotationLine, quotation: Quotation, posted: dict[str, Any] | None = None) -> None:
        self.line = line
        self.quotation = quotation
        inputs = services.inputs_of(line)
        self.up = costing.build_up(inputs, line.quantity, fx_rate=quotation.fx_rate, currency=quotation.currency)
        self.materials = list(line.materials.all())
        self.operations = list(line.operations.all())
        self.breaks = [
            (b, costing.build_up(inputs, b.quantity, fx_rate=quotation.fx_rate, currency=quotation.currency))
            for b in line.breaks.all()
        ]
        self.breaks_text = ", ".join(f"{b.quantity.normalize():f}" for b in line.breaks.all())
        self.override_margin = (
            costing.effective_margin_pct(line.price_override, self.up.cost, quotation.fx_rate)
            if line.price_override is not None
            else None
        )
        self.missing_rates = [o for o in self.operations if not o.has_rate]
        self.unpriced = [m for m in self.materials if m.unit_price <= 0]
        # what the inputs show: what was typed when it was refused, else the line's figures
        posted = posted or {}
        stored = {
            "quantity": line.quantity,
            "description": line.description,
            "packaging_cost": line.packaging_cost,
            "overhead_pct": line.overhead_pct,
            "freight_cost": line.freight_cost,
            "margin_pct": line.margin_pct,
            "price_override": line.price_override,
            "material_cost": line.material_cost,
            "run_cost": line.run_cost,
            "setup_cost": line.setup_cost,
            "breaks": self.breaks_text,
        }
        self.values = {k: posted[k] if k in posted else _plain(value) for k, value in stored.items()}
        for m in self.materials:
            m.shown_price = posted.get(f"mat-{m.pk}", _plain(m.unit_price))


def _actions(quotation: Quotation, user: Any) -> dict[str, bool]:
    """Which buttons the page shows: the transition table from the quotation's status, and the user's rights."""
    state = quotation.current_status
    mine = services.can_change(quotation, user)
    return {
        "edit": mine and state == QuotationStatus.DRAFT,
        "send": mine and state in (QuotationStatus.DRAFT, QuotationStatus.SENT),
        "accept": mine and state == QuotationStatus.SENT,
        "lose": mine and state in (QuotationStatus.DRAFT, QuotationStatus.SENT, QuotationStatus.EXPIRED),
        "revise": mine and state in (QuotationStatus.SENT, QuotationStatus.EXPIRED),
        "to_order": state == QuotationStatus.ACCEPTED
        and not quotation.order_id
        and user.has_perm("sales.add_order")
        and (mine or quotation.customer.merchandiser_id == user.pk),
    }


def _detail_context(request: HttpRequest, quotation: Quotation) -> dict[str, Any]:
    lines = selectors.lines_of(quotation)
    editable = quotation.status == QuotationStatus.DRAFT and services.can_change(quotation, request.user)
    actions = _actions(quotation, request.user)
    return {
        "quotation": quotation,
        "views": [LineView(line, quotation) for line in lines],
        "editable": editable,
        "actions": actions,
        "any_action": any(actions.values()),
        "colors": QUOTATION_STATUS_COLORS,
        "source_colors": PRICE_SOURCE_COLORS,
        "reasons": LostReason.choices,
        "revisions": selectors.revisions_of(quotation),
        "products": Product.objects.filter(is_active=True).order_by("code") if editable else [],
        "today": clock.today(),
        "default_ex_factory": clock.today() + dt.timedelta(days=quotation.lead_time_days),
        "history": audit.history_for(quotation, limit=50),
    }


@perm_required("quotations.view_quotation")
def quotation_detail(request: HttpRequest, quotation_id: int) -> HttpResponse:
    quotation = _quotation(quotation_id)
    return render(request, "quotations/quotation_detail.html", _detail_context(request, quotation))


def _line_data(request: HttpRequest, line: QuotationLine) -> dict[str, Any]:
    """The line's form as the service's data: its figures, its material prices, the typed costs of a line without
    BOM or routing, the breaks (typed as "3000, 5000")."""
    post = request.POST
    data: dict[str, Any] = {k: post.get(k, "") for k in LINE_FORM_FIELDS if k in post}
    materials = [
        {"id": m.pk, "unit_price": post.get(f"mat-{m.pk}")} for m in line.materials.all() if f"mat-{m.pk}" in post
    ]
    if materials:
        data["materials"] = materials
    for name in ("material_cost", "run_cost", "setup_cost"):
        if name in post:
            data[name] = post.get(name, "")
    if "breaks" in post:
        text = post.get("breaks", "").replace("，", ",").replace(";", ",")
        data["breaks"] = [part.strip() for part in text.replace(" ", ",").split(",") if part.strip()]
    return data


def _line_response(
    request: HttpRequest, quotation: Quotation, line: QuotationLine, *, errors: dict[str, str], posted: dict[str, Any]
) -> HttpResponse:
    line = next(v for v in selectors.lines_of(quotation) if v.pk == line.pk)
    context = {
        "quotation": quotation,
        "v": LineView(line, quotation, posted),
        "editable": True,
        "errors": errors,
        "posted": posted,
        "source_colors": PRICE_SOURCE_COLORS,
        "oob": True,
    }
    return render(request, "quotations/partials/_line.html", context)


@require_POST
@perm_required("quotations.change_quotation")
def line_update(request: HttpRequest, quotation_id: int, line_id: int) -> HttpResponse:
    """Save a changed figure of a line; to htmx the line comes back re-priced by the server (with the quotation's
    new version and total out of band), or with the error and nothing saved."""
    quotation = _quotation(quotation_id)
    line = QuotationLine.objects.filter(pk=line_id, quotation=quotation).prefetch_related("materials").first()
    if line is None:
        raise Http404
    errors: dict[str, str] = {}
    posted: dict[str, Any] = {}
    try:
        services.update_line(
            quotation=quotation,
            line_id=line.pk,
            by=request.user,
            data=_line_data(request, line),
            version=request.POST.get("version"),
        )
    except StaleVersion as exc:
        errors = {"__all__": exc.message}
    except GendanError as exc:
        errors = _errors(exc)
        posted = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "version")}
    if not htmx_partial(request):
        if errors:
            messages.error(request, "; ".join(errors.values()))
        return redirect(reverse("quotations:detail", args=[quotation.pk]) + f"#line-{line.pk}")
    return _line_response(request, _quotation(quotation_id), line, errors=errors, posted=posted)


@require_POST
@perm_required("quotations.change_quotation")
def line_add(request: HttpRequest, quotation_id: int) -> HttpResponse:
    quotation = _quotation(quotation_id)
    data = {"product_id": request.POST.get("product_id", ""), "quantity": request.POST.get("quantity", "")}
    try:
        line = services.add_line(quotation=quotation, by=request.user, data=data, version=request.POST.get("version"))
    except GendanError as exc:
        messages.error(request, error_text(exc))
        return redirect(reverse("quotations:detail", args=[quotation.pk]) + "#add-line")
    messages.success(request, _("%(code)s is added.") % {"code": line.product.code})
    return redirect(reverse("quotations:detail", args=[quotation.pk]) + f"#line-{line.pk}")


@require_POST
@perm_required("quotations.change_quotation")
def line_refresh(request: HttpRequest, quotation_id: int, line_id: int) -> HttpResponse:
    quotation = _quotation(quotation_id)
    try:
        services.refresh_line(
            quotation=quotation, line_id=line_id, by=request.user, version=request.POST.get("version")
        )
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The line is costed again from today's BOM, prices, routing and rates."))
    return redirect(reverse("quotations:detail", args=[quotation.pk]) + f"#line-{line_id}")


@require_POST
@perm_required("quotations.change_quotation")
def line_remove(request: HttpRequest, quotation_id: int, line_id: int) -> HttpResponse:
    quotation = _quotation(quotation_id)
    try:
        services.remove_line(quotation=quotation, line_id=line_id, by=request.user, version=request.POST.get("version"))
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The line is removed."))
    return redirect("quotations:detail", quotation_id=quotation.pk)


@require_POST
@perm_required("quotations.change_quotation")
def quotation_send(request: HttpRequest, quotation_id: int) -> HttpResponse:
    quotation = _quotation(quotation_id)
    email = request.POST.get("email", "1") == "1"
    to = [a.strip() for a in request.POST.get("to", "").replace(";", ",").split(",") if a.strip()]
    try:
        services.send_quotation(
            quotation=quotation,
            by=request.user,
            to=to if email else None,
            lang=request.POST.get("lang", "en"),
            message=request.POST.get("message", ""),
            email=email,
            version=request.POST.get("version"),
        )
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        if email:
            sent = selectors.get_quotation(quotation.pk)
            messages.success(request, _("%(number)s is e-mailed to %(to)s.") % {"number": sent, "to": sent.sent_to})
        else:
            messages.success(request, _("%(number)s is recorded sent.") % {"number": quotation})
    return redirect("quotations:detail", quotation_id=quotation.pk)


@require_POST
@perm_required("quotations.change_quotation")
def quotation_action(request: HttpRequest, quotation_id: int, action: str) -> HttpResponse:
    """accept, lose (with its reason) or revise."""
    quotation = _quotation(quotation_id)
    version = request.POST.get("version")
    comment = request.POST.get("reason", request.POST.get("comment", ""))
    try:
        if action == "accept":
            services.accept_quotation(quotation=quotation, by=request.user, comment=comment, version=version)
            messages.success(request, _("%(number)s is accepted.") % {"number": quotation})
        elif action == "lose":
            services.lose_quotation(
                quotation=quotation,
                by=request.user,
                reason=request.POST.get("lost_reason", ""),
                comment=request.POST.get("comment", ""),
                version=version,
            )
            messages.success(request, _("%(number)s is recorded lost.") % {"number": quotation})
        elif action == "revise":
            new = services.revise_quotation(quotation=quotation, by=request.user, comment=comment, version=version)
            messages.success(request, _("%(number)s is the new revision, a draft.") % {"number": new.number})
            return redirect("quotations:detail", quotation_id=new.pk)
        else:
            raise Http404
    except GendanError as exc:
        messages.error(request, error_text(exc))
    return redirect("quotations:detail", quotation_id=quotation.pk)


@require_POST
@perm_required("quotations.view_quotation")
def quotation_to_order(request: HttpRequest, quotation_id: int) -> HttpResponse:
    quotation = _quotation(quotation_id)
    try:
        order = services.quotation_to_order(
            quotation=quotation,
            by=request.user,
            customer_po=request.POST.get("customer_po", ""),
            ex_factory_date=request.POST.get("ex_factory_date") or None,
        )
    except GendanError as exc:
        messages.error(request, error_text(exc))
        return redirect("quotations:detail", quotation_id=quotation.pk)
    messages.success(
        request, _("Order %(order)s is drafted from %(number)s.") % {"order": order.number, "number": quotation}
    )
    return redirect("sales:order", order.pk)


@perm_required("quotations.view_quotation")
def quotation_pdf(request: HttpRequest, quotation_id: int) -> HttpResponse:
    from gendan.quotations.documents import LANGS, filename
    from gendan.quotations.documents import quotation_pdf as render_pdf

    quotation = _quotation(quotation_id)
    lang = request.GET.get("lang", "en")
    if lang not in LANGS:
        lang = "en"
    response = HttpResponse(render_pdf(quotation.pk, lang), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename(quotation, lang)}"'
    return response


# ---- rates -------------------------------------------------------------------------------------------------------


@perm_required("quotations.view_processingrate")
def rates(request: HttpRequest) -> HttpResponse:
    """The processing rate of each work centre (CNY per hour) and this month's exchange rates of the currencies (the
    row of this month in core's monthly table; until it has one, the latest earlier month's rate is shown)."""
    can_change = request.user.has_perm("quotations.change_processingrate")
    errors: dict[str, str] = {}
    centres = list(WorkCentre.objects.filter(is_active=True).order_by("code"))
    if request.method == "POST":
        if not can_change:
            raise Http404
        try:
            exchange = None
            if request.user.has_perm("core.change_exchangerate"):
                codes = [c for c in Currency.values if c != Currency.CNY]
                exchange = {c: request.POST.get(f"rate-{c}", "") for c in codes}
            changed = services.save_rates(
                by=request.user,
                processing={c.pk: request.POST.get(f"rate-{c.pk}", "") for c in centres},
                exchange=exchange,
            )
        except GendanError as exc:
            errors = _errors(exc)
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Saved: %(n)s rates changed.") % {"n": changed})
            return redirect("quotations:rates")
    current = dict(ProcessingRate.objects.values_list("work_centre_id", "hourly_rate"))
    month = fx.month_start(clock.today())
    stored = fx.current_rows()
    rows = [
        {
            "centre": c,
            "value": request.POST.get(f"rate-{c.pk}") if errors else _plain(current.get(c.pk)),
            "error": errors.get(f"rate-{c.pk}"),
        }
        for c in centres
    ]
    currencies = [
        {
            "code": code,
            "label": label,
            "value": request.POST.get(f"rate-{code}") if errors else _plain(getattr(stored.get(code), "rate", None)),
            "month": getattr(stored.get(code), "month", None),
            "error": errors.get(f"rate-{code}"),
        }
        for code, label in Currency.choices
        if code != Currency.CNY
    ]
    return render(
        request,
        "quotations/rates.html",
        {"rows": rows, "currencies": currencies, "can_change": can_change, "month": month},
    )


# ---- the report --------------------------------------------------------------------------------------------------


def _reason_text(row: selectors.ReportRow) -> str:
    labels = dict(LostReason.choices)
    return ", ".join(f"{labels.get(k, k)} {n}" for k, n in sorted((row.reasons or {}).items(), key=lambda kv: -kv[1]))


@perm_required("quotations.view_quotation")
def report(request: HttpRequest) -> HttpResponse:
    """Win rate and lost reasons per customer and per salesperson for quotations dated in a period."""
    from gendan.core.charts import pareto_svg

    form = PeriodForm(request.GET or None)
    f = cleaned_filters(form)
    try:
        start, end = selectors.report_period(f.get("date_from"), f.get("date_to"))
    except ValidationError:
        start, end = selectors.report_period(None, None)
    data = selectors.win_rate_report(date_from=start, date_to=end)
    if request.GET.get("format") == "xlsx":
        rows = [{"group": _("Customer"), **r.as_dict(), "reasons": _reason_text(r)} for r in data["by_customer"]] + [
            {"group": _("Salesperson"), **r.as_dict(), "reasons": _reason_text(r)} for r in data["by_salesperson"]
        ]
        rows.append({"group": _("All"), **data["totals"].as_dict(), "reasons": _reason_text(data["totals"])})
        return xlsx_download(REPORT_COLUMNS, rows, title=_("Win rate"), stem=f"quotations-win-rate-{start}-{end}")
    chart = pareto_svg(
        [{"cause": r["reason"], "cause_label": r["label"], "lines": r["count"]} for r in data["lost_reasons"]],
        count_label=_("Quotations lost"),
        empty_text=_("No quotation lost in this period."),
        tip=lambda label, count, pct, cumulative: (
            _("%(reason)s: %(n)s lost (%(pct)s)") % {"reason": label, "n": count, "pct": pct}
        ),
    )
    return render(
        request,
        "quotations/report.html",
        {
            "form": form,
            "report": data,
            "start": start,
            "end": end,
            "chart": chart,
            "reason_labels": dict(LostReason.choices),
            "export_qs": f"date_from={start.isoformat()}&date_to={end.isoformat()}",
        },
    )
