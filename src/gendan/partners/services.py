"""Partners' writes: customers, suppliers and their contacts.

Every function validates, checks the caller's permission (and the optimistic version on updates),
writes and records the change in one transaction. Views, the API, imports and the CLI all call these.
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gendan.core import audit, editing
from gendan.core.choices import AuditAction
from gendan.core.exceptions import ValidationError
from gendan.core.models import User
from gendan.core.services import ensure_can
from gendan.partners.models import Contact, Customer, Supplier

CUSTOMER_FIELDS = [
    "code",
    "name",
    "name_en",
    "tier",
    "country",
    "currency",
    "payment_terms",
    "credit_limit",
    "credit_rating",
    "credit_remarks",
    "default_incoterm",
    "merchandiser",
    "address",
    "notes",
    "is_active",
]
SUPPLIER_FIELDS = [
    "code",
    "name",
    "name_en",
    "kind",
    "country",
    "city",
    "address",
    "payment_terms",
    "notes",
    "is_active",
]
CONTACT_FIELDS = ["name", "title", "phone", "email", "wechat", "is_primary"]


def _known(data: dict[str, Any], allowed: list[str]) -> dict[str, Any]:
    """Refuse fields the caller may not set (a typo would otherwise be dropped silently)."""
    unknown = [k for k in data if k not in allowed and k != "version"]
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in unknown})
    return {k: v for k, v in data.items() if k != "version"}


def _upper(data: dict[str, Any], *names: str) -> None:
    for name in names:
        if isinstance(data.get(name), str):
            data[name] = data[name].strip().upper()


def _resolve_user(value: Any, field: str) -> User | None:
    """A user given as an instance, a username or an id (None or "" clears it)."""
    if value is None or value == "" or isinstance(value, User):
        return value or None
    lookup = {"pk": value} if isinstance(value, int) else {"username": str(value).strip()}
    user = User.objects.filter(is_active=True, **lookup).first()
    if user is None:
        raise ValidationError({field: [_("No active user “%(u)s”.") % {"u": value}]})
    return user


def _customer_data(data: dict[str, Any]) -> dict[str, Any]:
    clean = editing.normalise(Customer, _known(data, CUSTOMER_FIELDS))
    _upper(clean, "country", "currency", "default_incoterm")
    if "merchandiser" in clean:
        clean["merchandiser"] = _resolve_user(clean["merchandiser"], "merchandiser")
    return clean


@transaction.atomic
def create_customer(*, by: User, data: dict[str, Any]) -> Customer:
    """Create a customer (客户). `merchandiser` may be a user or a username."""
    ensure_can(by, "partners.add_customer")
    return editing.create(Customer, data=_customer_data(data), by=by)


@transaction.atomic
def update_customer(*, customer: Customer, by: User, version: int | None, data: dict[str, Any]) -> Customer:
    """Change a customer; `version` is the one the caller read (None skips the check, as imports do)."""
    ensure_can(by, "partners.change_customer")
    updated, _changes = editing.update(customer, data=_customer_data(data), by=by, version=version)
    return updated


def _supplier_data(data: dict[str, Any]) -> dict[str, Any]:
    clean = editing.normalise(Supplier, _known(data, SUPPLIER_FIELDS))
    _upper(clean, "country")
    return clean


@transaction.atomic
def create_supplier(*, by: User, data: dict[str, Any]) -> Supplier:
    """Create a supplier (供应商) of any kind: material, subcontract factory, forwarder, courier, inspection."""
    ensure_can(by, "partners.add_supplier")
    return editing.create(Supplier, data=_supplier_data(data), by=by)


@transaction.atomic
def update_supplier(*, supplier: Supplier, by: User, version: int | None, data: dict[str, Any]) -> Supplier:
    ensure_can(by, "partners.change_supplier")
    updated, _changes = editing.update(supplier, data=_supplier_data(data), by=by, version=version)
    return updated


def _party(contact: Contact) -> Customer | Supplier:
    return contact.customer if contact.customer_id else contact.supplier


def _only_primary(contact: Contact) -> None:
    """One primary contact per party: marking one primary unmarks the others."""
    if not contact.is_primary:
        return
    others = Contact.objects.filter(is_primary=True).exclude(pk=contact.pk)
    if contact.customer_id:
        others = others.filter(customer_id=contact.customer_id)
    else:
        others = others.filter(supplier_id=contact.supplier_id)
    others.update(is_primary=False)


@transaction.atomic
def create_contact(*, by: User, data: dict[str, Any]) -> Contact:
    """Add a contact to a customer or a supplier: `data` carries exactly one of "customer" and "supplier"."""
    ensure_can(by, "partners.add_contact")
    data = dict(data)
    customer, supplier = data.pop("customer", None), data.pop("supplier", None)
    if (customer is None) == (supplier is None):
        raise ValidationError(_("A contact belongs to exactly one customer or one supplier."))
    clean = editing.normalise(Contact, _known(data, CONTACT_FIELDS))
    contact = Contact(customer=customer, supplier=supplier, **clean)
    editing.validate(contact)
    contact.save()
    _only_primary(contact)
    audit.record_create(instance=contact, by=by, fields=list(clean), related=_party(contact))
    return contact


@transaction.atomic
def update_contact(*, contact: Contact, by: User, version: int | None, data: dict[str, Any]) -> Contact:
    ensure_can(by, "partners.change_contact")
    clean = editing.normalise(Contact, _known(data, CONTACT_FIELDS))
    updated, _changes = editing.update(contact, data=clean, by=by, version=version, related=_party(contact))
    _only_primary(updated)
    return updated


@transaction.atomic
def delete_contact(*, contact: Contact, by: User) -> None:
    """Remove a contact; the change record stays on its customer's or supplier's trail."""
    ensure_can(by, "partners.delete_contact")
    party = _party(contact)
    audit.record(
        instance=contact,
        action=AuditAction.DELETE,
        by=by,
        changes={"name": [contact.name, None]},
        related=party,
    )
    contact.delete()
