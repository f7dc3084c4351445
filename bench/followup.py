"""Benchmark: the follow-up engine at scale (re-forecast, chase list, risk board).

Setup (not timed, but reported): 50,000 open orders (confirmed / in production / ready to ship) of ~100 customers
and 100 merchandisers (~500 open orders each), each with the 12 milestones of the default T&A template (600,000
milestones) planned by the real backward scheduler on the company calendar, with realistic progress: past
milestones mostly done (some late), a few overdue, some promises later than plan, and a follow-up log.
Then it times:
(1) `services.reforecast_orders()` over all of them, a first run (many changes) and a second (steady state), then
    the learned forecast (`gendan.foresight.services.learn_forecasts()`: delays learned from the done milestones,
    an on-time chance of 300 draws for every open order), twice;
(2) one merchandiser's chase list, `selectors.chase_list(user, today)`, and `GET /api/v1/chase-list`;
(3) the first page of the risk board, `selectors.risk_board()` + `risk_rows()` + `count()`, and
    `GET /api/v1/risk-board`.
Prints figures and a summary against the targets; asserts no timing.

Embedded SQLite in a throwaway GENDAN_VAR_DIR by default; with DATABASE_URL (PostgreSQL) it runs in a throwaway
test database (`test_<name>`) created and dropped on that server, never in the database the URL names.

Usage: .venv/bin/python bench/followup.py [--orders 50000] [--merchandisers 100] [--customers 100] [--reps 30]
       [--profile]   (also profile one run of each measured call with cProfile and print where the time goes)
"""

import argparse
import cProfile
import datetime as dt
import io
import logging
import math
import pstats
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

REFORECAST_TARGET_S = 60.0
READ_TARGET_MS = 100.0
ORDERS_PER_TRANSACTION = 5000
BATCH_SIZE = 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=50_000)
    ap.add_argument("--merchandisers", type=int, default=100)
    ap.add_argument("--customers", type=int, default=100)
    ap.add_argument("--reps", type=int, default=30, help="timed repetitions of each read, after one warm-up")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--profile", action="store_true", help="profile one more run of each measured call")
    args = ap.parse_args()

    sys.path.insert(0, str(ROOT / "bench"))
    from benchdb import throwaway_database

    with throwaway_database("followup") as where:
        print(f"database: {where}")
        run(args)


# ---- data ----------------------------------------------------------------------------------------------


def make_users(args: argparse.Namespace) -> tuple[list[Any], dict[str, list[Any]]]:
    """Merchandisers and a pool of users for every other owning role, bulk-created with unusable passwords."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from gendan.core.choices import Role
    from gendan.core.models import Department, User
    from gendan.core.roles import department_for_role

    m = args.merchandisers
    sizes = {
        Role.MERCHANDISER: m,
        Role.PURCHASING: max(1, m // 10),
        Role.PLANNER: max(1, m // 10),
        Role.QC: max(1, m // 20),
        Role.SHIPPING: max(1, m // 20),
        Role.FINANCE: max(1, m // 20),
    }
    unusable = make_password(None)
    users: dict[str, list[Any]] = {}
    for role, n in sizes.items():
        department = Department.objects.filter(code=department_for_role(role)).first()
        created = User.objects.bulk_create(
            [
                User(username=f"{role[:5]}{j:03d}", department=department, language="zh-hans", password=unusable)
                for j in range(n)
            ]
        )
        if created[0].pk is None:  # a backend without RETURNING
            created = list(User.objects.filter(username__in=[u.username for u in created]).order_by("username"))
        group = Group.objects.get_or_create(name=role)[0]
        User.groups.through.objects.bulk_create([User.groups.through(user_id=u.pk, group_id=group.pk) for u in created])
        users[role] = created
    return users[Role.MERCHANDISER], users


def make_customers(n: int, merchandisers: list[Any], rng: random.Random) -> list[Any]:
    from gendan.partners.models import Customer

    tiers = ["key"] * 15 + ["normal"] * 80 + ["prospect"] * 5
    return Customer.objects.bulk_create(
        [
            Customer(
                code=f"FC{i:04d}",
                name=f"跟单客户{i}",
                name_en=f"Bench customer {i} Ltd",
                tier=rng.choice(tiers),
                country=rng.choice(["US", "DE", "GB", "FR", "JP", "AU"]),
                currency="USD",
                default_incoterm="FOB",
                merchandiser=merchandisers[i % len(merchandisers)],
            )
            for i in range(n)
        ]
    )


class PlanMaker:
    """Milestones of one order as they would look some weeks into its plan: planned dates from the real backward
    scheduler, actual dates on most past milestones (some late), a few overdue, some promises later than plan."""

    P_DONE = 0.93  # a milestone whose plan has passed is done (when its predecessors are)
    P_PROMISE_OVERDUE = 0.35  # an overdue milestone has a promise (someone chased it)
    P_PROMISE_SOON = 0.06  # a milestone due in the next 30 days has a promise later than plan

    def __init__(self, today: dt.date, rng: random.Random) -> None:
        from gendan.core.calendar import company_calendar
        from gendan.followup import engine
        from gendan.followup.services import ensure_default_template

        self.today, self.rng = today, rng
        self.calendar = company_calendar()
        template = ensure_default_template()
        self.items = list(template.milestones.order_by("position", "id"))
        self.specs = [
            engine.Spec(m.code, m.offset_days, tuple((d["code"], d["lag"]) for d in m.depends_on)) for m in self.items
        ]
        self.by_code = {m.code: m for m in self.items}
        self.topological = engine.order_of(self.specs)
        self.backward_schedule = engine.backward_schedule
        self._plans: dict[dt.date, dict[str, dt.date]] = {}

    def planned(self, ex_factory: dt.date) -> dict[str, dt.date]:
        """The backward schedule from the committed ex-factory date (as generate_plan anchors it), cached per
        anchor: 50,000 orders share ~100 distinct ex-factory dates."""
        anchor = self.calendar.previous_working_day(ex_factory)
        if anchor not in self._plans:
            self._plans[anchor] = self.backward_schedule(self.specs, anchor, self.calendar)
        return self._plans[anchor]

    def order_dates(self) -> tuple[dt.date, dt.date]:
        """(committed ex-factory date, order date): ~3 % already past their committed date, the rest over the
        next 120 days."""
        rng, today = self.rng, self.today
        if rng.random() < 0.03:
            ex_factory = today - dt.timedelta(days=rng.randint(1, 12))
        else:
            ex_factory = today + dt.timedelta(days=rng.randint(1, 120))
        oc = self.planned(ex_factory)[self.topological[0]]
        order_date = oc if oc < today else today - dt.timedelta(days=rng.randint(1, 20))
        return ex_factory, order_date

    def milestones(self, order: Any, owners: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
        """The milestone fields of one order and the order's status that goes with its progress."""
        from gendan.followup.choices import MilestoneStatus
        from gendan.sales.choices import OrderStatus

        rng, today, cal = self.rng, self.today, self.calendar
        planned = self.planned(order.ex_factory_date)
        actual: dict[str, dt.date | None] = {}
        rows: dict[str, dict[str, Any]] = {}
        for code in self.topological:
            item = self.by_code[code]
            plan = planned[code]
            preds = [d["code"] for d in item.depends_on]
            done_after = max((actual[p] for p in preds if actual[p] is not None), default=None)
            if item.done_on_confirm:
                plan = min(plan, cal.previous_working_day(order.order_date))
                done: dt.date | None = plan
            elif (
                plan < today and not item.is_ex_factory and all(actual[p] is not None for p in preds)
            ) and rng.random() < self.P_DONE:
                r = rng.random()
                delay = -rng.randint(0, 2) if r < 0.6 else rng.randint(1, 4) if r < 0.9 else rng.randint(5, 12)
                done = min(plan + dt.timedelta(days=delay), today)
                if done_after is not None and done < done_after:
                    done = done_after
            else:
                done = None
            actual[code] = done
            promised = None
            if done is None and plan < today and rng.random() < self.P_PROMISE_OVERDUE:
                promised = today + dt.timedelta(days=rng.randint(0, 7))
            elif done is None and today <= plan <= today + dt.timedelta(days=30) and rng.random() < self.P_PROMISE_SOON:
                promised = plan + dt.timedelta(days=rng.randint(1, 8))
            if done is not None:
                status = MilestoneStatus.DONE
            elif plan < today:
                status = MilestoneStatus.LATE
            else:
                status = MilestoneStatus.PENDING
            rows[code] = {
                "position": item.position,
                "code": code,
                "name_zh": item.name_zh,
                "name_en": item.name_en,
                "owner": owners.get(item.owner_role, order.merchandiser),
                "owner_role": item.owner_role,
                "depends_on": item.depends_on,
                "is_ex_factory": item.is_ex_factory,
                "done_on_confirm": item.done_on_confirm,
                "planned_date": plan,
                "forecast_date": plan,
                "actual_date": done,
                "promised_date": promised,
                "status": status,
                "compressed": False,
                "driven_by": "",
            }
        if actual.get("PC"):
            order_status = OrderStatus.READY_TO_SHIP
        elif actual.get("PS"):
            order_status = OrderStatus.IN_PRODUCTION
        else:
            order_status = OrderStatus.CONFIRMED
        return sorted(rows.values(), key=lambda r: r["position"]), order_status


def fill(args: argparse.Namespace, today: dt.date) -> dict[str, Any]:
    """Users, customers, orders, milestones and follow-ups, straight through bulk_create."""
    from django.db import transaction

    from gendan.core import clock
    from gendan.followup.choices import Channel, Party
    from gendan.followup.models import FollowUp, Milestone
    from gendan.sales.models import Order

    rng = random.Random(args.seed)
    merchandisers, pools = make_users(args)
    customers = make_customers(args.customers, merchandisers, rng)
    maker = PlanMaker(today, rng)
    now = clock.now()
    party_of_role = {"purchasing": Party.SUPPLIER, "planner": Party.FACTORY, "qc": Party.FACTORY}
    counts: Counter[str] = Counter()
    for start in range(0, args.orders, ORDERS_PER_TRANSACTION):
        end = min(start + ORDERS_PER_TRANSACTION, args.orders)
        with transaction.atomic():
            orders, plans = [], []
            for i in range(start, end):
                ex_factory, order_date = maker.order_dates()
                qty = Decimal(rng.choice([500, 1200, 3000, 6000, 12000]))
                order = Order(
                    number=f"FU{today:%y}-{i:06d}",
                    customer=customers[rng.randrange(len(customers))],
                    customer_po=f"PO-{i}",
                    order_date=order_date,
                    currency="USD",
                    incoterm="FOB",
                    ex_factory_date=ex_factory,
                    merchandiser=merchandisers[i % len(merchandisers)],
                    total_qty=qty,
                    total_amount=(qty * Decimal(rng.randint(150, 2500)) / 100).quantize(Decimal("0.01")),
                )
                owners = {role: pool[i % len(pool)] for role, pool in pools.items() if role != "merchandiser"}
                rows, order.status = maker.milestones(order, owners)
                orders.append(order)
                plans.append(rows)
            Order.objects.bulk_create(orders, batch_size=BATCH_SIZE)
            if orders[0].pk is None:  # a backend without RETURNING
                ids = dict(Order.objects.filter(number__in=[o.number for o in orders]).values_list("number", "pk"))
                for o in orders:
                    o.pk = ids[o.number]
            milestones = [Milestone(order=o, **row) for o, rows in zip(orders, plans, strict=True) for row in rows]
            Milestone.objects.bulk_create(milestones, batch_size=BATCH_SIZE)
            if milestones[0].pk is None:
                found = Milestone.objects.filter(order__in=orders).values_list("order_id", "code", "pk")
                ids = {(oid, code): pk for oid, code, pk in found}
                for m in milestones:
                    m.pk = ids[(m.order_id, m.code)]
            follow_ups = []
            for o, ms in zip(orders, _chunks(milestones, 12), strict=True):
                counts[o.status] += 1
                overdue = [m for m in ms if m.status == "late"]
                counts["overdue milestones"] += len(overdue)
                counts["promises"] += sum(1 for m in ms if m.promised_date)
                if rng.random() < 0.3:  # an older chase, answered
                    follow_ups.append(_follow_up(o, None, Party.CUSTOMER, now, rng, closed=True))
                if overdue and rng.random() < 0.6:
                    m = rng.choice(overdue)
                    follow_ups.append(_follow_up(o, m, party_of_role.get(m.owner_role, Party.CUSTOMER), now, rng))
                elif rng.random() < 0.1:
                    follow_ups.append(_follow_up(o, None, Party.CUSTOMER, now, rng))
            for f in follow_ups:
                f.channel = rng.choice(Channel.values)
            FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH_SIZE)
            counts["milestones"] += len(milestones)
            counts["follow-ups"] += len(follow_ups)
    counts["orders"] = args.orders
    return {"merchandisers": merchandisers, "pools": pools, "counts": counts}


def _chunks(items: list[Any], n: int) -> list[list[Any]]:
    return [items[i : i + n] for i in range(0, len(items), n)]


def _follow_up(order: Any, milestone: Any, party: str, now: dt.datetime, rng: random.Random, closed: bool = False):
    from gendan.followup.models import FollowUp

    today = now.date()
    r = rng.random()
    # open chases: due (on the chase list), waiting for a later date (snoozes the milestone), or with no date
    if closed:
        next_date = None
    elif r < 0.4:
        next_date = today - dt.timedelta(days=rng.randint(0, 3))
    elif r < 0.85:
        next_date = today + dt.timedelta(days=rng.randint(1, 5))
    else:
        next_date = None
    return FollowUp(
        order=order,
        milestone=milestone,
        party=party,
        contact="王经理",
        summary=f"催{milestone.name_zh if milestone else '客户确认'}，对方说会尽快安排。",
        promised_date=None,
        next_follow_up_date=next_date,
        closed_at=now if closed else None,
        created_by=order.merchandiser,
        created_at=now - dt.timedelta(days=rng.randint(1, 10), minutes=rng.randint(0, 600)),
    )


# ---- measuring -----------------------------------------------------------------------------------------


def repeat(fn: Callable[[], Any], reps: int) -> tuple[list[float], Any]:
    """One warm-up call, then `reps` timed calls; milliseconds and the last result."""
    result = fn()
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return samples, result


def p90(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(math.ceil(len(ordered) * 0.9) - 1, 0)]


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


def api_get(client: Any, path: str, params: dict[str, str], key: str) -> tuple[int, bytes]:
    response = client.get(path, params, headers={"authorization": f"Bearer {key}"})
    return response.status_code, response.content


def time_api(label: str, client: Any, path: str, params: dict[str, str], key: str, reps: int) -> dict[str, Any] | None:
    """Median/p90 of an API call; None (and a note) when the endpoint is missing or refuses."""
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.CRITICAL)  # a missing endpoint is reported here, not as a logged 404
    try:
        status, body = api_get(client, path, params, key)
        if status == 404:
            print(f"    {label}: GET {path} answers 404: the endpoint is missing (not timed)")
            return None
        if status != 200:
            print(f"    {label}: GET {path} answers HTTP {status}: {body[:200]!r} (not timed)")
            return None
        samples, (_status, body) = repeat(lambda: api_get(client, path, params, key), reps)
    finally:
        request_log.setLevel(level)
    figure = {"median": statistics.median(samples), "p90": p90(samples), "bytes": len(body)}
    print(
        f"    {label}: GET {path}: median {figure['median']:.1f} ms, p90 {figure['p90']:.1f} ms "
        f"({len(body) / 1024:.0f} KiB) over {reps} requests"
    )
    return figure


def run(args: argparse.Namespace) -> None:
    from django.db.models import Count
    from django.test import Client

    from gendan.core import clock
    from gendan.core.choices import Role
    from gendan.core.services import create_token, create_user
    from gendan.followup import selectors, services
    from gendan.sales.models import Order

    today = clock.today()
    summary: list[tuple[str, str, str]] = []

    # ---- setup
    t0 = time.perf_counter()
    data = fill(args, today)
    setup_s = time.perf_counter() - t0
    c = data["counts"]
    print(
        f"setup: {c['orders']} open orders ({c['confirmed']} confirmed, {c['in_production']} in production, "
        f"{c['ready_to_ship']} ready to ship), {c['milestones']} milestones ({c['overdue milestones']} overdue, "
        f"{c['promises']} with a promise), {c['follow-ups']} follow-ups, {args.customers} customers, "
        f"{args.merchandisers} merchandisers, {sum(len(p) for p in data['pools'].values())} users, "
        f"in {setup_s:.1f} s (today {today})"
    )
    summary.append(("setup (not timed)", f"{setup_s:.1f} s", "-"))

    # ---- (1) re-forecast
    def reforecast(label: str) -> None:
        fn = services.reforecast_orders
        t0 = time.perf_counter()
        totals = profiled(f"reforecast_orders, {label}", fn) if args.profile else fn()
        elapsed = time.perf_counter() - t0
        risks = dict(Order.objects.values_list("risk").annotate(n=Count("pk")).order_by())
        at_risk, late = risks.get("at_risk", 0), risks.get("late", 0)
        share = (at_risk + late) / max(totals["orders"], 1) * 100
        note = " (under the profiler)" if args.profile else ""
        print(
            f"(1) reforecast_orders, {label}: {totals['orders']} orders in {elapsed:.2f} s{note}: "
            f"{totals['orders'] / elapsed:.0f} orders/s; {totals['milestones_changed']} milestones changed, "
            f"{totals['risk_changed']} orders changed risk; afterwards {at_risk} at risk + {late} late "
            f"= {share:.1f} % of the orders"
        )
        rate = f"{elapsed:.2f} s ({totals['orders'] / elapsed:.0f}/s)"
        summary.append((f"reforecast_orders, {label}", rate, "< 60 s"))
        if label == "first run":
            summary.append(("orders at risk or late afterwards", f"{at_risk + late} ({share:.1f} %)", "10-20 % (data)"))

    reforecast("first run")
    reforecast("second run")

    # ---- (1b) the learned forecast: learn the delays from the history of the done milestones, then the on-time
    # chance (300 draws) of every open order
    from gendan.foresight.services import learn_forecasts

    for label in ("first run", "second run"):
        t0 = time.perf_counter()
        totals = profiled(f"learn_forecasts, {label}", learn_forecasts) if args.profile else learn_forecasts()
        elapsed = time.perf_counter() - t0
        flagged = Order.objects.filter(selectors.at_risk_q()).count()
        print(
            f"(1b) learn_forecasts, {label}: {totals['orders']} orders from {totals['observations']} observations in "
            f"{elapsed:.2f} s: {totals['orders'] / elapsed:.0f} orders/s; {totals['changed']} changed, "
            f"{totals['flagged']} flagged, {totals['cleared']} cleared; at risk by the plan or history: {flagged}"
        )
        summary.append((f"learn_forecasts, {label}", f"{elapsed:.2f} s ({totals['orders'] / elapsed:.0f}/s)", "(info)"))

    # ---- (2) chase list
    merch_counts = dict(
        Order.objects.filter(status__in=selectors.FOLLOWED_STATUSES)
        .values_list("merchandiser")
        .annotate(n=Count("pk"))
        .order_by()
    )
    merch = max(data["merchandisers"], key=lambda u: (merch_counts.get(u.pk, 0), u.username))
    open_orders = merch_counts.get(merch.pk, 0)
    samples, rows = repeat(lambda: selectors.chase_list(merch, today), args.reps)
    kinds = Counter(r.kind for r in rows)
    median = statistics.median(samples)
    print(
        f"(2) chase_list of {merch.username} ({open_orders} open orders): {len(rows)} rows "
        f"({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}): median {median:.1f} ms, "
        f"p90 {p90(samples):.1f} ms over {args.reps} calls"
    )
    figure = f"{median:.1f} ms (p90 {p90(samples):.1f})"
    summary.append((f"chase_list, merchandiser ({len(rows)} rows)", figure, "< 100 ms"))
    # the busiest other owner: a purchasing user owns two milestones of every tenth order
    buyer = data["pools"][Role.PURCHASING][0]
    samples_b, rows_b = repeat(lambda: selectors.chase_list(buyer, today), args.reps)
    print(
        f"    chase_list of {buyer.username} (purchasing, {len(rows_b)} rows): median "
        f"{statistics.median(samples_b):.1f} ms, p90 {p90(samples_b):.1f} ms"
    )
    summary.append((f"chase_list, purchasing ({len(rows_b)} rows)", f"{statistics.median(samples_b):.1f} ms", "(info)"))

    client = Client()
    _token, merch_key = create_token(user=merch, name="bench")
    api = time_api(
        "chase list API",
        client,
        "/api/v1/chase-list",
        {"user": merch.username, "date": today.isoformat()},
        merch_key,
        args.reps,
    )
    summary.append(("GET /api/v1/chase-list", f"{api['median']:.1f} ms" if api else "missing", "< 100 ms"))

    # ---- (3) risk board
    def board() -> tuple[int, list[dict[str, Any]]]:
        qs = selectors.risk_board()
        return qs.count(), selectors.risk_rows(qs, offset=0, limit=50)

    samples, (count, page) = repeat(board, args.reps)
    median = statistics.median(samples)
    count_ms = statistics.median(repeat(lambda: selectors.risk_board().count(), args.reps)[0])
    rows_ms = statistics.median(repeat(lambda: selectors.risk_rows(selectors.risk_board(), limit=50), args.reps)[0])
    print(
        f"(3) risk board, first page of {len(page)} of {count}: median {median:.1f} ms, p90 {p90(samples):.1f} ms "
        f"(count {count_ms:.1f} ms, rows {rows_ms:.1f} ms) over {args.reps} calls"
    )
    summary.append(("risk board, first page + count", f"{median:.1f} ms (p90 {p90(samples):.1f})", "< 100 ms"))
    manager = create_user(username="bench_manager", password="bench-pass-123", role=Role.MANAGER, validate=False)
    _token, manager_key = create_token(user=manager, name="bench")
    api = time_api("risk board API", client, "/api/v1/risk-board", {}, manager_key, args.reps)
    summary.append(("GET /api/v1/risk-board", f"{api['median']:.1f} ms" if api else "missing", "< 100 ms"))

    if args.profile:
        profiled("chase_list (merchandiser)", lambda: selectors.chase_list(merch, today))
        profiled("chase_list (purchasing)", lambda: selectors.chase_list(buyer, today))
        profiled("risk board", board)

    width = max(len(name) for name, _v, _t in summary)
    print(f"\nsummary ({args.orders} orders, {args.merchandisers} merchandisers)")
    print(f"  {'figure':<{width}}  {'measured':<24}  target")
    for name, value, target in summary:
        print(f"  {name:<{width}}  {value:<24}  {target}")


if __name__ == "__main__":
    main()
