from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SamplesConfig(AppConfig):
    """Samples (打样/寄样): sample requests and their rounds, the sampling checklist, the dispatch register."""

    name = "gendan.samples"
    label = "samples"
    verbose_name = _("Samples")
    role_permissions: dict = {}
