"""Production API: the capacity check, for a what-if quantity or an existing order."""

from django.http import HttpRequest
from ninja import Router

from gendan.core.apiutils import require_perm
from gendan.production import services
from gendan.production.schemas import CapacityCheckIn, CapacityCheckOut, OrderCheckIn, OrderCheckOut
from gendan.sales.selectors import get_order

router = Router(tags=["production"])


@router.post("/capacity-check", response=CapacityCheckOut)
def capacity_check(request: HttpRequest, data: CapacityCheckIn):
    """Can this quantity of a product be made by the date (能否按期交货)? Scheduled on finite capacity against the
    released plan (earliest due date first, or ahead of everything with priority rush): the earliest finish, the
    load it adds per work centre and day, and when the date is not met the measures with their figures."""
    require_perm(request, "production.view_planload")
    result = services.capacity_check(
        product=data.product_id, quantity=data.quantity, due_date=data.due_date, priority=data.priority
    )
    return result.as_dict()


@router.post("/orders/{order_id}/capacity-check", response=OrderCheckOut)
def order_capacity_check(request: HttpRequest, order_id: int, data: OrderCheckIn | None = None):
    """The capacity check of an existing order: its lines one after the other, each by its ex-factory date."""
    require_perm(request, "production.view_planload")
    return services.order_capacity_check(order=get_order(order_id), priority=data.priority if data else "edd")
