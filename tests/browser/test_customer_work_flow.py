"""One customer's work from quotation to satisfaction survey, in a real headless Chromium, as the people who do it.

The salesperson costs a quotation from the product's BOM and routing, raises the margin and sees the server move the
price, sends and accepts it and turns it into an order. The order is confirmed and shipped (the services the review and
shipping pages call); the customer then complains about it: the merchandiser registers and routes the complaint to
quality control, QC answers, the merchandiser records the customer's acceptance, and the manager closes it with a credit
note that finance finds, applied to the order's invoice. The manager assigns the merchandiser a task about the order,
which waits in the merchandiser's chase list. Last, the customer's contact answers the satisfaction survey through its
link as an anonymous visitor, and the answer shows in the round's results."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from gendan.core import clock
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.finance.models import CreditNote, CustomerTerms, Invoice, PaymentTerm
from gendan.finance.services import ensure_default_terms
from gendan.office.models import Task
from gendan.quotations.models import Quotation
from gendan.relations import services as relations
from gendan.relations.models import SurveyInvitation
from gendan.sales import services as sales_services
from gendan.sales.models import Order
from gendan.service.models import Complaint
from gendan.service.services import ensure_default_causes
from tests.browser.conftest import login, page_of
from tests.conftest import TODAY
from tests.factories import UserFactory
from tests.finance.factories import ship
from tests.office.conftest import wd
from tests.quotations import conftest as quotation_fixtures
from tests.quotations.conftest import World
from tests.relations.conftest import QUESTIONS
from tests.sales.factories import pass_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
world = quotation_fixtures.world  # a customer in USD, a product with a BOM and a routing, the USD rate at 7
sales = quotation_fixtures.sales


def test_a_customer_is_quoted_ordered_served_after_a_complaint_and_surveyed(
    page: Page,
    browser: Browser,
    live_server,
    world: World,
    sales: User,
    merchandiser: User,
    manager: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)  # the live server's thread lives the test's day
    ensure_default_causes()  # a transactional test before this one may have flushed what the migrations made
    ensure_default_terms()
    customer = world.customer
    customer.merchandiser = merchandiser
    customer.tier = "key"
    customer.save(update_fields=["merchandiser", "tier"])
    CustomerTerms.objects.create(customer=customer, term=PaymentTerm.objects.get(code="OA30"))
    UserFactory(username="qc1", first_name="Zheng", role=Role.QC)
    UserFactory(username="fin1", role=Role.FINANCE)

    # 1. the salesperson quotes from the BOM, moves the margin, and the price follows
    login(page, sales.username)
    page.goto("/quotations/")
    page.get_by_test_id("new-quotation").click()
    page.get_by_test_id("customer").select_option(str(customer.pk))
    page.get_by_test_id("choose-customer").click()
    page.get_by_test_id("product").select_option(str(world.product.pk))
    page.get_by_test_id("quantity").fill("1000")
    page.get_by_test_id("save-quotation").click()
    expect(page.get_by_test_id("quotation-status")).to_have_text("draft", use_inner_text=False)
    expect(page.get_by_test_id("mat-FAB-01")).to_have_value("10")  # the fabric at its latest purchase price
    expect(page.get_by_test_id("cost-1")).to_have_text("23.4122")
    expect(page.get_by_test_id("unit-price-1")).to_have_text("3.93")
    page.get_by_test_id("margin-1").fill("20")
    page.get_by_test_id("margin-1").press("Tab")
    expect(page.get_by_test_id("unit-price-1")).to_have_text("4.18")
    expect(page.get_by_test_id("quotation-total")).to_have_text("USD 4,180.00")
    quotation = Quotation.objects.get()
    page.get_by_test_id("open-send").click()
    page.get_by_test_id("mark-sent").click()
    expect(page.get_by_test_id("quotation-status")).to_have_text("sent", use_inner_text=False)
    page.get_by_test_id("action-accept").click()
    expect(page.get_by_test_id("quotation-status")).to_have_text("accepted", use_inner_text=False)
    page.get_by_test_id("customer-po").fill("NW-4711")
    page.get_by_test_id("action-to-order").click()
    expect(page.get_by_test_id("order-quotation-link")).to_have_text(quotation.number)
    order = Order.objects.get()
    assert (order.status, order.total_amount, order.merchandiser) == ("draft", Decimal("4180.00"), merchandiser)

    # the order is reviewed, confirmed and shipped: finance raises the invoice of USD 4,180.00
    order = sales_services.submit_order(order=order, by=merchandiser)
    order = pass_review(order, manager)
    order = sales_services.confirm_order(order=order, by=merchandiser)
    ship(order, by=merchandiser)
    invoice = Invoice.objects.get(order=order, shipment__isnull=False)
    assert invoice.open_amount == Decimal("4180.00")

    # 2. the customer complains: registered on the order's page and routed to QC
    mer = page_of(browser, live_server, merchandiser.username)
    mer.goto(reverse("sales:order", args=[order.pk]))
    mer.get_by_test_id("order-register-complaint").click()
    line = order.lines.get()
    mer.get_by_test_id("channel").select_option("claim_letter")
    mer.get_by_test_id("description").fill("20 bags with a loose handle.")
    mer.get_by_test_id(f"qty-ol{line.pk}").fill("20")
    mer.get_by_test_id(f"defect-ol{line.pk}").fill("loose handle")
    mer.get_by_test_id("claim-amount").fill("90")
    mer.get_by_test_id("save-complaint").click()
    expect(mer.get_by_test_id("complaint-status")).to_have_text("registered", use_inner_text=False)
    complaint = Complaint.objects.get()
    assert complaint.order == order
    mer.get_by_test_id("route-responsible").select_option("qc1")
    mer.get_by_test_id("route").click()
    expect(mer.get_by_test_id("complaint-status")).to_have_text("routed", use_inner_text=False)

    # QC finds the cause and answers
    qc = page_of(browser, live_server, "qc1")
    qc.goto(reverse("service:detail", args=[complaint.pk]))
    qc.get_by_test_id("root-cause").select_option("method")
    qc.get_by_test_id("cause-detail").fill("Handles stitched with 3 stitches per cm instead of 5.")
    qc.get_by_test_id("save-investigation").click()
    expect(qc.get_by_test_id("complaint-status")).to_have_text("investigating", use_inner_text=False)
    qc.get_by_test_id("action-kind").select_option("corrective")
    qc.get_by_test_id("action-description").fill("Five stitches per cm on handles; check at every line start")
    qc.get_by_test_id("action-owner").select_option("qc1")
    qc.get_by_test_id("add-action").click()
    expect(qc.get_by_test_id("action-1")).to_contain_text("Five stitches per cm")
    qc.get_by_test_id("settlement-offer").fill("A credit of USD 45.00")
    qc.get_by_test_id("answer").click()
    expect(qc.get_by_test_id("complaint-status")).to_have_text("answered", use_inner_text=False)
    qc.get_by_test_id("open-done-1").click()
    qc.get_by_test_id("result-1").fill("Handle stitching reset on line 2 and checked")
    qc.get_by_test_id("done-1").click()
    expect(qc.get_by_test_id("action-done-1")).to_have_text(TODAY.isoformat())
    qc.context.close()

    # the customer accepts the answer; the manager closes with a credit note
    mer.reload()
    mer.get_by_test_id("verify").click()
    expect(mer.get_by_test_id("complaint-status")).to_have_text("verified", use_inner_text=False)
    page.context.clear_cookies()
    login(page, manager.username)
    page.goto(reverse("service:detail", args=[complaint.pk]))
    page.get_by_test_id("credit-amount").fill("45")
    page.get_by_test_id("close").click()
    expect(page.get_by_test_id("complaint-status")).to_have_text("closed", use_inner_text=False)
    note = CreditNote.objects.get()
    expect(page.get_by_test_id("credit-note")).to_contain_text(note.number)
    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal("4135.00")

    # finance finds the credit note, with the complaint as its reference
    fin = page_of(browser, live_server, "fin1")
    fin.goto(reverse("finance:credit_notes"))
    row = fin.get_by_test_id("credit-note-row").filter(has_text=note.number)
    expect(row).to_contain_text(complaint.number)
    expect(row).to_contain_text("USD 45.00")
    fin.context.close()

    # 3. the manager assigns the merchandiser a task about the order: it waits in the merchandiser's chase list
    page.goto(reverse("sales:order", args=[order.pk]))
    page.get_by_test_id("section-assign-task").click()
    page.get_by_test_id("task-title").fill("Send Northwind the new handle stitching photos")
    page.get_by_test_id("task-assignee").select_option(str(merchandiser.pk))
    page.get_by_test_id("task-due").fill(wd(2).isoformat())
    page.get_by_test_id("task-priority").select_option("high")
    page.get_by_test_id("save-task").click()
    expect(page.get_by_test_id("task-status")).to_have_text("assigned", use_inner_text=False)
    task = Task.objects.get()
    mer.goto("/")
    row = mer.locator(f"#chase-task-{task.pk}")
    expect(row.get_by_test_id("chase-reason")).to_contain_text("Send Northwind the new handle stitching photos")
    mer.context.close()

    # 4. the satisfaction survey: the manager sends a round to the key customers
    template = relations.create_template(
        by=manager,
        data={"code": "CSAT", "name": "顾客满意度调查", "name_en": "Customer satisfaction", "questions": QUESTIONS},
    )
    round_ = relations.create_round(
        by=manager,
        data={
            "template_id": template.pk,
            "period_start": "2026-07-01",
            "period_end": "2026-12-31",
            "closes_on": wd(10),
            "tiers": ["key"],
        },
    )
    relations.send_round(round_=round_, by=manager)
    page.goto(reverse("relations:survey", args=[round_.pk]))
    invitation = SurveyInvitation.objects.get()
    link = page.get_by_test_id(f"link-{invitation.pk}").input_value()

    # the contact answers it without an account
    context = browser.new_context(locale="en-US", viewport={"width": 1100, "height": 900})
    try:
        visitor = context.new_page()
        visitor.goto(link)
        expect(visitor.locator(".topbar")).to_have_count(0)
        visitor.get_by_test_id("score-quality-4").check()
        visitor.get_by_test_id("score-delivery-5").check()
        visitor.get_by_test_id("score-price-3").check()
        visitor.get_by_test_id("text-better").fill("Answer complaints as fast as this one.")
        visitor.get_by_test_id("submit-survey").click()
        expect(visitor.get_by_test_id("survey-thanks")).to_be_visible()
    finally:
        context.close()

    # and the answer shows in the round's results
    page.reload()
    page.get_by_test_id("results-link").click()
    page.wait_for_url("**/results/")
    expect(page.get_by_test_id("answered")).to_have_text("1")
    expect(page.get_by_test_id("mean")).to_have_text("4.00")
    quality = page.locator("[data-testid=question-row][data-key=quality]")
    expect(quality.get_by_test_id("question-mean")).to_have_text("4.00")
    expect(page.get_by_test_id("text-answers")).to_contain_text("Answer complaints as fast as this one.")
    assert TODAY == clock.today()
