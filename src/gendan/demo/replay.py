"""The day-by-day replay of a company (`gendan replay`): a fresh company plays forward one working day at a time.

The company is the demo's (its users, customers, suppliers, materials, products, stores with their opening stock,
plant and terms, built by `DemoBuilder`). From the first day, with the clock of core frozen on each working day:

- orders arrive (a Poisson number a day), are created, reviewed (a few rejected once and corrected) and confirmed —
  which makes their T&A plan and nets their material requirements; the planner registers their production notices;
- the merchandiser asks the sample room for the PP sample, which is made, sent by courier and approved or rejected
  by the customer (a rejection costs a round);
- the buyer buys twice a week what the orders still have to buy (purchase orders approved and sent); each supplier
  confirms through its link, promising the required date, then delivers early, on time or late, sometimes short,
  sometimes rejected in part at incoming inspection (and delivers again); an erratic supplier sometimes tells the
  buyer a new date a few days before the promised one;
- once an order's materials are in house and its PP sample approved, the planner releases its notices to the
  finite-capacity plan (with overtime, or late, when the date cannot be met) and production takes the materials out
  of the store; the work centres make what their day allows (run-rate noise, breakdowns, absences), earliest due
  first, each operation from what the one before it made, and report it through the daily report;
- made orders get their final inspection (a few fail, are re-worked and inspected again); the shipping clerk books a
  vessel a week before the committed date, loads the goods (ex-factory) once inspected and not before the customer
  takes them, and records the departure;
- merchandisers chase what is overdue and log it;
- at night the follow-up engine re-forecasts every order and the learned forecasts are fitted and stored.

Every event goes through the service a user's action would call. All randomness comes from one `random.Random(seed)`
and the behaviour tables of `replay_profiles`: the same seed gives the same history. The replay runs on past the
last arrival until the orders it started have shipped, or for `extra_months` at most.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q

from gendan.catalog.models import RoutingStep, WorkCentre
from gendan.catalog.selectors import day_capacity
from gendan.core import clock
from gendan.core.calendar import company_calendar
from gendan.core.exceptions import ValidationError
from gendan.demo import data
from gendan.demo import replay_profiles as profiles
from gendan.demo.builder import DemoBuilder, _amount
from gendan.followup import services as followup_services
from gendan.followup.models import Milestone
from gendan.foresight.services import learn_forecasts
from gendan.partners.models import Customer, Supplier
from gendan.procurement import services as procurement_services
from gendan.procurement.choices import Disposition
from gendan.procurement.models import IncomingInspection, MaterialRequirement, PurchaseOrder, PurchaseOrderLine
from gendan.production import services as production_services
from gendan.production.choices import MeasureKind
from gendan.production.models import ProductionNotice
from gendan.quality import services as quality_services
from gendan.quality.models import Inspection
from gendan.sales import services as sales_services
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order
from gendan.samples import services as sample_services
from gendan.samples.models import Sample
from gendan.shipping import services as shipping_services
from gendan.shipping.models import Shipment

__all__ = ["DEFAULT_START", "Replay", "ReplayResult"]

DEFAULT_START = dt.date(2025, 3, 3)  # a Monday; the replay never reads the wall clock
ZERO = Decimal(0)
BUYING_WEEKDAYS = (0, 3)  # the buyer buys on Mondays and Thursdays
MIH, PPS = followup_services.materials_milestone_code(), "PPS"


class _Company(DemoBuilder):
    """The demo's builder, its clock set to the replayed day (the demo's history is never after its today)."""

    def at(self, day: dt.date):  # noqa: ANN201 - a context manager
        return clock.frozen(day)


@dataclass
class _Step:
    position: int
    centre: int
    minutes: Decimal  # per unit
    setup: Decimal
    done: Decimal = ZERO


@dataclass
class _Notice:
    pk: int
    due: dt.date
    quantity: Decimal
    steps: list[_Step]
    order: _Order

    @property
    def finished(self) -> bool:
        return self.steps[-1].done >= self.quantity


@dataclass
class _Order:
    pk: int
    customer: Customer
    merchandiser: Any
    committed: dt.date
    review_on: dt.date
    stage: str = "draft"  # draft → confirmed → released → made → inspected → loaded → shipped
    notices: list[_Notice] = field(default_factory=list)
    shipment: Shipment | None = None
    mih_done: bool = False
    pps_done: bool = False
    booked: bool = False


@dataclass
class ReplayResult:
    """What the replay did: its period, counts, and the foresight report's period (the committed dates)."""

    start: dt.date
    end: dt.date
    orders: int
    shipped: int
    late: int
    open: int
    report_start: dt.date | None
    report_end: dt.date | None
    seconds: float
    counts: dict[str, int]
    timings: dict[str, float]  # wall seconds per kind of event


class Replay:
    """Build a fresh company and play it forward day by day (see the module's docstring)."""

    def __init__(
        self,
        *,
        months: int = 6,
        orders_per_month: int = 120,
        seed: int = 7,
        start: dt.date = DEFAULT_START,
        extra_months: int = 3,
        progress: bool = True,
        log: Callable[[str], None] = lambda _m: None,
    ) -> None:
        if months < 1 or orders_per_month < 1:
            raise ValueError("a replay needs at least one month and one order a month")
        self.rng = random.Random(seed)
        self.months, self.orders_per_month, self.seed = months, orders_per_month, seed
        self.start = start
        self.last_arrival = _months_later(start, months) - dt.timedelta(days=1)
        self.cap = _months_later(start, months + extra_months)
        self.progress, self.log = progress, log
        # one stream per area, all drawn from the one seeded generator: one area's draws never shift another's
        self.streams = {
            name: random.Random(self.rng.getrandbits(64))
            for name in ("orders", "suppliers", "floor", "samples", "quality", "shipping", "chase", "master", "buy")
        }
        self.agenda: dict[dt.date, list[tuple[Callable[..., None], tuple[Any, ...]]]] = defaultdict(list)
        self.orders: dict[int, _Order] = {}
        self.notices: list[_Notice] = []  # released, not finished
        self.chased: dict[int, dt.date] = {}
        self.counts: dict[str, int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)

    # ---- the run ---------------------------------------------------------------------------------------------------

    def run(self) -> ReplayResult:
        began = time.perf_counter()
        with clock.frozen(self.start - dt.timedelta(days=14)):
            self.build_company()
        day, total = self.start, (self.cap - self.start).days + 1
        bar = _bar(total, self.progress)
        try:
            while day <= self.cap:
                if day > self.last_arrival and not self.in_flight():
                    break
                if self.calendar.is_working_day(day):
                    with clock.frozen(day), transaction.atomic():
                        self.company.today, self.company.now = day, clock.now()
                        self.morning(day)
                        self.night()
                bar.update(1)
                bar.set_postfix(date=day.isoformat(), in_flight=self.in_flight(), refresh=False)
                day += dt.timedelta(days=1)
        finally:
            bar.close()
        end = min(day, self.cap)
        shipped = sum(1 for o in self.orders.values() if o.stage == "shipped")
        committed = [o.committed for o in self.orders.values()]
        exf = Milestone.objects.filter(order_id__in=list(self.orders), is_ex_factory=True)
        late = exf.filter(actual_date__gt=F("order__ex_factory_date")).count()
        return ReplayResult(
            start=self.start,
            end=end,
            orders=len(self.orders),
            shipped=shipped,
            late=late,
            open=len(self.orders) - shipped,
            report_start=min(committed, default=None),
            report_end=max(committed, default=None),
            seconds=time.perf_counter() - began,
            counts=dict(sorted(self.counts.items())),
            timings={name: round(value, 1) for name, value in sorted(self.seconds.items(), key=lambda i: -i[1])},
        )

    def in_flight(self) -> int:
        return sum(1 for o in self.orders.values() if o.stage != "shipped")

    def morning(self, day: dt.date) -> None:
        """One working day: what was due today, the new orders, buying, releases, the shop floor, inspections,
        bookings and the merchandisers' chases."""
        self.run_agenda(day)
        if day <= self.last_arrival:
            self.timed(self.arrivals, day)
        self.timed(self.materials_in_house, day)
        if day.weekday() in BUYING_WEEKDAYS:
            self.timed(self.buy, day)
        self.timed(self.release, day)
        self.timed(self.shop_floor, day)
        self.timed(self.book, day)
        self.timed(self.chase, day)

    def night(self) -> None:
        """The nightly runs: the follow-up engine re-forecast of every order, then the learned forecasts fitted on
        the history so far and stored (with their risk flags)."""
        self.timed(followup_services.reforecast_orders)
        self.timed(learn_forecasts)

    def timed(self, action: Callable[..., Any], *args: Any) -> None:
        """Run `action(*args)` and add its wall time to `seconds` under its name (where a replay spends its time)."""
        began = time.perf_counter()
        action(*args)
        self.seconds[action.__name__] += time.perf_counter() - began

    def later(self, day: dt.date, action: Callable[..., None], *args: Any) -> None:
        """Do `action(*args)` on `day` (the next working day when it is none)."""
        self.agenda[self.calendar.next_working_day(day)].append((action, args))

    def run_agenda(self, day: dt.date) -> None:
        due = self.agenda.pop(day, [])
        for past in sorted(d for d in self.agenda if d < day):  # nothing is left behind
            due = self.agenda.pop(past) + due
        index = 0
        while index < len(due):
            action, args = due[index]
            self.timed(action, *args)
            index += 1
            due += self.agenda.pop(day, [])  # what today's events set for today

    # ---- the company -----------------------------------------------------------------------------------------------

    def build_company(self) -> None:
        """The demo's master data through its builder (users, partners, terms, catalogue, stores, plant, quality
        catalogue), and what the replay derives from it: the suppliers' profiles and the order sizes."""
        company = _Company(seed=self.seed)
        company.rng, company.buy_rng = self.streams["master"], self.streams["buy"]
        company.calendar = self.calendar = company_calendar()
        self.company = company
        with transaction.atomic():
            company.build_users()
            company.build_partners()
            company.build_terms()
            company.build_catalog()
            company.build_stores()
            company.build_plant()
            company.build_quality_catalogue()
        self.users = company.users
        material = sorted(c for c, *_r, kind, _city in data.SUPPLIERS if kind == "material")
        self.supplier_profiles = {
            company.suppliers[code].pk: profiles.supplier_profile(n) for n, code in enumerate(material)
        }
        self.customers = [c for c in company.customers if c.tier != "prospect"]
        self.products = [p for p, _prices in company.products]
        self.prices = {p.pk: prices for p, prices in company.products}
        self.routing: dict[int, list[tuple[int, int, Decimal, Decimal]]] = defaultdict(list)
        for step in RoutingStep.objects.order_by("product_id", "position"):
            self.routing[step.product_id].append(
                (step.position, step.work_centre_id, step.minutes_per_unit, step.setup_minutes)
            )
        centres = WorkCentre.objects.exclude(kind="factory").order_by("code")
        self.centres = {c.pk: c for c in centres}
        first_position = {
            wc: min(p for steps in self.routing.values() for p, c, _m, _s in steps if c == wc)
            for wc in self.centres
            if any(c == wc for steps in self.routing.values() for _p, c, _m, _s in steps)
        }
        self.centre_order = sorted(first_position, key=lambda wc: (first_position[wc], self.centres[wc].code))
        self.scale = self.quantity_scale()
        self.courier = Supplier.objects.filter(code=data.SAMPLE_COURIER).first()
        self.forwarder = Supplier.objects.filter(code=data.SHIPPING_FORWARDER).first()
        self.log(f"company built; order quantities × {self.scale}")

    def quantity_scale(self) -> Decimal:
        """The factor on the base quantities that loads the busiest work centre at TARGET_LOAD of its nominal
        capacity (at its profile's mean run rate) with orders-per-month: the order book fits the plant."""
        per_day = self.orders_per_month / profiles.WORKING_DAYS_PER_MONTH
        lines = per_day * sum(profiles.LINES_PER_ORDER) / len(profiles.LINES_PER_ORDER)
        mean_qty = sum(profiles.BASE_QUANTITIES) / len(profiles.BASE_QUANTITIES)
        minutes: dict[int, float] = defaultdict(float)
        setups: dict[int, float] = defaultdict(float)
        for product in self.products:
            for _p, centre, per_unit, setup in self.routing[product.pk]:
                minutes[centre] += float(per_unit) / len(self.products)
                setups[centre] += float(setup) / len(self.products)
        scale = math.inf
        for centre, per_unit in minutes.items():
            wc = self.centres.get(centre)
            if wc is None or not per_unit:
                continue
            profile = profiles.line_profile(wc.code)
            capacity = float(wc.daily_capacity) * 60 * (profile.rate[0] + profile.rate[1]) / 2
            room = profiles.TARGET_LOAD * capacity - lines * setups[centre]
            scale = min(scale, room / (lines * mean_qty * per_unit))
        return Decimal(str(max(round(scale, 2), 0.05)))

    # ---- orders ----------------------------------------------------------------------------------------------------

    def arrivals(self, day: dt.date) -> None:
        rng = self.streams["orders"]
        for _n in range(_poisson(rng, self.orders_per_month / profiles.WORKING_DAYS_PER_MONTH)):
            self.new_order(day, rng)

    def new_order(self, day: dt.date, rng: random.Random) -> None:
        customer = rng.choice(self.customers)
        merchandiser = self.users[_username(customer.merchandiser_id, self.users)]
        ex_factory = self.calendar.next_working_day(day + dt.timedelta(days=rng.randint(*profiles.LEAD_DAYS)))
        lines = []
        for product in rng.sample(self.products, rng.choice(profiles.LINES_PER_ORDER)):
            low, high = self.prices[product.pk]
            price = Decimal(str(round(rng.uniform(low, high), 2)))
            if customer.currency == "JPY":
                price = (price * 150).quantize(Decimal("1"))
            elif customer.currency == "CNY":
                price = (price * Decimal("7.1")).quantize(Decimal("0.01"))
            quantity = (Decimal(rng.choice(profiles.BASE_QUANTITIES)) * self.scale / 50).to_integral_value() * 50
            lines.append(
                {
                    "product": product,
                    "quantity": max(quantity, Decimal(50)),
                    "unit_price": price,
                    "packaging_note": rng.choice(data.PACKAGING_NOTES),
                }
            )
        port = data.PORTS[self.company.customers.index(customer)]
        order = sales_services.create_order(
            by=merchandiser,
            customer=customer,
            lines=lines,
            customer_po=f"PO{day:%y%m%d}{len(self.orders) + 1:04d}",
            order_date=day,
            ex_factory_date=ex_factory,
            requested_delivery_date=ex_factory + dt.timedelta(days=rng.randint(20, 40)),
            incoterm_place=port if customer.default_incoterm != "FOB" else rng.choice(["Ningbo", "Shanghai"]),
            ship_to=f"{customer.name_en}, {port}",
            merchandiser=merchandiser,
            priority=rng.choice(["normal", "normal", "normal", "high", "urgent", "low"]),
            quality_requirements=rng.choice(data.QUALITY_NOTES),
            packaging_requirements=rng.choice(data.PACKAGING_NOTES),
        )
        review_on = self.calendar.add(day, rng.randint(*profiles.REVIEW_DAYS))
        self.orders[order.pk] = _Order(order.pk, customer, merchandiser, ex_factory, review_on)
        self.counts["orders"] += 1
        self.later(review_on, self.review, order.pk, rng.random() < profiles.REVIEW_REJECTED)

    def review(self, order_id: int, reject: bool) -> None:
        """Contract review (one item rejected, the order corrected and submitted again), then confirmation: the
        plan and the material requirements follow; the planner registers the notices, the sample room is asked
        for the PP sample."""
        state = self.orders[order_id]
        order = Order.objects.get(pk=order_id)
        rng = self.streams["orders"]
        if reject:
            order = self.company._review(order, reject_topic=rng.choice(sorted(data.REJECT_COMMENTS)))
            order = sales_services.update_order(
                order=order, by=state.merchandiser, version=order.version, data={"remarks": "按评审意见修改"}
            )
            self.counts["reviews rejected"] += 1
        order = self.company._review(order)
        order = sales_services.confirm_order(order=order, by=state.merchandiser)
        state.stage = "confirmed"
        planner = self.users["planner"]
        for line in order.lines.select_related("product").order_by("position"):
            notice = production_services.create_notice(order_line=line, by=planner)
            steps = [_Step(p, c, m, s) for p, c, m, s in self.routing[line.product_id]]
            state.notices.append(_Notice(notice.pk, notice.due_date, notice.quantity, steps, state))
        self.request_sample(state, order)

    # ---- PP samples ------------------------------------------------------------------------------------------------

    def request_sample(self, state: _Order, order: Order) -> None:
        today, rng = clock.today(), self.streams["samples"]
        planned = Milestone.objects.filter(order_id=order.pk, code=PPS).values_list("planned_date", flat=True).first()
        lead = sample_services.COURIER_DAYS + sample_services.feedback_days()
        first_making = profiles.SAMPLE_MAKING_DAYS[1]
        required = max(self.calendar.add(planned or today, -lead), self.calendar.add(today, first_making))
        line = order.lines.order_by("position").first()
        sample = sample_services.create_sample(
            by=state.merchandiser,
            data={
                "kind": "pp",
                "order_id": order.pk,
                "order_line_id": line.pk if line else None,
                "description": rng.choice(data.PP_SAMPLE_NOTES),
                "quantity": 2,
                "required_date": required,
            },
        )
        sample = sample_services.transition(sample=sample, action="start", by=state.merchandiser)
        days = rng.randint(*profiles.SAMPLE_MAKING_DAYS)
        self.later(self.calendar.add(today, days), self.send_sample, state.pk, sample.pk)

    def send_sample(self, order_id: int, sample_id: int) -> None:
        state, rng, today = self.orders[order_id], self.streams["samples"], clock.today()
        sample = Sample.objects.get(pk=sample_id)
        sample = sample_services.transition(sample=sample, action="ready", by=state.merchandiser)
        contact = state.customer.contacts.order_by("-is_primary", "pk").first()
        sample_services.create_dispatch(
            by=state.merchandiser,
            data={
                "customer_id": state.customer.pk,
                "contact_id": contact.pk if contact else None,
                "address": state.customer.address or state.customer.name,
                "sent_date": today,
                "courier_supplier_id": self.courier.pk if self.courier else None,
                "courier": "" if self.courier else "SF Express",
                "tracking_no": f"SF{rng.randint(10**11, 10**12 - 1)}",
                "cost": Decimal(rng.choice([180, 220, 260])),
                "currency": "CNY",
                "items": [{"sample_id": sample.pk}],
            },
        )
        days = rng.randint(*profiles.SAMPLE_COURIER_DAYS) + rng.randint(*profiles.SAMPLE_DECISION_DAYS)
        self.later(self.calendar.add(today, days), self.decide_sample, order_id, sample_id)
        self.counts["samples sent"] += 1

    def decide_sample(self, order_id: int, sample_id: int) -> None:
        state, rng = self.orders[order_id], self.streams["samples"]
        sample = Sample.objects.get(pk=sample_id)
        if rng.random() < profiles.approval_chance(state.customer.code):
            sample_services.transition(sample=sample, action="approve", by=state.merchandiser)
            return
        comment = rng.choice(data.PP_REJECTIONS)
        sample_services.transition(sample=sample, action="reject", by=state.merchandiser, comment=comment)
        self.counts["samples rejected"] += 1
        days = rng.randint(*profiles.SAMPLE_REMAKING_DAYS)
        self.later(self.calendar.add(clock.today(), days), self.send_sample, order_id, sample_id)

    # ---- purchasing ------------------------------------------------------------------------------------------------

    def waiting(self) -> list[_Order]:
        """Confirmed orders not yet released to production, in order of their id."""
        return [o for pk, o in sorted(self.orders.items()) if o.stage == "confirmed"]

    def buy(self, day: dt.date) -> None:
        """The buyer turns what the waiting orders still have to buy into POs (one per supplier), approves (the
        manager above the limit) and sends them; "materials ordered" is done for the orders bought for the first
        time."""
        buyer, manager = self.users["buyer"], self.users["manager"]
        ids = [o.pk for o in self.waiting()]
        if not ids:
            return
        short = sorted(
            set(
                MaterialRequirement.objects.filter(order_id__in=ids, to_buy_qty__gt=0).values_list(
                    "order_id", flat=True
                )
            )
        )
        if short:
            pos, _notes = procurement_services.create_from_requirements(by=buyer, order_ids=short)
            for po in sorted(pos, key=lambda p: p.pk):
                approver = manager if procurement_services.needs_manager(po) else buyer
                procurement_services.approve(po=po, by=approver)
                po, token = procurement_services.send(po=po, by=buyer)
                self.supplier_plan(po, token, day)
                self.counts["purchase orders"] += 1
        for milestone in (
            Milestone.objects.filter(order_id__in=ids, code="MO", actual_date__isnull=True)
            .select_related("owner", "order")
            .order_by("order_id")
        ):
            followup_services.update_milestone(
                milestone=milestone,
                by=milestone.owner if milestone.owner.is_active else buyer,
                data={"actual_date": day},
            )

    def materials_in_house(self, day: dt.date) -> None:
        """The buyer records "materials in house" of the waiting orders that need nothing more (covered by stock, or
        their purchases in); and the orders whose materials and PP sample are done are ready to release."""
        waiting = {o.pk: o for o in self.waiting()}
        if not waiting:
            return
        done = set(
            Milestone.objects.filter(
                order_id__in=list(waiting), code__in=(MIH, PPS), actual_date__isnull=False
            ).values_list("order_id", "code")
        )
        open_needs = set(
            MaterialRequirement.objects.filter(order_id__in=list(waiting))
            .filter(Q(to_buy_qty__gt=0) | Q(on_order_qty__gt=0))
            .values_list("order_id", flat=True)
        )
        bought = set(
            Milestone.objects.filter(order_id__in=list(waiting), code="MO", actual_date__isnull=False).values_list(
                "order_id", flat=True
            )
        )
        for pk, state in waiting.items():
            state.pps_done = (pk, PPS) in done
            state.mih_done = (pk, MIH) in done
            if not state.mih_done and pk in bought and pk not in open_needs:
                milestone = Milestone.objects.select_related("owner").get(order_id=pk, code=MIH)
                followup_services.update_milestone(
                    milestone=milestone,
                    by=milestone.owner if milestone.owner.is_active else self.users["buyer"],
                    data={"actual_date": day},
                )
                state.mih_done = True

    def supplier_plan(self, po: PurchaseOrder, token: str, sent_on: dt.date) -> None:
        """What the supplier will do with a PO just sent: its confirmation, its promises, when the goods really
        come (per its profile) and, for an erratic one, a new date told a few days before a late delivery."""
        rng, calendar = self.streams["suppliers"], self.calendar
        profile = self.supplier_profiles.get(po.supplier_id, profiles.SUPPLIER_PROFILES["reliable"])
        confirm_on = calendar.add(sent_on, rng.choice(profiles.CONFIRM_DAYS))
        promises: dict[int, dt.date] = {}
        for line in po.lines.select_related("material").order_by("position"):
            day = max(line.required_date, sent_on + dt.timedelta(days=line.material.lead_time_days))
            if rng.random() < profile.promise_later:
                day = calendar.add(day, rng.randint(1, 3))
            promises[line.pk] = max(calendar.next_working_day(day), calendar.add(confirm_on, 1))
        self.later(confirm_on, self.supplier_confirms, po.pk, token, promises)
        by_date: dict[dt.date, list[int]] = defaultdict(list)
        for line_id, promised in promises.items():
            by_date[promised].append(line_id)
        for promised, line_ids in sorted(by_date.items()):
            delay = _band(rng, profile.delay)
            delivered = max(calendar.add(promised, delay), calendar.add(confirm_on, 1))
            if delay >= profile.repromise_from and rng.random() < profile.repromise:
                told = max(calendar.add(promised, -rng.randint(2, 5)), confirm_on)
                self.later(told, self.supplier_repromises, po.pk, line_ids, delivered)
            self.later(delivered, self.deliver, po.pk, line_ids, None)

    def supplier_confirms(self, po_id: int, token: str, promises: dict[int, dt.date]) -> None:
        shown, link = procurement_services.po_for_token(token)  # what the supplier's page does
        procurement_services.supplier_confirm(
            po=shown,
            link=link,
            lines=[{"line_id": pk, "promised_date": day} for pk, day in promises.items()],
            note=self.streams["suppliers"].choice(data.SUPPLIER_CONFIRM_NOTES),
        )

    def supplier_repromises(self, po_id: int, line_ids: list[int], day: dt.date) -> None:
        po = PurchaseOrder.objects.get(pk=po_id)
        if day <= clock.today():
            return
        procurement_services.record_promise(
            po=po,
            by=self.users["buyer"],
            lines=[{"line_id": pk, "promised_date": day} for pk in line_ids],
            note=self.streams["suppliers"].choice(data.PROMISE_CHANGE_NOTES),
        )
        self.counts["promises moved"] += 1

    def deliver(self, po_id: int, line_ids: list[int], asked: dict[int, Decimal] | None) -> None:
        """A delivery of the lines: what is still open (or `asked`: a rest, a replacement), short now and then;
        received into the material store, inspected within a day."""
        rng, today = self.streams["suppliers"], clock.today()
        po = PurchaseOrder.objects.select_related("supplier").get(pk=po_id)
        profile = self.supplier_profiles.get(po.supplier_id, profiles.SUPPLIER_PROFILES["reliable"])
        waiting = procurement_services.waiting_by_line(po)
        items, rest = [], {}
        category = ""
        for line in PurchaseOrderLine.objects.filter(pk__in=line_ids).select_related("material").order_by("position"):
            open_qty = line.expected_qty - line.accepted_qty - waiting.get(line.pk, ZERO)
            amount = open_qty if asked is None else min(asked.get(line.pk, ZERO), open_qty)
            if amount <= 0:
                continue
            if asked is None and rng.random() < profile.short:
                part = _amount(amount * Decimal(rng.randint(*profiles.SHORT_SHARE)) / 100, line.unit)
                if 0 < part < amount:
                    rest[line.pk] = amount - part
                    amount = part
            items.append({"line_id": line.pk, "quantity": amount})
            category = category or line.material.category
        if not items:
            return
        place = rng.choice(data.STORE_RACKS.get(category) or sorted(self.company.locations))
        receipt = procurement_services.receive(
            po=po,
            by=self.users["planner"],
            data={"received_date": today, "location": self.company.locations[place], "lines": items},
        )
        self.counts["receipts"] += 1
        if rest:
            self.counts["short deliveries"] += 1
            self.later(
                self.calendar.add(today, rng.randint(*profiles.REST_DAYS)), self.deliver, po_id, sorted(rest), rest
            )
        again = asked is not None
        for inspection_id in (
            IncomingInspection.objects.filter(receipt_line__receipt=receipt).order_by("pk").values_list("pk", flat=True)
        ):
            day = self.calendar.add(today, rng.choice(profiles.INSPECTION_DAYS))
            self.later(day, self.inspect_incoming, inspection_id, again)

    def inspect_incoming(self, inspection_id: int, again: bool) -> None:
        """QC's result: accepted, or (per the supplier's profile; never a replacement) a share rejected, which the
        supplier delivers again."""
        rng, today = self.streams["suppliers"], clock.today()
        inspection = IncomingInspection.objects.select_related(
            "receipt_line__po_line__purchase_order", "receipt_line__po_line"
        ).get(pk=inspection_id)
        line = inspection.receipt_line.po_line
        profile = self.supplier_profiles.get(line.purchase_order.supplier_id, profiles.SUPPLIER_PROFILES["reliable"])
        received = inspection.receipt_line.quantity
        rejected = ZERO
        if not again and rng.random() < profile.reject:
            rejected = _amount(received * Decimal(rng.randint(*profiles.REJECT_SHARE)) / 100, line.unit)
            if not 0 < rejected < received:
                rejected = ZERO
        disposition = Disposition.REJECT if rejected else Disposition.ACCEPT
        checked = received if received <= 80 else _amount(received * Decimal("0.1"), line.unit)
        procurement_services.record_inspection(
            inspection=inspection,
            by=self.users["qc"],
            data={
                "accepted_qty": received - rejected,
                "rejected_qty": rejected,
                "checked_qty": max(min(checked, received), min(received, Decimal(1))),
                "disposition": disposition,
                "defects": rng.choice(data.DEFECTS[disposition]) if rejected else "",
                "inspected_on": today,
            },
        )
        if rejected:
            self.counts["deliveries rejected"] += 1
            day = self.calendar.add(today, rng.randint(*profiles.REDELIVER_DAYS))
            self.later(day, self.deliver, line.purchase_order_id, [line.pk], {line.pk: rejected})

    # ---- production ------------------------------------------------------------------------------------------------

    def release(self, day: dt.date) -> None:
        """The planner releases the notices of the orders whose materials are in house and PP sample approved (with
        overtime, else late, when the date cannot be met); production takes the materials out of the store and the
        order is in production."""
        planner = self.users["planner"]
        ready = [o for o in self.waiting() if o.mih_done and o.pps_done]
        for state in sorted(ready, key=lambda o: (o.committed, o.pk)):
            for notice in sorted(state.notices, key=lambda n: (n.due, n.pk)):
                found = ProductionNotice.objects.get(pk=notice.pk)
                try:
                    with transaction.atomic():
                        production_services.release_notice(notice=found, by=planner, accept=MeasureKind.OVERTIME)
                except ValidationError:  # no overtime meets the date
                    production_services.release_notice(notice=found, by=planner, accept="late")
                    self.counts["notices released late"] += 1
                self.notices.append(notice)
            order = Order.objects.get(pk=state.pk)
            self.company._issue_materials(order, day)
            sales_services.transition_order(order=order, by=state.merchandiser, to_status=OrderStatus.IN_PRODUCTION)
            state.stage = "released"

    def shop_floor(self, day: dt.date) -> None:
        """Each work centre makes what its day allows (its capacity that day × its run rate, breakdowns, absences),
        earliest due first, each operation from what the one before made; the day's output is reported."""
        if not self.notices:
            return
        rng = self.streams["floor"]
        capacity = day_capacity(list(self.centres), day, day, calendar=self.calendar)
        items: list[dict[str, Any]] = []
        queue = sorted(self.notices, key=lambda n: (n.due, n.pk))
        for centre_id in self.centre_order:
            code = self.centres[centre_id].code
            profile = profiles.line_profile(code)
            share, reason, note = rng.uniform(*profile.rate), "", ""
            if rng.random() < profile.breakdown:
                share *= rng.uniform(*profiles.BREAKDOWN_OUTPUT)
                reason, note = "equipment", "设备故障, 停机抢修"
            elif rng.random() < profile.absence:
                share *= rng.uniform(*profiles.ABSENCE_OUTPUT)
                reason, note = "staff", "多人请假"
            hours = capacity.get((centre_id, day), ZERO)
            left = Decimal(str(round(float(hours) * 60 * share, 1)))
            for notice in queue:
                if left <= 0:
                    break
                for index, step in enumerate(notice.steps):
                    if step.centre != centre_id:
                        continue
                    upstream = notice.quantity if index == 0 else notice.steps[index - 1].done
                    available = upstream - step.done
                    if available <= 0:
                        continue
                    setup = step.setup if step.done == 0 else ZERO
                    if left <= setup:
                        left = ZERO
                        break
                    can = (
                        ((left - setup) / step.minutes).to_integral_value(rounding=ROUND_DOWN)
                        if step.minutes
                        else available
                    )
                    made = min(available, can)
                    if made <= 0:
                        break
                    used = setup + made * step.minutes
                    left -= used
                    step.done += made
                    items.append(
                        {
                            "date": day,
                            "work_centre_id": centre_id,
                            "notice_id": notice.pk,
                            "good_qty": made,
                            "defect_qty": (
                                made * Decimal(str(round(rng.uniform(*profiles.DEFECT_RATE), 3)))
                            ).to_integral_value(rounding=ROUND_DOWN),
                            "hours": (used / 60).quantize(Decimal("0.01")),
                            "headcount": max(2, int(used / 60 / 8 * 12)),
                            "variance_reason": reason,
                            "note": note,
                        }
                    )
        if items:
            centre = self.centres[items[0]["work_centre_id"]]
            self.counts["daily reports"] += self.company._report(
                centre, items, planner=self.users["planner"], link=None, day=day, rng=rng
            )
        finished = [n for n in self.notices if n.finished]
        self.notices = [n for n in self.notices if not n.finished]
        for state in sorted({n.order.pk: n.order for n in finished}.values(), key=lambda o: o.pk):
            if state.stage == "released" and all(n.finished for n in state.notices):
                state.stage = "made"
                self.plan_final(state)

    # ---- final inspection and shipping -----------------------------------------------------------------------------

    def plan_final(self, state: _Order) -> None:
        today = clock.today()
        order = Order.objects.select_related("customer").get(pk=state.pk)
        line = order.lines.order_by("position").first()
        day = self.calendar.add(today, 1)
        inspection = quality_services.plan_inspection(
            by=state.merchandiser,
            data={"order": order, "order_line_id": line.pk if line else None, "planned_date": day, "kind": "final"},
        )
        self.later(day, self.inspect_final, state.pk, inspection.pk)

    def inspect_final(self, order_id: int, inspection_id: int) -> None:
        state, rng, today = self.orders[order_id], self.streams["quality"], clock.today()
        inspection = Inspection.objects.get(pk=inspection_id)
        fail = inspection.round == 1 and rng.random() < profiles.FINAL_FAIL
        done = self.company._inspect_lot(inspection, today, fail=fail, rng=rng)
        if done.result == "fail":
            retry = self.calendar.add(today, profiles.REINSPECT_DAYS)
            quality_services.set_disposition(
                inspection=done,
                by=self.users["qc"],
                disposition="rework",
                note=data.FAIL_FINDINGS,
                reinspection_date=retry,
            )
            self.counts["final inspections failed"] += 1
            self.later(retry, self.inspect_final, order_id, done.reinspections.get().pk)
            return
        order = Order.objects.get(pk=order_id)
        sales_services.transition_order(order=order, by=state.merchandiser, to_status=OrderStatus.READY_TO_SHIP)
        state.stage = "inspected"
        if not state.booked:
            self.book_order(state)
        load_on = max(self.calendar.add(today, 1), self.calendar.add(state.committed, -3))
        self.later(load_on, self.load, order_id)

    def book(self, day: dt.date) -> None:
        """The clerk books a vessel for each order due to leave within BOOKING_AHEAD working days."""
        horizon = self.calendar.add(day, profiles.BOOKING_AHEAD)
        for _pk, state in sorted(self.orders.items()):
            if not state.booked and state.stage in ("confirmed", "released", "made") and state.committed <= horizon:
                self.book_order(state)

    def book_order(self, state: _Order) -> None:
        rng, clerk = self.streams["shipping"], self.users["shipping"]
        order = Order.objects.get(pk=state.pk)
        lines = [{"order_line_id": line.pk, "quantity": line.quantity} for line in order.lines.order_by("position")]
        shipment = shipping_services.create_shipment(
            by=clerk, data={"lines": lines, "port_of_loading": "Ningbo", "port_of_discharge": "Hamburg"}
        )
        etd = max(self.calendar.add(state.committed, 3), self.calendar.add(clock.today(), 3))
        state.shipment = shipping_services.book(
            shipment=shipment,
            by=clerk,
            data={
                "forwarder_id": self.forwarder.pk if self.forwarder else None,
                "booking_no": f"NB{rng.randint(10**7, 10**8 - 1)}",
                "carrier": rng.choice(["COSCO", "Maersk", "MSC", "Evergreen"]),
                "vessel_voyage": f"{rng.choice(data.VESSELS)} {rng.randint(10, 99)}E",
                "etd": etd,
                "eta": etd + dt.timedelta(days=32),
                "cutoff_cargo": self.calendar.add(etd, -2),
                "cutoff_customs": self.calendar.add(etd, -2),
                "cutoff_documents": self.calendar.add(etd, -3),
            },
        )
        state.booked = True
        self.counts["bookings"] += 1

    def load(self, order_id: int) -> None:
        state, rng, today = self.orders[order_id], self.streams["shipping"], clock.today()
        shipment = shipping_services.load(shipment=state.shipment, by=self.users["shipping"], day=today)
        state.shipment, state.stage = shipment, "loaded"
        depart_on = max(shipment.etd or today, self.calendar.add(today, rng.randint(*profiles.DEPART_DAYS)))
        self.later(depart_on, self.depart, order_id)

    def depart(self, order_id: int) -> None:
        state, rng, today = self.orders[order_id], self.streams["shipping"], clock.today()
        state.shipment = shipping_services.depart(
            shipment=state.shipment,
            by=self.users["shipping"],
            atd=today,
            bl_number=f"COSU{rng.randint(10**9, 10**10 - 1)}",
        )
        state.stage = "shipped"
        self.counts["shipped"] += 1

    # ---- follow-ups ------------------------------------------------------------------------------------------------

    def chase(self, day: dt.date) -> None:
        """Each merchandiser chases the overdue milestones of their orders (the oldest first, each again after
        CHASE_EVERY working days) and logs what the other party said."""
        rng = self.streams["chase"]
        open_ids = [pk for pk, o in sorted(self.orders.items()) if o.stage not in ("draft", "shipped")]
        if not open_ids:
            return
        overdue = (
            Milestone.objects.filter(order_id__in=open_ids, actual_date__isnull=True, planned_date__lt=day)
            .exclude(code__in=("DOC", "PAY"))
            .select_related("order")
            .order_by("planned_date", "order_id", "position")
        )
        logged: dict[int, int] = defaultdict(int)
        for milestone in overdue:
            state = self.orders[milestone.order_id]
            who = state.merchandiser
            last = self.chased.get(milestone.pk)
            if logged[who.pk] >= profiles.CHASES_PER_DAY or (
                last and self.calendar.between(last, day) < profiles.CHASE_EVERY
            ):
                continue
            party, summary = rng.choice(data.FOLLOW_UPS.get(milestone.code) or data.FOLLOW_UPS["*"])
            followup_services.log_follow_up(
                order=milestone.order,
                by=who,
                data={
                    "party": party,
                    "channel": rng.choice(["phone", "wechat", "wechat", "email", "visit"]),
                    "summary": summary,
                    "milestone_id": milestone.pk,
                    "next_follow_up_date": self.calendar.add(day, profiles.CHASE_EVERY),
                },
            )
            self.chased[milestone.pk] = day
            logged[who.pk] += 1
            self.counts["follow-ups"] += 1


# ---- helpers -------------------------------------------------------------------------------------------------------


def _months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, 28))


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method: fine for the few orders a day)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _band(rng: random.Random, bands: tuple[tuple[float, int, int], ...]) -> int:
    """Working days late from a profile's bands: the first whose cumulative share covers the draw, uniform in it."""
    roll = rng.random()
    for share, low, high in bands:
        if roll < share:
            return rng.randint(low, high)
    _share, low, high = bands[-1]
    return rng.randint(low, high)


def _username(user_id: int | None, users: dict[str, Any]) -> str:
    return next((name for name, user in users.items() if user.pk == user_id), "merch1")


class _NoBar:
    def update(self, _n: int) -> None: ...

    def set_postfix(self, **_kwargs: Any) -> None: ...

    def close(self) -> None: ...


def _bar(total: int, shown: bool) -> Any:
    if not shown:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="day", desc="replay", leave=True)
