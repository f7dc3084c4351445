"""The shipments API contract: bodies, status codes, 422 naming the line, 409 on transitions and stale versions."""

from decimal import Decimal

import pytest

from tests.conftest import TODAY
from tests.shipping.factories import forwarder, lines_of, two_orders

pytestmark = pytest.mark.django_db


def test_create_read_list_and_patch_a_shipment(api_as, merchandiser, manager, clerk) -> None:
    customer, a, b = two_orders(merchandiser, manager)
    api = api_as(clerk)
    r = api.post("/shipments", {"customer_id": customer.pk, "lines": lines_of(a, b), "port_of_loading": "Ningbo"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert {
        "id",
        "number",
        "customer_id",
        "mode",
        "port_of_loading",
        "port_of_discharge",
        "status",
        "version",
        "planned_ex_factory_date",
        "etd",
        "eta",
        "lines",
    } <= set(body)
    assert (body["status"], body["mode"], body["port_of_loading"], body["total_amount"]) == (
        "planned",
        "sea_fcl",
        "Ningbo",
        "980.00",
    )
    assert [(line["order_line_id"], line["quantity"]) for line in body["lines"]] == [
        (int(item["order_line_id"]), f"{Decimal(item['quantity']):.3f}") for item in lines_of(a, b)
    ]
    assert api.get(f"/shipments/{body['id']}").json() == body
    listed = api.get("/shipments", customer_id=customer.pk).json()
    assert listed["count"] == 1
    assert listed["items"][0]["number"] == body["number"]
    r = api.patch(f"/shipments/{body['id']}", {"version": body["version"], "port_of_discharge": "Hamburg"})
    assert r.status_code == 200
    assert r.json()["port_of_discharge"] == "Hamburg"
    assert r.json()["version"] == 2
    r = api.patch(f"/shipments/{body['id']}", {"version": 1, "port_of_discharge": "Felixstowe"})
    assert r.status_code == 409
    assert r.json()["code"] == "stale_version"
    assert r.json()["current_version"] == 2


def test_shipping_more_than_the_open_quantity_is_422_naming_the_line(api_as, merchandiser, manager, clerk) -> None:
    _c, a, _b = two_orders(merchandiser, manager)
    api = api_as(clerk)
    assert api.post("/shipments", {"lines": lines_of(a, quantities=[80, 200])}).status_code == 201
    r = api.post("/shipments", {"lines": lines_of(a, quantities=[21, 1])})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert [d["loc"] for d in detail] == [["body", "lines.1.quantity"], ["body", "lines.2.quantity"]]
    assert f"{a.number} line 1" in detail[0]["msg"]
    assert "at most 20" in detail[0]["msg"]


def test_transitions_and_refused_ones(api_as, merchandiser, manager, clerk) -> None:
    _c, a, b = two_orders(merchandiser, manager)
    api = api_as(clerk)
    sid = api.post("/shipments", {"lines": lines_of(a, b)}).json()["id"]
    r = api.post(f"/shipments/{sid}/load", {})
    assert r.status_code == 409
    assert r.json()["code"] == "transition_not_allowed"
    r = api.post(f"/shipments/{sid}/book", {"carrier": "MSC"})
    assert r.status_code == 422
    r = api.post(
        f"/shipments/{sid}/book",
        {
            "booking_no": "MSC123",
            "etd": "2026-12-01",
            "eta": "2027-01-05",
            "forwarder_id": forwarder().pk,
            "container_type": "40HQ",
            "container_count": 1,
        },
    )
    assert r.status_code == 200
    assert r.json()["status"] == "booked"
    assert r.json()["booking_no"] == "MSC123"
    assert api.post(f"/shipments/{sid}/load", {"date": TODAY.isoformat()}).json()["status"] == "loaded"
    r = api.post(f"/shipments/{sid}/depart", {"atd": TODAY.isoformat()})
    assert r.json()["departed_date"] == TODAY.isoformat()
    r = api.post(f"/shipments/{sid}/bl", {"bl_number": "MSCU1", "bl_date": TODAY.isoformat()})
    assert r.json()["bl_number"] == "MSCU1"
    assert api.post(f"/shipments/{sid}/arrive", {"ata": TODAY.isoformat()}).json()["status"] == "arrived"
    assert api.post(f"/shipments/{sid}/close", {}).json()["status"] == "closed"
    r = api.post(f"/shipments/{sid}/cancel", {"reason": "x"})
    assert r.status_code == 409
    assert "Closed" in r.json()["detail"]


def test_packing_endpoint_gives_cartons_weights_volume_and_the_suggestion(api_as, merchandiser, manager, clerk) -> None:
    _c, a, b = two_orders(merchandiser, manager)
    api = api_as(clerk)
    sid = api.post("/shipments", {"lines": lines_of(a, b)}).json()["id"]
    body = api.get(f"/shipments/{sid}/packing").json()
    assert [(x["cartons"], x["carton_from"], x["carton_to"]) for x in body["lines"]] == [
        (5, 1, 5),
        (9, 6, 14),
        (2, 15, 16),
    ]
    assert (body["total_cartons"], body["total_cbm"], body["total_gross_kg"]) == (16, "1.1520", "161.000")
    assert body["container_suggestion"] == "LCL"
    line_id = body["lines"][0]["id"]
    r = api.put(f"/shipments/{sid}/packing", {"lines": [{"id": line_id, "cartons": 6, "gross_kg": "50"}]})
    assert r.status_code == 200
    assert (r.json()["total_cartons"], r.json()["total_gross_kg"]) == (17, "164.333")


def test_customs_get_drafts_and_put_saves(api_as, merchandiser, manager, clerk) -> None:
    _c, a, _b = two_orders(merchandiser, manager)
    api = api_as(clerk)
    sid = api.post("/shipments", {"lines": lines_of(a)}).json()["id"]
    draft = api.get(f"/shipments/{sid}/customs").json()
    assert draft["id"] is None
    assert draft["total_value"] == "500.00"
    assert len(draft["lines"]) == 2
    r = api.put(f"/shipments/{sid}/customs", {"declaration_no": "2221", "declaration_date": "2026-11-24"})
    assert r.status_code == 200
    assert r.json()["id"]
    assert r.json()["lines"][0]["value"] == "250.00"
    r = api.put(f"/shipments/{sid}/customs", {"version": r.json()["version"], "lines": []})
    assert r.status_code == 422


def test_documents_come_as_pdf_and_xlsx(api_as, merchandiser, manager, clerk) -> None:
    _c, a, _b = two_orders(merchandiser, manager)
    api = api_as(clerk)
    sid = api.post("/shipments", {"lines": lines_of(a)}).json()["id"]
    r = api.get(f"/shipments/{sid}/documents/commercial-invoice.pdf", lang="zh")
    assert r.status_code == 200
    assert r.content.startswith(b"%PDF")
    r = api.get(f"/shipments/{sid}/documents/packing-list.xlsx", lang="en")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert api.get(f"/shipments/{sid}/documents/letter.pdf").status_code == 404
    assert api.get(f"/shipments/{sid}/documents/packing-list.pdf", lang="fr").status_code == 422


def test_a_salesperson_reads_but_cannot_plan(api_as, merchandiser, manager, make_user) -> None:
    _c, a, _b = two_orders(merchandiser, manager)
    api = api_as(make_user("sales"))
    assert api.get("/shipments").status_code == 200
    r = api.post("/shipments", {"lines": lines_of(a)})
    assert r.status_code == 403
    assert "shipping.add_shipment" in r.json()["detail"]
    assert api_as(None).get("/shipments").status_code == 401
