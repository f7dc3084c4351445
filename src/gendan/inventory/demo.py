"""Demo data of the allocation of short stock (缺货分配): one or two finished products whose stock, received into the
finished-goods store, is below the open demand of several customers, allocated key customers first and confirmed,
the orders left short forecast by a make-up date. Built through the services, on top of the demo company."""

import datetime as dt
import random
from decimal import ROUND_DOWN, Decimal

from django.contrib.auth.models import Group

from gendan.catalog.models import Product
from gendan.core.choices import Role
from gendan.core.exceptions import GendanError
from gendan.core.models import User
from gendan.inventory import allocation, services
from gendan.inventory.choices import MovementKind
from gendan.inventory.models import Location, StockAllocation
from gendan.partners.choices import CustomerTier
from gendan.sales.models import OrderLine

FG_WAREHOUSE = "WH02"  # the demo's finished-goods store (成品仓)
RECEIPT_REASON = "成品入库 (生产完工)"
PRODUCTS = 2


def _manager() -> User | None:
    return (
        User.objects.filter(username="manager").first()
        or User.objects.filter(groups__in=Group.objects.filter(name=Role.MANAGER)).order_by("pk").first()
    )


def _fg_location() -> Location | None:
    place = (
        Location.objects.filter(warehouse__code=FG_WAREHOUSE, is_active=True)
        .select_related("warehouse")
        .order_by("code")
    ).first()
    if place is not None:
        return place
    try:
        return services.default_location()
    except GendanError:
        return None


def _candidates() -> list[Product]:
    """Products with open lines of at least two customers, one of them key, not under allocation; most lines first."""
    rows = (
        OrderLine.objects.filter(order__status__in=allocation.DEMAND_STATUSES)
        .values_list("product_id", "order__customer_id", "order__customer__tier")
        .order_by()
    )
    customers: dict[int, set[int]] = {}
    keyed: set[int] = set()
    for product_id, customer_id, tier in rows:
        customers.setdefault(product_id, set()).add(customer_id)
        if tier == CustomerTier.KEY:
            keyed.add(product_id)
    taken = set(StockAllocation.objects.values_list("product_id", flat=True))
    ids = [pid for pid, cs in customers.items() if len(cs) >= 2 and pid in keyed and pid not in taken]
    ids.sort(key=lambda pid: (-len(customers[pid]), pid))
    return list(Product.objects.filter(pk__in=ids[:10]))


def build_demo(*, today: dt.date, rng: random.Random) -> str:
    """Receive part of the open demand of one or two products into the finished-goods store and confirm their
    allocation; returns a one-line summary."""
    by, place = _manager(), _fg_location()
    if by is None or place is None:
        return "allocation: skipped (no manager or no warehouse)"
    done: list[str] = []
    short_lines = 0
    for product in _candidates():
        if len(done) >= PRODUCTS:
            break
        proposal = allocation.propose(product)
        if proposal.demand <= 0:
            continue
        share = Decimal(rng.randint(45, 75)) / 100
        floors = sum((d.in_shipments_floor for d in proposal.lines), Decimal(0))
        receive = (
            max((proposal.demand * share).quantize(Decimal(1), rounding=ROUND_DOWN), floors) - proposal.allocatable
        )
        if receive > 0:
            services.move(
                kind=MovementKind.RECEIPT,
                item=product,
                location=place,
                quantity=receive,
                by=by,
                reason=RECEIPT_REASON,
                reference=RECEIPT_REASON,
            )
        proposal = allocation.propose(product)
        left = proposal.allocatable
        quantities = []
        for d in proposal.lines:  # the proposal, raised where a planned shipment needs more
            q = min(max(d.proposed_quantity, d.in_shipments_floor), d.open_quantity, left)
            quantities.append({"order_line_id": d.order_line_id, "quantity": q})
            left -= q
        short = [d for d, q in zip(proposal.lines, quantities, strict=True) if q["quantity"] < d.open_quantity]
        if not done and short:
            # the first product is made up after the short orders' commitments: they show on the risk board
            make_up = max(d.committed_date for d in short) + dt.timedelta(days=rng.randint(7, 14))
        else:  # the second in time: short, but on track
            make_up = today + dt.timedelta(days=rng.randint(10, 20))
        make_up = max(make_up, today + dt.timedelta(days=1))
        try:
            rows = allocation.confirm_allocation(product=product, lines=quantities, by=by, make_up_date=make_up)
        except GendanError:
            continue
        done.append(product.code)
        short_lines += sum(1 for a in rows if a.quantity < a.open_qty)
    if not done:
        return "allocation: no product short"
    return f"allocation: {len(done)} short products allocated ({', '.join(done)}), {short_lines} order lines left short"
