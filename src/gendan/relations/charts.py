"""The survey results' charts, drawn server-side by core.charts: the mean per question against the previous round,
the spread of scores per question (stacked 1–5), the means by period (the template's rounds), by tier and by
merchandiser."""

from decimal import Decimal
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from gendan.core.charts import bar_svg, line_svg
from gendan.relations.choices import SCORE_COLORS, SCORES, QuestionCategory
from gendan.relations.selectors import RoundResults

MEAN_COLORS = ("#cbd5e1", "#2563eb")  # previous round, this round


def _mean(value: Any) -> str:
    return "–" if value is None else f"{Decimal(value):.2f}"


def _label(result: Any, language: str) -> str:
    return result.question.text(language)


def results_charts(results: RoundResults, language: str) -> dict[str, SafeString]:
    questions = results.score_questions
    labels = [_label(r, language) for r in questions]
    keys = [r.question.key for r in questions]
    series: list[tuple[str, list[Any]]] = []
    if results.previous is not None:
        series.append((_("Previous round"), [r.previous_mean for r in questions]))
    series.append((_("This round"), [r.mean for r in questions]))
    charts = {
        "means": bar_svg(
            labels,
            series=series,
            horizontal=True,
            keys=keys,
            value_format=_mean,
            colors=MEAN_COLORS[-len(series) :],
            testid="chart-means",
            empty_text=_("No scores yet."),
        ),
        "spread": bar_svg(
            labels,
            series=[(f"{score}", [r.counts.get(score, 0) for r in questions]) for score in SCORES],
            horizontal=True,
            stacked=True,
            keys=keys,
            colors=SCORE_COLORS,
            testid="chart-spread",
            empty_text=_("No scores yet."),
        ),
    }
    history = results.history
    if history:
        categories = [c for c in QuestionCategory.values if any(g.categories.get(c) is not None for g in history)]
        lines = [(_("All questions"), [g.mean for g in history])]
        lines += [(str(QuestionCategory(c).label), [g.categories.get(c) for g in history]) for c in categories]
        charts["periods"] = line_svg(
            [g.round.period_end.replace(day=1) for g in history],
            lines,
            y_max=5,
            value_format=_mean,
            slot=max(48, 480 / len(history)),
            testid="chart-periods",
            empty_text=_("No scores yet."),
        )
    charts["tiers"] = bar_svg(
        [(g.label, g.mean) for g in results.tiers if g.mean is not None],
        value_format=_mean,
        keys=[g.key for g in results.tiers if g.mean is not None],
        testid="chart-tiers",
        empty_text=_("No scores yet."),
    )
    charts["merchandisers"] = bar_svg(
        [(g.label, g.mean) for g in results.merchandisers if g.mean is not None],
        value_format=_mean,
        horizontal=True,
        keys=[g.key for g in results.merchandisers if g.mean is not None],
        testid="chart-merchandisers",
        empty_text=_("No scores yet."),
    )
    return charts
