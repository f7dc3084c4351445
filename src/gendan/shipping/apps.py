from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role


def shipping_section(request: Any, order: Any) -> dict[str, Any] | None:
    """The order page's shipments, and shipped vs ordered per line."""
    from gendan.shipping.views import order_section_context

    if not request.user.has_perm("shipping.view_shipment"):
        return None
    return {
        "template": "shipping/partials/_order_section.html",
        "context": order_section_context(request, order),
        "order": 150,
    }


class ShippingConfig(AppConfig):
    """Shipping (出货跟单): shipments, packing, bookings, customs, export documents."""

    name = "gendan.shipping"
    label = "shipping"
    verbose_name = _("Shipping")

    _view = [
        "view_shipment",
        "view_shipmentline",
        "view_customsdeclaration",
        "view_customsline",
        "view_shippingprofile",
    ]
    _ship = [
        *_view,
        "add_shipment",
        "change_shipment",
        "add_customsdeclaration",
        "change_customsdeclaration",
        "add_shippingprofile",
        "change_shippingprofile",
    ]
    role_permissions = {
        Role.SHIPPING: _ship,
        Role.MERCHANDISER: _ship,  # in many companies the merchandiser arranges the shipment too (安排出货)
        Role.MANAGER: _ship,
        Role.SALES: _view,
        Role.PURCHASING: _view,
        Role.PLANNER: _view,
        Role.QC: _view,
        Role.FINANCE: _view,
    }

    def ready(self) -> None:
        from gendan.inventory.allocation import register_shipped_quantity_source
        from gendan.sales.hub import register_section
        from gendan.shipping import selectors  # noqa: F401 - registers the shipments' chase-list rows

        register_section(shipping_section)
        register_shipped_quantity_source(selectors.line_progress)  # inventory's allocation of short stock reads it
