"""A merchandiser's PP sample in a real headless Chromium: requested from a confirmed order's page, made and sent in
a dispatch by courier with its tracking number, rejected by the customer (the order turns at risk with "PP sample
approved" driving it on the risk board), then approved in its second round: the PPS milestone gets its actual.
Then quality control plans the order's final inspection of 3,200 pieces at level II with AQL 2.5 for majors,
records 8 major defects, sees the lot fail (Re 8) and the final inspection move, and downloads the report PDF."""

import shutil
import subprocess

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from gendan.core import clock
from gendan.core.calendar import company_calendar
from gendan.core.models import User
from gendan.followup.models import Milestone
from gendan.followup.services import complete_milestone
from gendan.sales.choices import OrderStatus
from gendan.samples.models import Dispatch, Sample, SampleRound
from tests.browser.conftest import login
from tests.conftest import TODAY
from tests.factories import ContactFactory, CustomerFactory, ProductFactory, SupplierFactory, UserFactory
from tests.sales.factories import order_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_pp_sample_rejected_then_approved_drives_the_orders_plan_and_the_final_inspection_fails(
    page: Page, browser: Browser, live_server, merchandiser: User, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the live server (another thread, outside the frozen clock's context) lives the test's day
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)
    calendar = company_calendar()
    customer = CustomerFactory(
        code="C-NW01", name="北风贸易", name_en="Northwind Trading", address="1 Harbour Rd, Hamburg"
    )
    ContactFactory(customer=customer, name="Anna Berg", phone="+49 40 123456", is_primary=True)
    SupplierFactory(code="DHL", name="DHL Express", kind="courier")
    # given a confirmed order due ex-factory in 30 working days, its materials in house: the PP sample approval,
    # planned for today, is what is left between it and production
    order = order_in(
        OrderStatus.CONFIRMED,
        by=merchandiser,
        manager=manager,
        customer=customer,
        products=[ProductFactory(code="TW-70", name="纯棉浴巾", category="毛巾 Towels")],
        quantities=[3200],
        ex_factory_date=calendar.add(TODAY, 30),
    )
    for code in ("MO", "MIH"):
        complete_milestone(order_id=order.pk, code=code, day=TODAY, note="in stock", by=merchandiser)
    order.refresh_from_db()
    assert order.risk == "on_track"
    assert Milestone.objects.filter(order=order, code="PPS").exists()

    # the merchandiser requests the PP sample from the order's page: order and kind are filled in
    login(page, merchandiser.username)
    page.goto(reverse("sales:order", args=[order.pk]))
    page.get_by_test_id("samples-section").get_by_test_id("order-request-sample").click()
    page.wait_for_url("**/samples/new/**")
    form = page.get_by_test_id("sample-form")
    expect(form.get_by_test_id("kind")).to_have_value("pp")
    form.get_by_test_id("description").fill("PP sample in bulk fabric, navy")
    form.get_by_test_id("colours-sizes").fill("navy / M")
    form.get_by_test_id("required-date").fill(calendar.add(TODAY, 2).isoformat())
    form.get_by_test_id("save-sample").click()
    page.wait_for_url("**/samples/*/")
    sample = Sample.objects.get(order=order)
    expect(page.get_by_test_id("sample-number")).to_have_text(sample.number)
    expect(page.get_by_test_id("checklist-1").locator("tbody tr")).to_have_count(4)

    # the sample room starts and finishes it
    page.get_by_test_id("action-start").click()
    expect(page.get_by_test_id("sample-status")).to_have_text("in_progress")
    page.get_by_test_id("action-ready").click()
    expect(page.get_by_test_id("sample-status")).to_have_text("ready")

    # it goes out in a dispatch by DHL with its tracking number
    page.get_by_test_id("send-in-dispatch").click()
    form = page.get_by_test_id("dispatch-form")
    expect(form.get_by_test_id(f"ready-{sample.number}")).to_be_checked()
    expect(form.get_by_test_id("phone")).to_have_value("+49 40 123456")
    form.get_by_test_id("courier-supplier").select_option(label="DHL DHL Express")
    form.get_by_test_id("tracking-no").fill("JD014600003318")
    form.get_by_test_id("save-dispatch").click()
    page.wait_for_url("**/samples/dispatches/*/")
    expect(page.get_by_test_id("tracking-no")).to_have_text("JD014600003318")
    expect(page.get_by_test_id("courier")).to_contain_text("DHL Express")
    expect(page.get_by_test_id("awaiting")).to_be_visible()
    dispatch = Dispatch.objects.get()
    assert SampleRound.objects.get(sample=sample, number=1).sent_date == TODAY

    # the customer rejects it with comments: a second round opens, the order turns at risk
    page.get_by_test_id("dispatch-items").get_by_role("link").first.click()
    page.wait_for_url("**/samples/*/**")
    expect(page.get_by_test_id("sample-status")).to_have_text("sent")
    page.get_by_test_id("open-reject").click()
    page.get_by_test_id("reason-reject").fill("Seams puckered at the side; colour slightly too light")
    page.get_by_test_id("action-reject").click()
    expect(page.get_by_test_id("sample-status")).to_have_text("in_progress")
    expect(page.get_by_test_id("sample-round")).to_have_text("round 2")
    expect(page.get_by_test_id("round-1").get_by_test_id("round-comments")).to_contain_text("Seams puckered")

    page.goto(reverse("followup:risk_board"))
    row = page.locator(f"[data-testid=risk-row][data-order='{order.number}']")
    expect(row).to_have_attribute("data-driving", "PPS")
    expect(row.get_by_test_id("risk-driving")).to_be_visible()
    expect(row).to_contain_text("PP sample approved")
    pps = Milestone.objects.get(order=order, code="PPS")
    assert pps.fed_note.startswith("PP sample round 1 rejected: Seams puckered")

    # round 2 is made, handed over and approved: the milestone is done today
    page.goto(reverse("samples:detail", args=[sample.pk]))
    page.get_by_test_id("action-ready").click()
    expect(page.get_by_test_id("sample-status")).to_have_text("ready")
    page.get_by_test_id("action-send").click()
    expect(page.get_by_test_id("sample-status")).to_have_text("sent")
    page.get_by_test_id("action-approve").click()
    expect(page.get_by_test_id("sample-status")).to_have_text("approved")
    pps.refresh_from_db()
    assert pps.actual_date == TODAY
    assert pps.fed_date is None
    order.refresh_from_db()
    assert order.risk == "on_track"
    page.goto(reverse("sales:order", args=[order.pk]))
    expect(page.get_by_test_id("order-samples")).to_contain_text(sample.number)
    expect(page.get_by_test_id("order-samples")).to_contain_text("Approved")
    # the dispatch waits for nothing any more: round 1 was decided
    page.goto(reverse("samples:dispatch", args=[dispatch.pk]))
    expect(page.get_by_test_id("feedback-in")).to_be_visible()

    # quality control plans the order's final inspection from its page: 3,200 pieces, level II, AQL 2.5 for majors
    qc = UserFactory(username="qc1", role="qc")
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    inspector = context.new_page()
    login(inspector, qc.username)
    inspector.goto(reverse("sales:order", args=[order.pk]))
    inspector.get_by_test_id("inspections-section").get_by_test_id("plan-inspection").click()
    form = inspector.get_by_test_id("inspection-form")
    form.get_by_test_id("line").select_option(index=1)
    form.get_by_test_id("lot-size").fill("3200")
    form.get_by_test_id("level").select_option("II")
    form.get_by_test_id("aql-major").fill("2.5")
    form.get_by_test_id("inspector").select_option(label=qc.get_full_name() or qc.username)
    form.get_by_test_id("save-inspection").click()
    inspector.wait_for_url("**/quality/inspections/*/")
    plan = inspector.get_by_test_id("sampling-plan")
    expect(plan.get_by_test_id("code-letter")).to_have_text("K")
    expect(plan.get_by_test_id("sample-major")).to_have_text("125")
    expect(plan.locator("tr[data-class=major]")).to_contain_text("7")  # Ac 7, Re 8

    # the inspector finds 8 major stains in the 125 pieces: the lot fails, computed, and the milestone moves
    findings = inspector.get_by_test_id("findings-form")
    expect(findings.get_by_test_id("inspected-qty")).to_have_value("125")
    findings.get_by_test_id("defect-code-0").fill("STAIN")
    findings.get_by_test_id("defect-class-0").select_option("major")
    findings.get_by_test_id("defect-qty-0").fill("8")
    findings.get_by_test_id("record-findings").click()
    expect(inspector.get_by_test_id("inspection-status")).to_have_text("done")
    expect(inspector.get_by_test_id("result")).to_contain_text("Fail")
    expect(inspector.get_by_test_id("found-major")).to_have_text("8")
    fi = Milestone.objects.get(order=order, code="FI")
    assert fi.actual_date is None
    assert "failed" in fi.fed_note
    expect(inspector.get_by_test_id("disposition-form")).to_be_visible()

    # and downloads the report: the order number and the Chinese text are in it
    inspection = order.inspections.get()
    report = inspector.request.get(reverse("quality:inspection_report", args=[inspection.pk]) + "?language=zh-hans")
    assert report.ok
    assert report.headers["content-type"] == "application/pdf"
    pdf = report.body()
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert order.number in text
        assert "验货报告" in text
        assert "不合格" in text
    context.close()
