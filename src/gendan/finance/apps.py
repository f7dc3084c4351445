from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    """Finance (货款): invoices and receivables, receipts, statements, FX settlement, verification, tax rebate."""

    name = "gendan.finance"
    label = "finance"
    verbose_name = _("Finance")
    role_permissions: dict = {}
