"""Production notices (生产通知书) and the plan they make: the daily load of each operation at each work centre."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gendan.catalog.models import Product, WorkCentre
from gendan.core.fields import VersionedModel, qty_field
from gendan.core.money import Currency
from gendan.production.choices import AnomalyKind, NoticeStatus, Severity, SubcontractStatus, VarianceReason
from gendan.sales.models import Order, OrderLine

__all__ = [
    "Anomaly",
    "AnomalyAction",
    "DailyReport",
    "PlanLoad",
    "ProductionNotice",
    "SubcontractOrder",
    "SubcontractReceipt",
]


class ProductionNotice(VersionedModel):
    """A production notice (生产通知书) for one confirmed order line: product, spec, quantity, packaging, delivery
    date; numbered in the production register (生产登记表). Releasing it schedules it on finite capacity."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="notices")
    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    spec = models.CharField(_("spec/model"), max_length=200, blank=True)
    quantity = qty_field(_("quantity"))
    packaging = models.TextField(_("packaging requirements"), blank=True)
    due_date = models.DateField(_("delivery date"))
    status = models.CharField(_("status"), max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_finish = models.DateField(_("planned finish"), null=True, blank=True)
    # the planner set the daily quantities by hand: re-planning leaves them, and they come first for every notice
    plan_edited = models.BooleanField(_("plan adjusted by hand"), default=False)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("production notice")
        verbose_name_plural = _("production notices")
        indexes = [models.Index(fields=["status", "due_date"])]
        permissions = [("release_productionnotice", _("Can release production notices to the plan"))]

    def __str__(self) -> str:
        return self.number


class SubcontractOrder(VersionedModel):
    """A subcontract order (外发加工单): a quantity of some of a notice's operations (positions `first_position` to
    `last_position` of the product's routing) sent to a subcontract factory, at a price, to come back by a date.
    Once sent it takes the factory's capacity in the plan and the in-house plan of those operations shrinks by its
    quantity; the factory reports its daily output through its link; what comes back is received with an
    inspection."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    notice = models.ForeignKey(
        ProductionNotice, verbose_name=_("production notice"), on_delete=models.PROTECT, related_name="subcontracts"
    )
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="subcontracts")
    factory = models.ForeignKey(
        WorkCentre, verbose_name=_("subcontract factory"), on_delete=models.PROTECT, related_name="subcontracts"
    )
    first_position = models.PositiveIntegerField(_("from operation"))
    last_position = models.PositiveIntegerField(_("to operation"))
    quantity = qty_field(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4, default=0)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    send_date = models.DateField(_("send date"))
    due_date = models.DateField(_("return by"))
    status = models.CharField(
        _("status"), max_length=20, choices=SubcontractStatus.choices, default=SubcontractStatus.DRAFT
    )
    received_qty = qty_field(_("received"), default=0)
    accepted_qty = qty_field(_("accepted"), default=0)
    rejected_qty = qty_field(_("rejected"), default=0)
    planned_finish = models.DateField(_("planned finish"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="subcontracts"
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("subcontract order")
        verbose_name_plural = _("subcontract orders")
        indexes = [models.Index(fields=["factory", "status"]), models.Index(fields=["status", "due_date"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="subcontract_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="subcontract_price_not_negative"),
            models.CheckConstraint(
                condition=models.Q(first_position__lte=models.F("last_position")), name="subcontract_operations_order"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))

    @property
    def outstanding(self) -> Decimal:
        return max(self.quantity - self.received_qty, Decimal(0))


class SubcontractReceipt(models.Model):
    """Goods back from a subcontract factory, with their inspection: how many came, how many were accepted and
    how many rejected (returned for rework or scrapped), and what was found."""

    subcontract = models.ForeignKey(SubcontractOrder, on_delete=models.CASCADE, related_name="receipts")
    date = models.DateField(_("date"))
    quantity = qty_field(_("received"))
    accepted_qty = qty_field(_("accepted"))
    rejected_qty = qty_field(_("rejected"), default=0)
    findings = models.CharField(_("inspection findings"), max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("subcontract receipt")
        verbose_name_plural = _("subcontract receipts")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="subcontract_receipt_positive"),
            models.CheckConstraint(
                condition=models.Q(accepted_qty__gte=0, rejected_qty__gte=0)
                & models.Q(quantity=models.F("accepted_qty") + models.F("rejected_qty")),
                name="subcontract_receipt_inspected",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subcontract_id} {self.date}: {self.quantity}"


class PlanLoad(models.Model):
    """What a released notice plans at one work centre on one day for one operation: the load (hours, or units on a
    work centre whose capacity is in units), of which overtime, and the quantity."""

    notice = models.ForeignKey(ProductionNotice, on_delete=models.CASCADE, related_name="loads")
    subcontract = models.ForeignKey(  # the factory's share of the plan, when sent out
        SubcontractOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="loads"
    )
    position = models.PositiveIntegerField(_("operation"))
    work_centre = models.ForeignKey(WorkCentre, on_delete=models.PROTECT, related_name="loads")
    date = models.DateField(_("date"))
    load = models.DecimalField(_("load"), max_digits=10, decimal_places=2)
    overtime = models.DecimalField(_("of which overtime"), max_digits=10, decimal_places=2, default=0)
    quantity = qty_field(_("quantity"), default=0)
    due_date = models.DateField(_("due date"))  # the notice's, kept here so the scheduler reads loads by priority

    class Meta:
        ordering = ["notice", "position", "date"]
        verbose_name = _("planned load")
        verbose_name_plural = _("planned loads")
        indexes = [models.Index(fields=["work_centre", "date"]), models.Index(fields=["due_date"])]
        permissions = [("edit_plan", _("Can adjust the production plan's daily quantities"))]

    def __str__(self) -> str:
        return f"{self.notice_id} #{self.position} {self.work_centre_id} {self.date}: {self.load}"


class DailyReport(models.Model):
    """One day's production report (生产日报表) of a work centre (or factory) for an order: good output, defects,
    scrap, hours worked and headcount; a variance reason when output is behind plan beyond the tolerance."""

    date = models.DateField(_("date"))
    work_centre = models.ForeignKey(
        WorkCentre, verbose_name=_("work centre"), on_delete=models.PROTECT, related_name="reports"
    )
    notice = models.ForeignKey(
        ProductionNotice, verbose_name=_("production notice"), on_delete=models.PROTECT, related_name="reports"
    )
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="daily_reports")
    subcontract = models.ForeignKey(
        SubcontractOrder,
        verbose_name=_("subcontract order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    good_qty = qty_field(_("good output"), default=0)
    defect_qty = qty_field(_("defects"), default=0)
    scrap_qty = qty_field(_("scrap"), default=0)
    hours = models.DecimalField(_("hours worked"), max_digits=8, decimal_places=2, default=0)
    headcount = models.PositiveIntegerField(_("headcount"), default=0)
    variance_reason = models.CharField(_("variance reason"), max_length=20, choices=VarianceReason.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reported_by = models.CharField(_("reported by"), max_length=150)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["-date", "work_centre", "id"]
        verbose_name = _("daily production report")
        verbose_name_plural = _("daily production reports")
        constraints = [
            models.UniqueConstraint(fields=["date", "work_centre", "notice"], name="daily_report_once"),
        ]
        indexes = [models.Index(fields=["order", "date"]), models.Index(fields=["notice", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.work_centre_id} {self.notice_id}: {self.good_qty}"


class Anomaly(VersionedModel):
    """A production anomaly (生产异常): what happened, how serious, on which order, who owns it and by when it must be
    resolved; followed with actions until it is closed. Open anomalies are in their owner's chase list."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="anomalies")
    work_centre = models.ForeignKey(
        WorkCentre, verbose_name=_("work centre"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AnomalyKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    description = models.TextField(_("what happened"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="anomalies"
    )
    due_date = models.DateField(_("resolve by"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    class Meta:
        ordering = ["closed_at", "due_date", "-id"]
        verbose_name = _("production anomaly")
        verbose_name_plural = _("production anomalies")
        indexes = [models.Index(fields=["owner", "closed_at", "due_date"])]

    def __str__(self) -> str:
        return f"{self.order_id} {self.get_kind_display()} {self.created_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class AnomalyAction(models.Model):
    """One action taken on an anomaly (措施)."""

    anomaly = models.ForeignKey(Anomaly, on_delete=models.CASCADE, related_name="actions")
    text = models.TextField(_("action"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("anomaly action")
        verbose_name_plural = _("anomaly actions")

    def __str__(self) -> str:
        return f"{self.anomaly_id} {self.at:%Y-%m-%d}"
