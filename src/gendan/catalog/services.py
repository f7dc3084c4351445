"""Catalog writes: products, materials, bills of materials (BOM, 物料清单), work centres (工作中心) with their
capacity exceptions, and routings (工艺路线).

Each function checks the caller's permission, validates, writes and records the change in one transaction.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gendan.catalog.choices import CapacityExceptionKind, CapacityUnit, WorkCentreKind
from gendan.catalog.models import BomLine, CapacityException, Material, Product, RoutingStep, WorkCentre
from gendan.core import audit, editing
from gendan.core.choices import AuditAction
from gendan.core.exceptions import ValidationError
from gendan.core.models import User
from gendan.core.services import ensure_can
from gendan.partners.choices import SupplierKind
from gendan.partners.models import Supplier

PRODUCT_FIELDS = [
    "code",
    "name",
    "name_en",
    "spec",
    "unit",
    "category",
    "hs_code",
    "units_per_carton",
    "carton_length_cm",
    "carton_width_cm",
    "carton_height_cm",
    "net_weight_kg",
    "gross_weight_kg",
    "notes",
    "is_active",
]
MATERIAL_FIELDS = [
    "code",
    "name",
    "spec",
    "unit",
    "category",
    "lead_time_days",
    "purchase_price",
    "purchase_currency",
    "default_supplier",
    "notes",
    "is_active",
]
MAX_BOM_LINES = 500


def _known(data: dict[str, Any], allowed: list[str]) -> dict[str, Any]:
    unknown = [k for k in data if k not in allowed and k != "version"]
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in unknown})
    return {k: v for k, v in data.items() if k != "version"}


def _decimal_or_none(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None and value != "" else None
    except InvalidOperation:
        return None


WEIGHT_CONSTRAINT = "product_gross_weight_at_least_net"


@contextmanager
def _weights_on_gross_field() -> Iterator[None]:
    """Put the "gross weight at least net" constraint's error on the gross weight field, where the form shows it."""
    try:
        yield
    except ValidationError as exc:
        constraint = next(c for c in Product._meta.constraints if c.name == WEIGHT_CONSTRAINT)
        message = str(constraint.violation_error_message)
        general = exc.errors.get("__all__", [])
        if message in general:
            general.remove(message)
            if not general:
                exc.errors.pop("__all__")
            exc.errors.setdefault("gross_weight_kg", []).append(message)
        raise


def _product_data(data: dict[str, Any]) -> dict[str, Any]:
    clean = editing.normalise(Product, _known(data, PRODUCT_FIELDS))
    if isinstance(clean.get("hs_code"), str):
        clean["hs_code"] = clean["hs_code"].replace(".", "").replace(" ", "")
    return clean


@transaction.atomic
def create_product(*, by: User, data: dict[str, Any]) -> Product:
    """Create a product (产品) with its spec/model and carton data."""
    ensure_can(by, "catalog.add_product")
    with _weights_on_gross_field():
        return editing.create(Product, data=_product_data(data), by=by)


@transaction.atomic
def update_product(*, product: Product, by: User, version: int | None, data: dict[str, Any]) -> Product:
    ensure_can(by, "catalog.change_product")
    with _weights_on_gross_field():
        updated, _changes = editing.update(product, data=_product_data(data), by=by, version=version)
    return updated


def _resolve_supplier(value: Any, field: str = "default_supplier") -> Supplier | None:
    """A supplier given as an instance, an id or a code (None or "" clears it)."""
    if value is None or value == "" or isinstance(value, Supplier):
        return value or None
    lookup = {"pk": value} if isinstance(value, int) else {"code": str(value).strip()}
    supplier = Supplier.objects.filter(**lookup).first()
    if supplier is None:
        raise ValidationError({field: [_("No supplier “%(s)s”.") % {"s": value}]})
    return supplier


def _material_data(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "default_supplier_id" in data:
        data["default_supplier"] = data.pop("default_supplier_id")
    clean = editing.normalise(Material, _known(data, MATERIAL_FIELDS))
    if "default_supplier" in clean:
        clean["default_supplier"] = _resolve_supplier(clean["default_supplier"])
    return clean


@transaction.atomic
def create_material(*, by: User, data: dict[str, Any]) -> Material:
    """Create a material (物料); `default_supplier` may be a supplier, its id or its code."""
    ensure_can(by, "catalog.add_material")
    return editing.create(Material, data=_material_data(data), by=by)


@transaction.atomic
def update_material(*, material: Material, by: User, version: int | None, data: dict[str, Any]) -> Material:
    ensure_can(by, "catalog.change_material")
    updated, _changes = editing.update(material, data=_material_data(data), by=by, version=version)
    return updated


# ---- BOM ----------------------------------------------------------------------------------------


def _short(number: Decimal) -> str:
    return format(number.normalize(), "f")


def bom_summary(lines: list[BomLine]) -> str:
    """One line of text for the audit trail: "M001×1.5 (+3%); M002×2"."""
    parts = []
    for line in lines:
        text = f"{line.material.code}×{_short(line.qty_per_unit)}"
        if line.scrap_pct:
            text += f" (+{_short(line.scrap_pct)}%)"
        parts.append(text)
    return "; ".join(parts)


def _material_of(value: Any, materials: dict[Any, Material]) -> Material | None:
    if isinstance(value, Material):
        return value
    if isinstance(value, int) or (
        isinstance(value, str) and value.strip().isdigit() and value.strip() not in materials
    ):
        return materials.get(int(value))
    if isinstance(value, str):
        return materials.get(value.strip())
    return None


def _lookup_materials(lines: list[dict[str, Any]]) -> dict[Any, Material]:
    """Every material the lines name, by id and by code, in one query."""
    ids, codes = set(), set()
    for line in lines:
        value = line.get("material", line.get("material_id"))
        if isinstance(value, int):
            ids.add(value)
        elif isinstance(value, str) and value.strip():
            codes.add(value.strip())
            if value.strip().isdigit():
                ids.add(int(value.strip()))
    found: dict[Any, Material] = {}
    if ids or codes:
        for m in Material.objects.filter(Q(pk__in=ids) | Q(code__in=codes)):
            found[m.pk] = m
            found[m.code] = m
    return found


def _bom_lines(product: Product, lines: list[dict[str, Any]]) -> list[BomLine]:
    """BomLine objects from the caller's dicts, or a ValidationError naming each bad field as lines[i].field."""
    errors: dict[str, list[str]] = {}
    if len(lines) > MAX_BOM_LINES:
        raise ValidationError({"lines": [_("A BOM has at most %(n)s lines.") % {"n": MAX_BOM_LINES}]})
    materials = _lookup_materials(lines)
    seen: dict[int, int] = {}
    result: list[BomLine] = []
    for i, raw in enumerate(lines):
        key = f"lines[{i}]"
        material = _material_of(raw.get("material", raw.get("material_id")), materials)
        if material is None:
            value = raw.get("material", raw.get("material_id"))
            if value in (None, ""):
                errors[f"{key}.material"] = [_("Choose a material.")]
            else:
                errors[f"{key}.material"] = [_("No material “%(m)s”.") % {"m": value}]
        elif material.pk in seen:
            errors[f"{key}.material"] = [
                _("Material %(code)s is already on line %(n)s.") % {"code": material.code, "n": seen[material.pk] + 1}
            ]
        else:
            seen[material.pk] = i
        qty = _decimal_or_none(raw.get("qty_per_unit"))
        if qty is None:
            errors[f"{key}.qty_per_unit"] = [_("Enter the quantity per unit as a number.")]
        elif qty <= 0:
            errors[f"{key}.qty_per_unit"] = [_("The quantity per unit must be more than 0.")]
        scrap_raw = raw.get("scrap_pct")
        scrap = Decimal(0) if scrap_raw in (None, "") else _decimal_or_none(scrap_raw)
        if scrap is None:
            errors[f"{key}.scrap_pct"] = [_("Enter the scrap rate as a number.")]
        elif not Decimal(0) <= scrap <= Decimal(100):
            errors[f"{key}.scrap_pct"] = [_("The scrap rate is a percentage from 0 to 100.")]
        if any(k.startswith(key + ".") for k in errors):
            continue
        values = editing.normalise(
            BomLine, {"qty_per_unit": qty, "scrap_pct": scrap, "note": str(raw.get("note") or "")}
        )
        line = BomLine(product=product, material=material, position=i, **values)
        try:
            editing.validate(line, exclude=["product", "material"])
        except ValidationError as exc:
            for fld, msgs in exc.errors.items():
                errors[f"{key}.{fld}"] = msgs
            continue
        result.append(line)
    if errors:
        raise ValidationError(errors)
    return result


@transaction.atomic
def set_bom(*, product: Product, by: User, lines: list[dict[str, Any]]) -> list[BomLine]:
    """Replace a product's bill of materials whole.

    Each line: `material` (a Material, its id or its code), `qty_per_unit` (> 0), `scrap_pct` (0–100, default 0),
    `note`. Errors name the line: "lines[2].qty_per_unit". The change is recorded on the product as
    {"bom": [old summary, new summary]}.
    """
    ensure_can(by, "catalog.change_bomline")
    locked = Product.objects.select_for_update().get(pk=product.pk)
    new_lines = _bom_lines(locked, lines)
    old_lines = list(BomLine.objects.filter(product=locked).select_related("material").order_by("position", "id"))
    before, after = bom_summary(old_lines), bom_summary(new_lines)
    BomLine.objects.filter(product=locked).delete()
    BomLine.objects.bulk_create(new_lines)
    if before != after or any(o.note != n.note for o, n in zip(old_lines, new_lines, strict=False)):
        audit.record(
            instance=locked,
            action=AuditAction.UPDATE,
            by=by,
            changes={"bom": [before or None, after or None]},
        )
    return list(BomLine.objects.filter(product=locked).select_related("material").order_by("position", "id"))


# ---- work centres -------------------------------------------------------------------------------

WORK_CENTRE_FIELDS = [
    "code",
    "name",
    "kind",
    "supplier",
    "capacity_unit",
    "daily_capacity",
    "product_family",
    "max_overtime_hours",
    "is_active",
]
FACTORY_CONSTRAINT = "work_centre_factory_has_supplier"


def _work_centre_data(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "supplier_id" in data:
        data["supplier"] = data.pop("supplier_id")
    clean = editing.normalise(WorkCentre, _known(data, WORK_CENTRE_FIELDS))
    if "supplier" in clean:
        clean["supplier"] = _resolve_supplier(clean["supplier"], field="supplier")
    return clean


def _merge(errors: dict[str, list[str]], more: dict[str, list[str]]) -> None:
    for key, msgs in more.items():
        target = errors.setdefault(key, [])
        target.extend(m for m in msgs if m not in target)


def _check_work_centre(centre: WorkCentre) -> None:
    """The model's own validation and the rules between fields, every error at once:

    a subcontract factory names a supplier of the subcontract kind (and only a factory names one); a capacity in
    units names its product family; overtime is in hours, so only a capacity in hours may allow it.
    """
    errors: dict[str, list[str]] = {}
    try:
        editing.validate(centre)
    except ValidationError as exc:
        errors = exc.errors
    constraint = next(c for c in WorkCentre._meta.constraints if c.name == FACTORY_CONSTRAINT)
    general = errors.get("__all__", [])
    if str(constraint.violation_error_message) in general:  # said on the supplier field below
        general.remove(str(constraint.violation_error_message))
        if not general:
            errors.pop("__all__")
    rules: dict[str, list[str]] = {}
    if centre.kind == WorkCentreKind.FACTORY:
        if centre.supplier is None:
            rules["supplier"] = [_("A subcontract factory names its supplier.")]
        elif centre.supplier.kind != SupplierKind.SUBCONTRACT:
            rules["supplier"] = [
                _("%(s)s is not a subcontract factory; choose a supplier of that kind.") % {"s": centre.supplier}
            ]
    elif centre.supplier_id is not None:
        rules["supplier"] = [_("Only a subcontract factory names a supplier; clear it for a line or a workshop.")]
    if centre.capacity_unit == CapacityUnit.UNITS and not centre.product_family:
        rules["product_family"] = [_("A capacity in units is for one product family: name it.")]
    overtime = centre.max_overtime_hours
    if isinstance(overtime, Decimal) and overtime > 0 and centre.capacity_unit != CapacityUnit.HOURS:
        rules["max_overtime_hours"] = [_("Overtime is in hours: only a capacity in hours may allow it.")]
    daily = centre.daily_capacity
    if isinstance(daily, Decimal) and daily.is_finite() and daily < 0 and "daily_capacity" not in errors:
        rules["daily_capacity"] = [_("The daily capacity cannot be negative.")]
    _merge(errors, rules)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_work_centre(*, by: User, data: dict[str, Any]) -> WorkCentre:
    """Create a work centre (工作中心): a line, a workshop or a subcontract factory; `supplier` may be a supplier,
    its id or its code."""
    ensure_can(by, "catalog.add_workcentre")
    values = _work_centre_data(data)
    _check_work_centre(WorkCentre(**values))
    return editing.create(WorkCentre, data=values, by=by)


@transaction.atomic
def update_work_centre(*, work_centre: WorkCentre, by: User, version: int | None, data: dict[str, Any]) -> WorkCentre:
    """Change some fields; StaleVersion when someone saved since `version` was read."""
    ensure_can(by, "catalog.change_workcentre")
    values = _work_centre_data(data)
    locked = WorkCentre.objects.select_for_update(of=("self",)).select_related("supplier").get(pk=work_centre.pk)
    editing.check_version(locked, version)
    for name, value in values.items():
        setattr(locked, name, value)
    _check_work_centre(locked)
    updated, _changes = editing.update(work_centre, data=values, by=by, version=version)
    return updated


# ---- capacity exceptions ------------------------------------------------------------------------

MAX_EXCEPTION_DAYS = 366


def exception_summary(exceptions: list[CapacityException]) -> str:
    """One line for the audit trail, runs of equal days joined: "2026-12-01–2026-12-03 0 maintenance (PM)"."""
    runs: list[list[Any]] = []
    for exc in sorted(exceptions, key=lambda e: e.date):
        key = (exc.capacity, exc.kind, exc.reason)
        if runs and runs[-1][2] == key and runs[-1][1] + dt.timedelta(days=1) == exc.date:
            runs[-1][1] = exc.date
        else:
            runs.append([exc.date, exc.date, key])
    parts = []
    for first, last, (capacity, kind, reason) in runs:
        days = first.isoformat() if first == last else f"{first.isoformat()}–{last.isoformat()}"
        text = f"{days} {_short(Decimal(capacity))} {kind}"
        parts.append(f"{text} ({reason})" if reason else text)
    return "; ".join(parts)


def _range_errors(start: Any, end: Any) -> dict[str, list[str]]:
    if not isinstance(start, dt.date):
        return {"date": [_("Enter a date.")]}
    if not isinstance(end, dt.date):
        return {"end": [_("Enter a date.")]}
    if end < start:
        return {"end": [_("The last day cannot be before the first.")]}
    if (end - start).days >= MAX_EXCEPTION_DAYS:
        return {"end": [_("At most %(n)s days at once.") % {"n": MAX_EXCEPTION_DAYS}]}
    return {}


def _record_exceptions(
    centre: WorkCentre, by: User, before: list[CapacityException], after: list[CapacityException]
) -> None:
    old, new = exception_summary(before), exception_summary(after)
    if old != new:
        audit.record(
            instance=centre, action=AuditAction.UPDATE, by=by, changes={"exceptions": [old or None, new or None]}
        )


@transaction.atomic
def set_exceptions(
    *,
    work_centre: WorkCentre,
    by: User,
    start: dt.date,
    end: dt.date | None = None,
    capacity: Any,
    kind: str = CapacityExceptionKind.OTHER,
    reason: str = "",
) -> list[CapacityException]:
    """Give a work centre another capacity on every day from `start` to `end` (one day when `end` is None),
    replacing the exceptions it had on those days: overtime (more, even on a rest day), maintenance (less).

    `capacity` is the whole capacity of the day in the work centre's unit, not an addition.
    """
    ensure_can(by, "catalog.change_workcentre")
    end = start if end is None else end
    errors = _range_errors(start, end)
    values = editing.normalise(CapacityException, {"capacity": capacity, "kind": kind, "reason": reason or ""})
    probe = CapacityException(work_centre=work_centre, date=start, **values)
    try:
        editing.validate(probe, exclude=["work_centre", "date"])
    except ValidationError as exc:
        _merge(errors, exc.errors)
    if errors:
        raise ValidationError(errors)
    locked = WorkCentre.objects.select_for_update().get(pk=work_centre.pk)
    existing = CapacityException.objects.filter(work_centre=locked, date__gte=start, date__lte=end)
    before = list(existing)
    existing.delete()
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    created = CapacityException.objects.bulk_create(
        [
            CapacityException(
                work_centre=locked, date=day, capacity=probe.capacity, kind=probe.kind, reason=probe.reason
            )
            for day in days
        ]
    )
    _record_exceptions(locked, by, before, created)
    return created


def set_exception(
    *,
    work_centre: WorkCentre,
    by: User,
    date: dt.date,
    capacity: Any,
    kind: str = CapacityExceptionKind.OTHER,
    reason: str = "",
) -> CapacityException:
    """One day's capacity exception, added or replaced."""
    return set_exceptions(
        work_centre=work_centre, by=by, start=date, end=date, capacity=capacity, kind=kind, reason=reason
    )[0]


@transaction.atomic
def remove_exceptions(*, work_centre: WorkCentre, by: User, start: dt.date, end: dt.date | None = None) -> int:
    """Remove a work centre's exceptions from `start` to `end` (one day when `end` is None); how many there were."""
    ensure_can(by, "catalog.change_workcentre")
    end = start if end is None else end
    errors = _range_errors(start, end)
    if errors:
        raise ValidationError(errors)
    locked = WorkCentre.objects.select_for_update().get(pk=work_centre.pk)
    existing = CapacityException.objects.filter(work_centre=locked, date__gte=start, date__lte=end)
    before = list(existing)
    if before:
        existing.delete()
        _record_exceptions(locked, by, before, [])
    return len(before)


def remove_exception(*, work_centre: WorkCentre, by: User, date: dt.date) -> bool:
    """Remove one day's exception; False when there was none."""
    return remove_exceptions(work_centre=work_centre, by=by, start=date, end=date) > 0


# ---- routing ------------------------------------------------------------------------------------

MAX_ROUTING_STEPS = 100
MINUTES = Decimal("0.001")


def _number(value: Any) -> Decimal | None:
    """A finite Decimal from a number or a string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip().replace(",", "")
    number = _decimal_or_none(value)
    return number if number is not None and number.is_finite() else None


def minutes_from_units_per_hour(units_per_hour: Decimal) -> Decimal:
    """Standard minutes per unit from an output rate: 60 / units per hour, 3 places (120/h → 0.500)."""
    return (Decimal(60) / units_per_hour).quantize(MINUTES, rounding=ROUND_HALF_UP)


def routing_summary(steps: list[RoutingStep]) -> str:
    """One line for the audit trail: "1 Cutting @CUT 0.48 min (+30 setup); 2 Sewing @SEW 1.2 min"."""
    parts = []
    for step in steps:
        text = f"{step.position} {step.name} @{step.work_centre.code} {_short(step.minutes_per_unit)} min"
        if step.setup_minutes:
            text += f" (+{_short(step.setup_minutes)} setup)"
        parts.append(text)
    return "; ".join(parts)


def _lookup_work_centres(steps: list[dict[str, Any]]) -> dict[Any, WorkCentre]:
    """Every work centre the steps name, by id and by code, in one query."""
    ids, codes = set(), set()
    for step in steps:
        value = step.get("work_centre", step.get("work_centre_id"))
        if isinstance(value, int) and not isinstance(value, bool):
            ids.add(value)
        elif isinstance(value, str) and value.strip():
            codes.add(value.strip())
            if value.strip().isdigit():
                ids.add(int(value.strip()))
    found: dict[Any, WorkCentre] = {}
    if ids or codes:
        for centre in WorkCentre.objects.filter(Q(pk__in=ids) | Q(code__in=codes)):
            found[centre.pk] = centre
            found[centre.code] = centre
    return found


def _centre_of(value: Any, centres: dict[Any, WorkCentre]) -> WorkCentre | None:
    if isinstance(value, WorkCentre):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return centres.get(value)
    if isinstance(value, str):
        text = value.strip()
        if text in centres:
            return centres[text]
        return centres.get(int(text)) if text.isdigit() else None
    return None


def _step_minutes(raw: dict[str, Any], key: str, errors: dict[str, list[str]]) -> Decimal | None:
    """The step's standard minutes per unit, given directly or as units per hour."""
    minutes_raw, rate_raw = raw.get("minutes_per_unit"), raw.get("units_per_hour")
    has_minutes, has_rate = minutes_raw not in (None, ""), rate_raw not in (None, "")
    if has_minutes and has_rate:
        errors[f"{key}.units_per_hour"] = [_("Give the minutes per unit or the units per hour, not both.")]
        return None
    if has_rate:
        rate = _number(rate_raw)
        if rate is None:
            errors[f"{key}.units_per_hour"] = [_("Enter the units per hour as a number.")]
        elif rate <= 0:
            errors[f"{key}.units_per_hour"] = [_("The units per hour must be more than 0.")]
        elif minutes_from_units_per_hour(rate) == 0:
            errors[f"{key}.units_per_hour"] = [_("Too many units per hour: a unit would take less than 0.001 minutes.")]
        else:
            return minutes_from_units_per_hour(rate)
        return None
    if not has_minutes:
        errors[f"{key}.minutes_per_unit"] = [_("Give the standard minutes per unit (or the units per hour).")]
        return None
    minutes = _number(minutes_raw)
    if minutes is None:
        errors[f"{key}.minutes_per_unit"] = [_("Enter the minutes per unit as a number.")]
    elif minutes < 0:
        errors[f"{key}.minutes_per_unit"] = [_("The minutes per unit cannot be negative.")]
    return minutes if minutes is not None and minutes >= 0 else None


def _routing_steps(product: Product, steps: list[dict[str, Any]]) -> list[RoutingStep]:
    """RoutingStep objects numbered 1..n in the order given, or a ValidationError naming each bad field as
    steps.<n>.<field> (n from 1)."""
    if len(steps) > MAX_ROUTING_STEPS:
        raise ValidationError({"steps": [_("A routing has at most %(n)s steps.") % {"n": MAX_ROUTING_STEPS}]})
    centres = _lookup_work_centres(steps)
    errors: dict[str, list[str]] = {}
    result: list[RoutingStep] = []
    for position, raw in enumerate(steps, start=1):
        key = f"steps.{position}"
        name = str(raw.get("name") or "").strip()
        if not name:
            errors[f"{key}.name"] = [_("Name the operation.")]
        ref = raw.get("work_centre", raw.get("work_centre_id"))
        centre = _centre_of(ref, centres)
        if centre is None:
            if ref in (None, ""):
                errors[f"{key}.work_centre"] = [_("Choose a work centre.")]
            else:
                errors[f"{key}.work_centre"] = [_("No work centre “%(w)s”.") % {"w": ref}]
        elif not centre.is_active:
            errors[f"{key}.work_centre"] = [
                _("Work centre %(code)s is inactive; choose an active one.") % {"code": centre.code}
            ]
        minutes = _step_minutes(raw, key, errors)
        if minutes == 0 and centre is not None and centre.capacity_unit == CapacityUnit.HOURS:
            errors[f"{key}.minutes_per_unit"] = [
                _("Work centre %(code)s counts hours: the operation needs more than 0 minutes per unit.")
                % {"code": centre.code}
            ]
        setup_raw = raw.get("setup_minutes")
        setup = Decimal(0) if setup_raw in (None, "") else _number(setup_raw)
        if setup is None:
            errors[f"{key}.setup_minutes"] = [_("Enter the setup time in minutes as a number.")]
        elif setup < 0:
            errors[f"{key}.setup_minutes"] = [_("The setup time cannot be negative.")]
        if any(k.startswith(key + ".") for k in errors):
            continue
        values = editing.normalise(RoutingStep, {"name": name, "minutes_per_unit": minutes, "setup_minutes": setup})
        step = RoutingStep(product=product, work_centre=centre, position=position, **values)
        try:
            editing.validate(step, exclude=["product", "work_centre"])
        except ValidationError as exc:
            for fld, msgs in exc.errors.items():
                errors[f"{key}.{fld}"] = msgs
            continue
        result.append(step)
    if errors:
        raise ValidationError(errors)
    return result


@transaction.atomic
def set_routing(*, product: Product, by: User, steps: list[dict[str, Any]]) -> list[RoutingStep]:
    """Replace a product's routing (工艺路线) whole; the steps are numbered 1..n in the order given.

    Each step: `name` (the operation), `work_centre` (a WorkCentre, its id or its code; also `work_centre_id`),
    active; `minutes_per_unit` (standard minutes, 3 places) or instead `units_per_hour` (turned into 60 / units per
    hour); `setup_minutes` (default 0). Errors name the step from 1: "steps.2.work_centre". The change is recorded
    on the product as {"routing": [old summary, new summary]}.
    """
    ensure_can(by, "catalog.change_routingstep")
    locked = Product.objects.select_for_update().get(pk=product.pk)
    new_steps = _routing_steps(locked, steps)
    old_steps = list(RoutingStep.objects.filter(product=locked).select_related("work_centre").order_by("position"))
    before, after = routing_summary(old_steps), routing_summary(new_steps)
    RoutingStep.objects.filter(product=locked).delete()
    RoutingStep.objects.bulk_create(new_steps)
    if before != after:
        audit.record(
            instance=locked, action=AuditAction.UPDATE, by=by, changes={"routing": [before or None, after or None]}
        )
    return list(RoutingStep.objects.filter(product=locked).select_related("work_centre").order_by("position"))
