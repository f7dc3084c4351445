"""The orders API contract: shapes, filters, transitions, review, revisions, errors and permissions."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gendan.core.choices import Role
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order
from tests.factories import CustomerFactory, ProductFactory
from tests.sales.factories import make_order, order_in

pytestmark = pytest.mark.django_db


def body(customer, products, **extra):
    return {
        "customer_id": customer.pk,
        "customer_po": "PO-7788",
        "ex_factory_date": "2027-01-20",
        "lines": [
            {"product_id": products[0].pk, "quantity": "1200", "unit_price": "3.25"},
            {"product_id": products[1].pk, "quantity": 800, "unit_price": 4.5, "ex_factory_date": "2027-01-10"},
        ],
        **extra,
    }


def test_create_returns_201_with_computed_totals_and_lines(api_as, merchandiser) -> None:
    customer, products = CustomerFactory(currency="USD"), [ProductFactory(), ProductFactory()]
    response = api_as(merchandiser).post("/orders", body(customer, products))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["number"] == "SO-2026-00001"
    assert data["status"] == "draft"
    assert data["merchandiser"] == "mer1"
    assert (data["total_qty"], data["total_amount"]) == ("2000.000", "7500.00")
    assert [line["amount"] for line in data["lines"]] == ["3900.00", "3600.00"]
    assert data["lines"][0]["product_code"] == products[0].code
    assert data["lines"][1]["ex_factory_date"] == "2027-01-10"
    assert data["version"] == 1
    assert data["revision"] == 0
    assert data["attachments"] == []


def test_create_refuses_bad_input_naming_the_field_and_writes_nothing(api_as, merchandiser) -> None:
    customer, products = CustomerFactory(), [ProductFactory(), ProductFactory()]
    payload = body(customer, products)
    payload["lines"][1]["quantity"] = "0"
    payload["lines"][0]["product_id"] = 999999
    response = api_as(merchandiser).post("/orders", payload)
    assert response.status_code == 422
    fields = {err["loc"][-1] for err in response.json()["detail"]}
    assert {"lines[0].product_id", "lines[1].quantity"} <= fields
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customer_id": 999999}, "customer_id"),
        ({"incoterm": "XYZ"}, "incoterm"),
        ({"ex_factory_date": "not-a-date"}, "ex_factory_date"),
        ({"lines": []}, "lines"),
        ({"merchandiser": "nobody"}, "merchandiser"),
    ],
)
def test_create_422_names_each_bad_field(api_as, merchandiser, change, field) -> None:
    payload = {**body(CustomerFactory(), [ProductFactory(), ProductFactory()]), **change}
    response = api_as(merchandiser).post("/orders", payload)
    assert response.status_code == 422
    assert any(field in [str(p) for p in err["loc"]] for err in response.json()["detail"])


def test_qc_cannot_create_orders(api_as, make_user) -> None:
    response = api_as(make_user(Role.QC)).post("/orders", body(CustomerFactory(), [ProductFactory(), ProductFactory()]))
    assert response.status_code == 403
    assert "sales.add_order" in response.json()["detail"]


def test_unknown_order_is_404(api_as, merchandiser) -> None:
    client = api_as(merchandiser)
    assert client.get("/orders/424242").status_code == 404
    assert client.post("/orders/424242/submit").status_code == 404
    assert client.patch("/orders/424242", {"version": 1}).status_code == 404


def test_anonymous_gets_401(api_as) -> None:
    assert api_as(None).get("/orders").status_code == 401


def test_list_is_paginated_and_filtered(api_as, merchandiser, manager, make_user) -> None:
    customer = CustomerFactory()
    soon = make_order(by=merchandiser, customer=customer, ex_factory_date=dt.date(2026, 12, 1))
    make_order(by=merchandiser, ex_factory_date=dt.date(2027, 6, 1))
    other = make_user(Role.MERCHANDISER, username="mer2")
    make_order(by=other, customer=customer, ex_factory_date=dt.date(2026, 12, 5))
    confirmed = order_in(OrderStatus.CONFIRMED, by=merchandiser, manager=manager, ex_factory_date=dt.date(2027, 1, 5))
    client = api_as(merchandiser)

    everything = client.get("/orders").json()
    assert set(everything) == {"items", "count"}
    assert everything["count"] == 4
    assert everything["items"][0]["lines"]

    assert client.get("/orders", limit=2).json()["count"] == 4
    assert len(client.get("/orders", limit=2, offset=3).json()["items"]) == 1
    assert [o["id"] for o in client.get("/orders", status="confirmed").json()["items"]] == [confirmed.pk]
    assert client.get("/orders", customer_id=customer.pk).json()["count"] == 2
    assert client.get("/orders", merchandiser="mer2").json()["count"] == 1
    window = client.get("/orders", ex_factory_from="2026-11-24", ex_factory_to="2026-12-03").json()
    assert [o["id"] for o in window["items"]] == [soon.pk]
    assert client.get("/orders", q=soon.number).json()["count"] == 1
    assert client.get("/orders", status="bogus").status_code == 422
    assert client.get("/orders", limit=501).status_code == 422


def test_list_queries_do_not_grow_with_the_orders(api_as, merchandiser, django_assert_max_num_queries) -> None:
    for _ in range(12):
        make_order(by=merchandiser)
    client = api_as(merchandiser)
    client.get("/orders")  # warm caches (content types)
    with django_assert_max_num_queries(8):
        response = client.get("/orders")
    assert len(response.json()["items"]) == 12


def test_patch_replaces_lines_and_bumps_the_version(api_as, merchandiser) -> None:
    order = make_order(by=merchandiser)
    first, second = order.lines.order_by("position")
    extra = ProductFactory()
    response = api_as(merchandiser).patch(
        f"/orders/{order.pk}",
        {
            "version": 1,
            "customer_po": "PO-NEW",
            "lines": [{"id": first.pk, "quantity": "150"}, {"product_id": extra.pk, "quantity": 5, "unit_price": "2"}],
        },
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["version"] == 2
    assert data["customer_po"] == "PO-NEW"
    assert [(line["id"], line["quantity"]) for line in data["lines"]][0] == (first.pk, "150.000")
    assert data["lines"][1]["product_id"] == extra.pk
    assert second.pk not in [line["id"] for line in data["lines"]]
    assert data["total_amount"] == "385.00"


def test_patch_with_a_stale_version_is_409_and_changes_nothing(api_as, merchandiser) -> None:
    order = make_order(by=merchandiser)
    client = api_as(merchandiser)
    assert client.patch(f"/orders/{order.pk}", {"version": 1, "remarks": "first"}).status_code == 200
    stale = client.patch(f"/orders/{order.pk}", {"version": 1, "remarks": "second"})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["current_version"] == 2
    order.refresh_from_db()
    assert order.remarks == "first"


def test_patch_needs_a_version(api_as, merchandiser) -> None:
    order = make_order(by=merchandiser)
    response = api_as(merchandiser).patch(f"/orders/{order.pk}", {"remarks": "x"})
    assert response.status_code == 422


def test_a_merchandiser_cannot_patch_another_merchandisers_order_but_a_manager_can(
    api_as, merchandiser, manager, make_user
) -> None:
    order = make_order(by=merchandiser)
    assert (
        api_as(make_user(Role.MERCHANDISER)).patch(f"/orders/{order.pk}", {"version": 1, "remarks": "x"}).status_code
        == 403
    )
    assert api_as(manager).patch(f"/orders/{order.pk}", {"version": 1, "remarks": "x"}).status_code == 200


def test_confirmed_change_needs_change_reason_and_records_a_revision(api_as, merchandiser, manager) -> None:
    order = order_in(OrderStatus.CONFIRMED, by=merchandiser, manager=manager)
    first, second = order.lines.order_by("position")
    client = api_as(merchandiser)
    change = {"version": order.version, "lines": [{"id": first.pk, "quantity": 130}, {"id": second.pk}]}
    missing = client.patch(f"/orders/{order.pk}", change)
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "change_reason"]
    ok = client.patch(f"/orders/{order.pk}", {**change, "change_reason": "customer +30"})
    assert ok.status_code == 200
    assert ok.json()["revision"] == 1
    revisions = client.get(f"/orders/{order.pk}/revisions").json()
    assert revisions[0]["number"] == 1
    assert revisions[0]["reason"] == "customer +30"
    assert revisions[0]["created_by"] == "mer1"
    assert any(c["field"] == "quantity" and c["old"] == "100" and c["new"] == "130" for c in revisions[0]["changes"])
    assert "production" in revisions[0]["departments"]


def test_the_whole_review_through_the_api(api_as, merchandiser, manager, make_user) -> None:
    order = make_order(by=merchandiser)
    client = api_as(merchandiser)
    submitted = client.post(f"/orders/{order.pk}/submit")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "in_review"
    items = client.get(f"/orders/{order.pk}/review").json()
    assert isinstance(items, list)
    assert len(items) == 7
    assert [i["id"] for i in submitted.json()["review_items"]] == [i["id"] for i in items]
    assert set(items[0]) >= {"id", "topic", "department", "verdict", "comment", "reviewed_by", "reviewed_at", "round"}
    assert {i["verdict"] for i in items} == {"pending"}

    early = client.post(f"/orders/{order.pk}/confirm")
    assert early.status_code == 409
    assert early.json()["code"] == "transition_not_allowed"

    price = next(i for i in items if i["topic"] == "price")
    wrong = api_as(make_user(Role.QC)).post(f"/orders/{order.pk}/review/{price['id']}", {"verdict": "pass"})
    assert wrong.status_code == 403

    reviewers = {
        dept: api_as(make_user(role))
        for dept, role in {
            "production": Role.PLANNER,
            "sales": Role.SALES,
            "finance": Role.FINANCE,
            "purchasing": Role.PURCHASING,
            "quality": Role.QC,
            "merchandising": Role.MERCHANDISER,
        }.items()
    }
    for item in items:
        decided = reviewers[item["department"]].post(f"/orders/{order.pk}/review/{item['id']}", {"verdict": "pass"})
        assert decided.status_code == 200, decided.content
        assert decided.json()["verdict"] == "pass"
    confirmed = client.post(f"/orders/{order.pk}/confirm")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"


def test_reject_needs_a_comment_and_sends_the_order_back(api_as, merchandiser, manager) -> None:
    order = make_order(by=merchandiser)
    api_as(merchandiser).post(f"/orders/{order.pk}/submit")
    item = api_as(manager).get(f"/orders/{order.pk}/review").json()[0]
    boss = api_as(manager)
    assert boss.post(f"/orders/{order.pk}/review/{item['id']}", {"verdict": "reject"}).status_code == 422
    assert boss.post(f"/orders/{order.pk}/review/{item['id']}", {"verdict": "maybe"}).status_code == 422
    assert (
        boss.post(
            f"/orders/{order.pk}/review/{item['id']}", {"verdict": "reject", "comment": "date too tight"}
        ).status_code
        == 200
    )
    after = boss.get(f"/orders/{order.pk}").json()
    assert after["status"] == "draft"
    assert "date too tight" in after["status_reason"]


def test_manager_override_works_and_merchandiser_override_is_refused(api_as, merchandiser, manager) -> None:
    order = make_order(by=merchandiser)
    api_as(merchandiser).post(f"/orders/{order.pk}/submit")
    refused = api_as(merchandiser).post(f"/orders/{order.pk}/confirm", {"override_reason": "trust me"})
    assert refused.status_code == 409
    assert "sales.override_review" in refused.json()["detail"]
    ok = api_as(manager).post(f"/orders/{order.pk}/confirm", {"override_reason": "GM approved by phone"})
    assert ok.status_code == 200
    assert ok.json()["status"] == "confirmed"
    assert ok.json()["review_override_reason"] == "GM approved by phone"


def test_hold_resume_and_cancel(api_as, merchandiser, manager) -> None:
    order = order_in(OrderStatus.CONFIRMED, by=merchandiser, manager=manager)
    client = api_as(merchandiser)
    assert client.post(f"/orders/{order.pk}/hold").status_code == 422
    held = client.post(f"/orders/{order.pk}/hold", {"reason": "payment late"})
    assert (held.status_code, held.json()["status"], held.json()["status_reason"]) == (200, "on_hold", "payment late")
    assert client.post(f"/orders/{order.pk}/resume", {"reason": "paid"}).json()["status"] == "confirmed"
    assert client.post(f"/orders/{order.pk}/cancel", {"reason": ""}).status_code == 422
    assert client.post(f"/orders/{order.pk}/cancel", {"reason": "customer withdrew"}).json()["status"] == "cancelled"


def test_production_steps_and_a_refused_transition_names_both_statuses(api_as, merchandiser, manager) -> None:
    order = order_in(OrderStatus.CONFIRMED, by=merchandiser, manager=manager)
    client = api_as(merchandiser)
    refused = client.post(f"/orders/{order.pk}/ship")
    assert refused.status_code == 409
    assert "confirmed" in refused.json()["detail"]
    assert "shipped" in refused.json()["detail"]
    for step, status in [
        ("start-production", "in_production"),
        ("ready-to-ship", "ready_to_ship"),
        ("ship", "shipped"),
        ("close", "closed"),
    ]:
        response = client.post(f"/orders/{order.pk}/{step}")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == status
    again = client.post(f"/orders/{order.pk}/submit")
    assert again.status_code == 409
    assert "closed" in again.json()["detail"]


def test_history_lists_the_audit_records(api_as, merchandiser) -> None:
    order = make_order(by=merchandiser)
    client = api_as(merchandiser)
    client.patch(f"/orders/{order.pk}", {"version": 1, "remarks": "x"})
    client.post(f"/orders/{order.pk}/submit")
    history = client.get(f"/orders/{order.pk}/history").json()
    assert [h["action"] for h in history] == ["transition", "update", "create"]
    assert history[1]["changes"] == {"remarks": ["", "x"]}


def test_attachments_are_uploaded_and_listed(api_as, merchandiser, make_user) -> None:
    order = make_order(by=merchandiser)
    client = api_as(merchandiser)
    upload = SimpleUploadedFile("spec.pdf", b"%PDF-1.4 spec", content_type="application/pdf")
    response = client.client.post(f"/api/v1/orders/{order.pk}/attachments", {"file": upload}, headers=client.headers)
    assert response.status_code == 201, response.content
    att = response.json()
    assert (att["name"], att["size"], att["url"]) == ("spec.pdf", 13, f"/attachments/{att['id']}/")
    assert client.get(f"/orders/{order.pk}").json()["attachments"][0]["id"] == att["id"]
    stranger = api_as(make_user(Role.QC))
    upload = SimpleUploadedFile("x.txt", b"x")
    refused = stranger.client.post(f"/api/v1/orders/{order.pk}/attachments", {"file": upload}, headers=stranger.headers)
    assert refused.status_code == 403


def test_a_reviewer_may_attach_a_file_to_their_review_item(api_as, merchandiser, make_user) -> None:
    order = make_order(by=merchandiser)
    api_as(merchandiser).post(f"/orders/{order.pk}/submit")
    inspector = api_as(make_user(Role.QC))
    quality = next(i for i in inspector.get(f"/orders/{order.pk}/review").json() if i["topic"] == "quality")
    upload = SimpleUploadedFile("aql.xlsx", b"data")
    response = inspector.client.post(
        f"/api/v1/orders/{order.pk}/attachments",
        {"file": upload, "review_item_id": quality["id"]},
        headers=inspector.headers,
    )
    assert response.status_code == 201, response.content
    assert response.json()["review_item_id"] == quality["id"]


def test_openapi_lists_the_order_enums(api_as, merchandiser) -> None:
    schema = api_as(merchandiser).get("/openapi.json").json()
    text = str(schema)
    assert "in_review" in text
    assert "ready_to_ship" in text
    assert "/api/v1/orders/{order_id}/review/{item_id}" in schema["paths"]


def test_a_json_null_for_an_order_text_field_is_not_a_server_error(api_as, merchandiser) -> None:
    from tests.sales.factories import make_order

    order = make_order(by=merchandiser)
    response = api_as(merchandiser).patch(
        f"/orders/{order.pk}", {"version": order.version, "ship_to": None, "remarks": None, "customer_po": None}
    )
    assert response.status_code in (200, 422)


def test_a_review_item_of_another_order_is_404_and_stays_pending(api_as, manager) -> None:
    # given two orders in review
    first = make_order(by=manager)
    second = make_order(by=manager)
    client = api_as(manager)
    client.post(f"/orders/{first.pk}/submit")
    client.post(f"/orders/{second.pk}/submit")
    item_of_second = client.get(f"/orders/{second.pk}/review").json()[0]
    # when the item is answered under the first order's path
    response = client.post(f"/orders/{first.pk}/review/{item_of_second['id']}", {"verdict": "pass", "comment": "ok"})
    # then nothing is found and nothing changes
    assert response.status_code == 404
    assert client.get(f"/orders/{second.pk}/review").json()[0]["verdict"] == "pending"
    assert client.post(f"/orders/{first.pk}/review/987654", {"verdict": "pass"}).status_code == 404
