"""Shipping test data: confirmed orders of one customer made through the real services, and forwarders."""

from decimal import Decimal
from typing import Any

from gendan.catalog.models import Product
from gendan.core.models import User
from gendan.partners.models import Customer, Supplier
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order
from tests.factories import CustomerFactory, ProductFactory, SupplierFactory
from tests.sales.factories import order_in


def product(**kw: Any) -> Product:
    """A product packed 24 to a 60 × 40 × 30 cm carton (0.072 CBM), 10 kg net and 11 kg gross a carton."""
    return ProductFactory(**kw)


def confirmed_order(
    *,
    by: User,
    manager: User,
    customer: Customer,
    status: str = OrderStatus.IN_PRODUCTION,
    products: list[Product] | None = None,
    quantities: list[int | str] | None = None,
    prices: list[str] | None = None,
    **kw: Any,
) -> Order:
    return order_in(
        status,
        by=by,
        manager=manager,
        customer=customer,
        products=products or [product()],
        quantities=quantities or [100],
        prices=prices or ["2.50"],
        **kw,
    )


def two_orders(by: User, manager: User, **kw: Any) -> tuple[Customer, Order, Order]:
    """A customer with two orders in production: 100 + 200 units at 2.50 / 1.25, and 48 units at 10.00."""
    customer = CustomerFactory()
    a = confirmed_order(
        by=by,
        manager=manager,
        customer=customer,
        quantities=[100, 200],
        prices=["2.50", "1.25"],
        products=[product(), product()],
        **kw,
    )
    b = confirmed_order(by=by, manager=manager, customer=customer, quantities=[48], prices=["10.00"], **kw)
    return customer, a, b


def forwarder(**kw: Any) -> Supplier:
    return SupplierFactory(kind="forwarder", **kw)


def lines_of(*orders: Order, quantities: list[Decimal | int | str] | None = None) -> list[dict[str, Any]]:
    """Shipment line items for every line of the orders (their whole quantity unless `quantities` says)."""
    items = []
    all_lines = [line for order in orders for line in order.lines.order_by("position", "pk")]
    for index, line in enumerate(all_lines):
        quantity = quantities[index] if quantities else line.quantity
        items.append({"order_line_id": line.pk, "quantity": str(quantity)})
    return items
