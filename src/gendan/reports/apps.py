from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Statistics (统计): sales, inventory, collection and delivery performance, filterable, exportable, charted;
    the manager's dashboard."""

    name = "gendan.reports"
    label = "reports"
    verbose_name = _("Reports")
