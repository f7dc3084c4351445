"""`gendan chase` and `gendan reforecast`."""

import datetime as dt
import json
import re
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gendan.core import clock
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.followup.management.commands.chase import table
from gendan.followup.models import Milestone
from gendan.sales.models import Order


@pytest.fixture
def tight_order(confirmed_order: Callable[..., Order]) -> Order:
    """An order of mer1 at risk, with PPS and PS planned for 2026-11-24."""
    return confirmed_order(ex_factory_date=dt.date(2026, 12, 18))


def run(*args: str, **options: object) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def test_chase_prints_the_ranked_list_with_order_and_reason(merchandiser: User, tight_order: Order) -> None:
    lines = run("chase", "--user", "mer1", "--date", "2026-11-26").splitlines()
    assert lines[0].split() == ["#", "Kind", "Order", "Milestone", "Due", "Late", "/", "left", "Reason"]
    assert lines[2].startswith("1  ")
    body = "\n".join(lines[2:])
    assert tight_order.number in body
    assert "PP sample approved: overdue, planned 2026-11-24" in body
    assert "2 days late" in body
    # aligned: every row's order number starts in the same column as the header's "Order"
    column = lines[0].index("Order")
    assert all(line[column:].startswith(tight_order.number) for line in lines[2:])


def test_chase_defaults_to_today_and_takes_the_horizon(merchandiser: User, tight_order: Order) -> None:
    today = run("chase", "--user", "mer1")
    assert "due today" in today
    assert today == run("chase", "--user", "mer1", "--date", clock.today().isoformat())
    assert "Materials" not in today  # the buyer's milestones are not mer1's
    wider = json.loads(run("chase", "--user", "mer1", "--days", "30", "--json"))
    assert len(wider) > len(json.loads(run("chase", "--user", "mer1", "--json")))


def test_chase_json_is_the_rows_with_iso_dates_and_decimal_strings(merchandiser: User, tight_order: Order) -> None:
    rows = json.loads(run("chase", "--user", "mer1", "--json"))
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    first = rows[0]
    assert first["kind"] == "order"
    assert first["order_number"] == tight_order.number
    assert first["due_date"] == "2026-12-18"
    assert first["amount"] == str(tight_order.total_amount)
    assert first["url"] == f"/orders/{tight_order.pk}/"
    milestone = next(r for r in rows if r["kind"] == "milestone")
    assert Milestone.objects.filter(pk=milestone["milestone_id"], order=tight_order).exists()


def test_chase_json_is_an_empty_list_and_the_table_says_so_when_nothing_is_due(merchandiser: User) -> None:
    assert json.loads(run("chase", "--user", "mer1", "--json")) == []
    assert run("chase", "--user", "mer1").strip() == "Nothing to chase on 2026-11-24."


def test_chase_shows_milestone_names_in_the_users_language(merchandiser: User, tight_order: Order) -> None:
    merchandiser.language = "zh-hans"
    merchandiser.save(update_fields=["language"])
    assert "产前样确认" in run("chase", "--user", "mer1")


def test_chase_refuses_an_unknown_user(db: None) -> None:
    with pytest.raises(CommandError, match="no user 'nobody'"):
        run("chase", "--user", "nobody")


@pytest.mark.parametrize("bad", ["2026-13-01", "24/11/2026", "tomorrow"])
def test_chase_refuses_a_bad_date(merchandiser: User, bad: str) -> None:
    with pytest.raises(CommandError, match="--date"):
        run("chase", "--user", "mer1", "--date", bad)


def test_table_aligns_chinese_text_by_its_display_width() -> None:
    lines = table(["a", "b", "c"], [["产前样", "x", "1"], ["ab", "y", "2"]])
    assert lines[2] == "产前样  x  1"
    assert lines[3] == "ab      y  2"


def test_reforecast_prints_the_counts_and_the_time(tight_order: Order) -> None:
    out = run("reforecast", "--quiet")
    assert re.fullmatch(r"1 orders re-forecast, \d+ milestones changed, \d+ risks changed in \d+\.\d\d s\n", out), out


def test_reforecast_moves_forecasts_when_days_have_passed(tight_order: Order) -> None:
    with clock.frozen(dt.date(2026, 12, 3)):
        out = run("reforecast", "--batch", "1")
    changed = int(re.search(r"(\d+) milestones changed", out)[1])
    assert changed > 0


def test_reforecast_refuses_a_batch_of_nothing(db: None) -> None:
    with pytest.raises(CommandError, match="--batch"):
        run("reforecast", "--batch", "0")


def test_reforecast_of_no_orders(make_user: Callable[..., User]) -> None:
    make_user(Role.MANAGER)
    assert run("reforecast").startswith("0 orders re-forecast, 0 milestones changed, 0 risks changed")


def test_reforecast_makes_the_plans_orders_confirmed_before_plans_lack(tight_order: Order) -> None:
    from gendan.followup.models import Milestone

    Milestone.objects.filter(order=tight_order).delete()
    out = run("reforecast", "--quiet", "--missing-plans")
    assert out.startswith("1 plans made for orders that had none\n")
    assert Milestone.objects.filter(order=tight_order).count() == 12
    assert run("reforecast", "--quiet", "--missing-plans").startswith("0 plans made")
