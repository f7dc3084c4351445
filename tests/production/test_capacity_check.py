"""The capacity check: earliest finish on finite capacity against the plan, and the measures when late."""

import datetime as dt
from decimal import Decimal

import pytest

from gendan.catalog.models import CapacityException
from gendan.core.exceptions import ValidationError
from gendan.production import services
from gendan.production.models import PlanLoad, ProductionNotice
from tests.sales.factories import make_order

pytestmark = pytest.mark.django_db

TUE = dt.date(2026, 11, 24)


def day(n: int) -> dt.date:
    return TUE + dt.timedelta(days=n)


def test_a_small_quantity_fits_and_says_what_it_loads(plant):
    # 1000 shirts: cutting 0.5 + 8 h = 8.5 h, sewing 32 h
    result = services.capacity_check(product=plant.shirt, quantity=1000, due_date=day(14))
    assert result.feasible
    assert result.earliest_finish == day(2)  # cut Tue 8 h, Wed 0.5 h; sew from Wed: 16 h, Thu 16 h
    loads = {(row["work_centre"], row["date"]): row["hours"] for row in result.load}
    assert loads[("CUT", TUE)] == Decimal(8)
    assert loads[("CUT", day(1))] == Decimal("0.5")
    assert sum(v for (wc, _d), v in loads.items() if wc == "SEW") == Decimal(32)
    assert result.measures == []


def test_what_is_planned_first_comes_first_and_rush_goes_ahead(plant, merchandiser):
    order = make_order(by=merchandiser)
    notice = ProductionNotice.objects.create(
        number="PN-1", order=order, product=plant.shirt, quantity=Decimal(1), due_date=day(2)
    )
    for n in range(0, 3):
        PlanLoad.objects.create(
            notice=notice, position=2, work_centre=plant.sewing, date=day(n), load=Decimal(16), due_date=day(2)
        )
    edd = services.capacity_check(product=plant.shirt, quantity=1000, due_date=day(14))
    assert edd.earliest_finish == day(6)  # sewing is full until Thursday: Fri 16 h, (weekend), Mon 16 h
    later = services.capacity_check(product=plant.shirt, quantity=1000, due_date=day(1))
    assert not later.feasible
    rush = services.capacity_check(product=plant.shirt, quantity=1000, due_date=day(14), priority="rush")
    assert rush.earliest_finish == day(2)


def test_when_late_it_proposes_overtime_split_outsourcing_and_a_new_date(plant):
    # 4000 shirts: cutting 32.5 h (4+ days), sewing 128 h (8 days): not by Friday
    result = services.capacity_check(product=plant.shirt, quantity=4000, due_date=day(10))
    assert not result.feasible
    kinds = [m["kind"] for m in result.measures]
    assert kinds[-1] == "new_date"
    assert result.measures[-1]["date"] == result.earliest_finish
    split = next(m for m in result.measures if m["kind"] == "split")
    assert 0 < split["by_due_qty"] < 4000
    assert split["by_due_qty"] + split["rest_qty"] == 4000
    by_due = services.capacity_check(product=plant.shirt, quantity=split["by_due_qty"], due_date=day(10))
    assert by_due.feasible
    too_many = services.capacity_check(product=plant.shirt, quantity=split["by_due_qty"] + 1, due_date=day(10))
    assert not too_many.feasible
    outsource = next(m for m in result.measures if m["kind"] == "outsource")
    assert outsource["supplier_id"] == plant.subcontractor.pk
    assert outsource["quantity"] == split["rest_qty"]
    assert outsource["finish"] <= day(10)


def test_overtime_figures_really_meet_the_date(plant):
    result = services.capacity_check(product=plant.shirt, quantity=2600, due_date=day(7))
    assert not result.feasible
    overtime = next(m for m in result.measures if m["kind"] == "overtime")
    assert overtime["finish"] <= day(7)
    assert overtime["total_hours"] == sum(d["hours"] for d in overtime["days"])
    for row in overtime["days"]:
        limit = plant.cutting.max_overtime_hours if row["work_centre"] == "CUT" else plant.sewing.max_overtime_hours
        assert 0 < row["hours"] <= limit
    # accepting it as capacity exceptions makes the quantity fit
    for row in overtime["days"]:
        centre = plant.cutting if row["work_centre"] == "CUT" else plant.sewing
        CapacityException.objects.create(
            work_centre=centre, date=row["date"], capacity=centre.daily_capacity + row["hours"], kind="overtime"
        )
    assert services.capacity_check(product=plant.shirt, quantity=2600, due_date=day(7)).feasible


def test_a_maintenance_day_and_a_saturday_shift_change_the_answer(plant):
    base = services.capacity_check(product=plant.shirt, quantity=1000, due_date=day(14)).earliest_finish
    CapacityException.objects.create(work_centre=plant.sewing, date=day(2), capacity=0, kind="maintenance")
    assert services.capacity_check(product=plant.shirt, quantity=1000, due_date=day(14)).earliest_finish > base
    # 3000: cutting 24.5 h (Tue–Fri), sewing 96 h from Friday: Fri, Mon … Fri
    assert services.capacity_check(product=plant.shirt, quantity=3000, due_date=day(30)).earliest_finish == day(10)
    CapacityException.objects.create(work_centre=plant.sewing, date=day(4), capacity=16, kind="overtime")  # Saturday
    assert services.capacity_check(product=plant.shirt, quantity=3000, due_date=day(30)).earliest_finish == day(9)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": "lots"}, "quantity"),
        ({"due_date": None}, "due_date"),
        ({"priority": "vip"}, "priority"),
        ({"product": 999999}, "product_id"),
    ],
)
def test_bad_input_names_the_field(plant, kw, field):
    args = {"product": plant.shirt, "quantity": 10, "due_date": day(5), **kw}
    with pytest.raises(ValidationError) as error:
        services.capacity_check(**args)
    assert field in error.value.errors


def test_a_product_without_routing_is_refused(plant):
    from tests.factories import ProductFactory

    with pytest.raises(ValidationError, match="no routing"):
        services.capacity_check(product=ProductFactory(), quantity=10, due_date=day(5))


def test_the_api_checks_a_quantity_and_an_order(plant, merchandiser, api_as, make_user):
    from gendan.core.choices import Role

    planner = make_user(Role.PLANNER)
    res = api_as(planner).post(
        "/capacity-check", {"product_id": plant.shirt.pk, "quantity": "4000", "due_date": day(10).isoformat()}
    )
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["feasible"] is False
    assert {m["kind"] for m in body["measures"]} >= {"split", "new_date"}
    assert {"work_centre_id", "date", "hours"} <= set(body["load"][0])
    bad = api_as(planner).post(
        "/capacity-check", {"product_id": plant.shirt.pk, "quantity": "0", "due_date": "2026-12-01"}
    )
    assert bad.status_code == 422
    order = make_order(by=merchandiser, products=[plant.shirt], quantities=[1000], ex_factory_date=day(14))
    checked = api_as(planner).post(f"/orders/{order.pk}/capacity-check", {})
    assert checked.status_code == 200, checked.content
    assert checked.json()["feasible"] is True
    assert checked.json()["lines"][0]["earliest_finish"] == day(2).isoformat()


def test_the_page_checks_a_quantity_and_an_order(plant, merchandiser, page_as, make_user):
    from gendan.core.choices import Role

    planner = page_as(make_user(Role.PLANNER))
    page = planner.get(
        "/production/capacity-check/",
        {"product": "SH1", "quantity": "4000", "due_date": day(10).isoformat(), "priority": "edd"},
    )
    html = page.content.decode()
    assert 'data-feasible="no"' in html
    assert 'data-kind="split"' in html
    assert 'data-testid="check-load"' in html
    unknown = planner.get("/production/capacity-check/", {"product": "NOPE", "quantity": "1", "due_date": "2026-12-01"})
    assert "There is no product" in unknown.content.decode()
    order = make_order(by=merchandiser, products=[plant.shirt], quantities=[1000], ex_factory_date=day(14))
    assert 'data-feasible="yes"' in planner.get("/production/capacity-check/", {"order": order.pk}).content.decode()
    assert page_as(make_user(Role.SALES)).get("/production/capacity-check/").status_code == 200


def test_a_past_due_date_is_answered_late_not_refused(plant):
    result = services.capacity_check(product=plant.shirt, quantity=100, due_date=dt.date(2026, 11, 1))
    assert not result.feasible
    assert result.measures[-1] == {"kind": "new_date", "date": result.earliest_finish}


def test_accepted_overtime_never_stacks_past_the_limit_and_keeps_a_maintenance_day(plant):
    CapacityException.objects.create(
        work_centre=plant.cutting, date=TUE, capacity=Decimal(10), kind="overtime", reason="earlier overtime"
    )
    CapacityException.objects.create(
        work_centre=plant.sewing, date=day(1), capacity=Decimal(8), kind="maintenance", reason="needles"
    )
    result = services.capacity_check(product=plant.shirt, quantity=2600, due_date=day(7))
    overtime = next(m for m in result.measures if m["kind"] == "overtime")
    services.accept_overtime(measure=overtime, by=None, reason="for PN-1")
    cutting_tuesday = CapacityException.objects.get(work_centre=plant.cutting, date=TUE)
    assert cutting_tuesday.capacity <= plant.cutting.daily_capacity + plant.cutting.max_overtime_hours
    maintenance = CapacityException.objects.get(work_centre=plant.sewing, date=day(1))
    assert maintenance.kind == "maintenance"
    assert maintenance.reason.startswith("needles")
