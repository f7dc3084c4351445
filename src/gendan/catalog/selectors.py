"""Catalog reads: product and material lists with their joins, a product with its BOM, where a material is used."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from gendan.catalog.models import BomLine, Material, Product
from gendan.core.exceptions import NotFound

PRODUCT_SORTS = {"code", "name", "spec", "category", "unit", "units_per_carton"}
MATERIAL_SORTS = {"code", "name", "spec", "category", "unit", "lead_time_days", "default_supplier__code"}


def _ordered(qs: QuerySet, sort: str, allowed: set[str]) -> QuerySet:
    if sort and sort.lstrip("-") in allowed:
        return qs.order_by(sort, "pk")
    return qs.order_by("code")


def product_list(*, q: str = "", category: str = "", active: bool | None = None, sort: str = "") -> QuerySet[Product]:
    """Products; `q` searches code, name, English name and spec/model. Each carries `bom_count`."""
    qs = Product.objects.annotate(bom_count=Count("bom_lines"))
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q) | Q(spec__icontains=q))
    if category:
        qs = qs.filter(category=category)
    if active is not None:
        qs = qs.filter(is_active=active)
    return _ordered(qs, sort, PRODUCT_SORTS)


def product_categories() -> list[str]:
    """The categories in use, for the list filter and the form's suggestions."""
    return list(Product.objects.exclude(category="").order_by("category").values_list("category", flat=True).distinct())


def bom_of(product: Product) -> QuerySet[BomLine]:
    """A product's BOM lines in order, each with its material and the material's default supplier."""
    return (
        BomLine.objects.filter(product=product)
        .select_related("material", "material__default_supplier")
        .order_by("position", "id")
    )


def bom_lines_of(products: QuerySet[Product]) -> QuerySet[BomLine]:
    """Every BOM line of some products, with product and material, by product code."""
    return (
        BomLine.objects.filter(product__in=products.values("pk"))
        .select_related("product", "material")
        .order_by("product__code", "position", "id")
    )


def product_detail(*, pk: int) -> Product:
    """One product with its BOM lines (and their materials) prefetched; NotFound when there is none."""
    product = (
        Product.objects.prefetch_related(
            Prefetch(
                "bom_lines",
                queryset=BomLine.objects.select_related("material", "material__default_supplier").order_by(
                    "position", "id"
                ),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if product is None:
        raise NotFound(_("No product with id %(id)s.") % {"id": pk})
    return product


def material_list(
    *,
    q: str = "",
    category: str = "",
    supplier: int | str | None = None,
    active: bool | None = None,
    sort: str = "",
) -> QuerySet[Material]:
    """Materials; `q` searches code, name and spec; `supplier` is the default supplier's id or code."""
    qs = Material.objects.select_related("default_supplier")
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(spec__icontains=q))
    if category:
        qs = qs.filter(category=category)
    if isinstance(supplier, int):
        qs = qs.filter(default_supplier_id=supplier)
    elif supplier:
        qs = qs.filter(default_supplier__code=supplier)
    if active is not None:
        qs = qs.filter(is_active=active)
    return _ordered(qs, sort, MATERIAL_SORTS)


def material_detail(*, pk: int) -> Material:
    """One material with its default supplier and the BOM lines that use it (with their products)."""
    material = (
        Material.objects.select_related("default_supplier")
        .prefetch_related(
            Prefetch("bom_lines", queryset=BomLine.objects.select_related("product").order_by("product__code"))
        )
        .filter(pk=pk)
        .first()
    )
    if material is None:
        raise NotFound(_("No material with id %(id)s.") % {"id": pk})
    return material


def material_choices() -> QuerySet[Material]:
    """Active materials for pickers (code and name only)."""
    return Material.objects.filter(is_active=True).only("id", "code", "name", "unit").order_by("code")
