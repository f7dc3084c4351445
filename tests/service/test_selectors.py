"""Complaints' reads: the register's filters and "overdue", the chase-list rows of actions and complaints, the order's
and the customer's complaints, and the report's totals (hypothesis checks that the groups add up to the totals)."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gendan.core import clock
from gendan.core.exceptions import ValidationError
from gendan.core.models import User
from gendan.followup.selectors import chase_list
from gendan.sales.models import Order
from gendan.service import selectors, services
from gendan.service.models import Complaint
from tests.conftest import TODAY
from tests.factories import CustomerFactory, ProductFactory
from tests.service.conftest import walk, wd


def rows_of(user: User, day: dt.date = TODAY, kind: str | None = None) -> list[Any]:
    return [r for r in chase_list(user, day) if r.kind in ((kind,) if kind else ("complaint", "complaint_action"))]


# ---- the register ------------------------------------------------------------------------------------------------


def test_the_register_filters(
    register: Callable[..., Complaint], merchandiser: User, qc: User, order: Order, customer: Any
) -> None:
    a = register(severity="critical", customer_reference="NCR-1")
    b = walk(
        register(title="Wrong colour", description="Pantone 19-4052 expected"),
        "investigating",
        by=merchandiser,
        responsible=qc,
    )
    other_product = ProductFactory()
    c = services.create_complaint(
        by=merchandiser,
        data={
            "customer_id": CustomerFactory().pk,
            "description": "Late",
            "lines": [{"product_id": other_product.pk, "quantity": 3}],
        },
    )
    pk = lambda qs: {x.pk for x in qs}  # noqa: E731
    assert pk(selectors.complaint_list()) == {a.pk, b.pk, c.pk}
    assert pk(selectors.complaint_list(status="investigating")) == {b.pk}
    assert pk(selectors.complaint_list(status="open")) == {a.pk, b.pk, c.pk}
    assert pk(selectors.complaint_list(customer_id=customer.pk)) == {a.pk, b.pk}
    assert pk(selectors.complaint_list(product_id=other_product.pk)) == {c.pk}
    assert pk(selectors.complaint_list(responsible="qc1")) == {b.pk}
    assert pk(selectors.complaint_list(responsible=qc.pk)) == {b.pk}
    assert pk(selectors.complaint_list(severity="critical")) == {a.pk}
    assert pk(selectors.complaint_list(root_cause="method")) == {b.pk}
    assert pk(selectors.complaint_list(q="NCR-1")) == {a.pk}
    assert pk(selectors.complaint_list(q="colour")) == {b.pk}
    assert pk(selectors.complaint_list(q=order.number)) == {a.pk, b.pk}
    assert pk(selectors.complaint_list(received_from=TODAY + dt.timedelta(days=1))) == set()


def test_overdue_is_a_late_answer_or_a_late_action(
    register: Callable[..., Complaint], merchandiser: User, qc: User
) -> None:
    late_answer = walk(register(), "routed", by=merchandiser, responsible=qc)
    late_action = walk(register(), "answered", by=merchandiser, responsible=qc)
    on_time = walk(register(), "routed", by=merchandiser, responsible=qc)
    Complaint.objects.filter(pk=late_answer.pk).update(due_date=TODAY - dt.timedelta(days=1))
    late_action.actions.update(due_date=TODAY - dt.timedelta(days=1))
    overdue = {c.pk for c in selectors.complaint_list(overdue=True)}
    assert overdue == {late_answer.pk, late_action.pk}
    assert selectors.is_overdue(selectors.get_complaint(late_action.pk))
    assert not selectors.is_overdue(selectors.get_complaint(on_time.pk))


# ---- the chase list ----------------------------------------------------------------------------------------------


def test_an_open_action_is_in_its_owners_chase_list_until_done(
    register: Callable[..., Complaint], merchandiser: User, qc: User, planner: User
) -> None:
    complaint = walk(register(), "routed", by=merchandiser, responsible=qc)
    action = services.add_action(
        complaint=complaint,
        by=qc,
        data={"kind": "containment", "description": "Sort the 2,400 bags", "owner": "pmc1", "due_date": wd(1)},
    )
    (row,) = rows_of(planner)
    assert (row.kind, row.document, row.due_date, row.days_late) == ("complaint_action", complaint.number, wd(1), -1)
    assert row.order_number == complaint.order.number
    assert row.url == f"/service/{complaint.pk}/"
    assert "Sort the 2,400 bags" in row.reason
    assert "Containment" in row.reason
    # two working days later it is a day late
    assert rows_of(planner, wd(2))[0].days_late == 1
    services.complete_action(action=action, by=planner, result="12 bad bags found")
    assert rows_of(planner, wd(2)) == []


def test_an_action_due_beyond_the_horizon_waits(
    register: Callable[..., Complaint], merchandiser: User, qc: User, planner: User
) -> None:
    complaint = walk(register(), "routed", by=merchandiser, responsible=qc)
    services.add_action(
        complaint=complaint,
        by=qc,
        data={"kind": "preventive", "description": "Train the sewing line", "owner": "pmc1", "due_date": wd(10)},
    )
    assert rows_of(planner) == []
    assert len(rows_of(planner, wd(8))) == 1


def test_each_step_of_a_complaint_is_chased_by_whom_it_waits_for(
    register: Callable[..., Complaint], merchandiser: User, qc: User, manager: User
) -> None:
    complaint = register()
    (row,) = rows_of(merchandiser, kind="complaint")  # the owner routes it
    assert "Route" in row.reason
    assert row.due_date == wd(1)
    services.route_complaint(complaint=complaint, by=merchandiser, responsible=qc, due_date=wd(2))
    assert rows_of(merchandiser, kind="complaint") == []
    (row,) = rows_of(qc, kind="complaint")  # the responsible answers it
    assert "Answer" in row.reason
    assert row.due_date == wd(2)
    # late: the owner sees it too
    assert rows_of(merchandiser, wd(3), kind="complaint")[0].milestone_name == "Answer overdue"
    complaint = walk(complaint, "answered", by=merchandiser, responsible=qc)
    assert rows_of(qc, kind="complaint") == []
    assert rows_of(merchandiser, kind="complaint") == []  # the verification is chased later
    (row,) = rows_of(merchandiser, wd(10), kind="complaint")
    assert "verify" in row.reason
    assert row.due_date == wd(10)
    complaint = walk(complaint, "verified", by=merchandiser, responsible=qc)
    (row,) = rows_of(merchandiser, kind="complaint")
    assert "Close" in row.reason
    assert row.due_date == wd(2)
    services.complete_action(action=complaint.actions.get(), by=qc, result="done")
    services.close_complaint(complaint=complaint, by=manager)
    assert rows_of(merchandiser, wd(5)) == []
    assert rows_of(qc, wd(5)) == []


def test_a_rejected_complaint_leaves_every_list(
    register: Callable[..., Complaint], merchandiser: User, qc: User
) -> None:
    complaint = walk(register(), "investigating", by=merchandiser, responsible=qc)
    services.reject_complaint(complaint=complaint, by=merchandiser, reason="Not ours")
    assert rows_of(qc, wd(10)) == []
    assert rows_of(merchandiser, wd(10)) == []


def test_the_chase_rows_take_a_fixed_number_of_queries(
    register: Callable[..., Complaint],
    merchandiser: User,
    qc: User,
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(4):
        walk(register(), "investigating", by=merchandiser, responsible=qc)
    from gendan.core.calendar import company_calendar
    from gendan.followup.selectors import ChaseQuery

    calendar = company_calendar()
    query = ChaseQuery(user=qc, day=TODAY, until=calendar.add(TODAY, 10), calendar=calendar)
    with django_assert_max_num_queries(2):
        assert len(selectors._chase_complaints(query)) == 4
    mine = ChaseQuery(user=merchandiser, day=TODAY, until=calendar.add(TODAY, 10), calendar=calendar)
    with django_assert_max_num_queries(2):
        assert len(selectors._chase_actions(mine)) == 4


# ---- pages' reads ------------------------------------------------------------------------------------------------


def test_an_orders_and_a_customers_complaints(
    register: Callable[..., Complaint], merchandiser: User, manager: User, order: Order, customer: Any
) -> None:
    first = register(claim_amount="100")
    second = walk(register(claim_amount="50"), "verified", by=merchandiser)
    services.complete_action(action=second.actions.get(), by=merchandiser, result="ok")
    services.close_complaint(complaint=second, by=manager, credit_amount="40")
    assert [c.pk for c in selectors.order_complaints(order.pk)] == [second.pk, first.pk]
    summary = selectors.customer_summary(customer.pk)
    assert summary["counts"] == {"total": 2, "open": 1, "year": 2}
    assert summary["money"] == [{"currency": "USD", "claim": Decimal("150.00"), "credit": Decimal("40.00")}]


def test_my_open_complaints_and_actions(register: Callable[..., Complaint], merchandiser: User, qc: User) -> None:
    complaint = walk(register(), "investigating", by=merchandiser, responsible=qc)
    assert [c.pk for c in selectors.open_complaints_of(qc)] == [complaint.pk]
    assert [c.pk for c in selectors.open_complaints_of(merchandiser)] == [complaint.pk]  # owner
    assert list(selectors.open_actions_of(merchandiser)) == list(complaint.actions.all())


# ---- the report --------------------------------------------------------------------------------------------------


def close_with(complaint: Complaint, by: User, manager: User, **settlement: Any) -> Complaint:
    complaint = walk(complaint, "verified", by=by)
    for action in complaint.actions.all():
        services.complete_action(action=action, by=by, result="ok")
    return services.close_complaint(complaint=complaint, by=manager, **settlement)


def test_the_report_by_customer_cause_and_month(
    register: Callable[..., Complaint], merchandiser: User, manager: User, customer: Any
) -> None:
    a = close_with(register(claim_amount="120"), merchandiser, manager, credit_amount="30", replacement_qty="12")
    b = register(claim_amount="80")  # open: its claim counts, nothing is granted yet
    other = CustomerFactory(code="C-ZZ9", currency="EUR")
    c = services.create_complaint(
        by=merchandiser, data={"customer_id": other.pk, "description": "Late", "claim_amount": "15.50"}
    )
    services.reject_complaint(complaint=c, by=merchandiser, reason="It was on time")
    report = selectors.complaint_report(date_from=TODAY.replace(day=1), date_to=TODAY, group_by="customer")
    assert report["totals"]["count"] == 3
    assert report["totals"]["costs"] == [
        {
            "currency": "EUR",
            "claim_amount": Decimal("15.50"),
            "credit_amount": Decimal("0.00"),
            "replacement_value": Decimal("0.00"),
        },
        {
            "currency": "USD",
            "claim_amount": Decimal("200.00"),
            "credit_amount": Decimal("30.00"),
            "replacement_value": Decimal("30.00"),
        },
    ]
    first, second = report["rows"]
    assert (first["label"], first["count"], first["quantity"]) == ("C-NW01 Northwind Home Inc.", 2, Decimal("24"))
    assert second["label"].startswith("C-ZZ9")
    assert second["count"] == 1
    assert (report["open"], report["closed"], report["rejected"]) == (1, 1, 1)
    assert report["average_days_to_answer"] == Decimal("0.0")
    by_cause = selectors.complaint_report(date_from=TODAY.replace(day=1), date_to=TODAY, group_by="cause")
    labels = {r["label"]: r["count"] for r in by_cause["rows"]}
    assert labels == {"Method (process)": 1, "No root cause": 2}
    assert by_cause["causes"] == [
        {
            "code": "method",
            "label": "Method (process)",
            "count": 1,
            "pct": Decimal("100.0"),
            "cumulative_pct": Decimal("100.0"),
        }
    ]
    assert by_cause["not_investigated"] == 1  # b (the rejected one does not count)
    zh = selectors.complaint_report(date_from=TODAY, date_to=TODAY, group_by="cause", language="zh-hans")
    assert zh["causes"][0]["label"] == "方法/工艺"
    month = selectors.complaint_report(date_from=dt.date(2026, 1, 1), date_to=TODAY, group_by="month")
    assert [(r["key"], r["count"]) for r in month["rows"]] == [("2026-11-01", 3)]
    assert {a.pk, b.pk}  # both in the period


def test_the_report_refuses_an_unknown_grouping_or_a_reversed_period() -> None:
    with pytest.raises(ValidationError):
        selectors.complaint_report(date_from=TODAY, date_to=TODAY, group_by="colour")
    with pytest.raises(ValidationError):
        selectors.complaint_report(date_from=TODAY, date_to=TODAY - dt.timedelta(days=1))


def test_the_report_by_product_shares_a_complaint_by_quantity(merchandiser: User, manager: User, order: Order) -> None:
    first, second = order.lines.order_by("position")
    complaint = services.create_complaint(
        by=merchandiser,
        data={
            "order_id": order.pk,
            "description": "Both styles",
            "claim_amount": "100",
            "lines": [{"order_line_id": first.pk, "quantity": "1"}, {"order_line_id": second.pk, "quantity": "2"}],
        },
    )
    report = selectors.complaint_report(date_from=TODAY, date_to=TODAY, group_by="product")
    rows = {r["key"]: r for r in report["rows"]}
    assert rows[first.product_id]["costs"][0]["claim_amount"] == Decimal("33.33")
    assert rows[second.product_id]["costs"][0]["claim_amount"] == Decimal("66.67")
    assert rows[first.product_id]["count"] == rows[second.product_id]["count"] == 1
    assert complaint.pk


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=0, max_value=5000, places=2),
            st.lists(st.integers(min_value=1, max_value=500), min_size=0, max_size=3),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_the_product_groups_add_up_to_the_totals(
    merchandiser: User, products: Any, claims: list[tuple[Decimal, list[int]]]
) -> None:
    Complaint.objects.all().delete()
    customer = products["customer"]
    with clock.frozen(TODAY):
        for amount, quantities in claims:
            services.create_complaint(
                by=merchandiser,
                data={
                    "customer_id": customer.pk,
                    "description": "x",
                    "claim_amount": amount,
                    "lines": [
                        {"product_id": p.pk, "quantity": q} for p, q in zip(products["items"], quantities, strict=False)
                    ],
                },
            )
        report = selectors.complaint_report(date_from=TODAY, date_to=TODAY, group_by="product")
    total = sum((r["costs"][0]["claim_amount"] for r in report["rows"] if r["costs"]), Decimal(0))
    assert total == sum((a for a, _q in claims), Decimal(0)) == report["totals"]["costs"][0]["claim_amount"]
    assert sum(r["quantity"] for r in report["rows"]) == report["totals"]["quantity"]


@pytest.fixture
def products(db: None) -> dict[str, Any]:
    return {"customer": CustomerFactory(currency="USD"), "items": [ProductFactory() for _ in range(3)]}
