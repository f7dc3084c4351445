"""The cost build-up as pure functions, property-tested: the price rises with the margin, falls (or stays) with the
quantity, is rounded per currency (JPY without decimals), and the figures add up as shown."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gendan.quotations import costing

money = st.decimals(min_value=Decimal("0"), max_value=Decimal("500"), places=4)
pct = st.decimals(min_value=Decimal("0"), max_value=Decimal("95"), places=2)
qty = st.decimals(min_value=Decimal("1"), max_value=Decimal("1000000"), places=0)
rate = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("20"), places=4)
currency = st.sampled_from(["USD", "EUR", "JPY", "CNY", "KRW", "GBP"])


def inputs(**kw: Decimal) -> costing.CostInputs:
    base = {
        "material": Decimal("16.3"),
        "run": Decimal("5.3"),
        "setup": Decimal("78"),
        "packaging": Decimal("0.5"),
        "overhead_pct": Decimal("10"),
        "freight": Decimal("0.3"),
        "margin_pct": Decimal("20"),
    }
    base.update(kw)
    return costing.CostInputs(**base)


def test_the_worked_example() -> None:
    up = costing.build_up(inputs(), Decimal(1000), fx_rate=Decimal(7), currency="USD")
    assert (up.setup_share, up.processing, up.base) == (Decimal("0.0780"), Decimal("5.3780"), Decimal("22.1780"))
    assert (up.overheads, up.cost, up.price_cny) == (Decimal("2.2178"), Decimal("24.6958"), Decimal("30.8698"))
    assert (up.unit_price, up.margin) == (Decimal("4.41"), Decimal("6.1740"))


def test_the_margin_is_a_share_of_the_price() -> None:
    assert costing.price_from_cost(Decimal(80), Decimal(20), Decimal(1), "CNY") == Decimal("100.00")
    assert costing.effective_margin_pct(Decimal("100"), Decimal(80), Decimal(1)) == Decimal("20.00")


def test_jpy_and_krw_have_no_decimals() -> None:
    up = costing.build_up(inputs(), Decimal(1000), fx_rate=Decimal("0.0478"), currency="JPY")
    assert up.unit_price == Decimal("646")
    assert up.unit_price.as_tuple().exponent == 0
    assert costing.price_from_cost(Decimal("10"), Decimal(0), Decimal("0.0052"), "KRW") == Decimal("1923")


def test_out_of_range_margins_and_rates_are_refused() -> None:
    with pytest.raises(ValueError, match="margin"):
        costing.price_from_cost(Decimal(1), Decimal(96), Decimal(1), "USD")
    with pytest.raises(ValueError, match="rate"):
        costing.price_from_cost(Decimal(1), Decimal(10), Decimal(0), "USD")


def test_tier_prices() -> None:
    tiers = [(Decimal(1000), Decimal("4.41")), (Decimal(5000), Decimal("4.40")), (Decimal(500), Decimal("4.50"))]
    assert costing.tier_price(tiers, Decimal(499)) is None
    assert costing.tier_price(tiers, Decimal(500)) == Decimal("4.50")
    assert costing.tier_price(tiers, Decimal(4999)) == Decimal("4.41")
    assert costing.tier_price(tiers, Decimal(20000)) == Decimal("4.40")


def test_routing_and_materials() -> None:
    assert costing.routing_cost(
        [(Decimal("0.5"), Decimal(30), Decimal(60)), (Decimal(6), Decimal(60), Decimal(48))]
    ) == (
        Decimal("5.3000"),
        Decimal("78.00"),
    )
    assert costing.materials_cost(
        [(Decimal("1.5"), Decimal(2), Decimal(10)), (Decimal(4), Decimal(0), Decimal("0.25"))]
    ) == Decimal("16.3000")


@settings(max_examples=200, deadline=None)
@given(money, money, money, money, pct, money, pct, pct, qty, rate, currency)
def test_the_price_never_falls_when_the_margin_rises(
    material, run, setup, packaging, overhead, freight, m1, m2, quantity, fx, cur
) -> None:
    low, high = sorted((m1, m2))
    a = costing.build_up(
        inputs(
            material=material,
            run=run,
            setup=setup,
            packaging=packaging,
            overhead_pct=min(overhead, 100),
            freight=freight,
            margin_pct=low,
        ),
        quantity,
        fx_rate=fx,
        currency=cur,
    )
    b = costing.build_up(
        inputs(
            material=material,
            run=run,
            setup=setup,
            packaging=packaging,
            overhead_pct=min(overhead, 100),
            freight=freight,
            margin_pct=high,
        ),
        quantity,
        fx_rate=fx,
        currency=cur,
    )
    assert b.unit_price >= a.unit_price
    assert b.margin >= a.margin


@settings(max_examples=200, deadline=None)
@given(money, money, money, pct, qty, qty, rate, currency)
def test_a_larger_quantity_never_has_a_higher_setup_share_or_price(
    material, run, setup, margin, q1, q2, fx, cur
) -> None:
    small, large = sorted((q1, q2))
    kw = {"material": material, "run": run, "setup": setup * 100, "margin_pct": margin}
    a = costing.build_up(inputs(**kw), small, fx_rate=fx, currency=cur)
    b = costing.build_up(inputs(**kw), large, fx_rate=fx, currency=cur)
    assert b.setup_share <= a.setup_share
    assert b.unit_price <= a.unit_price


@settings(max_examples=200, deadline=None)
@given(money, money, money, money, pct, money, pct, qty, rate, currency)
def test_prices_are_rounded_for_the_currency_and_the_figures_add_up(
    material, run, setup, packaging, overhead, freight, margin, quantity, fx, cur
) -> None:
    up = costing.build_up(
        inputs(
            material=material,
            run=run,
            setup=setup,
            packaging=packaging,
            overhead_pct=overhead,
            freight=freight,
            margin_pct=margin,
        ),
        quantity,
        fx_rate=fx,
        currency=cur,
    )
    places = 0 if cur in ("JPY", "KRW") else 2
    assert up.unit_price == up.unit_price.quantize(Decimal(1).scaleb(-places))
    assert -up.unit_price.as_tuple().exponent == places
    assert up.base == up.material + up.processing + up.packaging
    assert up.cost == up.base + up.overheads + up.freight
    assert up.price_cny >= up.cost
    # the price in the currency is the CNY price at the rate, to within half a unit of the last place
    assert abs(up.unit_price * fx - up.cost / (1 - margin / 100)) <= Decimal(1).scaleb(-places) * fx / 2 + Decimal(
        "0.0001"
    )
