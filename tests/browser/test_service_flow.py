"""A customer complaint in a real headless Chromium: the merchandiser registers it from a shipped order's page (12 bags
with an open seam, a photo, USD 120.00 claimed) and routes it to quality control; QC writes the root cause, adds the
corrective action inline (htmx), answers and downloads the 8D in English; the customer does not accept the first
answer, the second is verified; the action is done; the manager closes the complaint with a credit note of
USD 30.00, and finance finds the credit note, applied to the order's invoice, in its list."""

import os
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from gendan.core import clock
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.finance.models import CreditNote, Invoice
from gendan.service.models import Complaint
from gendan.service.services import ensure_default_causes
from tests.browser.conftest import login, page_of
from tests.conftest import TODAY
from tests.factories import ContactFactory, ProductFactory, UserFactory
from tests.finance.factories import confirmed_order, customer_on, ship

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("GENDAN_SCREENSHOTS")  # a folder: the pages are saved there as PNG for a look


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def test_a_complaint_is_registered_routed_answered_and_closed_with_a_credit_note_finance_sees(
    page: Page, browser: Browser, live_server, merchandiser: User, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)  # the live server's thread lives the test's day
    ensure_default_causes()  # a transactional test before this one may have flushed what the migration made
    UserFactory(username="qc1", first_name="Zheng", role=Role.QC)
    UserFactory(username="fin1", role=Role.FINANCE)
    customer = customer_on("OA30", code="C-NW01", name="北风家居", name_en="Northwind Home Inc.")
    ContactFactory(customer=customer, name="Anna Berg", email="anna@northwind.example", is_primary=True)
    order = confirmed_order(
        by=merchandiser,
        manager=manager,
        customer=customer,
        products=[ProductFactory(code="TB-12", name="帆布袋", name_en="Canvas tote bag")],
        quantities=[2400],
        prices=["2.50"],
    )
    ship(order, by=merchandiser)  # departed today: finance raised the invoice of USD 6,000.00
    invoice = Invoice.objects.get(order=order, shipment__isnull=False)
    open_before = invoice.open_amount

    # the merchandiser registers the complaint from the order's page
    login(page, merchandiser.username)
    page.goto(reverse("sales:order", args=[order.pk]))
    page.get_by_test_id("order-register-complaint").click()
    expect(page.get_by_test_id("complaint-form")).to_be_visible()
    line = order.lines.get()
    page.get_by_test_id("channel").select_option("claim_letter")
    page.get_by_test_id("customer-reference").fill("NCR-2611")
    page.get_by_test_id("description").fill("12 bags of carton 7 have an open side seam.")
    page.get_by_test_id(f"qty-ol{line.pk}").fill("12")
    page.get_by_test_id(f"defect-ol{line.pk}").fill("open seam")
    page.get_by_test_id("claim-amount").fill("120")
    page.get_by_test_id("photos").set_input_files(files=[{"name": "seam.png", "mimeType": "image/png", "buffer": PNG}])
    shot(page, "complaint-form")
    page.get_by_test_id("save-complaint").click()
    expect(page.get_by_test_id("complaint-status")).to_have_text("registered", use_inner_text=False)
    complaint = Complaint.objects.get()
    expect(page.get_by_test_id("photos-list")).to_contain_text("seam.png")
    # routed to QC, the answer due by severity
    page.get_by_test_id("route-responsible").select_option("qc1")
    page.get_by_test_id("route").click()
    expect(page.get_by_test_id("complaint-status")).to_have_text("routed", use_inner_text=False)
    expect(page.get_by_test_id("responsible")).to_contain_text("Zheng")
    shot(page, "complaint-routed")

    # QC: the root cause, a corrective action added inline, the answer
    qc = page_of(browser, live_server, "qc1")
    qc.goto("/")
    expect(qc.get_by_test_id("panel-my-complaints")).to_contain_text(complaint.number)
    qc.get_by_role("link", name=complaint.number).first.click()
    qc.get_by_test_id("root-cause").select_option("method")
    qc.get_by_test_id("cause-detail").fill("The seam allowance was set to 5 mm instead of 10 mm on line 3.")
    qc.get_by_test_id("save-investigation").click()
    expect(qc.get_by_test_id("complaint-status")).to_have_text("investigating", use_inner_text=False)
    qc.get_by_test_id("action-kind").select_option("corrective")
    qc.get_by_test_id("action-description").fill("Seam allowance 10 mm; first-piece check at every line start")
    qc.get_by_test_id("action-owner").select_option("qc1")
    qc.get_by_test_id("add-action").click()
    expect(qc.get_by_test_id("action-message")).to_contain_text("Action #1 is added")  # swapped in by htmx
    expect(qc.get_by_test_id("action-1")).to_contain_text("first-piece check")
    qc.get_by_test_id("settlement-offer").fill("A credit of USD 30.00 on the invoice")
    qc.get_by_test_id("answer").click()
    expect(qc.get_by_test_id("complaint-status")).to_have_text("answered", use_inner_text=False)
    pdf = qc.request.get(qc.get_by_test_id("pdf-en").get_attribute("href"))
    assert pdf.ok
    assert pdf.body().startswith(b"%PDF")
    text = pdf_text(pdf.body())
    for words in (complaint.number, "D4 Root cause", "Method (process)", "Seam allowance", "USD 30.00", "NCR-2611"):
        assert words in text, words
    shot(qc, "complaint-answered")

    # the customer does not accept the first answer, then accepts the second
    page.reload()
    page.get_by_test_id("open-not-accepted").click()
    page.get_by_test_id("not-accepted-reason").fill("Please check the other cartons of the lot too")
    page.get_by_test_id("not-accepted").click()
    expect(page.get_by_test_id("complaint-status")).to_have_text("investigating", use_inner_text=False)
    qc.reload()
    qc.get_by_test_id("open-done-1").click()
    qc.get_by_test_id("result-1").fill("Line 3 reset; cartons 1–40 re-checked, no other open seam")
    qc.get_by_test_id("done-1").click()
    expect(qc.get_by_test_id("action-done-1")).to_have_text(TODAY.isoformat())
    qc.reload()
    qc.get_by_test_id("answer").click()
    expect(qc.get_by_test_id("complaint-status")).to_have_text("answered", use_inner_text=False)
    page.reload()
    page.get_by_test_id("verify").click()
    expect(page.get_by_test_id("complaint-status")).to_have_text("verified", use_inner_text=False)
    # the merchandiser may not grant the credit: the manager closes with it
    expect(page.get_by_test_id("credit-amount")).to_have_count(0)
    boss = page_of(browser, live_server, manager.username)
    boss.goto(reverse("service:detail", args=[complaint.pk]))
    boss.get_by_test_id("credit-amount").fill("30")
    boss.get_by_test_id("close").click()
    expect(boss.get_by_test_id("complaint-status")).to_have_text("closed", use_inner_text=False)
    note = CreditNote.objects.get()
    expect(boss.get_by_test_id("credit-note")).to_contain_text(note.number)
    shot(boss, "complaint-closed")
    invoice.refresh_from_db()
    assert invoice.open_amount == open_before - 30

    # finance sees the credit note in its list, with the complaint as its reference
    fin = page_of(browser, live_server, "fin1")
    fin.goto(reverse("finance:credit_notes"))
    row = fin.get_by_test_id("credit-note-row").filter(has_text=note.number)
    expect(row).to_contain_text(complaint.number)
    expect(row).to_contain_text("USD 30.00")
    fin.goto(reverse("service:report") + "?group_by=cause")
    expect(fin.get_by_test_id("report-total-credit")).to_contain_text("USD 30.00")
    shot(fin, "complaint-report")
    page.goto(reverse("service:list"))
    shot(page, "complaint-list")
    page.goto(reverse("sales:order", args=[order.pk]) + "#complaints")
    expect(page.get_by_test_id("order-complaints")).to_contain_text(complaint.number)


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005050200"
    "5fc8f1d20000000049454e44ae426082"
)
