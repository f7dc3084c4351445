from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role

PANEL_ROWS = 8
CUSTOMER_ROWS = 10


def order_section(request: Any, order: Any) -> dict[str, Any] | None:
    """The order page says which quotation the order was made from."""
    from gendan.quotations.choices import QUOTATION_STATUS_COLORS
    from gendan.quotations.selectors import quotation_of_order

    if not request.user.has_perm("quotations.view_quotation"):
        return None
    quotation = quotation_of_order(order.pk)
    if quotation is None:
        return None
    return {
        "template": "quotations/partials/_order_section.html",
        "context": {"quotation": quotation, "colors": QUOTATION_STATUS_COLORS},
        "order": 5,
    }


def customer_section(request: Any, customer: Any) -> dict[str, Any] | None:
    """The customer file's quotations: the latest ones with their status and value."""
    from gendan.quotations.choices import QUOTATION_STATUS_COLORS
    from gendan.quotations.selectors import quotations_of_customer

    if not request.user.has_perm("quotations.view_quotation"):
        return None
    return {
        "template": "quotations/partials/_customer_section.html",
        "context": {
            "quotations": quotations_of_customer(customer.pk, limit=CUSTOMER_ROWS),
            "colors": QUOTATION_STATUS_COLORS,
            "rows": CUSTOMER_ROWS,
        },
        "order": 30,
    }


def my_quotations_panel(request: Any) -> dict[str, Any] | None:
    """The signed-in salesperson's drafts and sent quotations still valid, the soonest to expire first."""
    from gendan.core import clock
    from gendan.quotations.choices import QUOTATION_STATUS_COLORS
    from gendan.quotations.selectors import open_quotations_of

    user = request.user
    if not user.has_perm("quotations.change_quotation"):
        return None
    quotations = list(open_quotations_of(user)[: PANEL_ROWS + 1])
    if not quotations:
        return None
    return {
        "title": _("My open quotations"),
        "template": "quotations/partials/_panel_quotations.html",
        "context": {
            "quotations": quotations[:PANEL_ROWS],
            "more": len(quotations) > PANEL_ROWS,
            "today": clock.today(),
            "colors": QUOTATION_STATUS_COLORS,
            "user_id": user.pk,
        },
        "order": 35,
    }


class QuotationsConfig(AppConfig):
    """Quotations (计算报价单): the cost build-up per product from the BOM, purchase prices and routings; quantity
    breaks, versions, the PDF, won and lost."""

    name = "gendan.quotations"
    label = "quotations"
    verbose_name = _("Quotations")

    _view = [
        "view_quotation",
        "view_quotationline",
        "view_quotationmaterial",
        "view_quotationoperation",
        "view_quotationbreak",
        "view_processingrate",
        "core.view_exchangerate",  # the monthly exchange rates are core's (gendan.core.fx)
    ]
    _work = [*_view, "add_quotation", "change_quotation"]
    role_permissions = {
        Role.SALES: _work,
        Role.MERCHANDISER: _work,
        Role.PURCHASING: _view,
        Role.PLANNER: _view,
        Role.QC: _view,
        Role.SHIPPING: _view,
        Role.FINANCE: _view,
        Role.MANAGER: [
            *_work,
            "delete_quotation",
            "manage_all_quotations",
            "add_processingrate",
            "change_processingrate",
            "delete_processingrate",
            "core.add_exchangerate",
            "core.change_exchangerate",
            "core.delete_exchangerate",
        ],
    }

    def ready(self) -> None:
        from gendan.core.dashboard import register_panel
        from gendan.partners.hub import register_customer_section
        from gendan.quotations import selectors
        from gendan.quotations.tasks import register_jobs
        from gendan.sales.hub import register_section

        register_section(order_section)
        register_customer_section(customer_section)
        register_panel(my_quotations_panel)
        selectors.register()
        register_jobs()
