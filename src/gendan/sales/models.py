"""Orders, their lines, the contract review and the revisions of order changes."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gendan.catalog.choices import Unit
from gendan.catalog.models import Product
from gendan.core.choices import DepartmentCode
from gendan.core.fields import VersionedModel, money_field, qty_field
from gendan.core.models import Department
from gendan.core.money import Currency
from gendan.partners.choices import Incoterm
from gendan.partners.models import Customer
from gendan.sales.choices import OrderStatus, Priority, ReviewTopic, Risk, Verdict

__all__ = ["Order", "OrderLine", "OrderRevision", "ReviewItem"]


class Order(VersionedModel):
    """A customer order (销售订单), followed by its merchandiser from review to cash.

    Totals are computed from the lines by the services, never typed. `revision` counts the order
    changes (订单变更) made after confirmation.
    """

    number = models.CharField(_("order number"), max_length=30, unique=True)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders")
    customer_po = models.CharField(_("customer PO number"), max_length=60, blank=True)
    order_date = models.DateField(_("order date"))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    incoterm = models.CharField(_("Incoterm"), max_length=3, choices=Incoterm.choices)
    incoterm_place = models.CharField(_("named place"), max_length=100, blank=True)
    payment_terms = models.CharField(_("payment terms"), max_length=200, blank=True)
    requested_delivery_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    ex_factory_date = models.DateField(_("committed ex-factory date"), db_index=True)
    ship_to = models.TextField(_("ship-to"), blank=True)
    merchandiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("merchandiser"), on_delete=models.PROTECT, related_name="orders"
    )
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    quality_requirements = models.TextField(_("special quality requirements"), blank=True)
    packaging_requirements = models.TextField(_("packaging requirements"), blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.DRAFT)
    status_reason = models.TextField(_("reason for the status"), blank=True)
    held_from_status = models.CharField(max_length=20, choices=OrderStatus.choices, blank=True)
    total_qty = qty_field(_("total quantity"), default=0)
    total_amount = money_field(_("total amount"), default=0)
    revision = models.PositiveIntegerField(_("revision"), default=0)
    review_round = models.PositiveIntegerField(_("review round"), default=0)
    review_override_reason = models.TextField(_("review override reason"), blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    # Kept by the follow-up engine on every re-forecast of the order's T&A plan (empty until it has one).
    forecast_ex_factory_date = models.DateField(_("forecast ex-factory date"), null=True, blank=True)
    risk = models.CharField(_("risk"), max_length=10, choices=Risk.choices, blank=True)
    slack_days = models.IntegerField(_("slack (working days)"), null=True, blank=True)
    driving_milestone = models.CharField(_("driving milestone"), max_length=10, blank=True)
    # Kept by the nightly learned forecast (gendan.foresight): the share of simulated futures, drawn from the delays
    # history shows for each remaining milestone, in which the order leaves the factory by its committed date; its
    # ex-factory date with the expected delays; and the milestone most likely to make it late. Empty without enough
    # history or once the order has left the factory.
    on_time_probability = models.FloatField(_("on-time probability"), null=True, blank=True)
    learned_ex_factory_date = models.DateField(_("learned ex-factory forecast"), null=True, blank=True)
    learned_driver = models.CharField(_("learned driving milestone"), max_length=10, blank=True)

    class Meta:
        ordering = ["-order_date", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["status", "ex_factory_date"]),
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["merchandiser", "status"]),
            models.Index(fields=["order_date"]),
            models.Index(fields=["risk", "slack_days"]),
            models.Index(fields=["on_time_probability"]),
        ]
        permissions = [
            ("manage_all_orders", _("Can edit and move every order, not only their own")),
            ("override_review", _("Can confirm an order without a passed review, with a reason")),
            ("review_any", _("Can answer review items of any department")),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    """One product of an order: quantity, unit price, amount (computed), its own ex-factory date."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="order_lines"
    )
    quantity = qty_field(_("quantity"), validators=[MinValueValidator(0)])
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    unit_price = models.DecimalField(
        _("unit price"), max_digits=16, decimal_places=4, validators=[MinValueValidator(0)]
    )
    amount = money_field(_("amount"))
    ex_factory_date = models.DateField(_("line ex-factory date"), null=True, blank=True)
    packaging_note = models.CharField(_("packaging note"), max_length=300, blank=True)

    class Meta:
        ordering = ["order", "position", "id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return f"{self.order_id}#{self.position} {self.product_id} × {self.quantity}"


class ReviewItem(models.Model):
    """One point of the contract review (评审项), answered by one department. Each submission is a round."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="review_items")
    round = models.PositiveIntegerField(_("round"), default=1)
    position = models.PositiveIntegerField(default=0)
    topic = models.CharField(_("topic"), max_length=20, choices=ReviewTopic.choices)
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices, default=Verdict.PENDING)
    comment = models.TextField(_("comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        ordering = ["order", "-round", "position"]
        verbose_name = _("review item")
        verbose_name_plural = _("review items")
        constraints = [models.UniqueConstraint(fields=["order", "round", "topic"], name="review_topic_once_per_round")]
        indexes = [models.Index(fields=["department", "verdict"])]

    def __str__(self) -> str:
        return f"{self.order} · {self.get_topic_display()} (R{self.round})"


class OrderRevision(models.Model):
    """One order change (订单变更) after confirmation: what changed (old → new), why, who, whom it concerns."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    reason = models.TextField(_("reason"))
    changes = models.JSONField(_("changes"), default=list)
    departments = models.JSONField(_("departments notified"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["order", "-number"]
        verbose_name = _("order revision")
        verbose_name_plural = _("order revisions")
        constraints = [models.UniqueConstraint(fields=["order", "number"], name="revision_number_once_per_order")]

    def __str__(self) -> str:
        return f"{self.order_id} rev {self.number}"

    @property
    def department_labels(self) -> list[str]:
        """The notified departments' names in the current language (the codes are stored)."""
        labels = dict(DepartmentCode.choices)
        return [str(labels.get(code, code)) for code in self.departments]
