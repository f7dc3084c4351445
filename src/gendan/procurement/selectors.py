"""Read side of purchasing: requirements, purchase orders, inspections waiting, and the expediting rows (催单) that
feed the chase list."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.core import clock, links
from gendan.core.exceptions import NotFound
from gendan.core.models import ExternalLink
from gendan.followup.selectors import ChaseQuery, ChaseRow, register_chase_source
from gendan.procurement.choices import WITH_SUPPLIER, InspectionStatus, PoStatus
from gendan.procurement.models import (
    IncomingInspection,
    MaterialRequirement,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    RequirementRun,
    SupplierShipment,
)
from gendan.sales.models import Order

PURCHASE_LINE = "po_line"  # the chase-list kind (API.md)
PO_SORTS = {
    "number",
    "-number",
    "order_date",
    "-order_date",
    "supplier__code",
    "-supplier__code",
    "total_amount",
    "-total_amount",
    "status",
    "-status",
}


def requirements_of(order: Order) -> list[MaterialRequirement]:
    return list(
        MaterialRequirement.objects.filter(order=order).select_related("material", "material__default_supplier")
    )


def requirements_to_buy(q: str = "") -> QuerySet[MaterialRequirement]:
    """Every order's materials still to buy, by need-by date (searched by order, material or supplier code)."""
    rows = (
        MaterialRequirement.objects.filter(to_buy_qty__gt=0)
        .select_related("order__customer", "material__default_supplier")
        .order_by("need_by_date", "order__number", "material__code")
    )
    if q:
        rows = rows.filter(
            Q(order__number__icontains=q)
            | Q(material__code__icontains=q)
            | Q(material__default_supplier__code__icontains=q)
        )
    return rows


def waiting_by_line(po: PurchaseOrder) -> dict[int, Decimal]:
    """What each line of the PO has received that still waits for inspection (one query)."""
    return dict(
        ReceiptLine.objects.filter(po_line__purchase_order=po, inspection__status=InspectionStatus.PENDING)
        .order_by()
        .values("po_line_id")
        .annotate(total=Sum("quantity"))
        .values_list("po_line_id", "total")
    )


def lines_with_state(po: PurchaseOrder, today: dt.date) -> list[PurchaseOrderLine]:
    """The PO's lines with what the pages show of each: late (owed past its promised or required date), worth a
    delay cause, and still expected (less what was accepted and what waits for inspection)."""
    waiting = waiting_by_line(po)
    lines = list(po.lines.all())
    for line in lines:
        line.waiting_qty = waiting.get(line.pk, Decimal(0))
        line.still = max(line.expected_qty - line.accepted_qty - line.waiting_qty, Decimal(0))
        line.is_late = line.still > 0 and po.status in WITH_SUPPLIER and line.due_date < today
        line.may_be_late = bool(line.delay_cause) or line.is_late or line.is_late_against_need
    return lines


def last_run(order: Order) -> RequirementRun | None:
    return RequirementRun.objects.filter(order=order).select_related("by").first()


def purchase_lines_of(order: Order) -> list[PurchaseOrderLine]:
    return list(
        PurchaseOrderLine.objects.filter(order=order)
        .exclude(purchase_order__status=PoStatus.CANCELLED)
        .select_related("purchase_order__supplier", "material")
        .order_by("material__code", "purchase_order__number")
    )


def po_list(filters: dict[str, Any] | None = None, *, sort: str = "-order_date") -> QuerySet[PurchaseOrder]:
    filters = filters or {}
    qs = PurchaseOrder.objects.select_related("supplier", "buyer", "ship_to", "approved_by")
    if filters.get("q"):
        q = filters["q"].strip()
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(supplier__code__icontains=q)
            | Q(supplier__name__icontains=q)
            | Q(lines__material__code__icontains=q)
            | Q(lines__order__number__icontains=q)
        ).distinct()
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("supplier"):
        qs = qs.filter(supplier=filters["supplier"])
    if filters.get("buyer"):
        qs = qs.filter(buyer=filters["buyer"])
    if filters.get("late"):
        qs = qs.filter(pk__in=late_lines().values("purchase_order_id"))
    if filters.get("order"):
        qs = qs.filter(lines__order=filters["order"]).distinct()
    return qs.order_by(sort if sort in PO_SORTS else "-order_date", "-id")


def get_po(po_id: int) -> PurchaseOrder:
    po = (
        PurchaseOrder.objects.select_related("supplier", "buyer", "ship_to", "approved_by")
        .prefetch_related(
            Prefetch(
                "lines", queryset=PurchaseOrderLine.objects.select_related("material", "order").order_by("position")
            )
        )
        .filter(pk=po_id)
        .first()
    )
    if po is None:
        raise NotFound(_("There is no purchase order %(id)s.") % {"id": po_id})
    return po


def receipts_of(po: PurchaseOrder) -> list[Receipt]:
    return list(
        Receipt.objects.filter(purchase_order=po)
        .select_related("location__warehouse", "received_by")
        .prefetch_related("lines__po_line__material", "lines__inspection__inspector")
    )


def shipments_of(po: PurchaseOrder) -> list[SupplierShipment]:
    return list(SupplierShipment.objects.filter(purchase_order=po).prefetch_related("lines__line__material"))


def live_link(po: PurchaseOrder) -> tuple[ExternalLink, str] | None:
    from gendan.procurement.services import LINK_PURPOSE

    link = links.live_links(po, LINK_PURPOSE).first()
    return (link, links.token_for(link)) if link else None


def inspections(status: str | None = InspectionStatus.PENDING) -> QuerySet[IncomingInspection]:
    qs = IncomingInspection.objects.select_related(
        "receipt_line__receipt__purchase_order__supplier",
        "receipt_line__receipt__location__warehouse",
        "receipt_line__po_line__material",
        "receipt_line__po_line__order",
        "inspector",
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("receipt_line__receipt__received_date", "id")


def incoming_inspection_rows(filters: dict) -> list:
    """Incoming inspections as rows of the quality app's inspection list (filters q, status, result, date_from,
    date_to): a done inspection passes when nothing was rejected."""
    from django.db.models import Q

    from gendan.quality.choices import Result
    from gendan.quality.selectors import ListRow

    qs = inspections(None)
    q = filters.get("q") or ""
    if q:
        qs = qs.filter(
            Q(receipt_line__receipt__number__icontains=q)
            | Q(receipt_line__receipt__purchase_order__number__icontains=q)
            | Q(receipt_line__po_line__material__code__icontains=q)
            | Q(receipt_line__receipt__purchase_order__supplier__code__icontains=q)
        )
    status = filters.get("status") or ""
    if status in ("open", "planned", "booked"):
        qs = qs.filter(status=InspectionStatus.PENDING)
    elif status == "done":
        qs = qs.filter(status=InspectionStatus.DONE)
    elif status:
        return []
    result = filters.get("result") or ""
    if result == "pass":
        qs = qs.filter(status=InspectionStatus.DONE, rejected_qty=0)
    elif result == "fail":
        qs = qs.filter(status=InspectionStatus.DONE, rejected_qty__gt=0)
    if filters.get("date_from"):
        qs = qs.filter(receipt_line__receipt__received_date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(receipt_line__receipt__received_date__lte=filters["date_to"])
    rows = []
    for i in qs:
        line = i.receipt_line
        done = i.status == InspectionStatus.DONE
        passed = done and not i.rejected_qty
        order = line.po_line.order
        rows.append(
            ListRow(
                kind="incoming",
                kind_label=_("Incoming inspection"),
                number=f"{line.receipt.number} #{line.po_line.position}",
                url=reverse("procurement:inspection", args=[i.pk]),
                date=i.inspected_on or line.receipt.received_date,
                order_id=order.pk if order else None,
                order_number=order.number if order else line.receipt.purchase_order.number,
                product=line.po_line.material.code,
                maker=line.receipt.purchase_order.supplier.code,
                lot_size=line.quantity,
                inspector=(i.inspector.get_full_name() or i.inspector.username) if i.inspector_id else "",
                status="done" if done else "planned",
                status_label=i.get_status_display(),
                result=("pass" if passed else "fail") if done else "",
                result_label=(Result.PASS.label if passed else Result.FAIL.label) if done else "",
            )
        )
    return rows


def get_inspection(inspection_id: int) -> IncomingInspection:
    found = inspections(None).filter(pk=inspection_id).first()
    if found is None:
        raise NotFound(_("There is no inspection %(id)s.") % {"id": inspection_id})
    return found


def open_lines() -> QuerySet[PurchaseOrderLine]:
    """Lines the supplier still owes: the PO is with it, and what is expected is more than what passed inspection
    and what waits for it."""
    waiting = (
        ReceiptLine.objects.filter(po_line=OuterRef("pk"), inspection__status=InspectionStatus.PENDING)
        .order_by()
        .values("po_line")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return (
        PurchaseOrderLine.objects.filter(purchase_order__status__in=WITH_SUPPLIER)
        .alias(
            owed=Coalesce("confirmed_qty", "quantity")
            - F("accepted_qty")
            - Coalesce(Subquery(waiting), Value(Decimal(0)), output_field=DecimalField(max_digits=14, decimal_places=3))
        )
        .filter(owed__gt=0)
    )


def late_lines(day: dt.date | None = None) -> QuerySet[PurchaseOrderLine]:
    """Open lines past their promised date (or required date when never promised)."""
    day = day or clock.today()
    return open_lines().filter(Q(promised_date__lt=day) | Q(promised_date__isnull=True, required_date__lt=day))


def _po_url(po_id: int) -> str:
    return reverse("procurement:po", args=[po_id])


@register_chase_source
def purchase_lines_to_chase(q: ChaseQuery) -> list[ChaseRow]:
    """The buyer's expediting (催单): every late line; the working day before each promised date, a follow-up that
    it ships (待发货前24小时跟进); a sent PO the supplier has not confirmed within two working days."""
    day, calendar = q.day, q.calendar
    rows: list[ChaseRow] = []
    lines = (
        open_lines()
        .filter(purchase_order__buyer=q.user)
        .values(
            "id",
            "position",
            "quantity",
            "confirmed_qty",
            "accepted_qty",
            "unit",
            "required_date",
            "promised_date",
            "material__code",
            "material__name",
            "purchase_order_id",
            "purchase_order__number",
            "purchase_order__sent_at",
            "purchase_order__supplier__code",
            "purchase_order__currency",
            "order_id",
            "order__number",
            "order__customer__code",
            "order__customer__tier",
            "order__total_amount",
        )
    )
    for line in lines:
        promised, required = line["promised_date"], line["required_date"]
        expected = line["confirmed_qty"] if line["confirmed_qty"] is not None else line["quantity"]
        open_qty = expected - line["accepted_qty"]
        supplier = line["purchase_order__supplier__code"]
        what = f"#{line['position']} {line['material__code']} {line['material__name']}"
        due = promised or required
        if due < day:
            late = calendar.between(due, day)
            reason = _("%(supplier)s: %(what)s, %(open)s %(unit)s late by %(n)s working days (%(basis)s %(date)s)") % {
                "supplier": supplier,
                "what": line["material__code"],
                "open": format(open_qty.normalize(), "f"),
                "unit": line["unit"],
                "n": late,
                "basis": _("promised") if promised else _("required"),
                "date": due.isoformat(),
            }
        elif promised is not None:
            follow = calendar.add(promised, -1)  # the working day before
            if follow > q.until:
                continue
            late = calendar.between(follow, day)
            reason = _("%(supplier)s promised %(what)s for %(date)s: check the day before that it ships") % {
                "supplier": supplier,
                "what": line["material__code"],
                "date": promised.isoformat(),
            }
            due = follow
        else:
            sent = line["purchase_order__sent_at"]
            if sent is None:
                continue
            ask_by = calendar.add(timezone.localtime(sent).date(), 2)
            if ask_by > q.until:
                continue
            late = calendar.between(ask_by, day)
            reason = _("%(supplier)s has not confirmed %(what)s since %(sent)s: ask for a promised date") % {
                "supplier": supplier,
                "what": line["material__code"],
                "sent": timezone.localtime(sent).date().isoformat(),
            }
            due = ask_by
        rows.append(
            ChaseRow(
                kind=PURCHASE_LINE,
                kind_label=_("Purchase line"),
                document=line["purchase_order__number"],
                order_id=line["order_id"],
                order_number=line["order__number"] or "",
                milestone_id=None,
                milestone_code=None,
                milestone_name=what,
                due_date=due,
                days_late=late,
                reason=reason,
                object_id=line["id"],
                url=_po_url(line["purchase_order_id"]) + f"#line-{line['id']}",
                customer=line["order__customer__code"] or "",
                tier=line["order__customer__tier"] or "normal",
                amount=line["order__total_amount"] or Decimal(0),
                currency=line["purchase_order__currency"],
                promised_date=promised,
            )
        )
    return rows
