"""Fixtures of the purchasing tests: a warehouse, a supplier, materials with a BOM, confirmed orders."""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from gendan.catalog.models import Material, Product
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.inventory import services as inventory
from gendan.inventory.choices import MovementKind
from gendan.inventory.models import Location, Warehouse
from gendan.partners.models import Supplier
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order
from tests.factories import BomLineFactory, MaterialFactory, ProductFactory, SupplierFactory
from tests.sales.factories import order_in


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@dataclass
class World:
    warehouse: Warehouse
    location: Location
    supplier: Supplier
    fabric: Material
    button: Material
    product: Product
    buyer: User
    boss: User
    qc: User
    merchandiser: User

    def stock(self, material: Material, quantity: str | int, location: Location | None = None) -> None:
        inventory.move(
            kind=MovementKind.RECEIPT,
            item=material,
            location=location or self.location,
            quantity=Decimal(str(quantity)),
            by=self.boss,
            reason="opening stock",
        )


@pytest.fixture
def world(make_user: Callable[..., User], merchandiser: User, manager: User) -> World:
    warehouse = Warehouse.objects.create(code="WH1", name="Material store")
    location = Location.objects.create(warehouse=warehouse, code="A")
    supplier = SupplierFactory(code="S1", name="Ningbo Fabrics")
    fabric = MaterialFactory(
        code="FAB",
        name="Cotton twill",
        unit="m",
        purchase_price=Decimal("20"),
        lead_time_days=10,
        default_supplier=supplier,
    )
    button = MaterialFactory(
        code="BTN",
        name="Button",
        unit="pcs",
        purchase_price=Decimal("0.1"),
        lead_time_days=5,
        default_supplier=supplier,
    )
    product = ProductFactory(code="P1")
    BomLineFactory(product=product, material=fabric, qty_per_unit=Decimal("1.5"), scrap_pct=Decimal("2"))
    BomLineFactory(product=product, material=button, qty_per_unit=Decimal("6"), scrap_pct=Decimal("0"))
    return World(
        warehouse=warehouse,
        location=location,
        supplier=supplier,
        fabric=fabric,
        button=button,
        product=product,
        buyer=make_user(Role.PURCHASING, username="buyer1"),
        boss=manager,
        qc=make_user(Role.QC, username="qc1"),
        merchandiser=merchandiser,
    )


@pytest.fixture
def confirmed(world: World) -> Callable[..., Order]:
    """`confirmed(quantity=100, ex_factory_date=...)`: a confirmed order of one line of P1, with its plan."""

    def make(quantity: int = 100, **kw: Any) -> Order:
        kw.setdefault("ex_factory_date", dt.date(2027, 2, 15))
        order = order_in(
            OrderStatus.CONFIRMED,
            by=world.merchandiser,
            manager=world.boss,
            products=[world.product],
            quantities=[quantity],
            prices=["10"],
            **kw,
        )
        order.refresh_from_db()
        return order

    return make
