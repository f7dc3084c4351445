"""ISO 2859-1 single sampling plans for normal inspection, as data and pure functions.

Given a lot size, an inspection level and an AQL (acceptable quality limit), `plan()` says how many
pieces to draw from the lot and how many nonconformities accept (Ac) or reject (Re) it.

Sources: ISO 2859-1:1999 (identical to GB/T 2828.1-2012; same values as ANSI/ASQ Z1.4 and
MIL-STD-105E), Table 1 "Sample size code letters" and Table 2-A "Single sampling plans for normal
inspection (master table)". Both tables are written out below as the standard prints them,
arrows included; tightened and reduced inspection and double/multiple sampling are not covered.

Reading Table 2-A:

* Arrow rule. A cell holding an arrow has no plan of its own: follow the arrow (↓ down, ↑ up) in
  the same AQL column to the first cell that holds an (Ac, Re) pair and use that row's sample size
  together with its Ac and Re. `SamplingPlan.code_letter` is the letter Table 1 gives the lot,
  `SamplingPlan.plan_letter` the letter of the row actually used.
* 100 % rule. When the sample size of the plan used equals or exceeds the lot size, the whole lot is
  inspected: `full_inspection` is True and `sample_size` is the lot size; Ac and Re stay the plan's.
* AQL 0 (house rule, not in the standard's table). Critical defects are usually given zero
  tolerance. `parse_aql()` and `plan()` accept an AQL of 0 and then use the code letter's own
  sample size (capped at the lot size as above) with Ac 0 and Re 1, without following any arrow.

AQLs up to 10 may be read as percent nonconforming or as nonconformities per 100 units; the
columns above 10 only as nonconformities per 100 units (so Ac may exceed the sample size there).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

AqlValue = Decimal | str | int | float
Cell = tuple[int, int] | str  # (Ac, Re) or an arrow

DOWN = "↓"
UP = "↑"

LEVELS: tuple[str, ...] = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")
CODE_LETTERS: tuple[str, ...] = tuple("ABCDEFGHJKLMNPQR")
SAMPLE_SIZES: dict[str, int] = dict(
    zip(CODE_LETTERS, (2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000), strict=True)
)

# Table 1 - sample size code letters, one row per lot size range; a lot of 1 uses the first row.
# fmt: off
_TABLE_1: tuple[tuple[int, int | None, str], ...] = (
    # lot size            S-1 S-2 S-3 S-4  I  II  III
    (2,       8,         "A   A   A   A   A   A   B"),
    (9,       15,        "A   A   A   A   A   B   C"),
    (16,      25,        "A   A   B   B   B   C   D"),
    (26,      50,        "A   B   B   C   C   D   E"),
    (51,      90,        "B   B   C   C   C   E   F"),
    (91,      150,       "B   B   C   D   D   F   G"),
    (151,     280,       "B   C   D   E   E   G   H"),
    (281,     500,       "B   C   D   E   F   H   J"),
    (501,     1_200,     "C   C   E   F   G   J   K"),
    (1_201,   3_200,     "C   D   E   G   H   K   L"),
    (3_201,   10_000,    "C   D   F   G   J   L   M"),
    (10_001,  35_000,    "C   D   F   H   K   M   N"),
    (35_001,  150_000,   "D   E   G   J   L   N   P"),
    (150_001, 500_000,   "D   E   G   J   M   P   Q"),
    (500_001, None,      "D   E   H   K   N   Q   R"),  # 500 001 and over
)
# fmt: on
_LETTERS_BY_LEVEL: dict[str, tuple[str, ...]] = {
    level: tuple(letters.split()[column] for _low, _high, letters in _TABLE_1) for column, level in enumerate(LEVELS)
}

AQLS: tuple[Decimal, ...] = tuple(
    Decimal(value)
    for value in (
        "0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40", "0.65", "1.0", "1.5", "2.5",
        "4.0", "6.5", "10", "15", "25", "40", "65", "100", "150", "250", "400", "650", "1000",
    )
)  # fmt: skip

# Table 2-A - single sampling plans for normal inspection, cells "Ac/Re" or an arrow, in AQLS order.
# fmt: off
_TABLE_2A_TO_10: dict[str, str] = {
    #      0.010 0.015 0.025 0.040 0.065  0.10  0.15  0.25  0.40  0.65   1.0   1.5   2.5   4.0   6.5    10
    "A": "    ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓",
    "B": "    ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓",
    "C": "    ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2",
    "D": "    ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3",
    "E": "    ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4",
    "F": "    ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6",
    "G": "    ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8",
    "H": "    ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11",
    "J": "    ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15",
    "K": "    ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22",
    "L": "    ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑",
    "M": "    ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑",
    "N": "    ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑",
    "P": "    ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑",
    "Q": "  0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑",
    "R": "    ↑     ↑   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑",
}
_TABLE_2A_ABOVE_10: dict[str, str] = {  # nonconformities per 100 units only
    #         15    25    40    65   100   150   250   400   650  1000
    "A": "    ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31",
    "B": "  1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45",
    "C": "  2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45     ↑",
    "D": "  3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45     ↑     ↑",
    "E": "  5/6   7/8 10/11 14/15 21/22 30/31 44/45     ↑     ↑     ↑",
    "F": "  7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑",
    "G": "10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
    "H": "14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
    "J": "21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
    "K": "    ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
    "L": "    ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
    "M": "    ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
    "N": "    ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
    "P": "    ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
    "Q": "    ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
    "R": "    ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑",
}
# fmt: on


def _parse_cell(token: str) -> Cell:
    if token in (DOWN, UP):
        return token
    accept, reject = token.split("/")
    return int(accept), int(reject)


TABLE_2A: dict[str, tuple[Cell, ...]] = {
    letter: tuple(_parse_cell(token) for token in f"{_TABLE_2A_TO_10[letter]} {_TABLE_2A_ABOVE_10[letter]}".split())
    for letter in CODE_LETTERS
}


class AqlError(ValueError):
    """Bad input to the sampling functions; `field` names the input: "lot_size", "level" or "aql"."""

    field: str

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SamplingPlan:
    code_letter: str  # the letter Table 1 gives the lot
    plan_letter: str  # the letter whose plan is used after following the arrows
    sample_size: int  # the plan's sample size, or the lot size when that is not bigger
    accept: int  # Ac: accept the lot with at most this many nonconformities
    reject: int  # Re: reject the lot with this many or more
    full_inspection: bool  # the sample is not smaller than the lot: inspect 100 %


def parse_level(value: object) -> str:
    """The inspection level in LEVELS: accepts "II", "ii", "S-3", "s3", "S3", ... ."""
    text = re.sub(r"\s+", "", value).upper() if isinstance(value, str) else ""
    special = re.fullmatch(r"S-?([1-4])", text)
    if special:
        return f"S-{special[1]}"
    if text in LEVELS:
        return text
    message = _("Unknown inspection level %(value)r: use one of %(levels)s.")
    raise AqlError("level", message % {"value": value, "levels": ", ".join(LEVELS)})


def parse_aql(value: object) -> Decimal:
    """The AQL column of Table 2-A equal to `value` ("2.5", 2.5, Decimal("2.50") ...), or Decimal 0 (house rule)."""
    number = _as_decimal(value)
    if number is not None and number.is_zero():
        return Decimal(0)
    for aql in AQLS:
        if number == aql:
            return aql
    message = _("AQL %(value)r is not in ISO 2859-1 Table 2-A: use 0 or one of %(aqls)s.")
    raise AqlError("aql", message % {"value": value, "aqls": ", ".join(str(aql) for aql in AQLS)})


def code_letter(lot_size: int, level: str) -> str:
    """Table 1: the sample size code letter for a lot at an inspection level."""
    lot = _lot_size(lot_size)
    letters = _LETTERS_BY_LEVEL[parse_level(level)]
    return letters[next(index for index, (_low, high, _row) in enumerate(_TABLE_1) if high is None or lot <= high)]


def letter_plan(letter: str, aql: AqlValue) -> SamplingPlan:
    """Table 2-A: the plan for a code letter and an AQL after the arrows, before the 100 % rule."""
    if letter not in SAMPLE_SIZES:
        raise ValueError(_("Unknown sample size code letter %(value)r.") % {"value": letter})
    value = parse_aql(aql)
    if value.is_zero():
        return SamplingPlan(letter, letter, SAMPLE_SIZES[letter], 0, 1, full_inspection=False)
    column = AQLS.index(value)
    used = CODE_LETTERS[_plan_row(CODE_LETTERS.index(letter), column)]
    accept, reject = TABLE_2A[used][column]
    return SamplingPlan(letter, used, SAMPLE_SIZES[used], accept, reject, full_inspection=False)


def plan(lot_size: int, level: str, aql: AqlValue) -> SamplingPlan:
    """The single sampling plan, normal inspection, for a lot: Table 1, Table 2-A, arrows and the 100 % rule."""
    lot = _lot_size(lot_size)
    found = letter_plan(code_letter(lot, level), aql)
    if found.sample_size < lot:
        return found
    return replace(found, sample_size=lot, full_inspection=True)


def plan_for_classes(lot_size: int, level: str, aqls: Mapping[str, AqlValue]) -> dict[str, SamplingPlan]:
    """One plan per defect class, e.g. {"critical": 0, "major": "2.5", "minor": "4.0"}."""
    return {defect_class: plan(lot_size, level, aql) for defect_class, aql in aqls.items()}


def is_fail(found: int, p: SamplingPlan) -> bool:
    """True when `found` nonconformities in the sample reject the lot (found >= Re)."""
    return found >= p.reject


def _plan_row(row: int, column: int) -> int:
    """The row of the first (Ac, Re) cell met going the way the cell's arrow points (the row itself if no arrow)."""
    cell = TABLE_2A[CODE_LETTERS[row]][column]
    if not isinstance(cell, str):
        return row
    rows = range(row + 1, len(CODE_LETTERS)) if cell == DOWN else range(row - 1, -1, -1)
    return next(found for found in rows if not isinstance(TABLE_2A[CODE_LETTERS[found]][column], str))


def _lot_size(value: object) -> int:
    number = _as_integer(value)
    if number is None or number < 1:
        message = _("The lot size must be a whole number of at least 1, not %(value)r.")
        raise AqlError("lot_size", message % {"value": value})
    return number


def _as_integer(value: object) -> int | None:
    """`value` as an int when it is one (bools are not): 12, 12.0, Decimal("12"), "12"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        return int(text) if text.isdecimal() else None
    number = _as_decimal(value)
    return int(number) if number is not None and number == number.to_integral_value() else None


def _as_decimal(value: object) -> Decimal | None:
    """A finite Decimal from an int, float, str or Decimal (bools are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
