"""Stock, stock movements, reservations, warehouses and locations over the API: thin — schema in, service or
selector call, schema out."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from gendan.catalog.models import Material, Product
from gendan.core.apiutils import require_perm
from gendan.core.exceptions import InsufficientQuantity, ValidationError
from gendan.inventory import selectors, services
from gendan.inventory.forms import location_code_error
from gendan.inventory.models import Location, Reservation, Stock, StockMovement, Warehouse
from gendan.inventory.schemas import (
    LocationIn,
    LocationOut,
    MovementIn,
    MovementKindT,
    MovementOut,
    MovementPage,
    ReservationPage,
    StockOut,
    WarehouseDetailOut,
    WarehouseIn,
    WarehouseOut,
    WarehousePatch,
)
from gendan.sales.models import Order

router = Router(tags=["inventory"])
router.add_router("", "gendan.inventory.allocation_api.router")  # allocation of short stock (缺货分配)
LIMIT = Query(50, ge=1, le=500)
OFFSET = Query(0, ge=0, le=10**9)


# ---- serialisation (plain dicts from rows whose joins the selectors made) --------------------------------


def stock_dict(s: Stock) -> dict[str, Any]:
    item = s.material or s.product
    return {
        "location_id": s.location_id,
        "location": selectors.location_label(s.location),
        "warehouse_id": s.location.warehouse_id,
        "material_id": s.material_id,
        "material_code": s.material.code if s.material_id else None,
        "product_id": s.product_id,
        "product_code": s.product.code if s.product_id else None,
        "on_hand": s.on_hand,
        "reserved": s.reserved,
        "free": s.on_hand - s.reserved,
        "unit": item.unit,
    }


def movement_dict(m: StockMovement) -> dict[str, Any]:
    item = m.material or m.product
    return {
        "id": m.id,
        "kind": m.kind,
        "material_id": m.material_id,
        "material_code": m.material.code if m.material_id else None,
        "product_id": m.product_id,
        "product_code": m.product.code if m.product_id else None,
        "location_id": m.location_id,
        "location": selectors.location_label(m.location),
        "warehouse_id": m.location.warehouse_id,
        "quantity": m.quantity,
        "balance_after": m.balance_after,
        "unit": item.unit,
        "date": m.date,
        "order_id": m.order_id,
        "order_number": m.order.number if m.order_id else None,
        "reference": m.reference,
        "reason": m.reason,
        "override": m.override,
        "created_by": m.created_by.username if m.created_by_id else None,
        "created_at": m.created_at,
    }


def reservation_dict(r: Reservation) -> dict[str, Any]:
    return {
        "id": r.id,
        "order_id": r.order_id,
        "order_number": r.order.number,
        "material_id": r.material_id,
        "material_code": r.material.code,
        "location_id": r.location_id,
        "location": selectors.location_label(r.location),
        "warehouse_id": r.location.warehouse_id,
        "quantity": r.quantity,
        "unit": r.material.unit,
        "updated_at": r.updated_at,
    }


def location_dict(location: Location, warehouse: Warehouse) -> dict[str, Any]:
    return {
        "id": location.id,
        "warehouse_id": warehouse.id,
        "code": location.code,
        "name": location.name,
        "label": f"{warehouse.code}/{location.code}",
        "is_active": location.is_active,
    }


def warehouse_detail_dict(warehouse_id: int) -> dict[str, Any]:
    w = selectors.warehouse_detail(pk=warehouse_id)
    locations = list(w.locations.all())
    return {
        "id": w.id,
        "code": w.code,
        "name": w.name,
        "address": w.address,
        "is_active": w.is_active,
        "location_count": len(locations),
        "version": w.version,
        "locations": [location_dict(loc, w) for loc in locations],
    }


# ---- input mapping ------------------------------------------------------------------------------------


def _item(material_id: int | None, product_id: int | None) -> Material | Product:
    if (material_id is None) == (product_id is None):
        raise ValidationError({"material_id": _("Give either material_id or product_id.")})
    if material_id is not None:
        material = Material.objects.filter(pk=material_id).first()
        if material is None:
            raise ValidationError({"material_id": _("No material %(id)s.") % {"id": material_id}})
        return material
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise ValidationError({"product_id": _("No product %(id)s.") % {"id": product_id}})
    return product


def _location(location_id: int) -> Location:
    location = Location.objects.select_related("warehouse").filter(pk=location_id).first()
    if location is None:
        raise ValidationError({"location_id": _("No location %(id)s.") % {"id": location_id}})
    return location


def _order(order_id: int | None) -> Order | None:
    if order_id is None:
        return None
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise ValidationError({"order_id": _("No order %(id)s.") % {"id": order_id}})
    return order


def _api_errors(exc: ValidationError) -> ValidationError:
    """Name the service's fields the way the API does (location → location_id)."""
    renamed: dict[str, list[str]] = {}
    for field, msgs in exc.errors.items():
        name = {"location": "location_id", "order": "order_id", "warehouse": "warehouse_id"}.get(field, field)
        renamed.setdefault(name, []).extend(msgs)
    return ValidationError(renamed)


# ---- stock -------------------------------------------------------------------------------------------


@router.get("/stock", response=list[StockOut])
def stock_list(
    request: HttpRequest,
    material_id: int | None = None,
    product_id: int | None = None,
    warehouse_id: int | None = None,
    location_id: int | None = None,
    in_stock: bool = False,
):
    """On hand, reserved and free per location (a bare array: one row per item and location), by item code.
    `in_stock` keeps the rows with something on hand or reserved."""
    require_perm(request, "inventory.view_stock")
    rows = selectors.stock_list(
        material_id=material_id,
        product_id=product_id,
        warehouse=warehouse_id,
        location=location_id,
        in_stock=in_stock,
    )
    return [stock_dict(s) for s in rows]


@router.get("/stock-movements", response=MovementPage)
def movement_list(
    request: HttpRequest,
    material_id: int | None = None,
    product_id: int | None = None,
    kind: MovementKindT | None = None,
    warehouse_id: int | None = None,
    location_id: int | None = None,
    order_id: int | None = None,
    order_number: str = Query("", description="Part of an order number"),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    q: str = Query("", description="Part of the item's code or name"),
    limit: int = LIMIT,
    offset: int = OFFSET,
):
    """Stock movements, newest first. Filters combine."""
    require_perm(request, "inventory.view_stockmovement")
    qs = selectors.movement_list(
        item=q,
        material_id=material_id,
        product_id=product_id,
        kind=kind or "",
        warehouse=warehouse_id,
        location=location_id,
        order_id=order_id,
        order=order_number,
        date_from=date_from,
        date_to=date_to,
    )
    return {"items": [movement_dict(m) for m in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/stock-movements", response={201: MovementOut})
def movement_create(request: HttpRequest, data: MovementIn):
    """Record a movement and change the balance. Stock never goes below zero, nor below what other orders
    reserved (409 insufficient_quantity), unless `override` is sent by a user with inventory.override_negative_stock."""
    require_perm(request, "inventory.add_stockmovement")
    item = _item(data.material_id, data.product_id)
    location = _location(data.location_id)
    order = _order(data.order_id)
    try:
        movement = services.move(
            kind=data.kind,
            item=item,
            location=location,
            quantity=data.quantity,
            by=request.user,
            date=data.date,
            reason=data.reason,
            reference=data.reference,
            order=order,
            override=data.override,
        )
    except InsufficientQuantity:
        raise
    except ValidationError as exc:
        raise _api_errors(exc) from exc
    return Status(201, movement_dict(selectors.get_movement(movement.pk)))


# ---- reservations ------------------------------------------------------------------------------------


@router.get("/reservations", response=ReservationPage)
def reservation_list(
    request: HttpRequest,
    order_id: int | None = None,
    material_id: int | None = None,
    location_id: int | None = None,
    limit: int = LIMIT,
    offset: int = OFFSET,
):
    """Stock set aside for orders, by order number, then material and location."""
    require_perm(request, "inventory.view_reservation")
    qs = selectors.reservation_list(material=material_id, order=order_id, location=location_id)
    return {"items": [reservation_dict(r) for r in qs[offset : offset + limit]], "count": qs.count()}


# ---- warehouses and locations ---------------------------------------------------------------------------


@router.get("/warehouses", response=list[WarehouseOut])
@paginate
def warehouse_list(request: HttpRequest, q: str = "", is_active: bool | None = None):
    """Warehouses by code; `q` searches code, name and address."""
    require_perm(request, "inventory.view_warehouse")
    return selectors.warehouse_list(q=q, active=is_active)


@router.post("/warehouses", response={201: WarehouseDetailOut})
def warehouse_create(request: HttpRequest, data: WarehouseIn):
    """A warehouse with its first locations (`locations`, default one: A)."""
    require_perm(request, "inventory.add_warehouse")
    body = data.dict()
    codes = [c.strip() for c in body.pop("locations")]
    for i, code in enumerate(codes):
        problem = location_code_error(code) or (_("This code is given twice.") if code in codes[:i] else None)
        if problem:
            raise ValidationError({f"locations[{i}]": problem})
    warehouse = services.create_warehouse(by=request.user, data=body, locations=codes)
    return Status(201, warehouse_detail_dict(warehouse.pk))


@router.get("/warehouses/{warehouse_id}", response=WarehouseDetailOut)
def warehouse_get(request: HttpRequest, warehouse_id: int):
    """One warehouse with its locations (a bare array)."""
    require_perm(request, "inventory.view_warehouse")
    return warehouse_detail_dict(warehouse_id)


@router.patch("/warehouses/{warehouse_id}", response=WarehouseDetailOut)
def warehouse_update(request: HttpRequest, warehouse_id: int, data: WarehousePatch):
    """Change some fields; send the `version` you read (409 with the current one when stale)."""
    require_perm(request, "inventory.change_warehouse")
    warehouse = selectors.warehouse_detail(pk=warehouse_id)
    values = data.dict(exclude_unset=True)
    version = values.pop("version")
    for key in ("code", "name", "is_active"):
        if key in values and values[key] is None:
            raise ValidationError({key: _("This field cannot be empty.")})
    services.update_warehouse(warehouse=warehouse, by=request.user, version=version, data=values)
    return warehouse_detail_dict(warehouse_id)


@router.post("/warehouses/{warehouse_id}/locations", response={201: LocationOut})
def location_create(request: HttpRequest, warehouse_id: int, data: LocationIn):
    """Add a location to the warehouse; its code is unique within the warehouse."""
    require_perm(request, "inventory.add_location")
    warehouse = selectors.warehouse_detail(pk=warehouse_id)
    location = services.add_location(warehouse=warehouse, by=request.user, data=data.dict())
    return Status(201, location_dict(location, warehouse))
