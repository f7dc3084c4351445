"""Product, material and BOM pages: thin — a form in, a service call, a redirect or a template out."""

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from gendan.catalog import imports, selectors, services
from gendan.catalog.exports import BOM_COLUMNS, MATERIAL_COLUMNS, PRODUCT_COLUMNS
from gendan.catalog.forms import (
    MaterialFilterForm,
    MaterialForm,
    ProductFilterForm,
    ProductForm,
)
from gendan.catalog.models import Material, Product
from gendan.core import audit
from gendan.core.excel import template_download, xlsx_download
from gendan.core.exceptions import GendanError, ValidationError
from gendan.core.forms import active_value
from gendan.core.pages import (
    apply_errors,
    cleaned_filters,
    import_page,
    list_page,
    object_or_404,
    perm_required,
)

BOM_EXTRA_ROWS = 3
MAX_BOM_ROWS = 200
LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


def obj_url(obj: Product | Material) -> str:
    name = "catalog:product" if isinstance(obj, Product) else "catalog:material"
    return reverse(name, args=[obj.pk])


def _save(
    request: HttpRequest,
    form: Any,
    write: Callable[[], Any],
    *,
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
    return render(request, "catalog/form.html", {"form": form, **context})


# ---- products -----------------------------------------------------------------------------------


def _products(request: HttpRequest) -> tuple[ProductFilterForm, Any]:
    form = ProductFilterForm(request.GET)
    f = cleaned_filters(form)
    qs = selectors.product_list(
        q=f.get("q", ""),
        category=f.get("category", ""),
        active=active_value(f.get("active", "")),
        sort=request.GET.get("sort", ""),
    )
    return form, qs


@perm_required("catalog.view_product")
def product_list(request: HttpRequest) -> HttpResponse:
    form, qs = _products(request)
    return list_page(
        request, "catalog/product_list.html", filter_form=form, qs=qs, categories=selectors.product_categories()
    )


@perm_required("catalog.view_product")
def product_export(request: HttpRequest) -> HttpResponse:
    """The filtered product list, every row, as .xlsx (headers in the user's language)."""
    _form, qs = _products(request)
    return xlsx_download(PRODUCT_COLUMNS, qs, title=_("Products"), stem="products")


@perm_required("catalog.view_product")
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = object_or_404(selectors.product_detail, pk)
    context = {"product": product, "bom": product.bom_lines.all(), "changes": audit.history_for(product)}
    return render(request, "catalog/product_detail.html", context)


@perm_required("catalog.add_product")
def product_add(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None)
    return _save(
        request,
        form,
        lambda: services.create_product(by=request.user, data=form.values()),
        context={
            "title": _("New product"),
            "cancel_url": reverse("catalog:product_list"),
            "categories": selectors.product_categories(),
        },
        done=_("Product %(obj)s created."),
    )


@perm_required("catalog.change_product")
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    product = object_or_404(selectors.product_detail, pk)
    form = ProductForm(request.POST or None, instance=product)
    return _save(
        request,
        form,
        lambda: services.update_product(
            product=product, by=request.user, version=form.cleaned_data["version"], data=form.values()
        ),
        context={
            "title": _("Edit product %(code)s") % {"code": product.code},
            "cancel_url": obj_url(product),
            "categories": selectors.product_categories(),
            "obj": product,
        },
        done=_("Product %(obj)s saved."),
    )


@perm_required("catalog.add_product", "catalog.change_product")
def product_import(request: HttpRequest) -> HttpResponse:
    return import_page(
        request,
        title=_("Import products"),
        run=imports.import_products,
        template_url=reverse("catalog:product_import_template"),
        back_url=reverse("catalog:product_list"),
    )


@perm_required("catalog.view_product")
def product_import_template(request: HttpRequest) -> HttpResponse:
    return template_download(imports.PRODUCT_SPEC, "products")


# ---- BOM ----------------------------------------------------------------------------------------


def _posted_bom_rows(request: HttpRequest) -> list[dict[str, Any]]:
    """The BOM table's rows as posted (parallel lists), blank rows dropped."""
    fields = ("material", "qty_per_unit", "scrap_pct", "note")
    columns = {f: request.POST.getlist(f) for f in fields}
    count = min(max((len(v) for v in columns.values()), default=0), MAX_BOM_ROWS)
    rows = []
    for i in range(count):
        row = {f: (columns[f][i] if i < len(columns[f]) else "").strip() for f in fields}
        if any(row.values()):
            rows.append(row)
    return rows


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


@perm_required("catalog.view_product", "catalog.change_bomline")
def product_bom_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the whole BOM as a table: material code, quantity per unit, scrap rate, note; blank rows are ignored.

    "More rows" posts the table back with five empty rows added, so nothing typed is lost.
    """
    product = object_or_404(selectors.product_detail, pk)
    errors: list[str] = []
    rows: list[dict[str, Any]]
    extra = BOM_EXTRA_ROWS
    if request.method == "POST":
        rows = _posted_bom_rows(request)
        if "more" in request.POST:
            extra = min(len(request.POST.getlist("material")) - len(rows) + 5, 50)
        else:
            try:
                services.set_bom(product=product, by=request.user, lines=[dict(r) for r in rows])
            except ValidationError as exc:
                for key, msgs in exc.errors.items():
                    match = LINE_FIELD.match(key)
                    if match:
                        rows[int(match.group(1))].setdefault("errors", []).extend(msgs)
                    else:
                        errors.extend(msgs)
            except GendanError as exc:
                errors.append(exc.message)
            else:
                messages.success(request, _("BOM of %(obj)s saved.") % {"obj": product})
                return redirect(obj_url(product))
    else:
        rows = [
            {
                "material": line.material.code,
                "qty_per_unit": _plain(line.qty_per_unit),
                "scrap_pct": _plain(line.scrap_pct),
                "note": line.note,
            }
            for line in product.bom_lines.all()
        ]
    rows = rows + [{"material": "", "qty_per_unit": "", "scrap_pct": "", "note": ""} for _ in range(extra)]
    context = {"product": product, "rows": rows, "errors": errors, "materials": selectors.material_choices()}
    return render(request, "catalog/bom_form.html", context)


@perm_required("catalog.view_bomline")
def bom_export(request: HttpRequest) -> HttpResponse:
    """Every BOM line of the filtered products, in the import's layout (export, edit, import back)."""
    _form, products = _products(request)
    return xlsx_download(BOM_COLUMNS, selectors.bom_lines_of(products), title=_("BOMs"), stem="boms")


@perm_required("catalog.change_bomline")
def bom_import(request: HttpRequest) -> HttpResponse:
    return import_page(
        request,
        title=_("Import BOMs"),
        run=imports.import_boms,
        template_url=reverse("catalog:bom_import_template"),
        back_url=reverse("catalog:product_list"),
    )


@perm_required("catalog.view_bomline")
def bom_import_template(request: HttpRequest) -> HttpResponse:
    return template_download(imports.BOM_SPEC, "boms")


# ---- materials ----------------------------------------------------------------------------------


def _materials(request: HttpRequest) -> tuple[MaterialFilterForm, Any]:
    form = MaterialFilterForm(request.GET)
    f = cleaned_filters(form)
    qs = selectors.material_list(
        q=f.get("q", ""),
        category=f.get("category", ""),
        supplier=f.get("supplier", ""),
        active=active_value(f.get("active", "")),
        sort=request.GET.get("sort", ""),
    )
    return form, qs


@perm_required("catalog.view_material")
def material_list(request: HttpRequest) -> HttpResponse:
    form, qs = _materials(request)
    return list_page(request, "catalog/material_list.html", filter_form=form, qs=qs)


@perm_required("catalog.view_material")
def material_export(request: HttpRequest) -> HttpResponse:
    _form, qs = _materials(request)
    return xlsx_download(MATERIAL_COLUMNS, qs, title=_("Materials"), stem="materials")


@perm_required("catalog.view_material")
def material_detail(request: HttpRequest, pk: int) -> HttpResponse:
    material = object_or_404(selectors.material_detail, pk)
    context = {"material": material, "used_in": material.bom_lines.all(), "changes": audit.history_for(material)}
    return render(request, "catalog/material_detail.html", context)


@perm_required("catalog.add_material")
def material_add(request: HttpRequest) -> HttpResponse:
    form = MaterialForm(request.POST or None)
    return _save(
        request,
        form,
        lambda: services.create_material(by=request.user, data=form.values()),
        context={"title": _("New material"), "cancel_url": reverse("catalog:material_list")},
        done=_("Material %(obj)s created."),
    )


@perm_required("catalog.change_material")
def material_edit(request: HttpRequest, pk: int) -> HttpResponse:
    material = object_or_404(selectors.material_detail, pk)
    form = MaterialForm(request.POST or None, instance=material)
    return _save(
        request,
        form,
        lambda: services.update_material(
            material=material, by=request.user, version=form.cleaned_data["version"], data=form.values()
        ),
        context={
            "title": _("Edit material %(code)s") % {"code": material.code},
            "cancel_url": obj_url(material),
            "obj": material,
        },
        done=_("Material %(obj)s saved."),
    )


@perm_required("catalog.add_material", "catalog.change_material")
def material_import(request: HttpRequest) -> HttpResponse:
    return import_page(
        request,
        title=_("Import materials"),
        run=imports.import_materials,
        template_url=reverse("catalog:material_import_template"),
        back_url=reverse("catalog:material_list"),
    )


@perm_required("catalog.view_material")
def material_import_template(request: HttpRequest) -> HttpResponse:
    return template_download(imports.MATERIAL_SPEC, "materials")
