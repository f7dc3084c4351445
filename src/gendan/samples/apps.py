from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role

PANEL_ROWS = 8


def samples_section(request: Any, order: Any) -> dict[str, Any] | None:
    """The order page's samples: each with its kind, round and status, and a button to request one."""
    from gendan.samples.choices import SAMPLE_STATUS_COLORS
    from gendan.samples.selectors import order_samples

    if not request.user.has_perm("samples.view_sample"):
        return None
    return {
        "template": "samples/partials/_samples_section.html",
        "context": {"samples": order_samples(order.pk), "sample_colors": SAMPLE_STATUS_COLORS},
        "order": 110,
    }


def customer_samples_section(request: Any, customer: Any) -> dict[str, Any] | None:
    """The customer file's samples (newest first)."""
    from gendan.samples.choices import SAMPLE_STATUS_COLORS
    from gendan.samples.selectors import customer_samples

    if not request.user.has_perm("samples.view_sample"):
        return None
    return {
        "template": "samples/partials/_customer_samples.html",
        "context": {"samples": customer_samples(customer.pk), "sample_colors": SAMPLE_STATUS_COLORS},
        "order": 30,
    }


def my_samples_panel(request: Any) -> dict[str, Any] | None:
    """The signed-in user's open samples, the most pressing required-by date first."""
    from gendan.core import clock
    from gendan.samples.choices import SAMPLE_STATUS_COLORS
    from gendan.samples.selectors import open_samples_of

    user = request.user
    if not user.has_perm("samples.change_sample"):
        return None
    samples = list(open_samples_of(user)[: PANEL_ROWS + 1])
    if not samples:
        return None
    return {
        "title": _("My open samples"),
        "template": "samples/partials/_panel_samples.html",
        "context": {
            "samples": samples[:PANEL_ROWS],
            "more": len(samples) > PANEL_ROWS,
            "today": clock.today(),
            "sample_colors": SAMPLE_STATUS_COLORS,
            "user_id": user.pk,
        },
        "order": 40,
    }


class SamplesConfig(AppConfig):
    """Samples (打样/寄样): sample requests and their rounds, the sampling checklist, the dispatch register."""

    name = "gendan.samples"
    label = "samples"
    verbose_name = _("Samples")

    _view = ["view_sample", "view_sampleround", "view_samplestep", "view_dispatch", "view_dispatchitem"]
    _work = [*_view, "add_sample", "change_sample", "add_dispatch", "change_dispatch"]
    role_permissions = {
        Role.MERCHANDISER: _work,
        Role.SALES: _work,
        Role.PURCHASING: _view,
        Role.PLANNER: _view,
        Role.QC: _view,
        Role.SHIPPING: [*_view, "add_dispatch", "change_dispatch"],
        Role.FINANCE: _view,
        Role.MANAGER: _work,
    }

    def ready(self) -> None:
        from gendan.core.dashboard import register_panel
        from gendan.partners.hub import register_customer_section
        from gendan.sales.hub import register_section
        from gendan.samples import selectors

        register_section(samples_section)
        register_customer_section(customer_samples_section)
        register_panel(my_samples_panel)
        selectors.register()
