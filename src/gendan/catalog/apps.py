from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role


class CatalogConfig(AppConfig):
    name = "gendan.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    _view = ["view_product", "view_material", "view_bomline"]
    _edit = [
        "add_product",
        "change_product",
        "add_material",
        "change_material",
        "add_bomline",
        "change_bomline",
        "delete_bomline",
    ]
    role_permissions = {
        Role.MERCHANDISER: [*_view, *_edit],
        Role.SALES: [*_view, "add_product", "change_product"],
        Role.PURCHASING: [*_view, "add_material", "change_material"],
        Role.PLANNER: [*_view, *_edit],
        Role.QC: [*_view],
        Role.SHIPPING: [*_view, "change_product"],
        Role.FINANCE: [*_view],
        Role.MANAGER: [*_view, *_edit],
    }
