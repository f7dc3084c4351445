from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role


class InventoryConfig(AppConfig):
    """Warehouses, stock, movements and reservations (仓库、库存、出入库、预留)."""

    name = "gendan.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    _view = ["view_warehouse", "view_location", "view_stock", "view_stockmovement", "view_reservation"]
    _move = [*_view, "add_stockmovement"]
    role_permissions = {
        Role.MERCHANDISER: _view,
        Role.SALES: _view,
        Role.PURCHASING: _move,
        Role.PLANNER: _move,
        Role.QC: _view,
        Role.SHIPPING: _move,
        Role.FINANCE: _view,
        Role.MANAGER: [
            *_move,
            "add_warehouse",
            "change_warehouse",
            "add_location",
            "change_location",
            "override_negative_stock",
        ],
    }
