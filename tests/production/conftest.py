"""Fixtures of the production tests: two lines, a factory, a product with a two-step routing."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import translation

from gendan.catalog.models import Product, RoutingStep, WorkCentre
from gendan.partners.models import Supplier
from tests.factories import ProductFactory, SupplierFactory

MONDAY = dt.date(2026, 11, 23)  # the tests' today is Tuesday 2026-11-24


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@dataclass
class Plant:
    cutting: WorkCentre
    sewing: WorkCentre
    factory: WorkCentre
    subcontractor: Supplier
    shirt: Product


@pytest.fixture
def plant(db: None) -> Plant:
    cutting = WorkCentre.objects.create(
        code="CUT", name="Cutting", daily_capacity=Decimal(8), max_overtime_hours=Decimal(3)
    )
    sewing = WorkCentre.objects.create(
        code="SEW", name="Sewing line 1", daily_capacity=Decimal(16), max_overtime_hours=Decimal(4)
    )
    subcontractor = SupplierFactory(code="F1", kind="subcontract")
    factory = WorkCentre.objects.create(
        code="F1",
        name="Haining factory",
        kind="factory",
        supplier=subcontractor,
        capacity_unit="units",
        daily_capacity=Decimal(500),
        product_family="shirts",
    )
    shirt = ProductFactory(code="SH1", category="shirts")
    RoutingStep.objects.create(
        product=shirt,
        position=1,
        name="cut",
        work_centre=cutting,
        minutes_per_unit=Decimal("0.48"),
        setup_minutes=Decimal(30),
    )
    RoutingStep.objects.create(
        product=shirt, position=2, name="sew", work_centre=sewing, minutes_per_unit=Decimal("1.92")
    )
    return Plant(cutting=cutting, sewing=sewing, factory=factory, subcontractor=subcontractor, shirt=shirt)
