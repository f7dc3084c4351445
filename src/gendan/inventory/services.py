"""Inventory writes: warehouses and locations, stock movements, and reservations for orders.

Stock is changed only here, with its rows locked (`select_for_update`; SQLite's IMMEDIATE transactions serialise
writers), so two people moving or reserving the same stock at once never lose a change or reserve more than there
is. On hand never goes below zero, and never below what other orders reserved, unless a user with the right says so
(an audited override).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gendan.catalog.models import Material, Product
from gendan.core import audit, clock, editing
from gendan.core.choices import AuditAction
from gendan.core.exceptions import InsufficientQuantity, PermissionDenied, ValidationError
from gendan.core.models import User
from gendan.core.services import ensure_can
from gendan.inventory.choices import MovementKind
from gendan.inventory.models import Location, Reservation, Stock, StockMovement, Warehouse
from gendan.sales.models import Order

ZERO = Decimal(0)
QTY = Decimal("0.001")
WAREHOUSE_FIELDS = ["code", "name", "address", "is_active"]


def qty(value: Any, field: str = "quantity") -> Decimal:
    """A quantity from user input: a finite number with at most 3 decimals."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    if number != number.quantize(QTY):
        raise ValidationError({field: _("Use at most 3 decimal places.")})
    return number.quantize(QTY)


def fmt(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


# ---- warehouses and locations ------------------------------------------------------------------------


@transaction.atomic
def create_warehouse(*, by: User, data: dict[str, Any], locations: Iterable[str] = ("A",)) -> Warehouse:
    """A warehouse with its first locations (default one, "A")."""
    ensure_can(by, "inventory.add_warehouse")
    clean = editing.normalise(Warehouse, {k: v for k, v in data.items() if k in WAREHOUSE_FIELDS})
    warehouse = editing.create(Warehouse, data=clean, by=by)
    for code in locations:
        add_location(warehouse=warehouse, by=by, data={"code": code})
    return warehouse


@transaction.atomic
def update_warehouse(*, warehouse: Warehouse, by: User, version: int | None, data: dict[str, Any]) -> Warehouse:
    ensure_can(by, "inventory.change_warehouse")
    clean = editing.normalise(Warehouse, {k: v for k, v in data.items() if k in WAREHOUSE_FIELDS})
    updated, _changes = editing.update(warehouse, data=clean, by=by, version=version)
    return updated


@transaction.atomic
def add_location(*, warehouse: Warehouse, by: User, data: dict[str, Any]) -> Location:
    ensure_can(by, "inventory.add_location")
    clean = editing.normalise(Location, {k: v for k, v in data.items() if k in ("code", "name")})
    if Location.objects.filter(warehouse=warehouse, code=clean.get("code", "")).exists():
        raise ValidationError({"code": _("This warehouse already has location %(code)s.") % {"code": clean["code"]}})
    location = Location(warehouse=warehouse, **clean)
    editing.validate(location, exclude=["warehouse"])
    location.save()
    audit.record_create(instance=location, by=by, fields=["code", "name"], related=warehouse)
    return location


def default_location() -> Location:
    """Where goods go when nobody says: the first active location of the first active warehouse."""
    location = (
        Location.objects.filter(is_active=True, warehouse__is_active=True)
        .select_related("warehouse")
        .order_by("warehouse__code", "code")
        .first()
    )
    if location is None:
        raise ValidationError({"location": _("Set up a warehouse with a location first.")})
    return location


# ---- movements ------------------------------------------------------------------------------------------


def _item_filter(item: Material | Product) -> dict[str, Any]:
    return {"material": item} if isinstance(item, Material) else {"product": item}


def _locked_stock(location: Location, item: Material | Product) -> Stock:
    """The stock row of `item` at `location`, created when missing, locked for this transaction."""
    lookup = {"location": location, **_item_filter(item)}
    stock = Stock.objects.select_for_update().filter(**lookup).first()
    if stock is None:
        Stock.objects.get_or_create(**lookup)
        stock = Stock.objects.select_for_update().get(**lookup)
    return stock


def _reservations_text(stock: Stock, excluding: Order | None) -> str:
    rows = Reservation.objects.filter(material_id=stock.material_id, location_id=stock.location_id)
    if excluding is not None:
        rows = rows.exclude(order=excluding)
    return ", ".join(f"{r.order.number} ({fmt(r.quantity)})" for r in rows.select_related("order")[:5])


@transaction.atomic
def move(
    *,
    kind: str,
    item: Material | Product,
    location: Location,
    quantity: Any,
    by: User | None,
    date: dt.date | None = None,
    reason: str = "",
    reference: str = "",
    order: Order | None = None,
    override: bool = False,
    check: bool = True,
) -> StockMovement:
    """Record one stock movement and change the balance.

    `quantity` is the amount moved (positive) for a receipt, an issue or a return; an adjustment is signed (+ found,
    − lost) and needs a reason. An issue for an order takes that order's reservation first. Stock never goes below
    zero, nor below what other orders reserved, unless `override` is asked by a user with the right. `check=False`
    is for services that move stock as the consequence of their own, already checked, action (an inspection).
    """
    if kind not in MovementKind.values:
        raise ValidationError({"kind": _("Choose a valid kind of movement.")})
    if by is not None and check:
        ensure_can(by, "inventory.add_stockmovement")
    amount = qty(quantity)
    if amount == 0 or (kind != MovementKind.ADJUSTMENT and amount < 0):
        raise ValidationError({"quantity": _("Enter a quantity greater than zero.")})
    reason = (reason or "").strip()[:300]
    if kind == MovementKind.ADJUSTMENT and not reason:
        raise ValidationError({"reason": _("Say why the stock is adjusted.")})
    if kind == MovementKind.ISSUE and isinstance(item, Product):
        raise ValidationError({"kind": _("Products are not issued to production; issue their materials.")})
    today = clock.today()
    date = date or today
    if date > today:
        raise ValidationError({"date": _("A movement cannot be dated in the future.")})
    if override and by is not None and not by.has_perm("inventory.override_negative_stock"):
        raise PermissionDenied(_("Only a manager may move stock below zero."))
    delta = amount if kind in (MovementKind.RECEIPT, MovementKind.ADJUSTMENT) else -amount
    stock = _locked_stock(location, item)
    own: Reservation | None = None
    if kind == MovementKind.ISSUE and order is not None:
        own = Reservation.objects.select_for_update().filter(order=order, material=item, location=location).first()
    released = min(own.quantity, amount) if own else ZERO
    after = stock.on_hand + delta
    others = stock.reserved - released
    below = delta < 0 and (after < 0 or after < others)
    if below and not override:
        if after < 0:
            message = _("Only %(n)s %(unit)s of %(item)s is on hand at %(loc)s.") % {
                "n": fmt(stock.on_hand),
                "unit": item.unit,
                "item": item.code,
                "loc": location,
            }
        else:
            message = _("%(n)s %(unit)s of %(item)s at %(loc)s is reserved for %(orders)s.") % {
                "n": fmt(others),
                "unit": item.unit,
                "item": item.code,
                "loc": location,
                "orders": _reservations_text(stock, order),
            }
        raise InsufficientQuantity({"quantity": message})
    if own is not None and released:
        own.quantity -= released
        stock.reserved -= released
        if own.quantity:
            own.updated_at = clock.now()
            own.save(update_fields=["quantity", "updated_at"])
        else:
            own.delete()
    stock.on_hand = after
    stock.save(update_fields=["on_hand", "reserved"])
    movement = StockMovement.objects.create(
        kind=kind,
        location=location,
        quantity=delta,
        balance_after=after,
        date=date,
        order=order,
        reference=reference[:100],
        reason=reason,
        override=below,
        created_by=by,
        created_at=clock.now(),
        **_item_filter(item),
    )
    audit.record(
        instance=movement,
        action=AuditAction.CREATE,
        by=by,
        changes={"quantity": [None, delta], "on_hand": [after - delta, after]},
        message=_("Below zero or into reserved stock by override: %(reason)s") % {"reason": reason or "-"}
        if below
        else reason,
        related=order,
    )
    return movement


# ---- reservations -------------------------------------------------------------------------------------


@transaction.atomic
def set_reservations(targets: dict[tuple[int, int], Decimal], *, priority: list[int]) -> dict[tuple[int, int], Decimal]:
    """Reserve stock so that each (order_id, material_id) holds up to its target, and no more.

    Surplus reservations are released first; then orders take free stock in `priority` order (most urgent first),
    location by location. What an order already holds it keeps. The stock rows of every material concerned are
    locked for the whole run, so two runs at once queue instead of reserving the same stock twice. Returns what
    each pair holds afterwards.
    """
    if not targets:
        return {}
    materials = sorted({m for _o, m in targets})
    orders = sorted({o for o, _m in targets})
    stocks = {
        s.pk: s
        for s in Stock.objects.select_for_update()
        .filter(material_id__in=materials)
        .select_related("location")
        .order_by("pk")
    }
    held: dict[tuple[int, int], list[Reservation]] = defaultdict(list)
    for r in Reservation.objects.filter(order_id__in=orders, material_id__in=materials).order_by("pk"):
        held[(r.order_id, r.material_id)].append(r)
    by_place = {(s.location_id, s.material_id): s for s in stocks.values()}
    now = clock.now()
    changed: set[int] = set()
    to_delete: set[int] = set()
    to_update: dict[int, Reservation] = {}
    to_create: dict[tuple[int, int, int], Reservation] = {}
    result: dict[tuple[int, int], Decimal] = {}
    # release surplus (the newest reservations first)
    for key, target in targets.items():
        rows = held.get(key, [])
        surplus = sum((r.quantity for r in rows), ZERO) - max(target, ZERO)
        for r in reversed(rows):
            if surplus <= 0:
                break
            take = min(r.quantity, surplus)
            r.quantity -= take
            surplus -= take
            stock = by_place[(r.location_id, r.material_id)]
            stock.reserved -= take
            changed.add(stock.pk)
            if r.quantity:
                r.updated_at = now
                to_update[r.pk] = r
            else:
                to_delete.add(r.pk)
        result[key] = sum((r.quantity for r in rows), ZERO)
    # then reserve what is missing, most urgent order first
    rank = {order_id: i for i, order_id in enumerate(priority)}
    per_material: dict[int, list[Stock]] = defaultdict(list)
    for stock in stocks.values():
        if stock.location.is_active:
            per_material[stock.material_id].append(stock)
    for key in sorted(targets, key=lambda k: (rank.get(k[0], len(rank)), k[0], k[1])):
        missing = targets[key] - result[key]
        if missing <= 0:
            continue
        order_id, material_id = key
        existing = {r.location_id: r for r in held.get(key, []) if r.quantity}
        for stock in per_material.get(material_id, []):
            free = stock.on_hand - stock.reserved
            if free <= 0:
                continue
            take = min(free, missing)
            stock.reserved += take
            changed.add(stock.pk)
            missing -= take
            result[key] += take
            r = existing.get(stock.location_id)
            if r is not None:
                r.quantity += take
                r.updated_at = now
                to_update[r.pk] = r
            else:
                place = (order_id, material_id, stock.location_id)
                if place in to_create:
                    to_create[place].quantity += take
                else:
                    to_create[place] = Reservation(
                        order_id=order_id,
                        material_id=material_id,
                        location_id=stock.location_id,
                        quantity=take,
                        updated_at=now,
                    )
            if missing <= 0:
                break
    if to_delete:
        Reservation.objects.filter(pk__in=to_delete).delete()
    if to_update:
        Reservation.objects.bulk_update(
            [r for pk, r in to_update.items() if pk not in to_delete], ["quantity", "updated_at"]
        )
    if to_create:
        Reservation.objects.bulk_create(to_create.values(), batch_size=1000)
    if changed:
        Stock.objects.bulk_update([stocks[pk] for pk in changed], ["reserved"], batch_size=1000)
    return result


@transaction.atomic
def release_order(order: Order) -> int:
    """Give back everything an order reserved (cancelled, closed); returns how many reservations ended."""
    rows = list(Reservation.objects.filter(order=order))
    if not rows:
        return 0
    locked = {
        (s.location_id, s.material_id): s
        for s in Stock.objects.select_for_update().filter(
            Q(material_id__in={r.material_id for r in rows}), location_id__in={r.location_id for r in rows}
        )
    }
    for r in rows:
        stock = locked[(r.location_id, r.material_id)]
        stock.reserved -= r.quantity
    Stock.objects.bulk_update(locked.values(), ["reserved"])
    Reservation.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return len(rows)
