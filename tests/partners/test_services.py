from decimal import Decimal

import pytest

from gendan.core.choices import Role
from gendan.core.exceptions import PermissionDenied, StaleVersion, ValidationError
from gendan.core.models import ObjectChange
from gendan.partners import selectors, services
from gendan.partners.models import Contact, Customer, Supplier
from tests.factories import ContactFactory, CustomerFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def customer_data(**kw: object) -> dict:
    data = {"code": "C100", "name": "宁波海曙贸易", "country": "US", "tier": "key", "credit_limit": "50000"}
    data.update(kw)
    return data


def test_create_customer_strips_the_code_uppercases_the_country_and_records_the_change(merchandiser) -> None:
    customer = services.create_customer(by=merchandiser, data=customer_data(code="  c100 ", country="us"))
    assert customer.code == "c100"
    assert customer.country == "US"
    assert customer.credit_limit == Decimal("50000.00")
    assert customer.version == 1
    change = ObjectChange.objects.get(object_id=customer.pk, action="create", content_type__model="customer")
    assert change.user == merchandiser
    assert change.changes["code"] == [None, "c100"]


def test_create_customer_accepts_the_merchandiser_by_username(merchandiser, manager) -> None:
    customer = services.create_customer(by=manager, data=customer_data(merchandiser="mer1"))
    assert customer.merchandiser == merchandiser


def test_create_customer_refuses_an_unknown_merchandiser_naming_the_field(manager) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_customer(by=manager, data=customer_data(merchandiser="nobody"))
    assert "merchandiser" in exc.value.errors
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("code", "C 1"),
        ("country", "USA"),
        ("tier", "vip"),
        ("credit_limit", "-1"),
        ("currency", "XXX"),
        ("name", ""),
        ("default_incoterm", "ABC"),
    ],
)
def test_create_customer_names_the_invalid_field(merchandiser, field: str, value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_customer(by=merchandiser, data=customer_data(**{field: value}))
    assert field in exc.value.errors
    assert not Customer.objects.exists()


def test_customer_codes_are_unique(merchandiser) -> None:
    CustomerFactory(code="C100")
    with pytest.raises(ValidationError) as exc:
        services.create_customer(by=merchandiser, data=customer_data(code="C100"))
    assert "code" in exc.value.errors


def test_create_customer_refuses_an_unknown_field(merchandiser) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_customer(by=merchandiser, data=customer_data(colour="red"))
    assert "colour" in exc.value.errors


def test_qc_may_not_create_customers(make_user) -> None:
    with pytest.raises(PermissionDenied):
        services.create_customer(by=make_user(Role.QC), data=customer_data())
    assert not Customer.objects.exists()


def test_finance_may_change_but_not_create_customers(make_user) -> None:
    finance = make_user(Role.FINANCE)
    customer = CustomerFactory()
    services.update_customer(customer=customer, by=finance, version=1, data={"credit_limit": "9000"})
    with pytest.raises(PermissionDenied):
        services.create_customer(by=finance, data=customer_data())


def test_update_customer_bumps_the_version_and_records_old_and_new(merchandiser) -> None:
    customer = CustomerFactory(tier="normal")
    updated = services.update_customer(customer=customer, by=merchandiser, version=1, data={"tier": "key"})
    assert updated.version == 2
    change = ObjectChange.objects.get(object_id=customer.pk, action="update", content_type__model="customer")
    assert change.changes == {"tier": ["normal", "key"]}


def test_update_customer_with_a_stale_version_changes_nothing(merchandiser) -> None:
    customer = CustomerFactory(name="Old")
    services.update_customer(customer=customer, by=merchandiser, version=1, data={"name": "New"})
    with pytest.raises(StaleVersion) as exc:
        services.update_customer(customer=customer, by=merchandiser, version=1, data={"name": "Stale"})
    assert exc.value.current_version == 2
    customer.refresh_from_db()
    assert customer.name == "New"


def test_saving_the_same_values_again_is_no_change(merchandiser) -> None:
    customer = services.create_customer(by=merchandiser, data=customer_data(credit_limit="1234.5"))
    same = services.update_customer(
        customer=customer, by=merchandiser, version=1, data={"credit_limit": 1234.5, "name": " 宁波海曙贸易 "}
    )
    assert same.version == 1
    assert not ObjectChange.objects.filter(object_id=customer.pk, action="update").exists()


def test_create_and_update_supplier(merchandiser) -> None:
    supplier = services.create_supplier(
        by=merchandiser, data={"code": "S9", "name": "绍兴织造", "kind": "subcontract", "country": "cn"}
    )
    assert supplier.country == "CN"
    supplier = services.update_supplier(supplier=supplier, by=merchandiser, version=1, data={"city": "绍兴"})
    assert supplier.version == 2


def test_supplier_kind_must_be_known(merchandiser) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_supplier(by=merchandiser, data={"code": "S9", "name": "X", "kind": "bank"})
    assert "kind" in exc.value.errors
    assert not Supplier.objects.exists()


def test_sales_may_not_create_suppliers(make_user) -> None:
    with pytest.raises(PermissionDenied):
        services.create_supplier(by=make_user(Role.SALES), data={"code": "S9", "name": "X"})


def test_contact_belongs_to_exactly_one_party(merchandiser) -> None:
    with pytest.raises(ValidationError):
        services.create_contact(by=merchandiser, data={"name": "Ann"})
    with pytest.raises(ValidationError):
        services.create_contact(
            by=merchandiser, data={"name": "Ann", "customer": CustomerFactory(), "supplier": SupplierFactory()}
        )
    assert not Contact.objects.exists()


def test_contact_change_is_recorded_on_the_customers_trail(merchandiser) -> None:
    customer = CustomerFactory()
    contact = services.create_contact(
        by=merchandiser, data={"name": "Ann", "email": "ann@example.com", "customer": customer}
    )
    services.update_contact(contact=contact, by=merchandiser, version=1, data={"phone": "+1 555"})
    from gendan.core.audit import history_for

    assert [c.action for c in history_for(customer)] == ["update", "create"]


def test_contact_email_is_validated(merchandiser) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_contact(by=merchandiser, data={"name": "Ann", "email": "no-at", "customer": CustomerFactory()})
    assert "email" in exc.value.errors


def test_one_primary_contact_per_party(merchandiser) -> None:
    customer = CustomerFactory()
    first = services.create_contact(by=merchandiser, data={"name": "A", "is_primary": True, "customer": customer})
    services.create_contact(by=merchandiser, data={"name": "B", "is_primary": True, "customer": customer})
    first.refresh_from_db()
    assert not first.is_primary
    assert customer.contacts.filter(is_primary=True).count() == 1


def test_only_a_manager_may_delete_a_contact_and_the_deletion_is_recorded(merchandiser, manager) -> None:
    contact = ContactFactory(name="Ann")
    with pytest.raises(PermissionDenied):
        services.delete_contact(contact=contact, by=merchandiser)
    services.delete_contact(contact=contact, by=manager)
    assert not Contact.objects.exists()
    assert ObjectChange.objects.filter(action="delete", object_repr="Ann").exists()


def test_customer_list_filters(merchandiser) -> None:
    CustomerFactory(code="A1", name="Alpha", tier="key", country="US", merchandiser=merchandiser)
    CustomerFactory(code="B1", name="Beta", name_en="Bravo GmbH", tier="normal", country="DE")
    CustomerFactory(code="C1", name="Gamma", tier="prospect", country="US", is_active=False)
    codes = lambda qs: [c.code for c in qs]  # noqa: E731
    assert codes(selectors.customer_list(q="bravo")) == ["B1"]
    assert codes(selectors.customer_list(tier="key")) == ["A1"]
    assert codes(selectors.customer_list(country="us")) == ["A1", "C1"]
    assert codes(selectors.customer_list(merchandiser="mer1")) == ["A1"]
    assert codes(selectors.customer_list(active=False)) == ["C1"]
    assert codes(selectors.customer_list(sort="-name")) == ["C1", "B1", "A1"]
