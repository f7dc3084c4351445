"""Material requirements, purchase orders and their lines, supplier shipments, receipts and incoming inspections."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gendan.catalog.choices import Unit
from gendan.catalog.models import Material
from gendan.core.fields import VersionedModel, money_field, qty_field
from gendan.core.money import Currency
from gendan.inventory.models import Location, Warehouse
from gendan.partners.models import Supplier
from gendan.procurement.choices import (
    DelayCause,
    Disposition,
    InspectionStatus,
    PoStatus,
)
from gendan.sales.models import Order

__all__ = [
    "IncomingInspection",
    "MaterialRequirement",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "Receipt",
    "ReceiptLine",
    "RequirementRun",
    "SupplierShipment",
    "SupplierShipmentLine",
]

ZERO = Decimal(0)


class MaterialRequirement(models.Model):
    """What one confirmed order needs of one material (物料需求), netted: BOM × quantity with scrap, less what was
    issued to production, on order for it, and reserved for it from stock; the rest is to buy by `need_by_date`."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="requirements")
    material = models.ForeignKey(Material, verbose_name=_("material"), on_delete=models.PROTECT, related_name="+")
    required_qty = qty_field(_("required"))
    issued_qty = qty_field(_("issued"), default=0)
    on_order_qty = qty_field(_("on order"), default=0)
    allocated_stock_qty = qty_field(_("reserved from stock"), default=0)
    to_buy_qty = qty_field(_("to buy"), default=0)
    need_by_date = models.DateField(_("need by"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["order", "material__code"]
        verbose_name = _("material requirement")
        verbose_name_plural = _("material requirements")
        constraints = [models.UniqueConstraint(fields=["order", "material"], name="requirement_once_per_material")]
        indexes = [models.Index(fields=["material"]), models.Index(fields=["need_by_date"])]

    def __str__(self) -> str:
        return f"{self.order_id} {self.material_id}: {self.required_qty}"

    @property
    def covered(self) -> bool:
        return self.to_buy_qty <= 0


class RequirementRun(models.Model):
    """One run of an order's requirements and what it changed: [{material, field: [old, new]}]."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="requirement_runs")
    run_at = models.DateTimeField(_("time"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=list)

    class Meta:
        ordering = ["-run_at", "-id"]
        verbose_name = _("requirements run")
        verbose_name_plural = _("requirements runs")
        indexes = [models.Index(fields=["order", "-run_at"])]

    def __str__(self) -> str:
        return f"{self.order_id} {self.run_at:%Y-%m-%d %H:%M}"


class PurchaseOrder(VersionedModel):
    """A purchase order (订购单) to one supplier: lines, delivery place, approval, sending, receiving."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="purchase_orders"
    )
    status = models.CharField(_("status"), max_length=20, choices=PoStatus.choices, default=PoStatus.DRAFT)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("buyer"), on_delete=models.PROTECT, related_name="purchase_orders"
    )
    order_date = models.DateField(_("order date"))
    ship_to = models.ForeignKey(
        Warehouse, verbose_name=_("deliver to"), on_delete=models.PROTECT, related_name="purchase_orders"
    )
    payment_terms = models.CharField(_("payment terms"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    total_amount = money_field(_("amount"), default=0)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-order_date", "-id"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        indexes = [models.Index(fields=["status"]), models.Index(fields=["supplier", "-order_date"])]
        permissions = [("approve_purchaseorder", _("Can approve purchase orders above the approval limit"))]

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(models.Model):
    """One line of a PO: material, spec, quantity, price, required date, and the supplier's promise.

    `first_promised_date` keeps the supplier's first promise (on-time figures measure against it);
    `promised_date` is the current one. `accepted_qty` is what passed incoming inspection and went into stock.
    """

    purchase_order = models.ForeignKey(
        PurchaseOrder, verbose_name=_("purchase order"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveIntegerField(default=0)
    material = models.ForeignKey(
        Material, verbose_name=_("material"), on_delete=models.PROTECT, related_name="purchase_lines"
    )
    spec = models.CharField(_("spec"), max_length=200, blank=True)
    quantity = qty_field(_("quantity"), validators=[MinValueValidator(Decimal("0.001"))])
    confirmed_qty = qty_field(_("confirmed quantity"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.PCS)
    unit_price = models.DecimalField(
        _("unit price"), max_digits=14, decimal_places=4, validators=[MinValueValidator(0)]
    )
    required_date = models.DateField(_("required date"))
    first_promised_date = models.DateField(_("first promised date"), null=True, blank=True)
    promised_date = models.DateField(_("promised date"), null=True, blank=True)
    received_qty = qty_field(_("received"), default=0)
    accepted_qty = qty_field(_("accepted"), default=0)
    order = models.ForeignKey(
        Order,
        verbose_name=_("for order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="purchase_lines",
    )
    delay_cause = models.CharField(_("delay cause"), max_length=30, choices=DelayCause.choices, blank=True)
    delay_note = models.CharField(_("delay note"), max_length=300, blank=True)
    last_chased_at = models.DateTimeField(_("last chased"), null=True, blank=True)

    class Meta:
        ordering = ["purchase_order", "position", "id"]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        indexes = [
            models.Index(fields=["material"]),
            models.Index(fields=["order", "material"]),
            models.Index(fields=["promised_date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="po_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="po_line_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.purchase_order_id}#{self.position} {self.material_id}"

    @property
    def expected_qty(self) -> Decimal:
        """What the supplier is to deliver: the quantity it confirmed, else the quantity ordered."""
        return self.confirmed_qty if self.confirmed_qty is not None else self.quantity

    @property
    def open_qty(self) -> Decimal:
        return max(self.expected_qty - self.accepted_qty, ZERO)

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_price

    @property
    def due_date(self) -> dt.date:
        return self.promised_date or self.required_date

    @property
    def is_late_against_need(self) -> bool:
        """The supplier promised it after the date it is required."""
        return self.promised_date is not None and self.promised_date > self.required_date


class SupplierShipment(models.Model):
    """A delivery the supplier declared (发货通知) through its link or a buyer entered: date, carrier, quantities."""

    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="shipments")
    ship_date = models.DateField(_("ship date"))
    expected_date = models.DateField(_("expected arrival"), null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    tracking = models.CharField(_("tracking number"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    declared_by = models.CharField(_("declared by"), max_length=200)
    declared_at = models.DateTimeField(_("declared"))

    class Meta:
        ordering = ["-declared_at", "-id"]
        verbose_name = _("supplier shipment")
        verbose_name_plural = _("supplier shipments")

    def __str__(self) -> str:
        return f"{self.purchase_order_id} {self.ship_date}"


class SupplierShipmentLine(models.Model):
    shipment = models.ForeignKey(SupplierShipment, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(PurchaseOrderLine, on_delete=models.CASCADE, related_name="shipment_lines")
    quantity = qty_field(_("quantity"))

    class Meta:
        ordering = ["shipment", "line__position"]


class Receipt(models.Model):
    """A delivery received against a PO (收货单): when, where, by whom; each line goes to incoming inspection."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    purchase_order = models.ForeignKey(
        PurchaseOrder, verbose_name=_("purchase order"), on_delete=models.PROTECT, related_name="receipts"
    )
    received_date = models.DateField(_("received on"))
    location = models.ForeignKey(Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="+")
    shipment = models.ForeignKey(
        SupplierShipment, null=True, blank=True, on_delete=models.SET_NULL, related_name="receipts"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["-received_date", "-id"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        indexes = [models.Index(fields=["received_date"])]

    def __str__(self) -> str:
        return self.number

    @property
    def wrong_place(self) -> bool:
        """Delivered to another warehouse than the PO said (a delivery-place error)."""
        return self.location.warehouse_id != self.purchase_order.ship_to_id


class ReceiptLine(models.Model):
    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="lines")
    po_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipt_lines")
    quantity = qty_field(_("quantity"), validators=[MinValueValidator(Decimal("0.001"))])
    unit_price = models.DecimalField(
        _("invoiced unit price"), max_digits=14, decimal_places=4, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["receipt", "po_line__position"]
        verbose_name = _("receipt line")
        verbose_name_plural = _("receipt lines")

    def __str__(self) -> str:
        return f"{self.receipt_id} {self.po_line_id}: {self.quantity}"


class IncomingInspection(VersionedModel):
    """The incoming inspection (物料检验) of one received line: checked, accepted and rejected quantities, defects,
    disposition. Accepted quantity goes into stock; rejected quantity stays open on the PO and is chased again."""

    receipt_line = models.OneToOneField(ReceiptLine, on_delete=models.CASCADE, related_name="inspection")
    status = models.CharField(
        _("status"), max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.PENDING
    )
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_qty = qty_field(_("quantity checked"), default=0)
    accepted_qty = qty_field(_("accepted"), default=0)
    rejected_qty = qty_field(_("rejected"), default=0)
    disposition = models.CharField(_("disposition"), max_length=20, choices=Disposition.choices, blank=True)
    defects = models.TextField(_("defects"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("incoming inspection")
        verbose_name_plural = _("incoming inspections")
        indexes = [models.Index(fields=["status"]), models.Index(fields=["inspected_on"])]
        permissions = [("inspect_material", _("Can record incoming inspection results"))]

    def __str__(self) -> str:
        return f"{self.receipt_line.receipt.number} #{self.receipt_line.po_line.position}"
