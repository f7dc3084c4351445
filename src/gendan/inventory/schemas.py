"""API schemas for stock, movements, reservations, warehouses and locations.

Quantities are decimal strings in responses (`"120.500"`), strings or numbers in requests.
"""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import BaseModel

from gendan.catalog.schemas import UnitT
from gendan.inventory.choices import MovementKind

MovementKindT = Literal[tuple(MovementKind.values)]  # type: ignore[valid-type]


class StockOut(Schema):
    """One item's balance at one location."""

    location_id: int
    location: str = Field(..., description='Warehouse and location codes: "WH1/A"', examples=["WH1/A"])
    warehouse_id: int
    material_id: int | None
    material_code: str | None
    product_id: int | None
    product_code: str | None
    on_hand: Decimal
    reserved: Decimal = Field(..., description="Set aside for orders")
    free: Decimal = Field(..., description="On hand minus reserved")
    unit: UnitT


class MovementIn(Schema):
    kind: MovementKindT = Field(
        ..., description="receipt (in), issue (to production, out), return (to the supplier, out), adjustment (±)"
    )
    material_id: int | None = Field(None, description="The material moved; or give product_id")
    product_id: int | None = Field(None, description="The finished product moved; or give material_id")
    location_id: int
    quantity: Decimal = Field(
        ..., description="Positive for receipt, issue and return; signed for an adjustment (+ found, − lost)"
    )
    date: dt.date | None = Field(None, description="Defaults to today; never in the future")
    reason: str = Field("", max_length=300, description="Required for an adjustment")
    reference: str = Field("", max_length=100, description="Delivery note, GRN, pick list…")
    order_id: int | None = Field(None, description="The order the goods are for; an issue takes its reservation first")
    override: bool = Field(
        False,
        description="Allow going below zero or into other orders' reservations (inventory.override_negative_stock)",
    )


class MovementOut(Schema):
    id: int
    kind: MovementKindT
    material_id: int | None
    material_code: str | None
    product_id: int | None
    product_code: str | None
    location_id: int
    location: str
    warehouse_id: int
    quantity: Decimal = Field(..., description="Signed: positive into stock, negative out of it")
    balance_after: Decimal = Field(..., description="The balance at the location after this movement")
    unit: UnitT
    date: dt.date
    order_id: int | None
    order_number: str | None
    reference: str
    reason: str
    override: bool = Field(..., description="True when it went below zero or into reserved stock by override")
    created_by: str | None
    created_at: dt.datetime


class MovementPage(BaseModel):
    items: list[MovementOut]
    count: int


class ReservationOut(Schema):
    id: int
    order_id: int
    order_number: str
    material_id: int
    material_code: str
    location_id: int
    location: str
    warehouse_id: int
    quantity: Decimal
    unit: UnitT
    updated_at: dt.datetime


class ReservationPage(BaseModel):
    items: list[ReservationOut]
    count: int


class LocationIn(Schema):
    code: str = Field(..., min_length=1, max_length=20, examples=["B-01"])
    name: str = Field("", max_length=100)


class LocationOut(Schema):
    id: int
    warehouse_id: int
    code: str
    name: str
    label: str = Field(..., description='"WH1/A"')
    is_active: bool


class WarehouseIn(Schema):
    code: str = Field(..., min_length=1, max_length=20, examples=["RM"])
    name: str = Field(..., min_length=1, max_length=100)
    address: str = ""
    is_active: bool = True
    locations: list[str] = Field(["A"], description="Codes of the first locations; one, A, when not given")


class WarehousePatch(Schema):
    version: int = Field(..., description="The version you read; 409 when someone saved since")
    code: str | None = None
    name: str | None = None
    address: str | None = None
    is_active: bool | None = None


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    address: str
    is_active: bool
    location_count: int
    version: int


class WarehouseDetailOut(WarehouseOut):
    locations: list[LocationOut]
