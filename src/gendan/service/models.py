"""Customer complaints (客户投诉): the complaint with its products, its investigation and actions (8D), the answer, the
customer's verification and the settlement; the maintained list of root-cause categories."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gendan.catalog.models import Product
from gendan.core.fields import VersionedModel, money_field, qty_field
from gendan.core.models import Department
from gendan.core.money import Currency
from gendan.partners.models import Contact, Customer
from gendan.sales.models import Order, OrderLine
from gendan.service.choices import ActionKind, AnswerLanguage, Channel, ComplaintStatus, Severity
from gendan.shipping.models import Shipment

__all__ = ["Complaint", "ComplaintAction", "ComplaintLine", "RootCause"]


class RootCause(models.Model):
    """A root-cause category (原因分类) of the maintained list: man, machine, material, method, measurement,
    environment, transport, customer use..."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("root-cause category")
        verbose_name_plural = _("root-cause categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    def name_in(self, language: str | None) -> str:
        return self.name_zh if (language or "").startswith("zh") else self.name_en


class Complaint(VersionedModel):
    """A customer's complaint (客户投诉): registered → routed → investigating → answered → verified → closed, or
    rejected with a reason. Photos are core attachments on it."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="complaints"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    received_date = models.DateField(pgettext_lazy("complaint", "received"))
    customer_reference = models.CharField(_("customer's reference"), max_length=60, blank=True)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    shipment = models.ForeignKey(
        Shipment,
        verbose_name=_("shipment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    lot = models.CharField(_("production lot"), max_length=60, blank=True)
    title = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MAJOR)
    claim_amount = money_field(_("claim amount asked"), default=0)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.USD)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="complaints"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ComplaintStatus.choices, default=ComplaintStatus.REGISTERED
    )
    # routing
    department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_responsible",
    )
    due_date = models.DateField(_("answer due"), null=True, blank=True)
    routed_date = models.DateField(pgettext_lazy("complaint", "routed"), null=True, blank=True)
    # investigation
    root_cause = models.ForeignKey(
        RootCause, verbose_name=_("root cause"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cause_detail = models.TextField(_("root cause (analysis)"), blank=True)
    # answer
    answer_text = models.TextField(_("answer to the customer"), blank=True)
    settlement_offer = models.TextField(_("settlement offered"), blank=True)
    answered_date = models.DateField(pgettext_lazy("complaint", "answered"), null=True, blank=True)
    answer_language = models.CharField(
        _("answer language"), max_length=2, choices=AnswerLanguage.choices, default=AnswerLanguage.EN
    )
    answer_sent_at = models.DateTimeField(_("answer sent"), null=True, blank=True)
    answer_sent_to = models.CharField(_("answer sent to"), max_length=500, blank=True)
    # verification
    verified_date = models.DateField(_("verified"), null=True, blank=True)
    verification_note = models.TextField(_("customer's verification"), blank=True)
    not_accepted_count = models.PositiveSmallIntegerField(_("answers not accepted"), default=0)
    # settlement
    closed_date = models.DateField(_("closed"), null=True, blank=True)
    credit_amount = money_field(_("credit note amount"), default=0)
    credit_note_id = models.BigIntegerField(_("credit note id"), null=True, blank=True)
    credit_note_number = models.CharField(_("credit note number"), max_length=40, blank=True)
    replacement_qty = qty_field(_("replacement quantity"), default=0)
    replacement_value = money_field(_("replacement value"), default=0)
    # the replacement order (补货订单) made when the complaint was closed with a replacement quantity: a free-of-charge
    # draft order of the complained products, followed like any order (its page says which complaint it replaces)
    replacement_order = models.OneToOneField(
        Order,
        verbose_name=_("replacement order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_complaint",
    )
    discount_pct = models.DecimalField(_("discount on the next order (%)"), max_digits=5, decimal_places=2, default=0)
    discount_order = models.ForeignKey(
        Order,
        verbose_name=_("discount given on order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    settlement_note = models.TextField(_("settlement agreed"), blank=True)
    # rejection
    rejected_date = models.DateField(pgettext_lazy("complaint", "rejected"), null=True, blank=True)
    reject_reason = models.TextField(_("reason for rejecting"), blank=True)

    class Meta:
        ordering = ["-received_date", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        permissions = [("settle_complaint", "Can close complaints with a settlement")]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["responsible", "status"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["received_date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(claim_amount__gte=0), name="complaint_claim_not_negative"),
            models.CheckConstraint(condition=models.Q(credit_amount__gte=0), name="complaint_credit_not_negative"),
            models.CheckConstraint(
                condition=models.Q(replacement_qty__gte=0), name="complaint_replacement_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(replacement_value__gte=0), name="complaint_replacement_value_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(discount_pct__gte=0, discount_pct__lt=100), name="complaint_discount_in_range"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status not in (ComplaintStatus.CLOSED, ComplaintStatus.REJECTED)

    @property
    def has_settlement(self) -> bool:
        return bool(self.credit_amount or self.replacement_qty or self.discount_pct)


class ComplaintLine(models.Model):
    """A product the complaint is about, with the quantity affected (and the order line, when known)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    quantity = qty_field(_("quantity affected"))
    defect = models.CharField(_("defect"), max_length=200, blank=True)

    class Meta:
        ordering = ["complaint", "position"]
        verbose_name = _("complained product")
        verbose_name_plural = _("complained products")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="complaint_line_qty_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} #{self.position}"


class ComplaintAction(VersionedModel):
    """A containment, corrective or preventive action (临时/纠正/预防措施) with its owner, due date, done date and
    result."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=ActionKind.choices)
    description = models.TextField(_("action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="complaint_actions"
    )
    due_date = models.DateField(_("due"))
    done_date = models.DateField(_("done"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)

    class Meta:
        ordering = ["complaint", "position"]
        verbose_name = _("complaint action")
        verbose_name_plural = _("complaint actions")
        indexes = [models.Index(fields=["owner", "done_date", "due_date"])]

    def __str__(self) -> str:
        return f"{self.complaint.number} · {self.get_kind_display()} #{self.position}"
