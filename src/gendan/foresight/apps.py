from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role


class ForesightConfig(AppConfig):
    """Foresight (预见性报告): how far ahead the risk flags warned of the orders that shipped late, and how often they
    warned of orders that shipped on time."""

    name = "gendan.foresight"
    label = "foresight"
    verbose_name = _("Foresight")

    role_permissions = {
        Role.MERCHANDISER: ["view_report"],
        Role.MANAGER: ["view_report"],
    }

    def ready(self) -> None:
        from gendan.catalog.hub import register_work_centre_section
        from gendan.foresight.tasks import register_jobs
        from gendan.foresight.views import supplier_delay_section, work_centre_delay_section
        from gendan.partners.hub import register_supplier_section

        register_jobs()
        register_supplier_section(supplier_delay_section)
        register_work_centre_section(work_centre_delay_section)
