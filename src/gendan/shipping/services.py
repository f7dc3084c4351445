"""Shipping services (出货跟单): the shipment plan, its lines and packing, the booking (订舱), loading, departure,
arrival, the B/L, the customs declaration (报关), the documents' invoice number and sending the documents.

Rules the clerk can rely on (docs/guide/shipping.md):
- A shipment is for one customer; its lines take quantities of that customer's confirmed orders (confirmed, in
  production, ready to ship). A line never ships more than ordered plus the customer's tolerance (its shipping
  profile, else `GENDAN_SHIP_TOLERANCE_PCT`), counting every shipment that is not cancelled; the order lines are
  locked while that is checked, so two shipments made at once cannot over-ship a line.
- The orders of one shipment agree on the Incoterm (and its named place) and the currency.
- Booking needs the booking number and the ETD, and records the "booking confirmed" milestone (BK) of every order
  in the shipment; loading (ex-factory) records the "ex-factory" milestone (EXF) on the loading day; a departure
  straight from booked means the goods were loaded that day (both follow). Documents sent for a departed shipment
  record the "documents sent" milestone (DOC).
- Every change is one transaction, audited, with the optimistic version; a refused change writes nothing.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from gendan.core import audit, clock
from gendan.core.choices import AuditAction
from gendan.core.editing import check_version
from gendan.core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationError
from gendan.core.models import User
from gendan.core.money import Currency, round_money
from gendan.core.numbering import next_number
from gendan.core.services import ensure_can
from gendan.inventory.allocation import allocation_limits
from gendan.partners.choices import SupplierKind
from gendan.partners.models import Customer, Supplier
from gendan.sales.choices import OrderStatus
from gendan.sales.models import OrderLine
from gendan.shipping import signals
from gendan.shipping.choices import (
    EDITABLE,
    HOLDING,
    LINES_EDITABLE,
    TRANSITIONS,
    CoForm,
    ContainerType,
    DocumentKind,
    ShipmentMode,
    ShipmentStatus,
)
from gendan.shipping.models import CustomsDeclaration, CustomsLine, Shipment, ShipmentLine, ShippingProfile

PREFIX = "SH"
INVOICE_PREFIX = "CI"
BOOKING_CODE = "BK"  # the T&A's "booking confirmed" (订舱确认)
EX_FACTORY_CODE = "EXF"  # "ex-factory" (出厂)
DOCUMENTS_CODE = "DOC"  # "documents sent" (单据寄出)
SHIPPABLE = (OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION, OrderStatus.READY_TO_SHIP)
ZERO = Decimal(0)
GONE = (ShipmentStatus.DEPARTED, ShipmentStatus.ARRIVED, ShipmentStatus.CLOSED)  # left the port
QTY = Decimal("0.001")

TEXT_FIELDS = (
    "port_of_loading",
    "port_of_discharge",
    "consignee",
    "notify_party",
    "shipping_marks",
    "notes",
    "booking_no",
    "carrier",
    "vessel_voyage",
)
DATE_FIELDS = ("planned_ex_factory_date", "cutoff_documents", "cutoff_customs", "cutoff_cargo", "etd", "eta")
AUDITED = [
    *TEXT_FIELDS,
    *DATE_FIELDS,
    "mode",
    "co_form",
    "container_type",
    "container_count",
    "forwarder",
    "incoterm",
    "currency",
]
MAX_TEXT = {
    "port_of_loading": 100,
    "port_of_discharge": 100,
    "booking_no": 60,
    "carrier": 100,
    "vessel_voyage": 100,
    "bl_number": 60,
}


# ---- small parsers: every bad value is a ValidationError naming its field ------------------------------------------


def _date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError({field: _("Enter a date (YYYY-MM-DD).")}) from None


def _decimal(value: Any, field: str, *, places: int, positive: bool = False) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        raise ValidationError(
            {field: _("Enter a quantity greater than zero.") if positive else _("Enter zero or more.")}
        )
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValidationError({field: _("Use at most %(n)s decimal places.") % {"n": places}})
    return number.quantize(Decimal(1).scaleb(-places))


def _int(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError({field: _("Enter a whole number.")}) from None
    if number < 0:
        raise ValidationError({field: _("Enter zero or more.")})
    return number


def _supplier(value: Any, field: str, kinds: tuple[str, ...] = ()) -> Supplier | None:
    if value in (None, ""):
        return None
    found = Supplier.objects.filter(pk=value).first() if str(value).isdigit() else None
    found = found or Supplier.objects.filter(code=str(value)).first()
    if found is None:
        raise ValidationError({field: _("There is no supplier %(value)s.") % {"value": value}})
    if kinds and found.kind not in kinds:
        raise ValidationError({field: _("%(code)s is not a forwarder.") % {"code": found.code}})
    return found


def tolerance_pct(customer_id: int) -> Decimal:
    """How much more than ordered (in %) a line of the customer may ship: its profile's, else the setting."""
    found = ShippingProfile.objects.filter(customer_id=customer_id).values_list("tolerance_pct", flat=True).first()
    if found is not None:
        return found
    return Decimal(str(getattr(settings, "GENDAN_SHIP_TOLERANCE_PCT", "0") or "0"))


def profile_of(customer_id: int) -> ShippingProfile | None:
    return ShippingProfile.objects.filter(customer_id=customer_id).select_related("shipping_clerk").first()


def line_label(line: OrderLine) -> str:
    """How a clerk names an order line: "SO-2026-00001 line 2 (P00012)"."""
    return _("%(order)s line %(position)s (%(product)s)") % {
        "order": line.order.number,
        "position": line.position,
        "product": line.product.code,
    }


def _n(value: Decimal) -> str:
    return f"{value.normalize():f}"


# ---- the lines: one customer, agreeing terms, open quantities --------------------------------------------------------


def _lines_in(raw: Any, *, customer_id: int | None) -> tuple[list[tuple[OrderLine, Decimal, dict[str, Any]]], int]:
    """Check the wanted lines ([{order_line_id, quantity, …}]) and lock their order lines: the lines with their
    quantities and the rest of each item, and the customer. Raises naming the line (`lines.<n>.<field>`)."""
    if not isinstance(raw, list | tuple) or not raw:
        raise ValidationError({"lines": _("Choose at least one order line to ship.")})
    wanted: list[tuple[int, Decimal, dict[str, Any]]] = []
    errors: dict[str, str] = {}
    seen: set[int] = set()
    for index, item in enumerate(raw, start=1):
        item = dict(item or {})
        raw_id = item.get("order_line_id")
        try:
            line_id = int(str(raw_id))
        except (TypeError, ValueError):
            errors[f"lines.{index}.order_line_id"] = _("Choose an order line.")
            continue
        if line_id in seen:
            errors[f"lines.{index}.order_line_id"] = _("This order line is in the shipment twice.")
            continue
        seen.add(line_id)
        try:
            quantity = _decimal(item.get("quantity"), f"lines.{index}.quantity", places=3, positive=True)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.errors.items()})
            continue
        if quantity is None:
            errors[f"lines.{index}.quantity"] = _("Enter the quantity to ship.")
            continue
        wanted.append((line_id, quantity, item))
    if errors:
        raise ValidationError(errors)
    # locked in id order: two shipments taking the same lines queue here instead of both seeing the old total
    found = {
        ol.pk: ol
        for ol in OrderLine.objects.select_for_update(of=("self",))
        .select_related("order__customer", "product")
        .filter(pk__in=[w[0] for w in wanted])
        .order_by("pk")
    }
    result = []
    for index, (line_id, quantity, item) in enumerate(wanted, start=1):
        line = found.get(line_id)
        if line is None:
            errors[f"lines.{index}.order_line_id"] = _("There is no order line %(id)s.") % {"id": line_id}
            continue
        if line.order.status not in SHIPPABLE:
            errors[f"lines.{index}.order_line_id"] = _(
                "%(line)s: order %(order)s is %(status)s; only a confirmed order ships."
            ) % {"line": line_label(line), "order": line.order.number, "status": line.order.get_status_display()}
            continue
        result.append((line, quantity, item))
    if errors:
        raise ValidationError(errors)
    customers = {line.order.customer_id for line, _q, _i in result}
    if customer_id is None:
        customer_id = result[0][0].order.customer_id
    if customers != {int(customer_id)}:
        other = next(line for line, _q, _i in result if line.order.customer_id != int(customer_id))
        raise ValidationError(
            {
                "lines": _("A shipment is for one customer: %(line)s is an order of %(other)s.")
                % {"line": line_label(other), "other": other.order.customer.code}
            }
        )
    orders = {line.order.pk: line.order for line, _q, _i in result}.values()
    for name, label in (("incoterm", _("Incoterm")), ("currency", _("currency"))):
        values = {getattr(o, name) for o in orders}
        if len(values) > 1:
            listing = ", ".join(f"{o.number} {getattr(o, name)}" for o in sorted(orders, key=lambda o: o.number))
            raise ValidationError(
                {
                    "lines": _("The orders do not agree on the %(what)s (%(listing)s): ship them separately.")
                    % {"what": label, "listing": listing}
                }
            )
    places = {o.incoterm_place.strip().lower() for o in orders if o.incoterm_place.strip()}
    if len(places) > 1:
        listing = ", ".join(f"{o.number} {o.incoterm} {o.incoterm_place}" for o in orders if o.incoterm_place)
        raise ValidationError(
            {
                "lines": _("The orders do not agree on the Incoterm's named place (%(listing)s): ship them separately.")
                % {"listing": listing}
            }
        )
    return result, int(customer_id)


def _check_open(
    items: list[tuple[OrderLine, Decimal, dict[str, Any]]], *, customer_id: int, exclude: int | None
) -> None:
    """Refuse a line that would ship more than ordered plus the tolerance, counting every shipment not cancelled
    (the order lines are locked by `_lines_in`)."""
    tolerance = tolerance_pct(customer_id)
    taken_qs = ShipmentLine.objects.filter(
        order_line_id__in=[line.pk for line, _q, _i in items], shipment__status__in=HOLDING
    )
    if exclude is not None:
        taken_qs = taken_qs.exclude(shipment_id=exclude)
    taken = dict(
        taken_qs.order_by()
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
        .values_list("order_line_id", "total")
    )
    allocated = allocation_limits(line.pk for line, _q, _i in items)  # products short and under allocation (缺货分配)
    errors = {}
    for index, (line, quantity, _item) in enumerate(items, start=1):
        limit = (line.quantity * (100 + tolerance) / 100).quantize(QTY)
        already = taken.get(line.pk) or ZERO
        cap = allocated.get(line.pk)
        if cap is not None and (cap.ceiling is None or already + quantity > cap.ceiling):
            errors[f"lines.{index}.quantity"] = (
                _("%(line)s: %(product)s is short and under allocation, and this line has none: allocate it first.")
                % {"line": line_label(line), "product": cap.product_code}
                if cap.ceiling is None
                else _(
                    "%(line)s: %(qty)s is more than its allocation of short stock leaves — %(ceiling)s may ship in "
                    "all (%(alloc)s allocated), already in other shipments %(taken)s, so at most %(free)s."
                )
                % {
                    "line": line_label(line),
                    "qty": _n(quantity),
                    "ceiling": _n(cap.ceiling),
                    "alloc": _n(cap.allocated),
                    "taken": _n(already),
                    "free": _n(max(cap.ceiling - already, ZERO)),
                }
            )
        elif already + quantity > limit:
            errors[f"lines.{index}.quantity"] = _(
                "%(line)s: %(qty)s is more than can still ship — ordered %(ordered)s, tolerance %(tol)s %%, "
                "already in other shipments %(taken)s, so at most %(free)s."
            ) % {
                "line": line_label(line),
                "qty": _n(quantity),
                "ordered": _n(line.quantity),
                "tol": _n(tolerance),
                "taken": _n(already),
                "free": _n(max(limit - already, ZERO)),
            }
    if errors:
        raise ValidationError(errors)


def _override(item: dict[str, Any], index: int) -> dict[str, Any]:
    """The packing figures a line item carries (only those it names; blank clears)."""
    values: dict[str, Any] = {}
    if "cartons" in item:
        values["cartons"] = _int(item["cartons"], f"lines.{index}.cartons")
    for name, places in (("net_kg", 3), ("gross_kg", 3), ("cbm", 4)):
        if name in item:
            values[name] = _decimal(item[name], f"lines.{index}.{name}", places=places)
    if (
        values.get("net_kg") is not None
        and values.get("gross_kg") is not None
        and values["gross_kg"] < values["net_kg"]
    ):
        raise ValidationError({f"lines.{index}.gross_kg": _("The gross weight cannot be less than the net weight.")})
    return values


# ---- the shipment's facts ----------------------------------------------------------------------------------------


def _facts(data: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """The header fields present in `data`, checked."""
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name in data:
            text = str(data[name] or "").strip()
            limit = MAX_TEXT.get(name, 5000)
            if len(text) > limit:
                errors[name] = _("At most %(n)s characters.") % {"n": limit}
            values[name] = text[:limit]
    for name in DATE_FIELDS:
        if name in data:
            try:
                values[name] = _date(data[name], name)
            except ValidationError as exc:
                errors.update({k: v[0] for k, v in exc.errors.items()})
    if "mode" in data:
        if data["mode"] not in ShipmentMode.values:
            errors["mode"] = _("Choose a mode of transport.")
        values["mode"] = data["mode"]
    if "co_form" in data:
        if data["co_form"] not in CoForm.values:
            errors["co_form"] = _("Choose a certificate of origin.")
        values["co_form"] = data["co_form"]
    if "container_type" in data:
        kind = str(data["container_type"] or "").strip().upper()
        if kind and kind not in ContainerType.values:
            errors["container_type"] = _("Choose 20GP, 40GP or 40HQ.")
        values["container_type"] = kind
    if "container_count" in data:
        try:
            values["container_count"] = _int(data["container_count"], "container_count") or 0
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.errors.items()})
    if "forwarder_id" in data:
        try:
            values["forwarder"] = _supplier(
                data["forwarder_id"], "forwarder_id", (SupplierKind.FORWARDER, SupplierKind.COURIER)
            )
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.errors.items()})
    return values


def _check_dates(s: Shipment, errors: dict[str, str]) -> None:
    if s.etd and s.eta and s.eta < s.etd:
        errors["eta"] = _("The ETA cannot be before the ETD.")
    for name in ("cutoff_documents", "cutoff_customs", "cutoff_cargo"):
        if s.etd and getattr(s, name) and getattr(s, name) > s.etd:
            errors[name] = _("A cut-off is on or before the ETD.")
    if s.status != ShipmentStatus.PLANNED and s.status != ShipmentStatus.CANCELLED:
        if not s.booking_no:
            errors["booking_no"] = _("A booked shipment keeps its booking number.")
        if not s.etd:
            errors["etd"] = _("A booked shipment keeps its ETD.")


def _write_lines(shipment: Shipment, items: list[tuple[OrderLine, Decimal, dict[str, Any]]]) -> list[str]:
    """Replace the shipment's lines by `items` (a line of the same order line keeps its packing figures); what
    changed, for the audit."""
    current = {sl.order_line_id: sl for sl in shipment.lines.all()}
    changes, keep = [], set()
    rows = []
    for position, (line, quantity, item) in enumerate(items, start=1):
        sl = current.get(line.pk) or ShipmentLine(shipment=shipment, order_line=line)
        before = sl.quantity if sl.pk else None
        sl.position, sl.quantity = position, quantity
        for name, value in _override(item, position).items():
            setattr(sl, name, value)
        if before != quantity:
            changes.append(f"{line_label(line)}: {_n(before) if before is not None else '—'} → {_n(quantity)}")
        rows.append(sl)
        keep.add(line.pk)
    gone = [sl for pk, sl in current.items() if pk not in keep]
    for sl in gone:
        changes.append(f"{sl.order_line_id}: {_n(sl.quantity)} → —")
    ShipmentLine.objects.filter(pk__in=[sl.pk for sl in gone]).delete()
    # positions move: park the kept ones out of the way of the unique (shipment, position) first
    existing = [sl for sl in rows if sl.pk]
    for sl in existing:
        ShipmentLine.objects.filter(pk=sl.pk).update(position=sl.position + 100_000)
    for sl in rows:
        sl.save()
    return changes


@transaction.atomic
def create_shipment(*, by: User, data: dict[str, Any]) -> Shipment:
    """Plan a shipment of the customer's order lines. Mode, ports, parties and marks default from the customer's
    shipping profile; the Incoterm and currency come from the orders; the planned ex-factory date defaults to
    the earliest line's ex-factory date."""
    ensure_can(by, "shipping.add_shipment", _("You may not plan shipments."))
    customer_id = data.get("customer_id")
    if customer_id not in (None, ""):
        try:
            customer_id = int(str(customer_id))
        except ValueError:
            raise ValidationError({"customer_id": _("Choose a customer.")}) from None
        if not Customer.objects.filter(pk=customer_id).exists():
            raise ValidationError({"customer_id": _("There is no customer %(id)s.") % {"id": customer_id}})
    else:
        customer_id = None
    items, customer_id = _lines_in(data.get("lines"), customer_id=customer_id)
    _check_open(items, customer_id=customer_id, exclude=None)
    profile = profile_of(customer_id)
    errors: dict[str, str] = {}
    facts = _facts(data, errors)
    if errors:
        raise ValidationError(errors)
    first_order = items[0][0].order
    earliest = min(line.ex_factory_date or line.order.ex_factory_date for line, _q, _i in items)
    shipment = Shipment(
        number=next_number(PREFIX),
        customer_id=customer_id,
        incoterm=first_order.incoterm,
        incoterm_place=next((line.order.incoterm_place for line, _q, _i in items if line.order.incoterm_place), ""),
        currency=first_order.currency,
        mode=(profile.mode if profile and profile.mode else ShipmentMode.SEA_FCL),
        port_of_loading=profile.port_of_loading if profile else "",
        port_of_discharge=profile.port_of_discharge if profile else "",
        consignee=profile.consignee if profile else "",
        notify_party=profile.notify_party if profile else "",
        shipping_marks=profile.shipping_marks if profile else "",
        co_form=profile.co_form if profile else CoForm.GENERAL,
        planned_ex_factory_date=earliest,
        created_by=by,
    )
    for name, value in facts.items():
        setattr(shipment, name, value)
    shipment.planned_ex_factory_date = shipment.planned_ex_factory_date or earliest
    _check_dates(shipment, errors)
    if errors:
        raise ValidationError(errors)
    shipment.save()
    _write_lines(shipment, items)
    audit.record_create(
        instance=shipment,
        by=by,
        fields=["customer", "mode", "incoterm", "currency", "planned_ex_factory_date", "port_of_discharge"],
        message="; ".join(f"{line_label(line)} × {_n(q)}" for line, q, _i in items)[:1000],
    )
    return shipment


def _lock(shipment: Shipment, version: Any = None) -> Shipment:
    locked = (
        Shipment.objects.select_for_update(of=("self",)).select_related("customer", "forwarder").get(pk=shipment.pk)
    )
    check_version(locked, version)
    return locked


def _refuse(s: Shipment, action: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        _("%(number)s is %(status)s: it cannot be %(action)s.")
        % {"number": s.number, "status": s.get_status_display(), "action": action}
    )


@transaction.atomic
def update_shipment(*, shipment: Shipment, by: User, data: dict[str, Any], version: Any = None) -> Shipment:
    """Change a shipment's facts (ports, parties, marks, dates, booking details) while it is not closed or cancelled,
    and its lines (`lines`: the whole list) while it is planned or booked."""
    ensure_can(by, "shipping.change_shipment", _("You may not change shipments."))
    locked = _lock(shipment, version)
    if locked.status not in EDITABLE:
        raise _refuse(locked, _("changed"))
    errors: dict[str, str] = {}
    facts = _facts(data, errors)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(locked, AUDITED)
    line_changes: list[str] = []
    if "lines" in data and data["lines"] is not None:
        if locked.status not in LINES_EDITABLE:
            raise _refuse(locked, _("given other lines"))
        items, _cid = _lines_in(data["lines"], customer_id=locked.customer_id)
        _check_open(items, customer_id=locked.customer_id, exclude=locked.pk)
        first = items[0][0].order
        locked.incoterm, locked.currency = first.incoterm, first.currency
        line_changes = _write_lines(locked, items)
    for name, value in facts.items():
        if name == "planned_ex_factory_date" and value is None:
            errors[name] = _("Give the planned ex-factory date.")
        setattr(locked, name, value)
    _check_dates(locked, errors)
    if errors:
        raise ValidationError(errors)
    changes = audit.diff(before, audit.snapshot(locked, AUDITED))
    if changes or line_changes:
        locked.version += 1
        locked.save()
        audit.record(
            instance=locked,
            action=AuditAction.UPDATE,
            by=by,
            changes=changes,
            message="; ".join(line_changes)[:1000],
        )
    return locked


@transaction.atomic
def set_packing(*, shipment: Shipment, by: User, lines: list[dict[str, Any]], version: Any = None) -> Shipment:
    """The packing figures the factory really packed, per shipment line (`id` or `order_line_id`, and any of
    `cartons`, `net_kg`, `gross_kg`, `cbm`; blank or null goes back to the computed figure)."""
    ensure_can(by, "shipping.change_shipment", _("You may not change shipments."))
    locked = _lock(shipment, version)
    if locked.status not in EDITABLE:
        raise _refuse(locked, _("changed"))
    current = list(locked.lines.select_related("order_line__order", "order_line__product"))
    by_id = {sl.pk: sl for sl in current}
    by_order_line = {sl.order_line_id: sl for sl in current}
    changes = []
    for index, item in enumerate(lines, start=1):
        item = dict(item)
        sl = by_id.get(int(item.get("id") or 0)) or by_order_line.get(int(item.get("order_line_id") or 0))
        if sl is None:
            raise ValidationError(
                {f"lines.{index}.id": _("That line is not in %(number)s.") % {"number": locked.number}}
            )
        values = _override(item, index)
        gross = values.get("gross_kg", sl.gross_kg)
        net = values.get("net_kg", sl.net_kg)
        if gross is not None and net is not None and gross < net:
            raise ValidationError(
                {f"lines.{index}.gross_kg": _("The gross weight cannot be less than the net weight.")}
            )
        for name, value in values.items():
            if getattr(sl, name) != value:
                changes.append(f"{line_label(sl.order_line)} {name}: {getattr(sl, name)} → {value}")
                setattr(sl, name, value)
        sl.save()
    if changes:
        locked.version += 1
        locked.save()
        audit.record(instance=locked, action=AuditAction.UPDATE, by=by, message="; ".join(changes)[:1000])
    return locked


# ---- transitions -------------------------------------------------------------------------------------------------


def _move(s: Shipment, status: str, *, by: User, message: str = "", **fields: Any) -> None:
    if status not in TRANSITIONS[s.status]:
        raise _refuse(s, ShipmentStatus(status).label.lower())
    changes: dict[str, list[Any]] = {"status": [s.status, status]}
    for name, value in fields.items():
        if getattr(s, name) != value:
            changes[name] = [getattr(s, name), value]
        setattr(s, name, value)
    s.status = status
    s.version += 1
    s.save()
    audit.record(instance=s, action=AuditAction.TRANSITION, by=by, changes=changes, message=message[:500])


def order_ids(s: Shipment) -> list[int]:
    return sorted(set(ShipmentLine.objects.filter(shipment=s).values_list("order_line__order_id", flat=True)))


def _milestone(s: Shipment, code: str, day: dt.date, note: str, by: User) -> list[int]:
    from gendan.followup.services import complete_milestone

    return [oid for oid in order_ids(s) if complete_milestone(order_id=oid, code=code, day=day, note=note, by=by)]


def _past(value: Any, field: str, *, default: dt.date | None = None) -> dt.date:
    day = _date(value, field) or default or clock.today()
    if day > clock.today():
        raise ValidationError({field: _("That date is still to come: record it when it happened.")})
    return day


@transaction.atomic
def book(*, shipment: Shipment, by: User, data: dict[str, Any] | None = None, version: Any = None) -> Shipment:
    """Confirm the booking with the forwarder (its details in `data`: booking number and ETD needed; carrier,
    vessel/voyage, containers, cut-offs, ETA): records the orders' "booking confirmed" milestone today."""
    ensure_can(by, "shipping.change_shipment", _("You may not book shipments."))
    locked = _lock(shipment, version)
    if ShipmentStatus.BOOKED not in TRANSITIONS[locked.status]:
        raise _refuse(locked, _("booked"))
    errors: dict[str, str] = {}
    facts = _facts(data or {}, errors)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(locked, AUDITED)
    for name, value in facts.items():
        setattr(locked, name, value)
    if not locked.booking_no:
        errors["booking_no"] = _("Give the booking number.")
    if not locked.etd:
        errors["etd"] = _("Give the ETD.")
    locked.status = ShipmentStatus.BOOKED
    _check_dates(locked, errors)
    locked.status = ShipmentStatus.PLANNED
    if errors:
        raise ValidationError(errors)
    changes = audit.diff(before, audit.snapshot(locked, AUDITED))
    _move(locked, ShipmentStatus.BOOKED, by=by, **{k: v for k, v in facts.items()})
    if changes:
        audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes)
    note = _("%(number)s booked: %(booking)s, ETD %(etd)s") % {
        "number": locked.number,
        "booking": locked.booking_no,
        "etd": locked.etd.isoformat(),
    }
    _milestone(locked, BOOKING_CODE, clock.today(), note, by)
    signals.shipment_booked.send(sender=Shipment, shipment=locked, by=by)
    return locked


def _loaded(locked: Shipment, day: dt.date, by: User) -> None:
    note = _("%(number)s loaded (ex-factory) on %(day)s") % {"number": locked.number, "day": day.isoformat()}
    _milestone(locked, BOOKING_CODE, day, note, by)  # booked outside Gendan: the loading says it was
    _milestone(locked, EX_FACTORY_CODE, day, note, by)
    signals.shipment_loaded.send(sender=Shipment, shipment=locked, by=by)


@transaction.atomic
def load(*, shipment: Shipment, by: User, day: Any = None, version: Any = None) -> Shipment:
    """The goods left the factory (ex-factory) on `day` (default today): the orders' "ex-factory" milestone."""
    ensure_can(by, "shipping.change_shipment", _("You may not change shipments."))
    locked = _lock(shipment, version)
    if ShipmentStatus.LOADED not in TRANSITIONS[locked.status]:
        raise _refuse(locked, _("loaded"))
    when = _past(day, "date")
    _move(locked, ShipmentStatus.LOADED, by=by, loaded_date=when)
    _loaded(locked, when, by)
    return locked


@transaction.atomic
def depart(
    *,
    shipment: Shipment,
    by: User,
    atd: Any = None,
    bl_number: str = "",
    bl_date: Any = None,
    version: Any = None,
) -> Shipment:
    """The vessel or flight left (ATD, default today), with the B/L when known. Straight from booked: the goods
    were loaded that day too (the "ex-factory" milestone follows)."""
    ensure_can(by, "shipping.change_shipment", _("You may not change shipments."))
    locked = _lock(shipment, version)
    if ShipmentStatus.DEPARTED not in TRANSITIONS[locked.status]:
        raise _refuse(locked, _("departed"))
    when = _past(atd, "atd")
    if locked.loaded_date and when < locked.loaded_date:
        raise ValidationError(
            {"atd": _("The departure cannot be before the loading (%(day)s).") % {"day": locked.loaded_date}}
        )
    bl_number = (bl_number or "").strip()[:60]
    bl_day = _date(bl_date, "bl_date") if bl_date else None
    if bl_day and not bl_number:
        raise ValidationError({"bl_number": _("Give the B/L number with its date.")})
    if bl_number and bl_day is None:
        bl_day = when
    was_booked = locked.status == ShipmentStatus.BOOKED
    fields: dict[str, Any] = {"departed_date": when}
    if was_booked:
        fields["loaded_date"] = when
    if bl_number:
        fields.update(bl_number=bl_number, bl_date=bl_day)
    _move(locked, ShipmentStatus.DEPARTED, by=by, **fields)
    if was_booked:
        _loaded(locked, when, by)
    else:
        note = _("%(number)s departed on %(day)s") % {"number": locked.number, "day": when.isoformat()}
        _milestone(locked, EX_FACTORY_CODE, locked.loaded_date or when, note, by)
    _orders_shipped(locked, by)
    signals.shipment_departed.send(sender=Shipment, shipment=locked, by=by)
    if bl_number:
        signals.bl_recorded.send(sender=Shipment, shipment=locked, by=by)
    return locked


def _orders_shipped(s: Shipment, by: User) -> list[int]:
    """The orders of `s` whose every line has now left (departed at least its ordered quantity less the customer's
    tolerance) move on to "shipped"; the others stay open for the rest. Returns the ids moved."""
    from gendan.sales.models import Order
    from gendan.sales.services import TO_SHIPPED, record_shipped

    ids = order_ids(s)
    tolerance = tolerance_pct(s.customer_id)
    gone = dict(
        ShipmentLine.objects.filter(order_line__order_id__in=ids, shipment__status__in=GONE)
        .order_by()
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
        .values_list("order_line_id", "total")
    )
    complete: dict[int, bool] = dict.fromkeys(ids, True)
    for line_id, order_id, ordered in OrderLine.objects.filter(order_id__in=ids).values_list(
        "pk", "order_id", "quantity"
    ):
        if (gone.get(line_id) or ZERO) < (ordered * (100 - tolerance) / 100).quantize(QTY):
            complete[order_id] = False
    moved = []
    reason = _("All of it left with %(number)s") % {"number": s.number}
    for order in Order.objects.filter(pk__in=[oid for oid, done in complete.items() if done], status__in=TO_SHIPPED):
        record_shipped(order=order, by=by, reason=reason)
        moved.append(order.pk)
    return moved


@transaction.atomic
def arrive(*, shipment: Shipment, by: User, ata: Any = None, version: Any = None) -> Shipment:
    ensure_can(by, "shipping.change_shipment", _("You may not change shipments."))
    locked = _lock(shipment, version)
    if ShipmentStatus.ARRIVED not in TRANSITIONS[locked.status]:
        raise _refuse(locked, _("arrived"))
    when = _past(ata, "ata")
    if locked.departed_date and when < locked.departed_date:
        raise ValidationError({"ata": _("The arrival cannot be before the departure.")})
    _move(locked, ShipmentStatus.ARRIVED, by=by, arrived_date=when)
    return locked


@transaction.atomic
def close(*, shipment: Shipment, by: User, version: Any = None) -> Shipment:
    ensure_can(by, "shipping.change_shipment", _("You may not change shipments."))
    locked = _lock(shipment, version)
    _move(locked, ShipmentStatus.CLOSED, by=by)
    return locked


@transaction.atomic
def cancel(*, shipment: Shipment, by: User, reason: str, version: Any = None) -> Shipment:
    """Cancel a planned or booked shipment (its quantities are free to ship again)."""
    ensure_can(by, "shipping.change_shipment", _("You may not change shipments."))
    locked = _lock(shipment, version)
    if ShipmentStatus.CANCELLED not in TRANSITIONS[locked.status]:
        raise _refuse(locked, _("cancelled"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the shipment is cancelled.")})
    _move(locked, ShipmentStatus.CANCELLED, by=by, message=reason, cancel_reason=reason[:2000])
    signals.shipment_cancelled.send(sender=Shipment, shipment=locked, by=by)
    return locked


@transaction.atomic
def record_bl(*, shipment: Shipment, by: User, bl_number: str, bl_date: Any, version: Any = None) -> Shipment:
    """The original B/L arrived: its number and date (after the departure)."""
    ensure_can(by, "shipping.change_shipment", _("You may not change shipments."))
    locked = _lock(shipment, version)
    if locked.status not in (ShipmentStatus.DEPARTED, ShipmentStatus.ARRIVED, ShipmentStatus.CLOSED):
        raise _refuse(locked, _("given a B/L (record the departure first)"))
    number = (bl_number or "").strip()
    if not number:
        raise ValidationError({"bl_number": _("Give the B/L number.")})
    if len(number) > 60:
        raise ValidationError({"bl_number": _("At most %(n)s characters.") % {"n": 60}})
    day = _date(bl_date, "bl_date")
    if day is None:
        raise ValidationError({"bl_date": _("Give the B/L date.")})
    changes = audit.diff(
        {"bl_number": locked.bl_number, "bl_date": locked.bl_date}, {"bl_number": number, "bl_date": day}
    )
    if changes:
        locked.bl_number, locked.bl_date = number, day
        locked.version += 1
        locked.save()
        audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes)
        signals.bl_recorded.send(sender=Shipment, shipment=locked, by=by)
    return locked


# ---- the commercial invoice's number and sending the documents ------------------------------------------------


@transaction.atomic
def issue_invoice_number(*, shipment: Shipment, by: User | None) -> Shipment:
    """The commercial invoice's number and date (CI-2026-00001), given the first time a document is made and kept
    from then on."""
    if shipment.invoice_number:
        return shipment
    locked = Shipment.objects.select_for_update(of=("self",)).get(pk=shipment.pk)
    if not locked.invoice_number and locked.status != ShipmentStatus.CANCELLED:
        locked.invoice_number = next_number(INVOICE_PREFIX)
        locked.invoice_date = clock.today()
        Shipment.objects.filter(pk=locked.pk).update(
            invoice_number=locked.invoice_number, invoice_date=locked.invoice_date
        )
        audit.record(
            instance=locked,
            action=AuditAction.UPDATE,
            by=by,
            changes={"invoice_number": [None, locked.invoice_number], "invoice_date": [None, locked.invoice_date]},
        )
    shipment.invoice_number, shipment.invoice_date = locked.invoice_number, locked.invoice_date
    return shipment


def _addresses(to: list[str]) -> list[str]:
    from django.core.exceptions import ValidationError as DjangoInvalid
    from django.core.validators import validate_email

    addresses = [a.strip() for a in to if a and a.strip()]
    if not addresses:
        raise ValidationError({"to": _("Give at least one e-mail address.")})
    for address in addresses:
        try:
            validate_email(address)
        except DjangoInvalid:
            raise ValidationError({"to": _("%(address)s is not an e-mail address.") % {"address": address}}) from None
    return addresses


def send_documents(
    *, shipment: Shipment, by: User, kinds: list[str], to: list[str], lang: str = "en", message: str = ""
) -> Shipment:
    """E-mail the chosen documents (PDF, in `lang`: en, zh or both) to the customer: audited; for a shipment that
    departed, the orders' "documents sent" milestone is recorded today."""
    from gendan.shipping.documents import LANGS, render_pdf

    if not by.has_perm("shipping.change_shipment"):
        raise PermissionDenied(_("You may not send shipping documents."))
    kinds = [k for k in dict.fromkeys(kinds) if k]
    if not kinds:
        raise ValidationError({"kinds": _("Choose the documents to send.")})
    unknown = [k for k in kinds if k not in DocumentKind.values]
    if unknown:
        raise ValidationError({"kinds": _("There is no document %(kind)s.") % {"kind": unknown[0]}})
    if lang not in LANGS:
        raise ValidationError({"lang": _("Choose en, zh or both.")})
    addresses = _addresses(to)
    if shipment.status == ShipmentStatus.CANCELLED:
        raise _refuse(shipment, _("sent"))
    issue_invoice_number(shipment=shipment, by=by)
    # the PDFs are made before the transaction: WeasyPrint takes a while and holds no lock
    attachments = [(f"{shipment.number}-{kind}.pdf", render_pdf(shipment.pk, kind, lang)) for kind in kinds]
    with transaction.atomic():
        locked = _lock(shipment)
        subject = _("Shipping documents %(number)s — %(customer)s") % {
            "number": locked.invoice_number or locked.number,
            "customer": locked.customer.name_en or locked.customer.name,
        }
        mail = EmailMessage(
            subject=subject, body=message or subject, from_email=settings.DEFAULT_FROM_EMAIL, to=addresses
        )
        for name, pdf in attachments:
            mail.attach(name, pdf, "application/pdf")
        mail.send()
        sent_at = clock.now()
        Shipment.objects.filter(pk=locked.pk).update(documents_sent_at=sent_at)
        locked.documents_sent_at = sent_at
        labels = ", ".join(str(DocumentKind(k).label) for k in kinds)
        audit.record(
            instance=locked,
            action=AuditAction.UPDATE,
            by=by,
            changes={"documents_sent_at": [None, sent_at]},
            message=_("Sent %(documents)s to %(to)s") % {"documents": labels, "to": ", ".join(addresses)},
        )
        if locked.status in (ShipmentStatus.DEPARTED, ShipmentStatus.ARRIVED, ShipmentStatus.CLOSED):
            note = _("%(number)s: %(documents)s sent to %(to)s") % {
                "number": locked.number,
                "documents": labels,
                "to": ", ".join(addresses),
            }
            _milestone(locked, DOCUMENTS_CODE, clock.today(), note, by)
    return locked


# ---- customers' shipping profiles ------------------------------------------------------------------------------


PROFILE_FIELDS = [
    "tolerance_pct",
    "consignee",
    "notify_party",
    "shipping_marks",
    "port_of_loading",
    "port_of_discharge",
    "mode",
    "co_form",
    "shipping_clerk",
]


@transaction.atomic
def save_profile(*, customer: Customer, by: User, data: dict[str, Any], version: Any = None) -> ShippingProfile:
    """Set the customer's shipping profile (the fields present in `data`)."""
    ensure_can(by, "shipping.change_shippingprofile", _("You may not change customers' shipping profiles."))
    profile, created = ShippingProfile.objects.select_for_update().get_or_create(customer=customer)
    if not created:
        check_version(profile, version)
    before = audit.snapshot(profile, PROFILE_FIELDS)
    if "tolerance_pct" in data:
        value = _decimal(data["tolerance_pct"], "tolerance_pct", places=2)
        if value is not None and value > 100:
            raise ValidationError({"tolerance_pct": _("Enter 0 to 100.")})
        profile.tolerance_pct = value
    for name in ("consignee", "notify_party", "shipping_marks", "port_of_loading", "port_of_discharge"):
        if name in data:
            setattr(profile, name, str(data[name] or "").strip()[: MAX_TEXT.get(name, 5000)])
    if "mode" in data:
        if data["mode"] and data["mode"] not in ShipmentMode.values:
            raise ValidationError({"mode": _("Choose a mode of transport.")})
        profile.mode = data["mode"] or ""
    if "co_form" in data:
        if data["co_form"] not in CoForm.values:
            raise ValidationError({"co_form": _("Choose a certificate of origin.")})
        profile.co_form = data["co_form"]
    if "shipping_clerk" in data:
        value = data["shipping_clerk"]
        clerk = None
        if value not in (None, ""):
            clerk = (
                User.objects.filter(is_active=True)
                .filter(**({"pk": value} if str(value).isdigit() else {"username": str(value)}))
                .first()
            )
            if clerk is None:
                raise ValidationError({"shipping_clerk": _("There is no active user %(value)s.") % {"value": value}})
        profile.shipping_clerk = clerk
    changes = audit.diff(before, audit.snapshot(profile, PROFILE_FIELDS))
    if changes or created:
        if not created:
            profile.version += 1
        profile.save()
        audit.record(
            instance=customer, action=AuditAction.UPDATE, by=by, changes=changes, message=_("Shipping profile")
        )
    return profile


# ---- the customs declaration -------------------------------------------------------------------------------------


def declaration_lines_from(shipment: Shipment) -> list[dict[str, Any]]:
    """The declaration's lines as the shipment's lines give them: HS code and declared name from the product,
    quantity and unit, value = quantity × the order line's unit price, rounded for the currency."""
    rows = []
    lines = shipment.lines.select_related("order_line__product").order_by("position")
    for position, sl in enumerate(lines, start=1):
        product = sl.order_line.product
        rows.append(
            {
                "position": position,
                "shipment_line_id": sl.pk,
                "hs_code": product.hs_code,
                "declared_name": (product.name or "")[:200],
                "quantity": sl.quantity,
                "unit": sl.order_line.unit or product.unit,
                "value": round_money(sl.quantity * sl.order_line.unit_price, shipment.currency),
            }
        )
    return rows


DECLARATION_FIELDS = ["broker", "declaration_no", "declaration_date", "release_date", "currency", "notes"]


def _declaration_line(item: dict[str, Any], index: int, currency: str, line_ids: set[int]) -> dict[str, Any]:
    where = f"lines.{index}."
    hs = str(item.get("hs_code") or "").strip()
    if not hs.isdigit() or not 6 <= len(hs) <= 10:
        raise ValidationError({f"{where}hs_code": _("An HS code is 6 to 10 digits.")})
    name = str(item.get("declared_name") or "").strip()
    if not name:
        raise ValidationError({f"{where}declared_name": _("Give the declared name.")})
    quantity = _decimal(item.get("quantity"), f"{where}quantity", places=3, positive=True)
    if quantity is None:
        raise ValidationError({f"{where}quantity": _("Enter the quantity.")})
    unit = str(item.get("unit") or "").strip()
    if not unit:
        raise ValidationError({f"{where}unit": _("Give the unit.")})
    value = _decimal(item.get("value"), f"{where}value", places=2 if currency not in ("JPY", "KRW") else 0)
    if value is None:
        raise ValidationError({f"{where}value": _("Enter the value.")})
    line_id = item.get("shipment_line_id")
    if line_id not in (None, "") and int(line_id) not in line_ids:
        raise ValidationError({f"{where}shipment_line_id": _("That line is not in the shipment.")})
    return {
        "shipment_line_id": int(line_id) if line_id not in (None, "") else None,
        "hs_code": hs,
        "declared_name": name[:200],
        "quantity": quantity,
        "unit": unit[:10],
        "value": round_money(value, currency),
    }


@transaction.atomic
def save_declaration(*, shipment: Shipment, by: User, data: dict[str, Any], version: Any = None) -> CustomsDeclaration:
    """Create or change the shipment's customs declaration: its number, dates, broker, currency, notes and (when
    `lines` is given) all its lines; a new declaration without lines takes them from the shipment."""
    ensure_can(by, "shipping.change_customsdeclaration", _("You may not change customs declarations."))
    locked_shipment = _lock(shipment)
    if locked_shipment.status == ShipmentStatus.CANCELLED:
        raise _refuse(locked_shipment, _("declared"))
    declaration = CustomsDeclaration.objects.select_for_update().filter(shipment=locked_shipment).first()
    created = declaration is None
    if created:
        declaration = CustomsDeclaration(shipment=locked_shipment, currency=locked_shipment.currency)
    else:
        check_version(declaration, version)
    before = audit.snapshot(declaration, DECLARATION_FIELDS) if not created else {}
    if "broker_id" in data:
        declaration.broker = _supplier(data["broker_id"], "broker_id")
    if "declaration_no" in data:
        number = str(data["declaration_no"] or "").strip()
        if len(number) > 30:
            raise ValidationError({"declaration_no": _("At most %(n)s characters.") % {"n": 30}})
        declaration.declaration_no = number
    for name in ("declaration_date", "release_date"):
        if name in data:
            setattr(declaration, name, _date(data[name], name))
    if (
        declaration.release_date
        and declaration.declaration_date
        and declaration.release_date < declaration.declaration_date
    ):
        raise ValidationError({"release_date": _("The release cannot be before the declaration.")})
    if data.get("currency"):
        if data["currency"] not in Currency.values:
            raise ValidationError({"currency": _("Choose a currency.")})
        declaration.currency = data["currency"]
    if "notes" in data:
        declaration.notes = str(data["notes"] or "").strip()
    line_ids = set(locked_shipment.lines.values_list("pk", flat=True))
    new_lines = None
    if data.get("lines") is not None:
        raw = list(data["lines"])
        if not raw:
            raise ValidationError({"lines": _("A declaration has at least one line.")})
        new_lines = [_declaration_line(dict(item), i, declaration.currency, line_ids) for i, item in enumerate(raw, 1)]
    elif created:
        new_lines = declaration_lines_from(locked_shipment)
        for row in new_lines:
            row.pop("position")
            if not row["hs_code"]:
                row["hs_code"] = ""
    if not created:
        declaration.version += 1
    declaration.save()
    if new_lines is not None:
        declaration.lines.all().delete()
        CustomsLine.objects.bulk_create(
            [CustomsLine(declaration=declaration, position=i, **row) for i, row in enumerate(new_lines, start=1)]
        )
    if created:
        audit.record_create(instance=declaration, by=by, fields=DECLARATION_FIELDS, related=locked_shipment)
    else:
        changes = audit.diff(before, audit.snapshot(declaration, DECLARATION_FIELDS))
        audit.record(
            instance=declaration,
            action=AuditAction.UPDATE,
            by=by,
            changes=changes,
            message=_("%(n)s lines") % {"n": len(new_lines)} if new_lines is not None else "",
            related=locked_shipment,
        )
    return declaration
