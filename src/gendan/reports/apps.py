from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role


def key_figures_panel(request: Any) -> dict[str, Any] | None:
    """The dashboard's key figures for those who see every figure (managers, finance): this month's sales, open and
    at-risk orders, on time in full, overdue receivables and DSO, with a link to the reports."""
    if not request.user.has_perm("reports.view_all_reports"):
        return None
    return {  # the figures themselves are fetched by the panel once the dashboard has loaded (reports:panel)
        "title": _("Key figures"),
        "template": "reports/partials/_panel_key_figures.html",
        "context": {},
        "order": 5,
        "wide": True,
    }


def customer_statistics_section(request: Any, customer: Any) -> dict[str, Any] | None:
    """The customer page's statistics: sales of the last twelve months, on time in full, receivable and DSO."""
    from gendan.core.exceptions import PermissionDenied
    from gendan.reports.selectors import customer_figures, scope_of

    try:
        scope = scope_of(request.user)
    except PermissionDenied:
        return None
    return {
        "template": "reports/partials/_customer_section.html",
        "context": {"figures": customer_figures(customer.pk, scope=scope), "scoped": scope is not None},
        "order": 150,
    }


class ReportsConfig(AppConfig):
    """Statistics (统计): sales, inventory, collection and delivery performance, filterable, exportable, charted;
    the manager's dashboard."""

    name = "gendan.reports"
    label = "reports"
    verbose_name = _("Reports")

    # the monthly exchange rates the reports convert at are core's table (gendan.core.fx), kept on the reports' page
    _own = ["view_reports", "core.view_exchangerate"]
    _all = [
        *_own,
        "view_all_reports",
        "core.add_exchangerate",
        "core.change_exchangerate",
        "core.delete_exchangerate",
    ]
    role_permissions = {
        Role.MERCHANDISER: _own,
        Role.SALES: _own,
        Role.PURCHASING: ["core.view_exchangerate"],
        Role.PLANNER: ["core.view_exchangerate"],
        Role.SHIPPING: ["core.view_exchangerate"],
        Role.FINANCE: _all,
        Role.MANAGER: _all,
    }

    def ready(self) -> None:
        from gendan.core.dashboard import register_panel
        from gendan.partners.hub import register_customer_section

        register_panel(key_figures_panel)
        register_customer_section(customer_statistics_section)
