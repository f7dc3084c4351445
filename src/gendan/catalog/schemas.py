"""API schemas for products, materials and BOMs. Decimals are strings in responses, strings or numbers in requests."""

from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from gendan.catalog.choices import MaterialCategory, Unit
from gendan.core.money import Currency

UnitT = Literal[tuple(Unit.values)]  # type: ignore[valid-type]
CategoryT = Literal[tuple(MaterialCategory.values)]  # type: ignore[valid-type]
CurrencyT = Literal[tuple(Currency.values)]  # type: ignore[valid-type]


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


class ProductDetailOut(ProductOut):
    bom: list[BomLineOut]

    @staticmethod
    def resolve_bom(obj) -> list:  # noqa: ANN001
        return list(obj.bom_lines.all())


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
