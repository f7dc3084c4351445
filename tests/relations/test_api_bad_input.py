"""Every write endpoint of customer relations answers bad input with a clear 4xx, never a 500, on real objects: an
empty body, a body of wrong types, a body that is not an object."""

import pytest

from gendan.api import api
from gendan.relations.models import SurveyFollowUp, VisitTask
from tests.relations.conftest import answer, move

pytestmark = pytest.mark.django_db

WRONG = {
    "version": "x",
    "customer_id": 10**12,
    "arrival_date": "tomorrow",
    "departure_date": 5,
    "visitors": "Anna",
    "agenda": [{"topic": None, "date": "x"}],
    "sites": [{"supplier_id": "a"}],
    "tasks": [1, 2],
    "owner": 7,
    "due_date": "soon",
    "done": "maybe",
    "questions": [{"text_zh": 1}],
    "template_id": "abc",
    "contact_ids": ["a"],
    "tiers": "gold",
    "recipient_ids": "all",
    "period_start": "2026-13-01",
    "note": None,
    "send": "x",
}


def operations() -> list[tuple[str, str]]:
    found = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        if not any(part in path for part in ("/visits", "/survey")):
            continue
        for method in methods:
            if method in ("post", "put", "patch", "delete"):
                found.append((method, path))
    return found


@pytest.mark.parametrize("body", [{}, WRONG, ["not", "an", "object"]], ids=["empty", "wrong-types", "list"])
def test_no_relations_write_endpoint_answers_bad_input_with_a_server_error(
    api_as, manager, plan_visit, product, sent_round, contact, template, body
):
    visit = move(plan_visit(tasks=[{"product_id": product.pk}]), manager, "confirm", "start")
    task = VisitTask.objects.get()
    answer(sent_round.invitations.get(contact=contact), price=1)
    ids = {
        "{visit_id}": visit.pk,
        "{task_id}": task.pk,
        "{round_id}": sent_round.pk,
        "{recipient_id}": sent_round.invitations.get(contact=contact).pk,
        "{template_id}": template.pk,
        "{follow_up_id}": SurveyFollowUp.objects.get().pk,
    }
    client = api_as(manager)
    ops = operations()
    assert len(ops) > 25
    for method, path in ops:
        for name, value in ids.items():
            path = path.replace(name, str(value))
        response = client.delete(path) if method == "delete" else getattr(client, method)(path, body)
        assert response.status_code < 500, (method, path, response.status_code, response.content[:300])
