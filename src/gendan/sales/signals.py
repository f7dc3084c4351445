"""Signals other apps listen to (followup generates the T&A plan on `order_confirmed`)."""

from django.dispatch import Signal

# Sent after commit of a confirmation: kwargs order, by.
order_confirmed = Signal()
# Sent after commit of an order change: kwargs order, revision, by.
order_changed = Signal()
