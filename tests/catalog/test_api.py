import io

import pytest
from openpyxl import load_workbook

from gendan.catalog.choices import MaterialCategory, Unit
from gendan.catalog.models import BomLine, Material, Product
from gendan.core.choices import Role
from tests.factories import BomLineFactory, MaterialFactory, ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def test_products_need_credentials(api_as) -> None:
    assert api_as(None).get("/products").status_code == 401


def test_create_product_returns_201_decimal_strings_and_the_cbm(api_as, merchandiser) -> None:
    response = api_as(merchandiser).post(
        "/products",
        {
            "code": "P1",
            "name": "浴巾",
            "carton_length_cm": 60,
            "carton_width_cm": "40",
            "carton_height_cm": 35.5,
            "net_weight_kg": 12.5,
            "gross_weight_kg": "13.2",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["carton_height_cm"] == "35.5"
    assert body["net_weight_kg"] == "12.500"
    assert body["carton_cbm"] == "0.0852"
    assert body["bom"] == []
    assert body["unit"] == "pcs"


def test_create_product_errors_name_the_field(api_as, merchandiser) -> None:
    response = api_as(merchandiser).post(
        "/products", {"code": "P1", "name": "X", "net_weight_kg": 10, "gross_weight_kg": 9, "hs_code": "12"}
    )
    assert response.status_code == 422
    locs = [d["loc"] for d in response.json()["detail"]]
    assert ["body", "hs_code"] in locs
    assert ["body", "gross_weight_kg"] in locs
    assert not Product.objects.exists()


def test_finance_may_not_create_products(api_as, make_user) -> None:
    response = api_as(make_user(Role.FINANCE)).post("/products", {"code": "P1", "name": "X"})
    assert response.status_code == 403
    assert not Product.objects.exists()


def test_product_list_filters_and_pages(api_as, merchandiser) -> None:
    for i in range(3):
        ProductFactory(code=f"T{i}", category="towel")
    ProductFactory(code="R1", category="rug", spec="Persian 2x3")
    client = api_as(merchandiser)
    page = client.get("/products", limit=2).json()
    assert (page["count"], len(page["items"])) == (4, 2)
    assert client.get("/products", category="towel").json()["count"] == 3
    assert [p["code"] for p in client.get("/products", q="persian").json()["items"]] == ["R1"]
    assert client.get("/products", limit=501).status_code == 422


def test_patch_product_stale_version_is_409_and_unknown_is_404(api_as, merchandiser) -> None:
    product = ProductFactory(name="Old")
    client = api_as(merchandiser)
    assert client.patch(f"/products/{product.pk}", {"version": 1, "name": "New"}).json()["version"] == 2
    stale = client.patch(f"/products/{product.pk}", {"version": 1, "name": "Stale"})
    assert stale.status_code == 409
    product.refresh_from_db()
    assert product.name == "New"
    assert client.patch("/products/99999", {"version": 1}).status_code == 404
    assert client.get("/products/99999").status_code == 404


def test_bom_put_replaces_the_whole_bom_and_get_returns_it(api_as, merchandiser) -> None:
    product = ProductFactory()
    BomLineFactory(product=product)
    m1, m2 = MaterialFactory(code="M1", name="纱"), MaterialFactory(code="M2")
    client = api_as(merchandiser)
    response = client.put(
        f"/products/{product.pk}/bom",
        [
            {"material_id": m1.pk, "qty_per_unit": "0.55", "scrap_pct": 3},
            {"material_id": m2.pk, "qty_per_unit": 2, "note": "lining"},
        ],
    )
    assert response.status_code == 200, response.content
    assert response.json()[0] == {
        "material_id": m1.pk,
        "material_code": "M1",
        "material_name": "纱",
        "unit": "m",
        "qty_per_unit": "0.550",
        "scrap_pct": "3.00",
        "note": "",
    }
    assert [line["material_code"] for line in client.get(f"/products/{product.pk}/bom").json()] == ["M1", "M2"]
    assert BomLine.objects.filter(product=product).count() == 2
    assert len(client.get(f"/products/{product.pk}").json()["bom"]) == 2


def test_bom_put_errors_name_the_line_and_change_nothing(api_as, merchandiser) -> None:
    line = BomLineFactory()
    m1 = MaterialFactory()
    response = api_as(merchandiser).put(
        f"/products/{line.product_id}/bom",
        [
            {"material_id": m1.pk, "qty_per_unit": 1},
            {"material_id": m1.pk, "qty_per_unit": 0},
            {"material_id": 987654, "qty_per_unit": 1, "scrap_pct": 150},
        ],
    )
    assert response.status_code == 422
    locs = {d["loc"][-1] for d in response.json()["detail"]}
    assert {"lines[1].material", "lines[1].qty_per_unit", "lines[2].material", "lines[2].scrap_pct"} <= locs
    assert list(BomLine.objects.all()) == [line]


def test_sales_may_not_put_a_bom(api_as, make_user) -> None:
    product = ProductFactory()
    assert api_as(make_user(Role.SALES)).put(f"/products/{product.pk}/bom", []).status_code == 403


def test_bom_of_an_unknown_product_is_404(api_as, merchandiser) -> None:
    assert api_as(merchandiser).get("/products/99999/bom").status_code == 404
    assert api_as(merchandiser).put("/products/99999/bom", []).status_code == 404


def test_materials_crud_and_filters(api_as, make_user) -> None:
    buyer = make_user(Role.PURCHASING)
    supplier = SupplierFactory(code="S1")
    MaterialFactory(code="T1", category="trim")
    client = api_as(buyer)
    created = client.post(
        "/materials",
        {
            "code": "M1",
            "name": "纱",
            "spec": "32s",
            "unit": "kg",
            "category": "raw",
            "default_supplier_id": supplier.pk,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["default_supplier_id"] == supplier.pk
    assert body["default_supplier_code"] == "S1"
    assert [m["code"] for m in client.get("/materials", supplier_id=supplier.pk).json()["items"]] == ["M1"]
    assert [m["code"] for m in client.get("/materials", category="trim").json()["items"]] == ["T1"]
    assert [m["code"] for m in client.get("/materials", q="32s").json()["items"]] == ["M1"]
    patched = client.patch(f"/materials/{body['id']}", {"version": 1, "default_supplier_id": None})
    assert patched.json()["default_supplier_id"] is None
    assert client.patch(f"/materials/{body['id']}", {"version": 1, "name": "x"}).status_code == 409
    bad = client.post("/materials", {"code": "M2", "name": "x", "default_supplier_id": 99999})
    assert bad.status_code == 422
    assert Material.objects.filter(code="M2").count() == 0


def test_qc_may_read_but_not_create_materials(api_as, make_user) -> None:
    client = api_as(make_user(Role.QC))
    assert client.get("/materials").status_code == 200
    assert client.post("/materials", {"code": "M1", "name": "x"}).status_code == 403


def test_catalog_choices_are_enums_in_openapi(api_as, merchandiser) -> None:
    schema = api_as(merchandiser).get("/openapi.json").json()["components"]["schemas"]
    assert schema["ProductOut"]["properties"]["unit"]["enum"] == list(Unit.values)
    assert schema["MaterialOut"]["properties"]["category"]["enum"] == list(MaterialCategory.values)


def test_product_export_xlsx(api_as, merchandiser) -> None:
    ProductFactory(code="P1", category="towel")
    ProductFactory(code="P2", category="rug")
    response = api_as(merchandiser).get("/products.xlsx", category="rug")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == ["P2"]
