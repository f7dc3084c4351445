"""Catalog writes: products, materials and bills of materials (BOM, 物料清单).

Each function checks the caller's permission, validates, writes and records the change in one transaction.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gendan.catalog.models import BomLine, Material, Product
from gendan.core import audit, editing
from gendan.core.choices import AuditAction
from gendan.core.exceptions import ValidationError
from gendan.core.models import User
from gendan.core.services import ensure_can
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


def _resolve_supplier(value: Any) -> Supplier | None:
    """A supplier given as an instance, an id or a code (None or "" clears it)."""
    if value is None or value == "" or isinstance(value, Supplier):
        return value or None
    lookup = {"pk": value} if isinstance(value, int) else {"code": str(value).strip()}
    supplier = Supplier.objects.filter(**lookup).first()
    if supplier is None:
        raise ValidationError({"default_supplier": [_("No supplier “%(s)s”.") % {"s": value}]})
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
