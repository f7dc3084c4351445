"""Payment terms as arithmetic, without the database: the due date of each part of a term from the facts of the order
and the shipment, and an amount split into parts that add up exactly.

Rounding: every amount is rounded the way its currency is written (2 places; JPY and the like 0) with ROUND_HALF_UP,
by `gendan.core.money.round_money`. A split gives each part its share rounded down to the currency's unit, then hands
the units still missing to the parts with the largest remainders (ties: the earlier part), so the parts always add
up to the total to the last cent and no part is more than one unit away from its exact share.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.utils.translation import gettext as _

from gendan.core.money import places, round_money
from gendan.finance.choices import BL_RULES, DueBasis, DueRule

HUNDRED = Decimal(100)
MAX_DAYS = 720


@dataclass(frozen=True)
class Part:
    """One part of a term: its share of the amount (percent), its rule and its days."""

    share_pct: Decimal
    rule: str
    days: int = 0


@dataclass(frozen=True)
class Facts:
    """What is known when a due date is computed (None: not known yet)."""

    invoice_date: dt.date
    confirmed_date: dt.date | None = None
    planned_ex_factory_date: dt.date | None = None
    departed_date: dt.date | None = None
    bl_date: dt.date | None = None


def check_parts(parts: Sequence[Part]) -> dict[str, str]:
    """The problems of a term's parts ({field: message}); empty when the term is sound: at least one part, each share
    above 0, the shares adding up to exactly 100 %, days between 0 and 720, known rules."""
    errors: dict[str, str] = {}
    if not parts:
        return {"parts": _("A payment term needs at least one part.")}
    for index, part in enumerate(parts):
        if part.rule not in DueRule.values:
            errors[f"parts.{index}.rule"] = _("“%(v)s” is not one of: %(allowed)s.") % {
                "v": part.rule,
                "allowed": ", ".join(DueRule.values),
            }
        if part.share_pct <= 0 or part.share_pct > HUNDRED:
            errors[f"parts.{index}.share_pct"] = _("A share is more than 0 and at most 100 %.")
        elif part.share_pct != part.share_pct.quantize(Decimal("0.01")):
            errors[f"parts.{index}.share_pct"] = _("A share has at most 2 decimals.")
        if not 0 <= part.days <= MAX_DAYS:
            errors[f"parts.{index}.days"] = _("Days are between 0 and %(max)s.") % {"max": MAX_DAYS}
    total = sum((p.share_pct for p in parts), Decimal(0))
    if not errors and total != HUNDRED:
        errors["parts"] = _("The shares add up to %(total)s %%, not 100 %%.") % {"total": f"{total.normalize():f}"}
    return errors


def due_date(part: Part, facts: Facts) -> tuple[dt.date, str]:
    """The day `part` falls due and the fact it was counted from (a `DueBasis`).

    deposit: confirmation + days (the invoice date while the order is not confirmed); before_shipment: the planned
    ex-factory date − days (the invoice date when there is none); the B/L rules (copy B/L, L/C at sight and usance,
    O/A after B/L): the B/L date + days, while it is unknown the departure date + days, before departure the planned
    ex-factory date + days; O/A after invoice: the invoice date + days. Never before the invoice date for the B/L
    and O/A rules (a term cannot make a shipment's invoice overdue the day it is issued)."""
    days = dt.timedelta(days=part.days)
    rule = part.rule
    if rule == DueRule.DEPOSIT:
        if facts.confirmed_date is None:
            return facts.invoice_date + days, DueBasis.INVOICE
        return facts.confirmed_date + days, DueBasis.CONFIRMATION
    if rule == DueRule.BEFORE_SHIPMENT:
        if facts.planned_ex_factory_date is None:
            return facts.invoice_date, DueBasis.INVOICE
        return facts.planned_ex_factory_date - days, DueBasis.EX_FACTORY
    if rule in BL_RULES:
        if facts.bl_date is not None:
            day, basis = facts.bl_date + days, DueBasis.BL
        elif facts.departed_date is not None:
            day, basis = facts.departed_date + days, DueBasis.DEPARTURE
        elif facts.planned_ex_factory_date is not None:
            day, basis = facts.planned_ex_factory_date + days, DueBasis.PLANNED
        else:
            return facts.invoice_date + days, DueBasis.INVOICE
        return max(day, facts.invoice_date), basis
    if rule == DueRule.OA_INVOICE:
        return facts.invoice_date + days, DueBasis.INVOICE
    raise ValueError(f"unknown due rule {rule!r}")


def depends_on_bl(rule: str) -> bool:
    return rule in BL_RULES


def split(total: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """`total` (rounded per currency) shared in proportion to `weights` (any positive numbers, e.g. percentages),
    each part in the currency's unit, adding up exactly to the rounded total (largest remainder). A negative total
    is split like its absolute value, with the signs turned."""
    amount = round_money(total, currency)
    if not weights:
        return []
    if amount < 0:
        return [-p for p in split(-amount, weights, currency)]
    weight_sum = sum(weights, Decimal(0))
    if weight_sum <= 0:
        raise ValueError("weights must add up to more than 0")
    unit = Decimal(1).scaleb(-places(currency))
    exact = [amount * w / weight_sum for w in weights]
    floors = [e.quantize(unit, rounding=ROUND_FLOOR) for e in exact]
    missing = int((amount - sum(floors, Decimal(0))) / unit)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:missing]:
        floors[i] += unit
    return floors


def share_of(total: Decimal, numerator: Decimal, denominator: Decimal, currency: str) -> Decimal:
    """round(total × numerator / denominator) in the currency's unit (0 when the denominator is 0)."""
    if denominator == 0:
        return round_money(0, currency)
    return round_money(Decimal(total) * Decimal(numerator) / Decimal(denominator), currency)
