"""Build the demo company through the same services the pages and the API use.

Deterministic: the same seed gives the same company. Orders are created on their own order date
(the clock is frozen there), so numbers, audit times and reviews look like real history: the past
six months of orders ship and close, the next four months are in review, confirmed or in production.

Purchasing, receiving and the stores moved into Gendan `data.PURCHASING_SINCE_DAYS` ago: the stores were set up
and counted then (the opening stock), and the orders bought from then on have their purchase orders. Orders are
built in batches of neighbours: each is confirmed (its requirements are netted against the stock by the real
signal), then the buyer buys for the batch on Mondays around their "materials ordered" dates, one PO per supplier
for several orders; suppliers confirm through their links (a few late, a few never), deliveries are received,
inspected by QC (a few rejected or accepted under concession) and go into stock for their orders; late lines get
their delay cause, received POs are closed. Then each order lives the rest of its life: production issues its
materials, it ships. Purchasing draws on its own random stream.

Production planning moved into Gendan `data.PLANNING_SINCE_WORKING_DAYS` working days ago: the plant's work centres
(cutting, three sewing lines, embroidery, ironing, packing, two subcontract factories) with a few capacity exceptions
and a routing for every product were set up then, and the notices of the open orders' lines registered and released
to the plan in due-date order (with overtime, or late, when the date cannot be met).
"""

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from gendan.catalog import services as catalog_services
from gendan.catalog.models import Material, Product, WorkCentre
from gendan.core import clock
from gendan.core.calendar import WorkingCalendar, company_calendar
from gendan.core.exceptions import ValidationError
from gendan.core.models import User
from gendan.core.services import create_user
from gendan.demo import data
from gendan.finance import services as finance_services
from gendan.finance.models import Invoice, PaymentTerm
from gendan.followup import services as followup_services
from gendan.followup.models import Milestone
from gendan.inventory import services as inventory_services
from gendan.inventory.choices import MovementKind
from gendan.inventory.models import Location, Reservation
from gendan.partners import services as partner_services
from gendan.partners.models import Customer, Supplier
from gendan.procurement import selectors as procurement_selectors
from gendan.procurement import services as procurement_services
from gendan.procurement.choices import CAUSE_FAMILY, DelayFamily, Disposition, PoStatus
from gendan.procurement.models import (
    IncomingInspection,
    MaterialRequirement,
    PurchaseOrder,
    PurchaseOrderLine,
    ReceiptLine,
)
from gendan.production import services as production_services
from gendan.production import subcontracting
from gendan.production.choices import MeasureKind
from gendan.production.models import DailyReport, PlanLoad, ProductionNotice, SubcontractOrder
from gendan.quality import services as quality_services
from gendan.quality.models import DefectType
from gendan.sales import services as sales_services
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order, OrderLine, ReviewItem
from gendan.samples import services as sample_services
from gendan.shipping import services as shipping_services

ZERO = Decimal(0)
BATCH = 20  # orders built together, so that the buyer buys for several at once
WHOLE_UNITS = {"pcs", "set", "pair", "dozen", "carton", "roll", "sheet"}
# How suppliers behave (shares of purchase orders, or of lines where said).
LATE_PROMISE = 0.08  # the supplier promises a PO after its need-by date
NEVER_CONFIRMS = 0.08  # the supplier never answers through its link (it delivers all the same)
PROMISE_PUSHED = 0.08  # of lines: chased, the supplier pushes its date out
ON_TIME = 0.8  # delivered on (or a little before) the promised date
WRONG_PLACE = 0.04  # of receipts: delivered to the finished-goods store
CAUSE_GIVEN = 0.8  # of late lines: the buyer records why
CLOSED_WHEN_RECEIVED = 0.8
# Delay causes by family, weighted: mostly the supplier's doing, then ours, then communication.
CAUSE_WEIGHTS = {DelayFamily.SUPPLIER: 55, DelayFamily.COMPANY: 30, DelayFamily.COMMUNICATION: 15}


def _price(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01") if value >= 1 else Decimal("0.001"), rounding=ROUND_HALF_UP)


def _amount(value: Decimal, unit: str, *, rounding: str = ROUND_HALF_UP) -> Decimal:
    """A quantity as a storekeeper counts it: whole pieces, tenths of a metre or kilogram."""
    return value.quantize(Decimal(1) if unit in WHOLE_UNITS else Decimal("0.1"), rounding=rounding)


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


@dataclass
class _Life:
    """A confirmed order between its confirmation and the rest of its life."""

    order: Order
    target: str
    order_date: dt.date
    ex_factory: dt.date
    lead: int
    buy_day: dt.date


class DemoBuilder:
    def __init__(self, *, seed: int = 2026, orders: int = 200, log: Callable[[str], None] = lambda _m: None) -> None:
        self.rng = random.Random(seed)
        self.order_count = orders
        self.log = log
        self.today = clock.today()
        self.now = clock.now()
        self.users: dict[str, User] = {}
        self.customers: list[Customer] = []
        self.suppliers: dict[str, Supplier] = {}
        self.materials: dict[int, list[Material]] = {}
        self.products: list[tuple[Product, tuple[float, float]]] = []
        self.buy_rng = random.Random(seed + 1)  # purchasing's own stream: it leaves the orders as they are
        self.go_live = self.today - dt.timedelta(days=data.PURCHASING_SINCE_DAYS)
        self.locations: dict[str, Location] = {}
        self.bought = {"pos": 0, "receipts": 0, "inspections": 0}

    def at(self, day: dt.date):  # noqa: ANN201 - a context manager
        """Freeze the clock at noon of `day`, but never later than now (history is never in the future)."""
        noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
        return clock.frozen(min(noon, self.now))

    # -- people and master data ----------------------------------------------------------------------
    def build_users(self) -> None:
        for username, role, zh, en in data.USERS:
            first, _, last = en.partition(" ")
            self.users[username] = create_user(
                username=username,
                password=data.DEMO_PASSWORD,
                role=role,
                email=f"{username}@gendan.example",
                first_name=zh if role != "admin" else "Admin",
                last_name="",
                language="zh-hans" if username not in {"merch3", "sales2"} else "en",
                validate=False,
            )
        self.log(f"users: {len(self.users)}")

    def build_partners(self) -> None:
        by = self.users["manager"]
        merchandisers = [self.users[u] for u in ("merch1", "merch2", "merch3")]
        for i, (code, zh, en, tier, country, currency, incoterm, terms) in enumerate(data.CUSTOMERS):
            customer = partner_services.create_customer(
                by=by,
                data={
                    "code": code,
                    "name": zh,
                    "name_en": en,
                    "tier": tier,
                    "country": country,
                    "currency": currency,
                    "default_incoterm": incoterm,
                    "payment_terms": terms,
                    "credit_limit": Decimal(self.rng.choice([50_000, 100_000, 200_000, 500_000])),
                    "merchandiser": merchandisers[i % 3],
                    "address": f"{data.PORTS[i]}, {country}",
                },
            )
            self.customers.append(customer)
            for n in range(self.rng.randint(1, 2)):
                partner_services.create_contact(
                    by=by,
                    data={
                        "customer": customer,
                        "name": self.rng.choice(["Anna", "Mark", "Julia", "Tom", "Yuki", "Omar", "Lena", "Paul"])
                        + " "
                        + self.rng.choice(["Smith", "Müller", "Tanaka", "Brown", "Rossi", "Garcia", "Kim"]),
                        "title": ["Buyer", "Sourcing manager", "QA manager"][n % 3],
                        "email": f"contact{n + 1}@{code.lower()}.example",
                        "phone": f"+{self.rng.randint(1, 99)} {self.rng.randint(100000000, 999999999)}",
                        "is_primary": n == 0,
                    },
                )
        for code, zh, en, kind, city in data.SUPPLIERS:
            supplier = partner_services.create_supplier(
                by=by,
                data={
                    "code": code,
                    "name": zh,
                    "name_en": en,
                    "kind": kind,
                    "country": "CN",
                    "city": city,
                    "payment_terms": data.SUPPLIER_TERMS.get(code, ""),
                },
            )
            self.suppliers[code] = supplier
            partner_services.create_contact(
                by=by,
                data={
                    "supplier": supplier,
                    "name": self.rng.choice(["张", "王", "李", "陈", "杨"]) + self.rng.choice(["经理", "主管", "工"]),
                    "phone": f"13{self.rng.randint(100000000, 999999999)}",
                    "wechat": f"wx_{code.lower()}",
                    "is_primary": True,
                },
            )
        self.log(f"customers: {len(self.customers)}, suppliers: {len(self.suppliers)}")

    def build_catalog(self) -> None:
        by = self.users["planner"]
        seq = 0
        for idx, (category, stem, specs, unit, lead, supplier_code) in enumerate(data.MATERIAL_FAMILIES):
            family: list[Material] = []
            base = Decimal(data.MATERIAL_PRICES[stem])
            for n, spec in enumerate(specs):
                seq += 1
                family.append(
                    catalog_services.create_material(
                        by=by,
                        data={
                            "code": f"M{seq:04d}",
                            "name": stem,
                            "spec": spec,
                            "unit": unit,
                            "category": category,
                            "lead_time_days": lead + self.rng.randint(-2, 4),
                            "default_supplier": self.suppliers[supplier_code],
                            "purchase_price": _price(base * (1 + Decimal("0.06") * n)),
                        },
                    )
                )
            self.materials[idx] = family
        # Colour variants of each spec until there are ~150 materials.
        colours = ["红", "藏青", "卡其", "墨绿", "浅粉", "奶白"]
        while seq < 150:
            idx = self.rng.randrange(9)  # fabrics
            category, stem, specs, unit, lead, supplier_code = data.MATERIAL_FAMILIES[idx]
            seq += 1
            self.materials[idx].append(
                catalog_services.create_material(
                    by=by,
                    data={
                        "code": f"M{seq:04d}",
                        "name": stem,
                        "spec": f"{self.rng.choice(specs).split()[0]} {self.rng.choice(colours)}",
                        "unit": unit,
                        "category": category,
                        "lead_time_days": lead + self.rng.randint(0, 6),
                        "default_supplier": self.suppliers[supplier_code],
                        "purchase_price": _price(Decimal(data.MATERIAL_PRICES[stem]) * Decimal("1.05")),
                    },
                )
            )
        pseq = 0
        variants = ["白", "灰", "蓝", "米", "粉", "条纹", "印花"]
        while pseq < 80:
            fam = data.PRODUCT_FAMILIES[pseq % len(data.PRODUCT_FAMILIES)]
            category, zh, en, specs, unit, upc, (cl, cw, ch), net, price_range, bom_families = fam
            pseq += 1
            spec = specs[(pseq // len(data.PRODUCT_FAMILIES)) % len(specs)]
            colour = variants[(pseq * 3) % len(variants)]
            net_kg = Decimal(str(net)) + Decimal(self.rng.randint(-10, 10)) / 10
            product = catalog_services.create_product(
                by=by,
                data={
                    "code": f"GD-{pseq:04d}",
                    "name": f"{zh} {colour}",
                    "name_en": en,
                    "spec": spec,
                    "unit": unit,
                    "category": category,
                    "hs_code": "630260" if "Towel" in en or "towel" in en else "630210",
                    "units_per_carton": upc,
                    "carton_length_cm": Decimal(cl),
                    "carton_width_cm": Decimal(cw),
                    "carton_height_cm": Decimal(ch),
                    "net_weight_kg": net_kg,
                    "gross_weight_kg": net_kg + Decimal("1.2"),
                },
            )
            lines = []
            for pos, fam_idx in enumerate(bom_families):
                material = self.rng.choice(self.materials[fam_idx])
                qty = (
                    Decimal(str(round(self.rng.uniform(0.05, 1.8), 3)))
                    if fam_idx < 10
                    else Decimal(self.rng.choice(["1", "1", "2", "0.05"]))
                )
                lines.append(
                    {
                        "material": material,
                        "qty_per_unit": qty,
                        "scrap_pct": Decimal(self.rng.choice(["0", "1", "2", "3", "5"])),
                        "note": "" if pos else "主料",
                    }
                )
            catalog_services.set_bom(product=product, by=by, lines=lines)
            self.products.append((product, price_range))
        self.log(f"materials: {seq}, products: {len(self.products)}")

    def build_stores(self) -> None:
        """The material store (racks by category) and the finished-goods store, with the material store's opening
        stock (the count when purchasing moved into Gendan): most trims and packaging, some of the fabrics."""
        by = self.users["manager"]
        for code, name, address, places in data.WAREHOUSES:
            warehouse = inventory_services.create_warehouse(
                by=by, data={"code": code, "name": name, "address": address}, locations=()
            )
            for place, label in places:
                self.locations[place] = inventory_services.add_location(
                    warehouse=warehouse, by=by, data={"code": place, "name": label}
                )
        stocked = 0
        for family in self.materials.values():
            for material in family:
                quantity = data.OPENING_STOCK.get((material.name, material.spec))
                if quantity is None:
                    continue
                inventory_services.move(
                    kind=MovementKind.RECEIPT,
                    item=material,
                    location=self.locations[self.buy_rng.choice(data.STORE_RACKS[material.category])],
                    quantity=Decimal(quantity),
                    by=by,
                    reason=data.OPENING_STOCK_REASON,
                    reference=data.OPENING_STOCK_REASON,
                )
                stocked += 1
        self.log(f"warehouses: {len(data.WAREHOUSES)}, locations: {len(self.locations)}, materials in stock: {stocked}")

    # -- orders --------------------------------------------------------------------------------------
    def _review(self, order: Order, *, reject_topic: str | None = None) -> Order:
        """Submit and answer every review item as the right department's user."""
        by_department = {u.department.code: u for u in self.users.values() if u.department_id}
        order = sales_services.submit_order(order=order, by=order.merchandiser)
        items = ReviewItem.objects.filter(order=order, round=order.review_round).select_related("department")
        for item in items:
            reviewer = by_department[item.department.code]
            if reject_topic and item.topic == reject_topic:
                sales_services.decide_review_item(
                    item=item, by=reviewer, verdict="reject", comment=data.REJECT_COMMENTS.get(item.topic, "请补充资料")
                )
                return Order.objects.get(pk=order.pk)
            sales_services.decide_review_item(item=item, by=reviewer, verdict="pass", comment="OK")
        return Order.objects.get(pk=order.pk)

    def _pick_status(self, ex_factory: dt.date) -> str:
        days = (ex_factory - self.today).days
        roll = self.rng.random()
        if roll < 0.04:
            return OrderStatus.CANCELLED
        if roll < 0.08:
            return OrderStatus.ON_HOLD
        if days < -45:
            return OrderStatus.CLOSED if self.rng.random() < 0.7 else OrderStatus.SHIPPED
        if days < -3:
            return self.rng.choice([OrderStatus.SHIPPED, OrderStatus.SHIPPED, OrderStatus.READY_TO_SHIP])
        if days < 25:
            return self.rng.choice([OrderStatus.IN_PRODUCTION, OrderStatus.IN_PRODUCTION, OrderStatus.READY_TO_SHIP])
        if days < 60:
            return self.rng.choice([OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION])
        return self.rng.choice([OrderStatus.DRAFT, OrderStatus.IN_REVIEW, OrderStatus.CONFIRMED, OrderStatus.CONFIRMED])

    def _first_date(self, n: int) -> dt.date:
        """The earliest order date order `n` can have."""
        span_start = self.today - dt.timedelta(days=182)
        return span_start + dt.timedelta(days=int(n * (182 + 122) / self.order_count)) - _days(85)

    def _start_order(self, n: int) -> _Life | None:
        """Order `n` from its creation through review to its confirmation (and a change after it); None when it
        goes no further."""
        rng = self.rng
        if not self.locations and self._first_date(n) >= self.go_live - _days(45):
            with self.at(self.go_live):  # purchasing and stock move into Gendan
                self.build_stores()
        span_start = self.today - dt.timedelta(days=182)
        ex_factory = span_start + dt.timedelta(days=int(n * (182 + 122) / self.order_count) + rng.randint(0, 3))
        lead = rng.randint(40, 85)
        order_date = min(ex_factory - dt.timedelta(days=lead), self.today - dt.timedelta(days=rng.randint(0, 6)))
        order_date = max(order_date, span_start - dt.timedelta(days=60))
        customer = rng.choice([c for c in self.customers if c.tier != "prospect"])
        target = self._pick_status(ex_factory)
        merchandiser = customer.merchandiser
        with self.at(order_date):
            lines = []
            for product, (low, high) in rng.sample(self.products, rng.randint(1, 4)):
                price = Decimal(str(round(rng.uniform(low, high), 2)))
                if customer.currency == "JPY":
                    price = (price * 150).quantize(Decimal("1"))
                elif customer.currency == "CNY":
                    price = (price * Decimal("7.1")).quantize(Decimal("0.01"))
                lines.append(
                    {
                        "product": product,
                        "quantity": Decimal(rng.choice([500, 1000, 1200, 2000, 2400, 3000, 5000, 6000, 10000])),
                        "unit_price": price,
                        "packaging_note": rng.choice(data.PACKAGING_NOTES),
                    }
                )
            order = sales_services.create_order(
                by=merchandiser,
                customer=customer,
                lines=lines,
                customer_po=f"PO{order_date:%y%m}{n:04d}",
                order_date=order_date,
                ex_factory_date=ex_factory,
                requested_delivery_date=ex_factory + dt.timedelta(days=rng.randint(20, 40)),
                incoterm_place=data.PORTS[self.customers.index(customer)]
                if customer.default_incoterm != "FOB"
                else rng.choice(["Ningbo", "Shanghai"]),
                ship_to=f"{customer.name_en}, {data.PORTS[self.customers.index(customer)]}",
                merchandiser=merchandiser,
                priority=rng.choice(["normal", "normal", "normal", "high", "urgent", "low"]),
                quality_requirements=rng.choice(data.QUALITY_NOTES),
                packaging_requirements=rng.choice(data.PACKAGING_NOTES),
            )
        if target == OrderStatus.DRAFT:
            return None
        review_day = min(order_date + dt.timedelta(days=rng.randint(1, 3)), self.today)
        with self.at(review_day):
            if rng.random() < 0.12:  # rejected once, corrected, resubmitted
                order = self._review(order, reject_topic=rng.choice(list(data.REJECT_COMMENTS)))
                order = sales_services.update_order(
                    order=order, by=merchandiser, version=order.version, data={"remarks": "按评审意见修改"}
                )
            if target == OrderStatus.IN_REVIEW:
                sales_services.submit_order(order=order, by=merchandiser)
                return None
            order = self._review(order)
            if target == OrderStatus.CANCELLED and rng.random() < 0.5:
                sales_services.cancel_order(order=order, by=merchandiser, reason="客户取消订单")
                return None
            order = sales_services.confirm_order(order=order, by=merchandiser)  # nets its material requirements
        if rng.random() < 0.3:  # an order change after confirmation
            change_day = min(review_day + dt.timedelta(days=rng.randint(3, 20)), self.today)
            with self.at(change_day):
                order = self._change(order, merchandiser)
        return _Life(order, target, order_date, ex_factory, lead, self._purchase_day(order, review_day + _days(1)))

    def _finish_order(self, life: _Life) -> None:
        """The rest of a confirmed order's life, its materials bought: its plan followed, production, shipping,
        closing, a chase of what is open; on hold or cancelled at the end."""
        rng, order, target = self.rng, life.order, life.target
        merchandiser, order_date, ex_factory, lead = order.merchandiser, life.order_date, life.ex_factory, life.lead
        chain = [OrderStatus.IN_PRODUCTION, OrderStatus.READY_TO_SHIP, OrderStatus.SHIPPED, OrderStatus.CLOSED]
        stop = {
            OrderStatus.CONFIRMED: 0,
            OrderStatus.IN_PRODUCTION: 1,
            OrderStatus.READY_TO_SHIP: 2,
            OrderStatus.SHIPPED: 3,
            OrderStatus.CLOSED: 4,
            OrderStatus.ON_HOLD: 1,
            OrderStatus.CANCELLED: 0,
        }[target]
        step_dates = [
            order_date + dt.timedelta(days=max(5, lead // 3)),
            ex_factory - dt.timedelta(days=3),
            ex_factory + dt.timedelta(days=rng.randint(0, 4)),
            ex_factory + dt.timedelta(days=rng.randint(40, 60)),
        ]
        self._follow_plan(
            order, before=ex_factory, leave_open=target in (OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION)
        )
        for status, when in zip(chain[:stop], step_dates, strict=False):
            if status == OrderStatus.CLOSED:
                self._follow_plan(order, before=self.today + dt.timedelta(days=1), after_shipping=True)
            with self.at(min(when, self.today)):
                order = sales_services.transition_order(order=order, by=merchandiser, to_status=status)
                if status == OrderStatus.READY_TO_SHIP:
                    self._issue_materials(order, min(when, self.today))
        if OrderStatus.SHIPPED in chain[:stop] and stop < 4:
            self._follow_plan(order, before=self.today + dt.timedelta(days=1), after_shipping=True)
        if target in (OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION, OrderStatus.READY_TO_SHIP):
            self._chase(order)
        with self.at(self.today - dt.timedelta(days=rng.randint(0, 5))):
            if target == OrderStatus.ON_HOLD:
                sales_services.hold_order(order=order, by=merchandiser, reason="客户要求暂停, 等待新的包装资料")
            elif target == OrderStatus.CANCELLED:
                sales_services.cancel_order(order=order, by=self.users["manager"], reason="客户取消订单")
                self._drop_purchases(order)

    def _follow_plan(
        self, order: Order, *, before: dt.date, after_shipping: bool = False, leave_open: bool = False
    ) -> None:
        """Record the actual dates of the milestones planned before `before` (and before today), as their owners
        would have on the day: mostly on time, some a few working days late, one in ten of the overdue still open."""
        calendar = self.calendar
        milestones = Milestone.objects.filter(order=order, actual_date__isnull=True).select_related("owner")
        # materials still owed by suppliers: "materials in house" waits for them (purchasing completes it), and
        # an order still open does not get further than that
        waiting = procurement_selectors.open_lines().filter(order=order).exists()
        for m in sorted(milestones, key=lambda m: (m.planned_date, m.position)):
            if m.is_ex_factory or (m.code in ("DOC", "PAY")) != after_shipping:
                continue
            if m.planned_date >= min(before, self.today):
                break
            if waiting and m.code == followup_services.materials_milestone_code():
                if leave_open:
                    break
                continue
            if leave_open and self.rng.random() < 0.1:
                continue  # overdue: somebody has to chase it
            actual = calendar.add(m.planned_date, self.rng.choice([-1, 0, 0, 0, 0, 1, 1, 2, 3, 5]))
            actual = min(actual, self.today)
            with self.at(actual):
                followup_services.update_milestone(
                    milestone=m, by=m.owner if m.owner.is_active else order.merchandiser, data={"actual_date": actual}
                )

    def _chase(self, order: Order) -> None:
        """A follow-up on the next open milestone, sometimes with a supplier's promise later than the plan."""
        upcoming = (
            Milestone.objects.filter(order=order, actual_date__isnull=True)
            .select_related("owner")
            .order_by("planned_date", "position")
            .first()
        )
        if upcoming is None or self.rng.random() < 0.4:
            return
        calendar = self.calendar
        day = self.today - dt.timedelta(days=self.rng.randint(0, 4))
        promise = None
        if self.rng.random() < 0.45:
            promise = calendar.add(max(upcoming.planned_date, self.today), self.rng.choice([2, 3, 5, 8, 12]))
        party, summary = self.rng.choice(
            data.FOLLOW_UPS[upcoming.code] if upcoming.code in data.FOLLOW_UPS else data.FOLLOW_UPS["*"]
        )
        with self.at(day):
            followup_services.log_follow_up(
                order=order,
                by=order.merchandiser,
                data={
                    "party": party,
                    "channel": self.rng.choice(["phone", "wechat", "wechat", "email", "visit"]),
                    "summary": summary,
                    "milestone_id": upcoming.pk,
                    "promised_date": promise,
                    "next_follow_up_date": calendar.add(self.today, self.rng.randint(0, 4)),
                },
            )

    # -- purchasing ----------------------------------------------------------------------------------
    def _purchase_day(self, order: Order, earliest: dt.date) -> dt.date:
        """The buyer's buying day (a Monday) for the order's materials: the one before its "materials ordered"
        planned date, else the first after `earliest` (the day after it was confirmed); now and then a week late.
        A rush order's plan leaves less time than its materials take: those come after their need-by date."""
        planned = Milestone.objects.filter(order=order, code="MO").values_list("planned_date", flat=True).first()
        day = max(planned or earliest, earliest)
        monday = day - _days(day.weekday())
        if monday < earliest:
            monday += _days(7)
        if self.buy_rng.random() < 0.08:
            monday += _days(7)
        return self.calendar.next_working_day(monday)

    def _purchase(self, lives: list[_Life]) -> None:
        """The buyer buys on Mondays, for every order whose materials are due to be ordered: one
        purchase order per supplier for them all. Then each PO lives its life with its supplier."""
        days: dict[dt.date, list[Order]] = defaultdict(list)
        for life in lives:
            if self.go_live <= life.buy_day <= self.today and self.locations:
                days[life.buy_day].append(life.order)
        sent = []
        for day in sorted(days):
            sent += self._buy(days[day], day)
        for po, token, sent_on in sent:
            self._deliver(po, token, sent_on)

    def _buy(self, orders: list[Order], day: dt.date) -> list[tuple[PurchaseOrder, str, dt.date]]:
        """The buyer turns what the orders still have to buy into purchase orders on `day`, one per supplier; each
        is approved (by the manager above the approval limit) and sent the same day. Returns (PO, link token, day).
        """
        buyer, manager = self.users["buyer"], self.users["manager"]
        sent = []
        with self.at(day):
            short = list(
                MaterialRequirement.objects.filter(order__in=orders, to_buy_qty__gt=0)
                .values_list("order_id", flat=True)
                .distinct()
            )
            if not short:
                return []
            pos, _notes = procurement_services.create_from_requirements(by=buyer, order_ids=short)
            for po in pos:
                approver = manager if procurement_services.needs_manager(po) else buyer
                procurement_services.approve(po=po, by=approver)
                po, token = procurement_services.send(po=po, by=buyer)
                sent.append((po, token, day))
            for ordered in Milestone.objects.filter(
                order__in=short, code="MO", actual_date__isnull=True
            ).select_related("owner"):
                followup_services.update_milestone(
                    milestone=ordered, by=ordered.owner if ordered.owner.is_active else buyer, data={"actual_date": day}
                )
        self.bought["pos"] += len(sent)
        return sent

    def _deliver(self, po: PurchaseOrder, token: str, sent_on: dt.date) -> None:
        """A sent PO's life up to today: the supplier confirms through its link (most within three days, a few
        later than the need-by date, some never), pushes a date out now and then, the goods come (mostly on time,
        sometimes short, over or to the wrong store), are received and inspected (some rejected and delivered
        again), late lines get their cause, and the PO is closed."""
        rng, calendar, buyer = self.buy_rng, self.calendar, self.users["buyer"]
        lines = list(po.lines.select_related("material").order_by("position"))
        confirm_on = sent_on + _days(rng.choice([0, 1, 1, 2, 3]))
        # the supplier promises a little before each required date, never sooner than its lead time allows; a late
        # one some days after it
        early = _days(rng.choice([0, 0, 1, 2, 3]))
        late = _days(rng.randint(4, 12)) if rng.random() < LATE_PROMISE else _days(0)
        promised: dict[int, dt.date | None] = {}
        for line in lines:
            earliest = sent_on + _days(line.material.lead_time_days)
            day = max(max(line.required_date - early, earliest) + late, confirm_on + _days(1))
            promised[line.pk] = calendar.next_working_day(day)
        if rng.random() < NEVER_CONFIRMS or confirm_on > self.today:
            promised = dict.fromkeys(promised)
        else:
            with self.at(confirm_on):
                shown, link = procurement_services.po_for_token(token)  # what the supplier's page does
                items: list[dict] = []
                for line in lines:
                    item: dict = {"line_id": line.pk, "promised_date": promised[line.pk]}
                    if line.unit in ("m", "kg") and rng.random() < 0.15:  # it delivers whole rolls
                        step = Decimal(50 if line.unit == "m" else 25)
                        item["confirmed_qty"] = (line.quantity / step).to_integral_value(ROUND_CEILING) * step
                    items.append(item)
                procurement_services.supplier_confirm(
                    po=shown, link=link, lines=items, note=rng.choice(data.SUPPLIER_CONFIRM_NOTES)
                )
            for line in lines:  # chased, the supplier pushes its date out
                if rng.random() >= PROMISE_PUSHED:
                    continue
                chased_on = max(promised[line.pk] - _days(rng.randint(2, 6)), confirm_on)
                if chased_on > self.today:
                    continue
                later = calendar.next_working_day(promised[line.pk] + _days(rng.randint(3, 8)))
                with self.at(chased_on):
                    procurement_services.record_promise(
                        po=po,
                        by=buyer,
                        lines=[{"line_id": line.pk, "promised_date": later}],
                        note=rng.choice(data.PROMISE_CHANGE_NOTES),
                    )
                promised[line.pk] = later
        # the goods come: the lines due on the same day together, mostly on time, some days late now and then
        roll = rng.random()
        delay = (
            -rng.choice([0, 0, 1, 2]) if roll < ON_TIME else rng.randint(1, 6) if roll < 0.95 else rng.randint(7, 15)
        )
        deliveries: dict[dt.date, dict[int, Decimal | None]] = defaultdict(dict)
        for line in lines:
            day = max((promised[line.pk] or line.required_date) + _days(delay), sent_on + _days(2))
            deliveries[calendar.next_working_day(day)][line.pk] = None  # None: what is still open, give or take
        short_left: set[int] = set()
        last_event = sent_on
        received_on: dict[int, dt.date] = {}
        rejected_lines: set[int] = set()
        while deliveries:
            day = min(deliveries)
            wanted = deliveries.pop(day)
            if day > self.today:
                break
            by_pk = PurchaseOrderLine.objects.select_related("material").in_bulk(list(wanted))
            items, follow = self._delivery_items([(by_pk[pk], qty) for pk, qty in wanted.items()])
            if not items:
                continue
            for pk, qty in follow.items():  # a short delivery: the rest comes later, or never
                if rng.random() < 0.6:
                    deliveries[calendar.next_working_day(day + _days(rng.randint(4, 10)))][pk] = qty
                else:
                    short_left.add(pk)
            first = by_pk[items[0]["line_id"]].material
            wrong = rng.random() < WRONG_PLACE
            place = rng.choice(["F-01", "F-02"]) if wrong else rng.choice(data.STORE_RACKS[first.category])
            with self.at(day):
                receipt = procurement_services.receive(
                    po=po,
                    by=self.users["planner"],
                    data={
                        "received_date": day,
                        "location": self.locations[place],
                        "lines": items,
                        "note": "送货到成品仓, 已通知供应商" if wrong else "",
                    },
                )
            self.bought["receipts"] += 1
            last_event = max(last_event, day)
            for pk in wanted:
                received_on[pk] = day
            for inspection in IncomingInspection.objects.filter(receipt_line__receipt=receipt).select_related(
                "receipt_line__po_line"
            ):
                result = self._inspect(inspection, day, again=all(q is not None for q in wanted.values()))
                if result is None:
                    last_event = self.today  # still waiting for QC: the PO stays open
                    continue
                inspected_on, to_replace = result
                last_event = max(last_event, inspected_on)
                if to_replace:  # rejected: the supplier delivers again
                    pk = inspection.receipt_line.po_line_id
                    rejected_lines.add(pk)
                    deliveries[calendar.next_working_day(inspected_on + _days(rng.randint(5, 12)))][pk] = to_replace
        self._delay_causes(po, received_on, rejected_lines)
        self._close(po, last_event, short_left)

    def _delivery_items(
        self, wanted: list[tuple[PurchaseOrderLine, Decimal | None]]
    ) -> tuple[list[dict], dict[int, Decimal]]:
        """The receipt's lines: what is still open (now and then a little more or less), at the agreed price (now
        and then invoiced a few per cent off it). Returns the items and the quantities left short."""
        rng = self.buy_rng
        items, short = [], {}
        waiting = dict(
            ReceiptLine.objects.filter(po_line__in=[line for line, _q in wanted], inspection__status="pending")
            .values_list("po_line")
            .annotate(total=Sum("quantity"))
        )
        for line, asked in wanted:
            open_qty = line.expected_qty - line.accepted_qty - waiting.get(line.pk, ZERO)
            if open_qty <= 0:
                continue
            if asked is None:
                amount = open_qty
                roll = rng.random()
                if roll < 0.06:  # a little more than ordered (within the 10 % allowed)
                    amount = _amount(open_qty * (1 + Decimal(rng.randint(1, 6)) / 100), line.unit, rounding=ROUND_DOWN)
                elif roll < 0.11:  # short
                    amount = _amount(open_qty * Decimal(rng.randint(85, 97)) / 100, line.unit)
                    if 0 < amount < open_qty:
                        short[line.pk] = open_qty - amount
            else:
                amount = min(asked, open_qty)
            if amount <= 0:
                continue
            price = line.unit_price
            roll = rng.random()
            if roll < 0.06:
                price = (price * (1 + Decimal(rng.randint(2, 5)) / 100)).quantize(Decimal("0.0001"))
            elif roll < 0.08:
                price = (price * (1 - Decimal(rng.randint(1, 3)) / 100)).quantize(Decimal("0.0001"))
            items.append({"line_id": line.pk, "quantity": amount, "unit_price": price})
        return items, short

    def _inspect(
        self, inspection: IncomingInspection, received_on: dt.date, *, again: bool
    ) -> tuple[dt.date, Decimal] | None:
        """QC's result within two working days: mostly accepted; some rejected or sent back for rework (to be
        delivered again), some accepted under concession. A redelivery passes. None: still waiting for QC.
        Returns the day and the quantity the supplier has to deliver again."""
        rng = self.buy_rng
        day = self.calendar.add(received_on, rng.choice([0, 0, 1, 1, 2]))
        if day > self.today or (received_on >= self.today - _days(2) and rng.random() < 0.5):
            return None
        received = inspection.receipt_line.quantity
        unit = inspection.receipt_line.po_line.unit
        roll = 1.0 if again else rng.random()
        disposition, rejected = Disposition.ACCEPT, ZERO
        for limit, kind, (low, high) in (
            (0.06, Disposition.REJECT, (3, 15)),
            (0.10, Disposition.CONCESSION, (2, 8)),
            (0.12, Disposition.REWORK, (5, 10)),
        ):
            if roll < limit:
                rejected = _amount(received * Decimal(rng.randint(low, high)) / 100, unit)
                if 0 < rejected < received:
                    disposition = kind
                else:
                    rejected = ZERO
                break
        checked = received if received <= 80 else _amount(received * Decimal("0.1"), unit, rounding=ROUND_CEILING)
        with self.at(day):
            procurement_services.record_inspection(
                inspection=inspection,
                by=self.users["qc"],
                data={
                    "accepted_qty": received - rejected,
                    "rejected_qty": rejected,
                    "checked_qty": min(checked, received),
                    "disposition": disposition,
                    "defects": rng.choice(data.DEFECTS[disposition]) if rejected else "",
                    "inspected_on": day,
                },
            )
        self.bought["inspections"] += 1
        return day, rejected if disposition in (Disposition.REJECT, Disposition.REWORK) else ZERO

    def _delay_causes(self, po: PurchaseOrder, received_on: dict[int, dt.date], rejected: set[int]) -> None:
        """The buyer says why each late line was late (most of them): received after the supplier's first promise
        (its required date when it never promised), or still open past it."""
        rng = self.buy_rng
        families = list(CAUSE_WEIGHTS)
        causes = {family: [c for c, f in CAUSE_FAMILY.items() if f == family] for family in families}
        for line in PurchaseOrderLine.objects.filter(purchase_order=po):
            due = line.first_promised_date or line.required_date
            last = received_on.get(line.pk)
            if line.open_qty > 0 and due < self.today:
                day = max(self.today - _days(rng.randint(0, 3)), due + _days(1))
            elif last is not None and last > due:
                day = last
            else:
                continue
            if day > self.today or rng.random() >= CAUSE_GIVEN:
                continue
            if line.pk in rejected and rng.random() < 0.7:
                cause = rng.choice(["poor_quality", "poor_process"])
            else:
                family = rng.choices(families, weights=[CAUSE_WEIGHTS[f] for f in families])[0]
                cause = str(rng.choice(causes[family]))
            with self.at(day):
                procurement_services.set_delay_cause(
                    line=line, by=self.users["buyer"], cause=cause, note=rng.choice(data.DELAY_NOTES[cause])
                )

    def _close(self, po: PurchaseOrder, last_event: dt.date, short_left: set[int]) -> None:
        """Received POs are closed within two weeks (most of them); one whose supplier will not deliver the rest
        is closed short."""
        rng = self.buy_rng
        day = self.calendar.add(last_event, rng.randint(2, 10))
        status = PurchaseOrder.objects.values_list("status", flat=True).get(pk=po.pk)
        if day > self.today:
            return
        if status == PoStatus.RECEIVED and rng.random() < CLOSED_WHEN_RECEIVED:
            reason = ""
        elif status == PoStatus.PARTIALLY_RECEIVED and short_left:
            reason = data.SHORT_CLOSE_REASON
        else:
            return
        with self.at(day):
            procurement_services.close(po=po, by=self.users["buyer"], reason=reason)

    def _issue_materials(self, order: Order, day: dt.date) -> None:
        """Production takes what is reserved for the order out of the store (领料); what an order bought before
        purchasing moved into Gendan still shows to buy, and is netted away."""
        planner = self.users["planner"]
        for r in Reservation.objects.filter(order=order).select_related("material", "location").order_by("pk"):
            inventory_services.move(
                kind=MovementKind.ISSUE,
                item=r.material,
                location=r.location,
                quantity=r.quantity,
                by=planner,
                date=day,
                order=order,
                reason=data.ISSUE_REASON,
                reference=order.number,
            )
        if MaterialRequirement.objects.filter(order=order, to_buy_qty__gt=0).exists():
            procurement_services.run_requirements(order_ids=[order.pk], by=planner, reason=data.ISSUE_REASON)

    def _drop_purchases(self, order: Order) -> None:
        """The order is cancelled: the buyer cancels the POs bought for it alone that nothing came for yet (what
        came goes to stock, free for other orders)."""
        ids = PurchaseOrderLine.objects.filter(order=order).values_list("purchase_order_id", flat=True).distinct()
        for po in PurchaseOrder.objects.filter(pk__in=list(ids), status__in=(PoStatus.SENT, PoStatus.CONFIRMED)):
            if not po.lines.exclude(order=order).exists() and not po.lines.filter(received_qty__gt=0).exists():
                procurement_services.cancel(po=po, by=self.users["buyer"], reason=data.CANCEL_PO_REASON)

    def _change(self, order: Order, by: User) -> Order:
        order = Order.objects.prefetch_related("lines").get(pk=order.pk)
        lines = [
            {
                "id": line.id,
                "product": line.product_id,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "packaging_note": line.packaging_note,
            }
            for line in order.lines.all()
        ]
        reason = self.rng.choice(data.CHANGE_REASONS)
        patch: dict = {}
        if "数量" in reason or "款式" in reason:
            lines[0]["quantity"] = lines[0]["quantity"] + 500
        elif "出厂日期" in reason:
            patch["ex_factory_date"] = order.ex_factory_date + dt.timedelta(days=7)
        elif "价格" in reason:
            lines[0]["unit_price"] = (lines[0]["unit_price"] * Decimal("0.97")).quantize(Decimal("0.01"))
        else:
            patch["packaging_requirements"] = "彩盒包装, 条码贴在右下角, 外箱五层瓦楞"
        return sales_services.update_order(
            order=order, by=by, version=order.version, data=patch, lines=lines, change_reason=reason
        )

    def build_orders(self) -> None:
        """Orders in batches of neighbours: each is created and confirmed, the buyer buys for the batch (several
        orders on one purchase order per supplier and buying day), then each lives the rest of its life."""
        self.calendar: WorkingCalendar = company_calendar()
        for start in range(0, self.order_count, BATCH):
            with transaction.atomic():
                lives = [
                    life for n in range(start, min(start + BATCH, self.order_count)) if (life := self._start_order(n))
                ]
                self._purchase(lives)
                for life in lives:
                    self._finish_order(life)
        self.log(f"orders: {Order.objects.count()}")
        self.log(
            "purchasing: {pos} purchase orders, {receipts} receipts, {inspections} inspections".format(**self.bought)
        )

    # -- production planning -------------------------------------------------------------------------
    def build_plant(self) -> dict[str, WorkCentre]:
        """The plant as production planning keeps it: its work centres, a few capacity exceptions around today and
        a routing for every product."""
        planner = self.users["planner"]
        centres: dict[str, WorkCentre] = {}
        for code, name, kind, supplier, unit, capacity, family, overtime in data.WORK_CENTRES:
            centres[code] = catalog_services.create_work_centre(
                by=planner,
                data={
                    "code": code,
                    "name": name,
                    "kind": kind,
                    "supplier": self.suppliers[supplier] if supplier else None,
                    "capacity_unit": unit,
                    "daily_capacity": Decimal(capacity),
                    "product_family": family,
                    "max_overtime_hours": Decimal(overtime),
                },
            )
        next_monday = self.today + _days(7 - self.today.weekday())
        for code, offset, length, capacity, kind, reason in data.CAPACITY_EXCEPTIONS:
            start = next_monday + _days(offset)
            catalog_services.set_exceptions(
                work_centre=centres[code],
                by=planner,
                start=start,
                end=start + _days(length - 1),
                capacity=Decimal(capacity),
                kind=kind,
                reason=reason,
            )
        families = {family[1]: family for family in data.PRODUCT_FAMILIES}
        for product, _prices in self.products:
            stem = product.name.split()[0]
            specs = families[stem][3]
            size = 1 + Decimal(data.SIZE_STEP) * (specs.index(product.spec) if product.spec in specs else 0)
            line, minutes = data.CATEGORY_ROUTING[product.category]
            steps = []
            for operation, centre, setup in data.OPERATIONS:
                if centre == "EMB" and stem not in data.EMBROIDERED:
                    continue
                per_unit = Decimal(data.EMBROIDERY_MINUTES) if centre == "EMB" else Decimal(minutes[centre or "SEW"])
                steps.append(
                    {
                        "name": operation,
                        "work_centre": centres[centre or line],
                        "minutes_per_unit": (per_unit * size).quantize(Decimal("0.001")),
                        "setup_minutes": Decimal(setup),
                    }
                )
            catalog_services.set_routing(product=product, by=planner, steps=steps)
        return centres

    def _release(self, notice: ProductionNotice) -> str:
        """Release a notice after its capacity check: as it is when the date is met, else with the overtime that
        meets it, else late. Returns which."""
        planner = self.users["planner"]
        check = production_services.capacity_check(
            product=notice.product,
            quantity=notice.quantity,
            due_date=notice.due_date,
            exclude_notice=notice.pk,
            with_measures=False,
        )
        if check.feasible:
            production_services.release_notice(notice=notice, by=planner)
            return "on time"
        try:
            production_services.release_notice(notice=notice, by=planner, accept=MeasureKind.OVERTIME)
        except ValidationError:  # no overtime meets the date
            production_services.release_notice(notice=notice, by=planner, accept="late")
            return "late"
        return "overtime"

    def build_production(self) -> None:
        """Production planning moves into Gendan: the planner sets up the plant, registers a production notice for
        every line of the orders confirmed (or in production) before that day and releases them in due-date order —
        a line already due before it on the working day before its date. The orders confirmed since have their
        notices registered as drafts, waiting for release; the ones confirmed today have none yet."""
        planner, calendar = self.users["planner"], self.calendar
        lines = sorted(
            (
                (line.ex_factory_date or line.order.ex_factory_date, line)
                for line in OrderLine.objects.filter(
                    order__status__in=(OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION)
                )
                .select_related("order", "product")
                .order_by("order__number", "position", "id")
            ),
            key=lambda item: item[0],
        )
        if not lines:
            return
        go_live = calendar.add(self.today, -data.PLANNING_SINCE_WORKING_DAYS)

        def confirmed_on(line: OrderLine) -> dt.date:
            return timezone.localtime(line.order.confirmed_at).date() if line.order.confirmed_at else go_live

        planned = [(min(go_live, calendar.previous_working_day(due)), line) for due, line in lines]
        planned = [(day, line) for day, line in planned if confirmed_on(line) < day]
        outcomes: Counter[str] = Counter()
        with transaction.atomic():
            with self.at(min([go_live] + [day for day, _line in planned])):
                self.build_plant()
            for day, line in planned:  # by due date, so the days only move forward
                with self.at(day):
                    outcomes[self._release(production_services.create_notice(order_line=line, by=planner))] += 1
        drafts = [line for _due, line in lines if go_live <= confirmed_on(line) < self.today]
        for line in sorted(drafts, key=lambda line: (confirmed_on(line), line.order.number, line.position)):
            with self.at(confirmed_on(line)), transaction.atomic():
                production_services.create_notice(order_line=line, by=planner)
        self.log(
            f"production: {WorkCentre.objects.count()} work centres, {sum(outcomes.values())} notices released "
            f"({outcomes['on time']} on time, {outcomes['overtime']} with overtime, {outcomes['late']} late), "
            f"{len(drafts)} drafts"
        )

    def _outsource(self, day: dt.date) -> list[SubcontractOrder]:
        """On go-live the planner sends the sewing of the largest released notice of each factory's product family
        out: half its quantity, back two working days before the notice is due."""
        planner, calendar = self.users["planner"], self.calendar
        sent = []
        for factory in WorkCentre.objects.filter(kind="factory").order_by("code"):
            notice = (
                ProductionNotice.objects.filter(status="released", product__category=factory.product_family)
                .order_by("-quantity", "pk")
                .first()
            )
            if notice is None:
                continue
            sewing = notice.product.routing.get(position=2)
            due = max(calendar.add(day, 3), min(calendar.add(day, 8), calendar.add(notice.due_date, -2)))
            with self.at(day), transaction.atomic():
                sc = subcontracting.create_subcontract(
                    by=planner,
                    data={
                        "notice_id": notice.pk,
                        "factory_id": factory.pk,
                        "first_position": sewing.position,
                        "last_position": sewing.position,
                        "quantity": (notice.quantity / 2).to_integral_value(),
                        "unit_price": data.SUBCONTRACT_PRICES.get(factory.code, "2.80"),
                        "due_date": due,
                        "notes": data.SUBCONTRACT_NOTE,
                    },
                )
                try:
                    sent.append(subcontracting.send_subcontract(sc=sc, by=planner))
                except ValidationError:  # the factory is full by then: the draft waits for a new date
                    continue
        return sent

    def _report(
        self, centre: WorkCentre, items: list[dict], *, planner: User, link: object, day: dt.date, rng: random.Random
    ) -> int:
        """Send a work centre's day; the rows that fell behind plan over the days get their cause, as the line
        would be asked."""
        for _attempt in range(2):
            try:
                with self.at(day), transaction.atomic():
                    if link is not None and centre.pk == link.object_id:  # the factory reports through its link
                        return len(subcontracting.record_factory_reports(factory=centre, link=link, items=items))
                    return len(production_services.record_reports(by=planner, items=items))
            except ValidationError as exc:
                for key in exc.errors:
                    parts = key.split(".")
                    item = items[int(parts[1]) - 1] if len(parts) > 2 else items[0]
                    item["variance_reason"] = rng.choice(data.VARIANCE_REASONS)
                    item["note"] = rng.choice(data.VARIANCE_NOTES)
        raise RuntimeError(f"the demo's reports of {centre.code} on {day} are refused")

    def build_shop_floor(self) -> None:
        """The daily reports since go-live: each line and workshop reports what it made of the day's plan — mostly
        on plan, some days short with the cause — and the factories report the work sent out to them."""
        planner, calendar, rng = self.users["planner"], self.calendar, random.Random(7)
        go_live = calendar.add(self.today, -data.PLANNING_SINCE_WORKING_DAYS)
        if not ProductionNotice.objects.filter(status="released").exists():
            return
        sent = self._outsource(go_live)
        factory_link = None
        for sc in sent[:1]:
            with self.at(go_live):
                factory_link, _token = subcontracting.create_factory_link(factory=sc.factory, by=planner)
        reports = 0
        day = go_live
        while day < self.today:
            if not calendar.is_working_day(day):
                day += dt.timedelta(days=1)
                continue
            planned: dict[int, list[tuple[PlanLoad, Decimal]]] = defaultdict(list)
            for load in PlanLoad.objects.filter(date=day, notice__status="released").select_related("work_centre"):
                planned[load.work_centre_id].append((load, load.quantity))
            for _centre_id, loads in sorted(planned.items()):
                items = []
                for load, quantity in loads:
                    slow = rng.random() < data.SLOW_DAY_SHARE
                    share = Decimal(rng.choice(data.SLOW_DAY_OUTPUT if slow else data.NORMAL_DAY_OUTPUT))
                    good = (quantity * share).to_integral_value(rounding=ROUND_DOWN)
                    defects = (good * Decimal(rng.choice(data.DEFECT_RATES))).to_integral_value(rounding=ROUND_DOWN)
                    hours = load.load if load.work_centre.capacity_unit == "hours" else Decimal(8)
                    items.append(
                        {
                            "date": day,
                            "work_centre_id": load.work_centre_id,
                            "notice_id": load.notice_id,
                            "subcontract_id": load.subcontract_id,
                            "good_qty": good,
                            "defect_qty": defects,
                            "hours": hours,
                            "headcount": max(2, int(hours / 8 * 12)),
                            "variance_reason": rng.choice(data.VARIANCE_REASONS) if slow else "",
                            "note": rng.choice(data.VARIANCE_NOTES) if slow else "",
                        }
                    )
                centre = loads[0][0].work_centre
                reports += self._report(centre, items, planner=planner, link=factory_link, day=day, rng=rng)
            day += dt.timedelta(days=1)
        for sc in sent[:1]:  # the first lot is back, two pieces in a hundred rejected at the inspection
            back = calendar.add(go_live, 4)
            made = DailyReport.objects.filter(subcontract=sc).aggregate(total=Sum("good_qty"))["total"] or 0
            lot = min(made, sc.quantity) * Decimal("0.8")
            if back < self.today and lot >= 50:
                lot = lot.to_integral_value(rounding=ROUND_DOWN)
                rejected = (lot * Decimal("0.02")).to_integral_value(rounding=ROUND_DOWN)
                with self.at(back), transaction.atomic():
                    subcontracting.receive(
                        sc=sc,
                        by=self.users["qc"],
                        data={"quantity": lot, "rejected_qty": rejected, "findings": data.SUBCONTRACT_FINDINGS},
                    )
        self.log(f"shop floor: {reports} daily reports, {len(sent)} subcontract orders sent")

    def build_quality_catalogue(self) -> None:
        """The defect catalogue of the products' categories and the key customers' AQLs."""
        qc = self.users["qc"]
        categories = set(Product.objects.values_list("category", flat=True))
        DefectType.objects.bulk_create(
            DefectType(category=c, code=code, name_zh=zh, name_en=en, defect_class=klass)
            for c, code, zh, en, klass in data.QUALITY_DEFECTS
            if not c or c in categories
        )
        for code, (level, critical, major, minor) in data.QUALITY_DEFAULTS.items():
            customer = Customer.objects.filter(code=code).first()
            if customer is not None:
                quality_services.set_customer_defaults(
                    by=qc,
                    customer_id=customer.pk,
                    data={"level": level, "aql_critical": critical, "aql_major": major, "aql_minor": minor},
                )

    def build_quality(self) -> None:
        """The defect catalogue and the key customers' AQLs; the final inspections of the orders about to leave:
        those already made (mostly passed, one failed and being re-worked, one failed and waiting for a decision),
        the next ones planned or booked with the inspector, and in-process checks of the orders in production."""
        qc, merch, rng, calendar = self.users["qc"], self.users["merch1"], random.Random(11), self.calendar
        with self.at(self.today - dt.timedelta(days=200)), transaction.atomic():
            self.build_quality_catalogue()
        done_fi = (
            Milestone.objects.filter(
                code="FI",
                actual_date__gte=self.today - dt.timedelta(days=120),
                actual_date__lt=self.today,
                order__status=OrderStatus.READY_TO_SHIP,
            )
            .select_related("order")
            .order_by("actual_date", "order_id")
        )
        made = planned = 0
        for milestone in done_fi[:36]:  # the history: the lots inspected on the milestone's day
            fail = made % 6 == 4
            inspection = self._plan_inspection(milestone.order, milestone.actual_date, by=merch)
            if inspection is None:
                continue
            done = self._inspect_lot(inspection, milestone.actual_date, fail=fail, rng=rng)
            made += 1
            if done.result == "fail":  # re-worked and passed two working days later
                retry = calendar.add(milestone.actual_date, 2)
                if retry < self.today:
                    with self.at(milestone.actual_date), transaction.atomic():
                        quality_services.set_disposition(
                            inspection=done,
                            by=qc,
                            disposition="rework",
                            note=data.FAIL_FINDINGS,
                            reinspection_date=retry,
                        )
                    again = done.reinspections.get()
                    self._inspect_lot(again, retry, fail=False, rng=rng)
        in_production = Order.objects.filter(status=OrderStatus.IN_PRODUCTION).order_by("pk")
        for n, order in enumerate(in_production[:24]):  # in-process checks of the lines at work
            day = calendar.add(self.today, -rng.randint(1, 12))
            inspection = self._plan_inspection(order, day, by=merch, kind="in_process")
            if inspection is not None:
                self._inspect_lot(inspection, day, fail=n % 7 == 3, rng=rng)
                made += 1
        due = (
            Milestone.objects.filter(
                code="FI",
                actual_date__isnull=True,
                order__status__in=[OrderStatus.IN_PRODUCTION, OrderStatus.READY_TO_SHIP],
            )
            .select_related("order")
            .order_by("forecast_date", "order_id")
        )
        failed = 0
        for milestone in due[:40]:  # to come (and the few already made that failed)
            day = milestone.forecast_date
            inspection = self._plan_inspection(milestone.order, day, by=merch)
            if inspection is None:
                continue
            if day < self.today:  # made and failed: one re-worked, one waiting for the decision
                done = self._inspect_lot(inspection, day, fail=True, rng=rng)
                if failed:
                    with self.at(day), transaction.atomic():
                        quality_services.set_disposition(
                            inspection=done,
                            by=qc,
                            disposition="rework",
                            note=data.FAIL_FINDINGS,
                            reinspection_date=calendar.add(max(day, self.today), 2),
                        )
                failed += 1
                made += 1
            else:
                if planned < 6:
                    with self.at(self.today), transaction.atomic():
                        quality_services.book_inspection(inspection=inspection, by=merch, date=day, inspector=qc.pk)
                planned += 1
        self.log(f"quality: {made} inspections made, {planned} planned")

    def build_terms(self) -> None:
        """Each customer's payment term by its tier (key customers pay a 30 % deposit, the balance against the copy
        B/L), so confirming their orders raises the deposit invoices."""
        terms = {t.code: t for t in PaymentTerm.objects.all()}
        for customer in Customer.objects.order_by("pk"):
            term = terms.get(data.TERMS_BY_TIER.get(customer.tier, ""))
            if term is not None:
                finance_services.set_customer_terms(customer=customer, term_id=term.pk, by=self.users["finance"])

    def build_shipments(self) -> None:
        """The orders ready to ship leave in shipments, one a customer: the first ones booked, loaded and departed
        last week (invoiced on departure, the B/L recorded), the others booked for next week or still planned; then
        the customers pay: most deposits when due, some of the shipment invoices, one in part."""
        clerk, finance, calendar, rng = self.users["shipping"], self.users["finance"], self.calendar, random.Random(17)
        forwarder = Supplier.objects.filter(code=data.SHIPPING_FORWARDER).first()
        ready = Order.objects.filter(status=OrderStatus.READY_TO_SHIP).select_related("customer").order_by("pk")
        by_customer: dict[int, list[Order]] = defaultdict(list)
        for order in ready:
            by_customer[order.customer_id].append(order)
        shipments = 0
        for n, orders in enumerate(list(by_customer.values())[:10]):
            lines = [
                {"order_line_id": line.pk, "quantity": line.quantity}
                for order in orders[:2]
                for line in order.lines.order_by("position")
            ]
            planned_on = calendar.add(self.today, -12 if n < 5 else -3)
            try:
                with self.at(planned_on), transaction.atomic():
                    shipment = shipping_services.create_shipment(
                        by=clerk, data={"lines": lines, "port_of_loading": "Ningbo", "port_of_discharge": "Hamburg"}
                    )
            except ValidationError:
                continue  # orders of one customer on different terms ship apart; the demo skips them
            shipments += 1
            if n >= 8:
                continue  # still planned
            etd = calendar.add(self.today, -4 if n < 5 else 5)
            with self.at(planned_on), transaction.atomic():
                shipment = shipping_services.book(
                    shipment=shipment,
                    by=clerk,
                    data={
                        "forwarder_id": forwarder.pk if forwarder else None,
                        "booking_no": f"NB{rng.randint(10**7, 10**8 - 1)}",
                        "carrier": rng.choice(["COSCO", "Maersk", "MSC", "Evergreen"]),
                        "vessel_voyage": f"{rng.choice(data.VESSELS)} {rng.randint(10, 99)}E",
                        "etd": etd,
                        "eta": etd + dt.timedelta(days=32),
                        "cutoff_cargo": calendar.add(etd, -2),
                        "cutoff_customs": calendar.add(etd, -2),
                        "cutoff_documents": calendar.add(etd, -3),
                    },
                )
            if n >= 5:
                continue  # booked for next week
            with self.at(calendar.add(etd, -1)), transaction.atomic():
                shipment = shipping_services.load(shipment=shipment, by=clerk)
            with self.at(etd), transaction.atomic():
                shipment = shipping_services.depart(
                    shipment=shipment, by=clerk, atd=etd, bl_number=f"COSU{rng.randint(10**9, 10**10 - 1)}", bl_date=etd
                )
        paid = 0
        for invoice in Invoice.objects.filter(status="open", due_date__lt=self.today).order_by("due_date", "pk"):
            roll = rng.random()
            if roll < 0.15:
                continue  # overdue: chased
            share = Decimal(1) if roll > 0.3 else Decimal("0.5")
            amount = (invoice.amount * share).quantize(invoice.amount)
            day = min(invoice.due_date + dt.timedelta(days=rng.randint(0, 6)), self.today)
            rate = data.FX_TO_CNY.get(invoice.currency, "1")
            with self.at(day), transaction.atomic():
                finance_services.record_receipt(
                    by=finance,
                    data={
                        "customer_id": invoice.customer_id,
                        "amount": amount,
                        "currency": invoice.currency,
                        "received_date": day,
                        "bank_charges": Decimal("0")
                        if invoice.currency == "JPY"
                        else Decimal("15.00").quantize(amount),
                        "fx_rate": rate if invoice.currency != "CNY" else "",
                        "reference": f"TT{rng.randint(10**6, 10**7 - 1)}",
                        "allocations": [{"invoice_id": invoice.pk, "amount": amount}],
                    },
                )
            paid += 1
        self.log(f"shipping: {shipments} shipments; cash: {paid} receipts")

    def build_samples(self) -> None:
        """PP samples of the confirmed orders waiting for their PP approval — requested ten days ago, sent by
        courier, some approved, some rejected and in their second round, some still in the sample room — and the
        development samples prospects asked for, one made by a supplier and late on its pattern."""
        calendar, rng = self.calendar, random.Random(13)
        courier = Supplier.objects.filter(code=data.SAMPLE_COURIER).first()
        pps = (
            Milestone.objects.filter(code="PPS", actual_date__isnull=True, order__status=OrderStatus.CONFIRMED)
            .select_related("order__merchandiser", "order__customer")
            .order_by("planned_date", "order_id")[:9]
        )
        asked = calendar.add(self.today, -10)
        made = 0
        for n, milestone in enumerate(pps):
            order, merch = milestone.order, milestone.order.merchandiser
            line = order.lines.order_by("position").first()
            with self.at(asked), transaction.atomic():
                sample = sample_services.create_sample(
                    by=merch,
                    data={
                        "kind": "pp",
                        "order_id": order.pk,
                        "order_line_id": line.pk if line else None,
                        "description": data.PP_SAMPLE_NOTES[n % len(data.PP_SAMPLE_NOTES)],
                        "quantity": 2,
                        "required_date": max(calendar.add(asked, 5), min(milestone.planned_date, self.today)),
                    },
                )
                sample_services.transition(sample=sample, action="start", by=merch)
            made += 1
            if n % 3 == 2:
                continue  # still in the sample room
            sent_on = calendar.add(asked, 4)
            with self.at(sent_on), transaction.atomic():
                sample_services.transition(sample=sample, action="ready", by=merch)
                contact = order.customer.contacts.order_by("-is_primary", "pk").first()
                sample_services.create_dispatch(
                    by=merch,
                    data={
                        "customer_id": order.customer_id,
                        "contact_id": contact.pk if contact else None,
                        "address": order.customer.address or order.customer.name,
                        "sent_date": sent_on,
                        "courier_supplier_id": courier.pk if courier else None,
                        "courier": "" if courier else "SF Express",
                        "tracking_no": f"SF{rng.randint(10**11, 10**12 - 1)}",
                        "cost": Decimal(rng.choice([180, 220, 260])),
                        "currency": "CNY",
                        "items": [
                            {"sample_id": sample.pk},
                            {"kind": "swatch", "description": "面料色卡", "quantity": 1},
                        ],
                    },
                )
            decided = calendar.add(sent_on, 3)
            if decided >= self.today:
                continue
            with self.at(decided), transaction.atomic():
                if n % 3 == 0:
                    sample_services.transition(sample=sample, action="approve", by=merch, comment="")
                else:
                    comment = data.PP_REJECTIONS[n % len(data.PP_REJECTIONS)]
                    sample_services.transition(sample=sample, action="reject", by=merch, comment=comment)
        sales = self.users.get("sales1") or self.users["manager"]
        prospects = list(Customer.objects.filter(tier="prospect").order_by("pk")[:3]) or self.customers[:3]
        makers = list(Supplier.objects.filter(kind="subcontract").order_by("pk")[:1])
        for n, (customer, (what, colours, quantity)) in enumerate(
            zip(prospects, data.DEVELOPMENT_SAMPLES, strict=False)
        ):
            with self.at(calendar.add(self.today, -8)), transaction.atomic():
                sample = sample_services.create_sample(
                    by=sales,
                    data={
                        "kind": "development",
                        "customer_id": customer.pk,
                        "description": what,
                        "colours_sizes": colours,
                        "quantity": quantity,
                        "required_date": calendar.add(self.today, 2 + n),
                        "maker_supplier_id": makers[0].pk if makers and n == 0 else None,
                        "cost": Decimal(300 + 150 * n),
                        "currency": "CNY",
                        "paid_by": "company" if n else "customer",
                    },
                )
                if n:
                    sample_services.transition(sample=sample, action="start", by=sales)
            made += 1
        self.log(f"samples: {made} requested")

    def _plan_inspection(self, order: Order, day: dt.date, *, by: User, kind: str = "final"):  # noqa: ANN202
        line = order.lines.order_by("position").first()
        if line is None:
            return None
        with self.at(min(day, self.today) - dt.timedelta(days=5)), transaction.atomic():
            return quality_services.plan_inspection(
                by=by, data={"order": order, "order_line_id": line.pk, "planned_date": day, "kind": kind}
            )

    def _inspect_lot(self, inspection, day: dt.date, *, fail: bool, rng: random.Random):  # noqa: ANN001, ANN202
        """Book and inspect a lot on `day`: a few stains and loose threads; a failing lot reaches Re on majors."""
        qc = self.users["qc"]
        classes = quality_services.plan_rows(inspection)["classes"]
        sample = max(r["sample_size"] for r in classes.values())
        major = classes["major"]["reject"] if fail else min(rng.randint(0, 2), classes["major"]["accept"])
        defects = [{"code": "THREAD", "quantity": rng.randint(1, max(1, classes["minor"]["accept"]))}]
        if major:
            defects.append({"code": rng.choice(["STAIN", "SEAM", "SHADE"]), "quantity": major})
        with self.at(day), transaction.atomic():
            quality_services.book_inspection(inspection=inspection, by=qc, date=day, inspector=qc.pk)
            return quality_services.record_findings(
                inspection=inspection,
                by=qc,
                inspected_qty=sample,
                defects=defects,
                checks=[
                    {"kind": "quantity", "name": "箱数 / cartons", "ok": True},
                    {"kind": "carton_marks", "name": "正唛/侧唛", "ok": True},
                ],
            )

    def build_customer_work(self) -> None:
        """The rest of the day's work, each app's demo through its own services: quotations, complaints, short stock
        allocated, customer visits and satisfaction surveys, tasks and notices, the reporting exchange rates."""
        from gendan.inventory.demo import build_demo as allocation
        from gendan.office.demo import build_demo as office
        from gendan.quotations.demo import build_demo as quotations
        from gendan.relations.demo import build_demo as relations
        from gendan.reports.demo import build_demo as reporting
        from gendan.service.demo import build_demo as complaints

        for n, build in enumerate((quotations, complaints, allocation, relations, office, reporting)):
            self.log(build(today=self.today, rng=random.Random(2026 + 9 + n)))

    def build(self) -> None:
        with self.at(self.today - dt.timedelta(days=250)):
            with transaction.atomic():
                self.build_users()
                self.build_partners()
                self.build_terms()
                self.build_catalog()
        self.build_orders()
        self.build_production()
        self.build_shop_floor()
        self.build_quality()
        self.build_samples()
        self.build_shipments()
        self.build_customer_work()
        # as the nightly runs would: requirements netted, then forecasts, as of today
        procurement_services.rerun_all()
        totals = followup_services.reforecast_orders()
        self.log(f"plans re-forecast: {totals['orders']} orders")


def is_empty() -> bool:
    return not User.objects.exists()
