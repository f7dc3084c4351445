"""Purchasing writes: material requirements, purchase orders, the supplier's link, receiving, incoming inspection.

- `run_requirements` explodes each confirmed order's BOM × quantity with scrap and nets it: what was issued to
  production, what is on order for it (open PO lines of the order), and what it reserves from stock (inventory
  reserves, most urgent order first, with the stock rows locked) — the rest is to buy by the order's "materials in
  house" planned date. What changed is kept per run.
- Purchase orders go draft → approved → sent → confirmed → partially received → received → closed (or
  cancelled). Above `GENDAN_PO_APPROVAL_LIMIT` only a purchasing manager approves.
- The supplier confirms, changes promised dates and quantities and declares shipments through its link.
- Each change of a promise feeds the "materials in house" forecast of the orders concerned (`feed_materials`).
- Receiving creates one incoming inspection per line; its result puts the accepted quantity into stock and
  reserves it for the order it was bought for; rejected quantity stays open on the PO and is chased again.
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gendan.catalog.models import BomLine, Material
from gendan.core import audit, clock, links
from gendan.core.calendar import company_calendar
from gendan.core.choices import AuditAction
from gendan.core.editing import check_version
from gendan.core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationError
from gendan.core.models import ExternalLink, User
from gendan.core.numbering import next_number
from gendan.core.services import ensure_can
from gendan.followup import services as followup
from gendan.followup.models import Milestone
from gendan.inventory import services as inventory
from gendan.inventory.choices import MovementKind
from gendan.inventory.models import Location, StockMovement, Warehouse
from gendan.partners.models import Supplier
from gendan.procurement.choices import (
    CAUSE_FAMILY,
    OPEN_STATUSES,
    PO_TRANSITIONS,
    WITH_SUPPLIER,
    DelayCause,
    Disposition,
    InspectionStatus,
    PoStatus,
)
from gendan.procurement.models import (
    IncomingInspection,
    MaterialRequirement,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    RequirementRun,
    SupplierShipment,
    SupplierShipmentLine,
)
from gendan.procurement.selectors import waiting_by_line
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order, OrderLine

ZERO = Decimal(0)
QTY = Decimal("0.001")
PO_PREFIX = "PO"
RECEIPT_PREFIX = "GRN"
LINK_PURPOSE = "supplier_po"
# Orders whose materials are planned: confirmed until production is over (on hold keeps its reservations).
REQUIRING_STATUSES = (OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION, OrderStatus.ON_HOLD)
OVER_DELIVERY = Decimal("0.10")  # a receipt may exceed what is still expected by 10 %
REQUIREMENT_FIELDS = ("required_qty", "issued_qty", "on_order_qty", "allocated_stock_qty", "to_buy_qty", "need_by_date")

qty = inventory.qty
fmt = inventory.fmt


def approval_limit() -> Decimal:
    return Decimal(str(getattr(settings, "GENDAN_PO_APPROVAL_LIMIT", "20000")))


def _date(value: Any, field: str, *, required: bool = False) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise ValidationError({field: _("This field is required.")})
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: _("Give a date as YYYY-MM-DD.")}) from None


def _price(value: Any, field: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite() or number < 0:
        raise ValidationError({field: _("Enter a price of zero or more.")})
    if number != number.quantize(Decimal("0.0001")):
        raise ValidationError({field: _("Use at most 4 decimal places.")})
    return number


# ---- material requirements -------------------------------------------------------------------------------


def _ceil(value: Decimal) -> Decimal:
    return value.quantize(QTY, rounding=ROUND_CEILING)


def gross_requirements(order_ids: Iterable[int]) -> dict[int, dict[int, Decimal]]:
    """{order_id: {material_id: quantity}}: each line's quantity × the BOM's quantity per unit with scrap."""
    ids = list(order_ids)
    lines = list(
        OrderLine.objects.filter(order_id__in=ids).order_by().values_list("order_id", "product_id", "quantity")
    )
    boms: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for product_id, material_id, per_unit, scrap in (
        BomLine.objects.filter(product_id__in={p for _o, p, _q in lines})
        .order_by()
        .values_list("product_id", "material_id", "qty_per_unit", "scrap_pct")
    ):
        boms[product_id].append((material_id, per_unit * (1 + scrap / 100)))
    result: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for order_id, product_id, quantity in lines:
        for material_id, per_unit in boms.get(product_id, []):
            result[order_id][material_id] += quantity * per_unit
    return {o: {m: _ceil(q) for m, q in materials.items()} for o, materials in result.items()}


def _open_on_order(order_ids: list[int]) -> dict[tuple[int, int], Decimal]:
    """What open PO lines still bring for each (order, material): expected less accepted."""
    result: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    rows = (
        PurchaseOrderLine.objects.filter(order_id__in=order_ids, purchase_order__status__in=OPEN_STATUSES)
        .order_by()
        .values_list("order_id", "material_id", "quantity", "confirmed_qty", "accepted_qty")
    )
    for order_id, material_id, quantity, confirmed, accepted in rows:
        expected = confirmed if confirmed is not None else quantity
        result[(order_id, material_id)] += max(expected - accepted, ZERO)
    return result


def _issued(order_ids: list[int]) -> dict[tuple[int, int], Decimal]:
    rows = (
        StockMovement.objects.filter(order_id__in=order_ids, kind=MovementKind.ISSUE, material__isnull=False)
        .order_by()
        .values("order_id", "material_id")
        .annotate(total=Sum("quantity"))
    )
    return {(r["order_id"], r["material_id"]): -r["total"] for r in rows}


def need_by_dates(orders: dict[int, dict[str, Any]]) -> dict[int, dt.date]:
    """The planned date of each order's "materials in house" milestone; the committed ex-factory date without one."""
    code = followup.materials_milestone_code()
    planned = dict(
        Milestone.objects.filter(order_id__in=list(orders), code=code)
        .order_by()
        .values_list("order_id", "planned_date")
    )
    return {pk: planned.get(pk) or o["ex_factory_date"] for pk, o in orders.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@transaction.atomic
def run_requirements(
    *, order_ids: Iterable[int], by: User | None, reason: str = "", record_unchanged: bool = False
) -> dict[int, list[dict[str, Any]]]:
    """Net the material requirements of the orders, reserve stock for them and store the result.

    Orders that no longer need materials (cancelled, closed, shipped) give back their reservations and lose their
    requirements. Returns {order_id: changes}, each change {material_id, material, field: [old, new], ...}; a run
    with changes (or any run when `record_unchanged`) is kept as a RequirementRun.
    """
    ids = sorted(set(order_ids))
    if not ids:
        return {}
    orders = {
        o["pk"]: o
        for o in Order.objects.filter(pk__in=ids).values("pk", "status", "ex_factory_date", "customer__tier", "number")
    }
    active = [pk for pk, o in orders.items() if o["status"] in REQUIRING_STATUSES]
    gross = gross_requirements(active)
    issued = _issued(active)
    on_order = _open_on_order(active)
    need_by = need_by_dates({pk: orders[pk] for pk in active})
    existing: dict[tuple[int, int], MaterialRequirement] = {
        (r.order_id, r.material_id): r for r in MaterialRequirement.objects.filter(order_id__in=ids)
    }
    keys = {(o, m) for o, materials in gross.items() for m in materials}
    targets: dict[tuple[int, int], Decimal] = {}
    for key in keys:
        order_id, material_id = key
        targets[key] = max(gross[order_id][material_id] - issued.get(key, ZERO) - on_order.get(key, ZERO), ZERO)
    # reservations of materials an order no longer needs (or of orders that need none) go back
    from gendan.inventory.models import Reservation

    for key in Reservation.objects.filter(order_id__in=ids).order_by().values_list("order_id", "material_id"):
        targets.setdefault(tuple(key), ZERO)
    tier_rank = {"key": 0, "normal": 1, "prospect": 2}
    priority = sorted(
        active, key=lambda pk: (orders[pk]["ex_factory_date"], tier_rank.get(orders[pk]["customer__tier"], 9), pk)
    )
    held = inventory.set_reservations(targets, priority=priority)
    now = clock.now()
    material_codes = dict(
        Material.objects.filter(pk__in={m for _o, m in keys | set(existing)}).values_list("pk", "code")
    )
    changes: dict[int, list[dict[str, Any]]] = defaultdict(list)
    to_create, to_update = [], []
    for key in sorted(keys):
        order_id, material_id = key
        required = gross[order_id][material_id]
        values = {
            "required_qty": required,
            "issued_qty": issued.get(key, ZERO),
            "on_order_qty": on_order.get(key, ZERO),
            "allocated_stock_qty": held.get(key, ZERO),
            "to_buy_qty": max(targets[key] - held.get(key, ZERO), ZERO),
            "need_by_date": need_by[order_id],
        }
        row = existing.get(key)
        if row is None:
            to_create.append(MaterialRequirement(order_id=order_id, material_id=material_id, updated_at=now, **values))
            changes[order_id].append(
                {"material_id": material_id, "material": material_codes.get(material_id), "new": True}
                | {f: [None, _plain(values[f])] for f in ("required_qty", "to_buy_qty")}
            )
            continue
        diff = {f: [_plain(getattr(row, f)), _plain(v)] for f, v in values.items() if getattr(row, f) != v}
        if diff:
            for f, v in values.items():
                setattr(row, f, v)
            row.updated_at = now
            to_update.append(row)
            changes[order_id].append({"material_id": material_id, "material": material_codes.get(material_id)} | diff)
    gone = [r for key, r in existing.items() if key not in keys]
    for r in gone:
        changes[r.order_id].append(
            {"material_id": r.material_id, "material": material_codes.get(r.material_id), "removed": True}
            | {"required_qty": [_plain(r.required_qty), None]}
        )
    if gone:
        MaterialRequirement.objects.filter(pk__in=[r.pk for r in gone]).delete()
    if to_create:
        MaterialRequirement.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        MaterialRequirement.objects.bulk_update(to_update, [*REQUIREMENT_FIELDS, "updated_at"], batch_size=1000)
    runs = [
        RequirementRun(order_id=pk, run_at=now, by=by, reason=reason[:200], changes=changes.get(pk, []))
        for pk in ids
        if changes.get(pk) or record_unchanged
    ]
    if runs:
        RequirementRun.objects.bulk_create(runs, batch_size=1000)
    feed_materials(order_ids=active, by=by)
    return dict(changes)


# ---- feeding the "materials in house" milestone ------------------------------------------------------------


def materials_forecasts(order_ids: Iterable[int]) -> dict[int, tuple[dt.date | None, str]]:
    """When each order's materials are expected in, from its open PO lines: the latest promised (else required)
    date, a passed date counting as the next working day; None when nothing is on order. With the line behind it."""
    ids = list(order_ids)
    calendar = company_calendar()
    tomorrow = calendar.add(clock.today(), 1)  # the next working day
    latest: dict[int, tuple[dt.date, str]] = {}
    rows = (
        PurchaseOrderLine.objects.filter(
            order_id__in=ids, purchase_order__status__in=OPEN_STATUSES, accepted_qty__lt=F("quantity")
        )
        .filter(Q(confirmed_qty__isnull=True) | Q(accepted_qty__lt=F("confirmed_qty")))
        .order_by()
        .values_list(
            "order_id",
            "promised_date",
            "required_date",
            "material__code",
            "purchase_order__number",
            "purchase_order__supplier__code",
        )
    )
    for order_id, promised, required, material, number, supplier in rows:
        date = max(promised or required, tomorrow) if (promised or required) < tomorrow else (promised or required)
        if order_id not in latest or date > latest[order_id][0]:
            if promised:
                note = _("%(material)s from %(supplier)s promised for %(date)s (%(po)s)")
            else:
                note = _("%(material)s from %(supplier)s required by %(date)s, not yet promised (%(po)s)")
            latest[order_id] = (
                date,
                note
                % {
                    "material": material,
                    "supplier": supplier,
                    "date": (promised or required).isoformat(),
                    "po": number,
                },
            )
    return {pk: latest.get(pk, (None, "")) for pk in ids}


def feed_materials(*, order_ids: Iterable[int], by: User | None = None) -> int:
    """Move the "materials in house" forecast of the orders to their materials' expected date."""
    ids = [pk for pk in set(order_ids) if pk is not None]
    if not ids:
        return 0
    return followup.feed_dates(code=followup.materials_milestone_code(), dates=materials_forecasts(ids), by=by)


# ---- purchase orders -----------------------------------------------------------------------------------------


def _ensure_buyer(by: User) -> None:
    ensure_can(by, "procurement.change_purchaseorder", _("Only purchasing may change purchase orders."))


def _lock(po: PurchaseOrder) -> PurchaseOrder:
    return PurchaseOrder.objects.select_for_update().select_related("supplier").get(pk=po.pk)


def _refuse(po: PurchaseOrder, action: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        _("%(number)s is %(status)s: it cannot be %(action)s.")
        % {"number": po.number, "status": po.get_status_display(), "action": action}
    )


def _resolve(model: type, value: Any, field: str, **extra: Any) -> Any:
    if isinstance(value, model):
        return value
    if value in (None, ""):
        raise ValidationError({field: _("This field is required.")})
    lookup = {"pk": value} if isinstance(value, int) or str(value).isdigit() else {"code": str(value).strip()}
    found = model.objects.filter(**lookup, **extra).first()
    if found is None:
        raise ValidationError(
            {field: _("There is no %(what)s %(value)s.") % {"what": model._meta.verbose_name, "value": value}}
        )
    return found


def _clean_lines(items: list[dict[str, Any]], *, today: dt.date) -> list[dict[str, Any]]:
    if not items:
        raise ValidationError({"lines": _("A purchase order needs at least one line.")})
    if len(items) > 500:
        raise ValidationError({"lines": _("A purchase order has at most 500 lines.")})
    materials = {
        str(k): m
        for m in Material.objects.filter(
            Q(
                pk__in=[
                    i.get("material_id") or i.get("material")
                    for i in items
                    if str(i.get("material_id") or i.get("material") or "").isdigit()
                ]
            )
            | Q(code__in=[str(i.get("material") or "") for i in items])
        )
        for k in (m.pk, m.code)
    }
    order_refs = {str(i.get("order_id") or i.get("order") or "") for i in items} - {""}
    orders = {
        str(k): o
        for o in Order.objects.filter(Q(pk__in=[r for r in order_refs if r.isdigit()]) | Q(number__in=order_refs))
        for k in (o.pk, o.number)
    }
    cleaned, errors = [], {}
    for index, item in enumerate(items, start=1):
        where = f"lines.{index}"
        try:
            ref = item.get("material_id") or item.get("material")
            material = ref if isinstance(ref, Material) else materials.get(str(ref or ""))
            if material is None:
                raise ValidationError({"material": _("There is no material %(m)s.") % {"m": ref or "-"}})
            quantity = qty(item.get("quantity"))
            if quantity <= 0:
                raise ValidationError({"quantity": _("Enter a quantity greater than zero.")})
            price = _price(item.get("unit_price", material.purchase_price), "unit_price")
            required = _date(item.get("required_date"), "required_date", required=True)
            promised = _date(item.get("promised_date"), "promised_date")
            order_ref = item.get("order_id") or item.get("order")
            order = orders.get(str(order_ref)) if order_ref not in (None, "") else None
            if order_ref not in (None, "") and order is None:
                raise ValidationError({"order": _("There is no order %(o)s.") % {"o": order_ref}})
            cleaned.append(
                {
                    "id": item.get("id"),
                    "material": material,
                    "spec": str(item.get("spec") or material.spec or "")[:200],
                    "quantity": quantity,
                    "unit": item.get("unit") or material.unit,
                    "unit_price": price,
                    "required_date": required,
                    "promised_date": promised,
                    "order": order,
                }
            )
        except ValidationError as exc:
            for field, messages in exc.errors.items():
                errors[f"{where}.{field}"] = messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _total(po: PurchaseOrder) -> Decimal:
    from gendan.core.money import round_money

    total = sum((line.quantity * line.unit_price for line in po.lines.all()), ZERO)
    return round_money(total, po.currency)


def _write_lines(po: PurchaseOrder, lines: list[dict[str, Any]]) -> None:
    PurchaseOrderLine.objects.filter(purchase_order=po).delete()
    PurchaseOrderLine.objects.bulk_create(
        [
            PurchaseOrderLine(
                purchase_order=po,
                position=i,
                material=line["material"],
                spec=line["spec"],
                quantity=line["quantity"],
                unit=line["unit"],
                unit_price=line["unit_price"],
                required_date=line["required_date"],
                promised_date=line["promised_date"],
                first_promised_date=line["promised_date"],
                order=line["order"],
            )
            for i, line in enumerate(lines, start=1)
        ]
    )
    po.total_amount = _total(po)


HEADER_FIELDS = ("supplier", "currency", "ship_to", "order_date", "payment_terms", "notes", "buyer")


def _clean_header(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    from gendan.core.money import Currency

    clean: dict[str, Any] = {}
    if "supplier" in data or "supplier_id" in data or not partial:
        clean["supplier"] = _resolve(Supplier, data.get("supplier_id") or data.get("supplier"), "supplier_id")
        if not clean["supplier"].is_active:
            raise ValidationError(
                {"supplier_id": _("Supplier %(code)s is inactive.") % {"code": clean["supplier"].code}}
            )
    if "ship_to" in data or "ship_to_id" in data:
        clean["ship_to"] = _resolve(Warehouse, data.get("ship_to_id") or data.get("ship_to"), "ship_to_id")
    elif not partial:
        clean["ship_to"] = inventory.default_location().warehouse
    if "currency" in data:
        if data["currency"] not in Currency.values:
            raise ValidationError({"currency": _("Choose a valid currency.")})
        clean["currency"] = data["currency"]
    if "order_date" in data:
        clean["order_date"] = _date(data["order_date"], "order_date", required=True)
    for name in ("payment_terms", "notes"):
        if name in data:
            clean[name] = str(data[name] or "").strip()[: 200 if name == "payment_terms" else 5000]
    return clean


@transaction.atomic
def create_purchase_order(*, by: User, data: dict[str, Any]) -> PurchaseOrder:
    """A draft PO by hand: supplier, currency, deliver-to warehouse, lines."""
    ensure_can(by, "procurement.add_purchaseorder", _("Only purchasing may create purchase orders."))
    unknown = set(data) - {*HEADER_FIELDS, "supplier_id", "ship_to_id", "lines"}
    if unknown:
        raise ValidationError({k: _("Unknown field.") for k in sorted(unknown)})
    header = _clean_header(data, partial=False)
    lines = _clean_lines(list(data.get("lines") or []), today=clock.today())
    po = PurchaseOrder(
        number=next_number(PO_PREFIX),
        buyer=by,
        order_date=header.pop("order_date", None) or clock.today(),
        currency=header.pop("currency", None)
        or header["supplier"].materials.values_list("purchase_currency", flat=True).first()
        or "CNY",
        **header,
    )
    po.save()
    _write_lines(po, lines)
    po.save(update_fields=["total_amount"])
    audit.record_create(instance=po, by=by, fields=["supplier", "currency", "ship_to", "total_amount"])
    _after_lines_changed(po, by=by, orders={line["order"].pk for line in lines if line["order"]})
    return po


@transaction.atomic
def update_purchase_order(*, po: PurchaseOrder, by: User, version: int | None, data: dict[str, Any]) -> PurchaseOrder:
    """Change a PO: lines and supplier only while it is a draft; notes, terms and deliver-to until it is received."""
    _ensure_buyer(by)
    locked = _lock(po)
    check_version(locked, version)
    unknown = set(data) - {*HEADER_FIELDS, "supplier_id", "ship_to_id", "lines", "version"}
    if unknown:
        raise ValidationError({k: _("Unknown field.") for k in sorted(unknown)})
    data = {k: v for k, v in data.items() if k != "version"}
    header = _clean_header(data, partial=True)
    draft_only = {"supplier", "currency", "lines"} & (
        {*header, *data} - {"notes", "payment_terms", "ship_to", "order_date"}
    )
    if draft_only and locked.status != PoStatus.DRAFT:
        raise _refuse(locked, pgettext("po action", "changed (only a draft's lines, supplier and currency change)"))
    if locked.status in (PoStatus.CLOSED, PoStatus.CANCELLED, PoStatus.RECEIVED):
        raise _refuse(locked, pgettext("po action", "changed"))
    before = audit.snapshot(locked, [f for f in header if f != "buyer"])
    orders_before = set(locked.lines.exclude(order=None).values_list("order_id", flat=True))
    for name, value in header.items():
        setattr(locked, name, value)
    changes = audit.diff(before, audit.snapshot(locked, list(before)))
    orders_after = orders_before
    if "lines" in data:
        old = [
            f"{line.material.code} {fmt(line.quantity)} × {line.unit_price.normalize()} {line.required_date}"
            for line in locked.lines.select_related("material")
        ]
        lines = _clean_lines(list(data["lines"] or []), today=clock.today())
        _write_lines(locked, lines)
        new = [
            f"{li['material'].code} {fmt(li['quantity'])} × {li['unit_price'].normalize()} {li['required_date']}"
            for li in lines
        ]
        if old != new:
            changes["lines"] = ["; ".join(old), "; ".join(new)]
        orders_after = {li["order"].pk for li in lines if li["order"]}
    if not changes:
        return locked
    locked.version += 1
    locked.save()
    audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes)
    _after_lines_changed(locked, by=by, orders=orders_before | orders_after)
    return locked


def _after_lines_changed(po: PurchaseOrder, *, by: User | None, orders: set[int]) -> None:
    """What is on order changed: the orders concerned re-net their requirements and re-feed their materials date."""
    if orders:
        run_requirements(order_ids=orders, by=by, reason=_("Purchase order %(number)s changed") % {"number": po.number})


def _orders_of(po: PurchaseOrder) -> set[int]:
    return set(po.lines.exclude(order=None).values_list("order_id", flat=True))


def _move(po: PurchaseOrder, to: str, *, by: User | None, actor: str = "", message: str = "", **stamps: Any) -> None:
    if to not in PO_TRANSITIONS[po.status]:
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: it cannot become %(target)s.")
            % {"number": po.number, "status": po.get_status_display(), "target": PoStatus(to).label}
        )
    old = po.status
    po.status = to
    for name, value in stamps.items():
        setattr(po, name, value)
    po.version += 1
    po.save()
    audit.record(
        instance=po,
        action=AuditAction.TRANSITION,
        by=by,
        actor=actor,
        changes={"status": [old, to]},
        message=message,
    )


def needs_manager(po: PurchaseOrder) -> bool:
    return po.total_amount > approval_limit()


@transaction.atomic
def approve(*, po: PurchaseOrder, by: User, version: int | None = None) -> PurchaseOrder:
    """Approve a draft: the buyer up to the approval limit, a purchasing manager above it. Every line needs a price
    and a required date not in the past."""
    _ensure_buyer(by)
    locked = _lock(po)
    check_version(locked, version)
    if needs_manager(locked) and not by.has_perm("procurement.approve_purchaseorder"):
        raise PermissionDenied(
            _("%(number)s is over the approval limit of %(limit)s: a purchasing manager approves it.")
            % {"number": locked.number, "limit": fmt(approval_limit())}
        )
    errors = {}
    for line in locked.lines.all():
        if line.unit_price <= 0:
            errors[f"lines.{line.position}.unit_price"] = _("Give line %(n)s a price.") % {"n": line.position}
        if line.required_date < clock.today():
            errors[f"lines.{line.position}.required_date"] = _("Line %(n)s is required in the past.") % {
                "n": line.position
            }
    if not locked.lines.exists():
        errors["lines"] = _("A purchase order needs at least one line.")
    if errors:
        raise ValidationError(errors)
    _move(locked, PoStatus.APPROVED, by=by, approved_by=by, approved_at=clock.now())
    return locked


@transaction.atomic
def reopen(*, po: PurchaseOrder, by: User) -> PurchaseOrder:
    """Back to draft to change an approved PO before it is sent (it needs approval again)."""
    _ensure_buyer(by)
    locked = _lock(po)
    _move(locked, PoStatus.DRAFT, by=by, approved_by=None, approved_at=None)
    return locked


def supplier_link_days() -> int:
    return int(getattr(settings, "GENDAN_SUPPLIER_LINK_DAYS", 60))


@transaction.atomic
def send(*, po: PurchaseOrder, by: User) -> tuple[PurchaseOrder, str]:
    """Send an approved PO: it goes to the supplier with a new link (the earlier one stops working).
    Returns the PO and the link's token."""
    _ensure_buyer(by)
    locked = _lock(po)
    _move(locked, PoStatus.SENT, by=by, sent_at=clock.now())
    _link, token = links.create_link(
        target=locked, purpose=LINK_PURPOSE, party=str(locked.supplier), by=by, days=supplier_link_days()
    )
    feed_materials(order_ids=_orders_of(locked), by=by)
    return locked, token


@transaction.atomic
def new_link(*, po: PurchaseOrder, by: User) -> str:
    """A fresh supplier link for a sent PO (the old one is withdrawn)."""
    _ensure_buyer(by)
    locked = _lock(po)
    if locked.status not in WITH_SUPPLIER:
        raise _refuse(locked, pgettext("po action", "shared with the supplier"))
    _link, token = links.create_link(
        target=locked, purpose=LINK_PURPOSE, party=str(locked.supplier), by=by, days=supplier_link_days()
    )
    return token


@transaction.atomic
def revoke_links(*, po: PurchaseOrder, by: User) -> int:
    _ensure_buyer(by)
    count = 0
    for link in links.live_links(po, LINK_PURPOSE):
        links.revoke(link=link, by=by)
        count += 1
    return count


@transaction.atomic
def cancel(*, po: PurchaseOrder, by: User, reason: str) -> PurchaseOrder:
    """Cancel a PO nothing was received against; its orders need the materials again (to buy)."""
    _ensure_buyer(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the purchase order is cancelled.")})
    locked = _lock(po)
    if locked.lines.filter(received_qty__gt=0).exists():
        raise _refuse(locked, pgettext("po action", "cancelled (goods were received: close it instead)"))
    _move(locked, PoStatus.CANCELLED, by=by, message=reason, cancel_reason=reason[:300])
    for link in links.live_links(locked, LINK_PURPOSE):
        links.revoke(link=link, by=by)
    _after_lines_changed(locked, by=by, orders=_orders_of(locked))
    return locked


@transaction.atomic
def close(*, po: PurchaseOrder, by: User, reason: str = "") -> PurchaseOrder:
    """Close a received (or partly received) PO: whatever is still open is no longer expected."""
    _ensure_buyer(by)
    locked = _lock(po)
    if locked.status == PoStatus.PARTIALLY_RECEIVED and not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the rest will not be delivered.")})
    if IncomingInspection.objects.filter(
        receipt_line__po_line__purchase_order=locked, status=InspectionStatus.PENDING
    ).exists():
        raise _refuse(locked, pgettext("po action", "closed while goods wait for inspection"))
    _move(locked, PoStatus.CLOSED, by=by, message=reason, closed_at=clock.now())
    for link in links.live_links(locked, LINK_PURPOSE):
        links.revoke(link=link, by=by)
    _after_lines_changed(locked, by=by, orders=_orders_of(locked))
    return locked


@transaction.atomic
def create_from_requirements(*, by: User, order_ids: Iterable[int]) -> tuple[list[PurchaseOrder], list[str]]:
    """Draft POs for what the orders still have to buy: one per default supplier and currency, one line per order
    and material, at the material's purchase price, required by the need-by date. Returns the POs and messages
    (materials without a default supplier, need-by dates the lead time cannot meet)."""
    ensure_can(by, "procurement.add_purchaseorder", _("Only purchasing may create purchase orders."))
    ids = sorted(set(order_ids))
    if not ids:
        raise ValidationError({"order_ids": _("Choose at least one order.")})
    found = set(Order.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise ValidationError({"order_ids": _("There is no order %(ids)s.") % {"ids": ", ".join(missing)}})
    run_requirements(order_ids=ids, by=by, reason=_("Before buying"))
    needs = list(
        MaterialRequirement.objects.filter(order_id__in=ids, to_buy_qty__gt=0)
        .select_related("material__default_supplier", "order")
        .order_by("material__default_supplier__code", "material__code", "need_by_date")
    )
    if not needs:
        raise ValidationError({"order_ids": _("These orders have nothing left to buy.")})
    messages: list[str] = []
    groups: dict[tuple[int, str], list[MaterialRequirement]] = defaultdict(list)
    for need in needs:
        supplier = need.material.default_supplier
        if supplier is None or not supplier.is_active:
            messages.append(
                _("%(material)s has no active default supplier: buy it by hand.") % {"material": need.material.code}
            )
            continue
        groups[(supplier.pk, need.material.purchase_currency)].append(need)
    today = clock.today()
    ship_to = inventory.default_location().warehouse
    created = []
    for (_supplier_id, currency), group in groups.items():
        supplier = group[0].material.default_supplier
        po = PurchaseOrder.objects.create(
            number=next_number(PO_PREFIX),
            supplier=supplier,
            currency=currency,
            buyer=by,
            order_date=today,
            ship_to=ship_to,
            payment_terms=supplier.payment_terms,
        )
        PurchaseOrderLine.objects.bulk_create(
            [
                PurchaseOrderLine(
                    purchase_order=po,
                    position=i,
                    material=need.material,
                    spec=need.material.spec,
                    quantity=need.to_buy_qty,
                    unit=need.material.unit,
                    unit_price=need.material.purchase_price,
                    required_date=max(need.need_by_date, today),
                    order=need.order,
                )
                for i, need in enumerate(group, start=1)
            ]
        )
        po.total_amount = _total(po)
        po.save(update_fields=["total_amount"])
        audit.record_create(
            instance=po,
            by=by,
            fields=["supplier", "currency", "ship_to", "total_amount"],
            message=_("From the requirements of %(orders)s")
            % {"orders": ", ".join(sorted({n.order.number for n in group}))},
        )
        for need in group:
            earliest = today + dt.timedelta(days=need.material.lead_time_days)
            if earliest > need.need_by_date:
                messages.append(
                    _(
                        "%(po)s: %(material)s for %(order)s takes %(days)s days, so it comes %(earliest)s at the "
                        "earliest, after the need-by date %(need)s."
                    )
                    % {
                        "po": po.number,
                        "material": need.material.code,
                        "order": need.order.number,
                        "days": need.material.lead_time_days,
                        "earliest": earliest.isoformat(),
                        "need": need.need_by_date.isoformat(),
                    }
                )
        created.append(po)
    run_requirements(order_ids=ids, by=by, reason=_("Purchase orders created"))
    return created, messages


# ---- promises, chasing and delay causes (buyer or supplier) ----------------------------------------------------


def _status_after_promises(po: PurchaseOrder) -> None:
    if po.status == PoStatus.SENT and not po.lines.filter(promised_date__isnull=True).exists():
        po.status = PoStatus.CONFIRMED
        po.confirmed_at = clock.now()


def _apply_promises(
    po: PurchaseOrder, items: list[dict[str, Any]], *, by: User | None, actor: str, note: str
) -> dict[str, list[Any]]:
    """Set promised dates and confirmed quantities of lines; the first promise is kept beside the current one."""
    lines = {line.pk: line for line in po.lines.select_related("material")}
    today = clock.today()
    changes: dict[str, list[Any]] = {}
    errors: dict[str, str] = {}
    orders: set[int] = set()
    for index, item in enumerate(items, start=1):
        line = lines.get(int(item.get("line_id") or 0)) if str(item.get("line_id") or "").isdigit() else None
        if line is None:
            errors[f"lines.{index}.line_id"] = _("This purchase order has no line %(id)s.") % {
                "id": item.get("line_id")
            }
            continue
        try:
            promised = (
                _date(item.get("promised_date"), "promised_date") if "promised_date" in item else line.promised_date
            )
            if promised is not None and promised != line.promised_date and promised < today:
                raise ValidationError({"promised_date": _("A promised date cannot be in the past.")})
            confirmed = line.confirmed_qty
            if item.get("confirmed_qty") not in (None, ""):
                confirmed = qty(item["confirmed_qty"], "confirmed_qty")
                if confirmed <= 0:
                    raise ValidationError({"confirmed_qty": _("Enter a quantity greater than zero.")})
        except ValidationError as exc:
            for field, messages in exc.errors.items():
                errors[f"lines.{index}.{field}"] = messages[0]
            continue
        label = f"#{line.position} {line.material.code}"
        if promised != line.promised_date:
            changes[f"{label} promised_date"] = [line.promised_date, promised]
            line.promised_date = promised
            if line.first_promised_date is None:
                line.first_promised_date = promised
        if confirmed != line.confirmed_qty:
            changes[f"{label} confirmed_qty"] = [line.confirmed_qty, confirmed]
            line.confirmed_qty = confirmed
        line.save(update_fields=["promised_date", "first_promised_date", "confirmed_qty"])
        if line.order_id:
            orders.add(line.order_id)
    if errors:
        raise ValidationError(errors)
    if changes:
        audit.record(instance=po, action=AuditAction.UPDATE, by=by, actor=actor, changes=changes, message=note)
        if any(k.endswith("confirmed_qty") for k in changes):
            run_requirements(
                order_ids=orders, by=by, reason=_("%(number)s: quantities confirmed") % {"number": po.number}
            )
        else:
            feed_materials(order_ids=orders, by=by)
    return changes


@transaction.atomic
def supplier_confirm(
    *, po: PurchaseOrder, link: ExternalLink, lines: list[dict[str, Any]], note: str = ""
) -> PurchaseOrder:
    """The supplier, through its link, confirms the PO: a promised date (and, when it differs, the quantity it can
    deliver) per line. Recorded in the supplier's name."""
    locked = _lock(po)
    _check_link(locked, link)
    if locked.status not in WITH_SUPPLIER:
        raise _refuse(locked, pgettext("po action", "confirmed"))
    missing = {li.pk for li in locked.lines.all()} - {
        int(i["line_id"]) for i in lines if str(i.get("line_id") or "").isdigit()
    }
    if locked.status == PoStatus.SENT and missing:
        raise ValidationError({"lines": _("Give a promised date for every line.")})
    for item in lines:
        if locked.status == PoStatus.SENT and not item.get("promised_date"):
            raise ValidationError({"promised_date": _("Give a promised date for every line.")})
    changes = _apply_promises(locked, lines, by=None, actor=_supplier_actor(link), note=(note or "").strip()[:300])
    if changes:
        late = [line for line in locked.lines.select_related("material") if line.is_late_against_need and line.open_qty]
        _tell_buyer(
            locked,
            lambda: (
                _("%(supplier)s confirmed %(number)s") % {"supplier": locked.supplier.code, "number": locked.number}
            ),
            lambda: "; ".join(
                [
                    _("%(material)s promised for %(date)s, required %(required)s")
                    % {
                        "material": line.material.code,
                        "date": line.promised_date.isoformat(),
                        "required": line.required_date.isoformat(),
                    }
                    for line in late
                ]
                + ([note.strip()] if note and note.strip() else [])
            ),
        )
    old = locked.status
    _status_after_promises(locked)
    if locked.status != old:
        locked.version += 1
        locked.save()
        audit.record(
            instance=locked,
            action=AuditAction.TRANSITION,
            by=None,
            actor=_supplier_actor(link),
            changes={"status": [old, locked.status]},
        )
    else:
        PurchaseOrder.objects.filter(pk=locked.pk).update(version=F("version") + 1)
    return locked


@transaction.atomic
def record_promise(*, po: PurchaseOrder, by: User, lines: list[dict[str, Any]], note: str = "") -> PurchaseOrder:
    """The buyer records what the supplier promised (on the phone, by WeChat): a chase of the lines."""
    _ensure_buyer(by)
    locked = _lock(po)
    if locked.status not in WITH_SUPPLIER:
        raise _refuse(locked, pgettext("po action", "chased (it is not with the supplier)"))
    _apply_promises(locked, lines, by=by, actor="", note=(note or "").strip()[:300])
    PurchaseOrderLine.objects.filter(pk__in=[int(i["line_id"]) for i in lines]).update(last_chased_at=clock.now())
    _status_after_promises(locked)
    locked.version += 1
    locked.save()
    return locked


@transaction.atomic
def set_delay_cause(*, line: PurchaseOrderLine, by: User, cause: str, note: str = "") -> PurchaseOrderLine:
    """Say why a PO line is late, in the seed's families: supplier, our company, communication."""
    _ensure_buyer(by)
    if cause not in DelayCause.values and cause != "":
        raise ValidationError({"cause": _("Choose a valid delay cause.")})
    locked = PurchaseOrderLine.objects.select_for_update().select_related("purchase_order", "material").get(pk=line.pk)
    old = (locked.delay_cause, locked.delay_note)
    locked.delay_cause, locked.delay_note = cause, (note or "").strip()[:300]
    if old == (locked.delay_cause, locked.delay_note):
        return locked
    locked.save(update_fields=["delay_cause", "delay_note"])
    audit.record(
        instance=locked.purchase_order,
        action=AuditAction.UPDATE,
        by=by,
        changes={f"#{locked.position} {locked.material.code} delay_cause": [old[0], cause]},
        message=locked.delay_note,
    )
    return locked


def cause_family(cause: str) -> str:
    return str(CAUSE_FAMILY.get(cause, ""))


# ---- the supplier's link ---------------------------------------------------------------------------------------


def _tell_buyer(po: PurchaseOrder, title: Any, body: Any) -> None:
    """The buyer hears what the supplier did through its link (inbox, and e-mail when the buyer has an address)."""
    from django.urls import reverse

    from gendan.core.notifications import notify_in_their_language

    notify_in_their_language(
        recipients=[po.buyer],
        title=title,
        body=body,
        url=reverse("procurement:po", args=[po.pk]),
        actor=None,
    )


def _supplier_actor(link: ExternalLink) -> str:
    return _("%(party)s (supplier link)") % {"party": link.party}


def _check_link(po: PurchaseOrder, link: ExternalLink) -> None:
    if link.purpose != LINK_PURPOSE or link.object_id != po.pk or link.content_type.model_class() is not PurchaseOrder:
        raise PermissionDenied(_("This link does not open this purchase order."))


def po_for_token(token: str) -> tuple[PurchaseOrder, ExternalLink]:
    """The PO a supplier link shows (LinkInvalid when expired, withdrawn or altered)."""
    link = links.resolve(token, LINK_PURPOSE)
    po = PurchaseOrder.objects.select_related("supplier", "ship_to").filter(pk=link.object_id).first()
    if po is None or po.status in (PoStatus.DRAFT, PoStatus.APPROVED):
        raise links.LinkInvalid(_("This link is not valid. Ask your contact for a new one."))
    return po, link


@transaction.atomic
def declare_shipment(
    *, po: PurchaseOrder, data: dict[str, Any], link: ExternalLink | None = None, by: User | None = None
) -> SupplierShipment:
    """A delivery on its way (发货通知): ship date, expected arrival, carrier, quantities per line. Declared by the
    supplier through its link, or entered by the buyer."""
    locked = _lock(po)
    if link is not None:
        _check_link(locked, link)
        actor = _supplier_actor(link)
    else:
        _ensure_buyer(by)
        actor = ""
    if locked.status not in WITH_SUPPLIER:
        raise _refuse(locked, pgettext("po action", "shipped"))
    today = clock.today()
    ship_date = _date(data.get("ship_date"), "ship_date", required=True)
    expected = _date(data.get("expected_date"), "expected_date")
    if ship_date > today + dt.timedelta(days=60):
        raise ValidationError({"ship_date": _("Declare a shipment when it leaves, not months ahead.")})
    if expected is not None and expected < ship_date:
        raise ValidationError({"expected_date": _("The goods cannot arrive before they ship.")})
    lines = {line.pk: line for line in locked.lines.all()}
    items, errors = [], {}
    for index, item in enumerate(data.get("lines") or [], start=1):
        line = lines.get(int(item["line_id"])) if str(item.get("line_id") or "").isdigit() else None
        if line is None:
            errors[f"lines.{index}.line_id"] = _("This purchase order has no line %(id)s.") % {
                "id": item.get("line_id")
            }
            continue
        try:
            amount = qty(item.get("quantity"))
        except ValidationError as exc:
            errors[f"lines.{index}.quantity"] = exc.errors["quantity"][0]
            continue
        if amount < 0:
            errors[f"lines.{index}.quantity"] = _("Enter a quantity greater than zero.")
        elif amount > 0:
            items.append((line, amount))
    if errors:
        raise ValidationError(errors)
    if not items:
        raise ValidationError({"lines": _("Give the quantity shipped of at least one line.")})
    shipment = SupplierShipment.objects.create(
        purchase_order=locked,
        ship_date=ship_date,
        expected_date=expected,
        carrier=str(data.get("carrier") or "").strip()[:100],
        tracking=str(data.get("tracking") or "").strip()[:100],
        note=str(data.get("note") or "").strip()[:300],
        declared_by=actor or (by.username if by else ""),
        declared_at=clock.now(),
    )
    SupplierShipmentLine.objects.bulk_create(
        [SupplierShipmentLine(shipment=shipment, line=line, quantity=amount) for line, amount in items]
    )
    audit.record(
        instance=locked,
        action=AuditAction.UPDATE,
        by=by,
        actor=actor,
        message=_("Shipment declared: shipped %(date)s, %(lines)s")
        % {"date": ship_date.isoformat(), "lines": ", ".join(f"#{li.position} {fmt(a)}" for li, a in items)},
    )
    if link is not None:
        _tell_buyer(
            locked,
            lambda: _("%(supplier)s shipped %(number)s") % {"supplier": locked.supplier.code, "number": locked.number},
            lambda: (
                _("Shipped %(date)s, expected %(expected)s, %(carrier)s %(tracking)s")
                % {
                    "date": ship_date.isoformat(),
                    "expected": expected.isoformat() if expected else "—",
                    "carrier": shipment.carrier,
                    "tracking": shipment.tracking,
                }
            ),
        )
    return shipment


# ---- receiving and incoming inspection ---------------------------------------------------------------------------


def _refresh_status(po: PurchaseOrder, *, by: User | None) -> None:
    """Received when every line has what is expected accepted or waiting for inspection; else partially received."""
    lines = list(po.lines.all())
    if not any(line.received_qty for line in lines) or po.status in (PoStatus.CLOSED, PoStatus.CANCELLED):
        return
    waiting = waiting_by_line(po)
    complete = all(line.accepted_qty + waiting.get(line.pk, ZERO) >= line.expected_qty for line in lines)
    target = PoStatus.RECEIVED if complete else PoStatus.PARTIALLY_RECEIVED
    if target != po.status:
        _move(po, target, by=by)


@transaction.atomic
def receive(*, po: PurchaseOrder, by: User, data: dict[str, Any]) -> Receipt:
    """Receive a delivery (物料进仓) against a sent PO: quantities per line, where, when. Each line waits for its
    incoming inspection; nothing goes into stock before it."""
    ensure_can(by, "procurement.add_receipt", _("You may not receive goods."))
    locked = _lock(po)
    if locked.status not in WITH_SUPPLIER and locked.status != PoStatus.RECEIVED:
        raise _refuse(locked, pgettext("po action", "received against"))
    today = clock.today()
    received_date = _date(data.get("received_date"), "received_date") or today
    if received_date > today:
        raise ValidationError({"received_date": _("Goods cannot be received in the future.")})
    if received_date < locked.order_date:
        raise ValidationError({"received_date": _("Goods cannot be received before the PO was made.")})
    location = (
        _resolve(Location, data.get("location_id") or data.get("location"), "location_id")
        if data.get("location_id") or data.get("location")
        else Location.objects.filter(warehouse=locked.ship_to, is_active=True).order_by("code").first()
        or inventory.default_location()
    )
    shipment = None
    if data.get("shipment_id"):
        shipment = SupplierShipment.objects.filter(pk=data["shipment_id"], purchase_order=locked).first()
        if shipment is None:
            raise ValidationError({"shipment_id": _("This purchase order has no such shipment.")})
    lines = {line.pk: line for line in locked.lines.select_related("material").select_for_update(of=("self",))}
    waiting = waiting_by_line(locked)
    items, errors = [], {}
    for index, item in enumerate(data.get("lines") or [], start=1):
        line = lines.get(int(item["line_id"])) if str(item.get("line_id") or "").isdigit() else None
        if line is None:
            errors[f"lines.{index}.line_id"] = _("This purchase order has no line %(id)s.") % {
                "id": item.get("line_id")
            }
            continue
        try:
            amount = qty(item.get("quantity"))
            price = (
                _price(item["unit_price"], "unit_price")
                if item.get("unit_price") not in (None, "")
                else line.unit_price
            )
        except ValidationError as exc:
            for field, messages in exc.errors.items():
                errors[f"lines.{index}.{field}"] = messages[0]
            continue
        if amount <= 0:
            if amount < 0:
                errors[f"lines.{index}.quantity"] = _("Enter a quantity greater than zero.")
            continue
        still = max(line.expected_qty - line.accepted_qty - waiting.get(line.pk, ZERO), ZERO)
        ceiling = (still * (1 + OVER_DELIVERY)).quantize(QTY) if still else ZERO
        if amount > ceiling:
            errors[f"lines.{index}.quantity"] = _(
                "Line %(n)s (%(material)s) expects %(still)s more %(unit)s; %(amount)s is too much."
            ) % {
                "n": line.position,
                "material": line.material.code,
                "still": fmt(still),
                "unit": line.unit,
                "amount": fmt(amount),
            }
            continue
        items.append((line, amount, price))
    if errors:
        raise ValidationError(errors)
    if not items:
        raise ValidationError({"lines": _("Give the quantity received of at least one line.")})
    receipt = Receipt.objects.create(
        number=next_number(RECEIPT_PREFIX),
        purchase_order=locked,
        received_date=received_date,
        location=location,
        shipment=shipment,
        note=str(data.get("note") or "").strip()[:300],
        received_by=by,
        created_at=clock.now(),
    )
    for line, amount, price in items:
        receipt_line = ReceiptLine.objects.create(receipt=receipt, po_line=line, quantity=amount, unit_price=price)
        IncomingInspection.objects.create(receipt_line=receipt_line)
        line.received_qty += amount
        line.save(update_fields=["received_qty"])
    audit.record(
        instance=locked,
        action=AuditAction.UPDATE,
        by=by,
        message=_("Received %(number)s at %(location)s: %(lines)s")
        % {
            "number": receipt.number,
            "location": location,
            "lines": ", ".join(f"#{li.position} {li.material.code} {fmt(a)}" for li, a, _p in items),
        },
    )
    _refresh_status(locked, by=by)
    return receipt


@transaction.atomic
def record_inspection(*, inspection: IncomingInspection, by: User, data: dict[str, Any]) -> IncomingInspection:
    """The result of an incoming inspection: accepted and rejected quantities (together what was received), the
    quantity checked, defects and the disposition. Accepted quantity (all of it under concession) goes into stock,
    reserved for the order it was bought for; rejected quantity stays open on the PO and is chased again."""
    ensure_can(by, "procurement.inspect_material", _("Only quality control records inspections."))
    locked = (
        IncomingInspection.objects.select_for_update()
        .select_related(
            "receipt_line__receipt__location",
            "receipt_line__po_line__material",
            "receipt_line__po_line__purchase_order",
        )
        .get(pk=inspection.pk)
    )
    check_version(locked, data.get("version"))
    if locked.status == InspectionStatus.DONE:
        raise TransitionNotAllowed(_("This inspection has its result already."))
    received = locked.receipt_line.quantity
    errors: dict[str, str] = {}
    values: dict[str, Decimal] = {}
    for field in ("accepted_qty", "rejected_qty"):
        try:
            values[field] = qty(data.get(field, 0) or 0, field)
            if values[field] < 0:
                errors[field] = _("Enter zero or more.")
        except ValidationError as exc:
            errors[field] = exc.errors[field][0]
    disposition = str(data.get("disposition") or "")
    if disposition not in Disposition.values:
        errors["disposition"] = _("Choose a disposition.")
    if errors:
        raise ValidationError(errors)
    accepted, rejected = values["accepted_qty"], values["rejected_qty"]
    if accepted + rejected != received:
        raise ValidationError(
            {"accepted_qty": _("Accepted and rejected must make the %(n)s received.") % {"n": fmt(received)}}
        )
    if disposition == Disposition.ACCEPT and rejected:
        raise ValidationError({"disposition": _("Rejected goods need a disposition other than accept.")})
    if disposition != Disposition.ACCEPT and not rejected:
        raise ValidationError({"disposition": _("Nothing was rejected: the disposition is accept.")})
    checked = qty(data.get("checked_qty") or received, "checked_qty")
    if checked <= 0 or checked > received:
        raise ValidationError({"checked_qty": _("Check between 1 and the %(n)s received.") % {"n": fmt(received)}})
    defects = str(data.get("defects") or "").strip()[:2000]
    if rejected and not defects:
        raise ValidationError({"defects": _("Describe the defects of the rejected goods.")})
    inspected_on = _date(data.get("inspected_on"), "inspected_on") or clock.today()
    if inspected_on > clock.today() or inspected_on < locked.receipt_line.receipt.received_date:
        raise ValidationError({"inspected_on": _("Inspect between receiving and today.")})
    locked.status = InspectionStatus.DONE
    locked.inspected_on = inspected_on
    locked.inspector = by
    locked.checked_qty, locked.accepted_qty, locked.rejected_qty = checked, accepted, rejected
    locked.disposition = disposition
    locked.defects = defects
    locked.version += 1
    locked.save()
    line = PurchaseOrderLine.objects.select_for_update().get(pk=locked.receipt_line.po_line_id)
    po = line.purchase_order
    into_stock = accepted + (rejected if disposition == Disposition.CONCESSION else ZERO)
    receipt = locked.receipt_line.receipt
    if into_stock:
        inventory.move(
            kind=MovementKind.RECEIPT,
            item=line.material,
            location=receipt.location,
            quantity=into_stock,
            by=by,
            date=inspected_on,
            reference=f"{receipt.number} {po.number}",
            reason=_("Incoming inspection passed"),
            order=line.order,
            check=False,
        )
        line.accepted_qty += into_stock
        line.save(update_fields=["accepted_qty"])
    audit.record(
        instance=po,
        action=AuditAction.UPDATE,
        by=by,
        changes={
            f"#{line.position} {line.material.code} accepted_qty": [line.accepted_qty - into_stock, line.accepted_qty]
        },
        message=_(
            "Inspection of %(receipt)s: %(accepted)s accepted, %(rejected)s rejected (%(disposition)s) %(defects)s"
        )
        % {
            "receipt": receipt.number,
            "accepted": fmt(accepted),
            "rejected": fmt(rejected),
            "disposition": Disposition(disposition).label,
            "defects": defects,
        },
    )
    _refresh_status(PurchaseOrder.objects.select_for_update().get(pk=po.pk), by=by)
    if line.order_id:
        run_requirements(
            order_ids=[line.order_id], by=by, reason=_("%(receipt)s inspected") % {"receipt": receipt.number}
        )
        _complete_materials(line.order_id, by=by)
    return locked


def _complete_materials(order_id: int, *, by: User | None) -> None:
    """When every material of the order is in stock for it (or issued), "materials in house" is done today."""
    rows = MaterialRequirement.objects.filter(order_id=order_id)
    if not rows.exists() or rows.filter(Q(to_buy_qty__gt=0) | Q(on_order_qty__gt=0)).exists():
        return
    followup.complete_milestone(
        order_id=order_id,
        code=followup.materials_milestone_code(),
        day=clock.today(),
        note=_("Every material is in stock for the order"),
        by=by,
    )


def order_ids_for_material(material_id: int) -> list[int]:
    return list(
        MaterialRequirement.objects.filter(material_id=material_id, order__status__in=REQUIRING_STATUSES)
        .values_list("order_id", flat=True)
        .distinct()
    )


def rerun_all(*, by: User | None = None, batch_size: int = 1000) -> dict[str, int]:
    """Re-net every order that needs materials (the nightly run, and `gendan requirements`)."""
    # most urgent first, so that across batches the earliest orders take free stock first
    ids = list(
        Order.objects.filter(status__in=REQUIRING_STATUSES)
        .order_by("ex_factory_date", "pk")
        .values_list("pk", flat=True)
    )
    changed = 0
    for start in range(0, len(ids), batch_size):
        changed += len(run_requirements(order_ids=ids[start : start + batch_size], by=by, reason=_("Nightly run")))
    return {"orders": len(ids), "changed": changed, "batches": math.ceil(len(ids) / batch_size) if ids else 0}
