"""Benchmark: the statistics (统计报表) over a 50,000-order company.

Setup (not timed, but reported), with bulk_create: 400 customers in five currencies looked after by 50 merchandisers,
600 products in 20 categories, 12 subcontract factories, and 50,000 orders spread over the last three years (about
three lines each; shipped and closed in the past, confirmed or in production lately, a few drafts and cancelled),
each with its ex-factory milestone (actual date: mostly on time, some late) and, for the late ones, a materials
milestone that slipped; a shipment out per delivered order, a subcontract order for a fifth of them; an invoice per
shipped order and receipts allocated to most; stock of 2,000 items in two warehouses with their receipts and issues;
monthly exchange rates. Then it times each report for the last year grouped by month, by customer, and by month and
customer (median of several runs; also the JSON endpoint for month × customer and the manager's key figures),
prints the figures and a summary against the target (1 s). Asserts no timing.

Embedded SQLite in a throwaway GENDAN_VAR_DIR by default; with DATABASE_URL (PostgreSQL) a throwaway test database.

Usage: .venv/bin/python bench/reports.py [--orders 50000] [--runs 5] [--seed 9] [--profile]
"""

import argparse
import cProfile
import datetime as dt
import io
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 1.0
BATCH = 5000
CURRENCIES = ["USD", "USD", "USD", "EUR", "EUR", "GBP", "JPY", "CNY"]
RATES = {"USD": 7.12, "EUR": 7.75, "GBP": 9.05, "JPY": 0.0478}


def _bulk(model: Any, rows: list[Any]) -> list[Any]:
    return model.objects.bulk_create(rows, batch_size=BATCH)


def build(args: argparse.Namespace) -> dict[str, Any]:
    """The company, written straight to the tables (the reports only read them)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from gendan.catalog.models import Material, Product, WorkCentre
    from gendan.core import clock
    from gendan.core.models import ExchangeRate, User
    from gendan.core.money import round_money
    from gendan.finance.models import Allocation, Invoice, Receipt
    from gendan.followup.models import Milestone
    from gendan.inventory.models import Location, Stock, StockMovement, Warehouse
    from gendan.partners.models import Customer, Supplier
    from gendan.production.models import ProductionNotice, SubcontractOrder
    from gendan.reports.fx import months_between
    from gendan.sales.models import Order, OrderLine
    from gendan.shipping.models import Shipment, ShipmentLine

    rng = random.Random(args.seed)
    today = clock.today()
    start = today - dt.timedelta(days=3 * 365)
    now = timezone.now()
    counts: dict[str, int] = {}
    with transaction.atomic():
        password = make_password(None)
        merchandisers = _bulk(User, [User(username=f"rep_m{i:02d}", password=password) for i in range(50)])
        manager = User.objects.create(username="rep_manager", password=password)
        manager.groups.add(Group.objects.get(name="manager"))
        customers = _bulk(
            Customer,
            [
                Customer(
                    code=f"RC{i:04d}",
                    name=f"统计客户{i}",
                    name_en=f"Customer {i}",
                    country=rng.choice(["US", "DE", "GB", "JP", "FR", "AU", "CN", "NL"]),
                    currency=rng.choice(CURRENCIES),
                    merchandiser=rng.choice(merchandisers),
                )
                for i in range(400)
            ],
        )
        products = _bulk(
            Product,
            [Product(code=f"RP{i:04d}", name=f"产品{i}", category=f"Category {i % 20:02d}") for i in range(600)],
        )
        suppliers = _bulk(
            Supplier, [Supplier(code=f"RF{i:02d}", name=f"外协厂{i}", kind="subcontract") for i in range(12)]
        )
        factories = _bulk(
            WorkCentre,
            [
                WorkCentre(code=f"RF{i:02d}", name=f"Factory {i}", kind="factory", supplier=s, daily_capacity=8)
                for i, s in enumerate(suppliers)
            ],
        )
        _bulk(
            ExchangeRate,
            [
                ExchangeRate(currency=c, month=m, rate=Decimal(str(round(r * rng.uniform(0.97, 1.03), 6))))
                for c, r in RATES.items()
                for m in months_between(start, today)
            ],
        )

        # orders and their lines
        span = (today - start).days
        orders = []
        for n in range(args.orders):
            customer = rng.choice(customers)
            order_date = start + dt.timedelta(days=rng.randint(0, span))
            ex_factory = order_date + dt.timedelta(days=rng.randint(30, 90))
            if order_date > today - dt.timedelta(days=15) and rng.random() < 0.3:
                status = "draft"
            elif rng.random() < 0.03:
                status = "cancelled"
            elif ex_factory < today - dt.timedelta(days=10):
                status = "closed" if rng.random() < 0.6 else "shipped"
            else:
                status = rng.choice(["confirmed", "in_production", "ready_to_ship"])
            orders.append(
                Order(
                    number=f"RS-{n:06d}",
                    customer=customer,
                    order_date=order_date,
                    currency=customer.currency,
                    incoterm="FOB",
                    ex_factory_date=ex_factory,
                    merchandiser_id=customer.merchandiser_id,
                    status=status,
                )
            )
        orders = _bulk(Order, orders)
        lines, totals = [], {}
        for order in orders:
            qty_total, amount_total = Decimal(0), Decimal(0)
            for position in range(1, rng.choice([1, 2, 3, 3, 4, 5]) + 1):
                qty = Decimal(rng.randint(1, 200) * 10)
                price = Decimal(rng.randint(50, 5000)) / 100
                amount = round_money(qty * price, order.currency)
                lines.append(
                    OrderLine(
                        order=order,
                        position=position,
                        product=rng.choice(products),
                        quantity=qty,
                        unit="pcs",
                        unit_price=price,
                        amount=amount,
                    )
                )
                qty_total += qty
                amount_total += amount
            totals[order.pk] = (qty_total, amount_total)
        lines = _bulk(OrderLine, lines)
        for order in orders:
            order.total_qty, order.total_amount = totals[order.pk]
        Order.objects.bulk_update(orders, ["total_qty", "total_amount"], batch_size=BATCH)
        counts["orders"], counts["lines"] = len(orders), len(lines)

        # delivery: the ex-factory milestone, a slipped materials milestone for the late ones, a shipment out
        lines_of: dict[int, list[Any]] = {}
        for line in lines:
            lines_of.setdefault(line.order_id, []).append(line)
        milestones, shipments, shipment_lines, notices = [], [], [], []
        for order in orders:
            if order.status in ("draft", "cancelled"):
                continue
            late = rng.random() < 0.18
            delivered = order.status in ("shipped", "closed") or (order.ex_factory_date < today and rng.random() < 0.5)
            actual = None
            if delivered:
                shift = rng.randint(1, 20) if late else -rng.randint(0, 5)
                actual = min(order.ex_factory_date + dt.timedelta(days=shift), today)
            milestones.append(
                Milestone(
                    order=order, code="EXF", name_zh="出厂", name_en="Ex-factory", owner_id=order.merchandiser_id,
                    planned_date=order.ex_factory_date, forecast_date=actual or order.ex_factory_date,
                    actual_date=actual, is_ex_factory=True, position=12,
                )
            )  # fmt: skip
            if late:
                planned = order.ex_factory_date - dt.timedelta(days=20)
                milestones.append(
                    Milestone(
                        order=order, code="MIH", name_zh="物料到齐", name_en="Materials in house",
                        owner_id=order.merchandiser_id, planned_date=planned, forecast_date=planned,
                        actual_date=min(planned + dt.timedelta(days=rng.randint(3, 15)), today), position=5,
                    )
                )  # fmt: skip
            if actual is not None:
                shipments.append(
                    Shipment(
                        number=f"RSH-{order.pk}", customer_id=order.customer_id, incoterm="FOB",
                        currency=order.currency, planned_ex_factory_date=order.ex_factory_date, status="departed",
                        loaded_date=actual, departed_date=actual,
                    )
                )  # fmt: skip
            if rng.random() < 0.2:
                notices.append(
                    ProductionNotice(
                        number=f"RPN-{order.pk}", order=order, product_id=lines_of[order.pk][0].product_id,
                        quantity=order.total_qty, due_date=order.ex_factory_date,
                    )
                )  # fmt: skip
        _bulk(Milestone, milestones)
        shipments = _bulk(Shipment, shipments)
        order_of_shipment = {s.pk: int(s.number.split("-")[1]) for s in shipments}
        for s in shipments:
            for line in lines_of[order_of_shipment[s.pk]]:
                short = rng.random() < 0.05
                qty = (line.quantity * Decimal("0.8")).quantize(Decimal(1)) if short else line.quantity
                shipment_lines.append(ShipmentLine(shipment=s, position=line.position, order_line=line, quantity=qty))
        _bulk(ShipmentLine, shipment_lines)
        notices = _bulk(ProductionNotice, notices)
        _bulk(
            SubcontractOrder,
            [
                SubcontractOrder(
                    number=f"RSC-{n.pk}", notice=n, order_id=n.order_id, factory=rng.choice(factories),
                    first_position=1, last_position=1, quantity=n.quantity,
                    send_date=n.due_date - dt.timedelta(days=20), due_date=n.due_date - dt.timedelta(days=3),
                    owner_id=merchandisers[0].pk, status="received",
                )
                for n in notices
            ],
        )  # fmt: skip
        counts["milestones"], counts["shipment lines"] = len(milestones), len(shipment_lines)

        # cash: an invoice per shipped order, most paid by a receipt allocated to it
        order_by_id = {o.pk: o for o in orders}
        invoices = []
        for s in shipments:
            order_id = order_of_shipment[s.pk]
            qty, amount = totals[order_id]
            issue = s.loaded_date
            invoices.append(
                Invoice(
                    number=f"RIN-{order_id}", kind="shipment", customer_id=s.customer_id, order_id=order_id,
                    currency=s.currency, amount=amount, issue_date=issue,
                    due_date=issue + dt.timedelta(days=rng.choice([0, 30, 45, 60, 90])), due_basis="bl",
                    merchandiser_id=order_by_id[order_id].merchandiser_id,
                )
            )  # fmt: skip
        invoices = _bulk(Invoice, invoices)
        receipts, paid = [], []
        for invoice in invoices:
            settled = invoice.due_date + dt.timedelta(days=rng.randint(-10, 40))
            if settled > today or rng.random() < 0.1:
                continue
            part = invoice.amount if rng.random() < 0.9 else round_money(invoice.amount / 2, invoice.currency)
            receipts.append(
                Receipt(
                    number=f"RRC-{invoice.pk}", customer_id=invoice.customer_id, currency=invoice.currency,
                    amount=part, allocated_amount=part, fx_rate=Decimal(str(RATES.get(invoice.currency, 1))),
                    received_date=settled,
                )
            )  # fmt: skip
            paid.append((invoice, part, settled))
        receipts = _bulk(Receipt, receipts)
        _bulk(
            Allocation,
            [
                Allocation(receipt=r, invoice=inv, amount=part, allocated_date=day, created_at=now)
                for r, (inv, part, day) in zip(receipts, paid, strict=True)
            ],
        )
        for inv, part, _day in paid:
            inv.paid_amount = part
            inv.status = "paid" if part == inv.amount else "partially_paid"
        Invoice.objects.bulk_update([p[0] for p in paid], ["paid_amount", "status"], batch_size=BATCH)
        counts["invoices"], counts["receipts"] = len(invoices), len(receipts)

        # stock
        houses = _bulk(Warehouse, [Warehouse(code="RFG", name="Finished goods"), Warehouse(code="RMAT", name="Mats")])
        locations = _bulk(Location, [Location(warehouse=h, code=f"L{i}") for h in houses for i in range(5)])
        materials = _bulk(
            Material,
            [
                Material(code=f"RM{i:04d}", name=f"物料{i}", purchase_price=Decimal(rng.randint(10, 9000)) / 100,
                         purchase_currency=rng.choice(["CNY", "CNY", "USD"]))
                for i in range(1400)
            ],
        )  # fmt: skip
        stock, moves = [], []
        for item in [*products, *materials]:
            location = rng.choice(locations)
            on_hand = Decimal(0)
            for _n in range(rng.randint(1, 12)):
                qty = Decimal(rng.randint(-50, 200))
                if on_hand + qty < 0:
                    qty = -on_hand
                on_hand += qty
                key = {"product": item} if isinstance(item, Product) else {"material": item}
                moves.append(
                    StockMovement(
                        kind="receipt" if qty >= 0 else "issue", location=location, quantity=qty,
                        balance_after=on_hand, date=today - dt.timedelta(days=rng.randint(0, 700)),
                        created_at=now, **key,
                    )
                )  # fmt: skip
            key = {"product": item} if isinstance(item, Product) else {"material": item}
            stock.append(Stock(location=location, on_hand=on_hand, reserved=min(on_hand, Decimal(10)), **key))
        _bulk(Stock, stock)
        _bulk(StockMovement, moves)
        counts["stock rows"], counts["movements"] = len(stock), len(moves)
    return {"manager": manager, "counts": counts}


def extra_benchmarks(args: argparse.Namespace, world: dict[str, Any], timed: Callable[..., Any]) -> None:
    """The allocation proposal of short stock over 2,000 open lines of one product (target 200 ms): bench/allocation.py
    builds its product, customers and orders in this same database, beside the reports' data set."""
    import allocation as allocation_bench

    from gendan.inventory import allocation

    made = allocation_bench.build(argparse.Namespace(lines=2000, customers=300, runs=args.runs, seed=9))
    timed("allocation proposal, 2,000 open lines", lambda: allocation.propose(made["product"]), target=0.2)


def run(args: argparse.Namespace) -> None:
    from django.test import Client

    from gendan.core import clock
    from gendan.core.services import create_token
    from gendan.reports import selectors

    t0 = time.perf_counter()
    world = build(args)
    print(
        "setup: "
        + ", ".join(f"{n:,} {what}" for what, n in world["counts"].items())
        + f"; built in {time.perf_counter() - t0:.1f} s"
    )
    today = clock.today()
    start, end = selectors.default_period(today)
    print(f"period: {start} to {end} (the last 12 months)")
    results: list[tuple[str, float, float]] = []

    def timed(label: str, fn: Callable[[], Any], *, target: float = TARGET_S) -> Any:
        fn()  # warm-up
        times, result = [], None
        for _ in range(args.runs):
            t = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t)
        median = statistics.median(times)
        rows = len(result.rows) if hasattr(result, "rows") else "-"
        print(f"  {label:<52} median {median * 1000:7.1f} ms  max {max(times) * 1000:7.1f} ms  rows {rows}")
        results.append((label, median, target))
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(fn)
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(12)
            print(out.getvalue())
        return result

    period = {"date_from": start, "date_to": end}
    for group in ("month", "customer", "month,customer"):
        timed(f"sales by {group}", lambda g=group: selectors.sales_report(**period, group_by=g))
    for group in ("month", "customer", "month,customer"):
        timed(f"collection by {group}", lambda g=group: selectors.collection_report(**period, group_by=g))
    for group in ("month", "customer", "month,customer"):
        timed(f"delivery by {group}", lambda g=group: selectors.delivery_report(**period, group_by=g))
    for group in ("item,warehouse", "category"):
        timed(f"inventory by {group}", lambda g=group: selectors.inventory_report(**period, group_by=g))
    timed("manager's key figures", lambda: selectors.key_figures())
    _token, key = create_token(user=world["manager"], name="bench")
    client = Client()
    headers = {"Authorization": f"Bearer {key}"}
    url = f"/api/v1/reports/sales?from={start}&to={end}&group_by=month,customer"
    timed("GET /api/v1/reports/sales?group_by=month,customer", lambda: client.get(url, headers=headers))

    extra_benchmarks(args, world, timed)

    print("summary:")
    for label, median, target in results:
        verdict = "ok" if median < target else "OVER"
        print(f"  {verdict:<4} {label:<52} {median * 1000:7.1f} ms (target {target * 1000:.0f} ms)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--profile", action="store_true", help="also profile one run of each measured call")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    from benchdb import throwaway_database

    with throwaway_database("reports") as where:
        print(f"database: {where}")
        run(args)


if __name__ == "__main__":
    main()
