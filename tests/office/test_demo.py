"""The office's demo data, built through the services on a small company."""

import random

import pytest

from gendan.core.choices import Role
from gendan.followup.selectors import chase_list
from gendan.office.demo import build_demo
from gendan.office.models import Notice, NoticeRecipient, Task, TaskComment
from gendan.sales.choices import OrderStatus
from tests.conftest import TODAY
from tests.factories import ContactFactory, CustomerFactory, SupplierFactory, UserFactory
from tests.sales.factories import order_in

pytestmark = pytest.mark.django_db


def test_the_demo_has_tasks_in_every_status_and_notices_with_receipts(django_capture_on_commit_callbacks):
    people = {
        "manager": Role.MANAGER,
        "merch1": Role.MERCHANDISER,
        "merch2": Role.MERCHANDISER,
        "sales1": Role.SALES,
        "buyer": Role.PURCHASING,
        "planner": Role.PLANNER,
        "qc": Role.QC,
        "shipping": Role.SHIPPING,
    }
    users = {name: UserFactory(username=name, role=role) for name, role in people.items()}
    customer = CustomerFactory(code="C-NW01")
    for _n in range(2):
        order_in(OrderStatus.CONFIRMED, by=users["merch1"], manager=users["manager"], customer=customer)
    for code in ("S-FA09", "S-FA10", "S-FA11"):
        supplier = SupplierFactory(code=code, kind="subcontract")
        ContactFactory(customer=None, supplier=supplier, email=f"{code.lower()}@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        line = build_demo(today=TODAY, rng=random.Random(7))
    assert line.startswith("office: 9 tasks (")
    statuses = set(Task.objects.values_list("status", flat=True))
    assert statuses == {"assigned", "accepted", "done", "declined", "cancelled"}
    assert TaskComment.objects.count() >= 4
    assert Notice.objects.count() == 3
    assert set(Notice.objects.values_list("kind", flat=True)) == {"notice", "minutes"}
    assert NoticeRecipient.objects.filter(acknowledged_at__isnull=False, supplier__code="S-FA09").exists()
    assert NoticeRecipient.objects.filter(read_at__isnull=True, supplier__code="S-FA10").exists()
    manager_rows = {r.kind for r in chase_list(users["manager"], TODAY)}
    assert {"task", "notice"} <= manager_rows  # the overdue and declined tasks, the factory that has not read


def test_the_demo_is_skipped_without_its_users():
    assert build_demo(today=TODAY, rng=random.Random(1)).startswith("office: skipped")
