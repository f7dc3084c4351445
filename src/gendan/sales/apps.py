from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role

PANEL_ROWS = 10


def review_panel(request: Any) -> dict[str, Any] | None:
    """Review items waiting for the signed-in user's department."""
    from gendan.sales.selectors import pending_reviews_for

    user = request.user
    if not user.has_perm("sales.view_order") or not user.department_id:
        return None
    pending = pending_reviews_for(user)
    items = list(pending[:PANEL_ROWS])
    total = len(items) if len(items) < PANEL_ROWS else pending.count()
    return {
        "title": _("Review items waiting for my department"),
        "template": "sales/partials/_panel_reviews.html",
        "context": {"items": items[:PANEL_ROWS], "more": total - len(items)},
        "order": 10,
    }


def my_orders_panel(request: Any) -> dict[str, Any] | None:
    """The signed-in merchandiser's open orders, next ex-factory date first."""
    from gendan.sales.selectors import open_orders_of

    user = request.user
    if not user.has_perm("sales.change_order"):
        return None
    return {
        "title": _("My open orders"),
        "template": "sales/partials/_panel_my_orders.html",
        "context": {"orders": list(open_orders_of(user)[:PANEL_ROWS]), "user_id": user.pk},
        "order": 20,
    }


CUSTOMER_ORDER_ROWS = 15


def customer_orders_section(request: Any, customer: Any) -> dict[str, Any] | None:
    """The customer file's orders: its open orders (next ex-factory first, with the forecast and risk), then the
    latest others; counts and value per status."""
    from gendan.sales.selectors import customer_orders

    if not request.user.has_perm("sales.view_order"):
        return None
    return {
        "template": "sales/partials/_customer_orders.html",
        "context": customer_orders(customer.pk, rows=CUSTOMER_ORDER_ROWS),
        "order": 10,
    }


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

    def ready(self) -> None:
        from gendan.core.dashboard import register_panel
        from gendan.partners.hub import register_customer_section

        register_customer_section(customer_orders_section)
        register_panel(review_panel)
        register_panel(my_orders_panel)
