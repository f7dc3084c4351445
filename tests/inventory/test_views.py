"""Inventory pages: stock (per location and per item), movements and the movement form, a material's stock with
its reservations, warehouses and locations; Excel exports; bounded queries on the lists."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gendan.core.choices import Role
from gendan.inventory import services
from gendan.inventory.models import Location, Stock, StockMovement, Warehouse
from tests.factories import MaterialFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer(make_user):
    return make_user(Role.PURCHASING, username="buyer")


@pytest.fixture
def place(manager) -> Location:
    warehouse = services.create_warehouse(by=manager, data={"code": "RM", "name": "Raw materials"}, locations=["A"])
    return warehouse.locations.get()


@pytest.fixture
def stocked(manager, place):
    """A material with 10 on hand at RM/A, 4 of them reserved for an order; a product with 24 on hand."""
    from tests.sales.factories import make_order

    material = MaterialFactory(code="YARN", name="纱线", unit="kg")
    product = ProductFactory(code="TOWEL", name="Bath towel")
    services.move(kind="receipt", item=material, location=place, quantity="10", by=manager, reference="GRN-1")
    services.move(kind="receipt", item=product, location=place, quantity="24", by=manager)
    order = make_order(by=manager)
    services.set_reservations({(order.pk, material.pk): Decimal("4")}, priority=[order.pk])
    return {"material": material, "product": product, "order": order}


def movement_post(what, where, **kw: object) -> dict:  # noqa: ANN001
    data = {
        "kind": "receipt",
        "item_kind": "material",
        "item": what.code,
        "location": str(where.pk),
        "quantity": "5",
        "date": "2026-11-24",
    }
    data.update(kw)
    return data


def workbook(response):  # noqa: ANN001, ANN201
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    return load_workbook(io.BytesIO(response.content)).active


# ---- pages render -----------------------------------------------------------------------------------


def test_the_inventory_pages_render_for_a_purchasing_user(page_as, buyer, stocked, place):
    c = page_as(buyer)
    material, order = stocked["material"], stocked["order"]
    pages = {
        "/inventory/": ["YARN", "TOWEL", "RM", 'data-testid="stock-list"', 'data-testid="record-movement"'],
        "/inventory/?view=totals": ["YARN", 'data-testid="stock-totals"'],
        "/inventory/movements/": ["GRN-1", 'data-testid="movement-list"'],
        "/inventory/movements/add/": ['data-testid="movement-form"', 'name="quantity"'],
        f"/inventory/materials/{material.pk}/": [order.number, f"/orders/{order.pk}/", 'data-testid="reservations"'],
        "/inventory/warehouses/": ["Raw materials", 'data-testid="warehouse-list"'],
        f"/inventory/warehouses/{place.warehouse_id}/": ["RM/A", 'data-testid="locations"'],
    }
    for url, expected in pages.items():
        response = c.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for text in expected:
            assert text in html, (url, text)
    html = c.get(f"/inventory/warehouses/{place.warehouse_id}/").content.decode()
    assert 'data-testid="location-form"' not in html  # a buyer does not add locations


def test_the_stock_list_shows_balances_filters_and_sorts(page_as, buyer, stocked, place):
    c = page_as(buyer)
    response = c.get("/inventory/")
    rows = {s.item_code: s for s in response.context["page"]}
    assert rows["YARN"].on_hand == Decimal("10")
    assert rows["YARN"].reserved == Decimal("4")
    assert rows["YARN"].free == Decimal("6")
    assert f"/inventory/movements/?material={stocked['material'].pk}" in response.content.decode()

    assert [s.item_code for s in c.get("/inventory/", {"kind": "product"}).context["page"]] == ["TOWEL"]
    assert [s.item_code for s in c.get("/inventory/", {"q": "纱"}).context["page"]] == ["YARN"]
    assert [s.item_code for s in c.get("/inventory/", {"sort": "-on_hand"}).context["page"]] == ["TOWEL", "YARN"]
    assert [s.item_code for s in c.get("/inventory/", {"sort": "free"}).context["page"]] == ["YARN", "TOWEL"]
    material, order = stocked["material"], stocked["order"]
    services.move(kind="issue", item=material, location=place, quantity="4", by=buyer, order=order)
    services.move(kind="issue", item=material, location=place, quantity="6", by=buyer)
    in_stock = c.get("/inventory/", {"in_stock": "on"}).context["page"]
    assert [s.item_code for s in in_stock] == ["TOWEL"]


def test_the_totals_view_sums_an_item_over_its_locations(page_as, manager, buyer, stocked, place):
    second = services.add_location(warehouse=place.warehouse, by=manager, data={"code": "B"})
    services.move(kind="receipt", item=stocked["material"], location=second, quantity="2.5", by=manager)
    response = page_as(buyer).get("/inventory/", {"view": "totals", "kind": "material"})
    (row,) = list(response.context["page"])
    assert row["item_code"] == "YARN"
    assert row["total_on_hand"] == Decimal("12.5")
    assert row["total_reserved"] == Decimal("4")
    assert row["total_free"] == Decimal("8.5")
    assert row["locations"] == 2
    assert row["unit_label"] == "kg"


def test_the_material_stock_page_shows_balances_reservations_and_last_movements(page_as, buyer, stocked):
    material = stocked["material"]
    response = page_as(buyer).get(f"/inventory/materials/{material.pk}/")
    assert response.context["summary"] == {"on_hand": Decimal("10"), "reserved": Decimal("4"), "free": Decimal("6")}
    assert [r.order for r in response.context["reservations"]] == [stocked["order"]]
    assert len(response.context["movements"]) == 1
    assert page_as(buyer).get("/inventory/materials/999999/").status_code == 404


def test_the_movement_list_filters_by_item_kind_dates_and_order(page_as, buyer, stocked, place):
    material, order = stocked["material"], stocked["order"]
    services.move(kind="issue", item=material, location=place, quantity="3", by=buyer, order=order)
    c = page_as(buyer)

    def kinds(**params: str) -> list[str]:
        return [m.kind for m in c.get("/inventory/movements/", params).context["page"]]

    assert kinds() == ["issue", "receipt", "receipt"]
    assert kinds(material=str(material.pk)) == ["issue", "receipt"]
    assert kinds(item="TOWEL") == ["receipt"]
    assert kinds(kind="issue") == ["issue"]
    assert kinds(order=order.number) == ["issue"]
    assert kinds(date_from="2026-11-25") == []
    assert kinds(date_to="2026-11-24", sort="date") == ["receipt", "receipt", "issue"]
    html = c.get("/inventory/movements/", {"material": material.pk}).content.decode()
    assert "YARN" in html
    assert f"/inventory/movements/add/?material={material.pk}" in html


# ---- the movement form ------------------------------------------------------------------------------


def test_the_movement_form_records_a_movement_and_returns_to_the_material(page_as, buyer, place):
    material = MaterialFactory(code="ZIP")
    response = page_as(buyer).post("/inventory/movements/add/", movement_post(material, place, reference="DN-1"))
    assert response.status_code == 302
    assert response["Location"] == f"/inventory/materials/{material.pk}/"
    movement = StockMovement.objects.get()
    assert (movement.kind, movement.quantity, movement.reference, movement.created_by) == (
        "receipt",
        Decimal("5"),
        "DN-1",
        buyer,
    )
    assert Stock.objects.get(material=material).on_hand == Decimal("5")


def test_the_movement_form_takes_products_by_code(page_as, buyer, place):
    product = ProductFactory(code="P-1")
    response = page_as(buyer).post(
        "/inventory/movements/add/",
        movement_post(product, place, item_kind="product", item="p-1", quantity="12", another="1"),
    )
    assert response.status_code == 302
    assert response["Location"] == "/inventory/movements/add/"
    assert Stock.objects.get(product=product).on_hand == 12


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": "abc"}, "quantity"),
        ({"quantity": "-2"}, "quantity"),
        ({"kind": "issue", "quantity": "11"}, "quantity"),
        ({"kind": "issue", "quantity": "7"}, "quantity"),  # 4 of the 10 are reserved for an order
        ({"kind": "adjustment", "quantity": "-1"}, "reason"),
        ({"item": "NO-SUCH"}, "item"),
        ({"order": "SO-NOPE"}, "order"),
        ({"date": "2026-12-24"}, "date"),
        ({"location": "999999"}, "location"),
    ],
)
def test_the_movement_form_shows_the_error_on_its_field(page_as, buyer, stocked, place, change, field):
    before = StockMovement.objects.count()
    response = page_as(buyer).post("/inventory/movements/add/", movement_post(stocked["material"], place, **change))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert "has-error" in response.content.decode()
    assert StockMovement.objects.count() == before
    assert Stock.objects.get(material=stocked["material"]).on_hand == Decimal("10")


def test_only_users_with_the_right_see_and_use_the_override(page_as, buyer, manager, stocked, place):
    assert 'name="override"' not in page_as(buyer).get("/inventory/movements/add/").content.decode()
    # a forged override from a buyer is ignored (the field is not there), so the rule still holds
    forged = page_as(buyer).post(
        "/inventory/movements/add/",
        movement_post(stocked["material"], place, kind="issue", quantity="12", override="on", reason="x"),
    )
    assert "quantity" in forged.context["form"].errors

    c = page_as(manager)
    assert 'name="override"' in c.get("/inventory/movements/add/").content.decode()
    response = c.post(
        "/inventory/movements/add/",
        movement_post(stocked["material"], place, kind="issue", quantity="12", override="on", reason="urgent"),
    )
    assert response.status_code == 302
    assert StockMovement.objects.filter(override=True).count() == 1
    assert Stock.objects.get(material=stocked["material"]).on_hand == Decimal("-2")


def test_the_movement_form_is_prefilled_from_its_link(page_as, buyer, stocked, place):
    form = (
        page_as(buyer)
        .get("/inventory/movements/add/", {"material": stocked["material"].pk, "location": place.pk, "kind": "issue"})
        .context["form"]
    )
    assert form.initial["item"] == "YARN"
    assert form.initial["location"] == place.pk
    assert form.initial["kind"] == "issue"


def test_roles_without_the_right_cannot_record_movements(page_as, make_user, stocked):
    finance = page_as(make_user(Role.FINANCE))
    assert finance.get("/inventory/").status_code == 200
    assert finance.get("/inventory/movements/add/").status_code == 403
    assert 'data-testid="record-movement"' not in finance.get("/inventory/").content.decode()


# ---- exports ----------------------------------------------------------------------------------------


def test_the_stock_export_is_a_workbook_of_the_filtered_rows(page_as, buyer, stocked):
    sheet = workbook(page_as(buyer).get("/inventory/export/", {"kind": "material"}))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Warehouse", "Location", "Item kind", "Code")
    assert rows[1][:4] == ("RM", "A", "Material", "YARN")
    assert rows[1][6:] == (10, 4, 6)
    assert len(rows) == 2


def test_the_totals_and_movement_exports_are_workbooks(page_as, buyer, stocked):
    totals = list(workbook(page_as(buyer).get("/inventory/export/", {"view": "totals"})).iter_rows(values_only=True))
    assert [r[1] for r in totals[1:]] == ["TOWEL", "YARN"]
    movements = list(workbook(page_as(buyer).get("/inventory/movements/export/")).iter_rows(values_only=True))
    assert movements[0][0] == "Date"
    assert {r[2] for r in movements[1:]} == {"YARN", "TOWEL"}
    assert "GRN-1" in {r[10] for r in movements[1:]}


# ---- warehouses and locations ------------------------------------------------------------------------


def test_a_manager_creates_and_edits_a_warehouse_and_adds_a_location(page_as, manager):
    c = page_as(manager)
    assert c.get("/inventory/warehouses/add/").status_code == 200
    data = {"code": "FG", "name": "Finished goods", "locations": "A, B-01", "is_active": "on"}
    response = c.post("/inventory/warehouses/add/", data)
    warehouse = Warehouse.objects.get(code="FG")
    assert response["Location"] == f"/inventory/warehouses/{warehouse.pk}/"
    assert sorted(warehouse.locations.values_list("code", flat=True)) == ["A", "B-01"]

    edit = f"/inventory/warehouses/{warehouse.pk}/edit/"
    assert c.get(edit).status_code == 200
    saved = c.post(edit, {"code": "FG", "name": "Goods store", "version": "1", "is_active": "on"})
    assert saved.status_code == 302
    stale = c.post(edit, {"code": "FG", "name": "Other", "version": "1", "is_active": "on"})
    assert stale.status_code == 200
    assert "changed by someone else" in stale.content.decode()
    assert Warehouse.objects.get(pk=warehouse.pk).name == "Goods store"

    added = c.post(f"/inventory/warehouses/{warehouse.pk}/locations/add/", {"code": "C", "name": "Cage"})
    assert added["Location"] == f"/inventory/warehouses/{warehouse.pk}/"
    twice = c.post(f"/inventory/warehouses/{warehouse.pk}/locations/add/", {"code": "C"})
    assert twice.status_code == 200
    assert "code" in twice.context["form"].errors
    assert warehouse.locations.count() == 3


def test_bad_warehouse_input_shows_field_errors(page_as, manager, place):
    c = page_as(manager)
    duplicate = c.post("/inventory/warehouses/add/", {"code": "RM", "name": "Again"})
    assert "code" in duplicate.context["form"].errors
    bad_location = c.post("/inventory/warehouses/add/", {"code": "NEW", "name": "New", "locations": "A, b@d"})
    assert "locations" in bad_location.context["form"].errors
    assert Warehouse.objects.count() == 1


def test_buyers_do_not_set_up_warehouses(page_as, buyer, place):
    c = page_as(buyer)
    assert c.get("/inventory/warehouses/add/").status_code == 403
    assert c.get(f"/inventory/warehouses/{place.warehouse_id}/edit/").status_code == 403
    assert c.post(f"/inventory/warehouses/{place.warehouse_id}/locations/add/", {"code": "Z"}).status_code == 403
    assert c.get("/inventory/warehouses/999999/").status_code == 404


# ---- bounded queries -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/inventory/",
        "/inventory/?view=totals",
        "/inventory/movements/",
        "/inventory/warehouses/",
        "/inventory/export/",
        "/inventory/movements/export/",
    ],
)
def test_list_pages_run_a_fixed_number_of_queries(page_as, manager, place, url, django_assert_max_num_queries):
    from tests.sales.factories import make_order

    order = make_order(by=manager)
    for i in range(30):
        item = MaterialFactory() if i % 2 else ProductFactory()
        services.move(kind="receipt", item=item, location=place, quantity="5", by=manager, order=order)
    for i in range(5):
        services.create_warehouse(by=manager, data={"code": f"W{i}", "name": f"Store {i}"})
    c = page_as(manager)
    c.get(url)  # warm the session and the permission cache
    with django_assert_max_num_queries(12):
        assert c.get(url).status_code == 200


def test_the_material_stock_page_runs_a_fixed_number_of_queries(page_as, manager, place, django_assert_max_num_queries):
    from tests.sales.factories import make_order

    material = MaterialFactory()
    for i in range(6):
        location = services.add_location(warehouse=place.warehouse, by=manager, data={"code": f"L{i}"})
        services.move(kind="receipt", item=material, location=location, quantity="10", by=manager)
    orders = [make_order(by=manager) for _ in range(4)]
    services.set_reservations({(o.pk, material.pk): Decimal("5") for o in orders}, priority=[o.pk for o in orders])
    c = page_as(manager)
    c.get(f"/inventory/materials/{material.pk}/")
    with django_assert_max_num_queries(12):
        response = c.get(f"/inventory/materials/{material.pk}/")
    assert len(response.context["reservations"]) == 4


def test_the_admin_shows_warehouses_with_locations_and_stock_read_only(page_as, make_user, stocked, place):
    c = page_as(make_user(Role.ADMIN))
    for url in [
        "/admin/inventory/warehouse/",
        f"/admin/inventory/warehouse/{place.warehouse_id}/change/",
        "/admin/inventory/stock/",
        "/admin/inventory/stockmovement/",
        "/admin/inventory/reservation/",
    ]:
        assert c.get(url).status_code == 200, url
    assert "YARN" in c.get("/admin/inventory/stock/").content.decode()
    assert c.get("/admin/inventory/stock/add/").status_code == 403
    assert c.get("/admin/inventory/stockmovement/add/").status_code == 403


def test_the_movement_form_says_when_there_is_no_warehouse_yet(page_as, manager):
    html = page_as(manager).get("/inventory/movements/add/").content.decode()
    assert "No warehouse yet" in html
    assert "/inventory/warehouses/add/" in html


def test_the_movement_form_starts_at_the_default_location(page_as, buyer, place):
    assert page_as(buyer).get("/inventory/movements/add/").context["form"].initial["location"] == place.pk
