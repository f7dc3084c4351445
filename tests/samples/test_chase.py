"""The chase-list rows of samples (late checklist steps, not sent by the required-by date) and dispatches (the
customer's feedback due)."""

import datetime as dt

import pytest

from gendan.core import clock
from gendan.core.choices import Role
from gendan.followup.selectors import chase_list
from gendan.samples import services
from tests.conftest import TODAY
from tests.samples.conftest import walk, wd

pytestmark = pytest.mark.django_db


def rows(user, day=TODAY, kind=None):  # noqa: ANN001, ANN201
    with clock.frozen(day):
        found = chase_list(user, day)
    return [r for r in found if kind is None or r.kind == kind]


def test_a_late_step_is_chased_with_its_reason(request_sample, merchandiser):
    sample = request_sample()
    services.update_steps(
        sample=sample, round_number=1, by=merchandiser, steps={"pattern": {"planned_date": "2026-11-20"}}
    )
    [row] = rows(merchandiser, kind="sample")
    assert row.reason == "Pattern planned 11-20, not done — SP-2026-00001 for C-NW01, required by 12-08"
    assert (row.document, row.object_id, row.url) == (sample.number, sample.pk, f"/samples/{sample.pk}/")
    assert row.days_late == 2
    assert row.customer == "C-NW01"
    services.update_steps(sample=sample, round_number=1, by=merchandiser, steps={"pattern": {"actual_date": TODAY}})
    assert rows(merchandiser, kind="sample") == []


def test_a_sample_not_sent_by_its_required_date_is_chased_until_sent(request_sample, merchandiser, customer):
    sample = walk(request_sample(required_date=wd(1)), merchandiser, "start", "ready")
    later = dt.date(2026, 11, 30)
    [row] = rows(merchandiser, day=later, kind="sample")
    assert row.reason == "SP-2026-00001 for C-NW01 is Ready, not sent — required by 11-25"
    assert row.days_late == 3
    services.create_dispatch(
        by=merchandiser, data={"customer_id": customer.pk, "courier": "SF", "items": [{"sample_id": sample.pk}]}
    )
    assert rows(merchandiser, day=later, kind="sample") == []


def test_a_supplier_made_sample_is_chased_by_the_orders_merchandiser_too(order, merchandiser, make_user, maker):
    sales = make_user(Role.SALES, username="sally")
    sample = services.create_sample(
        by=sales,
        data={
            "kind": "counter",
            "order_id": order.pk,
            "description": "Counter",
            "required_date": wd(1),
            "owner_id": sales.pk,
            "maker_supplier_id": maker.pk,
        },
    )
    assert sample.owner == sales
    for user in (sales, merchandiser):
        found = rows(user, day=dt.date(2026, 11, 27), kind="sample")
        # its first open step and its required-by date have both passed: two rows, each naming the maker
        assert [r.object_id for r in found] == [sample.pk, sample.pk]
        assert all(r.order_number == order.number and "(F-SZ)" in r.milestone_name for r in found)
    in_house = services.create_sample(
        by=sales,
        data={
            "kind": "counter",
            "order_id": order.pk,
            "description": "x",
            "required_date": wd(1),
            "owner_id": sales.pk,
        },
    )
    assert in_house.pk not in [r.object_id for r in rows(merchandiser, day=dt.date(2026, 11, 27), kind="sample")]


def test_the_feedback_is_chased_from_its_due_date_until_the_decision(request_sample, merchandiser, customer):
    sample = walk(request_sample(), merchandiser, "start", "ready")
    dispatch = services.create_dispatch(
        by=merchandiser,
        data={"customer_id": customer.pk, "courier": "DHL", "tracking_no": "77", "items": [{"sample_id": sample.pk}]},
    )
    assert dispatch.feedback_due_date == wd(6)
    assert rows(merchandiser, kind="dispatch") == []  # due beyond the horizon
    with clock.frozen(wd(3)):
        services.record_arrival(dispatch=dispatch, by=merchandiser, day=wd(2))
    [row] = rows(merchandiser, day=wd(5), kind="dispatch")
    assert row.reason == "Feedback from C-NW01 due 12-01 on DS-2026-00001 (SP-2026-00001, arrived 11-26)"
    assert row.days_late == 0
    assert row.url == f"/samples/dispatches/{dispatch.pk}/"
    with clock.frozen(wd(5)):
        services.approve_sample(sample=sample, by=merchandiser)
    assert rows(merchandiser, day=wd(5), kind="dispatch") == []


def test_other_peoples_samples_are_not_in_my_list(request_sample, make_user, merchandiser):
    other = make_user(Role.MERCHANDISER, username="mer2")
    request_sample(by=other, required_date=wd(1))
    assert rows(merchandiser, day=wd(3), kind="sample") == []
    assert len(rows(other, day=wd(3), kind="sample")) == 2  # its late step and its required-by date
