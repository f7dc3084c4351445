"""Finance API shapes. Amounts are decimal strings rounded per currency (2 places; JPY 0); rates have 6 places."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from gendan.finance.choices import (
    ClaimStatus,
    DueBasis,
    DueRule,
    InvoiceKind,
    InvoiceStatus,
    LineKind,
    VerificationStatus,
)

RuleT = Literal[tuple(DueRule.values)]  # type: ignore[valid-type]
StatusT = Literal[tuple(InvoiceStatus.values)]  # type: ignore[valid-type]
KindT = Literal[tuple(InvoiceKind.values)]  # type: ignore[valid-type]
LineKindT = Literal[tuple(LineKind.values)]  # type: ignore[valid-type]
BasisT = Literal[tuple(DueBasis.values)]  # type: ignore[valid-type]


class TermPartIn(BaseModel):
    share_pct: Decimal = Field(description="percent of the amount: the parts add up to 100")
    rule: RuleT
    days: int = Field(0, ge=0, le=720, description="days after (before, for before_shipment) the rule's date")


class TermPartOut(TermPartIn):
    position: int


class PaymentTermIn(BaseModel):
    code: str
    name: str
    name_en: str = ""
    notes: str = ""
    is_active: bool = True
    parts: list[TermPartIn]


class PaymentTermPatch(BaseModel):
    code: str | None = None
    name: str | None = None
    name_en: str | None = None
    notes: str | None = None
    is_active: bool | None = None
    parts: list[TermPartIn] | None = Field(None, description="replaces the parts whole")
    version: int | None = None


class PaymentTermOut(BaseModel):
    id: int
    code: str
    name: str
    name_en: str
    notes: str
    is_active: bool
    parts: list[TermPartOut]
    version: int


class TermChoiceIn(BaseModel):
    term_id: int
    version: int | None = None


class TermChoiceOut(BaseModel):
    term_id: int | None
    term_code: str | None
    own: bool = Field(description="false when the value is inherited (the customer's, or the default)")
    version: int | None


class InvoiceLineIn(BaseModel):
    description: str
    amount: Decimal


class InvoiceLineOut(BaseModel):
    position: int
    kind: LineKindT
    order_id: int | None
    order_number: str | None
    description: str
    amount: Decimal


class AllocationOut(BaseModel):
    id: int
    receipt_id: int | None = Field(description="the receipt allocated, or null for a credit note")
    receipt_number: str | None
    credit_note_id: int | None = Field(description="the credit note applied, or null for a receipt")
    credit_note_number: str | None
    invoice_id: int
    invoice_number: str
    amount: Decimal
    allocated_date: dt.date


class InvoiceIn(BaseModel):
    customer_id: int
    currency: str | None = Field(None, description="default: the customer's")
    order_id: int | None = None
    issue_date: dt.date | None = Field(None, description="default: today")
    due_date: dt.date | None = Field(None, description="default: the invoice date")
    description: str = ""
    amount: Decimal | None = Field(None, description="one line of this amount, when no lines are given")
    lines: list[InvoiceLineIn] = Field(default_factory=list)


class InvoiceOut(BaseModel):
    id: int
    number: str
    kind: KindT
    customer_id: int
    customer_code: str
    order_id: int | None
    order_number: str | None
    shipment_id: int | None
    shipment_number: str | None
    currency: str
    amount: Decimal
    paid_amount: Decimal
    open_amount: Decimal
    issue_date: dt.date
    due_date: dt.date
    due_rule: RuleT | None
    due_days: int
    due_basis: BasisT
    share_pct: Decimal | None
    days_overdue: int = Field(description="calendar days past the due date while unpaid; 0 otherwise")
    status: StatusT
    cancel_reason: str
    description: str
    merchandiser: str | None
    version: int


class InvoiceDetailOut(InvoiceOut):
    lines: list[InvoiceLineOut]
    allocations: list[AllocationOut]


class InvoicePage(BaseModel):
    items: list[InvoiceOut]
    count: int


class CancelIn(BaseModel):
    reason: str
    version: int | None = None


class AllocationIn(BaseModel):
    invoice_id: int
    amount: Decimal


class ReceiptIn(BaseModel):
    customer_id: int
    amount: Decimal = Field(description="what the customer paid: it settles invoices")
    currency: str
    received_date: dt.date
    bank_charges: Decimal = Field(Decimal(0), description="deducted by the banks; net credited = amount − charges")
    fx_rate: Decimal | None = Field(None, description="the day's rate to CNY (1 for CNY, the default there)")
    reference: str = ""
    notes: str = ""
    allocations: list[AllocationIn] = Field(default_factory=list)


class AllocateIn(BaseModel):
    allocations: list[AllocationIn]


class ReceiptOut(BaseModel):
    id: int
    number: str
    customer_id: int
    customer_code: str
    currency: str
    amount: Decimal
    bank_charges: Decimal
    net_amount: Decimal
    fx_rate: Decimal
    amount_cny: Decimal = Field(description="amount × rate, in CNY")
    received_date: dt.date
    reference: str
    allocated_amount: Decimal
    unallocated_amount: Decimal = Field(description="the customer's credit left on this receipt")
    version: int


class ReceiptDetailOut(ReceiptOut):
    allocations: list[AllocationOut]


class ReceiptPage(BaseModel):
    items: list[ReceiptOut]
    count: int


class CreditNoteIn(BaseModel):
    customer_id: int
    currency: str = Field("", description="default: the customer's currency")
    amount: Decimal
    reason: str
    reference: str = ""
    order_id: int | None = None
    issue_date: dt.date | None = Field(None, description="default: today")
    apply_to_order: bool = Field(True, description="apply it at once to the order's open invoices, earliest due first")


class CreditNoteOut(BaseModel):
    id: int
    number: str
    customer_id: int
    customer_code: str
    order_id: int | None
    order_number: str | None
    currency: str
    amount: Decimal
    allocated_amount: Decimal = Field(description="applied to invoices")
    unallocated_amount: Decimal = Field(description="the customer's credit left on this note")
    issue_date: dt.date
    reason: str
    reference: str
    status: Literal["open", "applied", "cancelled"]
    version: int


class CreditNoteDetailOut(CreditNoteOut):
    allocations: list[AllocationOut]


class CreditNotePage(BaseModel):
    items: list[CreditNoteOut]
    count: int


class StatementEntryOut(BaseModel):
    date: dt.date
    kind: Literal["invoice", "receipt"]
    id: int
    number: str
    description: str
    due_date: dt.date | None
    debit: Decimal
    credit: Decimal
    balance: Decimal


class StatementOpenOut(BaseModel):
    id: int
    number: str
    issue_date: dt.date
    due_date: dt.date
    amount: Decimal
    open: Decimal
    days_overdue: int


class StatementSectionOut(BaseModel):
    currency: str
    is_main: bool = Field(description="the customer's own currency")
    opening: Decimal
    invoiced: Decimal
    received: Decimal
    closing: Decimal
    entries: list[StatementEntryOut]
    open_invoices: list[StatementOpenOut]


class StatementOut(BaseModel):
    customer_id: int
    customer_code: str
    customer_name: str
    currency: str
    date_from: dt.date
    date_to: dt.date
    sections: list[StatementSectionOut]


class AgeingRowOut(BaseModel):
    key_id: int | None = Field(description="the customer's or the merchandiser's id")
    code: str
    name: str
    currency: str
    count: int
    oldest_due: dt.date | None
    current: Decimal
    d1_30: Decimal
    d31_60: Decimal
    d61_90: Decimal
    d90_plus: Decimal
    overdue: Decimal
    total: Decimal
    credit: Decimal | None = Field(None, description="unallocated receipts (per customer)")


class AgeingTotalOut(BaseModel):
    currency: str
    count: int
    current: Decimal
    d1_30: Decimal
    d31_60: Decimal
    d61_90: Decimal
    d90_plus: Decimal
    overdue: Decimal
    total: Decimal


class AgeingOut(BaseModel):
    as_of: dt.date
    by: Literal["customer", "merchandiser"]
    rows: list[AgeingRowOut]
    totals: list[AgeingTotalOut]


class FxSettlementIn(BaseModel):
    receipt_id: int
    amount: Decimal = Field(description="in the receipt's currency; at most its net amount not yet settled")
    bank_rate: Decimal = Field(description="the bank's rate to CNY")
    settled_date: dt.date | None = Field(None, description="default: today")
    reference: str = ""


class FxSettlementOut(BaseModel):
    id: int
    number: str
    receipt_id: int
    receipt_number: str
    customer_id: int
    currency: str
    amount: Decimal
    bank_rate: Decimal
    booking_rate: Decimal = Field(description="the receipt's rate of the day")
    settled_date: dt.date
    cny_amount: Decimal = Field(description="CNY received: amount × bank rate")
    booked_cny_amount: Decimal = Field(description="amount × booking rate")
    gain_loss: Decimal = Field(description="CNY: received − booked (negative: a loss)")
    reference: str


class FxTotalOut(BaseModel):
    currency: str
    amount: Decimal
    cny_amount: Decimal
    booked_cny_amount: Decimal
    gain_loss: Decimal


class FxSettlementPage(BaseModel):
    items: list[FxSettlementOut]
    count: int
    totals: list[FxTotalOut]


# ---- verification (核销) and export tax rebate (退税) ----------------------------------------------------------------

ClaimStatusT = Literal[tuple(ClaimStatus.values)]  # type: ignore[valid-type]
VerificationStatusT = Literal[tuple(VerificationStatus.values)]  # type: ignore[valid-type]


class VerificationOut(BaseModel):
    declaration_id: int
    declaration_no: str
    declaration_date: dt.date | None
    shipment_id: int
    shipment_number: str
    customer_id: int
    customer_code: str
    currency: str
    declared: Decimal = Field(description="Σ the customs lines' values")
    collected_invoices: Decimal = Field(description="paid on the shipment's invoices in the declaration's currency")
    collected_deposits: Decimal = Field(description="the paid share of the deposit deducted on those invoices")
    collected: Decimal
    open: Decimal
    status: VerificationStatusT


class VerificationTotalOut(BaseModel):
    currency: str
    count: int
    declared: Decimal
    collected: Decimal
    open: Decimal


class VerificationPage(BaseModel):
    items: list[VerificationOut]
    count: int
    totals: list[VerificationTotalOut]


class RebateRateIn(BaseModel):
    hs_prefix: str = Field(description="an HS code or its first digits (2 to 10 digits)")
    rate_pct: Decimal
    valid_from: dt.date
    notes: str = ""


class RebateRateOut(RebateRateIn):
    id: int
    version: int


class RebateRatePatch(BaseModel):
    hs_prefix: str | None = None
    rate_pct: Decimal | None = None
    valid_from: dt.date | None = None
    notes: str | None = None
    version: int | None = None


class VatInvoiceIn(BaseModel):
    supplier_id: int
    invoice_no: str
    invoice_date: dt.date
    amount: Decimal = Field(description="CNY excluding VAT")
    vat_amount: Decimal
    vat_rate: Decimal = Field(description="percent, e.g. 13")
    hs_code: str = ""
    description: str = ""


class VatInvoicePatch(BaseModel):
    supplier_id: int | None = None
    invoice_no: str | None = None
    invoice_date: dt.date | None = None
    amount: Decimal | None = None
    vat_amount: Decimal | None = None
    vat_rate: Decimal | None = None
    hs_code: str | None = None
    description: str | None = None
    version: int | None = None


class VatInvoiceOut(VatInvoiceIn):
    id: int
    version: int
    supplier_code: str
    matched: Decimal = Field(description="matched to customs lines")
    unmatched: Decimal


class VatMatchRowIn(BaseModel):
    vat_invoice_id: int
    customs_line_id: int
    amount: Decimal = Field(description="CNY excluding VAT")
    line_value: Decimal | None = Field(None, description="declaration currency; default: what is left of the line")


class VatMatchIn(BaseModel):
    declaration_id: int
    rows: list[VatMatchRowIn]


class VatMatchOut(BaseModel):
    id: int
    vat_invoice_id: int
    vat_invoice_no: str
    customs_line_id: int
    amount: Decimal
    line_value: Decimal
    vat_rate: Decimal


class RebateLineOut(BaseModel):
    customs_line_id: int
    position: int
    hs_code: str
    declared_name: str
    value: Decimal
    rate_pct: Decimal = Field(description="0 when no rate matches the HS code")
    rate_id: int | None
    matched_amount: Decimal
    matched_value: Decimal
    matches: list[VatMatchOut]


class RebateOut(BaseModel):
    declaration_id: int
    currency: str
    matched_amount: Decimal
    matched_vat: Decimal
    amount: Decimal = Field(description="the rebate computed now, CNY")
    lines: list[RebateLineOut]


class ClaimIn(BaseModel):
    declaration_id: int
    notes: str = ""


class ClaimStepIn(BaseModel):
    date: dt.date | None = Field(None, description="default: today")
    amount: Decimal | None = Field(None, description="approve / receive: default the amount of the step before")
    reason: str = Field("", description="needed when the amount differs from the step before")
    version: int | None = None


class ClaimOut(BaseModel):
    id: int
    declaration_id: int
    declaration_no: str
    declaration_date: dt.date | None
    customer_code: str
    status: ClaimStatusT
    computed_amount: Decimal = Field(description="the rebate computed from the matches now")
    filed_date: dt.date | None
    filed_amount: Decimal | None
    approved_date: dt.date | None
    approved_amount: Decimal | None
    approved_reason: str
    received_date: dt.date | None
    received_amount: Decimal | None
    received_reason: str
    notes: str
    version: int


class ClaimPage(BaseModel):
    items: list[ClaimOut]
    count: int


class PendingRowOut(BaseModel):
    declaration_id: int
    declaration_no: str
    declaration_date: dt.date | None
    customer_code: str
    claim_id: int | None
    status: str = Field(description="filed, approved, or empty: no claim yet")
    amount: Decimal = Field(description="approved, else claimed; no claim: the rebate computed now")


class PendingOut(BaseModel):
    date_from: dt.date | None
    date_to: dt.date | None
    rows: list[PendingRowOut]
    total_claimed: Decimal
    total_unclaimed: Decimal
