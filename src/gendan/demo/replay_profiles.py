"""The behaviour of the replayed company (`gendan replay`): every random draw of the replay is made against these
tables, from one seeded generator. They were set from how export textile suppliers, sewing lines and customers
behave, before any forecast was measured against the replay, and are documented with their numbers in
docs/guide/replay.md. Change them there and here together.

Days are working days of the company calendar unless a name says otherwise.
"""

from dataclasses import dataclass

# ---- orders --------------------------------------------------------------------------------------------------------

WORKING_DAYS_PER_MONTH = 21.7  # arrivals: a Poisson number of orders each working day, orders-per-month ÷ this
LEAD_DAYS = (63, 105)  # calendar days from the order date to the committed ex-factory date, uniform
LINES_PER_ORDER = (1, 1, 2, 2, 2, 3)  # drawn uniformly
BASE_QUANTITIES = (300, 500, 600, 800, 1000, 1200, 1500, 2000)  # pieces of a line before the plant's scale
TARGET_LOAD = 0.80  # the order book's sewing load as a share of the busiest work centre's nominal capacity
REVIEW_REJECTED = 0.08  # of orders: one review item rejected, the order corrected and submitted again
REVIEW_DAYS = (1, 2)  # working days from the order's creation to its review, uniform

# ---- suppliers -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierProfile:
    """How a material supplier keeps its promises.

    It promises the PO line's required date (or, with `promise_later`, 1–3 working days after it; never sooner than
    its lead time allows) within `confirm_days` of receiving the PO. Each delivery then comes `delay` working days
    after the promise: `(share, low, high)` bands, the first band whose cumulative share covers the draw, uniform
    within it. A delivery is short with `short` (80–95 % of what is open; the rest `rest_days` later), and at
    incoming inspection a share of it is rejected with `reject` (5–20 %, delivered again `redeliver_days` after the
    inspection). `repromise`: of the deliveries later than the promise by `repromise_from` days or more, the share
    whose supplier tells the buyer a new date 2–5 working days before the promised one (no other supplier does)."""

    name: str
    delay: tuple[tuple[float, int, int], ...]
    promise_later: float
    short: float
    reject: float
    repromise: float = 0.0
    repromise_from: int = 8


CONFIRM_DAYS = (0, 1, 1, 2)  # working days from sending the PO to the supplier's confirmation, drawn uniformly
REST_DAYS = (4, 10)  # a short delivery's rest comes this many working days later, uniform
REDELIVER_DAYS = (5, 12)  # rejected goods are delivered again this many working days after the inspection
INSPECTION_DAYS = (0, 1)  # working days from receiving to the incoming inspection's result, uniform
SHORT_SHARE = (80, 95)  # per cent of what is open that a short delivery brings
REJECT_SHARE = (5, 20)  # per cent of a delivery rejected at incoming inspection

SUPPLIER_PROFILES = {
    "reliable": SupplierProfile(
        name="reliable",
        delay=((0.1, -1, -1), (0.85, 0, 0), (1.0, 1, 1)),
        promise_later=0.05,
        short=0.03,
        reject=0.02,
    ),
    "late": SupplierProfile(
        name="chronically late",
        delay=((0.1, 0, 2), (0.9, 3, 8), (1.0, 9, 15)),
        promise_later=0.2,
        short=0.08,
        reject=0.05,
    ),
    "erratic": SupplierProfile(
        name="erratic",
        delay=((0.75, -1, 1), (1.0, 8, 20)),
        promise_later=0.1,
        short=0.1,
        reject=0.08,
        repromise=0.5,
    ),
}
# The demo's material suppliers in code order get these profiles in turn: 5 reliable, 3 chronically late, 2 erratic.
SUPPLIER_CYCLE = (
    "reliable",
    "late",
    "erratic",
    "reliable",
    "late",
    "reliable",
    "erratic",
    "reliable",
    "late",
    "reliable",
)

# ---- the shop floor ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineProfile:
    """A work centre's day: its output is its capacity × a run rate drawn uniformly in `rate` (noise around the
    standard minutes), on a breakdown day (`breakdown`) × 0–30 %, on a day with absences (`absence`) × 85–95 %."""

    rate: tuple[float, float]
    breakdown: float
    absence: float


DEFAULT_LINE = LineProfile(rate=(0.9, 1.1), breakdown=0.02, absence=0.1)
LINE_PROFILES = {
    "SEW3": LineProfile(rate=(0.75, 0.95), breakdown=0.05, absence=0.2),  # the weak line: new staff, old machines
    "EMB": LineProfile(rate=(0.85, 1.05), breakdown=0.04, absence=0.05),
}
BREAKDOWN_OUTPUT = (0.0, 0.3)
ABSENCE_OUTPUT = (0.85, 0.95)
DEFECT_RATE = (0.0, 0.02)  # defects reported beside the good output, uniform share

# ---- samples, quality, shipping ------------------------------------------------------------------------------------

SAMPLE_APPROVAL = 0.85  # each round of a PP sample, per customer
PICKY_CUSTOMERS = {"C-BL03": 0.55}
SAMPLE_MAKING_DAYS = (4, 7)  # working days in the sample room, first round; later rounds (3, 5)
SAMPLE_REMAKING_DAYS = (3, 5)
SAMPLE_COURIER_DAYS = (2, 4)  # working days on the way
SAMPLE_DECISION_DAYS = (1, 4)  # working days from its arrival to the customer's decision
FINAL_FAIL = 0.08  # of final inspections: failed, re-worked and inspected again
REINSPECT_DAYS = 2
BOOKING_AHEAD = 7  # the clerk books the vessel this many working days before the committed ex-factory date
DEPART_DAYS = (1, 3)  # working days from loading to the vessel's departure
CHASE_EVERY = 3  # working days between a merchandiser's follow-ups of one overdue milestone
CHASES_PER_DAY = 6  # follow-ups a merchandiser logs at most a day


def supplier_profile(position: int) -> SupplierProfile:
    """The profile of the material supplier at `position` (0-based, in supplier code order)."""
    return SUPPLIER_PROFILES[SUPPLIER_CYCLE[position % len(SUPPLIER_CYCLE)]]


def line_profile(code: str) -> LineProfile:
    return LINE_PROFILES.get(code, DEFAULT_LINE)


def approval_chance(customer_code: str) -> float:
    return PICKY_CUSTOMERS.get(customer_code, SAMPLE_APPROVAL)
