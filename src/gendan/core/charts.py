"""Server-side SVG charts of the purchasing reports: the Pareto of delay causes and a supplier's score trend.

Each function returns one self-contained `<svg>` element (no script, no external reference, only inline attributes),
sized by its viewBox so it scales to the width of its container. Every text is escaped. Elements carry data
attributes (`data-kind`, `data-cause`, `data-month`, …) for tests and for the page's own behaviour.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

__all__ = ["pareto_svg", "trend_svg"]

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
