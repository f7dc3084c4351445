"""Order services: numbering, computed totals, validation, transitions, hold/resume/cancel, permissions, audit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gendan.core.choices import AuditAction, Role
from gendan.core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationError
from gendan.core.models import ObjectChange, Sequence
from gendan.core.money import round_money
from gendan.sales import services
from gendan.sales.choices import TRANSITIONS, OrderStatus
from gendan.sales.models import Order, OrderLine
from tests.factories import CustomerFactory, ProductFactory
from tests.sales.factories import EX_FACTORY, make_order, order_in

pytestmark = pytest.mark.django_db


def test_orders_are_numbered_with_the_prefix_and_year(merchandiser) -> None:
    first = make_order(by=merchandiser)
    second = make_order(by=merchandiser)
    assert first.number == "SO-2026-00001"
    assert second.number == "SO-2026-00002"


def test_amounts_and_totals_are_computed_not_typed(merchandiser) -> None:
    order = make_order(by=merchandiser, quantities=[3, "2.5"], prices=["1.005", "10"])
    amounts = list(order.lines.order_by("position").values_list("amount", flat=True))
    assert amounts == [Decimal("3.02"), Decimal("25.00")]  # 3 × 1.005 = 3.015 → 3.02 (half up)
    assert order.total_qty == Decimal("5.5")
    assert order.total_amount == Decimal("28.02")


def test_yen_amounts_are_rounded_to_whole_yen(merchandiser) -> None:
    order = make_order(by=merchandiser, quantities=[3], prices=["10.5"], currency="JPY")
    assert order.total_amount == Decimal("32")


def test_header_defaults_come_from_the_customer_and_the_clock(merchandiser) -> None:
    customer = CustomerFactory(currency="EUR", default_incoterm="CIF", payment_terms="L/C at sight")
    order = make_order(by=merchandiser, customer=customer)
    assert (order.currency, order.incoterm, order.payment_terms) == ("EUR", "CIF", "L/C at sight")
    assert order.order_date == dt.date(2026, 11, 24)
    assert order.status == OrderStatus.DRAFT
    assert order.version == 1


def test_the_merchandiser_defaults_to_the_creator_when_a_merchandiser(merchandiser) -> None:
    order = services.create_order(
        by=merchandiser,
        customer=CustomerFactory(),
        lines=[{"product": ProductFactory().pk, "quantity": 1, "unit_price": "1"}],
        ex_factory_date=EX_FACTORY,
    )
    assert order.merchandiser == merchandiser


def test_the_merchandiser_defaults_to_the_customers_when_a_salesperson_creates(make_user) -> None:
    owner = make_user(Role.MERCHANDISER)
    sales = make_user(Role.SALES)
    order = services.create_order(
        by=sales,
        customer=CustomerFactory(merchandiser=owner),
        lines=[{"product": ProductFactory().pk, "quantity": 1, "unit_price": "1"}],
        ex_factory_date=EX_FACTORY,
    )
    assert order.merchandiser == owner


def test_create_uses_a_bounded_number_of_queries(merchandiser, django_assert_max_num_queries) -> None:
    customer = CustomerFactory()
    products = [ProductFactory() for _ in range(10)]
    merchandiser.has_perm("sales.add_order")  # warm the permission cache
    lines = [{"product": p.pk, "quantity": 5, "unit_price": "2"} for p in products]
    with django_assert_max_num_queries(14):
        services.create_order(
            by=merchandiser, customer=customer, lines=lines, ex_factory_date=EX_FACTORY, merchandiser=merchandiser
        )


def test_create_writes_one_audit_record_with_the_lines(merchandiser) -> None:
    order = make_order(by=merchandiser)
    records = ObjectChange.objects.filter(object_id=order.pk, action=AuditAction.CREATE)
    assert records.count() == 1
    assert len(records.get().changes["lines"][1]) == 2


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"quantity": 0}, "lines[1].quantity"),
        ({"quantity": -3}, "lines[1].quantity"),
        ({"quantity": "abc"}, "lines[1].quantity"),
        ({"unit_price": "-0.01"}, "lines[1].unit_price"),
        ({"product": 999999}, "lines[1].product"),
        ({"ex_factory_date": dt.date(2026, 1, 1)}, "lines[1].ex_factory_date"),
    ],
)
def test_a_bad_line_is_named_by_its_index_and_nothing_is_written(merchandiser, line, field) -> None:
    good = {"product": ProductFactory().pk, "quantity": 1, "unit_price": "1"}
    bad = {**good, **line}
    with pytest.raises(ValidationError) as exc:
        services.create_order(
            by=merchandiser, customer=CustomerFactory(), lines=[good, bad], ex_factory_date=EX_FACTORY
        )
    assert field in exc.value.errors
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()
    assert not Sequence.objects.exists()


def test_an_inactive_product_is_refused(merchandiser) -> None:
    product = ProductFactory(is_active=False)
    with pytest.raises(ValidationError) as exc:
        make_order(by=merchandiser, products=[product], quantities=[1], prices=["1"])
    assert "lines[0].product" in exc.value.errors


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ex_factory_date": dt.date(2026, 11, 1)}, "ex_factory_date"),
        ({"currency": "XXX"}, "currency"),
        ({"incoterm": "FOO"}, "incoterm"),
        ({"priority": "asap"}, "priority"),
        ({"customer_po": "x" * 61}, "customer_po"),
    ],
)
def test_bad_header_fields_are_named(merchandiser, fields, field) -> None:
    with pytest.raises(ValidationError) as exc:
        make_order(by=merchandiser, **fields)
    assert field in exc.value.errors
    assert not Order.objects.exists()


def test_an_order_needs_a_line_and_an_ex_factory_date(merchandiser) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_order(by=merchandiser, customer=CustomerFactory(), lines=[])
    assert {"lines", "ex_factory_date"} <= set(exc.value.errors)


def test_qc_cannot_create_orders(make_user) -> None:
    with pytest.raises(PermissionDenied, match="sales.add_order"):
        make_order(by=make_user(Role.QC))


# ---- transitions ----------------------------------------------------------------------------------

ALL = list(OrderStatus)
STEP_TARGETS = [OrderStatus.IN_PRODUCTION, OrderStatus.READY_TO_SHIP, OrderStatus.SHIPPED, OrderStatus.CLOSED]


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION),
        (OrderStatus.IN_PRODUCTION, OrderStatus.READY_TO_SHIP),
        (OrderStatus.READY_TO_SHIP, OrderStatus.SHIPPED),
        (OrderStatus.READY_TO_SHIP, OrderStatus.IN_PRODUCTION),
        (OrderStatus.SHIPPED, OrderStatus.CLOSED),
        (OrderStatus.IN_REVIEW, OrderStatus.DRAFT),
    ],
)
def test_allowed_steps_move_the_order_and_are_audited(merchandiser, manager, start, target) -> None:
    order = order_in(start, by=merchandiser, manager=manager)
    version = order.version
    moved = services.transition_order(order=order, by=merchandiser, to_status=target, reason="step")
    assert moved.status == target
    assert moved.version == version + 1
    record = ObjectChange.objects.filter(object_id=order.pk, action=AuditAction.TRANSITION).first()
    assert record.changes == {"status": [start, target]}


REFUSED = [
    (start, target)
    for start in [
        OrderStatus.DRAFT,
        OrderStatus.CONFIRMED,
        OrderStatus.IN_PRODUCTION,
        OrderStatus.SHIPPED,
        OrderStatus.CLOSED,
        OrderStatus.CANCELLED,
    ]
    for target in ALL
    if target not in TRANSITIONS[start] and target != start
]


@pytest.mark.parametrize(("start", "target"), REFUSED)
def test_moves_outside_the_table_are_refused_naming_both_statuses(merchandiser, manager, start, target) -> None:
    order = order_in(start, by=merchandiser, manager=manager)
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as exc:
        services.transition_order(order=order, by=merchandiser, to_status=target, reason="x")
    assert f"from {start} to {target}" in exc.value.message
    order.refresh_from_db()
    assert order.status == start


def test_shipped_to_draft_message(merchandiser, manager) -> None:
    order = order_in(OrderStatus.SHIPPED, by=merchandiser, manager=manager)
    with (
        translation.override("en"),
        pytest.raises(TransitionNotAllowed, match="An order cannot go from shipped to draft"),
    ):
        services.transition_order(order=order, by=merchandiser, to_status=OrderStatus.DRAFT)


@pytest.mark.parametrize(
    "start", [OrderStatus.DRAFT, OrderStatus.IN_REVIEW, OrderStatus.CONFIRMED, OrderStatus.READY_TO_SHIP]
)
def test_hold_and_resume_return_to_the_earlier_status(merchandiser, manager, start) -> None:
    order = order_in(start, by=merchandiser, manager=manager)
    held = services.hold_order(order=order, by=merchandiser, reason="customer credit check")
    assert (held.status, held.held_from_status, held.status_reason) == (
        OrderStatus.ON_HOLD,
        start,
        "customer credit check",
    )
    resumed = services.resume_order(order=held, by=merchandiser, reason="credit ok")
    assert resumed.status == start
    assert resumed.held_from_status == ""


def test_a_held_order_cannot_jump_to_another_status(merchandiser, manager) -> None:
    order = order_in(OrderStatus.DRAFT, by=merchandiser, manager=manager)
    order = services.hold_order(order=order, by=merchandiser, reason="wait")
    with translation.override("en"), pytest.raises(TransitionNotAllowed, match="from on_hold to confirmed"):
        services.transition_order(order=order, by=merchandiser, to_status=OrderStatus.CONFIRMED)
    with pytest.raises(TransitionNotAllowed):
        services.submit_order(order=order, by=merchandiser)


@pytest.mark.parametrize("service", [services.hold_order, services.cancel_order])
def test_hold_and_cancel_need_a_reason(merchandiser, service) -> None:
    order = make_order(by=merchandiser)
    with pytest.raises(ValidationError) as exc:
        service(order=order, by=merchandiser, reason="  ")
    assert "reason" in exc.value.errors
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


@pytest.mark.parametrize("start", [*OrderStatus.values[:5], OrderStatus.ON_HOLD])
def test_cancel_works_from_every_open_status_and_from_hold(merchandiser, manager, start) -> None:
    order = order_in(start, by=merchandiser, manager=manager)
    cancelled = services.cancel_order(order=order, by=merchandiser, reason="customer withdrew")
    assert cancelled.status == OrderStatus.CANCELLED
    assert cancelled.status_reason == "customer withdrew"


@pytest.mark.parametrize("start", [OrderStatus.SHIPPED, OrderStatus.CLOSED, OrderStatus.CANCELLED])
def test_closed_ends_cannot_be_held_or_cancelled(merchandiser, manager, start) -> None:
    order = order_in(start, by=merchandiser, manager=manager)
    with pytest.raises(TransitionNotAllowed):
        services.hold_order(order=order, by=merchandiser, reason="x")
    if start != OrderStatus.CANCELLED:
        with pytest.raises(TransitionNotAllowed):
            services.cancel_order(order=order, by=merchandiser, reason="x")


def test_a_merchandiser_cannot_move_another_merchandisers_order_but_a_manager_can(
    merchandiser, manager, make_user
) -> None:
    order = make_order(by=merchandiser)
    other = make_user(Role.MERCHANDISER)
    with pytest.raises(PermissionDenied, match="sales.manage_all_orders"):
        services.hold_order(order=order, by=other, reason="x")
    assert services.hold_order(order=order, by=manager, reason="x").status == OrderStatus.ON_HOLD


def test_a_role_without_change_permission_cannot_move_orders(merchandiser, make_user) -> None:
    order = make_order(by=merchandiser)
    with pytest.raises(PermissionDenied, match="sales.change_order"):
        services.submit_order(order=order, by=make_user(Role.QC))


def test_audit_trail_records_create_update_and_transition(merchandiser) -> None:
    order = make_order(by=merchandiser)
    services.update_order(order=order, by=merchandiser, version=1, data={"customer_po": "PO-1"})
    services.submit_order(order=order, by=merchandiser)
    actions = list(
        ObjectChange.objects.filter(object_id=order.pk, content_type__model="order")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.TRANSITION]
    update = ObjectChange.objects.get(object_id=order.pk, action=AuditAction.UPDATE)
    assert update.changes == {"customer_po": ["", "PO-1"]}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=Decimal("0.001"), max_value=Decimal("100000"), places=3),
            st.decimals(min_value=Decimal("0"), max_value=Decimal("9999"), places=4),
        ),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from(["USD", "JPY", "EUR"]),
)
def test_the_total_is_the_rounded_sum_of_the_rounded_line_amounts(merchandiser, rows, currency) -> None:
    products = [ProductFactory() for _ in rows]
    order = make_order(
        by=merchandiser,
        products=products,
        quantities=[q for q, _p in rows],
        prices=[str(p) for _q, p in rows],
        currency=currency,
    )
    lines = list(order.lines.all())
    assert order.total_qty == sum(q for q, _p in rows)
    assert all(line.amount == round_money(line.quantity * line.unit_price, currency) for line in lines)
    assert order.total_amount == sum(line.amount for line in lines)
