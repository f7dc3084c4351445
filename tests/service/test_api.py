"""The complaints API: the contract (`/api/v1/complaints…`, `/api/v1/complaint-report`), its errors (422 naming the
field, 409 stale version / transition not allowed, 403, 404) and its documents."""

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core import mail
from openpyxl import load_workbook

from gendan.core.models import User
from gendan.finance.models import CreditNote
from gendan.sales.models import Order
from gendan.service.models import Complaint
from tests.conftest import TODAY
from tests.service.conftest import walk, wd


def body(order: Order, **extra: Any) -> dict[str, Any]:
    line = order.lines.order_by("position").first()
    data = {
        "order_id": order.pk,
        "channel": "claim_letter",
        "customer_reference": "NCR-2611",
        "description": "Open seams on 12 bags",
        "severity": "major",
        "claim_amount": "120.00",
        "lines": [{"order_line_id": line.pk, "quantity": "12", "defect": "open seam"}],
    }
    data.update(extra)
    return data


def test_the_main_road_through_the_api(
    api_as: Callable, order: Order, merchandiser: User, manager: User, qc: User, shipment: Any
) -> None:
    api, boss, quality = api_as(merchandiser), api_as(manager), api_as(qc)
    r = api.post("/complaints", body(order))
    assert r.status_code == 201, r.content
    c = r.json()
    assert (c["number"], c["status"], c["customer_id"], c["currency"], c["owner"]) == (
        "CP-2026-00001",
        "registered",
        order.customer_id,
        "USD",
        "mer1",
    )
    assert c["claim_amount"] == "120.00"
    assert c["lines"] == [
        {
            "product_id": order.lines.first().product_id,
            "product_code": order.lines.first().product.code,
            "order_line_id": order.lines.first().pk,
            "quantity": "12.000",
            "defect": "open seam",
        }
    ]
    url = f"/complaints/{c['id']}"
    r = api.post(f"{url}/route", {"responsible": "qc1", "due_date": wd(4).isoformat(), "version": c["version"]})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["responsible"], r.json()["department"], r.json()["due_date"]) == (
        "routed",
        "qc1",
        "quality",
        wd(4).isoformat(),
    )
    r = quality.patch(url, {"root_cause": "method", "cause_detail": "Allowance 5 mm", "version": r.json()["version"]})
    assert (r.status_code, r.json()["status"], r.json()["root_cause"]) == (200, "investigating", "method")
    r = quality.post(
        f"{url}/actions",
        {"kind": "corrective", "description": "Allowance 10 mm", "owner": "qc1", "due_date": wd(2).isoformat()},
    )
    assert r.status_code == 201, r.content
    action = r.json()
    assert (action["position"], action["kind"], action["owner"], action["is_late"]) == (1, "corrective", "qc1", False)
    r = quality.post(
        f"{url}/answer",
        {"settlement_offer": "Credit 30 USD", "language": "en", "send_to": ["anna@northwind.example"]},
    )
    assert (r.status_code, r.json()["status"], r.json()["answered_date"]) == (200, "answered", TODAY.isoformat())
    assert r.json()["answer_sent_to"] == "anna@northwind.example"
    assert len(mail.outbox) == 1
    r = api.post(f"{url}/verify", {"accepted": True})
    assert r.json()["status"] == "verified"
    r = quality.post(f"{url}/actions/{action['id']}/complete", {"result": "From lot L-2612", "version": 1})
    assert (r.status_code, r.json()["done_date"]) == (200, TODAY.isoformat())
    r = boss.post(f"{url}/close", {"credit_amount": "30", "note": "Agreed by mail"})
    assert r.status_code == 200, r.content
    closed = r.json()
    note = CreditNote.objects.get()
    assert (closed["status"], closed["credit_amount"], closed["credit_note_number"]) == ("closed", "30.00", note.number)
    assert closed["credit_note_id"] == note.pk
    r = api.get(url)
    assert [a["done_date"] for a in r.json()["actions"]] == [TODAY.isoformat()]


def test_the_list_filters_and_pages(
    api_as: Callable, register: Callable[..., Complaint], merchandiser: User, qc: User
) -> None:
    for _ in range(3):
        register()
    walk(register(severity="critical"), "routed", by=merchandiser, responsible=qc)
    api = api_as(qc)
    r = api.get("/complaints", limit=2)
    assert (r.status_code, r.json()["count"], len(r.json()["items"])) == (200, 4, 2)
    assert api.get("/complaints", status="routed").json()["count"] == 1
    assert api.get("/complaints", responsible="qc1").json()["count"] == 1
    assert api.get("/complaints", severity="critical").json()["count"] == 1
    assert api.get("/complaints", overdue="true").json()["count"] == 0
    assert api.get("/complaints", limit=501).status_code == 422


def test_bad_input_is_422_naming_the_field(api_as: Callable, order: Order, merchandiser: User) -> None:
    api = api_as(merchandiser)
    r = api.post("/complaints", body(order, lines=[{"order_line_id": order.lines.first().pk, "quantity": "0"}]))
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "lines.1.quantity"]
    r = api.post("/complaints", body(order, severity="apocalyptic"))
    assert r.status_code == 422
    assert "severity" in str(r.json())
    r = api.post("/complaints", body(order, description=""))
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "description"]
    assert Complaint.objects.count() == 0


def test_a_stale_version_and_a_wrong_transition_are_409(
    api_as: Callable, register: Callable[..., Complaint], merchandiser: User
) -> None:
    complaint = register()
    api = api_as(merchandiser)
    r = api.patch(f"/complaints/{complaint.pk}", {"lot": "L1", "version": complaint.version})
    assert r.status_code == 200
    r = api.patch(f"/complaints/{complaint.pk}", {"lot": "L2", "version": complaint.version})
    assert r.status_code == 409
    assert (r.json()["code"], r.json()["current_version"]) == ("stale_version", complaint.version + 1)
    r = api.post(f"/complaints/{complaint.pk}/verify", {"accepted": True})
    assert r.status_code == 409
    assert r.json()["code"] == "transition_not_allowed"
    assert "Registered" in r.json()["detail"]
    assert Complaint.objects.get().lot == "L1"


def test_permissions_and_unknown_ids(
    api_as: Callable, register: Callable[..., Complaint], order: Order, finance_user: User, make_user: Callable
) -> None:
    complaint = register()
    fin = api_as(finance_user)
    assert fin.get(f"/complaints/{complaint.pk}").status_code == 200
    r = fin.post("/complaints", body(order))
    assert r.status_code == 403
    assert r.json()["detail"]
    assert fin.post(f"/complaints/{complaint.pk}/reject", {"reason": "x"}).status_code == 403
    assert fin.get("/complaints/999999").status_code == 404
    assert fin.get(f"/complaints/{complaint.pk}/actions/1").status_code in (404, 405)
    assert api_as(None).get("/complaints").status_code == 401
    outsider = make_user("merchandiser")
    outsider.groups.clear()  # no role at all
    assert api_as(outsider).get("/complaints").status_code == 403


def test_actions_through_the_api(
    api_as: Callable, register: Callable[..., Complaint], merchandiser: User, qc: User, planner: User
) -> None:
    complaint = walk(register(), "routed", by=merchandiser, responsible=qc)
    api = api_as(qc)
    url = f"/complaints/{complaint.pk}/actions"
    r = api.post(url, {"kind": "containment", "description": "Sort", "owner": "pmc1", "due_date": wd(1).isoformat()})
    assert r.status_code == 201
    action = r.json()
    r = api.post(
        url, {"kind": "containment", "description": "Sort", "owner": "fin-nobody", "due_date": wd(1).isoformat()}
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "owner"]
    r = api.patch(f"{url}/{action['id']}", {"due_date": wd(2).isoformat(), "version": action["version"]})
    assert (r.status_code, r.json()["due_date"], r.json()["version"]) == (200, wd(2).isoformat(), 2)
    r = api.patch(f"{url}/{action['id']}", {"due_date": wd(3).isoformat(), "version": 1})
    assert r.status_code == 409
    r = api.get(url)
    assert [a["id"] for a in r.json()] == [action["id"]]
    assert api.post(f"{url}/999999/complete", {"result": "x"}).status_code == 404
    r = api.post(f"{url}/{action['id']}/complete", {"result": ""})
    assert r.status_code == 422


def test_the_reject_and_not_accepted_roads(
    api_as: Callable, register: Callable[..., Complaint], merchandiser: User
) -> None:
    api = api_as(merchandiser)
    a = register()
    r = api.post(f"/complaints/{a.pk}/reject", {"reason": ""})
    assert r.status_code == 422
    r = api.post(f"/complaints/{a.pk}/reject", {"reason": "Washed at 90 °C"})
    assert (r.json()["status"], r.json()["reject_reason"]) == ("rejected", "Washed at 90 °C")
    b = walk(register(), "answered", by=merchandiser)
    r = api.post(f"/complaints/{b.pk}/verify", {"accepted": False, "comment": "Not convinced"})
    assert (r.json()["status"], r.json()["verification_note"]) == ("investigating", "Not convinced")
    r = api.post(f"/complaints/{b.pk}/investigate")
    assert r.status_code == 409


def test_photos_and_the_answer_pdf(api_as: Callable, register: Callable[..., Complaint], merchandiser: User) -> None:
    complaint = walk(register(), "answered", by=merchandiser)
    api = api_as(merchandiser)
    r = api.client.post(
        f"/api/v1/complaints/{complaint.pk}/photos",
        {"file": io.BytesIO(b"\x89PNG fake")},
        headers=api.headers,
    )
    assert r.status_code == 201, r.content
    assert r.json()["url"].endswith(f"/attachments/{r.json()['id']}/") or "/attachment" in r.json()["url"]
    assert [p["name"] for p in api.get(f"/complaints/{complaint.pk}").json()["photos"]] == [r.json()["name"]]
    for lang in ("en", "zh"):
        r = api.get(f"/complaints/{complaint.pk}/answer.pdf", lang=lang)
        assert r.status_code == 200
        assert r["Content-Type"] == "application/pdf"
        assert r.content.startswith(b"%PDF")
    assert api.get(f"/complaints/{complaint.pk}/answer.pdf", lang="fr").status_code == 422
    r = api.post(f"/complaints/{complaint.pk}/send-answer", {"to": ["not-an-address"]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "to"]


def test_root_causes_and_the_report(
    api_as: Callable, register: Callable[..., Complaint], merchandiser: User, manager: User
) -> None:
    complaint = walk(register(), "verified", by=merchandiser)
    from gendan.service import services

    services.complete_action(action=complaint.actions.get(), by=merchandiser, result="ok")
    services.close_complaint(complaint=complaint, by=manager, credit_amount="30")
    register(claim_amount="80")
    api = api_as(merchandiser)
    causes = api.get("/root-causes").json()
    assert causes[0]["code"] == "man"
    assert {c["code"] for c in causes} >= {"transport", "customer_use"}
    r = api.get("/complaint-report", **{"from": "2026-11-01", "to": "2026-11-30", "group_by": "cause"})
    assert r.status_code == 200, r.content
    report = r.json()
    assert report["totals"]["count"] == 2
    assert report["totals"]["costs"] == [
        {"currency": "USD", "claim_amount": "200.00", "credit_amount": "30.00", "replacement_value": "0.00"}
    ]
    assert report["causes"][0]["code"] == "method"
    assert report["causes"][0]["cumulative_pct"] == "100.0"
    assert api.get("/complaint-report", group_by="colour").status_code == 422
    r = api.get("/complaint-report.xlsx", **{"from": "2026-11-01", "to": "2026-11-30"})
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Group", "Complaints")
    assert rows[-1][0] == "Total"
    assert rows[-1][1] == 2
    assert Decimal(str(rows[-1][5])) == Decimal("30")
