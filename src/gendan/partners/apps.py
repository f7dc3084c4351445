from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role


class PartnersConfig(AppConfig):
    name = "gendan.partners"
    label = "partners"
    verbose_name = _("Partners")

    _view = ["view_customer", "view_supplier", "view_contact"]
    role_permissions = {
        Role.MERCHANDISER: [
            *_view,
            "add_customer",
            "change_customer",
            "add_contact",
            "change_contact",
            "add_supplier",
            "change_supplier",
        ],
        Role.SALES: [*_view, "add_customer", "change_customer", "add_contact", "change_contact"],
        Role.PURCHASING: [*_view, "add_supplier", "change_supplier", "add_contact", "change_contact"],
        Role.PLANNER: [*_view],
        Role.QC: [*_view],
        Role.SHIPPING: [*_view, "add_supplier", "change_supplier", "add_contact", "change_contact"],
        Role.FINANCE: [*_view, "change_customer"],
        Role.MANAGER: [
            *_view,
            "add_customer",
            "change_customer",
            "add_supplier",
            "change_supplier",
            "add_contact",
            "change_contact",
            "delete_contact",
        ],
    }
