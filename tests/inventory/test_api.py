"""The inventory API's contract: stock per location, movements (never below zero without an override), reservations,
warehouses and locations; permissions, validation errors that name the field, stale versions."""

import datetime as dt
from decimal import Decimal

import pytest

from gendan.core.choices import Role
from gendan.inventory import services
from gendan.inventory.models import Location, Stock, StockMovement, Warehouse
from tests.conftest import TODAY
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
def place_b(manager, place) -> Location:
    return services.add_location(warehouse=place.warehouse, by=manager, data={"code": "B", "name": "Rack B"})


def locs(response) -> list[list]:  # noqa: ANN001
    return [d["loc"] for d in response.json()["detail"]]


def last_locs(response) -> list:  # noqa: ANN001
    return [d["loc"][-1] for d in response.json()["detail"]]


# ---- stock ------------------------------------------------------------------------------------------


def test_stock_needs_credentials(api_as) -> None:
    assert api_as(None).get("/stock").status_code == 401


def test_stock_of_a_material_gives_on_hand_reserved_and_free_per_location(api_as, manager, buyer, place, place_b):
    from tests.sales.factories import make_order

    material = MaterialFactory(code="YARN", unit="kg")
    other = MaterialFactory()
    services.move(kind="receipt", item=material, location=place, quantity="10", by=manager)
    services.move(kind="receipt", item=material, location=place_b, quantity="2.5", by=manager)
    services.move(kind="receipt", item=other, location=place, quantity="7", by=manager)
    order = make_order(by=manager)
    services.set_reservations({(order.pk, material.pk): Decimal("4")}, priority=[order.pk])

    response = api_as(buyer).get("/stock", material_id=material.pk)

    assert response.status_code == 200, response.content
    rows = response.json()
    assert [r["location"] for r in rows] == ["RM/A", "RM/B"]
    first = rows[0]
    assert first == {
        "location_id": place.pk,
        "location": "RM/A",
        "warehouse_id": place.warehouse_id,
        "material_id": material.pk,
        "material_code": "YARN",
        "product_id": None,
        "product_code": None,
        "on_hand": "10.000",
        "reserved": "4.000",
        "free": "6.000",
        "unit": "kg",
    }
    assert rows[1]["on_hand"] == "2.500"
    assert rows[1]["reserved"] == "0.000"


def test_stock_filters_by_product_and_warehouse(api_as, manager, buyer, place):
    product = ProductFactory(code="TOWEL")
    services.move(kind="receipt", item=product, location=place, quantity="24", by=manager)
    services.move(kind="receipt", item=MaterialFactory(), location=place, quantity="1", by=manager)
    other = services.create_warehouse(by=manager, data={"code": "FG", "name": "Finished goods"})

    rows = api_as(buyer).get("/stock", product_id=product.pk).json()
    assert [(r["product_code"], r["material_id"], r["on_hand"]) for r in rows] == [("TOWEL", None, "24.000")]
    assert len(api_as(buyer).get("/stock", warehouse_id=place.warehouse_id).json()) == 2
    assert api_as(buyer).get("/stock", warehouse_id=other.pk).json() == []


def test_stock_list_runs_a_fixed_number_of_queries(api_as, manager, buyer, place, django_assert_max_num_queries):
    for _ in range(25):
        services.move(kind="receipt", item=MaterialFactory(), location=place, quantity="1", by=manager)
    client = api_as(buyer)
    with django_assert_max_num_queries(6):
        response = client.get("/stock")
    assert len(response.json()) == 25


# ---- movements -----------------------------------------------------------------------------------------


def test_record_a_receipt_returns_201_with_the_movement(api_as, buyer, place):
    material = MaterialFactory(code="ZIP", unit="pcs")
    response = api_as(buyer).post(
        "/stock-movements",
        {
            "kind": "receipt",
            "material_id": material.pk,
            "location_id": place.pk,
            "quantity": "12.5",
            "reference": "GRN-7",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "receipt"
    assert body["material_code"] == "ZIP"
    assert body["location"] == "RM/A"
    assert body["quantity"] == "12.500"
    assert body["balance_after"] == "12.500"
    assert body["date"] == "2026-11-24"
    assert body["reference"] == "GRN-7"
    assert body["created_by"] == "buyer"
    assert body["override"] is False
    assert body["unit"] == "pcs"
    assert Stock.objects.get(material=material).on_hand == Decimal("12.5")


def test_a_finished_product_is_received_by_product_id(api_as, buyer, place):
    product = ProductFactory()
    response = api_as(buyer).post(
        "/stock-movements", {"kind": "receipt", "product_id": product.pk, "location_id": place.pk, "quantity": 48}
    )
    assert response.status_code == 201, response.content
    assert response.json()["product_id"] == product.pk
    assert response.json()["material_id"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": "abc"}, "quantity"),
        ({"quantity": "1.2345"}, "quantity"),
        ({"quantity": "0"}, "quantity"),
        ({"kind": "teleport"}, "kind"),
        ({"kind": "adjustment", "quantity": "-1"}, "reason"),
        ({"date": "2026-12-01"}, "date"),
        ({"location_id": 999999}, "location_id"),
        ({"material_id": 999999}, "material_id"),
        ({"product_id": 1}, "material_id"),
        ({"material_id": None}, "material_id"),
        ({"order_id": 999999}, "order_id"),
    ],
)
def test_bad_movements_are_422_naming_the_field(api_as, buyer, place, change, field):
    material = MaterialFactory()
    body = {"kind": "receipt", "material_id": material.pk, "location_id": place.pk, "quantity": "5", **change}
    response = api_as(buyer).post("/stock-movements", body)
    assert response.status_code == 422, response.content
    assert field in last_locs(response)
    assert not StockMovement.objects.exists()


def test_stock_never_goes_negative_through_the_api_without_an_override(api_as, manager, buyer, place):
    material = MaterialFactory()
    services.move(kind="receipt", item=material, location=place, quantity="10", by=buyer)
    issue = {"kind": "issue", "material_id": material.pk, "location_id": place.pk, "quantity": "12"}

    refused = api_as(buyer).post("/stock-movements", issue)
    assert refused.status_code == 409
    assert refused.json()["code"] == "insufficient_quantity"
    assert "Only 10" in refused.json()["detail"]

    forbidden = api_as(buyer).post("/stock-movements", {**issue, "override": True, "reason": "urgent"})
    assert forbidden.status_code == 403
    assert Stock.objects.get(material=material).on_hand == Decimal("10")
    assert StockMovement.objects.filter(material=material).count() == 1

    allowed = api_as(manager).post("/stock-movements", {**issue, "override": True, "reason": "urgent"})
    assert allowed.status_code == 201, allowed.content
    assert allowed.json()["override"] is True
    assert allowed.json()["balance_after"] == "-2.000"


def test_reserved_stock_is_kept_for_its_order_and_an_issue_for_it_takes_the_reservation(api_as, manager, buyer, place):
    from tests.sales.factories import make_order

    material = MaterialFactory()
    services.move(kind="receipt", item=material, location=place, quantity="10", by=manager)
    order = make_order(by=manager)
    services.set_reservations({(order.pk, material.pk): Decimal("8")}, priority=[order.pk])
    issue = {"kind": "issue", "material_id": material.pk, "location_id": place.pk, "quantity": "5"}

    refused = api_as(buyer).post("/stock-movements", issue)
    assert refused.status_code == 409
    assert "reserved for" in refused.json()["detail"]

    taken = api_as(buyer).post("/stock-movements", {**issue, "order_id": order.pk})
    assert taken.status_code == 201, taken.content
    assert taken.json()["order_number"] == order.number
    reservations = api_as(buyer).get("/reservations", order_id=order.pk).json()
    assert reservations["count"] == 1
    assert reservations["items"][0]["quantity"] == "3.000"
    assert reservations["items"][0]["location"] == "RM/A"
    assert reservations["items"][0]["order_number"] == order.number


def test_roles_without_the_right_get_403(api_as, make_user, place):
    finance = make_user(Role.FINANCE)
    material = MaterialFactory()
    response = api_as(finance).post(
        "/stock-movements", {"kind": "receipt", "material_id": material.pk, "location_id": place.pk, "quantity": 1}
    )
    assert response.status_code == 403
    assert "inventory.add_stockmovement" in response.json()["detail"]
    assert api_as(finance).get("/stock").status_code == 200
    assert not StockMovement.objects.exists()


def test_movement_list_pages_and_filters(api_as, manager, buyer, place, django_assert_max_num_queries):
    from tests.sales.factories import make_order

    material = MaterialFactory(code="CORD")
    order = make_order(by=manager)
    three_days_ago = TODAY - dt.timedelta(days=3)
    services.move(kind="receipt", item=material, location=place, quantity="30", by=buyer, date=three_days_ago)
    services.move(kind="issue", item=material, location=place, quantity="4", by=buyer, order=order)
    for _ in range(5):
        services.move(kind="receipt", item=MaterialFactory(), location=place, quantity="1", by=buyer)
    client = api_as(buyer)

    with django_assert_max_num_queries(7):
        page = client.get("/stock-movements", limit=3).json()
    assert page["count"] == 7
    assert len(page["items"]) == 3
    assert client.get("/stock-movements", limit=3, offset=6).json()["items"][0]["material_code"] == "CORD"

    mine = client.get("/stock-movements", material_id=material.pk).json()
    assert [(m["kind"], m["quantity"], m["balance_after"]) for m in mine["items"]] == [
        ("issue", "-4.000", "26.000"),
        ("receipt", "30.000", "30.000"),
    ]
    assert client.get("/stock-movements", kind="issue").json()["count"] == 1
    assert client.get("/stock-movements", order_id=order.pk).json()["items"][0]["order_number"] == order.number
    assert client.get("/stock-movements", order_number=order.number[-4:]).json()["count"] == 1
    assert client.get("/stock-movements", date_to="2026-11-22").json()["count"] == 1
    assert client.get("/stock-movements", date_from="2026-11-24", q="CORD").json()["count"] == 1
    assert client.get("/stock-movements", kind="teleport").status_code == 422
    assert client.get("/stock-movements", limit=501).status_code == 422


# ---- warehouses and locations ---------------------------------------------------------------------------


def test_create_a_warehouse_with_its_locations(api_as, manager):
    response = api_as(manager).post(
        "/warehouses", {"code": "FG", "name": "Finished goods", "address": "Building 2", "locations": ["A", "B-01"]}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "FG"
    assert body["version"] == 1
    assert body["location_count"] == 2
    assert [(loc["code"], loc["label"]) for loc in body["locations"]] == [("A", "FG/A"), ("B-01", "FG/B-01")]


def test_a_warehouse_without_locations_given_gets_location_a(api_as, manager):
    body = api_as(manager).post("/warehouses", {"code": "RM", "name": "Raw"}).json()
    assert [loc["code"] for loc in body["locations"]] == ["A"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "bad code", "name": "X"}, "code"),
        ({"code": "RM", "name": "X"}, "code"),
        ({"code": "NEW", "name": ""}, "name"),
        ({"code": "NEW", "name": "X", "locations": ["A", "no good"]}, "locations[1]"),
        ({"code": "NEW", "name": "X", "locations": ["A", "A"]}, "locations[1]"),
    ],
)
def test_bad_warehouses_are_422_naming_the_field(api_as, manager, place, body, field):
    response = api_as(manager).post("/warehouses", body)
    assert response.status_code == 422, response.content
    assert field in last_locs(response)
    assert Warehouse.objects.count() == 1


def test_warehouse_list_get_and_patch_with_versions(api_as, manager, buyer, place):
    client = api_as(manager)
    page = api_as(buyer).get("/warehouses").json()
    assert page["count"] == 1
    assert page["items"][0]["code"] == "RM"
    assert page["items"][0]["location_count"] == 1
    detail = api_as(buyer).get(f"/warehouses/{place.warehouse_id}").json()
    assert detail["locations"][0]["label"] == "RM/A"
    assert api_as(buyer).get("/warehouses/999999").status_code == 404

    saved = client.patch(f"/warehouses/{place.warehouse_id}", {"version": 1, "name": "Yarn store"})
    assert saved.status_code == 200, saved.content
    assert saved.json()["name"] == "Yarn store"
    assert saved.json()["version"] == 2

    stale = client.patch(f"/warehouses/{place.warehouse_id}", {"version": 1, "address": "Somewhere"})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["current_version"] == 2
    assert Warehouse.objects.get().address == ""

    empty = client.patch(f"/warehouses/{place.warehouse_id}", {"version": 2, "name": None})
    assert empty.status_code == 422
    assert "name" in last_locs(empty)


def test_add_a_location(api_as, manager, place):
    client = api_as(manager)
    response = client.post(f"/warehouses/{place.warehouse_id}/locations", {"code": "C-02", "name": "Cold room"})
    assert response.status_code == 201, response.content
    assert response.json()["label"] == "RM/C-02"
    duplicate = client.post(f"/warehouses/{place.warehouse_id}/locations", {"code": "A"})
    assert duplicate.status_code == 422
    assert "code" in last_locs(duplicate)
    assert client.post("/warehouses/999999/locations", {"code": "Z"}).status_code == 404


def test_only_managers_set_up_warehouses(api_as, buyer, place):
    client = api_as(buyer)
    assert client.post("/warehouses", {"code": "X", "name": "X"}).status_code == 403
    assert client.patch(f"/warehouses/{place.warehouse_id}", {"version": 1, "name": "Y"}).status_code == 403
    response = client.post(f"/warehouses/{place.warehouse_id}/locations", {"code": "Z"})
    assert response.status_code == 403
    assert "inventory.add_location" in response.json()["detail"]
    assert Location.objects.count() == 1


def test_reservations_of_a_material(api_as, manager, buyer, place, django_assert_max_num_queries):
    from tests.sales.factories import make_order

    material = MaterialFactory()
    services.move(kind="receipt", item=material, location=place, quantity="100", by=manager)
    orders = [make_order(by=manager) for _ in range(3)]
    services.set_reservations({(o.pk, material.pk): Decimal("10") for o in orders}, priority=[o.pk for o in orders])
    client = api_as(buyer)
    with django_assert_max_num_queries(7):
        page = client.get("/reservations", material_id=material.pk).json()
    assert page["count"] == 3
    assert sorted(r["order_number"] for r in page["items"]) == sorted(o.number for o in orders)
    assert client.get("/reservations", material_id=material.pk, limit=2).json()["count"] == 3
    assert api_as(None).get("/reservations").status_code == 401
