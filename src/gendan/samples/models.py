"""Samples (打样) and their rounds with the sampling checklist; the dispatch register (样品寄送登记)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gendan.catalog.models import Product
from gendan.core.fields import VersionedModel, money_field, qty_field
from gendan.core.money import Currency
from gendan.partners.models import Contact, Customer, Supplier
from gendan.sales.models import Order, OrderLine
from gendan.samples.choices import Decision, ItemKind, PaidBy, SampleKind, SampleStatus, Step

__all__ = ["Dispatch", "DispatchItem", "Sample", "SampleRound", "SampleStep"]


class Sample(VersionedModel):
    """A sample request (打样): for a customer, an order or an enquiry; made in the own sample room or by a supplier.
    `round` is the current round; each rejection opens a new one."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SampleKind.choices)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.PROTECT, related_name="samples"
    )
    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("description"), blank=True)
    quantity = qty_field(_("quantity"))
    colours_sizes = models.CharField(_("colours / sizes"), max_length=300, blank=True)
    required_date = models.DateField(_("required by"))
    maker_supplier = models.ForeignKey(
        Supplier, verbose_name=_("made by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cost = money_field(_("cost"), default=0)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    paid_by = models.CharField(_("paid by"), max_length=10, choices=PaidBy.choices, default=PaidBy.COMPANY)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="samples"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=30, choices=SampleStatus.choices, default=SampleStatus.REQUESTED)
    round = models.PositiveIntegerField(_("round"), default=1)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["status", "required_date"]),
            models.Index(fields=["customer", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="sample_quantity_positive"),
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="sample_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def what(self) -> str:
        """The product code, else the start of the description."""
        if self.product_id:
            return f"{self.product.code} {self.product.name}"
        return self.description[:60]


class SampleRound(models.Model):
    """One round of a sample (round 1, 2, 3…): its dates, the customer's decision and comments; photos and files
    are core attachments on it."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField(_("round"))
    required_date = models.DateField(_("required by"))
    started_date = models.DateField(_("started"), null=True, blank=True)
    ready_date = models.DateField(_("ready"), null=True, blank=True)
    sent_date = models.DateField(_("sent"), null=True, blank=True)
    decided_date = models.DateField(_("decided"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=30, choices=Decision.choices, blank=True)
    comments = models.TextField(_("customer's comments"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["sample", "number"]
        verbose_name = _("sample round")
        verbose_name_plural = _("sample rounds")
        constraints = [models.UniqueConstraint(fields=["sample", "number"], name="sample_round_unique")]

    def __str__(self) -> str:
        return f"{self.sample.number} #{self.number}"


class SampleStep(models.Model):
    """A step of a round's sampling checklist (打样流程) with its planned and actual dates."""

    round = models.ForeignKey(SampleRound, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    position = models.PositiveSmallIntegerField(default=0)
    planned_date = models.DateField(_("planned"))
    actual_date = models.DateField(_("done"), null=True, blank=True)
    # set by hand: a new required-by date leaves it
    planned_edited = models.BooleanField(default=False)

    class Meta:
        ordering = ["round", "position"]
        verbose_name = _("sampling step")
        verbose_name_plural = _("sampling steps")
        constraints = [models.UniqueConstraint(fields=["round", "step"], name="sample_step_unique")]
        indexes = [models.Index(fields=["actual_date", "planned_date"])]

    def __str__(self) -> str:
        return f"{self.round} {self.get_step_display()}"


class Dispatch(VersionedModel):
    """A dispatch of samples or catalogues to a customer (寄样), by courier, with its tracking number; the customer's
    feedback is chased `GENDAN_SAMPLE_FEEDBACK_DAYS` working days after it arrives."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.TextField(_("delivery address"))
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    sent_date = models.DateField(_("sent"))
    courier_supplier = models.ForeignKey(
        Supplier, verbose_name=_("courier company"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    courier = models.CharField(_("courier"), max_length=100)
    tracking_no = models.CharField(_("tracking number"), max_length=60, blank=True)
    cost = money_field(_("cost"), default=0)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    expected_arrival_date = models.DateField(_("expected arrival"))
    arrival_date = models.DateField(_("arrived"), null=True, blank=True)
    feedback_due_date = models.DateField(_("feedback due"))
    feedback_received_date = models.DateField(_("feedback received"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="dispatches"
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-sent_date", "-id"]
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        indexes = [models.Index(fields=["owner", "feedback_received_date", "feedback_due_date"])]
        constraints = [models.CheckConstraint(condition=models.Q(cost__gte=0), name="dispatch_cost_not_negative")]

    def __str__(self) -> str:
        return self.number


class DispatchItem(models.Model):
    """One item of a dispatch: a sample round, or a free item (catalogue, swatch, other)."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    sample_round = models.ForeignKey(
        SampleRound, null=True, blank=True, on_delete=models.PROTECT, related_name="dispatch_items"
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = qty_field(_("quantity"))

    class Meta:
        ordering = ["dispatch", "position"]
        verbose_name = _("dispatched item")
        verbose_name_plural = _("dispatched items")
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="dispatch_item_qty_positive")]

    def __str__(self) -> str:
        return self.description
