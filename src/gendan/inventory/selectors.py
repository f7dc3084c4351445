"""Inventory reads: stock rows and per-item totals, movements, reservations, warehouses with their locations.

Every list joins what its rows show (location, warehouse, material or product, order), so a page or an endpoint
runs a fixed number of queries whatever its length.
"""

import datetime as dt
from typing import Any

from django.db.models import CharField, Count, DecimalField, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from gendan.catalog.models import Material, Product
from gendan.core.exceptions import NotFound
from gendan.inventory.models import Location, Reservation, Stock, StockMovement, Warehouse

ZERO = Value(0, output_field=DecimalField(max_digits=14, decimal_places=3))
ITEM_KINDS = ("material", "product")

# sort key (as the page and the API name it) → the columns it orders by
STOCK_SORTS: dict[str, list[str]] = {
    "item": ["item_code", "location__warehouse__code", "location__code"],
    "name": ["item_name", "item_code"],
    "location": ["location__warehouse__code", "location__code", "item_code"],
    "on_hand": ["on_hand", "item_code"],
    "reserved": ["reserved", "item_code"],
    "free": ["free_qty", "item_code"],
}
TOTAL_SORTS: dict[str, list[str]] = {
    "item": ["item_code"],
    "name": ["item_name", "item_code"],
    "on_hand": ["total_on_hand", "item_code"],
    "reserved": ["total_reserved", "item_code"],
    "free": ["total_free", "item_code"],
    "locations": ["locations", "item_code"],
}
MOVEMENT_SORTS: dict[str, list[str]] = {
    "date": ["date", "created_at", "id"],
    "item": ["item_code", "-created_at", "-id"],
    "kind": ["kind", "-created_at", "-id"],
    "location": ["location__warehouse__code", "location__code", "-created_at", "-id"],
    "quantity": ["quantity", "-created_at", "-id"],
}


def _sorted(qs: QuerySet, sort: str, allowed: dict[str, list[str]], default: list[str]) -> QuerySet:
    """`sort` is a key of `allowed`, "-" first for descending; anything else gives the default order."""
    key = (sort or "").lstrip("-")
    if key not in allowed:
        return qs.order_by(*default)
    columns = allowed[key]
    if sort.startswith("-"):
        columns = [c[1:] if c.startswith("-") else f"-{c}" for c in columns]
    return qs.order_by(*columns)


def _item_code() -> Coalesce:
    return Coalesce("material__code", "product__code", output_field=CharField())


def _item_name() -> Coalesce:
    return Coalesce("material__name", "product__name", output_field=CharField())


def _item_q(q: str) -> Q:
    return (
        Q(material__code__icontains=q)
        | Q(material__name__icontains=q)
        | Q(product__code__icontains=q)
        | Q(product__name__icontains=q)
    )


def _kind_q(kind: str) -> Q:
    return Q(material__isnull=False) if kind == "material" else Q(product__isnull=False)


def _warehouse_q(warehouse: int | str | Warehouse | None, prefix: str = "location__") -> Q:
    """A warehouse given by object, id (an int) or code (a str)."""
    if isinstance(warehouse, Warehouse):
        return Q(**{f"{prefix}warehouse": warehouse})
    if isinstance(warehouse, int):
        return Q(**{f"{prefix}warehouse_id": warehouse})
    return Q(**{f"{prefix}warehouse__code": warehouse})


def location_label(location: Location) -> str:
    """ "WH1/A": the warehouse's code and the location's (the location must carry its warehouse)."""
    return f"{location.warehouse.code}/{location.code}"


# ---- stock ------------------------------------------------------------------------------------------


def stock_list(
    *,
    q: str = "",
    warehouse: int | str | Warehouse | None = None,
    location: int | None = None,
    kind: str = "",
    in_stock: bool = False,
    material_id: int | None = None,
    product_id: int | None = None,
    sort: str = "",
) -> QuerySet[Stock]:
    """Stock rows (one item at one location) with location, warehouse and item joined; each carries `free_qty`,
    `item_code` and `item_name`. `q` searches the item's code and name; `kind` is "material" or "product";
    `in_stock` keeps rows with something on hand or reserved. By item code, then warehouse and location."""
    qs = Stock.objects.select_related("location__warehouse", "material", "product").annotate(
        free_qty=F("on_hand") - F("reserved"), item_code=_item_code(), item_name=_item_name()
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(_item_q(q))
    if warehouse:
        qs = qs.filter(_warehouse_q(warehouse))
    if location:
        qs = qs.filter(location_id=location)
    if kind in ITEM_KINDS:
        qs = qs.filter(_kind_q(kind))
    if in_stock:
        qs = qs.exclude(on_hand=0, reserved=0)
    if material_id:
        qs = qs.filter(material_id=material_id)
    if product_id:
        qs = qs.filter(product_id=product_id)
    return _sorted(qs, sort, STOCK_SORTS, ["item_code", "location__warehouse__code", "location__code"])


def item_totals(
    *,
    q: str = "",
    warehouse: int | str | Warehouse | None = None,
    location: int | None = None,
    kind: str = "",
    in_stock: bool = False,
    sort: str = "",
) -> QuerySet:
    """Per-item totals over the stock rows the same filters select: one dict per material or product with
    `material_id`, `product_id`, `item_code`, `item_name`, `unit`, `total_on_hand`, `total_reserved`, `total_free`
    and `locations` (how many stock rows)."""
    rows = stock_list(q=q, warehouse=warehouse, location=location, kind=kind, in_stock=in_stock)
    qs = (
        rows.order_by()
        .annotate(unit=Coalesce("material__unit", "product__unit", output_field=CharField()))
        .values("material_id", "product_id", "item_code", "item_name", "unit")
        .annotate(
            total_on_hand=Coalesce(Sum("on_hand"), ZERO),
            total_reserved=Coalesce(Sum("reserved"), ZERO),
            total_free=Coalesce(Sum("on_hand"), ZERO) - Coalesce(Sum("reserved"), ZERO),
            locations=Count("id"),
        )
    )
    return _sorted(qs, sort, TOTAL_SORTS, ["item_code"])


def get_material(pk: int) -> Material:
    """The material (with its default supplier); NotFound when there is none."""
    material = Material.objects.select_related("default_supplier").filter(pk=pk).first()
    if material is None:
        raise NotFound(_("No material with id %(id)s.") % {"id": pk})
    return material


def material_or_none(pk: int) -> Material | None:
    return Material.objects.filter(pk=pk).first()


def product_or_none(pk: int) -> Product | None:
    return Product.objects.filter(pk=pk).first()


def item_choices() -> dict[str, list[tuple[str, str]]]:
    """Codes and names of the active materials and products, for the movement form's suggestions."""
    return {
        "material": list(Material.objects.filter(is_active=True).order_by("code").values_list("code", "name")),
        "product": list(Product.objects.filter(is_active=True).order_by("code").values_list("code", "name")),
    }


# ---- movements --------------------------------------------------------------------------------------


def movement_list(
    *,
    item: str = "",
    material_id: int | None = None,
    product_id: int | None = None,
    kind: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    order: str = "",
    order_id: int | None = None,
    warehouse: int | str | Warehouse | None = None,
    location: int | None = None,
    sort: str = "",
) -> QuerySet[StockMovement]:
    """Stock movements, newest first, with location, warehouse, item, order and author joined.

    `item` searches the item's code and name; `order` is (part of) an order number; `kind` a movement kind."""
    qs = StockMovement.objects.select_related(
        "location__warehouse", "material", "product", "order", "created_by"
    ).annotate(item_code=_item_code())
    item = (item or "").strip()
    if item:
        qs = qs.filter(_item_q(item))
    if material_id:
        qs = qs.filter(material_id=material_id)
    if product_id:
        qs = qs.filter(product_id=product_id)
    if kind:
        qs = qs.filter(kind=kind)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    order = (order or "").strip()
    if order:
        qs = qs.filter(order__number__icontains=order)
    if order_id:
        qs = qs.filter(order_id=order_id)
    if warehouse:
        qs = qs.filter(_warehouse_q(warehouse))
    if location:
        qs = qs.filter(location_id=location)
    return _sorted(qs, sort, MOVEMENT_SORTS, ["-created_at", "-id"])


def get_movement(pk: int) -> StockMovement:
    movement = movement_list().filter(pk=pk).first()
    if movement is None:
        raise NotFound(_("No stock movement with id %(id)s.") % {"id": pk})
    return movement


# ---- reservations ------------------------------------------------------------------------------------


def reservation_list(
    *, material: Material | int | None = None, order: Any = None, location: int | None = None
) -> QuerySet[Reservation]:
    """Reservations of a material, of an order (object or id), or both; with order, customer, material and
    location joined; by order number, then material and location."""
    qs = Reservation.objects.select_related("order__customer", "material", "location__warehouse")
    if material is not None:
        qs = qs.filter(material=material)
    if order is not None:
        qs = qs.filter(order=order)
    if location:
        qs = qs.filter(location_id=location)
    return qs.order_by("order__number", "material__code", "location__warehouse__code", "location__code")


# ---- warehouses and locations ---------------------------------------------------------------------------


def warehouse_list(*, q: str = "", active: bool | None = None) -> QuerySet[Warehouse]:
    """Warehouses by code, each with `location_count`."""
    qs = Warehouse.objects.annotate(location_count=Count("locations"))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(address__icontains=q))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("code")


def warehouse_detail(*, pk: int) -> Warehouse:
    """One warehouse with its locations prefetched (each with `stock_rows`, the items it holds); NotFound else."""
    locations = Location.objects.annotate(
        stock_rows=Count("stock", filter=~Q(stock__on_hand=0) | ~Q(stock__reserved=0))
    ).order_by("code")
    warehouse = Warehouse.objects.prefetch_related(Prefetch("locations", queryset=locations)).filter(pk=pk).first()
    if warehouse is None:
        raise NotFound(_("No warehouse with id %(id)s.") % {"id": pk})
    return warehouse


def location_choices(*, include: int | None = None) -> QuerySet[Location]:
    """Active locations of active warehouses (and `include`, whatever its state), with their warehouse."""
    active = Q(is_active=True, warehouse__is_active=True)
    return (
        Location.objects.filter(active | Q(pk=include) if include else active)
        .select_related("warehouse")
        .order_by("warehouse__code", "code")
    )


def get_location(pk: int) -> Location:
    location = Location.objects.select_related("warehouse").filter(pk=pk).first()
    if location is None:
        raise NotFound(_("No location with id %(id)s.") % {"id": pk})
    return location
