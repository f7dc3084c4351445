"""Benchmark: the ageing of receivables (账龄) over 50,000 invoices.

Setup (not timed, but reported): 400 customers in five currencies with 25 merchandisers, and 50,000 invoices spread
over the last 18 months (due 0 to 120 days after issue; about 60 % paid, 10 % partly paid, 3 % cancelled), plus
5,000 receipts of which a fifth still hold credit — built with bulk_create. Then it times `selectors.ageing()` per
customer and per merchandiser, and `GET /api/v1/receivables/ageing` through Django's test client, and prints the
median and p95 of each. Target: under 1 s. Asserts no timing.

Usage: .venv/bin/python bench/ageing.py [--invoices 50000] [--customers 400] [--runs 9] [--seed 8]
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

TARGET_MS = 1000.0
CURRENCIES = ["USD", "USD", "EUR", "JPY", "GBP", "CNY"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def build(args: argparse.Namespace) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from gendan.core import clock
    from gendan.core.models import User
    from gendan.core.money import round_money
    from gendan.finance.models import Invoice, Receipt
    from gendan.partners.models import Customer

    rng = random.Random(args.seed)
    today = clock.today()
    with transaction.atomic():
        merchandisers = User.objects.bulk_create(
            [User(username=f"age_m{i:02d}", password=make_password(None)) for i in range(25)]
        )
        customers = Customer.objects.bulk_create(
            [
                Customer(
                    code=f"AGE{i:04d}",
                    name=f"账龄客户{i}",
                    country="US",
                    currency=rng.choice(CURRENCIES),
                    merchandiser=rng.choice(merchandisers),
                )
                for i in range(args.customers)
            ]
        )
        rows = []
        for n in range(args.invoices):
            customer = rng.choice(customers)
            cur = customer.currency
            issued = today - dt.timedelta(days=rng.randint(0, 540))
            amount = round_money(Decimal(rng.randint(50_00, 5_000_000)) / 100 * (150 if cur == "JPY" else 1), cur)
            roll = rng.random()
            if roll < 0.6:
                status, paid = "paid", amount
            elif roll < 0.7:
                status, paid = "partially_paid", round_money(amount * Decimal(rng.randint(5, 95)) / 100, cur)
            elif roll < 0.73:
                status, paid = "cancelled", Decimal(0)
            else:
                status, paid = "open", Decimal(0)
            rows.append(
                Invoice(
                    number=f"INV-B-{n:06d}",
                    kind="shipment",
                    customer=customer,
                    merchandiser_id=customer.merchandiser_id,
                    currency=cur,
                    amount=amount,
                    paid_amount=paid,
                    issue_date=issued,
                    due_date=issued + dt.timedelta(days=rng.choice([0, 7, 30, 45, 60, 90, 120])),
                    rule="oa_bl",
                    due_basis="bl",
                    status=status,
                )
            )
        Invoice.objects.bulk_create(rows, batch_size=2000)
        receipts = []
        for n in range(args.invoices // 10):
            customer = rng.choice(customers)
            amount = round_money(Decimal(rng.randint(100_00, 2_000_000)) / 100, customer.currency)
            receipts.append(
                Receipt(
                    number=f"RC-B-{n:06d}",
                    customer=customer,
                    currency=customer.currency,
                    amount=amount,
                    fx_rate=Decimal("7.1"),
                    received_date=today - dt.timedelta(days=rng.randint(0, 540)),
                    allocated_amount=amount if rng.random() < 0.8 else round_money(amount / 2, customer.currency),
                )
            )
        Receipt.objects.bulk_create(receipts, batch_size=2000)
    finance = User.objects.create(username="age_fin", password=make_password(None))
    from django.contrib.auth.models import Group

    finance.groups.add(Group.objects.get(name="finance"))
    return {"finance": finance}


def run(args: argparse.Namespace) -> None:
    from django.test import Client

    from gendan.core.services import create_token
    from gendan.finance import selectors
    from gendan.finance.models import Invoice

    t0 = time.perf_counter()
    world = build(args)
    open_count = Invoice.objects.filter(status__in=["open", "partially_paid"]).count()
    print(
        f"setup: {Invoice.objects.count():,} invoices ({open_count:,} open), {args.customers} customers, "
        f"built in {time.perf_counter() - t0:.1f} s"
    )

    def timed(fn: Callable[[], Any]) -> tuple[list[float], Any]:
        times, result = [], None
        for _ in range(args.runs):
            t = time.perf_counter()
            result = fn()
            times.append((time.perf_counter() - t) * 1000)
        return times, result

    def figures(times: list[float]) -> str:
        return (
            f"median {statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms (target {TARGET_MS:.0f})"
        )

    times, data = timed(lambda: selectors.ageing(by="customer"))
    print(f"ageing per customer x{args.runs} ({len(data['rows'])} rows): {figures(times)}")
    times, data = timed(lambda: selectors.ageing(by="merchandiser"))
    print(f"ageing per merchandiser x{args.runs} ({len(data['rows'])} rows): {figures(times)}")
    _token, key = create_token(user=world["finance"], name="bench")
    client = Client()
    headers = {"Authorization": f"Bearer {key}"}
    client.get("/api/v1/receivables/ageing", headers=headers)
    times, response = timed(lambda: client.get("/api/v1/receivables/ageing", headers=headers))
    print(f"GET /api/v1/receivables/ageing x{args.runs} ({response.status_code}): {figures(times)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--invoices", type=int, default=50_000)
    ap.add_argument("--customers", type=int, default=400)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--seed", type=int, default=8)
    args = ap.parse_args()
    with throwaway_database("ageing") as where:
        print(f"database: {where}")
        run(args)


if __name__ == "__main__":
    main()
