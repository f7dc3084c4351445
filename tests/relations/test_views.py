"""Customer relations pages: the visit list, plan form, page (htmx tick, minutes, actions), plan PDF; the survey
rounds, a round's page, its results with charts and Excel, templates, follow-ups; the customer file's sections and the
dashboard panel; and the page a contact answers through its link without an account."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from gendan.core import clock
from gendan.relations import services
from gendan.relations.models import (
    SurveyAnswer,
    SurveyInvitation,
    SurveyRound,
    SurveyTemplate,
    Visit,
    VisitTask,
)
from tests.conftest import TODAY
from tests.relations.conftest import answer, token_of, wd

pytestmark = pytest.mark.django_db


# ---- visits ------------------------------------------------------------------------------------------------------


def test_the_visit_list_shows_upcoming_first_and_exports(page_as, plan_visit, merchandiser):
    with clock.frozen(TODAY - dt.timedelta(days=30)):
        past = plan_visit(arrival_date=TODAY - dt.timedelta(days=20), departure_date=TODAY - dt.timedelta(days=19))
    soon = plan_visit()
    later = plan_visit(arrival_date=wd(15), departure_date=wd(15))
    client = page_as(merchandiser)
    response = client.get(reverse("relations:visit_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(soon.number) < html.index(later.number) < html.index(past.number)
    response = client.get(reverse("relations:visit_list"), {"when": "past"})
    assert past.number in response.content.decode()
    assert soon.number not in response.content.decode()
    export = client.get(reverse("relations:visit_list"), {"format": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_visit_is_planned_on_the_form(page_as, merchandiser, customer, contact, factory, product, qc):
    client = page_as(merchandiser)
    assert client.get(reverse("relations:visit_add")).status_code == 200  # the customer first
    form = client.get(reverse("relations:visit_add"), {"customer": customer.pk})
    assert form.status_code == 200
    assert 'value="Anna Berg"' in form.content.decode()  # the primary contact as the first visitor
    response = client.post(
        reverse("relations:visit_add"),
        {
            "customer_id": customer.pk,
            "title": "Factory audit",
            "purpose": "factory_audit",
            "arrival_date": wd(5).isoformat(),
            "departure_date": wd(6).isoformat(),
            "host": merchandiser.username,
            "visitor-contact_id-1": contact.pk,
            "visitor-name-1": "",
            "visitor-name-2": "",
            "agenda-date-1": wd(5).isoformat(),
            "agenda-start_time-1": "09:00",
            "agenda-topic-1": "Audit opening meeting",
            "agenda-topic-2": "",
            "site-supplier_id-1": factory.pk,
            "site-name-1": "",
            "task-kind-1": "sample",
            "task-product_id-1": product.pk,
            "task-description-1": "",
            "task-owner-1": qc.username,
            "task-due_date-1": "",
            "task-kind-2": "other",
            "task-description-2": "",
        },
    )
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("relations:visit", args=[visit.pk])
    assert visit.agenda.get().topic == "Audit opening meeting"
    assert visit.sites.get().supplier == factory
    assert VisitTask.objects.get().owner == qc


def test_a_bad_plan_shows_its_errors_and_keeps_what_was_typed(page_as, merchandiser, customer):
    response = page_as(merchandiser).post(
        reverse("relations:visit_add"),
        {
            "customer_id": customer.pk,
            "title": "Audit",
            "arrival_date": wd(5).isoformat(),
            "departure_date": wd(1).isoformat(),
            "agenda-topic-1": "Talk",
            "agenda-date-1": wd(9).isoformat(),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "They cannot leave before they arrive" in html
    assert 'value="Audit"' in html
    assert not Visit.objects.exists()


def test_the_visit_page_ticks_a_task_in_place(page_as, plan_visit, qc, product, merchandiser):
    visit = plan_visit(tasks=[{"product_id": product.pk, "owner": qc.username}])
    task = VisitTask.objects.get()
    page = page_as(merchandiser).get(reverse("relations:visit", args=[visit.pk]))
    assert page.status_code == 200
    assert 'data-testid="preparation-tasks"' in page.content.decode()
    client = page_as(qc)
    response = client.post(
        reverse("relations:task_toggle", args=[visit.pk, task.pk]),
        {"done": "1", "version": task.version},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'data-done="1"' in response.content.decode()
    assert "<html" not in response.content.decode()
    task.refresh_from_db()
    assert task.done_date == TODAY
    # a stale tick (the old version) shows the error in the row and changes nothing
    stale = client.post(
        reverse("relations:task_toggle", args=[visit.pk, task.pk]), {"version": 1}, headers={"HX-Request": "true"}
    )
    assert 'data-testid="task-error"' in stale.content.decode()
    task.refresh_from_db()
    assert task.done_date == TODAY


def test_a_stranger_cannot_tick_anothers_task(page_as, plan_visit, qc, product, make_user):
    visit = plan_visit(tasks=[{"product_id": product.pk, "owner": qc.username}])
    task = VisitTask.objects.get()
    other = make_user("shipping", username="shipper")
    response = page_as(other).post(reverse("relations:task_toggle", args=[visit.pk, task.pk]), {"done": "1"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_date is None


def test_minutes_actions_and_status_buttons_on_the_page(page_as, plan_visit, merchandiser, sales):
    visit = plan_visit()
    client = page_as(merchandiser)
    client.post(reverse("relations:visit_action", args=[visit.pk, "confirm"]))
    client.post(reverse("relations:visit_action", args=[visit.pk, "start"]))
    client.post(reverse("relations:visit_minutes", args=[visit.pk]), {"minutes": "Agreed on 12 styles"})
    client.post(
        reverse("relations:task_add", args=[visit.pk, "follow_up"]),
        {"description": "Quote the 12 styles", "owner": sales.username, "due_date": wd(3).isoformat()},
    )
    visit.refresh_from_db()
    assert (visit.status, visit.minutes) == ("in_progress", "Agreed on 12 styles")
    assert VisitTask.objects.get().phase == "follow_up"
    page = client.get(reverse("relations:visit", args=[visit.pk])).content.decode()
    assert 'data-testid="minutes-form"' in page
    assert "Quote the 12 styles" in page
    refused = client.post(reverse("relations:visit_action", args=[visit.pk, "confirm"]), follow=True)
    assert "cannot move to" in refused.content.decode()
    assert client.post(reverse("relations:visit_action", args=[visit.pk, "fly"])).status_code == 404


def test_visit_pages_need_the_rights(page_as, plan_visit, make_user, qc):
    visit = plan_visit()
    assert page_as(qc).get(reverse("relations:visit", args=[visit.pk])).status_code == 200
    assert page_as(qc).get(reverse("relations:visit_edit", args=[visit.pk])).status_code == 403
    assert page_as(qc).post(reverse("relations:visit_action", args=[visit.pk, "confirm"])).status_code == 403
    assert Client().get(reverse("relations:visit", args=[visit.pk])).status_code == 302  # to the login
    assert page_as(qc).get(reverse("relations:visit", args=[999999])).status_code == 404


def test_the_plan_is_edited_with_its_version(page_as, plan_visit, merchandiser, contact):
    visit = plan_visit(agenda=[{"date": wd(5), "topic": "Welcome"}])
    client = page_as(merchandiser)
    form = client.get(reverse("relations:visit_edit", args=[visit.pk]))
    assert 'value="Welcome"' in form.content.decode()
    response = client.post(
        reverse("relations:visit_edit", args=[visit.pk]),
        {
            "version": visit.version,
            "title": "Spring range review",
            "purpose": "new_products",
            "arrival_date": wd(5).isoformat(),
            "departure_date": wd(6).isoformat(),
            "host": merchandiser.username,
            "hotel": "Hilton",
            "visitor-contact_id-1": contact.pk,
            "agenda-date-1": wd(5).isoformat(),
            "agenda-topic-1": "Welcome",
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.hotel == "Hilton"
    stale = client.post(
        reverse("relations:visit_edit", args=[visit.pk]),
        {"version": 1, "title": "x", "arrival_date": wd(5).isoformat(), "host": merchandiser.username},
    )
    assert "changed by someone else" in stale.content.decode()


def test_the_visit_plan_prints(page_as, plan_visit, merchandiser):
    visit = plan_visit()
    response = page_as(merchandiser).get(reverse("relations:visit_plan", args=[visit.pk]), {"language": "en"})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_customer_file_shows_visits_and_scores(page_as, plan_visit, manager, sent_round, contact, customer):
    plan_visit()
    answer(sent_round.invitations.get(contact=contact), quality=5, delivery=3, price=4)
    html = page_as(manager).get(reverse("partners:customer", args=[customer.pk])).content.decode()
    assert 'data-testid="customer-visits"' in html
    assert "VIS-2026-00001" in html
    assert 'data-testid="customer-scores"' in html
    assert 'data-testid="customer-mean">4.00<' in html


def test_the_dashboard_shows_the_visits_coming(page_as, plan_visit, merchandiser):
    plan_visit()
    html = page_as(merchandiser).get(reverse("core:dashboard")).content.decode()
    assert 'data-testid="panel-visits"' in html


# ---- surveys -----------------------------------------------------------------------------------------------------


def test_a_round_is_made_on_the_form_and_sent_from_its_page(page_as, manager, template, contact, cn_contact):
    client = page_as(manager)
    assert client.get(reverse("relations:survey_add")).status_code == 200
    refused = client.post(
        reverse("relations:survey_add"),
        {"template_id": template.pk, "period_start": "2026-01-01", "period_end": "2026-06-30"},
    )
    assert "Choose who is asked" in refused.content.decode()
    response = client.post(
        reverse("relations:survey_add"),
        {
            "template_id": template.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "closes_on": (TODAY + dt.timedelta(days=10)).isoformat(),
            "tiers": ["key", "normal"],
        },
    )
    round_ = SurveyRound.objects.get()
    assert response["Location"] == reverse("relations:survey", args=[round_.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="send-round"' in page
    assert "Anna Berg" in page
    client.post(reverse("relations:survey_send", args=[round_.pk]))
    page = client.get(reverse("relations:survey", args=[round_.pk])).content.decode()
    assert 'data-state="waiting"' in page
    assert "/relations/survey/" in page  # the links to copy


def test_the_results_page_shows_tables_charts_and_exports(page_as, manager, sent_round, contact, cn_contact):
    answer(sent_round.invitations.get(contact=contact), quality=5, delivery=2, price=4, better="Faster samples")
    answer(sent_round.invitations.get(contact=cn_contact), quality=3, delivery=4, price=4)
    client = page_as(manager)
    response = client.get(reverse("relations:survey_results", args=[sent_round.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for testid in ("chart-means", "chart-spread", "chart-periods", "chart-tiers", "question-results", "tier-results"):
        assert f'data-testid="{testid}"' in html, testid
    assert "Faster samples" in html
    assert 'data-testid="mean">3.67<' in html
    filtered = client.get(reverse("relations:survey_results", args=[sent_round.pk]), {"tier": "key"}).content.decode()
    assert 'data-testid="answered">1<' in filtered
    for fmt in ("xlsx", "responses"):
        export = client.get(reverse("relations:survey_results", args=[sent_round.pk]), {"format": fmt})
        assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_templates_are_made_and_revised_on_their_pages(page_as, manager, sent_round, template):
    client = page_as(manager)
    assert client.get(reverse("relations:template_list")).status_code == 200
    form = client.get(reverse("relations:template_edit", args=[template.pk])).content.decode()
    assert 'data-testid="new-revision-warning"' in form
    post = {"version": template.version, "name": "满意度调查", "name_en": "Satisfaction"}
    for n, q in enumerate(template.questions.order_by("position"), start=1):
        post |= {
            f"q-key-{n}": q.key,
            f"q-text_zh-{n}": q.text_zh,
            f"q-text_en-{n}": q.text_en,
            f"q-kind-{n}": q.kind,
            f"q-category-{n}": q.category,
            f"q-required-{n}": "on",
        }
    post |= {"q-key-5": "", "q-text_zh-5": "服务", "q-text_en-5": "Service", "q-kind-5": "score", "q-required-5": "on"}
    response = client.post(reverse("relations:template_edit", args=[template.pk]), post)
    new = SurveyTemplate.objects.get(is_current=True)
    assert response["Location"] == reverse("relations:template", args=[new.pk])
    assert (new.revision, new.questions.count()) == (2, 5)
    created = client.post(
        reverse("relations:template_add"),
        {
            "code": "NPS",
            "name": "推荐",
            "q-text_zh-1": "推荐吗",
            "q-text_en-1": "Would you recommend us?",
            "q-kind-1": "score",
            "q-required-1": "on",
        },
    )
    assert created.status_code == 302
    bad = client.post(reverse("relations:template_add"), {"code": "X", "name": "x", "q-text_zh-1": "甲"})
    assert "Question 1: Give the question in English too." in bad.content.decode()


def test_follow_ups_are_closed_on_their_page(page_as, sent_round, contact, merchandiser):
    answer(sent_round.invitations.get(contact=contact), price=1)
    client = page_as(merchandiser)
    html = client.get(reverse("relations:follow_ups")).content.decode()
    assert "Price 1/5" in html
    follow_up = sent_round.invitations.get(contact=contact).follow_up
    client.post(reverse("relations:follow_up_done", args=[follow_up.pk]), {"note": "Called back", "show": "mine"})
    follow_up.refresh_from_db()
    assert follow_up.note == "Called back"


def test_survey_pages_need_the_rights(page_as, merchandiser, sent_round, make_user):
    assert page_as(merchandiser).get(reverse("relations:survey_results", args=[sent_round.pk])).status_code == 200
    assert page_as(merchandiser).get(reverse("relations:survey_add")).status_code == 403
    assert page_as(merchandiser).post(reverse("relations:survey_close", args=[sent_round.pk])).status_code == 403
    shipping = make_user("shipping", username="shipper")
    assert page_as(shipping).get(reverse("relations:survey_list")).status_code == 403


# ---- the contact's page ------------------------------------------------------------------------------------------


def _url(token: str) -> str:
    return reverse("relations:survey_answer", args=[token])


def test_a_contact_answers_without_an_account_in_its_language(sent_round, cn_contact):
    invitation = sent_round.invitations.get(contact=cn_contact)
    token = token_of(invitation)
    client = Client()
    page = client.get(_url(token))
    assert page.status_code == 200
    assert page["Content-Language"] == "zh-hans"
    html = page.content.decode()
    assert "产品质量" in html
    assert "Product quality" not in html
    english = client.get(_url(token), {"lang": "en"}).content.decode()
    assert "Product quality" in english
    missing = client.post(_url(token), {"q-quality": "5", "q-delivery": "4", "lang": "en"})
    assert missing.status_code == 422
    assert 'data-testid="error-price"' in missing.content.decode()
    assert 'value="5" checked' in missing.content.decode()  # what was given stays
    done = client.post(_url(token), {"q-quality": "5", "q-delivery": "4", "q-price": "2", "comment": "好"})
    assert done.status_code == 302
    thanks = client.get(done["Location"]).content.decode()
    assert 'data-testid="survey-thanks"' in thanks
    invitation.refresh_from_db()
    assert invitation.answered_at is not None
    assert invitation.comment == "好"
    # a second submit changes nothing and thanks again
    again = client.post(_url(token), {"q-quality": "1", "q-delivery": "1", "q-price": "1"})
    assert 'data-testid="survey-thanks"' in again.content.decode()
    assert SurveyAnswer.objects.filter(invitation=invitation, score=1).count() == 0


def test_an_expired_withdrawn_or_tampered_link_says_so(sent_round, contact, cn_contact, manager):
    anna = sent_round.invitations.get(contact=contact)
    token = token_of(anna)
    with clock.frozen(sent_round.closes_on + dt.timedelta(days=3)):
        expired = Client().get(_url(token))
    assert expired.status_code == 410
    assert "expired" in expired.content.decode()
    tampered = Client().get(_url(token[:-3] + "xyz"))
    assert tampered.status_code == 410
    assert "not valid" in tampered.content.decode()
    services.withdraw_link(invitation=anna, by=manager)
    withdrawn = Client().post(_url(token), {"q-quality": "5", "q-delivery": "5", "q-price": "5"})
    assert withdrawn.status_code == 410
    assert "withdrawn" in withdrawn.content.decode()
    assert not SurveyInvitation.objects.filter(answered_at__isnull=False).exists()
