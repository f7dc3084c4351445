"""Inspections (验货): planned from the order's final-inspection milestone, booked, inspected with the AQL plan,
the result computed, the milestone moved, a failed lot disposed of, the report sent; the chase rows and records."""

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core import mail

from gendan.core.choices import Role
from gendan.core.exceptions import PermissionDenied, StaleVersion, TransitionNotAllowed, ValidationError
from gendan.core.models import Notification
from gendan.followup.models import Milestone
from gendan.followup.selectors import chase_list
from gendan.quality import selectors, services
from gendan.quality.models import DefectType, Inspection
from tests.conftest import TODAY
from tests.factories import ProductFactory, SupplierFactory
from tests.sales.factories import order_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def qc(make_user):
    return make_user(Role.QC, username="qc1")


@pytest.fixture
def order(merchandiser, manager):
    """A confirmed order of 3,200 towels, leaving the factory in five weeks (its T&A plan has FI)."""
    towel = ProductFactory(code="TW-01", category="towels")
    return order_in(
        "confirmed",
        by=merchandiser,
        manager=manager,
        products=[towel],
        quantities=[3200],
        ex_factory_date=TODAY + dt.timedelta(days=35),
    )


@pytest.fixture
def catalogue(db):
    DefectType.objects.create(code="STAIN", name_zh="污渍", name_en="Stain", category="towels", defect_class="major")
    DefectType.objects.create(code="HOLE", name_zh="破洞", name_en="Hole", category="", defect_class="critical")
    DefectType.objects.create(code="LOOSE", name_zh="线头", name_en="Loose thread", defect_class="minor")


def planned(order, by, **data):
    return services.plan_inspection(by=by, data={"order_id": order.pk, "order_line_id": order.lines.get().pk, **data})


def major(n):
    return [{"code": "STAIN", "quantity": n}]


def test_a_final_inspection_is_planned_on_the_milestone_with_the_customers_plan(order, merchandiser, qc):
    inspection = planned(order, merchandiser, inspector_id=qc.pk)
    fi = Milestone.objects.get(order=order, code="FI")
    assert inspection.number.startswith("QI-2026-")
    assert inspection.planned_date == fi.forecast_date
    assert (inspection.lot_size, inspection.level) == (3200, "II")
    plan = services.plan_rows(inspection)
    assert plan["code_letter"] == "K"
    assert {k: (r["sample_size"], r["accept"], r["reject"]) for k, r in plan["classes"].items()} == {
        "critical": (125, 0, 1),
        "major": (125, 7, 8),
        "minor": (125, 10, 11),
    }
    assert Notification.objects.filter(recipient=qc, title__contains=inspection.number).exists()


def test_the_customers_defaults_and_explicit_values_win(order, merchandiser, qc):
    services.set_customer_defaults(
        by=qc, customer_id=order.customer_id, data={"level": "I", "aql_major": "1.5", "aql_minor": "2.5"}
    )
    inspection = planned(order, merchandiser)
    assert (inspection.level, inspection.aql_major, inspection.aql_minor) == ("I", Decimal("1.5"), Decimal("2.5"))
    assert services.plan_rows(inspection)["code_letter"] == "H"  # 3,200 at level I
    other = planned(order, merchandiser, level="III", aql_major="0.65", lot_size=500)
    assert services.plan_rows(other)["classes"]["major"]["sample_size"] == 80  # J at level III


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"lot_size": 0}, "lot_size"),
        ({"lot_size": "many"}, "lot_size"),
        ({"level": "IV"}, "level"),
        ({"aql_major": "3.0"}, "aql_major"),
        ({"aql_minor": "-1"}, "aql_minor"),
        ({"kind": "incoming"}, "kind"),
    ],
)
def test_bad_input_names_the_field_and_plans_nothing(order, merchandiser, data, field):
    with pytest.raises(ValidationError) as refused:
        planned(order, merchandiser, **data)
    assert field in refused.value.errors
    assert not Inspection.objects.exists()


def test_only_an_order_in_progress_is_inspected(merchandiser, manager):
    draft = order_in("draft", by=merchandiser, manager=manager, quantities=[100])
    with pytest.raises(ValidationError, match="only a confirmed order"):
        services.plan_inspection(by=merchandiser, data={"order_id": draft.pk, "planned_date": TODAY})


def test_booking_needs_an_inspector_and_a_day_to_come(order, merchandiser, qc):
    inspection = planned(order, merchandiser)
    with pytest.raises(ValidationError, match="inspector"):
        services.book_inspection(inspection=inspection, by=merchandiser, date=TODAY)
    with pytest.raises(ValidationError, match="from today on"):
        services.book_inspection(
            inspection=inspection, by=merchandiser, date=TODAY - dt.timedelta(days=1), inspector=qc.pk
        )
    booked = services.book_inspection(inspection=inspection, by=merchandiser, date=TODAY, inspector=qc.pk)
    assert (booked.status, booked.booked_date, booked.inspector) == ("booked", TODAY, qc)
    with pytest.raises(StaleVersion):
        services.book_inspection(inspection=booked, by=merchandiser, date=TODAY, inspector=qc.pk, version=1)


def test_eight_major_defects_fail_the_lot_and_move_the_final_inspection(order, merchandiser, qc, catalogue):
    inspection = planned(order, merchandiser, inspector_id=qc.pk)
    done = services.record_findings(inspection=inspection, by=qc, inspected_qty=125, defects=major(8))
    assert (done.status, done.result) == ("done", "fail")
    assert done.results["classes"]["major"] == {
        "aql": "2.5",
        "plan_letter": "K",
        "sample_size": 125,
        "accept": 7,
        "reject": 8,
        "full_inspection": False,
        "found": 8,
        "result": "fail",
    }
    assert done.results["classes"]["minor"]["result"] == "pass"
    fi = Milestone.objects.get(order=order, code="FI")
    assert fi.actual_date is None
    assert fi.fed_date == dt.date(2026, 11, 26)  # two working days to re-work
    assert "failed" in fi.fed_note
    assert "Major 8 (Ac 7 Re 8)" in fi.fed_note
    assert Notification.objects.filter(recipient=merchandiser, title__contains="Fail").exists()
    with pytest.raises(TransitionNotAllowed):
        services.record_findings(inspection=done, by=qc, inspected_qty=125, defects=[])


def test_seven_major_defects_pass_and_the_milestone_is_done(order, merchandiser, qc, catalogue):
    inspection = planned(order, merchandiser)
    done = services.record_findings(
        inspection=inspection,
        by=qc,
        inspected_qty=130,
        defects=[*major(7), {"code": "loose", "quantity": 3}],
        checks=[{"kind": "carton_marks", "name": "Shipping marks", "ok": True}],
    )
    assert done.result == "pass"
    assert done.inspector == qc  # who recorded it
    assert [(d.code, d.defect_class, d.quantity) for d in done.defects.all()] == [
        ("STAIN", "major", 7),
        ("LOOSE", "minor", 3),
    ]
    assert Milestone.objects.get(order=order, code="FI").actual_date == TODAY


def test_a_check_that_does_not_conform_fails_the_lot(order, merchandiser, qc):
    inspection = planned(order, merchandiser)
    done = services.record_findings(
        inspection=inspection,
        by=qc,
        inspected_qty=125,
        defects=[],
        checks=[{"kind": "quantity", "name": "Cartons counted", "expected": "160", "actual": "152", "ok": "no"}],
    )
    assert done.result == "fail"
    assert done.results["checks_failed"] == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"inspected_qty": 100, "defects": []}, "needs a sample of 125 pieces; 100 were inspected"),
        ({"inspected_qty": 4000, "defects": []}, "The lot has 3200 pieces"),
        ({"inspected_qty": 125, "defects": [{"code": "STAIN", "quantity": 0}]}, "Defect 1: the quantity"),
        ({"inspected_qty": 125, "defects": [{"code": "NEW", "quantity": 2}]}, "Defect 1: the class"),
        ({"inspected_qty": 125, "defects": [{"quantity": 2, "class": "major"}]}, "give its code or describe it"),
        ({"inspected_qty": 125, "defects": [], "checks": [{"kind": "smell"}]}, "Check 1"),
        ({"inspected_qty": 125, "defects": [], "inspected_on": TODAY + dt.timedelta(days=1)}, "not ahead"),
    ],
)
def test_bad_findings_are_refused_and_change_nothing(order, merchandiser, qc, catalogue, kwargs, message):
    inspection = planned(order, merchandiser)
    with pytest.raises(ValidationError, match=message):
        services.record_findings(inspection=inspection, by=qc, **kwargs)
    inspection.refresh_from_db()
    assert (inspection.status, inspection.result, inspection.defects.count()) == ("planned", "", 0)


def test_only_quality_control_records_findings(order, merchandiser):
    inspection = planned(order, merchandiser)
    with pytest.raises(PermissionDenied):
        services.record_findings(inspection=inspection, by=merchandiser, inspected_qty=125, defects=[])


def test_rework_plans_a_re_inspection_and_moves_the_milestone_to_it(order, merchandiser, qc, catalogue):
    failed = services.record_findings(
        inspection=planned(order, merchandiser), by=qc, inspected_qty=125, defects=major(9)
    )
    with pytest.raises(ValidationError, match="re-inspection date"):
        services.set_disposition(inspection=failed, by=qc, disposition="rework")
    with pytest.raises(ValidationError, match="who agreed"):
        services.set_disposition(inspection=failed, by=qc, disposition="concession")
    retry = TODAY + dt.timedelta(days=6)
    services.set_disposition(inspection=failed, by=qc, disposition="rework", note="重新整烫", reinspection_date=retry)
    again = Inspection.objects.get(reinspection_of=failed)
    assert (again.round, again.status, again.planned_date, again.lot_size) == (2, "planned", retry, 3200)
    fi = Milestone.objects.get(order=order, code="FI")
    assert fi.fed_date == retry
    assert again.number in fi.fed_note
    with pytest.raises(TransitionNotAllowed, match="already disposed"):
        services.set_disposition(inspection=failed, by=qc, disposition="reject", note="x")
    passed = services.record_findings(inspection=again, by=qc, inspected_qty=125, defects=major(2))
    assert passed.result == "pass"
    assert Milestone.objects.get(order=order, code="FI").actual_date == TODAY
    with pytest.raises(TransitionNotAllowed, match="Only a failed inspection"):
        services.set_disposition(inspection=passed, by=qc, disposition="reject", note="x")


def test_a_concession_completes_the_final_inspection(order, merchandiser, qc, catalogue):
    failed = services.record_findings(
        inspection=planned(order, merchandiser), by=qc, inspected_qty=125, defects=major(8)
    )
    services.set_disposition(inspection=failed, by=qc, disposition="concession", note="Buyer Tom agreed by e-mail")
    fi = Milestone.objects.get(order=order, code="FI")
    assert fi.actual_date == TODAY


def test_the_chase_list_shows_inspections_due_and_failed_lots_to_decide(order, merchandiser, qc, catalogue):
    unassigned = planned(order, merchandiser, planned_date=TODAY)
    rows = [r for r in chase_list(merchandiser, TODAY) if r.kind == selectors.INSPECTION]
    assert [r.reason for r in rows] == [
        f"Final (pre-shipment) inspection {unassigned.number} of 3200 pieces has no inspector yet"
    ]
    services.book_inspection(inspection=unassigned, by=merchandiser, date=TODAY, inspector=qc.pk)
    assert [r.document for r in chase_list(qc, TODAY) if r.kind == selectors.INSPECTION] == [unassigned.number]
    services.record_findings(inspection=Inspection.objects.get(), by=qc, inspected_qty=125, defects=major(8))
    rows = [r for r in chase_list(merchandiser, TODAY) if r.kind == selectors.INSPECTION]
    assert [r.reason for r in rows] == [f"{unassigned.number} failed: decide re-work, concession or reject"]


def test_the_report_is_sent_to_the_customer_with_the_pdf(order, merchandiser, qc, catalogue):
    done = services.record_findings(inspection=planned(order, merchandiser), by=qc, inspected_qty=125, defects=major(8))
    with pytest.raises(ValidationError, match="is not an e-mail address"):
        services.send_report(inspection=done, by=merchandiser, to=["buyer at example"], language="en")
    services.send_report(inspection=done, by=merchandiser, to=["buyer@example.com"], language="zh-hans")
    (sent,) = mail.outbox
    assert sent.to == ["buyer@example.com"]
    name, content, mime = sent.attachments[0]
    assert (name, mime) == (f"{done.number}.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    done.refresh_from_db()
    assert done.report_sent_at is not None


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext is not installed")
def test_the_report_pdf_shows_the_plan_the_defects_and_the_result_in_chinese(order, merchandiser, qc, catalogue):
    from gendan.quality.documents import report_pdf

    done = services.record_findings(inspection=planned(order, merchandiser), by=qc, inspected_qty=125, defects=major(8))
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=report_pdf(done, "zh-hans"), capture_output=True, check=True
    ).stdout.decode()
    assert order.number in text
    assert "验货报告" in text
    assert "污渍" in text
    assert "不合格" in text
    english = subprocess.run(
        ["pdftotext", "-", "-"], input=report_pdf(done, "en"), capture_output=True, check=True
    ).stdout.decode()
    assert "Inspection report" in english
    assert "Fail" in english


def test_the_records_count_defects_and_first_pass_yield(order, merchandiser, qc, catalogue):
    factory = SupplierFactory(code="F-TW", kind="subcontract")
    failed = services.record_findings(
        inspection=planned(order, merchandiser, factory_id=factory.pk),
        by=qc,
        inspected_qty=125,
        defects=[*major(8), {"code": "LOOSE", "quantity": 2}],
    )
    services.set_disposition(inspection=failed, by=qc, disposition="rework", reinspection_date=TODAY)
    services.record_findings(
        inspection=Inspection.objects.get(reinspection_of=failed), by=qc, inspected_qty=125, defects=major(1)
    )
    services.record_findings(inspection=planned(order, merchandiser), by=qc, inspected_qty=125, defects=[])
    pareto = selectors.defect_pareto(since=TODAY, until=TODAY, language="en")
    assert [(r["code"], r["name"], r["quantity"], r["cumulative"]) for r in pareto] == [
        ("STAIN", "Stain", 9, 81.8),
        ("LOOSE", "Loose thread", 2, 100.0),
    ]
    assert selectors.defect_pareto(since=TODAY, until=TODAY, category="shirts") == []
    yields = {
        r["maker"]: (r["inspections"], r["passed"], r["yield_pct"])
        for r in selectors.first_pass_yield(since=TODAY, until=TODAY)
    }
    assert yields == {f"F-TW {factory.name}": (1, 0, 0.0), "in-house": (1, 1, 100.0)}  # the re-inspection not counted


def test_the_factory_record_shows_the_first_pass_yield_of_its_lots(order, merchandiser, qc, catalogue):
    from gendan.catalog.models import WorkCentre
    from gendan.production.subcontracting import factory_record

    maker = SupplierFactory(code="F-SEW", kind="subcontract")
    WorkCentre.objects.create(
        code="F-SEW", name="Sewing factory", kind="factory", supplier=maker, capacity_unit="units", daily_capacity=300
    )
    for count in (8, 1):  # one lot failed, the next passed
        services.record_findings(
            inspection=planned(order, merchandiser, factory_id=maker.pk), by=qc, inspected_qty=125, defects=major(count)
        )
    (row,) = factory_record(TODAY, TODAY)
    assert row["first_pass_pct"] == 50.0
