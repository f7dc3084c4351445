"""The customer relations API: visits (plan, transitions, tasks, actions, minutes, the plan PDF) and surveys
(templates, rounds, recipients, sending, reminders, results and their Excel, follow-ups): happy paths, 422 naming
the field, 409, 403 and 404."""

import io

import pytest
from django.core import mail
from openpyxl import load_workbook

from gendan.relations.models import SurveyFollowUp, SurveyInvitation, SurveyRound, SurveyTemplate, Visit, VisitTask
from tests.conftest import TODAY
from tests.relations.conftest import QUESTIONS, answer, wd

pytestmark = pytest.mark.django_db


def _locs(response) -> list[str]:  # noqa: ANN001
    return [d["loc"][-1] for d in response.json()["detail"]]


# ---- visits ------------------------------------------------------------------------------------------------------


@pytest.fixture
def visit_body(customer, contact, factory, product, qc):  # noqa: ANN001, ANN201
    return {
        "customer_id": customer.pk,
        "title": "Spring range review",
        "purpose": "new_products",
        "arrival_date": wd(5).isoformat(),
        "departure_date": wd(6).isoformat(),
        "hotel": "Ningbo Marriott",
        "pickup_time": "09:30",
        "pickup_place": "Ningbo airport",
        "visitors": [{"contact_id": contact.pk}, {"name": "Tom Lee", "title": "QA manager"}],
        "agenda": [{"date": wd(5).isoformat(), "start_time": "09:00", "end_time": "11:00", "topic": "Range review"}],
        "sites": [{"supplier_id": factory.pk, "date": wd(6).isoformat()}, {"name": "Our sewing workshop"}],
        "tasks": [{"kind": "sample", "product_id": product.pk, "owner": qc.username}],
    }


def test_a_visit_is_planned_read_and_listed(api_as, merchandiser, visit_body, qc):
    api = api_as(merchandiser)
    response = api.post("/visits", visit_body)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "VIS-2026-00001"
    assert (body["status"], body["host"], body["pickup_time"], body["pickup_date"]) == (
        "planned",
        "mer1",
        "09:30",
        wd(5).isoformat(),
    )
    assert [v["name"] for v in body["visitors"]] == ["Anna Berg", "Tom Lee"]
    assert body["agenda"][0] == {
        "date": wd(5).isoformat(),
        "start_time": "09:00",
        "end_time": "11:00",
        "topic": "Range review",
        "place": "",
        "people": "",
    }
    assert [s["in_house"] for s in body["sites"]] == [False, True]
    [task] = body["tasks"]
    assert (task["owner"], task["due_date"], task["kind"], task["is_late"]) == (
        "quinn",
        wd(4).isoformat(),
        "sample",
        False,
    )
    assert body["actions"] == []
    assert body["open_preparation"] == 1
    listed = api_as(qc).get("/visits", when="upcoming").json()
    assert listed["count"] == 1
    assert listed["items"][0]["open_preparation"] == 1
    assert api.get(f"/visits/{body['id']}").json()["title"] == "Spring range review"


def test_a_bad_visit_is_a_422_naming_the_field(api_as, merchandiser, visit_body):
    response = api_as(merchandiser).post("/visits", {**visit_body, "departure_date": TODAY.isoformat()})
    assert response.status_code == 422
    assert _locs(response) == ["departure_date"]
    response = api_as(merchandiser).post("/visits", {**visit_body, "agenda": [{"topic": "x", "date": "2027-05-01"}]})
    assert _locs(response) == ["agenda.1.date"]
    assert not Visit.objects.exists()


def test_visits_need_the_rights(api_as, qc, visit_body, make_user):
    assert api_as(qc).post("/visits", visit_body).status_code == 403
    assert api_as(None).get("/visits").status_code == 401
    assert api_as(make_user("finance", username="fin")).get("/visits").status_code == 200


def test_an_unknown_visit_is_a_404(api_as, merchandiser):
    assert api_as(merchandiser).get("/visits/999999").status_code == 404
    assert api_as(merchandiser).post("/visits/999999/confirm").status_code == 404


def test_a_visit_moves_through_the_api_with_its_minutes_and_actions(api_as, merchandiser, visit_body, sales):
    api = api_as(merchandiser)
    visit = api.post("/visits", visit_body).json()
    vid = visit["id"]
    patched = api.patch(f"/visits/{vid}", {"version": visit["version"], "hotel": "Shangri-La", "agenda": []})
    assert patched.status_code == 200
    assert patched.json()["hotel"] == "Shangri-La"
    assert patched.json()["agenda"] == []
    stale = api.patch(f"/visits/{vid}", {"version": visit["version"], "hotel": "Hilton"})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["current_version"] == patched.json()["version"]
    assert api.post(f"/visits/{vid}/confirm").json()["status"] == "confirmed"
    refused = api.post(f"/visits/{vid}/confirm")
    assert refused.status_code == 409
    assert refused.json()["code"] == "transition_not_allowed"
    assert api.post(f"/visits/{vid}/start").json()["status"] == "in_progress"
    minutes = api.put(f"/visits/{vid}/minutes", {"minutes": "Reviewed 40 styles", "decisions": "12 sampled"})
    assert minutes.status_code == 200
    assert minutes.json()["minutes_by"] == "mer1"
    action = api.post(f"/visits/{vid}/actions", {"description": "Send the price list", "owner": "sally"})
    assert action.status_code == 201
    assert action.json()["phase"] == "follow_up"
    assert api.post(f"/visits/{vid}/finish").json()["status"] == "visited"
    not_yet = api.post(f"/visits/{vid}/close")
    assert not_yet.status_code == 422
    assert _locs(not_yet) == ["actions"]
    aid = action.json()["id"]
    done = api_as(sales).post(f"/visits/{vid}/actions/{aid}/done", {"note": "Sent"})
    assert done.status_code == 200
    assert done.json()["done_by"] == "sally"
    assert api.get(f"/visits/{vid}/actions").json()[0]["done_date"] == TODAY.isoformat()
    assert api.post(f"/visits/{vid}/close").json()["status"] == "closed"


def test_preparation_tasks_through_the_api(api_as, merchandiser, visit_body, qc, product):
    api = api_as(merchandiser)
    vid = api.post("/visits", {**visit_body, "tasks": []}).json()["id"]
    added = api.post(f"/visits/{vid}/tasks", {"kind": "pickup", "description": "Car to the airport"})
    assert added.status_code == 201
    tid = added.json()["id"]
    assert api.post(f"/visits/{vid}/tasks", {"kind": "sample"}).status_code == 422
    late = api.post(f"/visits/{vid}/tasks", {"description": "x", "due_date": wd(8).isoformat()})
    assert _locs(late) == ["due_date"]
    changed = api.patch(f"/visits/{vid}/tasks/{tid}", {"owner": "quinn", "version": added.json()["version"]})
    assert changed.json()["owner"] == "quinn"
    assert api.patch(f"/visits/{vid}/tasks/{tid}", {"owner": "quinn", "version": 1}).status_code == 409
    assert api.post(f"/visits/{vid}/actions/{tid}/done").status_code == 404  # a task is not an action
    ticked = api_as(qc).post(f"/visits/{vid}/tasks/{tid}/done")
    assert ticked.json()["done_date"] == TODAY.isoformat()
    assert api_as(qc).post(f"/visits/{vid}/tasks/{tid}/done", {"done": False}).json()["done_date"] is None
    assert api_as(qc).delete(f"/visits/{vid}/tasks/{tid}").status_code == 403
    assert api.delete(f"/visits/{vid}/tasks/{tid}").status_code == 204
    assert not VisitTask.objects.exists()


def test_cancelling_needs_a_reason(api_as, merchandiser, visit_body):
    api = api_as(merchandiser)
    vid = api.post("/visits", visit_body).json()["id"]
    assert _locs(api.post(f"/visits/{vid}/cancel", {"reason": ""})) == ["reason"]
    cancelled = api.post(f"/visits/{vid}/cancel", {"reason": "Postponed"})
    assert (cancelled.json()["status"], cancelled.json()["cancel_reason"]) == ("cancelled", "Postponed")


def test_the_visit_plan_pdf(api_as, merchandiser, visit_body):
    api = api_as(merchandiser)
    vid = api.post("/visits", visit_body).json()["id"]
    response = api.get(f"/visits/{vid}/plan.pdf", lang="zh")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert api.get(f"/visits/{vid}/plan.pdf", lang="fr").status_code == 422


# ---- surveys -----------------------------------------------------------------------------------------------------


def test_a_template_through_the_api_and_its_next_revision(api_as, manager, contact):
    api = api_as(manager)
    created = api.post("/survey-templates", {"code": "CSAT", "name": "满意度", "questions": QUESTIONS})
    assert created.status_code == 201
    body = created.json()
    assert [q["key"] for q in body["questions"]] == ["quality", "delivery", "price", "better"]
    assert body["used"] is False
    bad = api.post("/survey-templates", {"code": "X", "name": "x", "questions": [{"text_zh": "甲", "text_en": ""}]})
    assert bad.status_code == 422
    assert _locs(bad) == ["questions.1.text_en"]
    rnd = api.post(
        "/surveys",
        {"template_id": body["id"], "period_start": "2026-01-01", "period_end": "2026-06-30", "all_active": True},
    )
    assert rnd.status_code == 201
    revised = api.patch(f"/survey-templates/{body['id']}", {"name": "满意度 2", "version": body["version"]})
    assert revised.status_code == 200
    assert (revised.json()["revision"], revised.json()["id"] != body["id"]) == (2, True)
    old = api.get(f"/survey-templates/{body['id']}").json()
    assert (old["is_current"], old["used"]) == (False, True)
    assert api.patch(f"/survey-templates/{body['id']}", {"name": "x"}).status_code == 409
    assert api.get("/survey-templates").json()["count"] == 1
    assert api.get("/survey-templates", all_revisions=True).json()["count"] == 2


def test_a_round_is_made_sent_answered_and_analysed(
    api_as, manager, template, contact, cn_contact, merchandiser, django_capture_on_commit_callbacks
):
    api = api_as(manager)
    created = api.post(
        "/surveys",
        {"template_id": template.pk, "period_start": "2026-01-01", "period_end": "2026-06-30", "tiers": ["key"]},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    rid = body["id"]
    assert (body["status"], body["invited"], body["sent"]) == ("draft", 1, 0)
    assert body["recipients"][0]["state"] == "not_sent"
    assert body["recipients"][0]["link_url"] == ""
    more = api.post(f"/surveys/{rid}/recipients", {"contact_ids": [cn_contact.pk]})
    assert more.json()["invited"] == 2
    assert api.post(f"/surveys/{rid}/recipients", {"contact_ids": [cn_contact.pk]}).status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        sent = api.post(f"/surveys/{rid}/send")
    assert sent.status_code == 200
    assert (sent.json()["status"], sent.json()["sent"]) == ("sent", 2)
    assert len(mail.outbox) == 2
    recipients = {r["contact_name"]: r for r in sent.json()["recipients"]}
    assert recipients["Anna Berg"]["state"] == "waiting"
    assert "/relations/survey/" in recipients["Anna Berg"]["link_url"]
    assert recipients["王丽"]["language"] == "zh-hans"
    answer(SurveyInvitation.objects.get(contact=contact), quality=5, delivery=2, price=4, better="Faster")
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/surveys/{rid}/remind").json() == {"count": 1}
    results = api.get(f"/surveys/{rid}/results")
    assert results.status_code == 200
    data = results.json()
    assert (data["sent"], data["answered"], data["response_rate"]) == (2, 1, "50.0")
    quality = next(q for q in data["questions"] if q["key"] == "quality")
    assert quality["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}
    assert quality["mean"] == "5.00"
    better = next(q for q in data["questions"] if q["key"] == "better")
    assert better["texts"][0]["text"] == "Faster"
    assert better["answers"] == 1
    assert [t["key"] for t in data["by_tier"]] == ["key", "normal"]
    assert data["by_period"][0]["number"] == body["number"]
    assert data["by_period"][0]["question_means"]["quality"] == "5.00"
    key_only = api.get(f"/surveys/{rid}/results", tier="key").json()
    assert key_only["sent"] == 1
    assert _locs(api.get(f"/surveys/{rid}/results", tier="gold")) == ["tier"]
    xlsx = api.get(f"/surveys/{rid}/results.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]][:6] == ["Key", "Question", "Category", "Kind", "Answers", "Mean"]
    assert sheet["F2"].value == 5
    responses = load_workbook(io.BytesIO(api.get(f"/surveys/{rid}/responses.xlsx").content)).active
    assert responses.max_row == 3
    follow_ups = api_as(merchandiser).get("/survey-follow-ups").json()
    assert follow_ups["count"] == 1
    fid = follow_ups["items"][0]["id"]
    assert _locs(api_as(merchandiser).post(f"/survey-follow-ups/{fid}/done", {"note": ""})) == ["note"]
    done = api_as(merchandiser).post(f"/survey-follow-ups/{fid}/done", {"note": "Called"})
    assert done.json()["done_date"] == TODAY.isoformat()
    closed = api.post(f"/surveys/{rid}/close")
    assert closed.json()["status"] == "closed"
    assert all(r["link_url"] == "" for r in closed.json()["recipients"])
    assert api.post(f"/surveys/{rid}/send").status_code == 409


def test_survey_rights_and_unknown_rounds(api_as, merchandiser, template, manager, contact):
    body = {"template_id": template.pk, "period_start": "2026-01-01", "period_end": "2026-06-30", "all_active": True}
    assert api_as(merchandiser).post("/surveys", body).status_code == 403
    assert api_as(merchandiser).get("/surveys").status_code == 200
    assert not SurveyRound.objects.exists()
    assert api_as(manager).get("/surveys/999999").status_code == 404
    assert api_as(manager).get("/surveys/999999/results").status_code == 404
    bad = api_as(manager).post("/surveys", {**body, "period_end": "2025-01-01"})
    assert bad.status_code == 422
    assert _locs(bad) == ["period_end"]
    assert (
        api_as(merchandiser).post("/survey-templates", {"code": "X", "name": "x", "questions": QUESTIONS}).status_code
        == 403
    )
    assert SurveyTemplate.objects.count() == 1


def test_a_recipients_link_is_withdrawn_and_renewed(api_as, manager, sent_round, contact):
    api = api_as(manager)
    invitation = sent_round.invitations.get(contact=contact)
    withdrawn = api.post(f"/surveys/{sent_round.pk}/recipients/{invitation.pk}/withdraw")
    assert withdrawn.json()["state"] == "withdrawn"
    assert api.post(f"/surveys/{sent_round.pk}/recipients/{invitation.pk}/withdraw").status_code == 409
    renewed = api.post(f"/surveys/{sent_round.pk}/recipients/{invitation.pk}/link", {"send": False})
    assert renewed.status_code == 200
    assert "/relations/survey/" in renewed.json()["url"]
    answer(invitation)
    again = api.post(f"/surveys/{sent_round.pk}/recipients/{invitation.pk}/link")
    assert again.status_code == 409
    assert api.delete(f"/surveys/{sent_round.pk}/recipients/{invitation.pk}").status_code == 409
    assert SurveyFollowUp.objects.count() == 0
