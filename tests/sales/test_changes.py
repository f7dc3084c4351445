"""Editing and order changes (订单变更): lines replace semantics, versions, revisions, notifications."""

import datetime as dt
from decimal import Decimal

import pytest

from gendan.core.choices import Role
from gendan.core.exceptions import PermissionDenied, StaleVersion, TransitionNotAllowed, ValidationError
from gendan.core.models import Notification
from gendan.sales import services
from gendan.sales.choices import OrderStatus
from gendan.sales.models import OrderRevision
from tests.factories import ProductFactory
from tests.sales.factories import make_order, order_in

pytestmark = pytest.mark.django_db


def lines_of(order):
    return list(order.lines.order_by("position"))


def test_a_draft_is_edited_freely_without_a_revision(merchandiser) -> None:
    order = make_order(by=merchandiser)
    updated = services.update_order(
        order=order, by=merchandiser, version=1, data={"ex_factory_date": dt.date(2027, 3, 1)}
    )
    assert updated.ex_factory_date == dt.date(2027, 3, 1)
    assert updated.version == 2
    assert updated.revision == 0
    assert not OrderRevision.objects.exists()


def test_lines_replace_semantics_update_add_and_remove(merchandiser) -> None:
    order = make_order(by=merchandiser)
    first, second = lines_of(order)
    new_product = ProductFactory()
    services.update_order(
        order=order,
        by=merchandiser,
        version=1,
        data={},
        lines=[
            {"id": first.pk, "quantity": 150},
            {"product": new_product.pk, "quantity": 10, "unit_price": "3"},
        ],
    )
    order.refresh_from_db()
    lines = lines_of(order)
    assert [(line.product_id, line.quantity) for line in lines] == [(first.product_id, 150), (new_product.pk, 10)]
    assert lines[0].pk == first.pk
    assert lines[0].amount == Decimal("375.00")
    assert second.pk not in {line.pk for line in lines}
    assert order.total_qty == Decimal("160")
    assert order.total_amount == Decimal("405.00")


def test_a_line_id_of_another_order_is_refused(merchandiser) -> None:
    order = make_order(by=merchandiser)
    other = make_order(by=merchandiser)
    foreign = lines_of(other)[0]
    with pytest.raises(ValidationError) as exc:
        services.update_order(
            order=order, by=merchandiser, version=1, data={}, lines=[{"id": foreign.pk, "quantity": 1}]
        )
    assert "lines[0].id" in exc.value.errors


def test_removing_every_line_is_refused(merchandiser) -> None:
    order = make_order(by=merchandiser)
    with pytest.raises(ValidationError) as exc:
        services.update_order(order=order, by=merchandiser, version=1, data={}, lines=[])
    assert "lines" in exc.value.errors
    assert order.lines.count() == 2


def test_a_stale_version_is_refused_and_changes_nothing(merchandiser) -> None:
    order = make_order(by=merchandiser)
    services.update_order(order=order, by=merchandiser, version=1, data={"customer_po": "A"})
    with pytest.raises(StaleVersion) as exc:
        services.update_order(order=order, by=merchandiser, version=1, data={"customer_po": "B"})
    assert exc.value.current_version == 2
    order.refresh_from_db()
    assert order.customer_po == "A"


def test_a_bad_edit_writes_nothing(merchandiser) -> None:
    order = make_order(by=merchandiser)
    first = lines_of(order)[0]
    with pytest.raises(ValidationError) as exc:
        services.update_order(
            order=order,
            by=merchandiser,
            version=1,
            data={"customer_po": "NEW"},
            lines=[{"id": first.pk, "quantity": 5}, {"product": first.product_id, "quantity": 0, "unit_price": 1}],
        )
    assert "lines[1].quantity" in exc.value.errors
    order.refresh_from_db()
    assert (order.customer_po, order.version, order.lines.count()) == ("", 1, 2)


def test_a_merchandiser_cannot_edit_another_merchandisers_order_but_a_manager_can(
    merchandiser, manager, make_user
) -> None:
    order = make_order(by=merchandiser)
    with pytest.raises(PermissionDenied):
        services.update_order(order=order, by=make_user(Role.MERCHANDISER), version=1, data={"remarks": "x"})
    assert services.update_order(order=order, by=manager, version=1, data={"remarks": "x"}).remarks == "x"


@pytest.mark.parametrize("status", [OrderStatus.IN_REVIEW, OrderStatus.SHIPPED, OrderStatus.CANCELLED])
def test_orders_outside_the_editable_statuses_cannot_be_edited(merchandiser, manager, status) -> None:
    order = order_in(status, by=merchandiser, manager=manager)
    with pytest.raises(TransitionNotAllowed):
        services.update_order(
            order=order, by=merchandiser, version=order.version, data={"remarks": "x"}, change_reason="r"
        )


@pytest.fixture
def confirmed(merchandiser, manager):
    return order_in(OrderStatus.CONFIRMED, by=merchandiser, manager=manager)


def test_changing_a_confirmed_order_needs_a_change_reason(confirmed, merchandiser) -> None:
    first = lines_of(confirmed)[0]
    with pytest.raises(ValidationError) as exc:
        services.update_order(
            order=confirmed,
            by=merchandiser,
            version=confirmed.version,
            data={},
            lines=[{"id": first.pk, "quantity": 1}],
        )
    assert "change_reason" in exc.value.errors
    confirmed.refresh_from_db()
    assert confirmed.revision == 0


def test_a_change_records_a_revision_with_old_and_new_values(confirmed, merchandiser) -> None:
    first, second = lines_of(confirmed)
    changed = services.update_order(
        order=confirmed,
        by=merchandiser,
        version=confirmed.version,
        data={"ex_factory_date": dt.date(2027, 3, 1)},
        lines=[{"id": first.pk, "quantity": 120}, {"id": second.pk}],
        change_reason="Customer raised the quantity",
    )
    assert changed.revision == 1
    revision = OrderRevision.objects.get(order=confirmed)
    assert revision.number == 1
    assert revision.reason == "Customer raised the quantity"
    assert revision.created_by == merchandiser
    assert {"field": "ex_factory_date", "old": "2027-02-15", "new": "2027-03-01"} in revision.changes
    quantity = next(c for c in revision.changes if c["field"] == "quantity")
    assert (quantity["old"], quantity["new"]) == ("100", "120")
    assert quantity["line"].startswith("#1 ")
    assert {"production", "purchasing", "shipping", "merchandising"} <= set(revision.departments)


def test_the_revision_number_goes_up_with_each_change(confirmed, merchandiser) -> None:
    order = services.update_order(
        order=confirmed, by=merchandiser, version=confirmed.version, data={"remarks": "a"}, change_reason="one"
    )
    order = services.update_order(
        order=order, by=merchandiser, version=order.version, data={"remarks": "b"}, change_reason="two"
    )
    assert order.revision == 2
    assert list(OrderRevision.objects.filter(order=order).values_list("number", flat=True)) == [2, 1]


def test_a_change_notifies_the_affected_departments_but_not_the_others_nor_the_actor(
    confirmed, merchandiser, make_user
) -> None:
    seller, accountant, planner, inspector = (
        make_user(Role.SALES),
        make_user(Role.FINANCE),
        make_user(Role.PLANNER),
        make_user(Role.QC),
    )
    inactive = make_user(Role.FINANCE, is_active=False)
    first, second = lines_of(confirmed)
    services.update_order(
        order=confirmed,
        by=merchandiser,
        version=confirmed.version,
        data={},
        lines=[{"id": first.pk, "unit_price": "2.75"}, {"id": second.pk}],
        change_reason="price renegotiated",
    )
    notified = set(Notification.objects.filter(title__contains="rev 1").values_list("recipient__username", flat=True))
    assert notified == {seller.username, accountant.username}  # price → sales and finance
    assert planner.username not in notified
    assert inspector.username not in notified
    assert inactive.username not in notified
    assert merchandiser.username not in notified
    note = Notification.objects.get(recipient=seller)
    assert note.url == f"/orders/{confirmed.pk}/"
    assert "price renegotiated" in note.body


def test_a_quality_change_reaches_quality_control(confirmed, merchandiser, make_user) -> None:
    inspector = make_user(Role.QC)
    services.update_order(
        order=confirmed,
        by=merchandiser,
        version=confirmed.version,
        data={"quality_requirements": "AQL 1.5 major"},
        change_reason="customer tightened AQL",
    )
    assert Notification.objects.filter(recipient=inspector, title__contains="rev 1").exists()


def test_an_edit_without_changes_writes_nothing(confirmed, merchandiser) -> None:
    order = services.update_order(
        order=confirmed, by=merchandiser, version=confirmed.version, data={"remarks": confirmed.remarks}
    )
    assert order.version == confirmed.version
    assert order.revision == 0


def test_a_change_sends_order_changed(confirmed, merchandiser) -> None:
    from gendan.sales.signals import order_changed

    seen = []

    def listener(sender, order, revision, by, **kw):  # noqa: ANN001, ANN003, ANN202
        seen.append(revision.number)

    order_changed.connect(listener)
    try:
        services.update_order(
            order=confirmed, by=merchandiser, version=confirmed.version, data={"remarks": "x"}, change_reason="r"
        )
    finally:
        order_changed.disconnect(listener)
    assert seen == [1]


def test_the_customer_of_a_confirmed_order_cannot_change(confirmed, merchandiser) -> None:
    from tests.factories import CustomerFactory

    with pytest.raises(ValidationError) as exc:
        services.update_order(
            order=confirmed,
            by=merchandiser,
            version=confirmed.version,
            data={"customer": CustomerFactory()},
            change_reason="r",
        )
    assert "customer" in exc.value.errors
