"""The load chart (负荷图): planned load against capacity per work centre and day, as server-side SVG."""

import datetime as dt
from decimal import Decimal

from django.utils.dates import WEEKDAYS_ABBR
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

CELL_W, CELL_H, LABEL_W, HEAD_H = 34, 26, 150, 34


def _colour(ratio: float) -> str:
    if ratio > 1.0001:
        return "#d93025"  # over capacity
    if ratio <= 0:
        return "#f1f3f4"
    # light to deep blue as the day fills
    shade = int(235 - 150 * min(ratio, 1.0))
    return f"rgb({shade - 40},{shade},{255})"


def load_svg(
    centres: list[tuple[int, str]],
    days: list[dt.date],
    load: dict[tuple[int, dt.date], Decimal],
    capacity: dict[tuple[int, dt.date], Decimal],
) -> SafeString:
    """One row per work centre, one column per day; each cell coloured by load ÷ capacity (red: over), with the
    planned load written in it and load / capacity in its tooltip. Rest days without capacity are hatched grey."""
    width = LABEL_W + CELL_W * len(days) + 4
    height = HEAD_H + CELL_H * len(centres) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(_("Planned load against capacity per work centre and day"))}" '
        'font-family="sans-serif" font-size="10" data-testid="load-chart">'
    ]
    for i, day in enumerate(days):
        x = LABEL_W + i * CELL_W
        weekend = day.isoweekday() >= 6
        parts.append(
            f'<text x="{x + CELL_W / 2}" y="14" text-anchor="middle" fill="{"#999" if weekend else "#333"}">'
            f"{day:%m-%d}</text>"
        )
        weekday = escape(str(WEEKDAYS_ABBR[day.weekday()]))
        parts.append(f'<text x="{x + CELL_W / 2}" y="27" text-anchor="middle" fill="#999">{weekday}</text>')
    for row, (pk, label) in enumerate(centres):
        y = HEAD_H + row * CELL_H
        parts.append(f'<text x="4" y="{y + CELL_H / 2 + 4}" fill="#222">{escape(label)}</text>')
        for i, day in enumerate(days):
            x = LABEL_W + i * CELL_W
            cap = capacity.get((pk, day), Decimal(0))
            amount = load.get((pk, day), Decimal(0))
            if cap <= 0 and amount <= 0:
                parts.append(
                    f'<rect x="{x + 1}" y="{y + 1}" width="{CELL_W - 2}" height="{CELL_H - 2}" fill="#e8eaed"/>'
                )
                continue
            ratio = float(amount / cap) if cap > 0 else 2.0
            over = ratio > 1.0001
            tip = _("%(centre)s %(day)s: %(load)s of %(capacity)s") % {
                "centre": label,
                "day": day.isoformat(),
                "load": f"{amount.normalize():f}",
                "capacity": f"{cap.normalize():f}",
            }
            flag = ' data-over="1"' if over else ""
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{CELL_W - 2}" height="{CELL_H - 2}" fill="{_colour(ratio)}"'
                f"{flag}><title>{escape(tip)}</title></rect>"
            )
            if amount > 0:
                text = f"{amount.quantize(Decimal('1')) if amount >= 10 else amount.quantize(Decimal('0.1'))}"
                colour = "#fff" if over or ratio > 0.6 else "#1a1a1a"
                parts.append(
                    f'<text x="{x + CELL_W / 2}" y="{y + CELL_H / 2 + 4}" text-anchor="middle" fill="{colour}">'
                    f"{text}</text>"
                )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
