"""Finance listens to sales (an order confirmed raises its deposit invoice; an order submitted for review gets the
credit check on its terms item) and to shipping (a departed shipment is invoiced; a recorded B/L moves due dates; a
cancelled shipment takes its unpaid invoices with it). Each receiver runs in the sender's transaction."""

from typing import Any

from gendan.sales.choices import ReviewTopic
from gendan.sales.hub import register_review_note
from gendan.sales.signals import order_confirmed
from gendan.shipping.signals import bl_recorded, shipment_cancelled, shipment_departed


def _confirmed(sender: Any, order: Any, by: Any = None, **kwargs: Any) -> list[str]:
    from gendan.finance.services import on_order_confirmed

    return on_order_confirmed(order=order, by=by)


def _departed(sender: Any, shipment: Any, by: Any = None, **kwargs: Any) -> None:
    from gendan.finance.services import invoice_shipment

    invoice_shipment(shipment=shipment, by=by)


def _bl(sender: Any, shipment: Any, by: Any = None, **kwargs: Any) -> None:
    from gendan.finance.services import move_bl_due_dates

    move_bl_due_dates(shipment=shipment, by=by)


def _cancelled(sender: Any, shipment: Any, by: Any = None, **kwargs: Any) -> None:
    from gendan.finance.services import cancel_shipment_invoices

    cancel_shipment_invoices(shipment=shipment, by=by)


def _credit(order: Any) -> str:
    from gendan.finance.services import credit_review_note

    return credit_review_note(order)


def connect() -> None:
    order_confirmed.connect(_confirmed, weak=False, dispatch_uid="finance.deposit_on_confirm")
    shipment_departed.connect(_departed, weak=False, dispatch_uid="finance.invoice_on_departure")
    bl_recorded.connect(_bl, weak=False, dispatch_uid="finance.due_dates_on_bl")
    shipment_cancelled.connect(_cancelled, weak=False, dispatch_uid="finance.cancel_with_shipment")
    register_review_note(ReviewTopic.TERMS, _credit)
