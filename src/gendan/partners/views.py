"""Customer, supplier and contact pages: thin — a form in, a service call, a redirect or a template out."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gendan.core import audit
from gendan.core.excel import template_download, xlsx_download
from gendan.core.exceptions import GendanError
from gendan.core.forms import active_value
from gendan.core.pages import (
    apply_errors,
    cleaned_filters,
    import_page,
    list_page,
    object_or_404,
    perm_required,
)
from gendan.partners import imports, selectors, services
from gendan.partners.exports import CUSTOMER_COLUMNS, SUPPLIER_COLUMNS
from gendan.partners.forms import (
    ContactForm,
    CustomerFilterForm,
    CustomerForm,
    SupplierFilterForm,
    SupplierForm,
)
from gendan.partners.hub import customer_sections, supplier_sections
from gendan.partners.models import Contact, Customer, Supplier

# ---- customers ----------------------------------------------------------------------------------


def _customers(request: HttpRequest) -> tuple[CustomerFilterForm, Any]:
    form = CustomerFilterForm(request.GET)
    f = cleaned_filters(form)
    qs = selectors.customer_list(
        q=f.get("q", ""),
        tier=f.get("tier", ""),
        country=f.get("country", ""),
        merchandiser=f.get("merchandiser", ""),
        active=active_value(f.get("active", "")),
        sort=request.GET.get("sort", ""),
    )
    return form, qs


@perm_required("partners.view_customer")
def customer_list(request: HttpRequest) -> HttpResponse:
    form, qs = _customers(request)
    return list_page(
        request,
        "partners/customer_list.html",
        filter_form=form,
        qs=qs,
        merchandisers=selectors.customer_merchandisers(),
    )


@perm_required("partners.view_customer")
def customer_export(request: HttpRequest) -> HttpResponse:
    """The filtered customer list, every row, as .xlsx (headers in the user's language)."""
    _form, qs = _customers(request)
    return xlsx_download(CUSTOMER_COLUMNS, qs, title=_("Customers"), stem="customers")


@perm_required("partners.view_customer")
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = object_or_404(selectors.customer_detail, pk)
    context = {
        "customer": customer,
        "contacts": customer.contacts.all(),
        "party": customer,
        "contact_add_url": reverse("partners:customer_contact_add", args=[customer.pk]),
        "changes": audit.history_for(customer),
        "sections": customer_sections(request, customer),
    }
    return render(request, "partners/customer_detail.html", context)


def _save(
    request: HttpRequest,
    form: Any,
    write: Callable[[], Any],
    *,
    template: str,
    context: dict[str, Any],
    done: str,
) -> HttpResponse:
    """Validate the form, call the service, redirect to the saved object; re-show the form with errors otherwise."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = write()
        except GendanError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, done % {"obj": obj})
            return redirect(obj_url(obj))
    return render(request, template, {"form": form, **context})


def obj_url(obj: Any) -> str:
    if isinstance(obj, Customer):
        return reverse("partners:customer", args=[obj.pk])
    if isinstance(obj, Supplier):
        return reverse("partners:supplier", args=[obj.pk])
    if isinstance(obj, Contact):
        return obj_url(obj.customer if obj.customer_id else obj.supplier)
    raise TypeError(obj)


@perm_required("partners.add_customer")
def customer_add(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None, initial={"merchandiser": request.user.pk})
    return _save(
        request,
        form,
        lambda: services.create_customer(by=request.user, data=form.values()),
        template="partners/form.html",
        context={"title": _("New customer"), "cancel_url": reverse("partners:customer_list")},
        done=_("Customer %(obj)s created."),
    )


@perm_required("partners.change_customer")
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = object_or_404(selectors.customer_detail, pk)
    form = CustomerForm(request.POST or None, instance=customer)
    return _save(
        request,
        form,
        lambda: services.update_customer(
            customer=customer, by=request.user, version=form.cleaned_data["version"], data=form.values()
        ),
        template="partners/form.html",
        context={
            "title": _("Edit customer %(code)s") % {"code": customer.code},
            "cancel_url": obj_url(customer),
            "obj": customer,
        },
        done=_("Customer %(obj)s saved."),
    )


@perm_required("partners.add_customer", "partners.change_customer")
def customer_import(request: HttpRequest) -> HttpResponse:
    return import_page(
        request,
        title=_("Import customers"),
        run=imports.import_customers,
        template_url=reverse("partners:customer_import_template"),
        back_url=reverse("partners:customer_list"),
    )


@perm_required("partners.view_customer")
def customer_import_template(request: HttpRequest) -> HttpResponse:
    return template_download(imports.CUSTOMER_SPEC, "customers")


# ---- suppliers ----------------------------------------------------------------------------------


def _suppliers(request: HttpRequest) -> tuple[SupplierFilterForm, Any]:
    form = SupplierFilterForm(request.GET)
    f = cleaned_filters(form)
    qs = selectors.supplier_list(
        q=f.get("q", ""),
        kind=f.get("kind", ""),
        country=f.get("country", ""),
        active=active_value(f.get("active", "")),
        sort=request.GET.get("sort", ""),
    )
    return form, qs


@perm_required("partners.view_supplier")
def supplier_list(request: HttpRequest) -> HttpResponse:
    form, qs = _suppliers(request)
    return list_page(request, "partners/supplier_list.html", filter_form=form, qs=qs)


@perm_required("partners.view_supplier")
def supplier_export(request: HttpRequest) -> HttpResponse:
    _form, qs = _suppliers(request)
    return xlsx_download(SUPPLIER_COLUMNS, qs, title=_("Suppliers"), stem="suppliers")


@perm_required("partners.view_supplier")
def supplier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = object_or_404(selectors.supplier_detail, pk)
    context = {
        "supplier": supplier,
        "contacts": supplier.contacts.all(),
        "party": supplier,
        "contact_add_url": reverse("partners:supplier_contact_add", args=[supplier.pk]),
        "changes": audit.history_for(supplier),
        "sections": supplier_sections(request, supplier),
    }
    return render(request, "partners/supplier_detail.html", context)


@perm_required("partners.add_supplier")
def supplier_add(request: HttpRequest) -> HttpResponse:
    form = SupplierForm(request.POST or None)
    return _save(
        request,
        form,
        lambda: services.create_supplier(by=request.user, data=form.values()),
        template="partners/form.html",
        context={"title": _("New supplier"), "cancel_url": reverse("partners:supplier_list")},
        done=_("Supplier %(obj)s created."),
    )


@perm_required("partners.change_supplier")
def supplier_edit(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = object_or_404(selectors.supplier_detail, pk)
    form = SupplierForm(request.POST or None, instance=supplier)
    return _save(
        request,
        form,
        lambda: services.update_supplier(
            supplier=supplier, by=request.user, version=form.cleaned_data["version"], data=form.values()
        ),
        template="partners/form.html",
        context={
            "title": _("Edit supplier %(code)s") % {"code": supplier.code},
            "cancel_url": obj_url(supplier),
            "obj": supplier,
        },
        done=_("Supplier %(obj)s saved."),
    )


@perm_required("partners.add_supplier", "partners.change_supplier")
def supplier_import(request: HttpRequest) -> HttpResponse:
    return import_page(
        request,
        title=_("Import suppliers"),
        run=imports.import_suppliers,
        template_url=reverse("partners:supplier_import_template"),
        back_url=reverse("partners:supplier_list"),
    )


@perm_required("partners.view_supplier")
def supplier_import_template(request: HttpRequest) -> HttpResponse:
    return template_download(imports.SUPPLIER_SPEC, "suppliers")


# ---- contacts -----------------------------------------------------------------------------------


def _contact_add(request: HttpRequest, party: Customer | Supplier) -> HttpResponse:
    form = ContactForm(request.POST or None)
    key = "customer" if isinstance(party, Customer) else "supplier"
    return _save(
        request,
        form,
        lambda: services.create_contact(by=request.user, data={**form.values(), key: party}),
        template="partners/form.html",
        context={"title": _("New contact for %(party)s") % {"party": party}, "cancel_url": obj_url(party)},
        done=_("Contact %(obj)s added."),
    )


@perm_required("partners.add_contact", "partners.view_customer")
def customer_contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _contact_add(request, object_or_404(selectors.customer_detail, pk))


@perm_required("partners.add_contact", "partners.view_supplier")
def supplier_contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _contact_add(request, object_or_404(selectors.supplier_detail, pk))


@perm_required("partners.change_contact")
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = object_or_404(selectors.contact_detail, pk)
    form = ContactForm(request.POST or None, instance=contact)
    return _save(
        request,
        form,
        lambda: services.update_contact(
            contact=contact, by=request.user, version=form.cleaned_data["version"], data=form.values()
        ),
        template="partners/form.html",
        context={
            "title": _("Edit contact %(name)s") % {"name": contact.name},
            "cancel_url": obj_url(contact),
            "obj": contact,
        },
        done=_("Contact %(obj)s saved."),
    )


@perm_required("partners.delete_contact")
@require_http_methods(["GET", "POST"])
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    contact = object_or_404(selectors.contact_detail, pk)
    back = obj_url(contact)
    if request.method == "POST":
        try:
            services.delete_contact(contact=contact, by=request.user)
        except GendanError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Contact %(name)s deleted.") % {"name": contact.name})
        return redirect(back)
    return render(request, "partners/confirm_delete.html", {"obj": contact, "cancel_url": back})
