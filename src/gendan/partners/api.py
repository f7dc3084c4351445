"""Customers, suppliers and contacts over the API: thin — schema in, service or selector, schema out."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate

from gendan.core.apiutils import require_perm
from gendan.core.excel import xlsx_download
from gendan.partners import selectors, services
from gendan.partners.exports import CUSTOMER_COLUMNS, SUPPLIER_COLUMNS
from gendan.partners.schemas import (
    ContactIn,
    ContactOut,
    ContactPatch,
    CustomerDetailOut,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    KindT,
    SupplierDetailOut,
    SupplierIn,
    SupplierOut,
    SupplierPatch,
    TierT,
)

router = Router(tags=["customers and suppliers"])


# ---- customers ----------------------------------------------------------------------------------


@router.get("/customers", response=list[CustomerOut])
@paginate
def customer_list(
    request: HttpRequest,
    q: str = "",
    tier: TierT | None = None,
    country: str = "",
    merchandiser: str = "",
    is_active: bool | None = None,
):
    """Customers; `q` searches code, name and English name; `merchandiser` is a username."""
    require_perm(request, "partners.view_customer")
    return selectors.customer_list(q=q, tier=tier or "", country=country, merchandiser=merchandiser, active=is_active)


@router.get("/customers.xlsx", response={200: None}, openapi_extra={"responses": {200: {"description": ".xlsx"}}})
def customer_export(
    request: HttpRequest, q: str = "", tier: TierT | None = None, country: str = "", merchandiser: str = ""
) -> HttpResponse:
    """The filtered customer list as an Excel workbook (all rows)."""
    require_perm(request, "partners.view_customer")
    rows = selectors.customer_list(q=q, tier=tier or "", country=country, merchandiser=merchandiser)
    return xlsx_download(CUSTOMER_COLUMNS, rows, title=_("Customers"), stem="customers")


@router.post("/customers", response={201: CustomerDetailOut})
def customer_create(request: HttpRequest, data: CustomerIn):
    """Create a customer. Without `merchandiser` it belongs to the caller."""
    require_perm(request, "partners.add_customer")
    values = data.dict()
    if "merchandiser" not in data.model_fields_set:
        values["merchandiser"] = request.user
    customer = services.create_customer(by=request.user, data=values)
    return selectors.customer_detail(pk=customer.pk)


@router.get("/customers/{customer_id}", response=CustomerDetailOut)
def customer_get(request: HttpRequest, customer_id: int):
    require_perm(request, "partners.view_customer")
    return selectors.customer_detail(pk=customer_id)


@router.patch("/customers/{customer_id}", response=CustomerDetailOut)
def customer_update(request: HttpRequest, customer_id: int, data: CustomerPatch):
    """Change some fields; send the `version` you read (409 with the current one when stale)."""
    require_perm(request, "partners.change_customer")
    customer = selectors.customer_detail(pk=customer_id)
    values = data.dict(exclude_unset=True)
    version = values.pop("version")
    services.update_customer(customer=customer, by=request.user, version=version, data=values)
    return selectors.customer_detail(pk=customer_id)


@router.get("/customers/{customer_id}/contacts", response=list[ContactOut])
def customer_contacts(request: HttpRequest, customer_id: int):
    """A customer's contacts (a bare array: always short)."""
    require_perm(request, "partners.view_contact")
    return list(selectors.contacts_of(selectors.customer_detail(pk=customer_id)))


@router.post("/customers/{customer_id}/contacts", response={201: ContactOut})
def customer_contact_create(request: HttpRequest, customer_id: int, data: ContactIn):
    require_perm(request, "partners.add_contact")
    customer = selectors.customer_detail(pk=customer_id)
    return services.create_contact(by=request.user, data={**data.dict(), "customer": customer})


# ---- suppliers ----------------------------------------------------------------------------------


@router.get("/suppliers", response=list[SupplierOut])
@paginate
def supplier_list(
    request: HttpRequest, q: str = "", kind: KindT | None = None, country: str = "", is_active: bool | None = None
):
    """Suppliers of every kind; `q` searches code, name, English name and city."""
    require_perm(request, "partners.view_supplier")
    return selectors.supplier_list(q=q, kind=kind or "", country=country, active=is_active)


@router.get("/suppliers.xlsx", response={200: None}, openapi_extra={"responses": {200: {"description": ".xlsx"}}})
def supplier_export(request: HttpRequest, q: str = "", kind: KindT | None = None, country: str = "") -> HttpResponse:
    require_perm(request, "partners.view_supplier")
    rows = selectors.supplier_list(q=q, kind=kind or "", country=country)
    return xlsx_download(SUPPLIER_COLUMNS, rows, title=_("Suppliers"), stem="suppliers")


@router.post("/suppliers", response={201: SupplierDetailOut})
def supplier_create(request: HttpRequest, data: SupplierIn):
    require_perm(request, "partners.add_supplier")
    supplier = services.create_supplier(by=request.user, data=data.dict())
    return selectors.supplier_detail(pk=supplier.pk)


@router.get("/suppliers/{supplier_id}", response=SupplierDetailOut)
def supplier_get(request: HttpRequest, supplier_id: int):
    require_perm(request, "partners.view_supplier")
    return selectors.supplier_detail(pk=supplier_id)


@router.patch("/suppliers/{supplier_id}", response=SupplierDetailOut)
def supplier_update(request: HttpRequest, supplier_id: int, data: SupplierPatch):
    require_perm(request, "partners.change_supplier")
    supplier = selectors.supplier_detail(pk=supplier_id)
    values = data.dict(exclude_unset=True)
    version = values.pop("version")
    services.update_supplier(supplier=supplier, by=request.user, version=version, data=values)
    return selectors.supplier_detail(pk=supplier_id)


@router.get("/suppliers/{supplier_id}/contacts", response=list[ContactOut])
def supplier_contacts(request: HttpRequest, supplier_id: int):
    require_perm(request, "partners.view_contact")
    return list(selectors.contacts_of(selectors.supplier_detail(pk=supplier_id)))


@router.post("/suppliers/{supplier_id}/contacts", response={201: ContactOut})
def supplier_contact_create(request: HttpRequest, supplier_id: int, data: ContactIn):
    require_perm(request, "partners.add_contact")
    supplier = selectors.supplier_detail(pk=supplier_id)
    return services.create_contact(by=request.user, data={**data.dict(), "supplier": supplier})


# ---- contacts -----------------------------------------------------------------------------------


@router.get("/contacts/{contact_id}", response=ContactOut)
def contact_get(request: HttpRequest, contact_id: int):
    require_perm(request, "partners.view_contact")
    return selectors.contact_detail(pk=contact_id)


@router.patch("/contacts/{contact_id}", response=ContactOut)
def contact_update(request: HttpRequest, contact_id: int, data: ContactPatch):
    require_perm(request, "partners.change_contact")
    contact = selectors.contact_detail(pk=contact_id)
    values = data.dict(exclude_unset=True)
    version = values.pop("version")
    return services.update_contact(contact=contact, by=request.user, version=version, data=values)


@router.delete("/contacts/{contact_id}", response={204: None})
def contact_delete(request: HttpRequest, contact_id: int):
    require_perm(request, "partners.delete_contact")
    services.delete_contact(contact=selectors.contact_detail(pk=contact_id), by=request.user)
