"""Payment terms as arithmetic: due dates per rule, and splits that add up exactly, rounded per currency."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gendan.core.money import places
from gendan.finance import terms
from gendan.finance.choices import DueBasis, DueRule

D = Decimal
INVOICE = dt.date(2026, 11, 20)
FACTS = terms.Facts(
    invoice_date=INVOICE,
    confirmed_date=dt.date(2026, 10, 1),
    planned_ex_factory_date=dt.date(2026, 11, 18),
    departed_date=dt.date(2026, 11, 20),
    bl_date=dt.date(2026, 11, 21),
)


@pytest.mark.parametrize(
    ("rule", "days", "facts", "expected", "basis"),
    [
        (DueRule.DEPOSIT, 7, FACTS, dt.date(2026, 10, 8), DueBasis.CONFIRMATION),
        (DueRule.BEFORE_SHIPMENT, 0, FACTS, dt.date(2026, 11, 18), DueBasis.EX_FACTORY),
        (DueRule.BEFORE_SHIPMENT, 5, FACTS, dt.date(2026, 11, 13), DueBasis.EX_FACTORY),
        (DueRule.COPY_BL, 0, FACTS, dt.date(2026, 11, 21), DueBasis.BL),
        (DueRule.LC_SIGHT, 15, FACTS, dt.date(2026, 12, 6), DueBasis.BL),
        (DueRule.LC_USANCE, 90, FACTS, dt.date(2027, 2, 19), DueBasis.BL),
        (DueRule.OA_BL, 30, FACTS, dt.date(2026, 12, 21), DueBasis.BL),
        (DueRule.OA_INVOICE, 30, FACTS, dt.date(2026, 12, 20), DueBasis.INVOICE),
    ],
)
def test_each_rule_counts_from_its_fact(rule, days, facts, expected, basis) -> None:  # noqa: ANN001
    assert terms.due_date(terms.Part(D(100), rule, days), facts) == (expected, basis)


def test_bl_rules_count_from_departure_until_the_bl_date_is_known_then_from_the_plan() -> None:
    no_bl = terms.Facts(invoice_date=INVOICE, departed_date=dt.date(2026, 11, 20), planned_ex_factory_date=INVOICE)
    assert terms.due_date(terms.Part(D(100), DueRule.OA_BL, 30), no_bl) == (dt.date(2026, 12, 20), DueBasis.DEPARTURE)
    not_departed = terms.Facts(invoice_date=dt.date(2026, 11, 1), planned_ex_factory_date=dt.date(2026, 11, 10))
    assert terms.due_date(terms.Part(D(100), DueRule.COPY_BL, 0), not_departed) == (
        dt.date(2026, 11, 10),
        DueBasis.PLANNED,
    )


def test_a_bl_rule_is_never_due_before_the_invoice_date() -> None:
    late_invoice = terms.Facts(invoice_date=dt.date(2026, 12, 1), bl_date=dt.date(2026, 11, 21))
    assert terms.due_date(terms.Part(D(100), DueRule.COPY_BL, 0), late_invoice)[0] == dt.date(2026, 12, 1)


def test_a_deposit_before_confirmation_counts_from_the_invoice_date() -> None:
    facts = terms.Facts(invoice_date=INVOICE)
    assert terms.due_date(terms.Part(D(30), DueRule.DEPOSIT, 7), facts) == (dt.date(2026, 11, 27), DueBasis.INVOICE)


def test_check_parts_wants_shares_adding_up_to_100() -> None:
    assert terms.check_parts([terms.Part(D(30), "deposit", 7), terms.Part(D(70), "copy_bl", 0)]) == {}
    assert "parts" in terms.check_parts([terms.Part(D(30), "deposit", 7), terms.Part(D(60), "copy_bl", 0)])
    assert "parts" in terms.check_parts([])
    assert "parts.0.share_pct" in terms.check_parts([terms.Part(D(0), "deposit", 0), terms.Part(D(100), "oa_bl")])
    assert "parts.0.share_pct" in terms.check_parts([terms.Part(D("33.333"), "oa_bl")])
    assert "parts.0.rule" in terms.check_parts([terms.Part(D(100), "cash_on_delivery")])
    assert "parts.0.days" in terms.check_parts([terms.Part(D(100), "oa_bl", 721)])


def test_split_gives_the_missing_cent_to_the_largest_remainder() -> None:
    assert terms.split(D("100.00"), [D(1), D(1), D(1)], "USD") == [D("33.34"), D("33.33"), D("33.33")]
    assert terms.split(D("1000"), [D(30), D(70)], "JPY") == [D(300), D(700)]
    assert terms.split(D("1001"), [D(30), D(70)], "JPY") == [D(300), D(701)]
    assert terms.split(D("-10.00"), [D(1), D(2)], "USD") == [D("-3.33"), D("-6.67")]


shares = st.lists(st.integers(min_value=1, max_value=10000), min_size=1, max_size=6).map(
    lambda xs: [D(x) / 100 for x in xs]
)


@given(
    total=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    weights=shares,
    currency=st.sampled_from(["USD", "EUR", "JPY", "CNY", "KRW"]),
)
def test_split_parts_add_up_exactly_and_round_per_currency(total, weights, currency) -> None:  # noqa: ANN001
    parts = terms.split(total, weights, currency)
    rounded_total = total.quantize(D(1).scaleb(-places(currency)), rounding="ROUND_HALF_UP")
    assert sum(parts, D(0)) == rounded_total
    unit = D(1).scaleb(-places(currency))
    for part, weight in zip(parts, weights, strict=True):
        assert part == part.quantize(unit)
        assert part >= 0
        exact = rounded_total * weight / sum(weights)
        assert abs(part - exact) < unit


@given(st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=5))
def test_shares_made_to_add_up_to_100_pass_the_check(raw) -> None:  # noqa: ANN001
    parts = [terms.Part(D(x), "oa_bl", 0) for x in raw]
    total = sum(raw)
    assert ("parts" in terms.check_parts(parts)) == (total != 100)
    if total < 100:
        completed = [*parts, terms.Part(D(100 - total), "copy_bl", 0)]
        assert terms.check_parts(completed) == {}
