"""Products (with carton data for packing), materials, and bills of materials."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gendan.catalog.choices import CapacityExceptionKind, CapacityUnit, MaterialCategory, Unit, WorkCentreKind
from gendan.core.fields import VersionedModel, qty_field
from gendan.core.money import Currency
from gendan.partners.models import Supplier, code_validator

__all__ = ["BomLine", "CapacityException", "Material", "Product", "RoutingStep", "WorkCentre"]

hs_validator = RegexValidator(r"^\d{6,10}$", _("An HS code is 6 to 10 digits."))


class Product(VersionedModel):
    """A finished product (产品) with its spec/model (规格型号) and carton data."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    spec = models.CharField(_("spec/model"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.PCS)
    category = models.CharField(_("category"), max_length=100, blank=True)
    hs_code = models.CharField(_("HS code"), max_length=10, blank=True, validators=[hs_validator])
    units_per_carton = models.PositiveIntegerField(_("units per carton"), default=1, validators=[MinValueValidator(1)])
    carton_length_cm = models.DecimalField(
        _("carton length (cm)"), max_digits=7, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )
    carton_width_cm = models.DecimalField(
        _("carton width (cm)"), max_digits=7, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )
    carton_height_cm = models.DecimalField(
        _("carton height (cm)"), max_digits=7, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )
    net_weight_kg = models.DecimalField(
        _("net weight per carton (kg)"), max_digits=9, decimal_places=3, default=0, validators=[MinValueValidator(0)]
    )
    gross_weight_kg = models.DecimalField(
        _("gross weight per carton (kg)"), max_digits=9, decimal_places=3, default=0, validators=[MinValueValidator(0)]
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [models.Index(fields=["category"]), models.Index(fields=["name"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(gross_weight_kg__gte=models.F("net_weight_kg")),
                name="product_gross_weight_at_least_net",
                violation_error_message=_("Gross weight cannot be less than net weight."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def carton_cbm(self) -> Decimal:
        """Carton volume in cubic metres (立方数)."""
        cm3 = self.carton_length_cm * self.carton_width_cm * self.carton_height_cm
        return (cm3 / Decimal(1_000_000)).quantize(Decimal("0.0001"))


class Material(VersionedModel):
    """A material (物料): fabric, trim, component, packaging… with its purchase lead time."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    spec = models.CharField(_("spec"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.PCS)
    category = models.CharField(
        _("category"), max_length=20, choices=MaterialCategory.choices, default=MaterialCategory.RAW
    )
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=7, validators=[MaxValueValidator(365)])
    purchase_price = models.DecimalField(
        _("purchase price"), max_digits=14, decimal_places=4, default=0, validators=[MinValueValidator(0)]
    )
    purchase_currency = models.CharField(
        _("purchase currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    default_supplier = models.ForeignKey(
        Supplier,
        verbose_name=_("default supplier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="materials",
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        indexes = [models.Index(fields=["category"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BomLine(models.Model):
    """One material of a product's bill of materials (物料清单): quantity per unit and scrap rate (损耗率, %)."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="bom_lines")
    material = models.ForeignKey(
        Material, verbose_name=_("material"), on_delete=models.PROTECT, related_name="bom_lines"
    )
    qty_per_unit = qty_field(_("quantity per unit"), validators=[MinValueValidator(Decimal("0.001"))])
    scrap_pct = models.DecimalField(
        _("scrap rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["product", "position", "id"]
        verbose_name = _("BOM line")
        verbose_name_plural = _("BOM lines")
        constraints = [models.UniqueConstraint(fields=["product", "material"], name="bom_material_once_per_product")]

    def __str__(self) -> str:
        return f"{self.product.code} ← {self.material.code} × {self.qty_per_unit}"

    @property
    def gross_qty_per_unit(self) -> Decimal:
        """Quantity per unit including scrap."""
        return self.qty_per_unit * (1 + self.scrap_pct / 100)


class WorkCentre(VersionedModel):
    """A work centre (工作中心): a production line, a workshop, or a subcontract factory (外协厂), with its daily
    capacity on the company's working days — hours, or units of a product family."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=WorkCentreKind.choices, default=WorkCentreKind.LINE)
    supplier = models.ForeignKey(
        Supplier,
        verbose_name=_("subcontract factory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_centres",
    )
    capacity_unit = models.CharField(
        _("capacity unit"), max_length=10, choices=CapacityUnit.choices, default=CapacityUnit.HOURS
    )
    daily_capacity = models.DecimalField(
        _("daily capacity"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    product_family = models.CharField(
        _("product family"), max_length=100, blank=True, help_text=_("For a capacity in units: the product category.")
    )
    max_overtime_hours = models.DecimalField(
        _("overtime per day (hours)"),
        max_digits=6,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("The most overtime a capacity check may propose on one working day."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("work centre")
        verbose_name_plural = _("work centres")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="factory") | models.Q(supplier__isnull=False),
                name="work_centre_factory_has_supplier",
                violation_error_message=_("A subcontract factory names its supplier."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CapacityException(models.Model):
    """One day on which a work centre's capacity differs: overtime (more, even on a rest day), maintenance (less)."""

    work_centre = models.ForeignKey(WorkCentre, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"))
    capacity = models.DecimalField(
        _("capacity that day"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=CapacityExceptionKind.choices, default=CapacityExceptionKind.OTHER
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["work_centre", "date"]
        verbose_name = _("capacity exception")
        verbose_name_plural = _("capacity exceptions")
        constraints = [models.UniqueConstraint(fields=["work_centre", "date"], name="capacity_exception_once_a_day")]

    def __str__(self) -> str:
        return f"{self.work_centre_id} {self.date}: {self.capacity}"


class RoutingStep(models.Model):
    """One operation (工序) of a product's routing (工艺路线), in sequence, at a work centre: standard minutes per
    unit (标准工时) and a setup time per batch."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="routing")
    position = models.PositiveIntegerField(_("sequence"))
    name = models.CharField(_("operation"), max_length=100)
    work_centre = models.ForeignKey(
        WorkCentre, verbose_name=_("work centre"), on_delete=models.PROTECT, related_name="routing_steps"
    )
    minutes_per_unit = models.DecimalField(
        _("standard minutes per unit"), max_digits=10, decimal_places=3, validators=[MinValueValidator(0)]
    )
    setup_minutes = models.DecimalField(
        _("setup (minutes)"), max_digits=10, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["product", "position"]
        verbose_name = _("routing step")
        verbose_name_plural = _("routing steps")
        constraints = [models.UniqueConstraint(fields=["product", "position"], name="routing_position_once")]

    def __str__(self) -> str:
        return f"{self.product_id} #{self.position} {self.name}"
