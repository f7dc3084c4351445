"""What shipping tells the apps above it (finance invoices a shipment, records documents sent …). Each is sent
inside the transaction of the change with `shipment` and `by` (the user, or None)."""

from django.dispatch import Signal

shipment_booked = Signal()  # the booking is confirmed with the forwarder
shipment_loaded = Signal()  # the goods left the factory (ex-factory)
shipment_departed = Signal()  # the vessel / flight left (ATD); the B/L date may be known
shipment_cancelled = Signal()
bl_recorded = Signal()  # the original B/L arrived: its number and date are on the shipment
