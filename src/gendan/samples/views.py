"""Samples pages: the sample register, a sample's page (rounds, checklist, decisions, files, audit), the request
form; the dispatch register, its form, page and packing slip."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gendan.catalog.models import Product
from gendan.core import audit, clock
from gendan.core.calendar import company_calendar
from gendan.core.excel import Column, xlsx_download
from gendan.core.exceptions import GendanError, NotFound, ValidationError
from gendan.core.models import User
from gendan.core.money import Currency
from gendan.core.pages import cleaned_filters, error_text, list_page, perm_required
from gendan.partners.choices import SupplierKind
from gendan.partners.models import Contact, Customer, Supplier
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order, OrderLine
from gendan.samples import selectors, services
from gendan.samples.choices import (
    DECISION_COLORS,
    OPEN_STATUSES,
    SAMPLE_STATUS_COLORS,
    ItemKind,
    PaidBy,
    SampleKind,
    SampleStatus,
)
from gendan.samples.forms import DispatchFilterForm, SampleFilterForm
from gendan.samples.models import Dispatch, Sample

SAMPLE_COLUMNS = [
    Column("number", "打样单号", "Number", width=16),
    Column("kind", "样品类型", "Kind", lambda s: s.get_kind_display(), width=18),
    Column("customer", "客户", "Customer", lambda s: s.customer.code, width=12),
    Column("order", "订单号", "Order", lambda s: s.order.number if s.order_id else "", width=16),
    Column("product", "产品", "Product", lambda s: s.product.code if s.product_id else "", width=14),
    Column("description", "描述", "Description", width=30),
    Column("quantity", "数量", "Quantity", number_format="#,##0.###"),
    Column("colours_sizes", "颜色/尺码", "Colours / sizes", width=20),
    Column("required_date", "要求日期", "Required by", width=12),
    Column("maker", "打样方", "Made by", lambda s: s.maker_supplier.code if s.maker_supplier_id else "", width=14),
    Column("cost", "费用", "Cost", number_format="#,##0.00"),
    Column("currency", "币种", "Currency", width=8),
    Column("paid_by", "费用承担", "Paid by", lambda s: s.get_paid_by_display(), width=10),
    Column("round", "轮次", "Round", width=8),
    Column("status", "状态", "Status", lambda s: s.get_status_display(), width=14),
    Column("owner", "负责人", "Owner", lambda s: s.owner.username, width=12),
]
DISPATCH_COLUMNS = [
    Column("number", "寄样单号", "Number", width=16),
    Column("sent_date", "寄出日期", "Sent", width=12),
    Column("customer", "客户", "Customer", lambda d: d.customer.code, width=12),
    Column("contact", "联系人", "Contact", lambda d: d.contact.name if d.contact_id else "", width=16),
    Column("address", "地址", "Address", width=30),
    Column("items", "物品", "Items", lambda d: selectors.item_summary(d), width=40),
    Column("courier", "快递公司", "Courier", width=14),
    Column("tracking_no", "快递单号", "Tracking number", width=18),
    Column("cost", "费用", "Cost", number_format="#,##0.00"),
    Column("currency", "币种", "Currency", width=8),
    Column("expected_arrival_date", "预计到达", "Expected arrival", width=12),
    Column("arrival_date", "实际到达", "Arrived", width=12),
    Column("feedback_due_date", "反馈到期", "Feedback due", width=12),
    Column("awaiting", "等待反馈", "Awaiting feedback", lambda d: _("yes") if d.is_awaiting else _("no"), width=10),
]
SAMPLE_FORM_FIELDS = (
    "kind",
    "customer_id",
    "order_id",
    "order_line_id",
    "product_id",
    "description",
    "quantity",
    "colours_sizes",
    "required_date",
    "maker_supplier_id",
    "cost",
    "currency",
    "paid_by",
    "owner_id",
    "notes",
)
DISPATCH_FORM_FIELDS = (
    "contact_id",
    "address",
    "phone",
    "courier_supplier_id",
    "courier",
    "tracking_no",
    "cost",
    "currency",
    "expected_arrival_date",
    "notes",
)
FREE_ROWS = 3


def _sample(sample_id: int) -> Sample:
    try:
        return selectors.get_sample(sample_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _dispatch(dispatch_id: int) -> Dispatch:
    try:
        return selectors.get_dispatch(dispatch_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _errors(exc: GendanError) -> dict[str, str]:
    if isinstance(exc, ValidationError):
        return {k: v[0] for k, v in exc.errors.items()}
    return {"__all__": exc.message}


def _plain(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else value


# ---- samples -----------------------------------------------------------------------------------------------------


@perm_required("samples.view_sample")
def sample_list(request: HttpRequest) -> HttpResponse:
    form = SampleFilterForm(request.GET or None)
    f = cleaned_filters(form)
    qs = selectors.sample_list(
        q=f.get("q") or "",
        status=f.get("status") or "",
        kind=f.get("kind") or "",
        customer_id=f["customer"].pk if f.get("customer") else None,
        order=f.get("order") or "",
        owner=f["owner"].pk if f.get("owner") else None,
        overdue=bool(f.get("overdue")),
    )
    if request.GET.get("format") == "xlsx":
        return xlsx_download(SAMPLE_COLUMNS, qs, title=_("Samples"), stem="samples")
    return list_page(
        request,
        "samples/sample_list.html",
        filter_form=form,
        qs=qs,
        colors=SAMPLE_STATUS_COLORS,
        today=clock.today(),
        not_sent=("requested", "in_progress", "ready"),
    )


def _sample_form_context(values: dict[str, Any], sample: Sample | None) -> dict[str, Any]:
    order_id = values.get("order_id")
    order = Order.objects.filter(pk=order_id).select_related("customer").first() if str(order_id).isdigit() else None
    return {
        "values": values,
        "sample": sample,
        "order": order,
        "kinds": SampleKind.choices,
        "customers": Customer.objects.filter(is_active=True).order_by("code"),
        "orders": Order.objects.exclude(status__in=(OrderStatus.CANCELLED, OrderStatus.CLOSED))
        .select_related("customer")
        .order_by("-order_date", "-id")[:300],
        "lines": OrderLine.objects.filter(order=order).select_related("product").order_by("position") if order else [],
        "products": Product.objects.filter(is_active=True).order_by("code"),
        "makers": Supplier.objects.filter(kind__in=services.MAKER_KINDS, is_active=True).order_by("code"),
        "currencies": Currency.choices,
        "payers": PaidBy.choices,
        "owners": User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename="change_sample", groups__permissions__content_type__app_label="samples")
        )
        .distinct()
        .order_by("username"),
    }


@perm_required("samples.add_sample")
def sample_add(request: HttpRequest) -> HttpResponse:
    """Request a sample; from an order's page the order (and its customer) is filled in."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in SAMPLE_FORM_FIELDS}
        try:
            sample = services.create_sample(by=request.user, data=data)
        except GendanError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("%(number)s is requested.") % {"number": sample.number})
            return redirect("samples:detail", sample_id=sample.pk)
        values = data
    else:
        order = Order.objects.filter(pk=request.GET.get("order") or 0).select_related("customer").first()
        lines = list(order.lines.all()) if order else []
        values = {
            "kind": request.GET.get("kind") or (SampleKind.PP if order else SampleKind.DEVELOPMENT),
            "order_id": order.pk if order else "",
            "customer_id": order.customer_id if order else request.GET.get("customer", ""),
            "order_line_id": lines[0].pk if len(lines) == 1 else "",
            "quantity": "1",
            "currency": Currency.CNY,
            "paid_by": PaidBy.COMPANY,
            "required_date": company_calendar().add(clock.today(), 10).isoformat(),
        }
    context = _sample_form_context(values, None)
    return render(request, "samples/sample_form.html", {**context, "errors": errors})


@perm_required("samples.change_sample")
def sample_edit(request: HttpRequest, sample_id: int) -> HttpResponse:
    sample = _sample(sample_id)
    if sample.status not in OPEN_STATUSES:
        messages.error(request, _("%(number)s is closed: it is not changed.") % {"number": sample.number})
        return redirect("samples:detail", sample_id=sample.pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in SAMPLE_FORM_FIELDS}
        try:
            services.update_sample(sample=sample, by=request.user, data=data, version=request.POST.get("version"))
        except GendanError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("samples:detail", sample_id=sample.pk)
        values = data
    else:
        values = {
            "kind": sample.kind,
            "customer_id": sample.customer_id,
            "order_id": sample.order_id or "",
            "order_line_id": sample.order_line_id or "",
            "product_id": sample.product_id or "",
            "description": sample.description,
            "quantity": _plain(sample.quantity),
            "colours_sizes": sample.colours_sizes,
            "required_date": _plain(sample.required_date),
            "maker_supplier_id": sample.maker_supplier_id or "",
            "cost": _plain(sample.cost),
            "currency": sample.currency,
            "paid_by": sample.paid_by,
            "owner_id": sample.owner_id,
            "notes": sample.notes,
        }
    context = _sample_form_context(values, sample)
    return render(request, "samples/sample_form.html", {**context, "errors": errors})


def _actions(sample: Sample, user: Any) -> list[dict[str, Any]]:
    """The buttons the transition table allows from the sample's status."""
    if not user.has_perm("samples.change_sample"):
        return []
    status, actions = sample.status, []
    if status == SampleStatus.REQUESTED:
        actions.append({"action": "start", "label": _("Start sampling"), "style": "btn-primary"})
    if status == SampleStatus.IN_PROGRESS:
        actions.append({"action": "ready", "label": _("Mark ready"), "style": "btn-primary"})
    if status == SampleStatus.READY:
        actions.append({"action": "send", "label": _("Mark sent (handed over)"), "style": ""})
    if status == SampleStatus.SENT:
        actions += [
            {"action": "approve", "label": _("Approved"), "style": "btn-primary"},
            {
                "action": "approve_with_comments",
                "label": _("Approved with comments"),
                "style": "",
                "needs_reason": True,
            },
            {"action": "reject", "label": _("Rejected: new round"), "style": "btn-danger", "needs_reason": True},
        ]
    if status in OPEN_STATUSES:
        actions.append({"action": "cancel", "label": _("Cancel"), "style": "btn-danger", "needs_reason": True})
    return actions


@perm_required("samples.view_sample")
def sample_detail(request: HttpRequest, sample_id: int) -> HttpResponse:
    sample = _sample(sample_id)
    rounds = selectors.rounds_of(sample)
    current = next((r for r in rounds if r.is_current), None)
    can_change = request.user.has_perm("samples.change_sample") and sample.status in OPEN_STATUSES
    return render(
        request,
        "samples/sample_detail.html",
        {
            "sample": sample,
            "rounds": rounds,
            "current": current,
            "expected_approval": services.expected_approval(current)
            if current and not current.decision and sample.status in OPEN_STATUSES
            else None,
            "colors": SAMPLE_STATUS_COLORS,
            "decision_colors": DECISION_COLORS,
            "actions": _actions(sample, request.user),
            "can_change": can_change,
            "can_dispatch": sample.status == SampleStatus.READY and request.user.has_perm("samples.add_dispatch"),
            "today": clock.today(),
            "history": audit.history_for(sample, limit=50),
        },
    )


@require_POST
@perm_required("samples.change_sample")
def sample_action(request: HttpRequest, sample_id: int, action: str) -> HttpResponse:
    sample = _sample(sample_id)
    reason = request.POST.get("reason", "")
    extra: dict[str, Any] = {}
    if action == "approve_with_comments":
        action, extra = "approve", {"with_comments": True}
    if action not in services.ACTIONS:
        raise Http404
    try:
        services.transition(sample=sample, action=action, by=request.user, comment=reason, **extra)
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        sample = _sample(sample_id)
        if action == "reject":
            messages.success(
                request,
                _("Round %(n)s is open, required by %(date)s.")
                % {"n": sample.round, "date": sample.required_date.isoformat()},
            )
        else:
            messages.success(
                request, _("%(number)s: %(status)s.") % {"number": sample.number, "status": sample.get_status_display()}
            )
    return redirect("samples:detail", sample_id=sample.pk)


@require_POST
@perm_required("samples.change_sample")
def sample_steps(request: HttpRequest, sample_id: int, round_number: int) -> HttpResponse:
    """Save the checklist of the current round: each step's planned and actual dates."""
    sample = _sample(sample_id)
    rounds = {r.number: r for r in selectors.rounds_of(sample)}
    round_ = rounds.get(round_number)
    if round_ is None:
        raise Http404
    steps: dict[str, dict[str, Any]] = {}
    for step in round_.steps.all():
        planned = request.POST.get(f"planned-{step.step}")
        actual = request.POST.get(f"actual-{step.step}")
        values: dict[str, Any] = {}
        if planned is not None:
            values["planned_date"] = planned
        if actual is not None:
            values["actual_date"] = actual
        steps[step.step] = values
    try:
        services.update_steps(
            sample=sample, round_number=round_number, by=request.user, steps=steps, version=request.POST.get("version")
        )
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The checklist is saved."))
    return redirect(reverse("samples:detail", args=[sample.pk]) + f"#round-{round_number}")


@require_POST
@perm_required("samples.change_sample")
def sample_attach(request: HttpRequest, sample_id: int, round_number: int) -> HttpResponse:
    sample = _sample(sample_id)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError({"file": _("Choose a file.")})
        services.add_round_attachment(sample=sample, round_number=round_number, upload=upload, by=request.user)
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The file is attached to round %(n)s.") % {"n": round_number})
    return redirect(reverse("samples:detail", args=[sample.pk]) + f"#round-{round_number}")


# ---- dispatches --------------------------------------------------------------------------------------------------


@perm_required("samples.view_dispatch")
def dispatch_list(request: HttpRequest) -> HttpResponse:
    form = DispatchFilterForm(request.GET or None)
    f = cleaned_filters(form)
    qs = selectors.dispatch_list(
        q=f.get("q") or "",
        customer_id=f["customer"].pk if f.get("customer") else None,
        courier_supplier_id=f["courier"].pk if f.get("courier") else None,
        date_from=f.get("date_from"),
        date_to=f.get("date_to"),
        awaiting_feedback=bool(f.get("awaiting")),
    )
    if request.GET.get("format") == "xlsx":
        return xlsx_download(DISPATCH_COLUMNS, qs, title=_("Dispatches"), stem="dispatches")
    return list_page(request, "samples/dispatch_list.html", filter_form=form, qs=qs, today=clock.today())


def _free_rows(post: Any) -> list[dict[str, Any]]:
    return [
        {
            "kind": post.get(f"item-kind-{n}", "") if post else "",
            "description": post.get(f"item-description-{n}", "") if post else "",
            "quantity": post.get(f"item-quantity-{n}", "") if post else "",
        }
        for n in range(1, FREE_ROWS + 1)
    ]


@perm_required("samples.add_dispatch")
def dispatch_add(request: HttpRequest) -> HttpResponse:
    """Register a dispatch: first the customer (or straight from a ready sample), then contact, courier, tracking
    number and items: the customer's ready samples and free items (catalogues, swatches)."""
    sample = Sample.objects.filter(pk=request.GET.get("sample") or 0).first()
    customer_id = (
        request.POST.get("customer_id") or request.GET.get("customer") or (sample.customer_id if sample else "")
    )
    customer = Customer.objects.filter(pk=customer_id).first() if str(customer_id).isdigit() else None
    if customer is None:
        return render(
            request,
            "samples/dispatch_customer.html",
            {"customers": Customer.objects.filter(is_active=True).order_by("code")},
        )
    errors: dict[str, str] = {}
    if request.method == "POST":
        data: dict[str, Any] = {k: request.POST.get(k, "") for k in DISPATCH_FORM_FIELDS}
        data["customer_id"] = customer.pk
        data["sent_date"] = request.POST.get("sent_date", "")
        items: list[dict[str, Any]] = [
            {"sample_id": pk, "quantity": request.POST.get(f"sample-quantity-{pk}", "")}
            for pk in request.POST.getlist("samples")
        ]
        items += [
            {"kind": row["kind"] or ItemKind.OTHER, "description": row["description"], "quantity": row["quantity"]}
            for row in _free_rows(request.POST)
            if row["description"].strip()
        ]
        data["items"] = items
        try:
            dispatch = services.create_dispatch(by=request.user, data=data)
        except GendanError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("%(number)s is registered.") % {"number": dispatch.number})
            return redirect("samples:dispatch", dispatch_id=dispatch.pk)
        values = {**data, "samples": [str(pk) for pk in request.POST.getlist("samples")]}
    else:
        contacts = list(Contact.objects.filter(customer=customer))
        primary = next((c for c in contacts if c.is_primary), contacts[0] if contacts else None)
        values = {
            "contact_id": primary.pk if primary else "",
            "address": customer.address,
            "phone": primary.phone if primary else "",
            "sent_date": clock.today().isoformat(),
            "currency": Currency.CNY,
            "samples": [str(sample.pk)] if sample else [],
            "expected_arrival_date": company_calendar().add(clock.today(), services.COURIER_DAYS).isoformat(),
        }
    return render(
        request,
        "samples/dispatch_form.html",
        {
            "customer": customer,
            "values": values,
            "errors": errors,
            "contacts": Contact.objects.filter(customer=customer).order_by("-is_primary", "name"),
            "couriers": Supplier.objects.filter(kind=SupplierKind.COURIER, is_active=True).order_by("code"),
            "ready": selectors.dispatchable_samples(customer.pk),
            "free_rows": _free_rows(request.POST if request.method == "POST" else None),
            "item_kinds": [c for c in ItemKind.choices if c[0] != ItemKind.SAMPLE],
            "currencies": Currency.choices,
            "dispatch": None,
        },
    )


@perm_required("samples.change_dispatch")
def dispatch_edit(request: HttpRequest, dispatch_id: int) -> HttpResponse:
    dispatch = _dispatch(dispatch_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in DISPATCH_FORM_FIELDS}
        try:
            services.update_dispatch(dispatch=dispatch, by=request.user, data=data, version=request.POST.get("version"))
        except GendanError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("samples:dispatch", dispatch_id=dispatch.pk)
        values: dict[str, Any] = data
    else:
        values = {key: _plain(getattr(dispatch, key)) for key in DISPATCH_FORM_FIELDS}
    return render(
        request,
        "samples/dispatch_form.html",
        {
            "customer": dispatch.customer,
            "values": values,
            "errors": errors,
            "contacts": Contact.objects.filter(customer=dispatch.customer).order_by("-is_primary", "name"),
            "couriers": Supplier.objects.filter(kind=SupplierKind.COURIER).order_by("code"),
            "currencies": Currency.choices,
            "dispatch": dispatch,
        },
    )


@perm_required("samples.view_dispatch")
def dispatch_detail(request: HttpRequest, dispatch_id: int) -> HttpResponse:
    dispatch = _dispatch(dispatch_id)
    return render(
        request,
        "samples/dispatch_detail.html",
        {
            "dispatch": dispatch,
            "items": list(dispatch.items.all()),
            "today": clock.today(),
            "decision_colors": DECISION_COLORS,
            "can_change": request.user.has_perm("samples.change_dispatch"),
            "history": audit.history_for(dispatch, limit=30),
        },
    )


@require_POST
@perm_required("samples.change_dispatch")
def dispatch_arrived(request: HttpRequest, dispatch_id: int) -> HttpResponse:
    dispatch = _dispatch(dispatch_id)
    try:
        services.record_arrival(dispatch=dispatch, by=request.user, day=request.POST.get("date", ""))
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The arrival is recorded."))
    return redirect("samples:dispatch", dispatch_id=dispatch.pk)


@require_POST
@perm_required("samples.change_dispatch")
def dispatch_feedback(request: HttpRequest, dispatch_id: int) -> HttpResponse:
    dispatch = _dispatch(dispatch_id)
    try:
        services.mark_feedback_received(dispatch=dispatch, by=request.user, note=request.POST.get("note", ""))
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The feedback is marked received."))
    return redirect("samples:dispatch", dispatch_id=dispatch.pk)


@perm_required("samples.view_dispatch")
def dispatch_slip(request: HttpRequest, dispatch_id: int) -> HttpResponse:
    from gendan.samples.documents import slip_pdf

    dispatch = _dispatch(dispatch_id)
    language = request.GET.get("language") or translation.get_language() or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    response = HttpResponse(slip_pdf(dispatch, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dispatch.number}.pdf"'
    return response
