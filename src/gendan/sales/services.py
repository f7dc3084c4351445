"""Order writes: create, edit and change (订单变更), move along the status table, contract review (合同评审).

Every function is one business action in one transaction: it checks the permission and the transition,
validates, writes (with `update_fields`), bumps the order's `version` and records the audit event.

Line errors are named ``lines[<index>].<field>`` with a 0-based index into the `lines` list the caller sent.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from gendan.catalog.models import Product
from gendan.core import audit, clock, numbering
from gendan.core.choices import AuditAction, Role
from gendan.core.exceptions import NotFound, PermissionDenied, StaleVersion, TransitionNotAllowed, ValidationError
from gendan.core.models import Department, User
from gendan.core.money import Currency, round_money
from gendan.core.notifications import notify_in_their_language
from gendan.core.selectors import users_in_departments
from gendan.partners.choices import Incoterm
from gendan.partners.models import Customer
from gendan.sales import signals
from gendan.sales.choices import (
    CHANGE_CONTROLLED,
    CHANGE_DEPARTMENTS,
    EDITABLE,
    OPEN_STATUSES,
    REVIEW_DEPARTMENTS,
    TRANSITIONS,
    OrderStatus,
    Priority,
    Verdict,
)
from gendan.sales.hub import review_note
from gendan.sales.models import Order, OrderLine, OrderRevision, ReviewItem

__all__ = [
    "HEADER_FIELDS",
    "can_edit",
    "cancel_order",
    "confirm_order",
    "create_order",
    "decide_review_item",
    "hold_order",
    "resume_order",
    "submit_order",
    "transition_order",
    "update_order",
]

# Header fields a caller may set on create and update (the customer only while the order is a draft).
HEADER_FIELDS = (
    "customer",
    "customer_po",
    "order_date",
    "currency",
    "incoterm",
    "incoterm_place",
    "payment_terms",
    "requested_delivery_date",
    "ex_factory_date",
    "ship_to",
    "merchandiser",
    "priority",
    "quality_requirements",
    "packaging_requirements",
    "remarks",
)
LINE_FIELDS = ("product", "quantity", "unit_price", "ex_factory_date", "packaging_note")
TEXT_LIMITS = {"customer_po": 60, "incoterm_place": 100, "payment_terms": 200}
LINE_NOTE_LIMIT = 300
QTY_MAX = Decimal("99999999999.999")  # qty_field: 14 digits, 3 places
PRICE_MAX = Decimal("999999999999.9999")  # 16 digits, 4 places
QTY_PLACES = Decimal("0.001")
PRICE_PLACES = Decimal("0.0001")
AMOUNT_MAX = Decimal("99999999999999.99")  # money_field: 16 digits, 2 places

# Which part of the order (a key of CHANGE_DEPARTMENTS) a changed field belongs to.
FIELD_AREAS = {
    "customer": "terms",
    "currency": "terms",
    "incoterm": "terms",
    "incoterm_place": "terms",
    "payment_terms": "terms",
    "ship_to": "terms",
    "order_date": "dates",
    "requested_delivery_date": "dates",
    "ex_factory_date": "dates",
    "packaging_requirements": "packaging",
    "packaging_note": "packaging",
    "quality_requirements": "quality",
    "quantity": "quantity",
    "unit_price": "price",
    "product": "lines",
    "line": "lines",
}
DERIVED_FIELDS = {"total_qty", "total_amount"}


# ---- permissions ------------------------------------------------------------------------------------


def can_edit(order: Order, user: User) -> bool:
    """May `user` edit and move this order? Its merchandiser, or anybody who manages all orders."""
    return user.has_perm("sales.change_order") and (
        order.merchandiser_id == user.pk or user.has_perm("sales.manage_all_orders")
    )


def _ensure_can_edit(order: Order, by: User) -> None:
    if not by.has_perm("sales.change_order"):
        raise PermissionDenied(_("Your role lacks the permission %(perm)s.") % {"perm": "sales.change_order"})
    if order.merchandiser_id != by.pk and not by.has_perm("sales.manage_all_orders"):
        raise PermissionDenied(
            _("Order %(number)s belongs to another merchandiser; editing it needs the permission %(perm)s.")
            % {"number": order.number, "perm": "sales.manage_all_orders"}
        )


def _lock(order: Order) -> Order:
    """A fresh copy of the order, locked for this transaction."""
    return Order.objects.select_for_update().get(pk=order.pk)


def _refuse(old: str, new: str, extra: str = "") -> TransitionNotAllowed:
    labels = dict(OrderStatus.choices)
    message = _("An order cannot go from %(old)s to %(new)s.") % {"old": old, "new": new}
    message = f"{message} ({labels.get(old, old)} → {labels.get(new, new)})"
    return TransitionNotAllowed(f"{message} {extra}".strip())


# ---- parsing ----------------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date) or value is None:
        return value
    text = str(value).strip()
    if not text:
        return None
    return dt.date.fromisoformat(text)


class _Errors:
    """Collects {field: [messages]} and raises them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = defaultdict(list)

    def add(self, field: str, message: str) -> None:
        self.errors[field].append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(dict(self.errors))


def _clean_header(data: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    """Type-check and normalise header values; unknown keys are errors."""
    clean: dict[str, Any] = {}
    for name, value in data.items():
        if name not in HEADER_FIELDS:
            errors.add(name, _("Unknown field."))
            continue
        if name in {"order_date", "requested_delivery_date", "ex_factory_date"}:
            try:
                value = _date(value)
            except ValueError:
                errors.add(name, _("Enter a date as YYYY-MM-DD."))
                continue
            if value is None and name in {"order_date", "ex_factory_date"}:
                errors.add(name, _("This field is required."))
                continue
        elif name == "currency":
            value = (value or "").upper()
            if value not in Currency.values:
                errors.add(name, _("Unknown currency %(v)s.") % {"v": value or "—"})
                continue
        elif name == "incoterm":
            value = (value or "").upper()
            if value not in Incoterm.values:
                errors.add(
                    name, _("Choose one of the Incoterms 2020: %(list)s.") % {"list": ", ".join(Incoterm.values)}
                )
                continue
        elif name == "priority":
            if value not in Priority.values:
                errors.add(name, _("Choose one of: %(list)s.") % {"list": ", ".join(Priority.values)})
                continue
        elif name == "customer":
            if not isinstance(value, Customer):
                errors.add(name, _("Choose a customer."))
                continue
            if not value.is_active:
                errors.add(name, _("Customer %(code)s is inactive.") % {"code": value.code})
                continue
        elif name == "merchandiser":
            if not isinstance(value, User) or not value.is_active:
                errors.add(name, _("Choose an active user as merchandiser."))
                continue
        else:
            value = "" if value is None else str(value).strip() if name in TEXT_LIMITS else str(value)
            limit = TEXT_LIMITS.get(name)
            if limit and len(value) > limit:
                errors.add(name, _("At most %(n)s characters.") % {"n": limit})
                continue
        clean[name] = value
    return clean


def _load_products(lines: Iterable[dict[str, Any]]) -> dict[int, Product]:
    """Every product the lines name, in one query (Product instances are taken as they are)."""
    ids: set[int] = set()
    given: dict[int, Product] = {}
    for line in lines:
        product = line.get("product")
        if isinstance(product, Product):
            given[product.pk] = product
        elif isinstance(product, int) and not isinstance(product, bool):
            ids.add(product)
        elif isinstance(product, str) and product.isdigit():
            ids.add(int(product))
    missing = ids - set(given)
    found = Product.objects.only("id", "code", "name", "unit", "is_active").in_bulk(missing) if missing else {}
    return {**found, **given}


def _product_of(value: Any, products: dict[int, Product]) -> Product | None:
    if isinstance(value, Product):
        return value
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return products.get(value) if isinstance(value, int) else None


def _clean_line(
    index: int,
    line: dict[str, Any],
    *,
    products: dict[int, Product],
    order_date: dt.date | None,
    errors: _Errors,
    partial: bool = False,
) -> dict[str, Any]:
    """Check one line dict; returns its normalised values (only the keys given when `partial`)."""
    key = f"lines[{index}]"
    clean: dict[str, Any] = {}
    for name in line:
        if name not in (*LINE_FIELDS, "id", "unit", "amount", "product_code", "position"):
            errors.add(f"{key}.{name}", _("Unknown field."))
    if "product" in line or not partial:
        product = _product_of(line.get("product"), products)
        if product is None:
            errors.add(f"{key}.product", _("No such product."))
        elif not product.is_active:
            errors.add(f"{key}.product", _("Product %(code)s is inactive.") % {"code": product.code})
        else:
            clean["product"] = product
    if "quantity" in line or not partial:
        qty = _decimal(line.get("quantity"))
        if qty is None:
            errors.add(f"{key}.quantity", _("Enter a quantity."))
        elif qty <= 0:
            errors.add(f"{key}.quantity", _("The quantity must be greater than 0."))
        elif qty > QTY_MAX or qty != qty.quantize(QTY_PLACES):
            errors.add(f"{key}.quantity", _("At most 11 digits and 3 decimal places."))
        else:
            clean["quantity"] = qty.quantize(QTY_PLACES)
    if "unit_price" in line or not partial:
        price = _decimal(line.get("unit_price"))
        if price is None:
            errors.add(f"{key}.unit_price", _("Enter a unit price."))
        elif price < 0:
            errors.add(f"{key}.unit_price", _("The unit price cannot be negative."))
        elif price > PRICE_MAX or price != price.quantize(PRICE_PLACES):
            errors.add(f"{key}.unit_price", _("At most 12 digits and 4 decimal places."))
        else:
            clean["unit_price"] = price.quantize(PRICE_PLACES)
    if "ex_factory_date" in line:
        try:
            day = _date(line.get("ex_factory_date"))
        except ValueError:
            errors.add(f"{key}.ex_factory_date", _("Enter a date as YYYY-MM-DD."))
        else:
            if day is not None and order_date is not None and day < order_date:
                errors.add(f"{key}.ex_factory_date", _("The ex-factory date cannot be before the order date."))
            else:
                clean["ex_factory_date"] = day
    if "packaging_note" in line:
        note = str(line.get("packaging_note") or "")
        if len(note) > LINE_NOTE_LIMIT:
            errors.add(f"{key}.packaging_note", _("At most %(n)s characters.") % {"n": LINE_NOTE_LIMIT})
        else:
            clean["packaging_note"] = note
    return clean


def _check_dates(values: dict[str, Any], errors: _Errors) -> None:
    order_date, ex_factory = values.get("order_date"), values.get("ex_factory_date")
    if order_date and ex_factory and ex_factory < order_date:
        errors.add("ex_factory_date", _("The ex-factory date cannot be before the order date."))
    requested = values.get("requested_delivery_date")
    if order_date and requested and requested < order_date:
        errors.add("requested_delivery_date", _("The requested delivery date cannot be before the order date."))


def _line_label(line: OrderLine) -> str:
    return f"#{line.position} {line.product.code}"


def _line_summary(line: OrderLine) -> str:
    return f"{line.product.code} × {audit.plain(line.quantity)} @ {audit.plain(line.unit_price)}"


def _cache_lines(order: Order, lines: list[OrderLine]) -> None:
    """Let `order.lines.all()` return the lines just written without a query (as prefetch_related would)."""
    qs = order.lines.all()
    qs._result_cache = lines
    qs._prefetch_done = True
    order._prefetched_objects_cache = {"lines": qs}


def _totals(lines: Iterable[OrderLine], currency: str) -> tuple[Decimal, Decimal]:
    qty = Decimal(0)
    amount = Decimal(0)
    for line in lines:
        qty += line.quantity
        amount += line.amount
    return qty.quantize(QTY_PLACES), round_money(amount, currency)


# ---- create and update --------------------------------------------------------------------------------


def _default_merchandiser(by: User, customer: Customer) -> int:
    if by.groups.filter(name=Role.MERCHANDISER).exists():
        return by.pk
    return customer.merchandiser_id or by.pk


@transaction.atomic
def create_order(*, by: User, customer: Customer, lines: list[dict], **fields: Any) -> Order:
    """Create a draft order with its lines; the number, amounts and totals are computed here."""
    if not by.has_perm("sales.add_order"):
        raise PermissionDenied(_("Your role lacks the permission %(perm)s.") % {"perm": "sales.add_order"})
    errors = _Errors()
    if "ex_factory_date" not in fields:
        errors.add("ex_factory_date", _("This field is required."))
    header = _clean_header({"customer": customer, **fields}, errors)
    if isinstance(customer, Customer):
        header.setdefault("order_date", clock.today())
        header.setdefault("currency", customer.currency)
        header.setdefault("incoterm", customer.default_incoterm)
        header.setdefault("payment_terms", customer.payment_terms)
    _check_dates(header, errors)
    if not lines:
        errors.add("lines", _("An order needs at least one line."))
    products = _load_products(lines or [])
    cleaned = [
        _clean_line(i, line, products=products, order_date=header.get("order_date"), errors=errors)
        for i, line in enumerate(lines or [])
    ]
    errors.raise_if_any()

    currency = header["currency"]
    order = Order(
        number=numbering.next_number(settings.GENDAN_ORDER_PREFIX),
        status=OrderStatus.DRAFT,
        created_by=by,
        **{k: v for k, v in header.items() if k != "merchandiser"},
    )
    if "merchandiser" in header:
        order.merchandiser = header["merchandiser"]
    else:
        merchandiser_id = _default_merchandiser(by, customer)
        if merchandiser_id == by.pk:
            order.merchandiser = by
        else:
            order.merchandiser_id = merchandiser_id
    built = []
    for position, values in enumerate(cleaned, start=1):
        amount = round_money(values["quantity"] * values["unit_price"], currency)
        built.append(
            OrderLine(
                position=position,
                product=values["product"],
                quantity=values["quantity"],
                unit=values["product"].unit,
                unit_price=values["unit_price"],
                amount=amount,
                ex_factory_date=values.get("ex_factory_date"),
                packaging_note=values.get("packaging_note", ""),
            )
        )
    order.total_qty, order.total_amount = _totals(built, currency)
    if order.total_amount > AMOUNT_MAX:
        raise ValidationError({"lines": _("The order total is too large.")})
    order.save(force_insert=True)
    for line in built:
        line.order = order
    OrderLine.objects.bulk_create(built)
    _cache_lines(order, built)
    changes = {
        k: [None, v]
        for k, v in audit.snapshot(order, [*HEADER_FIELDS, "total_qty", "total_amount"]).items()
        if v not in (None, "")
    }
    changes["lines"] = [None, [_line_summary(line) for line in built]]
    audit.record(instance=order, action=AuditAction.CREATE, by=by, changes=changes)
    return order


def _diff_lines(
    order: Order, lines: list[dict], errors: _Errors, order_date: dt.date
) -> tuple[list[OrderLine], list[OrderLine], list[OrderLine], list[OrderLine], list[dict[str, Any]]]:
    """Apply the replace semantics: returns (kept, updated, added, removed, changes) without writing."""
    existing = {line.pk: line for line in order.lines.select_related("product").order_by("position", "id")}
    products = _load_products(lines)
    seen: set[int] = set()
    kept: list[OrderLine] = []
    updated: list[OrderLine] = []
    added: list[OrderLine] = []
    changes: list[dict[str, Any]] = []
    for index, data in enumerate(lines):
        line_id = data.get("id")
        if line_id is not None:
            try:
                line = existing.get(int(line_id))
            except (TypeError, ValueError):
                line = None
            if line is None or line.pk in seen:
                errors.add(f"lines[{index}].id", _("This order has no line %(id)s.") % {"id": line_id})
                continue
            seen.add(line.pk)
            values = _clean_line(
                index,
                {k: v for k, v in data.items() if k != "id"},
                products=products,
                order_date=order_date,
                errors=errors,
                partial=True,
            )
            label = _line_label(line)
            dirty = False
            for name, value in values.items():
                old = getattr(line, name)
                if (old.pk if isinstance(old, Product) else old) == (value.pk if isinstance(value, Product) else value):
                    continue
                changes.append({"field": name, "line": label, "old": audit.plain(old), "new": audit.plain(value)})
                setattr(line, name, value)
                if name == "product":
                    line.unit = value.unit
                dirty = True
            amount = round_money(line.quantity * line.unit_price, order.currency)
            if amount != line.amount:
                line.amount = amount
                dirty = True
            if line.position != index + 1:
                line.position = index + 1
                dirty = True
            kept.append(line)
            if dirty:
                updated.append(line)
        else:
            values = _clean_line(index, data, products=products, order_date=order_date, errors=errors)
            if len(values) < 3:
                continue
            line = OrderLine(
                order=order,
                position=index + 1,
                product=values["product"],
                quantity=values["quantity"],
                unit=values["product"].unit,
                unit_price=values["unit_price"],
                amount=round_money(values["quantity"] * values["unit_price"], order.currency),
                ex_factory_date=values.get("ex_factory_date"),
                packaging_note=values.get("packaging_note", ""),
            )
            kept.append(line)
            added.append(line)
            changes.append({"field": "line", "line": _line_label(line), "old": None, "new": _line_summary(line)})
    removed = [line for pk, line in existing.items() if pk not in seen]
    for line in removed:
        changes.append({"field": "line", "line": _line_label(line), "old": _line_summary(line), "new": None})
    if not lines:
        errors.add("lines", _("An order needs at least one line."))
    return kept, updated, added, removed, changes


def _departments_for(changes: list[dict[str, Any]]) -> list[str]:
    codes: list[str] = []
    for change in changes:
        if change["field"] in DERIVED_FIELDS:
            continue
        for code in CHANGE_DEPARTMENTS[FIELD_AREAS.get(change["field"], "other")]:
            if code not in codes:
                codes.append(str(code))
    return codes


def order_url(order: Order) -> str:
    return reverse("sales:order", args=[order.pk])


def _field_label(name: str) -> str:
    """The field's name in the active language (an order's or an order line's field)."""
    for model in (Order, OrderLine):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return name


def _change_text(change: dict[str, Any]) -> str:
    """One line of an order-change notice, in the recipient's language: "#1 GD-0002 数量: 5000 → 5500"."""
    where = f"{change['line']} " if change.get("line") else ""
    old = "—" if change["old"] in (None, "") else change["old"]
    new = "—" if change["new"] in (None, "") else change["new"]
    return f"{where}{_field_label(change['field'])}: {old} → {new}"


@transaction.atomic
def update_order(
    *,
    order: Order,
    by: User,
    version: int | None,
    data: dict,
    lines: list[dict] | None = None,
    change_reason: str = "",
) -> Order:
    """Edit an order. A draft is edited freely; a confirmed order's change needs a reason and makes a revision.

    `lines`, when given, replaces the lines: a dict with "id" updates that line, one without adds a line,
    and an existing line missing from the list is removed. Totals are recomputed.
    """
    locked = _lock(order)
    _ensure_can_edit(locked, by)
    if version is not None and int(version) != locked.version:
        raise StaleVersion(locked.version)
    if locked.status not in EDITABLE:
        raise TransitionNotAllowed(
            _("An order in status %(status)s cannot be edited; editable statuses: %(list)s.")
            % {"status": locked.status, "list": ", ".join(EDITABLE)}
        )
    controlled = locked.status in CHANGE_CONTROLLED
    errors = _Errors()
    data = {k: v for k, v in (data or {}).items() if k != "version"}
    header = _clean_header(data, errors)
    if controlled and "customer" in header and header["customer"].pk != locked.customer_id:
        errors.add("customer", _("The customer of a confirmed order cannot be changed."))
    merged = {
        "order_date": header.get("order_date", locked.order_date),
        "ex_factory_date": header.get("ex_factory_date", locked.ex_factory_date),
        "requested_delivery_date": header.get("requested_delivery_date", locked.requested_delivery_date),
    }
    _check_dates(merged, errors)
    fields = list(header)
    before = audit.snapshot(locked, fields)
    currency = header.get("currency", locked.currency)
    locked.currency = currency  # line amounts are rounded in the order's (new) currency
    line_changes: list[dict[str, Any]] = []
    kept: list[OrderLine] = []
    updated: list[OrderLine] = []
    added: list[OrderLine] = []
    removed: list[OrderLine] = []
    if lines is not None:
        kept, updated, added, removed, line_changes = _diff_lines(locked, lines, errors, merged["order_date"])
    elif "currency" in header or "order_date" in header:
        kept = list(locked.lines.select_related("product").order_by("position", "id"))
        for line in kept:
            if line.ex_factory_date and line.ex_factory_date < merged["order_date"]:
                errors.add("order_date", _("A line's ex-factory date would be before the order date."))
                break
            amount = round_money(line.quantity * line.unit_price, currency)
            if amount != line.amount:
                line.amount = amount
                updated.append(line)
    errors.raise_if_any()

    for name, value in header.items():
        setattr(locked, name, value)
    after = audit.snapshot(locked, fields)
    header_changes = [
        {"field": name, "old": before.get(name), "new": after[name]}
        for name in fields
        if before.get(name) != after[name]
    ]
    changes = header_changes + line_changes
    update_fields = list(fields)
    if kept or lines is not None:
        old_qty, old_amount = locked.total_qty, locked.total_amount
        locked.total_qty, locked.total_amount = _totals(kept, currency)
        if locked.total_amount > AMOUNT_MAX:
            raise ValidationError({"lines": _("The order total is too large.")})
        for name, old, new in (
            ("total_qty", old_qty, locked.total_qty),
            ("total_amount", old_amount, locked.total_amount),
        ):
            if old != new:
                changes.append({"field": name, "old": audit.plain(old), "new": audit.plain(new)})
        update_fields += ["total_qty", "total_amount"]
    substantive = [c for c in changes if c["field"] not in DERIVED_FIELDS]
    if not substantive and not updated:
        return locked
    change_reason = (change_reason or "").strip()
    if controlled and substantive and not change_reason:
        raise ValidationError({"change_reason": _("Give the reason for changing a confirmed order.")})

    if removed:
        OrderLine.objects.filter(pk__in=[line.pk for line in removed]).delete()
    if updated:
        OrderLine.objects.bulk_update(
            updated,
            ["product", "unit", "quantity", "unit_price", "amount", "ex_factory_date", "packaging_note", "position"],
        )
    if added:
        OrderLine.objects.bulk_create(added)
    locked.version += 1
    update_fields += ["version", "updated_at"]
    revision = None
    if controlled and substantive:
        departments = _departments_for(substantive)
        locked.revision += 1
        update_fields.append("revision")
        revision = OrderRevision.objects.create(
            order=locked,
            number=locked.revision,
            reason=change_reason,
            changes=changes,
            departments=departments,
            created_by=by,
            created_at=clock.now(),
        )
    locked.save(update_fields=sorted(set(update_fields)))
    audit_changes: dict[str, list[Any]] = {}
    for change in changes:
        key = f"{change['line']} {change['field']}" if change.get("line") else change["field"]
        audit_changes[key] = [change["old"], change["new"]]
    audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=audit_changes, message=change_reason)
    if revision is not None:
        recipients = users_in_departments(revision.departments).exclude(pk=by.pk)
        number, rev = locked.number, revision.number
        notify_in_their_language(
            recipients=list(recipients),
            title=lambda: _("Order change %(number)s: rev %(rev)s") % {"number": number, "rev": rev},
            body=lambda: "\n".join([_("Reason: %(reason)s") % {"reason": change_reason}, *map(_change_text, changes)]),
            url=order_url(locked),
            actor=by,
        )
        signals.order_changed.send(sender=Order, order=locked, revision=revision, by=by)
    return locked


# ---- status transitions -------------------------------------------------------------------------------


def _move(
    *,
    order: Order,
    by: User,
    to_status: str,
    reason: str = "",
    prepare: Callable[[Order], list[str]] | None = None,
    check_edit: bool = True,
    from_statuses: Iterable[str] | None = None,
) -> Order:
    """Lock, check the table and the permission, let `prepare` check and set more fields, write, audit.

    Runs inside the caller's transaction.
    """
    locked = _lock(order)
    if check_edit:
        _ensure_can_edit(locked, by)
    old = locked.status
    if to_status not in TRANSITIONS.get(old, set()) or (from_statuses is not None and old not in from_statuses):
        raise _refuse(old, to_status)
    extra_fields = prepare(locked) if prepare is not None else []
    locked.status = to_status
    locked.status_reason = reason
    locked.version += 1
    locked.save(update_fields=sorted({"status", "status_reason", "version", "updated_at", *extra_fields}))
    audit.record(
        instance=locked, action=AuditAction.TRANSITION, by=by, changes={"status": [old, to_status]}, message=reason
    )
    signals.order_moved.send(sender=Order, order=locked, old=old, new=to_status, by=by)
    return locked


def _require_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("Give a reason.")})
    return reason


@transaction.atomic
def transition_order(*, order: Order, by: User, to_status: str, reason: str = "") -> Order:
    """Move an order along TRANSITIONS: start production, ready to ship, shipped, closed (and back).

    Moves with their own rules go through their own service: in_review (submit_order), confirmed
    (confirm_order), on_hold (hold_order), cancelled (cancel_order), leaving on_hold (resume_order).
    """
    if to_status not in OrderStatus.values:
        raise ValidationError({"to_status": _("Unknown status %(s)s.") % {"s": to_status}})
    current = Order.objects.filter(pk=order.pk).values_list("status", flat=True).first() or order.status
    if to_status not in TRANSITIONS.get(current, set()):
        raise _refuse(current, to_status)
    if current == OrderStatus.ON_HOLD and to_status != OrderStatus.CANCELLED:
        held_from = Order.objects.filter(pk=order.pk).values_list("held_from_status", flat=True).first()
        if to_status != held_from:
            raise _refuse(current, to_status, _("An order on hold resumes to %(s)s.") % {"s": held_from})
        return resume_order(order=order, by=by, reason=reason)
    if to_status == OrderStatus.IN_REVIEW:
        return submit_order(order=order, by=by)
    if to_status == OrderStatus.CONFIRMED:
        return confirm_order(order=order, by=by)
    if to_status == OrderStatus.CANCELLED:
        return cancel_order(order=order, by=by, reason=reason)
    if to_status == OrderStatus.ON_HOLD:
        return hold_order(order=order, by=by, reason=reason)
    return _move(order=order, by=by, to_status=to_status, reason=(reason or "").strip())


# The steps an open order takes to "shipped" when shipping says all of it has left.
TO_SHIPPED: dict[str, tuple[str, ...]] = {
    OrderStatus.CONFIRMED: (OrderStatus.IN_PRODUCTION, OrderStatus.READY_TO_SHIP, OrderStatus.SHIPPED),
    OrderStatus.IN_PRODUCTION: (OrderStatus.READY_TO_SHIP, OrderStatus.SHIPPED),
    OrderStatus.READY_TO_SHIP: (OrderStatus.SHIPPED,),
}


@transaction.atomic
def record_shipped(*, order: Order, by: User, reason: str) -> Order:
    """Shipping's word that every line of `order` has left: the order moves on to shipped, through the statuses it
    skipped (each move audited and signalled as its own, so what hangs on them follows: materials released, the
    ex-factory milestone, the forecast). Recorded for `by`, the person who recorded the departure, whoever's order
    it is. An order on hold, cancelled or already shipped is left as it is."""
    locked = _lock(order)
    for status in TO_SHIPPED.get(locked.status, ()):
        locked = _move(order=locked, by=by, to_status=status, reason=reason, check_edit=False)
    return locked


@transaction.atomic
def hold_order(*, order: Order, by: User, reason: str) -> Order:
    """Pause an open order with a reason; it remembers where it was."""
    reason = _require_reason(reason)

    def prepare(locked: Order) -> list[str]:
        locked.held_from_status = locked.status
        return ["held_from_status"]

    return _move(
        order=order, by=by, to_status=OrderStatus.ON_HOLD, reason=reason, prepare=prepare, from_statuses=OPEN_STATUSES
    )


@transaction.atomic
def resume_order(*, order: Order, by: User, reason: str = "") -> Order:
    """Take an order off hold, back to the status it was held from."""
    locked = _lock(order)
    if locked.status != OrderStatus.ON_HOLD or not locked.held_from_status:
        raise _refuse(locked.status, locked.held_from_status or _("its earlier status"))

    def prepare(locked: Order) -> list[str]:
        locked.held_from_status = ""
        return ["held_from_status"]

    return _move(order=locked, by=by, to_status=locked.held_from_status, reason=(reason or "").strip(), prepare=prepare)


@transaction.atomic
def cancel_order(*, order: Order, by: User, reason: str) -> Order:
    """Cancel an open or held order, with a reason."""
    reason = _require_reason(reason)

    def prepare(locked: Order) -> list[str]:
        locked.held_from_status = ""
        return ["held_from_status"]

    return _move(order=order, by=by, to_status=OrderStatus.CANCELLED, reason=reason, prepare=prepare)


# ---- contract review -----------------------------------------------------------------------------------


def _departments_by_code(codes: Iterable[str]) -> dict[str, Department]:
    wanted = set(codes)
    found = {d.code: d for d in Department.objects.filter(code__in=wanted)}
    for code in wanted - set(found):
        found[code] = Department.objects.get_or_create(code=code, defaults={"name": str(code)})[0]
    return found


@transaction.atomic
def submit_order(*, order: Order, by: User) -> Order:
    """Send a draft to contract review: a new round with one review item per topic, each for its department."""

    def prepare(locked: Order) -> list[str]:
        errors = _Errors()
        if not locked.lines.exists():
            errors.add("lines", _("An order needs at least one line."))
        if not locked.ex_factory_date:
            errors.add("ex_factory_date", _("This field is required."))
        errors.raise_if_any()
        locked.review_round += 1
        departments = _departments_by_code(REVIEW_DEPARTMENTS.values())
        ReviewItem.objects.bulk_create(
            [
                ReviewItem(
                    order=locked,
                    round=locked.review_round,
                    position=position,
                    topic=topic,
                    department=departments[code],
                    comment=review_note(locked, topic),
                )
                for position, (topic, code) in enumerate(REVIEW_DEPARTMENTS.items(), start=1)
            ]
        )
        locked.review_override_reason = ""
        return ["review_round", "review_override_reason"]

    return _move(
        order=order, by=by, to_status=OrderStatus.IN_REVIEW, prepare=prepare, from_statuses=[OrderStatus.DRAFT]
    )


def can_decide(item: ReviewItem, user: User) -> bool:
    """Users of the item's department answer it; `sales.review_any` answers any."""
    return (user.department_id is not None and user.department_id == item.department_id) or user.has_perm(
        "sales.review_any"
    )


@transaction.atomic
def decide_review_item(
    *, item: ReviewItem, by: User, verdict: str, comment: str = "", order_id: int | None = None
) -> ReviewItem:
    """Pass or reject one review item of the current round.

    A passed item may be re-decided while the order is still in review (changing it to reject sends the
    order back). A rejection needs a comment and sends the order back to draft with the comments; when
    every item of the round has passed, the merchandiser hears that the order can be confirmed.
    `order_id`, when given, must be the item's order (the API's path); otherwise NotFound.
    """
    # one statement: the item and its order, both locked (PostgreSQL; SQLite serialises writers anyway)
    found = (
        ReviewItem.objects.select_for_update(of=("self", "order"))
        .select_related("order", "department")
        .filter(pk=item.pk)
        .order_by()
        .first()
    )
    if found is None or (order_id is not None and found.order_id != order_id):
        raise NotFound(_("Order %(order)s has no review item %(id)s.") % {"order": order_id, "id": item.pk})
    item = found
    order = item.order
    if not can_decide(item, by):
        raise PermissionDenied(
            _("Only the %(dept)s department (or the permission %(perm)s) may answer this review item.")
            % {"dept": item.department, "perm": "sales.review_any"}
        )
    if order.status != OrderStatus.IN_REVIEW:
        raise TransitionNotAllowed(
            _("Order %(number)s is %(status)s, not in_review: its review items cannot be answered.")
            % {"number": order.number, "status": order.status}
        )
    if item.round != order.review_round:
        raise TransitionNotAllowed(_("This review item belongs to an earlier round."))
    if verdict not in (Verdict.PASS, Verdict.REJECT):
        raise ValidationError({"verdict": _("Choose pass or reject.")})
    comment = (comment or "").strip()
    if verdict == Verdict.REJECT and not comment:
        raise ValidationError({"comment": _("Say why you reject this item.")})
    old = {"verdict": item.verdict, "comment": item.comment}
    item.verdict = verdict
    item.comment = comment
    item.reviewed_by = by
    item.reviewed_at = clock.now()
    item.save(update_fields=["verdict", "comment", "reviewed_by", "reviewed_at"])
    audit.record(
        instance=item,
        action=AuditAction.UPDATE,
        by=by,
        changes=audit.diff(old, {"verdict": verdict, "comment": comment}),
        related=order,
    )
    number = order.number
    notify_merchandiser = order.merchandiser_id != by.pk
    if verdict == Verdict.REJECT:
        rejected = ReviewItem.objects.filter(order=order, round=order.review_round, verdict=Verdict.REJECT).order_by(
            "position"
        )
        reason = "\n".join(f"{r.get_topic_display()}: {r.comment}" for r in rejected)
        _move(order=order, by=by, to_status=OrderStatus.DRAFT, reason=reason, check_edit=False)
        if notify_merchandiser:
            notify_in_their_language(
                recipients=[order.merchandiser],
                title=lambda: _("Contract review of %(number)s rejected") % {"number": number},
                body=lambda: reason,
                url=order_url(order),
                actor=by,
            )
    elif not ReviewItem.objects.filter(order=order, round=order.review_round).exclude(verdict=Verdict.PASS).exists():
        if notify_merchandiser:
            notify_in_their_language(
                recipients=[order.merchandiser],
                title=lambda: (
                    _("Contract review of %(number)s passed: the order can be confirmed") % {"number": number}
                ),
                body=lambda: "",
                url=order_url(order),
                actor=by,
            )
    return item


@transaction.atomic
def confirm_order(*, order: Order, by: User, override_reason: str = "") -> Order:
    """Confirm a reviewed order: every item of the round passed, or a manager overrides with a written reason."""
    override_reason = (override_reason or "").strip()

    def prepare(locked: Order) -> list[str]:
        open_items = [
            item
            for item in ReviewItem.objects.filter(order=locked, round=locked.review_round).order_by("position")
            if item.verdict != Verdict.PASS
        ]
        if open_items:
            names = ", ".join(f"{item.topic} ({item.verdict})" for item in open_items)
            if not override_reason:
                raise _refuse(
                    locked.status,
                    OrderStatus.CONFIRMED,
                    _("These review items have not passed: %(items)s.") % {"items": names},
                )
            if not by.has_perm("sales.override_review"):
                raise _refuse(
                    locked.status,
                    OrderStatus.CONFIRMED,
                    _("Not passed: %(items)s; overriding the review needs the permission %(perm)s.")
                    % {"items": names, "perm": "sales.override_review"},
                )
            locked.review_override_reason = override_reason
        locked.confirmed_at = clock.now()
        return ["confirmed_at", "review_override_reason"]

    confirmed = _move(
        order=order,
        by=by,
        to_status=OrderStatus.CONFIRMED,
        reason=override_reason,
        prepare=prepare,
        from_statuses=[OrderStatus.IN_REVIEW],
    )
    confirmed.notes = [
        str(message)
        for _receiver, messages in signals.order_confirmed.send(sender=Order, order=confirmed, by=by)
        for message in (messages or [])
    ]
    return confirmed
