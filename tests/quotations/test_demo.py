"""The demo's quotations, built through the services on a small company: every status, rates set, orders made."""

import random

import pytest

from gendan.core.choices import Role
from gendan.core.models import ExchangeRate
from gendan.quotations.demo import build_demo
from gendan.quotations.models import ProcessingRate, Quotation
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_build_demo_makes_quotations_in_every_status(world, make_user, sales):
    make_user(Role.MANAGER, username="manager")
    make_user(Role.SALES, username="sales2")
    summary = build_demo(today=TODAY, rng=random.Random(7))
    assert summary.startswith("quotations: ")
    statuses = set(Quotation.objects.values_list("status", flat=True))
    assert statuses == {"draft", "sent", "accepted", "lost", "expired", "superseded"}
    assert ProcessingRate.objects.count() == 2
    assert ExchangeRate.objects.get(currency="JPY").rate
    assert Quotation.objects.filter(order__isnull=False).exists()
    assert not Quotation.objects.filter(status="sent", valid_until__lt=TODAY).exists()
