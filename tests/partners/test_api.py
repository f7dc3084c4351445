import io

import pytest
from openpyxl import load_workbook

from gendan.core.choices import Role
from gendan.partners.choices import CustomerTier, SupplierKind
from gendan.partners.models import Contact, Customer, Supplier
from tests.factories import ContactFactory, CustomerFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def test_customer_list_needs_credentials(api_as) -> None:
    assert api_as(None).get("/customers").status_code == 401


def test_customer_list_is_paginated_and_filtered(api_as, merchandiser) -> None:
    for i in range(3):
        CustomerFactory(code=f"K{i}", tier="key", merchandiser=merchandiser)
    CustomerFactory(code="N1", tier="normal", country="DE", name_en="Nordic GmbH")
    client = api_as(merchandiser)
    page = client.get("/customers", limit=2, offset=0).json()
    assert set(page) == {"items", "count"}
    assert page["count"] == 4
    assert len(page["items"]) == 2
    assert client.get("/customers", tier="key").json()["count"] == 3
    assert [c["code"] for c in client.get("/customers", country="DE").json()["items"]] == ["N1"]
    assert [c["code"] for c in client.get("/customers", q="nordic").json()["items"]] == ["N1"]
    assert client.get("/customers", merchandiser="mer1").json()["count"] == 3
    assert client.get("/customers", tier="vip").status_code == 422


def test_create_customer_returns_201_with_decimal_strings_and_the_caller_as_merchandiser(api_as, merchandiser) -> None:
    response = api_as(merchandiser).post(
        "/customers", {"code": "C1", "name": "Acme", "country": "us", "credit_limit": 1500.5, "tier": "key"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["credit_limit"] == "1500.50"
    assert body["country"] == "US"
    assert body["merchandiser"] == "mer1"
    assert body["version"] == 1
    assert body["contacts"] == []


def test_create_customer_with_null_merchandiser_has_none(api_as, merchandiser) -> None:
    body = api_as(merchandiser).post("/customers", {"code": "C1", "name": "A", "country": "US", "merchandiser": None})
    assert body.json()["merchandiser"] is None


def test_create_customer_error_names_the_field(api_as, merchandiser) -> None:
    response = api_as(merchandiser).post("/customers", {"code": "C 1", "name": "A", "country": "US"})
    assert response.status_code == 422
    assert ["body", "code"] in [d["loc"] for d in response.json()["detail"]]
    assert not Customer.objects.exists()


def test_qc_may_not_create_customers(api_as, make_user) -> None:
    response = api_as(make_user(Role.QC)).post("/customers", {"code": "C1", "name": "A", "country": "US"})
    assert response.status_code == 403
    assert "partners.add_customer" in response.json()["detail"]
    assert not Customer.objects.exists()


def test_get_customer_includes_contacts_and_unknown_id_is_404(api_as, merchandiser) -> None:
    contact = ContactFactory(name="Ann")
    client = api_as(merchandiser)
    body = client.get(f"/customers/{contact.customer_id}").json()
    assert [c["name"] for c in body["contacts"]] == ["Ann"]
    assert client.get("/customers/999999").status_code == 404


def test_patch_customer_needs_the_version_and_stale_is_409_changing_nothing(api_as, merchandiser) -> None:
    customer = CustomerFactory(name="Old")
    client = api_as(merchandiser)
    assert client.patch(f"/customers/{customer.pk}", {"name": "X"}).status_code == 422
    ok = client.patch(f"/customers/{customer.pk}", {"version": 1, "name": "New"})
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    stale = client.patch(f"/customers/{customer.pk}", {"version": 1, "name": "Stale"})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["current_version"] == 2
    customer.refresh_from_db()
    assert customer.name == "New"


def test_patch_customer_can_clear_the_merchandiser(api_as, merchandiser) -> None:
    customer = CustomerFactory(merchandiser=merchandiser)
    body = api_as(merchandiser).patch(f"/customers/{customer.pk}", {"version": 1, "merchandiser": None}).json()
    assert body["merchandiser"] is None


def test_patch_unknown_customer_is_404(api_as, merchandiser) -> None:
    assert api_as(merchandiser).patch("/customers/424242", {"version": 1}).status_code == 404


def test_customer_contacts_create_list_patch_delete(api_as, merchandiser, manager) -> None:
    customer = CustomerFactory()
    client = api_as(merchandiser)
    created = client.post(f"/customers/{customer.pk}/contacts", {"name": "Ann", "email": "ann@example.com"})
    assert created.status_code == 201
    contact_id = created.json()["id"]
    assert created.json()["customer_id"] == customer.pk
    assert [c["name"] for c in client.get(f"/customers/{customer.pk}/contacts").json()] == ["Ann"]
    patched = client.patch(f"/contacts/{contact_id}", {"version": 1, "phone": "123"})
    assert patched.json()["phone"] == "123"
    assert client.patch(f"/contacts/{contact_id}", {"version": 1, "phone": "9"}).status_code == 409
    assert client.delete(f"/contacts/{contact_id}").status_code == 403
    assert api_as(manager).delete(f"/contacts/{contact_id}").status_code == 204
    assert not Contact.objects.exists()


def test_contact_with_a_bad_email_is_422(api_as, merchandiser) -> None:
    customer = CustomerFactory()
    response = api_as(merchandiser).post(f"/customers/{customer.pk}/contacts", {"name": "Ann", "email": "nope"})
    assert response.status_code == 422
    assert ["body", "email"] in [d["loc"] for d in response.json()["detail"]]


def test_suppliers_crud_and_kind_filter(api_as, merchandiser) -> None:
    SupplierFactory(code="F1", kind="forwarder")
    client = api_as(merchandiser)
    created = client.post("/suppliers", {"code": "S1", "name": "织造厂", "kind": "subcontract", "city": "绍兴"})
    assert created.status_code == 201
    body = created.json()
    assert body["country"] == "CN"
    assert [s["code"] for s in client.get("/suppliers", kind="forwarder").json()["items"]] == ["F1"]
    patched = client.patch(f"/suppliers/{body['id']}", {"version": 1, "kind": "material"})
    assert patched.json()["kind"] == "material"
    contact = client.post(f"/suppliers/{body['id']}/contacts", {"name": "王经理"})
    assert contact.status_code == 201
    assert contact.json()["supplier_id"] == body["id"]
    assert [c["name"] for c in client.get(f"/suppliers/{body['id']}/contacts").json()] == ["王经理"]
    assert client.get("/suppliers/99999").status_code == 404


def test_sales_may_not_create_suppliers(api_as, make_user) -> None:
    response = api_as(make_user(Role.SALES)).post("/suppliers", {"code": "S1", "name": "X"})
    assert response.status_code == 403
    assert not Supplier.objects.exists()


def test_choices_are_enums_in_openapi(api_as, merchandiser) -> None:
    schema = api_as(merchandiser).get("/openapi.json").json()["components"]["schemas"]
    assert schema["CustomerOut"]["properties"]["tier"]["enum"] == list(CustomerTier.values)
    assert schema["SupplierOut"]["properties"]["kind"]["enum"] == list(SupplierKind.values)


def test_customer_export_xlsx_has_the_filtered_rows(api_as, merchandiser) -> None:
    CustomerFactory(code="K1", tier="key")
    CustomerFactory(code="N1", tier="normal")
    response = api_as(merchandiser).get("/customers.xlsx", tier="key")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [row[0] for row in ws.iter_rows(min_row=2, values_only=True)] == ["K1"]


def test_a_json_null_for_a_text_field_empties_it_instead_of_failing(api_as, merchandiser) -> None:
    customer = CustomerFactory(payment_terms="T/T")
    client = api_as(merchandiser)
    response = client.patch(f"/customers/{customer.pk}", {"version": customer.version, "payment_terms": None})
    assert response.status_code == 200
    assert response.json()["payment_terms"] == ""
    supplier = SupplierFactory(city="宁波")
    response = client.patch(f"/suppliers/{supplier.pk}", {"version": 1, "city": None, "address": None})
    assert response.status_code == 200
