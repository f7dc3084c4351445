from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Builds the demo company (`gendan demo`). Sits above every domain app; nothing imports it."""

    name = "gendan.demo"
    label = "demo"
    verbose_name = _("Demo data")
