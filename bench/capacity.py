"""Benchmark: the capacity check (能否按期交货?) against a full plan.

Setup (not timed, but reported): 30 work centres (cutting, sewing, finishing, packing lines of 8 to 24 hours a
day) and two subcontract factories, 200 products with routings of 5 operations, and 1,000 released notices
of 5 operations each — 5,000 scheduled operations — placed one after the other by the scheduler in due-date order,
their daily loads stored as the plan (`PlanLoad`). Then it times 200 capacity checks of random products, quantities
and due dates (about a third cannot be met, so the measures are computed too) and prints the median and p95, and
the same for `POST /api/v1/capacity-check` through Django's test client. Target: under 50 ms median. Asserts no
timing.

Part two, the plan-progress tracking table (生产计划进度跟踪表) of every order in production: 2,000 orders in
production with released notices (a fifth of them two), a two-operation plan each, and 90 working days of daily
reports (the last operation every day, the first one every other day: ~1.5 report rows per notice and day), built
with bulk_create. It times `tracking_table()` for every order, the tracking page's first page through Django's test
client, and `progress(order)` of single orders among them (median and p95). Part one's notices are cancelled first,
so the table holds part two's orders only.

Usage: .venv/bin/python bench/capacity.py [--centres 30] [--notices 1000] [--checks 200] [--seed 5]
       [--orders 2000] [--days 90] [--runs 7] [--skip-capacity] [--skip-tracking]
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


# ---- part two: the plan-progress tracking table of every order in production -------------------------------------


def build_tracking(args: argparse.Namespace) -> dict:
    """2,000 orders in production, a released notice each (a fifth two), two operations planned on the working days
    from 90 working days ago to their planned finish, and a daily report of each working day so far."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction

    from gendan.catalog.models import Product, RoutingStep, WorkCentre
    from gendan.core import clock
    from gendan.core.calendar import company_calendar
    from gendan.core.choices import Role
    from gendan.core.models import User
    from gendan.partners.models import Customer
    from gendan.production.models import DailyReport, PlanLoad, ProductionNotice
    from gendan.sales.choices import OrderStatus
    from gendan.sales.models import Order

    rng = random.Random(args.seed + 2)
    today = clock.today()
    now = clock.now()
    calendar = company_calendar()
    first_day = calendar.add(today, -(args.days - 1))  # the first of the days reported so far
    counts = {"loads": 0, "reports": 0}
    with transaction.atomic():
        ProductionNotice.objects.filter(status="released").update(status="cancelled")  # part one's plan
        users = User.objects.bulk_create(
            [User(username=f"trk_mer{i}", password=make_password(None)) for i in range(10)]
        )
        planner = User.objects.create(username="trk_pmc", password=make_password(None))
        planner.groups.add(Group.objects.get(name=Role.PLANNER))
        customers = Customer.objects.bulk_create(
            [Customer(code=f"TC{i:03d}", name=f"跟踪客户{i}", country="US", currency="USD") for i in range(50)]
        )
        cutting = WorkCentre.objects.bulk_create(
            [WorkCentre(code=f"TCUT{i}", name=f"裁床{i}", daily_capacity=Decimal(16)) for i in range(4)]
        )
        sewing = WorkCentre.objects.bulk_create(
            [WorkCentre(code=f"TSEW{i:02d}", name=f"车缝{i}线", daily_capacity=Decimal(20)) for i in range(12)]
        )
        products = Product.objects.bulk_create(
            [Product(code=f"TP{i:03d}", name=f"跟踪产品{i}", unit="pcs") for i in range(100)]
        )
        steps = []
        for product in products:
            steps.append(
                RoutingStep(
                    product=product,
                    position=1,
                    name="裁",
                    work_centre=rng.choice(cutting),
                    minutes_per_unit=Decimal("0.5"),
                )
            )
            steps.append(
                RoutingStep(
                    product=product, position=2, name="车", work_centre=rng.choice(sewing), minutes_per_unit=Decimal(2)
                )
            )
        RoutingStep.objects.bulk_create(steps)
        route = {s.product_id: [] for s in steps}
        for step in steps:
            route[step.product_id].append(step.work_centre_id)
        orders = Order.objects.bulk_create(
            [
                Order(
                    number=f"TRK-{i:05d}",
                    customer=rng.choice(customers),
                    order_date=first_day - dt.timedelta(days=30),
                    currency="USD",
                    incoterm="FOB",
                    ex_factory_date=today,  # set below from the plan
                    merchandiser=rng.choice(users),
                    status=OrderStatus.IN_PRODUCTION,
                )
                for i in range(args.orders)
            ],
            batch_size=1000,
        )
        notices = []
        for order in orders:
            for _line in range(2 if rng.random() < 0.2 else 1):
                span = rng.randint(args.days + 10, args.days + 50)  # working days of the plan
                notices.append(
                    ProductionNotice(
                        number=f"PN-T{len(notices):06d}",
                        order=order,
                        product=rng.choice(products),
                        quantity=Decimal(rng.choice([40, 60, 100, 150]) * span),
                        due_date=today,
                        status="released",
                        planned_start=first_day,
                        planned_finish=calendar.add(first_day, span - 1),
                    )
                )
        ProductionNotice.objects.bulk_create(notices, batch_size=1000)
        finish: dict[int, dt.date] = {}
        loads, reports = [], []
        for notice in notices:
            days = [first_day]
            while days[-1] < notice.planned_finish:
                days.append(calendar.add(days[-1], 1))
            per_day = (notice.quantity / len(days)).quantize(Decimal("0.001"))
            pace = rng.choice([0.7, 0.85, 0.95, 1.0, 1.0, 1.05])  # some lines run behind their plan
            first_wc, last_wc = route[notice.product_id]
            for day in days:
                for position, wc in ((1, first_wc), (2, last_wc)):
                    loads.append(
                        PlanLoad(
                            notice=notice,
                            position=position,
                            work_centre_id=wc,
                            date=day,
                            load=Decimal(8),
                            quantity=per_day,
                            due_date=notice.due_date,
                        )
                    )
                if day > today:
                    continue
                good = (per_day * Decimal(str(pace * rng.uniform(0.85, 1.15)))).quantize(Decimal(1))
                centres = [(last_wc, good)] + ([(first_wc, per_day)] if day.toordinal() % 2 else [])
                for wc, qty in centres:
                    reports.append(
                        DailyReport(
                            date=day,
                            work_centre_id=wc,
                            notice=notice,
                            order_id=notice.order_id,
                            good_qty=qty,
                            defect_qty=(qty * Decimal("0.02")).quantize(Decimal(1)),
                            scrap_qty=(qty * Decimal("0.005")).quantize(Decimal(1)),
                            hours=Decimal(8),
                            headcount=12,
                            reported_by="bench",
                            created_at=now,
                        )
                    )
            finish[notice.order_id] = max(finish.get(notice.order_id, days[-1]), days[-1])
            if len(loads) > 50_000:
                PlanLoad.objects.bulk_create(loads, batch_size=5000)
                counts["loads"] += len(loads)
                loads = []
            if len(reports) > 50_000:
                DailyReport.objects.bulk_create(reports, batch_size=5000)
                counts["reports"] += len(reports)
                reports = []
        PlanLoad.objects.bulk_create(loads, batch_size=5000)
        DailyReport.objects.bulk_create(reports, batch_size=5000)
        counts["loads"] += len(loads)
        counts["reports"] += len(reports)
        for order in orders:  # the committed ex-factory date: a few days either side of the plan's finish
            order.ex_factory_date = finish[order.pk] + dt.timedelta(days=rng.randint(-5, 20))
        Order.objects.bulk_update(orders, ["ex_factory_date"], batch_size=1000)
    return {"orders": orders, "notices": len(notices), "planner": planner, **counts}


def run_tracking(args: argparse.Namespace) -> None:
    from django.db import connection, reset_queries
    from django.test import Client, override_settings

    from gendan.production import services
    from gendan.production.selectors import tracking_table

    t0 = time.perf_counter()
    world = build_tracking(args)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"setup: {len(world['orders'])} orders in production, {world['notices']} released notices, "
        f"{world['loads']} planned loads, {world['reports']} daily report rows ({args.days} working days) "
        f"in {time.perf_counter() - t0:.1f} s"
    )

    def timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
        result, times = None, []
        for _ in range(runs):
            t = time.perf_counter()
            result = fn()
            times.append((time.perf_counter() - t) * 1000)
        return times, result

    def figures(times: list[float], places: int = 0) -> str:
        return f"median {statistics.median(times):.{places}f} ms, p95 {percentile(times, 0.95):.{places}f} ms"

    from django.conf import settings

    settings.DEBUG = True  # count the statements of one call
    reset_queries()
    rows = tracking_table()
    statements = len(connection.queries)
    settings.DEBUG = False
    late = sum(1 for r in rows if r.is_forecast_late or r.is_stalled)
    behind = sum(1 for r in rows if r.is_behind)
    table, _rows = timed(tracking_table, args.runs)
    if args.profile:
        import cProfile
        import pstats

        cProfile.runctx("tracking_table()", globals(), {"tracking_table": tracking_table}, "/tmp/tracking.prof")
        pstats.Stats("/tmp/tracking.prof").sort_stats("cumulative").print_stats(25)
        settings.DEBUG = True
        reset_queries()
        tracking_table()
        for query in connection.queries:
            print(f"{float(query['time']) * 1000:8.1f} ms  {query['sql'][:150]}")
        settings.DEBUG = False
    print(
        f"tracking_table() x{args.runs}, {len(rows)} orders ({behind} behind plan, {late} forecast after ex-factory), "
        f"{statements} queries: {figures(table)}"
    )
    # plain static storage: the compressed manifest would need a collectstatic and changes nothing measured
    plain_static = override_settings(
        STORAGES=settings.STORAGES
        | {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    )
    plain_static.enable()
    client = Client()
    client.force_login(world["planner"])
    client.get("/production/tracking/")  # the session and the permission cache
    page, response = timed(lambda: client.get("/production/tracking/"), args.runs)
    plain_static.disable()
    assert response.status_code == 200, response.status_code
    print(f"GET /production/tracking/ (first page of 50) x{args.runs}: {figures(page)}")
    rng = random.Random(args.seed + 3)
    picks = [rng.choice(world["orders"]) for _ in range(50)]
    single = []
    for order in picks:
        t = time.perf_counter()
        services.progress(order)
        single.append((time.perf_counter() - t) * 1000)
    print(f"progress(order) x{len(picks)}, one order among them: {figures(single, 1)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--centres", type=int, default=30)
    ap.add_argument("--products", type=int, default=200)
    ap.add_argument("--notices", type=int, default=1000)
    ap.add_argument("--checks", type=int, default=200)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--orders", type=int, default=2000, help="part two: orders in production")
    ap.add_argument("--days", type=int, default=90, help="part two: working days of daily reports per notice")
    ap.add_argument("--runs", type=int, default=7, help="part two: timed runs of the table and of the page")
    ap.add_argument("--skip-capacity", action="store_true", help="skip part one (the capacity check)")
    ap.add_argument("--skip-tracking", action="store_true", help="skip part two (the tracking table)")
    ap.add_argument("--profile", action="store_true", help="part two: profile one tracking_table()")
    args = ap.parse_args()
    with throwaway_database("capacity") as where:
        print(f"database: {where}")
        if not args.skip_capacity:
            run(args)
        if not args.skip_tracking:
            run_tracking(args)


if __name__ == "__main__":
    main()
