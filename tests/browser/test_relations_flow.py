"""Customer relations in a real headless Chromium.

A manager makes a satisfaction survey round for the key customers and sends it; the contact's link, opened as an
anonymous visitor in a fresh browser context, shows the questions in English (a switch to Chinese), refuses an
incomplete answer naming the question, takes the answers and thanks; opened again it does not take a second answer.
The round's results then show the response, its scores, the written answer and the charts; the low score is in the
merchandiser's chase list.

A merchandiser plans a customer's visit with a sample to prepare for QC; QC ticks it done in place on the visit's
page (htmx); the visit is confirmed, the visitors come, the minutes and a follow-up action are recorded."""

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from gendan.core import clock
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.relations import services
from gendan.relations.models import SurveyFollowUp, SurveyInvitation, SurveyRound, Visit, VisitTask
from tests.browser.conftest import login
from tests.conftest import TODAY
from tests.factories import ContactFactory, CustomerFactory, ProductFactory, UserFactory
from tests.relations.conftest import QUESTIONS, wd

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_survey_link_is_answered_anonymously_and_shows_in_the_results(
    page: Page, browser: Browser, live_server, merchandiser: User, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the live server (another thread, outside the frozen clock's context) lives the test's day
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)
    key = CustomerFactory(
        code="C-NW01", name="北风贸易", name_en="Northwind Trading", tier="key", country="US", merchandiser=merchandiser
    )
    ContactFactory(customer=key, name="Anna Berg", email="anna@northwind.example", is_primary=True)
    other = CustomerFactory(code="C-TX02", tier="normal", merchandiser=merchandiser)
    ContactFactory(customer=other, name="Tom Tex", email="tom@tx.example", is_primary=True)
    template = services.create_template(
        by=manager,
        data={
            "code": "CSAT",
            "name": "顾客满意度调查",
            "name_en": "Customer satisfaction survey",
            "intro_en": "Thank you for your business.",
            "questions": QUESTIONS,
        },
    )

    # the manager makes a round for the key customers and sends it
    login(page, manager.username)
    page.goto(reverse("relations:survey_list"))
    page.get_by_test_id("new-round").click()
    form = page.get_by_test_id("round-form")
    form.get_by_test_id("template").select_option(str(template.pk))
    form.get_by_test_id("period-start").fill("2026-01-01")
    form.get_by_test_id("period-end").fill("2026-06-30")
    form.get_by_test_id("tier-key").check()
    form.get_by_test_id("save-round").click()
    page.wait_for_url("**/relations/surveys/*/")
    round_ = SurveyRound.objects.get()
    expect(page.get_by_test_id("round-number")).to_have_text(round_.number)
    expect(page.get_by_test_id("recipient")).to_have_count(1)
    page.get_by_test_id("send-round").click()
    expect(page.get_by_test_id("round-status")).to_have_text("sent", use_inner_text=False)
    invitation = SurveyInvitation.objects.get()
    link = page.get_by_test_id(f"link-{invitation.pk}").input_value()
    assert "/relations/survey/" in link

    # the contact opens the link without an account, in a fresh browser context
    context = browser.new_context(locale="en-US", viewport={"width": 1100, "height": 900})
    try:
        visitor = context.new_page()
        visitor.goto(link)
        expect(visitor.locator(".topbar")).to_have_count(0)
        expect(visitor.get_by_test_id("question")).to_have_count(4)
        expect(visitor.get_by_text("Product quality")).to_be_visible()
        visitor.get_by_test_id("switch-language").click()
        expect(visitor.get_by_text("产品质量")).to_be_visible()
        visitor.get_by_test_id("switch-language").click()
        visitor.get_by_test_id("score-quality-5").check()
        visitor.get_by_test_id("score-delivery-2").check()
        visitor.get_by_test_id("text-better").fill("Tell us earlier when a shipment is late.")
        visitor.get_by_test_id("submit-survey").click()
        expect(visitor.get_by_test_id("error-price")).to_have_text("Please answer this question.")
        expect(visitor.get_by_test_id("score-quality-5")).to_be_checked()
        visitor.get_by_test_id("score-price-4").check()
        visitor.get_by_test_id("comment").fill("Good partner overall.")
        visitor.get_by_test_id("submit-survey").click()
        expect(visitor.get_by_test_id("survey-thanks")).to_be_visible()
        # opened again, the link thanks and takes no second answer
        visitor.goto(link)
        expect(visitor.get_by_test_id("survey-thanks")).to_be_visible()
        expect(visitor.get_by_test_id("survey-form")).to_have_count(0)
    finally:
        context.close()
    invitation.refresh_from_db()
    assert invitation.answered_at is not None

    # the results show the answer
    page.reload()
    page.get_by_test_id("results-link").click()
    page.wait_for_url("**/results/")
    expect(page.get_by_test_id("answered")).to_have_text("1")
    expect(page.get_by_test_id("rate")).to_have_text("100.0%")
    expect(page.get_by_test_id("mean")).to_have_text("3.67")
    quality = page.locator("[data-testid=question-row][data-key=quality]")
    expect(quality.get_by_test_id("question-mean")).to_have_text("5.00")
    expect(page.get_by_test_id("text-answers")).to_contain_text("Tell us earlier when a shipment is late.")
    expect(page.get_by_test_id("comments")).to_contain_text("Good partner overall.")
    expect(page.get_by_test_id("chart-means")).to_be_visible()
    expect(page.get_by_test_id("chart-spread")).to_be_visible()
    expect(page.get_by_test_id("tier-results").locator("[data-tier=key]")).to_contain_text("100.0%")

    # the low delivery score waits in the merchandiser's chase list
    assert SurveyFollowUp.objects.get().owner == merchandiser
    page.context.clear_cookies()
    login(page, merchandiser.username)
    page.goto(reverse("relations:follow_ups"))
    card = page.locator("[data-testid=follow-up][data-customer=C-NW01]")
    expect(card.get_by_test_id("follow-up-summary")).to_contain_text("On-time delivery 2/5")


def test_a_visit_is_planned_prepared_in_place_and_minuted(
    page: Page, live_server, merchandiser: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)
    qc = UserFactory(username="qc1", role=Role.QC)
    customer = CustomerFactory(
        code="C-HB02", name="汉堡生活馆", name_en="Hamburg Living", tier="key", country="DE", merchandiser=merchandiser
    )
    ContactFactory(customer=customer, name="Jonas Weber", title="Sourcing manager", is_primary=True)
    product = ProductFactory(code="TW-70", name="纯棉浴巾")

    login(page, merchandiser.username)
    page.goto(reverse("relations:visit_list"))
    page.get_by_test_id("plan-visit").click()
    page.get_by_test_id("customer").select_option(str(customer.pk))
    page.get_by_test_id("choose-customer").click()
    form = page.get_by_test_id("visit-form")
    expect(form.get_by_test_id("visitor-name-1")).to_have_value("Jonas Weber")
    form.get_by_test_id("title").fill("Bulk production check")
    form.get_by_test_id("arrival-date").fill(wd(3).isoformat())
    form.get_by_test_id("departure-date").fill(wd(4).isoformat())
    form.get_by_test_id("hotel").fill("Marriott Ningbo")
    form.get_by_test_id("agenda-date-1").fill(wd(3).isoformat())
    form.get_by_test_id("agenda-start-1").fill("10:00")
    form.get_by_test_id("agenda-topic-1").fill("Production walk-through")
    form.get_by_test_id("task-kind-1").select_option("sample")
    form.get_by_test_id("task-product-1").select_option(str(product.pk))
    form.get_by_test_id("task-owner-1").select_option(qc.username)
    form.get_by_test_id("task-due-1").fill(wd(2).isoformat())
    form.get_by_test_id("save-visit").click()
    page.wait_for_url("**/relations/visits/*/")
    visit = Visit.objects.get()
    expect(page.get_by_test_id("visit-number")).to_have_text(visit.number)
    expect(page.get_by_test_id("preparation-tasks").get_by_test_id("task-row")).to_have_count(1)
    page.get_by_test_id("action-confirm").click()
    expect(page.get_by_test_id("visit-status")).to_have_text("confirmed", use_inner_text=False)

    # QC ticks the sample ready on the visit's page, in place
    task = VisitTask.objects.get()
    page.context.clear_cookies()
    login(page, qc.username)
    page.goto(reverse("relations:visit", args=[visit.pk]))
    row = page.locator(f"[data-testid=task-row][data-task='{task.pk}']")
    expect(row).to_have_attribute("data-done", "0")
    row.get_by_test_id(f"tick-{task.pk}").check()
    expect(page.locator(f"[data-testid=task-row][data-task='{task.pk}']")).to_have_attribute("data-done", "1")
    task.refresh_from_db()
    assert task.done_by == qc

    # the visitors come: minutes and a follow-up action
    page.context.clear_cookies()
    login(page, merchandiser.username)
    page.goto(reverse("relations:visit", args=[visit.pk]))
    page.get_by_test_id("action-start").click()
    expect(page.get_by_test_id("visit-status")).to_have_text("in_progress", use_inner_text=False)
    minutes = page.get_by_test_id("minutes-form")
    minutes.get_by_test_id("minutes").fill("Checked 3 running orders; packing to be improved.")
    minutes.get_by_test_id("decisions").fill("Carton strength to 5 ply from the next order.")
    minutes.get_by_test_id("save-minutes").click()
    actions = page.get_by_test_id("add-action-form")
    actions.get_by_test_id("new-action-description").fill("Send the 5-ply carton test report")
    actions.get_by_test_id("new-action-owner").select_option(qc.username)
    actions.get_by_test_id("add-action").click()
    expect(page.get_by_test_id("follow-up-actions")).to_contain_text("Send the 5-ply carton test report")
    visit.refresh_from_db()
    assert visit.decisions == "Carton strength to 5 ply from the next order."
    assert VisitTask.objects.filter(phase="follow_up", owner=qc, done_date__isnull=True).count() == 1
    assert TODAY <= wd(3)
