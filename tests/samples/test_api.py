"""The samples API: status codes and bodies."""

import pytest

from gendan.core.choices import Role
from gendan.samples.models import Sample
from tests.conftest import TODAY
from tests.samples.conftest import walk, wd

pytestmark = pytest.mark.django_db

SAMPLE_KEYS = {
    "id",
    "number",
    "kind",
    "customer_id",
    "order_id",
    "order_line_id",
    "product_id",
    "description",
    "quantity",
    "colours_sizes",
    "required_date",
    "maker_supplier_id",
    "cost",
    "currency",
    "paid_by",
    "owner_id",
    "status",
    "round",
    "version",
}


@pytest.fixture
def api(api_as, merchandiser):  # noqa: ANN001, ANN201
    return api_as(merchandiser)


def body(customer, **kw):  # noqa: ANN001, ANN201
    return {
        "kind": "counter",
        "customer_id": customer.pk,
        "description": "Cushion cover 45x45, piping",
        "quantity": "3",
        "colours_sizes": "navy, sand",
        "required_date": wd(8).isoformat(),
        "cost": "120.00",
        "paid_by": "customer",
        **kw,
    }


def test_a_sample_is_requested_read_and_listed(api, customer, merchandiser):
    created = api.post("/samples", body(customer))
    assert created.status_code == 201, created.content
    data = created.json()
    assert set(data) == SAMPLE_KEYS
    assert data["number"] == "SP-2026-00001"
    assert data["status"] == "requested"
    assert data["round"] == 1
    assert (data["quantity"], data["cost"], data["currency"]) == ("3.000", "120.00", "CNY")
    assert data["owner_id"] == merchandiser.pk
    assert data["order_id"] is None
    assert api.get(f"/samples/{data['id']}").json() == data
    listed = api.get("/samples", status="requested", customer_id=customer.pk, limit=1).json()
    assert listed["count"] == 1
    assert listed["items"][0]["id"] == data["id"]
    assert api.get("/samples", kind="pp").json()["count"] == 0
    assert api.get("/samples/999999").status_code == 404


def test_bad_input_is_422_naming_the_field(api, customer):
    response = api.post("/samples", body(customer, description="", required_date="2020-01-01"))
    assert response.status_code == 422
    fields = {e["loc"][-1] for e in response.json()["detail"]}
    assert fields == {"description", "required_date"}
    assert api.post("/samples", body(customer, kind="proto")).status_code == 422
    assert Sample.objects.count() == 0


def test_roles_without_the_permission_get_403(api_as, make_user, customer):
    planner = api_as(make_user(Role.PLANNER))
    response = planner.post("/samples", body(customer))
    assert response.status_code == 403
    assert "request samples" in response.json()["detail"]
    assert planner.get("/samples").status_code == 200  # everyone reads
    assert api_as(None).get("/samples").status_code == 401


def test_patch_uses_the_version(api, customer):
    sample = api.post("/samples", body(customer)).json()
    ok = api.patch(f"/samples/{sample['id']}", {"version": 1, "quantity": "4", "colours_sizes": "navy"})
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    assert ok.json()["quantity"] == "4.000"
    stale = api.patch(f"/samples/{sample['id']}", {"version": 1, "quantity": "9"})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["current_version"] == 2


def test_transitions_and_their_refusals(api, customer):
    sid = api.post("/samples", body(customer)).json()["id"]
    refused = api.post(f"/samples/{sid}/approve", {})
    assert refused.status_code == 409
    assert refused.json()["code"] == "transition_not_allowed"
    assert "Requested" in refused.json()["detail"]
    assert "Approved" in refused.json()["detail"]
    assert api.post(f"/samples/{sid}/start", {"comment": "pattern room"}).json()["status"] == "in_progress"
    assert api.post(f"/samples/{sid}/ready").json()["status"] == "ready"
    assert api.post(f"/samples/{sid}/send", {"comment": "handed over at the fair"}).json()["status"] == "sent"
    assert api.post(f"/samples/{sid}/reject", {"comment": ""}).status_code == 422
    assert api.post(f"/samples/{sid}/reject", {}).status_code == 422
    rejected = api.post(f"/samples/{sid}/reject", {"comment": "Piping too thick"}).json()
    assert (rejected["status"], rejected["round"], rejected["required_date"]) == ("in_progress", 2, wd(7).isoformat())
    api.post(f"/samples/{sid}/ready")
    api.post(f"/samples/{sid}/send")
    approved = api.post(f"/samples/{sid}/approve", {"with_comments": True, "comment": "Label lower"}).json()
    assert approved["status"] == "approved_with_comments"
    assert api.post(f"/samples/{sid}/cancel", {"comment": "late"}).status_code == 409


def test_cancel_needs_the_reason(api, customer):
    sid = api.post("/samples", body(customer)).json()["id"]
    assert api.post(f"/samples/{sid}/cancel", {}).status_code == 422
    assert api.post(f"/samples/{sid}/cancel", {"comment": "style dropped"}).json()["status"] == "cancelled"


def test_rounds_and_their_steps(api, customer):
    sid = api.post("/samples", body(customer)).json()["id"]
    rounds = api.get(f"/samples/{sid}/rounds").json()
    assert [r["number"] for r in rounds] == [1]
    assert [s["step"] for s in rounds[0]["steps"]] == ["pattern", "material", "making", "check"]
    assert rounds[0]["expected_approval_date"] == wd(14).isoformat()
    patched = api.patch(f"/samples/{sid}/rounds/1/steps/pattern", {"planned_date": "2026-11-20"})
    assert patched.status_code == 200
    pattern = patched.json()["steps"][0]
    assert pattern == {"step": "pattern", "planned_date": "2026-11-20", "actual_date": None, "is_late": True}
    done = api.patch(f"/samples/{sid}/rounds/1/steps/pattern", {"actual_date": TODAY.isoformat()}).json()
    assert done["steps"][0]["is_late"] is False
    assert api.patch(f"/samples/{sid}/rounds/1/steps/pattern", {"actual_date": "2099-01-01"}).status_code == 422
    assert api.patch(f"/samples/{sid}/rounds/1/steps/sewing", {"actual_date": TODAY.isoformat()}).status_code == 422
    assert api.patch(f"/samples/{sid}/rounds/2/steps/pattern", {"actual_date": TODAY.isoformat()}).status_code == 422
    stale = api.patch(f"/samples/{sid}/rounds/1/steps/making", {"actual_date": TODAY.isoformat(), "version": 1})
    assert stale.status_code == 409


def test_a_dispatch_is_registered_arrives_and_prints(api, customer, contact, courier, merchandiser, request_sample):
    sample = walk(request_sample(), merchandiser, "start", "ready")
    created = api.post(
        "/dispatches",
        {
            "customer_id": customer.pk,
            "contact_id": contact.pk,
            "courier_supplier_id": courier.pk,
            "tracking_no": "JD0042",
            "cost": "88",
            "items": [{"sample_id": sample.pk}, {"kind": "swatch", "description": "Colour card 2026", "quantity": 2}],
        },
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["number"] == "DS-2026-00001"
    assert data["courier"] == "DHL Express"
    assert data["cost"] == "88.00"
    assert data["items"] == [
        {
            "sample_id": sample.pk,
            "round": 1,
            "description": data["items"][0]["description"],
            "kind": "sample",
            "quantity": "2.000",
        },
        {"sample_id": None, "round": None, "description": "Colour card 2026", "kind": "swatch", "quantity": "2.000"},
    ]
    assert (data["expected_arrival_date"], data["feedback_due_date"], data["arrival_date"]) == (
        wd(3).isoformat(),
        wd(6).isoformat(),
        None,
    )
    assert api.get(f"/samples/{sample.pk}").json()["status"] == "sent"
    assert api.get("/dispatches", awaiting_feedback=True).json()["count"] == 1
    assert api.get("/dispatches", customer_id=customer.pk, sent_date_from=wd(1).isoformat()).json()["count"] == 0
    arrived = api.post(f"/dispatches/{data['id']}/arrived", {"date": TODAY.isoformat()})
    assert arrived.status_code == 200
    assert (arrived.json()["arrival_date"], arrived.json()["feedback_due_date"]) == (
        TODAY.isoformat(),
        wd(3).isoformat(),
    )
    assert api.post(f"/dispatches/{data['id']}/arrived", {"date": "2099-01-01"}).status_code == 422
    assert api.get(f"/dispatches/{data['id']}").json()["tracking_no"] == "JD0042"
    pdf = api.get(f"/dispatches/{data['id']}/slip.pdf", lang="en")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert api.get(f"/dispatches/{data['id']}/slip.pdf", lang="fr").status_code == 422


def test_a_dispatch_of_a_sample_not_ready_is_422_and_writes_nothing(api, customer, request_sample):
    sample = request_sample()
    response = api.post(
        "/dispatches", {"customer_id": customer.pk, "courier": "SF", "items": [{"sample_id": sample.pk}]}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "items.1.sample_id"]
    assert api.get("/dispatches").json()["count"] == 0
