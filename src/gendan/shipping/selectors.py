"""Shipping reads: shipped vs ordered per order line, the open lines of a customer, the shipment list and page, the
packing of a shipment, the customs declaration (saved or drafted), and the shipping clerk's chase-list rows."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from gendan.core.exceptions import NotFound
from gendan.followup.selectors import ChaseQuery, ChaseRow, register_chase_source
from gendan.sales.models import OrderLine
from gendan.shipping import packing
from gendan.shipping.choices import HOLDING, OPEN, SHIPPED, ShipmentStatus
from gendan.shipping.models import CustomsDeclaration, Shipment, ShipmentLine
from gendan.shipping.services import SHIPPABLE, declaration_lines_from, tolerance_pct

ZERO = Decimal(0)


# ---- shipped vs ordered ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineProgress:
    """An order line's quantities: ordered, in shipments still to leave (planned or booked), shipped (loaded or
    later), and open (still to put in a shipment; never below zero)."""

    ordered: Decimal
    planned: Decimal
    shipped: Decimal

    @property
    def open(self) -> Decimal:
        return max(self.ordered - self.planned - self.shipped, ZERO)

    @property
    def in_shipments(self) -> Decimal:
        return self.planned + self.shipped


def line_progress(order_lines: list[OrderLine]) -> dict[int, LineProgress]:
    """The progress of each order line (one query)."""
    planned: dict[int, Decimal] = {}
    shipped: dict[int, Decimal] = {}
    rows = (
        ShipmentLine.objects.filter(order_line__in=[ol.pk for ol in order_lines], shipment__status__in=HOLDING)
        .order_by()
        .values("order_line_id", "shipment__status")
        .annotate(total=Sum("quantity"))
    )
    for row in rows:
        target = shipped if row["shipment__status"] in SHIPPED else planned
        target[row["order_line_id"]] = target.get(row["order_line_id"], ZERO) + row["total"]
    return {
        ol.pk: LineProgress(ordered=ol.quantity, planned=planned.get(ol.pk, ZERO), shipped=shipped.get(ol.pk, ZERO))
        for ol in order_lines
    }


def order_line_progress(order_line_id: int) -> LineProgress:
    line = OrderLine.objects.filter(pk=order_line_id).first()
    if line is None:
        raise NotFound(_("There is no order line %(id)s.") % {"id": order_line_id})
    return line_progress([line])[line.pk]


def open_lines(customer_id: int) -> list[dict[str, Any]]:
    """The customer's order lines that can still ship (confirmed orders, open quantity above zero), by ex-factory
    date: each with its progress and how much more the tolerance allows (two queries)."""
    lines = list(
        OrderLine.objects.filter(order__customer_id=customer_id, order__status__in=SHIPPABLE)
        .select_related("order", "product")
        .order_by("order__ex_factory_date", "order__number", "position", "pk")
    )
    progress = line_progress(lines)
    tolerance = tolerance_pct(customer_id)
    rows = []
    for line in lines:
        p = progress[line.pk]
        limit = (line.quantity * (100 + tolerance) / 100).quantize(Decimal("0.001"))
        if limit - p.in_shipments <= 0:
            continue
        rows.append(
            {
                "line": line,
                "progress": p,
                "max": limit - p.in_shipments,
                "ex_factory_date": line.ex_factory_date or line.order.ex_factory_date,
            }
        )
    return rows


# ---- lists and pages ---------------------------------------------------------------------------------------------


def shipments(
    *,
    status: str = "",
    customer_id: int | None = None,
    mode: str = "",
    etd_from: dt.date | None = None,
    etd_to: dt.date | None = None,
    order_id: int | None = None,
    q: str = "",
) -> QuerySet[Shipment]:
    """Shipments by status (`open`: not yet departed), customer, mode, ETD range, order, number/booking/B/L."""
    qs = Shipment.objects.select_related("customer", "forwarder")
    if status == "open":
        qs = qs.filter(status__in=OPEN)
    elif status:
        qs = qs.filter(status=status)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if mode:
        qs = qs.filter(mode=mode)
    if etd_from:
        qs = qs.filter(etd__gte=etd_from)
    if etd_to:
        qs = qs.filter(etd__lte=etd_to)
    if order_id:
        qs = qs.filter(lines__order_line__order_id=order_id).distinct()
    if q.strip():
        text = q.strip()
        qs = qs.filter(
            Q(number__icontains=text)
            | Q(booking_no__icontains=text)
            | Q(bl_number__icontains=text)
            | Q(invoice_number__icontains=text)
            | Q(lines__order_line__order__number__icontains=text)
        ).distinct()
    return qs.order_by("-planned_ex_factory_date", "-id")


def with_lines(qs: QuerySet[Shipment]) -> QuerySet[Shipment]:
    return qs.prefetch_related(
        Prefetch(
            "lines",
            queryset=ShipmentLine.objects.select_related("order_line__order", "order_line__product").order_by(
                "position"
            ),
        )
    )


def shipment(pk: int) -> Shipment:
    """A shipment with its customer, forwarder, lines, their order lines, orders and products (three queries)."""
    found = with_lines(Shipment.objects.select_related("customer", "forwarder", "created_by")).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("There is no shipment %(id)s.") % {"id": pk})
    return found


def order_numbers(s: Shipment) -> list[str]:
    return list(dict.fromkeys(sl.order_line.order.number for sl in s.lines.all()))


def customer_pos(s: Shipment) -> list[str]:
    return list(
        dict.fromkeys(sl.order_line.order.customer_po for sl in s.lines.all() if sl.order_line.order.customer_po)
    )


# ---- packing -----------------------------------------------------------------------------------------------------


def containers() -> list[packing.Container]:
    return [
        packing.Container(code=code, cbm=Decimal(str(cbm)), kg=Decimal(str(kg)), cost=Decimal(str(cost)))
        for code, (cbm, kg, cost) in settings.GENDAN_SHIP_CONTAINERS.items()
    ]


def lcl_below() -> Decimal:
    return Decimal(str(getattr(settings, "GENDAN_SHIP_LCL_BELOW_CBM", "15")))


def spec_of(product: Any) -> packing.CartonSpec:
    return packing.CartonSpec(
        units_per_carton=product.units_per_carton or 1,
        length_cm=product.carton_length_cm,
        width_cm=product.carton_width_cm,
        height_cm=product.carton_height_cm,
        net_kg=product.net_weight_kg,
        gross_kg=product.gross_weight_kg,
    )


def packing_of(s: Shipment) -> packing.Packing:
    """The shipment's packing from its lines (prefetched by `shipment`) and their products' cartons."""
    lines = [
        packing.LineIn(
            key=sl,
            quantity=sl.quantity,
            spec=spec_of(sl.order_line.product),
            cartons=sl.cartons,
            net_kg=sl.net_kg,
            gross_kg=sl.gross_kg,
            cbm=sl.cbm,
        )
        for sl in s.lines.all()
    ]
    return packing.pack(lines, containers=containers(), lcl_below_cbm=lcl_below())


# ---- customs -----------------------------------------------------------------------------------------------------


def declaration_of(s: Shipment) -> dict[str, Any]:
    """The saved declaration, or (id None) the one the shipment's lines give, to review and save."""
    saved = CustomsDeclaration.objects.select_related("broker").prefetch_related("lines").filter(shipment=s).first()
    if saved is not None:
        return {
            "id": saved.pk,
            "shipment_id": s.pk,
            "broker_id": saved.broker_id,
            "broker": saved.broker,
            "declaration_no": saved.declaration_no,
            "declaration_date": saved.declaration_date,
            "release_date": saved.release_date,
            "currency": saved.currency,
            "notes": saved.notes,
            "version": saved.version,
            "lines": [
                {
                    "position": line.position,
                    "shipment_line_id": line.shipment_line_id,
                    "hs_code": line.hs_code,
                    "declared_name": line.declared_name,
                    "quantity": line.quantity,
                    "unit": line.unit,
                    "value": line.value,
                }
                for line in sorted(saved.lines.all(), key=lambda x: x.position)
            ],
        }
    return {
        "id": None,
        "shipment_id": s.pk,
        "broker_id": None,
        "broker": None,
        "declaration_no": "",
        "declaration_date": None,
        "release_date": None,
        "currency": s.currency,
        "notes": "",
        "version": None,
        "lines": declaration_lines_from(s),
    }


def total_value(s: Shipment) -> Decimal:
    from gendan.core.money import round_money

    return sum((round_money(sl.quantity * sl.order_line.unit_price, s.currency) for sl in s.lines.all()), ZERO)


# ---- the chase list ----------------------------------------------------------------------------------------------

SHIPMENT = "shipment"  # the chase-list kind


def _mine(user: Any) -> Q:
    """A shipment is chased by its customer's shipping clerk (the shipping profile's), else by its creator."""
    return Q(customer__shipping_profile__shipping_clerk=user) | (
        Q(created_by=user)
        & (Q(customer__shipping_profile__isnull=True) | Q(customer__shipping_profile__shipping_clerk__isnull=True))
    )


def _dates_due(s: Shipment, has_declaration_no: bool) -> list[tuple[str, dt.date, str]]:
    """(what, date, reason) still to do: not booked yet (by the planned ex-factory date), the cargo cut-off until
    loaded, the customs cut-off until the declaration has its number, the documents cut-off and the ETD until
    departed."""
    what = {"number": s.number}
    rows = []
    if s.status == ShipmentStatus.PLANNED:
        rows.append(("booking", s.planned_ex_factory_date, _("%(number)s is not booked yet") % what))
    if s.status in (ShipmentStatus.PLANNED, ShipmentStatus.BOOKED):
        if s.cutoff_cargo:
            rows.append(("cargo", s.cutoff_cargo, _("%(number)s: cargo cut-off (the goods at the terminal)") % what))
    if s.cutoff_customs and not has_declaration_no:
        rows.append(("customs", s.cutoff_customs, _("%(number)s: customs cut-off (declaration not yet filed)") % what))
    if s.cutoff_documents:
        rows.append(("documents", s.cutoff_documents, _("%(number)s: documents cut-off (B/L instructions)") % what))
    if s.etd:
        rows.append(("etd", s.etd, _("%(number)s: ETD %(etd)s, departure not yet recorded") % {**what, "etd": s.etd}))
    return rows


@register_chase_source
def shipments_to_chase(q: ChaseQuery) -> list[ChaseRow]:
    """The user's open shipments' dated steps due by the horizon's end (late ones every day)."""
    open_shipments = list(
        with_lines(Shipment.objects.filter(status__in=OPEN).filter(_mine(q.user)).select_related("customer")).order_by(
            "pk"
        )
    )
    declared = set(
        CustomsDeclaration.objects.filter(shipment__in=open_shipments)
        .exclude(declaration_no="")
        .values_list("shipment_id", flat=True)
    )
    rows = []
    for s in open_shipments:
        lines = list(s.lines.all())
        first = lines[0].order_line.order if lines else None
        amount = sum((sl.quantity * sl.order_line.unit_price for sl in lines), ZERO)
        for code, day, reason in _dates_due(s, s.pk in declared):
            if day > q.until:
                continue
            rows.append(
                ChaseRow(
                    kind=SHIPMENT,
                    kind_label=_("Shipment"),
                    document=s.number,
                    order_id=first.pk if first else None,
                    order_number=first.number if first else "",
                    milestone_id=None,
                    milestone_code=None,
                    milestone_name=code,
                    due_date=day,
                    days_late=q.calendar.between(day, q.day),
                    reason=reason,
                    object_id=s.pk,
                    url=reverse("shipping:shipment", args=[s.pk]),
                    customer=s.customer.code,
                    tier=s.customer.tier,
                    amount=amount,
                    currency=s.currency,
                )
            )
    return rows
