"""Shipping constants: modes and statuses of a shipment."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ShipmentMode(models.TextChoices):
    SEA_FCL = "sea_fcl", _("Sea, full container (FCL)")
    SEA_LCL = "sea_lcl", _("Sea, less than container (LCL)")
    AIR = "air", _("Air")
    EXPRESS = "express", _("Express courier")
    RAIL = "rail", _("Rail")
    TRUCK = "truck", _("Truck")


class ShipmentStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("shipment", "Planned")
    BOOKED = "booked", pgettext_lazy("shipment", "Booked")
    LOADED = "loaded", pgettext_lazy("shipment", "Loaded (ex-factory)")
    DEPARTED = "departed", pgettext_lazy("shipment", "Departed")
    ARRIVED = "arrived", pgettext_lazy("shipment", "Arrived")
    CLOSED = "closed", pgettext_lazy("shipment", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("shipment", "Cancelled")


# statuses in which a shipment still holds its lines' quantities (not cancelled)
HOLDING = (
    ShipmentStatus.PLANNED,
    ShipmentStatus.BOOKED,
    ShipmentStatus.LOADED,
    ShipmentStatus.DEPARTED,
    ShipmentStatus.ARRIVED,
    ShipmentStatus.CLOSED,
)
# statuses after the goods left the factory
SHIPPED = (ShipmentStatus.LOADED, ShipmentStatus.DEPARTED, ShipmentStatus.ARRIVED, ShipmentStatus.CLOSED)
