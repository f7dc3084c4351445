"""Benchmark: purchasing at scale (material requirements of every confirmed order, supplier scorecards, delays).

(a) Material requirements. Setup (not timed, but reported): 5,000 confirmed orders of ~50 customers, each of one to
three lines of ~100 products whose BOMs hold 5 materials each out of 200 (scrap rates included), and stock for most
materials in two locations of a warehouse (about a third of what the orders need in all, unevenly). No T&A plans:
each order's need-by date falls back to its committed ex-factory date. Then it times
`services.run_requirements(order_ids=<all>, by=None, reason="bench")` once on the fresh orders (a first run: creates
every requirement and reserves the stock, most urgent order first) and once again with nothing changed (the steady
state), and prints the orders, requirement rows, reservations and seconds of each. Target: under 30 s each.

(b) Supplier scorecards. Setup: `bench/procurement_data.make_scorecard_data(suppliers=100, lines=20000)`, a year of
purchase orders, receipts and inspections. Then it times `reports.scorecards(date_from, date_to)` over the year
(every supplier; median of 5 after a warm-up), `reports.delay_pareto()` over the year once, and, for information, one
supplier's `scorecard_trend()` and the pages `GET /purchasing/scorecards/` and `GET /purchasing/delays/`.
Target: under 2 s each.

Prints figures and a summary against the targets; asserts no timing. On PostgreSQL the tables are ANALYZEd after each
bulk load (as autovacuum soon would): without statistics the trend's query takes minutes instead of a fraction of
a second.

Embedded SQLite in a throwaway GENDAN_VAR_DIR by default; with DATABASE_URL (PostgreSQL) it runs in a throwaway
test database (`test_<name>`) created and dropped on that server, never in the database the URL names.

Usage: .venv/bin/python bench/procurement.py [--orders 5000] [--materials 200] [--products 100] [--bom-size 5]
       [--suppliers 100] [--lines 20000] [--reps 5] [--seed 7]
       [--profile]   (also profile the two requirement runs and the scorecards with cProfile)
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
from collections import Counter, defaultdict
from collections.abc import Callable
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

REQUIREMENTS_TARGET_S = 30.0
REPORT_TARGET_S = 2.0
BATCH_SIZE = 1000
PLAIN_STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"
STOCK_SHARE = 0.35  # the stock on hand covers about this share of what the orders need in all


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=5000)
    ap.add_argument("--materials", type=int, default=200)
    ap.add_argument("--products", type=int, default=100)
    ap.add_argument("--bom-size", type=int, default=5, help="materials per product")
    ap.add_argument("--customers", type=int, default=50)
    ap.add_argument("--suppliers", type=int, default=100, help="suppliers of the scorecard data")
    ap.add_argument("--lines", type=int, default=20000, help="PO lines of the scorecard data")
    ap.add_argument("--reps", type=int, default=5, help="timed repetitions of the scorecards, after one warm-up")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--profile", action="store_true", help="profile one more run of each measured call")
    args = ap.parse_args()

    sys.path.insert(0, str(ROOT / "bench"))
    from benchdb import throwaway_database

    with throwaway_database("procurement") as where:
        print(f"database: {where}")
        run(args)


# ---- data: confirmed orders with BOMs and stock ---------------------------------------------------------------


def _saved(objs: list[Any]) -> list[Any]:
    if objs and objs[0].pk is None:
        raise RuntimeError("bulk_create did not return primary keys: use SQLite >= 3.35 or PostgreSQL")
    return objs


def fill_orders(args: argparse.Namespace, today: dt.date) -> dict[str, Any]:
    """Customers, materials, products with BOMs, stock and confirmed orders with their lines, through bulk_create."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from gendan.catalog.models import BomLine, Material, Product
    from gendan.core import clock
    from gendan.core.choices import Role
    from gendan.core.models import Department, User
    from gendan.core.roles import department_for_role
    from gendan.inventory.models import Location, Stock, Warehouse
    from gendan.partners.models import Customer
    from gendan.sales.choices import OrderStatus
    from gendan.sales.models import Order, OrderLine

    rng = random.Random(args.seed)
    counts: Counter[str] = Counter()
    with transaction.atomic():
        department = Department.objects.filter(code=department_for_role(Role.MERCHANDISER)).first()
        merchandiser = User.objects.create(
            username="mr_bench", department=department, language="zh-hans", password=make_password(None)
        )
        tiers = ["key"] * 15 + ["normal"] * 80 + ["prospect"] * 5
        customers = _saved(
            Customer.objects.bulk_create(
                [
                    Customer(
                        code=f"MC{i:04d}",
                        name=f"物料客户{i}",
                        tier=rng.choice(tiers),
                        country="US",
                        currency="USD",
                        default_incoterm="FOB",
                        merchandiser=merchandiser,
                    )
                    for i in range(args.customers)
                ]
            )
        )
        warehouse = Warehouse.objects.create(code="MR-RAW", name="原料仓")
        locations = _saved(
            Location.objects.bulk_create([Location(warehouse=warehouse, code=code) for code in ("A01", "B01")])
        )
        materials = _saved(
            Material.objects.bulk_create(
                [
                    Material(
                        code=f"MRM{i:04d}",
                        name=f"需求物料{i:04d}",
                        unit=rng.choice(["m", "pcs", "kg"]),
                        lead_time_days=rng.randint(5, 30),
                        purchase_price=Decimal(rng.randint(10, 5000)) / 100,
                    )
                    for i in range(args.materials)
                ],
                batch_size=BATCH_SIZE,
            )
        )
        products = _saved(
            Product.objects.bulk_create(
                [Product(code=f"MRP{i:04d}", name=f"产品{i:04d}", unit="pcs") for i in range(args.products)],
                batch_size=BATCH_SIZE,
            )
        )
        bom: dict[int, list[tuple[int, Decimal]]] = {}
        bom_lines = []
        for product in products:
            bom[product.pk] = []
            for position, material in enumerate(rng.sample(materials, args.bom_size), start=1):
                per_unit = Decimal(rng.choice(["0.05", "0.2", "0.5", "1", "1.5", "2", "4", "6"]))
                scrap = Decimal(rng.choice(["0", "0", "1", "2", "3", "5"]))
                bom_lines.append(
                    BomLine(
                        product=product, material=material, qty_per_unit=per_unit, scrap_pct=scrap, position=position
                    )
                )
                bom[product.pk].append((material.pk, per_unit * (1 + scrap / 100)))
        BomLine.objects.bulk_create(bom_lines, batch_size=BATCH_SIZE)

        orders, lines_of = [], []
        need: dict[int, Decimal] = defaultdict(Decimal)
        for i in range(args.orders):
            ex_factory = today + dt.timedelta(days=rng.randint(20, 150))
            order_lines = []
            total_qty, total_amount = Decimal(0), Decimal(0)
            for position, product in enumerate(rng.sample(products, rng.choice([1, 1, 2, 2, 3])), start=1):
                quantity = Decimal(rng.choice([300, 500, 1200, 3000, 6000]))
                price = Decimal(rng.randint(150, 2500)) / 100
                amount = (quantity * price).quantize(Decimal("0.01"))
                order_lines.append(
                    OrderLine(
                        position=position,
                        product=product,
                        quantity=quantity,
                        unit="pcs",
                        unit_price=price,
                        amount=amount,
                    )
                )
                total_qty += quantity
                total_amount += amount
                for material_id, per_unit in bom[product.pk]:
                    need[material_id] += quantity * per_unit
            orders.append(
                Order(
                    number=f"MR{today:%y}-{i:06d}",
                    customer=customers[rng.randrange(len(customers))],
                    customer_po=f"PO-{i}",
                    order_date=today - dt.timedelta(days=rng.randint(1, 30)),
                    currency="USD",
                    incoterm="FOB",
                    ex_factory_date=ex_factory,
                    merchandiser=merchandiser,
                    status=OrderStatus.CONFIRMED,
                    confirmed_at=clock.now(),
                    total_qty=total_qty,
                    total_amount=total_amount,
                )
            )
            lines_of.append(order_lines)
        _saved(Order.objects.bulk_create(orders, batch_size=BATCH_SIZE))
        order_lines = []
        for order, items in zip(orders, lines_of, strict=True):
            for line in items:
                line.order = order
                order_lines.append(line)
        OrderLine.objects.bulk_create(order_lines, batch_size=BATCH_SIZE)

        # stock: most materials have some, about a third of all that is needed, spread over the two locations
        stock = []
        for material in materials:
            wanted = need.get(material.pk, Decimal(0))
            if not wanted or rng.random() < 0.15:
                continue
            on_hand = (wanted * Decimal(str(rng.uniform(0, 2 * STOCK_SHARE)))).quantize(Decimal(1), ROUND_CEILING)
            first = (on_hand * Decimal(str(rng.uniform(0.4, 1)))).quantize(Decimal(1))
            for location, quantity in zip(locations, (first, on_hand - first), strict=True):
                if quantity > 0:
                    stock.append(Stock(location=location, material=material, on_hand=quantity))
        Stock.objects.bulk_create(stock, batch_size=BATCH_SIZE)

    counts.update(
        {
            "orders": len(orders),
            "order_lines": len(order_lines),
            "customers": len(customers),
            "materials": len(materials),
            "products": len(products),
            "bom_lines": len(bom_lines),
            "stock_rows": len(stock),
        }
    )
    return {"order_ids": [o.pk for o in orders], "counts": counts}


# ---- measuring -----------------------------------------------------------------------------------------


def analyze() -> None:
    """PostgreSQL: refresh the planner's statistics after a bulk load, as autovacuum soon would (without them the
    planner takes the freshly filled tables for empty ones and picks nested loops that run for minutes)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def repeat(fn: Callable[[], Any], reps: int) -> tuple[list[float], Any]:
    """One warm-up call, then `reps` timed calls; seconds and the last result."""
    result = fn()
    samples = []
    for _ in range(reps):
        elapsed, result = timed(fn)
        samples.append(elapsed)
    return samples, result


def profiled(label: str, fn: Callable[[], Any], top: int = 25) -> Any:
    """Run `fn` once under cProfile and print the functions where the time goes (by own time and cumulative)."""
    profile = cProfile.Profile()
    t0 = time.perf_counter()
    result = profile.runcall(fn)
    elapsed = time.perf_counter() - t0
    for sort in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(sort).print_stats(top)
        text = out.getvalue()
        body = text[text.find("   ncalls") :]
        print(f"\n--- profile: {label} ({elapsed:.2f} s under the profiler), top {top} by {sort}\n{body.rstrip()}")
    return result


def run(args: argparse.Namespace) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from procurement_data import make_scorecard_data

    from gendan.core import clock
    from gendan.core.choices import Role
    from gendan.core.services import create_user
    from gendan.inventory.models import Reservation, Stock
    from gendan.procurement import reports, services
    from gendan.procurement.models import MaterialRequirement, RequirementRun

    today = clock.today()
    summary: list[tuple[str, str, str]] = []

    # ---- (a) requirements of every confirmed order
    t0 = time.perf_counter()
    data = fill_orders(args, today)
    analyze()
    setup_s = time.perf_counter() - t0
    c = data["counts"]
    print(
        f"setup (a): {c['orders']} confirmed orders ({c['order_lines']} lines) of {c['customers']} customers, "
        f"{c['products']} products with {c['bom_lines']} BOM lines over {c['materials']} materials, "
        f"{c['stock_rows']} stock rows, in {setup_s:.1f} s (today {today})"
    )
    summary.append(("setup (a), not timed", f"{setup_s:.1f} s", "-"))
    ids = data["order_ids"]

    def requirements(label: str) -> None:
        def call() -> dict[int, list[dict[str, Any]]]:
            return services.run_requirements(order_ids=ids, by=None, reason="bench")

        elapsed, changes = timed(call)
        rows = MaterialRequirement.objects.count()
        to_buy = MaterialRequirement.objects.filter(to_buy_qty__gt=0).count()
        reservations = Reservation.objects.count()
        runs = RequirementRun.objects.count()
        reserved = sum(Stock.objects.values_list("reserved", flat=True), Decimal(0))
        changed = sum(len(v) for v in changes.values())
        print(
            f"(a) run_requirements, {label}: {len(ids)} orders in {elapsed:.2f} s ({len(ids) / elapsed:.0f} orders/s); "
            f"{rows} requirement rows ({to_buy} with something to buy), {reservations} reservations "
            f"({reserved:,.0f} reserved in all), {changed} changes in {len(changes)} orders, {runs} runs kept"
        )
        summary.append((f"run_requirements, {label}", f"{elapsed:.2f} s ({len(ids) / elapsed:.0f}/s)", "< 30 s"))

    requirements("first run")
    requirements("second run (nothing changed)")
    if args.profile:
        profiled("run_requirements, steady state", lambda: services.run_requirements(order_ids=ids, by=None))
        MaterialRequirement.objects.all().delete()
        Reservation.objects.all().delete()
        Stock.objects.update(reserved=0)
        profiled("run_requirements, from nothing", lambda: services.run_requirements(order_ids=ids, by=None))

    # ---- (b) supplier scorecards and the delay Pareto over a year
    t0 = time.perf_counter()
    sc = make_scorecard_data(suppliers=args.suppliers, lines=args.lines, today=today)
    analyze()
    setup_s = time.perf_counter() - t0
    k = sc["counts"]
    date_from, date_to = sc["date_from"], sc["date_to"]
    print(
        f"\nsetup (b): {k['suppliers']} suppliers, {k['purchase_orders']} POs, {k['po_lines']} PO lines, "
        f"{k['receipts']} receipts, {k['receipt_lines']} receipt lines, {k['inspections_done']} inspections done, "
        f"{k['late_lines']} late lines ({k['caused_lines']} with a cause), in {setup_s:.1f} s; "
        f"period {date_from} … {date_to}"
    )
    summary.append(("setup (b), not timed", f"{setup_s:.1f} s", "-"))

    samples, cards = repeat(lambda: reports.scorecards(date_from, date_to), args.reps)
    median = statistics.median(samples)
    scored = [card.score for card in cards if card.score is not None]
    print(
        f"(b) scorecards over the year: {len(cards)} suppliers ranked (scores {min(scored)} … {max(scored)}): "
        f"median {median * 1000:.0f} ms, max {max(samples) * 1000:.0f} ms over {args.reps} calls"
    )
    summary.append((f"scorecards, {len(cards)} suppliers, median", f"{median * 1000:.0f} ms", "< 2 s"))

    elapsed, pareto = timed(lambda: reports.delay_pareto(date_from, date_to))
    top = ", ".join(f"{r['cause']} {r['lines']}" for r in pareto["rows"][:3])
    print(
        f"    delay_pareto over the year: {pareto['total_lines']} caused lines ({top}, …), "
        f"{pareto['uncaused_late_lines']} late without a cause, {len(pareto['by_supplier'])} suppliers: "
        f"{elapsed * 1000:.0f} ms (one call)"
    )
    summary.append(("delay_pareto, one call", f"{elapsed * 1000:.0f} ms", "< 2 s"))

    busiest = max(cards, key=lambda card: card.lines_due)
    samples_t, _trend = repeat(lambda: reports.scorecard_trend(busiest.supplier_id, until=date_to), args.reps)
    print(
        f"    scorecard_trend of {busiest.supplier_code} ({busiest.lines_due} receipt lines), 12 months: "
        f"median {statistics.median(samples_t) * 1000:.0f} ms"
    )
    summary.append(("scorecard_trend, busiest supplier", f"{statistics.median(samples_t) * 1000:.0f} ms", "(info)"))

    manager = create_user(username="bench_manager", password="bench-pass-123", role=Role.MANAGER, validate=False)
    client = Client()
    client.force_login(manager)
    # plain static storage: the compressed manifest would need a collectstatic (~25 s) and changes nothing measured
    plain_static = override_settings(STORAGES=settings.STORAGES | {"staticfiles": {"BACKEND": PLAIN_STATIC}})
    plain_static.enable()
    for label, path in (
        ("page scorecards", "/purchasing/scorecards/"),
        ("page one supplier", f"/purchasing/scorecards/{busiest.supplier_id}/"),
        ("page delay causes", "/purchasing/delays/"),
    ):
        params = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
        response = client.get(path, params)
        if response.status_code != 200:
            print(f"    {label}: GET {path} answers HTTP {response.status_code} (not timed)")
            continue
        samples_p, response = repeat(lambda path=path, params=params: client.get(path, params), args.reps)
        median_p = statistics.median(samples_p)
        print(f"    {label}: GET {path}: median {median_p * 1000:.0f} ms ({len(response.content) / 1024:.0f} KiB)")
        summary.append((f"GET {path}", f"{median_p * 1000:.0f} ms", "(info)"))
    plain_static.disable()

    if args.profile:
        profiled("scorecards", lambda: reports.scorecards(date_from, date_to))
        profiled("delay_pareto", lambda: reports.delay_pareto(date_from, date_to))

    width = max(len(name) for name, _v, _t in summary)
    print(f"\nsummary ({args.orders} orders; {args.suppliers} suppliers, {args.lines} PO lines; {connection.vendor})")
    print(f"  {'figure':<{width}}  {'measured':<20}  target")
    for name, value, target in summary:
        print(f"  {name:<{width}}  {value:<20}  {target}")


if __name__ == "__main__":
    main()
