from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    """Quality (品质): inspections with AQL sampling (ISO 2859-1), findings, reports, the defect catalogue."""

    name = "gendan.quality"
    label = "quality"
    verbose_name = _("Quality")
    role_permissions: dict = {}
