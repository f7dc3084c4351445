"""Every write endpoint of the API answers bad input with a clear 4xx, never a 500: each POST, PUT and PATCH of the
OpenAPI schema gets an empty body, a body of wrong types and a body that is not an object."""

import pytest

from gendan.api import api
from gendan.core.choices import Role

pytestmark = pytest.mark.django_db

WRONG = {
    "version": "x",
    "quantity": "lots",
    "amount": "1e999",
    "date": "yesterday",
    "lot_size": -3,
    "rows": "none",
    "lines": [{"order_line_id": "a", "quantity": None}],
    "allocations": [{"invoice_id": 10**12, "amount": "-1"}],
    "defects": [{"code": 5, "class": "fatal", "quantity": 0}],
    "items": "x",
    "customer_id": 10**12,
    "order_id": "abc",
}


def write_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    found = []
    for path, methods in schema["paths"].items():
        for method in methods:
            if method in ("post", "put", "patch"):
                found.append((method, path.replace("{", "").replace("}", "").replace("_id", "")))
    return found


def concrete(path: str, ids: dict[str, int] | None = None) -> str:
    """Path parameters become the id of a real object of that name when `ids` has one, else 1 (an object that may
    or may not exist); other words stay as given."""
    ids = ids or {}
    parts = []
    for part in path.split("/"):
        if part in ids:
            parts.append(str(ids[part]))
            continue
        parts.append(
            "1"
            if part
            in {
                "id",
                "notice",
                "order",
                "inspection",
                "shipment",
                "invoice",
                "receipt",
                "sample",
                "dispatch",
                "customer",
                "sc",
                "anomaly",
                "po",
                "line",
                "milestone",
                "work_centre",
                "template",
                "product",
                "material",
                "supplier",
                "link",
                "token",
                "claim",
                "declaration",
                "match",
                "round",
                "step",
                "item",
                "user",
                "warehouse",
                "location",
                "rate",
                "term",
                "settlement",
                "vat_invoice",
                "movement",
                "reservation",
                "exception",
                "attachment",
                "contact",
                "revision",
            }
            else part
        )
    return "/".join(parts)


@pytest.mark.parametrize("body", [{}, WRONG, ["not", "an", "object"]], ids=["empty", "wrong-types", "list"])
def test_no_write_endpoint_answers_bad_input_with_a_server_error(api_as, make_user, body) -> None:
    client = api_as(make_user(Role.MANAGER, username="boss2"))
    operations = write_operations()
    assert len(operations) > 100  # the whole API, not an empty schema
    for method, path in operations:
        response = getattr(client, method)(concrete(path), body)
        assert response.status_code < 500, (method, path, response.status_code)


@pytest.mark.parametrize("body", [{}, WRONG], ids=["empty", "wrong-types"])
def test_bad_input_on_real_objects_is_a_clear_error(api_as, make_user, merchandiser, manager, body) -> None:
    """The same on objects that exist, so the services' own checks are reached: an order with an inspection, a
    shipment, a deposit invoice and a sample."""
    from gendan.quality import services as quality
    from gendan.samples import services as samples
    from gendan.shipping import services as shipping
    from tests.finance.factories import customer_on
    from tests.sales.factories import order_in
    from tests.shipping.factories import lines_of

    customer = customer_on("TT30-70BL")
    order = order_in("in_production", by=merchandiser, manager=manager, customer=customer, quantities=[120])
    boss = make_user(Role.MANAGER, username="boss3")
    inspection = quality.plan_inspection(by=boss, data={"order_id": order.pk, "planned_date": "2026-12-01"})
    shipment = shipping.create_shipment(by=boss, data={"lines": lines_of(order)})
    sample = samples.create_sample(
        by=boss,
        data={"kind": "development", "customer_id": customer.pk, "description": "proto", "required_date": "2026-12-04"},
    )
    invoice = order.invoices.first()
    assert invoice is not None  # the deposit raised at confirmation
    ids = {
        "order": order.pk,
        "line": order.lines.first().pk,
        "inspection": inspection.pk,
        "shipment": shipment.pk,
        "sample": sample.pk,
        "invoice": invoice.pk,
        "customer": customer.pk,
    }
    client = api_as(boss)
    for method, path in write_operations():
        if not any(f"/{name}/" in f"{path}/" for name in ids):
            continue
        response = getattr(client, method)(concrete(path, ids), body)
        assert response.status_code < 500, (method, path, response.status_code)
