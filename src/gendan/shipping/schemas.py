"""Shipping API shapes. Quantities, weights, volumes and money are decimal strings in responses."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from gendan.shipping.choices import CoForm, ContainerType, ShipmentMode, ShipmentStatus

ModeT = Literal[tuple(ShipmentMode.values)]  # type: ignore[valid-type]
StatusT = Literal[tuple(ShipmentStatus.values)]  # type: ignore[valid-type]
CoFormT = Literal[tuple(CoForm.values)]  # type: ignore[valid-type]
ContainerT = Literal[tuple(["", *ContainerType.values])]  # type: ignore[valid-type]


class ShipmentLineIn(BaseModel):
    order_line_id: int
    quantity: Decimal = Field(description="how much of the order line ships (up to the open quantity + tolerance)")
    cartons: int | None = Field(None, ge=0, description="the cartons really packed (default: computed)")
    net_kg: Decimal | None = None
    gross_kg: Decimal | None = None
    cbm: Decimal | None = None


class ShipmentLineOut(BaseModel):
    id: int
    position: int
    order_line_id: int
    order_id: int
    order_number: str
    product_code: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    cartons: int | None = Field(description="the clerk's figure; null: computed (see /packing)")
    net_kg: Decimal | None
    gross_kg: Decimal | None
    cbm: Decimal | None


class ShipmentIn(BaseModel):
    customer_id: int | None = Field(None, description="default: the customer of the lines' orders")
    lines: list[ShipmentLineIn]
    mode: ModeT | None = Field(None, description="default: the customer's shipping profile's, else sea_fcl")
    port_of_loading: str | None = None
    port_of_discharge: str | None = None
    planned_ex_factory_date: dt.date | None = Field(None, description="default: the earliest line's ex-factory date")
    consignee: str | None = None
    notify_party: str | None = None
    shipping_marks: str | None = Field(None, description="placeholders {customer} {po} {orders} {port} {cartons}")
    co_form: CoFormT | None = None
    notes: str | None = None


class BookingFields(BaseModel):
    forwarder_id: int | None = Field(None, description="a supplier of kind forwarder (or courier)")
    booking_no: str | None = None
    carrier: str | None = None
    vessel_voyage: str | None = None
    container_type: ContainerT | None = None
    container_count: int | None = Field(None, ge=0)
    cutoff_documents: dt.date | None = None
    cutoff_customs: dt.date | None = None
    cutoff_cargo: dt.date | None = None
    etd: dt.date | None = None
    eta: dt.date | None = None


class ShipmentPatch(BookingFields):
    version: int | None = None
    lines: list[ShipmentLineIn] | None = Field(None, description="the whole list (planned or booked shipments only)")
    mode: ModeT | None = None
    port_of_loading: str | None = None
    port_of_discharge: str | None = None
    planned_ex_factory_date: dt.date | None = None
    consignee: str | None = None
    notify_party: str | None = None
    shipping_marks: str | None = None
    co_form: CoFormT | None = None
    notes: str | None = None


class ShipmentOut(BaseModel):
    id: int
    number: str
    customer_id: int
    customer_code: str
    mode: str
    port_of_loading: str
    port_of_discharge: str
    incoterm: str
    incoterm_place: str
    currency: str
    status: StatusT
    version: int
    planned_ex_factory_date: dt.date
    forwarder_id: int | None
    booking_no: str
    carrier: str
    vessel_voyage: str
    container_type: str
    container_count: int
    cutoff_documents: dt.date | None
    cutoff_customs: dt.date | None
    cutoff_cargo: dt.date | None
    etd: dt.date | None
    eta: dt.date | None
    loaded_date: dt.date | None
    departed_date: dt.date | None
    arrived_date: dt.date | None
    bl_number: str
    bl_date: dt.date | None
    invoice_number: str
    invoice_date: dt.date | None
    consignee: str
    notify_party: str
    shipping_marks: str
    co_form: str
    notes: str
    cancel_reason: str
    documents_sent_at: dt.datetime | None
    total_amount: Decimal
    order_ids: list[int]
    lines: list[ShipmentLineOut]


class ShipmentPage(BaseModel):
    items: list[ShipmentOut]
    count: int


class ShipmentVersionIn(BaseModel):
    version: int | None = None


class BookIn(BookingFields):
    version: int | None = None


class LoadIn(BaseModel):
    version: int | None = None
    date: dt.date | None = Field(None, description="the loading (ex-factory) day; default today")


class DepartIn(BaseModel):
    version: int | None = None
    atd: dt.date | None = Field(None, description="default today")
    bl_number: str = ""
    bl_date: dt.date | None = Field(None, description="default: the ATD when a B/L number is given")


class ArriveIn(BaseModel):
    version: int | None = None
    ata: dt.date | None = Field(None, description="default today")


class ShipmentCancelIn(BaseModel):
    version: int | None = None
    reason: str


class BlIn(BaseModel):
    version: int | None = None
    bl_number: str
    bl_date: dt.date


class PackingLineOut(BaseModel):
    id: int
    order_line_id: int
    quantity: Decimal
    full_cartons: int
    part_carton_units: Decimal = Field(description="units in the last part carton; 0 when every carton is full")
    cartons: int
    carton_from: int
    carton_to: int
    net_kg: Decimal
    gross_kg: Decimal
    cbm: Decimal
    overridden: list[str]


class ContainerOut(BaseModel):
    type: str
    count: int


class PackingOut(BaseModel):
    lines: list[PackingLineOut]
    total_cartons: int
    total_net_kg: Decimal
    total_gross_kg: Decimal
    total_cbm: Decimal
    container_suggestion: str = Field(description='e.g. "1 × 40HQ", "2 × 40HQ + 1 × 20GP" or "LCL"')
    containers: list[ContainerOut]
    cbm_fill_pct: Decimal | None
    kg_fill_pct: Decimal | None


class PackingLineIn(BaseModel):
    id: int | None = None
    order_line_id: int | None = None
    cartons: int | None = Field(None, ge=0)
    net_kg: Decimal | None = None
    gross_kg: Decimal | None = None
    cbm: Decimal | None = None


class PackingIn(BaseModel):
    version: int | None = None
    lines: list[PackingLineIn]


class CustomsLineIO(BaseModel):
    shipment_line_id: int | None = None
    hs_code: str
    declared_name: str
    quantity: Decimal
    unit: str
    value: Decimal


class CustomsIn(BaseModel):
    version: int | None = None
    broker_id: int | None = None
    declaration_no: str = ""
    declaration_date: dt.date | None = None
    release_date: dt.date | None = None
    currency: str | None = None
    notes: str = ""
    lines: list[CustomsLineIO] | None = Field(None, description="all the lines; default: from the shipment")


class CustomsOut(BaseModel):
    id: int | None = Field(description="null: not saved yet, the draft the shipment's lines give")
    shipment_id: int
    broker_id: int | None
    declaration_no: str
    declaration_date: dt.date | None
    release_date: dt.date | None
    currency: str
    notes: str
    version: int | None
    total_value: Decimal
    lines: list[CustomsLineIO]


class SendIn(BaseModel):
    kinds: list[str] = Field(
        description="commercial-invoice, packing-list, shipping-marks, bl-instructions, co-application"
    )
    to: list[str]
    lang: Literal["en", "zh", "both"] = "en"
    message: str = ""
