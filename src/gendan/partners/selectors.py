"""Partners' reads: lists with their joins, and one customer or supplier with its contacts."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from gendan.core.exceptions import NotFound
from gendan.core.models import User
from gendan.partners.models import Contact, Customer, Supplier

CUSTOMER_SORTS = {"code", "name", "tier", "country", "merchandiser__username", "credit_limit"}
SUPPLIER_SORTS = {"code", "name", "kind", "country", "city"}


def _ordered(qs: QuerySet, sort: str, allowed: set[str]) -> QuerySet:
    """Order by `sort` ("name" or "-name") when it is allowed; the model's ordering otherwise."""
    if sort and sort.lstrip("-") in allowed:
        return qs.order_by(sort, "pk")
    return qs.order_by("code")


def _active(qs: QuerySet, active: bool | None) -> QuerySet:
    return qs if active is None else qs.filter(is_active=active)


def customer_list(
    *,
    q: str = "",
    tier: str = "",
    country: str = "",
    merchandiser: str | User | None = None,
    active: bool | None = None,
    sort: str = "",
) -> QuerySet[Customer]:
    """Customers matching the filters; `q` searches code, name and English name; `merchandiser` is a username."""
    qs = Customer.objects.select_related("merchandiser").annotate(contact_count=Count("contacts"))
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q))
    if tier:
        qs = qs.filter(tier=tier)
    if country:
        qs = qs.filter(country=country.strip().upper())
    if isinstance(merchandiser, User):
        qs = qs.filter(merchandiser=merchandiser)
    elif merchandiser:
        qs = qs.filter(merchandiser__username=merchandiser)
    return _ordered(_active(qs, active), sort, CUSTOMER_SORTS)


def customer_countries() -> list[str]:
    """The countries customers are in, for the list filter."""
    return list(Customer.objects.order_by("country").values_list("country", flat=True).distinct())


def customer_merchandisers() -> QuerySet[User]:
    """The users who own at least one customer, for the list filter."""
    return User.objects.filter(customers__isnull=False).distinct().order_by("username")


def customer_detail(*, pk: int) -> Customer:
    """One customer with its merchandiser and contacts; NotFound when there is none."""
    customer = (
        Customer.objects.select_related("merchandiser")
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "name")))
        .filter(pk=pk)
        .first()
    )
    if customer is None:
        raise NotFound(_("No customer with id %(id)s.") % {"id": pk})
    return customer


def supplier_list(
    *, q: str = "", kind: str = "", country: str = "", active: bool | None = None, sort: str = ""
) -> QuerySet[Supplier]:
    """Suppliers matching the filters; `q` searches code, name, English name and city."""
    qs = Supplier.objects.annotate(contact_count=Count("contacts"))
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q) | Q(city__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if country:
        qs = qs.filter(country=country.strip().upper())
    return _ordered(_active(qs, active), sort, SUPPLIER_SORTS)


def supplier_detail(*, pk: int) -> Supplier:
    """One supplier with its contacts; NotFound when there is none."""
    supplier = (
        Supplier.objects.prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "name"))
        )
        .filter(pk=pk)
        .first()
    )
    if supplier is None:
        raise NotFound(_("No supplier with id %(id)s.") % {"id": pk})
    return supplier


def supplier_by_code(code: str) -> Supplier | None:
    return Supplier.objects.filter(code=code.strip()).first() if code else None


def contact_detail(*, pk: int) -> Contact:
    contact = Contact.objects.select_related("customer", "supplier").filter(pk=pk).first()
    if contact is None:
        raise NotFound(_("No contact with id %(id)s.") % {"id": pk})
    return contact


def contacts_of(party: Customer | Supplier) -> QuerySet[Contact]:
    field = "customer" if isinstance(party, Customer) else "supplier"
    return Contact.objects.filter(**{field: party}).order_by("-is_primary", "name")
