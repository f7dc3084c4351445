"""The reports' one table: exchange rates (汇率) by currency and month, the stored rates every statistic converts
its amounts at. The reports themselves read the other apps' tables (selectors); they keep no figures of their own."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gendan.core.fields import VersionedModel
from gendan.core.money import Currency

__all__ = ["ExchangeRate"]


class ExchangeRate(VersionedModel):
    """How many CNY one unit of `currency` was worth in `month` (the first day of the month): 1 USD = 7.12 CNY.

    One rate per currency and month; a month without its own rate takes the latest earlier one (see
    `gendan.reports.fx`). CNY itself is always 1 and never stored."""

    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    month = models.DateField(_("month"), help_text=_("The first day of the month the rate is for."))
    rate = models.DecimalField(
        _("rate to CNY"),
        max_digits=14,
        decimal_places=6,
        validators=[MinValueValidator(0)],
        help_text=_("CNY for one unit of the currency."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-month", "currency"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "month"], name="exchange_rate_once_per_month"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
        ]
        permissions = [
            ("view_reports", _("Can see the statistics of their own orders, invoices and deliveries")),
            ("view_all_reports", _("Can see the statistics of every customer and merchandiser")),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.month:%Y-%m}: {self.rate}"
