"""Fixtures of the quotations tests: English messages, a customer in USD with a contact, a product with a BOM (a
fabric last bought on a purchase order, a button priced on the material) and a routing (cutting and sewing at rated
work centres), a product with neither, the USD rate (7, stored for January in core's monthly table, so every later day
of the tests takes it), a salesperson."""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from gendan.catalog.models import Material, Product, RoutingStep, WorkCentre
from gendan.core.choices import Role
from gendan.core.models import ExchangeRate, User
from gendan.inventory.models import Warehouse
from gendan.partners.models import Contact, Customer
from gendan.procurement.choices import PoStatus
from gendan.procurement.models import PurchaseOrder, PurchaseOrderLine
from gendan.quotations import services
from gendan.quotations.models import ProcessingRate, Quotation
from tests.factories import (
    BomLineFactory,
    ContactFactory,
    CustomerFactory,
    MaterialFactory,
    ProductFactory,
    SupplierFactory,
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@dataclass
class World:
    customer: Customer
    contact: Contact
    product: Product  # BOM + routing
    plain: Product  # neither
    fabric: Material
    button: Material
    cut: WorkCentre
    sew: WorkCentre


def make_po(
    material: Material, price: str, *, day: dt.date, currency: str = "CNY", status: str = PoStatus.SENT, buyer: User
) -> PurchaseOrderLine:
    warehouse = Warehouse.objects.first() or Warehouse.objects.create(code="WH-RM", name="原料仓")
    supplier = material.default_supplier or SupplierFactory()
    count = PurchaseOrder.objects.count() + 1
    po = PurchaseOrder.objects.create(
        number=f"PO-2026-{count:05d}",
        supplier=supplier,
        status=status,
        currency=currency,
        buyer=buyer,
        order_date=day,
        ship_to=warehouse,
    )
    return PurchaseOrderLine.objects.create(
        purchase_order=po,
        position=1,
        material=material,
        quantity=Decimal(100),
        unit=material.unit,
        unit_price=Decimal(price),
        required_date=day + dt.timedelta(days=10),
    )


@pytest.fixture
def sales(make_user: Callable[..., User]) -> User:
    return make_user(Role.SALES, username="sales1", email="sales1@example.com")


@pytest.fixture
def world(db: None, manager: User) -> World:
    customer = CustomerFactory(
        code="C-NW01",
        name="北风家居",
        name_en="Northwind Home Inc.",
        currency="USD",
        default_incoterm="FOB",
        payment_terms="T/T 30% deposit, 70% against B/L copy",
        address="1 Harbour Rd, Boston",
    )
    contact = ContactFactory(customer=customer, name="Anna Berg", email="anna@northwind.example", is_primary=True)
    fabric = MaterialFactory(code="FAB-01", name="全棉帆布", unit="m", purchase_price=Decimal("9.5"))
    button = MaterialFactory(code="BTN-01", name="纽扣", unit="pcs", purchase_price=Decimal("0.25"))
    product = ProductFactory(code="TOTE-01", name="帆布袋", name_en="Canvas tote bag", spec="40x45cm")
    BomLineFactory(product=product, material=fabric, qty_per_unit=Decimal("1.5"), scrap_pct=Decimal("2"), position=1)
    BomLineFactory(product=product, material=button, qty_per_unit=Decimal("4"), scrap_pct=Decimal("0"), position=2)
    cut = WorkCentre.objects.create(code="CUT", name="裁床", kind="workshop", daily_capacity=Decimal(16))
    sew = WorkCentre.objects.create(code="SEW1", name="缝制一线", kind="line", daily_capacity=Decimal(18))
    RoutingStep.objects.create(
        product=product, position=1, name="裁剪", work_centre=cut, minutes_per_unit=Decimal("0.5"), setup_minutes=30
    )
    RoutingStep.objects.create(
        product=product, position=2, name="缝制", work_centre=sew, minutes_per_unit=Decimal("6"), setup_minutes=60
    )
    ProcessingRate.objects.create(work_centre=cut, hourly_rate=Decimal(60))
    ProcessingRate.objects.create(work_centre=sew, hourly_rate=Decimal(48))
    ExchangeRate.objects.create(currency="USD", month=dt.date(2026, 1, 1), rate=Decimal("7"))
    make_po(fabric, "8.00", day=dt.date(2026, 9, 1), buyer=manager)
    make_po(fabric, "10.00", day=dt.date(2026, 10, 15), buyer=manager)  # the latest: this price
    plain = ProductFactory(code="GIFT-01", name="礼盒", name_en="Gift box")
    return World(customer, contact, product, plain, fabric, button, cut, sew)


# The figures of a line of 1,000 TOTE-01 at 0.50 packaging, 10 % overheads, 0.30 freight, 20 % margin, USD at 7:
#   materials 1.5 × 1.02 × 10.00 + 4 × 0.25 = 15.3000 + 1.0000 = 16.3000
#   run (0.5 × 60 + 6 × 48) / 60 = 5.3000; setup (30 × 60 + 60 × 48) / 60 = 78.00, 0.0780 a unit over 1,000
#   base 16.3 + 5.378 + 0.5 = 22.1780; overheads 2.2178; cost 24.6958; ÷ 0.8 = 30.8698 CNY; ÷ 7 = USD 4.41
LINE = {"quantity": "1000", "packaging_cost": "0.5", "overhead_pct": "10", "freight_cost": "0.3", "margin_pct": "20"}


@pytest.fixture
def quote(world: World, sales: User) -> Callable[..., Quotation]:
    def make(by: User | None = None, lines: list[dict[str, Any]] | None = None, **data: Any) -> Quotation:
        values: dict[str, Any] = {"customer_id": world.customer.pk}
        values.update(data)
        values["lines"] = lines if lines is not None else [{"product_id": world.product.pk, **LINE}]
        return services.create_quotation(by=by or sales, data=values)

    return make


def sent(quotation: Quotation, by: User) -> Quotation:
    return services.send_quotation(quotation=quotation, by=by, email=False)
