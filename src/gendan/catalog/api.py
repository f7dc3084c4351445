"""Products, materials and BOMs over the API: thin — schema in, service or selector, schema out."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate

from gendan.catalog import selectors, services
from gendan.catalog.exports import MATERIAL_COLUMNS, PRODUCT_COLUMNS
from gendan.catalog.schemas import (
    BomLineIn,
    BomLineOut,
    CategoryT,
    MaterialIn,
    MaterialOut,
    MaterialPatch,
    ProductDetailOut,
    ProductIn,
    ProductOut,
    ProductPatch,
)
from gendan.core.apiutils import require_perm
from gendan.core.excel import xlsx_download

router = Router(tags=["products and materials"])
XLSX_DOC = {"responses": {200: {"description": ".xlsx workbook"}}}


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
