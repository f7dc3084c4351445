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

# The state machine: what each status may move to (the service checks every change against it, the page shows the
# buttons it allows). Departure may follow the booking directly: the goods then left the factory that day.
TRANSITIONS: dict[str, set[str]] = {
    ShipmentStatus.PLANNED: {ShipmentStatus.BOOKED, ShipmentStatus.CANCELLED},
    ShipmentStatus.BOOKED: {ShipmentStatus.LOADED, ShipmentStatus.DEPARTED, ShipmentStatus.CANCELLED},
    ShipmentStatus.LOADED: {ShipmentStatus.DEPARTED},
    ShipmentStatus.DEPARTED: {ShipmentStatus.ARRIVED, ShipmentStatus.CLOSED},
    ShipmentStatus.ARRIVED: {ShipmentStatus.CLOSED},
    ShipmentStatus.CLOSED: set(),
    ShipmentStatus.CANCELLED: set(),
}
# statuses in which the lines (what ships) may still change
LINES_EDITABLE = (ShipmentStatus.PLANNED, ShipmentStatus.BOOKED)
# statuses in which the facts (ports, parties, marks, booking details, packing) may still change
EDITABLE = (ShipmentStatus.PLANNED, ShipmentStatus.BOOKED, ShipmentStatus.LOADED, ShipmentStatus.DEPARTED)
# statuses whose shipment is still to be chased (cut-offs, ETD)
OPEN = (ShipmentStatus.PLANNED, ShipmentStatus.BOOKED, ShipmentStatus.LOADED)

STATUS_COLORS = {
    ShipmentStatus.PLANNED: "blue",
    ShipmentStatus.BOOKED: "indigo",
    ShipmentStatus.LOADED: "teal",
    ShipmentStatus.DEPARTED: "green",
    ShipmentStatus.ARRIVED: "green",
    ShipmentStatus.CLOSED: "dark",
    ShipmentStatus.CANCELLED: "red",
}

SEA_MODES = (ShipmentMode.SEA_FCL, ShipmentMode.SEA_LCL)


class ContainerType(models.TextChoices):
    GP20 = "20GP", "20GP"
    GP40 = "40GP", "40GP"
    HQ40 = "40HQ", "40HQ"


class CoForm(models.TextChoices):
    """The certificate of origin the customer needs (产地证)."""

    GENERAL = "general", _("General CO (一般原产地证)")
    FORM_A = "form_a", _("Form A (GSP)")
    FORM_E = "form_e", _("Form E (China–ASEAN)")


class DocumentKind(models.TextChoices):
    COMMERCIAL_INVOICE = "commercial-invoice", _("Commercial invoice")
    PACKING_LIST = "packing-list", _("Packing list")
    SHIPPING_MARKS = "shipping-marks", _("Shipping marks")
    BL_INSTRUCTIONS = "bl-instructions", _("B/L instructions")
    CO_APPLICATION = "co-application", _("Certificate of origin application")
