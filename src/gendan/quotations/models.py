"""Quotations (计算报价单): the quotation and its revisions, its lines with their cost build-up (成本核算) — the
materials from the BOM, the operations from the routing — and quantity breaks; the processing rates per work centre.
The exchange rates the costing uses are core's monthly ones (`gendan.core.fx`)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gendan.catalog.models import Material, Product, WorkCentre
from gendan.core.fields import VersionedModel, money_field, qty_field
from gendan.core.money import Currency
from gendan.partners.choices import Incoterm
from gendan.partners.models import Contact, Customer
from gendan.quotations.choices import LostReason, PriceSource, QuotationStatus
from gendan.sales.models import Order

__all__ = [
    "ProcessingRate",
    "Quotation",
    "QuotationBreak",
    "QuotationLine",
    "QuotationMaterial",
    "QuotationOperation",
]


def cost_field(verbose_name: str, **kw) -> models.DecimalField:  # noqa: ANN003
    """A cost per unit in CNY, to 4 places (a button costs 0.0350)."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=4, **kw)


def pct_field(verbose_name: str, **kw) -> models.DecimalField:  # noqa: ANN003
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, **kw)


class ProcessingRate(VersionedModel):
    """What an hour of a work centre costs (CNY per hour: labour, machine, floor): the routing's minutes × this rate
    give a quotation's processing cost."""

    work_centre = models.OneToOneField(
        WorkCentre, verbose_name=_("work centre"), on_delete=models.CASCADE, related_name="processing_rate"
    )
    hourly_rate = models.DecimalField(
        _("rate (CNY per hour)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["work_centre__code"]
        verbose_name = _("processing rate")
        verbose_name_plural = _("processing rates")

    def __str__(self) -> str:
        return f"{self.work_centre_id}: {self.hourly_rate}"


class Quotation(VersionedModel):
    """A quotation (报价单) to a customer, in the customer's currency at a quoted rate, valid until a date.

    `number` is QT-YYYY-NNNNN for the first revision and that number with "-R2", "-R3"… for the later ones
    (`base_number` is shared); revising keeps the earlier revision read-only as superseded. Totals and prices are
    computed by the services, never typed."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    base_number = models.CharField(_("quotation number"), max_length=30, db_index=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("previous revision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_revision",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="quotations"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    quote_date = models.DateField(_("quotation date"))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    fx_rate = models.DecimalField(
        _("quoted rate (CNY per unit)"),
        max_digits=12,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0.000001"))],
    )
    incoterm = models.CharField(_("Incoterm"), max_length=3, choices=Incoterm.choices)
    incoterm_place = models.CharField(_("named place"), max_length=100, blank=True)
    payment_terms = models.CharField(_("payment terms"), max_length=200, blank=True)
    lead_time_days = models.PositiveIntegerField(_("delivery lead time (days)"), default=45)
    valid_until = models.DateField(_("valid until"))
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.PROTECT, related_name="quotations"
    )
    remarks = models.TextField(_("remarks for the customer"), blank=True)
    notes = models.TextField(_("internal notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=QuotationStatus.choices, default=QuotationStatus.DRAFT
    )
    total_amount = money_field(_("total amount"), default=0)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_to = models.CharField(_("sent to"), max_length=300, blank=True)
    decided_date = models.DateField(_("decided"), null=True, blank=True)
    lost_reason = models.CharField(_("reason lost"), max_length=20, choices=LostReason.choices, blank=True)
    lost_note = models.TextField(_("why lost (details)"), blank=True)
    order = models.OneToOneField(
        Order,
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quotation",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        ordering = ["-quote_date", "-id"]
        verbose_name = _("quotation")
        verbose_name_plural = _("quotations")
        indexes = [
            models.Index(fields=["status", "valid_until"]),
            models.Index(fields=["customer", "quote_date"]),
            models.Index(fields=["salesperson", "quote_date"]),
            models.Index(fields=["quote_date"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["base_number", "revision"], name="quotation_revision_once"),
            models.CheckConstraint(condition=models.Q(fx_rate__gt=0), name="quotation_fx_rate_positive"),
        ]
        permissions = [("manage_all_quotations", _("Can edit and move every quotation, not only their own"))]

    def __str__(self) -> str:
        return self.number

    @property
    def current_status(self) -> str:
        """The status as it stands today: a sent quotation past its validity is expired (before the nightly job
        marks it). Lists annotate it as `state`."""
        state = getattr(self, "state", None)
        if state:
            return state
        from gendan.core import clock

        if self.status == QuotationStatus.SENT and self.valid_until < clock.today():
            return QuotationStatus.EXPIRED
        return self.status

    @property
    def current_status_label(self) -> str:
        return str(dict(QuotationStatus.choices).get(self.current_status, self.current_status))

    @property
    def total_cny(self) -> Decimal:
        """The total in CNY at the quoted rate (the report adds quotations of every currency this way)."""
        return (self.total_amount * self.fx_rate).quantize(Decimal("0.01"))


class QuotationLine(models.Model):
    """One product of a quotation with its cost build-up per unit in CNY and the price it gives.

    cost = (material + processing + packaging) × (1 + overhead %) + freight; processing = run cost + setup cost
    ÷ quantity; unit price (in the quotation's currency) = cost ÷ (1 − margin %) ÷ quoted rate, rounded for the
    currency — the margin is a share of the price. `material_cost` is the materials' sum when the line has
    materials (from the BOM), else typed; `run_cost` and `setup_cost` come from the operations (the routing) when
    it has them, else typed. `price_override` replaces the computed price on the quotation (the computed one is
    kept and shown)."""

    quotation = models.ForeignKey(Quotation, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description for the customer"), max_length=300, blank=True)
    quantity = qty_field(_("quantity"), validators=[MinValueValidator(Decimal("0.001"))])
    material_cost = cost_field(_("material cost"), default=0)
    run_cost = cost_field(_("processing cost per unit"), default=0)
    setup_cost = models.DecimalField(_("setup cost per batch"), max_digits=14, decimal_places=2, default=0)
    packaging_cost = cost_field(_("packaging cost"), default=0)
    overhead_pct = pct_field(_("overheads %"), default=0)
    freight_cost = cost_field(_("freight cost"), default=0)
    margin_pct = pct_field(_("margin %"), default=0)
    unit_price = models.DecimalField(_("computed unit price"), max_digits=16, decimal_places=4, default=0)
    price_override = models.DecimalField(_("price override"), max_digits=16, decimal_places=4, null=True, blank=True)
    amount = money_field(_("amount"), default=0)

    class Meta:
        ordering = ["quotation", "position", "id"]
        verbose_name = _("quotation line")
        verbose_name_plural = _("quotation lines")
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="quotation_line_qty_positive")]

    def __str__(self) -> str:
        return f"{self.quotation_id}#{self.position} {self.product_id} × {self.quantity}"

    @property
    def quoted_price(self) -> Decimal:
        """The price on the quotation: the override when there is one, else the computed price."""
        return self.price_override if self.price_override is not None else self.unit_price


class QuotationMaterial(models.Model):
    """One material of a line's BOM on the quotation: quantity per unit with scrap as the BOM had it, and its price
    per material unit in CNY (the latest purchase price, the material's price, or typed)."""

    line = models.ForeignKey(QuotationLine, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveIntegerField(default=0)
    material = models.ForeignKey(Material, verbose_name=_("material"), on_delete=models.PROTECT, related_name="+")
    qty_per_unit = qty_field(_("quantity per unit"))
    scrap_pct = pct_field(_("scrap rate (%)"), default=0)
    unit_price = cost_field(_("price (CNY)"), default=0)
    source = models.CharField(_("price from"), max_length=10, choices=PriceSource.choices, default=PriceSource.NONE)
    source_note = models.CharField(_("price note"), max_length=200, blank=True)

    class Meta:
        ordering = ["line", "position", "id"]
        verbose_name = _("quotation material")
        verbose_name_plural = _("quotation materials")
        constraints = [models.UniqueConstraint(fields=["line", "material"], name="quotation_material_once")]

    def __str__(self) -> str:
        return f"{self.line_id} ← {self.material_id}"

    @property
    def gross_qty(self) -> Decimal:
        return self.qty_per_unit * (1 + self.scrap_pct / 100)

    @property
    def cost(self) -> Decimal:
        """The material's cost per unit of the product (4 places)."""
        return (self.gross_qty * self.unit_price).quantize(Decimal("0.0001"))


class QuotationOperation(models.Model):
    """One operation of a line's routing on the quotation, with the work centre's rate when the line was costed."""

    line = models.ForeignKey(QuotationLine, on_delete=models.CASCADE, related_name="operations")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(_("operation"), max_length=100)
    work_centre = models.ForeignKey(
        WorkCentre, verbose_name=_("work centre"), on_delete=models.PROTECT, related_name="+"
    )
    minutes_per_unit = models.DecimalField(_("standard minutes per unit"), max_digits=10, decimal_places=3)
    setup_minutes = models.DecimalField(_("setup (minutes)"), max_digits=10, decimal_places=1, default=0)
    hourly_rate = models.DecimalField(_("rate (CNY per hour)"), max_digits=10, decimal_places=2, default=0)
    has_rate = models.BooleanField(_("rate known"), default=True)

    class Meta:
        ordering = ["line", "position", "id"]
        verbose_name = _("quotation operation")
        verbose_name_plural = _("quotation operations")

    def __str__(self) -> str:
        return f"{self.line_id} #{self.position} {self.name}"


class QuotationBreak(models.Model):
    """A further quantity of a line with its own unit price (the setup is spread over more units)."""

    line = models.ForeignKey(QuotationLine, on_delete=models.CASCADE, related_name="breaks")
    quantity = qty_field(_("quantity"), validators=[MinValueValidator(Decimal("0.001"))])
    unit_price = models.DecimalField(_("unit price"), max_digits=16, decimal_places=4, default=0)

    class Meta:
        ordering = ["line", "quantity"]
        verbose_name = _("quantity break")
        verbose_name_plural = _("quantity breaks")
        constraints = [
            models.UniqueConstraint(fields=["line", "quantity"], name="quotation_break_once"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="quotation_break_qty_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} ≥ {self.quantity}"
