"""How purchasing follows the orders' life (connected in ProcurementConfig.ready).

Receivers run inside the order's transaction, after follow-up made or moved the plan (its app is connected first),
so the need-by dates come from the plan as it is now.
"""

from typing import Any

from django.utils.translation import gettext as _

from gendan.sales import signals
from gendan.sales.choices import OrderStatus


def confirmed(sender: Any, order: Any, by: Any, **kwargs: Any) -> list[str]:
    from gendan.procurement.services import run_requirements

    changes = run_requirements(order_ids=[order.pk], by=by, reason=_("Order confirmed"), record_unchanged=True)
    from gendan.procurement.models import MaterialRequirement

    short = MaterialRequirement.objects.filter(order=order, to_buy_qty__gt=0).count()
    if not changes.get(order.pk):
        return [_("No material requirement: the products of this order have no bill of materials.")]
    if short:
        return [_("%(n)s materials are to buy for this order.") % {"n": short}]
    return [_("Every material of this order is covered by stock.")]


def changed(sender: Any, order: Any, by: Any, **kwargs: Any) -> None:
    from gendan.procurement.services import run_requirements

    run_requirements(order_ids=[order.pk], by=by, reason=_("Order changed"))


def moved(sender: Any, order: Any, old: str, new: str, by: Any, **kwargs: Any) -> None:
    """An order that starts or stops needing materials nets again: cancelled, ready to ship, shipped or closed
    orders give their stock back and leave the lists to buy; a resumed or reopened order nets again. Confirmation
    is handled by `confirmed`."""
    from gendan.procurement.services import REQUIRING_STATUSES, run_requirements

    if (old in REQUIRING_STATUSES) == (new in REQUIRING_STATUSES):
        return
    if new == OrderStatus.CONFIRMED and old not in REQUIRING_STATUSES:
        return
    run_requirements(order_ids=[order.pk], by=by, reason=_("Order %(status)s") % {"status": OrderStatus(new).label})


def connect() -> None:
    signals.order_confirmed.connect(confirmed, weak=False, dispatch_uid="procurement.requirements_on_confirm")
    signals.order_changed.connect(changed, weak=False, dispatch_uid="procurement.requirements_on_change")
    signals.order_moved.connect(moved, weak=False, dispatch_uid="procurement.requirements_on_move")
