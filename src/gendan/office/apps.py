from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role

PANEL_ROWS = 8


def order_tasks_section(request: Any, order: Any) -> dict[str, Any] | None:
    """The order page's assigned tasks (those the viewer may see) and a button to assign one about the order."""
    from gendan.office.choices import PRIORITY_COLORS, TASK_STATUS_COLORS
    from gendan.office.selectors import tasks_about

    if not request.user.has_perm("office.view_task"):
        return None
    tasks = tasks_about(request.user, order_id=order.pk)
    if not tasks and not request.user.has_perm("office.add_task"):
        return None
    return {
        "template": "office/partials/_tasks_section.html",
        "context": {
            "tasks": tasks,
            "new_url_query": f"order={order.pk}",
            "status_colors": TASK_STATUS_COLORS,
            "priority_colors": PRIORITY_COLORS,
            "empty_text": _("No task about this order."),
        },
        "order": 150,
    }


def customer_tasks_section(request: Any, customer: Any) -> dict[str, Any] | None:
    """The customer file's assigned tasks: about the customer or one of its orders."""
    from gendan.office.choices import PRIORITY_COLORS, TASK_STATUS_COLORS
    from gendan.office.selectors import tasks_about

    if not request.user.has_perm("office.view_task"):
        return None
    tasks = tasks_about(request.user, customer_id=customer.pk)
    if not tasks and not request.user.has_perm("office.add_task"):
        return None
    return {
        "template": "office/partials/_tasks_section.html",
        "context": {
            "tasks": tasks,
            "new_url_query": f"customer={customer.pk}",
            "status_colors": TASK_STATUS_COLORS,
            "priority_colors": PRIORITY_COLORS,
            "show_order": True,
            "empty_text": _("No task about this customer."),
        },
        "order": 150,
    }


def my_tasks_panel(request: Any) -> dict[str, Any] | None:
    """The signed-in user's open tasks (overdue first) and the tasks they gave that came back declined."""
    from gendan.core import clock
    from gendan.office.choices import PRIORITY_COLORS, TASK_STATUS_COLORS
    from gendan.office.selectors import open_tasks_of

    user = request.user
    if not user.has_perm("office.view_task"):
        return None
    tasks = list(open_tasks_of(user)[: PANEL_ROWS + 1])
    if not tasks:
        return None
    return {
        "title": _("My tasks"),
        "template": "office/partials/_panel_tasks.html",
        "context": {
            "tasks": tasks[:PANEL_ROWS],
            "more": len(tasks) > PANEL_ROWS,
            "today": clock.today(),
            "status_colors": TASK_STATUS_COLORS,
            "priority_colors": PRIORITY_COLORS,
            "user_id": user.pk,
        },
        "order": 20,
    }


def notices_panel(request: Any) -> dict[str, Any] | None:
    """Notices and minutes the signed-in user has not read (or not acknowledged when asked)."""
    from gendan.office.selectors import notice_list

    user = request.user
    if not user.has_perm("office.view_notice"):
        return None
    notices = list(notice_list(viewer=user, box="inbox", unread=True)[: PANEL_ROWS + 1])
    if not notices:
        return None
    return {
        "title": _("Unread notices"),
        "template": "office/partials/_panel_notices.html",
        "context": {"notices": notices[:PANEL_ROWS], "more": len(notices) > PANEL_ROWS},
        "order": 21,
    }


def summary_panel(request: Any) -> dict[str, Any] | None:
    """The signed-in user's day so far (每日总结): completed, followed up, slipped, due on the next working day."""
    if not request.user.has_perm("office.view_task"):
        return None
    return {  # the summary is fetched by the panel once the dashboard has loaded (office:summary_panel)
        "title": _("My day"),
        "template": "office/partials/_panel_summary_lazy.html",
        "context": {},
        "order": 90,
    }


class OfficeConfig(AppConfig):
    """The daily office: tasks a manager assigns (主管交办事项), notices and meeting minutes to departments and
    factories (传达通知, 会议记录), each person's daily summary (每天总结)."""

    name = "gendan.office"
    label = "office"
    verbose_name = _("Office")

    _everyone = ["view_task", "view_taskcomment", "view_notice", "view_noticerecipient", "add_notice"]
    _manager = [
        *_everyone,
        "add_task",
        "change_task",
        "manage_tasks",
        "view_team_summary",
        "change_notice",
        "view_all_notices",
    ]
    role_permissions = {
        Role.MERCHANDISER: _everyone,
        Role.SALES: _everyone,
        Role.PURCHASING: _everyone,
        Role.PLANNER: _everyone,
        Role.QC: _everyone,
        Role.SHIPPING: _everyone,
        Role.FINANCE: _everyone,
        Role.MANAGER: _manager,
    }

    def ready(self) -> None:
        from gendan.core import links
        from gendan.core.dashboard import register_panel
        from gendan.office import selectors
        from gendan.office.services import LINK_PURPOSE
        from gendan.office.tasks import register_jobs
        from gendan.partners.hub import register_customer_section
        from gendan.sales.hub import register_section

        register_section(order_tasks_section)
        register_customer_section(customer_tasks_section)
        register_panel(my_tasks_panel)
        register_panel(notices_panel)
        register_panel(summary_panel)
        selectors.register()
        links.register_purpose(LINK_PURPOSE, "office.change_notice")
        register_jobs()
