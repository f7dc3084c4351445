"""Catalog constants: units of measure, material categories."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    PCS = "pcs", _("pcs")
    SET = "set", _("set")
    PAIR = "pair", _("pair")
    DOZEN = "dozen", _("dozen")
    CARTON = "carton", _("carton")
    KG = "kg", _("kg")
    G = "g", _("g")
    M = "m", _("m")
    YARD = "yard", _("yard")
    ROLL = "roll", _("roll")
    SHEET = "sheet", _("sheet")
    L = "l", _("litre")
    M2 = "m2", _("m²")


class MaterialCategory(models.TextChoices):
    RAW = "raw", _("Raw material")
    FABRIC = "fabric", _("Fabric")
    TRIM = "trim", _("Trim")
    COMPONENT = "component", _("Component")
    PACKAGING = "packaging", _("Packaging")
    ELECTRONIC = "electronic", _("Electronic part")


class WorkCentreKind(models.TextChoices):
    LINE = "line", _("Production line")
    WORKSHOP = "workshop", _("Workshop")
    FACTORY = "factory", _("Subcontract factory")


class CapacityUnit(models.TextChoices):
    HOURS = "hours", _("Hours")
    UNITS = "units", _("Units")


class CapacityExceptionKind(models.TextChoices):
    OVERTIME = "overtime", _("Overtime")
    MAINTENANCE = "maintenance", _("Maintenance")
    OTHER = "other", _("Other")
