"""The purchasing API: the contract of the issue, errors and permissions."""

import datetime as dt
from decimal import Decimal

import pytest

from gendan.procurement.models import IncomingInspection, PurchaseOrder
from gendan.sales.models import Order

pytestmark = pytest.mark.django_db


def test_material_requirements_of_an_order(world, confirmed, api_as):
    world.stock(world.fabric, 50)
    order = confirmed(quantity=100)
    res = api_as(world.merchandiser).get(f"/orders/{order.pk}/material-requirements")
    assert res.status_code == 200
    rows = {r["material_code"]: r for r in res.json()}
    assert rows["FAB"]["required_qty"] == "153.000"
    assert rows["FAB"]["allocated_stock_qty"] == "50.000"
    assert rows["FAB"]["to_buy_qty"] == "103.000"
    assert rows["FAB"]["need_by_date"] >= "2026-11-24"
    assert set(rows["FAB"]) >= {"material_id", "on_order_qty", "need_by_date"}


def test_the_whole_purchase_flow_through_the_api(world, confirmed, api_as):
    order = confirmed(quantity=10)
    buyer, boss, qc = api_as(world.buyer), api_as(world.boss), api_as(world.qc)
    created = buyer.post("/purchase-orders/from-requirements", {"order_ids": [order.pk]})
    assert created.status_code == 201, created.content
    po = created.json()["purchase_orders"][0]
    assert po["status"] == "draft"
    assert {"id", "number", "supplier_id", "status", "version", "lines"} <= set(po)
    line = po["lines"][0]
    assert {
        "id",
        "material_id",
        "quantity",
        "unit_price",
        "required_date",
        "promised_date",
        "received_qty",
        "accepted_qty",
    } <= set(line)
    assert boss.post(f"/purchase-orders/{po['id']}/approve").json()["status"] == "approved"
    sent = buyer.post(f"/purchase-orders/{po['id']}/send")
    assert sent.status_code == 200
    assert "/s/po/" in sent.json()["supplier_link"]
    promised = buyer.post(
        f"/purchase-orders/{po['id']}/promises",
        {"lines": [{"line_id": li["id"], "promised_date": "2026-12-20"} for li in po["lines"]], "note": "by phone"},
    )
    assert promised.json()["status"] == "confirmed"
    receipt = buyer.post(
        f"/purchase-orders/{po['id']}/receipts",
        {"lines": [{"line_id": line["id"], "quantity": line["quantity"]}], "received_date": "2026-11-24"},
    )
    assert receipt.status_code == 201, receipt.content
    inspection_id = receipt.json()["inspections"][0]["id"]
    result = qc.post(
        f"/inspections/{inspection_id}/result",
        {"accepted_qty": line["quantity"], "rejected_qty": "0", "disposition": "accept"},
    )
    assert result.status_code == 200, result.content
    assert result.json()["status"] == "done"
    stock = buyer.get("/stock", material_id=line["material_id"])
    if stock.status_code == 200:  # the stock endpoint lives in inventory
        assert Decimal(stock.json()[0]["on_hand"]) == Decimal(line["quantity"])


def test_bad_input_is_refused_with_the_field_and_changes_nothing(world, confirmed, api_as):
    buyer = api_as(world.buyer)
    bad = buyer.post(
        "/purchase-orders",
        {
            "supplier_id": world.supplier.pk,
            "lines": [{"material_id": 999999, "quantity": "5", "required_date": "2026-12-01"}],
        },
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "lines.1.material"]
    assert not PurchaseOrder.objects.exists()
    empty = buyer.post("/purchase-orders/from-requirements", {"order_ids": [424242]})
    assert empty.status_code == 422


def test_permissions_and_stale_versions(world, api_as):
    made = api_as(world.buyer).post(
        "/purchase-orders",
        {
            "supplier_id": world.supplier.pk,
            "lines": [{"material_id": world.fabric.pk, "quantity": "5", "required_date": "2026-12-01"}],
        },
    )
    assert made.status_code == 201, made.content
    po = made.json()
    assert po["lines"][0]["unit_price"] == "20.0000"
    assert api_as(world.merchandiser).post(f"/purchase-orders/{po['id']}/approve").status_code == 403
    assert api_as(world.qc).post("/purchase-orders", {}).status_code in (403, 422)
    ok = api_as(world.buyer).patch(f"/purchase-orders/{po['id']}", {"version": po["version"], "notes": "rush"})
    assert ok.status_code == 200
    stale = api_as(world.buyer).patch(f"/purchase-orders/{po['id']}", {"version": po["version"], "notes": "x"})
    assert stale.status_code == 409


def test_documents_and_scorecard(world, confirmed, api_as):
    order = confirmed(quantity=10)
    po = api_as(world.buyer).post("/purchase-orders/from-requirements", {"order_ids": [order.pk]}).json()
    po_id = po["purchase_orders"][0]["id"]
    pdf = api_as(world.buyer).get(f"/purchase-orders/{po_id}/document.pdf", lang="zh")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    xlsx = api_as(world.buyer).get(f"/purchase-orders/{po_id}/document.xlsx", lang="en")
    assert api_as(world.buyer).get(f"/purchase-orders/{po_id}/document.pdf", lang="fr").status_code == 422
    assert xlsx.content[:2] == b"PK"
    card = api_as(world.buyer).get(
        f"/suppliers/{world.supplier.pk}/scorecard", **{"from": "2026-01-01", "to": "2026-11-24"}
    )
    assert card.status_code == 200
    assert card.json()["receipt_lines"] == 0
    assert card.json()["score"] is None
    backwards = api_as(world.buyer).get(
        f"/suppliers/{world.supplier.pk}/scorecard", **{"from": "2026-12-01", "to": "2026-11-24"}
    )
    assert backwards.status_code == 422


def test_the_order_list_of_purchase_orders_and_waiting_inspections(world, confirmed, api_as):
    order = confirmed(quantity=10)
    api_as(world.buyer).post("/purchase-orders/from-requirements", {"order_ids": [order.pk]})
    listing = api_as(world.buyer).get("/purchase-orders", order_id=order.pk)
    assert listing.json()["count"] == 1
    assert api_as(world.buyer).get("/purchase-orders", status="sent").json()["count"] == 0
    assert api_as(world.qc).get("/incoming-inspections").json() == []
    assert not IncomingInspection.objects.exists()
    assert Order.objects.get(pk=order.pk).ex_factory_date == dt.date(2027, 2, 15)


def test_supplier_links_are_listed_made_and_withdrawn(world, confirmed, api_as, client):
    order = confirmed(quantity=10)
    buyer = api_as(world.buyer)
    po = buyer.post("/purchase-orders/from-requirements", {"order_ids": [order.pk]}).json()["purchase_orders"][0]
    assert buyer.post(f"/purchase-orders/{po['id']}/links").status_code == 409  # a draft is not with the supplier
    buyer.post(f"/purchase-orders/{po['id']}/approve")
    first = buyer.post(f"/purchase-orders/{po['id']}/send").json()["supplier_link"]
    made = buyer.post(f"/purchase-orders/{po['id']}/links")
    assert made.status_code == 201
    link = made.json()
    assert {"id", "url", "expires_at"} <= set(link)
    assert [row["id"] for row in buyer.get(f"/purchase-orders/{po['id']}/links").json()] == [link["id"]]
    assert [row["url"] for row in buyer.get(f"/purchase-orders/{po['id']}").json()["links"]] == [link["url"]]
    assert client.get(first).status_code == 410  # the new link withdrew the first
    assert client.get(link["url"]).status_code == 200
    assert api_as(world.merchandiser).delete(f"/links/{link['id']}").status_code == 403
    assert buyer.delete(f"/links/{link['id']}").status_code == 200
    assert client.get(link["url"]).status_code == 410
    assert buyer.get(f"/purchase-orders/{po['id']}/links").json() == []


def test_the_list_reads_a_bounded_number_of_queries(world, confirmed, api_as, django_assert_max_num_queries):
    buyer = api_as(world.buyer)
    for _ in range(4):
        order = confirmed(quantity=10)
        po = buyer.post("/purchase-orders/from-requirements", {"order_ids": [order.pk]}).json()["purchase_orders"][0]
        buyer.post(f"/purchase-orders/{po['id']}/approve")
    with django_assert_max_num_queries(12):
        listing = buyer.get("/purchase-orders")
    assert listing.json()["count"] == 4
    assert all(po["approved_by"] == "buyer1" for po in listing.json()["items"])
