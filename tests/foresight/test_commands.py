"""`gendan foresight`: the figures and the two methods side by side as text, or the API's shape as JSON."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.foresight.conftest import END, START

pytestmark = pytest.mark.usefixtures("at_report_day")
PERIOD = ["--from", START.isoformat(), "--to", END.isoformat()]


def run(*args: str) -> str:
    out = StringIO()
    call_command("foresight", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_text_has_the_figures_and_the_comparison(learned_flags) -> None:
    text = run(*PERIOD, "--lang", "en")
    lines = text.splitlines()
    assert lines[0] == "Foresight 2027-02-01 – 2027-03-31 · Plan (deterministic)"
    assert lines[1] == "Orders in the period: 8 (late 5, on time 2, open 1)"
    assert any(line.split() == ["Flagged", "ahead", "≥", "10", "working", "days", "2", "40.0%"] for line in lines)
    assert any(line.split() == ["False", "alarms", "1"] for line in lines)
    assert any(line.split() == ["False-alarm", "rate", "25.0%"] for line in lines)
    assert any(line.split() == ["Median", "lead", "(working", "days)", "8.5"] for line in lines)
    assert any(line.split()[:3] == ["MO", "Materials", "ordered"] and line.split()[-1] == "4" for line in lines)
    # the comparison: plan, then learned
    assert any(line.split() == ["Recall", "at", "5", "working", "days", "60.0%", "20.0%"] for line in lines)
    assert any(line.split() == ["False-alarm", "rate", "25.0%", "50.0%"] for line in lines)
    assert "Learned delays" in text


def test_both_methods_and_json(learned_flags) -> None:
    text = run(*PERIOD, "--method", "both", "--lang", "en")
    assert "· Plan (deterministic)" in text
    assert "· Learned delays" in text
    data = json.loads(run(*PERIOD, "--method", "both", "--json"))
    assert set(data) == {"plan", "learned"}
    assert data["plan"]["flagged_ahead"] == {"5": 3, "10": 2, "20": 1}
    assert data["learned"]["false_alarm_rate"] == "50.0"
    single = json.loads(run(*PERIOD, "--method", "learned", "--json"))
    assert single == data["learned"]


def test_the_text_in_chinese_and_an_empty_period(db) -> None:
    text = run("--lang", "zh")
    assert "2026-09-15 – 2027-03-15" in text  # the last six months by default
    assert "—" in text  # no median, no rate


def test_a_bad_date_is_refused_naming_the_option(db) -> None:
    with pytest.raises(CommandError, match="--from: Give a date as YYYY-MM-DD."):
        run("--from", "2027-02-30", "--lang", "en")
    with pytest.raises(CommandError, match="--to: The end of the period must not be before its start."):
        run("--from", "2027-03-01", "--to", "2027-02-01", "--lang", "en")
