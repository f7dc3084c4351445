"""Outsourcing (外发): subcontract orders in the plan, the factory's reports and link, receipts, the record."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from gendan.core import clock, links
from gendan.core.choices import Role
from gendan.core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationError
from gendan.followup.selectors import chase_list
from gendan.production import services, subcontracting
from gendan.production.choices import SubcontractStatus
from gendan.production.models import DailyReport, PlanLoad
from gendan.sales.models import Order
from tests.production.test_notices import confirmed_line, day

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(plant, merchandiser, manager, make_user):
    """1000 shirts due in ten days, released: cut Tue–Wed, sewn Wed and Thu."""
    planner = make_user(Role.PLANNER, username="pmc1")
    line = confirmed_line(plant, merchandiser, manager, 1000, day(10))
    notice = services.release_notice(notice=services.create_notice(order_line=line, by=planner), by=planner)
    return notice, planner


def sewing_out(plant, notice, planner, quantity=400, **kw):
    data = {
        "notice_id": notice.pk,
        "factory_id": plant.factory.pk,
        "first_position": 2,
        "last_position": 2,
        "quantity": quantity,
        "unit_price": "3.50",
        "due_date": day(3),
        **kw,
    }
    return subcontracting.create_subcontract(by=planner, data=data)


def in_house(notice, position):
    rows = PlanLoad.objects.filter(notice=notice, position=position, subcontract__isnull=True)
    return rows.aggregate(total=Sum("quantity"))["total"]


def test_sending_sewing_out_books_the_factory_and_shrinks_the_line(plant, released):
    notice, planner = released
    assert in_house(notice, 2) == Decimal(1000)
    sc = sewing_out(plant, notice, planner)
    assert (sc.status, sc.number[:2], sc.amount, sc.send_date) == ("draft", "SC", Decimal("1400.00"), day(0))
    assert not PlanLoad.objects.filter(subcontract=sc).exists()  # a draft takes nothing yet

    sc = subcontracting.send_subcontract(sc=sc, by=planner, version=sc.version)

    assert sc.status == SubcontractStatus.SENT
    assert sc.planned_finish == day(0)
    factory_share = list(PlanLoad.objects.filter(subcontract=sc).values_list("work_centre_id", "date", "quantity"))
    assert factory_share == [(plant.factory.pk, day(0), Decimal(400))]
    assert in_house(notice, 2) == Decimal(600)  # the line sews the rest
    assert in_house(notice, 1) == Decimal(1000)  # cutting is still done in-house
    sewing = PlanLoad.objects.filter(notice=notice, work_centre=plant.sewing).aggregate(h=Sum("load"))["h"]
    assert sewing == Decimal("19.20")  # 600 × 1.92 min


def test_an_operation_is_never_sent_out_beyond_the_notice(plant, released):
    notice, planner = released
    sewing_out(plant, notice, planner, 400)
    with pytest.raises(ValidationError) as exc:
        sewing_out(plant, notice, planner, 700)
    assert "At most 600" in exc.value.errors["quantity"][0]
    sewing_out(plant, notice, planner, 100, first_position=1)  # cutting and sewing both: 400 + 100 ≤ 1000


def test_bad_input_is_refused_field_by_field(plant, released):
    notice, planner = released
    with pytest.raises(ValidationError) as exc:
        sewing_out(
            plant,
            notice,
            planner,
            "-1",
            factory_id=plant.sewing.pk,
            first_position=3,
            due_date="2026-11-01",
            unit_price="x",
            currency="XXX",
        )
    assert set(exc.value.errors) == {"quantity", "factory_id", "first_position", "due_date", "unit_price", "currency"}
    assert not subcontracting.SubcontractOrder.objects.exists()


def test_a_factory_without_room_by_the_return_date_is_refused_with_its_earliest_date(plant, released):
    notice, planner = released
    sc = sewing_out(plant, notice, planner, 1000, first_position=1, due_date=day(0))  # 500 a day: two days
    with pytest.raises(ValidationError) as exc:
        subcontracting.send_subcontract(sc=sc, by=planner)
    assert f"by {day(1).isoformat()} at the earliest" in exc.value.errors["due_date"][0]
    sc.refresh_from_db()
    assert sc.status == "draft"
    assert not PlanLoad.objects.filter(subcontract__isnull=False).exists()
    assert in_house(notice, 2) == Decimal(1000)


def test_the_factory_reports_through_its_link_and_its_output_counts(plant, released, merchandiser):
    notice, planner = released
    sc = subcontracting.send_subcontract(sc=sewing_out(plant, notice, planner), by=planner)
    link, token = subcontracting.create_factory_link(factory=plant.factory, by=planner)
    factory, found = subcontracting.factory_for_token(token)
    assert (factory, found) == (plant.factory, link)

    # behind its plan of 400 today: it must say why, and the owner hears of it
    with pytest.raises(ValidationError):
        subcontracting.record_factory_reports(
            factory=factory, link=link, items=[{"date": day(0), "subcontract_id": sc.pk, "good_qty": 100}]
        )
    (report,) = subcontracting.record_factory_reports(
        factory=factory,
        link=link,
        items=[{"date": day(0), "subcontract_id": sc.pk, "good_qty": 100, "variance_reason": "staff"}],
    )
    assert (report.subcontract, report.notice, report.work_centre) == (sc, notice, plant.factory)
    assert report.reported_by.startswith(link.party)
    assert planner.notifications.filter(title__contains="behind plan").exists()

    # the factory's output is the order's output too (sewing is the last operation)
    p = services.progress(Order.objects.get(pk=notice.order_id))
    assert p.actual == Decimal(100)

    # another factory's order is refused
    other = sewing_out(plant, notice, planner, 100)
    with pytest.raises(ValidationError):
        subcontracting.record_factory_reports(
            factory=factory, link=link, items=[{"date": day(0), "subcontract_id": other.pk, "good_qty": 1}]
        )
    # a withdrawn link no longer opens
    subcontracting.revoke_factory_link(link=link, by=planner)
    with pytest.raises(links.LinkInvalid):
        subcontracting.factory_for_token(token)


def test_staff_enter_a_factory_report_by_order(plant, released):
    notice, planner = released
    sc = subcontracting.send_subcontract(sc=sewing_out(plant, notice, planner), by=planner)
    (report,) = services.record_reports(
        by=planner,
        items=[{"date": day(0), "work_centre_id": plant.factory.pk, "order_id": notice.order_id, "good_qty": 400}],
    )
    assert report.subcontract == sc


def test_receiving_with_inspection_and_the_factory_record(plant, released):
    notice, planner = released
    sc = subcontracting.send_subcontract(sc=sewing_out(plant, notice, planner), by=planner)
    with pytest.raises(ValidationError) as exc:
        subcontracting.receive(sc=sc, by=planner, data={"quantity": 500})
    assert "Only 400" in exc.value.errors["quantity"][0]
    with pytest.raises(ValidationError) as exc:
        subcontracting.receive(sc=sc, by=planner, data={"quantity": 300, "rejected_qty": 10})
    assert "findings" in exc.value.errors

    with clock.frozen(day(3)):  # on its return date
        subcontracting.receive(sc=sc, by=planner, data={"quantity": 300, "rejected_qty": 12, "findings": "open seams"})
    sc.refresh_from_db()
    assert (sc.status, sc.received_qty, sc.accepted_qty, sc.rejected_qty) == ("sent", 300, 288, 12)
    with clock.frozen(day(6)):  # the rest three days late
        subcontracting.receive(sc=sc, by=planner, data={"quantity": 100})
        sc.refresh_from_db()
        assert sc.status == SubcontractStatus.RECEIVED
        with pytest.raises(TransitionNotAllowed):
            subcontracting.receive(sc=sc, by=planner, data={"quantity": 1})
        (row,) = subcontracting.factory_record(day(0), day(30))
    assert row["factory"] == plant.factory
    assert (row["orders"], row["received"], row["on_time_pct"]) == (1, Decimal(400), Decimal("75.0"))
    assert (row["late_orders"], row["avg_days_late"], row["rejected_pct"]) == (1, Decimal("3.0"), Decimal("3.0"))


def test_cancelling_a_sent_order_gives_the_work_back_to_the_line(plant, released):
    notice, planner = released
    sc = subcontracting.send_subcontract(sc=sewing_out(plant, notice, planner), by=planner)
    subcontracting.cancel_subcontract(sc=sc, by=planner, reason="factory closed for inspection")
    sc.refresh_from_db()
    assert sc.status == SubcontractStatus.CANCELLED
    assert not PlanLoad.objects.filter(subcontract=sc).exists()
    assert in_house(notice, 2) == Decimal(1000)
    with pytest.raises(TransitionNotAllowed):
        subcontracting.cancel_subcontract(sc=sc, by=planner)


def test_an_order_with_output_reported_is_closed_short_not_cancelled(plant, released):
    notice, planner = released
    sc = subcontracting.send_subcontract(sc=sewing_out(plant, notice, planner), by=planner)
    services.record_reports(
        by=planner,
        items=[{"date": day(0), "work_centre_id": plant.factory.pk, "subcontract_id": sc.pk, "good_qty": 400}],
    )
    with pytest.raises(TransitionNotAllowed):
        subcontracting.cancel_subcontract(sc=sc, by=planner)
    with pytest.raises(TransitionNotAllowed):
        subcontracting.close_short(sc=sc, by=planner, reason="rest lost")  # nothing received yet
    subcontracting.receive(sc=sc, by=planner, data={"quantity": 350})
    with pytest.raises(ValidationError):
        subcontracting.close_short(sc=sc, by=planner, reason=" ")
    sc = subcontracting.close_short(sc=sc, by=planner, reason="50 ruined in a flood")
    assert sc.status == SubcontractStatus.CLOSED
    assert DailyReport.objects.filter(subcontract=sc).count() == 1


def test_the_owner_chases_an_order_due_back_and_a_factory_behind_its_plan(plant, released):
    notice, planner = released
    sc = subcontracting.send_subcontract(sc=sewing_out(plant, notice, planner, due_date=day(9)), by=planner)

    def rows(on):
        return [r for r in chase_list(planner, on, horizon=0) if r.kind == "subcontract"]

    assert rows(day(0)) == []
    (behind,) = rows(day(1))  # nothing reported of the 400 planned yesterday
    assert "reported 0 of the 400 planned" in behind.reason
    assert behind.document == sc.number
    (late,) = rows(day(10))
    assert late.days_late > 0
    assert "owes 400" in late.reason


def test_only_planners_send_work_out(plant, released, make_user):
    notice, planner = released
    sales = make_user(Role.SALES, username="sales1")
    with pytest.raises(PermissionDenied):
        sewing_out(plant, notice, sales)


# ---- the API --------------------------------------------------------------------------------------------------------


def test_the_api_drafts_sends_receives_and_reports_the_record(plant, released, api_as, make_user):
    notice, planner = released
    api = api_as(planner)
    body = {"notice_id": notice.pk, "factory_id": plant.factory.pk, "first_position": 2, "quantity": "400"}
    bad = api.post("/subcontract-orders", body)  # no return date
    assert bad.status_code == 422
    assert "due_date" in str(bad.json())
    created = api.post("/subcontract-orders", {**body, "due_date": day(3).isoformat(), "unit_price": "3.5"})
    assert created.status_code == 201, created.json()
    sc = created.json()
    assert (sc["status"], sc["operations"], sc["amount"], sc["last_position"]) == ("draft", "2 sew", "1400.00", 2)

    stale = api.patch(f"/subcontract-orders/{sc['id']}", {"version": sc["version"] - 1, "quantity": "300"})
    assert stale.status_code == 409
    changed = api.patch(f"/subcontract-orders/{sc['id']}", {"version": sc["version"], "quantity": "300"})
    assert changed.json()["quantity"] == "300.000"

    sent = api.post(f"/subcontract-orders/{sc['id']}/send")
    assert sent.json()["status"] == "sent"
    assert sent.json()["planned_finish"] == day(0).isoformat()
    again = api.post(f"/subcontract-orders/{sc['id']}/send")
    assert again.status_code == 409
    assert again.json()["code"] == "transition_not_allowed"

    reported = api.post(
        "/daily-reports",
        {"date": day(0).isoformat(), "work_centre_id": plant.factory.pk, "order_id": notice.order_id, "good_qty": 300},
    )
    assert reported.status_code == 201
    assert reported.json()[0]["subcontract_id"] == sc["id"]

    received = api.post(
        f"/subcontract-orders/{sc['id']}/receipts", {"quantity": "300", "rejected_qty": "6", "findings": "stains"}
    )
    assert received.status_code == 201
    assert received.json()["status"] == "received"
    assert received.json()["receipts"][0]["accepted_qty"] == "294.000"

    listed = api.get("/subcontract-orders", factory_id=plant.factory.pk, status="received").json()
    assert listed["count"] == 1
    assert listed["items"][0]["number"] == sc["number"]
    (record,) = api.get("/factory-record").json()
    assert (record["factory"], record["on_time_pct"], record["rejected_pct"]) == ("F1", "100.0", "2.0")


def test_the_api_manages_a_factory_link(plant, released, api_as, make_user, client):
    notice, planner = released
    api = api_as(planner)
    assert api.post(f"/work-centres/{plant.sewing.pk}/links").status_code == 422  # not a factory
    made = api.post(f"/work-centres/{plant.factory.pk}/links")
    assert made.status_code == 201
    link = made.json()
    assert "/f/" in link["url"]
    assert link["party"] == plant.subcontractor.name
    assert [x["id"] for x in api.get(f"/work-centres/{plant.factory.pk}/links").json()] == [link["id"]]
    assert client.get(link["url"]).status_code == 200
    assert api_as(make_user(Role.SALES, username="s1")).delete(f"/links/{link['id']}").status_code == 403
    assert api.delete(f"/links/{link['id']}").status_code == 200
    assert client.get(link["url"]).status_code == 410


# ---- the pages ------------------------------------------------------------------------------------------------------


def test_the_planner_sends_work_out_from_the_notice_page(plant, released, page_as):
    notice, planner = released
    browser = page_as(planner)
    page = browser.get(f"/production/notices/{notice.pk}/")
    assert b'data-testid="send-out"' in page.content
    form = browser.get(f"/production/notices/{notice.pk}/subcontract/?factory={plant.factory.pk}&quantity=400")
    assert b'value="400"' in form.content
    refused = browser.post(
        f"/production/notices/{notice.pk}/subcontract/",
        {"factory_id": plant.factory.pk, "first_position": 2, "last_position": 2, "quantity": "400", "due_date": ""},
    )
    assert refused.status_code == 200
    assert b"Say by when the factory returns the goods." in refused.content
    made = browser.post(
        f"/production/notices/{notice.pk}/subcontract/",
        {
            "factory_id": plant.factory.pk,
            "first_position": 2,
            "last_position": 2,
            "quantity": "400",
            "unit_price": "3.5",
            "currency": "CNY",
            "send_date": day(0).isoformat(),
            "due_date": day(3).isoformat(),
        },
    )
    sc = subcontracting.SubcontractOrder.objects.get()
    assert made.status_code == 302
    assert made["Location"] == f"/production/subcontracts/{sc.pk}/"
    browser.post(f"/production/subcontracts/{sc.pk}/send/")
    sc.refresh_from_db()
    assert sc.status == "sent"
    detail = browser.get(f"/production/subcontracts/{sc.pk}/")
    assert b'data-testid="receive-form"' in detail.content
    assert b'data-testid="factory-days"' in detail.content
    browser.post(
        f"/production/subcontracts/{sc.pk}/receive/",
        {"date": day(0).isoformat(), "quantity": "400", "rejected_qty": "0"},
    )
    sc.refresh_from_db()
    assert sc.status == "received"
    listing = browser.get("/production/subcontracts/", {"status": "received"})
    assert sc.number.encode() in listing.content
    xlsx = browser.get("/production/subcontracts/", {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    record = browser.get("/production/factories/")
    assert b'data-factory="F1"' in record.content
    assert b"100.0 %" in record.content


def test_the_factory_reports_on_its_page_and_sees_nothing_else(plant, released, page_as, client):
    notice, planner = released
    sc = subcontracting.send_subcontract(sc=sewing_out(plant, notice, planner), by=planner)
    browser = page_as(planner)
    browser.post(f"/production/factories/{plant.factory.pk}/link/new/")
    page = browser.get("/production/factories/")
    url = page.content.decode().split('data-testid="factory-link-F1"')[0].rsplit('value="', 1)[1].split('"')[0]
    path = url.split("testserver", 1)[1]

    shown = client.get(path)
    assert shown.status_code == 200
    assert sc.number.encode() in shown.content
    assert notice.order.number.encode() not in shown.content
    assert notice.order.customer.name.encode() not in shown.content

    behind = client.post(path, {"date": day(0).isoformat(), f"good_qty-{sc.pk}": "100"}, HTTP_ACCEPT_LANGUAGE="en")
    assert behind.status_code == 200
    assert b"say why" in behind.content
    assert b'class="error small"' in behind.content
    assert b'value="100"' in behind.content  # what was typed stays
    assert not DailyReport.objects.exists()
    done = client.post(
        path, {"date": day(0).isoformat(), f"good_qty-{sc.pk}": "100", f"variance_reason-{sc.pk}": "equipment"}
    )
    assert done.status_code == 302
    report = DailyReport.objects.get()
    assert (report.subcontract, report.good_qty, report.variance_reason) == (sc, 100, "equipment")
    assert "factory link" in report.reported_by

    browser.post(f"/production/factories/{plant.factory.pk}/link/revoke/")
    assert client.get(path).status_code == 410


def test_bad_input_on_the_factory_page_and_the_api_is_a_clear_error(plant, released, api_as, client):
    notice, planner = released
    sc = subcontracting.send_subcontract(sc=sewing_out(plant, notice, planner), by=planner)
    _link, token = subcontracting.create_factory_link(factory=plant.factory, by=planner)
    page = client.post(
        f"/f/{token}/", {"date": day(0).isoformat(), f"good_qty-{sc.pk}": "abc"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 200
    assert b"Enter a number." in page.content
    nothing = client.post(f"/f/{token}/", {"date": day(0).isoformat()}, HTTP_ACCEPT_LANGUAGE="en")
    assert b"Enter the output of at least one order." in nothing.content
    assert not DailyReport.objects.exists()
    api = api_as(planner)
    over = api.post(f"/subcontract-orders/{sc.pk}/receipts", {"quantity": "401"})
    assert over.status_code == 422
    assert "Only 400" in str(over.json())
    assert api.get("/subcontract-orders/999999").status_code == 404
    swapped = api.get("/factory-record", date_from=day(30).isoformat(), date_to=day(0).isoformat())
    assert swapped.status_code == 200  # the period's ends are put in order
