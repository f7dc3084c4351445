"""The purchasing report pages: supplier scorecards, one supplier's scorecard, delay causes, their Excel exports."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gendan.core.choices import Role
from gendan.core.models import User
from gendan.procurement.choices import DelayCause, Disposition
from gendan.procurement.report_views import default_period, score_color
from tests.factories import SupplierFactory
from tests.procurement.test_reports import Scene, day

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCORECARDS, DELAYS = "/purchasing/scorecards/", "/purchasing/delays/"


@pytest.fixture(autouse=True)
def _weights(settings) -> None:
    settings.GENDAN_SCORECARD_WEIGHTS = "time:35,quality:30,quantity:15,price:10,place:10"


@pytest.fixture
def buyer(make_user) -> User:
    return make_user(Role.PURCHASING, username="buyer9")


@pytest.fixture
def scene(buyer) -> Scene:
    return Scene(buyer)


def deliver(scene: Scene, supplier, *, late_days: int = 0, cause: str = "", price: str = "10") -> None:
    """One PO line of 100 promised for 10 October, received `late_days` after it, accepted in full."""
    po = scene.po(supplier)
    line = scene.line(po, first_promised=day(10, 10), received="100", cause=cause)
    scene.receive(po, day(10, 10) + dt.timedelta(days=late_days), [(line, "100", price, ("100", "0", "accept"))])


@pytest.fixture
def suppliers(scene: Scene) -> dict:
    """GOOD: perfect (100). FAIR: one line of two late (82.5). POOR: late for over capacity, then a line received late
    without a cause and invoiced 5 % above the price (62.5), and an open line late for information that came late."""
    good = SupplierFactory(code="GOOD", name="Good Fabrics")
    fair = SupplierFactory(code="FAIR", name="Fair Trims")
    poor = SupplierFactory(code="POOR", name="Poor Buttons")
    deliver(scene, good)
    deliver(scene, fair)
    deliver(scene, fair, late_days=3, cause=DelayCause.WEAK_EXPEDITING)
    deliver(scene, poor, late_days=5, cause=DelayCause.OVER_CAPACITY)
    # POOR again: information came late, still open (due 1 November), and a late line without a cause
    po = scene.po(poor)
    scene.line(po, required=day(11, 1), cause=DelayCause.LATE_INFORMATION)
    uncaused = scene.line(po, required=day(11, 3), received="100")
    scene.receive(po, day(11, 6), [(uncaused, "100", "10.5", ("100", "0", Disposition.ACCEPT))])
    return {"good": good, "fair": fair, "poor": poor}


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def workbook_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


# ---------------------------------------------------------------------------------------------- helpers


def test_default_period_is_the_last_twelve_months() -> None:
    assert default_period(dt.date(2026, 11, 24)) == (dt.date(2025, 11, 25), dt.date(2026, 11, 24))
    assert default_period(dt.date(2028, 2, 29)) == (dt.date(2027, 3, 1), dt.date(2028, 2, 29))


def test_score_colours() -> None:
    assert [score_color(Decimal(v)) for v in ("100", "85.0", "84.9", "70.0", "69.9")] == [
        "green",
        "green",
        "amber",
        "amber",
        "red",
    ]
    assert score_color(None) == "grey"


# ---------------------------------------------------------------------------------------------- scorecards


def test_scorecards_rank_every_supplier_with_deliveries(page_as, buyer, suppliers) -> None:
    SupplierFactory(code="IDLE")  # nothing delivered: no scorecard
    html = html_of(page_as(buyer).get(SCORECARDS))

    rows = re.findall(r'data-supplier="([^"]+)" data-rank="(\d+)" data-score="([^"]*)"', html)
    assert rows == [("GOOD", "1", "100.0"), ("FAIR", "2", "82.5"), ("POOR", "3", "62.5")]
    assert 'class="badge badge-green" data-testid="score">100.0<' in html
    assert 'class="badge badge-amber" data-testid="score">82.5<' in html
    assert 'class="badge badge-red" data-testid="score">62.5<' in html
    assert f'href="/purchasing/scorecards/{suppliers["good"].pk}/?date_from=2025-11-25&amp;date_to=2026-11-24"' in html
    assert "+2.5" in html  # POOR paid 10.5 instead of 10 on one of its two lines: +50 / 2,000
    # the default period in the form, the tab, the weights and definitions
    assert 'value="2025-11-25"' in html
    assert 'value="2026-11-24"' in html
    assert 'class="active">Supplier scorecards<' in html
    note = html[html.index('data-testid="scorecard-note"') :]
    for text in ("<strong>On time</strong> 35%", "<strong>Quality</strong> 30%", "<strong>Place</strong> 10%"):
        assert text in note
    assert "first promised date" in note


def test_scorecards_of_one_supplier_and_another_period(page_as, buyer, suppliers) -> None:
    c = page_as(buyer)
    html = html_of(c.get(SCORECARDS, {"supplier": suppliers["fair"].pk}))
    assert re.findall(r'data-supplier="([^"]+)"', html) == ["FAIR"]

    html = html_of(c.get(SCORECARDS, {"date_from": "2026-01-01", "date_to": "2026-06-30"}))
    assert 'data-testid="scorecard-row"' not in html
    assert "No supplier delivered anything in this period." in html
    assert "2026-01-01 – 2026-06-30" in html


def test_scorecards_export(page_as, buyer, suppliers) -> None:
    response = page_as(buyer).get(SCORECARDS, {"format": "xlsx", "date_from": "2026-10-01"})
    assert "supplier-scorecards-20261001-20261124" in response["Content-Disposition"]
    header, *rows = workbook_rows(response)
    assert header[:3] == ("Rank", "Supplier code", "Supplier")
    assert header[-1] == "Weighted score"
    assert [(r[0], r[1], r[-1]) for r in rows] == [(1, "GOOD", 100), (2, "FAIR", 82.5), (3, "POOR", 62.5)]
    poor = dict(zip(header, rows[2], strict=True))
    assert (poor["Receipt lines"], poor["On time %"], poor["Price variance %"]) == (2, 0, 2.5)


# ---------------------------------------------------------------------------------------------- one supplier


def test_scorecard_of_one_supplier(page_as, buyer, suppliers) -> None:
    fair = suppliers["fair"]
    html = html_of(page_as(buyer).get(f"/purchasing/scorecards/{fair.pk}/"))

    assert "FAIR" in html
    assert "Fair Trims" in html
    assert 'class="badge badge-amber" data-testid="score"' in html
    measures = html[html.index('data-testid="measures"') :]
    assert "1 of 2 receipt lines on or before the first promised date" in measures
    assert "0 of 2 receipts at the wrong warehouse" in measures
    assert "+0.0" not in measures
    assert "invoiced 0.0% against the agreed prices" in measures
    # the trend: twelve months up to November, October scored
    assert 'data-testid="trend"' in html
    assert 'data-month="2026-10" data-score="82.5"' in html
    # its late lines by cause and its purchase orders
    delays = html[html.index('data-testid="supplier-delays"') :]
    assert 'data-cause="weak_expediting"' in delays
    assert "over_capacity" not in delays
    assert f'href="/purchasing/?supplier={fair.pk}"' in html
    assert f'href="/purchasing/?supplier={fair.pk}&amp;late=on"' in html


def test_scorecard_without_deliveries_and_unknown_supplier(page_as, buyer, suppliers) -> None:
    idle = SupplierFactory(code="IDLE")
    c = page_as(buyer)
    html = html_of(c.get(f"/purchasing/scorecards/{idle.pk}/"))
    assert 'data-testid="no-scorecard"' in html
    assert 'data-testid="trend"' in html
    assert c.get("/purchasing/scorecards/999999/").status_code == 404


def test_scorecard_counts_uncaused_late_lines(page_as, buyer, suppliers) -> None:
    poor = suppliers["poor"]
    html = html_of(page_as(buyer).get(f"/purchasing/scorecards/{poor.pk}/"))
    assert 'data-cause="over_capacity"' in html
    assert 'data-cause="late_information"' in html
    assert "1 late line has no delay cause yet" in html


# ---------------------------------------------------------------------------------------------- delays


def test_delay_causes_page(page_as, buyer, suppliers) -> None:
    html = html_of(page_as(buyer).get(DELAYS))

    assert 'class="active">Delay causes<' in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert 'data-testid="pareto"' in html
    causes = html[html.index('data-testid="causes"') :]
    # one line each: the most late days first (information due 1 Nov, still open on 24 Nov: 23)
    assert re.findall(r'data-cause="([^"]+)" data-lines="(\d+)"', causes) == [
        ("late_information", "1"),
        ("over_capacity", "1"),
        ("weak_expediting", "1"),
    ]
    assert "<td>Over capacity</td><td>Supplier</td>" in causes
    assert '<td class="num">23</td><td class="num">33.3</td><td class="num">33.3</td>' in causes
    assert '<td class="num">3</td><td class="num">33.3</td><td class="num">100.0</td>' in causes
    families = html[html.index('data-testid="families"') :]
    assert re.findall(r'data-family="(\w+)"><td>[^<]+</td><td class="num">(\d+)', families) == [
        ("supplier", "1"),
        ("company", "1"),
        ("communication", "1"),
    ]
    by_supplier = html[html.index('data-testid="delay-suppliers"') :]
    assert re.findall(r'data-supplier="(\w+)"', by_supplier) == ["POOR", "FAIR"]
    assert f'href="/purchasing/scorecards/{suppliers["poor"].pk}/' in by_supplier
    assert "1 late line due in this period has no delay cause yet." in html
    assert 'href="/purchasing/?late=on"' in html


def test_delay_causes_of_one_supplier(page_as, buyer, suppliers) -> None:
    poor = suppliers["poor"]
    html = html_of(page_as(buyer).get(DELAYS, {"supplier": poor.pk}))
    causes = html[html.index('data-testid="causes"') :]
    assert re.findall(r'data-cause="([^"]+)"', causes) == ["late_information", "over_capacity"]
    assert f'href="/purchasing/?late=on&amp;supplier={poor.pk}"' in html


def test_delay_causes_export(page_as, buyer, suppliers) -> None:
    header, *rows = workbook_rows(page_as(buyer).get(DELAYS, {"format": "xlsx"}))
    assert header == ("Delay cause", "Family", "Lines", "Late days", "%", "Cumulative %")
    assert rows == [
        ("Information came late", "Communication", 1, 23, 33.3, 33.3),
        ("Over capacity", "Supplier", 1, 5, 33.3, 66.7),
        ("Weak expediting", "Our company", 1, 3, 33.3, 100),
    ]


def test_delay_causes_empty(page_as, buyer) -> None:
    html = html_of(page_as(buyer).get(DELAYS))
    assert "No delayed lines in this period." in html  # the chart's own message
    assert 'data-testid="uncaused"' not in html
    header, *rows = workbook_rows(page_as(buyer).get(DELAYS, {"format": "xlsx"}))
    assert rows == []


# ---------------------------------------------------------------------------------------------- bad input, rights


@pytest.mark.parametrize("url", [SCORECARDS, DELAYS, "scorecard"])
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2026-10-01", "date_to": "2026-09-01"}, "The end of the period must not be before its start."),
        ({"date_from": "2026-13-45"}, "Enter a valid date."),
        ({"date_to": "yesterday"}, "Enter a valid date."),
    ],
)
def test_bad_period_shows_the_error_and_the_default_period(page_as, buyer, suppliers, url, params, message) -> None:
    if url == "scorecard":
        url = f"/purchasing/scorecards/{suppliers['good'].pk}/"
    html = html_of(page_as(buyer).get(url, params))
    errors = html[html.index('data-testid="period-errors"') :]
    assert message in errors[: errors.index("</div>")]
    assert "Showing the last 12 months instead (2025-11-25 – 2026-11-24)." in errors
    assert "2025-11-25 – 2026-11-24" in html[: html.index('data-testid="period-errors"')]  # the page's heading


def test_unknown_supplier_filter_is_an_error(page_as, buyer, suppliers) -> None:
    html = html_of(page_as(buyer).get(SCORECARDS, {"supplier": "999999"}))
    assert 'data-testid="period-errors"' in html
    assert len(re.findall(r'data-testid="scorecard-row"', html)) == 3


def test_a_user_without_purchasing_rights_gets_403(page_as, suppliers) -> None:
    nobody = User.objects.create_user(username="nobody", password="pass-1234-word")
    c = page_as(nobody)
    for url in (SCORECARDS, f"/purchasing/scorecards/{suppliers['good'].pk}/", DELAYS, DELAYS + "?format=xlsx"):
        assert c.get(url).status_code == 403, url


def test_anonymous_is_sent_to_log_in(client) -> None:
    response = client.get(SCORECARDS)
    assert response.status_code == 302
    assert "login" in response["Location"]


# ---------------------------------------------------------------------------------------------- queries


MAX_QUERIES = 15


@pytest.mark.parametrize("extra", [0, 12])
def test_pages_use_a_bounded_number_of_queries(page_as, buyer, scene, suppliers, extra, django_assert_max_num_queries):
    for i in range(extra):
        s = SupplierFactory(code=f"X{i:02d}")
        deliver(scene, s, late_days=i % 3, cause=DelayCause.POOR_PROCESS if i % 3 else "")
    c = page_as(buyer)
    c.get(SCORECARDS)  # the session and the permissions are cached after the first request
    urls = [
        SCORECARDS,
        SCORECARDS + "?format=xlsx",
        f"/purchasing/scorecards/{suppliers['poor'].pk}/",
        DELAYS,
        DELAYS + "?format=xlsx",
    ]
    for url in urls:
        with django_assert_max_num_queries(MAX_QUERIES):
            assert c.get(url).status_code == 200
