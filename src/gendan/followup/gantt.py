"""A server-side SVG Gantt chart of one order's time-and-action (T&A) plan.

Each milestone is an event, not a duration, so a row shows up to three markers on a shared date axis:

- the planned date as a hollow blue diamond;
- the forecast (while there is no actual) as a filled circle, blue when on time and red when later than the plan;
- the actual date as a filled green diamond, outlined in red when it came later than the plan;

and a thin red bar from the plan to a later forecast or actual: the slip. A dashed red line marks today and a solid
dark one the committed ex-factory date. Late rows are tinted, the rows that drive the ex-factory slip have a bold red
label, and compressed rows (planned in the past when the plan was made) carry an amber "!".

`gantt_svg` returns one self-contained `<svg>` element: no script, no external reference, only inline attributes.
Every text is escaped; dates follow the active language through `date_format`. Elements carry data attributes
(`data-code`, `data-status`, `data-kind`, `data-date`) for tests and for the page's own behaviour.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

BLUE = "#1d4ed8"
RED = "#b91c1c"
GREEN = "#15803d"
AMBER = "#b45309"
INK = "#111827"
MUTED = "#6b7280"
GRID = "#e5e7eb"
MONTH_GRID = "#cbd5e1"
LATE_BG = "#fee2e2"
STRIPE_BG = "#f3f4f6"
FONT_FAMILY = '-apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif'

FONT_SIZE = 12
SMALL_FONT = 11
LABEL_W = 220  # the label column
PLOT_GAP = 8  # between the label column and the first day
RIGHT_PAD = 12
ROW_H = 26
AXIS_H = 38  # month labels, then week labels
BAND_H = 18  # a line of text for the today / committed labels
LEGEND_LINE_H = 20
PAD_DAYS = 3
TARGET_PLOT_W = 900
MIN_PX_PER_DAY, MAX_PX_PER_DAY = 4.0, 28.0


@dataclass(frozen=True)
class GanttRow:
    """One milestone of the plan, as the chart shows it."""

    code: str  # e.g. "MIH"
    name: str  # already translated display name, e.g. "Materials in house" or "物料到齐"
    planned: dt.date
    forecast: dt.date | None
    actual: dt.date | None
    status: str  # "pending" | "done" | "late"
    compressed: bool = False  # planned date was already in the past when the plan was made
    is_ex_factory: bool = False
    driving: bool = False  # on the chain of milestones that drives the slip of the ex-factory date


@dataclass(frozen=True)
class _Scale:
    """Maps dates to x: each day is a cell `px_per_day` wide and a date sits at the centre of its cell."""

    start: dt.date
    end: dt.date
    px_per_day: float
    x0: float  # left edge of the start day

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def x_end(self) -> float:
        return self.x0 + self.days * self.px_per_day

    def edge(self, day: dt.date) -> float:
        """The left edge of the day's cell."""
        return self.x0 + (day - self.start).days * self.px_per_day

    def x(self, day: dt.date) -> float:
        return self.edge(day) + self.px_per_day / 2


# ---------------------------------------------------------------------------------------------- small helpers


def _n(value: float) -> str:
    """A coordinate with at most one decimal and no trailing zero."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _char_em(ch: str) -> float:
    if unicodedata.east_asian_width(ch) in "WF":
        return 1.0
    if ch.isupper():
        return 0.68
    if ch.isdigit():
        return 0.58
    if ch in " .,:;!|il'-":
        return 0.32
    return 0.56


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    """A slightly generous estimate of the rendered width: CJK characters are square, Latin ones narrower."""
    return size * sum(_char_em(ch) for ch in text)


def _truncate(text: str, max_width: float, size: float = FONT_SIZE) -> str:
    """The text, cut with an ellipsis when it would be wider than `max_width`."""
    if _text_width(text, size) <= max_width:
        return text
    cut = text
    while cut and _text_width(cut + "…", size) > max_width:
        cut = cut[:-1]
    return cut + "…"


def _title(text: str) -> str:
    return f"<title>{escape(text)}</title>"


def _full_date(day: dt.date) -> str:
    return date_format(day, "DATE_FORMAT")


def _described(kind: str, day: dt.date) -> str:
    return gettext("%(kind)s: %(date)s") % {"kind": kind, "date": _full_date(day)}


def _late_by(days: int) -> str:
    return ngettext("%(days)d day late", "%(days)d days late", days) % {"days": days}


def _mondays(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    while day <= end:
        yield day
        day += dt.timedelta(days=7)


def _month_starts(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    while day <= end:
        yield day
        day = (day + dt.timedelta(days=32)).replace(day=1)


# ---------------------------------------------------------------------------------------------- layout


def _scale(rows: Sequence[GanttRow], today: dt.date, committed: dt.date | None) -> _Scale:
    dates = [today]
    for row in rows:
        dates += [d for d in (row.planned, row.forecast, row.actual) if d is not None]
    start = min(dates) - dt.timedelta(days=PAD_DAYS)
    end = max([*dates, *([committed] if committed else [])]) + dt.timedelta(days=PAD_DAYS)
    days = (end - start).days + 1
    px_per_day = min(MAX_PX_PER_DAY, max(MIN_PX_PER_DAY, TARGET_PLOT_W / days))
    return _Scale(start=start, end=end, px_per_day=px_per_day, x0=LABEL_W + PLOT_GAP)


def _row_top(index: int) -> float:
    return AXIS_H + BAND_H + index * ROW_H


def _legend_items(rows: Sequence[GanttRow], committed: dt.date | None) -> list[tuple[str, str]]:
    """(symbol drawn around 0,0, label) for each legend entry that the chart uses."""
    items = [
        (_diamond(6, "#ffffff", BLUE, 1.5), gettext("Planned")),
        (_circle(BLUE), gettext("Forecast")),
        (_circle(RED), gettext("Late forecast")),
        (_diamond(5.5, GREEN, GREEN, 1), gettext("Actual")),
        (f'<rect x="-9" y="-2" width="18" height="4" rx="2" fill="{RED}" fill-opacity="0.55"/>', gettext("Slip")),
        (
            f'<line x1="0" y1="-7" x2="0" y2="7" stroke="{RED}" stroke-width="1.5" stroke-dasharray="3 2"/>',
            gettext("Today"),
        ),
    ]
    if committed:
        items.append((f'<line x1="0" y1="-7" x2="0" y2="7" stroke="{INK}" stroke-width="1.5"/>', _committed_label()))
    if any(row.compressed for row in rows):
        items.append((_bang(0, 4), gettext("Planned in the past (compressed)")))
    if any(row.driving for row in rows):
        items.append(
            (
                f'<text x="0" y="4" text-anchor="middle" font-weight="700" fill="{RED}">A</text>',
                gettext("Drives the ex-factory slip"),
            )
        )
    return items


def _legend_layout(items: list[tuple[str, str]], width: float) -> list[list[tuple[float, str, str]]]:
    """The entries flowed into lines that fit `width`: for each line, (x of the symbol, symbol, label)."""
    lines: list[list[tuple[float, str, str]]] = [[]]
    x = 8 + 10
    for symbol, label in items:
        item_w = 14 + _text_width(label, SMALL_FONT) + 22
        if lines[-1] and x + item_w > width:
            lines.append([])
            x = 8 + 10
        lines[-1].append((x, symbol, label))
        x += item_w
    return lines


def _committed_label() -> str:
    return gettext("Committed ex-factory")


# ---------------------------------------------------------------------------------------------- shapes


def _diamond(r: float, fill: str, stroke: str, stroke_width: float) -> str:
    points = f"0,{_n(-r)} {_n(r)},0 0,{_n(r)} {_n(-r)},0"
    return (
        f'<polygon points="{points}" fill="{fill}" stroke="{stroke}" stroke-width="{_n(stroke_width)}"'
        ' stroke-linejoin="round"/>'
    )


def _circle(fill: str) -> str:
    return f'<circle cx="0" cy="0" r="4.5" fill="{fill}" stroke="#ffffff" stroke-width="1"/>'


def _bang(x: float, y: float) -> str:
    """The amber "!" of a compressed milestone, centred on x with its baseline at y."""
    return (
        f'<circle cx="{_n(x)}" cy="{_n(y - 4)}" r="6.5" fill="{AMBER}"/>'
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="middle" font-size="10" font-weight="700" fill="#ffffff">!</text>'
    )


def _marker(kind: str, day: dt.date, x: float, y: float, shape: str, tooltip: str) -> str:
    return (
        f'<g data-kind="{kind}" data-date="{day.isoformat()}" transform="translate({_n(x)},{_n(y)})">'
        f"{_title(tooltip)}{shape}</g>"
    )


# ---------------------------------------------------------------------------------------------- parts of the chart


def _axis(scale: _Scale, rows_bottom: float) -> str:
    """Month labels, a tick and label per Monday, and the grid lines through the rows."""
    parts = [f'<g data-kind="axis" fill="{MUTED}">']
    # months: a boundary line and the month's name after it; the partial first month only when it has room
    starts = list(_month_starts(scale.start, scale.end))
    month_labels = [(scale.start, scale.x0)] + [(m, scale.edge(m)) for m in starts]
    for i, (month, left) in enumerate(month_labels):
        label = date_format(month, "YEAR_MONTH_FORMAT")
        right = month_labels[i + 1][1] if i + 1 < len(month_labels) else scale.x_end
        if i > 0:
            parts.append(f'<line x1="{_n(left)}" y1="2" x2="{_n(left)}" y2="{_n(rows_bottom)}" stroke="{MONTH_GRID}"/>')
        if right - left >= _text_width(label) + 8:
            parts.append(f'<text x="{_n(left + 4)}" y="14" font-weight="600" fill="{INK}">{escape(label)}</text>')
    # weeks: a tick on each Monday, labelled in the longest form that fits, thinned out when even "m-d" is too wide
    mondays = list(_mondays(scale.start, scale.end))
    week_w = 7 * scale.px_per_day
    long_labels = [date_format(d, "MONTH_DAY_FORMAT") for d in mondays]
    short_labels = [f"{d.month}-{d.day}" for d in mondays]
    long_w = max((_text_width(t, SMALL_FONT) for t in long_labels), default=0)
    short_w = max((_text_width(t, SMALL_FONT) for t in short_labels), default=0)
    labels, every = (long_labels, 1) if week_w >= long_w + 10 else (short_labels, math.ceil((short_w + 8) / week_w))
    for i, (monday, label) in enumerate(zip(mondays, labels, strict=True)):
        x = scale.x(monday)
        parts.append(f'<line x1="{_n(x)}" y1="{AXIS_H}" x2="{_n(x)}" y2="{_n(rows_bottom)}" stroke="{GRID}"/>')
        parts.append(f'<line x1="{_n(x)}" y1="{AXIS_H - 5}" x2="{_n(x)}" y2="{AXIS_H}" stroke="{MUTED}"/>')
        if i % every:
            continue
        half = _text_width(label, SMALL_FONT) / 2
        if x - half < scale.x0 or x + half > scale.x_end + RIGHT_PAD:
            continue
        parts.append(
            f'<text x="{_n(x)}" y="{AXIS_H - 8}" text-anchor="middle" font-size="{SMALL_FONT}" '
            f'data-date="{monday.isoformat()}">{escape(label)}</text>'
        )
    parts.append(
        f'<line x1="0" y1="{AXIS_H}" x2="{_n(scale.x_end)}" y2="{AXIS_H}" stroke="{MONTH_GRID}"/>'
        f'<line x1="{LABEL_W}" y1="0" x2="{LABEL_W}" y2="{_n(rows_bottom)}" stroke="{MONTH_GRID}"/>'
    )
    parts.append("</g>")
    return "".join(parts)


def _vertical_line(
    kind: str, day: dt.date, scale: _Scale, *, top: float, bottom: float, label_y: float, stroke: str, dashed: bool
) -> str:
    """A full-height line at the day, labelled at `label_y` on whichever side of it has room."""
    x = scale.x(day)
    label = gettext("Today") if kind == "today" else _committed_label()
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    width = 1.5 if dashed else 2
    room_right = scale.x_end + RIGHT_PAD - x
    anchor, text_x = ("start", x + 4) if room_right >= _text_width(label) + 6 else ("end", x - 4)
    return (
        f'<line data-kind="{kind}" data-date="{day.isoformat()}" x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" '
        f'y2="{_n(bottom)}" stroke="{stroke}" stroke-width="{_n(width)}"{dash}>{_title(_described(label, day))}</line>'
        f'<text data-kind="{kind}-label" x="{_n(text_x)}" y="{_n(label_y)}" text-anchor="{anchor}" fill="{stroke}" '
        f'font-weight="600">{escape(label)}</text>'
    )


def _row_label(row: GanttRow, y: float, code_w: float) -> str:
    """Code and name in the label column, styled by the row's role; a "!" for a compressed plan."""
    if row.driving:
        fill, weight = RED, "700"
    elif row.compressed:
        fill, weight = AMBER, "700" if row.is_ex_factory else "400"
    else:
        fill, weight = INK, "700" if row.is_ex_factory else "400"
    name_x = 8 + code_w
    name_room = LABEL_W - name_x - (28 if row.compressed else 8)
    tooltip = f"{row.code} {row.name}"
    parts = [
        f'<text x="8" y="{_n(y)}" font-weight="600" fill="{RED if row.driving else MUTED}">'
        f"{escape(_truncate(row.code, code_w - 6))}</text>",
        f'<text data-kind="name" x="{_n(name_x)}" y="{_n(y)}" fill="{fill}" font-weight="{weight}">'
        f"{_title(tooltip)}{escape(_truncate(row.name, name_room))}</text>",
    ]
    if row.compressed:
        note = gettext("Compressed: the planned date had already passed when the plan was made.")
        parts.append(f'<g data-kind="compressed">{_title(note)}{_bang(LABEL_W - 12, y)}</g>')
    return "".join(parts)


def _row_markers(row: GanttRow, scale: _Scale, cy: float) -> str:
    """The slip bar (drawn first, under the markers), the planned diamond, then the forecast or the actual."""
    parts = []
    reached = row.actual if row.actual is not None else row.forecast
    if reached is not None and reached > row.planned:
        x1, x2 = scale.x(row.planned), scale.x(reached)
        slip = (reached - row.planned).days
        parts.append(
            f'<rect data-kind="slip" data-date="{reached.isoformat()}" x="{_n(x1)}" y="{_n(cy - 2)}" '
            f'width="{_n(x2 - x1)}" height="4" rx="2" fill="{RED}" fill-opacity="0.55">'
            f"{_title(gettext('Slip') + ': ' + _late_by(slip))}</rect>"
        )
    parts.append(
        _marker(
            "planned",
            row.planned,
            scale.x(row.planned),
            cy,
            _diamond(6.5, "#ffffff", BLUE, 1.5),
            _described(gettext("Planned"), row.planned),
        )
    )
    if row.actual is not None:
        late = (row.actual - row.planned).days
        tooltip = _described(gettext("Actual"), row.actual) + (f" ({_late_by(late)})" if late > 0 else "")
        shape = _diamond(5.5, GREEN, RED, 2) if late > 0 else _diamond(5.5, GREEN, GREEN, 1)
        parts.append(_marker("actual", row.actual, scale.x(row.actual), cy, shape, tooltip))
    elif row.forecast is not None:
        late = (row.forecast - row.planned).days
        tooltip = _described(gettext("Forecast"), row.forecast) + (f" ({_late_by(late)})" if late > 0 else "")
        fill = RED if late > 0 else BLUE
        parts.append(_marker("forecast", row.forecast, scale.x(row.forecast), cy, _circle(fill), tooltip))
    return "".join(parts)


def _row_background(index: int, row: GanttRow, scale: _Scale) -> str:
    """A late row's red tint, or the zebra stripe of odd rows; drawn under the grid so the lines stay crisp."""
    if row.status == "late":
        fill = LATE_BG
    elif index % 2:
        fill = STRIPE_BG
    else:
        return ""
    return (
        f'<rect data-kind="row-bg" data-code="{escape(row.code)}" x="0" y="{_n(_row_top(index))}" '
        f'width="{_n(scale.x_end)}" height="{ROW_H}" fill="{fill}"/>'
    )


def _row(index: int, row: GanttRow, scale: _Scale, code_w: float) -> str:
    """The row's group: its label and its markers."""
    cy = _row_top(index) + ROW_H / 2
    attrs = f'data-code="{escape(row.code)}" data-status="{escape(row.status)}"'
    if row.driving:
        attrs += ' data-driving="true"'
    if row.is_ex_factory:
        attrs += ' data-ex-factory="true"'
    return f"<g {attrs}>{_row_label(row, cy + 4, code_w)}{_row_markers(row, scale, cy)}</g>"


def _legend(rows: Sequence[GanttRow], committed: dt.date | None, top: float, width: float) -> tuple[str, float]:
    """The legend below the chart, and its height."""
    lines = _legend_layout(_legend_items(rows, committed), width)
    parts = ['<g data-kind="legend">']
    for i, line in enumerate(lines):
        cy = top + LEGEND_LINE_H * i + LEGEND_LINE_H / 2
        for x, symbol, label in line:
            parts.append(f'<g transform="translate({_n(x)},{_n(cy)})">{symbol}</g>')
            parts.append(
                f'<text x="{_n(x + 14)}" y="{_n(cy + 4)}" font-size="{SMALL_FONT}" fill="{INK}">{escape(label)}</text>'
            )
    parts.append("</g>")
    return "".join(parts), LEGEND_LINE_H * len(lines)


# ---------------------------------------------------------------------------------------------- the chart


def gantt_svg(rows: Sequence[GanttRow], *, today: dt.date, committed: dt.date | None = None) -> SafeString:
    """The plan as one `<svg>` element, or an empty string when there are no milestones."""
    if not rows:
        return mark_safe("")
    scale = _scale(rows, today, committed)
    width = scale.x_end + RIGHT_PAD
    rows_top = _row_top(0)
    rows_bottom = _row_top(len(rows))
    code_w = min(90.0, max(36.0, max(_text_width(row.code) for row in rows) + 12))

    body = [_row_background(i, row, scale) for i, row in enumerate(rows)]
    body.append(_axis(scale, rows_bottom))
    body.append(
        _vertical_line(
            "today", today, scale, top=AXIS_H, bottom=rows_bottom, label_y=AXIS_H + 13, stroke=RED, dashed=True
        )
    )
    legend_top = rows_bottom + 6
    if committed is not None:
        body.append(
            _vertical_line(
                "committed",
                committed,
                scale,
                top=rows_top,
                bottom=rows_bottom + BAND_H,
                label_y=rows_bottom + 13,
                stroke=INK,
                dashed=False,
            )
        )
        legend_top += BAND_H
    body += [_row(i, row, scale, code_w) for i, row in enumerate(rows)]
    legend, legend_h = _legend(rows, committed, legend_top, width)
    body.append(legend)
    height = legend_top + legend_h + 6

    aria = gettext("Time and action plan: %(count)d milestones") % {"count": len(rows)}
    header = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" width="100%" '
        f'style="max-width:{_n(width)}px;height:auto" role="img" aria-label="{escape(aria)}" data-testid="gantt" '
        f'font-family="{escape(FONT_FAMILY)}" font-size="{FONT_SIZE}">'
    )
    return mark_safe(header + "".join(body) + "</svg>")
