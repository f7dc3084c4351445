"""Benchmark: orders through the API of a real `gendan serve` (production settings, SQLite).

(a) create 2,000 orders of 3 lines; (b) take 500 of them through the whole contract review
(submit, pass every item as the right department's user, confirm); (c) with 50,000 orders in the
database, time the filtered order list (ex-factory over the next 14 days, first page).
Prints orders per second for (a) and (b), median and p95 latency for (c). Asserts no timing.

Usage: .venv/bin/python bench/orders_api.py [--orders 2000] [--review 500] [--big 50000] [--clients 6]
"""

import argparse
import datetime as dt
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENDAN = str(ROOT / ".venv" / "bin" / "gendan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive HTTP connection per thread."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.local = threading.local()

    def conn(self) -> http.client.HTTPConnection:
        c = getattr(self.local, "conn", None)
        if c is None:
            c = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        return c

    def call(self, method: str, path: str, token: str | None = None, body: object = None) -> tuple[int, object]:
        headers = {"Content-Type": "application/json", "Host": "127.0.0.1"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        payload = json.dumps(body) if body is not None else None
        for attempt in range(2):
            try:
                c = self.conn()
                c.request(method, "/api/v1" + path, body=payload, headers=headers)
                r = c.getresponse()
                data = r.read()
                return r.status, json.loads(data) if data else None
            except (http.client.HTTPException, ConnectionError):
                self.local.conn = None
                if attempt:
                    raise
        raise RuntimeError("unreachable")


def server_cpu_seconds(master: int) -> float:
    """CPU seconds used so far by the gunicorn master and its workers (utime + stime from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        if pid == master or ppid == master:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def expect(status: int, body: object, want: int, what: str) -> object:
    if status != want:
        raise SystemExit(f"{what}: HTTP {status} {body}")
    return body


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=2000)
    ap.add_argument("--review", type=int, default=500)
    ap.add_argument("--big", type=int, default=50_000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--list-samples", type=int, default=200)
    ap.add_argument("--client-nice", type=int, default=10, help="niceness of this load generator (0: none)")
    args = ap.parse_args()

    var = Path(tempfile.mkdtemp(prefix="gendan-bench-"))
    env = {
        **os.environ,
        "GENDAN_VAR_DIR": str(var),
        "GENDAN_DEBUG": "0",
        "GENDAN_HTTPS": "0",
        "GENDAN_SECRET_KEY": "bench-" + "x" * 50,
        "DJANGO_SETTINGS_MODULE": "gendan.settings",
    }
    env.pop("DATABASE_URL", None)
    os.environ.update(env)
    subprocess.run([GENDAN, "migrate", "-v", "0"], env=env, check=True)
    users = {
        "merch": "merchandiser",
        "rv_production": "planner",
        "rv_sales": "sales",
        "rv_finance": "finance",
        "rv_purchasing": "purchasing",
        "rv_quality": "qc",
        "rv_merchandising": "merchandiser",
    }
    for name, role in users.items():
        subprocess.run(
            [GENDAN, "createuser", name, "--role", role, "--password", "bench-pass-123"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    port = free_port()
    server = subprocess.Popen(
        [GENDAN, "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # The load generator shares the two cores with the server it measures: lower its priority so the server
    # is not slowed by its own client (the server keeps normal priority: it was started before this).
    os.nice(args.client_nice)
    try:
        client = Client(port)
        for _ in range(100):
            try:
                client.call("GET", "/openapi.json")
                break
            except OSError:
                time.sleep(0.2)
        tokens = {}
        for name in users:
            _, body = client.call("POST", "/auth/token", body={"username": name, "password": "bench-pass-123"})
            tokens[name] = body["token"]
        merch = tokens["merch"]
        setup_token = merch
        customers = [
            expect(
                *client.call(
                    "POST",
                    "/customers",
                    setup_token,
                    {
                        "code": f"BC{i:03d}",
                        "name": f"Bench customer {i}",
                        "tier": "normal",
                        "country": "US",
                        "currency": "USD",
                    },
                ),
                201,
                "customer",
            )["id"]
            for i in range(10)
        ]
        products = [
            expect(
                *client.call(
                    "POST",
                    "/products",
                    setup_token,
                    {"code": f"BP{i:03d}", "name": f"Bench product {i}", "unit": "pcs", "units_per_carton": 24},
                ),
                201,
                "product",
            )["id"]
            for i in range(30)
        ]
        today = dt.date.today()
        rng = random.Random(7)

        def order_body(i: int) -> dict:
            return {
                "customer_id": customers[i % len(customers)],
                "customer_po": f"PO-{i}",
                "ex_factory_date": (today + dt.timedelta(days=30 + i % 90)).isoformat(),
                "lines": [
                    {"product_id": p, "quantity": str(rng.choice([100, 500, 1200])), "unit_price": "3.25"}
                    for p in rng.sample(products, 3)
                ],
            }

        bodies = [order_body(i) for i in range(args.orders)]

        # (a) create
        def create(body: dict) -> int:
            return expect(*client.call("POST", "/orders", merch, body), 201, "create order")["id"]

        master = gunicorn_pid(server.pid)
        cpu0, t0 = server_cpu_seconds(master), time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            ids = list(pool.map(create, bodies))
        ta = time.perf_counter() - t0
        cpu_a = server_cpu_seconds(master) - cpu0
        print(
            f"(a) created {len(ids)} orders of 3 lines in {ta:.2f} s: {len(ids) / ta:.0f} orders/s "
            f"({args.clients} clients, {args.workers} workers); server CPU {cpu_a / len(ids) * 1000:.1f} ms/order"
        )

        # (b) review
        dept_token = {
            "production": tokens["rv_production"],
            "sales": tokens["rv_sales"],
            "finance": tokens["rv_finance"],
            "purchasing": tokens["rv_purchasing"],
            "quality": tokens["rv_quality"],
            "merchandising": tokens["rv_merchandising"],
        }
        requests = [0]

        def review(order_id: int) -> None:
            # the submit answer carries the new review items, so no separate GET /review is needed
            items = expect(*client.call("POST", f"/orders/{order_id}/submit", merch), 200, "submit")["review_items"]
            for item in items:
                expect(
                    *client.call(
                        "POST",
                        f"/orders/{order_id}/review/{item['id']}",
                        dept_token[item["department"]],
                        {"verdict": "pass", "comment": "ok"},
                    ),
                    200,
                    "pass item",
                )
            body = expect(*client.call("POST", f"/orders/{order_id}/confirm", merch), 200, "confirm")
            assert body["status"] == "confirmed"
            requests[0] += 2 + len(items)

        cpu0, t0 = server_cpu_seconds(master), time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(review, ids[: args.review]))
        tb = time.perf_counter() - t0
        cpu_b = server_cpu_seconds(master) - cpu0
        print(
            f"(b) reviewed and confirmed {args.review} orders in {tb:.2f} s: {args.review / tb:.1f} orders/s "
            f"({requests[0] / tb:.0f} requests/s); server CPU {cpu_b / args.review * 1000:.1f} ms/order, "
            f"{cpu_b / requests[0] * 1000:.2f} ms/request"
        )

        # (c) list out of a big table
        fill = args.big - len(ids)
        if fill > 0:
            t0 = time.perf_counter()
            bulk_fill(fill, customers, products, today)
            print(f"    filled the database to {args.big} orders in {time.perf_counter() - t0:.1f} s")
        until = today + dt.timedelta(days=14)
        query = f"/orders?ex_factory_from={today.isoformat()}&ex_factory_to={until.isoformat()}&limit=50&offset=0"
        status, body = client.call("GET", query, merch)
        expect(status, body, 200, "list")
        count = body["count"]
        for _ in range(10):
            client.call("GET", query, merch)
        samples = []
        for _ in range(args.list_samples):
            t0 = time.perf_counter()
            client.call("GET", query, merch)
            samples.append((time.perf_counter() - t0) * 1000)
        samples.sort()
        p95 = samples[int(len(samples) * 0.95) - 1]
        print(
            f"(c) order list, ex-factory in the next 14 days ({count} matches of {args.big}), first page of 50: "
            f"median {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms over {len(samples)} requests"
        )
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(var, ignore_errors=True)


def gunicorn_pid(launcher: int) -> int:
    """`gendan serve` execs gunicorn in place, so the launcher's pid is the gunicorn master."""
    return launcher


def bulk_fill(n: int, customers: list[int], products: list[int], today: dt.date) -> None:
    """Insert `n` more orders with 3 lines each straight through the ORM (the list is what is timed)."""
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from decimal import Decimal

    from django.db import transaction

    from gendan.core.models import User
    from gendan.sales.models import Order, OrderLine

    merch = User.objects.get(username="merch")
    rng = random.Random(11)
    statuses = ["draft", "in_review", "confirmed", "in_production", "ready_to_ship", "shipped", "closed"]
    batch = 5000
    for start in range(0, n, batch):
        with transaction.atomic():
            orders = [
                Order(
                    number=f"BENCH-{start + i:06d}",
                    customer_id=customers[(start + i) % len(customers)],
                    order_date=today - dt.timedelta(days=rng.randint(0, 300)),
                    currency="USD",
                    incoterm="FOB",
                    ex_factory_date=today + dt.timedelta(days=rng.randint(-300, 300)),
                    merchandiser=merch,
                    status=rng.choice(statuses),
                    total_qty=Decimal(1500),
                    total_amount=Decimal("4875.00"),
                )
                for i in range(min(batch, n - start))
            ]
            Order.objects.bulk_create(orders)
            created = Order.objects.filter(number__in=[o.number for o in orders]).values_list("id", flat=True)
            OrderLine.objects.bulk_create(
                [
                    OrderLine(
                        order_id=oid,
                        position=k,
                        product_id=p,
                        quantity=Decimal(500),
                        unit="pcs",
                        unit_price=Decimal("3.25"),
                        amount=Decimal("1625.00"),
                    )
                    for oid in created
                    for k, p in enumerate(rng.sample(products, 3))
                ]
            )


if __name__ == "__main__":
    main()
