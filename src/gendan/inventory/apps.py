from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role


class InventoryConfig(AppConfig):
    """Warehouses, stock, movements and reservations (仓库、库存、出入库、预留)."""

    name = "gendan.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    _view = [
        "view_warehouse",
        "view_location",
        "view_stock",
        "view_stockmovement",
        "view_reservation",
        "view_stockallocation",
    ]
    _move = [*_view, "add_stockmovement"]
    _allocate = ["add_stockallocation", "change_stockallocation"]  # allocation of short stock (缺货分配)
    role_permissions = {
        Role.MERCHANDISER: [*_view, *_allocate],
        Role.SALES: _view,
        Role.PURCHASING: _move,
        Role.PLANNER: _move,
        Role.QC: _view,
        Role.SHIPPING: _move,
        Role.FINANCE: _view,
        Role.MANAGER: [
            *_move,
            *_allocate,
            "add_warehouse",
            "change_warehouse",
            "add_location",
            "change_location",
            "override_negative_stock",
        ],
    }

    def ready(self) -> None:
        from gendan.core.dashboard import register_panel
        from gendan.inventory import allocation, allocation_views
        from gendan.partners.hub import register_customer_section
        from gendan.sales import signals
        from gendan.sales.hub import register_section

        signals.order_moved.connect(allocation.on_order_moved, dispatch_uid="inventory.allocation.order_moved")
        signals.order_changed.connect(allocation.on_order_changed, dispatch_uid="inventory.allocation.order_changed")
        register_section(allocation_views.order_section)
        register_customer_section(allocation_views.customer_section)
        register_panel(allocation_views.short_stock_panel)
