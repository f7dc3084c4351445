"""The learned delay profile of one supplier or work centre: what its page charts and its API returns.

A profile reads the same history the nightly learned forecast is fitted on (`gendan.foresight.history`: a supplier's
deliveries against its first promise, a work centre's production milestones against their own dates, in working
days late on the company calendar) and the same estimator (`gendan.followup.learning.DelayModel`), so the figures a
user reads on the page are the ones the forecast uses: the quantiles of the source's own days late shrunk towards
its kind's pooled history, with the share of its own history in the mix.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from gendan.core import clock
from gendan.core.calendar import company_calendar
from gendan.followup.learning import DelayModel
from gendan.foresight.history import delay_samples, learning_days

__all__ = [
    "HISTOGRAM_HIGH",
    "HISTOGRAM_LOW",
    "KINDS",
    "LEVELS",
    "Bucket",
    "DelayProfile",
    "PooledQuantiles",
    "delay_profile",
    "histogram",
]

KINDS = ("supplier", "work_centre")
LEVELS = (0.1, 0.5, 0.9)
HISTOGRAM_LOW = -5  # the first bucket holds every observation this early or earlier
HISTOGRAM_HIGH = 15  # the last bucket holds every observation this late or later
SHARE = Decimal("0.001")
DAYS = Decimal("0.1")


@dataclass(frozen=True)
class Bucket:
    """Observations `days` late (the first bucket: that many or earlier, the last: that many or later)."""

    days: int
    count: int
    is_first: bool = False
    is_last: bool = False

    @property
    def is_late(self) -> bool:
        return self.days > 0


@dataclass(frozen=True)
class PooledQuantiles:
    """The company-wide history of the kind: every supplier's (every work centre's) observations together."""

    p10: int
    p50: int
    p90: int
    sample_size: int


@dataclass(frozen=True)
class DelayProfile:
    """The learned delays of one source, in working days late (negative: early).

    `p10`, `p50`, `p90` are the learned mixture's quantiles (the source's own history shrunk towards the pooled one
    with `weight` on its own); `mean` is the mixture's expected days late; `sample_size`, `on_time_share` (share of
    its own observations 0 or fewer days late, None without any) and `histogram` describe its own observations in
    the window [`window_from`, `window_to`]."""

    kind: str
    pk: int
    p10: int
    p50: int
    p90: int
    sample_size: int
    weight: Decimal
    mean: Decimal
    on_time_share: Decimal | None
    pooled: PooledQuantiles
    histogram: tuple[Bucket, ...]
    window_from: dt.date
    window_to: dt.date

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"

    @property
    def pooled_weight(self) -> Decimal:
        """The share of the company-wide history in the learned figures."""
        return Decimal(1) - self.weight

    @property
    def has_history(self) -> bool:
        """Anything learned at all: its own observations or the company's."""
        return self.sample_size > 0 or self.pooled.sample_size > 0


def histogram(values: list[int], *, low: int = HISTOGRAM_LOW, high: int = HISTOGRAM_HIGH) -> tuple[Bucket, ...]:
    """Counts of `values` by days late, from `low` (and earlier) to `high` (and later): every bucket, zeros too."""
    counts = dict.fromkeys(range(low, high + 1), 0)
    for value in values:
        counts[min(max(int(value), low), high)] += 1
    return tuple(Bucket(days, count, days == low, days == high) for days, count in counts.items())


def _share(part: float) -> Decimal:
    return Decimal(str(part)).quantize(SHARE, rounding=ROUND_HALF_UP)


def delay_profile(kind: str, pk: int, *, until: dt.date | None = None) -> DelayProfile:
    """The learned delay profile of supplier or work centre `pk` (`kind` "supplier" or "work_centre") from the
    history of the learning window ending `until` (today). A source without history of its own gets its kind's
    pooled figures (all zeros when the company has none) and `sample_size` 0. One reading of the history."""
    if kind not in KINDS:
        raise ValueError(f"{kind!r}: a delay profile is of a {' or a '.join(KINDS)}")
    until = until or clock.today()
    samples = delay_samples(until=until, calendar=company_calendar())
    model = DelayModel.fit(samples)
    key = f"{kind}:{pk}"
    own = sorted(samples.get(key, []))
    p10, p50, p90 = model.quantiles(key, LEVELS)
    pooled_size = sum(len(values) for name, values in samples.items() if name.partition(":")[0] == kind)
    pooled = model.pooled.get(kind)
    q10, q50, q90 = pooled.quantiles(LEVELS) if pooled is not None and pooled_size else (0, 0, 0)
    profile = model.profile(key)
    weight = profile.weight if own else 0.0
    return DelayProfile(
        kind=kind,
        pk=pk,
        p10=p10,
        p50=p50,
        p90=p90,
        sample_size=len(own),
        weight=_share(weight),
        mean=Decimal(str(profile.expected())).quantize(DAYS, rounding=ROUND_HALF_UP) + 0,  # + 0: no "-0.0"
        on_time_share=_share(sum(1 for v in own if v <= 0) / len(own)) if own else None,
        pooled=PooledQuantiles(q10, q50, q90, pooled_size),
        histogram=histogram(own),
        window_from=until - dt.timedelta(days=learning_days()),
        window_to=until,
    )
