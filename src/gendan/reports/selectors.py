"""The statistics (统计报表): sales, inventory, collection and delivery performance, and the manager's key figures.

Reads only. Every report adds up in the database, grouped by the dimensions asked for plus currency and month;
the few rows that come back are converted into the reporting currency (`gendan.reports.fx`) and merged. No report
reads orders, invoices or movements one by one.

Who sees what (`scope_of`): a user with `reports.view_all_reports` (managers, finance) sees everything; a user with
only `reports.view_reports` (merchandisers, sales) sees their own — the orders, invoices and deliveries of which
they are the merchandiser, or whose customer they look after. The inventory report needs `inventory.view_stock`:
stock belongs to no one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gendan.core import clock
from gendan.core.exceptions import PermissionDenied, ValidationError
from gendan.core.money import round_money
from gendan.reports.fx import Rate, Rates, key_of, month_of, month_start, months_between, next_month
from gendan.reports.sql import MonthKey
from gendan.sales.choices import OrderStatus

ZERO = Decimal(0)
QTY = Decimal("0.001")
MAX_MONTHS = 61  # a report covers at most five years (and a month)
MAX_GROUPS = 2
BEFORE, NEVER = "0000-00", "9999-99"  # month keys before the period and after it
MONEY = DecimalField(max_digits=24, decimal_places=6)

# the order statuses that are sales: confirmed and later, not draft, not in review, not cancelled (an order on hold
# counts when it was held from one of them)
SOLD_STATUSES = [
    OrderStatus.CONFIRMED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.READY_TO_SHIP,
    OrderStatus.SHIPPED,
    OrderStatus.CLOSED,
]
OPEN_SOLD = [OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION, OrderStatus.READY_TO_SHIP]


def sold_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status__in": SOLD_STATUSES}) | Q(
        **{f"{prefix}status": OrderStatus.ON_HOLD, f"{prefix}held_from_status__in": SOLD_STATUSES}
    )


# ---------------------------------------------------------------------------------------------- the shape


@dataclass(frozen=True)
class Measure:
    """A figure of a report: key, header (translated), Chinese and English headers for Excel, kind of value."""

    key: str
    label: Any
    zh: str
    en: str
    kind: str  # money | qty | count | pct | days | date | text


@dataclass(frozen=True)
class Dimension:
    key: str
    label: Any
    zh: str
    en: str


DIMENSIONS = {
    d.key: d
    for d in [
        Dimension("month", gettext_lazy("Month"), "月份", "Month"),
        Dimension("customer", gettext_lazy("Customer"), "客户", "Customer"),
        Dimension("product", gettext_lazy("Product"), "产品", "Product"),
        Dimension("category", gettext_lazy("Category"), "类别", "Category"),
        Dimension("country", gettext_lazy("Country"), "国家", "Country"),
        Dimension("merchandiser", gettext_lazy("Merchandiser"), "跟单员", "Merchandiser"),
        Dimension("status", gettext_lazy("Status"), "状态", "Status"),
        Dimension("currency", gettext_lazy("Currency"), "币种", "Currency"),
        Dimension("factory", gettext_lazy("Factory"), "工厂", "Factory"),
        Dimension("item", gettext_lazy("Item"), "物品", "Item"),
        Dimension("warehouse", gettext_lazy("Warehouse"), "仓库", "Warehouse"),
        Dimension("kind", gettext_lazy("Kind"), "类型", "Kind"),
    ]
}


@dataclass
class Report:
    """One report's result: its rows (one per group), the totals, and what the reader must know."""

    kind: str
    currency: str
    date_from: dt.date
    date_to: dt.date
    group_by: list[str]
    measures: list[Measure]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    rates: list[Rate] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def dimensions(self) -> list[Dimension]:
        return [DIMENSIONS[d] for d in self.group_by]

    def flat_rows(self) -> list[dict[str, Any]]:
        """Rows as flat dicts: `<dimension>` (its key) and `<dimension>_label`, then the figures."""
        result = []
        for row in self.rows:
            flat: dict[str, Any] = {}
            for d in self.group_by:
                flat[d] = row["keys"][d]
                flat[f"{d}_label"] = row["labels"][d]
            for m in self.measures:
                flat[m.key] = row.get(m.key)
            result.append(flat)
        return result


# ---------------------------------------------------------------------------------------------- common rules


def scope_of(user: Any) -> int | None:
    """None when `user` sees every figure; their id when they see only their own; PermissionDenied otherwise."""
    if user.has_perm("reports.view_all_reports"):
        return None
    if user.has_perm("reports.view_reports"):
        return user.pk
    raise PermissionDenied(_("Your role lacks the permission %(perm)s.") % {"perm": "reports.view_reports"})


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months: from the first day of the month eleven months back, to today."""
    today = today or clock.today()
    start = month_start(today)
    for _i in range(11):
        start = month_start(start - dt.timedelta(days=1))
    return start, today


def check_period(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    """The period asked for (a missing end is today, a missing start twelve months before the end), or a
    ValidationError naming the bad end."""
    date_to = date_to or clock.today()
    date_from = date_from or default_period(date_to)[0]
    if date_from > date_to:
        raise ValidationError({"to": _("The end of the period must not be before its start.")})
    if len(months_between(date_from, date_to)) > MAX_MONTHS:
        raise ValidationError({"from": _("A report covers at most five years.")})
    return date_from, date_to


def parse_group_by(value: str | Sequence[str] | None, allowed: Sequence[str], default: Sequence[str]) -> list[str]:
    """`month,customer` → ["month", "customer"]: one or two of `allowed`, else a ValidationError on group_by."""
    if value is None or value == "" or value == []:
        return list(default)
    parts = value.split(",") if isinstance(value, str) else [p for v in value for p in str(v).split(",")]
    dims: list[str] = []
    for part in (p.strip().lower() for p in parts):
        if not part:
            continue
        if part not in allowed:
            raise ValidationError(
                {
                    "group_by": _("“%(dim)s” is not a dimension of this report; choose from %(allowed)s.")
                    % {"dim": part, "allowed": ", ".join(allowed)}
                }
            )
        if part not in dims:
            dims.append(part)
    if not dims:
        return list(default)
    if len(dims) > MAX_GROUPS:
        raise ValidationError({"group_by": _("Group by one or two dimensions, not more.")})
    return dims


def _lang_is_zh() -> bool:
    return (translation.get_language() or settings.LANGUAGE_CODE).startswith("zh")


def _party_name(name: str, name_en: str) -> str:
    return name if _lang_is_zh() or not name_en else name_en


def _labels(dim: str, keys: Iterable[Any]) -> dict[Any, str]:
    """The readable label of each key of a dimension (one query for the ids)."""
    from gendan.catalog.models import Material, Product, WorkCentre
    from gendan.core.models import User
    from gendan.inventory.models import Warehouse
    from gendan.partners.models import Customer

    keys = set(keys)
    none = {None: _("(none)"), "": _("(none)")}
    ids = [k for k in keys if isinstance(k, int)]
    if dim == "customer":
        return none | {
            c["pk"]: f"{c['code']} {_party_name(c['name'], c['name_en'])}"
            for c in Customer.objects.filter(pk__in=ids).values("pk", "code", "name", "name_en")
        }
    if dim == "product":
        return none | {
            p["pk"]: f"{p['code']} {_party_name(p['name'], p['name_en'])}"
            for p in Product.objects.filter(pk__in=ids).values("pk", "code", "name", "name_en")
        }
    if dim == "merchandiser":
        labels = dict(none)
        for u in User.objects.filter(pk__in=ids).only("username", "first_name", "last_name"):
            labels[u.pk] = u.get_full_name() or u.username
        return labels
    if dim == "factory":
        return {None: _("In house")} | {
            w["pk"]: f"{w['code']} {w['name']}"
            for w in WorkCentre.objects.filter(pk__in=ids).values("pk", "code", "name")
        }
    if dim == "warehouse":
        return none | {
            w["pk"]: f"{w['code']} {w['name']}"
            for w in Warehouse.objects.filter(pk__in=ids).values("pk", "code", "name")
        }
    if dim == "status":
        return dict(OrderStatus.choices)
    if dim == "kind":
        return {"product": _("Finished product"), "material": _("Material")}
    if dim == "category":
        from gendan.catalog.choices import MaterialCategory

        return {k: (str(dict(MaterialCategory.choices).get(k, k)) if k else _("(no category)")) for k in keys}
    if dim == "item":
        product_ids = [int(k[2:]) for k in keys if isinstance(k, str) and k.startswith("p:")]
        material_ids = [int(k[2:]) for k in keys if isinstance(k, str) and k.startswith("m:")]
        labels = {
            f"p:{p['pk']}": f"{p['code']} {_party_name(p['name'], p['name_en'])}"
            for p in Product.objects.filter(pk__in=product_ids).values("pk", "code", "name", "name_en")
        }
        labels |= {
            f"m:{m['pk']}": f"{m['code']} {m['name']}"
            for m in Material.objects.filter(pk__in=material_ids).values("pk", "code", "name")
        }
        return labels
    return {k: ("" if k is None else str(k)) for k in keys}


def _sort_rows(rows: list[dict[str, Any]], group_by: list[str], by: str) -> list[dict[str, Any]]:
    """Months in order first, then the biggest `by` first; ties by label."""

    def key(row: dict[str, Any]) -> tuple:
        parts: list[Any] = []
        if "month" in group_by:
            parts.append(row["keys"]["month"] or "")
        value = row.get(by)
        parts.append(-(value if value is not None else Decimal(-(10**18))))
        parts += [str(row["labels"][d]) for d in group_by if d != "month"]
        return tuple(parts)

    return sorted(rows, key=key)


def _finish_rows(groups: dict[tuple, dict[str, Any]], group_by: list[str], sort_by: str) -> list[dict[str, Any]]:
    """Rows with their keys and labels, sorted."""
    labels = {d: _labels(d, {k[i] for k in groups}) for i, d in enumerate(group_by)}
    rows = []
    for key, values in groups.items():
        rows.append(
            {
                "keys": dict(zip(group_by, key, strict=True)),
                "labels": {
                    d: labels[d].get(key[i], "" if key[i] is None else str(key[i])) for i, d in enumerate(group_by)
                },
                **values,
            }
        )
    return _sort_rows(rows, group_by, sort_by)


def _pct(part: Any, whole: Any) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _dec(value: Any) -> Decimal:
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value))


# ---------------------------------------------------------------------------------------------- sales

SALES_DIMENSIONS = ["month", "customer", "product", "category", "country", "merchandiser", "status"]
SALES_FIELDS: dict[str, Any] = {
    "month": MonthKey("order__order_date"),
    "customer": F("order__customer_id"),
    "product": F("product_id"),
    "category": F("product__category"),
    "country": F("order__customer__country"),
    "merchandiser": F("order__merchandiser_id"),
    "status": F("order__status"),
}
SALES_MEASURES = [
    Measure("quantity", gettext_lazy("Quantity"), "数量", "Quantity", "qty"),
    Measure("amount", gettext_lazy("Amount"), "金额", "Amount", "money"),
    Measure("share", gettext_lazy("Share %"), "占比 %", "Share %", "pct"),
    Measure("orders", gettext_lazy("Orders"), "订单数", "Orders", "count"),
    Measure("lines", gettext_lazy("Order lines"), "订单明细数", "Order lines", "count"),
]


@dataclass
class SalesFilters:
    customer_id: int | None = None
    merchandiser_id: int | None = None
    product_id: int | None = None
    category: str = ""
    country: str = ""
    status: str = ""

    def check(self) -> None:
        if self.status and self.status not in [*SOLD_STATUSES, OrderStatus.ON_HOLD]:
            raise ValidationError(
                {
                    "status": _("Sales count confirmed orders and later: choose one of %(s)s.")
                    % {"s": ", ".join(SOLD_STATUSES)}
                }
            )


def _sales_lines(date_from: dt.date, date_to: dt.date, filters: SalesFilters, scope: int | None) -> QuerySet:
    from gendan.sales.models import OrderLine

    qs = OrderLine.objects.filter(order__order_date__gte=date_from, order__order_date__lte=date_to).filter(
        sold_q("order__")
    )
    if filters.customer_id:
        qs = qs.filter(order__customer_id=filters.customer_id)
    if filters.merchandiser_id:
        qs = qs.filter(order__merchandiser_id=filters.merchandiser_id)
    if filters.product_id:
        qs = qs.filter(product_id=filters.product_id)
    if filters.category:
        qs = qs.filter(product__category=filters.category)
    if filters.country:
        qs = qs.filter(order__customer__country=filters.country.upper())
    if filters.status:
        qs = qs.filter(order__status=filters.status)
    if scope is not None:
        qs = qs.filter(Q(order__merchandiser_id=scope) | Q(order__customer__merchandiser_id=scope))
    return qs


def _sales_groups(qs: QuerySet, group_by: list[str], rates: Rates) -> dict[tuple, dict[str, Any]]:
    """{dimension keys: {quantity, amount (reporting currency), orders, lines}} from one grouped query."""
    annotations = {f"g_{d}": SALES_FIELDS[d] for d in group_by}
    names = list(annotations)
    rows = (
        qs.annotate(**annotations, _cur=F("order__currency"), _m=MonthKey("order__order_date"))
        .order_by()
        .values(*names, "_cur", "_m")
        .annotate(
            _qty=Sum("quantity"),
            _amount=Sum("amount"),
            _orders=Count("order_id", distinct=True),
            _lines=Count("id"),
        )
    )
    groups: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        key = tuple(r[n] for n in names)
        g = groups.setdefault(key, {"quantity": ZERO, "amount": ZERO, "orders": 0, "lines": 0})
        g["quantity"] += _dec(r["_qty"])
        g["amount"] += rates.convert(r["_amount"], r["_cur"], month_of(r["_m"]))
        g["orders"] += r["_orders"]
        g["lines"] += r["_lines"]
    return groups


def sales_report(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    group_by: str | Sequence[str] | None = None,
    filters: SalesFilters | None = None,
    scope: int | None = None,
    trend: bool = True,
) -> Report:
    """Sales (销量): the order lines of orders dated in the period (confirmed and later), quantity and amount in the
    reporting currency at the order month's rate, grouped by one or two of month, customer, product, category,
    country, merchandiser, status. `trend` adds the amount by month against the same months a year earlier."""
    date_from, date_to = check_period(date_from, date_to)
    dims = parse_group_by(group_by, SALES_DIMENSIONS, ["month"])
    filters = filters or SalesFilters()
    filters.check()
    qs = _sales_lines(date_from, date_to, filters, scope)
    months = months_between(date_from, date_to)
    previous = _year_earlier(date_from), _year_earlier(date_to)
    rates = Rates.load(months=months_between(previous[0], date_to) if trend else months)
    currency = rates.reporting
    empty = {"quantity": ZERO, "amount": ZERO, "orders": 0, "lines": 0}
    # by month once: the trend, and the totals (an order falls in one month only, so its months add up)
    by_month = _sales_groups(qs, ["month"], rates)
    groups = by_month if dims == ["month"] else _sales_groups(qs, dims, rates)
    total = dict(empty)
    for g in by_month.values():
        for name in empty:
            total[name] += g[name]
    this_month_amounts = {k[0]: g["amount"] for k, g in by_month.items()}
    for g in groups.values():
        g["share"] = _pct(g["amount"], total["amount"])
        g["amount"] = round_money(g["amount"], currency)
        g["quantity"] = g["quantity"].quantize(QTY)
    total = {
        **total,
        "quantity": total["quantity"].quantize(QTY),
        "amount": round_money(total["amount"], currency),
        "share": Decimal(100) if total["amount"] else None,
    }
    report = Report(
        kind="sales",
        currency=currency,
        date_from=date_from,
        date_to=date_to,
        group_by=dims,
        measures=SALES_MEASURES,
        rows=_finish_rows(groups, dims, "amount"),
        totals=total,
    )
    if trend:
        before = _sales_groups(_sales_lines(previous[0], previous[1], filters, scope), ["month"], rates)
        report.extra["trend"] = [
            {
                "month": key_of(m),
                "amount": round_money(this_month_amounts.get(key_of(m), ZERO), currency),
                "previous_amount": round_money(
                    before.get((key_of(_year_earlier(m)),), {}).get("amount", ZERO), currency
                ),
            }
            for m in months
        ]
    report.warnings = rates.warnings()
    report.rates = rates.used_rates()
    return report


def _year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


# ---------------------------------------------------------------------------------------------- collection

COLLECTION_DIMENSIONS = ["month", "customer", "merchandiser", "country", "currency"]
COLLECTION_MEASURES = [
    Measure("invoiced", gettext_lazy("Invoiced"), "开票金额", "Invoiced", "money"),
    Measure("collected", gettext_lazy("Collected"), "已收款", "Collected", "money"),
    Measure("credited", gettext_lazy("Credit notes applied"), "贷项冲抵", "Credit notes applied", "money"),
    Measure("collected_pct", gettext_lazy("Collected %"), "回款率 %", "Collected %", "pct"),
    Measure("open", gettext_lazy("Receivable at the end"), "期末应收", "Receivable at the end", "money"),
    Measure("overdue", gettext_lazy("Overdue at the end"), "期末逾期", "Overdue at the end", "money"),
    Measure("dso", gettext_lazy("DSO (days)"), "应收账款周转天数", "DSO (days)", "days"),
    Measure("invoices", gettext_lazy("Invoices"), "发票数", "Invoices", "count"),
]


@dataclass
class CollectionFilters:
    customer_id: int | None = None
    merchandiser_id: int | None = None
    country: str = ""
    currency: str = ""


def _collection_fields(prefix: str) -> dict[str, Any]:
    """The dimensions of an invoice (prefix "") or of an allocation's invoice (prefix "invoice__")."""
    return {
        "customer": F(f"{prefix}customer_id"),
        "merchandiser": Coalesce(f"{prefix}merchandiser_id", f"{prefix}customer__merchandiser_id"),
        "country": F(f"{prefix}customer__country"),
        "currency": F(f"{prefix}currency"),
    }


def _invoice_q(prefix: str, filters: CollectionFilters, scope: int | None) -> Q:
    from gendan.finance.choices import InvoiceStatus

    q = ~Q(**{f"{prefix}status": InvoiceStatus.CANCELLED})
    if filters.customer_id:
        q &= Q(**{f"{prefix}customer_id": filters.customer_id})
    if filters.merchandiser_id:
        q &= Q(**{f"{prefix}merchandiser_id": filters.merchandiser_id}) | Q(
            **{f"{prefix}merchandiser__isnull": True, f"{prefix}customer__merchandiser_id": filters.merchandiser_id}
        )
    if filters.country:
        q &= Q(**{f"{prefix}customer__country": filters.country.upper()})
    if filters.currency:
        q &= Q(**{f"{prefix}currency": filters.currency.upper()})
    if scope is not None:
        q &= Q(**{f"{prefix}merchandiser_id": scope}) | Q(**{f"{prefix}customer__merchandiser_id": scope})
    return q


def _days_in(month: dt.date, date_from: dt.date, date_to: dt.date) -> int:
    start = max(month, date_from)
    end = min(next_month(month) - dt.timedelta(days=1), date_to)
    return (end - start).days + 1


def collection_report(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    group_by: str | Sequence[str] | None = None,
    filters: CollectionFilters | None = None,
    scope: int | None = None,
) -> Report:
    """Collection (回款统计): what was invoiced in the period (issue date) against what was collected (receipts
    allocated to those customers' invoices in the period, by the allocation date) and credited (credit notes
    applied), the receivable and its overdue part at the end of the period (or of each month), and the DSO:
    receivable at the end ÷ invoiced in the period × days of the period. Cancelled invoices count nowhere."""
    from gendan.finance.models import Allocation, Invoice

    date_from, date_to = check_period(date_from, date_to)
    dims = parse_group_by(group_by, COLLECTION_DIMENSIONS, ["month"])
    filters = filters or CollectionFilters()
    by_month = "month" in dims
    other = [d for d in dims if d != "month"]
    months = months_between(date_from, date_to)
    inv_fields, alloc_fields = _collection_fields(""), _collection_fields("invoice__")
    invoices = Invoice.objects.filter(_invoice_q("", filters, scope))
    allocations = Allocation.objects.filter(_invoice_q("invoice__", filters, scope))
    rates = Rates.load(months=months)
    currency = rates.reporting
    empty = {"invoiced": ZERO, "collected": ZERO, "credited": ZERO, "open": ZERO, "overdue": ZERO, "invoices": 0}
    groups: dict[tuple, dict[str, Any]] = defaultdict(lambda: dict(empty))

    def key_for(row: dict[str, Any], month_key: str | None) -> tuple:
        return tuple(month_key if d == "month" else row[f"g_{d}"] for d in dims)

    # the flows of the period
    ann_inv = {f"g_{d}": inv_fields[d] for d in other}
    for r in (
        invoices.filter(issue_date__gte=date_from, issue_date__lte=date_to)
        .annotate(**ann_inv, _cur=F("currency"), _m=MonthKey("issue_date"))
        .order_by()
        .values(*ann_inv, "_cur", "_m")
        .annotate(_amount=Sum("amount"), _n=Count("id"))
    ):
        g = groups[key_for(r, r["_m"])]
        g["invoiced"] += rates.convert(r["_amount"], r["_cur"], month_of(r["_m"]))
        g["invoices"] += r["_n"]
    ann_alloc = {f"g_{d}": alloc_fields[d] for d in other}
    for r in (
        allocations.filter(allocated_date__gte=date_from, allocated_date__lte=date_to)
        .annotate(**ann_alloc, _cur=F("invoice__currency"), _m=MonthKey("allocated_date"))
        .annotate(
            _credit=Case(When(receipt__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
        .order_by()
        .values(*ann_alloc, "_cur", "_m", "_credit")
        .annotate(_amount=Sum("amount"))
    ):
        g = groups[key_for(r, r["_m"])]
        g["credited" if r["_credit"] else "collected"] += rates.convert(r["_amount"], r["_cur"], month_of(r["_m"]))

    # the balances at the end of the period (or of each month)
    if not by_month:
        end = month_start(date_to)
        for r in (
            invoices.filter(issue_date__lte=date_to)
            .annotate(**ann_inv, _cur=F("currency"))
            .order_by()
            .values(*ann_inv, "_cur")
            .annotate(
                _open=Sum("amount"),
                _overdue=Sum(
                    Case(When(due_date__lt=date_to, then=F("amount")), default=Value(ZERO), output_field=MONEY)
                ),
            )
        ):
            g = groups[key_for(r, None)]
            g["open"] += rates.convert(r["_open"], r["_cur"], end)
            g["overdue"] += rates.convert(r["_overdue"], r["_cur"], end)
        for r in (
            allocations.filter(allocated_date__lte=date_to, invoice__issue_date__lte=date_to)
            .annotate(**ann_alloc, _cur=F("invoice__currency"))
            .order_by()
            .values(*ann_alloc, "_cur")
            .annotate(
                _paid=Sum("amount"),
                _paid_overdue=Sum(
                    Case(When(invoice__due_date__lt=date_to, then=F("amount")), default=Value(ZERO), output_field=MONEY)
                ),
            )
        ):
            g = groups[key_for(r, None)]
            g["open"] -= rates.convert(r["_paid"], r["_cur"], end)
            g["overdue"] -= rates.convert(r["_paid_overdue"], r["_cur"], end)
    else:
        _monthly_balances(groups, dims, other, months, date_from, date_to, invoices, allocations, rates)

    days = (date_to - date_from).days + 1
    for key, g in groups.items():
        month_days = _days_in(month_of(key[dims.index("month")]), date_from, date_to) if by_month else days
        g["dso"] = (g["open"] / g["invoiced"] * month_days).quantize(Decimal("0.1")) if g["invoiced"] > 0 else None
        g["collected_pct"] = _pct(g["collected"] + g["credited"], g["invoiced"])
    total = dict(empty)
    last_key = key_of(months[-1])
    for key, g in groups.items():
        for name in ("invoiced", "collected", "credited", "invoices"):
            total[name] += g[name]
        if not by_month or key[dims.index("month")] == last_key:
            total["open"] += g["open"]
            total["overdue"] += g["overdue"]
    total["dso"] = (
        (total["open"] / total["invoiced"] * days).quantize(Decimal("0.1")) if total["invoiced"] > 0 else None
    )
    total["collected_pct"] = _pct(total["collected"] + total["credited"], total["invoiced"])
    for g in [*groups.values(), total]:
        for name in ("invoiced", "collected", "credited", "open", "overdue"):
            g[name] = round_money(g[name], currency)
    report = Report(
        kind="collection",
        currency=currency,
        date_from=date_from,
        date_to=date_to,
        group_by=dims,
        measures=COLLECTION_MEASURES,
        rows=_finish_rows(dict(groups), dims, "invoiced"),
        totals=total,
        warnings=rates.warnings(),
        rates=rates.used_rates(),
        extra={"days": days},
    )
    return report


def _monthly_balances(
    groups: dict[tuple, dict[str, Any]],
    dims: list[str],
    other: list[str],
    months: list[dt.date],
    date_from: dt.date,
    date_to: dt.date,
    invoices: QuerySet,
    allocations: QuerySet,
    rates: Rates,
) -> None:
    """The receivable and its overdue part at the close of each month (the last one at `date_to`), in that month's
    rates: what was invoiced by then less what was allocated by then; overdue where the due date was before the
    close. Grouped by the month of each fact (earlier months as one), then added up month by month."""
    first = months[0]
    keys = [key_of(m) for m in months]
    index = {k: i for i, k in enumerate(keys)}
    inv_fields, alloc_fields = _collection_fields(""), _collection_fields("invoice__")

    def month_or_before(path: str, shift: int = 0) -> Case:
        return Case(When(**{f"{path}__lt": first}, then=Value(BEFORE)), default=MonthKey(path, shift_days=shift))

    # overdue from the month in which the day after the due date falls (the due date is before its close);
    # never for a due date on or after the end of the period
    due_key = Case(
        When(**{"due_date__gte": date_to}, then=Value(NEVER)),
        When(**{"due_date__lt": first - dt.timedelta(days=1)}, then=Value(BEFORE)),
        default=MonthKey("due_date", shift_days=1),
        output_field=CharField(),
    )
    alloc_due_key = Case(
        When(**{"invoice__due_date__gte": date_to}, then=Value(NEVER)),
        When(**{"invoice__due_date__lt": first - dt.timedelta(days=1)}, then=Value(BEFORE)),
        default=MonthKey("invoice__due_date", shift_days=1),
        output_field=CharField(),
    )
    # (other dimensions, currency) → per-month increments of the receivable and of the overdue
    open_inc: dict[tuple, list[Decimal]] = defaultdict(lambda: [ZERO] * len(keys))
    over_inc: dict[tuple, list[Decimal]] = defaultdict(lambda: [ZERO] * len(keys))

    def add(target: dict[tuple, list[Decimal]], key: tuple, month_key: str, amount: Decimal) -> None:
        if month_key == BEFORE or month_key < keys[0]:
            target[key][0] += amount
        elif month_key in index:
            target[key][index[month_key]] += amount

    ann = {f"g_{d}": inv_fields[d] for d in other}
    for r in (
        invoices.filter(issue_date__lte=date_to)
        .annotate(**ann, _cur=F("currency"), _k=month_or_before("issue_date"), _d=due_key)
        .order_by()
        .values(*ann, "_cur", "_k", "_d")
        .annotate(_amount=Sum("amount"))
    ):
        key = (tuple(r[f"g_{d}"] for d in other), r["_cur"])
        amount = _dec(r["_amount"])
        add(open_inc, key, r["_k"], amount)
        add(over_inc, key, max(r["_k"], r["_d"]), amount)
    ann = {f"g_{d}": alloc_fields[d] for d in other}
    for r in (
        allocations.filter(allocated_date__lte=date_to, invoice__issue_date__lte=date_to)
        .annotate(**ann, _cur=F("invoice__currency"), _k=month_or_before("allocated_date"), _d=alloc_due_key)
        .order_by()
        .values(*ann, "_cur", "_k", "_d")
        .annotate(_amount=Sum("amount"))
    ):
        key = (tuple(r[f"g_{d}"] for d in other), r["_cur"])
        amount = _dec(r["_amount"])
        add(open_inc, key, r["_k"], -amount)
        add(over_inc, key, max(r["_k"], r["_d"]), -amount)
    for (other_key, cur), increments in open_inc.items():
        overdue = over_inc.get((other_key, cur), [ZERO] * len(keys))
        balance = over = ZERO
        for i, month in enumerate(months):
            balance += increments[i]
            over += overdue[i]
            if not balance and not over and (tuple(_merge(dims, other_key, keys[i])) not in groups):
                continue
            g = groups[tuple(_merge(dims, other_key, keys[i]))]
            g["open"] += rates.convert(balance, cur, month)
            g["overdue"] += rates.convert(over, cur, month)


def _merge(dims: list[str], other_key: tuple, month_key: str) -> list[Any]:
    values = iter(other_key)
    return [month_key if d == "month" else next(values) for d in dims]


# ---------------------------------------------------------------------------------------------- delivery

DELIVERY_DIMENSIONS = ["month", "customer", "merchandiser", "factory", "country"]
DELIVERY_MEASURES = [
    Measure("due", gettext_lazy("Orders due"), "应交订单", "Orders due", "count"),
    Measure("on_time", gettext_lazy("On time"), "准时", "On time", "count"),
    Measure("on_time_pct", gettext_lazy("On time %"), "准时率 %", "On time %", "pct"),
    Measure("in_full_pct", gettext_lazy("In full %"), "足量率 %", "In full %", "pct"),
    Measure("otif_pct", gettext_lazy("On time in full %"), "准时足量率 (OTIF) %", "On time in full %", "pct"),
    Measure("late", gettext_lazy("Late"), "延误", "Late", "count"),
    Measure("open_late", gettext_lazy("Late, not yet out"), "延误未出厂", "Late, not yet out", "count"),
    Measure("avg_days_late", gettext_lazy("Average days late"), "平均延误天数", "Average days late", "days"),
    Measure("not_due", gettext_lazy("Not due yet"), "未到期", "Not due yet", "count"),
]


@dataclass
class DeliveryFilters:
    customer_id: int | None = None
    merchandiser_id: int | None = None
    factory_id: int | None = None
    country: str = ""


@dataclass
class Facts:
    """The per-order delivery facts as a common table expression `f` (its SQL and parameters)."""

    cte: str
    params: list[Any]


def _materialized() -> str:
    """`MATERIALIZED` where the database knows it (PostgreSQL 12+, SQLite 3.35+): computed once, never inlined."""
    if connection.vendor == "postgresql":
        return "MATERIALIZED " if connection.pg_version >= 120000 else ""
    import sqlite3

    return "MATERIALIZED " if sqlite3.sqlite_version_info >= (3, 35) else ""


def _delivery_facts(date_from: dt.date, date_to: dt.date, filters: DeliveryFilters, scope: int | None) -> Facts:
    """One row per order committed ex-factory in the period, with its dimensions and delivery facts: the actual
    ex-factory date (the ex-factory milestone, else the first shipment out), the quantity shipped out by the committed
    date, whether any shipment went out, the tolerance. Built from three grouped reads (the orders, their shipments
    out, their ex-factory milestones) joined once; the reports aggregate over it."""
    from gendan.followup.models import Milestone
    from gendan.production.choices import SubcontractStatus
    from gendan.production.models import SubcontractOrder
    from gendan.sales.models import Order
    from gendan.shipping.choices import SHIPPED
    from gendan.shipping.models import ShippingProfile

    tolerance = ShippingProfile.objects.filter(customer_id=OuterRef("customer_id"), tolerance_pct__isnull=False)
    factory = (
        SubcontractOrder.objects.filter(order_id=OuterRef("pk"))
        .exclude(status=SubcontractStatus.CANCELLED)
        .order_by("-quantity", "id")
        .values("factory_id")[:1]
    )
    default_tol = Decimal(str(getattr(settings, "GENDAN_SHIP_TOLERANCE_PCT", "0") or "0"))
    orders = Order.objects.filter(ex_factory_date__gte=date_from, ex_factory_date__lte=date_to).filter(sold_q())
    if filters.customer_id:
        orders = orders.filter(customer_id=filters.customer_id)
    if filters.merchandiser_id:
        orders = orders.filter(merchandiser_id=filters.merchandiser_id)
    if filters.country:
        orders = orders.filter(customer__country=filters.country.upper())
    if scope is not None:
        orders = orders.filter(Q(merchandiser_id=scope) | Q(customer__merchandiser_id=scope))
    orders = orders.annotate(
        f_factory=Subquery(factory),
        f_tol=Coalesce(
            Subquery(tolerance.values("tolerance_pct")[:1]), Value(default_tol), output_field=DecimalField()
        ),
        f_month=MonthKey("ex_factory_date"),
        f_country=F("customer__country"),
    )
    if filters.factory_id:
        orders = orders.filter(f_factory=filters.factory_id)
    fields = ["id", "customer_id", "merchandiser_id", "f_country", "f_factory", "f_month", "ex_factory_date",
              "total_qty", "status", "f_tol"]  # fmt: skip
    in_period = {"ex_factory_date__gte": date_from, "ex_factory_date__lte": date_to}
    # from the orders of the period down to their shipment lines (the status as a condition of the sums, not of the
    # read, so the database starts from the orders' dates and not from every shipment ever made)
    out_date = Coalesce(
        "lines__shipment_lines__shipment__loaded_date", "lines__shipment_lines__shipment__departed_date"
    )
    went_out = Q(lines__shipment_lines__shipment__status__in=SHIPPED)
    shipments = (
        Order.objects.filter(**in_period)
        .annotate(oid=F("id"))
        .order_by()
        .values("oid")
        .annotate(
            first_out=Min(Case(When(went_out, then=out_date), output_field=DateField())),
            shipped=Sum(
                Case(
                    When(
                        went_out,
                        then=Case(
                            When(
                                LessThanOrEqual(out_date, F("ex_factory_date")),
                                then=F("lines__shipment_lines__quantity"),
                            ),
                            default=Value(ZERO),
                            output_field=MONEY,
                        ),
                    ),
                    default=Value(ZERO),
                    output_field=MONEY,
                )
            ),
        )
    )
    exf = (
        Milestone.objects.filter(
            is_ex_factory=True, actual_date__isnull=False, **{f"order__{k}": v for k, v in in_period.items()}
        )
        .annotate(oid=F("order_id"))
        .order_by()
        .values("oid")
        .annotate(exf=Min("actual_date"))
    )
    o_sql, o_params = orders.values(*fields).order_by().query.sql_with_params()
    sh_sql, sh_params = shipments.query.sql_with_params()
    ex_sql, ex_params = exf.query.sql_with_params()
    m = _materialized()
    cte = (
        f"WITH o AS {m}({o_sql}), sh AS {m}({sh_sql}), ex AS {m}({ex_sql}), "
        f"f AS {m}(SELECT o.*, COALESCE(ex.exf, sh.first_out) AS f_actual, COALESCE(sh.shipped, 0) AS f_shipped, "
        "CASE WHEN sh.first_out IS NULL THEN 0 ELSE 1 END AS f_out "
        "FROM o LEFT JOIN sh ON sh.oid = o.id LEFT JOIN ex ON ex.oid = o.id)"
    )
    return Facts(cte, [*o_params, *sh_params, *ex_params])


def _late_sql() -> dict[str, str]:
    """SQL fragments over the per-order facts `f`: delivered, on time, in full, late, days late. Each `%s` in them
    stands for today."""
    if connection.vendor == "postgresql":
        days_late = "(f.f_actual - f.ex_factory_date)"
        days_open = "(%s::date - f.ex_factory_date)"
    else:
        days_late = "CAST(julianday(f.f_actual) - julianday(f.ex_factory_date) AS INTEGER)"
        days_open = "CAST(julianday(%s) - julianday(f.ex_factory_date) AS INTEGER)"
    delivered = "f.f_actual IS NOT NULL"
    on_time = f"({delivered} AND f.f_actual <= f.ex_factory_date)"
    # with shipments recorded: what they carried out by the committed date; an order shipped before its shipments
    # were kept in Gendan (none at all) is in full when it is shipped or closed and left on time
    in_full = (
        "((f.f_out = 1 AND f.f_shipped >= f.total_qty * (100.0 - f.f_tol) / 100.0) OR (f.f_out = 0 AND "
        f"f.status IN ('shipped', 'closed') AND {delivered} AND f.f_actual <= f.ex_factory_date))"
    )
    late = f"(({delivered} AND f.f_actual > f.ex_factory_date) OR (f.f_actual IS NULL AND f.ex_factory_date < %s))"
    due = f"({delivered} OR f.ex_factory_date < %s)"
    return {
        "delivered": delivered,
        "on_time": on_time,
        "in_full": in_full,
        "late": late,
        "due": due,
        "days": f"CASE WHEN {delivered} THEN {days_late} ELSE {days_open} END",
    }


DELIVERY_COLUMNS = {
    "month": "f.f_month",
    "customer": "f.customer_id",
    "merchandiser": "f.merchandiser_id",
    "factory": "f.f_factory",
    "country": "f.f_country",
}


ID_DIMENSIONS = {"customer", "merchandiser", "factory", "product", "warehouse"}


def _delivery_read(
    facts: Facts, dims: list[str], today: dt.date, *, causes: bool
) -> tuple[dict[tuple, dict[str, Any]], list[tuple[str, str | None, int]]]:
    """The groups' counts and (with `causes`) the late orders' causes, in one statement: the facts are computed once.
    Rows: ("g", key 1, key 2, the counts…) for the groups, (family, code, None, late orders) for the causes."""
    frag = _late_sql()
    columns = [DELIVERY_COLUMNS[d] for d in dims]
    keys = [f"CAST({c} AS VARCHAR(40))" for c in columns] + ["NULL"] * (MAX_GROUPS - len(columns))
    groups_sql = (
        f"SELECT 'g', {', '.join(keys)},"
        f" SUM(CASE WHEN {frag['due']} THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {frag['on_time']} THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {frag['on_time']} AND {frag['in_full']} THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {frag['due']} AND {frag['in_full']} THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {frag['late']} THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {frag['late']} AND NOT ({frag['delivered']}) THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {frag['late']} THEN {frag['days']} ELSE 0 END),"
        f" COUNT(*) FROM f" + (f" GROUP BY {', '.join(columns)}" if columns else "")
    )
    cte, params = facts.cte, [*facts.params]
    if causes:
        from gendan.followup.models import Milestone
        from gendan.procurement.models import PurchaseOrderLine
        from gendan.production.models import DailyReport

        pol, dr, ms = PurchaseOrderLine._meta.db_table, DailyReport._meta.db_table, Milestone._meta.db_table
        cte += (
            f", late AS {_materialized()}(SELECT f.id, (SELECT m.code FROM {ms} m WHERE m.order_id = f.id "
            "AND NOT m.is_ex_factory AND NOT m.done_on_confirm AND (m.actual_date > m.planned_date OR "
            "(m.actual_date IS NULL AND m.planned_date < %s)) ORDER BY m.planned_date, m.position LIMIT 1) "
            f"AS f_cause FROM f WHERE {frag['late']})"
        )
        params += [today, today]  # the milestone's plan passed; the order late
        pad = ", NULL" * (len(DELIVERY_COUNTS) - 1)
        groups_sql += (
            f" UNION ALL SELECT 'milestone', late.f_cause, NULL, COUNT(*){pad} FROM late GROUP BY late.f_cause"
            f" UNION ALL SELECT 'supplier', p.delay_cause, NULL, COUNT(DISTINCT p.order_id){pad} FROM {pol} p"
            " JOIN late ON late.id = p.order_id WHERE p.delay_cause <> '' GROUP BY p.delay_cause"
            f" UNION ALL SELECT 'production', d.variance_reason, NULL, COUNT(DISTINCT d.order_id){pad} FROM {dr} d"
            " JOIN late ON late.id = d.order_id WHERE d.variance_reason <> '' GROUP BY d.variance_reason"
        )
    params += [today] * groups_sql.count("%s")
    with connection.cursor() as cursor:
        cursor.execute(f"{cte} {groups_sql}", params)
        fetched = cursor.fetchall()
    groups: dict[tuple, dict[str, Any]] = {}
    found_causes: list[tuple[str, str | None, int]] = []
    for row in fetched:
        if row[0] != "g":
            found_causes.append((row[0], row[1], int(row[3] or 0)))
            continue
        counts = dict(zip(DELIVERY_COUNTS, (int(v or 0) for v in row[1 + MAX_GROUPS :]), strict=True))
        if counts["count"]:
            key = tuple(
                (int(v) if v is not None and d in ID_DIMENSIONS else v)
                for d, v in zip(dims, row[1 : 1 + len(dims)], strict=True)
            )
            groups[key] = _delivery_figures(counts)
    return groups, found_causes


DELIVERY_COUNTS = ["due", "on_time", "otif", "in_full", "late", "open_late", "days_late", "count"]


def _delivery_figures(counts: dict[str, int]) -> dict[str, Any]:
    due, late, days = counts["due"], counts["late"], counts["days_late"]
    return {
        **counts,
        "on_time_pct": _pct(counts["on_time"], due),
        "in_full_pct": _pct(counts["in_full"], due),
        "otif_pct": _pct(counts["otif"], due),
        "avg_days_late": (Decimal(days) / late).quantize(Decimal("0.1")) if late else None,
        "not_due": counts["count"] - due,
    }


def _delivery_causes(fetched: list[tuple[str, str | None, int]]) -> list[dict[str, Any]]:
    """The top causes of the late orders: the first milestone of each late order that slipped (done after its plan,
    or still open past it), and the supplier delay causes and production variance reasons recorded on the late
    orders' purchase lines and daily reports. Each cause counts the late orders it touches."""
    from gendan.followup.models import Milestone
    from gendan.procurement.choices import DelayCause
    from gendan.production.choices import VarianceReason

    by_milestone = [(code, n) for family, code, n in fetched if family == "milestone"]
    by_supplier = [(code, n) for family, code, n in fetched if family == "supplier"]
    by_production = [(code, n) for family, code, n in fetched if family == "production"]
    causes: list[dict[str, Any]] = []
    codes = [code for code, _n in by_milestone if code]
    names: dict[str, str] = {}
    for code, zh, en in (
        Milestone.objects.filter(code__in=codes).order_by("code", "-id").values_list("code", "name_zh", "name_en")
    ):
        names.setdefault(code, zh if _lang_is_zh() else (en or zh))
    for code, n in by_milestone:
        causes.append(
            {
                "family": "milestone",
                "family_label": _("Milestone late"),
                "cause": f"milestone:{code or ''}",
                "cause_label": (names.get(code) or code)
                if code
                else _("Ex-factory itself (no earlier milestone late)"),
                "orders": int(n),
            }
        )
    supplier = dict(DelayCause.choices)
    for code, n in by_supplier:
        causes.append(
            {
                "family": "supplier",
                "family_label": _("Supplier delay"),
                "cause": f"supplier:{code}",
                "cause_label": str(supplier.get(code, code)),
                "orders": int(n),
            }
        )
    production = dict(VarianceReason.choices)
    for code, n in by_production:
        causes.append(
            {
                "family": "production",
                "family_label": _("Production behind plan"),
                "cause": f"production:{code}",
                "cause_label": str(production.get(code, code)),
                "orders": int(n),
            }
        )
    causes.sort(key=lambda c: (-c["orders"], c["family"], c["cause_label"]))
    return causes


def delivery_report(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    group_by: str | Sequence[str] | None = None,
    filters: DeliveryFilters | None = None,
    scope: int | None = None,
    causes: bool = True,
) -> Report:
    """Delivery performance (交货准时率): the orders whose committed ex-factory date falls in the period (confirmed and
    later). An order is due once it left the factory or its committed date is past; on time when its actual
    ex-factory date (the ex-factory milestone, else its first shipment out) is on or before the committed date; in
    full when the shipments out by the committed date carried its quantity less the customer's tolerance (an order
    without any shipment recorded: when it is shipped or closed and left on time); late when
    it left after the committed date or has not left and the date is past (days late counted to today). Percentages
    are of the orders due. Grouped by month (of the committed date), customer, merchandiser, factory (the
    subcontract factory that took most of the order; "In house" without one) or country."""
    date_from, date_to = check_period(date_from, date_to)
    dims = parse_group_by(group_by, DELIVERY_DIMENSIONS, ["month"])
    filters = filters or DeliveryFilters()
    today = clock.today()
    facts = _delivery_facts(date_from, date_to, filters, scope)
    groups, cause_rows = _delivery_read(facts, dims, today, causes=causes)
    # every order is in one group: the totals are the groups' counts added up
    total = _delivery_figures({name: sum(g[name] for g in groups.values()) for name in DELIVERY_COUNTS})
    report = Report(
        kind="delivery",
        currency="",
        date_from=date_from,
        date_to=date_to,
        group_by=dims,
        measures=DELIVERY_MEASURES,
        rows=_finish_rows(groups, dims, "due"),
        totals=total,
    )
    if causes:
        report.extra["causes"] = _delivery_causes(cause_rows)
    return report


# ---------------------------------------------------------------------------------------------- inventory

INVENTORY_DIMENSIONS = ["item", "warehouse", "kind", "category"]
AGE_BUCKETS: list[tuple[str, Any, int, int | None]] = [
    ("age_0_30", gettext_lazy("0–30 days"), 0, 30),
    ("age_31_90", gettext_lazy("31–90 days"), 31, 90),
    ("age_91_180", gettext_lazy("91–180 days"), 91, 180),
    ("age_181_365", gettext_lazy("181–365 days"), 181, 365),
    ("age_365_plus", gettext_lazy("over 365 days"), 366, None),
]
AGE_ZH = {
    "age_0_30": "0–30天",
    "age_31_90": "31–90天",
    "age_91_180": "91–180天",
    "age_181_365": "181–365天",
    "age_365_plus": "365天以上",
}
INVENTORY_MEASURES = [
    Measure("on_hand", gettext_lazy("On hand"), "现有", "On hand", "qty"),
    Measure("reserved", gettext_lazy("Reserved"), "已预留", "Reserved", "qty"),
    Measure("available", gettext_lazy("Available"), "可用", "Available", "qty"),
    Measure("value", gettext_lazy("Stock value"), "库存金额", "Stock value", "money"),
    Measure("received", gettext_lazy("In (period)"), "期间入库", "In (period)", "qty"),
    Measure("issued", gettext_lazy("Out (period)"), "期间出库", "Out (period)", "qty"),
    *[Measure(key, label, AGE_ZH[key], str(label), "qty") for key, label, _lo, _hi in AGE_BUCKETS],
    Measure("age_unknown", gettext_lazy("Age unknown"), "库龄不明", "Age unknown", "qty"),
    Measure("last_out", gettext_lazy("Last out"), "最后出库", "Last out", "date"),
    Measure("slow", gettext_lazy("Slow mover"), "呆滞", "Slow mover", "text"),
]


@dataclass
class InventoryFilters:
    warehouse_id: int | None = None
    kind: str = ""  # product | material
    category: str = ""
    slow_only: bool = False

    def check(self) -> None:
        if self.kind and self.kind not in ("product", "material"):
            raise ValidationError({"kind": _("Choose product or material.")})


QTY_MEASURES = ["on_hand", "reserved", "available", "received", "issued", *AGE_ZH, "age_unknown"]


def _age_bucket(days: int) -> str:
    for key, _label, low, high in AGE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return key
    return AGE_BUCKETS[0][0]


def _unit_costs(product_ids: set[int], material_ids: set[int], rates: Rates, month: dt.date) -> dict[str, Decimal]:
    """The value of one unit in the reporting currency: a material at its purchase price; a finished product at the
    standard cost of its bill of materials (quantity per unit with scrap × each material's purchase price)."""
    from gendan.catalog.models import BomLine, Material

    costs: dict[str, Decimal] = {}
    for pk, price, currency in Material.objects.filter(pk__in=material_ids).values_list(
        "pk", "purchase_price", "purchase_currency"
    ):
        costs[f"m:{pk}"] = rates.convert(price, currency, month)
    if product_ids:
        hundred = RawSQL("100.0", ())  # a literal with a point: SQLite would divide whole numbers as integers
        gross = F("qty_per_unit") * (hundred + F("scrap_pct")) / hundred
        for r in (
            BomLine.objects.filter(product_id__in=product_ids)
            .values("product_id", "material__purchase_currency")
            .annotate(
                cost=Sum(
                    gross * F("material__purchase_price"), output_field=DecimalField(max_digits=24, decimal_places=8)
                )
            )
            .order_by()
        ):
            key = f"p:{r['product_id']}"
            costs[key] = costs.get(key, ZERO) + rates.convert(r["cost"], r["material__purchase_currency"], month)
    return costs


def inventory_report(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    group_by: str | Sequence[str] | None = None,
    filters: InventoryFilters | None = None,
    slow_days: int = 90,
) -> Report:
    """Inventory (库存统计) as of today: on hand, reserved and available per item (finished product or material) and
    warehouse, the stock value in the reporting currency (materials at their purchase price, products at their
    BOM's standard cost), what came in and went out in the period, the ageing of what is on hand and the slow
    movers.

    Ageing is first in, first out: what is on hand at a location is taken to be the latest receipts there (every
    movement into stock, newest first) until they add up to the quantity on hand; each part is as old as its
    receipt. What those receipts do not cover (stock older than the movements recorded) is "age unknown". A slow
    mover has stock on hand and nothing out (issue, return, negative adjustment) in the last `slow_days` days."""
    from gendan.inventory.models import Stock, StockMovement

    today = clock.today()
    date_from, date_to = check_period(date_from, date_to)
    dims = parse_group_by(group_by, INVENTORY_DIMENSIONS, ["item", "warehouse"])
    filters = filters or InventoryFilters()
    filters.check()
    if slow_days < 1 or slow_days > 3650:
        raise ValidationError({"slow_days": _("Give a number of days from 1 to 3650.")})
    stock = Stock.objects.all()
    moves = StockMovement.objects.all()
    if filters.warehouse_id:
        stock = stock.filter(location__warehouse_id=filters.warehouse_id)
        moves = moves.filter(location__warehouse_id=filters.warehouse_id)
    if filters.kind == "product":
        stock, moves = stock.filter(product__isnull=False), moves.filter(product__isnull=False)
    elif filters.kind == "material":
        stock, moves = stock.filter(material__isnull=False), moves.filter(material__isnull=False)
    if filters.category:
        cat = Q(product__category=filters.category) | Q(material__category=filters.category)
        stock, moves = stock.filter(cat), moves.filter(cat)

    # one row per (item, location): on hand, reserved, its warehouse and category
    places: dict[tuple[str, int], dict[str, Any]] = {}
    for r in stock.values(
        "location_id",
        "location__warehouse_id",
        "product_id",
        "material_id",
        "on_hand",
        "reserved",
        "product__category",
        "material__category",
    ):
        item = f"p:{r['product_id']}" if r["product_id"] else f"m:{r['material_id']}"
        places[(item, r["location_id"])] = {
            "warehouse": r["location__warehouse_id"],
            "kind": "product" if r["product_id"] else "material",
            "category": (r["product__category"] if r["product_id"] else r["material__category"]) or "",
            "on_hand": _dec(r["on_hand"]),
            "reserved": _dec(r["reserved"]),
            "received": ZERO,
            "issued": ZERO,
            "last_out": None,
            "ages": defaultdict(lambda: ZERO),
        }

    def place_of(r: dict[str, Any]) -> dict[str, Any] | None:
        item = f"p:{r['product_id']}" if r["product_id"] else f"m:{r['material_id']}"
        return places.get((item, r["location_id"]))

    # flows of the period and the last movement out of each place
    in_period = Q(date__gte=date_from, date__lte=date_to)
    for r in (
        moves.values("location_id", "product_id", "material_id")
        .annotate(
            received=Sum(
                Case(When(in_period & Q(quantity__gt=0), then=F("quantity")), default=Value(ZERO), output_field=MONEY)
            ),
            issued=Sum(
                Case(When(in_period & Q(quantity__lt=0), then=-F("quantity")), default=Value(ZERO), output_field=MONEY)
            ),
            last_out=Max(Case(When(quantity__lt=0, then=F("date")))),
        )
        .order_by()
    ):
        place = place_of(r)
        if place is not None:
            place["received"] = _dec(r["received"])
            place["issued"] = _dec(r["issued"])
            place["last_out"] = r["last_out"]

    # FIFO ageing: the receipts still on hand, newest first, per place (only places with stock on hand are read)
    _fifo_ages(moves, places, today)

    rates = Rates.load(months=[month_start(today)])
    costs = _unit_costs(
        {int(k[0][2:]) for k in places if k[0].startswith("p:")},
        {int(k[0][2:]) for k in places if k[0].startswith("m:")},
        rates,
        month_start(today),
    )
    slow_before = today - dt.timedelta(days=slow_days)
    empty = {
        "on_hand": ZERO,
        "reserved": ZERO,
        "available": ZERO,
        "value": ZERO,
        "received": ZERO,
        "issued": ZERO,
        **{key: ZERO for key, *_rest in AGE_BUCKETS},
        "age_unknown": ZERO,
        "last_out": None,
        "slow": None,
    }
    groups: dict[tuple, dict[str, Any]] = {}
    total = dict(empty)
    for (item, _location), p in places.items():
        is_slow = p["on_hand"] > 0 and (p["last_out"] is None or p["last_out"] < slow_before)
        if filters.slow_only and not is_slow:
            continue
        facts = {"item": item, "warehouse": p["warehouse"], "kind": p["kind"], "category": p["category"]}
        key = tuple(facts[d] for d in dims)
        value = p["on_hand"] * costs.get(item, ZERO)
        for target in (groups.setdefault(key, dict(empty)), total):
            target["on_hand"] += p["on_hand"]
            target["reserved"] += p["reserved"]
            target["available"] += p["on_hand"] - p["reserved"]
            target["value"] += value
            target["received"] += p["received"]
            target["issued"] += p["issued"]
            for bucket, quantity in p["ages"].items():
                target[bucket] += quantity
            if p["last_out"] and (target["last_out"] is None or p["last_out"] > target["last_out"]):
                target["last_out"] = p["last_out"]
    for g in [*groups.values(), total]:
        g["value"] = round_money(g["value"], rates.reporting)
        for name in QTY_MEASURES:
            g[name] = g[name].quantize(QTY)
        if "item" in dims and g is not total:  # an item is slow when nothing of it went out anywhere in the days
            g["slow"] = g["on_hand"] > 0 and (g["last_out"] is None or g["last_out"] < slow_before)
    total["slow_count"] = sum(1 for g in groups.values() if g.get("slow"))
    report = Report(
        kind="inventory",
        currency=rates.reporting,
        date_from=date_from,
        date_to=date_to,
        group_by=dims,
        measures=INVENTORY_MEASURES,
        rows=_finish_rows(groups, dims, "value"),
        totals=total,
        warnings=rates.warnings(),
        rates=rates.used_rates(),
        extra={"as_of": today, "slow_days": slow_days},
    )
    return report


def _fifo_ages(moves: QuerySet, places: dict[tuple[str, int], dict[str, Any]], today: dt.date) -> None:
    """Split each place's quantity on hand by the age of the receipts it is made of (newest receipts first)."""
    stocked = {k for k, p in places.items() if p["on_hand"] > 0}
    if not stocked:
        return
    running = Window(
        Sum("quantity"),
        partition_by=[F("location_id"), F("product_id"), F("material_id")],
        order_by=[F("date").desc(), F("id").desc()],
    )
    rows = (
        moves.filter(quantity__gt=0, location_id__in={k[1] for k in stocked})
        .annotate(running=running)
        .values("location_id", "product_id", "material_id", "date", "quantity", "running")
        .order_by()
    )
    covered: dict[tuple[str, int], Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        item = f"p:{r['product_id']}" if r["product_id"] else f"m:{r['material_id']}"
        key = (item, r["location_id"])
        place = places.get(key)
        if place is None or place["on_hand"] <= 0:
            continue
        quantity, before = _dec(r["quantity"]), _dec(r["running"]) - _dec(r["quantity"])
        if before >= place["on_hand"]:
            continue  # already used up
        part = min(quantity, place["on_hand"] - before)
        place["ages"][_age_bucket((today - r["date"]).days)] += part
        covered[key] += part
    for key in stocked:
        rest = places[key]["on_hand"] - covered.get(key, ZERO)
        if rest > 0:
            places[key]["ages"]["age_unknown"] += rest


# ---------------------------------------------------------------------------------------------- key figures


def _open_orders(scope: int | None) -> QuerySet:
    from gendan.sales.models import Order

    qs = Order.objects.filter(Q(status__in=OPEN_SOLD) | Q(status=OrderStatus.ON_HOLD, held_from_status__in=OPEN_SOLD))
    if scope is not None:
        qs = qs.filter(Q(merchandiser_id=scope) | Q(customer__merchandiser_id=scope))
    return qs


def key_figures(*, scope: int | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """The manager's dashboard (经理看板): this month's sales against last month and the same month last year,
    open orders and those at risk, on time in full over the last 90 days, overdue receivables and DSO, stock
    value, open complaints; and the series of the small charts."""
    from gendan.sales.choices import Risk

    today = today or clock.today()
    this_month = month_start(today)
    last_month = month_start(this_month - dt.timedelta(days=1))
    last_year = _year_earlier(this_month)
    year_start = month_start(_year_earlier(this_month) + dt.timedelta(days=32))  # 11 months back
    sales = sales_report(date_from=_year_earlier(year_start), date_to=today, group_by="month", scope=scope, trend=False)
    by_month = {r["keys"]["month"]: r["amount"] for r in sales.rows}
    currency = sales.currency

    def month_sales(month: dt.date) -> Decimal:
        return round_money(by_month.get(key_of(month), ZERO), currency)

    def change(now: Decimal, then: Decimal) -> Decimal | None:
        return _pct(now - then, then) if then else None

    open_qs = _open_orders(scope)
    open_rows = list(open_qs.order_by().values("currency").annotate(n=Count("id"), amount=Sum("total_amount")))
    rates = Rates.load(months=[this_month])
    open_amount = round_money(
        sum((rates.convert(r["amount"], r["currency"], this_month) for r in open_rows), ZERO), currency
    )
    at_risk = open_qs.filter(risk__in=[Risk.AT_RISK, Risk.LATE]).aggregate(
        n=Count("id"), late=Count("id", filter=Q(risk=Risk.LATE))
    )
    delivery = delivery_report(
        date_from=today - dt.timedelta(days=90), date_to=today, group_by="month", scope=scope, causes=False
    )
    delivery_year = delivery_report(date_from=year_start, date_to=today, group_by="month", scope=scope, causes=False)
    collection = collection_report(
        date_from=today - dt.timedelta(days=89), date_to=today, group_by="customer", scope=scope
    )
    collection_year = collection_report(
        date_from=month_start(today - dt.timedelta(days=150)), date_to=today, group_by="month", scope=scope
    )
    figures: dict[str, Any] = {
        "currency": currency,
        "today": today,
        "sales_this_month": month_sales(this_month),
        "sales_last_month": month_sales(last_month),
        "sales_same_month_last_year": month_sales(last_year),
        "open_orders": sum(r["n"] for r in open_rows),
        "open_amount": open_amount,
        "at_risk_orders": at_risk["n"],
        "late_orders": at_risk["late"],
        "on_time_pct_90": delivery.totals["on_time_pct"],
        "otif_pct_90": delivery.totals["otif_pct"],
        "orders_due_90": delivery.totals["due"],
        "receivable": collection.totals["open"],
        "overdue": collection.totals["overdue"],
        "dso_90": collection.totals["dso"],
        "warnings": [*sales.warnings, *collection.warnings],
    }
    figures["change_vs_last_month"] = change(figures["sales_this_month"], figures["sales_last_month"])
    figures["change_vs_last_year"] = change(figures["sales_this_month"], figures["sales_same_month_last_year"])
    months = months_between(year_start, today)
    figures["sales_trend"] = [
        {"month": m, "amount": month_sales(m), "previous_amount": month_sales(_year_earlier(m))} for m in months
    ]
    on_time = {r["keys"]["month"]: r for r in delivery_year.rows}
    figures["on_time_trend"] = [
        {
            "month": m,
            "on_time_pct": on_time.get(key_of(m), {}).get("on_time_pct"),
            "otif_pct": on_time.get(key_of(m), {}).get("otif_pct"),
        }
        for m in months
    ]
    figures["collection_trend"] = [
        {"month": month_of(r["keys"]["month"]), "invoiced": r["invoiced"], "collected": r["collected"]}
        for r in collection_year.rows
    ]
    figures["top_overdue"] = sorted((r for r in collection.rows if r["overdue"] > 0), key=lambda r: -r["overdue"])[:5]
    if scope is None:
        figures["stock_value"], stock_warnings = stock_value(today=today)
        figures["warnings"] += stock_warnings
    figures["open_complaints"] = open_complaints(scope)
    figures["warnings"] = list(dict.fromkeys(figures["warnings"]))
    return figures


def stock_value(*, today: dt.date | None = None) -> tuple[Decimal, list[str]]:
    """The value of everything on hand in the reporting currency (as the inventory report values it), and the rate
    warnings: one read of the balances per item, one of the unit costs."""
    from gendan.inventory.models import Stock

    today = today or clock.today()
    month = month_start(today)
    rates = Rates.load(months=[month])
    on_hand: dict[str, Decimal] = {}
    for product_id, material_id, quantity in (
        Stock.objects.filter(on_hand__gt=0)
        .values("product_id", "material_id")
        .annotate(q=Sum("on_hand"))
        .order_by()
        .values_list("product_id", "material_id", "q")
    ):
        on_hand[f"p:{product_id}" if product_id else f"m:{material_id}"] = _dec(quantity)
    costs = _unit_costs(
        {int(k[2:]) for k in on_hand if k.startswith("p:")},
        {int(k[2:]) for k in on_hand if k.startswith("m:")},
        rates,
        month,
    )
    total = sum((q * costs.get(item, ZERO) for item, q in on_hand.items()), ZERO)
    return round_money(total, rates.reporting), rates.warnings()


def open_complaints(scope: int | None) -> int:
    """Complaints still open (registered, routed, investigating, answered…: customer service's open statuses); for a
    merchandiser those they own or handle, or of their orders and customers."""
    from gendan.service.choices import OPEN_STATUSES
    from gendan.service.models import Complaint

    qs = Complaint.objects.filter(status__in=OPEN_STATUSES)
    if scope is not None:
        qs = qs.filter(
            Q(owner_id=scope)
            | Q(responsible_id=scope)
            | Q(order__merchandiser_id=scope)
            | Q(customer__merchandiser_id=scope)
        )
    return qs.count()


def customer_figures(customer_id: int, *, scope: int | None = None) -> dict[str, Any]:
    """The customer page's statistics: sales of the last twelve months, on time in full, receivable and DSO."""
    date_from, date_to = default_period()
    sales = sales_report(
        date_from=date_from,
        date_to=date_to,
        group_by="month",
        filters=SalesFilters(customer_id=customer_id),
        scope=scope,
        trend=False,
    )
    delivery = delivery_report(
        date_from=date_from,
        date_to=date_to,
        group_by="month",
        filters=DeliveryFilters(customer_id=customer_id),
        scope=scope,
        causes=False,
    )
    collection = collection_report(
        date_from=date_from,
        date_to=date_to,
        group_by="currency",
        filters=CollectionFilters(customer_id=customer_id),
        scope=scope,
    )
    return {
        "currency": sales.currency,
        "date_from": date_from,
        "date_to": date_to,
        "sales": sales.totals,
        "sales_by_month": [(month_of(r["keys"]["month"]), r["amount"]) for r in sales.rows],
        "delivery": delivery.totals,
        "collection": collection.totals,
        "warnings": list(dict.fromkeys([*sales.warnings, *collection.warnings])),
    }


# ---------------------------------------------------------------------------------------------- exchange rates


def rates_overview(months: int = 13, *, today: dt.date | None = None) -> dict[str, Any]:
    """The rates every report would use for the currencies in use over the last `months` months, with where each
    comes from (stored, an earlier month, the receipts' average, none): the exchange-rates page's grid."""
    from gendan.core.models import ExchangeRate
    from gendan.finance.models import Invoice
    from gendan.sales.models import Order

    today = today or clock.today()
    last = month_start(today)
    month_list = [last]
    while len(month_list) < months:
        month_list.insert(0, month_start(month_list[0] - dt.timedelta(days=1)))
    in_use = set(Order.objects.filter(order_date__gte=month_list[0]).values_list("currency", flat=True).distinct())
    in_use |= set(Invoice.objects.filter(issue_date__gte=month_list[0]).values_list("currency", flat=True).distinct())
    in_use |= set(ExchangeRate.objects.values_list("currency", flat=True).distinct())
    from gendan.reports.fx import reporting_currency

    reporting = reporting_currency()
    if reporting != "CNY":
        in_use.add(reporting)
    in_use.discard("CNY")
    rates = Rates.load(in_use, month_list)
    return {
        "months": month_list,
        "rows": [(c, [rates.rate(c, m) for m in month_list]) for c in sorted(in_use)],
    }
