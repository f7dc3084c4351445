"""Catalog reads: product and material lists with their joins, a product with its BOM and routing, where a
material is used, work centres and their capacity per day."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from gendan.catalog.models import BomLine, CapacityException, Material, Product, RoutingStep, WorkCentre
from gendan.core import clock
from gendan.core.calendar import WorkingCalendar, company_calendar
from gendan.core.exceptions import NotFound

PRODUCT_SORTS = {"code", "name", "spec", "category", "unit", "units_per_carton"}
MATERIAL_SORTS = {"code", "name", "spec", "category", "unit", "lead_time_days", "default_supplier__code"}
WORK_CENTRE_SORTS = {"code", "name", "kind", "capacity_unit", "daily_capacity", "supplier__code", "step_count"}
ZERO = Decimal(0)


def _ordered(qs: QuerySet, sort: str, allowed: set[str]) -> QuerySet:
    if sort and sort.lstrip("-") in allowed:
        return qs.order_by(sort, "pk")
    return qs.order_by("code")


def product_list(*, q: str = "", category: str = "", active: bool | None = None, sort: str = "") -> QuerySet[Product]:
    """Products; `q` searches code, name, English name and spec/model. Each carries `bom_count`."""
    qs = Product.objects.annotate(bom_count=Count("bom_lines"))
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q) | Q(spec__icontains=q))
    if category:
        qs = qs.filter(category=category)
    if active is not None:
        qs = qs.filter(is_active=active)
    return _ordered(qs, sort, PRODUCT_SORTS)


def product_categories() -> list[str]:
    """The categories in use, for the list filter and the form's suggestions."""
    return list(Product.objects.exclude(category="").order_by("category").values_list("category", flat=True).distinct())


def bom_of(product: Product) -> QuerySet[BomLine]:
    """A product's BOM lines in order, each with its material and the material's default supplier."""
    return (
        BomLine.objects.filter(product=product)
        .select_related("material", "material__default_supplier")
        .order_by("position", "id")
    )


def bom_lines_of(products: QuerySet[Product]) -> QuerySet[BomLine]:
    """Every BOM line of some products, with product and material, by product code."""
    return (
        BomLine.objects.filter(product__in=products.values("pk"))
        .select_related("product", "material")
        .order_by("product__code", "position", "id")
    )


def product_detail(*, pk: int) -> Product:
    """One product with its BOM lines (and their materials) and its routing steps (and their work centres)
    prefetched; NotFound when there is none."""
    product = (
        Product.objects.prefetch_related(
            Prefetch(
                "bom_lines",
                queryset=BomLine.objects.select_related("material", "material__default_supplier").order_by(
                    "position", "id"
                ),
            ),
            Prefetch("routing", queryset=RoutingStep.objects.select_related("work_centre").order_by("position")),
        )
        .filter(pk=pk)
        .first()
    )
    if product is None:
        raise NotFound(_("No product with id %(id)s.") % {"id": pk})
    return product


def material_list(
    *,
    q: str = "",
    category: str = "",
    supplier: int | str | None = None,
    active: bool | None = None,
    sort: str = "",
) -> QuerySet[Material]:
    """Materials; `q` searches code, name and spec; `supplier` is the default supplier's id or code."""
    qs = Material.objects.select_related("default_supplier")
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(spec__icontains=q))
    if category:
        qs = qs.filter(category=category)
    if isinstance(supplier, int):
        qs = qs.filter(default_supplier_id=supplier)
    elif supplier:
        qs = qs.filter(default_supplier__code=supplier)
    if active is not None:
        qs = qs.filter(is_active=active)
    return _ordered(qs, sort, MATERIAL_SORTS)


def material_detail(*, pk: int) -> Material:
    """One material with its default supplier and the BOM lines that use it (with their products)."""
    material = (
        Material.objects.select_related("default_supplier")
        .prefetch_related(
            Prefetch("bom_lines", queryset=BomLine.objects.select_related("product").order_by("product__code"))
        )
        .filter(pk=pk)
        .first()
    )
    if material is None:
        raise NotFound(_("No material with id %(id)s.") % {"id": pk})
    return material


def material_choices() -> QuerySet[Material]:
    """Active materials for pickers (code and name only)."""
    return Material.objects.filter(is_active=True).only("id", "code", "name", "unit").order_by("code")


# ---- work centres and routings ------------------------------------------------------------------


def work_centre_list(
    *, q: str = "", kind: str = "", active: bool | None = None, sort: str = ""
) -> QuerySet[WorkCentre]:
    """Work centres with their supplier; `q` searches code, name and product family. Each carries `step_count`,
    the routing steps done there."""
    qs = WorkCentre.objects.select_related("supplier").annotate(step_count=Count("routing_steps"))
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(product_family__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(is_active=active)
    return _ordered(qs, sort, WORK_CENTRE_SORTS)


def work_centre_detail(*, pk: int) -> WorkCentre:
    """One work centre with its supplier; NotFound when there is none."""
    centre = WorkCentre.objects.select_related("supplier").filter(pk=pk).first()
    if centre is None:
        raise NotFound(_("No work centre with id %(id)s.") % {"id": pk})
    return centre


def work_centre_full(*, pk: int) -> WorkCentre:
    """One work centre with its supplier, its exceptions from today on (`upcoming_exceptions`) and the routing steps
    done there with their products (`steps_here`); NotFound when there is none."""
    centre = (
        WorkCentre.objects.select_related("supplier")
        .prefetch_related(
            Prefetch(
                "exceptions",
                queryset=CapacityException.objects.filter(date__gte=clock.today()).order_by("date"),
                to_attr="upcoming_exceptions",
            ),
            Prefetch(
                "routing_steps",
                queryset=RoutingStep.objects.select_related("product").order_by("product__code", "position"),
                to_attr="steps_here",
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if centre is None:
        raise NotFound(_("No work centre with id %(id)s.") % {"id": pk})
    return centre


def work_centre_choices() -> QuerySet[WorkCentre]:
    """Active work centres for pickers."""
    return WorkCentre.objects.filter(is_active=True).only("id", "code", "name", "capacity_unit").order_by("code")


def routing_of(product: Product) -> QuerySet[RoutingStep]:
    """A product's routing steps in sequence, each with its work centre."""
    return RoutingStep.objects.filter(product=product).select_related("work_centre").order_by("position")


def routing_steps_at(work_centre: WorkCentre) -> QuerySet[RoutingStep]:
    """The routing steps done at a work centre, with their products, by product code."""
    return (
        RoutingStep.objects.filter(work_centre=work_centre)
        .select_related("product")
        .order_by("product__code", "position")
    )


def exceptions_of(
    work_centre: WorkCentre, *, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[CapacityException]:
    """A work centre's capacity exceptions by date, from `start` and to `end` when given."""
    qs = CapacityException.objects.filter(work_centre=work_centre).order_by("date")
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    return qs


def _days(start: dt.date, end: dt.date, calendar: WorkingCalendar) -> list[tuple[dt.date, bool]]:
    """Every day from `start` to `end` with whether it is a working day, worked out once for the range."""
    one = dt.timedelta(days=1)
    return [(start + one * i, calendar.is_working_day(start + one * i)) for i in range((end - start).days + 1)]


def day_capacity(
    work_centre_ids: Iterable[int], start: dt.date, end: dt.date, *, calendar: WorkingCalendar | None = None
) -> dict[tuple[int, dt.date], Decimal]:
    """{(work centre id, day): capacity} for every work centre and every day from `start` to `end` (inclusive).

    A day's capacity is the work centre's exception that day when it has one (overtime on a rest day, maintenance),
    else its daily capacity on the company's working days and 0 on rest days — in the work centre's own unit
    (hours or units). Two queries for any number of work centres (the work centres, then the exceptions in the
    range), plus the company's calendar when `calendar` is not given. Ids that are no work centre are left out.
    """
    ids = list(work_centre_ids)
    if not ids or end < start:
        return {}
    days = _days(start, end, calendar or company_calendar())
    result: dict[tuple[int, dt.date], Decimal] = {}
    for pk, daily in WorkCentre.objects.filter(pk__in=ids).values_list("pk", "daily_capacity"):
        result.update(((pk, day), daily if working else ZERO) for day, working in days)
    for pk, day, capacity in CapacityException.objects.filter(
        work_centre_id__in=ids, date__gte=start, date__lte=end
    ).values_list("work_centre_id", "date", "capacity"):
        if (pk, day) in result:
            result[(pk, day)] = capacity
    return result


@dataclass(frozen=True)
class CapacityDay:
    """One day of a work centre's capacity calendar."""

    date: dt.date
    capacity: Decimal
    is_working_day: bool
    exception: CapacityException | None = None


def capacity_days(
    work_centre: WorkCentre, start: dt.date, end: dt.date, *, calendar: WorkingCalendar | None = None
) -> list[CapacityDay]:
    """A work centre's capacity on each day from `start` to `end`, with its exceptions (the rule of
    `day_capacity`)."""
    if end < start:
        return []
    exceptions = {e.date: e for e in exceptions_of(work_centre, start=start, end=end)}
    result = []
    for day, working in _days(start, end, calendar or company_calendar()):
        exc = exceptions.get(day)
        capacity = exc.capacity if exc else (work_centre.daily_capacity if working else ZERO)
        result.append(CapacityDay(day, capacity, working, exc))
    return result
