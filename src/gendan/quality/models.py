"""Quality models: the defect catalogue, each customer's inspection defaults, and inspections (验货) with their
sampling plan (ISO 2859-1), the defects found, the checks made, the computed result and the disposition."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gendan.catalog.models import Product
from gendan.core.fields import VersionedModel
from gendan.partners.models import Customer, Supplier
from gendan.quality.choices import (
    CheckKind,
    DefectClass,
    Disposition,
    InspectionKind,
    InspectionStatus,
    Level,
    Result,
)
from gendan.sales.models import Order, OrderLine

__all__ = ["DefectType", "Inspection", "InspectionCheck", "InspectionDefect", "QualityDefaults"]


def aql_field(verbose_name: str, default: str) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=7, decimal_places=3, default=Decimal(default), validators=[MinValueValidator(0)]
    )


class DefectType(models.Model):
    """A defect of the catalogue (缺陷库), per product category (blank: every category), with its usual class."""

    code = models.CharField(_("code"), max_length=30)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    category = models.CharField(_("product category"), max_length=100, blank=True)
    defect_class = models.CharField(
        _("defect class"), max_length=10, choices=DefectClass.choices, default=DefectClass.MAJOR
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("defect type")
        verbose_name_plural = _("defect types")
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="defect_code_once_per_category")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    def name_in(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en


class QualityDefaults(models.Model):
    """A customer's inspection defaults: the inspection level and the AQL of each defect class."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="quality_defaults")
    level = models.CharField(_("inspection level"), max_length=3, choices=Level.choices, default=Level.II)
    aql_critical = aql_field(_("AQL critical"), "0")
    aql_major = aql_field(_("AQL major"), "2.5")
    aql_minor = aql_field(_("AQL minor"), "4.0")

    class Meta:
        verbose_name = _("quality defaults")
        verbose_name_plural = _("quality defaults")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.level} {self.aql_critical}/{self.aql_major}/{self.aql_minor}"


class Inspection(VersionedModel):
    """An inspection (验货) of a lot of an order: in-process, final (pre-shipment), or by a third party (商检).
    Planned (from the order's final-inspection milestone), booked with a date and an inspector, then inspected:
    the sampling plan follows from the lot size, level and AQLs; the result is computed from the defects found
    per class and the checks made, never typed. A failed lot gets a disposition; re-work opens a re-inspection."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind.choices, default=InspectionKind.FINAL)
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="inspections")
    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    factory = models.ForeignKey(  # who made the lot: a subcontract factory or supplier; none: made in-house
        Supplier,
        verbose_name=_("made by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspected_lots",
    )
    agency = models.ForeignKey(  # a third party's inspection agency
        Supplier,
        verbose_name=_("inspection agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agency_inspections",
    )
    certificate_no = models.CharField(_("certificate number"), max_length=60, blank=True)
    lot_size = models.PositiveIntegerField(_("lot size"), validators=[MinValueValidator(1)])
    level = models.CharField(_("inspection level"), max_length=3, choices=Level.choices, default=Level.II)
    aql_critical = aql_field(_("AQL critical"), "0")
    aql_major = aql_field(_("AQL major"), "2.5")
    aql_minor = aql_field(_("AQL minor"), "4.0")
    planned_date = models.DateField(_("planned date"))
    booked_date = models.DateField(_("booked for"), null=True, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspections",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED
    )
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    inspected_qty = models.PositiveIntegerField(_("pieces inspected"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=4, choices=Result.choices, blank=True)
    results = models.JSONField(_("result per class"), default=dict, blank=True)  # the plan and counts when inspected
    disposition = models.CharField(_("disposition"), max_length=20, choices=Disposition.choices, blank=True)
    disposition_note = models.CharField(_("disposition note"), max_length=300, blank=True)
    reinspection_of = models.ForeignKey(
        "self",
        verbose_name=_("re-inspection of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reinspections",
    )
    round = models.PositiveIntegerField(_("round"), default=1)
    notes = models.TextField(_("notes"), blank=True)
    report_sent_at = models.DateTimeField(_("report sent"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-planned_date", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [
            models.Index(fields=["status", "planned_date"]),
            models.Index(fields=["inspected_on"]),
            models.Index(fields=["kind", "result"]),
        ]
        permissions = [("inspect_lot", _("Can record inspection findings and dispositions"))]

    def __str__(self) -> str:
        return self.number

    @property
    def aqls(self) -> dict[str, Decimal]:
        return {
            DefectClass.CRITICAL: self.aql_critical,
            DefectClass.MAJOR: self.aql_major,
            DefectClass.MINOR: self.aql_minor,
        }

    @property
    def date(self):  # noqa: ANN201 - the day that matters on lists: inspected, else booked, else planned
        return self.inspected_on or self.booked_date or self.planned_date


class InspectionDefect(models.Model):
    """Defects of one kind found in an inspection's sample."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="defects")
    defect_type = models.ForeignKey(DefectType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    code = models.CharField(_("code"), max_length=30, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    defect_class = models.CharField(_("defect class"), max_length=10, choices=DefectClass.choices)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["inspection", "id"]
        verbose_name = _("defect found")
        verbose_name_plural = _("defects found")

    def __str__(self) -> str:
        return f"{self.code or self.description} × {self.quantity} ({self.defect_class})"


class InspectionCheck(models.Model):
    """A check made in an inspection: carton marks, packing, labels, the quantity counted, a measurement."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(_("check"), max_length=20, choices=CheckKind.choices)
    name = models.CharField(_("what"), max_length=100, blank=True)
    expected = models.CharField(_("expected"), max_length=100, blank=True)
    actual = models.CharField(_("found"), max_length=100, blank=True)
    ok = models.BooleanField(_("conforms"), default=True)

    class Meta:
        ordering = ["inspection", "id"]
        verbose_name = _("inspection check")
        verbose_name_plural = _("inspection checks")

    def __str__(self) -> str:
        return f"{self.kind} {self.name}: {'ok' if self.ok else 'not ok'}"
