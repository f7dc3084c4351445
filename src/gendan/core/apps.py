from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role


class CoreConfig(AppConfig):
    name = "gendan.core"
    label = "core"
    verbose_name = _("Core")

    role_permissions = {
        Role.MANAGER: ["view_calendarday", "change_calendarday"],
        Role.PLANNER: ["view_calendarday", "change_calendarday"],
        **{
            r: ["view_calendarday"]
            for r in (Role.MERCHANDISER, Role.SALES, Role.PURCHASING, Role.QC, Role.SHIPPING, Role.FINANCE)
        },
    }

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from gendan.core.roles import ensure_roles

        post_migrate.connect(ensure_roles, dispatch_uid="gendan.core.ensure_roles")
