"""Server-side SVG charts: the Pareto of delay causes, a supplier's score trend, and general bar and line charts.

Each function returns one self-contained `<svg>` element (no script, no external reference, only inline attributes),
sized by its viewBox so it scales to the width of its container. Every text is escaped. Elements carry data
attributes (`data-kind`, `data-cause`, `data-month`, …) for tests and for the page's own behaviour.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

__all__ = ["bar_svg", "compact_format", "default_value_format", "line_svg", "nice_ticks", "pareto_svg", "trend_svg"]

BLUE = "#1d4ed8"
RED = "#b91c1c"
AMBER = "#b45309"
INK = "#111827"
MUTED = "#6b7280"
GRID = "#e5e7eb"
BAR = "#60a5fa"
FONT_FAMILY = '-apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif'
FONT_SIZE = 12
SMALL_FONT = 11

LABEL_ANGLE = 45  # cause labels are rotated by this much (degrees), reading up to the bar
MAX_LABEL_CHARS = 24  # longer labels are cut with an ellipsis (the full label is in the bar's tooltip)
SLOT_W = 56  # horizontal room of one bar
BAR_W = 36
PLOT_H = 220
RIGHT_W = 52  # the cumulative % axis
GUIDE_PCT = 80


def _n(value: float) -> str:
    """A coordinate with at most one decimal."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text_width(text: str, size: float = SMALL_FONT) -> float:
    """An estimate of the rendered width: wide (CJK) characters are a full em, others about 0.55 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.55 for ch in text)


def _cut(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _nice_step(top: float, ticks: int = 5) -> int:
    """An integer tick step of 1, 2 or 5 × 10ⁿ that shows `top` in about `ticks` steps."""
    raw = max(top / ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return int(factor * power)
    return int(10 * power)


def _svg(width: float, height: float, aria: str, body: Sequence[str], testid: str) -> SafeString:
    header = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" width="100%" '
        f'style="max-width:{_n(width)}px;height:auto" role="img" aria-label="{escape(aria)}" '
        f'data-testid="{escape(testid)}" font-family="{escape(FONT_FAMILY)}" font-size="{FONT_SIZE}">'
        f"<title>{escape(aria)}</title>"
    )
    return mark_safe(header + "".join(body) + "</svg>")


def _empty(message: str, testid: str, width: float = 320, height: float = 60) -> SafeString:
    body = [
        f'<text data-kind="empty" x="{_n(width / 2)}" y="{_n(height / 2 + 4)}" text-anchor="middle" '
        f'fill="{MUTED}">{escape(message)}</text>'
    ]
    return _svg(width, height, message, body, testid)


def _pct_text(value: Any) -> str:
    return f"{Decimal(str(value)):.1f}%"


# ---------------------------------------------------------------------------------------------- Pareto


def pareto_svg(
    rows: Sequence[Mapping[str, Any]],
    *,
    title: str = "",
    count_label: str | None = None,
    empty_text: str | None = None,
    tip: Any = None,
) -> SafeString:
    """The Pareto chart of causes: a bar per cause (its count, most first), the cumulative % as a line with points
    on the right-hand axis, and a dashed guide at 80 %. By default it counts delayed purchase lines;
    `count_label`, `empty_text` and `tip(label, count, pct, cumulative)` give another count its words.

    `rows` are the `rows` of `reports.delay_pareto()` ({cause, cause_label, lines, cumulative_pct, …}); the
    cumulative % is recomputed from the counts when a row lacks it. Without rows: a short "no data" SVG.
    """
    rows = sorted(rows, key=lambda r: -int(r["lines"]))  # stable: keeps the order of ties
    total = sum(int(r["lines"]) for r in rows)
    if not rows or total <= 0:
        return _empty(empty_text or gettext("No delayed lines in this period."), "pareto")

    labels = [_cut(str(r.get("cause_label") or r.get("cause") or "")) for r in rows]
    cos = math.cos(math.radians(LABEL_ANGLE))
    label_w = max(_text_width(label) for label in labels)
    title_h = 26 if title else 0
    legend_h = 30
    plot_top = 8 + title_h + legend_h
    left = max(56.0, _text_width(labels[0]) * cos - SLOT_W / 2 + 12)
    plot_w = max(len(rows) * SLOT_W, 300)
    slot = plot_w / len(rows)
    width = left + plot_w + RIGHT_W
    bottom = plot_top + PLOT_H
    height = bottom + 12 + label_w * cos + FONT_SIZE + 10

    most = max(int(r["lines"]) for r in rows)
    step = _nice_step(most)
    top_count = step * math.ceil(most * 1.08 / step)  # room for the count above the highest bar

    def y_count(n: float) -> float:
        return bottom - PLOT_H * n / top_count

    def y_pct(p: float) -> float:
        return bottom - PLOT_H * p / 100

    body: list[str] = []
    if title:
        body.append(
            f'<text data-kind="title" x="{_n(width / 2)}" y="20" text-anchor="middle" font-size="14" '
            f'font-weight="600" fill="{INK}">{escape(title)}</text>'
        )
    # legend
    ly = 8 + title_h + 11
    lx = left
    lines_label, cumulative_label = count_label or gettext("Late lines"), gettext("Cumulative %")
    body.append(
        f'<g data-kind="legend"><rect x="{_n(lx)}" y="{_n(ly - 8)}" width="12" height="10" fill="{BAR}"/>'
        f'<text x="{_n(lx + 16)}" y="{_n(ly + 1)}" font-size="{SMALL_FONT}" fill="{INK}">{escape(lines_label)}</text>'
    )
    lx += 16 + _text_width(lines_label) + 18
    body.append(
        f'<line x1="{_n(lx)}" y1="{_n(ly - 3)}" x2="{_n(lx + 16)}" y2="{_n(ly - 3)}" stroke="{RED}" stroke-width="2"/>'
        f'<circle cx="{_n(lx + 8)}" cy="{_n(ly - 3)}" r="3" fill="{RED}"/>'
        f'<text x="{_n(lx + 22)}" y="{_n(ly + 1)}" font-size="{SMALL_FONT}" fill="{INK}">'
        f"{escape(cumulative_label)}</text></g>"
    )
    # grid and left axis (lines)
    body.append('<g data-kind="axis-lines">')
    for n in range(0, top_count + 1, step):
        y = y_count(n)
        body.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + plot_w)}" y2="{_n(y)}" stroke="{GRID}"/>'
            f'<text x="{_n(left - 6)}" y="{_n(y + 4)}" text-anchor="end" font-size="{SMALL_FONT}" '
            f'fill="{MUTED}">{n}</text>'
        )
    mid = plot_top + PLOT_H / 2
    body.append(
        f'<text x="14" y="{_n(mid)}" transform="rotate(-90 14 {_n(mid)})" text-anchor="middle" '
        f'font-size="{SMALL_FONT}" fill="{MUTED}">{escape(lines_label)}</text></g>'
    )
    # right axis (cumulative %)
    right = left + plot_w
    body.append('<g data-kind="axis-pct">')
    for p in range(0, 101, 20):
        body.append(
            f'<line x1="{_n(right)}" y1="{_n(y_pct(p))}" x2="{_n(right + 4)}" y2="{_n(y_pct(p))}" stroke="{MUTED}"/>'
            f'<text x="{_n(right + 7)}" y="{_n(y_pct(p) + 4)}" font-size="{SMALL_FONT}" fill="{MUTED}">{p}%</text>'
        )
    rx = width - 8
    body.append(
        f'<text x="{_n(rx)}" y="{_n(mid)}" transform="rotate(90 {_n(rx)} {_n(mid)})" text-anchor="middle" '
        f'font-size="{SMALL_FONT}" fill="{MUTED}">{escape(cumulative_label)}</text></g>'
    )
    # bars, counts and cause labels
    running = 0
    points: list[tuple[float, float, float, str]] = []
    for i, (row, label) in enumerate(zip(rows, labels, strict=True)):
        lines = int(row["lines"])
        running += lines
        cumulative = float(row.get("cumulative_pct") or running * 100 / total)
        cx = left + slot * (i + 0.5)
        y = y_count(lines)
        full = str(row.get("cause_label") or row.get("cause") or "")
        pct_text = _pct_text(row.get("pct", lines * 100 / total))
        if tip is not None:
            tooltip = tip(full, lines, pct_text, _pct_text(cumulative))
        else:
            tooltip = ngettext(
                "%(cause)s: %(lines)d line (%(pct)s), cumulative %(cumulative)s",
                "%(cause)s: %(lines)d lines (%(pct)s), cumulative %(cumulative)s",
                lines,
            ) % {"cause": full, "lines": lines, "pct": pct_text, "cumulative": _pct_text(cumulative)}
        body.append(
            f'<g data-kind="bar" data-cause="{escape(str(row.get("cause", "")))}" data-lines="{lines}">'
            f'<rect x="{_n(cx - min(BAR_W, slot * 0.7) / 2)}" y="{_n(y)}" width="{_n(min(BAR_W, slot * 0.7))}" '
            f'height="{_n(bottom - y)}" fill="{BAR}"><title>{escape(tooltip)}</title></rect>'
            f'<text x="{_n(cx)}" y="{_n(y - 4)}" text-anchor="middle" font-size="{SMALL_FONT}" fill="{INK}">'
            f"{lines}</text>"
            f'<text data-kind="cause-label" x="{_n(cx)}" y="{_n(bottom + 14)}" text-anchor="end" '
            f'transform="rotate(-{LABEL_ANGLE} {_n(cx)} {_n(bottom + 14)})" font-size="{SMALL_FONT}" '
            f'fill="{INK}">{escape(label)}</text></g>'
        )
        points.append((cx, y_pct(cumulative), cumulative, tip))
    body.append(
        f'<line x1="{_n(left)}" y1="{_n(bottom)}" x2="{_n(right)}" y2="{_n(bottom)}" stroke="{INK}"/>'
        f'<line x1="{_n(left)}" y1="{_n(plot_top)}" x2="{_n(left)}" y2="{_n(bottom)}" stroke="{INK}"/>'
        f'<line x1="{_n(right)}" y1="{_n(plot_top)}" x2="{_n(right)}" y2="{_n(bottom)}" stroke="{INK}"/>'
    )
    # the 80 % guide
    gy = y_pct(GUIDE_PCT)
    body.append(
        f'<g data-kind="guide"><line x1="{_n(left)}" y1="{_n(gy)}" x2="{_n(right)}" y2="{_n(gy)}" stroke="{AMBER}" '
        f'stroke-dasharray="6 4"/><text x="{_n(right - 4)}" y="{_n(gy - 4)}" text-anchor="end" '
        f'font-size="{SMALL_FONT}" fill="{AMBER}">{GUIDE_PCT}%</text></g>'
    )
    # the cumulative line
    path = " ".join(f"{_n(x)},{_n(y)}" for x, y, _p, _t in points)
    body.append(
        f'<g data-kind="cumulative"><polyline points="{path}" fill="none" stroke="{RED}" stroke-width="2"/>'
        + "".join(
            f'<circle data-pct="{p:.1f}" cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{RED}">'
            f"<title>{escape(tip)}</title></circle>"
            for x, y, p, tip in points
        )
        + "</g>"
    )
    aria = title or ngettext(
        "Delay causes (Pareto): %(count)d line", "Delay causes (Pareto): %(count)d lines", total
    ) % {"count": total}
    return _svg(width, height, aria, body, "pareto")


# ---------------------------------------------------------------------------------------------- trend


TREND_SLOT = 44
TREND_PLOT_H = 70
TREND_LEFT = 30
TREND_TOP = 10


def trend_svg(points: Sequence[tuple[dt.date, Decimal | None]]) -> SafeString:
    """A small line chart of a score month by month, on a 0–100 axis, with the month under each point; a month
    without a score (None) breaks the line. Without points: a short "no data" SVG."""
    if not points:
        return _empty(gettext("No score yet."), "trend", width=240, height=40)
    n = len(points)
    width = TREND_LEFT + n * TREND_SLOT + 8
    bottom = TREND_TOP + TREND_PLOT_H
    height = bottom + 34

    def x_of(i: int) -> float:
        return TREND_LEFT + TREND_SLOT * (i + 0.5)

    def y_of(score: Decimal) -> float:
        value = min(max(float(score), 0.0), 100.0)
        return bottom - TREND_PLOT_H * value / 100

    body = ['<g data-kind="axis">']
    for tick in (0, 50, 100):
        y = bottom - TREND_PLOT_H * tick / 100
        body.append(
            f'<line x1="{TREND_LEFT}" y1="{_n(y)}" x2="{_n(width - 8)}" y2="{_n(y)}" stroke="{GRID}"/>'
            f'<text x="{TREND_LEFT - 4}" y="{_n(y + 4)}" text-anchor="end" font-size="10" fill="{MUTED}">'
            f"{tick}</text>"
        )
    for i, (month, _score) in enumerate(points):
        body.append(
            f'<text x="{_n(x_of(i))}" y="{_n(bottom + 14)}" text-anchor="middle" font-size="10" fill="{MUTED}">'
            f"{escape(date_format(month, 'M'))}</text>"
        )
        if i == 0 or month.month == 1:
            body.append(
                f'<text x="{_n(x_of(i))}" y="{_n(bottom + 27)}" text-anchor="middle" font-size="10" '
                f'fill="{MUTED}">{escape(date_format(month, "Y"))}</text>'
            )
    body.append("</g>")

    segments: list[list[tuple[float, float]]] = [[]]
    dots = []
    for i, (month, score) in enumerate(points):
        if score is None:
            if segments[-1]:
                segments.append([])
            continue
        x, y = x_of(i), y_of(score)
        segments[-1].append((x, y))
        tip = gettext("%(month)s: %(score)s") % {
            "month": date_format(month, "YEAR_MONTH_FORMAT"),
            "score": f"{Decimal(str(score)):.1f}",
        }
        dots.append(
            f'<circle data-month="{month:%Y-%m}" data-score="{Decimal(str(score)):.1f}" cx="{_n(x)}" cy="{_n(y)}" '
            f'r="3" fill="{BLUE}"><title>{escape(tip)}</title></circle>'
        )
    body.append('<g data-kind="line">')
    for segment in segments:
        if len(segment) > 1:
            path = " ".join(f"{_n(x)},{_n(y)}" for x, y in segment)
            body.append(f'<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="2"/>')
    body += dots
    body.append("</g>")
    scored = [s for _m, s in points if s is not None]
    if scored:
        aria = gettext("Score by month, latest %(score)s") % {"score": f"{Decimal(str(scored[-1])):.1f}"}
    else:
        aria = gettext("Score by month: no score yet")
    return _svg(width, height, aria, body, "trend")


# ---------------------------------------------------------------------------------------------- bars and lines
#
# General charts of the statistics reports (and of any page that needs one): bars (vertical or horizontal, one
# series, grouped or stacked series) and lines (one or several series over months). Values are numbers (int,
# Decimal, float) or None; every bar and point carries its label, series and value as data attributes and as a
# tooltip; the axis has "nice" ticks (1, 2, 2.5, 5 × 10ⁿ) that always include zero.

Number = int | float | Decimal
Formatter = Callable[[Any], str]

PALETTE = ("#2563eb", "#f59e0b", "#059669", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#92400e", "#475569")
CHART_PLOT_H = 220
MIN_SLOT = 22  # the narrowest room of one category (vertical bars) or one x value (lines)
ROW_H = 22  # the height of one category in a horizontal bar chart (one series)
HBAR_PLOT_W = 360
LEGEND_SWATCH = 12
LINE_SLOT = 48


def _num(value: Any) -> float:
    return 0.0 if value is None else float(value)


def _is_integral(value: Any) -> bool:
    if value is None or isinstance(value, int):
        return True
    if isinstance(value, Decimal):
        return value == value.to_integral_value()
    return float(value).is_integer()


def default_value_format(value: Any) -> str:
    """A value as text: thousands separated, two decimals unless it is whole; None as a dash."""
    if value is None:
        return "–"
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number:,.2f}"


def compact_format(value: Any) -> str:
    """A tick label: 1,500 → 1.5k, 2,000,000 → 2M; small values with at most two decimals."""
    number = float(value)
    for divisor, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(number) >= divisor:
            text = f"{number / divisor:.2f}".rstrip("0").rstrip(".")
            return text + suffix
    if number.is_integer():
        return str(int(number))
    return f"{number:.2f}".rstrip("0").rstrip(".")


def nice_ticks(low: float, high: float, *, ticks: int = 5, integer: bool = False) -> list[float]:
    """Evenly spaced round ticks (a step of 1, 2, 2.5 or 5 × 10ⁿ) from at most `low` to at least `high`;
    `integer` keeps the step at 1 or more (counts)."""
    low, high = min(low, high), max(low, high)
    if high - low < 1e-6:  # one value (or none): an axis from it to a round step above
        high = low + (1 if abs(low) < 1e-6 else abs(low))
    raw = (high - low) / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = 10 * power
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power * (1 + 1e-9):
            step = factor * power
            break
    if integer:
        step = max(1.0, math.ceil(step))
    start = math.floor(low / step + 1e-9) * step
    end = math.ceil(high / step - 1e-9) * step
    count = max(1, round((end - start) / step))
    return [round(start + i * step, 10) for i in range(count + 1)]


def _none_safe(fmt: Formatter) -> Formatter:
    return lambda value: "–" if value is None else fmt(value)


def _color(i: int, colors: Sequence[str] | None) -> str:
    palette = colors or PALETTE
    return palette[i % len(palette)]


def _title_text(title: str, width: float) -> str:
    return (
        f'<text data-kind="title" x="{_n(width / 2)}" y="20" text-anchor="middle" font-size="14" '
        f'font-weight="600" fill="{INK}">{escape(title)}</text>'
    )


def _legend(entries: Sequence[tuple[str, str, str]], *, left: float, top: float, width: float) -> tuple[str, float]:
    """The legend (name, colour, "bar" | "line") wrapped to `width`: its markup and its height."""
    if not entries:
        return "", 0.0
    parts = ['<g data-kind="legend">']
    x, y = left, top + 11
    for name, color, shape in entries:
        label = _cut(name)
        w = LEGEND_SWATCH + 4 + _text_width(label) + 16
        if x > left and x + w > left + width:
            x, y = left, y + 18
        if shape == "line":
            parts.append(
                f'<line x1="{_n(x)}" y1="{_n(y - 3)}" x2="{_n(x + LEGEND_SWATCH)}" y2="{_n(y - 3)}" stroke="{color}" '
                f'stroke-width="2"/><circle cx="{_n(x + LEGEND_SWATCH / 2)}" cy="{_n(y - 3)}" r="3" fill="{color}"/>'
            )
        else:
            parts.append(f'<rect x="{_n(x)}" y="{_n(y - 8)}" width="{LEGEND_SWATCH}" height="10" fill="{color}"/>')
        parts.append(
            f'<text data-kind="legend-item" x="{_n(x + LEGEND_SWATCH + 4)}" y="{_n(y + 1)}" font-size="{SMALL_FONT}" '
            f'fill="{INK}">{escape(label)}<title>{escape(name)}</title></text>'
        )
        x += w
    parts.append("</g>")
    return "".join(parts), y - top + 10


def _desc(lines: Sequence[str]) -> str:
    """A <desc> with the data as text for screen readers (at most 60 entries)."""
    text = "; ".join(lines[:60]) + ("; …" if len(lines) > 60 else "")
    return f"<desc>{escape(text)}</desc>"


def _markers(
    markers: Sequence[tuple[int, str]], *, left: float, slot: float, top: float, bottom: float, count: int
) -> list[str]:
    """Dashed vertical lines through the marked categories, each with its label(s) above the plot."""
    by_index: dict[int, list[str]] = {}
    for index, label in markers:
        if 0 <= index < count:
            by_index.setdefault(index, []).append(label)
    parts = []
    last_right, raised = -math.inf, False
    for index, names in sorted(by_index.items()):
        x = left + slot * (index + 0.5)
        text = " · ".join(names)
        half = _text_width(text) / 2
        raised = not raised and x - half < last_right + 4  # a label that would touch its neighbour goes a line up
        last_right = x + half
        y = top - 8 - (13 if raised else 0)
        parts.append(
            f'<g data-kind="marker" data-index="{index}" data-label="{escape(text)}">'
            f'<line x1="{_n(x)}" y1="{_n(top - 4)}" x2="{_n(x)}" y2="{_n(bottom)}" stroke="{INK}" '
            f'stroke-dasharray="4 3" stroke-width="1.5"/>'
            f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="middle" font-size="{SMALL_FONT}" font-weight="600" '
            f'fill="{INK}">{escape(text)}</text></g>'
        )
    return parts


def bar_svg(
    items: Sequence[Any],
    *,
    value_format: Formatter | None = None,
    testid: str = "bar-chart",
    horizontal: bool = False,
    series: Sequence[tuple[str, Sequence[Any]]] | None = None,
    stacked: bool = False,
    title: str = "",
    empty_text: str | None = None,
    tick_format: Formatter | None = None,
    keys: Sequence[Any] | None = None,
    colors: Sequence[str] | None = None,
    show_values: bool = True,
    plot_height: int = CHART_PLOT_H,
    aria_label: str = "",
    value_max: Number | None = None,
    markers: Sequence[tuple[int, str]] = (),
    x_title: str = "",
    y_title: str = "",
    description: str = "",
) -> SafeString:
    """A bar chart.

    One series: `items` are `(label, value)` pairs, a bar each, in the given order. Several series: `items` are the
    category labels (or `(label, …)` pairs, only the label is used) and `series` are `(name, values)` with one value
    per category; the bars of a category stand side by side, or on top of each other with `stacked=True`, and a
    legend names the series. `horizontal=True` lays the categories out as rows (long labels such as customers read
    better). `value_format(value)` writes a value (tooltips, the figure at the end of a bar), `tick_format` the axis
    (compact by default: 1.5k, 2M). `keys` (one per category) go into `data-key` for tests and links. `title` is
    drawn above the chart and names it for screen readers; `aria_label` only names it (the page shows a heading).
    Vertical bars only: `markers` are `(category index, label)` pairs drawn as dashed vertical lines through those
    categories with their label above the plot (labels of one category are joined: quantiles that coincide);
    `x_title` names the category axis under its labels and `y_title` the value axis along its side.
    `description` opens the chart's <desc> (the bars' values follow).
    Without items or with only zeros/None: a short "no data" SVG with `empty_text`.
    """
    labels = [str(item[0]) if isinstance(item, tuple | list) else str(item) for item in items]
    if series is None:
        series = [("", [item[1] for item in items])]
        single = True
    else:
        series = [(str(name), list(values)) for name, values in series]
        single = False
        for name, values in series:
            if len(values) != len(labels):
                raise ValueError(f"series {name!r} has {len(values)} values for {len(labels)} categories")
    fmt = _none_safe(value_format or default_value_format)
    tick_fmt = tick_format or compact_format
    all_values = [v for _name, values in series for v in values]
    if not labels or not any(_num(v) for v in all_values):
        return _empty(empty_text or gettext("No data for this selection."), testid)

    stacked = stacked and not single
    if stacked:
        highs = [sum(max(_num(vals[i]), 0) for _n2, vals in series) for i in range(len(labels))]
        lows = [sum(min(_num(vals[i]), 0) for _n2, vals in series) for i in range(len(labels))]
        high, low = max(highs + [0.0]), min(lows + [0.0])
    else:
        high = max([_num(v) for v in all_values] + [0.0])
        low = min([_num(v) for v in all_values] + [0.0])
    if value_max is not None:
        high = max(high, float(value_max))
    ticks = nice_ticks(low, high, integer=all(_is_integral(v) for v in all_values))
    t_low, t_high = ticks[0], ticks[-1]
    tick_labels = [tick_fmt(t) for t in ticks]
    n_series = len(series)
    keys = [str(k) for k in keys] if keys is not None else [""] * len(labels)
    cut_labels = [_cut(label) for label in labels]
    legend_entries = [] if single else [(name, _color(i, colors), "bar") for i, (name, _v) in enumerate(series)]
    title_h = 26 if title else 0
    body: list[str] = []
    bars: list[str] = []
    desc: list[str] = []

    def tip(label: str, name: str, value: Any) -> str:
        if name:
            return gettext("%(series)s — %(label)s: %(value)s") % {"series": name, "label": label, "value": fmt(value)}
        return gettext("%(label)s: %(value)s") % {"label": label, "value": fmt(value)}

    def bar(x: float, y: float, w: float, h: float, *, i: int, s: int, value: Any) -> str:
        name = series[s][0]
        desc.append(tip(labels[i], name, value))
        return (
            f'<g data-kind="bar" data-label="{escape(labels[i])}" data-key="{escape(keys[i])}" '
            f'data-series="{escape(name)}" data-value="{escape(str(value if value is not None else ""))}">'
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0))}" height="{_n(max(h, 0))}" '
            f'fill="{_color(s, colors)}"><title>{escape(tip(labels[i], name, value))}</title></rect></g>'
        )

    if not horizontal:
        tick_w = max(_text_width(t) for t in tick_labels)
        base = MIN_SLOT if single or stacked else n_series * 12 + 10
        label_w = max(_text_width(label) for label in cut_labels)
        rotate = label_w + 10 > max(base, 84)  # long labels (customers, products) are rotated like the Pareto's
        slot = max(base, 30) if rotate else max(base, label_w + 10, 36)
        plot_w = max(len(labels) * slot, 240)
        slot = plot_w / len(labels)
        cos = math.cos(math.radians(LABEL_ANGLE))
        left = max(tick_w + 14, (_text_width(cut_labels[0]) * cos - slot / 2 + 12) if rotate else 0, 40)
        if y_title:
            left += 18
        width = left + plot_w + 14
        legend, legend_h = _legend(legend_entries, left=left, top=8 + title_h, width=plot_w)
        plot_top = 8 + title_h + legend_h + 14 + (30 if markers else 0)
        bottom = plot_top + plot_height
        height = bottom + 10 + (label_w * cos + FONT_SIZE if rotate else FONT_SIZE) + 8 + (20 if x_title else 0)

        def y_of(v: float) -> float:
            return bottom - plot_height * (v - t_low) / (t_high - t_low)

        if title:
            body.append(_title_text(title, width))
        body.append(legend)
        body.append('<g data-kind="axis">')
        for t, text in zip(ticks, tick_labels, strict=True):
            y = y_of(t)
            body.append(
                f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + plot_w)}" y2="{_n(y)}" stroke="{GRID}"/>'
                f'<text data-kind="tick" x="{_n(left - 6)}" y="{_n(y + 4)}" text-anchor="end" '
                f'font-size="{SMALL_FONT}" fill="{MUTED}">{escape(text)}</text>'
            )
        body.append("</g>")
        zero = y_of(0)
        inner = slot * 0.72
        for i, label in enumerate(cut_labels):
            x0 = left + slot * i + (slot - inner) / 2
            cx = left + slot * (i + 0.5)
            if stacked:
                up, down = 0.0, 0.0
                for s, (_name, values) in enumerate(series):
                    v = _num(values[i])
                    if v >= 0:
                        y1, y2 = y_of(up + v), y_of(up)
                        up += v
                    else:
                        y1, y2 = y_of(down), y_of(down + v)
                        down += v
                    if v:
                        bars.append(bar(x0, y1, inner, y2 - y1, i=i, s=s, value=values[i]))
                total = sum(_num(vals[i]) for _n2, vals in series)
                total_value = sum((vals[i] for _n2, vals in series if vals[i] is not None), start=0)
                text = fmt(total_value) if show_values else ""
                if text and _text_width(text) <= slot + 6 and total:
                    bars.append(
                        f'<text data-kind="value" x="{_n(cx)}" y="{_n(y_of(up) - 4)}" text-anchor="middle" '
                        f'font-size="{SMALL_FONT}" fill="{INK}">{escape(text)}</text>'
                    )
            else:
                w = inner / n_series
                for s, (_name, values) in enumerate(series):
                    v = _num(values[i])
                    y1, y2 = (y_of(v), zero) if v >= 0 else (zero, y_of(v))
                    bars.append(bar(x0 + w * s, y1, w - (1 if n_series > 1 else 0), y2 - y1, i=i, s=s, value=values[i]))
                    text = fmt(values[i]) if show_values and values[i] is not None else ""
                    if single and text and _text_width(text) <= slot + 6:
                        ty = y1 - 4 if v >= 0 else y2 + SMALL_FONT
                        bars.append(
                            f'<text data-kind="value" x="{_n(cx)}" y="{_n(ty)}" text-anchor="middle" '
                            f'font-size="{SMALL_FONT}" fill="{INK}">{escape(text)}</text>'
                        )
            if rotate:
                body.append(
                    f'<text data-kind="category" x="{_n(cx)}" y="{_n(bottom + 14)}" text-anchor="end" '
                    f'transform="rotate(-{LABEL_ANGLE} {_n(cx)} {_n(bottom + 14)})" font-size="{SMALL_FONT}" '
                    f'fill="{INK}">{escape(label)}<title>{escape(labels[i])}</title></text>'
                )
            else:
                body.append(
                    f'<text data-kind="category" x="{_n(cx)}" y="{_n(bottom + 16)}" text-anchor="middle" '
                    f'font-size="{SMALL_FONT}" fill="{INK}">{escape(label)}<title>{escape(labels[i])}</title></text>'
                )
        body += bars
        body.append(
            f'<line x1="{_n(left)}" y1="{_n(zero)}" x2="{_n(left + plot_w)}" y2="{_n(zero)}" stroke="{INK}"/>'
            f'<line x1="{_n(left)}" y1="{_n(plot_top)}" x2="{_n(left)}" y2="{_n(bottom)}" stroke="{INK}"/>'
        )
        body += _markers(markers, left=left, slot=slot, top=plot_top, bottom=bottom, count=len(labels))
        if x_title:
            body.append(
                f'<text data-kind="x-title" x="{_n(left + plot_w / 2)}" y="{_n(height - 8)}" text-anchor="middle" '
                f'font-size="{SMALL_FONT}" fill="{MUTED}">{escape(x_title)}</text>'
            )
        if y_title:
            mid = plot_top + plot_height / 2
            body.append(
                f'<text data-kind="y-title" x="14" y="{_n(mid)}" transform="rotate(-90 14 {_n(mid)})" '
                f'text-anchor="middle" font-size="{SMALL_FONT}" fill="{MUTED}">{escape(y_title)}</text>'
            )
    else:
        row = ROW_H if single or stacked else max(ROW_H, n_series * 10 + 8)
        label_w = max(_text_width(label) for label in cut_labels)
        left = label_w + 14
        plot_w = HBAR_PLOT_W
        value_texts = []
        for i in range(len(labels)):
            if stacked:
                value_texts.append(fmt(sum((v[i] for _n2, v in series if v[i] is not None), start=0)))
            elif single:
                value_texts.append(fmt(series[0][1][i]))
        right = (max(_text_width(t) for t in value_texts) + 10) if (value_texts and show_values) else 12
        right = max(right, _text_width(tick_labels[-1]) / 2 + 4)
        width = left + plot_w + right
        legend, legend_h = _legend(legend_entries, left=left, top=8 + title_h, width=plot_w)
        plot_top = 8 + title_h + legend_h + 6
        bottom = plot_top + row * len(labels)
        height = bottom + 22

        def x_of(v: float) -> float:
            return left + plot_w * (v - t_low) / (t_high - t_low)

        if title:
            body.append(_title_text(title, width))
        body.append(legend)
        body.append('<g data-kind="axis">')
        for t, text in zip(ticks, tick_labels, strict=True):
            x = x_of(t)
            body.append(
                f'<line x1="{_n(x)}" y1="{_n(plot_top)}" x2="{_n(x)}" y2="{_n(bottom)}" stroke="{GRID}"/>'
                f'<text data-kind="tick" x="{_n(x)}" y="{_n(bottom + 15)}" text-anchor="middle" '
                f'font-size="{SMALL_FONT}" fill="{MUTED}">{escape(text)}</text>'
            )
        body.append("</g>")
        zero = x_of(0)
        inner = row * 0.72
        for i, label in enumerate(cut_labels):
            y0 = plot_top + row * i + (row - inner) / 2
            cy = plot_top + row * (i + 0.5)
            body.append(
                f'<text data-kind="category" x="{_n(left - 6)}" y="{_n(cy + 4)}" text-anchor="end" '
                f'font-size="{SMALL_FONT}" fill="{INK}">{escape(label)}<title>{escape(labels[i])}</title></text>'
            )
            end = zero
            if stacked:
                up, down = 0.0, 0.0
                for s, (_name, values) in enumerate(series):
                    v = _num(values[i])
                    if v >= 0:
                        x1, x2 = x_of(up), x_of(up + v)
                        up += v
                    else:
                        x1, x2 = x_of(down + v), x_of(down)
                        down += v
                    if v:
                        bars.append(bar(x1, y0, x2 - x1, inner, i=i, s=s, value=values[i]))
                end = x_of(up)
            else:
                h = inner / n_series
                for s, (_name, values) in enumerate(series):
                    v = _num(values[i])
                    x1, x2 = (zero, x_of(v)) if v >= 0 else (x_of(v), zero)
                    bars.append(bar(x1, y0 + h * s, x2 - x1, h - (1 if n_series > 1 else 0), i=i, s=s, value=values[i]))
                    end = max(end, x2)
            if value_texts and show_values:
                bars.append(
                    f'<text data-kind="value" x="{_n(end + 4)}" y="{_n(cy + 4)}" font-size="{SMALL_FONT}" '
                    f'fill="{INK}">{escape(value_texts[i])}</text>'
                )
        body += bars
        body.append(
            f'<line x1="{_n(zero)}" y1="{_n(plot_top)}" x2="{_n(zero)}" y2="{_n(bottom)}" stroke="{INK}"/>'
            f'<line x1="{_n(left)}" y1="{_n(bottom)}" x2="{_n(left + plot_w)}" y2="{_n(bottom)}" stroke="{INK}"/>'
        )
    body.insert(0, _desc([description, *desc] if description else desc))
    aria = (
        title
        or aria_label
        or ngettext("Bar chart of %(count)d item", "Bar chart of %(count)d items", len(labels)) % {"count": len(labels)}
    )
    return _svg(width, height, aria, body, testid)


def _x_text(value: Any) -> tuple[str, str]:
    """An x value's (short label, data key): a date reads as its month (Jan), keyed YYYY-MM-DD."""
    if isinstance(value, dt.date):
        return date_format(value, "M"), value.isoformat()
    return str(value), str(value)


def line_svg(
    x_labels: Sequence[Any],
    series: Sequence[tuple[str, Sequence[Any]]],
    *,
    testid: str = "line-chart",
    value_format: Formatter | None = None,
    tick_format: Formatter | None = None,
    title: str = "",
    empty_text: str | None = None,
    y_max: Number | None = None,
    zero_based: bool = True,
    colors: Sequence[str] | None = None,
    plot_height: int = CHART_PLOT_H,
    slot: float | None = None,
    legend: bool = True,
    aria_label: str = "",
) -> SafeString:
    """A line chart of one or several series over the same x values (months as `date`s read Jan, Feb… with the year
    under the first and every January; any other value as its text). `series` are `(name, values)`, one value per
    x, None for no value (the line breaks there). A legend names the series (`legend=False` hides it). `y_max`
    fixes the top of the axis (100 for percentages); the axis starts at zero unless `zero_based=False`. `title` is
    drawn above the chart; `aria_label` only names it for screen readers.
    Without x values or without any value: a short "no data" SVG with `empty_text`.
    """
    series = [(str(name), list(values)) for name, values in series]
    for name, values in series:
        if len(values) != len(x_labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(x_labels)} x values")
    fmt = _none_safe(value_format or default_value_format)
    tick_fmt = tick_format or compact_format
    present = [v for _name, values in series for v in values if v is not None]
    if not x_labels or not present:
        return _empty(empty_text or gettext("No data for this selection."), testid)
    high = max(_num(v) for v in present)
    low = min(_num(v) for v in present)
    if zero_based:
        high, low = max(high, 0.0), min(low, 0.0)
    if y_max is not None:
        high = max(high, float(y_max))
    ticks = nice_ticks(low, high, integer=all(_is_integral(v) for v in present))
    if y_max is not None and float(y_max) >= max(_num(v) for v in present):
        ticks = [t for t in ticks if t <= float(y_max)]
        if ticks[-1] < float(y_max):
            ticks.append(float(y_max))
    t_low, t_high = ticks[0], ticks[-1]
    tick_labels = [tick_fmt(t) for t in ticks]
    xs = [_x_text(x) for x in x_labels]
    dated = all(isinstance(x, dt.date) for x in x_labels)
    n = len(xs)
    label_w = max(_text_width(text) for text, _key in xs)
    if slot is None:
        slot = max(MIN_SLOT, min(LINE_SLOT, 720 / n))
    every = max(1, math.ceil((label_w + 6) / slot))
    tick_w = max(_text_width(t) for t in tick_labels)
    left = tick_w + 14
    plot_w = max(n * slot, 200)
    slot = plot_w / n
    width = left + plot_w + 14
    title_h = 26 if title else 0
    entries = [(name, _color(i, colors), "line") for i, (name, _v) in enumerate(series)] if legend else []
    legend_svg, legend_h = _legend(entries, left=left, top=8 + title_h, width=plot_w)
    plot_top = 8 + title_h + legend_h + 12
    bottom = plot_top + plot_height
    height = bottom + (34 if dated else 22)

    def x_of(i: int) -> float:
        return left + slot * (i + 0.5)

    def y_of(v: float) -> float:
        return bottom - plot_height * (v - t_low) / (t_high - t_low)

    body: list[str] = []
    if title:
        body.append(_title_text(title, width))
    body.append(legend_svg)
    body.append('<g data-kind="axis">')
    for t, text in zip(ticks, tick_labels, strict=True):
        y = y_of(t)
        body.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + plot_w)}" y2="{_n(y)}" stroke="{GRID}"/>'
            f'<text data-kind="tick" x="{_n(left - 6)}" y="{_n(y + 4)}" text-anchor="end" font-size="{SMALL_FONT}" '
            f'fill="{MUTED}">{escape(text)}</text>'
        )
    for i, (text, _key) in enumerate(xs):
        if i % every == 0:
            body.append(
                f'<text data-kind="x-label" x="{_n(x_of(i))}" y="{_n(bottom + 15)}" text-anchor="middle" '
                f'font-size="{SMALL_FONT}" fill="{MUTED}">{escape(text)}</text>'
            )
        if dated and (i == 0 or x_labels[i].month == 1):
            body.append(
                f'<text data-kind="x-year" x="{_n(x_of(i))}" y="{_n(bottom + 29)}" text-anchor="middle" '
                f'font-size="{SMALL_FONT}" fill="{MUTED}">{escape(date_format(x_labels[i], "Y"))}</text>'
            )
    body.append(
        f'<line x1="{_n(left)}" y1="{_n(y_of(max(t_low, 0)))}" x2="{_n(left + plot_w)}" '
        f'y2="{_n(y_of(max(t_low, 0)))}" stroke="{INK}"/>'
        f'<line x1="{_n(left)}" y1="{_n(plot_top)}" x2="{_n(left)}" y2="{_n(bottom)}" stroke="{INK}"/></g>'
    )
    desc: list[str] = []
    for s, (name, values) in enumerate(series):
        color = _color(s, colors)
        segments: list[list[tuple[float, float]]] = [[]]
        dots: list[str] = []
        for i, value in enumerate(values):
            if value is None:
                if segments[-1]:
                    segments.append([])
                continue
            x, y = x_of(i), y_of(_num(value))
            segments[-1].append((x, y))
            label = date_format(x_labels[i], "YEAR_MONTH_FORMAT") if dated else xs[i][0]
            if name:
                tip = gettext("%(series)s — %(label)s: %(value)s") % {
                    "series": name,
                    "label": label,
                    "value": fmt(value),
                }
            else:
                tip = gettext("%(label)s: %(value)s") % {"label": label, "value": fmt(value)}
            desc.append(tip)
            dots.append(
                f'<circle data-x="{escape(xs[i][1])}" data-value="{escape(str(value))}" cx="{_n(x)}" cy="{_n(y)}" '
                f'r="3" fill="{color}"><title>{escape(tip)}</title></circle>'
            )
        body.append(f'<g data-kind="series" data-series="{escape(name)}">')
        for segment in segments:
            if len(segment) > 1:
                path = " ".join(f"{_n(x)},{_n(y)}" for x, y in segment)
                body.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        body += dots
        body.append("</g>")
    body.insert(0, _desc(desc))
    aria = (
        title
        or aria_label
        or ngettext("Line chart of %(count)d series", "Line chart of %(count)d series", len(series))
        % {"count": len(series)}
    )
    return _svg(width, height, aria, body, testid)
