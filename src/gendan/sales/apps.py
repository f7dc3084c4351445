from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role


class SalesConfig(AppConfig):
    name = "gendan.sales"
    label = "sales"
    verbose_name = _("Sales")

    _view = ["view_order", "view_orderline", "view_reviewitem", "view_orderrevision"]
    _edit = ["add_order", "change_order"]
    role_permissions = {
        Role.MERCHANDISER: [*_view, *_edit],
        Role.SALES: [*_view, *_edit],
        Role.PURCHASING: [*_view],
        Role.PLANNER: [*_view],
        Role.QC: [*_view],
        Role.SHIPPING: [*_view],
        Role.FINANCE: [*_view],
        Role.MANAGER: [*_view, *_edit, "manage_all_orders", "override_review", "review_any"],
    }
