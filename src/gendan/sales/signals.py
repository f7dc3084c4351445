"""Signals other apps listen to: followup keeps each order's T&A plan in step with the order.

Each is sent inside the transaction of the change, so a receiver's work (the plan, its forecast) commits or rolls
back with it, and a receiver's error refuses the change. A receiver may return a list of messages for the user
who made the change (for example, the plan's compressed milestones); confirm_order keeps them on `order.notes`.
"""

from django.dispatch import Signal

# An order was confirmed: kwargs order, by.
order_confirmed = Signal()
# An order change (订单变更) made a revision: kwargs order, revision, by.
order_changed = Signal()
# An order moved from one status to another (any move): kwargs order, old, new, by.
order_moved = Signal()
