"""Build the demo company through the same services the pages and the API use.

Deterministic: the same seed gives the same company. Orders are created on their own order date
(the clock is frozen there), so numbers, audit times and reviews look like real history: the past
six months of orders ship and close, the next four months are in review, confirmed or in production.
"""

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gendan.catalog import services as catalog_services
from gendan.catalog.models import Material, Product
from gendan.core import clock
from gendan.core.calendar import company_calendar
from gendan.core.models import User
from gendan.core.services import create_user
from gendan.demo import data
from gendan.followup import services as followup_services
from gendan.followup.models import Milestone
from gendan.partners import services as partner_services
from gendan.partners.models import Customer, Supplier
from gendan.sales import services as sales_services
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order, ReviewItem


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
                data={"code": code, "name": zh, "name_en": en, "kind": kind, "country": "CN", "city": city},
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
            for spec in specs:
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

    def _one_order(self, n: int) -> None:
        rng = self.rng
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
            return
        review_day = min(order_date + dt.timedelta(days=rng.randint(1, 3)), self.today)
        with self.at(review_day):
            if rng.random() < 0.12:  # rejected once, corrected, resubmitted
                order = self._review(order, reject_topic=rng.choice(list(data.REJECT_COMMENTS)))
                order = sales_services.update_order(
                    order=order, by=merchandiser, version=order.version, data={"remarks": "按评审意见修改"}
                )
            if target == OrderStatus.IN_REVIEW:
                sales_services.submit_order(order=order, by=merchandiser)
                return
            order = self._review(order)
            if target == OrderStatus.CANCELLED and rng.random() < 0.5:
                sales_services.cancel_order(order=order, by=merchandiser, reason="客户取消订单")
                return
            order = sales_services.confirm_order(order=order, by=merchandiser)
        if rng.random() < 0.3:  # an order change after confirmation
            change_day = min(review_day + dt.timedelta(days=rng.randint(3, 20)), self.today)
            with self.at(change_day):
                order = self._change(order, merchandiser)
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
        if OrderStatus.SHIPPED in chain[:stop] and stop < 4:
            self._follow_plan(order, before=self.today + dt.timedelta(days=1), after_shipping=True)
        if target in (OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION, OrderStatus.READY_TO_SHIP):
            self._chase(order)
        with self.at(self.today - dt.timedelta(days=rng.randint(0, 5))):
            if target == OrderStatus.ON_HOLD:
                sales_services.hold_order(order=order, by=merchandiser, reason="客户要求暂停, 等待新的包装资料")
            elif target == OrderStatus.CANCELLED:
                sales_services.cancel_order(order=order, by=self.users["manager"], reason="客户取消订单")

    def _follow_plan(
        self, order: Order, *, before: dt.date, after_shipping: bool = False, leave_open: bool = False
    ) -> None:
        """Record the actual dates of the milestones planned before `before` (and before today), as their owners
        would have on the day: mostly on time, some a few working days late, one in ten of the overdue still open."""
        calendar = company_calendar()
        milestones = Milestone.objects.filter(order=order, actual_date__isnull=True).select_related("owner")
        for m in sorted(milestones, key=lambda m: (m.planned_date, m.position)):
            if m.is_ex_factory or (m.code in ("DOC", "PAY")) != after_shipping:
                continue
            if m.planned_date >= min(before, self.today):
                break
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
        calendar = company_calendar()
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
        for n in range(self.order_count):
            with transaction.atomic():
                self._one_order(n)
        self.log(f"orders: {Order.objects.count()}")

    def build(self) -> None:
        with self.at(self.today - dt.timedelta(days=250)):
            with transaction.atomic():
                self.build_users()
                self.build_partners()
                self.build_catalog()
        self.build_orders()
        totals = followup_services.reforecast_orders()  # as the nightly run would: forecasts as of today
        self.log(f"plans re-forecast: {totals['orders']} orders")


def is_empty() -> bool:
    return not User.objects.exists()
