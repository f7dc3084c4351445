import io
from collections.abc import Sequence
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from gendan.catalog.imports import BOM_SPEC, MATERIAL_SPEC, PRODUCT_SPEC, import_boms, import_materials, import_products
from gendan.catalog.models import BomLine, Material, Product
from gendan.core.choices import Role
from tests.factories import BomLineFactory, MaterialFactory, ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def xlsx(rows: Sequence[Sequence[object]]) -> io.BytesIO:
    wb = Workbook()
    for row in rows:
        wb.active.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_product_import_creates_and_updates_by_code(merchandiser) -> None:
    ProductFactory(code="P1", name="Old")
    result = import_products(
        fileobj=xlsx(
            [
                ["产品编码", "产品名称", "规格型号", "海关编码", "每箱数量", "净重(kg)", "毛重(kg)"],
                ["P1", "New", "70x140", 6302910000, 24, 10, 11],
                ["P2", "Second", "", None, 12, None, None],
            ]
        ),
        by=merchandiser,
    )
    assert result.ok, result.errors
    assert (result.created, result.updated) == (1, 1)
    p1 = Product.objects.get(code="P1")
    assert (p1.name, p1.hs_code, p1.gross_weight_kg) == ("New", "6302910000", Decimal("11.000"))
    assert Product.objects.get(code="P2").units_per_carton == 12


def test_product_import_with_one_bad_row_writes_nothing(merchandiser) -> None:
    result = import_products(
        fileobj=xlsx(
            [
                ["Code", "Name", "Units per carton", "Net weight (kg)", "Gross weight (kg)"],
                ["P1", "Good", 24, 1, 2],
                ["P2", "Half a unit", 2.5, 1, 2],
                ["P3", "Light gross", 1, 5, 4],
            ]
        ),
        by=merchandiser,
    )
    assert {(e.row, e.field) for e in result.errors} == {(3, "units_per_carton"), (4, "gross_weight_kg")}
    assert not Product.objects.exists()


def test_material_import_finds_the_default_supplier_by_code(merchandiser) -> None:
    supplier = SupplierFactory(code="S1")
    result = import_materials(
        fileobj=xlsx(
            [
                ["物料编码", "物料名称", "单位", "物料类别", "采购周期(天)", "默认供应商编码"],
                ["M1", "纱", "kg", "raw", 15, "S1"],
                ["M2", "拉链", "pcs", "Trim", 7, ""],
            ]
        ),
        by=merchandiser,
    )
    assert result.ok, result.errors
    assert Material.objects.get(code="M1").default_supplier == supplier
    assert Material.objects.get(code="M2").category == "trim"


def test_material_import_with_an_unknown_supplier_reports_the_row(merchandiser) -> None:
    SupplierFactory(code="S1")
    result = import_materials(
        fileobj=xlsx([["Code", "Name", "Default supplier code"], ["M1", "纱", "S1"], ["M2", "布", "NOPE"]]),
        by=merchandiser,
    )
    assert [(e.row, e.field) for e in result.errors] == [(3, "default_supplier")]
    assert not Material.objects.exists()


def test_bom_import_replaces_each_products_bom_with_its_rows(merchandiser) -> None:
    p1, p2 = ProductFactory(code="P1"), ProductFactory(code="P2")
    BomLineFactory(product=p1, material=MaterialFactory(code="OLD"))
    for code in ("M1", "M2", "M3"):
        MaterialFactory(code=code)
    result = import_boms(
        fileobj=xlsx(
            [
                ["产品编码", "物料编码", "单位用量", "损耗率(%)", "备注"],
                ["P1", "M1", 0.55, 3, ""],
                ["P2", "M3", 1, None, ""],
                ["P1", "M2", 2, None, "lining"],
            ]
        ),
        by=merchandiser,
    )
    assert result.ok, result.errors
    assert (result.created, result.updated) == (1, 1)
    assert [(b.material.code, b.qty_per_unit) for b in BomLine.objects.filter(product=p1)] == [
        ("M1", Decimal("0.550")),
        ("M2", Decimal("2.000")),
    ]
    assert [b.material.code for b in BomLine.objects.filter(product=p2)] == ["M3"]


def test_bom_import_with_one_bad_row_writes_nothing_and_names_the_row(merchandiser) -> None:
    p1 = ProductFactory(code="P1")
    keep = BomLineFactory(product=p1)
    MaterialFactory(code="M1")
    ProductFactory(code="P2")
    result = import_boms(
        fileobj=xlsx(
            [
                ["Product code", "Material code", "Qty per unit", "Scrap rate (%)"],
                ["P2", "M1", 1, 0],
                ["P1", "M1", 1, 0],
                ["P1", "M1", 2, 0],
                ["P9", "M1", 1, 0],
                ["P2", "NOPE", 1, 0],
            ]
        ),
        by=merchandiser,
    )
    assert {(e.row, e.field) for e in result.errors} == {(4, "material"), (5, "product"), (6, "material")}
    assert list(BomLine.objects.all()) == [keep]


def test_bom_import_needs_bom_rights(make_user) -> None:
    ProductFactory(code="P1")
    MaterialFactory(code="M1")
    result = import_boms(
        fileobj=xlsx([["Product code", "Material code", "Qty per unit"], ["P1", "M1", 1]]), by=make_user(Role.SALES)
    )
    assert [e.row for e in result.errors] == [2]
    assert not BomLine.objects.exists()


@pytest.mark.parametrize("spec", [PRODUCT_SPEC, MATERIAL_SPEC, BOM_SPEC])
def test_templates_have_bilingual_required_headers(spec) -> None:  # noqa: ANN001
    ws = load_workbook(io.BytesIO(spec.template())).active
    first = ws["A1"].value
    assert " / " in first
    assert first.endswith("*")


def test_import_pages_and_template_downloads(page_as, merchandiser) -> None:
    c = page_as(merchandiser)
    for kind in ("products", "materials", "boms"):
        assert c.get(f"/catalog/{kind}/import/").status_code == 200
        template = c.get(f"/catalog/{kind}/import/template/")
        assert template.status_code == 200
        assert load_workbook(io.BytesIO(template.content)).active.max_row == 2
    bad = SimpleUploadedFile("p.xlsx", xlsx([["Code", "Name"], ["P1", "A"], ["P 2", "B"]]).getvalue())
    html = c.post("/catalog/products/import/", {"file": bad}).content.decode()
    assert 'data-testid="import-errors"' in html
    assert "<td>3</td>" in html
    assert not Product.objects.exists()
    good = SimpleUploadedFile("p.xlsx", xlsx([["Code", "Name"], ["P1", "A"]]).getvalue())
    assert "1 created" in c.post("/catalog/products/import/", {"file": good}).content.decode()
    not_xlsx = SimpleUploadedFile("p.xlsx", b"not a workbook")
    assert "not an .xlsx" in c.post("/catalog/products/import/", {"file": not_xlsx}).content.decode()
