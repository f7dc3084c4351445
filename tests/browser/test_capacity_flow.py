"""The capacity flow in a real headless Chromium: a rush order that only overtime makes on time, from its production
notice on the order page through the capacity check and the overtime to the released plan."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from gendan.catalog import services as catalog_services
from gendan.catalog.choices import CapacityExceptionKind
from gendan.catalog.models import CapacityException, Product, WorkCentre
from gendan.catalog.selectors import day_capacity
from gendan.core import clock
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.partners import services as partner_services
from gendan.production.choices import NoticeStatus
from gendan.production.models import PlanLoad, ProductionNotice
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order
from tests.browser.conftest import login
from tests.conftest import TODAY
from tests.factories import UserFactory
from tests.sales.factories import order_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Today is Tuesday 2026-11-24; the rush order leaves the factory next Tuesday: six working days (Mon–Fri calendar).
EX_FACTORY = TODAY + dt.timedelta(days=7)
QUANTITY = 2600


def a_small_plant(planner: User) -> Product:
    """Through the services: a cutting table (8 h a day, up to 3 h overtime) and a sewing line (16 h, up to 4 h), and
    a shirt cut (0.48 min a piece, 30 min setup) then sewn (1.92 min a piece)."""
    cutting = catalog_services.create_work_centre(
        by=planner,
        data={
            "code": "CUT",
            "name": "裁床",
            "kind": "workshop",
            "daily_capacity": Decimal(8),
            "max_overtime_hours": Decimal(3),
        },
    )
    sewing = catalog_services.create_work_centre(
        by=planner,
        data={
            "code": "SEW1",
            "name": "缝制一线",
            "kind": "line",
            "daily_capacity": Decimal(16),
            "max_overtime_hours": Decimal(4),
        },
    )
    shirt = catalog_services.create_product(
        by=planner,
        data={"code": "GD-SHIRT", "name": "全棉衬衫", "name_en": "Cotton shirt", "unit": "pcs", "category": "shirts"},
    )
    catalog_services.set_routing(
        product=shirt,
        by=planner,
        steps=[
            {"name": "裁剪", "work_centre": cutting, "minutes_per_unit": "0.48", "setup_minutes": "30"},
            {"name": "缝制", "work_centre": sewing, "minutes_per_unit": "1.92"},
        ],
    )
    return shirt


def a_confirmed_rush_order(shirt: Product, merchandiser: User, manager: User) -> Order:
    """2600 shirts in six working days: cutting takes 21.3 h (ends on the third day), sewing 83.2 h, of which only
    64 h fit in the four days left at 16 h; with overtime cutting ends a day sooner and sewing has 5 × 20 h."""
    customer = partner_services.create_customer(
        by=manager,
        data={
            "code": "C-NW01",
            "name": "北风家居",
            "name_en": "Northwind Home Inc.",
            "tier": "key",
            "country": "US",
            "currency": "USD",
            "default_incoterm": "FOB",
            "payment_terms": "T/T 30 days",
            "merchandiser": merchandiser,
        },
    )
    order = order_in(
        OrderStatus.CONFIRMED,
        by=merchandiser,
        manager=manager,
        customer=customer,
        products=[shirt],
        quantities=[QUANTITY],
        prices=["4.20"],
        ex_factory_date=EX_FACTORY,
    )
    order.refresh_from_db()
    return order


def test_planner_releases_a_rush_order_with_the_overtime_its_capacity_check_proposes(
    page: Page, merchandiser: User, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a small plant, and a confirmed rush order the plant cannot make by its date at normal capacity
    planner = UserFactory(username="planner1", role=Role.PLANNER)
    shirt = a_small_plant(planner)
    order = a_confirmed_rush_order(shirt, merchandiser, manager)
    assert order.status == OrderStatus.CONFIRMED
    line = order.lines.get()
    # and the live server (another thread, outside the frozen clock's context) living the same day as this test
    today_noon = clock.now()
    monkeypatch.setattr(clock, "now", lambda: today_noon)

    # when the planner opens the order and registers the line's production notice from the Production section
    login(page, planner.username)
    page.goto(reverse("sales:order", args=[order.pk]))
    section = page.get_by_test_id("production-section")
    expect(section.get_by_test_id("order-notices")).to_have_count(0)
    add = section.get_by_test_id("add-notice")
    expect(add).to_have_count(1)
    expect(add).to_contain_text("GD-SHIRT")
    add.click()

    # then they land on the new draft notice, for the whole line, due on the order's ex-factory date
    notice = ProductionNotice.objects.get()
    page.wait_for_url(f"**{reverse('production:notice', args=[notice.pk])}")
    expect(page.get_by_test_id("notice-number")).to_have_text(notice.number)
    expect(page.get_by_test_id("notice-status")).to_have_text(NoticeStatus.DRAFT.value)
    assert (notice.order_line_id, notice.quantity, notice.due_date) == (line.pk, Decimal(QUANTITY), EX_FACTORY)

    # and its capacity check says the date cannot be met, proposing overtime that meets it
    check = page.get_by_test_id("check-result")
    expect(check).to_have_attribute("data-feasible", "no")
    expect(check).to_contain_text("Cannot be met")
    measures = check.get_by_test_id("measures")
    overtime = measures.locator("li[data-kind=overtime]")
    expect(overtime).to_have_count(1)
    expect(overtime).to_contain_text("SEW1")
    expect(measures.locator("li[data-kind=new_date]")).to_have_count(1)
    expect(page.get_by_test_id("release")).to_have_count(0)
    expect(page.get_by_test_id("release-late")).to_be_visible()
    assert not CapacityException.objects.exists()

    # when they accept the overtime and release the notice
    page.get_by_test_id("release-overtime").click()

    # then the notice is released, planned to finish by its date, with its planned load per work centre and day
    expect(page.get_by_test_id("notice-status")).to_have_text(NoticeStatus.RELEASED.value)
    expect(page.locator(".msg-success")).to_contain_text(f"{notice.number} is released")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.RELEASED
    assert notice.released_by == planner
    assert notice.planned_start == TODAY
    assert notice.planned_finish <= EX_FACTORY
    expect(page.get_by_test_id("planned")).to_contain_text(notice.planned_finish.isoformat())
    expect(page.get_by_test_id("check-result")).to_have_count(0)
    load = page.get_by_test_id("notice-load")
    expect(load.locator("tbody tr")).to_have_count(2)
    expect(load.locator("tbody")).to_contain_text("CUT")
    expect(load.locator("tbody")).to_contain_text("SEW1")

    # and the database holds the overtime as capacity exceptions, within each work centre's allowance
    centres = {wc.pk: wc for wc in WorkCentre.objects.all()}
    overtime_days = list(CapacityException.objects.filter(kind=CapacityExceptionKind.OVERTIME))
    assert overtime_days
    assert {e.work_centre.code for e in overtime_days} >= {"SEW1"}
    for e in overtime_days:
        centre = centres[e.work_centre_id]
        assert centre.daily_capacity < e.capacity <= centre.daily_capacity + centre.max_overtime_hours, e
    # and the planned loads stay within each day's capacity, overtime included, and make the whole quantity
    loads = list(PlanLoad.objects.filter(notice=notice))
    used: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
    for row in loads:
        used[(row.work_centre_id, row.date)] += row.load
    capacity = day_capacity(list(centres), TODAY, EX_FACTORY)
    for key, amount in used.items():
        assert key[1] <= EX_FACTORY, key
        assert amount <= capacity[key], (centres[key[0]].code, key[1], amount, capacity[key])
    for position in (1, 2):
        assert sum(r.quantity for r in loads if r.position == position) == pytest.approx(Decimal(QUANTITY), abs=1)
    assert sum(r.load for r in loads if r.work_centre.code == "SEW1") == Decimal("83.20")

    # and the order page lists the released notice in its Production section, with nothing left to register
    page.goto(reverse("sales:order", args=[order.pk]))
    section = page.get_by_test_id("production-section")
    expect(section.get_by_test_id("order-notices")).to_contain_text(notice.number)
    expect(section.get_by_test_id("add-notice")).to_have_count(0)

    # when they check the order's capacity again from there
    section.get_by_test_id("order-capacity-check").click()
    page.wait_for_url(f"**{reverse('production:capacity_check')}?order={order.pk}")

    # then the order is feasible: its line is made by the ex-factory date with the plan as released
    result = page.get_by_test_id("check-result")
    expect(result).to_contain_text("Can be met")
    expect(result).to_have_attribute("data-feasible", "yes")
