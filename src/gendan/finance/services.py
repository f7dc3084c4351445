"""Finance services: payment terms kept as data, invoices raised from the order's confirmation (deposits) and from
the shipment's departure (the goods, one invoice per due part), manual invoices for other charges, receipts of
payment allocated to invoices (the rest stays as the customer's credit) and the "payment received" milestone.

Rules (the guide, docs/guide/finance.md, says the same for users):

* An order's term is its own (`OrderTerms`), else its customer's (`CustomerTerms`), else the setting
  `GENDAN_DEFAULT_PAYMENT_TERM` (a term code), else 100 % against copy B/L. Confirming the order fixes its term: the
  customer's is copied onto the order, so a later change of the customer's default does not move confirmed orders.
* Deposit invoice: at confirmation, each deposit part's share of the order total (split exactly, per currency).
* Shipment invoices, when the shipment departs: per order in the shipment, the goods value S = Σ shipped quantity ×
  the order line's unit price (rounded once per order); the deposit deducted is cumulative — round(deposit invoiced ×
  goods invoiced so far including this shipment ÷ order total) − deposit already deducted, never more than the
  deposit left nor than S — so the whole deposit is used up exactly when the whole order has shipped. S and the
  deduction are shared among the term's other parts in proportion to their shares; the parts of every order with the
  same rule, days and currency make one invoice (goods lines and "less deposit" lines per order).
* Due dates come from `gendan.finance.terms.due_date`; when the B/L date is recorded, the due dates of the shipment's
  unpaid invoices whose rule follows the B/L move.
* Receipts: `amount` is what the customer paid and what settles invoices; the bank charges were deducted on the way
  (net credited = amount − charges). Allocations lock the receipt and the invoices (select_for_update) and refuse,
  with nothing written, an allocation above an invoice's open amount or above what is left of the receipt.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.core import audit, clock
from gendan.core.choices import AuditAction
from gendan.core.editing import check_version
from gendan.core.exceptions import NotFound, TransitionNotAllowed, ValidationError
from gendan.core.models import User
from gendan.core.money import Currency, places, round_money
from gendan.core.numbering import next_number
from gendan.core.templatetags.gendan_tags import money
from gendan.finance import terms
from gendan.finance.choices import (
    BL_RULES,
    OPEN_STATUSES,
    CreditNoteStatus,
    DueBasis,
    DueRule,
    InvoiceKind,
    InvoiceStatus,
    LineKind,
)
from gendan.finance.models import (
    Allocation,
    CreditNote,
    CustomerTerms,
    FxSettlement,
    Invoice,
    InvoiceLine,
    OrderTerms,
    PaymentTerm,
    PaymentTermPart,
    Receipt,
)
from gendan.partners.models import Customer
from gendan.sales.models import Order
from gendan.shipping.models import Shipment

INVOICE_PREFIX = "INV"
RECEIPT_PREFIX = "RC"
FALLBACK_PARTS = (terms.Part(Decimal(100), DueRule.COPY_BL, 0),)
INVOICE_FIELDS = ["number", "kind", "customer", "order", "shipment", "currency", "amount", "issue_date", "due_date"]
RECEIPT_FIELDS = ["number", "customer", "currency", "amount", "bank_charges", "fx_rate", "received_date", "reference"]


class _Errors(dict):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


def payment_milestone() -> str:
    return getattr(settings, "GENDAN_PAYMENT_MILESTONE", "PAY")


# ---- input helpers ------------------------------------------------------------------------------------------------


def _amount(value: Any, currency: str, field: str, errors: _Errors, *, allow_zero: bool = False) -> Decimal | None:
    """A money amount as typed: a number with no more decimals than the currency has (never rounded silently)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_zero:
            return Decimal(0)
        errors.add(field, _("This field is required."))
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "")) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        errors.add(field, _("“%(v)s” is not a number.") % {"v": value})
        return None
    if not number.is_finite():
        errors.add(field, _("“%(v)s” is not a number.") % {"v": value})
        return None
    if number != round_money(number, currency or "USD"):
        errors.add(
            field,
            _("%(currency)s amounts have at most %(n)s decimals.") % {"currency": currency, "n": places(currency)},
        )
        return None
    if number < 0 or (number == 0 and not allow_zero):
        errors.add(field, _("Enter an amount above 0.") if not allow_zero else _("Enter an amount of 0 or more."))
        return None
    if number >= Decimal("1e13"):
        errors.add(field, _("This amount is too large."))
        return None
    return round_money(number, currency)


def _date(value: Any, field: str, errors: _Errors, *, required: bool = True) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if value in (None, ""):
        if required:
            errors.add(field, _("This field is required."))
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.add(field, _("“%(v)s” is not a date (YYYY-MM-DD).") % {"v": value})
        return None


def _currency(value: Any, errors: _Errors, field: str = "currency") -> str:
    code = str(value or "").strip().upper()
    if code not in Currency.values:
        errors.add(field, _("“%(v)s” is not a currency Gendan knows.") % {"v": value})
        return ""
    return code


# ---- payment terms ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermSpec:
    """An order's term as the arithmetic needs it."""

    name: str
    parts: tuple[terms.Part, ...]
    term_id: int | None = None


def _spec(term: PaymentTerm | None) -> TermSpec:
    if term is None:
        return TermSpec(name=_("100% against copy B/L (no payment term set)"), parts=FALLBACK_PARTS)
    parts = tuple(terms.Part(p.share_pct, p.rule, p.days) for p in term.parts.all())
    return TermSpec(name=term_label(term), parts=parts or FALLBACK_PARTS, term_id=term.pk)


def term_label(term: PaymentTerm) -> str:
    from django.utils import translation

    lang = translation.get_language() or "zh-hans"
    return f"{term.code} {term.name_en if lang.startswith('en') and term.name_en else term.name}"


# The payment terms every export business starts with (付款方式): code, Chinese name, English name, parts as
# (share %, rule, days). Migration 0002 creates them; `ensure_default_terms` puts back any that are missing.
DEFAULT_TERMS = [
    (
        "TT30-70BL",
        "T/T 30%订金，70%见提单副本",
        "T/T 30% deposit, 70% against copy B/L",
        [("30", "deposit", 7), ("70", "copy_bl", 0)],
    ),
    (
        "TT30-70BS",
        "T/T 30%订金，70%出货前付清",
        "T/T 30% deposit, 70% before shipment",
        [("30", "deposit", 7), ("70", "before_shipment", 0)],
    ),
    ("TT100BS", "T/T 100%出货前付清", "T/T 100% before shipment", [("100", "before_shipment", 0)]),
    ("LC-SIGHT", "即期信用证", "L/C at sight", [("100", "lc_sight", 15)]),
    ("LC-90", "远期信用证提单日后90天", "L/C 90 days after B/L date", [("100", "lc_usance", 90)]),
    ("OA30", "赊销提单日后30天", "O/A 30 days after B/L date", [("100", "oa_bl", 30)]),
    ("OA60", "赊销提单日后60天", "O/A 60 days after B/L date", [("100", "oa_bl", 60)]),
    ("OA30INV", "赊销发票日后30天", "O/A 30 days after invoice date", [("100", "oa_invoice", 30)]),
]


def ensure_default_terms() -> int:
    """Create the standard payment terms that are missing (by code); returns how many were created."""

    created = 0
    for code, name, name_en, parts in DEFAULT_TERMS:
        term, new = PaymentTerm.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})
        if new:
            created += 1
            PaymentTermPart.objects.bulk_create(
                PaymentTermPart(term=term, position=i, share_pct=Decimal(share), rule=rule, days=days)
                for i, (share, rule, days) in enumerate(parts, start=1)
            )
    return created


def default_term() -> PaymentTerm | None:
    code = getattr(settings, "GENDAN_DEFAULT_PAYMENT_TERM", "")
    return PaymentTerm.objects.filter(code=code).first() if code else None


def customer_term(customer_id: int) -> PaymentTerm | None:
    found = CustomerTerms.objects.select_related("term").filter(customer_id=customer_id).first()
    return found.term if found else default_term()


def order_term(order: Order) -> PaymentTerm | None:
    found = OrderTerms.objects.select_related("term").filter(order_id=order.pk).first()
    return found.term if found else customer_term(order.customer_id)


def term_spec(order: Order) -> TermSpec:
    return _spec(order_term(order))


def _clean_parts(raw: Iterable[dict[str, Any]], errors: _Errors) -> list[terms.Part]:
    parts: list[terms.Part] = []
    for index, row in enumerate(raw):
        try:
            share = Decimal(str(row.get("share_pct", "")).strip())
        except InvalidOperation:
            errors.add(f"parts.{index}.share_pct", _("“%(v)s” is not a number.") % {"v": row.get("share_pct")})
            continue
        try:
            days = int(str(row.get("days") or 0).strip())
        except ValueError:
            errors.add(f"parts.{index}.days", _("“%(v)s” is not a whole number.") % {"v": row.get("days")})
            continue
        parts.append(terms.Part(share, str(row.get("rule") or ""), days))
    if not errors:
        for field, message in terms.check_parts(parts).items():
            errors.add(field, message)
    return parts


def _term_values(data: dict[str, Any], errors: _Errors, *, current: PaymentTerm | None = None) -> dict[str, Any]:
    values = {k: str(data.get(k) or "").strip() for k in ("code", "name", "name_en", "notes") if k in data}
    if current is None or "code" in values:
        code = values.get("code", "").upper()
        if not code:
            errors.add("code", _("This field is required."))
        elif PaymentTerm.objects.filter(code=code).exclude(pk=getattr(current, "pk", None)).exists():
            errors.add("code", _("A payment term with this code exists already."))
        values["code"] = code
    if current is None and not values.get("name"):
        errors.add("name", _("This field is required."))
    for key, limit in (("code", 30), ("name", 200), ("name_en", 200)):
        if len(values.get(key, "")) > limit:
            errors.add(key, _("At most %(n)s characters.") % {"n": limit})
    if "is_active" in data:
        values["is_active"] = bool(data["is_active"])
    return values


def _write_parts(term: PaymentTerm, parts: list[terms.Part]) -> None:
    term.parts.all().delete()
    PaymentTermPart.objects.bulk_create(
        [
            PaymentTermPart(term=term, position=i, share_pct=p.share_pct, rule=p.rule, days=p.days)
            for i, p in enumerate(parts, start=1)
        ]
    )


def _parts_text(parts: Iterable[terms.Part]) -> list[str]:
    return [f"{p.share_pct.normalize():f}% {p.rule} {p.days}" for p in parts]


@transaction.atomic
def create_payment_term(*, by: User, data: dict[str, Any]) -> PaymentTerm:
    errors = _Errors()
    values = _term_values(data, errors)
    parts = _clean_parts(data.get("parts") or [], errors)
    errors.raise_if_any()
    term = PaymentTerm.objects.create(**values)
    _write_parts(term, parts)
    audit.record_create(instance=term, by=by, fields=["code", "name", "name_en"], message="; ".join(_parts_text(parts)))
    return term


@transaction.atomic
def update_payment_term(*, term: PaymentTerm, by: User, data: dict[str, Any], version: int | None) -> PaymentTerm:
    """Change a term (its parts replaced whole when given). Invoices already raised keep their rule and due date."""
    locked = PaymentTerm.objects.select_for_update().get(pk=term.pk)
    check_version(locked, version)
    errors = _Errors()
    values = _term_values(data, errors, current=locked)
    parts = _clean_parts(data["parts"], errors) if data.get("parts") is not None else None
    errors.raise_if_any()
    before = {**audit.snapshot(locked, list(values)), "parts": _parts_text(_spec(locked).parts)}
    for key, value in values.items():
        setattr(locked, key, value)
    if parts is not None:
        _write_parts(locked, parts)
    after = {
        **audit.snapshot(locked, list(values)),
        "parts": _parts_text(parts) if parts is not None else before["parts"],
    }
    changes = audit.diff(before, after)
    if changes:
        locked.version += 1
        locked.save()
        audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes)
    return locked


def _get_term(term_id: Any) -> PaymentTerm:
    found = PaymentTerm.objects.filter(pk=term_id).first() if str(term_id or "").isdigit() else None
    if found is None:
        raise ValidationError({"term_id": _("There is no payment term %(id)s.") % {"id": term_id}})
    if not found.is_active:
        raise ValidationError({"term_id": _("Payment term %(code)s is no longer used.") % {"code": found.code}})
    return found


def _set_terms(model: Any, owner: Any, *, term_id: Any, by: User, version: int | None) -> Any:
    """Give `owner` (a customer or an order) the term `term_id` through its `model` row (CustomerTerms, OrderTerms),
    audited on the owner; `version` guards the row once it exists."""
    term = _get_term(term_id)
    field = "customer" if model is CustomerTerms else "order"
    current = model.objects.select_for_update().filter(**{field: owner}).first()
    if current is None:
        current = model.objects.create(**{field: owner, "term": term})
        audit.record(instance=owner, action=AuditAction.UPDATE, by=by, changes={"payment_term": [None, term.code]})
        return current
    check_version(current, version)
    if current.term_id != term.pk:
        old = current.term.code
        current.term = term
        current.version += 1
        current.save()
        audit.record(instance=owner, action=AuditAction.UPDATE, by=by, changes={"payment_term": [old, term.code]})
    return current


@transaction.atomic
def set_customer_terms(*, customer: Customer, term_id: Any, by: User, version: int | None = None) -> CustomerTerms:
    return _set_terms(CustomerTerms, customer, term_id=term_id, by=by, version=version)


@transaction.atomic
def set_order_terms(*, order: Order, term_id: Any, by: User, version: int | None = None) -> OrderTerms:
    """An order's own term. Invoices already raised keep theirs; the next ones (a shipment's) follow the new term."""
    return _set_terms(OrderTerms, order, term_id=term_id, by=by, version=version)


# ---- invoices -----------------------------------------------------------------------------------------------------


def _merchandiser_id(order: Order | None, customer: Customer) -> int | None:
    if order is not None and order.merchandiser_id:
        return order.merchandiser_id
    return customer.merchandiser_id


def _new_invoice(*, lines: list[tuple[str, Order | None, str, Decimal]], by: User | None, **fields: Any) -> Invoice:
    invoice = Invoice.objects.create(number=next_number(INVOICE_PREFIX), created_by=by, **fields)
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(invoice=invoice, position=i, kind=kind, order=order, description=text[:300], amount=amount)
            for i, (kind, order, text, amount) in enumerate(lines, start=1)
        ]
    )
    audit.record_create(instance=invoice, by=by, fields=INVOICE_FIELDS, message=fields.get("description", ""))
    return invoice


def confirmed_date(order: Order) -> dt.date:
    return timezone.localtime(order.confirmed_at).date() if order.confirmed_at else clock.today()


@transaction.atomic
def on_order_confirmed(*, order: Order, by: User | None) -> list[str]:
    """Fix the order's term (the customer's, copied) and raise the deposit invoice of each deposit part; returns the
    messages for the user who confirmed."""
    if not OrderTerms.objects.filter(order_id=order.pk).exists():
        term = customer_term(order.customer_id)
        if term is not None:
            OrderTerms.objects.create(order_id=order.pk, term=term)
    if Invoice.objects.filter(order_id=order.pk, kind=InvoiceKind.DEPOSIT).exclude(status=InvoiceStatus.CANCELLED):
        return []
    spec = term_spec(order)
    total = round_money(order.total_amount, order.currency)
    if total <= 0:
        return []
    customer = order.customer
    shares = terms.split(total, [p.share_pct for p in spec.parts], order.currency)
    facts = terms.Facts(
        invoice_date=clock.today(), confirmed_date=confirmed_date(order), planned_ex_factory_date=order.ex_factory_date
    )
    notes = []
    for part, amount in zip(spec.parts, shares, strict=True):
        if part.rule != DueRule.DEPOSIT or amount <= 0:
            continue
        due, basis = terms.due_date(part, facts)
        text = _("Deposit %(share)s%% of order %(number)s") % {
            "share": f"{part.share_pct.normalize():f}",
            "number": order.number,
        }
        invoice = _new_invoice(
            lines=[(LineKind.DEPOSIT, order, text, amount)],
            by=by,
            kind=InvoiceKind.DEPOSIT,
            customer=customer,
            order=order,
            merchandiser_id=_merchandiser_id(order, customer),
            currency=order.currency,
            amount=amount,
            issue_date=facts.invoice_date,
            due_date=due,
            rule=part.rule,
            days=part.days,
            share_pct=part.share_pct,
            due_basis=basis,
            term_name=spec.name[:200],
            description=text,
        )
        notes.append(
            _("Deposit invoice %(number)s: %(amount)s due %(due)s.")
            % {"number": invoice.number, "amount": money(amount, order.currency), "due": due.isoformat()}
        )
    return notes


def _fit_deductions(goods: list[Decimal], deductions: list[Decimal]) -> list[Decimal]:
    """Deductions no larger than their part's goods: a unit that a split put above its goods moves to a part with
    room (both lists add up as before)."""
    result = list(deductions)
    excess = sum((max(d - g, Decimal(0)) for g, d in zip(goods, result, strict=True)), Decimal(0))
    result = [min(d, g) for g, d in zip(goods, result, strict=True)]
    for i, g in enumerate(goods):
        if excess <= 0:
            break
        room = g - result[i]
        take = min(room, excess)
        result[i] += take
        excess -= take
    return result


def _order_figures(order_ids: list[int]) -> dict[int, dict[str, Decimal]]:
    """Per order: the deposit invoiced, the deposit already deducted, the goods already invoiced (live invoices)."""
    figures: dict[int, dict[str, Decimal]] = defaultdict(
        lambda: {"deposit": Decimal(0), "deducted": Decimal(0), "goods": Decimal(0)}
    )
    rows = (
        InvoiceLine.objects.filter(order_id__in=order_ids)
        .exclude(invoice__status=InvoiceStatus.CANCELLED)
        .values("order_id", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    names = {LineKind.DEPOSIT: "deposit", LineKind.DEPOSIT_DEDUCTION: "deducted", LineKind.GOODS: "goods"}
    for row in rows:
        key = names.get(row["kind"])
        if key:
            figures[row["order_id"]][key] += -row["total"] if key == "deducted" else row["total"]
    return figures


def _shipment_facts(shipment: Shipment, order: Order) -> terms.Facts:
    return terms.Facts(
        invoice_date=shipment.departed_date or clock.today(),
        confirmed_date=confirmed_date(order),
        planned_ex_factory_date=shipment.planned_ex_factory_date,
        departed_date=shipment.departed_date,
        bl_date=shipment.bl_date,
    )


@transaction.atomic
def invoice_shipment(*, shipment: Shipment, by: User | None) -> list[Invoice]:
    """Raise the invoices of a departed shipment (once: a shipment already invoiced keeps its invoices)."""
    existing = list(Invoice.objects.filter(shipment=shipment).exclude(status=InvoiceStatus.CANCELLED))
    if existing:
        return existing
    lines = list(
        shipment.lines.select_related("order_line__order__customer", "order_line__product").order_by("position")
    )
    by_order: dict[int, list] = defaultdict(list)
    orders: dict[int, Order] = {}
    for line in lines:
        order = line.order_line.order
        orders[order.pk] = order
        by_order[order.pk].append(line)
    figures = _order_figures(list(orders))
    # (currency, rule, days) → [(order, part, goods, deduction)]
    groups: dict[tuple[str, str, int], list[tuple[Order, terms.Part, Decimal, Decimal]]] = defaultdict(list)
    names: dict[tuple[str, str, int], set[str]] = defaultdict(set)
    for order_id, order_lines in by_order.items():
        order = orders[order_id]
        cur = order.currency
        goods = round_money(sum((sl.quantity * sl.order_line.unit_price for sl in order_lines), Decimal(0)), cur)
        total = round_money(order.total_amount, cur)
        f = figures[order_id]
        left = f["deposit"] - f["deducted"]
        target = min(terms.share_of(f["deposit"], f["goods"] + goods, total, cur), f["deposit"]) if total else left
        deduction = max(Decimal(0), min(target - f["deducted"], left, goods))
        spec = term_spec(order)
        parts = [p for p in spec.parts if p.rule != DueRule.DEPOSIT] or [terms.Part(Decimal(100), DueRule.OA_INVOICE)]
        weights = [p.share_pct for p in parts]
        goods_split = terms.split(goods, weights, cur)
        deduction_split = _fit_deductions(goods_split, terms.split(deduction, weights, cur))
        for part, g, d in zip(parts, goods_split, deduction_split, strict=True):
            key = (cur, part.rule, part.days)
            groups[key].append((order, part, g, d))
            names[key].add(spec.name)
    created: list[Invoice] = []
    customer = shipment.customer
    for (cur, rule, days), rows in groups.items():
        amount = sum((g - d for _o, _p, g, d in rows), Decimal(0))
        if amount <= 0:
            continue
        first_order, first_part = rows[0][0], rows[0][1]
        facts = _shipment_facts(shipment, first_order)
        due, basis = terms.due_date(first_part, facts)
        invoice_lines: list[tuple[str, Order | None, str, Decimal]] = []
        for order, part, g, d in rows:
            what = {
                "shipment": shipment.number,
                "order": order.number,
                "share": f"{part.share_pct.normalize():f}",
                "po": f" (PO {order.customer_po})" if order.customer_po else "",
            }
            invoice_lines.append(
                (LineKind.GOODS, order, _("Goods shipped in %(shipment)s, order %(order)s%(po)s") % what, g)
            )
            if d:
                invoice_lines.append(
                    (LineKind.DEPOSIT_DEDUCTION, order, _("Less deposit invoiced, order %(order)s") % what, -d)
                )
        order_ids = {o.pk for o, *_rest in rows}
        shares = {p.share_pct for _o, p, *_rest in rows}
        share_text = f"{next(iter(shares)).normalize():f}% " if len(shares) == 1 else ""
        invoice = _new_invoice(
            lines=invoice_lines,
            by=by,
            kind=InvoiceKind.SHIPMENT,
            customer=customer,
            order=first_order if len(order_ids) == 1 else None,
            shipment=shipment,
            merchandiser_id=_merchandiser_id(first_order, customer),
            currency=cur,
            amount=amount,
            issue_date=facts.invoice_date,
            due_date=due,
            rule=rule,
            days=days,
            share_pct=shares.pop() if len(shares) == 1 else None,
            due_basis=basis,
            term_name="; ".join(sorted(names[(cur, rule, days)]))[:200],
            description=_("Shipment %(shipment)s: %(rule)s")
            % {"shipment": shipment.number, "rule": f"{share_text}{_rule_text(rule, days)}"},
        )
        created.append(invoice)
    return created


def _rule_text(rule: str, days: int) -> str:
    """A part's rule in a few words, for the invoice's description: "O/A 60 days after B/L"."""
    texts = {
        DueRule.DEPOSIT: _("deposit"),
        DueRule.BEFORE_SHIPMENT: _("balance before shipment"),
        DueRule.COPY_BL: _("against copy B/L"),
        DueRule.LC_SIGHT: _("L/C at sight"),
        DueRule.LC_USANCE: _("L/C %(days)s days after B/L"),
        DueRule.OA_BL: _("O/A %(days)s days after B/L"),
        DueRule.OA_INVOICE: _("O/A %(days)s days after invoice"),
    }
    text = str(texts.get(rule, rule))
    return text % {"days": days} if "%(days)s" in text else text


@transaction.atomic
def move_bl_due_dates(*, shipment: Shipment, by: User | None) -> int:
    """The B/L date is known (or changed): move the due dates of the shipment's unpaid invoices whose rule follows
    the B/L; returns how many moved."""
    moved = 0
    invoices = Invoice.objects.select_for_update().filter(
        shipment=shipment, status__in=OPEN_STATUSES, rule__in=BL_RULES
    )
    for invoice in invoices:
        facts = terms.Facts(
            invoice_date=invoice.issue_date,
            planned_ex_factory_date=shipment.planned_ex_factory_date,
            departed_date=shipment.departed_date,
            bl_date=shipment.bl_date,
        )
        due, basis = terms.due_date(terms.Part(Decimal(100), invoice.rule, invoice.days), facts)
        if (due, basis) == (invoice.due_date, invoice.due_basis):
            continue
        old = invoice.due_date
        Invoice.objects.filter(pk=invoice.pk).update(due_date=due, due_basis=basis, version=F("version") + 1)
        audit.record(
            instance=invoice,
            action=AuditAction.UPDATE,
            by=by,
            changes={"due_date": [old, due]},
            message=_("B/L %(bl)s dated %(date)s") % {"bl": shipment.bl_number or "—", "date": shipment.bl_date},
        )
        moved += 1
    return moved


@transaction.atomic
def cancel_shipment_invoices(*, shipment: Shipment, by: User | None) -> int:
    """A cancelled shipment takes its unpaid invoices with it; invoices with payments stay (finance settles them)."""
    count = 0
    for invoice in Invoice.objects.select_for_update().filter(shipment=shipment, status=InvoiceStatus.OPEN):
        if invoice.paid_amount == 0:
            _cancel(invoice, by, _("Shipment %(number)s was cancelled.") % {"number": shipment.number})
            count += 1
    return count


def _cancel(invoice: Invoice, by: User | None, reason: str) -> None:
    old = invoice.status
    invoice.status = InvoiceStatus.CANCELLED
    invoice.cancel_reason = reason
    invoice.version += 1
    invoice.save(update_fields=["status", "cancel_reason", "version", "updated_at"])
    audit.record(
        instance=invoice,
        action=AuditAction.TRANSITION,
        by=by,
        changes={"status": [old, InvoiceStatus.CANCELLED]},
        message=reason,
    )


@transaction.atomic
def cancel_invoice(*, invoice: Invoice, by: User, reason: str, version: int | None = None) -> Invoice:
    """Cancel an invoice that nothing has been paid on, with a reason."""
    locked = Invoice.objects.select_for_update().filter(pk=invoice.pk).first()
    if locked is None:
        raise NotFound(_("There is no invoice %(id)s.") % {"id": invoice.pk})
    check_version(locked, version)
    if locked.status != InvoiceStatus.OPEN or locked.paid_amount:
        raise TransitionNotAllowed(
            _("Invoice %(number)s is %(status)s, not open and unpaid: it cannot be cancelled.")
            % {"number": locked.number, "status": locked.status}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the invoice is cancelled.")})
    _cancel(locked, by, reason)
    return locked


@transaction.atomic
def create_invoice(*, by: User, data: dict[str, Any]) -> Invoice:
    """An invoice for other charges (samples, moulds, freight…): customer, currency, lines (or one amount), the
    invoice date (today) and the due date (default: the invoice date + the days of the customer's O/A term, else
    the invoice date)."""
    errors = _Errors()
    customer = Customer.objects.filter(pk=data.get("customer_id")).first() if data.get("customer_id") else None
    if customer is None:
        errors.add("customer_id", _("Choose a customer."))
    currency = _currency(data.get("currency") or (customer.currency if customer else ""), errors)
    order = None
    if data.get("order_id"):
        order = Order.objects.filter(pk=data["order_id"]).first()
        if order is None or (customer is not None and order.customer_id != customer.pk):
            errors.add("order_id", _("The order is not one of this customer's."))
    issue_date = _date(data.get("issue_date") or clock.today(), "issue_date", errors)
    due_date = _date(data.get("due_date") or issue_date, "due_date", errors)
    if issue_date and due_date and due_date < issue_date:
        errors.add("due_date", _("The due date cannot be before the invoice date."))
    raw_lines = data.get("lines") or []
    if not raw_lines and data.get("amount") not in (None, ""):
        raw_lines = [{"description": data.get("description") or _("Other charges"), "amount": data.get("amount")}]
    if not raw_lines:
        errors.add("lines", _("An invoice needs at least one line."))
    lines = []
    for index, row in enumerate(raw_lines):
        text = str(row.get("description") or "").strip()
        if not text:
            errors.add(f"lines.{index}.description", _("This field is required."))
        amount = _amount(row.get("amount"), currency, f"lines.{index}.amount", errors)
        lines.append((LineKind.OTHER, order, text, amount))
    errors.raise_if_any()
    total = sum((line[3] for line in lines), Decimal(0))
    description = str(data.get("description") or "").strip() or lines[0][2]
    return _new_invoice(
        lines=lines,
        by=by,
        kind=InvoiceKind.MANUAL,
        customer=customer,
        order=order,
        merchandiser_id=_merchandiser_id(order, customer),
        currency=currency,
        amount=total,
        issue_date=issue_date,
        due_date=due_date,
        due_basis=DueBasis.MANUAL,
        description=description[:300],
    )


# ---- receipts and allocations ---------------------------------------------------------------------------------


def _status_for(amount: Decimal, paid: Decimal) -> str:
    if paid <= 0:
        return InvoiceStatus.OPEN
    return InvoiceStatus.PAID if paid >= amount else InvoiceStatus.PARTIALLY_PAID


@transaction.atomic
def record_receipt(*, by: User, data: dict[str, Any]) -> Receipt:
    """Record a payment received and allocate it to invoices in the same transaction (nothing written if any
    allocation is refused)."""
    errors = _Errors()
    customer = Customer.objects.filter(pk=data.get("customer_id")).first() if data.get("customer_id") else None
    if customer is None:
        errors.add("customer_id", _("Choose a customer."))
    currency = _currency(data.get("currency") or (customer.currency if customer else ""), errors)
    amount = _amount(data.get("amount"), currency, "amount", errors)
    charges = _amount(data.get("bank_charges"), currency, "bank_charges", errors, allow_zero=True)
    if amount is not None and charges is not None and charges > amount:
        errors.add("bank_charges", _("The bank charges cannot be more than the amount."))
    received = _date(data.get("received_date"), "received_date", errors)
    if received and received > clock.today():
        errors.add("received_date", _("A receipt cannot be dated in the future."))
    rate_raw = data.get("fx_rate")
    rate: Decimal | None = None
    if currency == Currency.CNY and rate_raw in (None, ""):
        rate = Decimal(1)
    else:
        try:
            rate = Decimal(str(rate_raw).strip()) if rate_raw not in (None, "") else None
        except InvalidOperation:
            rate = None
        if rate is None or not rate.is_finite() or rate <= 0 or rate >= 10**6:
            errors.add("fx_rate", _("Enter the day's rate to CNY (a number above 0)."))
            rate = None
        elif rate != rate.quantize(Decimal("0.000001")):
            errors.add("fx_rate", _("A rate has at most 6 decimals."))
        elif currency == Currency.CNY and rate != 1:
            errors.add("fx_rate", _("A CNY receipt has the rate 1."))
    reference = str(data.get("reference") or "").strip()
    if len(reference) > 100:
        errors.add("reference", _("At most %(n)s characters.") % {"n": 100})
    errors.raise_if_any()
    receipt = Receipt.objects.create(
        number=next_number(RECEIPT_PREFIX),
        customer=customer,
        currency=currency,
        amount=amount,
        bank_charges=charges or Decimal(0),
        fx_rate=rate.quantize(Decimal("0.000001")),
        received_date=received,
        reference=reference,
        notes=str(data.get("notes") or "").strip(),
        created_by=by,
    )
    audit.record_create(instance=receipt, by=by, fields=RECEIPT_FIELDS)
    allocations = [a for a in (data.get("allocations") or []) if a.get("amount") not in (None, "", 0, "0")]
    if allocations:
        allocate(receipt=receipt, allocations=allocations, by=by, day=received)
        receipt.refresh_from_db()
    return receipt


@transaction.atomic
def allocate(
    *,
    receipt: Receipt | CreditNote,
    allocations: list[dict[str, Any]],
    by: User,
    field: str = "allocations",
    day: dt.date | None = None,
) -> list[Allocation]:
    """Apply parts of a receipt (or of a credit note: the same rules) to the customer's open invoices in its
    currency. The receipt and the invoices are locked; an allocation above an invoice's open amount or above what
    is left of the receipt is refused (422) and nothing is written. The invoices' paid amounts and statuses follow;
    an order whose invoices are all paid (and whose goods are all invoiced) gets its "payment received" milestone."""
    model = type(receipt)
    locked = model.objects.select_for_update().filter(pk=receipt.pk).first()
    if locked is None:
        raise NotFound(_("There is no %(what)s %(id)s.") % {"what": model._meta.verbose_name, "id": receipt.pk})
    if isinstance(locked, CreditNote) and locked.status == CreditNoteStatus.CANCELLED:
        raise ValidationError({field: _("Credit note %(number)s is cancelled.") % {"number": locked.number}})
    errors = _Errors()
    wanted: dict[int, Decimal] = defaultdict(Decimal)
    first_index: dict[int, int] = {}
    for index, row in enumerate(allocations):
        invoice_id = row.get("invoice_id")
        if not str(invoice_id or "").isdigit():
            errors.add(f"{field}.{index}.invoice_id", _("Choose an invoice."))
            continue
        amount = _amount(row.get("amount"), locked.currency, f"{field}.{index}.amount", errors)
        if amount is None:
            continue
        wanted[int(invoice_id)] += amount
        first_index.setdefault(int(invoice_id), index)
    errors.raise_if_any()
    if not wanted:
        raise ValidationError({field: _("Allocate an amount to at least one invoice.")})
    invoices = {i.pk: i for i in Invoice.objects.select_for_update().filter(pk__in=list(wanted)).order_by("pk")}
    for invoice_id, amount in wanted.items():
        where = f"{field}.{first_index[invoice_id]}"
        invoice = invoices.get(invoice_id)
        if invoice is None or invoice.customer_id != locked.customer_id:
            errors.add(f"{where}.invoice_id", _("Invoice %(id)s is not one of this customer's.") % {"id": invoice_id})
        elif invoice.currency != locked.currency:
            errors.add(
                f"{where}.invoice_id",
                _("Invoice %(number)s is in %(inv)s, %(source)s in %(rec)s.")
                % {"number": invoice.number, "inv": invoice.currency, "source": locked.number, "rec": locked.currency},
            )
        elif invoice.status not in OPEN_STATUSES:
            errors.add(
                f"{where}.invoice_id",
                _("Invoice %(number)s is %(status)s.")
                % {"number": invoice.number, "status": invoice.get_status_display()},
            )
        elif amount > invoice.open_amount:
            errors.add(
                f"{where}.amount",
                _("%(amount)s is more than the %(open)s still open on %(number)s.")
                % {
                    "amount": money(amount, invoice.currency),
                    "open": money(invoice.open_amount, invoice.currency),
                    "number": invoice.number,
                },
            )
    total = sum(wanted.values(), Decimal(0))
    if total > locked.unallocated_amount:
        errors.add(
            field,
            _("The allocations add up to %(total)s; only %(left)s of %(number)s is left to allocate.")
            % {
                "total": money(total, locked.currency),
                "left": money(locked.unallocated_amount, locked.currency),
                "number": locked.number,
            },
        )
    errors.raise_if_any()
    day = day or clock.today()
    source_field = "credit_note" if isinstance(locked, CreditNote) else "receipt"
    rows = Allocation.objects.bulk_create(
        [
            Allocation(
                invoice_id=invoice_id, amount=amount, allocated_date=day, created_by=by, **{source_field: locked}
            )
            for invoice_id, amount in wanted.items()
        ]
    )
    for invoice_id, amount in wanted.items():
        invoice = invoices[invoice_id]
        old = {"paid_amount": invoice.paid_amount, "status": invoice.status}
        invoice.paid_amount += amount
        invoice.status = _status_for(invoice.amount, invoice.paid_amount)
        invoice.version += 1
        invoice.save(update_fields=["paid_amount", "status", "version", "updated_at"])
        audit.record(
            instance=invoice,
            action=AuditAction.UPDATE,
            by=by,
            changes=audit.diff(old, {"paid_amount": invoice.paid_amount, "status": invoice.status}),
            message=_("%(amount)s from %(number)s")
            % {"amount": money(amount, invoice.currency), "number": locked.number},
        )
    old_allocated = locked.allocated_amount
    locked.allocated_amount += total
    locked.version += 1
    update_fields = ["allocated_amount", "version", "updated_at"]
    if isinstance(locked, CreditNote) and locked.allocated_amount >= locked.amount:
        locked.status = CreditNoteStatus.APPLIED
        update_fields.append("status")
    locked.save(update_fields=update_fields)
    audit.record(
        instance=locked,
        action=AuditAction.UPDATE,
        by=by,
        changes={"allocated_amount": [old_allocated, locked.allocated_amount]},
        message=", ".join(invoices[i].number for i in wanted),
    )
    paid = [i for i in invoices.values() if i.status == InvoiceStatus.PAID]
    if paid:
        complete_paid_orders(invoices=paid, day=locked.dated, by=by)
    return rows


def orders_of(invoices: Iterable[Invoice]) -> set[int]:
    ids = [i.pk for i in invoices]
    found = set(InvoiceLine.objects.filter(invoice_id__in=ids, order__isnull=False).values_list("order_id", flat=True))
    return found | {i.order_id for i in invoices if i.order_id}


def fully_paid_orders(order_ids: Iterable[int]) -> list[int]:
    """Of these orders, those whose goods are all invoiced and whose live invoices are all paid."""
    ids = list(order_ids)
    if not ids:
        return []
    unpaid = set(
        InvoiceLine.objects.filter(order_id__in=ids, invoice__status__in=OPEN_STATUSES).values_list(
            "order_id", flat=True
        )
    ) | set(Invoice.objects.filter(order_id__in=ids, status__in=OPEN_STATUSES).values_list("order_id", flat=True))
    goods = dict(
        InvoiceLine.objects.filter(order_id__in=ids, kind=LineKind.GOODS)
        .exclude(invoice__status=InvoiceStatus.CANCELLED)
        .values("order_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("order_id", "total")
    )
    done = []
    for order_id, total, currency in Order.objects.filter(pk__in=ids).values_list("pk", "total_amount", "currency"):
        if order_id not in unpaid and goods.get(order_id, Decimal(0)) >= round_money(total, currency) > 0:
            done.append(order_id)
    return done


def complete_paid_orders(*, invoices: Iterable[Invoice], day: dt.date, by: User | None) -> list[int]:
    from gendan.followup.services import complete_milestone

    done = fully_paid_orders(orders_of(invoices))
    for order_id in done:
        complete_milestone(
            order_id=order_id,
            code=payment_milestone(),
            day=day,
            note=_("Every invoice of the order is paid."),
            by=by,
        )
    return done


# ---- credit -------------------------------------------------------------------------------------------------------


def credit_review_note(order: Order) -> str:
    """The credit check for the contract review's terms item: open receivables + this order against the customer's
    credit limit (when it has one), and overdue invoices. A line starting with ⚠ is a flag."""
    from gendan.finance.selectors import customer_exposure, payment_history

    customer = order.customer
    exposure = customer_exposure(customer.pk)
    cur = customer.currency
    open_main = exposure["open"].get(cur, Decimal(0))
    lines = []
    limit = customer.credit_limit or Decimal(0)
    order_amount = round_money(order.total_amount, order.currency)
    if limit > 0:
        with_order = open_main + (order_amount if order.currency == cur else Decimal(0))
        what = {
            "open": money(open_main, cur),
            "order": money(order_amount, order.currency),
            "total": money(with_order, cur),
            "limit": money(limit, cur),
        }
        if with_order > limit:
            lines.append(
                "⚠ "
                + _(
                    "Over the credit limit: open receivables %(open)s + this order %(order)s = %(total)s "
                    "> limit %(limit)s."
                )
                % what
            )
        else:
            lines.append(
                _("Within the credit limit: open receivables %(open)s + this order %(order)s of %(limit)s.") % what
            )
        if order.currency != cur:
            lines.append(
                _("This order is in %(cur)s: not counted against the limit in %(limit_cur)s.")
                % {"cur": order.currency, "limit_cur": cur}
            )
    else:
        lines.append(_("No credit limit; open receivables %(open)s.") % {"open": money(open_main, cur)})
    others = [money(v, c) for c, v in sorted(exposure["open"].items()) if c != cur and v]
    if others:
        lines.append(_("Open in other currencies: %(list)s.") % {"list": ", ".join(others)})
    if exposure["overdue_count"]:
        amounts = ", ".join(money(v, c) for c, v in sorted(exposure["overdue"].items()))
        lines.append(
            "⚠ "
            + _("%(n)s overdue invoice(s), %(amounts)s; the oldest %(days)s days overdue (%(number)s).")
            % {
                "n": exposure["overdue_count"],
                "amounts": amounts,
                "days": exposure["oldest_days"],
                "number": exposure["oldest_number"],
            }
        )
    else:
        lines.append(_("Nothing overdue."))
    history = payment_history(customer.pk)
    if history["count"]:
        text = _("Paid %(on_time)s of %(count)s invoices on time in the last 12 months (%(pct)s %%).") % {
            "on_time": history["on_time"],
            "count": history["count"],
            "pct": history["on_time_pct"],
        }
        if history["late"]:
            text += " " + _("The late ones %(avg)s days late on average, at worst %(worst)s.") % {
                "avg": history["average_days_late"],
                "worst": history["worst_days_late"],
            }
        lines.append(text)
    if customer.credit_rating:
        flag = "⚠ " if customer.credit_rating in ("C", "D") else ""
        lines.append(flag + _("Credit rating: %(rating)s.") % {"rating": customer.get_credit_rating_display()})
    if customer.credit_remarks:
        lines.append(_("Credit remarks: %(text)s") % {"text": customer.credit_remarks})
    return "\n".join(lines)


# ---- FX settlement (结汇) -----------------------------------------------------------------------------------------


def settled_amount(receipt_id: int) -> Decimal:
    return FxSettlement.objects.filter(receipt_id=receipt_id).aggregate(total=Sum("amount"))["total"] or Decimal(0)


@transaction.atomic
def settle_fx(*, receipt: Receipt, by: User, data: dict[str, Any]) -> FxSettlement:
    """Sell (part of) a foreign-currency receipt's net amount (amount − bank charges − what is settled already) to
    the bank for CNY at the bank's rate. CNY received = amount × bank rate; at the booking rate = amount × the
    receipt's rate; the difference is the FX gain (loss), each rounded to the fen."""
    locked = Receipt.objects.select_for_update().filter(pk=receipt.pk).first()
    if locked is None:
        raise NotFound(_("There is no receipt %(id)s.") % {"id": receipt.pk})
    errors = _Errors()
    if locked.currency == Currency.CNY:
        raise ValidationError({"receipt_id": _("A CNY receipt needs no FX settlement.")})
    amount = _amount(data.get("amount"), locked.currency, "amount", errors)
    left = locked.amount - locked.bank_charges - settled_amount(locked.pk)
    if amount is not None and amount > left:
        errors.add(
            "amount",
            _("Only %(left)s of %(number)s is left to settle.")
            % {"left": money(left, locked.currency), "number": locked.number},
        )
    try:
        rate = Decimal(str(data.get("bank_rate") or "").strip())
    except InvalidOperation:
        rate = Decimal(0)
    if not rate.is_finite() or rate <= 0 or rate >= 10**6:
        errors.add("bank_rate", _("Enter the bank's rate to CNY (a number above 0)."))
    elif rate != rate.quantize(Decimal("0.000001")):
        errors.add("bank_rate", _("A rate has at most 6 decimals."))
    day = _date(data.get("settled_date") or clock.today(), "settled_date", errors)
    if day and (day > clock.today() or day < locked.received_date):
        errors.add("settled_date", _("Settle between the day the money was received and today."))
    reference = str(data.get("reference") or "").strip()[:100]
    errors.raise_if_any()
    cny = round_money(amount * rate, Currency.CNY)
    booked = round_money(amount * locked.fx_rate, Currency.CNY)
    settlement = FxSettlement.objects.create(
        number=next_number("FX"),
        receipt=locked,
        amount=amount,
        bank_rate=rate,
        settled_date=day,
        cny_amount=cny,
        booked_cny_amount=booked,
        gain_loss=cny - booked,
        reference=reference,
        created_by=by,
    )
    audit.record_create(
        instance=settlement,
        by=by,
        fields=["number", "receipt", "amount", "bank_rate", "settled_date", "cny_amount", "gain_loss"],
        related=locked,
    )
    return settlement
