"""Packing rules (pure functions) and their properties."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from gendan.shipping.packing import CartonSpec, Container, LineIn, carton_count, pack, suggest

SPEC = CartonSpec(24, Decimal("60"), Decimal("40"), Decimal("30"), Decimal("10"), Decimal("11"))
CONTAINERS = [
    Container("20GP", Decimal(28), Decimal(21700), Decimal(100)),
    Container("40GP", Decimal(58), Decimal(26500), Decimal(160)),
    Container("40HQ", Decimal(68), Decimal(26300), Decimal(170)),
]


def test_a_line_fills_full_cartons_and_one_part_carton_weighing_its_share_plus_the_tare() -> None:
    packed = pack([LineIn("a", Decimal(100), SPEC)]).lines[0]
    assert (packed.full_cartons, packed.part_units, packed.cartons) == (4, Decimal(4), 5)
    assert packed.net_kg == Decimal("41.667")  # 4 × 10 + 4/24 × 10
    assert packed.gross_kg == Decimal("46.667")  # 4 × 11 + 1.667 + 1 tare
    assert packed.cbm == Decimal("0.3600")  # 5 × 0.072


def test_carton_numbers_run_across_the_lines() -> None:
    packing = pack(
        [
            LineIn("a", Decimal(48), SPEC),
            LineIn("b", Decimal(25), SPEC),
            LineIn("c", Decimal(24), SPEC),
        ]
    )
    assert [(p.carton_from, p.carton_to) for p in packing.lines] == [(1, 2), (3, 4), (5, 5)]
    assert packing.total_cartons == 5


def test_the_clerks_figures_replace_the_computed_ones_and_the_totals_follow() -> None:
    packing = pack(
        [
            LineIn("a", Decimal(48), SPEC, cartons=3, gross_kg=Decimal("25.5")),
            LineIn("b", Decimal(24), SPEC),
        ]
    )
    first, second = packing.lines
    assert (first.cartons, first.gross_kg, first.overridden) == (3, Decimal("25.5"), ("cartons", "gross_kg"))
    assert (second.carton_from, second.carton_to) == (4, 4)
    assert packing.total_gross_kg == Decimal("36.500")


def test_a_small_load_goes_lcl_a_big_one_in_the_smallest_container_that_holds_it() -> None:
    assert suggest(Decimal(10), Decimal(2000), CONTAINERS, lcl_below_cbm=Decimal(15)).text == "LCL"
    assert suggest(Decimal(20), Decimal(2000), CONTAINERS, lcl_below_cbm=Decimal(15)).text == "1 × 20GP"
    assert suggest(Decimal(50), Decimal(9000), CONTAINERS).text == "1 × 40GP"
    assert suggest(Decimal(64), Decimal(9000), CONTAINERS).text == "1 × 40HQ"


def test_a_load_bigger_than_one_container_gets_the_cheapest_combination() -> None:
    assert suggest(Decimal(130), Decimal(20000), CONTAINERS).text == "2 × 40HQ"
    assert suggest(Decimal(90), Decimal(10000), CONTAINERS).text == "1 × 40HQ + 1 × 20GP"
    heavy = suggest(Decimal(20), Decimal(40000), CONTAINERS)  # weight, not volume, decides
    assert heavy.kg_capacity >= 40000


@given(
    quantity=st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10**6), places=3),
    per=st.integers(min_value=1, max_value=500),
)
def test_cartons_hold_the_quantity_and_not_one_carton_more(quantity: Decimal, per: int) -> None:
    full, part = carton_count(quantity, per)
    cartons = full + (1 if part else 0)
    assert cartons * per >= quantity
    assert (cartons - 1) * per < quantity


line_strategy = st.builds(
    lambda q, per, net, tare, dims: LineIn(None, q, CartonSpec(per, dims[0], dims[1], dims[2], net, net + tare)),
    st.decimals(min_value=1, max_value=50_000, places=0),
    st.integers(min_value=1, max_value=200),
    st.decimals(min_value=0, max_value=40, places=3),
    st.decimals(min_value=0, max_value=3, places=3),
    st.tuples(*[st.decimals(min_value=10, max_value=120, places=1)] * 3),
)


@given(st.lists(line_strategy, min_size=1, max_size=12))
def test_the_totals_are_the_sums_of_the_lines_and_the_suggestion_holds_the_load(lines: list[LineIn]) -> None:
    packing = pack(lines, containers=CONTAINERS, lcl_below_cbm=Decimal(15))
    assert packing.total_cartons == sum(p.cartons for p in packing.lines)
    assert packing.total_net_kg == sum(p.net_kg for p in packing.lines)
    assert packing.total_gross_kg == sum(p.gross_kg for p in packing.lines)
    assert packing.total_cbm == sum(p.cbm for p in packing.lines)
    assert packing.lines[-1].carton_to == packing.total_cartons
    s = packing.suggestion
    if s.lcl:
        assert packing.total_cbm < 15
    else:
        assert s.cbm_capacity >= packing.total_cbm
        assert s.kg_capacity >= packing.total_gross_kg
