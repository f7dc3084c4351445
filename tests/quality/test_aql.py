"""ISO 2859-1 single sampling, normal inspection: Table 1, Table 2-A with its arrows, the 100 % and AQL 0 rules.

The expected tables below are written independently of the module's data: Table 1 as one column of letters
per level, Table 2-A as the plan actually used after the arrows. Both were cross-checked cell by cell against
independent public transcriptions of ISO 2859-1:1999, GB/T 2828.1-2012 and MIL-STD-105E.
"""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gendan.quality.aql import (
    AQLS,
    DOWN,
    LEVELS,
    SAMPLE_SIZES,
    TABLE_2A,
    UP,
    AqlError,
    SamplingPlan,
    code_letter,
    is_fail,
    letter_plan,
    parse_aql,
    parse_level,
    plan,
    plan_for_classes,
)

EXPECTED_AQLS = (
    "0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40", "0.65", "1.0", "1.5", "2.5", "4.0",
    "6.5", "10", "15", "25", "40", "65", "100", "150", "250", "400", "650", "1000",
)  # fmt: skip
EXPECTED_SAMPLE_SIZES = {
    "A": 2, "B": 3, "C": 5, "D": 8, "E": 13, "F": 20, "G": 32, "H": 50,
    "J": 80, "K": 125, "L": 200, "M": 315, "N": 500, "P": 800, "Q": 1250, "R": 2000,
}  # fmt: skip

# Table 1: the lot size ranges, and per level the code letter of each range in that order.
LOT_RANGES: tuple[tuple[int, int | None], ...] = (
    (2, 8), (9, 15), (16, 25), (26, 50), (51, 90), (91, 150), (151, 280), (281, 500), (501, 1_200),
    (1_201, 3_200), (3_201, 10_000), (10_001, 35_000), (35_001, 150_000), (150_001, 500_000), (500_001, None),
)  # fmt: skip
TABLE_1_COLUMNS = {
    "S-1": "AAAABBBBCCCCDDD",
    "S-2": "AAABBBCCCDDDEEE",
    "S-3": "AABBCCDDEEFFGGH",
    "S-4": "AABCCDEEFGGHJJK",
    "I": "AABCCDEFGHJKLMN",
    "II": "ABCDEFGHJKLMNPQ",
    "III": "BCDEFGHJKLMNPQR",
}
HUGE_LOT = 10**9

# Table 2-A after the arrows: each cell is the letter of the plan used and its Ac (Re is Ac + 1 in every cell).
# fmt: off
RESOLVED_TO_10 = {
    #       0.010 0.015 0.025 0.040 0.065  0.10  0.15  0.25  0.40  0.65   1.0   1.5   2.5   4.0   6.5    10
    "A": "   Q0    P0    N0    M0    L0    K0    J0    H0    G0    F0    E0    D0    C0    B0    A0    C1",
    "B": "   Q0    P0    N0    M0    L0    K0    J0    H0    G0    F0    E0    D0    C0    B0    A0    C1",
    "C": "   Q0    P0    N0    M0    L0    K0    J0    H0    G0    F0    E0    D0    C0    B0    D1    C1",
    "D": "   Q0    P0    N0    M0    L0    K0    J0    H0    G0    F0    E0    D0    C0    E1    D1    D2",
    "E": "   Q0    P0    N0    M0    L0    K0    J0    H0    G0    F0    E0    D0    F1    E1    E2    E3",
    "F": "   Q0    P0    N0    M0    L0    K0    J0    H0    G0    F0    E0    G1    F1    F2    F3    F5",
    "G": "   Q0    P0    N0    M0    L0    K0    J0    H0    G0    F0    H1    G1    G2    G3    G5    G7",
    "H": "   Q0    P0    N0    M0    L0    K0    J0    H0    G0    J1    H1    H2    H3    H5    H7   H10",
    "J": "   Q0    P0    N0    M0    L0    K0    J0    H0    K1    J1    J2    J3    J5    J7   J10   J14",
    "K": "   Q0    P0    N0    M0    L0    K0    J0    L1    K1    K2    K3    K5    K7   K10   K14   K21",
    "L": "   Q0    P0    N0    M0    L0    K0    M1    L1    L2    L3    L5    L7   L10   L14   L21   K21",
    "M": "   Q0    P0    N0    M0    L0    N1    M1    M2    M3    M5    M7   M10   M14   M21   L21   K21",
    "N": "   Q0    P0    N0    M0    P1    N1    N2    N3    N5    N7   N10   N14   N21   M21   L21   K21",
    "P": "   Q0    P0    N0    Q1    P1    P2    P3    P5    P7   P10   P14   P21   N21   M21   L21   K21",
    "Q": "   Q0    P0    R1    Q1    Q2    Q3    Q5    Q7   Q10   Q14   Q21   P21   N21   M21   L21   K21",
    "R": "   Q0    P0    R1    R2    R3    R5    R7   R10   R14   R21   Q21   P21   N21   M21   L21   K21",
}
RESOLVED_ABOVE_10 = {
    #          15    25    40    65   100   150   250   400   650  1000
    "A": "   B1    A1    A2    A3    A5    A7   A10   A14   A21   A30",
    "B": "   B1    B2    B3    B5    B7   B10   B14   B21   B30   B44",
    "C": "   C2    C3    C5    C7   C10   C14   C21   C30   C44   B44",
    "D": "   D3    D5    D7   D10   D14   D21   D30   D44   C44   B44",
    "E": "   E5    E7   E10   E14   E21   E30   E44   D44   C44   B44",
    "F": "   F7   F10   F14   F21   E21   E30   E44   D44   C44   B44",
    "G": "  G10   G14   G21   F21   E21   E30   E44   D44   C44   B44",
    "H": "  H14   H21   G21   F21   E21   E30   E44   D44   C44   B44",
    "J": "  J21   H21   G21   F21   E21   E30   E44   D44   C44   B44",
    "K": "  J21   H21   G21   F21   E21   E30   E44   D44   C44   B44",
    "L": "  J21   H21   G21   F21   E21   E30   E44   D44   C44   B44",
    "M": "  J21   H21   G21   F21   E21   E30   E44   D44   C44   B44",
    "N": "  J21   H21   G21   F21   E21   E30   E44   D44   C44   B44",
    "P": "  J21   H21   G21   F21   E21   E30   E44   D44   C44   B44",
    "Q": "  J21   H21   G21   F21   E21   E30   E44   D44   C44   B44",
    "R": "  J21   H21   G21   F21   E21   E30   E44   D44   C44   B44",
}
# fmt: on
RESOLVED_CELLS = [
    (letter, aql, token[0], int(token[1:]))
    for letter in EXPECTED_SAMPLE_SIZES
    for aql, token in zip(EXPECTED_AQLS, f"{RESOLVED_TO_10[letter]} {RESOLVED_ABOVE_10[letter]}".split(), strict=True)
]


def _largest_lot_with_letter(letter: str) -> tuple[str, int]:
    """The (level, lot) giving `letter` with the biggest lot, so the 100 % rule bites as rarely as possible."""
    candidates = [
        (HUGE_LOT if high is None else high, level)
        for level, letters in TABLE_1_COLUMNS.items()
        for (_low, high), found in zip(LOT_RANGES, letters, strict=True)
        if found == letter
    ]
    lot, level = max(candidates)
    return level, lot


# ---- data ------------------------------------------------------------------------------------------------------


def test_public_constants_match_the_standard() -> None:
    assert LEVELS == ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")
    assert tuple(str(aql) for aql in AQLS) == EXPECTED_AQLS
    assert SAMPLE_SIZES == EXPECTED_SAMPLE_SIZES


def test_table_2a_cells_are_arrows_or_plans_from_the_standard_series() -> None:
    series = {0, 1, 2, 3, 5, 7, 10, 14, 21, 30, 44}
    assert set(TABLE_2A) == set(EXPECTED_SAMPLE_SIZES)
    for letter, cells in TABLE_2A.items():
        assert len(cells) == len(AQLS), letter
        for cell in cells:
            assert cell in (DOWN, UP) or (cell[0] in series and cell[1] == cell[0] + 1), (letter, cell)


# ---- Table 1 ---------------------------------------------------------------------------------------------------

BOUNDARY_CASES = [
    (lot, level, letters[index])
    for level, letters in TABLE_1_COLUMNS.items()
    for index, (low, high) in enumerate(LOT_RANGES)
    for lot in (low, HUGE_LOT if high is None else high)
]


@pytest.mark.parametrize(("lot_size", "level", "letter"), BOUNDARY_CASES)
def test_code_letter_at_every_range_boundary(lot_size: int, level: str, letter: str) -> None:
    assert code_letter(lot_size, level) == letter


@pytest.mark.parametrize("level", LEVELS)
def test_a_lot_of_one_uses_the_first_row(level: str) -> None:
    assert code_letter(1, level) == TABLE_1_COLUMNS[level][0]


def test_code_letter_accepts_any_spelling_of_the_level() -> None:
    assert code_letter(3_200, "ii") == "K"
    assert code_letter(3_200, "s3") == "E"


# ---- Table 2-A, cell by cell -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("letter", "aql", "plan_letter", "accept"), RESOLVED_CELLS)
def test_table_2a_after_the_arrows(letter: str, aql: str, plan_letter: str, accept: int) -> None:
    expected_size = EXPECTED_SAMPLE_SIZES[plan_letter]
    assert letter_plan(letter, aql) == SamplingPlan(letter, plan_letter, expected_size, accept, accept + 1, False)

    level, lot = _largest_lot_with_letter(letter)
    got = plan(lot, level, aql)
    assert (got.code_letter, got.plan_letter, got.accept, got.reject) == (letter, plan_letter, accept, accept + 1)
    assert got.sample_size == min(expected_size, lot)
    assert got.full_inspection == (expected_size >= lot)


# ---- well-known values -----------------------------------------------------------------------------------------


def test_lot_3200_level_ii_is_k_125() -> None:
    assert code_letter(3_200, "II") == "K"
    assert plan(3_200, "II", "2.5") == SamplingPlan("K", "K", 125, 7, 8, False)
    assert plan(3_200, "II", "4.0") == SamplingPlan("K", "K", 125, 10, 11, False)
    assert plan(3_200, "II", "1.0") == SamplingPlan("K", "K", 125, 3, 4, False)
    assert TABLE_2A["K"][AQLS.index(Decimal("0.065"))] == DOWN
    assert plan(3_200, "II", "0.065") == SamplingPlan("K", "L", 200, 0, 1, False)


def test_lot_500_level_ii_is_h_50() -> None:
    assert plan(500, "II", "2.5") == SamplingPlan("H", "H", 50, 3, 4, False)
    assert plan(500, "II", "4.0") == SamplingPlan("H", "H", 50, 5, 6, False)


def test_lot_10000_level_ii_is_l_200() -> None:
    assert plan(10_000, "II", "2.5") == SamplingPlan("L", "L", 200, 10, 11, False)
    assert plan(10_000, "II", "1.0") == SamplingPlan("L", "L", 200, 5, 6, False)
    assert plan(10_000, "II", "0.065") == SamplingPlan("L", "L", 200, 0, 1, False)


def test_lot_150_level_ii_is_f_20() -> None:
    assert plan(150, "II", "2.5") == SamplingPlan("F", "F", 20, 1, 2, False)
    assert TABLE_2A["F"][AQLS.index(Decimal("1.0"))] == UP
    assert plan(150, "II", "1.0") == SamplingPlan("F", "E", 13, 0, 1, False)


# ---- the arrow rule --------------------------------------------------------------------------------------------


def test_down_arrow_uses_the_first_plan_below() -> None:
    # H at AQL 0.65 is ↓; J below it holds 1/2, so J's sample of 80 is drawn instead of H's 50.
    assert TABLE_2A["H"][AQLS.index(Decimal("0.65"))] == DOWN
    assert plan(500, "II", "0.65") == SamplingPlan("H", "J", 80, 1, 2, False)


def test_up_arrow_uses_the_first_plan_above() -> None:
    # F at AQL 1.0 is ↑; E above it holds 0/1, so E's sample of 13 is drawn instead of F's 20.
    p = plan(100, "II", 1.0)
    assert (p.code_letter, p.plan_letter, p.sample_size, p.accept, p.reject) == ("F", "E", 13, 0, 1)


def test_arrows_skip_other_arrows_in_the_same_direction() -> None:
    # A and B at AQL 10 are both ↓ (A has no row above it): the first plan below is C's 1/2.
    assert letter_plan("A", "10") == SamplingPlan("A", "C", 5, 1, 2, False)
    # R and Q at AQL 0.015 are both ↑ (R has no row below it): the first plan above is P's 0/1.
    assert letter_plan("R", "0.015") == SamplingPlan("R", "P", 800, 0, 1, False)
    # The longest arrows of the table.
    assert letter_plan("A", "0.010") == SamplingPlan("A", "Q", 1250, 0, 1, False)
    assert letter_plan("R", "1000") == SamplingPlan("R", "B", 3, 44, 45, False)


# ---- the 100 % rule --------------------------------------------------------------------------------------------


def test_full_inspection_when_the_plan_sample_exceeds_the_lot() -> None:
    # Lot 6 is letter A; A at AQL 0.65 points down to F, whose sample of 20 is more than the lot.
    assert plan(6, "II", "0.65") == SamplingPlan("A", "F", 6, 0, 1, True)


def test_full_inspection_when_the_plan_sample_equals_the_lot() -> None:
    # Lots 9-15 are letter B; B at AQL 1.0 points down to E (13 pieces).
    assert plan(13, "II", "1.0") == SamplingPlan("B", "E", 13, 0, 1, True)
    assert plan(14, "II", "1.0") == SamplingPlan("B", "E", 13, 0, 1, False)


def test_per_hundred_units_columns_may_accept_more_than_the_sample() -> None:
    assert plan(1_000_000, "III", 1000) == SamplingPlan("R", "B", 3, 44, 45, False)


# ---- AQL 0: the house rule for critical defects -----------------------------------------------------------------


@pytest.mark.parametrize("zero", [0, "0", "0.0", 0.0, Decimal("0.000"), " 0 "])
def test_parse_aql_accepts_zero(zero: object) -> None:
    assert parse_aql(zero) == 0


def test_aql_zero_uses_the_code_letter_sample_with_zero_tolerance() -> None:
    assert plan(3_200, "II", 0) == SamplingPlan("K", "K", 125, 0, 1, False)
    # No arrow is followed even where the letter's own cells are arrows for every small AQL.
    assert plan(3_200, "S-1", "0") == SamplingPlan("C", "C", 5, 0, 1, False)


def test_aql_zero_is_capped_at_the_lot_size() -> None:
    assert plan(2, "III", Decimal(0)) == SamplingPlan("B", "B", 2, 0, 1, True)


# ---- parsing and bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2.5", "2.5"), (2.5, "2.5"), (Decimal("2.50"), "2.5"), ("0.1", "0.10"), (0.065, "0.065"), (10, "10"),
     ("1000", "1000"), (" 4 ", "4.0"), (1, "1.0"), ("0.01", "0.010")],
)  # fmt: skip
def test_parse_aql_returns_the_table_value(value: object, expected: str) -> None:
    parsed = parse_aql(value)
    assert str(parsed) == expected
    assert parsed in AQLS


@pytest.mark.parametrize(
    ("value", "expected"),
    [("II", "II"), ("ii", "II"), (" iii ", "III"), ("I", "I"), ("S-3", "S-3"), ("s3", "S-3"), ("S3", "S-3"),
     ("s-1", "S-1"), ("S 4", "S-4")],
)  # fmt: skip
def test_parse_level(value: str, expected: str) -> None:
    assert parse_level(value) == expected


@pytest.mark.parametrize("value", [12, "12", " 12 ", 12.0, Decimal(12), Decimal("12.0")])
def test_lot_size_may_be_any_whole_number(value: object) -> None:
    assert code_letter(value, "II") == "B"


@pytest.mark.parametrize("lot_size", [0, -5, 2.5, "abc", "", "12.5", "-3", True, None, float("inf"), float("nan")])
def test_bad_lot_size(lot_size: object) -> None:
    with pytest.raises(AqlError) as error:
        plan(lot_size, "II", "2.5")
    assert error.value.field == "lot_size"
    assert "lot size" in str(error.value)


@pytest.mark.parametrize("level", ["IV", "", "S-5", "S0", "2", "G2", None, 2])
def test_bad_level(level: object) -> None:
    with pytest.raises(AqlError) as error:
        plan(500, level, "2.5")
    assert error.value.field == "level"
    assert "inspection level" in str(error.value)


@pytest.mark.parametrize("aql", [3.0, "abc", -1, "-2.5", "", "NaN", "inf", None, True, "0.5", 2000])
def test_bad_aql(aql: object) -> None:
    with pytest.raises(AqlError) as error:
        plan(500, "II", aql)
    assert error.value.field == "aql"
    assert "AQL" in str(error.value)


def test_aql_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="lot size"):
        code_letter(0, "II")


def test_letter_plan_rejects_unknown_letters() -> None:
    with pytest.raises(ValueError, match="code letter"):
        letter_plan("I", "2.5")


# ---- verdict and defect classes --------------------------------------------------------------------------------


def test_is_fail_compares_with_the_rejection_number() -> None:
    p = plan(3_200, "II", "2.5")  # Ac 7, Re 8
    assert not is_fail(0, p)
    assert not is_fail(7, p)
    assert is_fail(8, p)
    assert is_fail(30, p)


def test_plan_for_classes() -> None:
    plans = plan_for_classes(3_200, "II", {"critical": Decimal(0), "major": Decimal("2.5"), "minor": Decimal("4.0")})
    assert plans == {
        "critical": SamplingPlan("K", "K", 125, 0, 1, False),
        "major": SamplingPlan("K", "K", 125, 7, 8, False),
        "minor": SamplingPlan("K", "K", 125, 10, 11, False),
    }


def test_plan_for_classes_reports_the_bad_aql() -> None:
    with pytest.raises(AqlError) as error:
        plan_for_classes(3_200, "II", {"major": Decimal("2.5"), "minor": Decimal("3")})
    assert error.value.field == "aql"


# ---- properties ------------------------------------------------------------------------------------------------

lot_sizes = st.integers(min_value=1, max_value=1_000_000)
levels = st.sampled_from(LEVELS)
aqls = st.sampled_from((Decimal(0), *AQLS))


@given(lot_sizes, levels, aqls)
def test_plan_invariants(lot_size: int, level: str, aql: Decimal) -> None:
    p = plan(lot_size, level, aql)
    assert 1 <= p.sample_size <= lot_size
    assert 0 <= p.accept < p.reject
    assert p.code_letter == code_letter(lot_size, level)
    assert p.full_inspection == (SAMPLE_SIZES[p.plan_letter] >= lot_size)
    assert p.sample_size == min(SAMPLE_SIZES[p.plan_letter], lot_size)


@given(lot_sizes, lot_sizes, levels)
def test_code_letter_sample_size_never_shrinks_for_a_larger_lot(a: int, b: int, level: str) -> None:
    small, large = sorted((a, b))
    assert SAMPLE_SIZES[code_letter(small, level)] <= SAMPLE_SIZES[code_letter(large, level)]


# The sample size after the arrows is monotonic too, in every AQL column: an ↑ only ever points to the 0/1 row
# just above it or, at the top right of the table, to the last plan of its column, so walking down the code
# letters never moves the row used back up. (The strictness is not monotonic: at level II and AQL 1.0 a lot of
# 150 is inspected with E's 13 pieces and Ac 0, a lot of 151 with H's 50 pieces and Ac 1.)
@given(lot_sizes, lot_sizes, levels, aqls)
def test_plan_sample_size_never_shrinks_for_a_larger_lot(a: int, b: int, level: str, aql: Decimal) -> None:
    small, large = sorted((a, b))
    assert plan(small, level, aql).sample_size <= plan(large, level, aql).sample_size
    assert SAMPLE_SIZES[plan(small, level, aql).plan_letter] <= SAMPLE_SIZES[plan(large, level, aql).plan_letter]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("aql", [Decimal(0), *AQLS], ids=str)
def test_plan_sample_size_never_shrinks_across_range_boundaries(level: str, aql: Decimal) -> None:
    lots = [1] + [lot for low, high in LOT_RANGES for lot in (low, HUGE_LOT if high is None else high)]
    sizes = [plan(lot, level, aql).sample_size for lot in lots]
    used = [SAMPLE_SIZES[plan(lot, level, aql).plan_letter] for lot in lots]
    assert sizes == sorted(sizes)
    assert used == sorted(used)


def test_strictness_is_not_monotonic() -> None:
    assert plan(150, "II", "1.0") == SamplingPlan("F", "E", 13, 0, 1, False)
    assert plan(151, "II", "1.0") == SamplingPlan("G", "H", 50, 1, 2, False)
