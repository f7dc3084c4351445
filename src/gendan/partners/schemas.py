"""API schemas for customers, suppliers and contacts. Choices are enums; money is a decimal string."""

from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from gendan.core.money import Currency
from gendan.partners.choices import CreditRating, CustomerTier, Incoterm, SupplierKind

# One source for the allowed values: the TextChoices. OpenAPI lists each as an enum.
TierT = Literal[tuple(CustomerTier.values)]  # type: ignore[valid-type]
CreditT = Literal[("", *CreditRating.values)]  # type: ignore[valid-type]  # "": not rated
KindT = Literal[tuple(SupplierKind.values)]  # type: ignore[valid-type]
CurrencyT = Literal[tuple(Currency.values)]  # type: ignore[valid-type]
IncotermT = Literal[tuple(Incoterm.values)]  # type: ignore[valid-type]

Code = Field(..., min_length=1, max_length=30, examples=["C001"])


class ContactIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    title: str = ""
    phone: str = ""
    email: str = ""
    wechat: str = ""
    is_primary: bool = False


class ContactPatch(Schema):
    version: int
    name: str | None = None
    title: str | None = None
    phone: str | None = None
    email: str | None = None
    wechat: str | None = None
    is_primary: bool | None = None


class ContactOut(Schema):
    id: int
    customer_id: int | None
    supplier_id: int | None
    name: str
    title: str
    phone: str
    email: str
    wechat: str
    is_primary: bool
    version: int


class CustomerIn(Schema):
    code: str = Code
    name: str = Field(..., min_length=1, max_length=200)
    name_en: str = ""
    tier: TierT = CustomerTier.NORMAL.value
    country: str = Field(..., min_length=2, max_length=2, examples=["US"], description="ISO 3166 two-letter code")
    currency: CurrencyT = Currency.USD.value
    payment_terms: str = ""
    credit_limit: Decimal = Decimal("0")
    credit_rating: CreditT = ""
    credit_remarks: str = ""
    default_incoterm: IncotermT = Incoterm.FOB.value
    merchandiser: str | None = Field(None, description="Username; omitted: the caller; null: nobody")
    address: str = ""
    notes: str = ""
    is_active: bool = True


class CustomerPatch(Schema):
    version: int = Field(..., description="The version you read; 409 when someone saved since")
    code: str | None = None
    name: str | None = None
    name_en: str | None = None
    tier: TierT | None = None
    country: str | None = None
    currency: CurrencyT | None = None
    payment_terms: str | None = None
    credit_limit: Decimal | None = None
    credit_rating: CreditT | None = None
    credit_remarks: str | None = None
    default_incoterm: IncotermT | None = None
    merchandiser: str | None = Field(None, description="Username, or null for nobody")
    address: str | None = None
    notes: str | None = None
    is_active: bool | None = None


class CustomerOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    tier: TierT
    country: str
    currency: CurrencyT
    payment_terms: str
    credit_limit: Decimal
    credit_rating: CreditT
    credit_remarks: str
    default_incoterm: IncotermT
    merchandiser: str | None
    address: str
    notes: str
    is_active: bool
    version: int

    @staticmethod
    def resolve_merchandiser(obj) -> str | None:  # noqa: ANN001
        return obj.merchandiser.username if obj.merchandiser_id else None


class CustomerDetailOut(CustomerOut):
    contacts: list[ContactOut]

    @staticmethod
    def resolve_contacts(obj) -> list:  # noqa: ANN001
        return list(obj.contacts.all())


class SupplierIn(Schema):
    code: str = Field(..., min_length=1, max_length=30, examples=["S001"])
    name: str = Field(..., min_length=1, max_length=200)
    name_en: str = ""
    kind: KindT = SupplierKind.MATERIAL.value
    country: str = Field("CN", min_length=2, max_length=2)
    city: str = ""
    address: str = ""
    payment_terms: str = ""
    notes: str = ""
    is_active: bool = True


class SupplierPatch(Schema):
    version: int
    code: str | None = None
    name: str | None = None
    name_en: str | None = None
    kind: KindT | None = None
    country: str | None = None
    city: str | None = None
    address: str | None = None
    payment_terms: str | None = None
    notes: str | None = None
    is_active: bool | None = None


class SupplierOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    kind: KindT
    country: str
    city: str
    address: str
    payment_terms: str
    notes: str
    is_active: bool
    version: int


class SupplierDetailOut(SupplierOut):
    contacts: list[ContactOut]

    @staticmethod
    def resolve_contacts(obj) -> list:  # noqa: ANN001
        return list(obj.contacts.all())
