import io
from collections.abc import Sequence

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from gendan.core.choices import Role
from gendan.partners.imports import CUSTOMER_SPEC, import_customers, import_suppliers
from gendan.partners.models import Customer, Supplier
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def xlsx(rows: Sequence[Sequence[object]]) -> io.BytesIO:
    wb = Workbook()
    for row in rows:
        wb.active.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_import_creates_and_updates_customers_by_code(merchandiser) -> None:
    CustomerFactory(code="C1", name="Old", tier="normal")
    result = import_customers(
        fileobj=xlsx(
            [
                ["客户编码", "客户名称", "客户等级", "国家", "信用额度", "跟单员"],
                ["C1", "New name", "Key customer", "us", 1000, "mer1"],  # a choice by its label
                ["C2", "Second", "prospect", "DE", None, ""],
            ]
        ),
        by=merchandiser,
    )
    assert result.ok, result.errors
    assert (result.created, result.updated) == (1, 1)
    c1 = Customer.objects.get(code="C1")
    assert (c1.name, c1.tier, c1.country, c1.merchandiser) == ("New name", "key", "US", merchandiser)
    assert c1.version == 2
    assert Customer.objects.get(code="C2").tier == "prospect"


def test_one_bad_row_imports_nothing_and_the_report_names_the_row(merchandiser) -> None:
    result = import_customers(
        fileobj=xlsx(
            [
                ["Code", "Name", "Tier", "Country"],
                ["C1", "Good", "key", "US"],
                ["C2", "Bad tier", "vip", "US"],
                ["C3", "Bad country", "normal", "U1"],
            ]
        ),
        by=merchandiser,
    )
    assert not result.ok
    assert {(e.row, e.field) for e in result.errors} == {(3, "tier"), (4, "country")}
    assert not Customer.objects.exists()


def test_import_refuses_a_file_without_the_required_columns(merchandiser) -> None:
    result = import_customers(fileobj=xlsx([["Name"], ["A"]]), by=merchandiser)
    assert [e.field for e in result.errors] == ["code"]


def test_import_by_a_role_that_may_not_create_reports_every_row(make_user) -> None:
    result = import_customers(fileobj=xlsx([["Code", "Name", "Country"], ["C1", "A", "US"]]), by=make_user(Role.QC))
    assert [e.row for e in result.errors] == [2]
    assert not Customer.objects.exists()


def test_template_has_bilingual_headers_and_an_example_that_imports(merchandiser) -> None:
    ws = load_workbook(io.BytesIO(CUSTOMER_SPEC.template())).active
    headers = [c.value for c in ws[1]]
    assert headers[0] == "客户编码 / Code *"
    result = import_customers(fileobj=io.BytesIO(CUSTOMER_SPEC.template()), by=merchandiser)
    assert result.ok, result.errors
    assert Customer.objects.filter(code="C001").exists()


def test_supplier_import(merchandiser) -> None:
    result = import_suppliers(
        fileobj=xlsx([["Code", "Name", "Kind", "City"], ["S1", "织造厂", "Subcontract factory", "绍兴"]]),
        by=merchandiser,
    )
    assert result.ok, result.errors
    assert Supplier.objects.get(code="S1").kind == "subcontract"


def test_import_page_shows_the_row_report_and_template_downloads(page_as, merchandiser) -> None:
    c = page_as(merchandiser)
    assert c.get("/partners/customers/import/").status_code == 200
    template = c.get("/partners/customers/import/template/")
    assert template.status_code == 200
    assert load_workbook(io.BytesIO(template.content)).active["A1"].value.startswith("客户编码")
    upload = SimpleUploadedFile(
        "c.xlsx", xlsx([["Code", "Name", "Country"], ["C1", "A", "US"], ["C2", "", "US"]]).getvalue()
    )
    response = c.post("/partners/customers/import/", {"file": upload})
    html = response.content.decode()
    assert 'data-testid="import-errors"' in html
    assert "<td>3</td>" in html
    assert not Customer.objects.exists()
    good = SimpleUploadedFile("c.xlsx", xlsx([["Code", "Name", "Country"], ["C1", "A", "US"]]).getvalue())
    assert "1 created" in c.post("/partners/customers/import/", {"file": good}).content.decode()
    assert Customer.objects.filter(code="C1").exists()


def test_qc_may_not_open_the_import_page(page_as, make_user) -> None:
    assert page_as(make_user(Role.QC)).get("/partners/customers/import/").status_code == 403
