"""Order reads: lists with their joins, the order hub, the review queue, the buttons a user may press."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from gendan.core.exceptions import NotFound
from gendan.core.models import Attachment, User
from gendan.sales.choices import CHANGE_CONTROLLED, OPEN_STATUSES, TRANSITIONS, OrderStatus, Verdict
from gendan.sales.models import Order, OrderLine, OrderRevision, ReviewItem
from gendan.sales.services import can_decide, can_edit


def lines_prefetch() -> Prefetch:
    return Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("position", "id"))


def order_list(
    *,
    user: User | None = None,
    status: str | list[str] | None = None,
    customer_id: int | None = None,
    merchandiser: str | int | None = None,
    ex_factory_from: dt.date | None = None,
    ex_factory_to: dt.date | None = None,
    q: str = "",
    with_lines: bool = False,
) -> QuerySet[Order]:
    """Orders filtered like the list page and the API (newest order date first)."""
    qs = Order.objects.select_related("customer", "merchandiser")
    if user is not None and not user.has_perm("sales.view_order"):
        return qs.none()
    if status:
        qs = qs.filter(status__in=status) if isinstance(status, list | tuple) else qs.filter(status=status)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if merchandiser:
        if isinstance(merchandiser, int) or str(merchandiser).isdigit():
            qs = qs.filter(merchandiser_id=int(merchandiser))
        else:
            qs = qs.filter(merchandiser__username=merchandiser)
    if ex_factory_from:
        qs = qs.filter(ex_factory_date__gte=ex_factory_from)
    if ex_factory_to:
        qs = qs.filter(ex_factory_date__lte=ex_factory_to)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(customer_po__icontains=q)
            | Q(customer__code__icontains=q)
            | Q(customer__name__icontains=q)
            | Q(customer__name_en__icontains=q)
        )
    if with_lines:
        qs = qs.prefetch_related(lines_prefetch())
    return qs


# The columns of a list row, named as the API names them.
ORDER_ROW_FIELDS = {
    "id": "id",
    "number": "number",
    "customer_id": "customer_id",
    "customer_code": "customer__code",
    "customer_po": "customer_po",
    "currency": "currency",
    "incoterm": "incoterm",
    "incoterm_place": "incoterm_place",
    "payment_terms": "payment_terms",
    "order_date": "order_date",
    "requested_delivery_date": "requested_delivery_date",
    "ex_factory_date": "ex_factory_date",
    "ship_to": "ship_to",
    "merchandiser": "merchandiser__username",
    "priority": "priority",
    "quality_requirements": "quality_requirements",
    "packaging_requirements": "packaging_requirements",
    "remarks": "remarks",
    "status": "status",
    "status_reason": "status_reason",
    "version": "version",
    "revision": "revision",
    "review_round": "review_round",
    "total_qty": "total_qty",
    "total_amount": "total_amount",
    "confirmed_at": "confirmed_at",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "forecast_ex_factory_date": "forecast_ex_factory_date",
    "risk": "risk",
    "slack_days": "slack_days",
    "driving_milestone": "driving_milestone",
}
LINE_ROW_FIELDS = {
    "id": "id",
    "order_id": "order_id",
    "position": "position",
    "product_id": "product_id",
    "product_code": "product__code",
    "quantity": "quantity",
    "unit": "unit",
    "unit_price": "unit_price",
    "amount": "amount",
    "ex_factory_date": "ex_factory_date",
    "packaging_note": "packaging_note",
}


def order_rows(qs: QuerySet[Order], *, offset: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    """One page of `qs` as plain dicts with their lines: two queries, no model instances (the API list)."""
    names, columns = zip(*ORDER_ROW_FIELDS.items(), strict=True)
    rows = [dict(zip(names, values, strict=True)) for values in qs.values_list(*columns)[offset : offset + limit]]
    if not rows:
        return rows
    by_id = {row["id"]: row for row in rows}
    for row in rows:
        row["lines"] = []
    line_names, line_columns = zip(*LINE_ROW_FIELDS.items(), strict=True)
    for values in (
        OrderLine.objects.filter(order_id__in=list(by_id))
        .order_by("order_id", "position", "id")
        .values_list(*line_columns)
    ):
        line = dict(zip(line_names, values, strict=True))
        by_id[line.pop("order_id")]["lines"].append(line)
    return rows


def order_detail(order_id: int) -> Order:
    """One order with its lines, the review items of every round and the revisions; NotFound when unknown."""
    order = (
        Order.objects.select_related("customer", "merchandiser", "created_by")
        .prefetch_related(
            lines_prefetch(),
            Prefetch(
                "review_items",
                queryset=ReviewItem.objects.select_related("department", "reviewed_by").order_by("-round", "position"),
            ),
            Prefetch("revisions", queryset=OrderRevision.objects.select_related("created_by").order_by("-number")),
        )
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound(_("No order %(id)s.") % {"id": order_id})
    return order


def order_with_lines(order_id: int) -> Order:
    """The order with its customer, merchandiser and lines (what the API returns); NotFound when unknown."""
    order = (
        Order.objects.select_related("customer", "merchandiser")
        .prefetch_related(lines_prefetch())
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound(_("No order %(id)s.") % {"id": order_id})
    return order


def review_item_of(order_id: int, item_id: int) -> ReviewItem:
    """A review item by its order and id (one query); NotFound when either is unknown."""
    item = ReviewItem.objects.select_related("department").filter(order_id=order_id, pk=item_id).first()
    if item is None:
        raise NotFound(_("Order %(order)s has no review item %(id)s.") % {"order": order_id, "id": item_id})
    return item


def get_order(order_id: int) -> Order:
    """The bare order (for a service call); NotFound when unknown."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise NotFound(_("No order %(id)s.") % {"id": order_id})
    return order


def current_review(order: Order) -> list[ReviewItem]:
    """The review items of the order's current round, in review order."""
    items = getattr(order, "_prefetched_objects_cache", {}).get("review_items")
    if items is not None:
        return sorted((i for i in items if i.round == order.review_round), key=lambda i: i.position)
    return list(
        ReviewItem.objects.filter(order=order, round=order.review_round)
        .select_related("department", "reviewed_by")
        .order_by("position")
    )


def earlier_rounds(order: Order) -> list[tuple[int, list[ReviewItem]]]:
    """[(round, items)] of the rounds before the current one, newest first."""
    rounds: dict[int, list[ReviewItem]] = {}
    for item in order.review_items.all():
        if item.round != order.review_round:
            rounds.setdefault(item.round, []).append(item)
    return sorted(((r, sorted(items, key=lambda i: i.position)) for r, items in rounds.items()), reverse=True)


def pending_reviews_for(user: User) -> QuerySet[ReviewItem]:
    """Review items waiting for the user's department, on orders in review (current round only)."""
    if not user.department_id:
        return ReviewItem.objects.none()
    return (
        ReviewItem.objects.filter(
            department_id=user.department_id,
            verdict=Verdict.PENDING,
            order__status=OrderStatus.IN_REVIEW,
            round=F("order__review_round"),
        )
        .select_related("order", "order__customer", "department")
        .order_by("order__ex_factory_date", "order_id", "position")
    )


def open_orders_of(user: User) -> QuerySet[Order]:
    """The user's open orders, next ex-factory date first."""
    return (
        Order.objects.filter(merchandiser=user, status__in=[*OPEN_STATUSES, OrderStatus.ON_HOLD])
        .select_related("customer")
        .order_by("ex_factory_date", "id")
    )


def review_item(order: Order, item_id: int) -> ReviewItem:
    item = ReviewItem.objects.select_related("department").filter(order=order, pk=item_id).first()
    if item is None:
        raise NotFound(_("Order %(number)s has no review item %(id)s.") % {"number": order.number, "id": item_id})
    return item


def attachments_of(order: Order) -> list[Attachment]:
    """Files attached to the order and to its review items (one query)."""
    order_ct = ContentType.objects.get_for_model(Order)
    item_ct = ContentType.objects.get_for_model(ReviewItem)
    return list(
        Attachment.objects.filter(
            Q(content_type=order_ct, object_id=order.pk)
            | Q(content_type=item_ct, object_id__in=ReviewItem.objects.filter(order=order).order_by().values("pk"))
        )
        .select_related("uploaded_by", "content_type")
        .order_by("uploaded_at", "id")
    )


def revisions_of(order: Order) -> QuerySet[OrderRevision]:
    return OrderRevision.objects.filter(order=order).select_related("created_by").order_by("-number")


@dataclass
class Action:
    """A button on the order page: the action's slug (URL part), target status, label, whether it needs a reason."""

    action: str
    to_status: str
    label: Any
    needs_reason: bool = False
    style: str = ""


STEP_ACTIONS = {
    OrderStatus.IN_PRODUCTION: ("start-production", _("Start production")),
    OrderStatus.READY_TO_SHIP: ("ready-to-ship", _("Ready to ship")),
    OrderStatus.SHIPPED: ("ship", _("Shipped")),
    OrderStatus.CLOSED: ("close", _("Close")),
}


def allowed_transitions(order: Order, user: User) -> list[Action]:
    """The moves this user may make on this order now, for the page's buttons."""
    if not can_edit(order, user):
        return []
    actions: list[Action] = []
    targets = TRANSITIONS.get(order.status, set())
    status = order.status
    if status == OrderStatus.DRAFT:
        actions.append(Action("submit", OrderStatus.IN_REVIEW, _("Submit for review"), style="btn-primary"))
    if status == OrderStatus.IN_REVIEW:
        items = current_review(order)
        all_passed = bool(items) and all(i.verdict == Verdict.PASS for i in items)
        if all_passed:
            actions.append(Action("confirm", OrderStatus.CONFIRMED, _("Confirm"), style="btn-primary"))
        elif user.has_perm("sales.override_review"):
            actions.append(
                Action(
                    "confirm", OrderStatus.CONFIRMED, _("Confirm with override"), needs_reason=True, style="btn-primary"
                )
            )
        actions.append(Action("withdraw", OrderStatus.DRAFT, _("Withdraw to draft"), needs_reason=True))
    if status == OrderStatus.READY_TO_SHIP:
        actions.append(
            Action("back-to-production", OrderStatus.IN_PRODUCTION, _("Back to production"), needs_reason=True)
        )
    for target, (slug, label) in STEP_ACTIONS.items():
        if (
            target in targets
            and status != OrderStatus.ON_HOLD
            and not (status == OrderStatus.READY_TO_SHIP and target == OrderStatus.IN_PRODUCTION)
        ):
            actions.append(Action(slug, target, label, style="btn-primary"))
    if status == OrderStatus.ON_HOLD:
        actions.append(Action("resume", order.held_from_status, _("Resume"), style="btn-primary"))
    if OrderStatus.ON_HOLD in targets:
        actions.append(Action("hold", OrderStatus.ON_HOLD, _("Hold"), needs_reason=True))
    if OrderStatus.CANCELLED in targets:
        actions.append(
            Action("cancel", OrderStatus.CANCELLED, _("Cancel order"), needs_reason=True, style="btn-danger")
        )
    return actions


def is_editable(order: Order, user: User) -> bool:
    from gendan.sales.choices import EDITABLE

    return order.status in EDITABLE and can_edit(order, user)


def needs_change_reason(order: Order) -> bool:
    return order.status in CHANGE_CONTROLLED


def reviewable_item_ids(order: Order, user: User) -> set[int]:
    """Ids of the current round's items this user may answer now."""
    if order.status != OrderStatus.IN_REVIEW:
        return set()
    return {item.pk for item in current_review(order) if can_decide(item, user)}


def customer_orders(customer_id: int, *, rows: int = 15) -> dict[str, Any]:
    """A customer's orders for its file: the open ones (next ex-factory first) and then the latest others, up to
    `rows`; the count and value of its orders per status (two queries)."""
    from django.db.models import Case, IntegerField, Value, When

    qs = (
        Order.objects.filter(customer_id=customer_id)
        .select_related("merchandiser")
        .annotate(
            is_open=Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("is_open", "ex_factory_date", "-order_date", "-pk")
    )
    by_status = list(
        Order.objects.filter(customer_id=customer_id)
        .values("status", "currency")
        .annotate(count=Count("id"), value=Sum("total_amount"))
        .order_by("status", "currency")
    )
    return {"orders": list(qs[:rows]), "by_status": by_status, "total": sum(r["count"] for r in by_status)}


def customer_for(
    data: dict[str, Any], *, current: Any, order: Order | None, errors: dict[str, str], missing: str
) -> Any:
    """The customer a record about an order (a complaint, a sample…) is for, from cleaned input.

    `customer_id` in `data` names it (an unknown id is an error), else `current` stays; an `order` wins and, when a
    customer is also named, must be that order's. With neither, `missing` is the error. Errors go into `errors`."""
    from django.utils.translation import gettext

    from gendan.core.cleaning import clean_id
    from gendan.partners.models import Customer

    customer = current
    if "customer_id" in data:
        customer_id = clean_id(data.get("customer_id"))
        customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
        if customer_id and customer is None:
            errors["customer_id"] = gettext("There is no customer %(id)s.") % {"id": data.get("customer_id")}
    if order is not None:
        if "customer_id" in data and customer is not None and customer.pk != order.customer_id:
            errors["customer_id"] = gettext("Order %(number)s is for %(customer)s.") % {
                "number": order.number,
                "customer": order.customer.code,
            }
        customer = order.customer
    if customer is None and "customer_id" not in errors and "order_id" not in errors:
        errors["customer_id"] = missing
    return customer
