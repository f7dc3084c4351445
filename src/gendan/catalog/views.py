"""Product, material, BOM, work centre and routing pages: thin — a form in, a service call, a redirect or a
template out."""

import datetime as dt
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
from gendan.catalog.exports import BOM_COLUMNS, MATERIAL_COLUMNS, PRODUCT_COLUMNS, WORK_CENTRE_COLUMNS
from gendan.catalog.forms import (
    CapacityExceptionForm,
    MaterialFilterForm,
    MaterialForm,
    ProductFilterForm,
    ProductForm,
    RemoveExceptionForm,
    WorkCentreFilterForm,
    WorkCentreForm,
)
from gendan.catalog.hub import work_centre_sections
from gendan.catalog.models import Material, Product, WorkCentre
from gendan.core import audit, clock
from gendan.core.excel import template_download, xlsx_download
from gendan.core.exceptions import GendanError, ValidationError
from gendan.core.forms import active_value
from gendan.core.pages import (
    apply_errors,
    cleaned_filters,
    error_text,
    import_page,
    list_page,
    object_or_404,
    perm_required,
)

BOM_EXTRA_ROWS = 3
MAX_BOM_ROWS = 200
LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


def obj_url(obj: Product | Material | WorkCentre) -> str:
    names = {Product: "catalog:product", Material: "catalog:material", WorkCentre: "catalog:work_centre"}
    return reverse(names[type(obj)], args=[obj.pk])


def _save(
    request: HttpRequest,
    form: Any,
    write: Callable[[], Any],
    *,
    context: dict[str, Any],
    done: str,
    template: str = "catalog/form.html",
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
    routing = list(product.routing.all())
    context = {
        "product": product,
        "bom": product.bom_lines.all(),
        "routing": routing,
        "routing_minutes": sum((s.minutes_per_unit for s in routing), Decimal(0)),
        "routing_setup": sum((s.setup_minutes for s in routing), Decimal(0)),
        "changes": audit.history_for(product),
    }
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


# ---- work centres -------------------------------------------------------------------------------

CALENDAR_WEEKS = 6
EXCEPTION_COLORS = {"overtime": "green", "maintenance": "red", "other": "amber"}  # gendan.css colour names


def _work_centres(request: HttpRequest) -> tuple[WorkCentreFilterForm, Any]:
    form = WorkCentreFilterForm(request.GET)
    f = cleaned_filters(form)
    qs = selectors.work_centre_list(
        q=f.get("q", ""),
        kind=f.get("kind", ""),
        active=active_value(f.get("active", "")),
        sort=request.GET.get("sort", ""),
    )
    return form, qs


@perm_required("catalog.view_workcentre")
def work_centre_list(request: HttpRequest) -> HttpResponse:
    form, qs = _work_centres(request)
    return list_page(request, "catalog/work_centre_list.html", filter_form=form, qs=qs)


@perm_required("catalog.view_workcentre")
def work_centre_export(request: HttpRequest) -> HttpResponse:
    """The filtered work centre list, every row, as .xlsx (headers in the user's language)."""
    _form, qs = _work_centres(request)
    return xlsx_download(WORK_CENTRE_COLUMNS, qs, title=_("Work centres"), stem="work-centres")


def _work_centre_page(
    request: HttpRequest, centre: WorkCentre, exception_form: CapacityExceptionForm | None = None
) -> HttpResponse:
    """The work centre's page: its facts, six weeks of capacity from this week's Monday, the exceptions from
    today on, the routing steps done there and the audit trail."""
    today = clock.today()
    start = today - dt.timedelta(days=today.weekday())
    days = selectors.capacity_days(centre, start, start + dt.timedelta(days=CALENDAR_WEEKS * 7 - 1))
    if exception_form is None:
        exception_form = CapacityExceptionForm(
            initial={"date": today, "kind": "overtime", "capacity": _plain(centre.daily_capacity)}
        )
    cells = [
        {
            "day": day,
            "color": EXCEPTION_COLORS.get(day.exception.kind, "amber") if day.exception else "",
            "past": day.date < today,
            "today": day.date == today,
        }
        for day in days
    ]
    context = {
        "centre": centre,
        "weeks": [cells[i : i + 7] for i in range(0, len(cells), 7)],
        "weekdays": [day.date for day in days[:7]],
        "today": today,
        "exceptions": centre.upcoming_exceptions,
        "steps": centre.steps_here,
        "exception_form": exception_form,
        "changes": audit.history_for(centre),
        "sections": work_centre_sections(request, centre),
    }
    return render(request, "catalog/work_centre_detail.html", context)


@perm_required("catalog.view_workcentre")
def work_centre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _work_centre_page(request, object_or_404(selectors.work_centre_full, pk))


def _work_centre_context(title: str, cancel_url: str, **extra: Any) -> dict[str, Any]:
    return {"title": title, "cancel_url": cancel_url, "categories": selectors.product_categories(), **extra}


@perm_required("catalog.add_workcentre")
def work_centre_add(request: HttpRequest) -> HttpResponse:
    form = WorkCentreForm(request.POST or None)
    return _save(
        request,
        form,
        lambda: services.create_work_centre(by=request.user, data=form.values()),
        context=_work_centre_context(_("New work centre"), reverse("catalog:work_centre_list")),
        done=_("Work centre %(obj)s created."),
        template="catalog/work_centre_form.html",
    )


@perm_required("catalog.change_workcentre")
def work_centre_edit(request: HttpRequest, pk: int) -> HttpResponse:
    centre = object_or_404(selectors.work_centre_detail, pk)
    form = WorkCentreForm(request.POST or None, instance=centre)
    return _save(
        request,
        form,
        lambda: services.update_work_centre(
            work_centre=centre, by=request.user, version=form.cleaned_data["version"], data=form.values()
        ),
        context=_work_centre_context(
            _("Edit work centre %(code)s") % {"code": centre.code}, obj_url(centre), obj=centre
        ),
        done=_("Work centre %(obj)s saved."),
        template="catalog/work_centre_form.html",
    )


@perm_required("catalog.view_workcentre", "catalog.change_workcentre")
def work_centre_exception_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Set another capacity on a day or on every day of a range; the page again with the errors otherwise."""
    centre = object_or_404(selectors.work_centre_full, pk)
    if request.method != "POST":
        return redirect(obj_url(centre))
    form = CapacityExceptionForm(request.POST)
    if form.is_valid():
        f = form.cleaned_data
        try:
            created = services.set_exceptions(
                work_centre=centre,
                by=request.user,
                start=f["date"],
                end=f["end"] or f["date"],
                capacity=f["capacity"],
                kind=f["kind"],
                reason=f["reason"],
            )
        except GendanError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Capacity of %(obj)s set on %(n)s day(s).") % {"obj": centre, "n": len(created)},
            )
            return redirect(obj_url(centre) + "#capacity")
    return _work_centre_page(request, centre, form)


@perm_required("catalog.view_workcentre", "catalog.change_workcentre")
def work_centre_exception_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove one day's exception: the day has its usual capacity again."""
    centre = object_or_404(selectors.work_centre_detail, pk)
    form = RemoveExceptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["date"]
        try:
            removed = services.remove_exception(work_centre=centre, by=request.user, date=day)
        except GendanError as exc:
            messages.error(request, error_text(exc))
        else:
            if removed:
                messages.success(request, _("Exception on %(day)s removed.") % {"day": day.isoformat()})
            else:
                messages.warning(request, _("There was no exception on %(day)s.") % {"day": day.isoformat()})
    return redirect(obj_url(centre) + "#capacity")


# ---- routing ------------------------------------------------------------------------------------

ROUTING_FIELDS = ("seq", "name", "work_centre", "minutes_per_unit", "units_per_hour", "setup_minutes")
ROUTING_EXTRA_ROWS = 3
MAX_ROUTING_ROWS = 100
STEP_FIELD = re.compile(r"^steps\.(\d+)\.(\w+)$")


def _blank_step() -> dict[str, Any]:
    return {f: "" for f in ROUTING_FIELDS}


def _sequence(text: str, *, default: Decimal) -> Decimal:
    try:
        number = Decimal(text)
    except (ArithmeticError, ValueError):
        return default
    return number if number.is_finite() else default


def _posted_routing_rows(request: HttpRequest) -> list[dict[str, Any]]:
    """The routing table's rows as posted (parallel lists), blank rows dropped, in the order of their sequence
    numbers (a row without one keeps its place), renumbered 1..n."""
    columns = {f: request.POST.getlist(f) for f in ROUTING_FIELDS}
    count = min(max((len(v) for v in columns.values()), default=0), MAX_ROUTING_ROWS)
    keyed = []
    for i in range(count):
        row = {f: (columns[f][i] if i < len(columns[f]) else "").strip() for f in ROUTING_FIELDS}
        if not any(row[f] for f in ROUTING_FIELDS if f != "seq"):
            continue
        keyed.append((_sequence(row["seq"], default=Decimal(i + 1)), i, row))
    rows = [row for _seq, _i, row in sorted(keyed, key=lambda k: (k[0], k[1]))]
    for n, row in enumerate(rows, start=1):
        row["seq"] = str(n)
    return rows


@perm_required("catalog.view_product", "catalog.change_routingstep")
def product_routing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the whole routing as a table: sequence, operation, work centre, standard minutes per unit (or units per
    hour), setup minutes; blank rows are ignored, rows are saved in the order of their sequence numbers.

    "More rows" posts the table back with five empty rows added, so nothing typed is lost.
    """
    product = object_or_404(selectors.product_detail, pk)
    errors: list[str] = []
    rows: list[dict[str, Any]]
    extra = ROUTING_EXTRA_ROWS
    if request.method == "POST":
        rows = _posted_routing_rows(request)
        if "more" in request.POST:
            extra = min(len(request.POST.getlist("name")) - len(rows) + 5, 50)
        else:
            steps = [{k: v for k, v in row.items() if k != "seq"} for row in rows]
            try:
                services.set_routing(product=product, by=request.user, steps=steps)
            except ValidationError as exc:
                for key, msgs in exc.errors.items():
                    match = STEP_FIELD.match(key)
                    if match and 0 < int(match.group(1)) <= len(rows):
                        row = rows[int(match.group(1)) - 1]
                        row.setdefault("errors", []).extend(msgs)
                        row.setdefault("bad", set()).add(match.group(2))
                    else:
                        errors.extend(msgs)
            except GendanError as exc:
                errors.append(exc.message)
            else:
                messages.success(request, _("Routing of %(obj)s saved.") % {"obj": product})
                return redirect(obj_url(product) + "#routing")
    else:
        rows = [
            {
                "seq": str(step.position),
                "name": step.name,
                "work_centre": str(step.work_centre_id),
                "minutes_per_unit": _plain(step.minutes_per_unit),
                "units_per_hour": "",
                "setup_minutes": _plain(step.setup_minutes),
            }
            for step in product.routing.all()
        ]
    rows = rows + [_blank_step() for _ in range(max(extra, 0))]
    in_use = {int(r["work_centre"]) for r in rows if str(r["work_centre"]).isdigit()}
    centres = list(selectors.work_centre_choices()) + [
        s.work_centre for s in product.routing.all() if not s.work_centre.is_active and s.work_centre_id in in_use
    ]
    context = {"product": product, "rows": rows, "errors": errors, "work_centres": centres}
    return render(request, "catalog/routing_form.html", context)
