"""Follow-up pages: the dashboard's chase list with its row actions, the order's plan, the risk board, templates."""

import datetime as dt

from django.urls import reverse

from gendan.followup.models import FollowUp
from gendan.sales.choices import Risk
from tests.followup.conftest import plan

HX = {"HX-Request": "true"}


def test_dashboard_shows_the_chase_list(page_as, merchandiser, confirmed_order) -> None:
    order = confirmed_order(ex_factory_date=dt.date(2026, 12, 18))
    html = page_as(merchandiser).get("/").content.decode()
    assert 'data-testid="chase-list"' in html
    assert order.number in html
    assert 'data-code="PPS"' in html
    assert "Order at risk" in html


def test_mark_done_from_the_chase_list_swaps_the_panel(page_as, merchandiser, confirmed_order) -> None:
    order = confirmed_order(ex_factory_date=dt.date(2026, 12, 18))
    pps = plan(order)["PPS"]
    r = page_as(merchandiser).post(
        reverse("followup:milestone_done", args=[pps.pk]),
        {"actual_date": "2026-11-24", "target": "chase", "for_user": "mer1", "day": "2026-11-24"},
        headers=HX,
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert html.lstrip().startswith('<div id="chase-panel"')
    assert 'data-code="PPS"' not in html
    assert "PPS done" in html
    pps.refresh_from_db()
    assert pps.actual_date == dt.date(2026, 11, 24)


def test_a_follow_up_from_a_row_with_a_promise(page_as, merchandiser, confirmed_order) -> None:
    order = confirmed_order()
    mih = plan(order)["MIH"]
    promised = mih.planned_date + dt.timedelta(days=14)
    r = page_as(merchandiser).post(
        reverse("followup:follow_up_add", args=[order.pk]),
        {
            "party": "supplier",
            "channel": "phone",
            "summary": "fabric mill: two weeks late",
            "milestone_id": mih.pk,
            "promised_date": promised.isoformat(),
            "target": "chase",
            "for_user": "mer1",
            "day": "2026-11-24",
        },
        headers=HX,
    )
    assert r.status_code == 200
    assert "Follow-up of" in r.content.decode()
    order.refresh_from_db()
    assert order.risk == Risk.AT_RISK
    assert order.driving_milestone == "MIH"
    assert FollowUp.objects.get().promised_date == promised


def test_a_bad_row_action_shows_the_error_and_changes_nothing(page_as, merchandiser, confirmed_order) -> None:
    order = confirmed_order()
    mih = plan(order)["MIH"]
    r = page_as(merchandiser).post(
        reverse("followup:milestone_forecast", args=[mih.pk]),
        {"forecast_date": "2020-01-01", "target": "plan"},
        headers=HX,
    )
    assert r.status_code == 200
    assert "cannot be in the past" in r.content.decode()
    mih.refresh_from_db()
    assert mih.promised_date is None


def test_the_order_page_draws_the_plan(page_as, merchandiser, confirmed_order) -> None:
    order = confirmed_order(ex_factory_date=dt.date(2026, 12, 18))
    html = page_as(merchandiser).get(reverse("sales:order", args=[order.pk])).content.decode()
    assert 'data-testid="gantt"' in html
    assert html.count('data-testid="milestone-row"') == 12
    assert 'data-testid="driving-chain"' in html
    assert 'data-risk="at_risk"' in html
    assert "<script" not in html.split('data-testid="gantt"')[1].split("</svg>")[0]


def test_move_a_milestone_from_the_order_page(page_as, merchandiser, confirmed_order) -> None:
    order = confirmed_order()
    p = plan(order)
    r = page_as(merchandiser).post(
        reverse("followup:milestone_edit", args=[p["PC"].pk]),
        {"planned_date": "2027-02-12", "owner": "mer1", "depends_on": "P50+6", "version": "1", "target": "plan"},
        headers=HX,
    )
    assert r.status_code == 200
    assert 'id="plan"' in r.content.decode()
    order.refresh_from_db()
    assert plan(order)["PC"].planned_date == dt.date(2027, 2, 12)
    assert order.risk == Risk.AT_RISK


def test_without_htmx_actions_redirect(page_as, merchandiser, confirmed_order) -> None:
    order = confirmed_order()
    r = page_as(merchandiser).post(
        reverse("followup:follow_up_add", args=[order.pk]),
        {"party": "customer", "channel": "email", "summary": "sent the PI"},
    )
    assert r.status_code == 302
    assert r["Location"].endswith("#plan")


def test_the_risk_board_page_filters_sorts_exports_and_reassigns(
    page_as, manager, merchandiser, make_user, confirmed_order
) -> None:
    at_risk = confirmed_order(ex_factory_date=dt.date(2026, 12, 18))
    confirmed_order()
    client = page_as(manager)
    html = client.get(reverse("followup:risk_board")).content.decode()
    assert html.count('data-testid="risk-row"') == 1
    assert at_risk.number in html
    assert (
        client.get(reverse("followup:risk_board"), {"risk": "late"}).content.decode().count('data-testid="risk-row"')
        == 0
    )
    assert client.get(reverse("followup:risk_board"), {"sort": "-committed"}).status_code == 200
    export = client.get(reverse("followup:risk_board"), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    make_user("merchandiser", username="mer2")
    mo = plan(at_risk)["MO"]
    r = client.post(reverse("followup:reassign", args=[mo.pk]), {"owner": "mer2", "next": "/follow-up/risk/"})
    assert r.status_code == 302
    mo.refresh_from_db()
    assert mo.owner.username == "mer2"


def test_the_chase_page_for_another_day_and_user(page_as, manager, merchandiser, confirmed_order) -> None:
    order = confirmed_order(ex_factory_date=dt.date(2026, 12, 18))
    html = page_as(manager).get(reverse("followup:chase"), {"user": "mer1", "date": "2026-12-01"}).content.decode()
    assert order.number in html
    assert 'data-user="mer1"' in html


def test_template_pages(page_as, manager) -> None:
    client = page_as(manager)
    assert "STD" in client.get(reverse("followup:template_list")).content.decode()
    data = {
        "code": "rep",
        "name": "Repeat",
        "is_active": "on",
        "product_categories": "bags",
        "m-TOTAL_FORMS": "3",
        "m-INITIAL_FORMS": "0",
        "m-0-code": "OC",
        "m-0-name_en": "Confirmed",
        "m-0-owner_role": "merchandiser",
        "m-0-offset_days": "-10",
        "m-0-done_on_confirm": "on",
        "m-1-code": "EXF",
        "m-1-name_zh": "出厂",
        "m-1-owner_role": "shipping",
        "m-1-offset_days": "0",
        "m-1-depends_on": "OC+5",
        "m-1-is_ex_factory": "on",
    }
    r = client.post(reverse("followup:template_add"), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    page = client.get(r["Location"]).content.decode()
    assert "REP" in page
    assert "OC+5" in page
    data["m-1-is_ex_factory"] = ""
    bad = client.post(reverse("followup:template_add"), {**data, "code": "rep2"})
    assert bad.status_code == 200
    assert "Exactly one" in bad.content.decode()


def test_pages_need_the_permission(page_as, make_user, confirmed_order) -> None:
    outsider = make_user("finance", username="fin")
    assert page_as(outsider).get(reverse("followup:risk_board")).status_code == 200
    assert page_as(outsider).get(reverse("followup:template_add")).status_code == 403


def _queries(client, url: str) -> int:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_pages_do_not_query_per_row(page_as, merchandiser, manager, confirmed_order) -> None:
    from gendan.followup import services

    first = confirmed_order(ex_factory_date=dt.date(2026, 12, 18))
    order_page = reverse("sales:order", args=[first.pk])

    def more(start: int) -> None:
        for n in range(start, start + 3):
            services.add_milestone(
                order=first, by=merchandiser, data={"code": f"X{n}", "name_en": "extra", "planned_date": "2026-12-01"}
            )
            confirmed_order(ex_factory_date=dt.date(2026, 12, 18))

    more(0)  # every kind of row present once (a panel may skip a query when it has nothing of a kind)
    counts = {url: _queries(page_as(c), url) for url, c in [(order_page, merchandiser), ("/", merchandiser)]}
    board = _queries(page_as(manager), reverse("followup:risk_board"))
    more(3)
    assert _queries(page_as(merchandiser), order_page) == counts[order_page]
    assert _queries(page_as(merchandiser), "/") == counts["/"]
    assert _queries(page_as(manager), reverse("followup:risk_board")) == board


def test_the_order_list_shows_the_risk(page_as, merchandiser, confirmed_order) -> None:
    confirmed_order(ex_factory_date=dt.date(2026, 12, 18))
    html = page_as(merchandiser).get(reverse("sales:order_list")).content.decode()
    assert 'data-risk="at_risk"' in html


def test_a_plan_action_also_redraws_the_orders_risk_badge(page_as, merchandiser, confirmed_order) -> None:
    order = confirmed_order()
    pc = plan(order)["PC"]
    r = page_as(merchandiser).post(
        reverse("followup:milestone_forecast", args=[pc.pk]),
        {"forecast_date": "2027-06-30", "target": "plan"},
        headers=HX,
    )
    html = r.content.decode()
    assert '<span id="order-risk" hx-swap-oob="true">' in html
    assert 'data-risk="at_risk"' in html.split('hx-swap-oob="true">')[1].split("</span></span>")[0]


def test_managers_see_anyones_chase_list_others_their_own(page_as, make_user, merchandiser, confirmed_order) -> None:
    confirmed_order(ex_factory_date=dt.date(2026, 12, 18))
    other = make_user("merchandiser", username="mer3")
    html = page_as(other).get(reverse("followup:chase"), {"user": "mer1"}).content.decode()
    assert 'data-user="mer3"' in html
    assert "Only managers" in html


def test_the_orders_audit_trail_names_the_plan(page_as, merchandiser, confirmed_order) -> None:
    from gendan.core import audit
    from gendan.core.templatetags.gendan_tags import change_rows

    order = confirmed_order()
    made = next(c for c in audit.history_for(order) if "plan" in c.changes)
    label, old, new = change_rows(made)[0]
    assert label == "T&A plan"
    assert new.startswith("STD: OC 2026-11-24")
