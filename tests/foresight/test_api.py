"""`GET /api/v1/foresight`: exactly the agreed shape, the permission, and a 422 naming the parameter for bad input."""

from urllib.parse import urlencode

import pytest

from gendan.core.choices import Role
from tests.foresight.conftest import END, START

pytestmark = pytest.mark.usefixtures("at_report_day")
PERIOD = {"from": START.isoformat(), "to": END.isoformat()}


def test_the_report_has_exactly_the_agreed_shape(api_as, manager, history) -> None:
    response = api_as(manager).get("/foresight", **PERIOD)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {
        "late_orders",
        "flagged_ahead",
        "false_alarms",
        "false_alarm_rate",
        "median_lead_days",
        "rows",
        "false_alarm_rows",
    }
    assert body["late_orders"] == 5
    assert body["flagged_ahead"] == {"5": 3, "10": 2, "20": 1}
    assert (body["false_alarms"], body["false_alarm_rate"], body["median_lead_days"]) == (1, "25.0", "8.5")
    ahead12 = next(r for r in body["rows"] if r["order_id"] == history["ahead12"].pk)
    assert ahead12 == {
        "order_id": history["ahead12"].pk,
        "order_number": history["ahead12"].number,
        "committed_date": "2027-02-15",
        "shipped_date": "2027-02-17",
        "first_flag_date": "2027-01-28",
        "lead_days": 12,
        "driver": "MO",
    }
    never = next(r for r in body["rows"] if r["order_id"] == history["never"].pk)
    assert (never["shipped_date"], never["first_flag_date"], never["lead_days"], never["driver"]) == (
        None,
        None,
        None,
        None,
    )
    assert body["false_alarm_rows"] == [
        {
            "order_id": history["false_alarm"].pk,
            "order_number": history["false_alarm"].number,
            "committed_date": "2027-02-15",
            "shipped_date": "2027-02-12",
            "first_flag_date": "2026-12-01",
            "days_flagged": 5,
            "driver": "MIH",
        }
    ]


def test_the_learned_method_is_asked_for_by_name(api_as, manager, learned_flags) -> None:
    body = api_as(manager).get(f"/foresight?{urlencode({**PERIOD, 'method': 'learned'})}").json()
    assert body["flagged_ahead"] == {"5": 1, "10": 1, "20": 1}
    assert (body["false_alarms"], body["false_alarm_rate"], body["median_lead_days"]) == (1, "50.0", "30")


def test_without_a_period_the_last_six_months_are_read(api_as, merchandiser) -> None:
    body = api_as(merchandiser).get("/foresight").json()
    assert body == {
        "late_orders": 0,
        "flagged_ahead": {"5": 0, "10": 0, "20": 0},
        "false_alarms": 0,
        "false_alarm_rate": None,
        "median_lead_days": None,
        "rows": [],
        "false_alarm_rows": [],
    }


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from": "2027-02-30"}, "from", "Give a date as YYYY-MM-DD."),
        ({"to": "next week"}, "to", "Give a date as YYYY-MM-DD."),
        ({"method": "crystal_ball"}, "method", "Choose one of: plan, learned."),
        ({"from": "2027-03-01", "to": "2027-02-01"}, "to", "The end of the period must not be before its start."),
    ],
)
def test_bad_input_is_a_422_naming_the_parameter(api_as, manager, params, field, message) -> None:
    response = api_as(manager).get(f"/foresight?{urlencode(params)}")
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["query", field], "msg": message, "type": "value_error"}]


def test_only_roles_with_the_report_permission_may_read_it(api_as, make_user) -> None:
    assert api_as(None).get("/foresight").status_code == 401
    response = api_as(make_user(Role.PURCHASING)).get("/foresight")
    assert response.status_code == 403
    assert "foresight.view_report" in response.json()["detail"]


def test_the_openapi_document_names_the_foresight_schemas(api_as, manager) -> None:
    document = api_as(manager).get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert {"ForesightOut", "ForesightLateRowOut", "ForesightFalseAlarmRowOut"} <= set(schemas)
    parameters = {p["name"] for p in document["paths"]["/api/v1/foresight"]["get"]["parameters"]}
    assert parameters == {"from", "to", "method"}
