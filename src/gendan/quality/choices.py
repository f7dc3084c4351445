"""Quality constants: inspection kinds and statuses, defect classes, results and dispositions."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InspectionKind(models.TextChoices):
    IN_PROCESS = "in_process", _("In-process inspection")
    FINAL = "final", _("Final (pre-shipment) inspection")
    THIRD_PARTY = "third_party", _("Third-party or commodity inspection")


INCOMING = "incoming"  # incoming inspections of materials live with purchasing; the inspection list shows them too


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("inspection", "Planned")
    BOOKED = "booked", pgettext_lazy("inspection", "Booked")
    DONE = "done", pgettext_lazy("inspection", "Inspected")
    CANCELLED = "cancelled", pgettext_lazy("inspection", "Cancelled")


OPEN_STATUSES = (InspectionStatus.PLANNED, InspectionStatus.BOOKED)

INSPECTION_STATUS_COLORS = {
    InspectionStatus.PLANNED: "grey",
    InspectionStatus.BOOKED: "blue",
    InspectionStatus.DONE: "green",
    InspectionStatus.CANCELLED: "grey",
}


class Result(models.TextChoices):
    PASS = "pass", pgettext_lazy("inspection result", "Pass")
    FAIL = "fail", pgettext_lazy("inspection result", "Fail")


RESULT_COLORS = {Result.PASS: "green", Result.FAIL: "red"}


class DefectClass(models.TextChoices):
    CRITICAL = "critical", pgettext_lazy("defect class", "Critical")
    MAJOR = "major", pgettext_lazy("defect class", "Major")
    MINOR = "minor", pgettext_lazy("defect class", "Minor")


class Disposition(models.TextChoices):
    """What happens to a lot that failed."""

    REWORK = "rework", _("Re-work and re-inspect")
    CONCESSION = "concession", _("Accept under customer concession")
    REJECT = "reject", _("Reject the lot")


class Level(models.TextChoices):
    S1 = "S-1", "S-1"
    S2 = "S-2", "S-2"
    S3 = "S-3", "S-3"
    S4 = "S-4", "S-4"
    I = "I", _("General I")  # noqa: E741 - the standard's name
    II = "II", _("General II")
    III = "III", _("General III")


class CheckKind(models.TextChoices):
    CARTON_MARKS = "carton_marks", _("Carton marks")
    PACKING = "packing", _("Packing")
    LABELS = "labels", _("Labels")
    QUANTITY = "quantity", _("Quantity counted")
    MEASUREMENT = "measurement", _("Measurement")
    FUNCTION = "function", _("Function test")
    OTHER = "other", _("Other")


# The house defaults when a customer has none of its own: general level II, AQL 0 / 2.5 / 4.0.
DEFAULT_LEVEL = Level.II
DEFAULT_AQLS = {DefectClass.CRITICAL: Decimal(0), DefectClass.MAJOR: Decimal("2.5"), DefectClass.MINOR: Decimal("4.0")}
