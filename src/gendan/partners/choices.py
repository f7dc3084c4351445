"""Partners' constants: customer tiers, supplier kinds, Incoterms."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerTier(models.TextChoices):
    KEY = "key", _("Key customer")  # served first when stock is short
    NORMAL = "normal", _("Normal")
    PROSPECT = "prospect", _("Prospect")  # no order yet


TIER_COLORS = {CustomerTier.KEY: "red", CustomerTier.NORMAL: "blue", CustomerTier.PROSPECT: "grey"}


class SupplierKind(models.TextChoices):
    MATERIAL = "material", _("Material supplier")
    SUBCONTRACT = "subcontract", _("Subcontract factory")
    FORWARDER = "forwarder", _("Forwarder")
    COURIER = "courier", _("Courier")
    INSPECTION = "inspection", _("Inspection agency")


class Incoterm(models.TextChoices):
    """Incoterms 2020."""

    EXW = "EXW", "EXW"
    FCA = "FCA", "FCA"
    CPT = "CPT", "CPT"
    CIP = "CIP", "CIP"
    DAP = "DAP", "DAP"
    DPU = "DPU", "DPU"
    DDP = "DDP", "DDP"
    FAS = "FAS", "FAS"
    FOB = "FOB", "FOB"
    CFR = "CFR", "CFR"
    CIF = "CIF", "CIF"
