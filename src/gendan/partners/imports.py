"""Excel imports of customers and suppliers: create or update by code, all rows or none."""

from collections.abc import Callable
from typing import Any

from gendan.core.excel import (
    ImportColumn,
    ImportResult,
    ImportSpec,
    choice_parser,
    parse_decimal,
    parse_text,
    run_import,
)
from gendan.core.models import User
from gendan.core.money import Currency
from gendan.partners import services
from gendan.partners.choices import CustomerTier, Incoterm, SupplierKind
from gendan.partners.models import Customer, Supplier


def _upper_text(value: Any) -> str:
    return parse_text(value).upper()


CUSTOMER_SPEC = ImportSpec(
    "customers",
    [
        ImportColumn("code", "客户编码", "Code", required=True, example="C001"),
        ImportColumn("name", "客户名称", "Name", required=True, example="宁波海曙贸易有限公司"),
        ImportColumn("name_en", "英文名称", "English name", example="Ningbo Haishu Trading Co., Ltd."),
        ImportColumn("tier", "客户等级", "Tier", parse=choice_parser(CustomerTier), example="key"),
        ImportColumn("country", "国家", "Country", parse=_upper_text, example="US"),
        ImportColumn("currency", "币种", "Currency", parse=choice_parser(Currency), example="USD"),
        ImportColumn("payment_terms", "付款方式", "Payment terms", example="T/T 30 days"),
        ImportColumn("credit_limit", "信用额度", "Credit limit", parse=parse_decimal, example=50000),
        ImportColumn("default_incoterm", "贸易术语", "Incoterm", parse=choice_parser(Incoterm), example="FOB"),
        ImportColumn("merchandiser", "跟单员", "Merchandiser", example="mer1"),
        ImportColumn("address", "地址", "Address", example=""),
        ImportColumn("notes", "备注", "Notes", example=""),
    ],
)

SUPPLIER_SPEC = ImportSpec(
    "suppliers",
    [
        ImportColumn("code", "供应商编码", "Code", required=True, example="S001"),
        ImportColumn("name", "供应商名称", "Name", required=True, example="绍兴织造厂"),
        ImportColumn("name_en", "英文名称", "English name", example="Shaoxing Weaving Mill"),
        ImportColumn("kind", "类型", "Kind", parse=choice_parser(SupplierKind), example="material"),
        ImportColumn("country", "国家", "Country", parse=_upper_text, example="CN"),
        ImportColumn("city", "城市", "City", example="绍兴"),
        ImportColumn("address", "地址", "Address", example=""),
        ImportColumn("payment_terms", "付款方式", "Payment terms", example="月结30天"),
        ImportColumn("notes", "备注", "Notes", example=""),
    ],
)


def given(data: dict[str, Any]) -> dict[str, Any]:
    """The cells the row fills: a blank cell leaves the stored value (or the default) as it is."""
    return {k: v for k, v in data.items() if v is not None and v != ""}


def customer_writer(by: User) -> Callable[[dict[str, Any]], str]:
    def write(data: dict[str, Any]) -> str:
        values = given(data)
        existing = Customer.objects.filter(code=values["code"]).first()
        if existing is None:
            services.create_customer(by=by, data=values)
            return "created"
        services.update_customer(customer=existing, by=by, version=None, data=values)
        return "updated"

    return write


def supplier_writer(by: User) -> Callable[[dict[str, Any]], str]:
    def write(data: dict[str, Any]) -> str:
        values = given(data)
        existing = Supplier.objects.filter(code=values["code"]).first()
        if existing is None:
            services.create_supplier(by=by, data=values)
            return "created"
        services.update_supplier(supplier=existing, by=by, version=None, data=values)
        return "updated"

    return write


def import_customers(*, fileobj: Any, by: User) -> ImportResult:
    """Create or update customers by code from an .xlsx; nothing is written when any row is wrong."""
    return run_import(CUSTOMER_SPEC, fileobj, customer_writer(by))


def import_suppliers(*, fileobj: Any, by: User) -> ImportResult:
    return run_import(SUPPLIER_SPEC, fileobj, supplier_writer(by))
