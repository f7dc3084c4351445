"""Shipments (出货): the plan of what leaves for one customer, its lines, the booking with the forwarder, the
customs declaration (报关) and its lines. Packing figures are computed from the products' carton data unless the
line overrides them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gendan.core.fields import VersionedModel, money_field, qty_field
from gendan.core.money import Currency
from gendan.partners.choices import Incoterm
from gendan.partners.models import Customer, Supplier
from gendan.sales.models import OrderLine
from gendan.shipping.choices import CoForm, ShipmentMode, ShipmentStatus

__all__ = ["CustomsDeclaration", "CustomsLine", "Shipment", "ShipmentLine", "ShippingProfile"]


class Shipment(VersionedModel):
    """A shipment (出货) of one customer: quantities of one or more of its order lines, a mode and ports, the
    Incoterm of its orders, a planned ex-factory date, the booking with the forwarder, and what happened: loaded
    (ex-factory), departed (ATD), arrived (ATA), the B/L."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="shipments"
    )
    mode = models.CharField(_("mode"), max_length=10, choices=ShipmentMode.choices, default=ShipmentMode.SEA_FCL)
    port_of_loading = models.CharField(_("port of loading"), max_length=100, blank=True)
    port_of_discharge = models.CharField(_("port of discharge"), max_length=100, blank=True)
    incoterm = models.CharField(_("Incoterm"), max_length=3, choices=Incoterm.choices)
    incoterm_place = models.CharField(_("named place"), max_length=100, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    planned_ex_factory_date = models.DateField(_("planned ex-factory date"))
    status = models.CharField(
        _("status"), max_length=10, choices=ShipmentStatus.choices, default=ShipmentStatus.PLANNED
    )
    # the booking (订舱)
    forwarder = models.ForeignKey(
        Supplier, verbose_name=_("forwarder"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    booking_no = models.CharField(_("booking number"), max_length=60, blank=True)
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    vessel_voyage = models.CharField(_("vessel / voyage or flight"), max_length=100, blank=True)
    container_type = models.CharField(_("container type"), max_length=10, blank=True)
    container_count = models.PositiveIntegerField(_("containers"), default=0)
    cutoff_documents = models.DateField(_("documents cut-off"), null=True, blank=True)
    cutoff_customs = models.DateField(_("customs cut-off"), null=True, blank=True)
    cutoff_cargo = models.DateField(_("cargo cut-off"), null=True, blank=True)
    etd = models.DateField(_("ETD"), null=True, blank=True)
    eta = models.DateField(_("ETA"), null=True, blank=True)
    # what happened
    loaded_date = models.DateField(_("loaded (ex-factory)"), null=True, blank=True)
    departed_date = models.DateField(_("departed (ATD)"), null=True, blank=True)
    arrived_date = models.DateField(_("arrived (ATA)"), null=True, blank=True)
    bl_number = models.CharField(_("B/L number"), max_length=60, blank=True)
    bl_date = models.DateField(_("B/L date"), null=True, blank=True)
    # the documents' parties and marks
    consignee = models.TextField(_("consignee"), blank=True)
    notify_party = models.TextField(_("notify party"), blank=True)
    shipping_marks = models.TextField(_("shipping marks"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # added with the documents: the commercial invoice's number (kept once issued), the CO asked for, what was sent
    invoice_number = models.CharField(_("commercial invoice number"), max_length=30, blank=True)
    invoice_date = models.DateField(_("commercial invoice date"), null=True, blank=True)
    co_form = models.CharField(
        _("certificate of origin"), max_length=10, choices=CoForm.choices, default=CoForm.GENERAL
    )
    documents_sent_at = models.DateTimeField(_("documents sent"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        ordering = ["-planned_ex_factory_date", "-id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        indexes = [models.Index(fields=["status", "planned_ex_factory_date"]), models.Index(fields=["etd"])]

    def __str__(self) -> str:
        return self.number


class ShipmentLine(models.Model):
    """A quantity of one order line in a shipment, with the packing figures when they differ from the computed
    ones (cartons, weights, CBM left blank: computed from the product's carton data)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("line"))
    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="shipment_lines"
    )
    quantity = qty_field(_("quantity"))
    cartons = models.PositiveIntegerField(_("cartons"), null=True, blank=True)
    net_kg = models.DecimalField(_("net weight (kg)"), max_digits=12, decimal_places=3, null=True, blank=True)
    gross_kg = models.DecimalField(_("gross weight (kg)"), max_digits=12, decimal_places=3, null=True, blank=True)
    cbm = models.DecimalField(_("volume (CBM)"), max_digits=10, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["shipment", "position"]
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        constraints = [models.UniqueConstraint(fields=["shipment", "position"], name="shipment_position_once")]

    def __str__(self) -> str:
        return f"{self.shipment_id} #{self.position}: {self.quantity}"


class CustomsDeclaration(VersionedModel):
    """The export declaration (报关单) of a shipment: its number and dates, the broker, and its lines."""

    shipment = models.OneToOneField(Shipment, on_delete=models.PROTECT, related_name="declaration")
    broker = models.ForeignKey(
        Supplier, verbose_name=_("customs broker"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    declaration_no = models.CharField(_("declaration number"), max_length=30, blank=True)
    declaration_date = models.DateField(_("declaration date"), null=True, blank=True)
    release_date = models.DateField(_("release date"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-declaration_date", "-id"]
        verbose_name = _("customs declaration")
        verbose_name_plural = _("customs declarations")

    def __str__(self) -> str:
        return self.declaration_no or f"{self.shipment_id}"


class CustomsLine(models.Model):
    """One line of a declaration: HS code, declared name, quantity and unit, value (in the declaration's
    currency); from the shipment's lines, editable."""

    declaration = models.ForeignKey(CustomsDeclaration, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("line"))
    shipment_line = models.ForeignKey(
        ShipmentLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="customs_lines"
    )
    hs_code = models.CharField(_("HS code"), max_length=10)
    declared_name = models.CharField(_("declared name"), max_length=200)
    quantity = qty_field(_("quantity"))
    unit = models.CharField(_("unit"), max_length=10)
    value = money_field(_("value"))

    class Meta:
        ordering = ["declaration", "position"]
        verbose_name = _("customs line")
        verbose_name_plural = _("customs lines")

    def __str__(self) -> str:
        return f"{self.declaration_id} #{self.position} {self.hs_code}"


class ShippingProfile(VersionedModel):
    """How a customer ships (客户出货资料): the over-shipment tolerance, the parties and marks of its documents, its
    usual ports, and the shipping clerk who handles its shipments (their cut-offs are on that clerk's chase list)."""

    customer = models.OneToOneField(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="shipping_profile"
    )
    tolerance_pct = models.DecimalField(
        _("over-shipment tolerance (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    consignee = models.TextField(_("consignee"), blank=True)
    notify_party = models.TextField(_("notify party"), blank=True)
    shipping_marks = models.TextField(_("shipping marks template"), blank=True)
    port_of_loading = models.CharField(_("port of loading"), max_length=100, blank=True)
    port_of_discharge = models.CharField(_("port of discharge"), max_length=100, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=ShipmentMode.choices, blank=True)
    co_form = models.CharField(
        _("certificate of origin"), max_length=10, choices=CoForm.choices, default=CoForm.GENERAL
    )
    shipping_clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shipping clerk"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("shipping profile")
        verbose_name_plural = _("shipping profiles")

    def __str__(self) -> str:
        return f"{self.customer}"
