"""Stock pages under /inventory/: stock per location (or per item), movements, the movement form, a material's
stock with its reservations, warehouses and their locations. Thin: a form in, a service call, a template out."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from gendan.catalog.choices import Unit
from gendan.catalog.models import Material
from gendan.core import audit
from gendan.core.excel import xlsx_download
from gendan.core.exceptions import GendanError
from gendan.core.forms import active_value
from gendan.core.pages import (
    apply_errors,
    cleaned_filters,
    list_page,
    object_or_404,
    paginate,
    perm_required,
    querystring_without,
)
from gendan.inventory import selectors, services
from gendan.inventory.exports import MOVEMENT_COLUMNS, STOCK_COLUMNS, TOTAL_COLUMNS
from gendan.inventory.forms import (
    LocationForm,
    MovementFilterForm,
    MovementForm,
    StockFilterForm,
    WarehouseAddForm,
    WarehouseFilterForm,
    WarehouseForm,
)
from gendan.inventory.models import StockMovement, Warehouse

LAST_MOVEMENTS = 20


def _warehouse_url(warehouse: Warehouse) -> str:
    return reverse("inventory:warehouse", args=[warehouse.pk])


# ---- stock --------------------------------------------------------------------------------------------


def _stock(request: HttpRequest) -> tuple[StockFilterForm, Any, bool]:
    """The filter form, the rows it selects (stock rows, or per-item totals) and whether they are totals."""
    form = StockFilterForm(request.GET)
    f = cleaned_filters(form)
    filters = {
        "q": f.get("q", ""),
        "warehouse": f.get("warehouse"),
        "location": f.get("location"),
        "kind": f.get("kind", ""),
        "in_stock": bool(f.get("in_stock")),
        "sort": request.GET.get("sort", ""),
    }
    totals = f.get("view") == "totals"
    qs = selectors.item_totals(**filters) if totals else selectors.stock_list(**filters)
    return form, qs, totals


@perm_required("inventory.view_stock")
def stock_list(request: HttpRequest) -> HttpResponse:
    form, qs, totals = _stock(request)
    page = paginate(request, qs)
    if totals:
        labels = dict(Unit.choices)
        for row in page:
            row["unit_label"] = labels.get(row["unit"], row["unit"])
    location_id = cleaned_filters(form).get("location")
    context = {
        "filter_form": form,
        "page": page,
        "qs": querystring_without(request, "page"),
        "export_qs": querystring_without(request, "page", "per_page"),
        "totals": totals,
        "location": selectors.location_choices(include=location_id).filter(pk=location_id).first()
        if location_id
        else None,
    }
    return render(request, "inventory/stock_list.html", context)


@perm_required("inventory.view_stock")
def stock_export(request: HttpRequest) -> HttpResponse:
    """The filtered stock list, every row, as .xlsx (per location, or the totals per item)."""
    _form, qs, totals = _stock(request)
    if totals:
        return xlsx_download(TOTAL_COLUMNS, qs, title=_("Stock totals"), stem="stock-totals")
    return xlsx_download(STOCK_COLUMNS, qs, title=_("Stock"), stem="stock")


@perm_required("inventory.view_stock", "catalog.view_material")
def material_stock(request: HttpRequest, pk: int) -> HttpResponse:
    """One material's balance per location, what each order reserved of it, and its last movements."""
    material: Material = object_or_404(selectors.get_material, pk)
    rows = list(selectors.stock_list(material_id=material.pk, sort="location"))
    on_hand = sum((s.on_hand for s in rows), services.ZERO)
    reserved = sum((s.reserved for s in rows), services.ZERO)
    movements = selectors.movement_list(material_id=material.pk)
    context = {
        "material": material,
        "rows": rows,
        "summary": {"on_hand": on_hand, "reserved": reserved, "free": on_hand - reserved},
        "reservations": selectors.reservation_list(material=material),
        "movements": movements[:LAST_MOVEMENTS],
        "more_movements": movements[LAST_MOVEMENTS : LAST_MOVEMENTS + 1].exists(),
        "movements_url": reverse("inventory:movement_list") + "?" + urlencode({"material": material.pk}),
        "move_url": reverse("inventory:movement_add") + "?" + urlencode({"material": material.pk}),
    }
    return render(request, "inventory/material_stock.html", context)


# ---- movements ----------------------------------------------------------------------------------------


def _movements(request: HttpRequest) -> tuple[MovementFilterForm, Any]:
    form = MovementFilterForm(request.GET)
    f = cleaned_filters(form)
    qs = selectors.movement_list(
        item=f.get("item", ""),
        material_id=f.get("material"),
        product_id=f.get("product"),
        kind=f.get("kind", ""),
        date_from=f.get("date_from"),
        date_to=f.get("date_to"),
        order=f.get("order", ""),
        warehouse=f.get("warehouse"),
        sort=request.GET.get("sort", ""),
    )
    return form, qs


def _movement_subject(form: MovementFilterForm) -> dict[str, Any]:
    """The material or product the list is narrowed to by id (a stock row's link), and its query string."""
    f = cleaned_filters(form)
    if f.get("material"):
        item = selectors.material_or_none(f["material"])
        return {"subject": item, "subject_qs": urlencode({"material": item.pk})} if item else {}
    if f.get("product"):
        item = selectors.product_or_none(f["product"])
        return {"subject": item, "subject_qs": urlencode({"product": item.pk})} if item else {}
    return {}


@perm_required("inventory.view_stockmovement")
def movement_list(request: HttpRequest) -> HttpResponse:
    form, qs = _movements(request)
    return list_page(request, "inventory/movement_list.html", filter_form=form, qs=qs, **_movement_subject(form))


@perm_required("inventory.view_stockmovement")
def movement_export(request: HttpRequest) -> HttpResponse:
    _form, qs = _movements(request)
    return xlsx_download(MOVEMENT_COLUMNS, qs, title=_("Stock movements"), stem="stock-movements")


def _movement_initial(request: HttpRequest) -> dict[str, Any]:
    """Pre-filled from the link that opened the form: ?material= or ?product= (ids), ?location= (else the default
    location), ?kind=."""
    initial: dict[str, Any] = {}
    item_id = request.GET.get("material") or request.GET.get("product")
    if item_id and item_id.isdigit():
        if request.GET.get("material"):
            item = selectors.material_or_none(int(item_id))
            initial["item_kind"] = "material"
        else:
            item = selectors.product_or_none(int(item_id))
            initial["item_kind"] = "product"
        if item is not None:
            initial["item"] = item.code
    if (request.GET.get("location") or "").isdigit():
        initial["location"] = int(request.GET["location"])
    else:
        try:
            initial["location"] = services.default_location().pk
        except GendanError:
            pass  # no warehouse yet: the select is empty and says so
    if request.GET.get("kind"):
        initial["kind"] = request.GET["kind"]
    return initial


def _after_move_url(movement: StockMovement) -> str:
    if movement.material_id:
        return reverse("inventory:material_stock", args=[movement.material_id])
    return reverse("inventory:movement_list") + "?" + urlencode({"product": movement.product_id})


@perm_required("inventory.add_stockmovement")
def movement_add(request: HttpRequest) -> HttpResponse:
    form = MovementForm(request.POST or None, user=request.user, initial=_movement_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            movement = services.move(by=request.user, **form.service_kwargs())
        except GendanError as exc:
            apply_errors(form, exc)
        else:
            item = movement.material or movement.product
            messages.success(
                request,
                _("%(kind)s of %(qty)s %(unit)s %(item)s recorded at %(loc)s; the balance there is now %(after)s.")
                % {
                    "kind": movement.get_kind_display(),
                    "qty": services.fmt(abs(movement.quantity)),
                    "unit": item.unit,
                    "item": item.code,
                    "loc": movement.location,
                    "after": services.fmt(movement.balance_after),
                },
            )
            if "another" in request.POST:
                return redirect(reverse("inventory:movement_add"))
            return redirect(_after_move_url(movement))
    context = {"form": form, "items": selectors.item_choices()}
    return render(request, "inventory/movement_form.html", context)


# ---- warehouses and locations ---------------------------------------------------------------------------


@perm_required("inventory.view_warehouse")
def warehouse_list(request: HttpRequest) -> HttpResponse:
    form = WarehouseFilterForm(request.GET)
    f = cleaned_filters(form)
    qs = selectors.warehouse_list(q=f.get("q", ""), active=active_value(f.get("active", "")))
    return list_page(request, "inventory/warehouse_list.html", filter_form=form, qs=qs)


@perm_required("inventory.view_warehouse")
def warehouse_detail(request: HttpRequest, pk: int) -> HttpResponse:
    warehouse = object_or_404(selectors.warehouse_detail, pk)
    context = {
        "warehouse": warehouse,
        "locations": warehouse.locations.all(),
        "location_form": LocationForm(),
        "changes": audit.history_for(warehouse),
    }
    return render(request, "inventory/warehouse_detail.html", context)


def _save_warehouse(
    request: HttpRequest, form: WarehouseForm, write: Any, *, context: dict[str, Any], done: str
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            warehouse = write()
        except GendanError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, done % {"obj": warehouse})
            return redirect(_warehouse_url(warehouse))
    return render(request, "inventory/form.html", {"form": form, **context})


@perm_required("inventory.add_warehouse")
def warehouse_add(request: HttpRequest) -> HttpResponse:
    form = WarehouseAddForm(request.POST or None)
    return _save_warehouse(
        request,
        form,
        lambda: services.create_warehouse(
            by=request.user, data=form.values(), locations=form.cleaned_data["locations"]
        ),
        context={"title": _("New warehouse"), "cancel_url": reverse("inventory:warehouse_list")},
        done=_("Warehouse %(obj)s created."),
    )


@perm_required("inventory.change_warehouse")
def warehouse_edit(request: HttpRequest, pk: int) -> HttpResponse:
    warehouse = object_or_404(selectors.warehouse_detail, pk)
    form = WarehouseForm(request.POST or None, instance=warehouse)
    return _save_warehouse(
        request,
        form,
        lambda: services.update_warehouse(
            warehouse=warehouse, by=request.user, version=form.read_version, data=form.values()
        ),
        context={
            "title": _("Edit warehouse %(code)s") % {"code": warehouse.code},
            "cancel_url": _warehouse_url(warehouse),
            "obj": warehouse,
        },
        done=_("Warehouse %(obj)s saved."),
    )


@perm_required("inventory.add_location")
def location_add(request: HttpRequest, pk: int) -> HttpResponse:
    warehouse = object_or_404(selectors.warehouse_detail, pk)
    form = LocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            location = services.add_location(warehouse=warehouse, by=request.user, data=form.cleaned_data)
        except GendanError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Location %(loc)s added.") % {"loc": selectors.location_label(location)})
            return redirect(_warehouse_url(warehouse))
    context = {
        "form": form,
        "title": _("New location in %(warehouse)s") % {"warehouse": warehouse},
        "cancel_url": _warehouse_url(warehouse),
    }
    return render(request, "inventory/form.html", context)
