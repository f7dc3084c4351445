"""Demo data of quotations, built through the services on top of the demo company: the processing rates of the plant's
work centres, the exchange rates of the month the demo starts quoting in (core's monthly table; the reports' demo
fills the later months), and some forty quotations over the last ten months in every status — drafts being costed,
sent and waiting, accepted (the recent ones made into draft orders), lost with their reasons, expired without an
answer, and revised ones superseded by their next revision."""

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

from gendan.catalog.models import Product, WorkCentre
from gendan.core import clock
from gendan.core.models import User
from gendan.partners.models import Customer
from gendan.quotations import services
from gendan.quotations.choices import LostReason
from gendan.quotations.models import Quotation

# CNY per hour of each work centre (labour, machine, floor); a subcontract factory's is what its hour costs us.
PROCESSING_RATES = {
    "CUT": "55",
    "SEW1": "46",
    "SEW2": "48",
    "SEW3": "50",
    "EMB": "68",
    "IRON": "40",
    "PACK": "36",
    "WX-HN": "42",
    "WX-TX": "40",
}
DEFAULT_RATE = "45"
# The exchange rates (CNY per unit) stored as the rates of the month of the first quotation, through the rates page's
# service; the later months' rates are the reports' demo's (gendan.reports.demo), which keeps this month's.
EXCHANGE_RATES = {
    "USD": "7.1200",
    "EUR": "7.7500",
    "GBP": "9.0500",
    "JPY": "0.047800",
    "CAD": "5.1800",
    "AUD": "4.6500",
    "HKD": "0.9100",
    "SGD": "5.3000",
    "CHF": "8.1000",
    "KRW": "0.005200",
    "AED": "1.9400",
}
# Freight per unit (CNY) to the named place by Incoterm: nothing ex works, the truck to the port FOB, the sea on top
# for CFR/CIF, the door for DAP/DDP.
FREIGHT = {"EXW": "0", "FCA": "0.15", "FOB": "0.20", "CFR": "0.65", "CIF": "0.75", "DAP": "1.10", "DDP": "1.40"}
# The named place: our port or works for the Incoterms of the origin, the customer's port for the others.
ORIGIN_PLACES = {"EXW": "Shaoxing", "FCA": "Yiwu", "FAS": "Ningbo", "FOB": "Ningbo"}
COUNT = 40
# (status to reach, share): the outcome of each quotation, drawn in this proportion
OUTCOMES = [("accepted", 30), ("lost", 28), ("expired", 10), ("revised", 10), ("sent", 12), ("draft", 10)]
LOST_REASONS = [
    (LostReason.PRICE, "越南工厂报价低 8%", 35),
    (LostReason.LEAD_TIME, "客户要求 30 天交货, 我们最快 45 天", 15),
    (LostReason.COMPETITOR, "客户转向现有供应商", 15),
    (LostReason.QUANTITY, "MOQ 5000 太高, 客户只要 1500", 10),
    (LostReason.TERMS, "客户要求 O/A 90 天", 8),
    (LostReason.PROJECT, "客户项目取消", 7),
    (LostReason.NO_RESPONSE, "多次跟进无回复", 10),
]
REMARKS = [
    "Prices include standard export carton packing; custom hangtags at cost.",
    "价格含标准出口纸箱包装; 如需彩盒另计。",
    "Colours as per approved lab dips. Tolerance ±3% on quantity.",
    "",
]


def _pick(rng: random.Random, weighted: list) -> object:
    return rng.choices(weighted, weights=[w[-1] for w in weighted])[0]


def _place(customer: Customer, incoterm: str) -> str:
    if incoterm in ORIGIN_PLACES:
        return ORIGIN_PLACES[incoterm]
    return customer.address.split(",")[0].strip()[:100]


def _set_rates(by: User) -> None:
    centres = WorkCentre.objects.all()
    services.save_rates(
        by=by,
        processing={c.pk: PROCESSING_RATES.get(c.code, DEFAULT_RATE) for c in centres},
        exchange=dict(EXCHANGE_RATES),
    )


def _lines(rng: random.Random, products: list[Product], incoterm: str) -> list[dict]:
    chosen = rng.sample(products, k=min(len(products), rng.choice([1, 1, 2, 2, 3])))
    freight = FREIGHT.get(incoterm, "0.30")
    lines = []
    margin = rng.choice(["12", "15", "15", "18", "20", "22", "25"])
    overhead = rng.choice(["8", "8", "10", "12"])
    for product in chosen:
        quantity = rng.choice([500, 800, 1000, 1200, 1500, 2000, 3000, 5000])
        line = {
            "product_id": product.pk,
            "quantity": str(quantity),
            "packaging_cost": rng.choice(["0.35", "0.50", "0.80", "1.20"]),
            "overhead_pct": overhead,
            "freight_cost": freight,
            "margin_pct": margin,
        }
        if rng.random() < 0.45:
            line["breaks"] = [str(quantity * 2), str(quantity * 5)]
        lines.append(line)
    return lines


def build_demo(*, today: dt.date, rng: random.Random) -> str:
    """Rates, then COUNT quotations dated over the last ten months, each walked to its outcome on its own dates
    (the clock frozen there); the sent ones past their validity are expired by the daily job as of today."""
    manager = User.objects.get(username="manager")
    people = list(User.objects.filter(username__in=["sales1", "sales2"]).order_by("username")) or [manager]
    customers = list(Customer.objects.filter(is_active=True).order_by("code"))
    products = list(Product.objects.filter(is_active=True, bom_lines__isnull=False).distinct().order_by("code"))
    if not customers or not products:
        return "quotations: none (no customers or products)"
    with clock.frozen(today - dt.timedelta(days=320)):
        _set_rates(manager)
    outcomes: Counter[str] = Counter()
    orders = 0
    plans = []
    recent_accepted = 0
    for n in range(COUNT):
        outcome = _pick(rng, OUTCOMES)[0]
        # recent quotations are still open; decided ones are older
        if outcome in ("draft", "sent"):
            age = rng.randint(0, 12)
        elif outcome == "accepted" and recent_accepted < 2:
            age = rng.randint(8, 15)  # accepted last week: made into an order
            recent_accepted += 1
        else:
            age = rng.randint(40 if outcome == "expired" else 20, 300)
        customer = customers[(n * 7 + rng.randrange(len(customers))) % len(customers)]
        plans.append((today - dt.timedelta(days=age), n, outcome, customer, rng.randint(3, 25)))
    plans.sort(key=lambda p: (p[0], p[1]))  # numbered in date order, as they were made
    for quote_day, n, outcome, customer, answer_days in plans:
        by = people[n % len(people)]
        incoterm = customer.default_incoterm
        data = {
            "customer_id": customer.pk,
            "incoterm_place": _place(customer, incoterm),
            "remarks": rng.choice(REMARKS),
            "lines": _lines(rng, products, incoterm),
        }
        with clock.frozen(quote_day):
            quotation = services.create_quotation(by=by, data=data)
            if outcome == "draft":
                outcomes["draft"] += 1
                continue
            quotation = services.send_quotation(quotation=quotation, by=by, email=False)
        decided = min(quote_day + dt.timedelta(days=answer_days), today - dt.timedelta(days=1))
        if outcome == "expired":
            outcomes["expired"] += 1  # its validity passes; the daily job below marks it
            continue
        if outcome == "sent":
            outcomes["sent"] += 1
            continue
        with clock.frozen(decided):
            if outcome == "revised":
                new = services.revise_quotation(quotation=quotation, by=by, comment="客户还价, 重新报价")
                line = new.lines.order_by("position").first()
                services.update_line(
                    quotation=new,
                    line_id=line.pk,
                    by=by,
                    data={"margin_pct": str(max(Decimal(line.margin_pct) - 4, Decimal(5)))},
                )
                new = services.send_quotation(quotation=new, by=by, email=False)
                services.accept_quotation(quotation=new, by=by, comment="接受还价后的价格")
                outcomes["superseded"] += 1
                outcomes["accepted"] += 1
                continue
            if outcome == "accepted":
                quotation = services.accept_quotation(quotation=quotation, by=by)
                outcomes["accepted"] += 1
                if (today - decided).days <= 20 and orders < 3:
                    services.quotation_to_order(
                        quotation=quotation, by=by, customer_po=f"PO-{customer.code[-2:]}{rng.randint(1000, 9999)}"
                    )
                    orders += 1
                continue
            reason, note, _w = _pick(rng, LOST_REASONS)
            services.lose_quotation(quotation=quotation, by=by, reason=reason, comment=note)
            outcomes["lost"] += 1
    expired = services.expire_quotations(day=today)
    parts = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
    total = Quotation.objects.count()
    return f"quotations: {total} ({parts}; {expired} expired today), {orders} draft orders made from them"
