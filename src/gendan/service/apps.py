from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role

PANEL_ROWS = 8


def complaints_section(request: Any, order: Any) -> dict[str, Any] | None:
    """The order page's complaints: each with its status, responsible, due date and settlement."""
    from gendan.service.choices import SEVERITY_COLORS, STATUS_COLORS
    from gendan.service.selectors import order_complaints

    if not request.user.has_perm("service.view_complaint"):
        return None
    complaints = order_complaints(order.pk)
    if not complaints and not request.user.has_perm("service.add_complaint"):
        return None
    from gendan.core import clock

    return {
        "template": "service/partials/_order_section.html",
        "context": {
            "complaints": complaints,
            "status_colors": STATUS_COLORS,
            "severity_colors": SEVERITY_COLORS,
            "today": clock.today(),
        },
        "order": 190,
    }


def replacement_section(request: Any, order: Any) -> dict[str, Any] | None:
    """A replacement order's page (补货订单) says which complaint it replaces, at the top."""
    from gendan.service.choices import STATUS_COLORS
    from gendan.service.selectors import complaint_replaced_by

    complaint = complaint_replaced_by(order.pk)
    if complaint is None:
        return None
    return {
        "template": "service/partials/_replacement_section.html",
        "context": {"replaced": complaint, "status_colors": STATUS_COLORS},
        "order": 4,
    }


def customer_complaints_section(request: Any, customer: Any) -> dict[str, Any] | None:
    """The customer file's complaints: the latest ones and the figures of the last twelve months."""
    from gendan.core import clock
    from gendan.service.choices import SEVERITY_COLORS, STATUS_COLORS
    from gendan.service.selectors import customer_summary

    if not request.user.has_perm("service.view_complaint"):
        return None
    return {
        "template": "service/partials/_customer_section.html",
        "context": {
            **customer_summary(customer.pk),
            "status_colors": STATUS_COLORS,
            "severity_colors": SEVERITY_COLORS,
            "today": clock.today(),
        },
        "order": 140,
    }


def my_complaints_panel(request: Any) -> dict[str, Any] | None:
    """The signed-in user's open complaints (responsible or owner) and open complaint actions."""
    from gendan.core import clock
    from gendan.service.choices import STATUS_COLORS
    from gendan.service.selectors import open_actions_of, open_complaints_of

    user = request.user
    if not user.has_perm("service.view_complaint"):
        return None
    complaints = list(open_complaints_of(user)[: PANEL_ROWS + 1])
    actions = list(open_actions_of(user)[: PANEL_ROWS + 1])
    if not complaints and not actions:
        return None
    return {
        "title": _("My complaints"),
        "template": "service/partials/_panel.html",
        "context": {
            "complaints": complaints[:PANEL_ROWS],
            "actions": actions[:PANEL_ROWS],
            "more": len(complaints) > PANEL_ROWS or len(actions) > PANEL_ROWS,
            "today": clock.today(),
            "status_colors": STATUS_COLORS,
            "user_id": user.pk,
        },
        "order": 45,
    }


def _discount_note(order: Any) -> str:
    from gendan.service.services import discount_note

    return discount_note(order)


def _replacement_note(order: Any) -> str:
    from gendan.service.services import replacement_note

    return replacement_note(order)


class ServiceConfig(AppConfig):
    """Customer service: complaints (客户投诉), their investigation, corrective actions, answer and settlement."""

    name = "gendan.service"
    label = "service"
    verbose_name = _("Customer service")

    _view = ["view_complaint", "view_complaintline", "view_complaintaction", "view_rootcause"]
    # those a complaint can be routed to: they investigate and take actions
    _investigate = [*_view, "change_complaint", "add_complaintaction", "change_complaintaction"]
    # those who register complaints from customers
    _work = [*_investigate, "add_complaint"]
    role_permissions = {
        Role.MERCHANDISER: _work,
        Role.SALES: _work,
        Role.QC: _work,
        Role.PURCHASING: _investigate,
        Role.PLANNER: _investigate,
        Role.SHIPPING: _investigate,
        Role.FINANCE: _view,
        Role.MANAGER: [*_work, "settle_complaint", "add_rootcause", "change_rootcause"],
    }

    def ready(self) -> None:
        from gendan.core.dashboard import register_panel
        from gendan.partners.hub import register_customer_section
        from gendan.sales.choices import ReviewTopic
        from gendan.sales.hub import register_review_note, register_section
        from gendan.service import selectors

        register_section(replacement_section)
        register_section(complaints_section)
        register_customer_section(customer_complaints_section)
        register_panel(my_complaints_panel)
        register_review_note(ReviewTopic.PRICE, _replacement_note)
        register_review_note(ReviewTopic.PRICE, _discount_note)
        selectors.register()
