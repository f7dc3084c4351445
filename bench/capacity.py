"""Benchmark: the capacity check (能否按期交货?) against a full plan.

Setup (not timed, but reported): 30 work centres (cutting, sewing, finishing, packing lines of 8 to 24 hours a
day) and two subcontract factories, 200 products with routings of 5 operations, and 1,000 released notices
of 5 operations each — 5,000 scheduled operations — placed one after the other by the scheduler in due-date order,
their daily loads stored as the plan (`PlanLoad`). Then it times 200 capacity checks of random products, quantities
and due dates (about a third cannot be met, so the measures are computed too) and prints the median and p95, and
the same for `POST /api/v1/capacity-check` through Django's test client. Target: under 50 ms median. Asserts no
timing.

Usage: .venv/bin/python bench/capacity.py [--centres 30] [--notices 1000] [--checks 200] [--seed 5]
(DATABASE_URL=postgres://... for PostgreSQL: a throwaway test database on that server)
"""

import argparse
import datetime as dt
import random
import statistics
import time
from decimal import Decimal

from benchdb import throwaway_database

TARGET_MS = 50.0


def build(args: argparse.Namespace) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from gendan.catalog.models import Product, RoutingStep, WorkCentre
    from gendan.catalog.selectors import day_capacity
    from gendan.core import clock
    from gendan.core.models import User
    from gendan.partners.models import Customer, Supplier
    from gendan.production import services
    from gendan.production.models import PlanLoad, ProductionNotice
    from gendan.production.scheduler import schedule
    from gendan.sales.choices import OrderStatus
    from gendan.sales.models import Order

    rng = random.Random(args.seed)
    today = clock.today()
    with transaction.atomic():
        user = User.objects.create(username="cap_bench", password=make_password(None))
        customer = Customer.objects.create(code="CAPC", name="产能客户", country="US", currency="USD")
        kinds = ["裁床", "车缝", "整烫", "包装"]
        centres = WorkCentre.objects.bulk_create(
            [
                WorkCentre(
                    code=f"WC{i:02d}",
                    name=f"{kinds[i % 4]}{i // 4 + 1}线",
                    daily_capacity=Decimal(rng.choice([8, 10, 16, 20, 24])),
                    max_overtime_hours=Decimal(rng.choice([2, 3, 4])),
                )
                for i in range(args.centres)
            ]
        )
        for i in range(2):
            supplier = Supplier.objects.create(code=f"CAPF{i}", name=f"外协厂{i}", kind="subcontract")
            WorkCentre.objects.create(
                code=f"F{i}",
                name=f"外协厂{i}",
                kind="factory",
                supplier=supplier,
                capacity_unit="units",
                daily_capacity=Decimal(800),
                product_family="",
            )
        products = Product.objects.bulk_create(
            [Product(code=f"CP{i:04d}", name=f"产能产品{i}", unit="pcs") for i in range(args.products)]
        )
        steps = []
        for product in products:
            for position in range(1, 6):  # five operations each: 1,000 notices are 5,000 scheduled operations
                steps.append(
                    RoutingStep(
                        product=product,
                        position=position,
                        name=f"工序{position}",
                        work_centre=rng.choice(centres),
                        minutes_per_unit=Decimal(rng.choice(["0.5", "1", "1.5", "2", "3"])),
                        setup_minutes=Decimal(rng.choice([0, 15, 30, 60])),
                    )
                )
        RoutingStep.objects.bulk_create(steps)
        order = Order.objects.create(
            number="CAP-0001",
            customer=customer,
            order_date=today,
            currency="USD",
            incoterm="FOB",
            ex_factory_date=today + dt.timedelta(days=200),
            merchandiser=user,
            status=OrderStatus.CONFIRMED,
        )
        # 1,000 notices of 5 operations, scheduled in due-date order like releases would
        notices = []
        for i in range(args.notices):
            notices.append(
                ProductionNotice(
                    number=f"PN-B{i:05d}",
                    order=order,
                    product=rng.choice(products),
                    quantity=Decimal(rng.choice([200, 300, 500, 800])),
                    due_date=today + dt.timedelta(days=rng.randint(10, 180)),
                    status="released",
                )
            )
        ProductionNotice.objects.bulk_create(notices)
        notices.sort(key=lambda n: n.due_date)
        start, end = today, today + dt.timedelta(days=540)
        days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        capacity = day_capacity([c.pk for c in centres], start, end)
        used: dict = {}
        rows, operations = [], 0
        jobs = {p.pk: services.job_for(p, Decimal(1)) for p in products}
        for notice in notices:
            job = jobs[notice.product_id]
            ops = job.ops(notice.quantity)[:5]
            operations += len(ops)
            result = schedule(ops, days=days, capacity=capacity, used=used)
            for slot in result.slots:
                used[(slot.work_centre, slot.day)] = used.get((slot.work_centre, slot.day), Decimal(0)) + slot.amount
                rows.append(
                    PlanLoad(
                        notice=notice,
                        position=slot.position,
                        work_centre_id=slot.work_centre,
                        date=slot.day,
                        load=slot.amount,
                        quantity=notice.quantity,
                        due_date=notice.due_date,
                    )
                )
        PlanLoad.objects.bulk_create(rows, batch_size=2000)
    return {"products": products, "operations": operations, "loads": len(rows), "today": today, "user": user}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test import Client

    from gendan.core.services import create_token
    from gendan.production import services

    t0 = time.perf_counter()
    world = build(args)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"setup: {args.centres} work centres, {len(world['products'])} products, {args.notices} notices = "
        f"{world['operations']} scheduled operations ({world['loads']} daily loads) in {time.perf_counter() - t0:.1f} s"
    )
    rng = random.Random(args.seed + 1)
    cases = [
        (
            rng.choice(world["products"]),
            Decimal(rng.choice([300, 1000, 3000, 6000])),
            world["today"] + dt.timedelta(days=rng.randint(7, 120)),
        )
        for _ in range(args.checks)
    ]
    timings, late = [], 0
    for product, quantity, due in cases:
        t = time.perf_counter()
        result = services.capacity_check(product=product, quantity=quantity, due_date=due)
        timings.append((time.perf_counter() - t) * 1000)
        late += not result.feasible
    print(
        f"capacity_check x{args.checks} ({late} not met, with measures): median {statistics.median(timings):.1f} ms, "
        f"p95 {percentile(timings, 0.95):.1f} ms, max {max(timings):.1f} ms (target < {TARGET_MS:.0f} ms median)"
    )
    from django.contrib.auth.models import Group

    from gendan.core.choices import Role

    world["user"].groups.add(Group.objects.get(name=Role.PLANNER))
    _token, key = create_token(user=world["user"], name="bench")
    client = Client()
    api = []
    for product, quantity, due in cases[:100]:
        t = time.perf_counter()
        res = client.post(
            "/api/v1/capacity-check",
            {"product_id": product.pk, "quantity": str(quantity), "due_date": due.isoformat()},
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
        )
        api.append((time.perf_counter() - t) * 1000)
        assert res.status_code == 200, res.content
    print(
        f"POST /api/v1/capacity-check x100: median {statistics.median(api):.1f} ms, p95 {percentile(api, 0.95):.1f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--centres", type=int, default=30)
    ap.add_argument("--products", type=int, default=200)
    ap.add_argument("--notices", type=int, default=1000)
    ap.add_argument("--checks", type=int, default=200)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    with throwaway_database("capacity") as where:
        print(f"database: {where}")
        run(args)


if __name__ == "__main__":
    main()
