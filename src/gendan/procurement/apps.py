from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role


def materials_section(request: Any, order: Any) -> dict[str, Any] | None:
    """The order page's materials: requirements netted, what is to buy, the purchase lines bought for it."""
    from gendan.procurement.views import materials_section_context

    if not request.user.has_perm("procurement.view_materialrequirement"):
        return None
    return {
        "template": "procurement/partials/_materials_section.html",
        "context": materials_section_context(request, order),
        "order": 110,  # after the T&A plan
    }


def inspections_panel(request: Any) -> dict[str, Any] | None:
    """Deliveries waiting for incoming inspection, oldest first: for whoever inspects."""
    from gendan.procurement.selectors import inspections

    if not request.user.has_perm("procurement.inspect_material"):
        return None
    waiting = inspections()
    rows = list(waiting[:10])
    return {
        "title": _("Waiting for incoming inspection"),
        "template": "procurement/partials/_panel_inspections.html",
        "context": {"rows": rows, "more": max(waiting.count() - len(rows), 0) if len(rows) == 10 else 0},
        "order": 15,
    }


class ProcurementConfig(AppConfig):
    """Material requirements, purchase orders, supplier links, expediting, receiving and incoming inspection,
    delay causes and supplier scorecards (物料需求、订购单、催单、收货检验、供应商评分)."""

    name = "gendan.procurement"
    label = "procurement"
    verbose_name = _("Purchasing")

    _view = [
        "view_materialrequirement",
        "view_requirementrun",
        "view_purchaseorder",
        "view_purchaseorderline",
        "view_receipt",
        "view_incominginspection",
    ]
    _buy = [*_view, "add_purchaseorder", "change_purchaseorder", "add_receipt", "change_materialrequirement"]
    role_permissions = {
        Role.MERCHANDISER: [*_view, "change_materialrequirement"],
        Role.SALES: _view,
        Role.PURCHASING: _buy,
        Role.PLANNER: [*_view, "change_materialrequirement", "add_receipt"],
        Role.QC: [*_view, "inspect_material", "add_receipt"],
        Role.SHIPPING: _view,
        Role.FINANCE: _view,
        Role.MANAGER: [*_buy, "approve_purchaseorder", "inspect_material"],
    }

    def ready(self) -> None:
        from gendan.core.dashboard import register_panel
        from gendan.procurement import hooks, selectors  # noqa: F401 - selectors registers the expediting rows
        from gendan.procurement.tasks import register_jobs
        from gendan.quality.selectors import register_list_source
        from gendan.sales.hub import register_section

        hooks.connect()
        register_jobs()
        register_list_source("incoming", _("Incoming inspection"), selectors.incoming_inspection_rows)
        register_section(materials_section)
        register_panel(inspections_panel)
