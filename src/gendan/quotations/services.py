"""Quotations' writes: the quotation and its lines with their cost build-up, the transitions, revisions, the order made
from an accepted quotation, the nightly expiry, the processing and exchange rates.

A quotation (报价单) is costed while it is a draft: each line takes its product's BOM (each material's quantity per
unit and scrap, priced at its latest purchase price — `selectors.latest_material_prices`), its routing (each
operation's standard minutes and setup at its work centre's processing rate), packaging, overheads, freight and the
margin; `costing.build_up` turns them into the unit price in the customer's currency at the quoted rate. Any figure
can be changed on the draft: a material's price (then typed), the costs of a line without BOM or routing, the
margin… and the price follows. Quantity breaks price further quantities the same way (the setup spread over more
units).

It moves draft → sent (e-mailed with its PDF, or only marked sent) → accepted or lost (with a reason), or expired
when its validity passes while sent (`expire_quotations`, a daily job; the selectors read it as expired before).
Revising a sent or expired quotation makes the next revision (QT-…-R2) as a draft and keeps the earlier one
read-only as superseded. An accepted quotation becomes a draft order in one step (`quotation_to_order`).

Every command runs in one transaction, locks the quotation, checks the optimistic `version` when given, the
permission (the salesperson, or whoever manages all quotations) and the transition, and records the audit trail.
Errors name the field; a line's are named ``lines[<index>].<field>`` with the index into the list the caller sent.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils.translation import gettext as _

from gendan.catalog.models import BomLine, Product, RoutingStep, WorkCentre
from gendan.core import audit, clock, fx
from gendan.core.choices import AuditAction
from gendan.core.exceptions import PermissionDenied, StaleVersion, TransitionNotAllowed, ValidationError
from gendan.core.models import ExchangeRate, User
from gendan.core.money import Currency, round_money
from gendan.core.numbering import next_number
from gendan.partners.choices import Incoterm
from gendan.partners.models import Contact, Customer
from gendan.quotations import costing, selectors
from gendan.quotations.choices import TRANSITIONS, LostReason, PriceSource, QuotationStatus
from gendan.quotations.models import (
    ProcessingRate,
    Quotation,
    QuotationBreak,
    QuotationLine,
    QuotationMaterial,
    QuotationOperation,
)
from gendan.sales.models import Order

__all__ = [
    "accept_quotation",
    "add_line",
    "can_change",
    "create_quotation",
    "expire_quotations",
    "lose_quotation",
    "quotation_to_order",
    "refresh_line",
    "remove_line",
    "revise_quotation",
    "save_exchange_rates",
    "save_processing_rates",
    "save_rates",
    "send_quotation",
    "update_line",
    "update_quotation",
]

HEADER_FIELDS = [
    "customer",
    "contact",
    "currency",
    "fx_rate",
    "incoterm",
    "incoterm_place",
    "payment_terms",
    "lead_time_days",
    "valid_until",
    "salesperson",
    "remarks",
    "notes",
]
HEADER_KEYS = {
    "customer",
    "customer_id",
    "contact",
    "contact_id",
    "currency",
    "fx_rate",
    "incoterm",
    "incoterm_place",
    "payment_terms",
    "lead_time_days",
    "valid_until",
    "salesperson",
    "salesperson_id",
    "remarks",
    "notes",
}
LINE_KEYS = {
    "id",
    "product",
    "product_id",
    "description",
    "quantity",
    "material_cost",
    "processing_cost",
    "run_cost",
    "setup_cost",
    "packaging_cost",
    "overhead_pct",
    "freight_cost",
    "margin_pct",
    "price_override",
    "breaks",
    "materials",
}
LINE_AUDIT = [
    "quantity",
    "description",
    "material_cost",
    "run_cost",
    "setup_cost",
    "packaging_cost",
    "overhead_pct",
    "freight_cost",
    "margin_pct",
    "price_override",
    "unit_price",
]
TEXT_LIMITS = {"incoterm_place": 100, "payment_terms": 200, "remarks": 5000, "notes": 5000, "description": 300}
MAX_BREAKS = 10
MAX_LEAD_DAYS = 730
COST_MAX = Decimal(10) ** 10  # cost fields: 14 digits, 4 places
QTY_MAX = Decimal(10) ** 11
ZERO = Decimal(0)


# ---- settings ----------------------------------------------------------------------------------------------------


def validity_days() -> int:
    """Days a new quotation is valid (GENDAN_QUOTATION_VALIDITY_DAYS, 30)."""
    return int(getattr(settings, "GENDAN_QUOTATION_VALIDITY_DAYS", 30))


def default_margin_pct() -> Decimal:
    """The margin of a new quotation's first line (GENDAN_QUOTATION_MARGIN_PCT, 15 %); later lines take the one
    before theirs."""
    return Decimal(str(getattr(settings, "GENDAN_QUOTATION_MARGIN_PCT", "15")))


def default_overhead_pct() -> Decimal:
    """Overheads on a new quotation's first line (GENDAN_QUOTATION_OVERHEAD_PCT, 8 %)."""
    return Decimal(str(getattr(settings, "GENDAN_QUOTATION_OVERHEAD_PCT", "8")))


def default_lead_days() -> int:
    """The delivery lead time a new quotation states (GENDAN_QUOTATION_LEAD_DAYS, 45 days after the order)."""
    return int(getattr(settings, "GENDAN_QUOTATION_LEAD_DAYS", 45))


def prefix() -> str:
    return str(getattr(settings, "GENDAN_QUOTATION_PREFIX", "QT"))


# ---- permissions -------------------------------------------------------------------------------------------------


def can_change(quotation: Quotation, user: User) -> bool:
    """May `user` change and move this quotation? Its salesperson, or anybody who manages all quotations."""
    return user.has_perm("quotations.change_quotation") and (
        quotation.salesperson_id == user.pk or user.has_perm("quotations.manage_all_quotations")
    )


def _ensure_can_change(quotation: Quotation, by: User) -> None:
    if not by.has_perm("quotations.change_quotation"):
        raise PermissionDenied(_("Your role lacks the permission %(perm)s.") % {"perm": "quotations.change_quotation"})
    if quotation.salesperson_id != by.pk and not by.has_perm("quotations.manage_all_quotations"):
        raise PermissionDenied(
            _("Quotation %(number)s belongs to another salesperson; changing it needs the permission %(perm)s.")
            % {"number": quotation.number, "perm": "quotations.manage_all_quotations"}
        )


def _lock(quotation: Quotation) -> Quotation:
    """A fresh copy of the quotation, locked for this transaction."""
    return Quotation.objects.select_for_update(of=("self",)).select_related("customer").get(pk=quotation.pk)


def _check_version(quotation: Quotation, version: Any) -> None:
    if version not in (None, ""):
        try:
            read = int(version)
        except (TypeError, ValueError):
            raise ValidationError({"version": _("The version is a whole number.")}) from None
        if read != quotation.version:
            raise StaleVersion(quotation.version)


def _refuse(quotation: Quotation, action: str) -> TransitionNotAllowed:
    labels = dict(QuotationStatus.choices)
    state = selectors.effective_status(quotation.status, quotation.valid_until)
    allowed = TRANSITIONS[action][0]
    target = TRANSITIONS[action][1]
    message = _("Quotation %(number)s is %(status)s: it cannot become %(target)s (only from %(allowed)s).") % {
        "number": quotation.number,
        "status": labels.get(state, state),
        "target": labels.get(target, target),
        "allowed": ", ".join(str(labels[s]) for s in allowed),
    }
    if state == QuotationStatus.EXPIRED and action in ("send", "accept"):
        message += " " + _("Its validity ended on %(date)s: revise it.") % {"date": quotation.valid_until.isoformat()}
    return TransitionNotAllowed(message)


def _ensure_transition(quotation: Quotation, action: str) -> str:
    """The status the action leads to; TransitionNotAllowed from the quotation's effective status otherwise."""
    allowed, target = TRANSITIONS[action]
    state = selectors.effective_status(quotation.status, quotation.valid_until)
    if state not in allowed:
        raise _refuse(quotation, action)
    return target


def _ensure_editable(quotation: Quotation) -> None:
    if quotation.status != QuotationStatus.DRAFT:
        labels = dict(QuotationStatus.choices)
        raise TransitionNotAllowed(
            _("Quotation %(number)s is %(status)s: only a draft is changed (revise it for new figures).")
            % {"number": quotation.number, "status": labels.get(quotation.status, quotation.status)}
        )


# ---- input cleaning ----------------------------------------------------------------------------------------------


class _Errors:
    """Collects {field: [messages]} and raises them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = defaultdict(list)

    def add(self, name: str, message: str) -> None:
        self.errors[name].append(message)

    def __contains__(self, name: str) -> bool:
        return name in self.errors

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(dict(self.errors))


def _name(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return -1
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return -1


def _decimal(
    value: Any,
    name: str,
    errors: _Errors,
    *,
    places: int,
    low: Decimal = ZERO,
    high: Decimal | None = None,
    positive: bool = False,
) -> Decimal | None:
    """A number with at most `places` decimals in [low, high] (above zero when `positive`), padded to its places."""
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.add(name, _("Enter a number."))
        return None
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors.add(name, _("Enter a number."))
        return None
    if not number.is_finite():
        errors.add(name, _("Enter a number."))
        return None
    if positive and number <= 0:
        errors.add(name, _("Enter a number greater than zero."))
        return None
    if number < low or (high is not None and number > high):
        if high is None:
            errors.add(name, _("Enter %(low)s or more.") % {"low": low})
        else:
            errors.add(name, _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high})
        return None
    quantum = Decimal(1).scaleb(-places)
    if number != number.quantize(quantum):
        errors.add(name, _("Use at most %(n)s decimal places.") % {"n": places})
        return None
    return number.quantize(quantum)


def _cost(value: Any, name: str, errors: _Errors) -> Decimal | None:
    return _decimal(value, name, errors, places=4, high=COST_MAX - Decimal("0.0001"))


def _date(value: Any, name: str, errors: _Errors) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.add(name, _("Enter a date as YYYY-MM-DD."))
        return None


def _text(value: Any, name: str, errors: _Errors) -> str:
    text = "" if value is None else str(value).strip()
    limit = TEXT_LIMITS.get(name.rpartition(".")[2], 5000)
    if len(text) > limit:
        errors.add(name, _("At most %(n)s characters.") % {"n": limit})
    return text[:limit]


def default_place(customer: Customer, incoterm: str) -> str:
    """The named place of the customer's latest order (else quotation) on the same Incoterm."""
    place = (
        Order.objects.filter(customer=customer, incoterm=incoterm)
        .exclude(incoterm_place="")
        .order_by("-order_date", "-id")
        .values_list("incoterm_place", flat=True)
        .first()
    )
    if place:
        return place
    return (
        Quotation.objects.filter(customer=customer, incoterm=incoterm)
        .exclude(incoterm_place="")
        .order_by("-quote_date", "-id")
        .values_list("incoterm_place", flat=True)
        .first()
        or ""
    )


def _clean_header(data: dict[str, Any], *, quotation: Quotation | None, by: User, errors: _Errors) -> dict[str, Any]:
    """Check a quotation's header; returns the values to set (on create every field, with the customer's defaults;
    on update only what changes follow from `data`)."""
    creating = quotation is None
    for key in data:
        if key not in HEADER_KEYS and key not in ("lines", "version"):
            errors.add(key, _("Unknown field."))
    values: dict[str, Any] = {}
    given = lambda *keys: any(k in data for k in keys)  # noqa: E731

    customer = None if creating else quotation.customer
    if creating or given("customer", "customer_id"):
        raw = data.get("customer", data.get("customer_id"))
        if isinstance(raw, Customer):
            customer = raw
        else:
            pk = _int(raw)
            customer = Customer.objects.filter(pk=pk).first() if pk else None
            if customer is None:
                errors.add(
                    "customer_id",
                    _("There is no customer %(id)s.") % {"id": raw} if pk else _("Choose the customer."),
                )
        if customer is not None and not customer.is_active and (creating or customer.pk != quotation.customer_id):
            errors.add("customer_id", _("Customer %(code)s is inactive.") % {"code": customer.code})
            customer = None
        if customer is not None and (creating or customer.pk != quotation.customer_id):
            values["customer"] = customer
    if customer is None:
        return values
    customer_changed = "customer" in values and not creating

    if given("contact", "contact_id"):
        raw = data.get("contact", data.get("contact_id"))
        contact = raw if isinstance(raw, Contact) else None
        pk = _int(raw) if contact is None else contact.pk
        if pk:
            contact = contact or Contact.objects.filter(pk=pk).first()
            if contact is None or contact.customer_id != customer.pk:
                errors.add("contact_id", _("%(code)s has no contact %(id)s.") % {"code": customer.code, "id": raw})
                contact = None
        values["contact"] = contact
    elif creating or (customer_changed and quotation.contact_id):
        values["contact"] = Contact.objects.filter(customer=customer).order_by("-is_primary", "name", "pk").first()

    currency = customer.currency if creating else quotation.currency
    if given("currency"):
        currency = str(data.get("currency") or "").strip().upper()
        if currency not in Currency.values:
            errors.add("currency", _("Unknown currency %(v)s.") % {"v": currency or "—"})
            currency = customer.currency if creating else quotation.currency
    if creating or currency != quotation.currency:
        values["currency"] = currency

    if given("fx_rate") and data.get("fx_rate") not in (None, ""):
        rate = _decimal(data.get("fx_rate"), "fx_rate", errors, places=6, positive=True, high=Decimal("999999"))
        if rate is not None and currency == Currency.CNY and rate != 1:
            errors.add("fx_rate", _("A quotation in CNY has the rate 1."))
        elif rate is not None and (creating or rate != quotation.fx_rate):
            values["fx_rate"] = rate
    elif creating or "currency" in values:
        rate = selectors.exchange_rates().get(currency)
        if rate is None:
            errors.add(
                "fx_rate",
                _("Give the quoted rate: how many CNY one %(currency)s is (there is no quoting rate for it).")
                % {"currency": currency},
            )
        else:
            values["fx_rate"] = rate

    if given("incoterm"):
        incoterm = str(data.get("incoterm") or "").strip().upper()
        if incoterm not in Incoterm.values:
            errors.add(
                "incoterm", _("Choose one of the Incoterms 2020: %(list)s.") % {"list": ", ".join(Incoterm.values)}
            )
        elif creating or incoterm != quotation.incoterm:
            values["incoterm"] = incoterm
    elif creating:
        values["incoterm"] = customer.default_incoterm
    if given("incoterm_place"):
        values["incoterm_place"] = _text(data.get("incoterm_place"), "incoterm_place", errors)
    elif creating:
        values["incoterm_place"] = default_place(customer, values.get("incoterm", customer.default_incoterm))
    if given("payment_terms"):
        values["payment_terms"] = _text(data.get("payment_terms"), "payment_terms", errors)
    elif creating:
        values["payment_terms"] = customer.payment_terms

    if given("lead_time_days") and data.get("lead_time_days") not in (None, ""):
        days = _int(data.get("lead_time_days"))
        if days is None or days < 0 or days > MAX_LEAD_DAYS:
            errors.add("lead_time_days", _("Give the lead time in days, 0 to %(n)s.") % {"n": MAX_LEAD_DAYS})
        else:
            values["lead_time_days"] = days
    elif creating:
        values["lead_time_days"] = default_lead_days()

    quote_date = clock.today() if creating else quotation.quote_date
    if given("valid_until") and data.get("valid_until") not in (None, ""):
        day = _date(data.get("valid_until"), "valid_until", errors)
        if day is not None and day < quote_date:
            errors.add("valid_until", _("The quotation cannot expire before its date (%(d)s).") % {"d": quote_date})
        elif day is not None and creating and day < clock.today():
            errors.add("valid_until", _("The validity cannot end in the past."))
        elif day is not None:
            values["valid_until"] = day
    elif creating:
        values["valid_until"] = quote_date + dt.timedelta(days=validity_days())

    if given("salesperson", "salesperson_id") and data.get("salesperson", data.get("salesperson_id")) not in (None, ""):
        raw = data.get("salesperson", data.get("salesperson_id"))
        if isinstance(raw, User):
            person = raw
        else:
            text = str(raw).strip()
            person = User.objects.filter(**({"pk": int(text)} if text.isdigit() else {"username": text})).first()
        if person is None or not person.is_active:
            errors.add("salesperson", _("There is no active user %(name)s.") % {"name": raw})
        elif not person.has_perm("quotations.change_quotation"):
            errors.add("salesperson", _("%(name)s cannot make quotations.") % {"name": person.username})
        elif (
            person.pk != by.pk
            and not by.has_perm("quotations.manage_all_quotations")
            and (creating or person.pk != quotation.salesperson_id)
        ):
            errors.add("salesperson", _("Only a manager gives a quotation to another salesperson."))
        elif creating or person.pk != quotation.salesperson_id:
            values["salesperson"] = person
    elif creating:
        values["salesperson"] = by

    for name in ("remarks", "notes"):
        if given(name):
            values[name] = _text(data.get(name), name, errors)
        elif creating:
            values[name] = ""
    return values


# ---- lines in memory: built, changed and priced before anything is written --------------------------------------


@dataclass
class _Draft:
    """A line with its materials, operations and wanted breaks, held in memory until every line checks out."""

    line: QuotationLine
    materials: list[QuotationMaterial]
    operations: list[QuotationOperation]
    breaks: list[Decimal] | None  # the wanted break quantities (None: as they are)
    is_new: bool
    key: str = ""
    break_prices: dict[Decimal, Decimal] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)
    old_breaks: list[Decimal] = field(default_factory=list)
    materials_changed: list[QuotationMaterial] = field(default_factory=list)
    rebuilt: bool = False
    read_material_cost: Decimal = ZERO  # the figures as the caller read them (a round trip sends them back)
    read_processing: Decimal = ZERO


def _products(ids: Iterable[int]) -> dict[int, Product]:
    """The products with their BOMs and routings (three queries)."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return Product.objects.prefetch_related(
        Prefetch("bom_lines", queryset=BomLine.objects.select_related("material").order_by("position", "id")),
        Prefetch("routing", queryset=RoutingStep.objects.select_related("work_centre").order_by("position")),
    ).in_bulk(ids)


def _bom_rows(product: Product, prices: dict[int, selectors.MaterialPrice]) -> list[QuotationMaterial]:
    rows = []
    for position, bom in enumerate(product.bom_lines.all(), start=1):
        price = prices.get(bom.material_id) or selectors.MaterialPrice(ZERO, PriceSource.NONE)
        rows.append(
            QuotationMaterial(
                position=position,
                material=bom.material,
                qty_per_unit=bom.qty_per_unit,
                scrap_pct=bom.scrap_pct,
                unit_price=costing.q4(price.price),
                source=price.source,
                source_note=price.note[:200],
            )
        )
    return rows


def _routing_rows(product: Product, rates: dict[int, Decimal]) -> list[QuotationOperation]:
    return [
        QuotationOperation(
            position=step.position,
            name=step.name,
            work_centre=step.work_centre,
            minutes_per_unit=step.minutes_per_unit,
            setup_minutes=step.setup_minutes,
            hourly_rate=rates.get(step.work_centre_id, ZERO),
            has_rate=step.work_centre_id in rates,
        )
        for step in product.routing.all()
    ]


def _material_prices(products: Iterable[Product], quotation: Quotation) -> dict[int, selectors.MaterialPrice]:
    ids = [bom.material_id for p in products for bom in p.bom_lines.all()]
    return selectors.latest_material_prices(ids, currency=quotation.currency, fx_rate=quotation.fx_rate)


def _routing_rates(products: Iterable[Product]) -> dict[int, Decimal]:
    ids = [step.work_centre_id for p in products for step in p.routing.all()]
    return selectors.processing_rates(ids) if ids else {}


def _new_draft(
    product: Product,
    *,
    prices: dict[int, selectors.MaterialPrice],
    rates: dict[int, Decimal],
    overhead_pct: Decimal,
    margin_pct: Decimal,
) -> _Draft:
    line = QuotationLine(
        product=product, quantity=Decimal(1), overhead_pct=overhead_pct, margin_pct=margin_pct, description=""
    )
    draft = _Draft(
        line=line,
        materials=_bom_rows(product, prices),
        operations=_routing_rows(product, rates),
        breaks=[],
        is_new=True,
    )
    _cost_rows(draft)
    draft.read_material_cost = line.material_cost
    return draft


def _cost_rows(draft: _Draft) -> None:
    """The line's material cost from its materials and its run and setup costs from its operations, when it has
    them (else they are typed)."""
    line = draft.line
    if draft.materials:
        line.material_cost = costing.materials_cost(
            [(m.qty_per_unit, m.scrap_pct, m.unit_price) for m in draft.materials]
        )
    if draft.operations:
        line.run_cost, line.setup_cost = costing.routing_cost(
            [(o.minutes_per_unit, o.setup_minutes, o.hourly_rate) for o in draft.operations]
        )


def _existing_draft(line: QuotationLine) -> _Draft:
    draft = _Draft(
        line=line,
        materials=list(line.materials.all()),
        operations=list(line.operations.all()),
        breaks=None,
        is_new=False,
        before=audit.snapshot(line, LINE_AUDIT),
        old_breaks=[b.quantity for b in line.breaks.all()],
        read_material_cost=line.material_cost,
        read_processing=_processing_shown(line),
    )
    return draft


def _processing_shown(line: QuotationLine) -> Decimal:
    return costing.q4(line.run_cost) + costing.setup_share(line.setup_cost, line.quantity)


def _apply_line(draft: _Draft, raw: dict[str, Any], *, key: str, errors: _Errors) -> None:
    """Apply one line's given values to its draft (errors named `key.field`)."""
    line = draft.line
    draft.key = key
    if draft.is_new:
        draft.read_processing = _processing_shown(line)
    for name in raw:
        if name not in LINE_KEYS:
            errors.add(_name(key, name), _("Unknown field."))
    if "description" in raw:
        line.description = _text(raw.get("description"), _name(key, "description"), errors)
    if "quantity" in raw:
        qty = _decimal(raw.get("quantity"), _name(key, "quantity"), errors, places=3, positive=True, high=QTY_MAX)
        if qty is not None:
            line.quantity = qty
    for name in ("packaging_cost", "freight_cost"):
        if name in raw:
            value = _cost(raw.get(name) if raw.get(name) not in (None, "") else 0, _name(key, name), errors)
            if value is not None:
                setattr(line, name, value)
    if "overhead_pct" in raw:
        value = _decimal(
            raw.get("overhead_pct") if raw.get("overhead_pct") not in (None, "") else 0,
            _name(key, "overhead_pct"),
            errors,
            places=2,
            high=costing.MAX_OVERHEAD_PCT,
        )
        if value is not None:
            line.overhead_pct = value
    if "margin_pct" in raw:
        value = _decimal(
            raw.get("margin_pct") if raw.get("margin_pct") not in (None, "") else 0,
            _name(key, "margin_pct"),
            errors,
            places=2,
            high=costing.MAX_MARGIN_PCT,
        )
        if value is not None:
            line.margin_pct = value
    if "price_override" in raw:
        value = raw.get("price_override")
        if value in (None, ""):
            line.price_override = None
        else:
            price = _decimal(value, _name(key, "price_override"), errors, places=4, positive=True, high=COST_MAX)
            if price is not None:
                line.price_override = price

    # the materials: a typed price per material of the BOM
    if "materials" in raw:
        rows = {m.pk: m for m in draft.materials if m.pk}
        by_material = {m.material_id: m for m in draft.materials}
        items = raw.get("materials") or []
        if not isinstance(items, list):
            errors.add(_name(key, "materials"), _("Give a list of materials with their prices."))
            items = []
        for n, item in enumerate(items):
            item = item if isinstance(item, dict) else {}
            row = rows.get(_int(item.get("id"))) if item.get("id") not in (None, "") else None
            row = row or by_material.get(_int(item.get("material_id")))
            where = _name(key, f"materials[{n}]")
            if row is None:
                errors.add(
                    f"{where}.material_id",
                    _("This line has no such material: its materials come from the product's BOM."),
                )
                continue
            price = _cost(item.get("unit_price"), f"{where}.unit_price", errors)
            if price is not None and price != row.unit_price:
                if row.source != PriceSource.MANUAL:
                    was = _("was %(price)s from %(source)s") % {
                        "price": f"{row.unit_price.normalize():f}",
                        "source": row.get_source_display(),
                    }
                    row.source_note = (f"{was} {row.source_note}".strip())[:200]
                row.unit_price = price
                row.source = PriceSource.MANUAL
                draft.materials_changed.append(row)
    if "material_cost" in raw:
        value = _cost(raw.get("material_cost"), _name(key, "material_cost"), errors)
        if value is not None:
            if draft.materials:
                computed = costing.materials_cost(
                    [(m.qty_per_unit, m.scrap_pct, m.unit_price) for m in draft.materials]
                )
                if value not in (computed, draft.read_material_cost):
                    errors.add(
                        _name(key, "material_cost"),
                        _("The material cost is the sum of the BOM's materials (%(v)s): change their prices instead.")
                        % {"v": computed},
                    )
            else:
                line.material_cost = value

    # processing: from the routing, else typed (run cost per unit, setup cost per batch)
    routed = bool(draft.operations)
    if "setup_cost" in raw:
        value = _decimal(
            raw.get("setup_cost") if raw.get("setup_cost") not in (None, "") else 0,
            _name(key, "setup_cost"),
            errors,
            places=2,
            high=COST_MAX,
        )
        if value is not None:
            if routed and value != line.setup_cost:
                errors.add(_name(key, "setup_cost"), _("The setup cost comes from the product's routing."))
            elif not routed:
                line.setup_cost = value
    if "run_cost" in raw:
        value = _cost(
            raw.get("run_cost") if raw.get("run_cost") not in (None, "") else 0, _name(key, "run_cost"), errors
        )
        if value is not None:
            if routed and value != line.run_cost:
                errors.add(_name(key, "run_cost"), _("The processing cost comes from the product's routing."))
            elif not routed:
                line.run_cost = value
    if "processing_cost" in raw and "run_cost" not in raw:
        value = _cost(raw.get("processing_cost"), _name(key, "processing_cost"), errors)
        if value is not None and value not in (_processing_shown(line), draft.read_processing):
            if routed:
                errors.add(
                    _name(key, "processing_cost"),
                    _("The processing cost comes from the product's routing (%(v)s at this quantity).")
                    % {"v": _processing_shown(line)},
                )
            else:
                share = costing.setup_share(line.setup_cost, line.quantity)
                if value < share:
                    errors.add(
                        _name(key, "processing_cost"),
                        _("The processing cost includes the setup's share (%(v)s per unit): it cannot be less.")
                        % {"v": share},
                    )
                else:
                    line.run_cost = value - share

    if "breaks" in raw:
        items = raw.get("breaks") or []
        if not isinstance(items, list):
            errors.add(_name(key, "breaks"), _("Give a list of quantities."))
            items = []
        wanted: list[Decimal] = []
        for n, item in enumerate(items):
            value = item.get("quantity") if isinstance(item, dict) else item
            qty = _decimal(value, _name(key, f"breaks[{n}]"), errors, places=3, positive=True, high=QTY_MAX)
            if qty is None:
                continue
            if qty in wanted:
                errors.add(_name(key, f"breaks[{n}]"), _("This quantity is already a break."))
            else:
                wanted.append(qty)
        if len(wanted) > MAX_BREAKS:
            errors.add(_name(key, "breaks"), _("At most %(n)s quantity breaks.") % {"n": MAX_BREAKS})
        draft.breaks = sorted(wanted)
    breaks = draft.breaks if draft.breaks is not None else draft.old_breaks
    if line.quantity in breaks and _name(key, "quantity") not in errors:
        errors.add(
            _name(key, "breaks"),
            _("%(q)s is the line's own quantity: a break is a further quantity.") % {"q": line.quantity.normalize()},
        )


def _price(draft: _Draft, quotation: Quotation, key: str, errors: _Errors) -> None:
    """Compute the line's costs from its materials and operations, its unit price, amount and break prices."""
    line = draft.line
    _cost_rows(draft)
    inputs = inputs_of(line)
    up = costing.build_up(inputs, line.quantity, fx_rate=quotation.fx_rate, currency=quotation.currency)
    line.unit_price = up.unit_price
    line.amount = round_money(line.quantity * line.quoted_price, quotation.currency)
    if line.amount >= Decimal(10) ** 14:
        errors.add(_name(key, "quantity"), _("The amount is too large."))
    breaks = draft.breaks if draft.breaks is not None else draft.old_breaks
    draft.break_prices = {
        qty: costing.build_up(inputs, qty, fx_rate=quotation.fx_rate, currency=quotation.currency).unit_price
        for qty in breaks
    }


def inputs_of(line: QuotationLine) -> costing.CostInputs:
    """A line's figures as the costing's inputs."""
    return costing.CostInputs(
        material=line.material_cost,
        run=line.run_cost,
        setup=line.setup_cost,
        packaging=line.packaging_cost,
        overhead_pct=line.overhead_pct,
        freight=line.freight_cost,
        margin_pct=line.margin_pct,
    )


def _save_draft(draft: _Draft, quotation: Quotation, by: User) -> None:
    line = draft.line
    line.quotation = quotation
    if draft.is_new:
        line.save(force_insert=True)
        for row in draft.materials:
            row.line = line
        for row in draft.operations:
            row.line = line
        QuotationMaterial.objects.bulk_create(draft.materials)
        QuotationOperation.objects.bulk_create(draft.operations)
    else:
        line.save()
        if draft.rebuilt:
            QuotationMaterial.objects.filter(line=line).delete()
            QuotationOperation.objects.filter(line=line).delete()
            for row in draft.materials:
                row.pk = None
                row.line = line
            for row in draft.operations:
                row.pk = None
                row.line = line
            QuotationMaterial.objects.bulk_create(draft.materials)
            QuotationOperation.objects.bulk_create(draft.operations)
        elif draft.materials_changed:
            QuotationMaterial.objects.bulk_update(draft.materials_changed, ["unit_price", "source", "source_note"])
    wanted = draft.breaks if draft.breaks is not None else draft.old_breaks
    existing = {b.quantity: b for b in QuotationBreak.objects.filter(line=line)} if not draft.is_new else {}
    QuotationBreak.objects.filter(line=line).exclude(quantity__in=wanted).delete()
    changed = []
    for qty in wanted:
        price = draft.break_prices[qty]
        current = existing.get(qty)
        if current is None:
            QuotationBreak.objects.create(line=line, quantity=qty, unit_price=price)
        elif current.unit_price != price:
            current.unit_price = price
            changed.append(current)
    if changed:
        QuotationBreak.objects.bulk_update(changed, ["unit_price"])

    after = audit.snapshot(line, LINE_AUDIT)
    label = f"#{line.position} {line.product.code}"
    if draft.is_new:
        changes = {k: [None, v] for k, v in after.items() if v not in (None, "", "0")}
        changes["product"] = [None, line.product.code]
        if wanted:
            changes["breaks"] = [None, [audit.plain(q) for q in wanted]]
        audit.record(instance=line, action=AuditAction.CREATE, by=by, changes=changes, related=quotation, message=label)
        return
    changes = audit.diff(draft.before, after)
    if draft.breaks is not None and draft.breaks != draft.old_breaks:
        changes["breaks"] = [[audit.plain(q) for q in draft.old_breaks], [audit.plain(q) for q in draft.breaks]]
    for row in draft.materials_changed:
        changes[f"material {row.material.code}"] = [None, audit.plain(row.unit_price)]
    if draft.rebuilt:
        changes["costs"] = [None, _("refreshed from the BOM, the latest prices, the routing and the rates")]
    if changes:
        audit.record(instance=line, action=AuditAction.UPDATE, by=by, changes=changes, related=quotation, message=label)


def _lines_of(quotation: Quotation) -> list[QuotationLine]:
    return selectors.lines_of(quotation)


def _new_line_defaults(quotation: Quotation, existing: list[QuotationLine]) -> tuple[Decimal, Decimal]:
    """Overheads and margin of a new line: the last line's, else the settings'."""
    if existing:
        last = existing[-1]
        return last.overhead_pct, last.margin_pct
    return default_overhead_pct(), default_margin_pct()


def _plan_new_lines(
    quotation: Quotation,
    items: list[tuple[int, dict[str, Any]]],
    *,
    existing: list[QuotationLine],
    errors: _Errors,
    key_of: Any,
) -> list[_Draft]:
    """Drafts of new lines [(index, data)]: their product's BOM priced and routing rated, the given values applied."""
    ids = []
    for _n, raw in items:
        product = raw.get("product", raw.get("product_id"))
        ids.append(product.pk if isinstance(product, Product) else _int(product) or 0)
    products = _products(i for i in ids if i and i > 0)
    prices = _material_prices(products.values(), quotation)
    rates = _routing_rates(products.values())
    overhead, margin = _new_line_defaults(quotation, existing)
    drafts = []
    for (n, raw), pid in zip(items, ids, strict=True):
        key = key_of(n)
        product = products.get(pid)
        if product is None:
            errors.add(
                _name(key, "product_id"),
                _("There is no product %(id)s.") % {"id": pid} if pid else _("Choose the product."),
            )
            continue
        if not product.is_active:
            errors.add(_name(key, "product_id"), _("Product %(code)s is inactive.") % {"code": product.code})
            continue
        if "quantity" not in raw:
            errors.add(_name(key, "quantity"), _("Enter the quantity."))
        draft = _new_draft(product, prices=prices, rates=rates, overhead_pct=overhead, margin_pct=margin)
        values = {k: v for k, v in raw.items() if k not in ("product", "product_id", "id")}
        _apply_line(draft, values, key=key, errors=errors)
        drafts.append(draft)
    return drafts


def _finish(locked: Quotation, drafts: list[_Draft], *, by: User, errors: _Errors) -> None:
    """Price every draft, then (when nothing is wrong) write them."""
    for draft in drafts:
        _price(draft, locked, draft.key, errors)
    errors.raise_if_any()
    position = (QuotationLine.objects.filter(quotation=locked).aggregate(m=Max("position"))["m"] or 0) + 1
    for draft in drafts:
        if draft.is_new:
            draft.line.position = position
            position += 1
        _save_draft(draft, locked, by)


def _set_total(locked: Quotation) -> None:
    amounts = QuotationLine.objects.filter(quotation=locked).values_list("amount", flat=True)
    locked.total_amount = round_money(sum(amounts, ZERO), locked.currency)


# ---- create and change -------------------------------------------------------------------------------------------


@transaction.atomic
def create_quotation(*, by: User, data: dict[str, Any]) -> Quotation:
    """Create a draft quotation for a customer: its currency, Incoterm and payment terms default to the customer's,
    the named place to the customer's last one on that Incoterm, the quoted rate to the quoting rate of the
    currency, the validity to today + GENDAN_QUOTATION_VALIDITY_DAYS. `data["lines"]` (optional) are its first
    lines: each `product_id` and `quantity`, and any of the line's figures."""
    if not by.has_perm("quotations.add_quotation"):
        raise PermissionDenied(_("Your role lacks the permission %(perm)s.") % {"perm": "quotations.add_quotation"})
    errors = _Errors()
    header = _clean_header(data, quotation=None, by=by, errors=errors)
    lines = data.get("lines") or []
    if not isinstance(lines, list):
        errors.add("lines", _("Give a list of lines."))
        lines = []
    errors.raise_if_any()
    base = next_number(prefix())
    quotation = Quotation(
        number=base,
        base_number=base,
        revision=1,
        quote_date=clock.today(),
        status=QuotationStatus.DRAFT,
        created_by=by,
        **header,
    )
    quotation.save(force_insert=True)
    drafts = _plan_new_lines(
        quotation, list(enumerate(lines)), existing=[], errors=errors, key_of=lambda n: f"lines[{n}]"
    )
    _finish(quotation, drafts, by=by, errors=errors)
    _set_total(quotation)
    quotation.save(update_fields=["total_amount"])
    audit.record_create(instance=quotation, by=by, fields=[*HEADER_FIELDS, "total_amount"])
    return quotation


@transaction.atomic
def update_quotation(
    *, quotation: Quotation, by: User, data: dict[str, Any], version: Any = None, lines: list[dict] | None = None
) -> Quotation:
    """Change a draft's header and, when `lines` is given, its lines: a dict with "id" changes that line, one
    without adds a line, and a line missing from the list is removed. A new currency or rate reprices every line."""
    locked = _lock(quotation)
    _ensure_can_change(locked, by)
    _check_version(locked, version)
    _ensure_editable(locked)
    errors = _Errors()
    data = {k: v for k, v in (data or {}).items() if k not in ("version", "lines")}
    header = _clean_header(data, quotation=locked, by=by, errors=errors)
    if lines is not None and not isinstance(lines, list):
        errors.add("lines", _("Give a list of lines."))
        lines = None
    errors.raise_if_any()
    before = audit.snapshot(locked, HEADER_FIELDS)
    for name, value in header.items():
        setattr(locked, name, value)
    current = _lines_of(locked)
    by_id = {line.pk: line for line in current}
    drafts: list[_Draft] = []
    removed: list[QuotationLine] = []
    if lines is not None:
        seen: set[int] = set()
        new_items: list[tuple[int, dict[str, Any]]] = []
        for n, raw in enumerate(lines):
            raw = raw if isinstance(raw, dict) else {}
            line_id = _int(raw.get("id"))
            if line_id:
                line = by_id.get(line_id)
                if line is None or line_id in seen:
                    errors.add(f"lines[{n}].id", _("This quotation has no line %(id)s.") % {"id": raw.get("id")})
                    continue
                seen.add(line_id)
                pid = raw.get("product", raw.get("product_id"))
                pid = pid.pk if isinstance(pid, Product) else _int(pid)
                if pid and pid != line.product_id:
                    errors.add(
                        f"lines[{n}].product_id",
                        _("A line keeps its product: remove the line and add the other product."),
                    )
                    continue
                draft = _existing_draft(line)
                values = {k: v for k, v in raw.items() if k not in ("id", "product", "product_id")}
                _apply_line(draft, values, key=f"lines[{n}]", errors=errors)
                drafts.append(draft)
            else:
                new_items.append((n, raw))
        removed = [line for line in current if line.pk not in seen]
        kept = [line for line in current if line.pk in seen]
        new_drafts = _plan_new_lines(locked, new_items, existing=kept, errors=errors, key_of=lambda n: f"lines[{n}]")
        drafts += new_drafts
    elif "currency" in header or "fx_rate" in header:
        drafts = [_existing_draft(line) for line in current]
    errors.raise_if_any()
    for line in removed:
        audit.record(
            instance=line,
            action=AuditAction.DELETE,
            by=by,
            changes={"product": [line.product.code, None], "quantity": [audit.plain(line.quantity), None]},
            related=locked,
            message=f"#{line.position} {line.product.code}",
        )
        line.delete()
    _finish(locked, drafts, by=by, errors=errors)
    _set_total(locked)
    changes = audit.diff(before, audit.snapshot(locked, HEADER_FIELDS))
    locked.version += 1
    locked.save()
    if changes:
        audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes)
    return locked


def _one_line(locked: Quotation, line_id: Any) -> QuotationLine:
    line = next((line for line in _lines_of(locked) if line.pk == _int(line_id)), None)
    if line is None:
        raise ValidationError({"line": _("This quotation has no line %(id)s.") % {"id": line_id}})
    return line


def _after_line_change(locked: Quotation) -> Quotation:
    _set_total(locked)
    locked.version += 1
    locked.save(update_fields=["total_amount", "version", "updated_at"])
    return locked


@transaction.atomic
def add_line(*, quotation: Quotation, by: User, data: dict[str, Any], version: Any = None) -> QuotationLine:
    """Add a product to a draft: its BOM's materials at their latest purchase prices, its routing's operations at
    the work centres' rates, overheads and margin as the line before (else the settings')."""
    locked = _lock(quotation)
    _ensure_can_change(locked, by)
    _check_version(locked, version)
    _ensure_editable(locked)
    errors = _Errors()
    drafts = _plan_new_lines(locked, [(0, dict(data))], existing=_lines_of(locked), errors=errors, key_of=lambda n: "")
    errors.raise_if_any()
    _finish(locked, drafts, by=by, errors=errors)
    _after_line_change(locked)
    return drafts[0].line


@transaction.atomic
def update_line(
    *, quotation: Quotation, line_id: Any, by: User, data: dict[str, Any], version: Any = None
) -> QuotationLine:
    """Change one line of a draft (errors named by the field alone): quantity, a material's price, the typed costs,
    overheads, freight, margin, the price override, the breaks. The price is computed again."""
    locked = _lock(quotation)
    _ensure_can_change(locked, by)
    _check_version(locked, version)
    _ensure_editable(locked)
    line = _one_line(locked, line_id)
    errors = _Errors()
    draft = _existing_draft(line)
    _apply_line(
        draft, {k: v for k, v in data.items() if k not in ("id", "product", "product_id")}, key="", errors=errors
    )
    errors.raise_if_any()
    _finish(locked, [draft], by=by, errors=errors)
    _after_line_change(locked)
    return draft.line


@transaction.atomic
def refresh_line(*, quotation: Quotation, line_id: Any, by: User, version: Any = None) -> QuotationLine:
    """Cost a draft's line again from today's BOM, latest purchase prices, routing and rates (typed material prices
    are replaced; typed costs of a line without BOM or routing are kept)."""
    locked = _lock(quotation)
    _ensure_can_change(locked, by)
    _check_version(locked, version)
    _ensure_editable(locked)
    line = _one_line(locked, line_id)
    product = _products([line.product_id])[line.product_id]
    draft = _existing_draft(line)
    draft.materials = _bom_rows(product, _material_prices([product], locked))
    draft.operations = _routing_rows(product, _routing_rates([product]))
    draft.rebuilt = True
    errors = _Errors()
    _finish(locked, [draft], by=by, errors=errors)
    _after_line_change(locked)
    return draft.line


@transaction.atomic
def remove_line(*, quotation: Quotation, line_id: Any, by: User, version: Any = None) -> Quotation:
    locked = _lock(quotation)
    _ensure_can_change(locked, by)
    _check_version(locked, version)
    _ensure_editable(locked)
    line = _one_line(locked, line_id)
    audit.record(
        instance=line,
        action=AuditAction.DELETE,
        by=by,
        changes={"product": [line.product.code, None], "quantity": [audit.plain(line.quantity), None]},
        related=locked,
        message=f"#{line.position} {line.product.code}",
    )
    line.delete()
    return _after_line_change(locked)


# ---- transitions -------------------------------------------------------------------------------------------------


def _move(locked: Quotation, target: str, by: User | None, *, message: str = "", **fields: Any) -> Quotation:
    old = locked.status
    changes: dict[str, Any] = {}
    if old != target:
        changes["status"] = [old, target]
    for name, value in fields.items():
        changes[name] = [audit.plain(getattr(locked, name)), audit.plain(value)]
        setattr(locked, name, value)
    locked.status = target
    locked.version += 1
    locked.save()
    audit.record(instance=locked, action=AuditAction.TRANSITION, by=by, changes=changes, message=message)
    return locked


def _addresses(to: Iterable[str]) -> list[str]:
    from django.core.exceptions import ValidationError as DjangoInvalid
    from django.core.validators import validate_email

    addresses = [a.strip() for a in to if a and a.strip()]
    if not addresses:
        raise ValidationError({"to": _("Give at least one e-mail address (the contact has none).")})
    for address in addresses:
        try:
            validate_email(address)
        except DjangoInvalid:
            raise ValidationError({"to": _("%(address)s is not an e-mail address.") % {"address": address}}) from None
    return addresses


def _ready_to_send(quotation: Quotation) -> None:
    errors = _Errors()
    lines = list(QuotationLine.objects.filter(quotation=quotation).select_related("product"))
    if not lines:
        errors.add("lines", _("Add at least one product before sending the quotation."))
    for line in lines:
        if line.quoted_price <= 0:
            errors.add(
                "lines",
                _("Line %(n)s (%(code)s) has no price: give its costs.")
                % {"n": line.position, "code": line.product.code},
            )
    if quotation.valid_until < clock.today():
        errors.add("valid_until", _("The validity ended on %(d)s: set a new date.") % {"d": quotation.valid_until})
    errors.raise_if_any()


def send_quotation(
    *,
    quotation: Quotation,
    by: User,
    to: list[str] | None = None,
    lang: str = "en",
    message: str = "",
    email: bool = True,
    version: Any = None,
) -> Quotation:
    """Send a draft (or send a sent quotation again): e-mail its PDF (`lang` en or zh) to `to` (default: the
    contact's address) and record it sent; `email=False` only records it sent (handed over another way)."""
    from gendan.quotations.documents import LANGS, quotation_pdf

    _ensure_can_change(quotation, by)
    if lang not in LANGS:
        raise ValidationError({"lang": _("Choose en or zh.")})
    _ensure_transition(quotation, "send")
    addresses: list[str] = []
    pdf = b""
    if email:
        if to is None:
            to = [quotation.contact.email] if quotation.contact_id and quotation.contact.email else []
        addresses = _addresses(to)
        _ready_to_send(quotation)
        pdf = quotation_pdf(quotation.pk, lang)  # made before the lock: WeasyPrint takes a while and holds nothing
    with transaction.atomic():
        locked = _lock(quotation)
        _ensure_can_change(locked, by)
        _check_version(locked, version)
        target = _ensure_transition(locked, "send")
        _ready_to_send(locked)
        now = clock.now()
        sent_to = ", ".join(addresses)[:300]
        if email:
            from django.core.mail import EmailMessage

            customer = locked.customer
            subject = _("Quotation %(number)s — %(customer)s") % {
                "number": locked.number,
                "customer": customer.name_en or customer.name,
            }
            mail = EmailMessage(
                subject=subject,
                body=message or subject,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=addresses,
                reply_to=[by.email] if by.email else None,
            )
            mail.attach(f"{locked.number}.pdf", pdf, "application/pdf")
            mail.send()
            note = _("E-mailed to %(to)s (%(lang)s)") % {"to": sent_to, "lang": lang}
        else:
            note = _("Marked sent (not e-mailed)")
        return _move(locked, target, by, message=note, sent_at=now, sent_to=sent_to or locked.sent_to)


@transaction.atomic
def accept_quotation(
    *, quotation: Quotation, by: User, comment: str = "", day: Any = None, version: Any = None
) -> Quotation:
    """The customer accepts a sent quotation still valid (an expired one is revised first)."""
    locked = _lock(quotation)
    _ensure_can_change(locked, by)
    _check_version(locked, version)
    target = _ensure_transition(locked, "accept")
    errors = _Errors()
    decided = _date(day, "date", errors) or clock.today()
    if decided > clock.today():
        errors.add("date", _("The decision cannot be in the future."))
    errors.raise_if_any()
    return _move(locked, target, by, message=str(comment or "")[:500], decided_date=decided)


@transaction.atomic
def lose_quotation(
    *, quotation: Quotation, by: User, reason: str, comment: str = "", day: Any = None, version: Any = None
) -> Quotation:
    """Record a quotation lost (a draft never sent, a sent one, or an expired one) with a reason from the list;
    "other" needs the comment."""
    locked = _lock(quotation)
    _ensure_can_change(locked, by)
    _check_version(locked, version)
    target = _ensure_transition(locked, "lose")
    errors = _Errors()
    reason = str(reason or "").strip()
    comment = str(comment or "").strip()
    if reason not in LostReason.values:
        errors.add("reason", _("Choose why it was lost: %(list)s.") % {"list": ", ".join(LostReason.values)})
    elif reason == LostReason.OTHER and not comment:
        errors.add("comment", _("Say why it was lost."))
    decided = _date(day, "date", errors) or clock.today()
    if decided > clock.today():
        errors.add("date", _("The decision cannot be in the future."))
    errors.raise_if_any()
    return _move(
        locked,
        target,
        by,
        message=comment[:500],
        lost_reason=reason,
        lost_note=comment[:5000],
        decided_date=decided,
    )


def _copy_lines(source: Quotation, target: Quotation) -> None:
    for line in _lines_of(source):
        materials = list(line.materials.all())
        operations = list(line.operations.all())
        breaks = list(line.breaks.all())
        line.pk = None
        line.quotation = target
        line.save(force_insert=True)
        for row in (*materials, *operations, *breaks):
            row.pk = None
            row.line = line
        QuotationMaterial.objects.bulk_create(materials)
        QuotationOperation.objects.bulk_create(operations)
        QuotationBreak.objects.bulk_create(breaks)


@transaction.atomic
def revise_quotation(*, quotation: Quotation, by: User, comment: str = "", version: Any = None) -> Quotation:
    """Make the next revision of a sent or expired quotation: a draft with the same number and "-R<n>", the same
    lines and figures, dated today and valid for GENDAN_QUOTATION_VALIDITY_DAYS; the earlier one is kept read-only
    as superseded."""
    locked = _lock(quotation)
    _ensure_can_change(locked, by)
    _check_version(locked, version)
    _ensure_transition(locked, "revise")
    if not by.has_perm("quotations.add_quotation"):
        raise PermissionDenied(_("Your role lacks the permission %(perm)s.") % {"perm": "quotations.add_quotation"})
    today = clock.today()
    number = f"{locked.base_number}-R{locked.revision + 1}"
    new = Quotation(
        number=number,
        base_number=locked.base_number,
        revision=locked.revision + 1,
        previous=locked,
        customer=locked.customer,
        contact=locked.contact,
        quote_date=today,
        currency=locked.currency,
        fx_rate=locked.fx_rate,
        incoterm=locked.incoterm,
        incoterm_place=locked.incoterm_place,
        payment_terms=locked.payment_terms,
        lead_time_days=locked.lead_time_days,
        valid_until=today + dt.timedelta(days=validity_days()),
        salesperson=locked.salesperson,
        remarks=locked.remarks,
        notes=locked.notes,
        status=QuotationStatus.DRAFT,
        total_amount=locked.total_amount,
        created_by=by,
    )
    new.save(force_insert=True)
    _copy_lines(locked, new)
    _move(locked, QuotationStatus.SUPERSEDED, by, message=(_("Revised as %(number)s") % {"number": number}))
    audit.record_create(
        instance=new,
        by=by,
        fields=["customer", "currency", "fx_rate", "valid_until", "total_amount"],
        message=(_("Revision of %(number)s") % {"number": locked.number}) + (f": {comment}" if comment else ""),
    )
    return new


@transaction.atomic
def quotation_to_order(
    *,
    quotation: Quotation,
    by: User,
    customer_po: str = "",
    ex_factory_date: Any = None,
    lines: list[dict[str, Any]] | None = None,
) -> Order:
    """Turn an accepted quotation into a draft order in one step: its lines with their quantities and quoted prices
    (or, per line, another quantity priced at the largest quoted quantity not above it), its currency, Incoterm,
    named place and payment terms; the ex-factory date defaults to today + the quoted lead time. The order and the
    quotation point at each other. The salesperson, a manager or the customer's merchandiser may do it."""
    from gendan.sales.services import create_order

    locked = _lock(quotation)
    if not (
        can_change(locked, by)
        or (by.has_perm("quotations.change_quotation") and locked.customer.merchandiser_id == by.pk)
    ):
        _ensure_can_change(locked, by)
    if locked.status != QuotationStatus.ACCEPTED:
        labels = dict(QuotationStatus.choices)
        state = selectors.effective_status(locked.status, locked.valid_until)
        raise TransitionNotAllowed(
            _("Quotation %(number)s is %(status)s: only an accepted quotation becomes an order.")
            % {"number": locked.number, "status": labels.get(state, state)}
        )
    if locked.order_id:
        raise TransitionNotAllowed(
            _("Quotation %(number)s is already order %(order)s.") % {"number": locked.number, "order": locked.order}
        )
    errors = _Errors()
    quoted = _lines_of(locked)
    by_id = {line.pk: line for line in quoted}
    wanted: list[tuple[QuotationLine, Decimal]] = []
    if lines is None:
        wanted = [(line, line.quantity) for line in quoted]
    else:
        if not isinstance(lines, list):
            errors.add("lines", _("Give a list of lines."))
            lines = []
        for n, raw in enumerate(lines):
            raw = raw if isinstance(raw, dict) else {}
            line = by_id.get(_int(raw.get("line_id", raw.get("id"))))
            if line is None:
                errors.add(f"lines[{n}].line_id", _("This quotation has no line %(id)s.") % {"id": raw.get("line_id")})
                continue
            if raw.get("quantity") in (None, ""):
                qty = line.quantity
            else:
                qty = _decimal(raw.get("quantity"), f"lines[{n}].quantity", errors, places=3, positive=True)
            if qty is not None:
                wanted.append((line, qty))
    if not wanted and "lines" not in errors:
        errors.add("lines", _("Choose at least one line for the order."))
    order_lines = []
    for n, (line, qty) in enumerate(wanted):
        tiers = [(line.quantity, line.quoted_price)] + [(b.quantity, b.unit_price) for b in line.breaks.all()]
        price = costing.tier_price(tiers, qty)
        if price is None:
            errors.add(
                f"lines[{n}].quantity",
                _("%(q)s is below the smallest quoted quantity of %(code)s (%(min)s).")
                % {"q": qty.normalize(), "code": line.product.code, "min": min(t[0] for t in tiers).normalize()},
            )
            continue
        order_lines.append({"product": line.product, "quantity": qty, "unit_price": price})
    today = clock.today()
    ex_factory = _date(ex_factory_date, "ex_factory_date", errors) or today + dt.timedelta(days=locked.lead_time_days)
    if ex_factory < today:
        errors.add("ex_factory_date", _("The ex-factory date cannot be in the past."))
    customer_po = str(customer_po or "").strip()
    if len(customer_po) > 60:
        errors.add("customer_po", _("At most %(n)s characters.") % {"n": 60})
    errors.raise_if_any()
    order = create_order(
        by=by,
        customer=locked.customer,
        lines=order_lines,
        currency=locked.currency,
        incoterm=locked.incoterm,
        incoterm_place=locked.incoterm_place,
        payment_terms=locked.payment_terms,
        customer_po=customer_po,
        ex_factory_date=ex_factory,
        remarks=_("From quotation %(number)s") % {"number": locked.number},
    )
    locked.order = order
    locked.version += 1
    locked.save(update_fields=["order", "version", "updated_at"])
    audit.record(
        instance=locked,
        action=AuditAction.UPDATE,
        by=by,
        changes={"order": [None, order.number]},
        message=_("Order %(order)s made from it") % {"order": order.number},
    )
    return order


@transaction.atomic
def expire_quotations(*, day: dt.date | None = None) -> int:
    """Mark every sent quotation whose validity ended before `day` (default today) expired; how many. Audited as the
    system. The daily job runs it; until then the selectors read those quotations as expired all the same."""
    day = day or clock.today()
    due = list(
        Quotation.objects.select_for_update().filter(status=QuotationStatus.SENT, valid_until__lt=day).order_by("pk")
    )
    for quotation in due:
        _move(
            quotation,
            QuotationStatus.EXPIRED,
            None,
            message=_("Validity ended on %(date)s") % {"date": quotation.valid_until.isoformat()},
        )
    return len(due)


# ---- rates -------------------------------------------------------------------------------------------------------


@transaction.atomic
def save_processing_rates(*, by: User, rates: dict[Any, Any]) -> int:
    """Set the processing rate (CNY per hour) of work centres: {work centre id: rate}; a blank rate removes it.
    Returns how many changed. Quotations keep the rates they were costed at until their lines are refreshed."""
    if not by.has_perm("quotations.change_processingrate"):
        raise PermissionDenied(
            _("Your role lacks the permission %(perm)s.") % {"perm": "quotations.change_processingrate"}
        )
    errors = _Errors()
    centres = WorkCentre.objects.in_bulk([i for i in (_int(k) for k in rates) if i and i > 0])
    current = {r.work_centre_id: r for r in ProcessingRate.objects.select_for_update().all()}
    wanted: dict[int, Decimal | None] = {}
    for key, value in rates.items():
        centre = centres.get(_int(key) or 0)
        if centre is None:
            errors.add(f"rate-{key}", _("There is no work centre %(id)s.") % {"id": key})
            continue
        if value in (None, ""):
            wanted[centre.pk] = None
            continue
        rate = _decimal(value, f"rate-{centre.pk}", errors, places=2, high=Decimal("99999999"))
        if rate is not None:
            wanted[centre.pk] = rate
    errors.raise_if_any()
    changed = 0
    for pk, rate in wanted.items():
        row = current.get(pk)
        if rate is None:
            if row is not None:
                audit.record(
                    instance=row,
                    action=AuditAction.DELETE,
                    by=by,
                    changes={"hourly_rate": [audit.plain(row.hourly_rate), None]},
                )
                row.delete()
                changed += 1
        elif row is None:
            row = ProcessingRate.objects.create(work_centre=centres[pk], hourly_rate=rate)
            audit.record(
                instance=row, action=AuditAction.CREATE, by=by, changes={"hourly_rate": [None, audit.plain(rate)]}
            )
            changed += 1
        elif row.hourly_rate != rate:
            old = row.hourly_rate
            row.hourly_rate = rate
            row.version += 1
            row.save()
            audit.record(
                instance=row,
                action=AuditAction.UPDATE,
                by=by,
                changes={"hourly_rate": [audit.plain(old), audit.plain(rate)]},
            )
            changed += 1
    return changed


@transaction.atomic
def save_exchange_rates(*, by: User, rates: dict[str, Any]) -> int:
    """Set this month's rates (CNY per unit) of currencies in core's monthly table: {currency: rate}. A rate that
    differs from today's creates or changes the currency's row of this month; a blank rate removes this month's row
    (the latest earlier month's rate then applies). Returns how many rows changed. All or nothing."""
    if not by.has_perm("core.change_exchangerate"):
        raise PermissionDenied(_("Your role lacks the permission %(perm)s.") % {"perm": "core.change_exchangerate"})
    errors = _Errors()
    wanted: dict[str, Decimal | None] = {}
    for code, value in rates.items():
        code = str(code).upper()
        if code not in Currency.values or code == Currency.CNY:
            errors.add(f"rate-{code}", _("Unknown currency %(v)s.") % {"v": code})
            continue
        if value in (None, ""):
            wanted[code] = None
            continue
        rate = _decimal(value, f"rate-{code}", errors, places=6, positive=True, high=Decimal("999999"))
        if rate is not None:
            wanted[code] = rate
    errors.raise_if_any()
    today = clock.today()
    month = fx.month_start(today)
    this_month = {
        r.currency: r for r in ExchangeRate.objects.select_for_update().filter(month=month, currency__in=wanted)
    }
    effective = fx.current_rates(today)
    changed = 0
    for code, rate in wanted.items():
        row = this_month.get(code)
        try:
            if rate is None:
                if row is not None:
                    fx.delete_rate(rate=row, by=by)
                    changed += 1
            elif row is None:
                if effective.get(code) != rate:  # an earlier month's rate shown unchanged stays that month's
                    fx.create_rate(by=by, data={"currency": code, "month": month, "rate": rate})
                    changed += 1
            elif row.rate != rate:
                fx.update_rate(rate=row, by=by, data={"rate": rate})
                changed += 1
        except ValidationError as exc:  # e.g. someone stored this month's rate in the meantime
            raise ValidationError({f"rate-{code}": [m for ms in exc.errors.values() for m in ms]}) from exc
    return changed


@transaction.atomic
def save_rates(*, by: User, processing: dict[Any, Any], exchange: dict[str, Any] | None = None) -> int:
    """The rates page in one go: processing rates and (when given) this month's exchange rates, all or nothing."""
    changed = save_processing_rates(by=by, rates=processing)
    if exchange is not None:
        changed += save_exchange_rates(by=by, rates=exchange)
    return changed
