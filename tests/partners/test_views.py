import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from gendan.core.choices import Role
from gendan.core.models import ObjectChange
from gendan.partners.models import Contact, Customer, Supplier
from tests.factories import ContactFactory, CustomerFactory, SupplierFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_customer_list_renders_with_tier_badges_and_filters(page_as, merchandiser) -> None:
    CustomerFactory(code="KEY-CO1", name="Key Co", tier="key")
    CustomerFactory(code="NORMAL-CO1", name="Normal Co", tier="normal")
    c = page_as(merchandiser)
    html = c.get("/partners/customers/").content.decode()
    assert "KEY-CO1" in html
    assert "NORMAL-CO1" in html
    assert "badge-red" in html
    filtered = c.get("/partners/customers/", {"tier": "key"}).content.decode()
    assert "KEY-CO1" in filtered
    assert "NORMAL-CO1" not in filtered
    searched = c.get("/partners/customers/", {"q": "normal"}).content.decode()
    assert "NORMAL-CO1" in searched
    assert "KEY-CO1" not in searched


def test_customer_list_query_count_does_not_grow_with_rows(
    page_as, merchandiser, django_assert_max_num_queries
) -> None:
    users = UserFactory.create_batch(5)
    for i in range(40):
        customer = CustomerFactory(merchandiser=users[i % 5])
        ContactFactory(customer=customer)
    c = page_as(merchandiser)
    with django_assert_max_num_queries(15):
        response = c.get("/partners/customers/")
    assert response.status_code == 200
    assert response.content.decode().count("/partners/customers/") >= 40


def test_customer_list_pages(page_as, merchandiser) -> None:
    for i in range(30):
        CustomerFactory(code=f"C{i:03d}")
    c = page_as(merchandiser)
    first = c.get("/partners/customers/", {"per_page": 25}).content.decode()
    second = c.get("/partners/customers/", {"per_page": 25, "page": 2}).content.decode()
    assert "C000" in first
    assert "C029" not in first
    assert "C029" in second


def test_customer_export_has_the_filtered_rows_with_headers_in_the_users_language(page_as, merchandiser) -> None:
    CustomerFactory(code="K1", tier="key")
    CustomerFactory(code="N1", tier="normal")
    response = page_as(merchandiser).get("/partners/customers/export/", {"tier": "key"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Code"  # the fixture users read English
    assert [r[0] for r in rows[1:]] == ["K1"]


def test_customer_detail_shows_facts_contacts_and_audit(page_as, merchandiser) -> None:
    customer = CustomerFactory(code="C7", name="Acme")
    ContactFactory(customer=customer, name="Ann Lee")
    c = page_as(merchandiser)
    c.post(f"/partners/customers/{customer.pk}/edit/", _customer_post(customer, name="Acme Two"))
    html = c.get(f"/partners/customers/{customer.pk}/").content.decode()
    assert "Ann Lee" in html
    assert 'data-testid="audit-trail"' in html
    assert "Acme Two" in html


def test_unknown_customer_page_is_404(page_as, merchandiser) -> None:
    assert page_as(merchandiser).get("/partners/customers/99999/").status_code == 404


def test_qc_sees_customers_but_gets_403_on_the_new_form(page_as, make_user) -> None:
    c = page_as(make_user(Role.QC))
    assert c.get("/partners/customers/").status_code == 200
    assert "New customer" not in c.get("/partners/customers/").content.decode()
    assert c.get("/partners/customers/add/").status_code == 403


def test_new_customer_form_renders_and_invalid_post_shows_errors_by_field(page_as, merchandiser) -> None:
    c = page_as(merchandiser)
    assert c.get("/partners/customers/add/").status_code == 200
    response = c.post(
        "/partners/customers/add/",
        {
            "code": "bad code",
            "name": "Acme",
            "tier": "key",
            "country": "u1",
            "currency": "USD",
            "credit_limit": "0",
            "default_incoterm": "FOB",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "code" in form.errors
    assert "country" in form.errors
    assert 'value="Acme"' in response.content.decode()
    assert not Customer.objects.exists()


def test_new_customer_post_creates_and_redirects(page_as, merchandiser) -> None:
    response = page_as(merchandiser).post(
        "/partners/customers/add/",
        {
            "code": "C1",
            "name": "Acme",
            "tier": "key",
            "country": "us",
            "currency": "USD",
            "credit_limit": "1000",
            "default_incoterm": "FOB",
            "merchandiser": merchandiser.pk,
            "is_active": "on",
        },
    )
    customer = Customer.objects.get(code="C1")
    assert response.status_code == 302
    assert response["Location"] == f"/partners/customers/{customer.pk}/"
    assert customer.country == "US"
    assert customer.merchandiser == merchandiser


def _customer_post(customer: Customer, **kw: object) -> dict:
    data = {
        "code": customer.code,
        "name": customer.name,
        "tier": customer.tier,
        "country": customer.country,
        "currency": customer.currency,
        "credit_limit": str(customer.credit_limit),
        "default_incoterm": customer.default_incoterm,
        "is_active": "on",
        "version": customer.version,
    }
    data.update(kw)
    return data


def test_edit_form_carries_the_version_and_a_stale_save_keeps_the_input(page_as, merchandiser) -> None:
    customer = CustomerFactory(name="Old")
    c = page_as(merchandiser)
    html = c.get(f"/partners/customers/{customer.pk}/edit/").content.decode()
    assert 'name="version" value="1"' in html
    assert c.post(f"/partners/customers/{customer.pk}/edit/", _customer_post(customer, name="First")).status_code == 302
    stale = c.post(f"/partners/customers/{customer.pk}/edit/", _customer_post(customer, name="Second", version=1))
    assert stale.status_code == 200
    text = stale.content.decode()
    assert "changed by someone else" in text
    assert 'value="Second"' in text
    customer.refresh_from_db()
    assert customer.name == "First"


def test_supplier_pages_list_filter_create_and_detail(page_as, merchandiser) -> None:
    SupplierFactory(code="FWD-ONE", kind="forwarder")
    SupplierFactory(code="MAT-ONE", kind="material")
    c = page_as(merchandiser)
    html = c.get("/partners/suppliers/", {"kind": "forwarder"}).content.decode()
    assert "FWD-ONE" in html
    assert "MAT-ONE" not in html
    assert c.get("/partners/suppliers/add/").status_code == 200
    response = c.post(
        "/partners/suppliers/add/", {"code": "S1", "name": "织造厂", "kind": "subcontract", "country": "CN"}
    )
    supplier = Supplier.objects.get(code="S1")
    assert response["Location"] == f"/partners/suppliers/{supplier.pk}/"
    assert c.get(f"/partners/suppliers/{supplier.pk}/").status_code == 200
    assert c.get(f"/partners/suppliers/{supplier.pk}/edit/").status_code == 200
    export = c.get("/partners/suppliers/export/")
    assert load_workbook(io.BytesIO(export.content)).active.max_row == 4


def test_contact_add_edit_and_delete_pages(page_as, merchandiser, manager) -> None:
    customer = CustomerFactory()
    c = page_as(merchandiser)
    assert c.get(f"/partners/customers/{customer.pk}/contacts/add/").status_code == 200
    bad = c.post(f"/partners/customers/{customer.pk}/contacts/add/", {"name": "Ann", "email": "no"})
    assert "email" in bad.context["form"].errors
    ok = c.post(f"/partners/customers/{customer.pk}/contacts/add/", {"name": "Ann", "email": "ann@example.com"})
    assert ok["Location"] == f"/partners/customers/{customer.pk}/"
    contact = Contact.objects.get()
    edit = c.post(f"/partners/contacts/{contact.pk}/edit/", {"name": "Ann B", "version": 1})
    assert edit.status_code == 302
    assert c.get(f"/partners/contacts/{contact.pk}/delete/").status_code == 403
    m = page_as(manager)
    assert m.get(f"/partners/contacts/{contact.pk}/delete/").status_code == 200
    assert m.post(f"/partners/contacts/{contact.pk}/delete/").status_code == 302
    assert not Contact.objects.exists()
    assert ObjectChange.objects.filter(action="delete").count() == 1


def test_supplier_contact_add(page_as, merchandiser) -> None:
    supplier = SupplierFactory()
    response = page_as(merchandiser).post(f"/partners/suppliers/{supplier.pk}/contacts/add/", {"name": "王"})
    assert response["Location"] == f"/partners/suppliers/{supplier.pk}/"
    assert supplier.contacts.get().name == "王"


def test_pages_need_login(client) -> None:
    response = client.get("/partners/customers/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_customer_list_runs_a_bounded_number_of_queries(page_as, merchandiser) -> None:
    CustomerFactory.create_batch(10)
    c = page_as(merchandiser)
    with CaptureQueriesContext(connection) as small:
        c.get("/partners/customers/")
    CustomerFactory.create_batch(30)
    with CaptureQueriesContext(connection) as big:
        c.get("/partners/customers/")
    assert len(big) == len(small)


def test_pages_and_export_follow_a_chinese_users_language(page_as, make_user) -> None:
    user = make_user(Role.MERCHANDISER, language="zh-hans")
    customer = CustomerFactory(code="K1", tier="key")
    c = page_as(user)
    assert c.get("/partners/customers/").status_code == 200
    assert c.get(f"/partners/customers/{customer.pk}/").status_code == 200
    assert c.get(f"/partners/customers/{customer.pk}/edit/").status_code == 200
    ws = load_workbook(io.BytesIO(c.get("/partners/customers/export/").content)).active
    assert ws["A1"].value == "客户编码"
