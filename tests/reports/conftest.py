"""Fixtures of the reports tests: English messages and one small, hand-computable company history.

The history (the tests' today is Tuesday 2026-11-24), written straight into the tables the reports read:

Rates to CNY: USD 2025-11 7.20, 2026-09 7.00, 2026-10 7.10 (November takes October's); EUR 2026-11 7.70, October
from two EUR receipts (7.80 and 7.90: 7.85), September none at all (counted at 1, with a warning).

Customers: A "Alpha" (US, USD, looked after by mer1), B "Beta" (DE, EUR, by mer2), C "Gamma" (CN, CNY, by mer1).
Products: P1 lamp (category Lamps), P2 chair (Chairs).

Sales (order date, lines):
  S1  A USD 2026-09-10 confirmed      P1 100 × 2.00 = 200, P2 10 × 5.00 = 50   → 250 USD × 7.00 = 1750.00
  S2  A USD 2026-11-02 shipped        P1 50 × 2.00 = 100                      → 100 × 7.10 = 710.00
  S3  B EUR 2026-10-15 in production  P2 20 × 10.00 = 200                     → 200 × 7.85 = 1570.00
  S4  B EUR 2026-09-20 closed         P1 10 × 3.00 = 30                       → 30 × 1 = 30.00 (no rate)
  S5  C CNY 2026-10-01 draft, S6 C 2026-10-05 cancelled, S8 C 2026-11-21 held in review  → not sales
  S7  C CNY 2026-11-20 on hold (held confirmed)  P1 5 × 100 = 500            → 500.00
  S9  A USD 2025-11-10 confirmed      P1 10 × 2.00 = 20                       → 20 × 7.20 = 144.00 (last year)

Invoices (issue, due) and what settled them:
  I4 A USD 300 (2026-08-01, 08-31) ← receipt 300 on 09-05
  I1 A USD 1000 (2026-09-15, 10-15) ← receipt 600 on 10-10, credit note 100 on 11-05
  I2 A USD 500 (2026-10-20, 11-30)
  I3 B EUR 200 (2026-10-01, 10-31) ← receipt 100 on 10-20
  I5 C CNY 999 cancelled

Deliveries (committed ex-factory; actual ex-factory; shipped by the committed date):
  D1 A 2026-10-10: out 10-08, all of it by then                    → on time, in full
  D2 A 2026-10-20: out 10-25 (5 days late), main factory F1        → late; its MIH was late, a PO line over capacity
  D3 B 2026-11-10: not out (14 days late today)                    → late; its PRD is overdue, equipment failure
  D4 B 2026-11-30: not out                                         → not due yet
  D5 B 2026-11-05: out 11-05, 90 of 100 (B ships within 10 %)      → on time, in full
  D6 C 2026-09-15: no ex-factory milestone, a shipment out 09-14   → on time, in full
"""

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal as D
from typing import Any

import pytest
from django.utils import timezone, translation

from gendan.catalog.models import Product, WorkCentre
from gendan.core.choices import Role
from gendan.core.models import ExchangeRate, User
from gendan.finance.models import Allocation, CreditNote, Invoice, Receipt
from gendan.followup.models import Milestone
from gendan.inventory.models import Warehouse
from gendan.partners.models import Customer
from gendan.sales.models import Order, OrderLine
from gendan.shipping.models import Shipment, ShipmentLine, ShippingProfile
from tests.factories import CustomerFactory, MaterialFactory, ProductFactory, SupplierFactory


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def day(month: int, d: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, d)


_numbers = itertools.count(1)
FAR = dt.date(2027, 3, 1)


def make_order(
    customer: Customer,
    merchandiser: User,
    *,
    currency: str,
    order_date: dt.date,
    status: str = "confirmed",
    lines: list[tuple[Product, str, str]] = (),
    ex_factory_date: dt.date | None = None,
    held_from: str = "",
    number: str = "",
) -> Order:
    """An order with its lines written straight to the tables (quantity, unit price; amounts computed)."""
    order = Order.objects.create(
        number=number or f"T-{next(_numbers):05d}",
        customer=customer,
        order_date=order_date,
        currency=currency,
        incoterm="FOB",
        ex_factory_date=ex_factory_date or FAR,  # out of every delivery period unless given
        merchandiser=merchandiser,
        status=status,
        held_from_status=held_from,
    )
    total_qty, total = D(0), D(0)
    for i, (product, qty, price) in enumerate(lines, start=1):
        amount = (D(qty) * D(price)).quantize(D("0.01"))
        OrderLine.objects.create(
            order=order, position=i, product=product, quantity=D(qty), unit="pcs", unit_price=D(price), amount=amount
        )
        total_qty += D(qty)
        total += amount
    Order.objects.filter(pk=order.pk).update(total_qty=total_qty, total_amount=total)
    order.refresh_from_db()
    return order


@dataclass
class World:
    mer1: User
    mer2: User
    a: Customer
    b: Customer
    c: Customer
    p1: Product
    p2: Product
    orders: dict[str, Order] = field(default_factory=dict)
    invoices: dict[str, Invoice] = field(default_factory=dict)
    factories: dict[str, WorkCentre] = field(default_factory=dict)


@pytest.fixture
def finance_user(make_user: Any) -> User:
    return make_user(Role.FINANCE, username="fin")


@pytest.fixture
def world(make_user: Any) -> World:
    mer1 = make_user(Role.MERCHANDISER, username="mer1", first_name="Mei", last_name="Lin")
    mer2 = make_user(Role.MERCHANDISER, username="mer2", first_name="Wei", last_name="Zhang")
    a = CustomerFactory(code="A", name="阿尔法", name_en="Alpha", country="US", currency="USD", merchandiser=mer1)
    b = CustomerFactory(code="B", name="贝塔", name_en="Beta", country="DE", currency="EUR", merchandiser=mer2)
    c = CustomerFactory(code="C", name="伽马", name_en="Gamma", country="CN", currency="CNY", merchandiser=mer1)
    p1 = ProductFactory(code="P1", name="台灯", name_en="Desk lamp", category="Lamps")
    p2 = ProductFactory(code="P2", name="椅子", name_en="Chair", category="Chairs")
    w = World(mer1, mer2, a, b, c, p1, p2)
    for currency, month, rate in (
        ("USD", day(11, 1, 2025), "7.20"),
        ("USD", day(9, 1), "7.00"),
        ("USD", day(10, 1), "7.10"),
        ("EUR", day(11, 1), "7.70"),
    ):
        ExchangeRate.objects.create(currency=currency, month=month, rate=D(rate))
    r1 = Receipt.objects.create(
        number="R1", customer=b, currency="EUR", amount=D(100), fx_rate=D("7.80"), received_date=day(10, 10)
    )
    Receipt.objects.create(
        number="R2", customer=b, currency="EUR", amount=D(50), fx_rate=D("7.90"), received_date=day(10, 20)
    )
    ra = Receipt.objects.create(
        number="RA", customer=a, currency="USD", amount=D(900), fx_rate=D("7.05"), received_date=day(9, 5)
    )
    mk = make_order
    w.orders["S1"] = mk(a, mer1, currency="USD", order_date=day(9, 10), lines=[(p1, "100", "2"), (p2, "10", "5")])
    w.orders["S2"] = mk(a, mer1, currency="USD", order_date=day(11, 2), status="shipped", lines=[(p1, "50", "2")])
    w.orders["S3"] = mk(
        b, mer2, currency="EUR", order_date=day(10, 15), status="in_production", lines=[(p2, "20", "10")]
    )
    w.orders["S4"] = mk(b, mer2, currency="EUR", order_date=day(9, 20), status="closed", lines=[(p1, "10", "3")])
    w.orders["S5"] = mk(c, mer1, currency="CNY", order_date=day(10, 1), status="draft", lines=[(p1, "7", "9")])
    w.orders["S6"] = mk(c, mer1, currency="CNY", order_date=day(10, 5), status="cancelled", lines=[(p1, "7", "9")])
    w.orders["S7"] = mk(
        c,
        mer1,
        currency="CNY",
        order_date=day(11, 20),
        status="on_hold",
        held_from="confirmed",
        lines=[(p1, "5", "100")],
    )
    w.orders["S8"] = mk(
        c, mer1, currency="CNY", order_date=day(11, 21), status="on_hold", held_from="in_review", lines=[(p1, "3", "9")]
    )
    w.orders["S9"] = mk(a, mer1, currency="USD", order_date=day(11, 10, 2025), lines=[(p1, "10", "2")])

    def invoice(number: str, customer: Customer, currency: str, amount: str, issue: dt.date, due: dt.date, **kw):
        w.invoices[number] = Invoice.objects.create(
            number=number,
            kind="shipment",
            customer=customer,
            currency=currency,
            amount=D(amount),
            issue_date=issue,
            due_date=due,
            due_basis="invoice",
            merchandiser=customer.merchandiser,
            **kw,
        )
        return w.invoices[number]

    i4 = invoice("I4", a, "USD", "300", day(8, 1), day(8, 31), paid_amount=D(300), status="paid")
    i1 = invoice("I1", a, "USD", "1000", day(9, 15), day(10, 15), paid_amount=D(700), status="partially_paid")
    invoice("I2", a, "USD", "500", day(10, 20), day(11, 30))
    i3 = invoice("I3", b, "EUR", "200", day(10, 1), day(10, 31), paid_amount=D(100), status="partially_paid")
    invoice("I5", c, "CNY", "999", day(10, 1), day(10, 31), status="cancelled")
    cn = CreditNote.objects.create(
        number="CN1", customer=a, currency="USD", amount=D(100), allocated_amount=D(100), issue_date=day(11, 5),
        reason="Broken shades",
    )  # fmt: skip
    Allocation.objects.create(receipt=ra, invoice=i4, amount=D(300), allocated_date=day(9, 5))
    Allocation.objects.create(receipt=ra, invoice=i1, amount=D(600), allocated_date=day(10, 10))
    Allocation.objects.create(credit_note=cn, invoice=i1, amount=D(100), allocated_date=day(11, 5))
    Allocation.objects.create(receipt=r1, invoice=i3, amount=D(100), allocated_date=day(10, 20))
    Receipt.objects.filter(pk=ra.pk).update(allocated_amount=D(900))
    Receipt.objects.filter(pk=r1.pk).update(allocated_amount=D(100))
    _deliveries(w)
    return w


def _deliveries(w: World) -> None:
    from gendan.procurement.models import PurchaseOrder, PurchaseOrderLine
    from gendan.production.models import DailyReport, ProductionNotice, SubcontractOrder

    ShippingProfile.objects.create(customer=w.b, tolerance_pct=D(10))
    mk = make_order
    d = {
        "D1": mk(w.a, w.mer1, currency="USD", order_date=day(8, 1), ex_factory_date=day(10, 10), status="shipped",
                 lines=[(w.p1, "100", "1")]),
        "D2": mk(w.a, w.mer1, currency="USD", order_date=day(8, 2), ex_factory_date=day(10, 20), status="shipped",
                 lines=[(w.p1, "100", "1")]),
        "D3": mk(w.b, w.mer2, currency="EUR", order_date=day(8, 3), ex_factory_date=day(11, 10),
                 status="in_production", lines=[(w.p2, "100", "1")]),
        "D4": mk(w.b, w.mer2, currency="EUR", order_date=day(8, 4), ex_factory_date=day(11, 30),
                 status="confirmed", lines=[(w.p2, "100", "1")]),
        "D5": mk(w.b, w.mer2, currency="EUR", order_date=day(8, 5), ex_factory_date=day(11, 5), status="shipped",
                 lines=[(w.p2, "100", "1")]),
        "D6": mk(w.c, w.mer1, currency="CNY", order_date=day(7, 1), ex_factory_date=day(9, 15), status="closed",
                 lines=[(w.p1, "40", "1")]),
    }  # fmt: skip
    w.orders.update(d)

    def milestone(order: Order, code: str, planned: dt.date, actual: dt.date | None, *, exf: bool = False) -> None:
        Milestone.objects.create(
            order=order, code=code, name_zh=code, name_en={"MIH": "Materials in house", "PRD": "Production done",
                                                            "EXF": "Ex-factory"}[code],
            owner=order.merchandiser, planned_date=planned, forecast_date=actual or planned, actual_date=actual,
            is_ex_factory=exf,
        )  # fmt: skip

    milestone(d["D1"], "MIH", day(9, 20), day(9, 18))
    milestone(d["D1"], "EXF", day(10, 10), day(10, 8), exf=True)
    milestone(d["D2"], "MIH", day(10, 1), day(10, 5))
    milestone(d["D2"], "EXF", day(10, 20), day(10, 25), exf=True)
    milestone(d["D3"], "PRD", day(11, 1), None)
    milestone(d["D3"], "EXF", day(11, 10), None, exf=True)
    milestone(d["D4"], "EXF", day(11, 30), None, exf=True)
    milestone(d["D5"], "EXF", day(11, 5), day(11, 5), exf=True)

    numbers = itertools.count(1)

    def ship(order: Order, qty: str, loaded: dt.date, status: str = "departed") -> None:
        s = Shipment.objects.create(
            number=f"SH-{next(numbers)}", customer=order.customer, incoterm="FOB", currency=order.currency,
            planned_ex_factory_date=loaded, status=status, loaded_date=loaded, departed_date=loaded,
        )  # fmt: skip
        ShipmentLine.objects.create(shipment=s, position=1, order_line=order.lines.get(), quantity=D(qty))

    ship(d["D1"], "100", day(10, 8))
    ship(d["D2"], "100", day(10, 25))
    ship(d["D5"], "90", day(11, 5))
    ship(d["D6"], "40", day(9, 14))
    ship(d["D4"], "100", day(11, 20), status="planned")  # planned: not out

    f1, f2 = (
        WorkCentre.objects.create(
            code=code, name=name, kind="factory", daily_capacity=D(8),
            supplier=SupplierFactory(code=f"S{code}", name=name, kind="subcontract"),
        )
        for code, name in (("F1", "Dongguan Sewing"), ("F2", "Foshan Finishing"))
    )  # fmt: skip
    w.factories = {"F1": f1, "F2": f2}
    notice = ProductionNotice.objects.create(
        number="PN-1", order=d["D2"], product=w.p1, quantity=D(100), due_date=day(10, 20)
    )
    for n, (factory, qty) in enumerate(((f1, "100"), (f2, "50")), start=1):
        SubcontractOrder.objects.create(
            number=f"SC-{n}", notice=notice, order=d["D2"], factory=factory, first_position=1, last_position=1,
            quantity=D(qty), send_date=day(9, 1), due_date=day(10, 15), owner=w.mer1,
        )  # fmt: skip
    supplier = SupplierFactory(code="SUP", name="Supplier")
    warehouse = Warehouse.objects.create(code="WH", name="Material store")
    po = PurchaseOrder.objects.create(
        number="PO-1", supplier=supplier, buyer=w.mer1, order_date=day(9, 1), ship_to=warehouse
    )
    PurchaseOrderLine.objects.create(
        purchase_order=po, material=MaterialFactory(), quantity=D(10), unit_price=D(1), required_date=day(9, 25),
        order=d["D2"], delay_cause="over_capacity",
    )  # fmt: skip
    notice3 = ProductionNotice.objects.create(
        number="PN-3", order=d["D3"], product=w.p2, quantity=D(100), due_date=day(11, 10)
    )
    line = WorkCentre.objects.create(code="L1", name="Line 1", kind="line", daily_capacity=D(8))
    DailyReport.objects.create(
        date=day(11, 3), work_centre=line, notice=notice3, order=d["D3"], reported_by=w.mer2,
        created_at=timezone.now(), variance_reason="equipment",
    )  # fmt: skip
