"""The allocation API: propose, confirm (409 and nothing written when over the stock, 422 naming the field, 403), the
allocations list and one allocation (404), issuing allocated goods, ending an allocation, the short-stock list."""

import pytest

from gendan.core.choices import Role
from gendan.followup.models import Milestone
from gendan.inventory.models import Stock, StockAllocation
from tests.conftest import TODAY
from tests.factories import ProductFactory
from tests.inventory.test_allocation import line_of, lines_for, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_as, manager):
    return api_as(manager)


def test_propose_ranks_the_lines_and_gives_the_figures(api, world) -> None:  # noqa: F811
    r = api.post("/allocations/propose", {"product_id": world["product"].pk})
    assert r.status_code == 200, r.content
    body = r.json()
    assert {k: body[k] for k in ("on_hand", "allocated", "available", "demand", "shortfall")} == {
        "on_hand": "500.000",
        "allocated": "0.000",
        "available": "500.000",
        "demand": "900.000",
        "shortfall": "400.000",
    }
    first = body["lines"][0]
    assert first["order_number"] == world["key"].number
    assert first["customer_tier"] == "key"
    assert set(first) >= {
        "order_line_id",
        "order_id",
        "order_number",
        "customer_id",
        "customer_tier",
        "committed_date",
        "order_date",
        "open_quantity",
        "proposed_quantity",
    }
    assert [line["proposed_quantity"] for line in body["lines"]] == ["300.000", "200.000", "0.000"]
    assert first["committed_date"] == "2027-02-15"


def test_propose_of_an_unknown_product_names_the_field(api) -> None:
    r = api.post("/allocations/propose", {"product_id": 99999})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "product_id"]


def test_confirm_returns_the_allocations_and_lists_them(api, world) -> None:  # noqa: F811
    r = api.post(
        "/allocations/confirm",
        {
            "product_id": world["product"].pk,
            "lines": lines_for((world["key"], 300), (world["early"], 150), (world["normal"], 50)),
            "make_up_date": "2027-03-05",
        },
    )
    assert r.status_code == 200, r.content
    rows = r.json()
    assert [(a["order_number"], a["quantity"], a["shortfall"]) for a in rows] == [
        (world["key"].number, "300.000", "0.000"),
        (world["early"].number, "150.000", "50.000"),
        (world["normal"].number, "50.000", "350.000"),
    ]
    assert rows[1]["make_up_date"] == "2027-03-05"
    assert rows[0]["make_up_date"] is None
    assert rows[0]["ship_limit"] == "300.000"
    listed = api.get("/allocations", product_id=world["product"].pk)
    assert listed.json()["count"] == 3
    assert api.get("/allocations", product_id=world["product"].pk, short="true").json()["count"] == 2
    assert api.get("/allocations", order_id=world["key"].pk).json()["items"][0]["held_quantity"] == "300.000"
    one = api.get(f"/allocations/{rows[0]['id']}")
    assert one.status_code == 200
    assert one.json()["customer_tier"] == "key"
    assert api.get("/allocations/999999").status_code == 404
    # the proposal sees what is held now
    body = api.post("/allocations/propose", {"product_id": world["product"].pk}).json()
    assert (body["allocated"], body["available"]) == ("500.000", "0.000")


def test_confirm_over_the_stock_is_a_409_with_the_figures_and_writes_nothing(api, world) -> None:  # noqa: F811
    r = api.post(
        "/allocations/confirm",
        {"product_id": world["product"].pk, "lines": lines_for((world["key"], 300), (world["normal"], 201))},
    )
    assert r.status_code == 409, r.content
    body = r.json()
    assert body["code"] == "insufficient_quantity"
    assert "P-SHORT" in body["detail"]
    assert "501" in body["detail"]
    assert (body["on_hand"], body["available"], body["requested"]) == ("500.000", "500.000", "501.000")
    assert not StockAllocation.objects.exists()
    assert Stock.objects.get(product=world["product"]).reserved == 0


def test_confirm_errors_name_the_field(api, world) -> None:  # noqa: F811
    r = api.post(
        "/allocations/confirm",
        {"product_id": world["product"].pk, "lines": [{"order_line_id": line_of(world["key"]).pk, "quantity": 301}]},
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "lines.1.quantity"]
    Milestone.objects.filter(order=world["key"], code="PC").update(actual_date=TODAY)  # nothing to derive it from
    r = api.post(
        "/allocations/confirm",
        {"product_id": world["product"].pk, "lines": [{"order_line_id": line_of(world["key"]).pk, "quantity": 100}]},
    )
    assert r.status_code == 422  # left short: give the make-up date
    assert r.json()["detail"][0]["loc"] == ["body", "make_up_date"]
    r = api.post("/allocations/confirm", {"product_id": world["product"].pk, "lines": []})
    assert r.status_code == 422
    r = api.post("/allocations/confirm", {"product_id": world["product"].pk, "lines": [{"quantity": 1}]})
    assert r.status_code == 422
    assert not StockAllocation.objects.exists()


def test_permissions(api_as, make_user, world) -> None:  # noqa: F811
    qc = api_as(make_user(Role.QC, username="qc9"))
    sales = api_as(make_user(Role.SALES, username="sales9"))
    body = {"product_id": world["product"].pk, "lines": lines_for((world["key"], 300))}
    assert sales.post("/allocations/propose", {"product_id": world["product"].pk}).status_code == 200
    r = sales.post("/allocations/confirm", body)
    assert r.status_code == 403
    assert "add_stockallocation" in r.json()["detail"]
    assert qc.post("/allocations/end", {"product_id": world["product"].pk}).status_code == 403
    assert api_as(None).get("/short-stock").status_code == 401
    assert not StockAllocation.objects.exists()


def test_issue_and_end(api, world) -> None:  # noqa: F811
    rows = api.post(
        "/allocations/confirm",
        {"product_id": world["product"].pk, "lines": lines_for((world["key"], 300))},
    ).json()
    place = world["place"]
    r = api.post(
        f"/allocations/{rows[0]['id']}/issue", {"location_id": place.pk, "quantity": "100", "reference": "SH-9"}
    )
    assert r.status_code == 200, r.content
    assert (r.json()["held_quantity"], r.json()["issued_quantity"]) == ("200.000", "100.000")
    assert api.post(f"/allocations/{rows[0]['id']}/issue", {"location_id": 99999, "quantity": "1"}).status_code == 422
    over = api.post(f"/allocations/{rows[0]['id']}/issue", {"location_id": place.pk, "quantity": "401"})
    assert over.status_code == 409
    assert api.post("/allocations/999999/issue", {"location_id": place.pk, "quantity": "1"}).status_code == 404
    r = api.post("/allocations/end", {"product_id": world["product"].pk, "reason": "enough again"})
    assert r.status_code == 200
    assert r.json() == {"product_id": world["product"].pk, "ended": 1}
    assert api.post("/allocations/end", {"product_id": world["product"].pk}).status_code == 422


def test_short_stock_lists_products_below_their_demand(api, world, manager) -> None:  # noqa: F811
    ProductFactory(code="P-NOTHING")
    r = api.get("/short-stock")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1
    row = body["items"][0]
    assert (row["product_code"], row["shortfall"], row["open_lines"], row["under_allocation"]) == (
        "P-SHORT",
        "400.000",
        3,
        False,
    )
    assert api.get("/short-stock", q="zzz").json()["count"] == 0


def test_the_openapi_document_shows_the_endpoints(api) -> None:
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/allocations/propose",
        "/api/v1/allocations/confirm",
        "/api/v1/allocations",
        "/api/v1/short-stock",
    ):
        assert path in paths
