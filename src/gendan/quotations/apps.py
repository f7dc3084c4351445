from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuotationsConfig(AppConfig):
    """Quotations (计算报价单): the cost build-up per product from the BOM, purchase prices and routings; quantity
    breaks, versions, the PDF, won and lost."""

    name = "gendan.quotations"
    label = "quotations"
    verbose_name = _("Quotations")
