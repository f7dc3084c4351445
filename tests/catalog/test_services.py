from decimal import Decimal

import pytest

from gendan.catalog import selectors, services
from gendan.catalog.models import BomLine, Material, Product
from gendan.core.choices import Role
from gendan.core.exceptions import PermissionDenied, StaleVersion, ValidationError
from gendan.core.models import ObjectChange
from tests.factories import BomLineFactory, MaterialFactory, ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def product_data(**kw: object) -> dict:
    data = {
        "code": "P100",
        "name": "纯棉浴巾",
        "spec": "70x140cm",
        "units_per_carton": 24,
        "carton_length_cm": "60",
        "carton_width_cm": 40,
        "carton_height_cm": 35.5,
        "net_weight_kg": "12.5",
        "gross_weight_kg": "13.2",
    }
    data.update(kw)
    return data


def test_create_product_stores_decimals_and_computes_the_carton_cbm(merchandiser) -> None:
    product = services.create_product(by=merchandiser, data=product_data())
    assert product.carton_height_cm == Decimal("35.5")
    assert product.carton_cbm == Decimal("0.0852")
    assert ObjectChange.objects.filter(object_id=product.pk, content_type__model="product", action="create").exists()


def test_gross_weight_below_net_weight_is_refused_on_the_gross_field(merchandiser) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_product(by=merchandiser, data=product_data(net_weight_kg="10", gross_weight_kg="9"))
    assert "gross_weight_kg" in exc.value.errors
    assert not Product.objects.exists()


def test_update_checks_weights_against_the_stored_value(merchandiser) -> None:
    product = ProductFactory(net_weight_kg=Decimal("10"), gross_weight_kg=Decimal("11"))
    with pytest.raises(ValidationError) as exc:
        services.update_product(product=product, by=merchandiser, version=1, data={"gross_weight_kg": "9.5"})
    assert "gross_weight_kg" in exc.value.errors


@pytest.mark.parametrize(
    ("field", "value"),
    [("hs_code", "12AB"), ("units_per_carton", 0), ("unit", "bag"), ("carton_length_cm", "-1"), ("code", "")],
)
def test_create_product_names_the_invalid_field(merchandiser, field: str, value: object) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_product(by=merchandiser, data=product_data(**{field: value}))
    assert field in exc.value.errors


def test_finance_may_not_create_products(make_user) -> None:
    with pytest.raises(PermissionDenied):
        services.create_product(by=make_user(Role.FINANCE), data=product_data())
    assert not Product.objects.exists()


def test_update_product_with_a_stale_version_changes_nothing(merchandiser) -> None:
    product = ProductFactory(name="Old")
    services.update_product(product=product, by=merchandiser, version=1, data={"name": "New"})
    with pytest.raises(StaleVersion):
        services.update_product(product=product, by=merchandiser, version=1, data={"name": "Stale"})
    product.refresh_from_db()
    assert (product.name, product.version) == ("New", 2)


def test_create_material_takes_the_default_supplier_by_code_or_id(merchandiser) -> None:
    supplier = SupplierFactory(code="S1")
    by_code = services.create_material(by=merchandiser, data={"code": "M1", "name": "纱", "default_supplier": "S1"})
    by_id = services.create_material(
        by=merchandiser, data={"code": "M2", "name": "布", "default_supplier_id": supplier.pk}
    )
    assert by_code.default_supplier == supplier == by_id.default_supplier


def test_material_with_an_unknown_supplier_or_long_lead_time_is_refused(merchandiser) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_material(by=merchandiser, data={"code": "M1", "name": "纱", "default_supplier": "NOPE"})
    assert "default_supplier" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        services.create_material(by=merchandiser, data={"code": "M1", "name": "纱", "lead_time_days": 400})
    assert "lead_time_days" in exc.value.errors
    assert not Material.objects.exists()


def test_purchasing_may_change_materials_but_not_products(make_user) -> None:
    buyer = make_user(Role.PURCHASING)
    material = MaterialFactory()
    services.update_material(material=material, by=buyer, version=1, data={"lead_time_days": 20})
    with pytest.raises(PermissionDenied):
        services.create_product(by=buyer, data=product_data())


def test_set_bom_replaces_the_whole_bom_and_records_old_and_new(merchandiser) -> None:
    product = ProductFactory()
    old = BomLineFactory(product=product, material=MaterialFactory(code="OLD"))
    m1, m2 = MaterialFactory(code="M1"), MaterialFactory(code="M2")
    lines = services.set_bom(
        product=product,
        by=merchandiser,
        lines=[
            {"material": m1, "qty_per_unit": "1.5", "scrap_pct": 3},
            {"material": m2.pk, "qty_per_unit": 2, "note": "lining"},
        ],
    )
    assert [(line.material.code, line.qty_per_unit, line.position) for line in lines] == [
        ("M1", Decimal("1.500"), 0),
        ("M2", Decimal("2.000"), 1),
    ]
    assert not BomLine.objects.filter(pk=old.pk).exists()
    change = ObjectChange.objects.get(object_id=product.pk, content_type__model="product", action="update")
    assert change.changes == {"bom": ["OLD×1.5 (+3%)", "M1×1.5 (+3%); M2×2"]}


def test_set_bom_with_the_same_lines_records_nothing(merchandiser) -> None:
    product = ProductFactory()
    m1 = MaterialFactory()
    services.set_bom(product=product, by=merchandiser, lines=[{"material": m1, "qty_per_unit": "1.5"}])
    services.set_bom(product=product, by=merchandiser, lines=[{"material": m1.pk, "qty_per_unit": 1.5}])
    assert ObjectChange.objects.filter(object_id=product.pk, content_type__model="product").count() == 1


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"qty_per_unit": "0"}, "lines[1].qty_per_unit"),
        ({"qty_per_unit": "-2"}, "lines[1].qty_per_unit"),
        ({"qty_per_unit": "abc"}, "lines[1].qty_per_unit"),
        ({"qty_per_unit": "1.23456"}, "lines[1].qty_per_unit"),
        ({"qty_per_unit": "1", "scrap_pct": "101"}, "lines[1].scrap_pct"),
        ({"qty_per_unit": "1", "scrap_pct": "-1"}, "lines[1].scrap_pct"),
        ({"qty_per_unit": "1", "material": 987654}, "lines[1].material"),
        ({"qty_per_unit": "1", "material": None}, "lines[1].material"),
    ],
)
def test_set_bom_refuses_a_bad_line_naming_it_and_keeps_the_old_bom(merchandiser, line: dict, field: str) -> None:
    product = ProductFactory()
    keep = BomLineFactory(product=product)
    line = {"material": MaterialFactory(), **line}
    with pytest.raises(ValidationError) as exc:
        services.set_bom(
            product=product, by=merchandiser, lines=[{"material": MaterialFactory(), "qty_per_unit": 1}, line]
        )
    assert field in exc.value.errors
    assert list(product.bom_lines.all()) == [keep]


def test_set_bom_refuses_the_same_material_twice(merchandiser) -> None:
    product, material = ProductFactory(), MaterialFactory()
    with pytest.raises(ValidationError) as exc:
        services.set_bom(
            product=product,
            by=merchandiser,
            lines=[{"material": material, "qty_per_unit": 1}, {"material": material.code, "qty_per_unit": 2}],
        )
    assert "lines[1].material" in exc.value.errors
    assert not product.bom_lines.exists()


def test_set_bom_with_no_lines_empties_the_bom(merchandiser) -> None:
    line = BomLineFactory()
    assert services.set_bom(product=line.product, by=merchandiser, lines=[]) == []
    assert not BomLine.objects.exists()


def test_sales_may_not_change_a_bom(make_user) -> None:
    with pytest.raises(PermissionDenied):
        services.set_bom(product=ProductFactory(), by=make_user(Role.SALES), lines=[])


def test_product_and_material_list_filters() -> None:
    ProductFactory(code="P1", spec="70x140", category="towel")
    ProductFactory(code="P2", spec="50x90", category="rug")
    codes = lambda qs: [x.code for x in qs]  # noqa: E731
    assert codes(selectors.product_list(q="70x")) == ["P1"]
    assert codes(selectors.product_list(category="rug")) == ["P2"]
    s = SupplierFactory(code="S1")
    MaterialFactory(code="M1", spec="32s", category="fabric", default_supplier=s)
    MaterialFactory(code="M2", category="trim")
    assert codes(selectors.material_list(q="32s")) == ["M1"]
    assert codes(selectors.material_list(category="trim")) == ["M2"]
    assert codes(selectors.material_list(supplier=s.pk)) == ["M1"]
    assert codes(selectors.material_list(supplier="S1")) == ["M1"]
