"""Finance (货款) models: payment terms as data (each part a share and a due-date rule), the terms of a customer and
of an order, invoices (应收) with their lines, receipts of payment (收款) and their allocations to invoices.

Amounts are stored with 2 decimals and always hold values rounded per currency (JPY whole yen)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gendan.core.fields import VersionedModel, money_field
from gendan.core.money import Currency
from gendan.finance.choices import (
    ClaimStatus,
    CreditNoteStatus,
    DueBasis,
    DueRule,
    InvoiceKind,
    InvoiceStatus,
    LineKind,
)
from gendan.partners.models import Customer, Supplier
from gendan.sales.models import Order
from gendan.shipping.models import CustomsDeclaration, CustomsLine, Shipment

__all__ = [
    "Allocation",
    "CreditNote",
    "CustomerTerms",
    "FxSettlement",
    "Invoice",
    "InvoiceLine",
    "OrderTerms",
    "PaymentTerm",
    "PaymentTermPart",
    "PurchaseVatInvoice",
    "RebateClaim",
    "RebateRate",
    "Receipt",
    "VatMatch",
]


class PaymentTerm(VersionedModel):
    """A payment term (付款方式), e.g. “30 % deposit, 70 % against copy B/L”: parts whose shares add up to 100 %."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("payment term")
        verbose_name_plural = _("payment terms")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PaymentTermPart(models.Model):
    term = models.ForeignKey(PaymentTerm, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveIntegerField(_("part"))
    share_pct = models.DecimalField(_("share %"), max_digits=5, decimal_places=2)
    rule = models.CharField(_("due"), max_length=20, choices=DueRule.choices)
    days = models.PositiveIntegerField(_("days"), default=0)

    class Meta:
        ordering = ["term", "position"]
        verbose_name = _("payment term part")
        verbose_name_plural = _("payment term parts")
        constraints = [models.UniqueConstraint(fields=["term", "position"], name="payment_term_part_once")]

    def __str__(self) -> str:
        return f"{self.term_id} #{self.position} {self.share_pct}% {self.rule} {self.days}"


class CustomerTerms(VersionedModel):
    """A customer's default payment term (its orders take it unless they name their own)."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="finance_terms")
    term = models.ForeignKey(PaymentTerm, verbose_name=_("payment term"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("customer payment term")
        verbose_name_plural = _("customer payment terms")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.term_id}"


class OrderTerms(VersionedModel):
    """An order's payment term: set by hand, or the customer's taken when the order is confirmed."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="finance_terms")
    term = models.ForeignKey(PaymentTerm, verbose_name=_("payment term"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("order payment term")
        verbose_name_plural = _("order payment terms")

    def __str__(self) -> str:
        return f"{self.order_id}: {self.term_id}"


class Invoice(VersionedModel):
    """A receivable (应收账款): a deposit invoice of an order, a shipment's invoice for one due part, or other
    charges. `paid_amount` is the sum of its allocations; the status follows it."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=InvoiceKind.choices)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="invoices"
    )
    order = models.ForeignKey(
        Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    shipment = models.ForeignKey(
        Shipment, verbose_name=_("shipment"), null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    merchandiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merchandiser"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    amount = money_field(_("amount"))
    paid_amount = money_field(_("paid"), default=0)
    issue_date = models.DateField(_("invoice date"))
    due_date = models.DateField(pgettext_lazy("payment", "due date"))
    rule = models.CharField(_("due"), max_length=20, choices=DueRule.choices, blank=True)
    days = models.PositiveIntegerField(_("days"), default=0)
    share_pct = models.DecimalField(_("share %"), max_digits=5, decimal_places=2, null=True, blank=True)
    due_basis = models.CharField(_("due date counted from"), max_length=15, choices=DueBasis.choices)
    term_name = models.CharField(_("payment term"), max_length=200, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=15, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issue_date", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["customer", "issue_date"]),
            models.Index(fields=["merchandiser", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(paid_amount__gte=0), name="invoice_paid_not_negative"),
            models.CheckConstraint(
                condition=models.Q(paid_amount__lte=models.F("amount")), name="invoice_paid_within_amount"
            ),
        ]
        permissions = [("cancel_invoice", _("Can cancel an unpaid invoice"))]

    def __str__(self) -> str:
        return self.number

    @property
    def open_amount(self):  # noqa: ANN201 - Decimal
        return self.amount - self.paid_amount


class InvoiceLine(models.Model):
    """What an invoice bills: goods shipped of an order (its due part), the deposit deducted, a deposit, a charge."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("line"))
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind.choices)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines"
    )
    description = models.CharField(_("description"), max_length=300)
    amount = money_field(_("amount"))

    class Meta:
        ordering = ["invoice", "position"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        indexes = [models.Index(fields=["order", "kind"])]

    def __str__(self) -> str:
        return f"{self.invoice_id} #{self.position} {self.amount}"


class Receipt(VersionedModel):
    """A receipt of payment (收款): what the customer paid (it settles invoices), the bank charges deducted on the
    way (net credited = amount − charges), the day's rate to CNY. What is not allocated is the customer's credit."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="receipts"
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    amount = money_field(_("amount"), validators=[MinValueValidator(0)])
    bank_charges = money_field(_("bank charges"), default=0, validators=[MinValueValidator(0)])
    fx_rate = models.DecimalField(_("rate to CNY"), max_digits=12, decimal_places=6, validators=[MinValueValidator(0)])
    received_date = models.DateField(pgettext_lazy("payment", "received"))
    reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    allocated_amount = money_field(_("allocated"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_date", "-id"]
        verbose_name = pgettext_lazy("payment", "receipt")
        verbose_name_plural = pgettext_lazy("payment", "receipts")
        indexes = [models.Index(fields=["customer", "received_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(allocated_amount__gte=0, allocated_amount__lte=models.F("amount")),
                name="receipt_allocated_within_amount",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def unallocated_amount(self):  # noqa: ANN201 - Decimal
        return self.amount - self.allocated_amount

    @property
    def net_amount(self):  # noqa: ANN201 - Decimal
        return self.amount - self.bank_charges

    @property
    def dated(self):  # noqa: ANN201 - date
        return self.received_date


class CreditNote(VersionedModel):
    """A credit note (贷项通知单) to a customer: what the company owes back or knocks off — a complaint's agreed
    settlement, a price correction. It settles invoices like a receipt does (its allocations), but no money moved:
    it is never settled into CNY and never counts as foreign exchange collected. What is not applied is the
    customer's credit."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="credit_notes"
    )
    order = models.ForeignKey(
        Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes"
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    amount = money_field(_("amount"), validators=[MinValueValidator(0)])
    allocated_amount = money_field(_("applied"), default=0)
    issue_date = models.DateField(_("date"))
    reason = models.TextField(_("reason"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=CreditNoteStatus.choices, default=CreditNoteStatus.OPEN
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issue_date", "-id"]
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        indexes = [models.Index(fields=["customer", "issue_date"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="credit_note_positive"),
            models.CheckConstraint(
                condition=models.Q(allocated_amount__gte=0, allocated_amount__lte=models.F("amount")),
                name="credit_note_applied_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def unallocated_amount(self):  # noqa: ANN201 - Decimal
        return self.amount - self.allocated_amount

    @property
    def dated(self):  # noqa: ANN201 - date
        return self.issue_date


class Allocation(models.Model):
    """Part of a receipt, or of a credit note, applied to an invoice (核销到发票)."""

    receipt = models.ForeignKey(Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations")
    credit_note = models.ForeignKey(
        CreditNote, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations"
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = money_field(_("amount"))
    allocated_date = models.DateField(_("date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["allocated_date", "id"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="allocation_positive"),
            models.CheckConstraint(
                condition=models.Q(receipt__isnull=False, credit_note__isnull=True)
                | models.Q(receipt__isnull=True, credit_note__isnull=False),
                name="allocation_from_receipt_or_credit_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id or self.credit_note_id} → {self.invoice_id}: {self.amount}"

    @property
    def source(self):  # noqa: ANN201 - Receipt | CreditNote
        return self.receipt or self.credit_note


class FxSettlement(VersionedModel):
    """An FX settlement (结汇): part of a foreign-currency receipt's net amount sold to the bank for CNY at the
    bank's rate; the gain or loss is against the receipt's booking rate."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    receipt = models.ForeignKey(
        Receipt, verbose_name=pgettext_lazy("payment", "receipt"), on_delete=models.PROTECT, related_name="settlements"
    )
    amount = money_field(_("amount"))
    bank_rate = models.DecimalField(_("bank rate to CNY"), max_digits=12, decimal_places=6)
    settled_date = models.DateField(_("settled"))
    cny_amount = money_field(_("CNY received"))
    booked_cny_amount = money_field(_("CNY at the booking rate"))
    gain_loss = money_field(_("FX gain (loss)"))
    reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-settled_date", "-id"]
        verbose_name = _("FX settlement")
        verbose_name_plural = _("FX settlements")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="fx_settlement_positive")]

    def __str__(self) -> str:
        return self.number


class RebateRate(VersionedModel):
    """An export tax rebate rate (出口退税率) for an HS code or a prefix of one, from a day on: the longest prefix
    valid on the declaration date wins (see `gendan.finance.rebates.rate_for`)."""

    hs_prefix = models.CharField(_("HS code or prefix"), max_length=10)
    rate_pct = models.DecimalField(
        _("rebate rate %"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0)]
    )
    valid_from = models.DateField(_("valid from"))
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    class Meta:
        ordering = ["hs_prefix", "-valid_from"]
        verbose_name = _("rebate rate")
        verbose_name_plural = _("rebate rates")
        constraints = [models.UniqueConstraint(fields=["hs_prefix", "valid_from"], name="rebate_rate_once_a_day")]

    def __str__(self) -> str:
        return f"{self.hs_prefix} {self.rate_pct}% ({self.valid_from})"


class PurchaseVatInvoice(VersionedModel):
    """A purchase VAT invoice (增值税专用发票) of a supplier, in CNY: the amount excluding VAT and the VAT."""

    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="vat_invoices"
    )
    invoice_no = models.CharField(_("VAT invoice number"), max_length=30)
    invoice_date = models.DateField(_("invoice date"))
    amount = money_field(_("amount excluding VAT"))
    vat_amount = money_field(_("VAT"))
    vat_rate = models.DecimalField(_("VAT rate %"), max_digits=5, decimal_places=2)
    hs_code = models.CharField(_("HS code"), max_length=10, blank=True)
    description = models.CharField(_("goods"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-invoice_date", "-id"]
        verbose_name = _("purchase VAT invoice")
        verbose_name_plural = _("purchase VAT invoices")
        constraints = [
            models.UniqueConstraint(fields=["supplier", "invoice_no"], name="vat_invoice_once_per_supplier"),
            models.CheckConstraint(condition=models.Q(amount__gt=0, vat_amount__gte=0), name="vat_invoice_amounts"),
        ]

    def __str__(self) -> str:
        return self.invoice_no


class VatMatch(models.Model):
    """Part of a VAT invoice (its amount excluding VAT, CNY) matched to a customs line, covering part of the line's
    value (declaration currency). Replacing a declaration's lines removes their matches."""

    vat_invoice = models.ForeignKey(PurchaseVatInvoice, on_delete=models.PROTECT, related_name="matches")
    customs_line = models.ForeignKey(CustomsLine, on_delete=models.CASCADE, related_name="vat_matches")
    amount = money_field(_("amount excluding VAT"))
    line_value = money_field(_("customs value covered"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["customs_line", "id"]
        verbose_name = _("VAT invoice match")
        verbose_name_plural = _("VAT invoice matches")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0, line_value__gt=0), name="vat_match_positive")
        ]

    def __str__(self) -> str:
        return f"{self.vat_invoice_id} → {self.customs_line_id}: {self.amount}"


class RebateClaim(VersionedModel):
    """The export tax rebate claim (退税申报) of a declaration: draft → filed → approved → received."""

    declaration = models.OneToOneField(
        CustomsDeclaration,
        verbose_name=_("customs declaration"),
        on_delete=models.PROTECT,
        related_name="rebate_claim",
    )
    status = models.CharField(_("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    filed_date = models.DateField(_("filed"), null=True, blank=True)
    filed_amount = money_field(_("amount claimed"), null=True, blank=True)
    approved_date = models.DateField(_("approved"), null=True, blank=True)
    approved_amount = money_field(_("amount approved"), null=True, blank=True)
    approved_reason = models.TextField(_("why the approved amount differs"), blank=True)
    received_date = models.DateField(_("received"), null=True, blank=True)
    received_amount = money_field(_("amount received"), null=True, blank=True)
    received_reason = models.TextField(_("why the amount received differs"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("tax rebate claim")
        verbose_name_plural = _("tax rebate claims")
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.declaration_id} {self.status}"
