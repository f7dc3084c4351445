"""Verification of export proceeds (核销) and the export tax rebate (出口退税): reads and services.

Verification, per export declaration (报关单), in the declaration's currency (docs/guide/finance.md says the same):

* declared = Σ the declaration's customs lines' values;
* collected = what receipts allocated to the invoices of the declaration's shipment (their `paid_amount` less what
  credit notes settled: a credit note collects no foreign exchange), plus, per
  order, the share of the deposit deducted on those invoices that the order's deposit invoices have collected:
  round(deposit deducted on this shipment × deposit paid ÷ deposit invoiced), rounded per currency. Only invoices in
  the declaration's currency count; cancelled invoices do not;
* open = declared − collected, never below 0; the status is computed: collected when nothing is open, open when
  nothing was collected, else partly collected.

Export tax rebate:

* rate of a customs line: among the `RebateRate` rows valid on the declaration date (valid_from ≤ that day) whose
  HS prefix starts the line's HS code, the longest prefix wins, then the latest valid_from; no such row: 0 %;
* a `VatMatch` says which purchase VAT invoice covers which customs line: `amount` (CNY, part of the VAT invoice's
  amount excluding VAT) and `line_value` (the part of the line's value it covers, declaration currency). The matches
  of a VAT invoice never add up to more than its amount excluding VAT, nor those of a line to more than its value;
* rebate of a declaration = ROUND_HALF_UP(Σ over its matches of amount × min(line's rebate rate, the VAT invoice's
  VAT rate) ÷ 100, CNY 0.01) — rounded once per declaration. The rebate rate is capped at the VAT rate (no more can
  be refunded than was charged), so the rebate never exceeds the matched VAT = ROUND_HALF_UP(Σ amount × VAT rate ÷
  100) nor the matched amount × the highest rate;
* a `RebateClaim` goes draft → filed (the computed rebate is claimed) → approved (the amount the tax office approves;
  a reason when it differs from the amount claimed) → received (a reason when it differs from the approved). Any
  other step is refused (409). Once filed, the declaration's matches no longer change.
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from gendan.core import audit, clock
from gendan.core.choices import AuditAction
from gendan.core.editing import check_version
from gendan.core.exceptions import NotFound, TransitionNotAllowed, ValidationError
from gendan.core.models import User
from gendan.core.money import round_money
from gendan.core.templatetags.gendan_tags import money
from gendan.finance.choices import CLAIM_NEXT, ClaimStatus, InvoiceKind, InvoiceStatus, LineKind, VerificationStatus
from gendan.finance.models import (
    Allocation,
    Invoice,
    InvoiceLine,
    PurchaseVatInvoice,
    RebateClaim,
    RebateRate,
    VatMatch,
)
from gendan.finance.services import _amount, _date, _Errors
from gendan.partners.models import Supplier
from gendan.shipping.models import CustomsDeclaration, CustomsLine

ZERO = Decimal(0)
CENT = Decimal("0.01")
HS_PREFIX = re.compile(r"^\d{2,10}$")


# ---- verification (核销) -------------------------------------------------------------------------------------------


@dataclass
class Verification:
    declaration: CustomsDeclaration
    currency: str
    declared: Decimal
    collected_invoices: Decimal
    collected_deposits: Decimal

    @property
    def collected(self) -> Decimal:
        return self.collected_invoices + self.collected_deposits

    @property
    def open_amount(self) -> Decimal:
        return max(self.declared - self.collected, ZERO)

    @property
    def status(self) -> str:
        if self.open_amount == 0:
            return VerificationStatus.COLLECTED
        if self.collected == 0:
            return VerificationStatus.OPEN
        return VerificationStatus.PARTLY

    @property
    def status_label(self) -> str:
        return str(VerificationStatus(self.status).label)


def declarations(
    *, customer_id: int | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None, q: str = ""
) -> QuerySet[CustomsDeclaration]:
    qs = CustomsDeclaration.objects.select_related("shipment__customer")
    if customer_id:
        qs = qs.filter(shipment__customer_id=customer_id)
    if date_from:
        qs = qs.filter(declaration_date__gte=date_from)
    if date_to:
        qs = qs.filter(declaration_date__lte=date_to)
    if q:
        qs = qs.filter(Q(declaration_no__icontains=q) | Q(shipment__number__icontains=q))
    return qs.order_by("-declaration_date", "-id")


def verifications(decls: Iterable[CustomsDeclaration], *, open_only: bool = False) -> list[Verification]:
    """The verification of each declaration, in a constant number of queries."""
    decls = list(decls)
    ids = [d.pk for d in decls]
    shipment_ids = [d.shipment_id for d in decls]
    declared = dict(
        CustomsLine.objects.filter(declaration_id__in=ids)
        .values_list("declaration_id")
        .annotate(total=Sum("value"))
        .values_list("declaration_id", "total")
    )
    live = Invoice.objects.exclude(status=InvoiceStatus.CANCELLED)
    paid: dict[tuple[int, str], Decimal] = {
        (r["shipment_id"], r["currency"]): r["paid"]
        for r in live.filter(shipment_id__in=shipment_ids)
        .values("shipment_id", "currency")
        .annotate(paid=Sum("paid_amount"))
    }
    # a credit note settles an invoice but collects no foreign exchange
    for r in (
        Allocation.objects.filter(credit_note__isnull=False, invoice__shipment_id__in=shipment_ids, invoice__in=live)
        .values("invoice__shipment_id", "invoice__currency")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        key = (r["invoice__shipment_id"], r["invoice__currency"])
        paid[key] = (paid.get(key) or ZERO) - r["total"]
    deducted = list(
        InvoiceLine.objects.filter(invoice__shipment_id__in=shipment_ids, kind=LineKind.DEPOSIT_DEDUCTION)
        .exclude(invoice__status=InvoiceStatus.CANCELLED)
        .values("invoice__shipment_id", "invoice__currency", "order_id")
        .annotate(total=Sum("amount"))
    )
    deposit_orders = {r["order_id"] for r in deducted}
    credited = {
        (r["invoice__order_id"], r["invoice__currency"]): r["total"]
        for r in Allocation.objects.filter(
            credit_note__isnull=False,
            invoice__in=live.filter(kind=InvoiceKind.DEPOSIT, order_id__in=deposit_orders),
        )
        .values("invoice__order_id", "invoice__currency")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    deposits = {
        (r["order_id"], r["currency"]): (r["amount"], r["paid"] - credited.get((r["order_id"], r["currency"]), ZERO))
        for r in live.filter(kind=InvoiceKind.DEPOSIT, order_id__in=deposit_orders)
        .values("order_id", "currency")
        .annotate(amount=Sum("amount"), paid=Sum("paid_amount"))
    }
    deposit_share: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for r in deducted:
        currency = r["invoice__currency"]
        invoiced, deposit_paid = deposits.get((r["order_id"], currency), (ZERO, ZERO))
        if invoiced and r["total"]:
            share = round_money(-r["total"] * deposit_paid / invoiced, currency)
            deposit_share[(r["invoice__shipment_id"], currency)] += share
    result = []
    for d in decls:
        v = Verification(
            declaration=d,
            currency=d.currency,
            declared=round_money(declared.get(d.pk) or ZERO, d.currency),
            collected_invoices=round_money(paid.get((d.shipment_id, d.currency)) or ZERO, d.currency),
            collected_deposits=deposit_share.get((d.shipment_id, d.currency), ZERO),
        )
        if not open_only or v.status != VerificationStatus.COLLECTED:
            result.append(v)
    return result


def verification(declaration_id: int) -> Verification:
    found = declarations().filter(pk=declaration_id).first()
    if found is None:
        raise NotFound(_("There is no customs declaration %(id)s.") % {"id": declaration_id})
    return verifications([found])[0]


def verification_totals(rows: Iterable[Verification]) -> list[dict[str, Any]]:
    totals: dict[str, dict[str, Any]] = {}
    for v in rows:
        t = totals.setdefault(v.currency, {"currency": v.currency, "count": 0, "declared": ZERO, "collected": ZERO})
        t["count"] += 1
        t["declared"] += v.declared
        t["collected"] += v.collected
    for t in totals.values():
        t["open"] = max(t["declared"] - t["collected"], ZERO)
    return [totals[c] for c in sorted(totals)]


# ---- rebate rates ---------------------------------------------------------------------------------------------------


def pick_rate(rates: Iterable[RebateRate], hs_code: str, day: dt.date) -> RebateRate | None:
    """The rate of `hs_code` on `day`: the longest matching prefix valid on that day, then the latest valid_from."""
    best = None
    for r in rates:
        if r.valid_from <= day and hs_code.startswith(r.hs_prefix):
            if best is None or (len(r.hs_prefix), r.valid_from) > (len(best.hs_prefix), best.valid_from):
                best = r
    return best


def rate_for(hs_code: str, day: dt.date) -> RebateRate | None:
    return pick_rate(RebateRate.objects.filter(valid_from__lte=day), hs_code, day)


def rebate_rates() -> QuerySet[RebateRate]:
    return RebateRate.objects.order_by("hs_prefix", "-valid_from")


def _pct(value: Any, name: str, errors: _Errors) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite() or number < 0 or number > 100:
        errors.add(name, _("Enter a percentage between 0 and 100."))
        return None
    if number != number.quantize(CENT):
        errors.add(name, _("A percentage has at most 2 decimals."))
        return None
    return number.quantize(CENT)


RATE_AUDITED = ["hs_prefix", "rate_pct", "valid_from", "notes"]


def _rate_values(data: dict[str, Any], errors: _Errors, *, current: RebateRate | None = None) -> dict[str, Any]:
    prefix = str(data.get("hs_prefix") or "").strip().replace(".", "").replace(" ", "")
    if not HS_PREFIX.match(prefix):
        errors.add("hs_prefix", _("An HS code or prefix is 2 to 10 digits."))
    rate = _pct(data.get("rate_pct"), "rate_pct", errors)
    valid_from = _date(data.get("valid_from"), "valid_from", errors)
    same = RebateRate.objects.filter(hs_prefix=prefix, valid_from=valid_from)
    if current is not None:
        same = same.exclude(pk=current.pk)
    if prefix and valid_from and same.exists():
        errors.add("valid_from", _("%(p)s already has a rate from that day.") % {"p": prefix})
    return {
        "hs_prefix": prefix,
        "rate_pct": rate,
        "valid_from": valid_from,
        "notes": str(data.get("notes") or "").strip()[:200],
    }


@transaction.atomic
def create_rebate_rate(*, by: User, data: dict[str, Any]) -> RebateRate:
    errors = _Errors()
    values = _rate_values(data, errors)
    errors.raise_if_any()
    created = RebateRate.objects.create(**values)
    audit.record_create(instance=created, by=by, fields=RATE_AUDITED)
    return created


@transaction.atomic
def update_rebate_rate(*, rate: RebateRate, by: User, data: dict[str, Any], version: Any = None) -> RebateRate:
    """Correct a rate (fields not given keep their value). Declarations whose claim is not filed yet compute their
    rebate with it from now on; a filed claim keeps the amount it claimed."""
    locked = RebateRate.objects.select_for_update().get(pk=rate.pk)
    check_version(locked, version)
    errors = _Errors()
    merged = {k: data[k] if k in data and data[k] is not None else getattr(locked, k) for k in RATE_AUDITED}
    values = _rate_values(merged, errors, current=locked)
    errors.raise_if_any()
    before = audit.snapshot(locked, RATE_AUDITED)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.save()
    audit.record(
        instance=locked,
        action=AuditAction.UPDATE,
        by=by,
        changes=audit.diff(before, audit.snapshot(locked, RATE_AUDITED)),
    )
    return locked


@transaction.atomic
def delete_rebate_rate(*, rate: RebateRate, by: User) -> None:
    audit.record(instance=rate, action=AuditAction.DELETE, by=by, message=str(rate))
    rate.delete()


# ---- purchase VAT invoices ------------------------------------------------------------------------------------------


def vat_invoices(*, supplier_id: int | None = None, q: str = "") -> QuerySet[PurchaseVatInvoice]:
    qs = PurchaseVatInvoice.objects.select_related("supplier").annotate(matched=Sum("matches__amount"))
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    if q:
        qs = qs.filter(Q(invoice_no__icontains=q) | Q(description__icontains=q) | Q(hs_code__startswith=q))
    return qs.order_by("-invoice_date", "-id")


VAT_AUDITED = ["supplier", "invoice_no", "invoice_date", "amount", "vat_amount", "vat_rate", "hs_code", "description"]


def _vat_values(data: dict[str, Any], errors: _Errors, *, current: PurchaseVatInvoice | None = None) -> dict[str, Any]:
    supplier = (
        Supplier.objects.filter(pk=data.get("supplier_id") or 0).first()
        if str(data.get("supplier_id") or "").isdigit()
        else None
    )
    if supplier is None:
        errors.add("supplier_id", _("Choose a supplier."))
    number = str(data.get("invoice_no") or "").strip()
    same = PurchaseVatInvoice.objects.filter(supplier=supplier, invoice_no=number)
    if current is not None:
        same = same.exclude(pk=current.pk)
    if not number or len(number) > 30:
        errors.add("invoice_no", _("Enter the VAT invoice number (at most 30 characters)."))
    elif supplier and same.exists():
        errors.add("invoice_no", _("This supplier's invoice %(n)s is recorded already.") % {"n": number})
    day = _date(data.get("invoice_date"), "invoice_date", errors)
    amount = _amount(data.get("amount"), "CNY", "amount", errors)
    vat = _amount(data.get("vat_amount"), "CNY", "vat_amount", errors, allow_zero=True)
    rate = _pct(data.get("vat_rate"), "vat_rate", errors)
    hs = str(data.get("hs_code") or "").strip()
    if hs and not HS_PREFIX.match(hs):
        errors.add("hs_code", _("An HS code or prefix is 2 to 10 digits."))
    return {
        "supplier": supplier,
        "invoice_no": number,
        "invoice_date": day,
        "amount": amount,
        "vat_amount": vat,
        "vat_rate": rate,
        "hs_code": hs,
        "description": str(data.get("description") or "").strip()[:200],
    }


@transaction.atomic
def create_vat_invoice(*, by: User, data: dict[str, Any]) -> PurchaseVatInvoice:
    errors = _Errors()
    values = _vat_values(data, errors)
    errors.raise_if_any()
    created = PurchaseVatInvoice.objects.create(**values, created_by=by)
    audit.record_create(instance=created, by=by, fields=VAT_AUDITED[:6])
    return created


@transaction.atomic
def update_vat_invoice(
    *, invoice: PurchaseVatInvoice, by: User, data: dict[str, Any], version: Any = None
) -> PurchaseVatInvoice:
    """Correct a purchase VAT invoice (fields not given keep their value). Its amount cannot fall below what is
    matched to customs lines; once a claim using it is filed, its amount and VAT rate no longer change."""
    locked = PurchaseVatInvoice.objects.select_for_update().get(pk=invoice.pk)
    check_version(locked, version)
    errors = _Errors()
    current = {
        "supplier_id": locked.supplier_id,
        **{k: getattr(locked, k) for k in VAT_AUDITED if k != "supplier"},
    }
    merged = {k: data[k] if k in data and data[k] is not None else v for k, v in current.items()}
    values = _vat_values(merged, errors, current=locked)
    matched = VatMatch.objects.filter(vat_invoice=locked).aggregate(total=Sum("amount"))["total"] or ZERO
    if values["amount"] is not None and values["amount"] < matched:
        errors.add(
            "amount",
            _("%(matched)s of it is matched to customs lines: the amount cannot be less.")
            % {"matched": money(matched, "CNY")},
        )
    claimed = (
        VatMatch.objects.filter(vat_invoice=locked, customs_line__declaration__rebate_claim__isnull=False)
        .exclude(customs_line__declaration__rebate_claim__status=ClaimStatus.DRAFT)
        .exists()
    )
    if claimed and (values["amount"] != locked.amount or values["vat_rate"] != locked.vat_rate):
        errors.add("amount", _("A filed rebate claim uses this invoice: its amount and VAT rate stay as claimed."))
    errors.raise_if_any()
    before = audit.snapshot(locked, VAT_AUDITED)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.save()
    audit.record(
        instance=locked,
        action=AuditAction.UPDATE,
        by=by,
        changes=audit.diff(before, audit.snapshot(locked, VAT_AUDITED)),
    )
    return locked


# ---- the rebate of a declaration ----------------------------------------------------------------------------------


@dataclass
class RebateLine:
    line: CustomsLine
    rate: RebateRate | None
    matches: list[VatMatch] = field(default_factory=list)

    @property
    def rate_pct(self) -> Decimal:
        return self.rate.rate_pct if self.rate else ZERO

    @property
    def matched_amount(self) -> Decimal:
        return sum((m.amount for m in self.matches), ZERO)

    @property
    def matched_value(self) -> Decimal:
        return sum((m.line_value for m in self.matches), ZERO)


@dataclass
class Rebate:
    declaration: CustomsDeclaration
    lines: list[RebateLine]

    @property
    def matches(self) -> list[VatMatch]:
        return [m for rl in self.lines for m in rl.matches]

    @property
    def matched_amount(self) -> Decimal:
        return sum((m.amount for m in self.matches), ZERO)

    @property
    def matched_vat(self) -> Decimal:
        return rebate_amount((m.amount, m.vat_invoice.vat_rate, m.vat_invoice.vat_rate) for m in self.matches)

    @property
    def amount(self) -> Decimal:
        return rebate_amount((m.amount, rl.rate_pct, m.vat_invoice.vat_rate) for rl in self.lines for m in rl.matches)


def rebate_amount(parts: Iterable[tuple[Decimal, Decimal, Decimal]]) -> Decimal:
    """ROUND_HALF_UP(Σ amount × min(rebate rate, VAT rate) ÷ 100, 0.01): parts are (amount, rebate %, VAT %)."""
    total = sum((amount * min(rate, vat_rate) for amount, rate, vat_rate in parts), ZERO)
    return (total / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def rebates(decls: Iterable[CustomsDeclaration]) -> dict[int, Rebate]:
    """The rebate of each declaration (lines, rates, matches) in a constant number of queries."""
    decls = list(decls)
    lines: dict[int, list[RebateLine]] = defaultdict(list)
    by_line: dict[int, RebateLine] = {}
    rates = list(RebateRate.objects.all())
    days = {d.pk: d.declaration_date or clock.today() for d in decls}
    for line in CustomsLine.objects.filter(declaration__in=[d.pk for d in decls]).order_by("declaration", "position"):
        rl = RebateLine(line=line, rate=pick_rate(rates, line.hs_code, days[line.declaration_id]))
        lines[line.declaration_id].append(rl)
        by_line[line.pk] = rl
    for m in VatMatch.objects.filter(customs_line_id__in=by_line).select_related("vat_invoice__supplier"):
        by_line[m.customs_line_id].matches.append(m)
    return {d.pk: Rebate(declaration=d, lines=lines[d.pk]) for d in decls}


def rebate_of(declaration: CustomsDeclaration) -> Rebate:
    return rebates([declaration])[declaration.pk]


def declaration(declaration_id: Any) -> CustomsDeclaration:
    found = declarations().filter(pk=declaration_id).first() if str(declaration_id or "").isdigit() else None
    if found is None:
        raise NotFound(_("There is no customs declaration %(id)s.") % {"id": declaration_id})
    return found


def _refuse_if_claimed(declaration_id: int) -> None:
    claim = RebateClaim.objects.filter(declaration_id=declaration_id).first()
    if claim is not None and claim.status != ClaimStatus.DRAFT:
        raise TransitionNotAllowed(
            _("The rebate of this declaration is %(status)s: its VAT invoice matches no longer change.")
            % {"status": claim.get_status_display()}
        )


@transaction.atomic
def match_vat(*, declaration: CustomsDeclaration, by: User, rows: list[dict[str, Any]]) -> list[VatMatch]:
    """Match VAT invoices to the declaration's lines, all rows or none: each row names `vat_invoice_id`,
    `customs_line_id`, `amount` (CNY excluding VAT) and `line_value` (declaration currency, default: what is left
    of the line). The matches of an invoice never exceed its amount, those of a line never its value."""
    _refuse_if_claimed(declaration.pk)
    errors = _Errors()
    if not rows:
        raise ValidationError({"rows": _("Match at least one VAT invoice.")})
    line_ids = {int(r["customs_line_id"]) for r in rows if str(r.get("customs_line_id") or "").isdigit()}
    invoice_ids = {int(r["vat_invoice_id"]) for r in rows if str(r.get("vat_invoice_id") or "").isdigit()}
    lines = {
        cl.pk: cl for cl in CustomsLine.objects.select_for_update().filter(declaration=declaration, pk__in=line_ids)
    }
    invoices = {i.pk: i for i in PurchaseVatInvoice.objects.select_for_update().filter(pk__in=invoice_ids)}
    used_invoice: dict[int, Decimal] = defaultdict(Decimal)
    for r in VatMatch.objects.filter(vat_invoice_id__in=invoices).values("vat_invoice_id").annotate(t=Sum("amount")):
        used_invoice[r["vat_invoice_id"]] = r["t"]
    used_line: dict[int, Decimal] = defaultdict(Decimal)
    for r in VatMatch.objects.filter(customs_line_id__in=lines).values("customs_line_id").annotate(t=Sum("line_value")):
        used_line[r["customs_line_id"]] = r["t"]
    new = []
    for n, row in enumerate(rows):
        where = f"rows.{n}."
        invoice = invoices.get(int(row["vat_invoice_id"])) if str(row.get("vat_invoice_id") or "").isdigit() else None
        line = lines.get(int(row["customs_line_id"])) if str(row.get("customs_line_id") or "").isdigit() else None
        if invoice is None:
            errors.add(f"{where}vat_invoice_id", _("Choose a recorded VAT invoice."))
        if line is None:
            errors.add(f"{where}customs_line_id", _("Choose a line of this declaration."))
        amount = _amount(row.get("amount"), "CNY", f"{where}amount", errors)
        if line is not None and row.get("line_value") in (None, ""):
            value: Decimal | None = max(line.value - used_line[line.pk], ZERO)
            if not value:
                errors.add(f"{where}line_value", _("Line %(p)s has no value left to cover.") % {"p": line.position})
                value = None
        else:
            value = _amount(row.get("line_value"), declaration.currency, f"{where}line_value", errors)
        if invoice is None or line is None or amount is None or value is None:
            continue
        used_invoice[invoice.pk] += amount
        used_line[line.pk] += value
        if used_invoice[invoice.pk] > invoice.amount:
            errors.add(
                f"{where}amount",
                _("VAT invoice %(n)s has only %(a)s excluding VAT to match.")
                % {"n": invoice.invoice_no, "a": money(invoice.amount - used_invoice[invoice.pk] + amount, "CNY")},
            )
        if used_line[line.pk] > line.value:
            errors.add(
                f"{where}line_value",
                _("Line %(p)s has only %(v)s of its value left to cover.")
                % {"p": line.position, "v": money(line.value - used_line[line.pk] + value, declaration.currency)},
            )
        new.append(VatMatch(vat_invoice=invoice, customs_line=line, amount=amount, line_value=value, created_by=by))
    errors.raise_if_any()
    created = VatMatch.objects.bulk_create(new)
    for m in created:
        audit.record_create(instance=m, by=by, fields=["vat_invoice", "customs_line", "amount", "line_value"])
    return created


@transaction.atomic
def unmatch_vat(*, match: VatMatch, by: User) -> None:
    _refuse_if_claimed(match.customs_line.declaration_id)
    audit.record(instance=match, action=AuditAction.DELETE, by=by, message=str(match))
    match.delete()


# ---- rebate claims ------------------------------------------------------------------------------------------------


def claims(*, status: str = "", date_from: dt.date | None = None, date_to: dt.date | None = None) -> QuerySet:
    qs = RebateClaim.objects.select_related("declaration__shipment__customer")
    if status:
        qs = qs.filter(status=status)
    if date_from:
        qs = qs.filter(declaration__declaration_date__gte=date_from)
    if date_to:
        qs = qs.filter(declaration__declaration_date__lte=date_to)
    return qs.order_by("-id")


def with_computed(claims: list[RebateClaim]) -> list[RebateClaim]:
    """The claims, each with `computed`: the rebate its declaration's matches give now (one pass for all)."""
    computed = rebates([c.declaration for c in claims])
    for c in claims:
        c.computed = computed[c.declaration_id].amount
    return claims


def claim(claim_id: Any) -> RebateClaim:
    found = claims().filter(pk=claim_id).first() if str(claim_id or "").isdigit() else None
    if found is None:
        raise NotFound(_("There is no tax rebate claim %(id)s.") % {"id": claim_id})
    return found


@transaction.atomic
def create_claim(*, declaration: CustomsDeclaration, by: User, notes: str = "") -> RebateClaim:
    if RebateClaim.objects.filter(declaration=declaration).exists():
        raise TransitionNotAllowed(_("This declaration has a tax rebate claim already."))
    if declaration.declaration_date is None:
        raise ValidationError({"declaration_id": _("The declaration has no declaration date yet.")})
    created = RebateClaim.objects.create(declaration=declaration, notes=(notes or "").strip(), created_by=by)
    audit.record_create(instance=created, by=by, fields=["declaration", "status"], related=declaration)
    return created


def _lock(found: RebateClaim, expected: str, version: int | None) -> RebateClaim:
    locked = RebateClaim.objects.select_for_update().select_related("declaration").get(pk=found.pk)
    check_version(locked, version)
    if locked.status != expected:
        raise TransitionNotAllowed(
            _("The claim is %(status)s: it cannot be %(step)s now.")
            % {"status": locked.get_status_display(), "step": ClaimStatus(_next(expected)).label.lower()}
        )
    return locked


def _next(status: str) -> str:
    return CLAIM_NEXT[status]


def _step_date(value: Any, name: str, after: dt.date | None, errors: _Errors) -> dt.date | None:
    day = _date(value or clock.today(), name, errors)
    if day and day > clock.today():
        errors.add(name, _("The date cannot be in the future."))
    elif day and after and day < after:
        errors.add(name, _("The date cannot be before %(d)s.") % {"d": after.isoformat()})
    return day


def _save(c: RebateClaim, by: User, old: str, fields: list[str], message: str = "") -> RebateClaim:
    c.version += 1
    c.save(update_fields=[*fields, "status", "version", "updated_at"])
    audit.record(
        instance=c,
        action=AuditAction.TRANSITION,
        by=by,
        changes={"status": [old, c.status], **{f: [None, getattr(c, f)] for f in fields}},
        message=message,
    )
    return c


@transaction.atomic
def file_claim(*, claim: RebateClaim, by: User, data: dict[str, Any], version: int | None = None) -> RebateClaim:
    """File the claim: the amount claimed is the rebate computed from the matches now."""
    c = _lock(claim, ClaimStatus.DRAFT, version)
    errors = _Errors()
    day = _step_date(data.get("date"), "date", c.declaration.declaration_date, errors)
    amount = rebate_of(c.declaration).amount
    if amount <= 0:
        errors.add("__all__", _("Nothing to claim: match VAT invoices to lines with a rebate rate first."))
    errors.raise_if_any()
    c.status, c.filed_date, c.filed_amount = ClaimStatus.FILED, day, amount
    return _save(c, by, ClaimStatus.DRAFT, ["filed_date", "filed_amount"])


@transaction.atomic
def approve_claim(*, claim: RebateClaim, by: User, data: dict[str, Any], version: int | None = None) -> RebateClaim:
    """The tax office approved `amount` (default: the amount claimed); a reason when it differs."""
    c = _lock(claim, ClaimStatus.FILED, version)
    errors = _Errors()
    day = _step_date(data.get("date"), "date", c.filed_date, errors)
    raw = data.get("amount")
    amount = c.filed_amount if raw in (None, "") else _amount(raw, "CNY", "amount", errors, allow_zero=True)
    reason = str(data.get("reason") or "").strip()
    if amount is not None and amount != c.filed_amount and not reason:
        errors.add("reason", _("Say why the approved amount differs from the amount claimed."))
    errors.raise_if_any()
    c.status, c.approved_date, c.approved_amount, c.approved_reason = ClaimStatus.APPROVED, day, amount, reason
    return _save(c, by, ClaimStatus.FILED, ["approved_date", "approved_amount", "approved_reason"], reason)


@transaction.atomic
def receive_claim(*, claim: RebateClaim, by: User, data: dict[str, Any], version: int | None = None) -> RebateClaim:
    """The rebate arrived: `amount` (default: the approved amount); a reason when it differs."""
    c = _lock(claim, ClaimStatus.APPROVED, version)
    errors = _Errors()
    day = _step_date(data.get("date"), "date", c.approved_date, errors)
    raw = data.get("amount")
    amount = c.approved_amount if raw in (None, "") else _amount(raw, "CNY", "amount", errors, allow_zero=True)
    reason = str(data.get("reason") or "").strip()
    if amount is not None and amount != c.approved_amount and not reason:
        errors.add("reason", _("Say why the amount received differs from the approved amount."))
    errors.raise_if_any()
    c.status, c.received_date, c.received_amount, c.received_reason = ClaimStatus.RECEIVED, day, amount, reason
    return _save(c, by, ClaimStatus.APPROVED, ["received_date", "received_amount", "received_reason"], reason)


STEPS = {"file": file_claim, "approve": approve_claim, "receive": receive_claim}


def pending(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> dict[str, Any]:
    """Rebates pending for declarations dated in the period: claims filed or approved and not received (the amount
    expected: approved, else claimed), and declarations with no claim yet (the rebate computed now)."""
    waiting = list(
        claims(date_from=date_from, date_to=date_to).filter(status__in=[ClaimStatus.FILED, ClaimStatus.APPROVED])
    )
    unclaimed = list(
        declarations(date_from=date_from, date_to=date_to).filter(
            rebate_claim__isnull=True, declaration_date__isnull=False
        )
    )
    computed = rebates(unclaimed)
    rows = [
        {
            "declaration": c.declaration,
            "claim": c,
            "status": c.status,
            "amount": c.approved_amount if c.status == ClaimStatus.APPROVED else c.filed_amount,
        }
        for c in waiting
    ] + [{"declaration": d, "claim": None, "status": "", "amount": computed[d.pk].amount} for d in unclaimed]
    return {
        "date_from": date_from,
        "date_to": date_to,
        "rows": rows,
        "total_claimed": sum((r["amount"] for r in rows if r["claim"]), ZERO),
        "total_unclaimed": sum((r["amount"] for r in rows if not r["claim"]), ZERO),
    }
