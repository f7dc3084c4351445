from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelationsConfig(AppConfig):
    """Customer relations: visit plans and their minutes (客户来访接待), satisfaction surveys (顾客满意度调查) answered
    through signed links."""

    name = "gendan.relations"
    label = "relations"
    verbose_name = _("Customer relations")
