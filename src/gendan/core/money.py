"""Money: Decimal with an ISO 4217 currency, rounded per currency by one function."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

ZERO_DECIMAL_CURRENCIES = {"JPY", "KRW", "VND", "TWD"}


class Currency(models.TextChoices):
    CNY = "CNY", _("CNY Chinese yuan")
    USD = "USD", _("USD US dollar")
    EUR = "EUR", _("EUR euro")
    GBP = "GBP", _("GBP pound sterling")
    JPY = "JPY", _("JPY Japanese yen")
    HKD = "HKD", _("HKD Hong Kong dollar")
    AUD = "AUD", _("AUD Australian dollar")
    CAD = "CAD", _("CAD Canadian dollar")
    CHF = "CHF", _("CHF Swiss franc")
    SGD = "SGD", _("SGD Singapore dollar")
    KRW = "KRW", _("KRW Korean won")
    AED = "AED", _("AED UAE dirham")


def places(currency: str) -> int:
    return 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2


def round_money(amount: Decimal | int | str, currency: str) -> Decimal:
    """Round an amount the way `currency` is written (2 places; JPY and the like 0)."""
    quantum = Decimal(1).scaleb(-places(currency))
    return Decimal(amount).quantize(quantum, rounding=ROUND_HALF_UP)
