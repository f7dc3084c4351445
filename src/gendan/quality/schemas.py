"""Quality API shapes."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from gendan.quality.choices import CheckKind, DefectClass, Disposition, InspectionKind

KindT = Literal[tuple(InspectionKind.values)]  # type: ignore[valid-type]
ClassT = Literal[tuple(DefectClass.values)]  # type: ignore[valid-type]
CheckT = Literal[tuple(CheckKind.values)]  # type: ignore[valid-type]
DispositionT = Literal[tuple(Disposition.values)]  # type: ignore[valid-type]


class AqlPlanOut(BaseModel):
    code_letter: str
    plan_letter: str = Field(description="the letter whose plan is used after the table's arrows")
    sample_size: int
    accept: int
    reject: int
    full_inspection: bool = Field(description="the plan's sample is not smaller than the lot: inspect every piece")


class ClassPlanOut(BaseModel):
    aql: str
    plan_letter: str
    sample_size: int
    accept: int
    reject: int
    full_inspection: bool
    found: int | None = None
    result: str | None = Field(None, description="pass or fail, once inspected")


class DefectIn(BaseModel):
    code: str = Field("", description="a defect of the catalogue (its class is the default), or free")
    class_: ClassT | None = Field(None, alias="class")
    quantity: int = Field(ge=1)
    description: str = ""

    model_config = {"populate_by_name": True}


class DefectOut(BaseModel):
    code: str
    description: str
    class_: str = Field(alias="class")
    quantity: int

    model_config = {"populate_by_name": True}


class CheckIn(BaseModel):
    kind: CheckT
    name: str = ""
    expected: str = ""
    actual: str = ""
    ok: bool = True


class CheckOut(CheckIn):
    pass


class InspectionIn(BaseModel):
    kind: KindT = "final"
    order_id: int
    order_line_id: int | None = None
    product_id: int | None = None
    factory_id: int | None = Field(None, description="the supplier or subcontract factory that made the lot")
    agency_id: int | None = Field(None, description="a third party's inspection agency (a supplier of that kind)")
    certificate_no: str = ""
    lot_size: int | None = Field(None, ge=1, description="default: the line's (or the order's) quantity")
    level: str | None = Field(None, description="I, II, III, S-1…S-4 (default: the customer's, else II)")
    aql_critical: Decimal | None = None
    aql_major: Decimal | None = None
    aql_minor: Decimal | None = None
    planned_date: dt.date | None = Field(None, description="default for a final inspection: the FI milestone")
    inspector_id: int | None = None
    notes: str = ""


class InspectionPatch(BaseModel):
    version: int | None = None
    lot_size: int | None = Field(None, ge=1)
    level: str | None = None
    aql_critical: Decimal | None = None
    aql_major: Decimal | None = None
    aql_minor: Decimal | None = None
    planned_date: dt.date | None = None
    inspector_id: int | None = None
    factory_id: int | None = None
    agency_id: int | None = None
    certificate_no: str | None = None
    notes: str | None = None


class InspectionBookIn(BaseModel):
    version: int | None = None
    date: dt.date
    inspector_id: int | None = None


class FindingsIn(BaseModel):
    version: int | None = None
    inspected_qty: int = Field(ge=1)
    inspected_on: dt.date | None = Field(None, description="default: today")
    defects: list[DefectIn] = Field(default_factory=list)
    checks: list[CheckIn] = Field(default_factory=list)


class DispositionIn(BaseModel):
    version: int | None = None
    disposition: DispositionT
    note: str = ""
    reinspection_date: dt.date | None = Field(None, description="for rework: the re-inspection's date")


class InspectionCancelIn(BaseModel):
    version: int | None = None
    reason: str


class SendReportIn(BaseModel):
    to: list[str] = Field(description="e-mail addresses (default: the order's customer contacts with one)")
    lang: Literal["zh", "en"] = "en"
    message: str = ""


class InspectionOut(BaseModel):
    id: int
    number: str
    kind: str
    order_id: int
    order_number: str
    order_line_id: int | None
    product_id: int | None
    factory_id: int | None
    agency_id: int | None
    certificate_no: str
    lot_size: int
    level: str
    aql_critical: Decimal
    aql_major: Decimal
    aql_minor: Decimal
    code_letter: str
    plan: dict[str, ClassPlanOut]
    inspector: str | None
    inspector_id: int | None
    planned_date: dt.date
    booked_date: dt.date | None
    status: str
    inspected_on: dt.date | None
    inspected_qty: int | None
    result: str
    disposition: str
    disposition_note: str
    reinspection_of_id: int | None
    reinspection_ids: list[int]
    round: int
    defects: list[DefectOut]
    checks: list[CheckOut]
    report_sent_at: dt.datetime | None
    version: int


class InspectionPage(BaseModel):
    items: list[InspectionOut]
    count: int


class DefectTypeIn(BaseModel):
    code: str
    name_zh: str = ""
    name_en: str = ""
    category: str = ""
    defect_class: ClassT = "major"
    is_active: bool = True


class DefectTypeOut(DefectTypeIn):
    id: int


class ParetoRowOut(BaseModel):
    code: str
    name: str
    quantity: int
    share: float
    cumulative: float


class YieldRowOut(BaseModel):
    factory_id: int | None
    maker: str
    inspections: int
    passed: int
    yield_pct: float
