"""The purchasing pages: the order's materials section, POs and their actions, the supplier's page, receiving and
inspection, the chase list's expediting rows."""

import datetime as dt
from decimal import Decimal

import pytest

from gendan.core import clock
from gendan.core.models import Notification
from gendan.followup.selectors import chase_list
from gendan.procurement import services
from gendan.procurement.choices import PoStatus
from gendan.procurement.models import IncomingInspection, PurchaseOrder

pytestmark = pytest.mark.django_db


def test_the_order_page_shows_materials_and_creates_purchase_orders(world, confirmed, page_as):
    order = confirmed(quantity=100)
    page = page_as(world.boss).get(f"/orders/{order.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="materials-section"' in html
    assert 'data-material="FAB"' in html
    made = page_as(world.boss).post("/purchasing/from-requirements/", {"order_ids": [order.pk], "next": "/"})
    po = PurchaseOrder.objects.get()
    assert made["Location"] == f"/purchasing/{po.pk}/"
    assert (
        page_as(world.merchandiser).post("/purchasing/from-requirements/", {"order_ids": [order.pk]}).status_code == 403
    )


def test_a_po_is_approved_sent_and_its_link_shown(world, confirmed, page_as):
    order = confirmed(quantity=10)
    po = services.create_from_requirements(by=world.buyer, order_ids=[order.pk])[0][0]
    client = page_as(world.buyer)
    client.post(f"/purchasing/{po.pk}/approve/")
    client.post(f"/purchasing/{po.pk}/send/")
    po.refresh_from_db()
    assert po.status == PoStatus.SENT
    page = client.get(f"/purchasing/{po.pk}/").content.decode()
    assert 'data-testid="supplier-link"' in page
    assert "/s/po/" in page
    listing = client.get("/purchasing/?status=sent").content.decode()
    assert po.number in listing


def test_a_refused_action_says_why(world, confirmed, page_as):
    order = confirmed(quantity=10)
    po = services.create_from_requirements(by=world.buyer, order_ids=[order.pk])[0][0]
    response = page_as(world.buyer).post(f"/purchasing/{po.pk}/send/", follow=True)
    assert "cannot be" in response.content.decode()
    po.refresh_from_db()
    assert po.status == PoStatus.DRAFT


def test_the_supplier_page_works_without_an_account_and_only_for_its_po(world, confirmed, client):
    order = confirmed(quantity=10)
    po = services.create_from_requirements(by=world.buyer, order_ids=[order.pk])[0][0]
    services.approve(po=po, by=world.buyer)
    po, token = services.send(po=po, by=world.buyer)
    page = client.get(f"/s/po/{token}/")
    assert page.status_code == 200
    assert po.number in page.content.decode()
    data = {"action": "confirm", "note": "ok"}
    for line in po.lines.all():
        data[f"promised-{line.pk}"] = "2026-12-18"
    assert client.post(f"/s/po/{token}/", data)["Location"] == f"/s/po/{token}/"
    po.refresh_from_db()
    assert po.status == PoStatus.CONFIRMED
    fab = po.lines.get(material=world.fabric)
    shipped = client.post(
        f"/s/po/{token}/",
        {"action": "ship", "ship_date": "2026-11-24", "carrier": "SF", "tracking": "SF123", f"ship-{fab.pk}": "15.3"},
    )
    assert shipped.status_code == 302
    assert po.shipments.get().lines.get().quantity == Decimal("15.3")
    assert Notification.objects.filter(recipient=world.buyer, title=f"S1 shipped {po.number}").exists()
    assert "SF123" in client.get(f"/s/po/{token}/").content.decode()
    refused = client.post(
        f"/s/po/{token}/", {"action": "ship", "ship_date": "2026-11-24"}, follow=True, headers={"accept-language": "en"}
    )
    assert "at least one line" in refused.content.decode()
    assert client.get(f"/s/po/{token}x/").status_code == 410
    assert client.get(f"/purchasing/{po.pk}/").status_code == 302  # the staff page needs a login


def test_receiving_and_inspecting_through_the_pages(world, confirmed, page_as):
    order = confirmed(quantity=10)
    po = services.create_from_requirements(by=world.buyer, order_ids=[order.pk])[0][0]
    services.approve(po=po, by=world.buyer)
    po, _token = services.send(po=po, by=world.buyer)
    fab = po.lines.get(material=world.fabric)
    client = page_as(world.buyer)
    assert client.get(f"/purchasing/{po.pk}/receive/").status_code == 200
    too_much = client.post(
        f"/purchasing/{po.pk}/receive/",
        {"received_date": "2026-11-24", "location": world.location.pk, f"qty-{fab.pk}": "999"},
    )
    assert too_much.status_code == 200
    assert "too much" in too_much.content.decode()
    done = client.post(
        f"/purchasing/{po.pk}/receive/",
        {"received_date": "2026-11-24", "location": world.location.pk, f"qty-{fab.pk}": "15.3"},
    )
    assert done.status_code == 302
    inspection = IncomingInspection.objects.get()
    qc = page_as(world.qc)
    assert f"/purchasing/inspections/{inspection.pk}/" in qc.get("/").content.decode()  # the dashboard panel
    assert "15.3" in qc.get("/purchasing/inspections/").content.decode()
    result = qc.post(
        f"/purchasing/inspections/{inspection.pk}/",
        {"accepted_qty": "15.3", "rejected_qty": "0", "disposition": "accept", "checked_qty": "5"},
    )
    assert result.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == "done"


def test_documents_download(world, confirmed, page_as):
    order = confirmed(quantity=10)
    po = services.create_from_requirements(by=world.buyer, order_ids=[order.pk])[0][0]
    pdf = page_as(world.buyer).get(f"/purchasing/{po.pk}/document.pdf?language=en")
    assert pdf["Content-Type"] == "application/pdf"
    xlsx = page_as(world.buyer).get(f"/purchasing/{po.pk}/document.xlsx")
    assert xlsx.content[:2] == b"PK"


def test_the_buyer_chases_late_lines_and_the_day_before_each_promise(world, confirmed, page_as):
    order = confirmed(quantity=10)
    po = services.create_from_requirements(by=world.buyer, order_ids=[order.pk])[0][0]
    services.approve(po=po, by=world.buyer)
    po, _token = services.send(po=po, by=world.buyer)
    fab, btn = po.lines.get(material=world.fabric), po.lines.get(material=world.button)
    services.record_promise(
        po=po,
        by=world.buyer,
        lines=[{"line_id": fab.pk, "promised_date": "2026-11-26"}, {"line_id": btn.pk, "promised_date": "2026-11-30"}],
    )
    rows = [r for r in chase_list(world.buyer, clock.today()) if r.kind == "po_line"]
    assert [r.object_id for r in rows] == [fab.pk, btn.pk]  # the day before 11-26 is 11-25 (in the horizon)
    assert rows[0].due_date == dt.date(2026, 11, 25)
    assert rows[0].document == po.number
    dashboard = page_as(world.buyer).get("/").content.decode()
    assert f'id="chase-po_line-{fab.pk}"' in dashboard
    assert po.number in dashboard
    with clock.frozen(dt.date(2026, 11, 27)):
        late = [r for r in chase_list(world.buyer, clock.today()) if r.kind == "po_line"]
    assert late[0].object_id == fab.pk
    assert late[0].days_late > 0
    assert "late" in late[0].reason


def test_from_requirements_never_redirects_off_site(world, confirmed, page_as):
    order = confirmed(quantity=10)
    client = page_as(world.buyer)
    client.post("/purchasing/from-requirements/", {"order_ids": [order.pk]})
    again = client.post("/purchasing/from-requirements/", {"order_ids": [order.pk], "next": "//evil.example/x"})
    assert again["Location"] == "/purchasing/requirements/"  # nothing left to buy: back, but never off site
