"""Warehouses and locations, stock balances, the movements that change them, and reservations per order."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gendan.catalog.models import Material, Product
from gendan.core.fields import VersionedModel, qty_field
from gendan.inventory.choices import MovementKind
from gendan.partners.models import code_validator
from gendan.sales.models import Order, OrderLine

__all__ = ["Location", "Reservation", "Stock", "StockAllocation", "StockMovement", "Warehouse"]

ONE_ITEM = Q(material__isnull=False, product__isnull=True) | Q(material__isnull=True, product__isnull=False)


class Warehouse(VersionedModel):
    """A warehouse (仓库): the material store, the finished-goods store, an outside store."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Location(models.Model):
    """A place in a warehouse (库位): a rack, a zone, a bin."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.CASCADE, related_name="locations"
    )
    code = models.CharField(_("code"), max_length=20, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["warehouse__code", "code"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [models.UniqueConstraint(fields=["warehouse", "code"], name="location_code_once_per_warehouse")]

    def __str__(self) -> str:
        return f"{self.warehouse.code}/{self.code}"


class Stock(models.Model):
    """The balance of one material (or finished product) at one location: on hand, and reserved for orders.

    Changed only by services, with the row locked: by a movement (on hand) or a reservation (reserved).
    """

    location = models.ForeignKey(Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="stock")
    material = models.ForeignKey(
        Material, verbose_name=_("material"), null=True, blank=True, on_delete=models.PROTECT, related_name="stock"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT, related_name="stock"
    )
    on_hand = qty_field(_("on hand"), default=0)
    reserved = qty_field(_("reserved"), default=0)

    class Meta:
        ordering = ["location", "id"]
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        constraints = [
            models.CheckConstraint(condition=ONE_ITEM, name="stock_one_item"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_not_negative"),
            models.UniqueConstraint(
                fields=["location", "material"], condition=Q(material__isnull=False), name="stock_material_once"
            ),
            models.UniqueConstraint(
                fields=["location", "product"], condition=Q(product__isnull=False), name="stock_product_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.location} {self.material or self.product}: {self.on_hand}"

    @property
    def item(self) -> Material | Product:
        return self.material or self.product

    @property
    def free(self):  # noqa: ANN201
        return self.on_hand - self.reserved


class StockMovement(models.Model):
    """One documented change of stock (出入库记录): receipt, issue to production, adjustment, return to supplier."""

    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    location = models.ForeignKey(Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="+")
    material = models.ForeignKey(
        Material, verbose_name=_("material"), null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    quantity = qty_field(_("quantity"), help_text=_("Positive into stock, negative out of it."))
    balance_after = qty_field(_("balance after"))
    date = models.DateField(_("date"))
    order = models.ForeignKey(
        Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.PROTECT, related_name="stock_movements"
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    override = models.BooleanField(_("below zero allowed"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [models.CheckConstraint(condition=ONE_ITEM, name="movement_one_item")]
        indexes = [
            models.Index(fields=["material", "-created_at"]),
            models.Index(fields=["product", "-created_at"]),
            models.Index(fields=["date"]),
        ]
        permissions = [("override_negative_stock", _("Can move stock below zero (audited)"))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.material or self.product} {self.quantity}"


class Reservation(models.Model):
    """Stock set aside for one order (预留): no other order counts it. Made by the material requirements run."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="reservations")
    material = models.ForeignKey(Material, verbose_name=_("material"), on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="+")
    quantity = qty_field(_("quantity"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["order", "material", "location"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [
            models.UniqueConstraint(fields=["order", "material", "location"], name="reservation_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="reservation_positive"),
        ]
        indexes = [models.Index(fields=["material"])]

    def __str__(self) -> str:
        return f"{self.order_id} {self.material_id}@{self.location_id}: {self.quantity}"


class StockAllocation(models.Model):
    """Finished goods set aside for one open order line while the product is short (缺货分配, key customers first).

    One row per order line, written by `inventory.allocation.confirm_allocation`: `quantity` is what the line was
    allocated of its open quantity (`open_qty`) at the confirmation; `held_qty` is what the warehouse still holds
    for it (the product's `Stock.reserved` is the sum of the held quantities), less what went out for the order
    (`issued_qty`, counted across re-allocations); `base_qty` is what had already left before (shipped or issued),
    so the line's shipments may total `base_qty + quantity`. A line left short (quantity below its open quantity)
    carries the date its shortfall can be made up, which its order's ex-factory forecast follows.
    """

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="stock_allocations"
    )
    order_line = models.OneToOneField(
        OrderLine, verbose_name=_("order line"), on_delete=models.CASCADE, related_name="stock_allocation"
    )
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="stock_allocations"
    )
    quantity = qty_field(pgettext_lazy("stock allocation", "allocated"))
    open_qty = qty_field(_("open when allocated"))
    held_qty = qty_field(_("held in stock"))
    issued_qty = qty_field(pgettext_lazy("stock allocation", "issued"), default=0)
    base_qty = qty_field(_("gone before the allocation"), default=0)
    make_up_date = models.DateField(_("shortfall made up by"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("allocated by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("allocated at"))

    class Meta:
        ordering = ["product", "order", "order_line"]
        verbose_name = _("stock allocation")
        verbose_name_plural = _("stock allocations")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="allocation_quantity_not_negative"),
            models.CheckConstraint(condition=Q(held_qty__gte=0), name="allocation_held_not_negative"),
            models.CheckConstraint(condition=Q(quantity__lte=F("open_qty")), name="allocation_within_open"),
        ]
        indexes = [models.Index(fields=["product", "order"])]

    def __str__(self) -> str:
        return f"{self.order_line_id} {self.product_id}: {self.quantity} / {self.open_qty}"

    @property
    def shortfall(self):  # noqa: ANN201
        return self.open_qty - self.quantity

    @property
    def ceiling(self):  # noqa: ANN201
        """What the line's shipments may total while the product is under allocation."""
        return self.base_qty + self.quantity
