"""Shipment rules: one customer, agreeing terms, the open quantity and tolerance, transitions, milestones, chase rows,
versions; a refused command changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from gendan.core.exceptions import StaleVersion, TransitionNotAllowed, ValidationError
from gendan.core.models import ObjectChange
from gendan.followup.models import Milestone
from gendan.followup.selectors import chase_list
from gendan.shipping import selectors, services, signals
from gendan.shipping.models import Shipment, ShipmentLine, ShippingProfile
from tests.conftest import TODAY
from tests.factories import ContactFactory, CustomerFactory
from tests.shipping.factories import confirmed_order, forwarder, lines_of, two_orders

pytestmark = pytest.mark.django_db


def plan(clerk, *orders, quantities=None, **data):  # noqa: ANN001, ANN201
    return services.create_shipment(by=clerk, data={"lines": lines_of(*orders, quantities=quantities), **data})


def booked(clerk, s):  # noqa: ANN001, ANN201
    return services.book(
        shipment=s, by=clerk, data={"booking_no": "COSU123", "etd": "2026-12-04", "forwarder_id": forwarder().pk}
    )


def actual(order, code):  # noqa: ANN001, ANN201
    return Milestone.objects.get(order=order, code=code).actual_date


def test_a_shipment_takes_one_customers_orders_with_their_terms(merchandiser, manager, clerk) -> None:
    customer, a, b = two_orders(merchandiser, manager)
    s = plan(clerk, a, b)
    assert (s.customer_id, s.incoterm, s.currency, s.status) == (customer.pk, a.incoterm, a.currency, "planned")
    assert s.number.startswith("SH-2026-")
    assert s.planned_ex_factory_date == min(a.ex_factory_date, b.ex_factory_date)
    assert list(s.lines.values_list("position", "quantity")) == [(1, 100), (2, 200), (3, 48)]


def test_orders_of_two_customers_are_refused_naming_the_line(merchandiser, manager, clerk) -> None:
    _c, a, _b = two_orders(merchandiser, manager)
    other = confirmed_order(by=merchandiser, manager=manager, customer=CustomerFactory())
    with pytest.raises(ValidationError) as exc:
        plan(clerk, a, other)
    assert other.number in str(exc.value)
    assert Shipment.objects.count() == 0


def test_orders_with_different_incoterms_or_currencies_are_refused(merchandiser, manager, clerk) -> None:
    customer, a, _b = two_orders(merchandiser, manager)
    cif = confirmed_order(by=merchandiser, manager=manager, customer=customer, incoterm="CIF")
    with pytest.raises(ValidationError, match="Incoterm"):
        plan(clerk, a, cif)
    eur = confirmed_order(by=merchandiser, manager=manager, customer=customer, currency="EUR")
    with pytest.raises(ValidationError, match="currency"):
        plan(clerk, a, eur)
    assert Shipment.objects.count() == 0


def test_a_draft_order_does_not_ship(merchandiser, manager, clerk) -> None:
    draft = confirmed_order(by=merchandiser, manager=manager, customer=CustomerFactory(), status="draft")
    with pytest.raises(ValidationError, match="only a confirmed order ships"):
        plan(clerk, draft)


def test_a_line_never_ships_more_than_ordered_counting_other_shipments(merchandiser, manager, clerk) -> None:
    _c, a, _b = two_orders(merchandiser, manager)
    plan(clerk, a, quantities=[60, 200])
    first_line = lines_of(a)[0]
    with pytest.raises(ValidationError) as exc:
        services.create_shipment(by=clerk, data={"lines": [first_line | {"quantity": "41"}]})
    assert list(exc.value.errors) == ["lines.1.quantity"]
    assert f"{a.number} line 1" in str(exc.value)
    assert "at most 40" in str(exc.value)
    assert ShipmentLine.objects.count() == 2
    s = services.create_shipment(by=clerk, data={"lines": [lines_of(a)[0] | {"quantity": "40"}]})
    assert s.lines.get().quantity == 40


def test_the_customers_tolerance_allows_a_little_more_and_cancelled_shipments_free_theirs(
    merchandiser, manager, clerk
) -> None:
    customer, a, _b = two_orders(merchandiser, manager)
    ShippingProfile.objects.create(customer=customer, tolerance_pct=Decimal("5"))
    first = plan(clerk, a, quantities=[105, 210])
    with pytest.raises(ValidationError):
        plan(clerk, a, quantities=[1, 1])
    services.cancel(shipment=first, by=clerk, reason="customer moved the vessel")
    assert plan(clerk, a, quantities=[100, 200]).status == "planned"


def test_the_order_line_tracks_ordered_planned_shipped_and_open(merchandiser, manager, clerk) -> None:
    _c, a, _b = two_orders(merchandiser, manager)
    s = plan(clerk, a, quantities=[30, 150])
    plan(clerk, a, quantities=[20, 10])
    line = a.lines.get(position=1)
    assert selectors.order_line_progress(line.pk).planned == 50
    booked(clerk, s)
    services.load(shipment=s, by=clerk)
    p = selectors.order_line_progress(line.pk)
    assert (p.ordered, p.planned, p.shipped, p.open) == (100, 20, 30, 50)


def test_booking_needs_the_number_and_etd_and_fills_the_booking_milestone(merchandiser, manager, clerk) -> None:
    _c, a, b = two_orders(merchandiser, manager)
    s = plan(clerk, a, b)
    with pytest.raises(ValidationError) as exc:
        services.book(shipment=s, by=clerk, data={"carrier": "COSCO"})
    assert set(exc.value.errors) == {"booking_no", "etd"}
    s.refresh_from_db()
    assert (s.status, s.carrier) == ("planned", "")
    sent = []
    signals.shipment_booked.connect(lambda **kw: sent.append(kw["shipment"].pk), weak=False, dispatch_uid="t-booked")
    try:
        booked(clerk, s)
    finally:
        signals.shipment_booked.disconnect(dispatch_uid="t-booked")
    assert sent == [s.pk]
    assert actual(a, "BK") == TODAY
    assert actual(b, "BK") == TODAY


def test_loading_and_departure_fill_the_ex_factory_milestone_of_every_order(merchandiser, manager, clerk) -> None:
    _c, a, b = two_orders(merchandiser, manager)
    s = booked(clerk, plan(clerk, a, b))
    s = services.load(shipment=s, by=clerk, day=TODAY - dt.timedelta(days=1))
    assert actual(a, "EXF") == actual(b, "EXF") == TODAY - dt.timedelta(days=1)
    services.depart(shipment=s, by=clerk, atd=TODAY, bl_number="COSU6001", version=s.version)
    s.refresh_from_db()
    assert (s.status, s.departed_date, s.bl_number, s.bl_date) == ("departed", TODAY, "COSU6001", TODAY)


def test_departure_straight_from_booked_means_loaded_that_day(merchandiser, manager, clerk) -> None:
    _c, a, b = two_orders(merchandiser, manager)
    s = booked(clerk, plan(clerk, a, b))
    services.depart(shipment=s, by=clerk, atd=TODAY)
    s.refresh_from_db()
    assert (s.loaded_date, s.departed_date) == (TODAY, TODAY)
    assert actual(a, "EXF") == actual(b, "EXF") == TODAY


def test_an_order_is_shipped_when_all_of_it_has_left_and_not_before(merchandiser, manager, clerk) -> None:
    customer, a, b = two_orders(merchandiser, manager)
    ShippingProfile.objects.create(customer=customer, tolerance_pct=Decimal("5"))
    # a: line 1 in full, line 2 short by 4 % (within the tolerance); b: half now, half later
    first = booked(clerk, plan(clerk, a, b, quantities=[100, 192, 24]))
    services.depart(shipment=first, by=clerk, atd=TODAY)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == ("shipped", "in_production")
    moves = ObjectChange.objects.filter(content_type__model="order", object_id=str(a.pk), action="transition").order_by(
        "pk"
    )
    assert [c.changes["status"] for c in moves][-2:] == [
        ["in_production", "ready_to_ship"],
        ["ready_to_ship", "shipped"],
    ]
    assert all(c.user_id == clerk.pk and first.number in c.message for c in moves[len(moves) - 2 :])
    second = booked(clerk, plan(clerk, b, quantities=[24]))
    services.load(shipment=second, by=clerk, day=TODAY)
    b.refresh_from_db()
    assert b.status == "in_production"  # loaded is not gone yet
    services.depart(shipment=second, by=clerk, atd=TODAY, version=second.version + 1)
    b.refresh_from_db()
    assert b.status == "shipped"


def test_an_order_on_hold_stays_on_hold_when_its_goods_leave(merchandiser, manager, clerk) -> None:
    from gendan.sales.services import hold_order

    _c, a, _b = two_orders(merchandiser, manager)
    s = booked(clerk, plan(clerk, a))
    hold_order(order=a, by=manager, reason="customer asked to wait")
    services.depart(shipment=s, by=clerk, atd=TODAY)
    a.refresh_from_db()
    assert a.status == "on_hold"


def test_transitions_outside_the_table_are_refused(merchandiser, manager, clerk) -> None:
    _c, a, b = two_orders(merchandiser, manager)
    s = plan(clerk, a)
    with pytest.raises(TransitionNotAllowed, match="Planned"):
        services.load(shipment=s, by=clerk)
    with pytest.raises(TransitionNotAllowed):
        services.arrive(shipment=s, by=clerk)
    booked(clerk, s)
    services.depart(shipment=s, by=clerk)
    with pytest.raises(TransitionNotAllowed):
        services.cancel(shipment=s, by=clerk, reason="too late")
    with pytest.raises(ValidationError):
        services.cancel(shipment=plan(clerk, b), by=clerk, reason=" ")


def test_a_future_departure_is_refused(merchandiser, manager, clerk) -> None:
    _c, a, _b = two_orders(merchandiser, manager)
    s = booked(clerk, plan(clerk, a))
    with pytest.raises(ValidationError, match="still to come"):
        services.depart(shipment=s, by=clerk, atd=TODAY + dt.timedelta(days=1))
    s.refresh_from_db()
    assert s.status == "booked"


def test_a_stale_version_is_refused_and_changes_nothing(merchandiser, manager, clerk) -> None:
    _c, a, _b = two_orders(merchandiser, manager)
    s = plan(clerk, a)
    services.update_shipment(shipment=s, by=clerk, data={"port_of_loading": "Ningbo"}, version=1)
    with pytest.raises(StaleVersion):
        services.update_shipment(shipment=s, by=clerk, data={"port_of_loading": "Shanghai"}, version=1)
    s.refresh_from_db()
    assert (s.port_of_loading, s.version) == ("Ningbo", 2)


def test_changing_the_lines_checks_the_open_quantity_without_counting_itself(merchandiser, manager, clerk) -> None:
    _c, a, _b = two_orders(merchandiser, manager)
    s = plan(clerk, a, quantities=[50, 200])
    services.update_shipment(shipment=s, by=clerk, data={"lines": lines_of(a, quantities=[100, 150])})
    assert list(s.lines.order_by("position").values_list("quantity", flat=True)) == [100, 150]
    with pytest.raises(ValidationError, match="line 1"):
        services.update_shipment(shipment=s, by=clerk, data={"lines": lines_of(a, quantities=[101, 150])})


def test_cut_offs_and_etd_are_chase_rows_of_the_customers_clerk_until_done(merchandiser, manager, clerk) -> None:
    customer, a, _b = two_orders(merchandiser, manager)
    s = plan(clerk, a, planned_ex_factory_date=TODAY + dt.timedelta(days=30))
    assert [r for r in chase_list(clerk, TODAY) if r.kind == "shipment"] == []
    services.book(
        shipment=s,
        by=clerk,
        data={"booking_no": "B1", "etd": TODAY + dt.timedelta(days=2), "cutoff_cargo": TODAY, "cutoff_customs": TODAY},
    )
    rows = [r for r in chase_list(clerk, TODAY) if r.kind == "shipment"]
    assert {r.milestone_name for r in rows} == {"cargo", "customs", "etd"}
    assert all(r.document == s.number and r.url.endswith(f"/shipping/{s.pk}/") for r in rows)
    # the customer's own clerk takes them over
    other = services.save_profile(customer=customer, by=manager, data={"shipping_clerk": merchandiser.username})
    assert other.shipping_clerk == merchandiser
    assert [r for r in chase_list(clerk, TODAY) if r.kind == "shipment"] == []
    services.load(shipment=s, by=clerk)
    services.save_declaration(shipment=s, by=clerk, data={"declaration_no": "222120260001"})
    assert {r.milestone_name for r in chase_list(merchandiser, TODAY) if r.kind == "shipment"} == {"etd"}
    services.depart(shipment=s, by=clerk)
    assert [r for r in chase_list(merchandiser, TODAY) if r.kind == "shipment"] == []


def test_the_declaration_is_built_from_the_lines_and_every_field_editable(merchandiser, manager, clerk) -> None:
    _c, a, b = two_orders(merchandiser, manager)
    s = plan(clerk, a, b)
    d = services.save_declaration(shipment=s, by=clerk, data={})
    assert [(line.hs_code, line.quantity, line.value) for line in d.lines.order_by("position")] == [
        ("630231", 100, Decimal("250.00")),
        ("630231", 200, Decimal("250.00")),
        ("630231", 48, Decimal("480.00")),
    ]
    with pytest.raises(ValidationError) as exc:
        services.save_declaration(
            shipment=s,
            by=clerk,
            version=d.version,
            data={"lines": [{"hs_code": "12", "declared_name": "x", "quantity": 1, "unit": "pcs", "value": 1}]},
        )
    assert list(exc.value.errors) == ["lines.1.hs_code"]
    assert d.lines.count() == 3
    d = services.save_declaration(
        shipment=s,
        by=clerk,
        version=d.version,
        data={
            "declaration_no": "222120260000123456",
            "declaration_date": "2026-11-24",
            "lines": [
                {"hs_code": "63023100", "declared_name": "棉床单", "quantity": 348, "unit": "pcs", "value": "980"}
            ],
        },
    )
    assert (d.declaration_no, d.lines.get().value) == ("222120260000123456", Decimal("980.00"))


def test_sending_documents_mails_the_pdfs_and_after_departure_fills_documents_sent(
    merchandiser, manager, clerk
) -> None:
    customer, a, b = two_orders(merchandiser, manager)
    contact = ContactFactory(customer=customer)
    s = booked(clerk, plan(clerk, a, b))
    services.depart(shipment=s, by=clerk)
    services.send_documents(
        shipment=s, by=clerk, kinds=["commercial-invoice", "packing-list"], to=[contact.email], lang="en"
    )
    assert len(mail.outbox) == 1
    assert [name for name, _c, _t in mail.outbox[0].attachments] == [
        f"{s.number}-commercial-invoice.pdf",
        f"{s.number}-packing-list.pdf",
    ]
    assert all(content.startswith(b"%PDF") for _n, content, _t in mail.outbox[0].attachments)
    assert actual(a, "DOC") == TODAY
    assert actual(b, "DOC") == TODAY
    assert ObjectChange.objects.filter(object_id=s.pk, message__startswith="Sent").exists()
    with pytest.raises(ValidationError):
        services.send_documents(shipment=s, by=clerk, kinds=["commercial-invoice"], to=["not-an-address"])


def test_the_invoice_number_is_issued_once_and_kept(merchandiser, manager, clerk) -> None:
    _c, a, _b = two_orders(merchandiser, manager)
    s = plan(clerk, a)
    services.issue_invoice_number(shipment=s, by=clerk)
    number = s.invoice_number
    assert number.startswith("CI-2026-")
    services.issue_invoice_number(shipment=Shipment.objects.get(pk=s.pk), by=clerk)
    assert Shipment.objects.get(pk=s.pk).invoice_number == number


def test_a_recorded_bl_sends_its_signal(merchandiser, manager, clerk) -> None:
    _c, a, _b = two_orders(merchandiser, manager)
    s = booked(clerk, plan(clerk, a))
    with pytest.raises(TransitionNotAllowed):
        services.record_bl(shipment=s, by=clerk, bl_number="X", bl_date=TODAY)
    services.depart(shipment=s, by=clerk)
    got = []
    signals.bl_recorded.connect(lambda **kw: got.append(kw["by"]), weak=False, dispatch_uid="t-bl")
    try:
        services.record_bl(shipment=s, by=clerk, bl_number="COSU777", bl_date=TODAY)
    finally:
        signals.bl_recorded.disconnect(dispatch_uid="t-bl")
    assert got == [clerk]
    s.refresh_from_db()
    assert s.bl_number == "COSU777"


def test_a_salesperson_may_look_but_not_plan(merchandiser, manager, make_user) -> None:
    from gendan.core.exceptions import PermissionDenied

    _c, a, _b = two_orders(merchandiser, manager)
    with pytest.raises(PermissionDenied):
        plan(make_user("sales"), a)
