"""The SVG Gantt chart of a T&A plan: well-formed, one row per milestone, markers placed by date, escaped, localised."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from gendan.followup.gantt import GanttRow, gantt_svg

NS = {"svg": "http://www.w3.org/2000/svg"}
TODAY = dt.date(2026, 3, 19)  # a Thursday
COMMITTED = dt.date(2026, 4, 24)

ROWS = [
    GanttRow("PO", "Order confirmed", dt.date(2026, 3, 2), None, dt.date(2026, 3, 2), "done"),
    GanttRow("LAB", "Lab dip approved", dt.date(2026, 3, 6), None, dt.date(2026, 3, 11), "done"),
    GanttRow("PPS", "Pre-production sample", dt.date(2026, 3, 16), dt.date(2026, 3, 23), None, "late", driving=True),
    GanttRow("CUT", "Cutting start", dt.date(2026, 3, 30), dt.date(2026, 3, 30), None, "pending", compressed=True),
    GanttRow("INL", "Inline inspection", dt.date(2026, 4, 10), dt.date(2026, 4, 9), None, "pending"),
    GanttRow(
        "EXF",
        "Ex-factory",
        dt.date(2026, 4, 24),
        dt.date(2026, 4, 28),
        None,
        "pending",
        is_ex_factory=True,
        driving=True,
    ),
]


def render(rows=ROWS, *, today=TODAY, committed=None, language="en") -> ET.Element:
    with translation.override(language):
        svg = gantt_svg(rows, today=today, committed=committed)
    assert isinstance(svg, SafeString)
    return ET.fromstring(svg)  # fails unless the output is well-formed XML


def row_groups(root: ET.Element) -> list[ET.Element]:
    return root.findall(".//svg:g[@data-code]", NS)


def row_of(root: ET.Element, code: str) -> ET.Element:
    (group,) = root.findall(f".//svg:g[@data-code='{code}']", NS)
    return group


def marker(group: ET.Element, kind: str) -> ET.Element | None:
    return group.find(f"svg:g[@data-kind='{kind}']", NS)


def x_of(element: ET.Element) -> float:
    """The x of a marker (placed by translate) or of a vertical line."""
    if element.get("transform"):
        match = re.fullmatch(r"translate\(([-\d.]+),([-\d.]+)\)", element.get("transform"))
        assert match
        return float(match.group(1))
    assert element.get("x1") == element.get("x2")
    return float(element.get("x1"))


def all_text(root: ET.Element) -> str:
    return " ".join(root.itertext())


def test_the_root_is_an_accessible_self_contained_svg() -> None:
    root = render()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("data-testid") == "gantt"
    assert root.get("role") == "img"
    assert root.get("aria-label")
    assert root.get("width") == "100%"
    assert len(root.get("viewBox").split()) == 4
    assert root.get("font-size") == "12"
    assert not root.findall(".//svg:script", NS)
    assert not root.findall(".//svg:image", NS)
    assert all("href" not in attr for el in root.iter() for attr in el.attrib)


def test_one_row_group_per_milestone_in_the_given_order() -> None:
    root = render()
    assert [g.get("data-code") for g in row_groups(root)] == [r.code for r in ROWS]
    assert [g.get("data-status") for g in row_groups(root)] == [r.status for r in ROWS]


def test_markers_carry_their_dates_and_later_dates_sit_further_right() -> None:
    root = render()
    planned = [marker(g, "planned") for g in row_groups(root)]
    assert [m.get("data-date") for m in planned] == [r.planned.isoformat() for r in ROWS]
    xs = [x_of(m) for m in planned]
    assert xs == sorted(xs)
    assert len(set(xs)) == len(xs)
    # the same date gives the same x in every row: an actual on the plan sits on the planned diamond
    po = row_of(root, "PO")
    assert x_of(marker(po, "actual")) == x_of(marker(po, "planned"))


def test_each_marker_has_a_tooltip_with_the_full_date() -> None:
    root = render()
    lab = row_of(root, "LAB")
    title = marker(lab, "actual").find("svg:title", NS).text
    with translation.override("en"):
        assert date_format(dt.date(2026, 3, 11), "DATE_FORMAT") in title


def test_a_slipped_forecast_has_a_slip_bar_and_a_red_circle_and_an_on_time_one_has_neither() -> None:
    root = render()
    slipped, on_time = row_of(root, "PPS"), row_of(root, "CUT")

    (bar,) = slipped.findall("svg:rect[@data-kind='slip']", NS)
    forecast = marker(slipped, "forecast")
    assert forecast.get("data-date") == "2026-03-23"
    assert forecast.find("svg:circle", NS).get("fill") == "#b91c1c"
    start, width = float(bar.get("x")), float(bar.get("width"))
    assert start == pytest.approx(x_of(marker(slipped, "planned")))
    assert start + width == pytest.approx(x_of(forecast))

    assert not on_time.findall("svg:rect[@data-kind='slip']", NS)
    assert marker(on_time, "forecast").find("svg:circle", NS).get("fill") == "#1d4ed8"
    # an early forecast is on time too
    early = row_of(root, "INL")
    assert not early.findall("svg:rect[@data-kind='slip']", NS)
    assert marker(early, "forecast").find("svg:circle", NS).get("fill") == "#1d4ed8"


def test_a_late_actual_is_outlined_red_with_a_slip_bar_and_hides_the_forecast() -> None:
    late = GanttRow("LAB", "Lab dip", dt.date(2026, 3, 6), dt.date(2026, 3, 20), dt.date(2026, 3, 11), "done")
    on_time = GanttRow("PO", "Order", dt.date(2026, 3, 2), None, dt.date(2026, 3, 1), "done")
    root = render([late, on_time])

    group = row_of(root, "LAB")
    assert marker(group, "forecast") is None
    actual = marker(group, "actual")
    assert actual.get("data-date") == "2026-03-11"
    diamond = actual.find("svg:polygon", NS)
    assert (diamond.get("fill"), diamond.get("stroke")) == ("#15803d", "#b91c1c")
    (bar,) = group.findall("svg:rect[@data-kind='slip']", NS)
    assert float(bar.get("x")) + float(bar.get("width")) == pytest.approx(x_of(actual))

    group = row_of(root, "PO")
    assert not group.findall("svg:rect[@data-kind='slip']", NS)
    assert marker(group, "actual").find("svg:polygon", NS).get("stroke") == "#15803d"


def test_late_rows_are_tinted_and_driving_rows_have_a_bold_red_label() -> None:
    root = render()
    tinted = {
        r.get("data-code") for r in root.findall(".//svg:rect[@data-kind='row-bg']", NS) if r.get("fill") == "#fee2e2"
    }
    assert tinted == {"PPS"}

    name = row_of(root, "PPS").find("svg:text[@data-kind='name']", NS)
    assert (name.get("fill"), name.get("font-weight")) == ("#b91c1c", "700")
    name = row_of(root, "LAB").find("svg:text[@data-kind='name']", NS)
    assert name.get("font-weight") != "700"
    assert name.get("fill") != "#b91c1c"


def test_the_ex_factory_label_is_bold_and_a_compressed_row_is_flagged_with_a_tooltip() -> None:
    with_ex_factory = [
        *ROWS[:-1],
        GanttRow("EXF", "Ex-factory", dt.date(2026, 4, 24), None, None, "pending", True, True),
    ]
    root = render(with_ex_factory)
    assert row_of(root, "EXF").find("svg:text[@data-kind='name']", NS).get("font-weight") == "700"

    flag = row_of(root, "CUT").find("svg:g[@data-kind='compressed']", NS)
    assert flag is not None
    assert flag.find("svg:title", NS).text
    assert row_of(root, "CUT").find("svg:text[@data-kind='name']", NS).get("fill") == "#b45309"
    assert row_of(root, "PO").find("svg:g[@data-kind='compressed']", NS) is None


def test_the_today_line_sits_between_the_dates_before_and_after_today() -> None:
    root = render()
    today = root.find(".//svg:line[@data-kind='today']", NS)
    assert today.get("data-date") == TODAY.isoformat()
    assert today.get("stroke") == "#b91c1c"
    assert today.get("stroke-dasharray")
    before = x_of(marker(row_of(root, "PPS"), "planned"))  # 16 March
    after = x_of(marker(row_of(root, "PPS"), "forecast"))  # 23 March
    assert before < x_of(today) < after
    assert "Today" in all_text(root)


def test_the_committed_line_is_drawn_only_when_given() -> None:
    assert render().find(".//svg:line[@data-kind='committed']", NS) is None

    root = render(committed=COMMITTED)
    line = root.find(".//svg:line[@data-kind='committed']", NS)
    assert line.get("data-date") == "2026-04-24"
    assert line.get("stroke") == "#111827"
    assert x_of(line) == pytest.approx(x_of(marker(row_of(root, "EXF"), "planned")))
    assert "Committed ex-factory" in all_text(root)


def test_the_range_reaches_a_committed_date_and_today_beyond_the_milestones() -> None:
    rows = [GanttRow("A", "A", dt.date(2026, 3, 10), None, None, "pending")]
    root = render(rows, today=dt.date(2026, 2, 1), committed=dt.date(2026, 6, 30))
    width = float(root.get("viewBox").split()[2])
    today = x_of(root.find(".//svg:line[@data-kind='today']", NS))
    planned = x_of(marker(row_of(root, "A"), "planned"))
    committed = x_of(root.find(".//svg:line[@data-kind='committed']", NS))
    assert 220 < today < planned < committed < width


@pytest.mark.parametrize("days", [1, 30, 150, 400])
def test_the_plot_stays_a_sensible_width(days: int) -> None:
    rows = [
        GanttRow("A", "A", TODAY, None, None, "pending"),
        GanttRow("B", "B", TODAY + dt.timedelta(days=days), None, None, "pending"),
    ]
    root = render(rows)
    width = float(root.get("viewBox").split()[2])
    span = x_of(marker(row_of(root, "B"), "planned")) - x_of(marker(row_of(root, "A"), "planned"))
    assert 4 <= span / days <= 28
    plot = width - 220
    assert plot <= max(1200, (days + 7) * 4) + 40  # a long plan squeezes down to 4 px a day, no further
    assert plot >= min(600, (days + 7) * 28)  # a short one widens up to 28 px a day


def test_text_is_escaped() -> None:
    rows = [GanttRow("A&B", "Fabric <cotton> & trims", TODAY, None, None, "late")]
    with translation.override("en"):
        svg = str(gantt_svg(rows, today=TODAY))
    assert "<cotton>" not in svg
    assert "&lt;cotton&gt; &amp; trims" in svg
    root = ET.fromstring(svg)
    assert row_groups(root)[0].get("data-code") == "A&B"
    assert "Fabric <cotton> & trims" in all_text(root)


def test_no_rows_give_an_empty_string() -> None:
    svg = gantt_svg([], today=TODAY, committed=COMMITTED)
    assert svg == ""
    assert isinstance(svg, SafeString)


def test_chinese_names_and_the_language_of_the_dates() -> None:
    rows = [
        GanttRow("MIH", "物料到齐", dt.date(2026, 3, 16), dt.date(2026, 3, 20), None, "late"),
        GanttRow("EXF", "出厂", dt.date(2026, 3, 30), None, None, "pending", is_ex_factory=True),
    ]
    monday = dt.date(2026, 3, 23)
    texts = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            expected = {
                "today": gettext("Today"),
                "week": date_format(monday, "MONTH_DAY_FORMAT"),
                "month": date_format(monday, "YEAR_MONTH_FORMAT"),
                "planned": date_format(dt.date(2026, 3, 16), "DATE_FORMAT"),
            }
        root = render(rows, language=language)
        text = all_text(root)
        assert "物料到齐" in text
        assert expected["today"] in text
        assert expected["week"] in text
        assert expected["month"] in text
        assert expected["planned"] in marker(row_of(root, "MIH"), "planned").find("svg:title", NS).text
        texts[language] = expected
    # the labels really changed with the language
    assert texts["en"]["week"] != texts["zh-hans"]["week"]
    assert texts["en"]["planned"] != texts["zh-hans"]["planned"]
