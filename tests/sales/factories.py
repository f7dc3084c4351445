"""Orders for tests, made through the real service so numbers, amounts and totals are computed."""

import datetime as dt
from decimal import Decimal
from typing import Any

from gendan.catalog.models import Product
from gendan.core.models import User
from gendan.partners.models import Customer
from gendan.sales import services
from gendan.sales.choices import REVIEW_DEPARTMENTS, OrderStatus
from gendan.sales.models import Order, ReviewItem
from tests.factories import CustomerFactory, ProductFactory

EX_FACTORY = dt.date(2027, 2, 15)


def make_order(
    *,
    by: User,
    customer: Customer | None = None,
    products: list[Product] | None = None,
    quantities: list[str | int] | None = None,
    prices: list[str] | None = None,
    **fields: Any,
) -> Order:
    """A draft order of `by` with one line per product (default: two new products, 100 × 2.50 and 200 × 1.25)."""
    customer = customer or CustomerFactory()
    quantities = quantities or [100, 200]
    prices = prices or ["2.50", "1.25"]
    products = products or [ProductFactory() for _ in quantities]
    lines = [
        {"product": p, "quantity": Decimal(str(q)), "unit_price": Decimal(price)}
        for p, q, price in zip(products, quantities, prices, strict=False)
    ]
    fields.setdefault("ex_factory_date", EX_FACTORY)
    fields.setdefault("merchandiser", by)
    return services.create_order(by=by, customer=customer, lines=lines, **fields)


def pass_review(order: Order, reviewer: User) -> Order:
    """Pass every item of the current round (the reviewer needs sales.review_any)."""
    for item in ReviewItem.objects.filter(order=order, round=order.review_round):
        services.decide_review_item(item=item, by=reviewer, verdict="pass")
    order.refresh_from_db()
    return order


def order_in(status: str, *, by: User, manager: User, **kw: Any) -> Order:
    """An order of `by` walked through the real services up to `status` (manager reviews and confirms)."""
    order = make_order(by=by, **kw)
    path = {
        OrderStatus.DRAFT: [],
        OrderStatus.IN_REVIEW: ["submit"],
        OrderStatus.CONFIRMED: ["submit", "pass", "confirm"],
        OrderStatus.IN_PRODUCTION: ["submit", "pass", "confirm", OrderStatus.IN_PRODUCTION],
        OrderStatus.READY_TO_SHIP: ["submit", "pass", "confirm", OrderStatus.IN_PRODUCTION, OrderStatus.READY_TO_SHIP],
        OrderStatus.SHIPPED: [
            "submit",
            "pass",
            "confirm",
            OrderStatus.IN_PRODUCTION,
            OrderStatus.READY_TO_SHIP,
            OrderStatus.SHIPPED,
        ],
        OrderStatus.CLOSED: [
            "submit",
            "pass",
            "confirm",
            OrderStatus.IN_PRODUCTION,
            OrderStatus.READY_TO_SHIP,
            OrderStatus.SHIPPED,
            OrderStatus.CLOSED,
        ],
        OrderStatus.ON_HOLD: ["hold"],
        OrderStatus.CANCELLED: ["cancel"],
    }[status]
    for step in path:
        if step == "submit":
            order = services.submit_order(order=order, by=by)
        elif step == "pass":
            order = pass_review(order, manager)
        elif step == "confirm":
            order = services.confirm_order(order=order, by=by)
        elif step == "hold":
            order = services.hold_order(order=order, by=by, reason="customer asked to wait")
        elif step == "cancel":
            order = services.cancel_order(order=order, by=by, reason="customer withdrew")
        else:
            order = services.transition_order(order=order, by=by, to_status=step)
    order.refresh_from_db()
    return order


REVIEW_TOPICS = list(REVIEW_DEPARTMENTS)
