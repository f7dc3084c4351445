"""The demo data of customer relations, built on a small company: visits in every state and two survey rounds whose
trend shows."""

import random

import pytest

from gendan.core.choices import Role
from gendan.relations import selectors
from gendan.relations.demo import build_demo
from gendan.relations.models import SurveyRound, Visit, VisitTask
from tests.conftest import TODAY
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_the_demo_builds_visits_and_two_rounds_with_a_trend(
    make_user, manager, customer, contact, cn_contact, factory, product
):
    make_user(Role.QC, username="qc")
    make_user(Role.SALES, username="sales1")
    for n in range(4):
        extra = CustomerFactory(code=f"C-EX{n}", tier="key" if n < 2 else "normal", merchandiser=customer.merchandiser)
        ContactFactory(customer=extra, name=f"Buyer {n}", is_primary=True)
    summary = build_demo(today=TODAY, rng=random.Random(7))
    assert summary.startswith("relations: 4 customer visits")
    statuses = list(Visit.objects.order_by("arrival_date").values_list("status", flat=True))
    assert statuses == ["closed", "visited", "confirmed", "planned"]
    coming = Visit.objects.get(status="confirmed")
    assert coming.tasks.filter(phase="preparation").count() >= 4
    assert VisitTask.objects.filter(visit__status="visited", phase="follow_up", done_date__isnull=True).count() == 1
    first, second = SurveyRound.objects.order_by("period_end")
    assert (first.status, second.status) == ("closed", "sent")
    results = selectors.round_results(second)
    assert results.previous == first
    assert results.answered > 0
    assert any(r.delta is not None for r in results.score_questions)
