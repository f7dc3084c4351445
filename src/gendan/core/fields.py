"""Base model pieces shared by every app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionedModel(models.Model):
    """An editable record: an optimistic `version` (409 when stale) and created/updated stamps."""

    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


def money_field(verbose_name: str, **kw) -> models.DecimalField:  # noqa: ANN003
    return models.DecimalField(verbose_name, max_digits=16, decimal_places=2, **kw)


def qty_field(verbose_name: str, **kw) -> models.DecimalField:  # noqa: ANN003
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=3, **kw)
