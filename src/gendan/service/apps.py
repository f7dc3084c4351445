from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    """Customer service: complaints (客户投诉), their investigation, corrective actions, answer and settlement."""

    name = "gendan.service"
    label = "service"
    verbose_name = _("Customer service")
