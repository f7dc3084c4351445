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
    # Work centres, their capacity exceptions and routings: everyone sees them, production planning (PMC) and
    # managers keep them. A capacity exception is changed with the work centre's change right.
    _view_plant = ["view_workcentre", "view_capacityexception", "view_routingstep"]
    _edit_plant = [
        "add_workcentre",
        "change_workcentre",
        "add_capacityexception",
        "change_capacityexception",
        "delete_capacityexception",
        "add_routingstep",
        "change_routingstep",
        "delete_routingstep",
    ]
    role_permissions = {
        Role.MERCHANDISER: [*_view, *_edit, *_view_plant],
        Role.SALES: [*_view, "add_product", "change_product", *_view_plant],
        Role.PURCHASING: [*_view, "add_material", "change_material", *_view_plant],
        Role.PLANNER: [*_view, *_edit, *_view_plant, *_edit_plant],
        Role.QC: [*_view, *_view_plant],
        Role.SHIPPING: [*_view, "change_product", *_view_plant],
        Role.FINANCE: [*_view, *_view_plant],
        Role.MANAGER: [*_view, *_edit, *_view_plant, *_edit_plant],
    }
