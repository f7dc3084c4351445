"""Learned delay profiles of suppliers and work centres: the selector on history made by the real purchasing and
production services, the API's shape and rights, and the sections of the supplier and work-centre pages."""

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.urls import reverse

from gendan.catalog.models import WorkCentre
from gendan.core import clock
from gendan.core.calendar import company_calendar
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.followup import services as followup
from gendan.foresight import history
from gendan.foresight.profiles import HISTOGRAM_HIGH, HISTOGRAM_LOW, delay_profile, histogram
from gendan.partners.models import Supplier
from gendan.procurement import services as procurement
from gendan.production import services as production
from tests.factories import MaterialFactory, SupplierFactory
from tests.followup.conftest import plan
from tests.procurement.conftest import World, world  # noqa: F401 - a buyer, a supplier and its materials
from tests.production.conftest import Plant, plant  # noqa: F401 - two lines, a factory, a routed product
from tests.production.test_notices import confirmed_line

pytestmark = pytest.mark.django_db

ORDERED = dt.date(2026, 9, 1)  # the POs of the history are made from here on
UNTIL = dt.date(2026, 11, 24)  # the profiles are read on the suite's today
NS = {"svg": "http://www.w3.org/2000/svg"}


def deliver(buyer: User, supplier: Supplier, late: list[int], *, start: dt.date = ORDERED) -> None:
    """One PO of `supplier` per 8 deliveries, each line received `late[i]` working days after its promised date
    (the PO's first promise), every step through the purchasing services."""
    calendar = company_calendar()
    material = MaterialFactory(default_supplier=supplier, purchase_price=Decimal(1))
    for first in range(0, len(late), 8):
        chunk = late[first : first + 8]
        ordered = start + dt.timedelta(days=first)
        promised = calendar.add(ordered, 15)
        with clock.frozen(ordered):
            po = procurement.create_purchase_order(
                by=buyer,
                data={
                    "supplier_id": supplier.pk,
                    "lines": [
                        {
                            "material_id": material.pk,
                            "quantity": 10,
                            "required_date": promised,
                            "promised_date": promised,
                        }
                        for _ in chunk
                    ],
                },
            )
            procurement.approve(po=po, by=buyer)
            procurement.send(po=po, by=buyer)
        lines = list(po.lines.order_by("position"))
        for line, days in zip(lines, chunk, strict=True):
            received = calendar.add(promised, days)
            with clock.frozen(received):
                procurement.receive(
                    po=po, by=buyer, data={"received_date": received, "lines": [{"line_id": line.pk, "quantity": 10}]}
                )


@pytest.fixture
def suppliers(world: World) -> dict[str, Supplier]:  # noqa: F811
    """`steady` always exactly 3 working days late (24 deliveries), `rare` twice 10 late, `new` never delivered."""
    found = {"steady": world.supplier, "rare": SupplierFactory(code="RARE"), "new": SupplierFactory(code="NEW")}
    deliver(world.buyer, found["steady"], [3] * 24)
    deliver(world.buyer, found["rare"], [10, 10], start=ORDERED + dt.timedelta(days=30))
    return found


# ---- the selector ------------------------------------------------------------------------------------------------


def test_a_supplier_always_three_working_days_late_is_learned_as_three(suppliers) -> None:
    profile = delay_profile("supplier", suppliers["steady"].pk, until=UNTIL)
    assert (profile.p10, profile.p50, profile.p90) == (3, 3, 3)
    assert profile.sample_size == 24
    assert profile.weight == Decimal("0.750")  # 24 / (24 + 8)
    assert profile.on_time_share == Decimal("0.000")
    counts = {b.days: b.count for b in profile.histogram}
    assert counts[3] == 24
    assert sum(counts.values()) == 24
    assert profile.pooled.sample_size == 26
    assert profile.window_to == UNTIL
    assert profile.window_from == UNTIL - dt.timedelta(days=365)


def test_little_history_is_shrunk_towards_every_suppliers(suppliers) -> None:
    profile = delay_profile("supplier", suppliers["rare"].pk, until=UNTIL)
    assert profile.sample_size == 2
    assert profile.weight == Decimal("0.200")  # 2 / (2 + 8)
    # its own middle would be 10; with a fifth of the weight the middle is the company's 3, the tail its own 10
    assert (profile.p10, profile.p50, profile.p90) == (3, 3, 10)
    pooled_mean = (24 * 3 + 2 * 10) / 26
    assert profile.mean == Decimal(str(round(pooled_mean + 0.2 * (10 - pooled_mean), 1)))
    assert (profile.pooled.p10, profile.pooled.p50, profile.pooled.p90, profile.pooled.sample_size) == (3, 3, 3, 26)


def test_a_supplier_without_history_gets_the_pooled_figures(suppliers) -> None:
    profile = delay_profile("supplier", suppliers["new"].pk, until=UNTIL)
    assert profile.sample_size == 0
    assert profile.weight == Decimal("0.000")
    assert profile.on_time_share is None
    assert (profile.p10, profile.p50, profile.p90) == (3, 3, 3)
    assert not any(b.count for b in profile.histogram)


def test_without_any_history_everything_is_on_time(db) -> None:
    profile = delay_profile("supplier", SupplierFactory().pk)
    assert (profile.p10, profile.p50, profile.p90, profile.sample_size) == (0, 0, 0, 0)
    assert (profile.pooled.p50, profile.pooled.sample_size) == (0, 0)
    assert profile.mean == Decimal("0.0")
    assert not profile.has_history


def test_history_after_the_day_asked_for_is_not_learned(suppliers) -> None:
    profile = delay_profile("supplier", suppliers["steady"].pk, until=ORDERED + dt.timedelta(days=10))
    assert profile.sample_size == 0


def test_the_histogram_clips_into_its_end_buckets() -> None:
    buckets = histogram([-9, -5, -1, 0, 0, 4, 15, 40])
    assert [b.days for b in buckets] == list(range(HISTOGRAM_LOW, HISTOGRAM_HIGH + 1))
    counts = {b.days: b.count for b in buckets}
    assert (counts[-5], counts[-1], counts[0], counts[4], counts[15]) == (2, 1, 2, 1, 2)
    assert buckets[0].is_first
    assert buckets[-1].is_last
    assert [b.days for b in buckets if b.is_late][0] == 1


def test_an_unknown_kind_is_refused(db) -> None:
    with pytest.raises(ValueError, match="supplier or a work_centre"):
        delay_profile("milestone", 1)


def test_one_profile_reads_the_history_once(suppliers, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(6):  # the receipts, the finished milestones and their plans, the work centres
        delay_profile("supplier", suppliers["steady"].pk, until=UNTIL)


@pytest.fixture
def made(plant: Plant, merchandiser: User, manager: User, make_user) -> tuple[WorkCentre, list[int]]:  # noqa: F811
    """An order made on the sewing line whose 50 % output came 2 working days after its date and its production
    complete 4 after its own (through the production and follow-up services); returns the line and the days late
    history reads."""
    planner = make_user(Role.PLANNER, username="pmc1")
    line = confirmed_line(plant, merchandiser, manager, 1000, dt.date(2026, 12, 18))
    production.release_notice(notice=production.create_notice(order_line=line, by=planner), by=planner)
    calendar = company_calendar()
    milestones = plan(line.order)
    half = calendar.add(milestones["P50"].planned_date, 2)
    with clock.frozen(half):
        followup.update_milestone(milestone=milestones["P50"], by=merchandiser, data={"actual_date": half})
    complete_plan = plan(line.order)["PC"]
    complete = calendar.add(max(complete_plan.planned_date, half), 4)
    with clock.frozen(complete):
        followup.update_milestone(milestone=complete_plan, by=merchandiser, data={"actual_date": complete})
    centre = WorkCentre.objects.get(pk=history.work_centres_of([line.order_id])[line.order_id])
    samples = history.delay_samples(until=complete)[f"work_centre:{centre.pk}"]
    return centre, sorted(samples)


def test_a_work_centre_learns_from_the_production_milestones_of_its_orders(made, plant) -> None:  # noqa: F811
    centre, late = made
    assert centre == plant.sewing
    assert len(late) == 2
    assert late[0] == 2
    with clock.frozen(dt.date(2027, 1, 29)):
        profile = delay_profile("work_centre", centre.pk)
    assert profile.sample_size == 2
    assert {b.days: b.count for b in profile.histogram if b.count} == {d: late.count(d) for d in late}
    assert profile.pooled.sample_size == 2  # the only work centre with history: its own is the company's
    assert profile.p50 == late[0]
    assert profile.p90 == late[1]
    assert delay_profile("work_centre", plant.cutting.pk, until=dt.date(2027, 1, 29)).sample_size == 0


# ---- the API -----------------------------------------------------------------------------------------------------


def test_the_supplier_profile_has_the_agreed_shape(api_as, manager, suppliers) -> None:
    response = api_as(manager).get(f"/suppliers/{suppliers['rare'].pk}/delay-profile")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {
        "supplier_id",
        "p10",
        "p50",
        "p90",
        "sample_size",
        "weight",
        "mean",
        "on_time_share",
        "pooled",
        "histogram",
        "window",
    }
    assert body["supplier_id"] == suppliers["rare"].pk
    assert (body["p10"], body["p50"], body["p90"], body["sample_size"]) == (3, 3, 10, 2)
    assert (body["weight"], body["on_time_share"]) == ("0.200", "0.000")
    assert body["pooled"] == {"p10": 3, "p50": 3, "p90": 3, "sample_size": 26}
    assert body["histogram"][0] == {"days": HISTOGRAM_LOW, "count": 0}
    assert {"days": 10, "count": 2} in body["histogram"]
    assert body["window"] == {"from": "2025-11-24", "to": "2026-11-24"}


def test_a_supplier_without_deliveries_has_no_on_time_share(api_as, manager, suppliers) -> None:
    body = api_as(manager).get(f"/suppliers/{suppliers['new'].pk}/delay-profile").json()
    assert body["sample_size"] == 0
    assert body["on_time_share"] is None
    assert body["weight"] == "0.000"


def test_the_work_centre_profile(api_as, manager, made) -> None:
    centre, late = made
    with clock.frozen(dt.date(2027, 1, 29)):
        body = api_as(manager).get(f"/work-centres/{centre.pk}/delay-profile").json()
    assert body["work_centre_id"] == centre.pk
    assert body["sample_size"] == 2
    assert body["p50"] == late[0]
    assert body["window"]["to"] == "2027-01-29"


@pytest.mark.parametrize(
    ("path", "message"),
    [("/suppliers/999999/delay-profile", "No supplier"), ("/work-centres/999999/delay-profile", "No work centre")],
)
def test_an_unknown_id_is_a_404(api_as, manager, path, message) -> None:
    response = api_as(manager).get(path)
    assert response.status_code == 404
    assert message in response.json()["detail"]


def test_without_the_right_to_see_the_supplier_or_work_centre_it_is_a_403(api_as, make_user, plant) -> None:  # noqa: F811
    nobody = make_user(Role.QC)
    nobody.groups.clear()
    supplier = SupplierFactory()
    response = api_as(nobody).get(f"/suppliers/{supplier.pk}/delay-profile")
    assert response.status_code == 403
    assert "partners.view_supplier" in response.json()["detail"]
    response = api_as(nobody).get(f"/work-centres/{plant.sewing.pk}/delay-profile")
    assert response.status_code == 403
    assert "catalog.view_workcentre" in response.json()["detail"]


def test_the_api_answers_in_a_few_queries(api_as, manager, suppliers, django_assert_max_num_queries) -> None:
    client = api_as(manager)
    with django_assert_max_num_queries(10):  # the token, the supplier and its contacts, one reading of history
        assert client.get(f"/suppliers/{suppliers['steady'].pk}/delay-profile").status_code == 200


def test_the_openapi_document_names_the_profile_schemas(api_as, manager) -> None:
    document = api_as(manager).get("/openapi.json").json()
    assert "/api/v1/suppliers/{supplier_id}/delay-profile" in document["paths"]
    assert "/api/v1/work-centres/{work_centre_id}/delay-profile" in document["paths"]
    assert "SupplierDelayProfileOut" in document["components"]["schemas"]


# ---- the pages ---------------------------------------------------------------------------------------------------


def _section(html: str) -> str:
    return html.split('data-testid="delay-profile"')[1].split("</section>")[0]


def test_the_supplier_page_charts_its_learned_profile(page_as, manager, suppliers) -> None:
    html = page_as(manager).get(reverse("partners:supplier", args=[suppliers["steady"].pk])).content.decode()
    section = _section(html)
    assert "Learned delay profile" in html
    assert "Half its deliveries arrive within 3 working days of the promised date." in section
    assert "One in ten arrives more than 3 working days late." in section
    assert "Learned from 24 deliveries of its own, which count for 75.0% of the figures" in section
    assert "all suppliers (26 deliveries)" in section
    svg = ET.fromstring(section.split('<div style="overflow-x:auto">')[1].split("</div>")[0])
    assert svg.get("data-testid") == "delay-profile-chart"
    assert svg.find("svg:title", NS).text == "Learned delay profile: 24 deliveries by working days late"
    assert "Half its deliveries" in svg.find("svg:desc", NS).text
    late = svg.findall(".//svg:g[@data-kind='bar'][@data-series='Late']", NS)
    assert [(g.get("data-key"), g.get("data-value")) for g in late] == [("3", "24")]
    fills = {g.get("data-series"): g.find("svg:rect", NS).get("fill") for g in late}
    assert fills == {"Late": "#dc2626"}
    markers = svg.findall(".//svg:g[@data-kind='marker']", NS)
    assert [(m.get("data-index"), m.get("data-label")) for m in markers] == [
        (str(3 - HISTOGRAM_LOW), "P10 · P50 · P90")
    ]
    assert svg.find(".//svg:text[@data-kind='x-title']", NS).text == "Working days late (negative: early)"
    assert svg.find(".//svg:text[@data-kind='y-title']", NS).text == "Deliveries"


def test_early_and_on_time_bars_are_drawn_apart_from_late_ones(page_as, manager, world) -> None:  # noqa: F811
    supplier = SupplierFactory(code="MIX")
    deliver(world.buyer, supplier, [-2, 0, 0, 1, 5])
    html = page_as(manager).get(reverse("partners:supplier", args=[supplier.pk])).content.decode()
    svg = ET.fromstring(_section(html).split('<div style="overflow-x:auto">')[1].split("</div>")[0])
    bars = {
        (g.get("data-key"), g.get("data-series")): g.find("svg:rect", NS).get("fill")
        for g in svg.findall(".//svg:g[@data-kind='bar']", NS)
    }
    assert bars == {
        ("-2", "On time or early"): "#059669",
        ("0", "On time or early"): "#059669",
        ("1", "Late"): "#dc2626",
        ("5", "Late"): "#dc2626",
    }
    assert "60.0%" in _section(html)  # on time or early: 3 of 5


def test_the_work_centre_page_charts_its_learned_profile(page_as, manager, made) -> None:
    centre, late = made
    with clock.frozen(dt.date(2027, 1, 29)):
        html = page_as(manager).get(reverse("catalog:work_centre", args=[centre.pk])).content.decode()
    section = _section(html)
    assert "Half its production milestones are done within 2 working days of their planned date." in section
    assert 'data-sample-size="2"' in html
    assert "Production milestones" in section


def test_a_supplier_without_history_says_so(page_as, manager) -> None:
    supplier = SupplierFactory()
    html = page_as(manager).get(reverse("partners:supplier", args=[supplier.pk])).content.decode()
    section = _section(html)
    assert "No delivery in the window yet: deliveries are taken as on time." in section
    assert "No delivery of its own in the learning window." in section


def test_the_sections_follow_the_right_to_see_the_page(page_as, make_user, plant) -> None:  # noqa: F811
    supplier = SupplierFactory()
    nobody = make_user(Role.QC)
    nobody.groups.clear()
    assert page_as(nobody).get(reverse("partners:supplier", args=[supplier.pk])).status_code == 403
    assert page_as(nobody).get(reverse("catalog:work_centre", args=[plant.sewing.pk])).status_code == 403
    qc = make_user(Role.QC)
    assert (
        'data-testid="delay-profile"'
        in page_as(qc).get(reverse("partners:supplier", args=[supplier.pk])).content.decode()
    )


def test_the_section_provider_gives_nothing_without_the_right(rf, make_user, plant) -> None:  # noqa: F811
    from gendan.foresight.views import supplier_delay_section, work_centre_delay_section

    nobody = make_user(Role.QC)
    nobody.groups.clear()
    request = rf.get("/")
    request.user = User.objects.get(pk=nobody.pk)
    assert supplier_delay_section(request, SupplierFactory()) is None
    assert work_centre_delay_section(request, plant.sewing) is None
    request.user = make_user(Role.QC)
    assert work_centre_delay_section(request, plant.sewing)["template"] == "foresight/partials/_delay_profile.html"


def test_the_section_in_chinese(page_as, make_user, suppliers) -> None:
    boss = make_user(Role.MANAGER, language="zh-hans")
    response = page_as(boss).get(reverse("partners:supplier", args=[suppliers["steady"].pk]))
    assert response.status_code == 200
    assert 'data-testid="delay-profile-chart"' in response.content.decode()
