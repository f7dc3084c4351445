"""Daily production reports, variance reasons, the tracking table and its forecast feeding the T&A plan."""

from decimal import Decimal

import pytest

from gendan.core import clock
from gendan.core.choices import Role
from gendan.core.exceptions import ValidationError
from gendan.followup.models import Milestone
from gendan.production import services
from gendan.sales.models import Order
from tests.production.test_notices import confirmed_line, day

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(plant, merchandiser, manager, make_user):
    """1000 shirts due in ten days, released: cut Tue–Wed, sewn Wed 500 and Thu 500."""
    planner = make_user(Role.PLANNER, username="pmc1")
    line = confirmed_line(plant, merchandiser, manager, 1000, day(10))
    notice = services.release_notice(notice=services.create_notice(order_line=line, by=planner), by=planner)
    return notice, planner


def report(plant, notice, planner, n, good, **kw):
    with clock.frozen(day(n)):
        return services.record_reports(
            by=planner,
            items=[
                {"date": day(n), "work_centre_id": plant.sewing.pk, "order_id": notice.order_id, "good_qty": good, **kw}
            ],
        )


def test_a_day_behind_plan_needs_a_reason(plant, released):
    notice, planner = released
    ahead = services.progress(Order.objects.get(pk=notice.order_id)).rows  # today is Tuesday: sewing is still to come
    assert [(r["date"], r["actual_cum"], r["variance"]) for r in ahead if r["date"] > day(0)] == [
        (day(1), None, None),
        (day(2), None, None),
    ]
    with pytest.raises(ValidationError) as missing:
        report(plant, notice, planner, 1, 100)
    assert "variance_reason" in missing.value.errors
    assert "behind plan" in missing.value.errors["variance_reason"][0]
    (saved,) = report(plant, notice, planner, 1, 100, variance_reason="equipment", note="needle bar broke")
    assert saved.notice == notice
    assert report(plant, notice, planner, 1, 480)[0].pk == saved.pk  # the same day again replaces it, within 5 %


def test_slow_output_moves_the_forecast_and_the_order_shows_at_risk(plant, released):
    notice, planner = released
    for n in (1, 2, 3):
        report(plant, notice, planner, n, 100, variance_reason="equipment")
    with clock.frozen(day(3)):
        p = services.progress(Order.objects.get(pk=notice.order_id))
        services.feed_plan([notice.order_id])
    assert p.actual == Decimal(300)
    assert p.run_rate == Decimal(100)  # 300 made over the 3 working days since output started
    assert p.forecast_completion_date == day(14)  # 700 left at 100 a day after Friday: 7 working days
    row = next(r for r in p.rows if r["date"] == day(2))
    assert (row["planned_cum"], row["actual_cum"], row["variance"]) == (Decimal(1000), Decimal(200), Decimal(-800))
    plan = {m.code: m for m in Milestone.objects.filter(order_id=notice.order_id)}
    assert plan["PS"].actual_date == day(1)
    assert plan["PC"].fed_date == day(14)
    assert "run rate of 100" in plan["PC"].fed_note
    order = Order.objects.get(pk=notice.order_id)
    assert order.risk in ("at_risk", "late")


def test_reaching_half_and_all_records_the_milestones(plant, released):
    notice, planner = released
    report(plant, notice, planner, 1, 500)
    report(plant, notice, planner, 2, 500)
    plan = {m.code: m for m in Milestone.objects.filter(order_id=notice.order_id)}
    assert plan["P50"].actual_date == day(1)
    assert plan["PC"].actual_date == day(2)


def test_bad_reports_change_nothing(plant, released):
    from gendan.production.models import DailyReport

    notice, planner = released
    with clock.frozen(day(1)), pytest.raises(ValidationError) as bad:
        services.record_reports(
            by=planner,
            items=[
                {"date": day(1), "work_centre_id": plant.sewing.pk, "order_id": notice.order_id, "good_qty": 500},
                {"date": day(5), "work_centre_id": plant.sewing.pk, "order_id": notice.order_id, "good_qty": 1},
                {"date": day(1), "work_centre_id": plant.cutting.pk, "order_id": notice.order_id, "good_qty": -1},
                {"date": day(1), "work_centre_id": plant.factory.pk, "order_id": notice.order_id, "good_qty": 1},
            ],
        )
    assert set(bad.value.errors) == {"items.2.date", "items.3.good_qty", "items.4.order_id"}
    assert not DailyReport.objects.exists()


def test_reports_and_progress_through_the_api(plant, released, api_as):
    notice, planner = released
    client = api_as(planner)
    with clock.frozen(day(1)):
        made = client.post(
            "/daily-reports",
            [
                {
                    "date": day(1).isoformat(),
                    "work_centre_id": plant.cutting.pk,
                    "order_id": notice.order_id,
                    "good_qty": "1000",
                    "hours": "8.5",
                    "headcount": 4,
                },
                {
                    "date": day(1).isoformat(),
                    "work_centre_id": plant.sewing.pk,
                    "order_id": notice.order_id,
                    "good_qty": "480",
                    "defect_qty": "12",
                    "scrap_qty": "3",
                    "hours": "16",
                    "headcount": 18,
                },
            ],
        )
        assert made.status_code == 201, made.content
        assert len(made.json()) == 2
        progress = client.get(f"/orders/{notice.order_id}/progress").json()
    assert progress["actual"] == "480.000"
    assert Decimal(progress["defect_rate"]) == Decimal("0.8")  # 12 of 1495 made
    assert {"date", "planned_cum", "actual_cum", "variance"} <= set(progress["rows"][0])
    assert client.get("/daily-reports", order_id=notice.order_id).json()["count"] == 2


def test_the_grid_records_a_lines_day_and_the_order_shows_its_progress(plant, released, page_as):
    notice, planner = released
    client = page_as(planner)
    url = f"/production/reports/?work_centre={plant.sewing.pk}&date={day(0).isoformat()}"
    page = client.get(url).content.decode()
    assert f'data-notice="{notice.number}"' in page
    done = client.post(
        "/production/reports/",
        {
            "work_centre": plant.sewing.pk,
            "date": day(0).isoformat(),
            f"good_qty-{notice.pk}": "0",
            f"hours-{notice.pk}": "2",
        },
    )
    assert done.status_code == 302
    order_page = client.get(f"/orders/{notice.order_id}/").content.decode()
    assert 'data-testid="progress"' in order_page
    assert 'data-testid="forecast-completion"' in order_page


def test_the_pareto_of_variance_reasons(plant, released, page_as):
    import xml.etree.ElementTree as ET

    from gendan.production.selectors import variance_pareto

    notice, planner = released
    report(plant, notice, planner, 1, 100, variance_reason="equipment")
    report(plant, notice, planner, 2, 100, variance_reason="material")
    report(plant, notice, planner, 3, 100, variance_reason="equipment")
    result = variance_pareto(day(0), day(5))
    assert [(r["cause"], r["lines"], r["cumulative_pct"]) for r in result["rows"]] == [
        ("equipment", 2, Decimal("66.7")),
        ("material", 1, Decimal("100.0")),
    ]
    assert result["by_centre"][0]["work_centre"] == "SEW"
    assert variance_pareto(day(0), day(5), work_centre_id=plant.cutting.pk)["total"] == 0
    with clock.frozen(day(5)):
        page = page_as(planner).get("/production/variances/").content.decode()
    assert 'data-reason="equipment"' in page
    svg = page[page.index("<svg") : page.index("</svg>") + 6]
    assert ET.fromstring(svg).get("data-testid") == "pareto"


def test_the_grid_reads_a_bounded_number_of_queries(
    plant, merchandiser, manager, released, page_as, django_assert_max_num_queries
):
    notice, planner = released
    for _ in range(3):
        services.release_notice(
            notice=services.create_notice(
                order_line=confirmed_line(plant, merchandiser, manager, 100, day(30)), by=planner
            ),
            by=planner,
        )
    client = page_as(planner)
    url = f"/production/reports/?work_centre={plant.sewing.pk}&date={day(4).isoformat()}"  # all four at work by then
    client.get(url)  # warm the session and the permission cache
    with django_assert_max_num_queries(14):
        page = client.get(url).content.decode()
    assert page.count("data-notice=") == 4


def test_the_variance_pareto_and_the_plan_load_through_the_api(plant, released, api_as):
    notice, planner = released
    report(plant, notice, planner, 1, 100, variance_reason="staff")
    client = api_as(planner)
    with clock.frozen(day(2)):
        pareto = client.get("/variance-reasons").json()
        backwards = client.get("/variance-reasons", **{"from": day(2).isoformat(), "to": day(0).isoformat()})
        load = client.get("/plan-load", days=7).json()
    assert pareto["rows"][0]["cause"] == "staff"
    assert backwards.status_code == 422
    sewing = [r for r in load["rows"] if r["work_centre_id"] == plant.sewing.pk and r["load"] != "0"]
    assert sewing
    assert load["over"] == 0


def test_the_grid_shows_the_notices_at_work_around_the_day(plant, merchandiser, manager, released, page_as):
    notice, planner = released
    later = services.create_notice(order_line=confirmed_line(plant, merchandiser, manager, 100, day(60)), by=planner)
    services.release_notice(notice=later, by=planner)
    far = services.create_notice(order_line=confirmed_line(plant, merchandiser, manager, 9000, day(90)), by=planner)
    services.release_notice(notice=far, by=planner)
    far.refresh_from_db()
    page = page_as(planner).get(f"/production/reports/?work_centre={plant.sewing.pk}&date={day(1).isoformat()}")
    html = page.content.decode()
    assert f'data-notice="{notice.number}"' in html
    assert f'data-notice="{far.number}"' not in html  # planned at sewing only from {far.planned_start}
