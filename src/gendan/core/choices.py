"""Roles, departments and audit actions: the constants every app shares."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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

    SALES = "sales", _("Sales")
    MERCHANDISING = "merchandising", _("Merchandising")
    PURCHASING = "purchasing", _("Purchasing")
    PRODUCTION = "production", _("Production planning (PMC)")
    QUALITY = "quality", _("Quality control")
    SHIPPING = "shipping", _("Shipping & documents")
    FINANCE = "finance", _("Finance")
    MANAGEMENT = "management", _("Management")


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
