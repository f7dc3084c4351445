"""Purchasing pages: requirements to buy, purchase orders and their actions, receiving, incoming inspection, the
order page's materials section, and the supplier's own page behind its link."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gendan.core import audit, clock, links
from gendan.core.exceptions import GendanError, NotFound, PermissionDenied
from gendan.core.pages import apply_errors, cleaned_filters, error_text, list_page, perm_required
from gendan.inventory.models import Location
from gendan.procurement import documents, selectors, services
from gendan.procurement.choices import (
    PO_STATUS_COLORS,
    WITH_SUPPLIER,
    DelayCause,
    Disposition,
    InspectionStatus,
    PoStatus,
)
from gendan.procurement.forms import (
    DelayCauseForm,
    InspectionForm,
    PoFilterForm,
    PoHeaderForm,
    PoLineFormSet,
    ReceiptHeaderForm,
)
from gendan.procurement.models import PurchaseOrder, PurchaseOrderLine
from gendan.sales.models import Order
from gendan.sales.selectors import get_order


def _po_or_404(po_id: int) -> PurchaseOrder:
    try:
        return selectors.get_po(po_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _run(request: HttpRequest, fn: Any, success: str = "") -> Any:
    """Call a service; a refusal becomes a flash message (and None), a permission error a 403."""
    try:
        result = fn()
    except PermissionDenied as exc:
        messages.error(request, exc.message)
        return None
    except GendanError as exc:
        messages.error(request, error_text(exc))
        return None
    if success:
        messages.success(request, success)
    return result


# ---- the order page's materials section ---------------------------------------------------------------------


def materials_section_context(request: HttpRequest, order: Order) -> dict[str, Any]:
    requirements = selectors.requirements_of(order)
    return {
        "requirements": requirements,
        "run": selectors.last_run(order),
        "purchase_lines": selectors.purchase_lines_of(order),
        "to_buy": sum(1 for r in requirements if r.to_buy_qty > 0),
        "today": clock.today(),
    }


@require_POST
@perm_required("procurement.change_materialrequirement")
def requirements_run(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_order(order_id)
    changes = _run(
        request,
        lambda: services.run_requirements(
            order_ids=[order.pk], by=request.user, reason=_("Run by hand"), record_unchanged=True
        ),
    )
    if changes is not None:
        messages.success(
            request,
            _("Requirements netted again: %(n)s materials changed.") % {"n": len(changes.get(order.pk, []))},
        )
    return redirect(reverse("sales:order", args=[order.pk]) + "#materials")


@require_POST
@perm_required("procurement.add_purchaseorder")
def from_requirements(request: HttpRequest) -> HttpResponse:
    """Draft POs for the chosen orders' shortages (the order page's button, or the requirements list's boxes)."""
    ids = [int(v) for v in request.POST.getlist("order_ids") if v.isdigit()]
    result = _run(request, lambda: services.create_from_requirements(by=request.user, order_ids=ids))
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("procurement:requirements")
    if result is None:
        return redirect(back)
    pos, notes = result
    messages.success(
        request,
        _("Draft purchase orders created: %(numbers)s.") % {"numbers": ", ".join(po.number for po in pos)},
    )
    for note in notes:
        messages.warning(request, note)
    if len(pos) == 1:
        return redirect("procurement:po", po_id=pos[0].pk)
    return redirect(reverse("procurement:po_list") + "?status=draft")


@perm_required("procurement.view_materialrequirement")
def requirements(request: HttpRequest) -> HttpResponse:
    """Every order's materials still to buy (物料需求), by need-by date, to turn into purchase orders."""
    q = (request.GET.get("q") or "").strip()
    rows = selectors.requirements_to_buy(q)
    return list_page(
        request,
        "procurement/requirements.html",
        filter_form=PoFilterForm(request.GET or None),
        qs=rows,
        q=q,
        today=clock.today(),
    )


# ---- purchase orders -----------------------------------------------------------------------------------------


@perm_required("procurement.view_purchaseorder")
def po_list(request: HttpRequest) -> HttpResponse:
    form = PoFilterForm(request.GET or None)
    filters = cleaned_filters(form)
    qs = selectors.po_list(filters, sort=request.GET.get("sort") or "-order_date")
    return list_page(
        request,
        "procurement/po_list.html",
        filter_form=form,
        qs=qs,
        colors=PO_STATUS_COLORS,
        late_ids=set(selectors.late_lines().values_list("purchase_order_id", flat=True)),
    )


def _actions(po: PurchaseOrder, user: Any) -> list[dict[str, Any]]:
    if not user.has_perm("procurement.change_purchaseorder"):
        return []
    actions = []
    if po.status == PoStatus.DRAFT:
        actions.append({"action": "approve", "label": _("Approve"), "style": "btn-primary"})
    if po.status == PoStatus.APPROVED:
        actions.append({"action": "send", "label": _("Send to supplier"), "style": "btn-primary"})
        actions.append({"action": "reopen", "label": _("Back to draft"), "style": ""})
    waiting = selectors.inspections().filter(receipt_line__po_line__purchase_order=po).exists()
    if po.status in (PoStatus.PARTIALLY_RECEIVED, PoStatus.RECEIVED) and not waiting:
        actions.append(
            {"action": "close", "label": _("Close"), "style": "", "needs_reason": True, "reason_required": False}
        )
    if po.status in (PoStatus.DRAFT, PoStatus.APPROVED, *WITH_SUPPLIER) and not any(
        line.received_qty for line in po.lines.all()
    ):
        actions.append({"action": "cancel", "label": _("Cancel"), "style": "btn-danger", "needs_reason": True})
    return actions


@perm_required("procurement.view_purchaseorder")
def po_detail(request: HttpRequest, po_id: int) -> HttpResponse:
    po = _po_or_404(po_id)
    live = selectors.live_link(po)
    today = clock.today()
    lines = selectors.lines_with_state(po, today)
    return render(
        request,
        "procurement/po_detail.html",
        {
            "po": po,
            "lines": lines,
            "colors": PO_STATUS_COLORS,
            "actions": _actions(po, request.user),
            "needs_manager": services.needs_manager(po),
            "limit": services.approval_limit(),
            "link": live[0] if live else None,
            "link_url": request.build_absolute_uri(reverse("supplier:po", args=[live[1]])) if live else "",
            "with_supplier": po.status in WITH_SUPPLIER,
            "receipts": selectors.receipts_of(po),
            "shipments": selectors.shipments_of(po),
            "history": audit.history_for(po, limit=50),
            "causes": DelayCause.choices,
            "today": today,
            "can_buy": request.user.has_perm("procurement.change_purchaseorder"),
            "can_receive": request.user.has_perm("procurement.add_receipt")
            and po.status in (*WITH_SUPPLIER, PoStatus.RECEIVED),
        },
    )


PO_ACTIONS = {
    "approve": lambda po, by, reason: services.approve(po=po, by=by),
    "reopen": lambda po, by, reason: services.reopen(po=po, by=by),
    "cancel": lambda po, by, reason: services.cancel(po=po, by=by, reason=reason),
    "close": lambda po, by, reason: services.close(po=po, by=by, reason=reason),
}


@require_POST
@perm_required("procurement.change_purchaseorder")
def po_action(request: HttpRequest, po_id: int, action: str) -> HttpResponse:
    po = _po_or_404(po_id)
    if action == "send":
        result = _run(request, lambda: services.send(po=po, by=request.user))
        if result is not None:
            messages.success(
                request,
                _("%(number)s is sent. Give the supplier its link below: it shows this PO alone.")
                % {"number": po.number},
            )
        return redirect("procurement:po", po_id=po.pk)
    run = PO_ACTIONS.get(action)
    if run is None:
        raise Http404
    moved = _run(request, lambda: run(po, request.user, request.POST.get("reason", "")))
    if moved is not None:
        moved.refresh_from_db()
        messages.success(
            request, _("%(number)s is now: %(status)s.") % {"number": po.number, "status": moved.get_status_display()}
        )
    return redirect("procurement:po", po_id=po.pk)


@require_POST
@perm_required("procurement.change_purchaseorder")
def po_link(request: HttpRequest, po_id: int, action: str) -> HttpResponse:
    po = _po_or_404(po_id)
    if action == "new":
        _run(
            request,
            lambda: services.new_link(po=po, by=request.user),
            _("A new link was made; the old one stops working."),
        )
    elif action == "revoke":
        _run(request, lambda: services.revoke_links(po=po, by=request.user), _("The supplier's link was withdrawn."))
    else:
        raise Http404
    return redirect(reverse("procurement:po", args=[po.pk]) + "#supplier-link")


@require_POST
@perm_required("procurement.change_purchaseorder")
def line_promise(request: HttpRequest, po_id: int, line_id: int) -> HttpResponse:
    """The buyer records what the supplier said when chased: a new promised date (and confirmed quantity)."""
    po = _po_or_404(po_id)
    item: dict[str, Any] = {"line_id": line_id, "promised_date": request.POST.get("promised_date") or None}
    if request.POST.get("confirmed_qty"):
        item["confirmed_qty"] = request.POST["confirmed_qty"]
    _run(
        request,
        lambda: services.record_promise(po=po, by=request.user, lines=[item], note=request.POST.get("note", "")),
        _("The promise is recorded."),
    )
    return redirect(reverse("procurement:po", args=[po.pk]) + f"#line-{line_id}")


@require_POST
@perm_required("procurement.change_purchaseorder")
def line_delay_cause(request: HttpRequest, po_id: int, line_id: int) -> HttpResponse:
    line = PurchaseOrderLine.objects.filter(pk=line_id, purchase_order_id=po_id).first()
    if line is None:
        raise Http404
    form = DelayCauseForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.set_delay_cause(
                line=line, by=request.user, cause=form.cleaned_data["cause"], note=form.cleaned_data["note"]
            ),
            _("The delay cause is recorded."),
        )
    else:
        messages.error(request, _("Choose a valid delay cause."))
    return redirect(reverse("procurement:po", args=[po_id]) + f"#line-{line_id}")


@perm_required("procurement.view_purchaseorder")
def po_document(request: HttpRequest, po_id: int, fmt: str) -> HttpResponse:
    po = _po_or_404(po_id)
    language = request.GET.get("language") or translation.get_language() or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if fmt == "pdf":
        response = HttpResponse(documents.po_pdf(po, language), content_type="application/pdf")
    elif fmt == "xlsx":
        response = HttpResponse(
            documents.po_xlsx(po, language),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    disposition = "inline" if fmt == "pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{documents.po_filename(po, fmt)}"'
    return response


def _line_items(formset: Any) -> list[dict[str, Any]]:
    items = []
    for form in formset.forms:
        data = form.cleaned_data if form.is_valid() else {}
        if not data or data.get("DELETE") or not data.get("material"):
            continue
        item = {k: v for k, v in data.items() if k != "DELETE" and v not in (None, "")}
        items.append(item)
    return items


def _po_form_page(request: HttpRequest, po: PurchaseOrder | None) -> HttpResponse:
    if request.method == "POST":
        header = PoHeaderForm(request.POST)
        formset = PoLineFormSet(request.POST, prefix="lines")
        if header.is_valid() and formset.is_valid():
            data = {
                "supplier": header.cleaned_data["supplier"],
                "currency": header.cleaned_data["currency"],
                "ship_to": header.cleaned_data["ship_to"],
                "payment_terms": header.cleaned_data["payment_terms"],
                "notes": header.cleaned_data["notes"],
                "lines": _line_items(formset),
            }
            try:
                if po is None:
                    saved = services.create_purchase_order(by=request.user, data=data)
                else:
                    saved = services.update_purchase_order(
                        po=po, by=request.user, version=header.cleaned_data.get("version"), data=data
                    )
            except GendanError as exc:
                apply_errors(header, exc)
            else:
                messages.success(request, _("Purchase order %(number)s saved.") % {"number": saved.number})
                return redirect("procurement:po", po_id=saved.pk)
    elif po is None:
        header = PoHeaderForm(initial={"ship_to": Location.objects.values_list("warehouse", flat=True).first()})
        formset = PoLineFormSet(prefix="lines")
    else:
        header = PoHeaderForm(
            initial={
                "supplier": po.supplier_id,
                "currency": po.currency,
                "ship_to": po.ship_to_id,
                "payment_terms": po.payment_terms,
                "notes": po.notes,
                "version": po.version,
            }
        )
        formset = PoLineFormSet(
            prefix="lines",
            initial=[
                {
                    "material": line.material.code,
                    "spec": line.spec,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "required_date": line.required_date,
                    "order": line.order.number if line.order_id else "",
                }
                for line in po.lines.all()
            ],
        )
    return render(request, "procurement/po_form.html", {"po": po, "form": header, "formset": formset})


@perm_required("procurement.add_purchaseorder")
def po_add(request: HttpRequest) -> HttpResponse:
    return _po_form_page(request, None)


@perm_required("procurement.change_purchaseorder")
def po_edit(request: HttpRequest, po_id: int) -> HttpResponse:
    po = _po_or_404(po_id)
    if po.status != PoStatus.DRAFT:
        messages.error(request, _("Only a draft can be edited; put it back to draft first."))
        return redirect("procurement:po", po_id=po.pk)
    return _po_form_page(request, po)


# ---- receiving and inspection ---------------------------------------------------------------------------------------


@perm_required("procurement.add_receipt")
def receive(request: HttpRequest, po_id: int) -> HttpResponse:
    po = _po_or_404(po_id)
    lines = selectors.lines_with_state(po, clock.today())
    for line in lines:
        line.posted_qty = request.POST.get(f"qty-{line.pk}", "")
    default_location = Location.objects.filter(warehouse=po.ship_to, is_active=True).order_by("code").first()
    form = ReceiptHeaderForm(
        request.POST or None, initial={"received_date": clock.today(), "location": default_location}
    )
    errors: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        items = [
            {
                "line_id": line.pk,
                "quantity": request.POST.get(f"qty-{line.pk}"),
                "unit_price": request.POST.get(f"price-{line.pk}"),
            }
            for line in lines
            if (request.POST.get(f"qty-{line.pk}") or "").strip() not in ("", "0")
        ]
        try:
            receipt = services.receive(
                po=po,
                by=request.user,
                data={
                    "received_date": form.cleaned_data["received_date"],
                    "location": form.cleaned_data["location"],
                    "shipment_id": request.POST.get("shipment_id") or None,
                    "note": form.cleaned_data["note"],
                    "lines": items,
                },
            )
        except GendanError as exc:
            apply_errors(form, exc)
            if hasattr(exc, "errors"):
                errors = {k: v[0] for k, v in exc.errors.items()}
        else:
            messages.success(
                request,
                _("%(number)s received: it waits for incoming inspection.") % {"number": receipt.number},
            )
            return redirect("procurement:po", po_id=po.pk)
    return render(
        request,
        "procurement/receive.html",
        {"po": po, "lines": lines, "form": form, "errors": errors, "shipments": selectors.shipments_of(po)},
    )


@perm_required("procurement.view_incominginspection")
def inspection_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", InspectionStatus.PENDING)
    qs = selectors.inspections(status if status in InspectionStatus.values else None)
    if status == InspectionStatus.DONE:
        qs = qs.order_by("-inspected_on", "-id")
    return list_page(request, "procurement/inspection_list.html", filter_form=PoFilterForm(), qs=qs, status=status)


@perm_required("procurement.view_incominginspection")
def inspection_detail(request: HttpRequest, inspection_id: int) -> HttpResponse:
    try:
        inspection = selectors.get_inspection(inspection_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    received = inspection.receipt_line.quantity
    form = InspectionForm(
        request.POST or None,
        initial={
            "inspected_on": clock.today(),
            "checked_qty": received,
            "accepted_qty": received,
            "rejected_qty": 0,
            "disposition": Disposition.ACCEPT,
            "version": inspection.version,
        },
    )
    if request.method == "POST":
        if not request.user.has_perm("procurement.inspect_material"):
            raise DjangoPermissionDenied
        if form.is_valid():
            try:
                services.record_inspection(
                    inspection=inspection,
                    by=request.user,
                    data={k: v for k, v in form.cleaned_data.items() if v not in (None, "")},
                )
            except GendanError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The inspection result is recorded."))
                return redirect("procurement:inspection_list")
    return render(request, "procurement/inspection_detail.html", {"inspection": inspection, "form": form})


# ---- the supplier's page (no account: the signed link is the key) ---------------------------------------------


def supplier_po(request: HttpRequest, token: str) -> HttpResponse:
    """What the supplier sees through its link: this PO alone; it confirms or changes promised dates and
    quantities, and declares shipments. Everything it does is recorded in its name."""
    try:
        po, link = services.po_for_token(token)
    except links.LinkInvalid as exc:
        return render(request, "procurement/supplier_invalid.html", {"message": exc.message}, status=410)
    po = selectors.get_po(po.pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        lines = list(po.lines.all())
        try:
            if request.POST.get("action") == "ship":
                services.declare_shipment(
                    po=po,
                    link=link,
                    data={
                        "ship_date": request.POST.get("ship_date"),
                        "expected_date": request.POST.get("expected_date"),
                        "carrier": request.POST.get("carrier", ""),
                        "tracking": request.POST.get("tracking", ""),
                        "note": request.POST.get("note", ""),
                        "lines": [
                            {"line_id": line.pk, "quantity": request.POST.get(f"ship-{line.pk}") or "0"}
                            for line in lines
                        ],
                    },
                )
                messages.success(request, _("Thank you: the shipment is declared."))
            else:
                items = []
                for line in lines:
                    item: dict[str, Any] = {
                        "line_id": line.pk,
                        "promised_date": request.POST.get(f"promised-{line.pk}"),
                    }
                    if request.POST.get(f"qty-{line.pk}"):
                        item["confirmed_qty"] = request.POST[f"qty-{line.pk}"]
                    items.append(item)
                services.supplier_confirm(po=po, link=link, lines=items, note=request.POST.get("note", ""))
                messages.success(request, _("Thank you: your dates are recorded."))
        except GendanError as exc:
            messages.error(request, error_text(exc))
            if hasattr(exc, "errors"):
                errors = {k: v[0] for k, v in exc.errors.items()}
        else:
            return redirect("supplier:po", token=token)
        po = selectors.get_po(po.pk)
    return render(
        request,
        "procurement/supplier_po.html",
        {
            "po": po,
            "token": token,
            "link": link,
            "errors": errors,
            "today": clock.today(),
            "shipments": selectors.shipments_of(po),
            "can_act": po.status in WITH_SUPPLIER,
            "company": documents.company_name(translation.get_language() or settings.LANGUAGE_CODE),
        },
    )


def supplier_document(request: HttpRequest, token: str) -> HttpResponse:
    try:
        po, _link = services.po_for_token(token)
    except links.LinkInvalid as exc:
        return render(request, "procurement/supplier_invalid.html", {"message": exc.message}, status=410)
    language = request.GET.get("language") if request.GET.get("language") in dict(settings.LANGUAGES) else "zh-hans"
    response = HttpResponse(documents.po_pdf(selectors.get_po(po.pk), language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.po_filename(po, "pdf")}"'
    return response
