"""Fixtures of the customer relations tests: English messages, customers with contacts (one in China), a factory, a
product, a visit planned for next week, a survey template and a round sent to every active customer."""

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import translation

from gendan.core import links
from gendan.core.calendar import WorkingCalendar
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.partners.models import Contact, Customer, Supplier
from gendan.relations import services
from gendan.relations.models import SurveyInvitation, SurveyRound, SurveyTemplate, Visit
from tests.conftest import TODAY
from tests.factories import ContactFactory, CustomerFactory, ProductFactory, SupplierFactory


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def wd(n: int) -> dt.date:
    """The working day n working days from the tests' today (Tuesday 2026-11-24), on the default calendar (Saturdays
    and Sundays off: the tests' company calendar), so parameters can use it before the database is there."""
    return WorkingCalendar().add(TODAY, n)


@pytest.fixture
def sales(make_user: Callable[..., User]) -> User:
    return make_user(Role.SALES, username="sally")


@pytest.fixture
def qc(make_user: Callable[..., User]) -> User:
    return make_user(Role.QC, username="quinn")


@pytest.fixture
def customer(merchandiser: User) -> Customer:
    return CustomerFactory(
        code="C-NW01", name="北风贸易", name_en="Northwind Trading", tier="key", country="US", merchandiser=merchandiser
    )


@pytest.fixture
def contact(customer: Customer) -> Contact:
    return ContactFactory(
        customer=customer, name="Anna Berg", title="Buyer", email="anna@northwind.example", is_primary=True
    )


@pytest.fixture
def cn_customer(make_user: Callable[..., User]) -> Customer:
    other = make_user(Role.MERCHANDISER, username="mer2")
    return CustomerFactory(code="C-SH02", name="上海百货", name_en="", tier="normal", country="CN", merchandiser=other)


@pytest.fixture
def cn_contact(cn_customer: Customer) -> Contact:
    return ContactFactory(customer=cn_customer, name="王丽", email="wangli@sh.example", is_primary=True)


@pytest.fixture
def factory(db: None) -> Supplier:
    return SupplierFactory(code="F-HN", name="海宁缝制厂", kind="subcontract", city="海宁")


@pytest.fixture
def product(db: None) -> Any:
    return ProductFactory(code="TW-70", name="纯棉浴巾")


@pytest.fixture
def plan_visit(merchandiser: User, customer: Customer, contact: Contact) -> Callable[..., Visit]:
    def make(by: User | None = None, **data: Any) -> Visit:
        values: dict[str, Any] = {
            "customer_id": customer.pk,
            "title": "Spring range review",
            "purpose": "new_products",
            "arrival_date": wd(5),
            "departure_date": wd(6),
            "visitors": [{"contact_id": contact.pk}],
        }
        values.update(data)
        return services.create_visit(by=by or merchandiser, data=values)

    return make


def move(visit: Visit, by: User, *actions: str, reason: str = "") -> Visit:
    for action in actions:
        visit = services.transition(visit=visit, action=action, by=by, reason=reason)
    visit.refresh_from_db()
    return visit


QUESTIONS = [
    {"key": "quality", "kind": "score", "category": "quality", "text_zh": "产品质量", "text_en": "Product quality"},
    {"key": "delivery", "kind": "score", "category": "delivery", "text_zh": "准时交货", "text_en": "On-time delivery"},
    {"key": "price", "kind": "score", "category": "price", "text_zh": "价格", "text_en": "Price"},
    {
        "key": "better",
        "kind": "text",
        "category": "",
        "text_zh": "我们可以改进什么？",
        "text_en": "What could we do better?",
        "required": False,
    },
]


@pytest.fixture
def template(manager: User) -> SurveyTemplate:
    return services.create_template(
        by=manager,
        data={
            "code": "CSAT",
            "name": "顾客满意度调查",
            "name_en": "Customer satisfaction survey",
            "intro_zh": "感谢您的支持。",
            "intro_en": "Thank you for your business.",
            "questions": QUESTIONS,
        },
    )


@pytest.fixture
def make_round(manager: User, template: SurveyTemplate) -> Callable[..., SurveyRound]:
    def make(by: User | None = None, **data: Any) -> SurveyRound:
        values: dict[str, Any] = {
            "template_id": template.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "closes_on": TODAY + dt.timedelta(days=14),
        }
        values.update(data)
        return services.create_round(by=by or manager, data=values)

    return make


@pytest.fixture
def sent_round(make_round, manager, contact, cn_contact) -> SurveyRound:  # noqa: ANN001
    round_ = make_round(all_active=True)
    services.send_round(round_=round_, by=manager)
    round_.refresh_from_db()
    return round_


def token_of(invitation: SurveyInvitation) -> str:
    link = links.live_links(invitation, services.LINK_PURPOSE).order_by("-created_at").first()
    assert link is not None, f"{invitation} has no live link"
    return links.token_for(link)


def answer(invitation: SurveyInvitation, **answers: Any) -> SurveyInvitation:
    """Answer through the contact's link (every score 4 unless given; the text question empty)."""
    values = {"quality": 4, "delivery": 4, "price": 4}
    values.update(answers)
    found, link = services.invitation_for_token(token_of(invitation))
    return services.submit_answers(invitation=found, link=link, answers=values, comment=values.pop("comment", ""))
