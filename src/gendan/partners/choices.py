"""Partners' constants: customer tiers, supplier kinds, Incoterms."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerTier(models.TextChoices):
    KEY = "key", _("Key customer")  # served first when stock is short
    NORMAL = "normal", _("Normal")
    PROSPECT = "prospect", _("Prospect")  # no order yet


class CreditRating(models.TextChoices):
    """The customer's credit standing (资信等级), kept by sales and finance; shown by the contract review."""

    A = "A", _("A · pays on time")
    B = "B", _("B · usually on time")
    C = "C", _("C · watch: pays late")
    D = "D", _("D · stop: cash in advance only")


CREDIT_COLORS = {CreditRating.A: "green", CreditRating.B: "blue", CreditRating.C: "amber", CreditRating.D: "red"}

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
