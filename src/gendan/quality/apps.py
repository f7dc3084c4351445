from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role


def quality_section(request: Any, order: Any) -> dict[str, Any] | None:
    """The order page's inspections, with a button to plan one."""
    from gendan.quality.views import order_section_context

    if not request.user.has_perm("quality.view_inspection"):
        return None
    return {
        "template": "quality/partials/_order_section.html",
        "context": order_section_context(request, order),
        "order": 130,
    }


class QualityConfig(AppConfig):
    """Quality (品质): inspections with AQL sampling (ISO 2859-1), findings, reports, the defect catalogue."""

    name = "gendan.quality"
    label = "quality"
    verbose_name = _("Quality")

    _view = [
        "view_inspection",
        "view_inspectiondefect",
        "view_inspectioncheck",
        "view_defecttype",
        "view_qualitydefaults",
    ]
    _plan = [*_view, "add_inspection", "change_inspection"]
    _inspect = [
        *_plan,
        "inspect_lot",
        "add_defecttype",
        "change_defecttype",
        "add_qualitydefaults",
        "change_qualitydefaults",
    ]
    role_permissions = {
        Role.MERCHANDISER: _plan,
        Role.SALES: _view,
        Role.PURCHASING: _view,
        Role.PLANNER: _view,
        Role.QC: _inspect,
        Role.SHIPPING: _view,
        Role.FINANCE: _view,
        Role.MANAGER: _inspect,
    }

    def ready(self) -> None:
        from gendan.quality import selectors  # noqa: F401 - registers the inspections' chase-list rows
        from gendan.sales.hub import register_section

        register_section(quality_section)
