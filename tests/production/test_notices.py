"""Production notices: registered from a confirmed order line, released to the plan after a capacity check."""

import datetime as dt
from decimal import Decimal

import pytest

from gendan.catalog.models import CapacityException
from gendan.core.choices import Role
from gendan.core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationError
from gendan.production import services
from gendan.production.models import PlanLoad
from tests.sales.factories import order_in

pytestmark = pytest.mark.django_db

TUE = dt.date(2026, 11, 24)


def day(n: int) -> dt.date:
    return TUE + dt.timedelta(days=n)


@pytest.fixture
def planner(make_user):
    return make_user(Role.PLANNER, username="pmc1")


def confirmed_line(plant, merchandiser, manager, quantity, due):
    order = order_in(
        "confirmed",
        by=merchandiser,
        manager=manager,
        products=[plant.shirt],
        quantities=[quantity],
        ex_factory_date=due,
    )
    return order.lines.get()


def test_a_notice_is_registered_from_a_confirmed_line_and_released_to_the_plan(plant, merchandiser, manager, planner):
    line = confirmed_line(plant, merchandiser, manager, 1000, day(21))
    notice = services.create_notice(order_line=line, by=planner)
    assert notice.number.startswith("PN-2026-")
    assert notice.quantity == Decimal(1000)
    assert notice.due_date == day(21)
    released = services.release_notice(notice=notice, by=planner)
    assert released.status == "released"
    assert released.planned_finish == day(2)
    loads = PlanLoad.objects.filter(notice=notice)
    assert sum(row.load for row in loads if row.work_centre_id == plant.sewing.pk) == Decimal(32)
    with pytest.raises(TransitionNotAllowed):
        services.release_notice(notice=released, by=planner)


def test_a_late_notice_is_refused_unless_overtime_is_accepted(plant, merchandiser, manager, planner):
    line = confirmed_line(plant, merchandiser, manager, 2600, day(7))
    notice = services.create_notice(order_line=line, by=planner)
    with pytest.raises(ValidationError, match="cannot be made by"):
        services.release_notice(notice=notice, by=planner)
    assert not PlanLoad.objects.exists()
    released = services.release_notice(notice=notice, by=planner, accept="overtime")
    assert released.planned_finish <= day(7)
    assert CapacityException.objects.filter(kind="overtime").exists()
    assert PlanLoad.objects.filter(notice=notice, overtime__gt=0).exists() is False  # overtime became capacity


def test_a_notice_due_earlier_pushes_the_later_ones_back(plant, merchandiser, manager, planner):
    later = services.create_notice(order_line=confirmed_line(plant, merchandiser, manager, 1000, day(30)), by=planner)
    services.release_notice(notice=later, by=planner)
    later.refresh_from_db()
    assert later.planned_finish == day(2)
    urgent = services.create_notice(order_line=confirmed_line(plant, merchandiser, manager, 1000, day(9)), by=planner)
    services.release_notice(notice=urgent, by=planner)
    urgent.refresh_from_db()
    later.refresh_from_db()
    assert urgent.planned_finish == day(2)
    assert later.planned_finish > day(2)
    for (wc, date), total in services.planned_load(
        [plant.cutting.pk, plant.sewing.pk], TUE, day(60), due_date=None
    ).items():
        capacity = plant.cutting.daily_capacity if wc == plant.cutting.pk else plant.sewing.daily_capacity
        assert total <= capacity, (wc, date)


def test_only_planning_releases_and_only_confirmed_orders_get_notices(plant, merchandiser, manager, planner):
    line = confirmed_line(plant, merchandiser, manager, 100, day(21))
    notice = services.create_notice(order_line=line, by=merchandiser)
    with pytest.raises(PermissionDenied):
        services.release_notice(notice=notice, by=merchandiser)
    draft = order_in("draft", by=merchandiser, manager=manager, products=[plant.shirt], quantities=[5])
    with pytest.raises(ValidationError, match="only a confirmed order"):
        services.create_notice(order_line=draft.lines.get(), by=planner)


def test_the_register_through_the_api(plant, merchandiser, manager, planner, api_as):
    line = confirmed_line(plant, merchandiser, manager, 2600, day(7))
    client = api_as(planner)
    made = client.post("/production-notices", {"order_line_id": line.pk})
    assert made.status_code == 201, made.content
    notice = made.json()
    assert notice["status"] == "draft"
    refused = client.post(f"/production-notices/{notice['id']}/release", {})
    assert refused.status_code == 422
    assert "cannot be made by" in refused.json()["detail"][0]["msg"]
    released = client.post(f"/production-notices/{notice['id']}/release", {"accept": "overtime"})
    assert released.status_code == 200, released.content
    assert released.json()["status"] == "released"
    assert client.get("/production-notices", order_id=line.order_id).json()["count"] == 1
    assert api_as(merchandiser).post(f"/production-notices/{notice['id']}/release", {}).status_code == 403


def test_the_pages_register_check_and_release(plant, merchandiser, manager, planner, page_as):
    line = confirmed_line(plant, merchandiser, manager, 2600, day(7))
    client = page_as(planner)
    order_page = client.get(f"/orders/{line.order_id}/").content.decode()
    assert 'data-testid="production-section"' in order_page
    made = client.post(f"/production/lines/{line.pk}/notice/")
    notice_url = made["Location"]
    page = client.get(notice_url).content.decode()
    assert 'data-feasible="no"' in page
    assert 'data-testid="release-overtime"' in page
    client.post(notice_url + "release/", {"accept": "overtime"})
    released = client.get(notice_url).content.decode()
    assert 'data-testid="notice-status">released<' in released
    assert 'data-testid="notice-load"' in released
    assert "PN-2026-" in client.get("/production/notices/").content.decode()


def test_the_notice_prints_for_the_workshop(plant, merchandiser, manager, planner, page_as):
    import shutil
    import subprocess

    line = confirmed_line(plant, merchandiser, manager, 1000, day(21))
    notice = services.create_notice(order_line=line, by=planner)
    services.release_notice(notice=notice, by=planner)
    pdf = page_as(planner).get(f"/production/notices/{notice.pk}/document.pdf?language=zh-hans")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True).stdout
        assert notice.number in text.decode()
        assert "SEW" in text.decode()


def test_the_plan_feeds_the_orders_production_milestones(plant, merchandiser, manager, planner):
    from gendan.followup.models import Milestone
    from gendan.sales.models import Order

    line = confirmed_line(plant, merchandiser, manager, 4000, day(10))
    notice = services.create_notice(order_line=line, by=planner)
    released = services.release_notice(notice=notice, by=planner, accept="late")
    plan = {m.code: m for m in Milestone.objects.filter(order=line.order)}
    assert plan["PS"].fed_date == released.planned_start
    assert plan["PC"].fed_date == released.planned_finish
    assert plan["PS"].fed_date <= plan["P50"].fed_date <= plan["PC"].fed_date
    assert released.number in plan["PC"].fed_note
    assert plan["PC"].forecast_date >= released.planned_finish
    order = Order.objects.get(pk=line.order_id)
    assert order.risk in ("at_risk", "late")
    assert order.forecast_ex_factory_date > day(10)


def test_the_load_chart_shows_the_plan_against_capacity(plant, merchandiser, manager, planner, page_as):
    import xml.etree.ElementTree as ET

    line = confirmed_line(plant, merchandiser, manager, 1000, day(21))
    services.release_notice(notice=services.create_notice(order_line=line, by=planner), by=planner)
    page = page_as(planner).get("/production/load/").content.decode()
    svg = page[page.index("<svg") : page.index("</svg>") + 6]
    root = ET.fromstring(svg)
    assert "SEW Sewing line 1" in "".join(root.itertext())
    assert 'data-testid="overloads"' not in page
    # a day planned over capacity (capacity cut after the release) turns red and is counted
    CapacityException.objects.create(work_centre=plant.sewing, date=day(1), capacity=4, kind="maintenance")
    again = page_as(planner).get("/production/load/").content.decode()
    assert 'data-over="1"' in again
    assert 'data-testid="overloads"' in again
