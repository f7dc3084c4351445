"""The follow-up API: an order's milestones and follow-ups, PATCH a milestone, the chase list, the risk board."""

import datetime as dt
import io

import openpyxl

from gendan.core import clock
from gendan.core.calendar import company_calendar
from tests.followup.conftest import plan


def test_order_detail_carries_the_forecast(api_as, merchandiser, confirmed_order) -> None:
    order = confirmed_order(ex_factory_date=dt.date(2026, 12, 18))
    body = api_as(merchandiser).get(f"/orders/{order.pk}").json()
    assert body["risk"] == "at_risk"
    assert body["driving_milestone"] == "MO"
    assert body["forecast_ex_factory_date"] > body["ex_factory_date"]
    assert body["slack_days"] < 0
    listed = api_as(merchandiser).get("/orders").json()["items"][0]
    assert listed["risk"] == "at_risk"


def test_a_draft_has_no_risk_yet(api_as, merchandiser) -> None:
    from tests.sales.factories import make_order

    order = make_order(by=merchandiser)
    body = api_as(merchandiser).get(f"/orders/{order.pk}").json()
    assert (body["risk"], body["driving_milestone"], body["slack_days"]) == (None, None, None)
    assert api_as(merchandiser).get(f"/orders/{order.pk}/milestones").json() == []


def test_milestones_in_plan_order(api_as, merchandiser, confirmed_order) -> None:
    order = confirmed_order()
    rows = api_as(merchandiser).get(f"/orders/{order.pk}/milestones").json()
    assert [r["code"] for r in rows][:3] == ["OC", "MO", "PPS"]
    ps = next(r for r in rows if r["code"] == "PS")
    assert ps["depends_on"] == ["MIH", "PPS"]
    assert ps["lags"] == {"MIH": 2, "PPS": 2}
    assert set(ps) >= {"id", "name", "planned_date", "forecast_date", "actual_date", "status", "owner"}
    assert rows[0]["status"] == "done"
    assert rows[1]["status"] == "pending"


def test_patch_actual_reforecasts_before_answering(api_as, merchandiser, confirmed_order) -> None:
    order = confirmed_order(ex_factory_date=dt.date(2027, 1, 22))
    mo = plan(order)["MO"]
    later = mo.planned_date + dt.timedelta(days=14)
    with clock.frozen(later):
        r = api_as(merchandiser).patch(f"/milestones/{mo.pk}", {"actual_date": later.isoformat()})
        assert r.status_code == 200, r.content
        assert r.json()["status"] == "done"
        assert r.json()["actual_date"] == later.isoformat()
        mih = api_as(merchandiser).get(f"/milestones/{plan(order)['MIH'].pk}").json()
        assert mih["forecast_date"] == company_calendar().add(later, 15).isoformat()
        assert mih["driven_by"] == "MO"
        assert api_as(merchandiser).get(f"/orders/{order.pk}").json()["risk"] == "at_risk"


def test_patch_forecast_with_a_note(api_as, merchandiser, confirmed_order) -> None:
    order = confirmed_order()
    mih = plan(order)["MIH"]
    promised = (mih.planned_date + dt.timedelta(days=14)).isoformat()
    r = api_as(merchandiser).patch(f"/milestones/{mih.pk}", {"forecast_date": promised, "note": "mill is late"})
    assert r.status_code == 200
    assert (r.json()["forecast_date"], r.json()["promised_date"], r.json()["forecast_note"]) == (
        promised,
        promised,
        "mill is late",
    )
    assert api_as(merchandiser).get(f"/orders/{order.pk}").json()["driving_milestone"] == "MIH"


def test_patch_errors(api_as, merchandiser, make_user, confirmed_order) -> None:
    order = confirmed_order()
    mih = plan(order)["MIH"]
    api = api_as(merchandiser)
    assert api.patch(f"/milestones/{mih.pk}", {}).status_code == 422
    assert api.patch(f"/milestones/{mih.pk}", {"actual_date": "2030-01-01"}).status_code == 422
    assert api.patch(f"/milestones/{mih.pk}", {"actual_date": "soon"}).status_code == 422
    assert api.patch(f"/milestones/{mih.pk}", {"note": "x", "version": 7}).status_code == 409
    assert api.patch("/milestones/999999", {"note": "x"}).status_code == 404
    other = make_user("qc", username="qc2")
    assert api_as(other).patch(f"/milestones/{mih.pk}", {"actual_date": "2026-11-24"}).status_code == 403
    assert api_as(make_user("sales", username="s2")).patch(f"/milestones/{mih.pk}", {"note": "x"}).status_code == 403
    mih.refresh_from_db()
    assert (mih.version, mih.forecast_note) == (1, "")


def test_add_and_remove_a_milestone(api_as, merchandiser, confirmed_order) -> None:
    order = confirmed_order()
    api = api_as(merchandiser)
    r = api.post(
        f"/orders/{order.pk}/milestones",
        {"code": "LAB", "name_en": "Lab test", "planned_date": "2027-01-15", "depends_on": ["MIH+1"], "after": "MIH"},
    )
    assert r.status_code == 201, r.content
    assert r.json()["depends_on"] == ["MIH"]
    assert r.json()["lags"] == {"MIH": 1}
    assert api.delete(f"/milestones/{r.json()['id']}").status_code == 204
    exf = plan(order)["EXF"]
    assert api.delete(f"/milestones/{exf.pk}").status_code == 422


def test_follow_ups(api_as, merchandiser, confirmed_order) -> None:
    order = confirmed_order()
    mih = plan(order)["MIH"]
    api = api_as(merchandiser)
    r = api.post(
        f"/orders/{order.pk}/follow-ups",
        {
            "party": "supplier",
            "channel": "wechat",
            "summary": "mill will ship the fabric on the 20th",
            "promised_date": (mih.planned_date + dt.timedelta(days=7)).isoformat(),
            "milestone_id": mih.pk,
            "next_follow_up_date": "2026-11-30",
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["milestone_code"] == "MIH"
    assert r.json()["created_by"] == "mer1"
    assert api.get(f"/orders/{order.pk}/follow-ups").json()["items"][0]["id"] == r.json()["id"]
    assert api.get(f"/milestones/{mih.pk}").json()["promised_date"] == r.json()["promised_date"]
    bad = api.post(f"/orders/{order.pk}/follow-ups", {"party": "supplier", "channel": "fax", "summary": "x"})
    assert bad.status_code == 422
    other = api.post(
        f"/orders/{order.pk}/follow-ups", {"party": "customer", "channel": "email", "summary": "x", "milestone_id": 999}
    )
    assert other.status_code == 422
    assert other.json()["detail"][0]["loc"] == ["body", "milestone_id"]


def test_chase_list_is_ranked_and_explained(api_as, merchandiser, manager, confirmed_order) -> None:
    soon = confirmed_order(ex_factory_date=dt.date(2026, 12, 18))  # compressed: MO, PPS, MIH, PS due today
    confirmed_order()  # nothing due for weeks
    rows = api_as(merchandiser).get("/chase-list", date="2026-11-24").json()
    kinds = [(r["kind"], r["milestone_code"]) for r in rows]
    assert ("order", "MO") in kinds  # the order at risk, driven by MO
    assert ("milestone", "PPS") in kinds
    assert ("milestone", "PS") in kinds
    assert ("milestone", "MO") not in kinds  # materials ordered belongs to the buyer
    assert all(r["order_number"] == soon.number for r in rows)
    assert rows[0]["days_late"] >= rows[-1]["days_late"]
    assert all(r["reason"] for r in rows)
    later = api_as(merchandiser).get("/chase-list", date="2026-12-01").json()
    assert any(r["days_late"] > 0 and "overdue" in r["reason"] for r in later)
    assert api_as(manager).get("/chase-list", user="mer1").json() == api_as(merchandiser).get("/chase-list").json()
    assert api_as(merchandiser).get("/chase-list", user="boss").status_code == 404
    assert api_as(merchandiser).get("/chase-list", date="yesterday").status_code == 422


def test_a_promise_moves_the_milestone_off_the_list_until_it_is_due(api_as, merchandiser, confirmed_order) -> None:
    order = confirmed_order(ex_factory_date=dt.date(2026, 12, 18))
    pps = plan(order)["PPS"]
    api = api_as(merchandiser)
    api.patch(f"/milestones/{pps.pk}", {"forecast_date": "2026-12-07", "note": "customer comments next week"})
    codes = [r["milestone_code"] for r in api.get("/chase-list").json() if r["kind"] == "milestone"]
    assert "PPS" not in codes
    due = api.get("/chase-list", date="2026-12-03").json()
    row = next(r for r in due if r["kind"] == "milestone" and r["milestone_code"] == "PPS")
    assert row["due_date"] == "2026-12-07"
    assert "promised" in row["reason"]


def test_follow_ups_come_due(api_as, merchandiser, confirmed_order) -> None:
    order = confirmed_order()
    api = api_as(merchandiser)
    api.post(
        f"/orders/{order.pk}/follow-ups",
        {
            "party": "customer",
            "channel": "email",
            "summary": "asked for the artwork",
            "next_follow_up_date": "2026-11-26",
        },
    )
    assert [r["kind"] for r in api.get("/chase-list", date="2026-11-25").json()] == []
    rows = api.get("/chase-list", date="2026-11-27").json()
    assert [r["kind"] for r in rows] == ["follow_up"]
    assert rows[0]["days_late"] == 1
    assert "artwork" in rows[0]["reason"]


def test_risk_board(api_as, merchandiser, manager, confirmed_order) -> None:
    at_risk = confirmed_order(ex_factory_date=dt.date(2026, 12, 18))
    confirmed_order()
    api_as(merchandiser).post(
        f"/orders/{at_risk.pk}/follow-ups", {"party": "factory", "channel": "visit", "summary": "line booked"}
    )
    page = api_as(manager).get("/risk-board").json()
    assert page["count"] == 1
    row = page["items"][0]
    assert row["number"] == at_risk.number
    assert row["risk"] == "at_risk"
    assert row["driving_milestone"] == "MO"
    assert row["driving_owner"] == "buyer1"
    assert row["latest_follow_up"]["summary"] == "line booked"
    assert api_as(manager).get("/risk-board", risk="late").json()["count"] == 0
    assert api_as(manager).get("/risk-board", merchandiser="mer1", driving_milestone="mo").json()["count"] == 1
    assert api_as(manager).get("/risk-board", sort="sideways").status_code == 422
    assert api_as(manager).get("/risk-board", limit=0).status_code == 422
    export = api_as(manager).get("/risk-board.xlsx")
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sheet.cell(2, 1).value == at_risk.number
    assert sheet.max_row == 2


def test_reassign(api_as, merchandiser, manager, make_user, confirmed_order) -> None:
    order = confirmed_order(ex_factory_date=dt.date(2026, 12, 18))
    mo = plan(order)["MO"]
    helper = make_user("merchandiser", username="mer2")
    assert api_as(helper).post(f"/milestones/{mo.pk}/reassign", {"owner": "mer2"}).status_code == 403
    r = api_as(manager).post(f"/milestones/{mo.pk}/reassign", {"owner": "mer2"})
    assert r.status_code == 200
    assert r.json()["owner"] == "mer2"
    assert api_as(manager).post(f"/milestones/{mo.pk}/reassign", {"owner": "nobody"}).status_code == 422


def test_templates_api(api_as, manager, merchandiser) -> None:
    api = api_as(manager)
    default = api.get("/ta-templates").json()[0]
    assert default["is_default"]
    assert len(default["milestones"]) == 12
    assert default["milestones"][4]["depends_on"] == ["MIH+2", "PPS+2"]
    body = {
        "code": "FAST",
        "name": "Repeat order",
        "product_categories": ["bags"],
        "milestones": [
            {"code": "OC", "name_en": "Confirmed", "offset_days": -15, "done_on_confirm": True},
            {"code": "PC", "name_en": "Production complete", "offset_days": -2, "depends_on": ["OC+10"]},
            {"code": "EXF", "name_en": "Ex-factory", "offset_days": 0, "depends_on": ["PC+1"], "is_ex_factory": True},
        ],
    }
    r = api.post("/ta-templates", body)
    assert r.status_code == 201, r.content
    body["milestones"][2]["depends_on"] = ["ZZ"]
    assert api.put(f"/ta-templates/{r.json()['id']}", body).status_code == 422
    body["milestones"][2]["depends_on"] = ["PC"]
    body["version"] = r.json()["version"]
    assert api.put(f"/ta-templates/{r.json()['id']}", body).json()["version"] == 2
    assert api_as(merchandiser).post("/ta-templates", body).status_code == 403


def test_the_follow_up_log_pages(api_as, merchandiser, confirmed_order) -> None:
    order = confirmed_order()
    api = api_as(merchandiser)
    for n in range(3):
        api.post(f"/orders/{order.pk}/follow-ups", {"party": "customer", "channel": "email", "summary": f"mail {n}"})
    page = api.get(f"/orders/{order.pk}/follow-ups", limit=2, offset=1).json()
    assert page["count"] == 3
    assert [f["summary"] for f in page["items"]] == ["mail 1", "mail 0"]
    assert api.get(f"/orders/{order.pk}/follow-ups", limit=0).status_code == 422


def test_another_domain_can_feed_the_chase_list(api_as, merchandiser, confirmed_order) -> None:
    from gendan.followup import selectors

    order = confirmed_order()

    def po_lines(q: selectors.ChaseQuery) -> list[selectors.ChaseRow]:
        if q.user != merchandiser:
            return []
        return [
            selectors.ChaseRow(
                kind="follow_up",
                order_id=order.pk,
                order_number=order.number,
                milestone_id=None,
                milestone_code="MIH",
                milestone_name="",
                due_date=q.day,
                days_late=9,
                reason="PO line late at the mill",
                object_id=1,
                url="/",
                customer="C",
                tier="normal",
                amount=order.total_amount,
                currency=order.currency,
            )
        ]

    selectors.register_chase_source(po_lines)
    try:
        rows = api_as(merchandiser).get("/chase-list").json()
    finally:
        selectors._sources.remove(po_lines)
    assert rows[0]["reason"] == "PO line late at the mill"
    assert all(r["reason"] != "PO line late at the mill" for r in api_as(merchandiser).get("/chase-list").json())
