"""Excel imports of products, materials and BOMs: create or update by code, all rows or none.

A BOM file has one row per product and material; all the rows of a product replace that product's BOM.
"""

import re
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gendan.catalog import services
from gendan.catalog.choices import MaterialCategory, Unit
from gendan.catalog.models import BomLine, Material, Product
from gendan.core.excel import (
    ImportColumn,
    ImportResult,
    ImportSpec,
    RowError,
    choice_parser,
    parse_decimal,
    parse_int,
    run_import,
)
from gendan.core.exceptions import GendanError, ValidationError
from gendan.core.models import User

PRODUCT_SPEC = ImportSpec(
    "products",
    [
        ImportColumn("code", "产品编码", "Code", required=True, example="P001"),
        ImportColumn("name", "产品名称", "Name", required=True, example="纯棉浴巾"),
        ImportColumn("name_en", "英文名称", "English name", example="Cotton bath towel"),
        ImportColumn("spec", "规格型号", "Spec/model", example="70x140cm 500gsm"),
        ImportColumn("unit", "单位", "Unit", parse=choice_parser(Unit), example="pcs"),
        ImportColumn("category", "类别", "Category", example="毛巾"),
        ImportColumn("hs_code", "海关编码", "HS code", example="6302910000"),
        ImportColumn("units_per_carton", "每箱数量", "Units per carton", parse=parse_int, example=24),
        ImportColumn("carton_length_cm", "外箱长(cm)", "Carton length (cm)", parse=parse_decimal, example=60),
        ImportColumn("carton_width_cm", "外箱宽(cm)", "Carton width (cm)", parse=parse_decimal, example=40),
        ImportColumn("carton_height_cm", "外箱高(cm)", "Carton height (cm)", parse=parse_decimal, example=35),
        ImportColumn("net_weight_kg", "净重(kg)", "Net weight (kg)", parse=parse_decimal, example=12.5),
        ImportColumn("gross_weight_kg", "毛重(kg)", "Gross weight (kg)", parse=parse_decimal, example=13.2),
        ImportColumn("notes", "备注", "Notes", example=""),
    ],
)


MATERIAL_SPEC = ImportSpec(
    "materials",
    [
        ImportColumn("code", "物料编码", "Code", required=True, example="M001"),
        ImportColumn("name", "物料名称", "Name", required=True, example="32支纯棉纱"),
        ImportColumn("spec", "规格", "Spec", example="32s"),
        ImportColumn("unit", "单位", "Unit", parse=choice_parser(Unit), example="kg"),
        ImportColumn("category", "物料类别", "Category", parse=choice_parser(MaterialCategory), example="raw"),
        ImportColumn("lead_time_days", "采购周期(天)", "Lead time (days)", parse=parse_int, example=15),
        ImportColumn("default_supplier", "默认供应商编码", "Default supplier code", example="S001"),
        ImportColumn("notes", "备注", "Notes", example=""),
    ],
)

BOM_SPEC = ImportSpec(
    "boms",
    [
        ImportColumn("product", "产品编码", "Product code", required=True, example="P001"),
        ImportColumn("material", "物料编码", "Material code", required=True, example="M001"),
        ImportColumn("qty_per_unit", "单位用量", "Qty per unit", parse=parse_decimal, required=True, example=0.55),
        ImportColumn("scrap_pct", "损耗率(%)", "Scrap rate (%)", parse=parse_decimal, example=3),
        ImportColumn("note", "备注", "Note", example=""),
    ],
)


def given(data: dict[str, Any]) -> dict[str, Any]:
    """The cells the row fills: a blank cell leaves the stored value (or the default) as it is."""
    return {k: v for k, v in data.items() if v is not None and v != ""}


def product_writer(by: User) -> Callable[[dict[str, Any]], str]:
    def write(data: dict[str, Any]) -> str:
        values = given(data)
        existing = Product.objects.filter(code=values["code"]).first()
        if existing is None:
            services.create_product(by=by, data=values)
            return "created"
        services.update_product(product=existing, by=by, version=None, data=values)
        return "updated"

    return write


def material_writer(by: User) -> Callable[[dict[str, Any]], str]:
    def write(data: dict[str, Any]) -> str:
        values = given(data)
        existing = Material.objects.filter(code=values["code"]).first()
        if existing is None:
            services.create_material(by=by, data=values)
            return "created"
        services.update_material(material=existing, by=by, version=None, data=values)
        return "updated"

    return write


def import_products(*, fileobj: Any, by: User) -> ImportResult:
    """Create or update products by code from an .xlsx; nothing is written when any row is wrong."""
    return run_import(PRODUCT_SPEC, fileobj, product_writer(by))


def import_materials(*, fileobj: Any, by: User) -> ImportResult:
    """Create or update materials by code; the default supplier is given by its code."""
    return run_import(MATERIAL_SPEC, fileobj, material_writer(by))


LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


def import_boms(*, fileobj: Any, by: User) -> ImportResult:
    """Replace the BOM of every product in the file with the file's rows for it, all products or none.

    `created` counts products that had no BOM before, `updated` those whose BOM was replaced.
    """
    rows, errors = BOM_SPEC.read(fileobj)
    result = ImportResult(errors=list(errors))
    if not rows and not errors:
        result.errors.append(RowError(2, "file", _("The file has no rows to import.")))
        return result
    bad_rows = {e.row for e in errors}
    groups: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for number, data in rows:
        if number not in bad_rows:
            groups.setdefault(data["product"], []).append((number, data))
    products = {p.code: p for p in Product.objects.filter(code__in=list(groups))}
    had_bom = set(BomLine.objects.filter(product__in=products.values()).values_list("product_id", flat=True))
    with transaction.atomic():
        for code, group in groups.items():
            product = products.get(code)
            if product is None:
                result.errors.extend(
                    RowError(n, "product", _("No product with code “%(c)s”.") % {"c": code}) for n, _d in group
                )
                continue
            lines = [{k: v for k, v in d.items() if k != "product"} for _n, d in group]
            try:
                with transaction.atomic():
                    services.set_bom(product=product, by=by, lines=lines)
            except ValidationError as exc:
                for fld, msgs in exc.errors.items():
                    match = LINE_FIELD.match(fld)
                    number, name = (group[int(match.group(1))][0], match.group(2)) if match else (group[0][0], fld)
                    result.errors.extend(RowError(number, name, m) for m in msgs)
            except GendanError as exc:
                result.errors.append(RowError(group[0][0], "__all__", exc.message))
            else:
                if product.pk in had_bom:
                    result.updated += 1
                else:
                    result.created += 1
        if result.errors:
            transaction.set_rollback(True)
            result.created = result.updated = 0
    result.errors.sort(key=lambda e: e.row)
    return result
