"""Shipping pages: the shipment list (filters, Excel), a new shipment (the customer, then the open quantities of its
order lines), a shipment's page (facts, lines with ordered / shipped / open, packing with the container suggestion,
booking, departure, B/L, customs, documents and sending them, actions, audit), its edit page, the customers'
shipping profiles, and the order page's shipments section."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gendan.core import audit, clock
from gendan.core.excel import Column, xlsx_download, xlsx_response
from gendan.core.exceptions import GendanError, NotFound
from gendan.core.models import User
from gendan.core.money import round_money
from gendan.core.pages import error_text, paginate, perm_required, querystring_without
from gendan.partners.models import Customer, Supplier
from gendan.sales.models import Order
from gendan.shipping import documents, selectors, services
from gendan.shipping.choices import (
    EDITABLE,
    LINES_EDITABLE,
    SEA_MODES,
    STATUS_COLORS,
    TRANSITIONS,
    CoForm,
    ContainerType,
    DocumentKind,
    ShipmentMode,
    ShipmentStatus,
)
from gendan.shipping.models import Shipment, ShippingProfile

LIST_COLUMNS = [
    Column("number", "出货单号", "Shipment", width=16),
    Column("customer.code", "客户", "Customer", width=12),
    Column("mode_label", "运输方式", "Mode", getter=lambda s: str(s.get_mode_display()), width=18),
    Column("status_label", "状态", "Status", getter=lambda s: str(s.get_status_display()), width=14),
    Column("planned_ex_factory_date", "计划出厂", "Planned ex-factory", width=14),
    Column("etd", "ETD", "ETD", width=12),
    Column("eta", "ETA", "ETA", width=12),
    Column("port_of_loading", "起运港", "Port of loading", width=16),
    Column("port_of_discharge", "目的港", "Port of discharge", width=16),
    Column("incoterm", "贸易术语", "Incoterm", width=8),
    Column("booking_no", "订舱号", "Booking", width=16),
    Column("bl_number", "提单号", "B/L", width=16),
    Column("invoice_number", "发票号", "Invoice", width=16),
    Column("forwarder", "货代", "Forwarder", getter=lambda s: s.forwarder.code if s.forwarder_id else "", width=12),
]
ACTION_LABELS = {
    ShipmentStatus.CANCELLED: (_("Cancel"), "btn-danger"),
    ShipmentStatus.CLOSED: (_("Close"), ""),
}


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _get(pk: int) -> Shipment:
    try:
        return selectors.shipment(pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@perm_required("shipping.view_shipment")
def shipment_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    customer = g.get("customer", "")
    filters = {
        "status": g.get("status", "open" if not g else ""),
        "customer_id": int(customer) if customer.isdigit() else None,
        "mode": g.get("mode", "") if g.get("mode", "") in ShipmentMode.values else "",
        "etd_from": _date(g.get("etd_from", "")),
        "etd_to": _date(g.get("etd_to", "")),
        "q": g.get("q", ""),
    }
    qs = selectors.shipments(**filters)
    if g.get("format") == "xlsx":
        return xlsx_download(LIST_COLUMNS, qs, title=_("Shipments"), stem="shipments")
    page = paginate(request, qs)
    return render(
        request,
        "shipping/shipment_list.html",
        {
            "page": page,
            "filters": filters,
            "customers": Customer.objects.filter(shipments__isnull=False).distinct().order_by("code"),
            "statuses": [("open", _("Open (not departed)")), *ShipmentStatus.choices],
            "modes": ShipmentMode.choices,
            "status_colors": STATUS_COLORS,
            "qs": querystring_without(request, "page"),
            "export_qs": querystring_without(request, "page", "per_page", "format"),
        },
    )


@perm_required("shipping.add_shipment")
def shipment_new(request: HttpRequest) -> HttpResponse:
    """Step 1: the customer; step 2: its open order lines, each with a box and the quantity to ship."""
    source = request.POST if request.method == "POST" else request.GET
    customer = (
        Customer.objects.filter(pk=source.get("customer") or 0).first()
        if source.get("customer", "").isdigit()
        else None
    )
    errors: dict[str, list[str]] = {}
    rows = selectors.open_lines(customer.pk) if customer else []
    if request.method == "POST" and customer is not None:
        picked = request.POST.getlist("line")
        lines = [
            {"order_line_id": pk, "quantity": request.POST.get(f"qty-{pk}", "").strip()}
            for pk in picked
            if pk.isdigit()
        ]
        data = {
            "customer_id": customer.pk,
            "lines": lines,
            **{
                k: request.POST.get(k, "").strip()
                for k in ("mode", "port_of_loading", "port_of_discharge", "planned_ex_factory_date", "notes")
                if request.POST.get(k, "").strip()
            },
        }
        try:
            created = services.create_shipment(by=request.user, data=data)
        except GendanError as exc:
            errors = getattr(exc, "errors", {"__all__": [error_text(exc)]})
        else:
            messages.success(request, _("%(number)s is planned.") % {"number": created.number})
            return redirect("shipping:shipment", pk=created.pk)
    profile = services.profile_of(customer.pk) if customer else None
    posted = request.POST if request.method == "POST" else None
    line_errors = {}
    for key, msgs in errors.items():
        if key.startswith("lines."):
            index = int(key.split(".")[1]) - 1
            picked = [pk for pk in request.POST.getlist("line") if pk.isdigit()]
            if 0 <= index < len(picked):
                line_errors[int(picked[index])] = msgs
    for row in rows:
        pk = row["line"].pk
        row["checked"] = posted is not None and str(pk) in posted.getlist("line")
        row["qty"] = posted.get(f"qty-{pk}", "") if posted is not None else f"{row['progress'].open.normalize():f}"
        row["errors"] = line_errors.get(pk, [])
    general = [m for k, msgs in errors.items() if not k.startswith("lines.") for m in msgs]
    return render(
        request,
        "shipping/shipment_new.html",
        {
            "customer": customer,
            "customers": Customer.objects.filter(orders__status__in=services.SHIPPABLE).distinct().order_by("code"),
            "rows": rows,
            "errors": general,
            "modes": ShipmentMode.choices,
            "values": {
                "mode": (posted or {}).get("mode") or (profile.mode if profile and profile.mode else "sea_fcl"),
                "port_of_loading": (posted or {}).get("port_of_loading")
                or (profile.port_of_loading if profile else ""),
                "port_of_discharge": (posted or {}).get("port_of_discharge")
                or (profile.port_of_discharge if profile else ""),
                "planned_ex_factory_date": (posted or {}).get("planned_ex_factory_date", ""),
                "notes": (posted or {}).get("notes", ""),
            },
            "tolerance": services.tolerance_pct(customer.pk) if customer else None,
        },
    )


def _actions(s: Shipment, user: Any) -> list[dict[str, Any]]:
    """The buttons the state machine allows that need no more than a reason (the others have their forms)."""
    if not user.has_perm("shipping.change_shipment"):
        return []
    actions = []
    allowed = TRANSITIONS[s.status]
    if ShipmentStatus.CLOSED in allowed:
        actions.append({"action": "close", "label": _("Close"), "style": ""})
    if ShipmentStatus.CANCELLED in allowed:
        actions.append(
            {"action": "cancel", "label": _("Cancel the shipment"), "style": "btn-danger", "needs_reason": True}
        )
    return actions


@perm_required("shipping.view_shipment")
def shipment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    s = _get(pk)
    user = request.user
    lines = list(s.lines.all())
    progress = selectors.line_progress([sl.order_line for sl in lines])
    pk_ = selectors.packing_of(s)
    can_change = user.has_perm("shipping.change_shipment")
    allowed = TRANSITIONS[s.status]
    contacts = [c.email for c in s.customer.contacts.exclude(email="").order_by("-is_primary", "name")]
    rows = [
        {
            "sl": p.key,
            "packing": p,
            "progress": progress[p.key.order_line_id],
            "line": p.key.order_line,
            "amount": round_money(p.key.quantity * p.key.order_line.unit_price, s.currency),
        }
        for p in pk_.lines
    ]
    return render(
        request,
        "shipping/shipment_detail.html",
        {
            "s": s,
            "rows": rows,
            "packing": pk_,
            "is_sea": s.mode in SEA_MODES,
            "value": selectors.total_value(s),
            "status_colors": STATUS_COLORS,
            "actions": _actions(s, user),
            "can_change": can_change and s.status in EDITABLE,
            "can_edit_lines": can_change and s.status in LINES_EDITABLE,
            "can_book": can_change and ShipmentStatus.BOOKED in allowed,
            "can_load": can_change and ShipmentStatus.LOADED in allowed,
            "can_depart": can_change and ShipmentStatus.DEPARTED in allowed,
            "can_arrive": can_change and ShipmentStatus.ARRIVED in allowed,
            "can_bl": can_change
            and s.status in (ShipmentStatus.DEPARTED, ShipmentStatus.ARRIVED, ShipmentStatus.CLOSED),
            "can_customs": user.has_perm("shipping.change_customsdeclaration") and s.status != ShipmentStatus.CANCELLED,
            "can_send": can_change and s.status != ShipmentStatus.CANCELLED,
            "declaration": selectors.declaration_of(s),
            "forwarders": Supplier.objects.filter(kind__in=["forwarder", "courier"], is_active=True).order_by("code"),
            "brokers": Supplier.objects.filter(is_active=True).order_by("kind", "code"),
            "container_types": ContainerType.values,
            "document_kinds": DocumentKind.choices,
            "langs": [("en", "English"), ("zh", "中文"), ("both", "中文 + English")],
            "contacts": ", ".join(contacts),
            "order_numbers": selectors.order_numbers(s),
            "history": audit.history_for(s, limit=60),
            "today": clock.today(),
        },
    )


EDIT_FIELDS = (
    "mode",
    "co_form",
    "port_of_loading",
    "port_of_discharge",
    "planned_ex_factory_date",
    "consignee",
    "notify_party",
    "shipping_marks",
    "notes",
)


@perm_required("shipping.change_shipment")
def shipment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    s = _get(pk)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {f: getattr(s, f) for f in EDIT_FIELDS}
    values["planned_ex_factory_date"] = s.planned_ex_factory_date.isoformat()
    lines = list(s.lines.all())
    quantities = {sl.order_line_id: f"{sl.quantity.normalize():f}" for sl in lines}
    if request.method == "POST":
        values = {f: request.POST.get(f, "") for f in EDIT_FIELDS}
        data: dict[str, Any] = dict(values)
        if s.status in LINES_EDITABLE:
            quantities = {sl.order_line_id: request.POST.get(f"qty-{sl.order_line_id}", "").strip() for sl in lines}
            data["lines"] = [
                {"order_line_id": ol_id, "quantity": qty} for ol_id, qty in quantities.items() if qty not in ("", "0")
            ]
        try:
            services.update_shipment(shipment=s, by=request.user, data=data, version=request.POST.get("version"))
        except GendanError as exc:
            errors = getattr(exc, "errors", {"__all__": [error_text(exc)]})
        else:
            messages.success(request, _("%(number)s is saved.") % {"number": s.number})
            return redirect("shipping:shipment", pk=s.pk)
    return render(
        request,
        "shipping/shipment_edit.html",
        {
            "s": s,
            "values": values,
            "errors": errors,
            "all_errors": [m for msgs in errors.values() for m in msgs],
            "lines": [{"sl": sl, "qty": quantities.get(sl.order_line_id, "")} for sl in lines],
            "can_edit_lines": s.status in LINES_EDITABLE,
            "modes": ShipmentMode.choices,
            "co_forms": CoForm.choices,
        },
    )


def _booking_data(post: Any) -> dict[str, Any]:
    names = (
        "forwarder_id",
        "booking_no",
        "carrier",
        "vessel_voyage",
        "container_type",
        "container_count",
        "cutoff_documents",
        "cutoff_customs",
        "cutoff_cargo",
        "etd",
        "eta",
    )
    return {n: post.get(n, "").strip() for n in names if n in post}


def _customs_data(post: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        n: post.get(n, "").strip()
        for n in ("broker_id", "declaration_no", "declaration_date", "release_date", "notes")
        if n in post
    }
    lines, index = [], 1
    while f"hs_code-{index}" in post:
        row = {
            f: post.get(f"{f}-{index}", "").strip() for f in ("hs_code", "declared_name", "quantity", "unit", "value")
        }
        row["shipment_line_id"] = post.get(f"shipment_line_id-{index}", "").strip() or None
        if any(v for k, v in row.items() if k != "shipment_line_id"):
            lines.append(row)
        index += 1
    if index > 1:
        data["lines"] = lines
    return data


@require_POST
@perm_required("shipping.view_shipment")
def shipment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    s = _get(pk)
    post, by = request.POST, request.user
    version = post.get("version") or None
    anchor = ""
    try:
        if action == "book":
            services.book(shipment=s, by=by, data=_booking_data(post), version=version)
            messages.success(request, _("%(number)s is booked.") % {"number": s.number})
        elif action == "booking":
            services.update_shipment(shipment=s, by=by, data=_booking_data(post), version=version)
            messages.success(request, _("The booking of %(number)s is saved.") % {"number": s.number})
        elif action == "load":
            services.load(shipment=s, by=by, day=post.get("date") or None, version=version)
            messages.success(request, _("%(number)s is loaded (ex-factory).") % {"number": s.number})
        elif action == "depart":
            services.depart(
                shipment=s,
                by=by,
                atd=post.get("atd") or None,
                bl_number=post.get("bl_number", ""),
                bl_date=post.get("bl_date") or None,
                version=version,
            )
            messages.success(request, _("The departure of %(number)s is recorded.") % {"number": s.number})
        elif action == "arrive":
            services.arrive(shipment=s, by=by, ata=post.get("ata") or None, version=version)
            messages.success(request, _("The arrival of %(number)s is recorded.") % {"number": s.number})
        elif action == "close":
            services.close(shipment=s, by=by, version=version)
            messages.success(request, _("%(number)s is closed.") % {"number": s.number})
        elif action == "cancel":
            services.cancel(shipment=s, by=by, reason=post.get("reason", ""), version=version)
            messages.success(request, _("%(number)s is cancelled.") % {"number": s.number})
        elif action == "bl":
            services.record_bl(
                shipment=s, by=by, bl_number=post.get("bl_number", ""), bl_date=post.get("bl_date"), version=version
            )
            messages.success(request, _("The B/L of %(number)s is recorded.") % {"number": s.number})
        elif action == "packing":
            anchor = "#packing"
            items = []
            for sl in s.lines.all():
                items.append(
                    {
                        "id": sl.pk,
                        **{f: post.get(f"{f}-{sl.pk}", "").strip() for f in ("cartons", "net_kg", "gross_kg", "cbm")},
                    }
                )
            services.set_packing(shipment=s, by=by, lines=items, version=version)
            messages.success(request, _("The packing of %(number)s is saved.") % {"number": s.number})
        elif action == "customs":
            anchor = "#customs"
            services.save_declaration(
                shipment=s, by=by, data=_customs_data(post), version=post.get("declaration_version") or None
            )
            messages.success(request, _("The customs declaration of %(number)s is saved.") % {"number": s.number})
        elif action == "send":
            anchor = "#documents"
            services.send_documents(
                shipment=s,
                by=by,
                kinds=post.getlist("kinds"),
                to=post.get("to", "").replace(";", ",").split(","),
                lang=post.get("lang") or "en",
                message=post.get("message", ""),
            )
            messages.success(request, _("The documents of %(number)s are sent.") % {"number": s.number})
        else:
            raise Http404
    except GendanError as exc:
        messages.error(request, error_text(exc))
    from django.urls import reverse

    return redirect(reverse("shipping:shipment", args=[pk]) + anchor)


@perm_required("shipping.view_shipment")
def document(request: HttpRequest, pk: int, kind: str, fmt: str) -> HttpResponse:
    """A document as PDF (shown in the browser) or .xlsx (downloaded), `?lang=en|zh|both`."""
    s = _get(pk)
    lang = request.GET.get("lang") or "en"
    if kind not in DocumentKind.values or fmt not in ("pdf", "xlsx") or lang not in documents.LANGS:
        raise Http404
    if s.status == ShipmentStatus.CANCELLED:
        raise Http404(_("A cancelled shipment has no documents."))
    doc = documents.build(s.pk, kind, lang)
    if fmt == "xlsx":
        return xlsx_response(documents.xlsx_of(doc), f"{doc.filename}-{lang}.xlsx")
    response = HttpResponse(documents.pdf_of(doc), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{doc.filename}-{lang}.pdf"'
    return response


@perm_required("shipping.view_shippingprofile")
def profiles(request: HttpRequest) -> HttpResponse:
    """Each customer's shipping profile (tolerance, parties, marks, ports, clerk); one edited at a time."""
    editing = Customer.objects.filter(pk=request.GET.get("customer") or request.POST.get("customer") or 0).first()
    if request.method == "POST" and editing is not None:
        names = (
            "tolerance_pct",
            "consignee",
            "notify_party",
            "shipping_marks",
            "port_of_loading",
            "port_of_discharge",
            "mode",
            "co_form",
            "shipping_clerk",
        )
        try:
            services.save_profile(
                customer=editing,
                by=request.user,
                data={n: request.POST.get(n, "") for n in names},
                version=request.POST.get("version") or None,
            )
        except GendanError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The shipping profile of %(code)s is saved.") % {"code": editing.code})
            return redirect("shipping:profiles")
    profile = ShippingProfile.objects.filter(customer=editing).first() if editing else None
    from gendan.core.choices import Role

    return render(
        request,
        "shipping/profiles.html",
        {
            "rows": ShippingProfile.objects.select_related("customer", "shipping_clerk").order_by("customer__code"),
            "customers": Customer.objects.only("id", "code", "name").order_by("code"),
            "editing": editing,
            "profile": profile,
            "default_tolerance": services.tolerance_pct(0),
            "modes": ShipmentMode.choices,
            "co_forms": CoForm.choices,
            "clerks": User.objects.filter(is_active=True, groups__name__in=[Role.SHIPPING, Role.MERCHANDISER])
            .distinct()
            .order_by("username"),
            "can_edit": request.user.has_perm("shipping.change_shippingprofile"),
        },
    )


def order_section_context(request: HttpRequest, order: Order) -> dict[str, Any]:
    lines = list(order.lines.select_related("product").order_by("position", "pk"))
    progress = selectors.line_progress(lines)
    found = list(
        selectors.shipments(order_id=order.pk).prefetch_related("lines__order_line").order_by("planned_ex_factory_date")
    )
    for s in found:
        s.order_quantity = sum((sl.quantity for sl in s.lines.all() if sl.order_line.order_id == order.pk), 0)
    return {
        "shipments": found,
        "line_rows": [{"line": line, "progress": progress[line.pk]} for line in lines],
        "status_colors": STATUS_COLORS,
        "can_ship": request.user.has_perm("shipping.add_shipment") and order.status in services.SHIPPABLE,
    }
