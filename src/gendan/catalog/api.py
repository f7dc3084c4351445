"""Products, materials, BOMs, work centres and routings over the API: thin — schema in, service or selector,
schema out."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from gendan.catalog import selectors, services
from gendan.catalog.exports import MATERIAL_COLUMNS, PRODUCT_COLUMNS, WORK_CENTRE_COLUMNS
from gendan.catalog.schemas import (
    BomLineIn,
    BomLineOut,
    CapacityDayOut,
    CapacityExceptionIn,
    CapacityExceptionOut,
    CategoryT,
    MaterialIn,
    MaterialOut,
    MaterialPatch,
    ProductDetailOut,
    ProductIn,
    ProductOut,
    ProductPatch,
    RoutingStepIn,
    RoutingStepOut,
    WorkCentreDetailOut,
    WorkCentreIn,
    WorkCentreKindT,
    WorkCentreOut,
    WorkCentrePatch,
)
from gendan.core import clock
from gendan.core.apiutils import require_perm
from gendan.core.excel import xlsx_download
from gendan.core.exceptions import NotFound, ValidationError

router = Router(tags=["products and materials"])
XLSX_DOC = {"responses": {200: {"description": ".xlsx workbook"}}}
PLANT = ["work centres and routings"]
CALENDAR_DAYS = 42  # the capacity calendar's default span: six weeks


# ---- products -----------------------------------------------------------------------------------


@router.get("/products", response=list[ProductOut])
@paginate
def product_list(request: HttpRequest, q: str = "", category: str = "", is_active: bool | None = None):
    """Products; `q` searches code, name, English name and spec/model."""
    require_perm(request, "catalog.view_product")
    return selectors.product_list(q=q, category=category, active=is_active)


@router.get("/products.xlsx", response={200: None}, openapi_extra=XLSX_DOC)
def product_export(request: HttpRequest, q: str = "", category: str = "") -> HttpResponse:
    require_perm(request, "catalog.view_product")
    rows = selectors.product_list(q=q, category=category)
    return xlsx_download(PRODUCT_COLUMNS, rows, title=_("Products"), stem="products")


@router.post("/products", response={201: ProductDetailOut})
def product_create(request: HttpRequest, data: ProductIn):
    require_perm(request, "catalog.add_product")
    product = services.create_product(by=request.user, data=data.dict())
    return selectors.product_detail(pk=product.pk)


@router.get("/products/{product_id}", response=ProductDetailOut)
def product_get(request: HttpRequest, product_id: int):
    """One product with its BOM."""
    require_perm(request, "catalog.view_product")
    return selectors.product_detail(pk=product_id)


@router.patch("/products/{product_id}", response=ProductDetailOut)
def product_update(request: HttpRequest, product_id: int, data: ProductPatch):
    """Change some fields; send the `version` you read (409 with the current one when stale)."""
    require_perm(request, "catalog.change_product")
    product = selectors.product_detail(pk=product_id)
    values = data.dict(exclude_unset=True)
    version = values.pop("version")
    services.update_product(product=product, by=request.user, version=version, data=values)
    return selectors.product_detail(pk=product_id)


@router.get("/products/{product_id}/bom", response=list[BomLineOut])
def bom_get(request: HttpRequest, product_id: int):
    """The product's bill of materials (a bare array)."""
    require_perm(request, "catalog.view_bomline")
    return list(selectors.bom_of(selectors.product_detail(pk=product_id)))


@router.put("/products/{product_id}/bom", response=list[BomLineOut])
def bom_put(request: HttpRequest, product_id: int, lines: list[BomLineIn]):
    """Replace the BOM whole. Errors name the line: `lines[2].qty_per_unit`."""
    require_perm(request, "catalog.change_bomline")
    product = selectors.product_detail(pk=product_id)
    return services.set_bom(product=product, by=request.user, lines=[line.dict() for line in lines])


# ---- materials ----------------------------------------------------------------------------------


@router.get("/materials", response=list[MaterialOut])
@paginate
def material_list(
    request: HttpRequest,
    q: str = "",
    category: CategoryT | None = None,
    supplier_id: int | None = None,
    is_active: bool | None = None,
):
    """Materials; `q` searches code, name and spec; `supplier_id` is the default supplier."""
    require_perm(request, "catalog.view_material")
    return selectors.material_list(q=q, category=category or "", supplier=supplier_id, active=is_active)


@router.get("/materials.xlsx", response={200: None}, openapi_extra=XLSX_DOC)
def material_export(
    request: HttpRequest, q: str = "", category: CategoryT | None = None, supplier_id: int | None = None
) -> HttpResponse:
    require_perm(request, "catalog.view_material")
    rows = selectors.material_list(q=q, category=category or "", supplier=supplier_id)
    return xlsx_download(MATERIAL_COLUMNS, rows, title=_("Materials"), stem="materials")


@router.post("/materials", response={201: MaterialOut})
def material_create(request: HttpRequest, data: MaterialIn):
    require_perm(request, "catalog.add_material")
    material = services.create_material(by=request.user, data=data.dict())
    return selectors.material_detail(pk=material.pk)


@router.get("/materials/{material_id}", response=MaterialOut)
def material_get(request: HttpRequest, material_id: int):
    require_perm(request, "catalog.view_material")
    return selectors.material_detail(pk=material_id)


@router.patch("/materials/{material_id}", response=MaterialOut)
def material_update(request: HttpRequest, material_id: int, data: MaterialPatch):
    require_perm(request, "catalog.change_material")
    material = selectors.material_detail(pk=material_id)
    values = data.dict(exclude_unset=True)
    version = values.pop("version")
    services.update_material(material=material, by=request.user, version=version, data=values)
    return selectors.material_detail(pk=material_id)


# ---- work centres -------------------------------------------------------------------------------


@router.get("/work-centres", response=list[WorkCentreOut], tags=PLANT)
@paginate
def work_centre_list(
    request: HttpRequest, q: str = "", kind: WorkCentreKindT | None = None, is_active: bool | None = None
):
    """Work centres: production lines, workshops, subcontract factories; `q` searches code, name, product family."""
    require_perm(request, "catalog.view_workcentre")
    return selectors.work_centre_list(q=q, kind=kind or "", active=is_active)


@router.get("/work-centres.xlsx", response={200: None}, openapi_extra=XLSX_DOC, tags=PLANT)
def work_centre_export(
    request: HttpRequest, q: str = "", kind: WorkCentreKindT | None = None, is_active: bool | None = None
) -> HttpResponse:
    require_perm(request, "catalog.view_workcentre")
    rows = selectors.work_centre_list(q=q, kind=kind or "", active=is_active)
    return xlsx_download(WORK_CENTRE_COLUMNS, rows, title=_("Work centres"), stem="work-centres")


@router.post("/work-centres", response={201: WorkCentreDetailOut}, tags=PLANT)
def work_centre_create(request: HttpRequest, data: WorkCentreIn):
    """A subcontract factory (`kind` factory) names a supplier of kind subcontract; a capacity in units names its
    product family; overtime only for a capacity in hours."""
    require_perm(request, "catalog.add_workcentre")
    centre = services.create_work_centre(by=request.user, data=data.dict())
    return selectors.work_centre_full(pk=centre.pk)


@router.get("/work-centres/{work_centre_id}", response=WorkCentreDetailOut, tags=PLANT)
def work_centre_get(request: HttpRequest, work_centre_id: int):
    """One work centre with its exceptions from today on and the routing steps done there."""
    require_perm(request, "catalog.view_workcentre")
    return selectors.work_centre_full(pk=work_centre_id)


@router.patch("/work-centres/{work_centre_id}", response=WorkCentreDetailOut, tags=PLANT)
def work_centre_update(request: HttpRequest, work_centre_id: int, data: WorkCentrePatch):
    """Change some fields; send the `version` you read (409 with the current one when stale)."""
    require_perm(request, "catalog.change_workcentre")
    centre = selectors.work_centre_detail(pk=work_centre_id)
    values = data.dict(exclude_unset=True)
    version = values.pop("version")
    services.update_work_centre(work_centre=centre, by=request.user, version=version, data=values)
    return selectors.work_centre_full(pk=work_centre_id)


@router.get("/work-centres/{work_centre_id}/capacity", response=list[CapacityDayOut], tags=PLANT)
def work_centre_capacity(
    request: HttpRequest,
    work_centre_id: int,
    date_from: dt.date | None = Query(None, alias="from"),
    date_to: dt.date | None = Query(None, alias="to"),
):
    """The capacity on each day from `from` (default today) to `to` (default six weeks on), at most 366 days (a
    bare array): the exception's capacity where there is one (marked), else the daily capacity on working days
    and 0 on rest days."""
    require_perm(request, "catalog.view_workcentre")
    centre = selectors.work_centre_detail(pk=work_centre_id)
    start = date_from or clock.today()
    end = date_to or start + dt.timedelta(days=CALENDAR_DAYS - 1)
    if end < start:
        raise ValidationError({"to": _("The period ends before it starts.")})
    if (end - start).days >= services.MAX_EXCEPTION_DAYS:
        raise ValidationError({"to": _("At most %(n)s days at once.") % {"n": services.MAX_EXCEPTION_DAYS}})
    return selectors.capacity_days(centre, start, end)


@router.put("/work-centres/{work_centre_id}/exceptions/{day}", response=CapacityExceptionOut, tags=PLANT)
def work_centre_exception_put(request: HttpRequest, work_centre_id: int, day: dt.date, data: CapacityExceptionIn):
    """Set the work centre's whole capacity on that day (overtime — also on a rest day —, maintenance…), replacing
    the exception it had."""
    require_perm(request, "catalog.change_workcentre")
    centre = selectors.work_centre_detail(pk=work_centre_id)
    return services.set_exception(work_centre=centre, by=request.user, date=day, **data.dict())


@router.delete("/work-centres/{work_centre_id}/exceptions/{day}", response={204: None}, tags=PLANT)
def work_centre_exception_delete(request: HttpRequest, work_centre_id: int, day: dt.date):
    """Remove the day's exception: the day has its usual capacity again. 404 when it had none."""
    require_perm(request, "catalog.change_workcentre")
    centre = selectors.work_centre_detail(pk=work_centre_id)
    if not services.remove_exception(work_centre=centre, by=request.user, date=day):
        raise NotFound(_("Work centre %(code)s has no exception on %(day)s.") % {"code": centre.code, "day": day})
    return Status(204, None)


# ---- routings -----------------------------------------------------------------------------------


@router.get("/products/{product_id}/routing", response=list[RoutingStepOut], tags=PLANT)
def routing_get(request: HttpRequest, product_id: int):
    """The product's routing (工艺路线) in sequence (a bare array)."""
    require_perm(request, "catalog.view_routingstep")
    return list(selectors.routing_of(selectors.product_detail(pk=product_id)))


@router.put("/products/{product_id}/routing", response=list[RoutingStepOut], tags=PLANT)
def routing_put(request: HttpRequest, product_id: int, steps: list[RoutingStepIn]):
    """Replace the routing whole, numbered 1..n in the order sent. Each step gives `minutes_per_unit` or
    `units_per_hour`. Errors name the step from 1: `steps.2.work_centre`."""
    require_perm(request, "catalog.change_routingstep")
    product = selectors.product_detail(pk=product_id)
    return services.set_routing(product=product, by=request.user, steps=[step.dict() for step in steps])
