"""Work centres (capacity per day, exceptions) and routings: services, the day_capacity selector, API, pages."""

import datetime as dt
import io
import time
from decimal import Decimal

import factory
import pytest
from openpyxl import load_workbook

from gendan.catalog import selectors, services
from gendan.catalog.models import CapacityException, RoutingStep, WorkCentre
from gendan.core.calendar import WorkingCalendar, company_calendar
from gendan.core.choices import Role
from gendan.core.exceptions import PermissionDenied, StaleVersion, ValidationError
from gendan.core.models import CalendarDay, ObjectChange
from tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():  # noqa: ANN202 - service messages are matched in English; pages follow each user's language
    from django.utils import translation

    with translation.override("en"):
        yield


TUESDAY = dt.date(2026, 11, 24)  # the tests' today
SATURDAY = dt.date(2026, 11, 28)
SUNDAY = dt.date(2026, 11, 29)
MONDAY = dt.date(2026, 11, 30)


class WorkCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkCentre

    code = factory.Sequence(lambda n: f"WC{n:03d}")
    name = factory.Sequence(lambda n: f"车缝{n}线")
    kind = "line"
    capacity_unit = "hours"
    daily_capacity = Decimal("16.00")
    max_overtime_hours = Decimal("4.00")


@pytest.fixture
def planner(make_user):  # noqa: ANN001, ANN201
    return make_user(Role.PLANNER, username="pmc1")


def centre_data(**kw: object) -> dict:
    data = {"code": "SEW1", "name": "车缝一线", "daily_capacity": "16", "max_overtime_hours": 4}
    data.update(kw)
    return data


def errors_of(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return exc.value.errors


# ---- services: work centres ---------------------------------------------------------------------


def test_create_work_centre_stores_decimals_and_records_it(planner) -> None:
    centre = services.create_work_centre(by=planner, data=centre_data())
    assert (centre.kind, centre.capacity_unit, centre.daily_capacity) == ("line", "hours", Decimal("16.00"))
    assert centre.version == 1
    assert ObjectChange.objects.filter(content_type__model="workcentre", object_id=centre.pk, action="create").exists()


def test_a_factory_needs_a_subcontract_supplier(planner) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_work_centre(by=planner, data=centre_data(kind="factory", max_overtime_hours=0))
    assert set(errors_of(exc)) == {"supplier"}  # the check constraint's message is said once, on the field
    material_supplier = SupplierFactory(kind="material")
    with pytest.raises(ValidationError) as exc:
        services.create_work_centre(
            by=planner, data=centre_data(kind="factory", supplier=material_supplier.pk, max_overtime_hours=0)
        )
    assert "subcontract" in errors_of(exc)["supplier"][0]
    sub = SupplierFactory(code="F1", kind="subcontract")
    centre = services.create_work_centre(
        by=planner,
        data=centre_data(
            kind="factory",
            supplier_id="F1",
            capacity_unit="units",
            product_family="towels",
            daily_capacity=500,
            max_overtime_hours=0,
        ),
    )
    assert centre.supplier == sub
    with pytest.raises(ValidationError) as exc:
        services.create_work_centre(by=planner, data=centre_data(code="X", supplier="NOPE"))
    assert "supplier" in errors_of(exc)


def test_a_line_names_no_supplier(planner) -> None:
    sub = SupplierFactory(kind="subcontract")
    with pytest.raises(ValidationError) as exc:
        services.create_work_centre(by=planner, data=centre_data(supplier=sub))
    assert set(errors_of(exc)) == {"supplier"}


def test_units_need_a_product_family_and_allow_no_overtime_every_error_at_once(planner) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_work_centre(
            by=planner, data=centre_data(capacity_unit="units", daily_capacity="-1", code="bad code")
        )
    assert {"product_family", "max_overtime_hours", "daily_capacity", "code"} <= set(errors_of(exc))
    assert not WorkCentre.objects.exists()


def test_update_work_centre_checks_the_version_and_the_rules(planner) -> None:
    centre = WorkCentreFactory(daily_capacity=Decimal(16))
    updated = services.update_work_centre(work_centre=centre, by=planner, version=1, data={"daily_capacity": "20"})
    assert (updated.daily_capacity, updated.version) == (Decimal("20.00"), 2)
    with pytest.raises(StaleVersion) as stale:
        services.update_work_centre(work_centre=centre, by=planner, version=1, data={"name": "x"})
    assert stale.value.current_version == 2
    unchanged = services.update_work_centre(work_centre=centre, by=planner, version=2, data={"daily_capacity": 20})
    assert unchanged.version == 2  # no change, no new version
    with pytest.raises(ValidationError) as exc:  # units while overtime is still allowed
        services.update_work_centre(
            work_centre=centre, by=planner, version=2, data={"capacity_unit": "units", "product_family": "towels"}
        )
    assert set(errors_of(exc)) == {"max_overtime_hours"}
    centre.refresh_from_db()
    assert centre.capacity_unit == "hours"


def test_only_planning_and_managers_keep_work_centres_everyone_sees_them(make_user) -> None:
    for role in Role:
        user = make_user(role)
        assert user.has_perms(["catalog.view_workcentre", "catalog.view_routingstep"]), role
        keeps = role in {Role.PLANNER, Role.MANAGER, Role.ADMIN}
        assert user.has_perms(["catalog.add_workcentre", "catalog.change_workcentre"]) == keeps, role
        assert user.has_perm("catalog.change_routingstep") == keeps, role
    with pytest.raises(PermissionDenied):
        services.create_work_centre(by=make_user(Role.MERCHANDISER), data=centre_data())
    with pytest.raises(PermissionDenied):
        services.set_exception(
            work_centre=WorkCentreFactory(), by=make_user(Role.SALES), date=SATURDAY, capacity=8, kind="overtime"
        )


# ---- services: capacity exceptions --------------------------------------------------------------


def test_set_exception_adds_replaces_and_removes_one_day_and_records_it(planner) -> None:
    centre = WorkCentreFactory()
    exc = services.set_exception(
        work_centre=centre, by=planner, date=SATURDAY, capacity="8", kind="overtime", reason="rush"
    )
    assert (exc.date, exc.capacity, exc.kind, exc.reason) == (SATURDAY, Decimal("8.00"), "overtime", "rush")
    services.set_exception(work_centre=centre, by=planner, date=SATURDAY, capacity=10, kind="overtime")
    assert list(CapacityException.objects.values_list("date", "capacity")) == [(SATURDAY, Decimal("10.00"))]
    assert services.remove_exception(work_centre=centre, by=planner, date=SATURDAY) is True
    assert services.remove_exception(work_centre=centre, by=planner, date=SATURDAY) is False
    trail = ObjectChange.objects.filter(content_type__model="workcentre", object_id=centre.pk).order_by("id")
    assert [c.changes["exceptions"] for c in trail] == [
        [None, "2026-11-28 8 overtime (rush)"],
        ["2026-11-28 8 overtime (rush)", "2026-11-28 10 overtime"],
        ["2026-11-28 10 overtime", None],
    ]


def test_set_exceptions_over_a_range_replaces_what_the_days_had(planner) -> None:
    centre = WorkCentreFactory()
    other = WorkCentreFactory()
    services.set_exception(work_centre=centre, by=planner, date=MONDAY, capacity=20, kind="overtime")
    services.set_exception(work_centre=other, by=planner, date=MONDAY, capacity=20, kind="overtime")
    created = services.set_exceptions(
        work_centre=centre,
        by=planner,
        start=MONDAY,
        end=MONDAY + dt.timedelta(days=2),
        capacity=0,
        kind="maintenance",
        reason="PM",
    )
    assert len(created) == 3
    assert set(CapacityException.objects.filter(work_centre=centre).values_list("kind", flat=True)) == {"maintenance"}
    assert CapacityException.objects.get(work_centre=other).kind == "overtime"
    last = ObjectChange.objects.filter(object_id=centre.pk, content_type__model="workcentre").latest("id")
    assert last.changes["exceptions"][1] == "2026-11-30–2026-12-02 0 maintenance (PM)"
    assert services.remove_exceptions(work_centre=centre, by=planner, start=MONDAY, end=MONDAY + dt.timedelta(1)) == 2


def test_exception_errors_name_the_field_and_change_nothing(planner) -> None:
    centre = WorkCentreFactory()
    with pytest.raises(ValidationError) as exc:
        services.set_exceptions(
            work_centre=centre, by=planner, start=MONDAY, end=SATURDAY, capacity="-1", kind="holiday"
        )
    assert {"end", "capacity", "kind"} <= set(errors_of(exc))
    with pytest.raises(ValidationError) as exc:
        services.set_exceptions(
            work_centre=centre, by=planner, start=MONDAY, end=MONDAY + dt.timedelta(days=400), capacity=1
        )
    assert "end" in errors_of(exc)
    assert not CapacityException.objects.exists()


# ---- services: routing --------------------------------------------------------------------------


def test_set_routing_replaces_it_whole_renumbers_and_records_it(planner) -> None:
    product = ProductFactory()
    cut, sew = WorkCentreFactory(code="CUT"), WorkCentreFactory(code="SEW")
    services.set_routing(
        product=product, by=planner, steps=[{"name": "old", "work_centre": cut, "minutes_per_unit": 1}]
    )
    steps = services.set_routing(
        product=product,
        by=planner,
        steps=[
            {"name": "裁剪", "work_centre": "CUT", "minutes_per_unit": "0.48", "setup_minutes": 30},
            {"name": "车缝", "work_centre_id": sew.pk, "units_per_hour": 7},
            {"name": "包装", "work_centre": str(sew.pk), "units_per_hour": "120", "setup_minutes": ""},
        ],
    )
    assert [(s.position, s.name, s.work_centre.code, s.minutes_per_unit, s.setup_minutes) for s in steps] == [
        (1, "裁剪", "CUT", Decimal("0.480"), Decimal("30.0")),
        (2, "车缝", "SEW", Decimal("8.571"), Decimal("0.0")),  # 60 / 7 = 8.5714…
        (3, "包装", "SEW", Decimal("0.500"), Decimal("0.0")),
    ]
    assert RoutingStep.objects.filter(product=product).count() == 3
    last = ObjectChange.objects.filter(content_type__model="product", object_id=product.pk).latest("id")
    assert last.changes["routing"] == [
        "1 old @CUT 1 min",
        "1 裁剪 @CUT 0.48 min (+30 setup); 2 车缝 @SEW 8.571 min; 3 包装 @SEW 0.5 min",
    ]
    assert services.set_routing(product=product, by=planner, steps=[]) == []
    assert services.minutes_from_units_per_hour(Decimal(90)) == Decimal("0.667")


def test_routing_errors_are_named_per_step_and_keep_the_old_routing(planner) -> None:
    product = ProductFactory()
    keep = WorkCentreFactory(code="KEEP")
    services.set_routing(product=product, by=planner, steps=[{"name": "a", "work_centre": keep, "minutes_per_unit": 1}])
    off = WorkCentreFactory(code="OFF", is_active=False)
    with pytest.raises(ValidationError) as exc:
        services.set_routing(
            product=product,
            by=planner,
            steps=[
                {"name": "ok", "work_centre": keep, "minutes_per_unit": 1},
                {"name": "inactive", "work_centre": off.pk, "minutes_per_unit": 1},
                {"name": "", "work_centre": "NOPE", "minutes_per_unit": "x"},
                {"name": "both", "work_centre": keep, "minutes_per_unit": 1, "units_per_hour": 60},
                {"name": "none", "work_centre": None, "setup_minutes": -1},
                {"name": "zero rate", "work_centre": keep, "units_per_hour": 0},
                {"name": "zero minutes on hours", "work_centre": keep, "minutes_per_unit": 0},
                {"name": "too precise", "work_centre": keep, "minutes_per_unit": "1.2345"},
            ],
        )
    errors = errors_of(exc)
    assert set(errors) == {
        "steps.2.work_centre",
        "steps.3.name",
        "steps.3.work_centre",
        "steps.3.minutes_per_unit",
        "steps.4.units_per_hour",
        "steps.5.work_centre",
        "steps.5.minutes_per_unit",
        "steps.5.setup_minutes",
        "steps.6.units_per_hour",
        "steps.7.minutes_per_unit",
        "steps.8.minutes_per_unit",
    }
    assert "inactive" in errors["steps.2.work_centre"][0]
    assert [s.work_centre.code for s in selectors.routing_of(product)] == ["KEEP"]


def test_a_units_work_centre_may_take_zero_minutes_per_unit(planner) -> None:
    factory_centre = WorkCentreFactory(
        kind="factory",
        supplier=SupplierFactory(kind="subcontract"),
        capacity_unit="units",
        product_family="towels",
        max_overtime_hours=0,
    )
    steps = services.set_routing(
        product=ProductFactory(),
        by=planner,
        steps=[{"name": "外协", "work_centre": factory_centre, "minutes_per_unit": 0}],
    )
    assert steps[0].minutes_per_unit == 0


def test_only_planning_and_managers_set_routings(make_user) -> None:
    with pytest.raises(PermissionDenied):
        services.set_routing(product=ProductFactory(), by=make_user(Role.MERCHANDISER), steps=[])


# ---- day_capacity -------------------------------------------------------------------------------


def test_day_capacity_gives_the_daily_capacity_on_working_days_and_0_on_rest_days() -> None:
    line = WorkCentreFactory(daily_capacity=Decimal(16))
    factory_centre = WorkCentreFactory(
        kind="factory",
        supplier=SupplierFactory(kind="subcontract"),
        capacity_unit="units",
        daily_capacity=500,
        product_family="towels",
        max_overtime_hours=0,
    )
    CalendarDay.objects.create(date=dt.date(2026, 11, 26), kind=CalendarDay.Kind.HOLIDAY, name="x")
    CalendarDay.objects.create(date=SUNDAY, kind=CalendarDay.Kind.WORKING_DAY, name="调休")
    CapacityException.objects.create(work_centre=line, date=SATURDAY, capacity=8, kind="overtime")
    CapacityException.objects.create(work_centre=line, date=TUESDAY, capacity=0, kind="maintenance")
    CapacityException.objects.create(work_centre=line, date=MONDAY + dt.timedelta(days=30), capacity=1)  # outside
    result = selectors.day_capacity([line.pk, factory_centre.pk, 99999], TUESDAY, MONDAY)
    assert len(result) == 2 * 7
    assert [result[(line.pk, TUESDAY + dt.timedelta(days=i))] for i in range(7)] == [
        Decimal(0),  # maintenance
        Decimal(16),  # Wednesday
        Decimal(0),  # a holiday
        Decimal(16),  # Friday
        Decimal(8),  # overtime on Saturday
        Decimal(16),  # a make-up working day
        Decimal(16),  # Monday
    ]
    assert result[(factory_centre.pk, SATURDAY)] == 0
    assert result[(factory_centre.pk, MONDAY)] == 500
    assert selectors.day_capacity([], TUESDAY, MONDAY) == {}
    assert selectors.day_capacity([line.pk], MONDAY, TUESDAY) == {}


def test_day_capacity_reads_with_two_queries_for_any_number_of_work_centres(django_assert_num_queries) -> None:
    centres = WorkCentreFactory.create_batch(30)
    for centre in centres[::3]:
        CapacityException.objects.create(work_centre=centre, date=SATURDAY, capacity=8, kind="overtime")
    ids = [c.pk for c in centres]
    calendar = company_calendar()
    end = TUESDAY + dt.timedelta(days=179)
    with django_assert_num_queries(2):
        result = selectors.day_capacity(ids, TUESDAY, end, calendar=calendar)
    assert len(result) == 30 * 180
    assert result[(centres[0].pk, SATURDAY)] == 8
    assert result[(centres[1].pk, SATURDAY)] == 0
    with django_assert_num_queries(4):  # plus the company's calendar (settings, special days)
        selectors.day_capacity(ids, TUESDAY, end)
    started = time.perf_counter()
    for _ in range(5):
        selectors.day_capacity(ids, TUESDAY, end, calendar=calendar)
    assert (time.perf_counter() - started) / 5 < 0.05


def test_day_capacity_follows_the_calendar_given() -> None:
    centre = WorkCentreFactory(daily_capacity=Decimal(10))
    six_days = WorkingCalendar.of([7])
    result = selectors.day_capacity([centre.pk], SATURDAY, SUNDAY, calendar=six_days)
    assert result == {(centre.pk, SATURDAY): Decimal(10), (centre.pk, SUNDAY): Decimal(0)}


def test_capacity_days_mark_the_exceptions() -> None:
    centre = WorkCentreFactory()
    CapacityException.objects.create(work_centre=centre, date=SATURDAY, capacity=8, kind="overtime", reason="rush")
    days = selectors.capacity_days(centre, TUESDAY, SUNDAY)
    assert [(d.date.day, d.capacity, d.is_working_day, bool(d.exception)) for d in days][-2:] == [
        (28, Decimal(8), False, True),
        (29, Decimal(0), False, False),
    ]


# ---- API ----------------------------------------------------------------------------------------


def test_work_centre_api_create_list_get_patch(api_as, planner) -> None:
    client = api_as(planner)
    assert api_as(None).get("/work-centres").status_code == 401
    created = client.post("/work-centres", {"code": "SEW1", "name": "车缝一线", "daily_capacity": 16.5})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["daily_capacity"], body["max_overtime_hours"], body["kind"]) == ("16.50", "0.00", "line")
    assert (body["exceptions"], body["routing_steps"], body["version"]) == ([], [], 1)
    sub = SupplierFactory(code="F1", kind="subcontract")
    client.post(
        "/work-centres",
        {
            "code": "F1",
            "name": "外协厂",
            "kind": "factory",
            "supplier_id": sub.pk,
            "capacity_unit": "units",
            "daily_capacity": "500",
            "product_family": "towels",
        },
    )
    page = client.get("/work-centres", kind="factory").json()
    assert (page["count"], page["items"][0]["supplier_code"]) == (1, "F1")
    assert client.get("/work-centres").json()["count"] == 2
    assert client.get("/work-centres", kind="nope").status_code == 422
    pk = body["id"]
    patched = client.patch(f"/work-centres/{pk}", {"version": 1, "daily_capacity": "20"})
    assert (patched.status_code, patched.json()["version"]) == (200, 2)
    stale = client.patch(f"/work-centres/{pk}", {"version": 1, "name": "x"})
    assert (stale.status_code, stale.json()["code"], stale.json()["current_version"]) == (409, "stale_version", 2)
    assert client.get("/work-centres/99999").status_code == 404
    workbook = load_workbook(io.BytesIO(client.get("/work-centres.xlsx").content)).active
    assert [r[0] for r in workbook.iter_rows(min_row=2, values_only=True)] == ["F1", "SEW1"]


def test_work_centre_api_errors_name_the_fields_and_roles_are_checked(api_as, planner, make_user) -> None:
    response = api_as(planner).post(
        "/work-centres",
        {
            "code": "F1",
            "name": "x",
            "kind": "factory",
            "capacity_unit": "units",
            "daily_capacity": 1,
            "max_overtime_hours": 2,
        },
    )
    assert response.status_code == 422
    locs = {tuple(d["loc"]) for d in response.json()["detail"]}
    assert {("body", "supplier"), ("body", "product_family"), ("body", "max_overtime_hours")} <= locs
    finance = api_as(make_user(Role.FINANCE))
    assert finance.post("/work-centres", {"code": "A", "name": "A", "daily_capacity": 1}).status_code == 403
    centre = WorkCentreFactory()
    assert finance.get(f"/work-centres/{centre.pk}").status_code == 200
    forbidden = finance.patch(f"/work-centres/{centre.pk}", {"version": 1, "name": "x"})
    assert forbidden.status_code == 403
    assert "catalog.change_workcentre" in forbidden.json()["detail"]
    assert not WorkCentre.objects.filter(code="A").exists()


def test_capacity_and_exceptions_over_the_api(api_as, planner, make_user) -> None:
    centre = WorkCentreFactory(daily_capacity=Decimal(16))
    client = api_as(planner)
    put = client.put(f"/work-centres/{centre.pk}/exceptions/2026-11-28", {"capacity": 8, "kind": "overtime"})
    assert put.status_code == 200, put.content
    assert put.json() == {"date": "2026-11-28", "capacity": "8.00", "kind": "overtime", "reason": ""}
    days = client.get(f"/work-centres/{centre.pk}/capacity").json()
    assert len(days) == 42
    assert days[0] == {"date": "2026-11-24", "capacity": "16.00", "is_working_day": True, "exception": None}
    assert days[4]["exception"]["kind"] == "overtime"
    assert (days[4]["capacity"], days[5]["capacity"]) == ("8.00", "0")
    ranged = client.get(f"/work-centres/{centre.pk}/capacity", **{"from": "2026-11-28", "to": "2026-11-29"}).json()
    assert [d["date"] for d in ranged] == ["2026-11-28", "2026-11-29"]
    backwards = client.get(f"/work-centres/{centre.pk}/capacity", **{"from": "2026-11-28", "to": "2026-11-01"})
    assert backwards.status_code == 422
    assert client.get(f"/work-centres/{centre.pk}").json()["exceptions"][0]["date"] == "2026-11-28"
    bad = client.put(f"/work-centres/{centre.pk}/exceptions/2026-11-28", {"capacity": -1})
    assert bad.status_code == 422
    assert client.put(f"/work-centres/{centre.pk}/exceptions/2026-13-01", {"capacity": 1}).status_code == 422
    merch = api_as(make_user(Role.MERCHANDISER))
    assert merch.delete(f"/work-centres/{centre.pk}/exceptions/2026-11-28").status_code == 403
    assert merch.get(f"/work-centres/{centre.pk}/capacity").status_code == 200
    assert client.delete(f"/work-centres/{centre.pk}/exceptions/2026-11-28").status_code == 204
    assert client.delete(f"/work-centres/{centre.pk}/exceptions/2026-11-28").status_code == 404
    assert not CapacityException.objects.exists()


def test_routing_over_the_api(api_as, planner, make_user) -> None:
    product = ProductFactory()
    cut, sew = WorkCentreFactory(code="CUT"), WorkCentreFactory(code="SEW")
    client = api_as(planner)
    assert client.get(f"/products/{product.pk}/routing").json() == []
    put = client.put(
        f"/products/{product.pk}/routing",
        [
            {"name": "裁剪", "work_centre_id": cut.pk, "minutes_per_unit": "0.48", "setup_minutes": 30},
            {"name": "车缝", "work_centre_id": sew.pk, "units_per_hour": 50},
        ],
    )
    assert put.status_code == 200, put.content
    assert put.json()[1] == {
        "position": 2,
        "name": "车缝",
        "work_centre_id": sew.pk,
        "work_centre_code": "SEW",
        "work_centre_name": sew.name,
        "minutes_per_unit": "1.200",
        "setup_minutes": "0.0",
    }
    assert [s["position"] for s in client.get(f"/products/{product.pk}/routing").json()] == [1, 2]
    assert [s["work_centre_code"] for s in client.get(f"/products/{product.pk}").json()["routing"]] == ["CUT", "SEW"]
    sew.is_active = False
    sew.save()
    bad = client.put(
        f"/products/{product.pk}/routing",
        [
            {"name": "裁剪", "work_centre_id": cut.pk, "minutes_per_unit": 1},
            {"name": "车缝", "work_centre_id": sew.pk, "minutes_per_unit": 1},
        ],
    )
    assert bad.status_code == 422
    assert [d["loc"] for d in bad.json()["detail"]] == [["body", "steps.2.work_centre"]]
    assert RoutingStep.objects.filter(product=product).count() == 2
    assert api_as(make_user(Role.SALES)).put(f"/products/{product.pk}/routing", []).status_code == 403
    assert api_as(make_user(Role.SALES)).get(f"/products/{product.pk}/routing").status_code == 200
    assert client.put("/products/99999/routing", []).status_code == 404


# ---- pages --------------------------------------------------------------------------------------


def test_work_centre_list_filters_exports_and_is_in_the_nav(page_as, make_user) -> None:
    WorkCentreFactory(code="SEW1")
    WorkCentreFactory(code="OLD", is_active=False)
    WorkCentreFactory(
        code="F1",
        kind="factory",
        supplier=SupplierFactory(kind="subcontract"),
        capacity_unit="units",
        product_family="towels",
        max_overtime_hours=0,
    )
    c = page_as(make_user(Role.QC))
    html = c.get("/catalog/work-centres/").content.decode()
    assert all(code in html for code in ("SEW1", "OLD", "F1"))
    assert 'href="/catalog/work-centres/"' in html  # the nav entry
    assert "New work centre" not in html
    filtered = c.get("/catalog/work-centres/", {"kind": "factory"}).content.decode()
    assert "F1" in filtered
    assert "SEW1" not in filtered
    active = c.get("/catalog/work-centres/export/", {"active": "1"})
    rows = load_workbook(io.BytesIO(active.content)).active.iter_rows(min_row=2, values_only=True)
    assert [r[0] for r in rows] == ["F1", "SEW1"]


def test_work_centre_detail_shows_six_weeks_the_exceptions_and_the_routing_steps(page_as, planner) -> None:
    centre = WorkCentreFactory(code="SEW1")
    CapacityException.objects.create(work_centre=centre, date=SATURDAY, capacity=8, kind="overtime", reason="rush")
    step = RoutingStep.objects.create(
        product=ProductFactory(code="TOWEL1"), position=1, name="车缝", work_centre=centre, minutes_per_unit=1
    )
    response = page_as(planner).get(f"/catalog/work-centres/{centre.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["weeks"]) == 6
    assert response.context["weeks"][0][0]["day"].date == dt.date(2026, 11, 23)  # this week's Monday
    assert 'data-date="2026-11-28" data-exception="overtime"' in html
    assert "rush" in html
    assert "TOWEL1" in html
    assert f"/catalog/products/{step.product_id}/" in html
    assert 'data-testid="exception-form"' in html
    assert page_as(planner).get("/catalog/work-centres/99999/").status_code == 404


def test_work_centre_add_and_edit_pages_save_and_show_errors(page_as, planner) -> None:
    c = page_as(planner)
    assert c.get("/catalog/work-centres/add/").status_code == 200
    post = {
        "code": "SEW1",
        "name": "车缝一线",
        "kind": "line",
        "capacity_unit": "hours",
        "daily_capacity": "16",
        "max_overtime_hours": "3",
        "is_active": "on",
    }
    response = c.post("/catalog/work-centres/add/", post)
    assert response.status_code == 302
    centre = WorkCentre.objects.get(code="SEW1")
    assert response["Location"] == f"/catalog/work-centres/{centre.pk}/"
    invalid = c.post("/catalog/work-centres/add/", {**post, "code": "F1", "kind": "factory"})
    assert invalid.status_code == 200
    assert "supplier" in invalid.context["form"].errors
    edit_url = f"/catalog/work-centres/{centre.pk}/edit/"
    assert c.post(edit_url, {**post, "daily_capacity": "20", "version": "1"}).status_code == 302
    centre.refresh_from_db()
    assert (centre.daily_capacity, centre.version) == (Decimal("20.00"), 2)
    stale = c.post(edit_url, {**post, "daily_capacity": "24", "version": "1"})
    assert stale.status_code == 200
    assert "changed by someone else" in stale.content.decode()


def test_exceptions_are_set_and_removed_on_the_work_centre_page(page_as, planner, make_user) -> None:
    centre = WorkCentreFactory()
    c = page_as(planner)
    url = f"/catalog/work-centres/{centre.pk}/exceptions/"
    response = c.post(url, {"date": "2026-11-30", "end": "2026-12-01", "capacity": "0", "kind": "maintenance"})
    assert response.status_code == 302
    assert CapacityException.objects.filter(work_centre=centre).count() == 2
    invalid = c.post(url, {"date": "2026-11-30", "end": "2026-11-01", "capacity": "1", "kind": "other"})
    assert invalid.status_code == 200
    assert "end" in invalid.context["exception_form"].errors
    remove = f"/catalog/work-centres/{centre.pk}/exceptions/remove/"
    assert c.post(remove, {"date": "2026-11-30"}).status_code == 302
    assert list(CapacityException.objects.values_list("date", flat=True)) == [dt.date(2026, 12, 1)]
    merch = page_as(make_user(Role.MERCHANDISER))
    assert merch.post(url, {"date": "2026-11-30", "capacity": "1", "kind": "other"}).status_code == 403
    assert 'data-testid="exception-form"' not in merch.get(f"/catalog/work-centres/{centre.pk}/").content.decode()


def test_product_page_shows_the_routing_with_its_total(page_as, planner) -> None:
    product = ProductFactory()
    centre = WorkCentreFactory(code="SEW1")
    for position, minutes in ((1, "0.5"), (2, "1.25")):
        RoutingStep.objects.create(
            product=product, position=position, name=f"op{position}", work_centre=centre, minutes_per_unit=minutes
        )
    html = page_as(planner).get(f"/catalog/products/{product.pk}/").content.decode()
    assert 'data-testid="routing"' in html
    assert "op2" in html
    assert '<th class="num" data-testid="routing-total">1.75</th>' in html
    assert f"/catalog/products/{product.pk}/routing/" in html


def test_routing_edit_page_saves_in_sequence_order_and_shows_row_errors(page_as, planner) -> None:
    product = ProductFactory()
    cut, sew = WorkCentreFactory(code="CUT"), WorkCentreFactory(code="SEW")
    c = page_as(planner)
    url = f"/catalog/products/{product.pk}/routing/"
    assert c.get(url).status_code == 200
    response = c.post(
        url,
        {
            "seq": ["2", "", "1"],
            "name": ["车缝", "", "裁剪"],
            "work_centre": [str(sew.pk), "", str(cut.pk)],
            "minutes_per_unit": ["", "", "0.5"],
            "units_per_hour": ["40", "", ""],
            "setup_minutes": ["", "", "15"],
        },
    )
    assert response.status_code == 302
    assert [(s.position, s.name, s.minutes_per_unit) for s in selectors.routing_of(product)] == [
        (1, "裁剪", Decimal("0.500")),
        (2, "车缝", Decimal("1.500")),
    ]
    html = c.get(url).content.decode()
    assert 'value="1.5"' in html
    invalid = c.post(
        url,
        {
            "seq": ["1", "2"],
            "name": ["裁剪", ""],
            "work_centre": [str(cut.pk), ""],
            "minutes_per_unit": ["0.5", "1"],
            "units_per_hour": ["", ""],
            "setup_minutes": ["", ""],
        },
    )
    assert invalid.status_code == 200
    assert invalid.context["rows"][1]["bad"] == {"name", "work_centre"}
    assert "Choose a work centre." in invalid.content.decode()
    assert RoutingStep.objects.filter(product=product).count() == 2
    more = c.post(url, {"seq": ["1"], "name": ["x"], "work_centre": [""], "minutes_per_unit": ["9"], "more": "1"})
    assert more.content.decode().count('name="name"') == 6
    assert RoutingStep.objects.filter(product=product, name="x").count() == 0


def test_routing_page_rights(page_as, make_user) -> None:
    product = ProductFactory()
    merch = page_as(make_user(Role.MERCHANDISER))
    assert merch.get(f"/catalog/products/{product.pk}/routing/").status_code == 403
    html = merch.get(f"/catalog/products/{product.pk}/").content.decode()
    assert 'data-testid="routing"' in html
    assert f"/catalog/products/{product.pk}/routing/" not in html
    assert page_as(make_user(Role.MANAGER)).get("/catalog/products/99999/routing/").status_code == 404


def test_work_centre_choices_are_enums_in_openapi(api_as, planner) -> None:
    schema = api_as(planner).get("/openapi.json").json()["components"]["schemas"]
    assert schema["WorkCentreOut"]["properties"]["kind"]["enum"] == ["line", "workshop", "factory"]
    assert schema["CapacityExceptionIn"]["properties"]["kind"]["enum"] == ["overtime", "maintenance", "other"]
