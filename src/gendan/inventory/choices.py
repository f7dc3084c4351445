"""Inventory constants: the kinds of stock movement."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")  # into stock: from a supplier (after incoming inspection) or from production
    ISSUE = "issue", _("Issue to production")
    ADJUSTMENT = "adjustment", _("Adjustment")
    RETURN = "return", _("Return to supplier")


MOVEMENT_SIGN = {MovementKind.RECEIPT: 1, MovementKind.ISSUE: -1, MovementKind.RETURN: -1}
