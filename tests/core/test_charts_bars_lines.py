"""The general bar and line charts of core.charts: structure, scaling, labels, legends, escaping and empty states."""

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal as D

import pytest
from django.utils import translation
from django.utils.safestring import SafeString
from hypothesis import given
from hypothesis import strategies as st

from gendan.core.charts import bar_svg, compact_format, default_value_format, line_svg, nice_ticks

NS = {"svg": "http://www.w3.org/2000/svg"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def parse(svg: str) -> ET.Element:
    assert isinstance(svg, SafeString)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.get("role") == "img"
    assert root.get("aria-label")
    assert root.find("svg:title", NS) is not None
    assert "<script" not in svg
    assert "href" not in svg
    return root


def texts(root: ET.Element, kind: str | None = None) -> list[str]:
    found = root.iter("{http://www.w3.org/2000/svg}text")
    return [
        "".join(t.itertext()) if kind is None else (t.text or "") for t in found if kind in (None, t.get("data-kind"))
    ]


def view_box(root: ET.Element) -> tuple[float, float]:
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    return width, height


def bars(root: ET.Element) -> list[ET.Element]:
    return root.findall(".//svg:g[@data-kind='bar']", NS)


def rect_of(bar: ET.Element) -> tuple[float, float, float, float]:
    r = bar.find("svg:rect", NS)
    return tuple(float(r.get(k)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------- helpers


def test_nice_ticks_are_round_and_cover_the_range() -> None:
    assert nice_ticks(0, 3400) == [0, 1000, 2000, 3000, 4000]
    assert nice_ticks(-500, 3400) == [-1000, 0, 1000, 2000, 3000, 4000]
    assert nice_ticks(0, 0) == [0, 0.2, 0.4, 0.6, 0.8, 1]
    assert nice_ticks(0, 3, integer=True) == [0, 1, 2, 3]
    assert nice_ticks(0, 125000) == [0, 25000, 50000, 75000, 100000, 125000]


@given(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.booleans(),
)
def test_nice_ticks_property(a: float, b: float, integer: bool) -> None:
    ticks = nice_ticks(a, b, integer=integer)
    steps = [y - x for x, y in zip(ticks, ticks[1:], strict=False)]
    slack = 1e-6 * steps[0] + 1e-6  # what is within a millionth of a step counts as on the tick
    assert ticks[0] <= min(a, b) + slack
    assert ticks[-1] >= max(a, b) - slack
    assert 2 <= len(ticks) <= 12
    assert all(s == pytest.approx(steps[0], rel=1e-6, abs=1e-9) for s in steps)  # evenly spaced
    if integer:
        assert min(steps) >= 1 - 1e-9


def test_formats() -> None:
    assert default_value_format(D("1234567.5")) == "1,234,567.50"
    assert default_value_format(D("3400.00")) == "3,400"
    assert default_value_format(None) == "–"
    assert compact_format(1500) == "1.5k"
    assert compact_format(2_000_000) == "2M"
    assert compact_format(1_250_000) == "1.25M"
    assert compact_format(0.25) == "0.25"
    assert compact_format(-1000) == "-1k"


# ---------------------------------------------------------------------------------------------- bars


def test_vertical_bars_one_series() -> None:
    svg = bar_svg(
        [("Jan", D("1200.50")), ("Feb", D("3400")), ("Mar", None)],
        testid="sales-by-month",
        title="Sales by month",
        keys=["2026-01", "2026-02", "2026-03"],
        value_format=lambda v: f"¥{v:,.2f}",
    )
    root = parse(svg)
    assert root.get("data-testid") == "sales-by-month"
    assert root.get("aria-label") == "Sales by month"
    found = bars(root)
    assert [b.get("data-label") for b in found] == ["Jan", "Feb", "Mar"]
    assert [b.get("data-key") for b in found] == ["2026-01", "2026-02", "2026-03"]
    assert [b.get("data-value") for b in found] == ["1200.50", "3400", ""]
    assert found[0].find("svg:rect/svg:title", NS).text == "Jan: ¥1,200.50"
    # heights are proportional to the values: 3400 is on a 0–4000 axis
    (_x1, _y1, _w1, h1), (_x2, _y2, _w2, h2), (_x3, _y3, _w3, h3) = (rect_of(b) for b in found)
    assert h2 / h1 == pytest.approx(3400 / 1200.5, rel=0.01)
    assert h3 == 0
    assert texts(root, "tick") == ["0", "1k", "2k", "3k", "4k"]
    assert texts(root, "category") == ["Jan", "Feb", "Mar"]
    assert root.find(".//svg:g[@data-kind='legend']", NS) is None  # one series: no legend
    assert "Feb: ¥3,400.00" in root.find("svg:desc", NS).text


def test_percentages_reach_100() -> None:
    root = parse(bar_svg([("In house", D("75.0")), ("F1", D("0.0"))], horizontal=True, value_max=100, testid="p"))
    assert texts(root, "tick")[-1] == "100"


def test_negative_values_go_below_the_zero_line() -> None:
    root = parse(bar_svg([("A", 100), ("B", -50)], testid="t"))
    (xa, ya, wa, ha), (xb, yb, wb, hb) = (rect_of(b) for b in bars(root))
    assert yb == pytest.approx(ya + ha)  # B starts where A ends: at zero
    assert hb == pytest.approx(ha / 2, abs=0.2)
    assert "-50" in texts(root, "tick") or "-60" in texts(root, "tick") or "-100" in texts(root, "tick")


def test_grouped_and_stacked_series_with_a_legend() -> None:
    series = [("Invoiced", [D(100), D(200)]), ("Collected", [D(50), None])]
    grouped = parse(bar_svg(["A", "B"], series=series, testid="g"))
    assert [(b.get("data-label"), b.get("data-series")) for b in bars(grouped)] == [
        ("A", "Invoiced"),
        ("A", "Collected"),
        ("B", "Invoiced"),
        ("B", "Collected"),
    ]
    assert texts(grouped, "legend-item") == ["Invoiced", "Collected"]
    a_inv, a_col = (rect_of(b) for b in bars(grouped)[:2])
    assert a_col[0] > a_inv[0]  # side by side
    assert a_col[3] == pytest.approx(a_inv[3] / 2)

    stacked = parse(bar_svg([("A", 0), ("B", 0)], series=series, stacked=True, testid="s"))
    placed = {(b.get("data-label"), b.get("data-series")): rect_of(b) for b in bars(stacked)}
    assert set(placed) == {("A", "Invoiced"), ("A", "Collected"), ("B", "Invoiced")}  # None draws no bar
    inv, col = placed[("A", "Invoiced")], placed[("A", "Collected")]
    assert inv[0] == col[0]
    assert col[1] + col[3] == pytest.approx(inv[1])
    assert texts(stacked, "value") == ["150", "200"]  # the totals


def test_a_series_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="1 values for 2 categories"):
        bar_svg(["A", "B"], series=[("x", [1])])
    with pytest.raises(ValueError, match="3 values for 2 x values"):
        line_svg(["A", "B"], [("x", [1, 2, 3])])


def test_horizontal_bars_with_long_and_chinese_labels() -> None:
    long = "Shenzhen Bright Lighting Company Limited"
    root = parse(bar_svg([(long, D("125000")), ("深圳市光明照明有限公司", D("45000"))], horizontal=True, testid="h"))
    labels = texts(root, "category")
    assert labels[0].endswith("…")
    assert len(labels[0]) == 24
    assert labels[1] == "深圳市光明照明有限公司"
    first, second = (rect_of(b) for b in bars(root))
    assert first[0] == second[0]  # both start at zero, at the same x
    assert first[2] / second[2] == pytest.approx(125 / 45, rel=0.01)
    assert second[1] > first[1]  # rows, top down
    assert texts(root, "value") == ["125,000", "45,000"]
    width, _h = view_box(root)
    assert width > first[0] + first[2] + 30  # room for the value at the end of the longest bar


def test_long_vertical_labels_are_rotated_and_fit() -> None:
    root = parse(bar_svg([("A customer with a long name", 5), ("Another long customer name", 3)], testid="r"))
    label = root.find(".//svg:text[@data-kind='category']", NS)
    assert "rotate(" in label.get("transform")
    _w, height = view_box(root)
    assert height > 220 + 60


def test_bars_escape_everything() -> None:
    svg = bar_svg([('<b>"x"&', 1)], title="<script>alert(1)</script>", testid='t"x')
    root = parse(svg)
    assert root.get("data-testid") == 't"x'
    assert bars(root)[0].get("data-label") == '<b>"x"&'
    assert "<script>alert(1)</script>" in texts(root)


def test_bars_without_data() -> None:
    root = parse(bar_svg([], testid="none"))
    assert root.get("data-testid") == "none"
    assert root.find(".//svg:text[@data-kind='empty']", NS).text == "No data for this selection."
    root = parse(bar_svg([("A", 0), ("B", None)], testid="zero", empty_text="Nothing sold."))
    assert root.find(".//svg:text[@data-kind='empty']", NS).text == "Nothing sold."


@given(st.lists(st.decimals(min_value=-(10**9), max_value=10**9, places=2), min_size=1, max_size=30))
def test_bar_heights_are_proportional(values: list[D]) -> None:
    items = [(f"c{i}", v) for i, v in enumerate(values)]
    svg = bar_svg(items, testid="p")
    root = parse(svg)
    if not any(values):
        assert not bars(root)
        return
    found = bars(root)
    assert len(found) == len(values)
    biggest = max(abs(v) for v in values)
    tallest = max(rect_of(b)[3] for b in found)
    for bar, value in zip(found, values, strict=True):
        assert rect_of(bar)[3] == pytest.approx(tallest * float(abs(value)) / float(biggest), abs=0.2)


# ---------------------------------------------------------------------------------------------- lines


def test_line_over_months_with_a_gap_and_a_legend() -> None:
    months = [dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    root = parse(
        line_svg(
            months,
            [("This year", [D(10), D(20), None, D(40)]), ("Last year", [D(5), D(6), D(7), D(8)])],
            testid="trend",
            title="Sales trend",
        )
    )
    assert root.get("data-testid") == "trend"
    assert texts(root, "x-label") == ["Nov", "Dec", "Jan", "Feb"]
    assert texts(root, "x-year") == ["2025", "2026"]
    assert texts(root, "legend-item") == ["This year", "Last year"]
    this, last = root.findall(".//svg:g[@data-kind='series']", NS)
    assert this.get("data-series") == "This year"
    assert [c.get("data-x") for c in this.findall("svg:circle", NS)] == ["2025-11-01", "2025-12-01", "2026-02-01"]
    assert len(this.findall("svg:polyline", NS)) == 1  # Nov–Dec; Feb stands alone after the gap
    assert len(last.findall("svg:polyline", NS)) == 1
    tip = this.find("svg:circle/svg:title", NS).text
    assert tip == "This year — November 2025: 10"
    ys = [float(c.get("cy")) for c in last.findall("svg:circle", NS)]
    assert ys == sorted(ys, reverse=True)  # rising values go up


def test_line_with_a_fixed_top_for_percentages() -> None:
    root = parse(line_svg(["W1", "W2"], [("On time %", [D("80"), D("92.5")])], y_max=100, testid="pct"))
    ticks = texts(root, "tick")
    assert ticks[0] == "0"
    assert ticks[-1] == "100"


def test_many_x_values_thin_their_labels() -> None:
    days = [f"2026-{m:02d}-{d:02d}" for m in (9, 10, 11) for d in range(1, 29)]
    root = parse(line_svg(days, [("n", list(range(len(days))))], testid="many"))
    assert 0 < len(texts(root, "x-label")) < len(days)
    assert len(root.findall(".//svg:g[@data-kind='series']/svg:circle", NS)) == len(days)


def test_line_without_data() -> None:
    root = parse(line_svg([], [], testid="empty"))
    assert root.find(".//svg:text[@data-kind='empty']", NS) is not None
    root = parse(line_svg(["A"], [("x", [None])], testid="empty", empty_text="No sales yet."))
    assert root.find(".//svg:text[@data-kind='empty']", NS).text == "No sales yet."
