"""The quotations API contract: list, create, read, PATCH with the version, the transitions, revise, to-order, the
PDF, the report; 422 naming the field, 409 on a stale version or a refused transition, 403, 404, 401."""

import pytest

from gendan.core.choices import Role
from gendan.quotations.models import Quotation
from tests.quotations.conftest import LINE

pytestmark = pytest.mark.django_db


def create(api, world, **extra):
    body = {"customer_id": world.customer.pk, "lines": [{"product_id": world.product.pk, **LINE}], **extra}
    return api.post("/quotations", body)


def test_create_read_and_list(world, api_as, sales):
    api = api_as(sales)
    r = create(api, world, incoterm_place="Ningbo")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"] == "QT-2026-00001"
    assert (body["currency"], body["fx_rate"], body["status"], body["version"]) == ("USD", "7.000000", "draft", 1)
    (line,) = body["lines"]
    assert line["material_cost"] == "16.3000"
    assert line["processing_cost"] == "5.3780"
    assert (line["cost"], line["unit_price"], line["amount"]) == ("24.6958", "4.41", "4410.00")
    assert [m["source"] for m in line["materials"]] == ["purchase", "material"]
    assert [o["work_centre_code"] for o in line["operations"]] == ["CUT", "SEW1"]
    got = api.get(f"/quotations/{body['id']}").json()
    assert got == body
    page = api.get("/quotations", status="draft", customer_id=world.customer.pk).json()
    assert page["count"] == 1
    assert page["items"][0]["number"] == "QT-2026-00001"
    assert "lines" not in page["items"][0]


def test_patch_reprices_and_unit_price_is_computed(world, api_as, sales):
    api = api_as(sales)
    body = create(api, world).json()
    line = body["lines"][0]
    r = api.patch(
        f"/quotations/{body['id']}",
        {"version": 1, "lines": [{"id": line["id"], "margin_pct": "25", "breaks": ["5000"]}]},
    )
    assert r.status_code == 200, r.content
    (line,) = r.json()["lines"]
    assert line["unit_price"] == "4.70"  # 24.6958 / 0.75 / 7
    assert line["breaks"][0]["quantity"] == "5000.000"
    assert r.json()["version"] == 2
    # a price cannot be typed as unit_price: it is not an input
    r = api.patch(f"/quotations/{body['id']}", {"version": 2, "lines": [{"id": line["id"], "unit_price": "1"}]})
    assert r.status_code == 200
    assert r.json()["lines"][0]["unit_price"] == "4.70"


def test_422_names_the_field_and_changes_nothing(world, api_as, sales):
    api = api_as(sales)
    r = create(api, world, valid_until="2026-01-01")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "valid_until"]
    r = api.post(
        "/quotations", {"customer_id": world.customer.pk, "lines": [{"product_id": world.product.pk, "quantity": "-1"}]}
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "lines[0].quantity"]
    assert Quotation.objects.count() == 0
    body = create(api, world).json()
    r = api.patch(
        f"/quotations/{body['id']}", {"version": 1, "lines": [{"id": body["lines"][0]["id"], "margin_pct": "99"}]}
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "lines[0].margin_pct"]
    assert api.get(f"/quotations/{body['id']}").json() == body


def test_409_on_a_stale_version_and_a_refused_transition(world, api_as, sales):
    api = api_as(sales)
    body = create(api, world).json()
    assert api.patch(f"/quotations/{body['id']}", {"version": 1, "notes": "a"}).status_code == 200
    r = api.patch(f"/quotations/{body['id']}", {"version": 1, "notes": "b"})
    assert r.status_code == 409
    assert (r.json()["code"], r.json()["current_version"]) == ("stale_version", 2)
    r = api.post(f"/quotations/{body['id']}/accept")
    assert r.status_code == 409
    assert r.json()["code"] == "transition_not_allowed"
    r = api.post(f"/quotations/{body['id']}/to-order")
    assert r.status_code == 409


def test_403_and_404_and_401(world, api_as, sales, make_user):
    body = create(api_as(sales), world).json()
    finance = api_as(make_user(Role.FINANCE))
    assert finance.get(f"/quotations/{body['id']}").status_code == 200
    assert create(finance, world).status_code == 403
    assert finance.patch(f"/quotations/{body['id']}", {"notes": "x"}).status_code == 403
    colleague = api_as(make_user(Role.SALES))
    assert colleague.post(f"/quotations/{body['id']}/send", {"email": False}).status_code == 403
    assert api_as(sales).get("/quotations/999999").status_code == 404
    assert api_as(sales).get("/quotations/999999.pdf").status_code == 404
    assert api_as(None).get("/quotations").status_code == 401


def test_the_whole_life_send_accept_to_order(world, api_as, sales):
    api = api_as(sales)
    body = create(api, world).json()
    r = api.post(f"/quotations/{body['id']}/send", {"lang": "zh"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "sent"
    assert r.json()["sent_at"]
    assert api.post(f"/quotations/{body['id']}/accept", {"comment": "signed"}).json()["status"] == "accepted"
    r = api.post(f"/quotations/{body['id']}/to-order", {"customer_po": "NW-4711", "ex_factory_date": "2027-01-20"})
    assert r.status_code == 201, r.content
    order = r.json()
    assert (order["status"], order["customer_po"], order["currency"], order["ex_factory_date"]) == (
        "draft",
        "NW-4711",
        "USD",
        "2027-01-20",
    )
    assert order["lines"][0]["unit_price"] == "4.4100"
    assert api.get(f"/quotations/{body['id']}").json()["order_id"] == order["id"]


def test_lose_with_a_reason_and_revise(world, api_as, sales):
    api = api_as(sales)
    body = create(api, world).json()
    api.post(f"/quotations/{body['id']}/send", {"email": False})
    r = api.post(f"/quotations/{body['id']}/lose", {"reason": "cheaper"})
    assert r.status_code == 422
    r = api.post(f"/quotations/{body['id']}/revise", {"comment": "new price"})
    assert r.status_code == 201
    new = r.json()
    assert (new["number"], new["status"], new["previous_id"]) == ("QT-2026-00001-R2", "draft", body["id"])
    old = api.get(f"/quotations/{body['id']}").json()
    assert (old["status"], old["next_revision_id"]) == ("superseded", new["id"])
    api.post(f"/quotations/{new['id']}/send", {"email": False})
    r = api.post(f"/quotations/{new['id']}/lose", {"reason": "price", "comment": "Vietnam quoted 3.90"})
    assert (r.json()["status"], r.json()["lost_reason"]) == ("lost", "price")
    assert api.get("/quotations", status="superseded").json()["count"] == 1
    assert api.get("/quotations").json()["count"] == 1  # the superseded revision is left out of the list


def test_the_pdf_in_both_languages(world, api_as, sales):
    api = api_as(sales)
    body = create(api, world).json()
    for lang in ("en", "zh"):
        r = api.get(f"/quotations/{body['id']}.pdf", lang=lang)
        assert r.status_code == 200
        assert r["Content-Type"] == "application/pdf"
        assert r.content.startswith(b"%PDF")
    assert api.get(f"/quotations/{body['id']}.pdf", lang="de").status_code == 422


def test_the_report(world, api_as, sales):
    api = api_as(sales)
    a = create(api, world).json()
    b = create(api, world).json()
    for q in (a, b):
        api.post(f"/quotations/{q['id']}/send", {"email": False})
    api.post(f"/quotations/{a['id']}/accept")
    api.post(f"/quotations/{b['id']}/lose", {"reason": "lead_time"})
    r = api.get("/quotation-report", **{"from": "2026-11-01", "to": "2026-11-30"})
    assert r.status_code == 200, r.content
    report = r.json()
    assert (report["totals"]["quoted"], report["totals"]["won"], report["totals"]["win_rate"]) == (2, 1, "50.0")
    assert report["totals"]["value_won"] == "30870.00"  # 4,410.00 USD at 7
    assert report["by_customer"][0]["key"] == "C-NW01"
    assert report["by_salesperson"][0]["lost_reasons"] == {"lead_time": 1}
    assert report["lost_reasons"][0]["reason"] == "lead_time"
    assert api.get("/quotation-report", **{"from": "2026-12-01", "to": "2026-11-01"}).status_code == 422
