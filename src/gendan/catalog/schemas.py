"""API schemas for products, materials, BOMs, work centres and routings. Decimals are strings in responses, strings
or numbers in requests."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from gendan.catalog.choices import CapacityExceptionKind, CapacityUnit, MaterialCategory, Unit, WorkCentreKind
from gendan.core.money import Currency

UnitT = Literal[tuple(Unit.values)]  # type: ignore[valid-type]
CategoryT = Literal[tuple(MaterialCategory.values)]  # type: ignore[valid-type]
CurrencyT = Literal[tuple(Currency.values)]  # type: ignore[valid-type]
WorkCentreKindT = Literal[tuple(WorkCentreKind.values)]  # type: ignore[valid-type]
CapacityUnitT = Literal[tuple(CapacityUnit.values)]  # type: ignore[valid-type]
ExceptionKindT = Literal[tuple(CapacityExceptionKind.values)]  # type: ignore[valid-type]


class ProductIn(Schema):
    code: str = Field(..., min_length=1, max_length=40, examples=["P001"])
    name: str = Field(..., min_length=1, max_length=200)
    name_en: str = ""
    spec: str = Field("", description="Spec/model (规格型号)")
    unit: UnitT = Unit.PCS.value
    category: str = ""
    hs_code: str = Field("", description="HS code, 6 to 10 digits")
    units_per_carton: int = 1
    carton_length_cm: Decimal = Decimal("0")
    carton_width_cm: Decimal = Decimal("0")
    carton_height_cm: Decimal = Decimal("0")
    net_weight_kg: Decimal = Field(Decimal("0"), description="Net weight per carton")
    gross_weight_kg: Decimal = Field(Decimal("0"), description="Gross weight per carton, at least the net weight")
    notes: str = ""
    is_active: bool = True


class ProductPatch(Schema):
    version: int = Field(..., description="The version you read; 409 when someone saved since")
    code: str | None = None
    name: str | None = None
    name_en: str | None = None
    spec: str | None = None
    unit: UnitT | None = None
    category: str | None = None
    hs_code: str | None = None
    units_per_carton: int | None = None
    carton_length_cm: Decimal | None = None
    carton_width_cm: Decimal | None = None
    carton_height_cm: Decimal | None = None
    net_weight_kg: Decimal | None = None
    gross_weight_kg: Decimal | None = None
    notes: str | None = None
    is_active: bool | None = None


class ProductOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    spec: str
    unit: UnitT
    category: str
    hs_code: str
    units_per_carton: int
    carton_length_cm: Decimal
    carton_width_cm: Decimal
    carton_height_cm: Decimal
    carton_cbm: Decimal = Field(..., description="Carton volume in m³ (read-only)")
    net_weight_kg: Decimal
    gross_weight_kg: Decimal
    notes: str
    is_active: bool
    version: int


class BomLineIn(Schema):
    material_id: int
    qty_per_unit: Decimal
    scrap_pct: Decimal = Field(Decimal("0"), description="Scrap rate in percent: 2.5 means 2.5 %")
    note: str = ""


class BomLineOut(Schema):
    material_id: int
    material_code: str
    material_name: str
    unit: UnitT
    qty_per_unit: Decimal
    scrap_pct: Decimal
    note: str

    @staticmethod
    def resolve_material_code(obj) -> str:  # noqa: ANN001
        return obj.material.code

    @staticmethod
    def resolve_material_name(obj) -> str:  # noqa: ANN001
        return obj.material.name

    @staticmethod
    def resolve_unit(obj) -> str:  # noqa: ANN001
        return obj.material.unit


class RoutingStepIn(Schema):
    name: str = Field(..., min_length=1, max_length=100, description="The operation (工序)", examples=["Sewing"])
    work_centre_id: int = Field(..., description="An active work centre")
    minutes_per_unit: Decimal | None = Field(
        None, description="Standard minutes per unit (标准工时), 3 places; or give units_per_hour instead"
    )
    units_per_hour: Decimal | None = Field(
        None, description="Output per hour, turned into minutes_per_unit = 60 / units_per_hour (3 places)"
    )
    setup_minutes: Decimal = Field(Decimal("0"), description="Setup time per batch in minutes")


class RoutingStepOut(Schema):
    position: int = Field(..., description="Sequence, 1..n")
    name: str
    work_centre_id: int
    work_centre_code: str
    work_centre_name: str
    minutes_per_unit: Decimal
    setup_minutes: Decimal

    @staticmethod
    def resolve_work_centre_code(obj) -> str:  # noqa: ANN001
        return obj.work_centre.code

    @staticmethod
    def resolve_work_centre_name(obj) -> str:  # noqa: ANN001
        return obj.work_centre.name


class ProductDetailOut(ProductOut):
    bom: list[BomLineOut]
    routing: list[RoutingStepOut]

    @staticmethod
    def resolve_bom(obj) -> list:  # noqa: ANN001
        return list(obj.bom_lines.all())

    @staticmethod
    def resolve_routing(obj) -> list:  # noqa: ANN001
        return list(obj.routing.all())


class MaterialIn(Schema):
    code: str = Field(..., min_length=1, max_length=40, examples=["M001"])
    name: str = Field(..., min_length=1, max_length=200)
    spec: str = ""
    unit: UnitT = Unit.PCS.value
    category: CategoryT = MaterialCategory.RAW.value
    lead_time_days: int = Field(7, description="Purchase lead time in calendar days")
    purchase_price: Decimal = Field(Decimal(0), ge=0, description="Agreed purchase price per unit")
    purchase_currency: CurrencyT = "CNY"
    default_supplier_id: int | None = None
    notes: str = ""
    is_active: bool = True


class MaterialPatch(Schema):
    version: int
    code: str | None = None
    name: str | None = None
    spec: str | None = None
    unit: UnitT | None = None
    category: CategoryT | None = None
    lead_time_days: int | None = None
    purchase_price: Decimal | None = Field(None, ge=0)
    purchase_currency: CurrencyT | None = None
    default_supplier_id: int | None = None
    notes: str | None = None
    is_active: bool | None = None


class MaterialOut(Schema):
    id: int
    code: str
    name: str
    spec: str
    unit: UnitT
    category: CategoryT
    lead_time_days: int
    purchase_price: Decimal
    purchase_currency: str
    default_supplier_id: int | None
    default_supplier_code: str | None
    notes: str
    is_active: bool
    version: int

    @staticmethod
    def resolve_default_supplier_code(obj) -> str | None:  # noqa: ANN001
        return obj.default_supplier.code if obj.default_supplier_id else None


class WorkCentreIn(Schema):
    code: str = Field(..., min_length=1, max_length=20, examples=["SEW1"])
    name: str = Field(..., min_length=1, max_length=100)
    kind: WorkCentreKindT = WorkCentreKind.LINE.value
    supplier_id: int | None = Field(None, description="For a subcontract factory: a supplier of kind subcontract")
    capacity_unit: CapacityUnitT = CapacityUnit.HOURS.value
    daily_capacity: Decimal = Field(..., description="Capacity on each working day, in the capacity unit")
    product_family: str = Field("", description="For a capacity in units: the product category it makes")
    max_overtime_hours: Decimal = Field(
        Decimal("0"), description="Most overtime per working day (hours); only for a capacity in hours"
    )
    is_active: bool = True


class WorkCentrePatch(Schema):
    version: int = Field(..., description="The version you read; 409 when someone saved since")
    code: str | None = None
    name: str | None = None
    kind: WorkCentreKindT | None = None
    supplier_id: int | None = None
    capacity_unit: CapacityUnitT | None = None
    daily_capacity: Decimal | None = None
    product_family: str | None = None
    max_overtime_hours: Decimal | None = None
    is_active: bool | None = None


class WorkCentreOut(Schema):
    id: int
    code: str
    name: str
    kind: WorkCentreKindT
    supplier_id: int | None
    supplier_code: str | None
    capacity_unit: CapacityUnitT
    daily_capacity: Decimal
    product_family: str
    max_overtime_hours: Decimal
    is_active: bool
    version: int

    @staticmethod
    def resolve_supplier_code(obj) -> str | None:  # noqa: ANN001
        return obj.supplier.code if obj.supplier_id else None


class CapacityExceptionIn(Schema):
    capacity: Decimal = Field(..., ge=0, description="The whole capacity that day, in the work centre's unit")
    kind: ExceptionKindT = CapacityExceptionKind.OTHER.value
    reason: str = Field("", max_length=200)


class CapacityExceptionOut(Schema):
    date: dt.date
    capacity: Decimal
    kind: ExceptionKindT
    reason: str


class WorkCentreStepOut(Schema):
    """A routing step done at the work centre."""

    product_id: int
    product_code: str
    position: int
    name: str
    minutes_per_unit: Decimal
    setup_minutes: Decimal

    @staticmethod
    def resolve_product_code(obj) -> str:  # noqa: ANN001
        return obj.product.code


class WorkCentreDetailOut(WorkCentreOut):
    exceptions: list[CapacityExceptionOut] = Field(..., description="The exceptions from today on (a bare array)")
    routing_steps: list[WorkCentreStepOut] = Field(..., description="The routing steps done here (a bare array)")

    @staticmethod
    def resolve_exceptions(obj) -> list:  # noqa: ANN001
        return list(obj.upcoming_exceptions)

    @staticmethod
    def resolve_routing_steps(obj) -> list:  # noqa: ANN001
        return list(obj.steps_here)


class CapacityDayOut(Schema):
    date: dt.date
    capacity: Decimal = Field(..., description="The capacity that day, in the work centre's unit")
    is_working_day: bool = Field(..., description="A working day of the company's calendar")
    exception: CapacityExceptionOut | None = Field(None, description="The exception that sets the day's capacity")
