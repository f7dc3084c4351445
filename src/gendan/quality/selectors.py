"""Quality reads: the inspection list (with the incoming inspections purchasing registers), what to chase, the
report's context, and the quality records (defect Pareto, first-pass yield per factory)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from gendan.followup.selectors import ChaseQuery, ChaseRow, register_chase_source
from gendan.quality.choices import OPEN_STATUSES, DefectClass, InspectionKind, InspectionStatus, Result
from gendan.quality.models import DefectType, Inspection, InspectionDefect

INSPECTION = "inspection"  # the chase-list kind

# ---- the inspection list ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    """One row of the inspection list, whichever app keeps the inspection."""

    kind: str
    kind_label: str
    number: str
    url: str
    date: dt.date
    order_id: int | None
    order_number: str
    product: str
    maker: str
    lot_size: Decimal | int | None
    inspector: str
    status: str
    status_label: str
    result: str
    result_label: str


ListSource = Callable[[dict[str, Any]], Iterable[ListRow]]
_list_sources: dict[str, tuple[str, ListSource]] = {}


def register_list_source(kind: str, label: Any, source: ListSource) -> None:
    """Show another app's inspections in the list (purchasing's incoming inspections): `source(filters)` gives
    their rows for the filters q, result, date_from, date_to, open."""
    _list_sources[kind] = (label, source)


def list_kinds() -> list[tuple[str, str]]:
    return [*InspectionKind.choices, *((kind, label) for kind, (label, _source) in _list_sources.items())]


def inspections(
    *,
    q: str = "",
    kind: str = "",
    status: str = "",
    result: str = "",
    order_id: int | None = None,
    inspector_id: int | None = None,
    factory_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Inspection]:
    qs = Inspection.objects.select_related("order__customer", "product", "factory", "inspector", "agency")
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(order__number__icontains=q)
            | Q(order__customer__code__icontains=q)
            | Q(product__code__icontains=q)
            | Q(certificate_no__icontains=q)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if result:
        qs = qs.filter(result=result)
    if order_id:
        qs = qs.filter(order_id=order_id)
    if inspector_id:
        qs = qs.filter(inspector_id=inspector_id)
    if factory_id:
        qs = qs.filter(factory_id=factory_id)
    if date_from:
        qs = qs.filter(Q(inspected_on__gte=date_from) | Q(inspected_on__isnull=True, planned_date__gte=date_from))
    if date_to:
        qs = qs.filter(Q(inspected_on__lte=date_to) | Q(inspected_on__isnull=True, planned_date__lte=date_to))
    return qs.order_by("-planned_date", "-pk")


def _row(i: Inspection) -> ListRow:
    return ListRow(
        kind=i.kind,
        kind_label=i.get_kind_display(),
        number=i.number,
        url=reverse("quality:inspection", args=[i.pk]),
        date=i.date,
        order_id=i.order_id,
        order_number=i.order.number,
        product=i.product.code if i.product_id else "",
        maker=i.factory.code if i.factory_id else (i.agency.code if i.agency_id else _("in-house")),
        lot_size=i.lot_size,
        inspector=i.inspector.get_full_name() or i.inspector.username if i.inspector_id else "",
        status=i.status,
        status_label=i.get_status_display(),
        result=i.result,
        result_label=i.get_result_display() if i.result else "",
    )


def inspection_rows(filters: dict[str, Any]) -> list[ListRow]:
    """Every inspection matching the filters, newest first: this app's and those other apps register (a kind
    filter of another app's kind shows only those; order, inspector and factory filters only this app's)."""
    kind = filters.get("kind") or ""
    rows: list[ListRow] = []
    if not kind or kind in InspectionKind.values:
        status = filters.get("status") or ""
        rows += [
            _row(i)
            for i in inspections(
                q=filters.get("q") or "",
                kind=kind,
                status=status,
                result=filters.get("result") or "",
                order_id=filters.get("order_id"),
                inspector_id=filters.get("inspector_id"),
                factory_id=filters.get("factory_id"),
                date_from=filters.get("date_from"),
                date_to=filters.get("date_to"),
            )
        ]
    narrowed = filters.get("order_id") or filters.get("inspector_id") or filters.get("factory_id")
    for other, (_label, source) in _list_sources.items():
        if (kind and kind != other) or narrowed:
            continue
        rows += list(source(filters))
    rows.sort(key=lambda r: (r.date, r.number), reverse=True)
    return rows


# ---- the chase list ----------------------------------------------------------------------------------------------


def _chase_row(i: Inspection, q: ChaseQuery, *, due: dt.date, reason: str) -> ChaseRow:
    return ChaseRow(
        kind=INSPECTION,
        kind_label=_("Inspection"),
        document=i.number,
        order_id=i.order_id,
        order_number=i.order.number,
        milestone_id=None,
        milestone_code=None,
        milestone_name=i.get_kind_display(),
        due_date=due,
        days_late=q.calendar.between(due, q.day),
        reason=reason,
        object_id=i.pk,
        url=reverse("quality:inspection", args=[i.pk]),
        customer=i.order.customer.code,
        tier=i.order.customer.tier,
        amount=i.order.total_amount,
        currency=i.order.currency,
    )


@register_chase_source
def inspections_to_chase(q: ChaseQuery) -> list[ChaseRow]:
    """The user's inspections due by the horizon's end (their inspector's; the order's merchandiser's while nobody
    is assigned), and failed lots still without a disposition (the inspector's and the merchandiser's)."""
    rows = []
    due = (
        Inspection.objects.filter(status__in=OPEN_STATUSES)
        .filter(Q(inspector=q.user) | Q(inspector__isnull=True, order__merchandiser=q.user))
        .filter(Q(booked_date__lte=q.until) | Q(booked_date__isnull=True, planned_date__lte=q.until))
        .select_related("order__customer", "product")
    )
    for i in due:
        day = i.booked_date or i.planned_date
        what = {"kind": i.get_kind_display(), "number": i.number, "lot": i.lot_size}
        if i.inspector_id is None:
            reason = _("%(kind)s %(number)s of %(lot)s pieces has no inspector yet") % what
        elif i.status == InspectionStatus.PLANNED:
            reason = _("%(kind)s %(number)s of %(lot)s pieces is not booked yet") % what
        else:
            reason = _("%(kind)s %(number)s of %(lot)s pieces is booked") % what
        rows.append(_chase_row(i, q, due=day, reason=reason))
    failed = (
        Inspection.objects.filter(status=InspectionStatus.DONE, result=Result.FAIL, disposition="")
        .filter(Q(inspector=q.user) | Q(order__merchandiser=q.user))
        .select_related("order__customer")
    )
    for i in failed:
        reason = _("%(number)s failed: decide re-work, concession or reject") % {"number": i.number}
        rows.append(_chase_row(i, q, due=i.inspected_on, reason=reason))
    return rows


# ---- the report -------------------------------------------------------------------------------------------------


def report_context(inspection: Inspection) -> dict[str, Any]:
    from gendan.quality.services import plan_rows

    plan = plan_rows(inspection)
    classes = [
        {"name": name, "label": DefectClass(name).label, **row} for name, row in (plan.get("classes") or {}).items()
    ]
    return {
        "inspection": inspection,
        "plan": plan,
        "classes": classes,
        "defects": list(inspection.defects.select_related("defect_type")),
        "checks": list(inspection.checks.all()),
    }


# ---- quality records ------------------------------------------------------------------------------------------


def defect_pareto(
    *,
    since: dt.date,
    until: dt.date,
    category: str = "",
    factory_id: int | None = None,
    language: str = "zh-hans",
) -> list[dict[str, Any]]:
    """Defects found in the period's inspections, most frequent first, with their cumulative share: by product
    category and maker when asked."""
    rows = InspectionDefect.objects.filter(inspection__inspected_on__gte=since, inspection__inspected_on__lte=until)
    if category:
        rows = rows.filter(inspection__product__category=category)
    if factory_id:
        rows = rows.filter(inspection__factory_id=factory_id)
    totals = (
        rows.order_by()
        .values("code", "defect_type__name_zh", "defect_type__name_en", "description")
        .annotate(total=Sum("quantity"))
    )
    merged: dict[str, dict[str, Any]] = {}
    for row in totals:
        key = row["code"] or row["description"]
        name = row["defect_type__name_zh"] if language.startswith("zh") else row["defect_type__name_en"]
        entry = merged.setdefault(key, {"code": row["code"], "name": name or row["description"], "quantity": 0})
        entry["quantity"] += row["total"]
    ordered = sorted(merged.values(), key=lambda r: (-r["quantity"], r["code"]))
    total = sum(r["quantity"] for r in ordered)
    running = 0
    for r in ordered:
        running += r["quantity"]
        r["share"] = round(100 * r["quantity"] / total, 1) if total else 0
        r["cumulative"] = round(100 * running / total, 1) if total else 0
    return ordered


def first_pass_yield(*, since: dt.date, until: dt.date) -> list[dict[str, Any]]:
    """Per maker (a factory or supplier; in-house), the first inspections (not re-inspections) made in the period
    and the share that passed the first time."""
    counts: dict[int | None, dict[str, Any]] = defaultdict(lambda: {"inspections": 0, "passed": 0})
    names: dict[int | None, str] = {}
    for factory_id, code, name, result in Inspection.objects.filter(
        status=InspectionStatus.DONE,
        reinspection_of__isnull=True,
        inspected_on__gte=since,
        inspected_on__lte=until,
    ).values_list("factory_id", "factory__code", "factory__name", "result"):
        counts[factory_id]["inspections"] += 1
        counts[factory_id]["passed"] += result == Result.PASS
        names[factory_id] = f"{code} {name}" if factory_id else _("in-house")
    rows = [
        {
            "factory_id": factory_id,
            "maker": names[factory_id],
            "inspections": c["inspections"],
            "passed": c["passed"],
            "yield_pct": round(100 * c["passed"] / c["inspections"], 1),
        }
        for factory_id, c in counts.items()
    ]
    return sorted(rows, key=lambda r: (r["yield_pct"], r["maker"]))


def factory_first_pass(factory_ids: Iterable[int], *, since: dt.date, until: dt.date) -> dict[int, Decimal | None]:
    """First-pass yield % of the given makers in the period (None where nothing was inspected): for the factory
    and supplier records of the other apps."""
    found = {r["factory_id"]: r["yield_pct"] for r in first_pass_yield(since=since, until=until) if r["factory_id"]}
    return {pk: found.get(pk) for pk in factory_ids}


def defect_catalogue(category: str = "") -> QuerySet[DefectType]:
    """The active defects for a product category: its own and those of every category."""
    return DefectType.objects.filter(is_active=True, category__in={"", category}).order_by("defect_class", "code")
