import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gendan.catalog.models import BomLine, Material, Product
from gendan.core.choices import Role
from tests.factories import BomLineFactory, MaterialFactory, ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def product_post(**kw: object) -> dict:
    data = {
        "code": "P1",
        "name": "浴巾",
        "unit": "pcs",
        "units_per_carton": "24",
        "carton_length_cm": "60",
        "carton_width_cm": "40",
        "carton_height_cm": "35",
        "net_weight_kg": "12",
        "gross_weight_kg": "13",
        "is_active": "on",
    }
    data.update(kw)
    return data


def test_product_list_renders_filters_and_flags_products_without_bom(page_as, merchandiser) -> None:
    BomLineFactory(product=ProductFactory(code="P1", category="towel"))
    ProductFactory(code="P2", category="rug")
    c = page_as(merchandiser)
    html = c.get("/catalog/products/").content.decode()
    assert "P1" in html
    assert "P2" in html
    assert "No BOM" in html
    filtered = c.get("/catalog/products/", {"category": "rug"}).content.decode()
    assert "P2" in filtered
    assert f"/catalog/products/{Product.objects.get(code='P1').pk}/" not in filtered


def test_product_detail_shows_the_bom_and_audit(page_as, merchandiser) -> None:
    line = BomLineFactory(material=MaterialFactory(code="YARN", name="纱"))
    html = page_as(merchandiser).get(f"/catalog/products/{line.product_id}/").content.decode()
    assert "YARN" in html
    assert 'data-testid="bom"' in html
    assert 'id="audit"' in html


def test_product_pages_404_for_unknown_ids(page_as, merchandiser) -> None:
    c = page_as(merchandiser)
    assert c.get("/catalog/products/99999/").status_code == 404
    assert c.get("/catalog/products/99999/bom/").status_code == 404
    assert c.get("/catalog/materials/99999/").status_code == 404


def test_new_product_invalid_post_shows_the_error_on_the_gross_weight_field(page_as, merchandiser) -> None:
    c = page_as(merchandiser)
    assert c.get("/catalog/products/add/").status_code == 200
    response = c.post("/catalog/products/add/", product_post(net_weight_kg="12", gross_weight_kg="11"))
    assert response.status_code == 200
    assert "gross_weight_kg" in response.context["form"].errors
    assert not Product.objects.exists()


def test_new_product_post_creates_and_redirects(page_as, merchandiser) -> None:
    response = page_as(merchandiser).post("/catalog/products/add/", product_post())
    product = Product.objects.get(code="P1")
    assert response["Location"] == f"/catalog/products/{product.pk}/"


def test_finance_gets_403_on_new_product(page_as, make_user) -> None:
    assert page_as(make_user(Role.FINANCE)).get("/catalog/products/add/").status_code == 403


def test_product_edit_with_a_stale_version_keeps_the_input(page_as, merchandiser) -> None:
    product = ProductFactory(code="P1", name="Old")
    c = page_as(merchandiser)
    assert 'name="version" value="1"' in c.get(f"/catalog/products/{product.pk}/edit/").content.decode()
    assert c.post(f"/catalog/products/{product.pk}/edit/", product_post(name="First", version=1)).status_code == 302
    stale = c.post(f"/catalog/products/{product.pk}/edit/", product_post(name="Second", version=1))
    assert stale.status_code == 200
    assert "changed by someone else" in stale.content.decode()
    assert 'value="Second"' in stale.content.decode()
    product.refresh_from_db()
    assert product.name == "First"


def test_bom_edit_page_saves_the_rows_and_ignores_blank_ones(page_as, merchandiser) -> None:
    product = ProductFactory()
    BomLineFactory(product=product, material=MaterialFactory(code="OLD"))
    MaterialFactory(code="M1")
    MaterialFactory(code="M2")
    c = page_as(merchandiser)
    html = c.get(f"/catalog/products/{product.pk}/bom/").content.decode()
    assert 'value="OLD"' in html
    response = c.post(
        f"/catalog/products/{product.pk}/bom/",
        {
            "material": ["M1", "", "M2"],
            "qty_per_unit": ["1.5", "", "2"],
            "scrap_pct": ["3", "", ""],
            "note": ["", "", "lining"],
        },
    )
    assert response.status_code == 302
    assert [(b.material.code, str(b.qty_per_unit)) for b in BomLine.objects.filter(product=product)] == [
        ("M1", "1.500"),
        ("M2", "2.000"),
    ]


def test_bom_edit_page_shows_row_errors_and_keeps_the_old_bom(page_as, merchandiser) -> None:
    product = ProductFactory()
    keep = BomLineFactory(product=product)
    MaterialFactory(code="M1")
    response = page_as(merchandiser).post(
        f"/catalog/products/{product.pk}/bom/",
        {"material": ["M1", "NOPE"], "qty_per_unit": ["0", "1"], "scrap_pct": ["", ""], "note": ["", ""]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "more than 0" in html
    assert "NOPE" in html
    assert list(product.bom_lines.all()) == [keep]


def test_sales_may_not_edit_a_bom(page_as, make_user) -> None:
    product = ProductFactory()
    assert page_as(make_user(Role.SALES)).get(f"/catalog/products/{product.pk}/bom/").status_code == 403


def test_material_pages(page_as, merchandiser) -> None:
    supplier = SupplierFactory(code="S1", name="纱厂")
    material = MaterialFactory(code="M1", category="fabric", default_supplier=supplier)
    BomLineFactory(material=material, product=ProductFactory(code="USES-IT"))
    MaterialFactory(code="TRIM-ONLY", category="trim")
    c = page_as(merchandiser)
    listing = c.get("/catalog/materials/", {"category": "fabric"}).content.decode()
    assert "M1" in listing
    assert "TRIM-ONLY" not in listing
    assert "TRIM-ONLY" not in c.get("/catalog/materials/", {"supplier": "S1"}).content.decode()
    detail = c.get(f"/catalog/materials/{material.pk}/").content.decode()
    assert "USES-IT" in detail
    assert "纱厂" in detail
    assert c.get(f"/catalog/materials/{material.pk}/edit/").status_code == 200
    created = c.post(
        "/catalog/materials/add/",
        {
            "code": "M9",
            "name": "布",
            "unit": "m",
            "category": "fabric",
            "lead_time_days": "12",
            "purchase_price": "18.5",
            "purchase_currency": "CNY",
            "default_supplier": supplier.pk,
            "is_active": "on",
        },
    )
    assert created["Location"] == f"/catalog/materials/{Material.objects.get(code='M9').pk}/"
    assert Material.objects.get(code="M9").purchase_price == Decimal("18.5")
    invalid = c.post(
        "/catalog/materials/add/",
        {
            "code": "M 10",
            "name": "x",
            "unit": "m",
            "category": "fabric",
            "lead_time_days": "400",
            "purchase_price": "1",
            "purchase_currency": "CNY",
        },
    )
    assert {"code", "lead_time_days"} <= set(invalid.context["form"].errors)


def test_exports_open_and_hold_the_filtered_rows(page_as, merchandiser) -> None:
    BomLineFactory(product=ProductFactory(code="P1", category="towel"), material=MaterialFactory(code="M1"))
    ProductFactory(code="P2", category="rug")
    c = page_as(merchandiser)
    products = load_workbook(io.BytesIO(c.get("/catalog/products/export/", {"category": "towel"}).content)).active
    assert [r[0] for r in products.iter_rows(min_row=2, values_only=True)] == ["P1"]
    materials = load_workbook(io.BytesIO(c.get("/catalog/materials/export/").content)).active
    assert [r[0] for r in materials.iter_rows(min_row=2, values_only=True)] == ["M1"]
    boms = load_workbook(io.BytesIO(c.get("/catalog/boms/export/").content)).active
    assert [r[:2] for r in boms.iter_rows(min_row=2, values_only=True)] == [("P1", "M1")]


def test_more_rows_on_the_bom_page_keeps_what_was_typed_and_saves_nothing(page_as, merchandiser) -> None:
    product = ProductFactory()
    MaterialFactory(code="M1")
    response = page_as(merchandiser).post(
        f"/catalog/products/{product.pk}/bom/",
        {"material": ["M1"], "qty_per_unit": ["100"], "scrap_pct": [""], "note": [""], "more": "1"},
    )
    html = response.content.decode()
    assert 'value="M1"' in html
    assert 'value="100"' in html
    assert html.count('name="material"') == 6
    assert not BomLine.objects.exists()
