"""The demo's complaints: made through the services on a small company, one in every status."""

import datetime as dt
import random
from collections.abc import Callable

from gendan.core import clock
from gendan.core.models import User
from gendan.finance.models import CreditNote
from gendan.sales.choices import OrderStatus
from gendan.service.demo import build_demo
from gendan.service.models import Complaint
from tests.conftest import TODAY
from tests.factories import CustomerFactory
from tests.sales.factories import order_in


def test_the_demo_has_complaints_in_every_status(
    make_user: Callable[..., User], merchandiser: User, manager: User
) -> None:
    for username, role in (("qc", "qc"), ("planner", "planner"), ("buyer", "purchasing"), ("shipping", "shipping")):
        make_user(role, username=username)
    with clock.frozen(TODAY - dt.timedelta(days=400)):
        for _ in range(4):
            order_in(OrderStatus.SHIPPED, by=merchandiser, manager=manager, customer=CustomerFactory(currency="USD"))
    summary = build_demo(today=TODAY, rng=random.Random(7))
    statuses = set(Complaint.objects.values_list("status", flat=True))
    assert statuses == {"registered", "routed", "investigating", "answered", "verified", "closed", "rejected"}
    assert CreditNote.objects.count() == Complaint.objects.exclude(credit_note_id=None).count() > 0
    assert summary.startswith("complaints: ")
    assert "under way" in summary
    # nothing in the future, and the overdue one is overdue
    assert not Complaint.objects.filter(received_date__gt=TODAY).exists()
    assert Complaint.objects.filter(status="routed", due_date__lt=TODAY).exists()
    # the replacement settled last week: its replacement order, free of charge, is in contract review
    (replaced,) = Complaint.objects.exclude(replacement_order=None)
    replacement = replaced.replacement_order
    assert (replaced.status, replacement.status, replacement.total_amount) == ("closed", "in_review", 0)
    assert replacement.customer == replaced.customer
    assert replacement.order_date <= TODAY < replacement.ex_factory_date
    assert "1 with a replacement order" in summary
