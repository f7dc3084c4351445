"""Contract review (合同评审): items per department, who may answer, reject back to draft, confirm and override."""

import pytest
from django.utils import translation

from gendan.core import audit
from gendan.core.choices import Role
from gendan.core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationError
from gendan.core.models import Notification, ObjectChange
from gendan.sales import services
from gendan.sales.choices import REVIEW_DEPARTMENTS, OrderStatus, Verdict
from gendan.sales.models import ReviewItem
from tests.sales.factories import make_order, pass_review

pytestmark = pytest.mark.django_db

ROLE_OF_DEPARTMENT = {
    "production": Role.PLANNER,
    "sales": Role.SALES,
    "finance": Role.FINANCE,
    "purchasing": Role.PURCHASING,
    "quality": Role.QC,
    "merchandising": Role.MERCHANDISER,
}


@pytest.fixture
def submitted(merchandiser):
    order = make_order(by=merchandiser)
    return services.submit_order(order=order, by=merchandiser)


def items_of(order):
    return list(ReviewItem.objects.filter(order=order, round=order.review_round).select_related("department"))


def test_submit_creates_one_item_per_topic_for_its_department(submitted) -> None:
    items = items_of(submitted)
    assert submitted.status == OrderStatus.IN_REVIEW
    assert submitted.review_round == 1
    assert {(i.topic, i.department.code) for i in items} == set(REVIEW_DEPARTMENTS.items())
    assert all(i.verdict == Verdict.PENDING for i in items)


def test_each_department_answers_its_own_items(submitted, make_user) -> None:
    for item in items_of(submitted):
        reviewer = make_user(ROLE_OF_DEPARTMENT[item.department.code])
        decided = services.decide_review_item(item=item, by=reviewer, verdict="pass")
        assert decided.verdict == Verdict.PASS
        assert decided.reviewed_by == reviewer


def test_a_reviewer_of_the_wrong_department_cannot_decide(submitted, make_user) -> None:
    price_item = next(i for i in items_of(submitted) if i.topic == "price")
    with pytest.raises(PermissionDenied):
        services.decide_review_item(item=price_item, by=make_user(Role.QC), verdict="pass")
    price_item.refresh_from_db()
    assert price_item.verdict == Verdict.PENDING


def test_a_reject_needs_a_comment(submitted, manager) -> None:
    item = items_of(submitted)[0]
    with pytest.raises(ValidationError) as exc:
        services.decide_review_item(item=item, by=manager, verdict="reject", comment=" ")
    assert "comment" in exc.value.errors


def test_a_verdict_must_be_pass_or_reject(submitted, manager) -> None:
    with pytest.raises(ValidationError) as exc:
        services.decide_review_item(item=items_of(submitted)[0], by=manager, verdict="pending")
    assert "verdict" in exc.value.errors


def test_a_reject_sends_the_order_back_to_draft_with_the_comments_and_tells_the_merchandiser(
    submitted, merchandiser, make_user
) -> None:
    item = next(i for i in items_of(submitted) if i.topic == "capacity")
    services.decide_review_item(
        item=item, by=make_user(Role.PLANNER), verdict="reject", comment="Line 3 is full in Jan"
    )
    submitted.refresh_from_db()
    assert submitted.status == OrderStatus.DRAFT
    assert "Line 3 is full in Jan" in submitted.status_reason
    assert Notification.objects.filter(recipient=merchandiser, title__contains=submitted.number).exists()


def test_resubmitting_after_a_reject_starts_a_new_round_and_keeps_the_old_one(submitted, merchandiser, manager) -> None:
    services.decide_review_item(item=items_of(submitted)[0], by=manager, verdict="reject", comment="no")
    again = services.submit_order(order=submitted, by=merchandiser)
    assert again.review_round == 2
    assert ReviewItem.objects.filter(order=again).count() == 2 * len(REVIEW_DEPARTMENTS)
    assert ReviewItem.objects.filter(order=again, round=1, verdict=Verdict.REJECT).exists()


def test_an_item_of_an_earlier_round_cannot_be_decided(submitted, merchandiser, manager) -> None:
    old_items = items_of(submitted)
    services.decide_review_item(item=old_items[0], by=manager, verdict="reject", comment="no")
    services.submit_order(order=submitted, by=merchandiser)
    with pytest.raises(TransitionNotAllowed):
        services.decide_review_item(item=old_items[1], by=manager, verdict="pass")


def test_a_passed_item_may_be_changed_to_reject_while_in_review(submitted, manager) -> None:
    item = items_of(submitted)[0]
    services.decide_review_item(item=item, by=manager, verdict="pass")
    services.decide_review_item(item=item, by=manager, verdict="reject", comment="price changed")
    submitted.refresh_from_db()
    assert submitted.status == OrderStatus.DRAFT


def test_items_cannot_be_decided_once_the_order_left_review(submitted, merchandiser, manager) -> None:
    pass_review(submitted, manager)
    services.confirm_order(order=submitted, by=merchandiser)
    with pytest.raises(TransitionNotAllowed):
        services.decide_review_item(item=items_of(submitted)[0], by=manager, verdict="reject", comment="late")


def test_confirm_is_refused_while_a_review_item_is_pending(submitted, merchandiser) -> None:
    with pytest.raises(TransitionNotAllowed) as exc:
        services.confirm_order(order=submitted, by=merchandiser)
    assert "in_review" in exc.value.message
    assert "confirmed" in exc.value.message
    assert "delivery_date (pending)" in exc.value.message
    submitted.refresh_from_db()
    assert submitted.status == OrderStatus.IN_REVIEW


def test_confirm_works_when_every_item_passed_and_tells_the_merchandiser_first(
    submitted, merchandiser, manager
) -> None:
    pass_review(submitted, manager)
    assert Notification.objects.filter(recipient=merchandiser, title__contains="confirmed").exists()
    confirmed = services.confirm_order(order=submitted, by=merchandiser)
    assert confirmed.status == OrderStatus.CONFIRMED
    assert confirmed.confirmed_at is not None
    assert confirmed.review_override_reason == ""


def test_a_manager_may_override_the_review_with_a_reason(submitted, manager) -> None:
    confirmed = services.confirm_order(order=submitted, by=manager, override_reason="Key customer, GM approved")
    assert confirmed.status == OrderStatus.CONFIRMED
    assert confirmed.review_override_reason == "Key customer, GM approved"


def test_a_non_manager_override_is_refused(submitted, merchandiser) -> None:
    with pytest.raises(TransitionNotAllowed, match="sales.override_review"):
        services.confirm_order(order=submitted, by=merchandiser, override_reason="I am sure")
    submitted.refresh_from_db()
    assert submitted.status == OrderStatus.IN_REVIEW


def test_confirming_sends_order_confirmed(submitted, merchandiser, manager) -> None:
    from gendan.sales.signals import order_confirmed

    received = []

    def listener(sender, order, by, **kw):  # noqa: ANN001, ANN003, ANN202
        received.append((order.number, by.username))

    order_confirmed.connect(listener)
    try:
        pass_review(submitted, manager)
        services.confirm_order(order=submitted, by=merchandiser)
    finally:
        order_confirmed.disconnect(listener)
    assert received == [(submitted.number, "mer1")]


def test_review_decisions_show_on_the_orders_audit_trail(submitted, manager) -> None:
    item = items_of(submitted)[0]
    services.decide_review_item(item=item, by=manager, verdict="pass", comment="ok")
    trail = list(audit.history_for(submitted))
    assert any(c.content_type.model == "reviewitem" and c.changes.get("verdict") == ["pending", "pass"] for c in trail)
    assert ObjectChange.objects.filter(related_object_id=submitted.pk).exists()


def test_submit_refuses_an_order_that_is_not_a_draft(submitted, merchandiser) -> None:
    with translation.override("en"), pytest.raises(TransitionNotAllowed, match="from in_review to in_review"):
        services.submit_order(order=submitted, by=merchandiser)
