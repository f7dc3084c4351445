"""The purchasing flow in a real headless Chromium: from an order's shortages to a supplier's late promise on its
public page, and the order at risk on the risk board, driven by "materials in house"."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from gendan.catalog import services as catalog_services
from gendan.core import clock
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.followup.models import Milestone
from gendan.inventory import services as inventory_services
from gendan.partners import services as partner_services
from gendan.procurement.choices import PoStatus
from gendan.procurement.models import MaterialRequirement, PurchaseOrder
from gendan.sales.choices import OrderStatus, Risk
from gendan.sales.models import Order
from tests.browser.conftest import login
from tests.conftest import TODAY
from tests.factories import UserFactory
from tests.sales.factories import order_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EX_FACTORY = TODAY + dt.timedelta(days=70)  # 2027-02-02: "materials in house" is planned about five weeks out
LATE_BY = dt.timedelta(days=21)  # the supplier promises three weeks after the need-by date


def a_confirmed_order_short_of_materials(manager: User, merchandiser: User) -> Order:
    """Through the services: a material store, a fabric supplier, two materials it supplies at a purchase price, a
    product with their BOM, and a confirmed order of it (plan made, requirements netted: nothing in stock)."""
    planner = UserFactory(username="planner1", role=Role.PLANNER)
    for username, role in {"sales1": Role.SALES, "qc1": Role.QC, "finance1": Role.FINANCE}.items():
        UserFactory(username=username, role=role)
    inventory_services.create_warehouse(by=manager, data={"code": "WH01", "name": "原料仓"}, locations=["A-01"])
    supplier = partner_services.create_supplier(
        by=manager,
        data={
            "code": "S-TX01",
            "name": "绍兴华纺织造",
            "kind": "material",
            "country": "CN",
            "payment_terms": "月结 60 天",
        },
    )
    fabric = catalog_services.create_material(
        by=planner,
        data={
            "code": "M-CANVAS",
            "name": "帆布",
            "spec": "10oz 本色",
            "unit": "m",
            "category": "fabric",
            "lead_time_days": 14,
            "purchase_price": Decimal("12.50"),
            "default_supplier": supplier,
        },
    )
    webbing = catalog_services.create_material(
        by=planner,
        data={
            "code": "M-WEB25",
            "name": "棉织带",
            "spec": "25mm 本色",
            "unit": "m",
            "category": "trim",
            "lead_time_days": 7,
            "purchase_price": Decimal("0.65"),
            "default_supplier": supplier,
        },
    )
    tote = catalog_services.create_product(
        by=planner,
        data={
            "code": "GD-TOTE",
            "name": "帆布购物袋",
            "name_en": "Canvas tote bag",
            "spec": "38x42cm",
            "unit": "pcs",
            "units_per_carton": 100,
            "carton_length_cm": Decimal("60"),
            "carton_width_cm": Decimal("40"),
            "carton_height_cm": Decimal("40"),
            "net_weight_kg": Decimal("15"),
            "gross_weight_kg": Decimal("16.2"),
        },
    )
    catalog_services.set_bom(
        product=tote,
        by=planner,
        lines=[
            {"material": fabric, "qty_per_unit": Decimal("0.8"), "scrap_pct": Decimal("3"), "note": "主料"},
            {"material": webbing, "qty_per_unit": Decimal("1.2"), "scrap_pct": Decimal("0")},
        ],
    )
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
        products=[tote],
        quantities=[3000],
        prices=["2.80"],
        ex_factory_date=EX_FACTORY,
    )
    order.refresh_from_db()
    return order


def test_manager_buys_an_orders_materials_and_a_late_promise_puts_the_order_at_risk(
    page: Page,
    browser: Browser,
    live_server,  # noqa: ANN001
    manager: User,
    merchandiser: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a confirmed order whose plan exists and whose requirements are netted: both materials to buy
    order = a_confirmed_order_short_of_materials(manager, merchandiser)
    assert order.status == OrderStatus.CONFIRMED
    needs = {r.material.code: r for r in MaterialRequirement.objects.filter(order=order).select_related("material")}
    assert set(needs) == {"M-CANVAS", "M-WEB25"}
    assert needs["M-CANVAS"].to_buy_qty == Decimal("2472.000")  # 3000 × 0.8 × 1.03
    assert needs["M-WEB25"].to_buy_qty == Decimal("3600.000")
    materials_in_house = Milestone.objects.get(order=order, code="MIH")
    need_by = materials_in_house.planned_date
    assert {r.need_by_date for r in needs.values()} == {need_by}
    assert need_by > TODAY
    order.refresh_from_db()
    assert order.risk == Risk.ON_TRACK
    # and the live server (another thread, outside the frozen clock's context) living the same day as this test
    today_noon = clock.now()
    monkeypatch.setattr(clock, "now", lambda: today_noon)

    # when the manager (purchasing rights, approval included) opens the order and creates its purchase orders
    login(page, manager.username)
    page.goto(reverse("sales:order", args=[order.pk]))
    section = page.get_by_test_id("materials-section")
    expect(section.get_by_test_id("to-buy-count")).to_contain_text("2")
    section.get_by_test_id("create-pos").click()

    # then they land on the new draft PO, one line per material, over the approval limit
    expect(page.get_by_test_id("po-status")).to_have_text(PoStatus.DRAFT.value)
    po = PurchaseOrder.objects.get()
    assert page.url.endswith(reverse("procurement:po", args=[po.pk]))
    expect(page.get_by_test_id("po-number")).to_have_text(po.number)
    expect(page.locator("[data-testid=po-lines] tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("po-total")).to_contain_text("33,240.00")  # 2472 × 12.50 + 3600 × 0.65

    # when they approve it and send it
    page.get_by_test_id("action-approve").click()
    expect(page.get_by_test_id("po-status")).to_have_text(PoStatus.APPROVED.value)
    page.get_by_test_id("action-send").click()
    expect(page.get_by_test_id("po-status")).to_have_text(PoStatus.SENT.value)

    # then the page gives the supplier's link
    link = page.get_by_test_id("supplier-link").input_value()
    assert link.startswith(live_server.url + "/s/po/")

    # when the supplier, without an account, opens its link and promises every line three weeks after need-by
    promised = need_by + LATE_BY
    supplier = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1400, "height": 900})
    supplier.set_default_timeout(15_000)
    try:
        visitor = supplier.new_page()
        visitor.goto(link)
        expect(visitor.get_by_test_id("po-number")).to_have_text(po.number)
        dates = visitor.get_by_test_id("promised-date")
        expect(dates).to_have_count(2)
        for i in range(dates.count()):
            dates.nth(i).fill(promised.isoformat())
        visitor.get_by_test_id("confirm-dates").click()
        # then its dates are recorded and the PO is confirmed
        expect(visitor.get_by_test_id("po-status")).to_have_text("Confirmed by supplier")
        expect(visitor.locator(".msg-success")).to_contain_text("your dates are recorded")
    finally:
        supplier.close()

    # and, back as the manager, the risk board shows the order driven by "materials in house"
    page.goto(reverse("followup:risk_board"))
    row = page.locator(f"tr[data-testid=risk-row][data-order='{order.number}']")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-driving", "MIH")
    expect(row.get_by_test_id("risk-driving")).to_have_text("MIH")

    # and the order page's materials section shows the late promise against the need-by date
    page.goto(reverse("sales:order", args=[order.pk]))
    lines = page.get_by_test_id("order-purchase-lines")
    expect(lines.locator("tr.overdue")).to_have_count(2)
    expect(lines).to_contain_text(promised.isoformat())

    # and the database holds the supplier's promise, the fed forecast and the order's risk
    po.refresh_from_db()
    assert po.status == PoStatus.CONFIRMED
    assert po.approved_by == manager
    assert {line.promised_date for line in po.lines.all()} == {promised}
    assert {line.first_promised_date for line in po.lines.all()} == {promised}
    materials_in_house.refresh_from_db()
    assert materials_in_house.fed_date == promised
    assert materials_in_house.actual_date is None
    order.refresh_from_db()
    assert order.risk in (Risk.AT_RISK, Risk.LATE)
    assert order.driving_milestone == "MIH"
    assert order.forecast_ex_factory_date > EX_FACTORY
