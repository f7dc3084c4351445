"""The demo company's complaints (客户投诉), made through the services on their real dates: a year of closed ones for
the report and its Pareto (credit notes, a discount, rejections), one closed last week with a replacement whose
replacement order (补货订单) is now in contract review, and the ones under way today in every status — just
registered, routed, overdue, under investigation with a late action, answered, not accepted, verified waiting for
the manager."""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from gendan.core import clock
from gendan.core.calendar import company_calendar
from gendan.core.models import User
from gendan.core.money import round_money
from gendan.sales import services as sales_services
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order
from gendan.service import services
from gendan.service.models import Complaint

# (title, description, defect, root cause, analysis, containment, corrective, severity, claim share of the line %)
CASES = [
    (
        "毛巾掉毛严重 / Towels shed lint",
        "Customer's lab test: 3 of 5 towels lose more than 0.5 % of their weight in lint after the first wash.",
        "掉毛 lint",
        "material",
        "Yarn lot Y-0815 from the spinner had a short staple; incoming inspection took no wash test.",
        "Hold and wash-test the towels in stock before they ship.",
        "Wash test on every incoming yarn lot; spinner to certify staple length per lot.",
        "major",
        Decimal("4"),
    ),
    (
        "色差 / Shade difference between cartons",
        "Cartons 12–30 are visibly darker than the approved lab dip (ΔE 2.4 under D65).",
        "色差 shade",
        "method",
        "Two dye lots were packed in one shipment without shade banding.",
        "Re-sort the remaining stock by dye lot and mark the cartons.",
        "Shade band every dye lot and pack one lot per shipment; QC checks ΔE against the approved dip.",
        "major",
        Decimal("6"),
    ),
    (
        "外箱破损 / Crushed cartons on arrival",
        "40 cartons arrived crushed at the bottom of the container; 96 pieces with dirty packaging.",
        "外箱破损 crushed",
        "packaging",
        "5-ply cartons were replaced by 3-ply by the carton supplier without approval.",
        "Repack the goods still in the warehouse into 5-ply cartons.",
        "Carton spec (5-ply, BCT ≥ 4,500 N) on the PO; incoming check of the first carton delivery.",
        "minor",
        Decimal("2"),
    ),
    (
        "缝线开裂 / Open seams",
        "The customer's QC found open side seams on 2 % of the bags.",
        "开缝 open seam",
        "man",
        "A new operator on line 3 set a 5 mm seam allowance instead of 10 mm.",
        "100 % check of the bags from line 3 still in the warehouse.",
        "Seam allowance gauge at every machine; first-piece check at each line start.",
        "major",
        Decimal("5"),
    ),
    (
        "尺寸偏小 / Size smaller than spec",
        "Bath mats measure 48 × 78 cm instead of 50 × 80 cm after washing.",
        "尺寸 size",
        "measurement",
        "The shrinkage of the new cotton blend was not tested; the final inspection measured before washing.",
        "Measure the stock after a wash; sort out the short pieces.",
        "Shrinkage test in the pre-production sample; final inspection measures washed pieces.",
        "major",
        Decimal("8"),
    ),
    (
        "霉味 / Musty smell",
        "Several cartons smell musty on opening; no visible mould.",
        "霉味 smell",
        "environment",
        "Goods were packed at 75 % humidity in the rainy season and loaded in a wet container.",
        "Air and re-check the cartons in stock.",
        "Humidity control in the packing room (< 60 %), desiccant in every carton in the rainy season.",
        "critical",
        Decimal("10"),
    ),
    (
        "运输受潮 / Water damage in transit",
        "Container arrived with condensation; 20 cartons wet.",
        "受潮 wet",
        "transport",
        "The container was not checked for holes; no container desiccant was used.",
        "Claim filed with the forwarder's insurer.",
        "Container inspection before loading; desiccant strips in every sea container.",
        "major",
        Decimal("3"),
    ),
]
OPEN_STEPS = [
    "registered",
    "routed",
    "overdue",
    "investigating",
    "answered",
    "not_accepted",
    "verified",
]


def _at(day: dt.date):  # noqa: ANN202 - a context manager
    """The clock at noon of `day`, never later than now (history is never in the future)."""
    noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
    return clock.frozen(min(noon, clock.now()))


def _user(username: str, fallback: User) -> User:
    return User.objects.filter(username=username, is_active=True).first() or fallback


def build_demo(*, today: dt.date, rng: random.Random) -> str:
    """Complaints on the demo's shipped orders (through the services, on their dates); returns a one-line summary."""
    services.ensure_default_causes()
    manager = User.objects.filter(groups__name="manager", is_active=True).order_by("pk").first()
    if manager is None:
        return "complaints: no manager, none made"
    qc = _user("qc", manager)
    planner = _user("planner", manager)
    buyer = _user("buyer", manager)
    shipping = _user("shipping", manager)
    orders = list(
        Order.objects.filter(status__in=(OrderStatus.SHIPPED, OrderStatus.CLOSED))
        .select_related("customer", "merchandiser")
        .order_by("ex_factory_date", "pk")
    )
    if len(orders) < 4:
        orders += list(
            Order.objects.exclude(status__in=(OrderStatus.DRAFT, OrderStatus.CANCELLED))
            .exclude(pk__in=[o.pk for o in orders])
            .select_related("customer", "merchandiser")
            .order_by("pk")[: 12 - len(orders)]
        )
    if not orders:
        return "complaints: no shipped order, none made"
    calendar = company_calendar()
    made = {"closed": 0, "open": 0, "rejected": 0, "credit_notes": 0, "replacements": 0}
    responsible_for = {
        "material": buyer,
        "packaging": buyer,
        "transport": shipping,
        "method": planner,
        "man": planner,
    }

    def register(order: Order, case: tuple, day: dt.date) -> Complaint:
        title, description, defect, *_rest, share = case
        line = order.lines.order_by("-amount", "position").first()
        qty = max(Decimal(1), (line.quantity * share / 100).quantize(Decimal(1))) if line else None
        claim = round_money((qty or 0) * (line.unit_price if line else 0) * Decimal("1.2"), order.currency)
        owner = order.merchandiser or manager
        with _at(day), transaction.atomic():
            return services.create_complaint(
                by=owner,
                data={
                    "order_id": order.pk,
                    "channel": rng.choice(["email", "email", "claim_letter", "wechat", "inspection"]),
                    "customer_reference": f"NCR-{rng.randint(1000, 9999)}",
                    "title": title,
                    "description": description,
                    "severity": case[7],
                    "claim_amount": claim,
                    "lines": [{"order_line_id": line.pk, "quantity": qty, "defect": defect}] if line else [],
                },
            )

    def investigate(c: Complaint, case: tuple, day: dt.date, who: User, *, corrective_due: int = 8) -> Complaint:
        _t, _d, _df, cause, analysis, containment, corrective, *_ = case
        with _at(day), transaction.atomic():
            c = services.save_investigation(complaint=c, by=who, root_cause=cause, cause_detail=analysis)
            services.add_action(
                complaint=c,
                by=who,
                data={
                    "kind": "containment",
                    "description": containment,
                    "owner": who.username,
                    "due_date": calendar.add(day, 1),
                },
            )
            services.add_action(
                complaint=c,
                by=who,
                data={
                    "kind": "corrective",
                    "description": corrective,
                    "owner": who.username,
                    "due_date": calendar.add(day, corrective_due),
                },
            )
        c.refresh_from_db()
        return c

    def route(c: Complaint, cause: str, day: dt.date, due: int | None = None) -> tuple[Complaint, User]:
        who = responsible_for.get(cause, qc)
        with _at(day), transaction.atomic():
            c = services.route_complaint(
                complaint=c,
                by=c.owner,
                responsible=who,
                due_date=calendar.add(day, due) if due is not None else None,
            )
        return c, who

    def finish_actions(c: Complaint, day: dt.date) -> None:
        with _at(day), transaction.atomic():
            for action in c.actions.filter(done_date__isnull=True).select_related("owner"):
                services.complete_action(action=action, by=action.owner, result="Done and checked by QC.")

    def answer(c: Complaint, day: dt.date, who: User, offer: str) -> Complaint:
        with _at(day), transaction.atomic():
            return services.answer_complaint(
                complaint=c,
                by=who,
                answer_text="We apologise for the trouble. Please find our 8D report attached.",
                settlement_offer=offer,
                language="en" if c.customer.country != "CN" else "zh",
            )

    # a year of closed complaints, a little more than one a month
    history = orders[: max(1, len(orders) * 2 // 3)]
    start = today - dt.timedelta(days=330)
    for n in range(14):
        order = history[n % len(history)]
        case = CASES[(n * 3) % len(CASES)] if n % 4 else CASES[n % 2]  # material and method lead the Pareto
        received = calendar.next_working_day(start + dt.timedelta(days=n * 23 + rng.randint(0, 6)))
        if received > calendar.add(today, -25) or received < order.order_date:
            continue
        c = register(order, case, received)
        if n % 7 == 5:  # the customer's own misuse
            with _at(calendar.add(received, 2)), transaction.atomic():
                services.reject_complaint(
                    complaint=c,
                    by=c.owner,
                    reason="The customer's test washed at 90 °C against the care label (40 °C).",
                )
            made["rejected"] += 1
            continue
        c, who = route(c, case[3], calendar.add(received, 1))
        c = investigate(c, case, calendar.add(received, 2), who)
        c = answer(c, calendar.add(received, 4), who, "Credit note for the pieces affected.")
        with _at(calendar.add(received, 8)), transaction.atomic():
            c = services.verify_complaint(complaint=c, by=c.owner, accepted=True, comment="Accepted by e-mail.")
        finish_actions(c, calendar.add(received, 10))
        settlement: dict[str, Any] = {"note": "As agreed with the customer."}
        # (the replacements of the past would have left their replacement orders behind: the recent one below has one)
        if n % 3 in (0, 1):
            settlement["credit_amount"] = round_money(c.claim_amount * Decimal("0.6"), c.currency)
        elif n == 8:
            settlement["discount_pct"] = Decimal(3)
        with _at(calendar.add(received, 11)), transaction.atomic():
            c = services.close_complaint(complaint=c, by=manager, **settlement)
        made["closed"] += 1
        made["credit_notes"] += bool(c.credit_note_id)

    # settled last week with a replacement: its replacement order is made at closing, and its merchandiser submitted
    # it for contract review the next day (it is in review today)
    order = history[-1]
    received = max(calendar.add(today, -17), order.order_date)
    case = CASES[3]  # open seams
    c = register(order, case, received)
    if c.lines.exists():
        c, who = route(c, case[3], calendar.add(received, 1))
        c = investigate(c, case, calendar.add(received, 2), who)
        c = answer(c, calendar.add(received, 4), who, "Replacement of the bags affected, free of charge.")
        with _at(calendar.add(received, 8)), transaction.atomic():
            c = services.verify_complaint(complaint=c, by=c.owner, accepted=True, comment="Accepted by e-mail.")
        finish_actions(c, calendar.add(received, 10))
        with _at(calendar.add(received, 11)), transaction.atomic():
            c = services.close_complaint(
                complaint=c,
                by=manager,
                replacement_qty=c.lines.first().quantity,
                note="Replacement of the bags affected, shipped with the customer's next order.",
            )
        if c.replacement_order_id:
            replacement = c.replacement_order
            with _at(calendar.add(received, 12)), transaction.atomic():
                sales_services.submit_order(order=replacement, by=replacement.merchandiser)
            made["replacements"] += 1
        made["closed"] += 1

    # the ones under way today, one in each status (and an overdue one)
    recent = orders[-len(OPEN_STEPS) :] if len(orders) >= len(OPEN_STEPS) else orders
    for n, step in enumerate(OPEN_STEPS):
        order = recent[n % len(recent)]
        case = CASES[(n + 2) % len(CASES)]
        received = {
            "registered": calendar.add(today, -1),
            "routed": calendar.add(today, -2),
            "overdue": calendar.add(today, -12),
            "investigating": calendar.add(today, -8),
            "answered": calendar.add(today, -9),
            "not_accepted": calendar.add(today, -15),
            "verified": calendar.add(today, -18),
        }[step]
        received = max(received, order.order_date)
        c = register(order, case, received)
        made["open"] += 1
        if step == "registered":
            continue
        if step == "overdue":
            c, who = route(c, case[3], calendar.add(received, 1), due=5)
            continue
        c, who = route(c, case[3], calendar.add(received, 1))
        if step == "routed":
            continue
        # the corrective action of the one under investigation is already late
        c = investigate(c, case, calendar.add(received, 2), who, corrective_due=3 if step == "investigating" else 8)
        if step == "investigating":
            continue
        c = answer(c, calendar.add(received, 4), who, "We offer a credit note for the pieces affected.")
        if step == "answered":
            continue
        if step == "not_accepted":
            with _at(calendar.add(received, 7)), transaction.atomic():
                services.verify_complaint(
                    complaint=c,
                    by=c.owner,
                    accepted=False,
                    comment="The customer wants the supplier's corrective action report too.",
                )
            continue
        with _at(calendar.add(received, 9)), transaction.atomic():
            services.verify_complaint(complaint=c, by=c.owner, accepted=True, comment="OK by phone.")
        finish_actions(c, calendar.add(received, 12))
    credited = made["credit_notes"]
    return (
        f"complaints: {made['closed']} closed ({credited} with a credit note, {made['replacements']} with a "
        f"replacement order), {made['rejected']} rejected, {made['open']} under way"
    )
