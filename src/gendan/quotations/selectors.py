"""Quotations' reads: the list and one quotation with its lines, the effective status (a sent quotation past its
validity reads as expired before the nightly job marks it), the latest purchase price of materials, the rates, the
win-rate report, the customer's and the order's quotations, the chase-list rows (sent quotations about to expire)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _

from gendan.catalog.models import Material
from gendan.core import clock, fx
from gendan.core.exceptions import NotFound, ValidationError
from gendan.core.models import User
from gendan.core.money import Currency
from gendan.procurement.choices import PoStatus
from gendan.procurement.models import PurchaseOrderLine
from gendan.quotations.choices import DECIDED_STATUSES, LostReason, PriceSource, QuotationStatus
from gendan.quotations.models import (
    ProcessingRate,
    Quotation,
    QuotationBreak,
    QuotationLine,
    QuotationMaterial,
    QuotationOperation,
)

QUOTATION = "quotation"  # the chase-list kind
# A purchase order's price counts once the PO is approved: a draft is a plan, a cancelled one was never bought.
PRICED_PO_STATUSES = tuple(s for s in PoStatus.values if s not in (PoStatus.DRAFT, PoStatus.CANCELLED))
ZERO = Decimal(0)


# ---- status ------------------------------------------------------------------------------------------------------


def effective_status(status: str, valid_until: dt.date, day: dt.date | None = None) -> str:
    """The status as the customer sees it: a sent quotation past its validity is expired."""
    day = day or clock.today()
    if status == QuotationStatus.SENT and valid_until < day:
        return QuotationStatus.EXPIRED
    return status


def _state_expr(day: dt.date) -> Case:
    return Case(
        When(status=QuotationStatus.SENT, valid_until__lt=day, then=Value(QuotationStatus.EXPIRED.value)),
        default=F("status"),
        output_field=CharField(),
    )


def status_q(status: str, day: dt.date) -> Q:
    """The filter of quotations whose effective status is `status` ("open": draft or sent and still valid)."""
    if status == QuotationStatus.EXPIRED:
        return Q(status=QuotationStatus.EXPIRED) | Q(status=QuotationStatus.SENT, valid_until__lt=day)
    if status == QuotationStatus.SENT:
        return Q(status=QuotationStatus.SENT, valid_until__gte=day)
    if status == "open":
        return Q(status=QuotationStatus.DRAFT) | Q(status=QuotationStatus.SENT, valid_until__gte=day)
    return Q(status=status)


# ---- lists and one quotation -------------------------------------------------------------------------------------


def quotation_list(
    *,
    q: str = "",
    status: str = "",
    customer_id: int | None = None,
    salesperson: str | int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    include_superseded: bool = False,
) -> QuerySet[Quotation]:
    """Quotations, newest first, each with its effective status as `state`. Superseded revisions only when asked
    for (or filtered by status)."""
    today = clock.today()
    qs = Quotation.objects.select_related("customer", "salesperson", "order", "next_revision").annotate(
        state=_state_expr(today)
    )
    if status:
        qs = qs.filter(status_q(status, today))
    elif not include_superseded:
        qs = qs.exclude(status=QuotationStatus.SUPERSEDED)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if salesperson:
        text = str(salesperson)
        qs = qs.filter(salesperson_id=int(text)) if text.isdigit() else qs.filter(salesperson__username=text)
    if date_from:
        qs = qs.filter(quote_date__gte=date_from)
    if date_to:
        qs = qs.filter(quote_date__lte=date_to)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(customer__code__icontains=q)
            | Q(customer__name__icontains=q)
            | Q(customer__name_en__icontains=q)
            | Q(lines__product__code__icontains=q)
        ).distinct()
    return qs.order_by("-quote_date", "-id")


def get_quotation(pk: int) -> Quotation:
    """One quotation with its header's relations (the lines: `lines_of`)."""
    found = (
        Quotation.objects.select_related(
            "customer", "contact", "salesperson", "order", "previous", "created_by", "next_revision"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("There is no quotation %(id)s.") % {"id": pk})
    found.state = effective_status(found.status, found.valid_until)
    return found


def lines_of(quotation: Quotation) -> list[QuotationLine]:
    """A quotation's lines with their product, materials, operations and breaks (four queries)."""
    return list(
        QuotationLine.objects.filter(quotation=quotation)
        .select_related("product")
        .prefetch_related(
            Prefetch("materials", queryset=QuotationMaterial.objects.select_related("material").order_by("position")),
            Prefetch(
                "operations", queryset=QuotationOperation.objects.select_related("work_centre").order_by("position")
            ),
            Prefetch("breaks", queryset=QuotationBreak.objects.order_by("quantity")),
        )
        .order_by("position", "id")
    )


def revisions_of(quotation: Quotation) -> list[Quotation]:
    """Every revision of the quotation's number, the first first."""
    return list(
        Quotation.objects.filter(base_number=quotation.base_number)
        .select_related("salesperson")
        .annotate(state=_state_expr(clock.today()))
        .order_by("revision")
    )


def quotations_of_customer(customer_id: int, *, limit: int = 10) -> list[Quotation]:
    """The customer's latest quotations (no superseded revision), for the customer file."""
    return list(quotation_list(customer_id=customer_id)[:limit])


def quotation_of_order(order_id: int) -> Quotation | None:
    return Quotation.objects.select_related("salesperson").filter(order_id=order_id).first()


def open_quotations_of(user: User) -> QuerySet[Quotation]:
    """The user's drafts and sent quotations still valid, the soonest to expire first."""
    today = clock.today()
    return (
        Quotation.objects.filter(salesperson=user)
        .filter(status_q("open", today))
        .select_related("customer")
        .annotate(state=_state_expr(today))
        .order_by("valid_until", "id")
    )


# ---- rates and prices --------------------------------------------------------------------------------------------


def exchange_rates() -> dict[str, Decimal]:
    """CNY per unit of each currency that has a rate today: this month's rate of core's monthly table, else the
    latest earlier month's (CNY itself is 1)."""
    return fx.current_rates()


def processing_rates(work_centre_ids: list[int] | None = None) -> dict[int, Decimal]:
    qs = ProcessingRate.objects.all()
    if work_centre_ids is not None:
        qs = qs.filter(work_centre_id__in=work_centre_ids)
    return dict(qs.values_list("work_centre_id", "hourly_rate"))


@dataclass(frozen=True)
class MaterialPrice:
    """A material's price per unit in CNY and where it comes from (`note` says which PO, when, in what currency)."""

    price: Decimal
    source: str
    note: str = ""


def _to_cny(
    amount: Decimal, currency: str, *, own_rate: Decimal | None, rates: dict[str, Decimal], quote: tuple[str, Decimal]
) -> Decimal | None:
    """`amount` in `currency` as CNY: at the document's own rate, else the quoting rate of the currency, else the
    quotation's rate when it is in that currency; None when no rate is known."""
    if currency == Currency.CNY:
        return Decimal(amount)
    rate = own_rate or rates.get(currency) or (quote[1] if quote[0] == currency else None)
    if not rate:
        return None
    return (Decimal(amount) * Decimal(rate)).quantize(Decimal("0.0001"))


def latest_material_prices(
    material_ids: list[int], *, currency: str = "CNY", fx_rate: Decimal = Decimal(1)
) -> dict[int, MaterialPrice]:
    """Each material's latest purchase price in CNY: the unit price of its most recent purchase-order line (the PO
    approved or later, the latest order date first), converted at the PO's rate if it has one, else at the quoting
    rate of its currency; else the material's own purchase price (converted the same way); else none.
    Two queries whatever the number of materials."""
    if not material_ids:
        return {}
    latest_line = (
        PurchaseOrderLine.objects.filter(
            material_id=OuterRef("pk"), purchase_order__status__in=PRICED_PO_STATUSES, unit_price__gt=0
        )
        .order_by("-purchase_order__order_date", "-purchase_order_id", "-id")
        .values("id")[:1]
    )
    materials = list(
        Material.objects.filter(pk__in=material_ids)
        .annotate(latest_line_id=Subquery(latest_line))
        .values("id", "purchase_price", "purchase_currency", "latest_line_id")
    )
    line_ids = [m["latest_line_id"] for m in materials if m["latest_line_id"]]
    lines = {
        line.pk: line
        for line in PurchaseOrderLine.objects.filter(pk__in=line_ids)
        .select_related("purchase_order")
        .only("id", "unit_price", "purchase_order__number", "purchase_order__currency", "purchase_order__order_date")
    }
    rates = exchange_rates()
    quote = (currency, Decimal(fx_rate))
    result: dict[int, MaterialPrice] = {}
    for m in materials:
        line = lines.get(m["latest_line_id"])
        if line is not None:
            po = line.purchase_order
            own = getattr(po, "fx_rate", None)  # a PO that carries its rate is converted at it
            cny = _to_cny(line.unit_price, po.currency, own_rate=own, rates=rates, quote=quote)
            if cny is not None:
                note = f"{po.number} · {po.order_date:%Y-%m-%d}"
                if po.currency != Currency.CNY:
                    note += f" · {po.currency} {line.unit_price.normalize():f}"
                result[m["id"]] = MaterialPrice(price=cny, source=PriceSource.PURCHASE, note=note)
                continue
        if m["purchase_price"] and m["purchase_price"] > 0:
            cny = _to_cny(m["purchase_price"], m["purchase_currency"], own_rate=None, rates=rates, quote=quote)
            if cny is not None:
                note = ""
                if m["purchase_currency"] != Currency.CNY:
                    note = f"{m['purchase_currency']} {m['purchase_price'].normalize():f}"
                result[m["id"]] = MaterialPrice(price=cny, source=PriceSource.MATERIAL, note=note)
                continue
        result[m["id"]] = MaterialPrice(price=ZERO, source=PriceSource.NONE)
    return result


# ---- the win-rate report -----------------------------------------------------------------------------------------


def report_period(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    """The report's period: default from the first of January to today."""
    today = clock.today()
    date_to = date_to or today
    date_from = date_from or dt.date(date_to.year, 1, 1)
    if date_from > date_to:
        raise ValidationError({"from": _("The period starts after it ends.")})
    return date_from, date_to


@dataclass
class ReportRow:
    """One customer's or salesperson's quotations in the period: counts, values in CNY, rates, lost reasons."""

    key: str
    label: str
    quoted: int = 0
    open: int = 0
    won: int = 0
    lost: int = 0
    expired: int = 0
    value_quoted: Decimal = ZERO
    value_won: Decimal = ZERO
    value_lost: Decimal = ZERO
    value_decided: Decimal = ZERO
    reasons: dict[str, int] | None = None

    @property
    def decided(self) -> int:
        return self.won + self.lost + self.expired

    @property
    def win_rate(self) -> Decimal | None:
        """Won ÷ decided (accepted, lost or expired), %; None while nothing is decided."""
        if not self.decided:
            return None
        return (Decimal(self.won) * 100 / self.decided).quantize(Decimal("0.1"))

    @property
    def value_win_rate(self) -> Decimal | None:
        if not self.value_decided:
            return None
        return (self.value_won * 100 / self.value_decided).quantize(Decimal("0.1"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "quoted": self.quoted,
            "open": self.open,
            "won": self.won,
            "lost": self.lost,
            "expired": self.expired,
            "decided": self.decided,
            "win_rate": self.win_rate,
            "value_quoted": self.value_quoted,
            "value_won": self.value_won,
            "value_lost": self.value_lost,
            "value_win_rate": self.value_win_rate,
            "lost_reasons": dict(self.reasons or {}),
        }


def _add(row: ReportRow, state: str, value: Decimal, reason: str) -> None:
    row.quoted += 1
    row.value_quoted += value
    if state == QuotationStatus.ACCEPTED:
        row.won += 1
        row.value_won += value
    elif state == QuotationStatus.LOST:
        row.lost += 1
        row.value_lost += value
        row.reasons = row.reasons or {}
        key = reason or LostReason.OTHER
        row.reasons[key] = row.reasons.get(key, 0) + 1
    elif state == QuotationStatus.EXPIRED:
        row.expired += 1
    else:
        row.open += 1
    if state in DECIDED_STATUSES:
        row.value_decided += value


def win_rate_report(*, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """Quotations dated in [date_from, date_to] that went to the customer (drafts and superseded revisions are left
    out: a revised quotation counts once, as its latest revision), per customer and per salesperson: how many were
    quoted, are open, won, lost, expired; the win rate (won ÷ decided) by count and by value; the values in CNY at
    each quotation's quoted rate; the lost reasons. One query."""
    today = clock.today()
    rows = (
        Quotation.objects.filter(quote_date__gte=date_from, quote_date__lte=date_to)
        .exclude(status__in=(QuotationStatus.DRAFT, QuotationStatus.SUPERSEDED))
        .annotate(state=_state_expr(today))
        .values(
            "state",
            "total_amount",
            "fx_rate",
            "lost_reason",
            "customer_id",
            "customer__code",
            "customer__name",
            "salesperson_id",
            "salesperson__username",
            "salesperson__first_name",
            "salesperson__last_name",
        )
        .order_by()
    )
    customers: dict[int, ReportRow] = {}
    people: dict[int, ReportRow] = {}
    total = ReportRow(key="", label=_("All"))
    reasons: dict[str, int] = defaultdict(int)
    for r in rows:
        value = (r["total_amount"] * r["fx_rate"]).quantize(Decimal("0.01"))
        cust = customers.setdefault(
            r["customer_id"], ReportRow(key=r["customer__code"], label=f"{r['customer__code']} {r['customer__name']}")
        )
        name = " ".join(p for p in (r["salesperson__first_name"], r["salesperson__last_name"]) if p)
        person = people.setdefault(
            r["salesperson_id"],
            ReportRow(
                key=r["salesperson__username"],
                label=f"{r['salesperson__username']}{f' · {name}' if name else ''}",
            ),
        )
        for row in (cust, person, total):
            _add(row, r["state"], value, r["lost_reason"])
        if r["state"] == QuotationStatus.LOST:
            reasons[r["lost_reason"] or LostReason.OTHER] += 1
    labels = dict(LostReason.choices)
    lost_total = sum(reasons.values())
    reason_rows = [
        {
            "reason": key,
            "label": str(labels.get(key, key)),
            "count": count,
            "pct": (Decimal(count) * 100 / lost_total).quantize(Decimal("0.1")) if lost_total else None,
        }
        for key, count in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    by_value = lambda row: (-row.value_quoted, row.key)  # noqa: E731
    return {
        "date_from": date_from,
        "date_to": date_to,
        "currency": Currency.CNY.value,
        "by_customer": sorted(customers.values(), key=by_value),
        "by_salesperson": sorted(people.values(), key=by_value),
        "totals": total,
        "lost_reasons": reason_rows,
    }


# ---- the chase list ----------------------------------------------------------------------------------------------


def _row(**kw: Any) -> Any:
    from gendan.followup.selectors import ChaseRow

    return ChaseRow(**kw)


def _chase_quotations(q: Any) -> list[Any]:
    """The user's sent quotations whose validity ends by the horizon's end (or has ended while the nightly job has
    not marked them yet): ask the customer for the answer, revise, or record it lost."""
    user, day, until, calendar = q.user, q.day, q.until, q.calendar
    rows = []
    quotations = (
        Quotation.objects.filter(salesperson=user, status=QuotationStatus.SENT, valid_until__lte=until)
        .select_related("customer")
        .order_by("valid_until", "pk")
    )
    for quotation in quotations:
        if quotation.valid_until < day:
            reason = _("%(number)s to %(customer)s expired on %(date)s without an answer: revise it or record it lost")
        else:
            reason = _("%(number)s to %(customer)s is valid until %(date)s: ask the customer for the answer")
        rows.append(
            _row(
                kind=QUOTATION,
                kind_label=_("Quotation"),
                document=quotation.number,
                order_id=None,
                order_number="",
                milestone_id=None,
                milestone_code=None,
                milestone_name="",
                due_date=quotation.valid_until,
                days_late=calendar.between(quotation.valid_until, day),
                reason=reason
                % {
                    "number": quotation.number,
                    "customer": quotation.customer.code,
                    "date": quotation.valid_until.isoformat(),
                },
                object_id=quotation.pk,
                url=reverse("quotations:detail", args=[quotation.pk]),
                customer=quotation.customer.code,
                tier=quotation.customer.tier,
                amount=quotation.total_amount,
                currency=quotation.currency,
            )
        )
    return rows


def register() -> None:
    from gendan.followup.selectors import register_chase_source

    register_chase_source(_chase_quotations)
