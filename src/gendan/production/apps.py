from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role


def production_section(request: Any, order: Any) -> dict[str, Any] | None:
    """The order page's production: its notices, lines still without one, the capacity check."""
    from gendan.production.views import production_section_context

    if not request.user.has_perm("production.view_productionnotice"):
        return None
    return {
        "template": "production/partials/_production_section.html",
        "context": production_section_context(request, order),
        "order": 120,
    }


class ProductionConfig(AppConfig):
    """Production follow-up (生产跟单): notices, the capacity check, the plan of daily loads."""

    name = "gendan.production"
    label = "production"
    verbose_name = _("Production")

    _view = [
        "view_productionnotice",
        "view_planload",
        "view_dailyreport",
        "view_anomaly",
        "view_anomalyaction",
        "view_subcontractorder",
        "view_subcontractreceipt",
    ]
    _raise = [*_view, "add_anomaly", "change_anomaly"]
    _outsource = ["add_subcontractorder", "change_subcontractorder", "add_subcontractreceipt"]
    role_permissions = {
        Role.MERCHANDISER: [*_raise, *_outsource, "add_productionnotice"],
        Role.SALES: _view,
        Role.PURCHASING: _view,
        Role.PLANNER: [
            *_raise,
            "add_productionnotice",
            "change_productionnotice",
            "release_productionnotice",
            "edit_plan",
            "add_dailyreport",
            "change_dailyreport",
            *_outsource,
        ],
        Role.QC: [*_raise, "add_subcontractreceipt"],
        Role.SHIPPING: _view,
        Role.FINANCE: _view,
        Role.MANAGER: [
            *_raise,
            "add_productionnotice",
            "change_productionnotice",
            "release_productionnotice",
            "edit_plan",
            "add_dailyreport",
            "change_dailyreport",
            *_outsource,
        ],
    }

    def ready(self) -> None:
        from gendan.production import (
            selectors,  # noqa: F401 - registers the anomalies' chase-list rows
            subcontracting,
        )
        from gendan.sales.hub import register_section

        register_section(production_section)
        subcontracting.register()
