"""Purchasing reports (pure reads): the supplier scorecard (供应商评分) and the Pareto of delay causes.

Supplier scorecard: the five rights of purchasing (五适): on time 适时, right quality 适质, right quantity 适量,
right price 适价, right place 适地. A period is the receipts whose `received_date` falls in [date_from, date_to]
(both included); a supplier with no receipt in the period has no scorecard. Per supplier:

- **On time** (`on_time_pct`): the receipt lines of the period received on or before the line's first promised date
  (`first_promised_date`, or `required_date` when the supplier never promised), as a % of the receipt lines of the
  period (`lines_due`). Each receipt line counts once, whatever its quantity.
- **Quality** (`quality_pct`): over the incoming inspections that are done, of receipt lines of the period:
  accepted quantity (except what was accepted under concession: a concession is not the right quality) as a % of
  accepted + rejected quantity.
- **Quantity** (`quantity_pct`): over the PO lines that have at least one receipt in the period and are fully
  received (received ≥ expected, expected = confirmed quantity, else the ordered quantity) or whose PO is closed:
  the average of min(received, expected) / max(received, expected) × 100, with the line's total received quantity.
  An over-delivery of 110 on 100 scores 90.9, a short-closed 90 on 100 scores 90.0.
- **Price** (`price_variance_pct`): Σ received qty × (invoiced price − agreed price) / Σ received qty × agreed price
  × 100 over the receipt lines of the period; positive when we paid more than agreed. For the total it becomes the
  price score `price_score` = max(0, 100 − 10 × |variance %|): 1 % off the agreed price costs 10 points, either way
  (paying less than agreed is an invoicing error too), 10 % off scores 0.
- **Place** (`place_errors`, `place_pct`): receipts of the period whose location's warehouse is not the PO's
  `ship_to` are delivery-place errors; place % = 100 × (1 − errors / receipts).
- **Score**: the weighted mean of on time %, quality %, quantity %, price score and place % with the weights of
  `settings.GENDAN_SCORECARD_WEIGHTS` (`scorecard_weights()`). A measure without data (no inspection done, no
  line fully received, …) is None and left out, and the weights of the others are re-normalised. The score is
  computed from the unrounded measures; every figure is then rounded half-up to one decimal place.
- **Rank**: 1 = the best score among the suppliers computed together (ties: by supplier code); a scorecard
  computed alone (`scorecard()`, `scorecard_trend()`) has no rank (None).

Every figure comes from three aggregate queries over all the suppliers at once (receipt lines, receipts, PO lines),
whatever the number of suppliers; a trend computes its months as conditional aggregates of the same three queries.

Delay Pareto (`delay_pareto`): the PO lines (of POs not cancelled) that carry a delay cause and whose due date,
the first promised date or else the required date, falls in the period. Late days run from that due date to the
last receipt when the line is fully received (or its PO closed), else to today; never below 0. Lines are counted per
cause (sorted by count, the cumulative % of the Pareto), per family of causes (supplier / our company /
communication) and per supplier. `uncaused_late_lines` counts the late lines due in the period that have no cause
yet: received after their due date, or not fully accepted while their due date has passed (and their PO is still
open).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from gendan.core import clock
from gendan.partners.models import Supplier
from gendan.procurement.choices import (
    CAUSE_FAMILY,
    DelayCause,
    DelayFamily,
    Disposition,
    InspectionStatus,
    PoStatus,
)
from gendan.procurement.models import PurchaseOrderLine, Receipt, ReceiptLine

__all__ = [
    "MEASURES",
    "Scorecard",
    "delay_pareto",
    "scorecard",
    "scorecard_trend",
    "scorecard_weights",
    "scorecards",
]

MEASURES = ("time", "quality", "quantity", "price", "place")
HUNDRED = Decimal(100)
ZERO = Decimal(0)
ONE_PLACE = Decimal("0.1")
PRICE_POINTS_PER_PCT = Decimal(10)  # price score = 100 − 10 × |variance %|


def _round1(value: Decimal | None) -> Decimal | None:
    """Half-up to one decimal place; never "-0.0"."""
    if value is None:
        return None
    rounded = value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)


def _dec(value: Any) -> Decimal:
    """A database number (Decimal, int or float) as a Decimal; floats through their shortest repr."""
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


# ---------------------------------------------------------------------------------------------- weights


def scorecard_weights() -> dict[str, Decimal]:
    """The weights of `settings.GENDAN_SCORECARD_WEIGHTS` ("time:35,quality:30,quantity:15,price:10,place:10"),
    normalised to sum 100: {"time": 35, "quality": 30, "quantity": 15, "price": 10, "place": 10}.

    A measure left out of the setting weighs 0. ImproperlyConfigured (a ValueError would hide the setting's name)
    on an unknown or repeated measure, a weight that is not a number ≥ 0, or weights that sum to 0.
    """
    text = str(getattr(settings, "GENDAN_SCORECARD_WEIGHTS", "") or "")
    weights = dict.fromkeys(MEASURES, ZERO)
    seen: set[str] = set()
    for part in text.split(","):
        if not part.strip():
            continue
        name, sep, number = part.partition(":")
        name = name.strip().lower()
        if not sep or name not in weights or name in seen:
            raise ImproperlyConfigured(
                f"GENDAN_SCORECARD_WEIGHTS: {part.strip()!r} is not one of {', '.join(MEASURES)} "
                f'given once as "name:weight" (in {text!r}).'
            )
        try:
            weight = Decimal(number.strip())
        except InvalidOperation:
            weight = Decimal(-1)
        if not weight.is_finite() or weight < 0:
            raise ImproperlyConfigured(f"GENDAN_SCORECARD_WEIGHTS: the weight of {name!r} must be a number ≥ 0.")
        weights[name] = weight
        seen.add(name)
    total = sum(weights.values(), ZERO)
    if total <= 0:
        raise ImproperlyConfigured(f"GENDAN_SCORECARD_WEIGHTS must give some measure a weight above 0, not {text!r}.")
    return {name: weight * HUNDRED / total for name, weight in weights.items()}


# ---------------------------------------------------------------------------------------------- scorecard


@dataclass(frozen=True)
class Scorecard:
    """One supplier's five rights over a period (see the module docstring for the definitions).

    Percentages are Decimals with one decimal place, or None when the period has no data for them.
    """

    supplier_id: int
    supplier_code: str
    supplier_name: str
    date_from: dt.date
    date_to: dt.date
    lines_due: int  # receipt lines in the period
    on_time_lines: int
    on_time_pct: Decimal | None
    inspected_qty: Decimal  # accepted + rejected quantity of the inspections done
    quality_pct: Decimal | None
    quantity_lines: int  # PO lines measured for quantity accuracy
    quantity_pct: Decimal | None
    price_variance_pct: Decimal | None
    price_score: Decimal | None
    receipts: int
    place_errors: int
    place_pct: Decimal | None
    score: Decimal | None
    rank: int | None = None

    def measures(self) -> dict[str, Decimal | None]:
        """The five figures the score averages, by weight name."""
        return {
            "time": self.on_time_pct,
            "quality": self.quality_pct,
            "quantity": self.quantity_pct,
            "price": self.price_score,
            "place": self.place_pct,
        }


def _supplier_filter(prefix: str, supplier_ids: Iterable[int] | None) -> Q:
    if supplier_ids is None:
        return Q()
    return Q(**{f"{prefix}__in": list(supplier_ids)})


def _in(field: str, bucket: tuple[dt.date, dt.date]) -> Q:
    return Q(**{f"{field}__gte": bucket[0], f"{field}__lte": bucket[1]})


def _raw_figures(
    buckets: Sequence[tuple[dt.date, dt.date]], supplier_ids: Iterable[int] | None
) -> dict[tuple[int, int], dict[str, Any]]:
    """The raw sums of every supplier with a receipt in each bucket (a period), in three aggregate queries:
    {(supplier_id, bucket index): {code, name, lines, on_time, ...}}.

    With one bucket the aggregates are plain; with several (a trend) each aggregate is computed once per bucket
    with a filter, so the number of queries does not grow with the number of buckets either.
    """
    if supplier_ids is not None:
        supplier_ids = list(supplier_ids)
    start = min(b[0] for b in buckets)
    end = max(b[1] for b in buckets)
    whole = (start, end)
    several = len(buckets) > 1

    def when(q: Q, i: int, date_field: str) -> Q | None:
        """The filter of an aggregate for bucket i: the bucket's dates (only when there are several) and `q`."""
        if several:
            q = _in(date_field, buckets[i]) & q
        return q or None

    # 1. receipts: which suppliers, how many receipts, delivery-place errors
    wrong_place = ~Q(location__warehouse_id=F("purchase_order__ship_to_id"))
    receipt_aggs: dict[str, Any] = {}
    for i in range(len(buckets)):
        receipt_aggs[f"receipts_{i}"] = Count("pk", filter=when(Q(), i, "received_date"))
        receipt_aggs[f"place_errors_{i}"] = Count("pk", filter=when(wrong_place, i, "received_date"))
    receipt_rows = (
        Receipt.objects.filter(
            _in("received_date", whole), _supplier_filter("purchase_order__supplier_id", supplier_ids)
        )
        .values(
            supplier_id=F("purchase_order__supplier_id"),
            supplier_code=F("purchase_order__supplier__code"),
            supplier_name=F("purchase_order__supplier__name"),
        )
        .annotate(**receipt_aggs)
        .order_by()
    )

    # 2. receipt lines: on time, quality, price
    on_time = Q(receipt__received_date__lte=F("due"))
    done = Q(inspection__status=InspectionStatus.DONE)
    right_quality = done & ~Q(inspection__disposition=Disposition.CONCESSION)
    line_aggs: dict[str, Any] = {}
    for i in range(len(buckets)):
        date_field = "receipt__received_date"
        line_aggs[f"lines_{i}"] = Count("pk", filter=when(Q(), i, date_field))
        line_aggs[f"on_time_{i}"] = Count("pk", filter=when(on_time, i, date_field))
        line_aggs[f"quality_ok_{i}"] = Sum("inspection__accepted_qty", filter=when(right_quality, i, date_field))
        line_aggs[f"quality_all_{i}"] = Sum(
            F("inspection__accepted_qty") + F("inspection__rejected_qty"), filter=when(done, i, date_field)
        )
        line_aggs[f"price_diff_{i}"] = Sum(
            F("quantity") * (F("unit_price") - F("po_line__unit_price")), filter=when(Q(), i, date_field)
        )
        line_aggs[f"price_base_{i}"] = Sum(F("quantity") * F("po_line__unit_price"), filter=when(Q(), i, date_field))
    line_rows = (
        ReceiptLine.objects.filter(
            _in("receipt__received_date", whole),
            _supplier_filter("receipt__purchase_order__supplier_id", supplier_ids),
        )
        .alias(due=Coalesce("po_line__first_promised_date", "po_line__required_date"))
        .values(supplier_id=F("receipt__purchase_order__supplier_id"))
        .annotate(**line_aggs)
        .order_by()
    )

    # 3. PO lines: quantity accuracy of the lines received in the period that are complete (or closed)
    def received_in(bucket: tuple[dt.date, dt.date]) -> Exists:
        return Exists(
            ReceiptLine.objects.filter(po_line=OuterRef("pk"), receipt__received_date__gte=bucket[0]).filter(
                receipt__received_date__lte=bucket[1]
            )
        )

    received = Cast("received_qty", FloatField())
    expected = Cast("expected", FloatField())
    accuracy = Case(
        When(received_qty__lte=0, then=Value(0.0)),
        When(received_qty__lte=F("expected"), then=received * Value(100.0) / expected),
        default=expected * Value(100.0) / received,
        output_field=FloatField(),
    )
    po_line_aggs: dict[str, Any] = {}
    for i, bucket in enumerate(buckets):
        in_bucket = received_in(bucket) if several else None
        po_line_aggs[f"quantity_lines_{i}"] = Count("pk", filter=in_bucket)
        po_line_aggs[f"quantity_avg_{i}"] = Avg(accuracy, filter=in_bucket)
    po_line_rows = (
        PurchaseOrderLine.objects.filter(_supplier_filter("purchase_order__supplier_id", supplier_ids))
        .alias(expected=Coalesce("confirmed_qty", "quantity"))
        .filter(Q(received_qty__gte=F("expected")) | Q(purchase_order__status=PoStatus.CLOSED))
        .filter(received_in(whole))
        .values(supplier_id=F("purchase_order__supplier_id"))
        .annotate(**po_line_aggs)
        .order_by()
    )

    figures: dict[tuple[int, int], dict[str, Any]] = {}
    for row in receipt_rows:
        for i in range(len(buckets)):
            if row[f"receipts_{i}"]:
                figures[(row["supplier_id"], i)] = {
                    "supplier_code": row["supplier_code"],
                    "supplier_name": row["supplier_name"],
                    "receipts": row[f"receipts_{i}"],
                    "place_errors": row[f"place_errors_{i}"],
                }
    for rows, names in (
        (line_rows, ("lines", "on_time", "quality_ok", "quality_all", "price_diff", "price_base")),
        (po_line_rows, ("quantity_lines", "quantity_avg")),
    ):
        for row in rows:
            for i in range(len(buckets)):
                target = figures.get((row["supplier_id"], i))
                if target is not None:
                    target.update({name: row[f"{name}_{i}"] for name in names})
    return figures


def _pct(part: Any, whole: Any) -> Decimal | None:
    whole = _dec(whole)
    if whole <= 0:
        return None
    return _dec(part) * HUNDRED / whole


def _weighted(measures: dict[str, Decimal | None], weights: dict[str, Decimal]) -> Decimal | None:
    """The weighted mean of the measures that have data (the weights of the others are spread over them)."""
    present = {name: value for name, value in measures.items() if value is not None and weights.get(name, ZERO) > 0}
    total = sum((weights[name] for name in present), ZERO)
    if total <= 0:
        return None
    return sum((weights[name] * value for name, value in present.items()), ZERO) / total


def _scorecard(
    supplier_id: int,
    raw: dict[str, Any],
    bucket: tuple[dt.date, dt.date],
    weights: dict[str, Decimal],
) -> Scorecard:
    lines = int(raw.get("lines") or 0)
    on_time = int(raw.get("on_time") or 0)
    on_time_pct = _pct(on_time, lines)
    quality_all = _dec(raw.get("quality_all"))
    quality_pct = _pct(raw.get("quality_ok"), quality_all)
    quantity_lines = int(raw.get("quantity_lines") or 0)
    quantity_pct = _dec(raw.get("quantity_avg")) if quantity_lines else None
    variance = _pct(raw.get("price_diff"), raw.get("price_base"))
    price_score = None if variance is None else max(ZERO, HUNDRED - PRICE_POINTS_PER_PCT * abs(variance))
    receipts = int(raw["receipts"])
    place_errors = int(raw["place_errors"])
    place_pct = HUNDRED * (1 - Decimal(place_errors) / receipts) if receipts else None
    measures = {
        "time": on_time_pct,
        "quality": quality_pct,
        "quantity": quantity_pct,
        "price": price_score,
        "place": place_pct,
    }
    return Scorecard(
        supplier_id=supplier_id,
        supplier_code=raw["supplier_code"],
        supplier_name=raw["supplier_name"],
        date_from=bucket[0],
        date_to=bucket[1],
        lines_due=lines,
        on_time_lines=on_time,
        on_time_pct=_round1(on_time_pct),
        inspected_qty=quality_all,
        quality_pct=_round1(quality_pct),
        quantity_lines=quantity_lines,
        quantity_pct=_round1(quantity_pct),
        price_variance_pct=_round1(variance),
        price_score=_round1(price_score),
        receipts=receipts,
        place_errors=place_errors,
        place_pct=_round1(place_pct),
        score=_round1(_weighted(measures, weights)),
    )


def _rank(cards: list[Scorecard]) -> list[Scorecard]:
    """Best score first (no score last), ties by supplier code; rank 1, 2, 3, …"""
    ordered = sorted(cards, key=lambda c: (c.score is None, -(c.score or ZERO), c.supplier_code, c.supplier_id))
    return [_replace_rank(card, i) for i, card in enumerate(ordered, start=1)]


def _replace_rank(card: Scorecard, rank: int | None) -> Scorecard:
    return replace(card, rank=rank)


def scorecards(date_from: dt.date, date_to: dt.date, *, supplier_ids: Iterable[int] | None = None) -> list[Scorecard]:
    """Every supplier with a receipt in [date_from, date_to] (or those of `supplier_ids`), ranked, best first."""
    if date_from > date_to:
        return []
    weights = scorecard_weights()
    bucket = (date_from, date_to)
    figures = _raw_figures([bucket], supplier_ids)
    return _rank([_scorecard(supplier_id, raw, bucket, weights) for (supplier_id, _i), raw in figures.items()])


def _supplier_id(supplier: Supplier | int) -> int:
    return supplier if isinstance(supplier, int) else supplier.pk


def scorecard(supplier: Supplier | int, date_from: dt.date, date_to: dt.date) -> Scorecard | None:
    """One supplier's scorecard over the period (rank None), or None when it has no receipt in it."""
    cards = scorecards(date_from, date_to, supplier_ids=[_supplier_id(supplier)])
    if not cards:
        return None
    return _replace_rank(cards[0], None)


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_end(start: dt.date) -> dt.date:
    return _month_start(start, -1) - dt.timedelta(days=1)


def scorecard_trend(
    supplier: Supplier | int, months: int = 12, *, until: dt.date | None = None
) -> list[tuple[dt.date, Scorecard | None]]:
    """The supplier's scorecard month by month: `months` calendar months ending with the month of `until` (default
    today), oldest first, as (first day of the month, scorecard or None when nothing was received that month).
    The last month runs up to `until`. Three aggregate queries in all, whatever the number of months."""
    until = until or clock.today()
    months = max(int(months), 1)
    starts = [_month_start(until, back) for back in range(months - 1, -1, -1)]
    buckets = [(start, min(_month_end(start), until)) for start in starts]
    weights = scorecard_weights()
    supplier_id = _supplier_id(supplier)
    figures = _raw_figures(buckets, [supplier_id])
    trend: list[tuple[dt.date, Scorecard | None]] = []
    for i, bucket in enumerate(buckets):
        raw = figures.get((supplier_id, i))
        trend.append((bucket[0], _scorecard(supplier_id, raw, bucket, weights) if raw else None))
    return trend


# ---------------------------------------------------------------------------------------------- delay Pareto


def _one_place_pct(part: int, whole: int) -> Decimal:
    return _round1(Decimal(part) * HUNDRED / whole) if whole else ZERO.quantize(ONE_PLACE)  # type: ignore[return-value]


def _late_lines_base(date_from: dt.date, date_to: dt.date, supplier_id: int | None):  # noqa: ANN202
    """PO lines of POs not cancelled whose due date (first promise, else required date) is in the period, with
    `due`, `expected` and `last_receipt` (the latest receipt date of the line, None before any receipt)."""
    qs = PurchaseOrderLine.objects.exclude(purchase_order__status=PoStatus.CANCELLED)
    if supplier_id is not None:
        qs = qs.filter(purchase_order__supplier_id=supplier_id)
    return (
        qs.alias(due=Coalesce("first_promised_date", "required_date"))
        .filter(due__gte=date_from, due__lte=date_to)
        .annotate(
            expected=Coalesce("confirmed_qty", "quantity"),
            last_receipt=Max("receipt_lines__receipt__received_date"),
        )
    )


def delay_pareto(date_from: dt.date, date_to: dt.date, *, supplier_id: int | None = None) -> dict[str, Any]:
    """The delay causes of the PO lines due in [date_from, date_to] (see the module docstring), as
    {
      date_from, date_to, total_lines, late_days_total, uncaused_late_lines,
      rows: [{cause, cause_label, family, family_label, lines, late_days_total, pct, cumulative_pct}]
            (most lines first; ties: more late days, then the order of DelayCause),
      by_family: [{family, family_label, lines, pct}] (every family, most lines first),
      by_supplier: [{supplier_id, supplier_code, supplier_name, lines, late_days_total, by_family: {family: lines}}]
            (most lines first, ties by code),
    }
    Percentages are Decimals with one place; the cumulative % is computed from the counts (the last row is 100.0).
    """
    today = clock.today()
    closed = (PoStatus.CLOSED,)
    caused = (
        _late_lines_base(date_from, date_to, supplier_id)
        .exclude(delay_cause="")
        .values_list(
            "delay_cause",
            "purchase_order__supplier_id",
            "purchase_order__supplier__code",
            "purchase_order__supplier__name",
            "purchase_order__status",
            "first_promised_date",
            "required_date",
            "received_qty",
            "expected",
            "last_receipt",
        )
        .order_by()
    )
    cause_order = {value: i for i, value in enumerate(DelayCause.values)}
    per_cause: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_supplier: dict[int, dict[str, Any]] = {}
    for cause, sid, code, name, status, first_promised, required, received, expected, last in caused:
        due = first_promised or required
        finished = last is not None and (received >= expected or status in closed)
        end = last if finished else today
        late_days = max((end - due).days, 0)
        per_cause[cause][0] += 1
        per_cause[cause][1] += late_days
        family = CAUSE_FAMILY.get(cause)
        entry = per_supplier.setdefault(
            sid,
            {
                "supplier_id": sid,
                "supplier_code": code,
                "supplier_name": name,
                "lines": 0,
                "late_days_total": 0,
                "by_family": dict.fromkeys(DelayFamily.values, 0),
            },
        )
        entry["lines"] += 1
        entry["late_days_total"] += late_days
        if family is not None:
            entry["by_family"][str(family)] += 1

    total = sum(n for n, _days in per_cause.values())
    ordered = sorted(per_cause.items(), key=lambda kv: (-kv[1][0], -kv[1][1], cause_order.get(kv[0], 99), kv[0]))
    rows = []
    running = 0
    for cause, (lines, late_days) in ordered:
        running += lines
        family = CAUSE_FAMILY.get(cause)
        rows.append(
            {
                "cause": cause,
                "cause_label": str(DelayCause(cause).label) if cause in cause_order else cause,
                "family": str(family) if family is not None else "",
                "family_label": str(DelayFamily(family).label) if family is not None else "",
                "lines": lines,
                "late_days_total": late_days,
                "pct": _one_place_pct(lines, total),
                "cumulative_pct": _one_place_pct(running, total),
            }
        )

    family_lines = dict.fromkeys(DelayFamily.values, 0)
    for row in rows:
        if row["family"]:
            family_lines[row["family"]] += row["lines"]
    family_order = {value: i for i, value in enumerate(DelayFamily.values)}
    by_family = [
        {
            "family": family,
            "family_label": str(DelayFamily(family).label),
            "lines": lines,
            "pct": _one_place_pct(lines, total),
        }
        for family, lines in sorted(family_lines.items(), key=lambda kv: (-kv[1], family_order[kv[0]]))
    ]
    by_supplier = sorted(per_supplier.values(), key=lambda e: (-e["lines"], e["supplier_code"]))

    uncaused_late = (
        _late_lines_base(date_from, date_to, supplier_id)
        .filter(delay_cause="")
        .filter(
            Q(last_receipt__gt=F("due"))
            | (Q(accepted_qty__lt=F("expected"), due__lt=today) & ~Q(purchase_order__status__in=closed))
        )
        .count()
    )
    return {
        "date_from": date_from,
        "date_to": date_to,
        "total_lines": total,
        "late_days_total": sum(days for _n, days in per_cause.values()),
        "uncaused_late_lines": uncaused_late,
        "rows": rows,
        "by_family": by_family,
        "by_supplier": by_supplier,
    }
