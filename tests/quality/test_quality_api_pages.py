"""The quality API and pages: the AQL plan, inspections end to end, the list with incoming inspections, records."""

import datetime as dt

import pytest

from gendan.core.choices import Role
from gendan.quality.models import DefectType, Inspection
from tests.conftest import TODAY
from tests.quality.test_inspections import order  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def qc(make_user):
    return make_user(Role.QC, username="qc1")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lot_size=3200&level=II&aql=2.5", {"code_letter": "K", "sample_size": 125, "accept": 7, "reject": 8}),
        ("lot_size=10000&level=II&aql=0.065", {"code_letter": "L", "sample_size": 200, "accept": 0, "reject": 1}),
        ("lot_size=150&level=II&aql=1.0", {"code_letter": "F", "plan_letter": "E", "sample_size": 13, "accept": 0}),
        ("lot_size=6&level=II&aql=0.65", {"sample_size": 6, "full_inspection": True}),
        ("lot_size=500&level=s-3&aql=4", {"code_letter": "D", "plan_letter": "E", "sample_size": 13, "accept": 1}),
    ],
)
def test_the_aql_plan(api_as, qc, query, expected):
    body = api_as(qc).get(f"/api/v1/aql/plan?{query}").json()
    assert {k: body[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("lot_size=0&level=II&aql=2.5", "lot_size"),
        ("lot_size=abc&level=II&aql=2.5", "lot_size"),
        ("lot_size=100&level=IV&aql=2.5", "level"),
        ("lot_size=100&level=II&aql=3.0", "aql"),
    ],
)
def test_a_bad_aql_query_names_the_parameter(api_as, qc, query, field):
    response = api_as(qc).get(f"/api/v1/aql/plan?{query}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", field]


def test_an_inspection_through_the_api(api_as, order, merchandiser, qc):  # noqa: F811
    DefectType.objects.create(code="STAIN", name_zh="污渍", name_en="Stain", category="towels")
    merch = api_as(merchandiser)
    created = merch.post(
        "/api/v1/inspections",
        {"order_id": order.pk, "order_line_id": order.lines.get().pk, "aql_major": "2.5", "inspector_id": qc.pk},
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["kind"], body["lot_size"], body["code_letter"], body["status"]) == ("final", 3200, "K", "planned")
    assert body["plan"]["major"] | {} == {
        "aql": "2.5",
        "plan_letter": "K",
        "sample_size": 125,
        "accept": 7,
        "reject": 8,
        "full_inspection": False,
        "found": None,
        "result": None,
    }
    url = f"/api/v1/inspections/{body['id']}"
    stale = merch.patch(url, {"version": body["version"] + 1, "lot_size": 500})
    assert stale.status_code == 409
    patched = merch.patch(url, {"version": body["version"], "lot_size": 500})
    assert patched.json()["code_letter"] == "H"
    merch.patch(url, {"lot_size": 3200})
    assert merch.post(f"{url}/findings", {"inspected_qty": 125, "defects": []}).status_code == 403
    found = api_as(qc).post(
        f"{url}/findings",
        {"inspected_qty": 125, "defects": [{"code": "STAIN", "class": "major", "quantity": 8}]},
    )
    assert found.status_code == 200
    result = found.json()
    assert result["result"] == "fail"
    assert (result["plan"]["major"]["found"], result["plan"]["major"]["result"]) == (8, "fail")
    assert result["plan"]["critical"]["result"] == "pass"
    assert result["defects"] == [{"code": "STAIN", "description": "污渍", "class": "major", "quantity": 8}]
    again = api_as(qc).post(f"{url}/findings", {"inspected_qty": 125, "defects": []})
    assert again.status_code == 409
    assert again.json()["code"] == "transition_not_allowed"
    disposed = api_as(qc).post(
        f"{url}/disposition", {"disposition": "rework", "reinspection_date": (TODAY + dt.timedelta(days=3)).isoformat()}
    )
    assert disposed.json()["reinspection_ids"] != []
    pdf = merch.get(f"{url}/report.pdf?lang=zh")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert merch.get(f"{url}/report.pdf?lang=fr").status_code == 422
    listed = merch.get("/api/v1/inspections?status=open").json()
    assert [i["round"] for i in listed["items"]] == [2]
    assert merch.get("/api/v1/quality/defect-pareto").json()[0]["quantity"] == 8


def test_the_pages_plan_book_inspect_and_dispose(page_as, order, merchandiser, qc):  # noqa: F811
    DefectType.objects.create(code="STAIN", name_zh="污渍", name_en="Stain", category="towels")
    merch = page_as(merchandiser)
    form = merch.get(f"/quality/orders/{order.pk}/inspections/add/")
    assert "Plan an inspection" in form.content.decode()
    refused = merch.post(f"/quality/orders/{order.pk}/inspections/add/", {"kind": "final", "level": "IV"})
    assert "inspection level" in refused.content.decode()
    assert not Inspection.objects.exists()
    made = merch.post(
        f"/quality/orders/{order.pk}/inspections/add/",
        {"kind": "final", "order_line_id": order.lines.get().pk, "level": "II", "aql_major": "2.5"},
    )
    inspection = Inspection.objects.get()
    assert made.url == f"/quality/inspections/{inspection.pk}/"
    assert inspection.number in merch.get(f"/sales/orders/{order.pk}/").content.decode()
    booked = merch.post(
        f"/quality/inspections/{inspection.pk}/book/", {"date": TODAY.isoformat(), "inspector_id": qc.pk}
    )
    assert booked.status_code == 302
    page = page_as(qc)
    detail = page.get(f"/quality/inspections/{inspection.pk}/").content.decode()
    assert 'data-testid="code-letter">K<' in detail
    assert 'data-testid="findings-form"' in detail
    short = page.post(
        f"/quality/inspections/{inspection.pk}/findings/",
        {"inspected_qty": "100", "defect_code-0": "STAIN", "defect_class-0": "", "defect_qty-0": "8"},
    )
    assert "needs a sample of 125" in short.content.decode()
    assert 'name="defect_qty-0" value="8"' in short.content.decode()  # what was typed stays
    page.post(
        f"/quality/inspections/{inspection.pk}/findings/",
        {
            "inspected_qty": "125",
            "defect_code-0": "STAIN",
            "defect_class-0": "",
            "defect_qty-0": "8",
            "defect_description-0": "",
            "check_kind-0": "carton_marks",
            "check_name-0": "Side marks",
            "check_ok-0": "yes",
        },
    )
    inspection.refresh_from_db()
    assert (inspection.result, inspection.checks.get().ok) == ("fail", True)
    detail = page.get(f"/quality/inspections/{inspection.pk}/").content.decode()
    assert 'data-testid="disposition-form"' in detail
    page.post(
        f"/quality/inspections/{inspection.pk}/disposition/",
        {"disposition": "concession", "note": "Buyer agreed"},
    )
    inspection.refresh_from_db()
    assert inspection.disposition == "concession"
    listing = merch.get("/quality/?status=done").content.decode()
    assert inspection.number in listing
    xlsx = merch.get("/quality/?status=done&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        "污渍" in merch.get("/quality/records/").content.decode()
        or "Stain" in merch.get("/quality/records/").content.decode()
    )
    aql = merch.get("/quality/aql/?lot_size=3200&level=II&aql=2.5").content.decode()
    assert 'data-testid="aql-sample">125<' in aql


def test_the_defect_catalogue_page(page_as, qc, merchandiser):
    page = page_as(qc)
    page.post("/quality/defects/", {"code": "hole", "name_zh": "破洞", "name_en": "Hole", "defect_class": "critical"})
    assert DefectType.objects.get().code == "HOLE"
    duplicate = page.post("/quality/defects/", {"code": "HOLE", "name_zh": "x", "defect_class": "major"})
    assert "already in this category" in duplicate.content.decode()
    assert 'data-testid="defect-form"' not in page_as(merchandiser).get("/quality/defects/").content.decode()
