from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role


def chase_panel(request: Any) -> dict[str, Any] | None:
    """Today's chase list (每日跟进清单) of the signed-in user, first on the dashboard."""
    from gendan.followup.views import chase_panel_context

    if not request.user.has_perm("followup.view_milestone"):
        return None
    return {
        "title": _("To chase today"),
        "template": "followup/partials/_chase_panel.html",
        "context": chase_panel_context(request),
        "order": 1,
        "wide": True,
    }


def plan_section(request: Any, order: Any) -> dict[str, Any] | None:
    """The order page's T&A plan: the Gantt chart, the milestones and the follow-up log."""
    from gendan.followup.views import plan_section_context

    if not request.user.has_perm("followup.view_milestone"):
        return None
    return {"template": "followup/partials/_plan_section.html", "context": plan_section_context(request, order)}


def _ensure_default_template(sender: Any = None, **kwargs: Any) -> None:
    if sender is None or sender.name != "gendan.followup":
        return
    from gendan.followup.services import ensure_default_template

    ensure_default_template()


def _connect_order_signals() -> None:
    from gendan.followup import services
    from gendan.sales import signals

    def confirmed(sender: Any, order: Any, by: Any, **kwargs: Any) -> list[str]:
        return services.on_order_confirmed(order=order, by=by)

    def changed(sender: Any, order: Any, by: Any, **kwargs: Any) -> None:
        services.on_order_changed(order=order, by=by)

    def moved(sender: Any, order: Any, old: str, new: str, by: Any, **kwargs: Any) -> None:
        services.on_order_moved(order=order, old=old, new=new, by=by)

    signals.order_confirmed.connect(confirmed, weak=False, dispatch_uid="followup.plan_on_confirm")
    signals.order_changed.connect(changed, weak=False, dispatch_uid="followup.replan_on_change")
    signals.order_moved.connect(moved, weak=False, dispatch_uid="followup.reforecast_on_move")


def customer_delivery_section(request: Any, customer: Any) -> dict[str, Any] | None:
    """The customer file's delivery record (on time in the last 12 months) and follow-up log."""
    from gendan.followup.selectors import customer_delivery, customer_follow_ups

    if not request.user.has_perm("followup.view_milestone"):
        return None
    return {
        "template": "followup/partials/_customer_section.html",
        "context": {"delivery": customer_delivery(customer.pk), "follow_ups": customer_follow_ups(customer.pk)},
        "order": 20,
    }


class FollowupConfig(AppConfig):
    """T&A plans, forecasts, the chase list and the risk board (跟单计划、预计、每日跟进清单、风险看板)."""

    name = "gendan.followup"
    label = "followup"
    verbose_name = _("Follow-up")

    _view = ["view_milestone", "view_followup", "view_tatemplate", "view_templatemilestone"]
    _follow = [*_view, "change_milestone", "add_followup"]
    role_permissions = {
        Role.MERCHANDISER: _follow,
        Role.SALES: [*_view, "add_followup"],
        Role.PURCHASING: _follow,
        Role.PLANNER: _follow,
        Role.QC: _follow,
        Role.SHIPPING: _follow,
        Role.FINANCE: _follow,
        Role.MANAGER: [*_follow, "manage_plans", "add_tatemplate", "change_tatemplate"],
    }

    def ready(self) -> None:
        from gendan.core.dashboard import register_panel
        from gendan.followup.tasks import register_jobs
        from gendan.partners.hub import register_customer_section
        from gendan.sales.hub import register_section

        register_panel(chase_panel)
        register_jobs()
        register_section(plan_section)
        register_customer_section(customer_delivery_section)
        _connect_order_signals()
        post_migrate.connect(_ensure_default_template, sender=self, dispatch_uid="followup.default_template")
