"""Fixtures of the complaint tests: English messages, a customer with a contact, a shipped order (its invoice raised
by the departure), the people a complaint is routed to, and helpers to register a complaint and walk it."""

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import translation

from gendan.core.calendar import company_calendar
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.partners.models import Contact, Customer
from gendan.sales.models import Order
from gendan.service import services
from gendan.service.models import Complaint
from gendan.shipping.models import Shipment
from tests.conftest import TODAY
from tests.factories import ContactFactory


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def wd(n: int) -> dt.date:
    """The working day n working days from the tests' today (Tuesday 2026-11-24)."""
    return company_calendar().add(TODAY, n)


@pytest.fixture
def customer(db: None) -> Customer:
    from tests.finance.factories import customer_on

    return customer_on(
        "OA30", code="C-NW01", name="北风家居", name_en="Northwind Home Inc.", address="1 Harbour Rd\nBoston"
    )


@pytest.fixture
def contact(customer: Customer) -> Contact:
    return ContactFactory(customer=customer, name="Anna Berg", email="anna@northwind.example", is_primary=True)


@pytest.fixture
def order(merchandiser: User, manager: User, customer: Customer) -> Order:
    """A confirmed order: 100 × 2.50 + 200 × 1.25 = 500.00 USD."""
    from tests.finance.factories import confirmed_order

    return confirmed_order(by=merchandiser, manager=manager, customer=customer)


@pytest.fixture
def shipment(order: Order, merchandiser: User) -> Shipment:
    """The whole order departed today: finance raised its invoice."""
    from tests.finance.factories import ship

    return ship(order, by=merchandiser)


@pytest.fixture
def qc(make_user: Callable[..., User]) -> User:
    return make_user(Role.QC, username="qc1")


@pytest.fixture
def sales(make_user: Callable[..., User]) -> User:
    return make_user(Role.SALES, username="sales1")


@pytest.fixture
def planner(make_user: Callable[..., User]) -> User:
    return make_user(Role.PLANNER, username="pmc1")


@pytest.fixture
def finance_user(make_user: Callable[..., User]) -> User:
    return make_user(Role.FINANCE, username="fin1")


@pytest.fixture
def register(merchandiser: User, order: Order) -> Callable[..., Complaint]:
    """Register a complaint against the order (its first line: 12 pieces with an open seam) unless told otherwise."""

    def make(by: User | None = None, **data: Any) -> Complaint:
        line = order.lines.order_by("position").first()
        values: dict[str, Any] = {
            "order_id": order.pk,
            "channel": "email",
            "title": "Open seams on the tote bags",
            "description": "12 bags of carton 7 have an open side seam.",
            "severity": "major",
            "claim_amount": "120.00",
            "lines": [{"order_line_id": line.pk, "quantity": "12", "defect": "open seam"}],
        }
        values.update(data)
        return services.create_complaint(by=by or merchandiser, data=values)

    return make


def walk(complaint: Complaint, to: str, *, by: User, responsible: User | None = None) -> Complaint:
    """Move a complaint along the main road from where it is up to the status `to` (routed to `responsible`, default
    `by`; the corrective action is `by`'s)."""
    road = ["registered", "routed", "investigating", "answered", "verified", "closed"]
    complaint.refresh_from_db()
    for status in road[road.index(complaint.status) + 1 : road.index(to) + 1]:
        complaint.refresh_from_db()
        if status == "routed":
            services.route_complaint(complaint=complaint, by=by, responsible=responsible or by)
        elif status == "investigating":
            services.save_investigation(
                complaint=complaint, by=by, root_cause="method", cause_detail="The seam allowance was 5 mm, not 10."
            )
            services.add_action(
                complaint=complaint,
                by=by,
                data={
                    "kind": "corrective",
                    "description": "Seam allowance 10 mm",
                    "owner": by.username,
                    "due_date": wd(5),
                },
            )
        elif status == "answered":
            services.answer_complaint(complaint=complaint, by=by, settlement_offer="A credit of 30.00 USD")
        elif status == "verified":
            services.verify_complaint(complaint=complaint, by=by, accepted=True)
        elif status == "closed":
            for action in complaint.actions.filter(done_date__isnull=True):
                services.complete_action(action=action, by=by, result="Done")
            services.close_complaint(complaint=complaint, by=by)
    complaint.refresh_from_db()
    return complaint
