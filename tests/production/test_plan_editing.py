"""The planner adjusts a released notice's daily quantities by hand; every change is re-checked against capacity.

The plant: CUT 8 h a day (+3 h overtime), SEW 16 h (+4 h); a shirt is cut in 0.48 min (+30 min setup) and sewn in
1.92 min. 1,000 shirts released today (Tuesday) plan: CUT Tue 941 (8 h), Wed 59 (0.5 h); SEW Wed 500, Thu 500.
"""

from decimal import Decimal

import pytest

from gendan.core.choices import Role
from gendan.core.exceptions import PermissionDenied, StaleVersion, TransitionNotAllowed, ValidationError
from gendan.core.models import ObjectChange
from gendan.production import planning, services
from gendan.production.models import PlanLoad, ProductionNotice
from tests.production.test_notices import confirmed_line, day

pytestmark = pytest.mark.django_db

SEW, CUT = 2, 1


@pytest.fixture
def planner(make_user):
    return make_user(Role.PLANNER, username="pmc1")


@pytest.fixture
def released(plant, merchandiser, manager, planner):
    line = confirmed_line(plant, merchandiser, manager, 1000, day(21))
    notice = services.create_notice(order_line=line, by=planner)
    return services.release_notice(notice=notice, by=planner)


def plan_of(notice, position):
    return {
        d: q for d, q in PlanLoad.objects.filter(notice=notice, position=position).values_list("date", "quantity") if q
    }


def sew(*quantities, start=1):
    return [{"position": SEW, "date": day(start + i), "quantity": q} for i, q in enumerate(quantities)]


def test_the_scheduler_plan_is_what_the_planner_starts_from(released):
    assert plan_of(released, CUT) == {day(0): 941, day(1): 59}
    assert plan_of(released, SEW) == {day(1): 500, day(2): 500}
    grid = planning.plan_grid(released)
    assert grid.days[0] == day(0)
    assert grid.days[-1] == day(21 + planning.GRID_DAYS_AFTER)
    sewing = grid.rows[1]
    assert sewing["required"] == sewing["planned"] == 1000
    cells = {c["date"]: c for c in sewing["cells"]}
    assert cells[day(1)]["quantity"] == 500
    assert cells[day(4)]["works"] is False  # Saturday
    assert cells[day(4)]["editable"] is False
    assert cells[day(3)]["free"] == 16


def test_the_planner_spreads_sewing_over_three_days(released, planner):
    version = released.version
    planning.edit_plan(notice=released, by=planner, items=sew(300, 400, 300), version=version)
    notice = ProductionNotice.objects.get(pk=released.pk)
    assert notice.plan_edited is True
    assert notice.version == version + 1
    assert notice.planned_finish == day(3)
    assert plan_of(notice, SEW) == {day(1): 300, day(2): 400, day(3): 300}
    assert plan_of(notice, CUT) == {day(0): 941, day(1): 59}  # the operation not given stays
    loads = dict(PlanLoad.objects.filter(notice=notice, position=SEW).values_list("date", "load"))
    assert loads == {day(1): Decimal("9.60"), day(2): Decimal("12.80"), day(3): Decimal("9.60")}
    change = ObjectChange.objects.filter(object_id=str(notice.pk), message__startswith="Plan adjusted").get()
    assert change.changes[f"#2 sew {day(3).isoformat()}"] == ["0", "300"]
    assert change.changes["planned_finish"] == [day(2).isoformat(), day(3).isoformat()]


def test_the_milestones_follow_the_adjusted_plan(released, planner):
    from gendan.followup.models import Milestone

    planning.edit_plan(notice=released, by=planner, items=sew(0, 0, 0, 0, 0, 0, 500, 500))  # next Tue and Wed
    milestone = Milestone.objects.get(order=released.order, code="PC")
    assert milestone.fed_date == day(8)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (sew(300, 400), "plans 700 but makes 1000"),
        (sew(300, 400, 300, start=3), "SEW does not work on 2026-11-28"),  # Fri, Sat, Sun
        (sew(960, 40, start=0), "sew would have made 960 by 2026-11-24 but cut only 941"),
        (sew(700, 300), "more than it can do with overtime"),  # 22.4 h on SEW, 20 at most
        ([{"position": SEW, "date": day(-1), "quantity": 1000}], "days before today are history"),
        ([{"position": 9, "date": day(1), "quantity": 1000}], "has no operation 9"),
        ([{"position": SEW, "date": "tomorrow", "quantity": 1000}], "is not a date"),
        ([{"position": SEW, "date": day(1), "quantity": "-5"}], "enter zero or more"),
        ([{"position": SEW, "date": day(1), "quantity": "1.0001"}], "at most three decimals"),
        ([*sew(500, 500), {"position": SEW, "date": day(1), "quantity": 0}], "is given twice"),
        ([], "at least one operation"),
        (sew(500, 500), "Nothing changed"),
    ],
)
def test_a_bad_edit_is_refused_and_changes_nothing(released, planner, items, message):
    before = list(PlanLoad.objects.filter(notice=released).values_list("position", "date", "quantity", "load"))
    with pytest.raises(ValidationError, match=message):
        planning.edit_plan(notice=released, by=planner, items=items)
    assert list(PlanLoad.objects.filter(notice=released).values_list("position", "date", "quantity", "load")) == before
    assert ProductionNotice.objects.get(pk=released.pk).plan_edited is False


def test_an_overload_within_overtime_is_saved_only_when_accepted(released, planner):
    items = sew(600, 400)  # Wed: 19.2 h on SEW of 16, within its 4 h of overtime
    checked = planning.edit_plan(notice=released, by=planner, items=items, check_only=True)
    assert [(o["work_centre"], o["date"], o["planned"], o["capacity"]) for o in checked.overloads] == [
        ("SEW", day(1), Decimal("19.20"), Decimal(16))
    ]
    with pytest.raises(planning.Overloaded, match="SEW on 2026-11-25: 19.2 planned of 16") as refused:
        planning.edit_plan(notice=released, by=planner, items=items)
    assert refused.value.extra["overloads"][0]["over"] == Decimal("3.20")
    assert plan_of(released, SEW) == {day(1): 500, day(2): 500}
    planning.edit_plan(notice=released, by=planner, items=items, accept_overload=True)
    row = PlanLoad.objects.get(notice=released, position=SEW, date=day(1))
    assert row.quantity == 600
    assert row.overtime == Decimal("3.20")
    change = ObjectChange.objects.filter(object_id=str(released.pk), message__contains="overload accepted").get()
    assert "SEW 2026-11-25 +3.2" in change.message


def test_only_planning_adjusts_a_released_plan_of_the_version_read(plant, released, planner, merchandiser, manager):
    with pytest.raises(PermissionDenied):
        planning.edit_plan(notice=released, by=merchandiser, items=sew(300, 400, 300))
    with pytest.raises(StaleVersion):
        planning.edit_plan(notice=released, by=planner, items=sew(300, 400, 300), version=released.version - 1)
    draft = services.create_notice(order_line=confirmed_line(plant, merchandiser, manager, 10, day(21)), by=planner)
    with pytest.raises(TransitionNotAllowed, match="only a released notice"):
        planning.edit_plan(notice=draft, by=planner, items=sew(10))


def test_a_plan_adjusted_by_hand_stays_and_comes_first(plant, released, planner, merchandiser, manager):
    planning.edit_plan(notice=released, by=planner, items=sew(0, 500, 500))  # sewing Thu and Fri
    pinned = plan_of(released, SEW)
    urgent = services.create_notice(order_line=confirmed_line(plant, merchandiser, manager, 500, day(9)), by=planner)
    services.release_notice(notice=urgent, by=planner)  # due first, but the hand-made plan does not move
    assert plan_of(released, SEW) == pinned
    urgent_sew = dict(PlanLoad.objects.filter(notice=urgent, position=SEW).values_list("date", "load"))
    for date, load in urgent_sew.items():
        taken = sum(PlanLoad.objects.filter(notice=released, position=SEW, date=date).values_list("load", flat=True))
        assert load + taken <= 16, date


def test_the_scheduler_takes_the_plan_back(released, planner):
    planning.edit_plan(notice=released, by=planner, items=sew(300, 400, 300))
    notice = ProductionNotice.objects.get(pk=released.pk)
    planning.reset_plan(notice=notice, by=planner, version=notice.version)
    notice.refresh_from_db()
    assert notice.plan_edited is False
    assert plan_of(notice, SEW) == {day(1): 500, day(2): 500}
    assert notice.planned_finish == day(2)
    with pytest.raises(TransitionNotAllowed, match="already planned by the scheduler"):
        planning.reset_plan(notice=notice, by=planner)


def test_the_api_reads_checks_and_adjusts_the_plan(released, planner, merchandiser, api_as):
    api = api_as(planner)
    url = f"/api/v1/production-notices/{released.pk}/plan"
    plan = api.get(url).json()
    sewing = plan["operations"][1]
    assert (sewing["work_centre"], sewing["quantity"], plan["plan_edited"]) == ("SEW", "1000.000", False)
    assert [(d["date"], d["quantity"], d["load"]) for d in sewing["days"]] == [
        ("2026-11-25", "500.000", "16.00"),
        ("2026-11-26", "500.000", "16.00"),
    ]
    rows = [{"position": 2, "date": d.isoformat(), "quantity": q} for d, q in ((day(1), 600), (day(2), 400))]
    checked = api.put(url, {"version": plan["version"], "rows": rows, "check_only": True})
    assert checked.status_code == 200
    assert checked.json()["saved"] is False
    assert checked.json()["overloads"][0]["planned"] == "19.20"
    refused = api.put(url, {"version": plan["version"], "rows": rows})
    assert refused.status_code == 409
    assert refused.json()["code"] == "insufficient_quantity"
    assert refused.json()["overloads"][0]["over"] == "3.20"
    assert "accept the overload" in refused.json()["detail"]
    short = api.put(url, {"version": plan["version"], "rows": rows[:1]})
    assert short.status_code == 422
    assert "plans 600 but makes 1000" in short.json()["detail"][0]["msg"]
    saved = api.put(url, {"version": plan["version"], "rows": rows, "accept_overload": True})
    assert saved.status_code == 200
    body = saved.json()
    assert body["saved"] is True
    assert body["plan"]["plan_edited"] is True
    assert body["plan"]["operations"][1]["days"][0]["overtime"] == "3.20"
    stale = api.put(url, {"version": plan["version"], "rows": rows, "accept_overload": True})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert api_as(merchandiser).put(url, {"rows": rows}).status_code == 403
    assert api.get(f"/api/v1/production-notices/{released.pk}").json()["plan_edited"] is True
    reset = api.post(f"{url}/reset", {"version": body["plan"]["version"]})
    assert reset.status_code == 200
    assert reset.json()["plan_edited"] is False
    assert api.post(f"{url}/reset", {}).status_code == 409


def test_the_planner_adjusts_the_plan_on_its_page(released, planner, merchandiser, page_as):
    page = page_as(planner)
    url = f"/production/notices/{released.pk}/plan/"
    shown = page.get(url)
    assert shown.status_code == 200
    html = shown.content.decode()
    assert f'name="q-2-{day(1).isoformat()}" value="500"' in html
    assert f'name="q-2-{day(4).isoformat()}"' not in html  # Saturday: SEW does not work
    grid = {f"q-2-{day(n).isoformat()}": "" for n in range(0, 8) if n not in (4, 5)}
    post = {**grid, f"q-2-{day(1).isoformat()}": "600", f"q-2-{day(2).isoformat()}": "400", "version": released.version}
    checked = page.post(url, {**post, "action": "check"})
    assert checked.status_code == 200
    assert 'data-testid="overloads"' in checked.content.decode()
    assert 'data-testid="plan-save-overload"' in checked.content.decode()
    assert plan_of(released, SEW) == {day(1): 500, day(2): 500}
    short = page.post(url, {**post, f"q-2-{day(2).isoformat()}": "300", "action": "save"})
    assert "plans 900 but makes 1000" in short.content.decode()
    assert f'name="q-2-{day(2).isoformat()}" value="300"' in short.content.decode()  # as typed
    saved = page.post(url, {**post, "action": "save", "accept_overload": "1"})
    assert saved.status_code == 302
    assert plan_of(released, SEW) == {day(1): 600, day(2): 400}
    assert 'data-testid="plan-edited"' in page.get(url).content.decode()
    notice = ProductionNotice.objects.get(pk=released.pk)
    reset = page.post(url, {"action": "reset", "version": notice.version})
    assert reset.status_code == 302
    assert plan_of(released, SEW) == {day(1): 500, day(2): 500}
    viewer = page_as(merchandiser)
    assert 'name="q-2-' not in viewer.get(url).content.decode()
    assert viewer.post(url, {**post, "action": "save"}).status_code == 403
