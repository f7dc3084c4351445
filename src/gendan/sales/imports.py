"""Order import from .xlsx: one row per line, rows grouped into orders by customer code + customer PO.

All or nothing: every order is created as a draft through `create_order` inside one transaction; any bad
row rolls the whole file back and the result lists every error with its spreadsheet row number.
"""

from collections import defaultdict
from typing import Any, BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _

from gendan.catalog.models import Product
from gendan.core.excel import (
    ImportColumn,
    ImportResult,
    ImportSpec,
    RowError,
    choice_parser,
    parse_date,
    parse_decimal,
)
from gendan.core.exceptions import GendanError, ValidationError
from gendan.core.models import User
from gendan.core.money import Currency
from gendan.partners.choices import Incoterm
from gendan.partners.models import Customer
from gendan.sales.services import create_order

ORDER_IMPORT = ImportSpec(
    name="orders",
    columns=[
        ImportColumn("customer_po", "客户订单号", "Customer PO", required=True, example="PO-88017"),
        ImportColumn("customer_code", "客户代码", "Customer code", required=True, example="C0001"),
        ImportColumn("order_date", "下单日期", "Order date", parse_date, required=True, example="2026-11-20"),
        ImportColumn("ex_factory_date", "出厂日期", "Ex-factory date", parse_date, required=True, example="2027-01-15"),
        ImportColumn("currency", "币种", "Currency", choice_parser(Currency), example="USD"),
        ImportColumn("incoterm", "贸易术语", "Incoterm", choice_parser(Incoterm), example="FOB"),
        ImportColumn("incoterm_place", "指定地点", "Named place", example="Ningbo"),
        ImportColumn("product_code", "产品代码", "Product code", required=True, example="P00001"),
        ImportColumn("quantity", "数量", "Quantity", parse_decimal, required=True, example=1200),
        ImportColumn("unit_price", "单价", "Unit price", parse_decimal, required=True, example="3.25"),
        ImportColumn("line_ex_factory_date", "明细出厂日期", "Line ex-factory date", parse_date),
        ImportColumn("packaging_note", "包装说明", "Packaging note", example="12 pcs per inner box"),
    ],
)

# Order-level columns: every row of one order must agree on them.
HEADER_COLUMNS = ("order_date", "ex_factory_date", "currency", "incoterm", "incoterm_place")
SERVICE_TO_COLUMN = {"customer": "customer_code", "product": "product_code", "ex_factory_date": "ex_factory_date"}


def _column_for(line_field: str) -> str:
    return {"product": "product_code", "ex_factory_date": "line_ex_factory_date"}.get(line_field, line_field)


def import_orders(fileobj: BinaryIO, *, by: User) -> ImportResult:
    """Create one draft order per (customer code, customer PO) group of rows; all or nothing."""
    rows, read_errors = ORDER_IMPORT.read(fileobj)
    result = ImportResult(errors=list(read_errors))
    if not rows and not read_errors:
        result.errors.append(RowError(2, "file", _("The file has no rows to import.")))
        return result
    if not by.has_perm("sales.add_order"):
        result.errors.append(
            RowError(0, "file", _("Your role lacks the permission %(perm)s.") % {"perm": "sales.add_order"})
        )
        return result
    bad_rows = {e.row for e in read_errors}
    groups: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for number, data in rows:
        groups[(data.get("customer_code", ""), data.get("customer_po", ""))].append((number, data))
    customers = Customer.objects.in_bulk({d.get("customer_code", "") for _n, d in rows}, field_name="code")
    products = Product.objects.in_bulk({d.get("product_code", "") for _n, d in rows}, field_name="code")

    errors = result.errors
    with transaction.atomic():
        for (code, po), members in groups.items():
            if any(number in bad_rows for number, _d in members):
                continue
            first_row, first = members[0]
            group_errors: list[RowError] = []
            customer = customers.get(code)
            if customer is None:
                group_errors.append(RowError(first_row, "customer_code", _("No customer %(code)s.") % {"code": code}))
            for number, data in members[1:]:
                for col in HEADER_COLUMNS:
                    if data.get(col) != first.get(col):
                        group_errors.append(
                            RowError(
                                number,
                                col,
                                _("Differs from row %(row)s of the same order (%(po)s).")
                                % {"row": first_row, "po": po},
                            )
                        )
            lines = []
            for number, data in members:
                product = products.get(data.get("product_code", ""))
                if product is None:
                    group_errors.append(
                        RowError(number, "product_code", _("No product %(code)s.") % {"code": data.get("product_code")})
                    )
                    continue
                lines.append(
                    {
                        "product": product,
                        "quantity": data.get("quantity"),
                        "unit_price": data.get("unit_price"),
                        "ex_factory_date": data.get("line_ex_factory_date"),
                        "packaging_note": data.get("packaging_note", ""),
                    }
                )
            if group_errors:
                errors.extend(group_errors)
                continue
            fields = {
                "customer_po": po,
                "order_date": first["order_date"],
                "ex_factory_date": first["ex_factory_date"],
                "incoterm_place": first.get("incoterm_place", ""),
            }
            for col in ("currency", "incoterm"):
                if first.get(col):
                    fields[col] = first[col]
            try:
                with transaction.atomic():
                    create_order(by=by, customer=customer, lines=lines, **fields)
            except ValidationError as exc:
                for field, msgs in exc.errors.items():
                    number, column = first_row, SERVICE_TO_COLUMN.get(field, field)
                    if field.startswith("lines[") and "]." in field:
                        pos, _sep, name = field[len("lines[") :].partition("].")
                        number, column = members[int(pos)][0], _column_for(name)
                    errors.extend(RowError(number, column, m) for m in msgs)
            except GendanError as exc:
                errors.append(RowError(first_row, "__all__", exc.message))
            else:
                result.created += 1
        if errors:
            transaction.set_rollback(True)
            result.created = 0
    errors.sort(key=lambda e: e.row)
    ORDER_IMPORT.label_errors(errors)
    return result
