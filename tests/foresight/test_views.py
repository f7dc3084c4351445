"""The foresight page: headline figures, charts, the late orders and false alarms, the methods side by side, the
Excel export, in English and Chinese, for the roles that may see it."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gendan.core.choices import Role
from tests.foresight.conftest import END, START

pytestmark = pytest.mark.usefixtures("at_report_day")
URL = reverse("foresight:report")
PERIOD = {"from": START.isoformat(), "to": END.isoformat()}


def test_the_page_shows_the_figures_the_charts_and_both_tables(page_as, manager, history) -> None:
    response = page_as(manager).get(URL, PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="hl-late"' in html
    for n, pct in ((5, "60.0%"), (10, "40.0%"), (20, "20.0%")):  # recall at 5, 10, 20
        assert pct in html.split(f'data-testid="hl-recall-{n}"')[1].split("</div>\n  </div>")[0]
    assert "25.0%" in html  # the false-alarm rate
    assert "8.5" in html  # the median lead
    # the charts, drawn on the server
    assert 'data-testid="lead-distribution"' in html
    assert 'data-key="10-19"' in html
    assert 'data-testid="pareto"' in html
    assert 'data-cause="MO"' in html
    # the late orders, each linked to its order page, the surprises first
    rows = html.split('data-testid="late-row"')[1:]
    assert len(rows) == 5
    assert f'data-order="{history["never"].number}"' in html
    assert reverse("sales:order", args=[history["ahead12"].pk]) in html
    assert 'data-lead="12" data-bucket="10-19"' in html
    # the false alarm with its days flagged
    assert f'data-order="{history["false_alarm"].number}" data-days="5"' in html
    assert "Materials in house" in html
    # no learned flag yet: no comparison
    assert 'data-testid="compare"' not in html
    assert 'data-testid="nav-foresight"' in html


def test_the_page_compares_the_methods_once_the_learned_one_has_flagged(page_as, manager, learned_flags) -> None:
    html = page_as(manager).get(URL, PERIOD).content.decode()
    assert 'data-testid="compare"' in html
    compare = html.split('data-testid="compare"')[1].split("</section>")[0]
    assert (
        'data-key="recall_5"><td>Recall at 5 working days</td><td class="num">60.0%</td><td class="num">20.0%</td>'
        in (compare)
    )
    learned = page_as(manager).get(URL, {**PERIOD, "method": "learned"}).content.decode()
    assert f'data-order="{learned_flags["on_time"].number}" data-days="5"' in learned
    assert '<option value="learned" selected>' in learned


def test_the_page_in_chinese(page_as, make_user, history) -> None:
    boss = make_user(Role.MANAGER, language="zh-hans")
    response = page_as(boss).get(URL, PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "风险看板" in html  # the menu, in Chinese
    assert "物料到齐" in html  # the false alarm's driver, by its Chinese name
    assert 'data-testid="lead-distribution"' in html
    assert 'data-testid="pareto"' in html


def test_bad_parameters_show_the_error_and_the_default_report(page_as, manager) -> None:
    response = page_as(manager).get(URL, {"from": "2027-02-30", "method": "guess"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="form-errors"' in html
    assert "Give a date as YYYY-MM-DD." in html
    assert "Choose one of: plan, learned." in html
    assert 'value="2027-02-30"' in html  # what was typed stays in the form to be corrected


def test_the_excel_export_has_the_summary_the_late_orders_and_the_false_alarms(page_as, manager, history) -> None:
    response = page_as(manager).get(URL, {**PERIOD, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "foresight-plan-20270201-20270331.xlsx" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Summary", "Late orders", "False alarms"]
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Late orders"] == 5
    assert float(summary["Recall at 5 working days (%)"]) == 60.0
    assert summary["False alarms"] == 1
    assert float(summary["Median lead (working days)"]) == 8.5
    late = list(wb["Late orders"].iter_rows(values_only=True))
    assert late[0][0] == "Order number"
    assert len(late) == 6
    by_number = {row[0]: row for row in late[1:]}
    ahead12 = by_number[history["ahead12"].number]
    assert ahead12[3].date().isoformat() == "2027-02-15"
    assert (ahead12[6], ahead12[7], ahead12[8]) == (12, "MO", "Materials ordered")
    alarms = list(wb["False alarms"].iter_rows(values_only=True))
    assert len(alarms) == 2
    assert (alarms[1][0], alarms[1][6]) == (history["false_alarm"].number, 5)


def test_the_excel_headers_follow_the_readers_language(page_as, make_user, history) -> None:
    boss = make_user(Role.MANAGER, language="zh-hans")
    wb = load_workbook(io.BytesIO(page_as(boss).get(URL, {**PERIOD, "format": "xlsx"}).content))
    assert wb.sheetnames == ["汇总", "延误订单", "误报"]
    assert next(wb["延误订单"].iter_rows(values_only=True))[0] == "订单号"


def test_merchandisers_see_it_and_other_roles_do_not(page_as, merchandiser, make_user) -> None:
    response = page_as(merchandiser).get(URL)
    assert response.status_code == 200
    assert 'data-testid="nav-foresight"' in response.content.decode()
    buyer = make_user(Role.PURCHASING)
    assert page_as(buyer).get(URL).status_code == 403
    home = page_as(buyer).get(reverse("core:dashboard")).content.decode()
    assert 'data-testid="nav-foresight"' not in home
