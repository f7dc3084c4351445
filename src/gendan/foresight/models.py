"""The foresight report keeps nothing of its own: it reads the orders, their ex-factory milestones and their risk
flags (`gendan.followup.models.RiskFlag`). The one model here has no table: it carries the report's permission."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ForesightAccess"]


class ForesightAccess(models.Model):
    """No table (never queried): the holder of who may see the foresight report."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("foresight access")
        verbose_name_plural = _("foresight access")
        permissions = [("view_report", _("Can see the foresight report"))]
