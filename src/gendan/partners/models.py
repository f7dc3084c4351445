"""Customers, suppliers of every kind, and their contacts."""

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gendan.core.fields import VersionedModel, money_field
from gendan.core.money import Currency
from gendan.partners.choices import CREDIT_COLORS, TIER_COLORS, CreditRating, CustomerTier, Incoterm, SupplierKind

__all__ = ["Contact", "Customer", "Supplier"]

code_validator = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", _("Use letters, digits, '-', '_' or '.'."))
country_validator = RegexValidator(r"^[A-Z]{2}$", _("Use the two-letter ISO country code, e.g. CN, US, DE."))


class Customer(VersionedModel):
    """A customer (客户). Tier decides who gets short stock first; the merchandiser owns its orders."""

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    tier = models.CharField(_("tier"), max_length=20, choices=CustomerTier.choices, default=CustomerTier.NORMAL)
    country = models.CharField(_("country"), max_length=2, validators=[country_validator])
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.USD)
    payment_terms = models.CharField(_("payment terms"), max_length=200, blank=True)
    credit_limit = money_field(_("credit limit"), default=0, validators=[MinValueValidator(0)])
    credit_rating = models.CharField(_("credit rating"), max_length=1, choices=CreditRating.choices, blank=True)
    credit_remarks = models.TextField(_("credit remarks"), blank=True)
    default_incoterm = models.CharField(
        _("default Incoterm"), max_length=3, choices=Incoterm.choices, default=Incoterm.FOB
    )
    merchandiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merchandiser"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )
    address = models.TextField(_("address"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [models.Index(fields=["tier"]), models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def tier_color(self) -> str:
        """The badge colour of the tier (key customers stand out in red)."""
        return TIER_COLORS.get(self.tier, "grey")

    @property
    def credit_color(self) -> str:
        return CREDIT_COLORS.get(self.credit_rating, "grey")


class Supplier(VersionedModel):
    """A supplier (供应商) of materials or services: material, subcontract factory, forwarder, courier, inspection."""

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SupplierKind.choices, default=SupplierKind.MATERIAL)
    country = models.CharField(_("country"), max_length=2, default="CN", validators=[country_validator])
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.TextField(_("address"), blank=True)
    payment_terms = models.CharField(_("payment terms"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        indexes = [models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Contact(VersionedModel):
    """A person at a customer or a supplier (exactly one of the two)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    title = models.CharField(pgettext_lazy("job title", "title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=100, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(customer__isnull=False, supplier__isnull=True))
                | (models.Q(customer__isnull=True, supplier__isnull=False)),
                name="contact_belongs_to_one_party",
            )
        ]

    def __str__(self) -> str:
        return self.name
