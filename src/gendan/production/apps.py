from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role


class ProductionConfig(AppConfig):
    """Production follow-up (生产跟单): notices, the capacity check, the plan of daily loads."""

    name = "gendan.production"
    label = "production"
    verbose_name = _("Production")

    _view = ["view_productionnotice", "view_planload"]
    role_permissions = {
        Role.MERCHANDISER: [*_view, "add_productionnotice"],
        Role.SALES: _view,
        Role.PURCHASING: _view,
        Role.PLANNER: [*_view, "add_productionnotice", "change_productionnotice", "release_productionnotice"],
        Role.QC: _view,
        Role.SHIPPING: _view,
        Role.FINANCE: _view,
        Role.MANAGER: [*_view, "add_productionnotice", "change_productionnotice", "release_productionnotice"],
    }
