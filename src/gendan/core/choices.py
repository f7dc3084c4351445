"""Roles, departments and audit actions: the constants every app shares."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    """A role is a Django group with the permissions of the job."""

    MERCHANDISER = "merchandiser", _("Merchandiser")
    SALES = "sales", _("Salesperson")
    PURCHASING = "purchasing", _("Purchasing")
    PLANNER = "planner", _("Production planning (PMC)")
    QC = "qc", _("Quality control (QC)")
    SHIPPING = "shipping", _("Shipping & documents")
    FINANCE = "finance", _("Finance")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


class DepartmentCode(models.TextChoices):
    """The departments that review orders and receive order-change notices."""

    SALES = "sales", pgettext_lazy("department", "Sales")
    MERCHANDISING = "merchandising", pgettext_lazy("department", "Merchandising")
    PURCHASING = "purchasing", pgettext_lazy("department", "Purchasing")
    PRODUCTION = "production", pgettext_lazy("department", "Production planning (PMC)")
    QUALITY = "quality", pgettext_lazy("department", "Quality control")
    SHIPPING = "shipping", pgettext_lazy("department", "Shipping & documents")
    FINANCE = "finance", pgettext_lazy("department", "Finance")
    MANAGEMENT = "management", pgettext_lazy("department", "Management")


# The department a user of each role belongs to when none is given.
ROLE_DEPARTMENT = {
    Role.MERCHANDISER: DepartmentCode.MERCHANDISING,
    Role.SALES: DepartmentCode.SALES,
    Role.PURCHASING: DepartmentCode.PURCHASING,
    Role.PLANNER: DepartmentCode.PRODUCTION,
    Role.QC: DepartmentCode.QUALITY,
    Role.SHIPPING: DepartmentCode.SHIPPING,
    Role.FINANCE: DepartmentCode.FINANCE,
    Role.MANAGER: DepartmentCode.MANAGEMENT,
    Role.ADMIN: DepartmentCode.MANAGEMENT,
}


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    TRANSITION = "transition", _("Status changed")
