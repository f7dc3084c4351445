"""The reports keep no figures of their own: they read the other apps' tables (selectors) and convert at the monthly
exchange rates of `gendan.core` (`gendan.core.models.ExchangeRate`, read through `gendan.core.fx`). The one model here
has no table: it carries the reports' permissions."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ReportAccess"]


class ReportAccess(models.Model):
    """No table (never queried): the holder of who may see which statistics."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("report access")
        verbose_name_plural = _("report access")
        permissions = [
            ("view_reports", _("Can see the statistics of their own orders, invoices and deliveries")),
            ("view_all_reports", _("Can see the statistics of every customer and merchandiser")),
        ]
