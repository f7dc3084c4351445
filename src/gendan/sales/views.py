"""Order pages: thin — forms in, service call, template out."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gendan.core import audit
from gendan.core.excel import xlsx_response
from gendan.core.exceptions import GendanError, NotFound, PermissionDenied, StaleVersion, ValidationError
from gendan.core.pages import apply_errors, error_text, htmx_partial, paginate, perm_required, querystring_without
from gendan.core.services import add_attachment
from gendan.sales import exports, hub, imports, selectors, services
from gendan.sales.choices import (
    COMPLETENESS_DOCUMENTS,
    STATUS_COLORS,
    OrderStatus,
    Verdict,
)
from gendan.sales.forms import DecisionForm, LineFormSet, OrderFilterForm, OrderForm
from gendan.sales.models import Order

FLOW = [
    OrderStatus.DRAFT,
    OrderStatus.IN_REVIEW,
    OrderStatus.CONFIRMED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.READY_TO_SHIP,
    OrderStatus.SHIPPED,
    OrderStatus.CLOSED,
]


def _order_or_404(order_id: int) -> Order:
    try:
        return selectors.order_detail(order_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _status_flow(order: Order) -> list[dict[str, Any]]:
    where = order.held_from_status if order.status == OrderStatus.ON_HOLD else order.status
    index = FLOW.index(where) if where in FLOW else -1
    return [
        {"label": s.label, "state": "current" if i == index else "done" if i < index else ""}
        for i, s in enumerate(FLOW)
    ]


# ---- list and export --------------------------------------------------------------------------------


def _filtered(request: HttpRequest) -> tuple[OrderFilterForm, Any]:
    form = OrderFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    return form, selectors.order_list(user=request.user, **filters)


@perm_required("sales.view_order")
def order_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = paginate(request, qs)
    return render(
        request,
        "sales/order_list.html",
        {
            "form": form,
            "page": page,
            "qs": querystring_without(request, "page"),
            "export_qs": querystring_without(request, "page", "per_page"),
            "colors": STATUS_COLORS,
        },
    )


@perm_required("sales.view_order")
def order_export(request: HttpRequest) -> HttpResponse:
    _form, qs = _filtered(request)
    return xlsx_response(exports.orders_xlsx(qs), "orders.xlsx")


# ---- create and edit -------------------------------------------------------------------------------


def _lines_from(formset: Any) -> tuple[list[dict[str, Any]], list[int]]:
    """The service's line dicts from the formset, and for each the index of its form (for errors)."""
    lines: list[dict[str, Any]] = []
    index: list[int] = []
    for i, form in enumerate(formset.forms):
        data = form.cleaned_data
        if not data or form.is_blank() or data.get("DELETE"):
            continue
        line: dict[str, Any] = {
            "product": data.get("product"),
            "quantity": data.get("quantity"),
            "unit_price": data.get("unit_price"),
            "ex_factory_date": data.get("ex_factory_date"),
            "packaging_note": data.get("packaging_note") or "",
        }
        if data.get("id"):
            line["id"] = data["id"]
        lines.append(line)
        index.append(i)
    return lines, index


def _apply_errors(form: OrderForm, formset: Any, exc: GendanError, index: list[int]) -> None:
    if not isinstance(exc, ValidationError):
        form.add_error(None, exc.message)
        return
    for field, msgs in exc.errors.items():
        if field.startswith("lines[") and "]." in field:
            pos, _sep, name = field[len("lines[") :].partition("].")
            target = formset.forms[index[int(pos)]] if int(pos) < len(index) else None
            for msg in msgs:
                if target is not None and name in target.fields:
                    target.add_error(name, msg)
                else:
                    form.add_error(None, msg)
        elif field == "lines":
            for msg in msgs:
                form.add_error(None, msg)
        else:
            apply_errors(form, ValidationError({field: msgs}))


def _render_form(
    request: HttpRequest, form: OrderForm, formset: Any, order: Order | None, stale: bool = False
) -> HttpResponse:
    return render(
        request,
        "sales/order_form.html",
        {"form": form, "formset": formset, "order": order, "stale": stale},
        status=200,
    )


@perm_required("sales.add_order")
def order_add(request: HttpRequest) -> HttpResponse:
    from gendan.core import clock

    if request.method == "POST":
        form = OrderForm(request.POST)
        formset = LineFormSet(request.POST, prefix="lines")
        if form.is_valid() and formset.is_valid():
            lines, index = _lines_from(formset)
            try:
                order = services.create_order(
                    by=request.user,
                    customer=form.cleaned_data["customer"],
                    lines=lines,
                    **form.header_data(for_update=False),
                )
            except GendanError as exc:
                _apply_errors(form, formset, exc, index)
            else:
                messages.success(request, _("Order %(number)s created.") % {"number": order.number})
                return redirect("sales:order", order_id=order.pk)
        return _render_form(request, form, formset, None)
    initial: dict[str, Any] = {"order_date": clock.today()}
    if request.GET.get("customer"):
        initial["customer"] = request.GET["customer"]
    form = OrderForm(initial=initial)
    formset = LineFormSet(prefix="lines", initial=[{}, {}])
    return _render_form(request, form, formset, None)


@perm_required("sales.change_order")
def order_edit(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order_or_404(order_id)
    if not services.can_edit(order, request.user):
        raise DjangoPermissionDenied
    if not selectors.is_editable(order, request.user):
        messages.error(
            request, _("An order in status %(status)s cannot be edited.") % {"status": order.get_status_display()}
        )
        return redirect("sales:order", order_id=order.pk)
    controlled = selectors.needs_change_reason(order)
    kwargs = {"change_controlled": controlled, "lock_customer": order.status != OrderStatus.DRAFT}
    if request.method == "POST":
        form = OrderForm(
            request.POST, initial={"customer": order.customer_id, "merchandiser": order.merchandiser_id}, **kwargs
        )
        formset = LineFormSet(request.POST, prefix="lines")
        if form.is_valid() and formset.is_valid():
            lines, index = _lines_from(formset)
            data = form.header_data(for_update=True)
            if order.status == OrderStatus.DRAFT:
                data["customer"] = form.cleaned_data["customer"]
            try:
                services.update_order(
                    order=order,
                    by=request.user,
                    version=form.cleaned_data.get("version"),
                    data=data,
                    lines=lines,
                    change_reason=form.cleaned_data.get("change_reason", ""),
                )
            except StaleVersion:
                return _render_form(request, form, formset, order, stale=True)
            except GendanError as exc:
                _apply_errors(form, formset, exc, index)
            else:
                messages.success(request, _("Order %(number)s saved.") % {"number": order.number})
                return redirect("sales:order", order_id=order.pk)
        return _render_form(request, form, formset, order)
    initial = {name: getattr(order, name) for name in services.HEADER_FIELDS}
    initial["customer"], initial["merchandiser"] = order.customer_id, order.merchandiser_id
    initial["version"] = order.version
    form = OrderForm(initial=initial, **kwargs)
    formset = LineFormSet(
        prefix="lines",
        initial=[
            {
                "id": line.pk,
                "product": line.product_id,
                "quantity": _plain(line.quantity),
                "unit_price": _plain(line.unit_price),
                "ex_factory_date": line.ex_factory_date,
                "packaging_note": line.packaging_note,
            }
            for line in order.lines.all()
        ],
    )
    return _render_form(request, form, formset, order)


def _plain(value: Decimal) -> Decimal:
    """1500.000 → 1500, 1.5700 → 1.57: what a person would type."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal


# ---- the order hub ----------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, order: Order) -> dict[str, Any]:
    items = selectors.current_review(order)
    return {
        "order": order,
        "color": STATUS_COLORS.get(order.status, "grey"),
        "flow": _status_flow(order),
        "actions": selectors.allowed_transitions(order, request.user),
        "editable": selectors.is_editable(order, request.user),
        "can_edit": services.can_edit(order, request.user),
        "lines": list(order.lines.all()),
        "review_items": items,
        "earlier_rounds": selectors.earlier_rounds(order),
        "reviewable": selectors.reviewable_item_ids(order, request.user),
        "revisions": list(order.revisions.all()),
        "attachments": selectors.attachments_of(order),
        "changes": audit.history_for(order),
        "completeness_documents": COMPLETENESS_DOCUMENTS,
        "verdict_colors": {Verdict.PENDING: "amber", Verdict.PASS: "green", Verdict.REJECT: "red"},
        "decision_form": DecisionForm(),
        "sections": hub.sections_for(request, order),
    }


@perm_required("sales.view_order")
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order_or_404(order_id)
    return render(request, "sales/order_detail.html", _detail_context(request, order))


ACTIONS = {
    "submit": lambda order, by, reason: services.submit_order(order=order, by=by),
    "confirm": lambda order, by, reason: services.confirm_order(order=order, by=by, override_reason=reason),
    "hold": lambda order, by, reason: services.hold_order(order=order, by=by, reason=reason),
    "resume": lambda order, by, reason: services.resume_order(order=order, by=by, reason=reason),
    "cancel": lambda order, by, reason: services.cancel_order(order=order, by=by, reason=reason),
    "withdraw": lambda order, by, reason: services.transition_order(
        order=order, by=by, to_status=OrderStatus.DRAFT, reason=reason
    ),
    "start-production": lambda order, by, reason: services.transition_order(
        order=order, by=by, to_status=OrderStatus.IN_PRODUCTION, reason=reason
    ),
    "back-to-production": lambda order, by, reason: services.transition_order(
        order=order, by=by, to_status=OrderStatus.IN_PRODUCTION, reason=reason
    ),
    "ready-to-ship": lambda order, by, reason: services.transition_order(
        order=order, by=by, to_status=OrderStatus.READY_TO_SHIP, reason=reason
    ),
    "ship": lambda order, by, reason: services.transition_order(
        order=order, by=by, to_status=OrderStatus.SHIPPED, reason=reason
    ),
    "close": lambda order, by, reason: services.transition_order(
        order=order, by=by, to_status=OrderStatus.CLOSED, reason=reason
    ),
}


@require_POST
@perm_required("sales.view_order")
def order_action(request: HttpRequest, order_id: int, action: str) -> HttpResponse:
    """One button of the order page: a status transition, with the reason box's text."""
    run = ACTIONS.get(action)
    if run is None:
        raise Http404
    try:
        order = selectors.get_order(order_id)
        moved = run(order, request.user, request.POST.get("reason", ""))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        notes = getattr(moved, "notes", [])
        order.refresh_from_db()
        messages.success(
            request,
            _("Order %(number)s is now: %(status)s.") % {"number": order.number, "status": order.get_status_display()},
        )
        for note in notes:
            messages.warning(request, note)
    return redirect("sales:order", order_id=order_id)


@require_POST
@perm_required("sales.view_order")
def review_decide(request: HttpRequest, order_id: int, item_id: int) -> HttpResponse:
    """Pass or reject one review item; with htmx the review panel is swapped in place."""
    form = DecisionForm(request.POST)
    error = ""
    try:
        order = selectors.get_order(order_id)
        item = selectors.review_item(order, item_id)
        if not form.is_valid():
            raise ValidationError({"verdict": _("Choose pass or reject.")})
        services.decide_review_item(
            item=item, by=request.user, verdict=form.cleaned_data["verdict"], comment=form.cleaned_data["comment"]
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except GendanError as exc:
        error = error_text(exc)
    if htmx_partial(request):
        order = _order_or_404(order_id)
        context = _detail_context(request, order)
        context["review_error"] = error
        response = render(request, "sales/partials/_review.html", context)
        if order.status != OrderStatus.IN_REVIEW:
            response["HX-Refresh"] = "true"  # the status changed: reload the whole page
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Review recorded."))
    return redirect(f"{order_url(order_id)}#review")


def order_url(order_id: int) -> str:
    from django.urls import reverse

    return reverse("sales:order", args=[order_id])


@require_POST
@perm_required("sales.view_order")
def order_attach(request: HttpRequest, order_id: int) -> HttpResponse:
    try:
        order = selectors.get_order(order_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    upload = request.FILES.get("file")
    item_id = request.POST.get("review_item_id") or ""
    if upload is None:
        messages.error(request, _("Choose a file to upload."))
        return redirect(f"{order_url(order_id)}#attachments")
    try:
        if item_id.isdigit():
            item = selectors.review_item(order, int(item_id))
            if not (services.can_edit(order, request.user) or services.can_decide(item, request.user)):
                raise DjangoPermissionDenied
            add_attachment(instance=item, upload=upload, by=request.user, related=order)
        else:
            if not services.can_edit(order, request.user):
                raise DjangoPermissionDenied
            add_attachment(instance=order, upload=upload, by=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("File attached."))
    return redirect(f"{order_url(order_id)}#attachments")


# ---- import -------------------------------------------------------------------------------------------


@perm_required("sales.add_order")
def order_import(request: HttpRequest) -> HttpResponse:
    result = None
    if request.method == "POST" and request.FILES.get("file"):
        result = imports.import_orders(request.FILES["file"], by=request.user)
        if result.ok:
            messages.success(request, _("%(n)s orders imported as drafts.") % {"n": result.created})
    return render(request, "sales/order_import.html", {"result": result})


@perm_required("sales.add_order")
def order_import_template(request: HttpRequest) -> HttpResponse:
    return xlsx_response(imports.ORDER_IMPORT.template(), "orders-template.xlsx")
