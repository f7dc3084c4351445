"""The allocation of short stock (缺货分配) over the API: propose, confirm, list, issue the allocated goods, end the
allocation, and the short-stock list. Thin: schema in, `inventory.allocation` call, schema out.

Quantities are decimal strings in responses, strings or numbers in requests. A confirmation that asks for more than
is available now is a 409 `insufficient_quantity` carrying the figures; nothing is written."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel

from gendan.catalog.models import Product
from gendan.core.apiutils import require_perm
from gendan.core.exceptions import ValidationError
from gendan.inventory import allocation
from gendan.inventory.models import Location, StockAllocation
from gendan.inventory.services import QTY
from gendan.partners.choices import CustomerTier
from gendan.sales.choices import OrderStatus

router = Router(tags=["inventory"])
LIMIT = Query(50, ge=1, le=500)
OFFSET = Query(0, ge=0, le=10**9)
TierT = Literal[tuple(CustomerTier.values)]  # type: ignore[valid-type]
OrderStatusT = Literal[tuple(OrderStatus.values)]  # type: ignore[valid-type]


# ---- schemas ----------------------------------------------------------------------------------------------------


class ProposeIn(Schema):
    product_id: int


class ProposalLineOut(Schema):
    """One open order line, in rank order, with what the stock gives it."""

    order_line_id: int
    order_id: int
    order_number: str
    position: int = Field(..., description="The line's position in its order")
    customer_id: int
    customer_code: str
    customer_tier: TierT
    committed_date: dt.date = Field(..., description="The order's committed ex-factory date")
    order_date: dt.date
    ordered_quantity: Decimal
    shipped_quantity: Decimal = Field(..., description="In shipments loaded or later")
    planned_quantity: Decimal = Field(..., description="In shipments not loaded yet")
    open_quantity: Decimal = Field(..., description="Ordered less what has gone (shipped or issued)")
    allocated_quantity: Decimal | None = Field(..., description="Its current allocation; null when not allocated")
    minimum_quantity: Decimal = Field(..., description="The least it may be allocated: its shipments not gone yet")
    proposed_quantity: Decimal
    shortfall: Decimal = Field(..., description="open_quantity − proposed_quantity")
    rank: int


class ProposalOut(Schema):
    product_id: int
    product_code: str
    unit: str
    on_hand: Decimal = Field(..., description="Every location")
    allocated: Decimal = Field(..., description="Held for order lines now")
    available: Decimal = Field(..., description="on_hand − allocated")
    held_elsewhere: Decimal = Field(..., description="Held for lines outside the proposal (orders on hold…)")
    allocatable: Decimal = Field(..., description="What the proposal shares out: on_hand − held_elsewhere")
    demand: Decimal = Field(..., description="The open quantity of every open line")
    shortfall: Decimal = Field(..., description="demand − allocatable, never below zero")
    lines: list[ProposalLineOut]


class ConfirmLineIn(Schema):
    order_line_id: int
    quantity: Decimal = Field(..., description="0 allocates nothing to the line")


class StockConfirmIn(Schema):
    product_id: int
    lines: list[ConfirmLineIn] = Field(..., min_length=1, description="The lines whose allocation this sets")
    make_up_date: dt.date | None = Field(
        None,
        description="When the lines left short can have their goods; needed when one is left short, unless its order"
        " has an open production-complete milestone (its forecast is taken)",
    )
    note: str = Field("", max_length=500)


class StockAllocationOut(Schema):
    id: int
    product_id: int
    product_code: str
    order_line_id: int
    order_id: int
    order_number: str
    order_status: OrderStatusT
    customer_id: int
    customer_code: str
    customer_tier: TierT
    open_quantity: Decimal = Field(..., description="The line's open quantity when allocated")
    quantity: Decimal = Field(..., description="Allocated")
    shortfall: Decimal
    held_quantity: Decimal = Field(..., description="Still held in stock for the line")
    issued_quantity: Decimal = Field(..., description="Taken out of the store for the line")
    ship_limit: Decimal = Field(..., description="What the line's shipments may total while the product is allocated")
    make_up_date: dt.date | None
    allocated_by: str | None
    allocated_at: dt.datetime


class AllocationPage(BaseModel):
    items: list[StockAllocationOut]
    count: int


class IssueIn(Schema):
    location_id: int
    quantity: Decimal = Field(..., gt=0)
    reference: str = Field("", max_length=100, description="Shipment number, pick list…")
    date: dt.date | None = Field(None, description="Defaults to today; never in the future")


class EndIn(Schema):
    product_id: int
    reason: str = Field("", max_length=500)


class EndOut(Schema):
    product_id: int
    ended: int = Field(..., description="How many lines' allocations were removed")


class ShortStockOut(Schema):
    product_id: int
    product_code: str
    name: str
    unit: str
    on_hand: Decimal
    allocated: Decimal
    available: Decimal
    demand: Decimal
    shortfall: Decimal
    open_lines: int
    under_allocation: bool
    short_lines: int = Field(..., description="Allocated lines left short")


class ShortStockPage(BaseModel):
    items: list[ShortStockOut]
    count: int


# ---- serialisation ----------------------------------------------------------------------------------------------


def q3(value: Decimal | None) -> Decimal | None:
    """A quantity with its 3 places, whatever the database's sum gave ("500" on SQLite, "500.000" on PostgreSQL)."""
    return None if value is None else Decimal(value).quantize(QTY)


def proposal_dict(p: allocation.Proposal) -> dict[str, Any]:
    return {
        "product_id": p.product.pk,
        "product_code": p.product.code,
        "unit": p.product.unit,
        "on_hand": q3(p.on_hand),
        "allocated": q3(p.allocated),
        "available": q3(p.available),
        "held_elsewhere": q3(p.held_elsewhere),
        "allocatable": q3(p.allocatable),
        "demand": q3(p.demand),
        "shortfall": q3(p.shortfall),
        "lines": [
            {
                "order_line_id": d.order_line_id,
                "order_id": d.order_id,
                "order_number": d.order_number,
                "position": d.position,
                "customer_id": d.customer_id,
                "customer_code": d.customer_code,
                "customer_tier": d.customer_tier,
                "committed_date": d.committed_date,
                "order_date": d.order_date,
                "ordered_quantity": q3(d.ordered),
                "shipped_quantity": q3(d.shipped),
                "planned_quantity": q3(d.planned),
                "open_quantity": q3(d.open_quantity),
                "allocated_quantity": q3(d.allocated),
                "minimum_quantity": q3(d.in_shipments_floor),
                "proposed_quantity": q3(d.proposed_quantity),
                "shortfall": q3(d.shortfall),
                "rank": d.rank,
            }
            for d in p.lines
        ],
    }


def allocation_dict(a: StockAllocation) -> dict[str, Any]:
    return {
        "id": a.pk,
        "product_id": a.product_id,
        "product_code": a.product.code,
        "order_line_id": a.order_line_id,
        "order_id": a.order_id,
        "order_number": a.order.number,
        "order_status": a.order.status,
        "customer_id": a.order.customer_id,
        "customer_code": a.order.customer.code,
        "customer_tier": a.order.customer.tier,
        "open_quantity": a.open_qty,
        "quantity": a.quantity,
        "shortfall": a.shortfall,
        "held_quantity": a.held_qty,
        "issued_quantity": a.issued_qty,
        "ship_limit": a.ceiling,
        "make_up_date": a.make_up_date,
        "allocated_by": a.created_by.username if a.created_by_id else None,
        "allocated_at": a.created_at,
    }


def _product(product_id: int) -> Product:
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise ValidationError({"product_id": _("There is no product %(id)s.") % {"id": product_id}})
    return product


# ---- endpoints --------------------------------------------------------------------------------------------------


@router.post("/allocations/propose", response=ProposalOut)
def propose(request: HttpRequest, data: ProposeIn):
    """The product's stock, open demand and its open lines ranked (key customers first, then committed ex-factory
    date, order date, order number) with the quantity the stock gives each. Writes nothing."""
    require_perm(request, "inventory.view_stockallocation")
    return proposal_dict(allocation.propose(_product(data.product_id)))


@router.post("/allocations/confirm", response=list[StockAllocationOut])
def confirm(request: HttpRequest, data: StockConfirmIn):
    """Set the allocation of the named lines (the others keep theirs); each holds its quantity in stock. More than
    on hand less what other lines hold → 409 insufficient_quantity with the figures, nothing written. Returns the
    named lines' allocations (a bare array, in the order given)."""
    require_perm(request, "inventory.add_stockallocation")
    product = _product(data.product_id)
    done = allocation.confirm_allocation(
        product=product,
        lines=[line.dict() for line in data.lines],
        by=request.user,
        make_up_date=data.make_up_date,
        note=data.note,
    )
    rows = {a.pk: a for a in allocation.allocation_list(product_id=product.pk).filter(pk__in=[a.pk for a in done])}
    return [allocation_dict(rows[a.pk]) for a in done]


@router.get("/allocations", response=AllocationPage)
def allocation_list(
    request: HttpRequest,
    product_id: int | None = None,
    order_id: int | None = None,
    customer_id: int | None = None,
    short: bool = Query(False, description="Only lines left short"),
    active: bool = Query(False, description="Only orders still holding (open or on hold)"),
    limit: int = LIMIT,
    offset: int = OFFSET,
):
    """Allocations by product code, then order number."""
    require_perm(request, "inventory.view_stockallocation")
    qs = allocation.allocation_list(
        product_id=product_id, order_id=order_id, customer_id=customer_id, short_only=short, active_only=active
    )
    return {"items": [allocation_dict(a) for a in qs[offset : offset + limit]], "count": qs.count()}


@router.get("/allocations/{int:allocation_id}", response=StockAllocationOut)
def allocation_get(request: HttpRequest, allocation_id: int):
    require_perm(request, "inventory.view_stockallocation")
    return allocation_dict(allocation.get_allocation(allocation_id))


@router.post("/allocations/{int:allocation_id}/issue", response=StockAllocationOut)
def issue(request: HttpRequest, allocation_id: int, data: IssueIn):
    """Take the line's goods out of the store at a location (its hold first, then free stock; never another line's
    hold: 409). Records the stock movement with the order. Returns the allocation after."""
    require_perm(request, "inventory.add_stockmovement")
    found = allocation.get_allocation(allocation_id)
    location = Location.objects.select_related("warehouse").filter(pk=data.location_id).first()
    if location is None:
        raise ValidationError({"location_id": _("No location %(id)s.") % {"id": data.location_id}})
    try:
        allocation.issue_allocated(
            allocation=found,
            location=location,
            quantity=data.quantity,
            by=request.user,
            reference=data.reference,
            date=data.date,
        )
    except ValidationError as exc:
        if type(exc) is not ValidationError:
            raise
        renamed = {("location_id" if k == "location" else k): v for k, v in exc.errors.items()}
        raise ValidationError(renamed) from exc
    return allocation_dict(allocation.get_allocation(allocation_id))


@router.post("/allocations/end", response=EndOut)
def end(request: HttpRequest, data: EndIn):
    """End the product's allocation (its stock is enough again): every allocation of it removed, its stock free."""
    require_perm(request, "inventory.change_stockallocation")
    product = _product(data.product_id)
    n = allocation.end_allocation(product=product, by=request.user, reason=data.reason)
    return {"product_id": product.pk, "ended": n}


@router.get("/short-stock", response=ShortStockPage)
def short_stock(
    request: HttpRequest,
    q: str = Query("", description="Part of the product's code or name"),
    include_allocated: bool = Query(True, description="Also products under an allocation that are no longer short"),
    limit: int = LIMIT,
    offset: int = OFFSET,
):
    """Products whose stock is below their open demand, biggest shortfall first."""
    require_perm(request, "inventory.view_stockallocation")
    rows = allocation.short_stock(q=q, include_allocated=include_allocated)
    items = [
        {
            "product_id": r.product_id,
            "product_code": r.code,
            "name": r.name,
            "unit": r.unit,
            "on_hand": q3(r.on_hand),
            "allocated": q3(r.allocated),
            "available": q3(r.available),
            "demand": q3(r.demand),
            "shortfall": q3(r.shortfall),
            "open_lines": r.lines,
            "under_allocation": r.under_allocation,
            "short_lines": r.short_lines,
        }
        for r in rows[offset : offset + limit]
    ]
    return {"items": items, "count": len(rows)}
