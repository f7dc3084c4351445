"""Purchase orders: from requirements, approval, sending with the supplier link, promises, receiving, inspection."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings

from gendan.core import links
from gendan.core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationError
from gendan.core.models import ObjectChange
from gendan.followup.models import Milestone
from gendan.inventory.models import Stock
from gendan.procurement import services
from gendan.procurement.choices import Disposition, PoStatus
from gendan.procurement.models import IncomingInspection, MaterialRequirement
from gendan.sales.models import Order

pytestmark = pytest.mark.django_db


def sent_po(world, order):
    pos, _ = services.create_from_requirements(by=world.buyer, order_ids=[order.pk])
    po = pos[0]
    services.approve(po=po, by=world.boss)
    po, token = services.send(po=po, by=world.buyer)
    return po, token


def test_from_requirements_groups_by_default_supplier_with_price_and_need_by(world, confirmed):
    order = confirmed(quantity=100)
    pos, messages = services.create_from_requirements(by=world.buyer, order_ids=[order.pk])
    po = pos[0]
    assert po.status == PoStatus.DRAFT
    assert po.supplier == world.supplier
    lines = {line.material.code: line for line in po.lines.select_related("material")}
    assert lines["FAB"].quantity == Decimal("153")
    assert lines["FAB"].unit_price == Decimal("20")
    assert lines["FAB"].order == order
    assert po.total_amount == Decimal("3120.00")  # 153 × 20 + 600 × 0.1
    assert lines["FAB"].required_date == Milestone.objects.get(order=order, code="MIH").planned_date
    with pytest.raises(ValidationError, match="nothing left to buy"):
        services.create_from_requirements(by=world.buyer, order_ids=[order.pk])
    assert messages == []


@override_settings(GENDAN_PO_APPROVAL_LIMIT="1000")
def test_above_the_limit_only_a_purchasing_manager_approves(world, confirmed):
    order = confirmed(quantity=100)
    po = services.create_from_requirements(by=world.buyer, order_ids=[order.pk])[0][0]
    with pytest.raises(PermissionDenied, match="approval limit"):
        services.approve(po=po, by=world.buyer)
    services.approve(po=po, by=world.boss)
    po.refresh_from_db()
    assert po.status == PoStatus.APPROVED
    assert po.approved_by == world.boss


def test_below_the_limit_the_buyer_approves_and_a_draft_cannot_be_sent(world, confirmed):
    order = confirmed(quantity=10)
    po = services.create_from_requirements(by=world.buyer, order_ids=[order.pk])[0][0]
    with pytest.raises(TransitionNotAllowed):
        services.send(po=po, by=world.buyer)
    services.approve(po=po, by=world.buyer)
    po, token = services.send(po=po, by=world.buyer)
    assert po.status == PoStatus.SENT
    assert services.po_for_token(token)[0] == po


def test_the_supplier_link_expires_and_can_be_withdrawn(world, confirmed):
    order = confirmed(quantity=10)
    po, token = sent_po(world, order)
    services.revoke_links(po=po, by=world.buyer)
    with pytest.raises(links.LinkInvalid, match="withdrawn"):
        services.po_for_token(token)
    fresh = services.new_link(po=po, by=world.buyer)
    assert services.po_for_token(fresh)[0] == po
    with pytest.raises(links.LinkInvalid, match="not valid"):
        services.po_for_token(fresh[:-2] + "xx")


def test_a_late_supplier_promise_moves_materials_in_house_and_puts_the_order_at_risk(world, confirmed):
    order = confirmed(quantity=100, ex_factory_date=dt.date(2027, 1, 15))
    po, token = sent_po(world, order)
    mih = Milestone.objects.get(order=order, code="MIH")
    _po, link = services.po_for_token(token)
    late = mih.planned_date + dt.timedelta(days=20)
    services.supplier_confirm(
        po=po, link=link, lines=[{"line_id": line.pk, "promised_date": late} for line in po.lines.all()], note="dyeing"
    )
    po.refresh_from_db()
    assert po.status == PoStatus.CONFIRMED
    mih.refresh_from_db()
    assert mih.fed_date == late
    assert mih.forecast_date == late
    order = Order.objects.get(pk=order.pk)
    assert order.risk in ("at_risk", "late")
    assert order.driving_milestone == "MIH"
    from gendan.core import clock
    from gendan.followup.selectors import chase_list

    with clock.frozen(mih.planned_date):
        row = next(r for r in chase_list(mih.owner, clock.today()) if r.milestone_code == "MIH")
    assert "from S1 promised for" in row.reason  # the milestone's row says which supplier's promise pushes it
    change = ObjectChange.objects.filter(object_id=po.pk, user__isnull=True).first()
    assert "supplier link" in change.user_name
    line = po.lines.first()
    assert line.first_promised_date == late
    from gendan.core.models import Notification

    note = Notification.objects.get(recipient=world.buyer)
    assert note.title == f"S1 confirmed {po.number}"
    assert "FAB promised for" in note.body


def test_receiving_waits_for_inspection_then_accepted_goes_to_stock_for_the_order(world, confirmed):
    order = confirmed(quantity=100)
    po, _token = sent_po(world, order)
    fab = po.lines.get(material=world.fabric)
    receipt = services.receive(po=po, by=world.buyer, data={"lines": [{"line_id": fab.pk, "quantity": "153"}]})
    po.refresh_from_db()
    assert po.status == PoStatus.PARTIALLY_RECEIVED
    assert not Stock.objects.filter(material=world.fabric, on_hand__gt=0).exists()
    inspection = IncomingInspection.objects.get(receipt_line__receipt=receipt)
    services.record_inspection(
        inspection=inspection,
        by=world.qc,
        data={"accepted_qty": "140", "rejected_qty": "13", "disposition": Disposition.REJECT, "defects": "colour off"},
    )
    stock = Stock.objects.get(material=world.fabric)
    assert stock.on_hand == Decimal("140")
    assert stock.reserved == Decimal("140")
    req = MaterialRequirement.objects.get(order=order, material=world.fabric)
    assert req.allocated_stock_qty == Decimal("140")
    assert req.on_order_qty == Decimal("13")  # the rejected part is expected again
    fab.refresh_from_db()
    assert fab.accepted_qty == Decimal("140")
    assert fab.open_qty == Decimal("13")


def test_materials_in_house_is_done_when_everything_is_in_stock(world, confirmed):
    order = confirmed(quantity=10)
    po, _token = sent_po(world, order)
    receipt = services.receive(
        po=po, by=world.buyer, data={"lines": [{"line_id": li.pk, "quantity": li.quantity} for li in po.lines.all()]}
    )
    for inspection in IncomingInspection.objects.filter(receipt_line__receipt=receipt):
        services.record_inspection(
            inspection=inspection,
            by=world.qc,
            data={"accepted_qty": inspection.receipt_line.quantity, "rejected_qty": 0, "disposition": "accept"},
        )
    po.refresh_from_db()
    assert po.status == PoStatus.RECEIVED
    assert Milestone.objects.get(order=order, code="MIH").actual_date is not None


def test_bad_receipts_and_inspections_are_refused_and_change_nothing(world, confirmed):
    order = confirmed(quantity=10)
    po, _token = sent_po(world, order)
    fab = po.lines.get(material=world.fabric)
    with pytest.raises(ValidationError) as too_much:
        services.receive(po=po, by=world.buyer, data={"lines": [{"line_id": fab.pk, "quantity": "100"}]})
    assert "lines.1.quantity" in too_much.value.errors
    with pytest.raises(ValidationError):
        services.receive(
            po=po, by=world.buyer, data={"received_date": "2030-01-01", "lines": [{"line_id": fab.pk, "quantity": "1"}]}
        )
    receipt = services.receive(po=po, by=world.buyer, data={"lines": [{"line_id": fab.pk, "quantity": "15.3"}]})
    inspection = IncomingInspection.objects.get(receipt_line__receipt=receipt)
    for data, field in [
        ({"accepted_qty": "10", "rejected_qty": "1", "disposition": "reject", "defects": "x"}, "accepted_qty"),
        ({"accepted_qty": "15.3", "rejected_qty": "0", "disposition": "reject"}, "disposition"),
        ({"accepted_qty": "15", "rejected_qty": "0.3", "disposition": "reject"}, "defects"),
    ]:
        with pytest.raises(ValidationError) as bad:
            services.record_inspection(inspection=inspection, by=world.qc, data=data)
        assert field in bad.value.errors
    assert not Stock.objects.filter(material=world.fabric, on_hand__gt=0).exists()
    with pytest.raises(PermissionDenied):
        services.record_inspection(
            inspection=inspection, by=world.buyer, data={"accepted_qty": "15.3", "disposition": "accept"}
        )


def test_concession_puts_everything_in_stock(world, confirmed):
    order = confirmed(quantity=10)
    po, _token = sent_po(world, order)
    fab = po.lines.get(material=world.fabric)
    receipt = services.receive(po=po, by=world.buyer, data={"lines": [{"line_id": fab.pk, "quantity": "15.3"}]})
    services.record_inspection(
        inspection=IncomingInspection.objects.get(receipt_line__receipt=receipt),
        by=world.boss,
        data={"accepted_qty": "15", "rejected_qty": "0.3", "disposition": "concession", "defects": "slight shade"},
    )
    assert Stock.objects.get(material=world.fabric).on_hand == Decimal("15.3")


def test_a_supplier_confirming_a_smaller_quantity_reopens_the_requirement(world, confirmed):
    order = confirmed(quantity=100)
    po, token = sent_po(world, order)
    _po, link = services.po_for_token(token)
    fab = po.lines.get(material=world.fabric)
    lines = [
        {"line_id": li.pk, "promised_date": "2027-01-05", **({"confirmed_qty": "100"} if li.pk == fab.pk else {})}
        for li in po.lines.all()
    ]
    services.supplier_confirm(po=po, link=link, lines=lines)
    req = MaterialRequirement.objects.get(order=order, material=world.fabric)
    assert req.on_order_qty == Decimal("100")
    assert req.to_buy_qty == Decimal("53")


def test_delay_causes_belong_to_a_family(world, confirmed):
    order = confirmed(quantity=10)
    po, _token = sent_po(world, order)
    line = services.set_delay_cause(line=po.lines.first(), by=world.buyer, cause="over_capacity", note="peak season")
    assert services.cause_family(line.delay_cause) == "supplier"
    with pytest.raises(ValidationError):
        services.set_delay_cause(line=line, by=world.buyer, cause="bad luck")


def test_goods_waiting_for_inspection_count_as_on_order_and_are_not_chased(world, confirmed):
    from gendan.core import clock
    from gendan.followup.selectors import chase_list

    order = confirmed(quantity=10)
    po, _token = sent_po(world, order)
    services.record_promise(
        po=po, by=world.buyer, lines=[{"line_id": li.pk, "promised_date": "2026-11-25"} for li in po.lines.all()]
    )
    services.receive(
        po=po, by=world.buyer, data={"lines": [{"line_id": li.pk, "quantity": li.quantity} for li in po.lines.all()]}
    )
    po.refresh_from_db()
    assert po.status == PoStatus.RECEIVED
    services.run_requirements(order_ids=[order.pk], by=None)
    assert not MaterialRequirement.objects.filter(order=order, to_buy_qty__gt=0).exists()
    with clock.frozen(dt.date(2026, 11, 30)):
        assert [r for r in chase_list(world.buyer, clock.today()) if r.kind == "po_line"] == []


def test_an_order_ready_to_ship_gives_back_its_reservations(world, confirmed):
    from gendan.inventory.models import Reservation
    from gendan.sales import services as sales

    world.stock(world.fabric, 200)
    order = confirmed(quantity=100)
    assert Reservation.objects.filter(order=order).exists()
    sales.transition_order(order=order, by=world.boss, to_status="in_production")
    assert Reservation.objects.filter(order=order).exists()
    sales.transition_order(order=Order.objects.get(pk=order.pk), by=world.boss, to_status="ready_to_ship")
    assert not Reservation.objects.filter(order=order).exists()
    assert not MaterialRequirement.objects.filter(order=order).exists()
