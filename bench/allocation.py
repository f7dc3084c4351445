"""Benchmark: an allocation proposal of short stock (缺货分配) over 2,000 open order lines of one product.

Setup (not timed, but reported): 300 customers (a fifth of them key), 2,000 confirmed orders (confirmed, in
production or ready to ship) each with a line of the benchmarked product and one of another product, 400 shipments
holding part of those lines (half loaded, half still planned), and finished-goods stock of 60 % of the open demand
at three locations — built with bulk_create, then ANALYZE. Then it times `allocation.propose()` before any
allocation and once the product is under allocation, and `POST /api/v1/allocations/propose` through Django's test
client, and prints the median and p95 of each; it also times one confirmation of the whole proposal (2,000 lines
written and audited). Target: proposal under 200 ms. Asserts no timing.

Usage: .venv/bin/python bench/allocation.py [--lines 2000] [--customers 300] [--runs 15] [--seed 9]
(DATABASE_URL=postgres://... for PostgreSQL: a throwaway test database on that server)
"""

import argparse
import datetime as dt
import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from benchdb import throwaway_database

TARGET_MS = 200.0
STATUSES = ["confirmed", "in_production", "in_production", "ready_to_ship"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def build(args: argparse.Namespace) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction

    from gendan.catalog.models import Product
    from gendan.core import clock
    from gendan.core.models import User
    from gendan.inventory import services as inventory
    from gendan.inventory.models import Stock
    from gendan.partners.models import Customer
    from gendan.sales.models import Order, OrderLine
    from gendan.shipping.models import Shipment, ShipmentLine

    rng = random.Random(args.seed)
    today = clock.today()
    with transaction.atomic():
        manager = User.objects.create(username="alloc_boss", password=make_password(None))
        manager.groups.add(Group.objects.get(name="manager"))
        merchandisers = User.objects.bulk_create(
            [User(username=f"alloc_m{i:02d}", password=make_password(None)) for i in range(12)]
        )
        customers = Customer.objects.bulk_create(
            [
                Customer(
                    code=f"ALC{i:04d}",
                    name=f"分配客户{i}",
                    country="US",
                    currency="USD",
                    tier="key" if rng.random() < 0.2 else rng.choice(["normal", "normal", "normal", "prospect"]),
                    merchandiser=rng.choice(merchandisers),
                )
                for i in range(args.customers)
            ]
        )
        product, other = Product.objects.bulk_create(
            [Product(code="BENCH-TOWEL", name="浴巾", unit="pcs"), Product(code="BENCH-MAT", name="地垫", unit="pcs")]
        )
        orders = Order.objects.bulk_create(
            [
                Order(
                    number=f"ALC-{n:06d}",
                    customer=customer,
                    order_date=today - dt.timedelta(days=rng.randint(0, 120)),
                    currency="USD",
                    incoterm="FOB",
                    ex_factory_date=today + dt.timedelta(days=rng.randint(-10, 120)),
                    merchandiser_id=customer.merchandiser_id,
                    status=rng.choice(STATUSES),
                    total_qty=Decimal(0),
                    total_amount=Decimal(0),
                )
                for n, customer in enumerate(rng.choices(customers, k=args.lines))
            ],
            batch_size=1000,
        )
        lines = OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=o,
                    position=k + 1,
                    product=p,
                    quantity=Decimal(rng.randrange(100, 3000, 50)),
                    unit="pcs",
                    unit_price=Decimal("2.50"),
                    amount=Decimal(0),
                )
                for o in orders
                for k, p in enumerate((product, other))
            ],
            batch_size=2000,
        )
        ours = [line for line in lines if line.product_id == product.pk]
        shipped = rng.sample(ours, 400)
        shipments = Shipment.objects.bulk_create(
            [
                Shipment(
                    number=f"ALC-SH-{i:05d}",
                    customer_id=line.order.customer_id,
                    incoterm="FOB",
                    currency="USD",
                    planned_ex_factory_date=today,
                    status="loaded" if i % 2 else "planned",
                )
                for i, line in enumerate(shipped)
            ]
        )
        ShipmentLine.objects.bulk_create(
            [
                ShipmentLine(shipment=s, position=1, order_line=line, quantity=(line.quantity / 2).quantize(Decimal(1)))
                for s, line in zip(shipments, shipped, strict=True)
            ]
        )
        warehouse = inventory.create_warehouse(
            by=manager, data={"code": "FG", "name": "Finished goods"}, locations=("A", "B", "C")
        )
        demand = sum((line.quantity for line in ours), Decimal(0))
        stock = (demand * Decimal("0.6")).quantize(Decimal(1))
        Stock.objects.bulk_create(
            [
                Stock(location=loc, product=product, on_hand=(stock / 3).quantize(Decimal(1)))
                for loc in warehouse.locations.all()
            ]
        )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics after the bulk inserts, as autovacuum would give them
    return {"product": product, "manager": manager}


def run(args: argparse.Namespace) -> None:
    from django.test import Client

    from gendan.core.services import create_token
    from gendan.inventory import allocation

    t0 = time.perf_counter()
    world = build(args)
    product, manager = world["product"], world["manager"]
    first = allocation.propose(product)
    print(
        f"setup: {len(first.lines):,} open lines of {product.code} over {args.customers} customers; on hand "
        f"{first.on_hand:,.0f}, open demand {first.demand:,.0f}, shortfall {first.shortfall:,.0f}; built in "
        f"{time.perf_counter() - t0:.1f} s"
    )

    def timed(fn: Callable[[], Any], runs: int = args.runs) -> tuple[list[float], Any]:
        times, result = [], None
        for _ in range(runs):
            t = time.perf_counter()
            result = fn()
            times.append((time.perf_counter() - t) * 1000)
        return times, result

    def figures(times: list[float]) -> str:
        return (
            f"median {statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms (target {TARGET_MS:.0f})"
        )

    times, p = timed(lambda: allocation.propose(product))
    print(f"proposal, not yet allocated x{args.runs} ({len(p.lines)} lines): {figures(times)}")
    t = time.perf_counter()
    done = allocation.confirm_proposal(
        product=product, by=manager, make_up_date=p.lines[0].committed_date + dt.timedelta(days=60)
    )
    elapsed = (time.perf_counter() - t) * 1000
    print(f"confirm the whole proposal once ({len(done)} lines written and audited): {elapsed:.0f} ms")
    times, p = timed(lambda: allocation.propose(product))
    print(f"proposal, under allocation x{args.runs} ({len(p.lines)} lines): {figures(times)}")
    _token, key = create_token(user=manager, name="bench")
    client = Client()
    headers = {"Authorization": f"Bearer {key}"}

    def api() -> Any:
        return client.post(
            "/api/v1/allocations/propose", {"product_id": product.pk}, content_type="application/json", headers=headers
        )

    api()
    times, response = timed(api)
    print(f"POST /api/v1/allocations/propose x{args.runs} ({response.status_code}): {figures(times)}")
    times, rows = timed(lambda: allocation.short_stock(), runs=max(3, args.runs // 3))
    print(
        f"short-stock list x{max(3, args.runs // 3)} ({len(rows)} products): median {statistics.median(times):.1f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=2000)
    ap.add_argument("--customers", type=int, default=300)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--seed", type=int, default=9)
    args = ap.parse_args()
    with throwaway_database("allocation") as where:
        print(f"database: {where}")
        run(args)


if __name__ == "__main__":
    main()
