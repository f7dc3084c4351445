from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShippingConfig(AppConfig):
    """Shipping (出货跟单): shipments, packing, bookings, customs, export documents."""

    name = "gendan.shipping"
    label = "shipping"
    verbose_name = _("Shipping")
    role_permissions: dict = {}
