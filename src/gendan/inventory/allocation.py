"""Allocation of short stock (缺货分配, 产品短缺时先分配给主要客户): when a finished product's stock is below the open
demand, rank the open order lines (key customers first, then the committed ex-factory date, the order date, the order
number), propose who gets what, let the user adjust and confirm, hold what was allocated, and forecast the orders left
short.

The rules (docs/guide/allocation.md):
- **Stock** of a product is the sum of its `Stock` rows (every location). **Open demand** is the open order lines of
  the product (orders confirmed, in production or ready to ship): ordered less what has gone — shipped (a shipment
  loaded or later, told by the shipped-quantity source shipping registers) or issued from the store for the line.
- **The proposal** ranks the open lines (key customers first, then the committed ex-factory date, the order date,
  the order number) and gives each in turn what the stock gives until it runs out — after the goods already in a
  line's shipments not yet loaded, which stay with them (a confirmation may not take them away either).
- **A confirmation sets the allocation of the lines it names** (the page names every open line: a re-allocation
  replaces the earlier one; the API may name a few: the others keep theirs). Each named line holds what it was given;
  what other lines hold stays theirs, so a confirmation may take at most on hand less what the other lines hold. The
  product's stock rows are locked while that is checked, so two confirmations at once queue, and the second is
  refused (409, nothing written) when the first left too little.
- **Allocated is reserved**: `Stock.reserved` of the product's rows is the sum of what the lines hold, so no stock
  movement for anything else can take it (`services.move` refuses going into reserved stock); the warehouse takes
  a line's goods out with `issue_allocated`, which spends the line's hold.
- **Shipments take only allocated stock**: while a product has allocations of open orders, a line's shipments may
  total at most what had gone before the allocation plus what it was allocated (`allocation_limits`, checked by
  shipping); a line of that product without an allocation ships nothing more until it is allocated.
- **A line left short** (allocated less than its open quantity) gets the date its shortfall can be made up (given,
  or the order's production-complete forecast); its order's ex-factory milestone is fed that date with the note
  "Short of stock: 300 of 500 allocated (P001)", so the order's forecast, risk and driving milestone follow.
- An allocation ends with its order (shipped, closed or cancelled: what it held is released), or for the whole
  product with `end_allocation` when the stock is enough again.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from gendan.catalog.models import Product
from gendan.core import audit, clock
from gendan.core.choices import AuditAction
from gendan.core.exceptions import InsufficientQuantity, NotFound, ValidationError
from gendan.core.models import User
from gendan.core.services import ensure_can
from gendan.followup.choices import EX_FACTORY_CODE
from gendan.inventory.choices import MovementKind
from gendan.inventory.models import Location, Stock, StockAllocation, StockMovement
from gendan.inventory.services import QTY, fmt, move, qty
from gendan.partners.choices import CustomerTier
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order, OrderLine

ZERO = Decimal(0)
# Orders whose lines are open demand: confirmed and not yet shipped.
DEMAND_STATUSES = (OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION, OrderStatus.READY_TO_SHIP)
# Orders whose allocation still holds stock: the open ones and those on hold (they resume with their goods).
HOLDING_STATUSES = (*DEMAND_STATUSES, OrderStatus.ON_HOLD)
# Orders whose allocation ends: what they hold goes back to free stock.
ENDED_STATUSES = (OrderStatus.SHIPPED, OrderStatus.CLOSED, OrderStatus.CANCELLED)
TIER_RANK = {tier: i for i, tier in enumerate(CustomerTier.values)}  # key, normal, prospect
PRODUCTION_COMPLETE_CODE = (
    "PC"  # the T&A's "production complete": a short line of an order in production is made up then
)
SOURCE_CHUNK = 5000  # order lines asked of the shipped-quantity source at a time


# ---- the shipped-quantity source (shipping registers it; inventory cannot import shipping) -------------------------


@dataclass(frozen=True)
class LineRef:
    """What the source is given of each order line: its id and ordered quantity."""

    pk: int
    quantity: Decimal


ShippedSource = Callable[[list[LineRef]], dict[int, Any]]
_shipped_sources: list[ShippedSource] = []


def register_shipped_quantity_source(source: ShippedSource) -> ShippedSource:
    """`source(lines) -> {line_id: progress}` where each progress has `shipped` (gone: loaded or later) and `planned`
    (in shipments not yet loaded) as Decimals; lines with no shipment may be left out. Shipping registers
    `shipping.selectors.line_progress` in its AppConfig.ready()."""
    if source not in _shipped_sources:
        _shipped_sources.append(source)
    return source


def shipped_quantities(lines: Sequence[LineRef]) -> dict[int, tuple[Decimal, Decimal]]:
    """{line_id: (shipped, planned)} from every registered source (zeros when none is registered)."""
    result: dict[int, tuple[Decimal, Decimal]] = {}
    for start in range(0, len(lines), SOURCE_CHUNK):
        chunk = list(lines[start : start + SOURCE_CHUNK])
        for source in _shipped_sources:
            for line_id, p in source(chunk).items():
                shipped, planned = result.get(line_id, (ZERO, ZERO))
                result[line_id] = (shipped + (p.shipped or ZERO), planned + (p.planned or ZERO))
    return result


# ---- ranking and filling: pure ----------------------------------------------------------------------------------


@dataclass
class Demand:
    """One open order line of the product, as the proposal ranks and fills it."""

    order_line_id: int
    order_id: int
    order_number: str
    position: int
    customer_id: int
    customer_code: str
    customer_name: str
    customer_tier: str
    committed_date: dt.date
    order_date: dt.date
    ordered: Decimal
    open_quantity: Decimal
    order_status: str = OrderStatus.CONFIRMED
    merchandiser: str = ""
    unit: str = ""
    shipped: Decimal = ZERO  # loaded or later
    planned: Decimal = ZERO  # in shipments not loaded yet
    gone: Decimal = ZERO  # max(shipped, issued): what left the store for the line
    allocated: Decimal | None = None  # its current allocation (None: not allocated)
    held: Decimal = ZERO  # what the store holds for it now
    issued: Decimal = ZERO
    make_up_date: dt.date | None = None
    proposed_quantity: Decimal = ZERO
    rank: int = 0

    @property
    def shortfall(self) -> Decimal:
        return self.open_quantity - self.proposed_quantity

    @property
    def in_shipments_floor(self) -> Decimal:
        """The least it may be allocated: what its shipments not yet gone hold (beyond what was issued for them)."""
        return max(self.shipped + self.planned - self.gone, ZERO)


def rank_key(d: Demand) -> tuple:
    """Key customers first (partners' CustomerTier order), then the committed ex-factory date, the order date, the
    order number, the line."""
    return (
        TIER_RANK.get(d.customer_tier, len(TIER_RANK)),
        d.committed_date,
        d.order_date,
        d.order_number,
        d.position,
        d.order_line_id,
    )


def rank(demands: Iterable[Demand]) -> list[Demand]:
    ranked = sorted(demands, key=rank_key)
    for i, d in enumerate(ranked, start=1):
        d.rank = i
    return ranked


def fill(wanted: Sequence[Decimal], stock: Decimal) -> list[Decimal]:
    """Give each quantity in turn what it wants until the stock runs out (the last one served may get a part)."""
    left = max(stock, ZERO)
    given = []
    for want in wanted:
        take = min(max(want, ZERO), left)
        given.append(take)
        left -= take
    return given


def fill_with_floors(wanted: Sequence[Decimal], floors: Sequence[Decimal], stock: Decimal) -> list[Decimal]:
    """`fill`, after first giving each its floor (what its shipments not yet gone hold: those goods stay with them),
    both in rank order; a floor is never more than what is wanted."""
    floors = [min(max(f, ZERO), max(w, ZERO)) for w, f in zip(wanted, floors, strict=True)]
    first = fill(floors, stock)
    rest = fill([w - f for w, f in zip(wanted, first, strict=True)], max(stock, ZERO) - sum(first, ZERO))
    return [f + r for f, r in zip(first, rest, strict=True)]


# ---- reads ------------------------------------------------------------------------------------------------------


@dataclass
class Proposal:
    """A product's stock, its open demand and the ranked lines with what each would get."""

    product: Product
    on_hand: Decimal
    allocated: Decimal  # held for lines now (every order still holding)
    held_elsewhere: Decimal  # held for lines outside the proposal (orders on hold, lines with nothing left open)
    demand: Decimal
    lines: list[Demand] = field(default_factory=list)
    locations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.allocated

    @property
    def allocatable(self) -> Decimal:
        """What the proposal shares out: on hand less what lines outside it hold."""
        return max(self.on_hand - self.held_elsewhere, ZERO)

    @property
    def shortfall(self) -> Decimal:
        return max(self.demand - self.allocatable, ZERO)

    @property
    def proposed(self) -> Decimal:
        return sum((d.proposed_quantity for d in self.lines), ZERO)

    @property
    def is_short(self) -> bool:
        return self.demand > self.allocatable

    @property
    def under_allocation(self) -> bool:
        return any(d.allocated is not None for d in self.lines) or self.held_elsewhere > 0


def get_product(pk: int) -> Product:
    product = Product.objects.filter(pk=pk).first()
    if product is None:
        raise NotFound(_("There is no product %(id)s.") % {"id": pk})
    return product


def _on_hand(product_id: int) -> Decimal:
    return Stock.objects.filter(product_id=product_id).aggregate(total=Sum("on_hand"))["total"] or ZERO


def demands_of(product: Product, *, statuses: Sequence[str] = DEMAND_STATUSES) -> list[Demand]:
    """The product's order lines of orders in `statuses` with what is open of each (lines with nothing open left
    out), their current allocation, in no particular order."""
    rows = list(
        OrderLine.objects.filter(product=product, order__status__in=statuses)
        .order_by()
        .values_list(
            "id",
            "order_id",
            "order__number",
            "position",
            "order__customer_id",
            "order__customer__code",
            "order__customer__name",
            "order__customer__tier",
            "order__ex_factory_date",
            "order__order_date",
            "quantity",
            "order__status",
            "order__merchandiser__username",
            "unit",
        )
    )
    shipped = shipped_quantities([LineRef(r[0], r[10]) for r in rows])
    current = {
        a[0]: a[1:]
        for a in StockAllocation.objects.filter(product=product)
        .order_by()
        .values_list("order_line_id", "quantity", "held_qty", "issued_qty", "make_up_date")
    }
    demands = []
    for lid, oid, number, pos, cid, ccode, cname, tier, committed, ordered_on, quantity, status, merch, unit in rows:
        s, p = shipped.get(lid, (ZERO, ZERO))
        allocated, held, issued, make_up = current.get(lid, (None, ZERO, ZERO, None))
        gone = max(s, issued)
        open_quantity = max(quantity - gone, ZERO)
        if open_quantity <= 0 and not held:
            continue
        demands.append(
            Demand(
                order_line_id=lid,
                order_id=oid,
                order_number=number,
                position=pos,
                customer_id=cid,
                customer_code=ccode,
                customer_name=cname,
                customer_tier=tier,
                committed_date=committed,
                order_date=ordered_on,
                ordered=quantity,
                open_quantity=open_quantity,
                order_status=status,
                merchandiser=merch or "",
                unit=unit,
                shipped=s,
                planned=p,
                gone=gone,
                allocated=allocated,
                held=held,
                issued=issued,
                make_up_date=make_up,
            )
        )
    return demands


def propose(product: Product) -> Proposal:
    """The allocation proposal of `product`: its open lines ranked (key customers first, then committed ex-factory
    date, order date, order number), each proposed what the stock gives in that order — after the goods already in a
    line's shipments not yet gone, which stay with them. What other lines hold (orders on hold, lines with nothing
    left open whose goods were not issued yet) stays theirs; the rest is shared out again (a confirmation of the
    whole proposal replaces the allocation)."""
    on_hand = _on_hand(product.pk)
    allocated = _held_total(product.pk)
    lines = rank(d for d in demands_of(product) if d.open_quantity > 0)
    elsewhere = allocated - sum((d.held for d in lines), ZERO)
    proposal = Proposal(
        product=product,
        on_hand=on_hand,
        allocated=allocated,
        held_elsewhere=elsewhere,
        demand=sum((d.open_quantity for d in lines), ZERO),
        lines=lines,
    )
    wanted = [d.open_quantity for d in lines]
    floors = [d.in_shipments_floor for d in lines]
    for d, given in zip(lines, fill_with_floors(wanted, floors, proposal.allocatable), strict=True):
        d.proposed_quantity = given
    return proposal


def stock_by_location(product: Product) -> list[dict[str, Any]]:
    """The product's stock rows: location label, on hand, reserved (= allocated there), free."""
    rows = (
        Stock.objects.filter(product=product)
        .select_related("location__warehouse")
        .order_by("location__warehouse__code", "location__code")
    )
    return [
        {
            "location_id": s.location_id,
            "warehouse_id": s.location.warehouse_id,
            "label": f"{s.location.warehouse.code}/{s.location.code}",
            "name": s.location.name,
            "on_hand": s.on_hand,
            "reserved": s.reserved,
            "free": s.on_hand - s.reserved,
        }
        for s in rows
    ]


def allocation_list(
    *,
    product_id: int | None = None,
    order_id: int | None = None,
    customer_id: int | None = None,
    short_only: bool = False,
    active_only: bool = False,
) -> Any:
    """Allocation rows with product, order, customer and author joined; by product code, then the order number."""
    qs = StockAllocation.objects.select_related("product", "order__customer", "order_line", "created_by")
    if product_id:
        qs = qs.filter(product_id=product_id)
    if order_id:
        qs = qs.filter(order_id=order_id)
    if customer_id:
        qs = qs.filter(order__customer_id=customer_id)
    if short_only:
        qs = qs.filter(quantity__lt=F("open_qty"))
    if active_only:
        qs = qs.filter(order__status__in=HOLDING_STATUSES)
    return qs.order_by("product__code", "order__number", "order_line__position", "pk")


def get_allocation(pk: int) -> StockAllocation:
    found = allocation_list().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("There is no stock allocation %(id)s.") % {"id": pk})
    return found


@dataclass
class ShortRow:
    """A product on the short-stock list."""

    product_id: int
    code: str
    name: str
    unit: str
    on_hand: Decimal
    allocated: Decimal
    demand: Decimal
    lines: int
    under_allocation: bool
    short_lines: int

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.allocated

    @property
    def shortfall(self) -> Decimal:
        return max(self.demand - self.on_hand, ZERO)

    @property
    def is_short(self) -> bool:
        return self.demand > self.on_hand


def short_stock(*, include_allocated: bool = True, q: str = "") -> list[ShortRow]:
    """Products with stock on hand below their open demand (and, with `include_allocated`, those still under an
    allocation though no longer short), biggest shortfall first. A product with nothing in stock is not listed: there
    is nothing to share out, its orders wait for production. Demand is first taken gross (ordered) per product
    in one aggregate; only products short on that figure are netted line by line for what has gone."""
    gross = {
        r["product_id"]: r["total"]
        for r in OrderLine.objects.filter(order__status__in=DEMAND_STATUSES)
        .order_by()
        .values("product_id")
        .annotate(total=Sum("quantity"))
    }
    on_hand = {
        r["product_id"]: r["total"]
        for r in Stock.objects.filter(product__isnull=False)
        .order_by()
        .values("product_id")
        .annotate(total=Sum("on_hand"))
    }
    held: dict[int, Decimal] = {}
    short_lines: dict[int, int] = defaultdict(int)
    for pid, h, quantity, open_qty in (
        StockAllocation.objects.filter(order__status__in=HOLDING_STATUSES)
        .order_by()
        .values_list("product_id", "held_qty", "quantity", "open_qty")
    ):
        held[pid] = held.get(pid, ZERO) + h
        if quantity < open_qty:
            short_lines[pid] += 1
    candidates = {pid for pid, total in gross.items() if total > on_hand.get(pid, ZERO) > 0}
    if include_allocated:
        candidates |= set(held)
    if not candidates:
        return []
    products = Product.objects.filter(pk__in=candidates)
    q = (q or "").strip()
    if q:
        products = products.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q))
    info = {p[0]: p[1:] for p in products.values_list("id", "code", "name", "unit")}
    lines = list(
        OrderLine.objects.filter(product_id__in=list(info), order__status__in=DEMAND_STATUSES)
        .order_by()
        .values_list("id", "product_id", "quantity")
    )
    shipped = shipped_quantities([LineRef(lid, quantity) for lid, _pid, quantity in lines])
    issued = dict(
        StockAllocation.objects.filter(product_id__in=list(info)).order_by().values_list("order_line_id", "issued_qty")
    )
    demand: dict[int, Decimal] = defaultdict(lambda: ZERO)
    counts: dict[int, int] = defaultdict(int)
    for lid, pid, quantity in lines:
        open_quantity = quantity - max(shipped.get(lid, (ZERO, ZERO))[0], issued.get(lid, ZERO))
        if open_quantity > 0:
            demand[pid] += open_quantity
            counts[pid] += 1
    rows = []
    for pid, (code, name, unit) in info.items():
        row = ShortRow(
            product_id=pid,
            code=code,
            name=name,
            unit=unit,
            on_hand=on_hand.get(pid, ZERO),
            allocated=held.get(pid, ZERO),
            demand=demand[pid],
            lines=counts[pid],
            under_allocation=pid in held,
            short_lines=short_lines[pid],
        )
        if row.is_short or (include_allocated and row.under_allocation):
            rows.append(row)
    rows.sort(key=lambda r: (-r.shortfall, r.code))
    return rows


def products_with_demand() -> list[tuple[int, str, str]]:
    """(id, code, name) of the products with open order lines, by code: the allocation page's picker."""
    ids = OrderLine.objects.filter(order__status__in=DEMAND_STATUSES).values("product_id")
    return list(Product.objects.filter(pk__in=ids).order_by("code").values_list("id", "code", "name"))


@dataclass(frozen=True)
class AllocationLimit:
    """How much an order line's shipments may total while its product is under allocation (None: not allocated)."""

    ceiling: Decimal | None
    allocated: Decimal | None
    product_code: str


def allocation_limits(order_line_ids: Iterable[int]) -> dict[int, AllocationLimit]:
    """The limits of the given lines whose product is under allocation (has allocations of orders still holding);
    lines of other products are left out. Shipping checks them while it has the order lines locked."""
    ids = list(order_line_ids)
    if not ids:
        return {}
    products = dict(OrderLine.objects.filter(pk__in=ids).values_list("id", "product_id"))
    under = set(
        StockAllocation.objects.filter(product_id__in=set(products.values()), order__status__in=HOLDING_STATUSES)
        .values_list("product_id", flat=True)
        .distinct()
    )
    if not under:
        return {}
    codes = dict(Product.objects.filter(pk__in=under).values_list("id", "code"))
    rows = {
        a.order_line_id: a
        for a in StockAllocation.objects.filter(order_line_id__in=[i for i, p in products.items() if p in under])
    }
    result = {}
    for line_id, product_id in products.items():
        if product_id not in under:
            continue
        a = rows.get(line_id)
        result[line_id] = AllocationLimit(
            ceiling=a.ceiling if a else None, allocated=a.quantity if a else None, product_code=codes[product_id]
        )
    return result


def order_allocations(order_id: int) -> list[StockAllocation]:
    """The order's allocations (the order page's section)."""
    return list(allocation_list(order_id=order_id))


# ---- writes -----------------------------------------------------------------------------------------------------


def _locked_stock(product_id: int) -> list[Stock]:
    """The product's stock rows, locked for this transaction, active locations first, then by warehouse/location."""
    rows = list(Stock.objects.select_for_update(of=("self",)).filter(product_id=product_id).order_by("pk"))
    places = {
        pk: (not (active and warehouse_active), warehouse, code)
        for pk, active, warehouse_active, warehouse, code in Location.objects.filter(
            pk__in=[s.location_id for s in rows]
        ).values_list("pk", "is_active", "warehouse__is_active", "warehouse__code", "code")
    }
    rows.sort(key=lambda s: (*places.get(s.location_id, (True, "", "")), s.pk))
    return rows


def _spread(rows: list[Stock], total: Decimal, pending: dict[int, Decimal] | None = None) -> None:
    """Set the rows' `reserved` so that it sums to `total`, filling each location up to its on hand (after the
    `pending` movements {location_id: signed quantity}) in order; what exceeds the stock sits on the first row."""
    pending = pending or {}
    left = max(total, ZERO)
    changed = []
    for s in rows:
        room = max(s.on_hand + pending.get(s.location_id, ZERO), ZERO)
        take = min(room, left)
        left -= take
        if s.reserved != take:
            s.reserved = take
            changed.append(s)
    if left > 0 and rows:
        rows[0].reserved += left
        if rows[0] not in changed:
            changed.append(rows[0])
    if changed:
        Stock.objects.bulk_update(changed, ["reserved"])


def _held_total(product_id: int) -> Decimal:
    return (
        StockAllocation.objects.filter(product_id=product_id, order__status__in=HOLDING_STATUSES).aggregate(
            total=Sum("held_qty")
        )["total"]
        or ZERO
    )


def resync_reserved(product_ids: Iterable[int] | None = None) -> int:
    """Make each product's `Stock.reserved` the sum of what its allocations hold (of the given products, or of
    every product whose figures differ: after an order line was deleted by an order change). Returns how many
    products were put right."""
    if product_ids is None:
        reserved = dict(
            Stock.objects.filter(product__isnull=False)
            .order_by()
            .values("product_id")
            .annotate(total=Sum("reserved"))
            .values_list("product_id", "total")
        )
        held = dict(
            StockAllocation.objects.filter(order__status__in=HOLDING_STATUSES)
            .order_by()
            .values("product_id")
            .annotate(total=Sum("held_qty"))
            .values_list("product_id", "total")
        )
        product_ids = [
            pid for pid in set(reserved) | set(held) if (reserved.get(pid) or ZERO) != (held.get(pid) or ZERO)
        ]
    done = 0
    with transaction.atomic():
        for pid in sorted(set(product_ids)):
            rows = _locked_stock(pid)
            _spread(rows, _held_total(pid))
            done += 1
    return done


def _short_note(a: StockAllocation, code: str) -> str:
    return _("Short of stock: %(allocated)s of %(open)s allocated (%(product)s)") % {
        "allocated": fmt(a.quantity),
        "open": fmt(a.open_qty),
        "product": code,
    }


def feed_forecasts(order_ids: Iterable[int], *, by: User | None) -> int:
    """Feed the ex-factory milestone of each order from its lines left short: the latest make-up date, with a note
    per short line; an order with no short line has its fed date cleared. Returns how many orders changed."""
    from gendan.followup.services import feed_dates

    ids = sorted(set(order_ids))
    if not ids:
        return 0
    dates: dict[int, tuple[dt.date | None, str]] = {oid: (None, "") for oid in ids}
    short = (
        StockAllocation.objects.filter(order_id__in=ids, order__status__in=HOLDING_STATUSES, quantity__lt=F("open_qty"))
        .select_related("product")
        .order_by("order_id", "product__code", "order_line_id")
    )
    notes: dict[int, list[str]] = defaultdict(list)
    for a in short:
        notes[a.order_id].append(_short_note(a, a.product.code))
        day = dates[a.order_id][0]
        if a.make_up_date and (day is None or a.make_up_date > day):
            dates[a.order_id] = (a.make_up_date, "")
    for oid, texts in notes.items():
        day = dates[oid][0]
        note = "; ".join(texts)
        if day:
            note = _("%(note)s; made up by %(date)s") % {"note": note, "date": day.isoformat()}
        dates[oid] = (day, note)
    return feed_dates(code=EX_FACTORY_CODE, dates=dates, by=by)


def _derived_make_up(order_ids: Iterable[int]) -> dict[int, dt.date]:
    """The date each order's shortfall is made up by its own production: the forecast of its production-complete
    milestone while that is not done (the production plan feeds it)."""
    from gendan.followup.models import Milestone

    today = clock.today()
    found = {}
    for oid, forecast, planned in Milestone.objects.filter(
        order_id__in=list(order_ids), code=PRODUCTION_COMPLETE_CODE, actual_date__isnull=True
    ).values_list("order_id", "forecast_date", "planned_date"):
        day = forecast or planned
        if day and day >= today:
            found[oid] = day
    return found


def _parse_date(value: Any, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError({name: _("Enter a date (YYYY-MM-DD).")}) from None


def _line_label(d: Demand) -> str:
    return f"{d.order_number}#{d.position}"


def _parse_lines(lines: Any) -> list[tuple[int, int, Decimal]]:
    """[(index, order_line_id, quantity)] from [{"order_line_id", "quantity"}], each bad value named."""
    if not isinstance(lines, list | tuple) or not lines:
        raise ValidationError({"lines": _("Give at least one order line and its quantity.")})
    errors: dict[str, str] = {}
    parsed = []
    seen: set[int] = set()
    for index, item in enumerate(lines, start=1):
        item = item if isinstance(item, dict) else {}
        try:
            line_id = int(str(item.get("order_line_id")))
        except ValueError:
            errors[f"lines.{index}.order_line_id"] = _("Give the order line's id.")
            continue
        if line_id in seen:
            errors[f"lines.{index}.order_line_id"] = _("Order line %(id)s is given twice.") % {"id": line_id}
            continue
        seen.add(line_id)
        raw = item.get("quantity")
        if raw in (None, ""):
            errors[f"lines.{index}.quantity"] = _("Give the quantity to allocate (0 for none).")
            continue
        try:
            quantity = qty(raw, f"lines.{index}.quantity")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.errors.items()})
            continue
        if quantity < 0:
            errors[f"lines.{index}.quantity"] = _("Enter zero or more.")
            continue
        parsed.append((index, line_id, quantity))
    if errors:
        raise ValidationError(errors)
    return parsed


@transaction.atomic
def confirm_allocation(
    *, product: Product, lines: Any, by: User, make_up_date: Any = None, note: str = ""
) -> list[StockAllocation]:
    """Allocate `product`'s stock to the named open order lines ([{"order_line_id", "quantity"}]).

    Each named line gets its quantity (at most its open quantity, at least what its shipments not yet gone hold) and
    holds it in stock; the lines not named keep theirs. The product's stock rows are locked, then the total is
    checked against on hand less what the other lines hold: more → InsufficientQuantity (409) naming the product
    and the figures, nothing written. Lines left short need the date their shortfall is made up (`make_up_date`,
    else the order's production-complete forecast); their orders' ex-factory forecasts follow it."""
    ensure_can(by, "inventory.add_stockallocation", _("You may not allocate stock."))
    wanted = _parse_lines(lines)
    make_up = _parse_date(make_up_date, "make_up_date")
    today = clock.today()
    if make_up is not None and make_up < today:
        raise ValidationError({"make_up_date": _("The make-up date cannot be in the past.")})
    stock_rows = _locked_stock(product.pk)  # every confirmation of this product queues here
    # and the named lines, as shipping locks them, so no shipment changes under the check of their floors
    list(OrderLine.objects.select_for_update().filter(pk__in=[w[1] for w in wanted]).order_by("pk").values_list("pk"))
    demands = {d.order_line_id: d for d in demands_of(product, statuses=HOLDING_STATUSES)}
    errors: dict[str, str] = {}
    chosen: list[tuple[Demand, Decimal]] = []
    for index, line_id, quantity in wanted:
        d = demands.get(line_id)
        if d is None or d.order_status not in DEMAND_STATUSES:
            errors[f"lines.{index}.order_line_id"] = _(
                "Order line %(id)s is not an open line of %(product)s (a confirmed order with a quantity to ship)."
            ) % {"id": line_id, "product": product.code}
            continue
        if quantity > d.open_quantity:
            errors[f"lines.{index}.quantity"] = _("%(line)s: %(qty)s is more than its open quantity of %(open)s.") % {
                "line": _line_label(d),
                "qty": fmt(quantity),
                "open": fmt(d.open_quantity),
            }
            continue
        if quantity < d.in_shipments_floor:
            errors[f"lines.{index}.quantity"] = _(
                "%(line)s: %(n)s of it is in shipments that have not left yet: allocate at least that, or take it "
                "out of the shipment first."
            ) % {"line": _line_label(d), "n": fmt(d.in_shipments_floor)}
            continue
        chosen.append((d, quantity))
    if errors:
        raise ValidationError(errors)
    on_hand = sum((s.on_hand for s in stock_rows), ZERO)
    named = {d.order_line_id for d, _q in chosen}
    others = sum((d.held for d in demands.values() if d.order_line_id not in named), ZERO)
    asked = sum((q for _d, q in chosen), ZERO)
    available = on_hand - others
    if asked > available:
        exc = InsufficientQuantity(
            {
                "lines": _(
                    "Only %(available)s %(unit)s of %(product)s can be allocated: %(on_hand)s on hand, %(others)s held "
                    "for other order lines; this allocation asks for %(asked)s."
                )
                % {
                    "available": fmt(max(available, ZERO)),
                    "unit": product.unit,
                    "product": product.code,
                    "on_hand": fmt(on_hand),
                    "others": fmt(others),
                    "asked": fmt(asked),
                }
            }
        )
        exc.extra = {
            "product_id": product.pk,
            **{
                name: str(value.quantize(QTY))
                for name, value in (
                    ("on_hand", on_hand),
                    ("allocated", others),
                    ("available", max(available, ZERO)),
                    ("requested", asked),
                )
            },
        }
        raise exc
    short_orders = {d.order_id for d, q in chosen if q < d.open_quantity}
    derived = _derived_make_up(short_orders) if make_up is None and short_orders else {}
    missing = sorted({d.order_number for d, q in chosen if q < d.open_quantity and d.order_id not in derived})
    if make_up is None and missing:
        raise ValidationError(
            {
                "make_up_date": _("Give the date the shortfall can be made up: %(orders)s would be left short.")
                % {"orders": ", ".join(missing[:10])}
            }
        )
    now = clock.now()
    existing = {a.order_line_id: a for a in StockAllocation.objects.select_for_update().filter(order_line_id__in=named)}
    result = []
    for d, quantity in chosen:
        short = quantity < d.open_quantity
        day = (make_up or derived.get(d.order_id)) if short else None
        a = existing.get(d.order_line_id)
        before = audit.snapshot(a, ["quantity", "open_qty", "held_qty", "make_up_date"]) if a else None
        if a is None:
            a = StockAllocation(product=product, order_line_id=d.order_line_id, order_id=d.order_id)
        a.quantity, a.open_qty, a.held_qty, a.base_qty = quantity, d.open_quantity, quantity, d.gone
        a.issued_qty = d.issued
        a.make_up_date = day
        a.created_by, a.created_at = by, now
        a.save()
        after = audit.snapshot(a, ["quantity", "open_qty", "held_qty", "make_up_date"])
        if before is None:
            changes = {k: [None, v] for k, v in after.items() if v not in (None, "")}
        else:
            changes = audit.diff(before, after)
        if changes:
            audit.record(
                instance=a,
                action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
                by=by,
                changes=changes,
                message=(note or "")[:500] or (_short_note(a, product.code) if short else ""),
                related=a.order,
            )
        result.append(a)
    _spread(stock_rows, _held_total(product.pk))
    feed_forecasts({d.order_id for d, _q in chosen}, by=by)
    return result


@transaction.atomic
def confirm_proposal(*, product: Product, by: User, make_up_date: Any = None) -> list[StockAllocation]:
    """Confirm the proposal as it stands (every open line, the quantities it proposes)."""
    lines = [{"order_line_id": d.order_line_id, "quantity": d.proposed_quantity} for d in propose(product).lines]
    return confirm_allocation(product=product, lines=lines, by=by, make_up_date=make_up_date)


@transaction.atomic
def issue_allocated(
    *,
    allocation: StockAllocation,
    location: Location,
    quantity: Any,
    by: User,
    reference: str = "",
    date: dt.date | None = None,
) -> StockMovement:
    """Take the finished goods of an allocated line out of the store (成品出库, e.g. when its shipment is loaded):
    spends the line's hold first, then free stock; never another line's hold (InsufficientQuantity). Records the
    stock movement (an adjustment out, with the order) and the allocation's change."""
    ensure_can(by, "inventory.add_stockmovement")
    amount = qty(quantity)
    if amount <= 0:
        raise ValidationError({"quantity": _("Enter a quantity greater than zero.")})
    rows = _locked_stock(allocation.product_id)
    a = StockAllocation.objects.select_for_update(of=("self",)).select_related("order", "product").get(pk=allocation.pk)
    if a.order.status not in DEMAND_STATUSES:
        raise ValidationError(
            {
                "quantity": _("Order %(order)s is %(status)s: nothing goes out for it.")
                % {"order": a.order.number, "status": a.order.get_status_display()}
            }
        )
    if location.pk not in {s.location_id for s in rows}:
        raise ValidationError(
            {"location": _("There is no %(product)s at %(loc)s.") % {"product": a.product.code, "loc": location}}
        )
    before = audit.snapshot(a, ["held_qty", "issued_qty"])
    take = min(a.held_qty, amount)
    a.held_qty -= take
    a.issued_qty += amount
    a.save(update_fields=["held_qty", "issued_qty"])
    _spread(rows, _held_total(a.product_id), pending={location.pk: -amount})
    movement = move(
        kind=MovementKind.ADJUSTMENT,
        item=a.product,
        location=location,
        quantity=-amount,
        by=by,
        date=date,
        reason=_("Issued for %(order)s from its allocated stock") % {"order": a.order.number},
        reference=reference or a.order.number,
        order=a.order,
    )
    audit.record(
        instance=a,
        action=AuditAction.UPDATE,
        by=by,
        changes=audit.diff(before, audit.snapshot(a, ["held_qty", "issued_qty"])),
        message=_("Issued %(qty)s from %(loc)s") % {"qty": fmt(amount), "loc": location},
        related=a.order,
    )
    return movement


@transaction.atomic
def end_allocation(*, product: Product, by: User, reason: str = "") -> int:
    """End the product's allocation (the stock is enough again): every allocation of it is removed, what it held
    is free stock again, the forecasts of the orders left short are cleared. Returns how many lines it had."""
    ensure_can(by, "inventory.change_stockallocation", _("You may not end an allocation."))
    rows = _locked_stock(product.pk)
    allocations = list(
        StockAllocation.objects.select_for_update(of=("self",)).filter(product=product).select_related("order")
    )
    if not allocations:
        raise ValidationError({"product": _("%(product)s is not under allocation.") % {"product": product.code}})
    for a in allocations:
        audit.record(
            instance=a,
            action=AuditAction.DELETE,
            by=by,
            changes={"quantity": [a.quantity, None], "held_qty": [a.held_qty, None]},
            message=(reason or "").strip()[:500] or _("Allocation of %(product)s ended") % {"product": product.code},
            related=a.order,
        )
    StockAllocation.objects.filter(pk__in=[a.pk for a in allocations]).delete()
    _spread(rows, ZERO)
    feed_forecasts({a.order_id for a in allocations}, by=by)
    return len(allocations)


# ---- order events (connected in InventoryConfig.ready) -----------------------------------------------------------


def on_order_moved(*, order: Order, old: str, new: str, by: User | None = None, **_kw: Any) -> None:
    """An order shipped, closed or cancelled gives back what its allocations hold."""
    if new not in ENDED_STATUSES:
        return
    rows = list(StockAllocation.objects.filter(order=order, held_qty__gt=0))
    if not rows:
        return
    for a in rows:
        audit.record(
            instance=a,
            action=AuditAction.UPDATE,
            by=by,
            changes={"held_qty": [a.held_qty, ZERO]},
            message=_("Released: order %(order)s is %(status)s") % {"order": order.number, "status": new},
            related=order,
        )
    StockAllocation.objects.filter(pk__in=[a.pk for a in rows]).update(held_qty=ZERO)
    for pid in sorted({a.product_id for a in rows}):
        _spread(_locked_stock(pid), _held_total(pid))


def on_order_changed(*, order: Order, by: User | None = None, **_kw: Any) -> None:
    """An order change (订单变更) may lower a line's quantity or remove it: an allocation never exceeds what is
    ordered, and the stock's reserved follows."""
    touched: set[int] = set()
    rows = list(StockAllocation.objects.filter(order=order).select_related("order_line"))
    for a in rows:
        room = max(a.order_line.quantity - a.base_qty, ZERO)
        if a.quantity <= room and a.held_qty <= room:
            continue
        before = audit.snapshot(a, ["quantity", "open_qty", "held_qty"])
        a.quantity = min(a.quantity, room)
        a.open_qty = min(a.open_qty, room)
        a.held_qty = min(a.held_qty, a.quantity)
        a.save(update_fields=["quantity", "open_qty", "held_qty"])
        audit.record(
            instance=a,
            action=AuditAction.UPDATE,
            by=by,
            changes=audit.diff(before, audit.snapshot(a, ["quantity", "open_qty", "held_qty"])),
            message=_("The order change lowered the line's quantity"),
            related=order,
        )
        touched.add(a.product_id)
    resync_reserved(touched or None)  # none touched: a removed line's allocation went with it; find the drift
    if rows:
        feed_forecasts([order.pk], by=by)
