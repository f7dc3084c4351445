"""A complaint closed with a replacement makes the replacement order (补货订单): one free-of-charge draft order of the
complained products, linked both ways, made through the order service, then followed like any order; a failure
leaves the complaint open and writes nothing."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from hypothesis import given
from hypothesis import strategies as st

from gendan.core.choices import Role
from gendan.core.exceptions import PermissionDenied, StaleVersion, TransitionNotAllowed, ValidationError
from gendan.core.models import Notification, User
from gendan.finance.models import CreditNote, Invoice
from gendan.sales import services as sales_services
from gendan.sales.models import Order, OrderLine, ReviewItem
from gendan.service import services
from gendan.service.models import Complaint
from tests.conftest import TODAY
from tests.sales.factories import pass_review
from tests.service.conftest import walk
from tests.service.test_services import unchanged


def ready_to_close(complaint: Complaint, by: User) -> Complaint:
    """Verified, with every action done."""
    complaint = walk(complaint, "verified", by=by)
    for action in complaint.actions.filter(done_date__isnull=True):
        services.complete_action(action=action, by=by, result="done")
    complaint.refresh_from_db()
    return complaint


def two_lines(order: Order, first: str, second: str) -> list[dict[str, Any]]:
    one, two = order.lines.order_by("position")
    return [
        {"order_line_id": one.pk, "quantity": first, "defect": "open seam"},
        {"order_line_id": two.pk, "quantity": second, "defect": "stain"},
    ]


# ---- the order made at closing -----------------------------------------------------------------------------------


def test_closing_with_a_replacement_creates_one_free_draft_order_linked_both_ways(
    register: Callable[..., Complaint], merchandiser: User, manager: User, order: Order
) -> None:
    complaint = ready_to_close(register(customer_reference="NCR-2611"), merchandiser)
    orders_before = Order.objects.count()
    closed = services.close_complaint(complaint=complaint, by=manager, replacement_qty="12", note="12 bags again")
    assert Order.objects.count() == orders_before + 1
    replacement = closed.replacement_order
    assert replacement is not None
    assert (closed.status, closed.replacement_qty, closed.replacement_value) == (
        "closed",
        Decimal("12.000"),
        Decimal("30.00"),
    )
    assert (replacement.status, replacement.customer, replacement.currency, replacement.priority) == (
        "draft",
        order.customer,
        "USD",
        "high",
    )
    assert (replacement.merchandiser, replacement.created_by) == (merchandiser, manager)
    assert (replacement.incoterm, replacement.payment_terms, replacement.customer_po) == (
        order.incoterm,
        order.payment_terms,
        "NCR-2611",
    )
    assert f"Replacement for complaint {closed.number}" in replacement.remarks
    assert replacement.order_date == TODAY
    assert replacement.ex_factory_date == TODAY + (order.ex_factory_date - order.order_date)
    (line,) = replacement.lines.all()
    complained = order.lines.order_by("position").first()
    assert (line.product, line.quantity, line.unit, line.unit_price, line.amount) == (
        complained.product,
        Decimal("12.000"),
        complained.unit,
        Decimal(0),
        Decimal(0),
    )
    assert (replacement.total_qty, replacement.total_amount) == (Decimal("12.000"), Decimal(0))
    # both ways
    replacement.refresh_from_db()
    assert replacement.replaced_complaint == closed
    assert Complaint.objects.get(replacement_order=replacement) == closed
    # the merchandiser hears of it; the order's creation is audited by the order service
    note = Notification.objects.get(recipient=merchandiser, url=f"/orders/{replacement.pk}/")
    assert replacement.number in note.title
    assert closed.number in note.title


def test_the_replacement_is_shared_between_the_products_by_their_quantities_affected(
    register: Callable[..., Complaint], merchandiser: User, manager: User, order: Order
) -> None:
    complaint = ready_to_close(register(lines=two_lines(order, "10", "20")), merchandiser)
    closed = services.close_complaint(complaint=complaint, by=manager, replacement_qty="10")
    lines = list(closed.replacement_order.lines.order_by("position").values_list("product_id", "quantity"))
    one, two = order.lines.order_by("position")
    assert lines == [(one.product_id, Decimal("3.000")), (two.product_id, Decimal("7.000"))]
    # valued at each product's order price: 3 × 2.50 + 7 × 1.25
    assert closed.replacement_value == Decimal("16.25")


def test_replacing_all_that_was_affected_gives_each_product_its_own_quantity(
    register: Callable[..., Complaint], merchandiser: User, manager: User, order: Order
) -> None:
    complaint = ready_to_close(register(lines=two_lines(order, "12", "5")), merchandiser)
    closed = services.close_complaint(complaint=complaint, by=manager, replacement_qty="17")
    quantities = list(closed.replacement_order.lines.order_by("position").values_list("quantity", flat=True))
    assert quantities == [Decimal("12.000"), Decimal("5.000")]


def test_a_given_replacement_value_is_kept_and_the_order_stays_free(
    register: Callable[..., Complaint], merchandiser: User, manager: User
) -> None:
    complaint = ready_to_close(register(), merchandiser)
    closed = services.close_complaint(complaint=complaint, by=manager, replacement_qty="6", replacement_value="14")
    assert closed.replacement_value == Decimal("14.00")
    assert closed.replacement_order.total_amount == Decimal(0)


def test_closing_without_a_replacement_makes_no_order(
    register: Callable[..., Complaint], merchandiser: User, manager: User
) -> None:
    complaint = ready_to_close(register(), merchandiser)
    before = Order.objects.count()
    closed = services.close_complaint(complaint=complaint, by=manager, credit_amount="30")
    assert closed.replacement_order is None
    assert Order.objects.count() == before


def test_closing_twice_never_makes_two_orders(
    register: Callable[..., Complaint], merchandiser: User, manager: User
) -> None:
    complaint = ready_to_close(register(), merchandiser)
    version = complaint.version
    services.close_complaint(complaint=complaint, by=manager, replacement_qty="12", version=version)
    before = Order.objects.count()
    with pytest.raises(TransitionNotAllowed):
        services.close_complaint(complaint=complaint, by=manager, replacement_qty="12")
    with pytest.raises(StaleVersion):  # the form read before the first close
        services.close_complaint(complaint=complaint, by=manager, replacement_qty="12", version=version)
    assert Order.objects.count() == before
    assert Order.objects.filter(replaced_complaint__isnull=False).count() == 1


# ---- failures leave the complaint open ---------------------------------------------------------------------------


def test_an_order_the_order_service_refuses_leaves_the_complaint_open(
    register: Callable[..., Complaint], merchandiser: User, manager: User, order: Order
) -> None:
    complaint = ready_to_close(register(), merchandiser)
    product = order.lines.order_by("position").first().product
    product.is_active = False
    product.save(update_fields=["is_active"])
    orders = Order.objects.count()
    with unchanged(complaint), pytest.raises(ValidationError) as exc:
        services.close_complaint(complaint=complaint, by=manager, replacement_qty="12", credit_amount="30")
    message = exc.value.errors["replacement_qty"][0]
    assert "The replacement order cannot be made" in message
    assert product.code in message
    assert Order.objects.count() == orders
    assert Complaint.objects.get(pk=complaint.pk).status == "verified"


def test_who_may_not_create_orders_cannot_close_with_a_replacement(
    register: Callable[..., Complaint], merchandiser: User, make_user: Callable[..., User]
) -> None:
    complaint = ready_to_close(register(), merchandiser)
    settler = make_user(Role.QC, username="qcboss")
    settler.user_permissions.add(Permission.objects.get(codename="settle_complaint"))
    settler = User.objects.get(pk=settler.pk)  # a fresh permission cache
    assert not settler.has_perm("sales.add_order")
    orders = Order.objects.count()
    with unchanged(complaint), pytest.raises(PermissionDenied) as exc:
        services.close_complaint(complaint=complaint, by=settler, replacement_qty="12")
    assert "sales.add_order" in str(exc.value)
    assert Order.objects.count() == orders
    # a credit note needs no order
    assert services.close_complaint(complaint=complaint, by=settler, credit_amount="10").status == "closed"


def test_a_failure_after_the_order_was_made_takes_the_order_back(
    register: Callable[..., Complaint], merchandiser: User, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    complaint = ready_to_close(register(), merchandiser)
    import gendan.finance.credit_notes as credit_notes

    def refuse(**kw: Any) -> None:
        assert Order.objects.filter(remarks__contains=complaint.number).exists()  # the order was made first
        raise ValidationError({"amount": "finance says no"})

    monkeypatch.setattr(credit_notes, "issue_credit_note", refuse)
    orders, lines = Order.objects.count(), OrderLine.objects.count()
    with unchanged(complaint), pytest.raises(ValidationError):
        services.close_complaint(complaint=complaint, by=manager, replacement_qty="12", credit_amount="10")
    assert (Order.objects.count(), OrderLine.objects.count()) == (orders, lines)


def test_a_complaint_naming_no_product_cannot_be_replaced(
    register: Callable[..., Complaint], merchandiser: User, manager: User
) -> None:
    complaint = ready_to_close(register(lines=[]), merchandiser)  # the order has two products
    with unchanged(complaint), pytest.raises(ValidationError) as exc:
        services.close_complaint(complaint=complaint, by=manager, replacement_qty="5", replacement_value="10")
    assert "names no product" in exc.value.errors["replacement_qty"][0]


def test_a_complaint_naming_no_product_of_a_one_product_order_replaces_that_product(
    merchandiser: User, manager: User, customer: Any
) -> None:
    from tests.finance.factories import confirmed_order

    single = confirmed_order(by=merchandiser, manager=manager, customer=customer, quantities=[50], prices=["4.00"])
    complaint = services.create_complaint(by=merchandiser, data={"order_id": single.pk, "description": "Bad"})
    complaint = ready_to_close(complaint, merchandiser)
    closed = services.close_complaint(complaint=complaint, by=manager, replacement_qty="5")
    (line,) = closed.replacement_order.lines.all()
    assert (line.product_id, line.quantity, line.unit_price) == (
        single.lines.get().product_id,
        Decimal("5.000"),
        Decimal(0),
    )
    assert closed.replacement_value == Decimal("20.00")


# ---- the order's normal life -------------------------------------------------------------------------------------


def test_the_replacement_order_is_reviewed_confirmed_and_shipped_like_any_order_without_invoice(
    register: Callable[..., Complaint], merchandiser: User, manager: User, order: Order
) -> None:
    from tests.finance.factories import ship

    # another complaint of the customer agreed a discount on "the next order": the replacement is not that order
    earlier = ready_to_close(register(), merchandiser)
    services.close_complaint(complaint=earlier, by=manager, discount_pct="3")
    complaint = ready_to_close(register(), merchandiser)
    replacement = services.close_complaint(complaint=complaint, by=manager, replacement_qty="12").replacement_order
    # its merchandiser may edit the draft before submitting it (another date, here)
    replacement = sales_services.update_order(
        order=replacement, by=merchandiser, version=None, data={"ex_factory_date": TODAY + dt.timedelta(days=20)}
    )
    replacement = sales_services.submit_order(order=replacement, by=merchandiser)
    price = ReviewItem.objects.get(order=replacement, topic="price")
    assert f"Replacement for complaint {complaint.number}: free of charge" in price.comment
    assert "discount" not in price.comment
    earlier.refresh_from_db()
    assert earlier.discount_order is None  # kept for the customer's next real order
    replacement = sales_services.confirm_order(order=pass_review(replacement, manager), by=merchandiser)
    assert replacement.status == "confirmed"
    assert not Invoice.objects.filter(order=replacement).exists()  # no deposit on a free order
    ship(replacement, by=merchandiser)
    # finance raises no invoice of 0 for a shipment of free goods
    assert not Invoice.objects.filter(lines__order=replacement).exists()
    assert CreditNote.objects.count() == 0


# ---- spreading the quantity --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qty", "quantities", "expected"),
    [
        ("12", ["12"], ["12"]),
        ("5", ["12"], ["5"]),
        ("30", ["10", "20"], ["10", "20"]),
        ("10", ["10", "20"], ["3", "7"]),
        ("1", ["5", "5"], ["1", "0"]),  # a tie goes to the first
        ("10", ["1", "1", "1"], ["4", "3", "3"]),
        ("1.5", ["1", "2"], ["0.500", "1.000"]),
        ("1", ["0.5", "2.5"], ["0.167", "0.833"]),
    ],
)
def test_spreading_the_replacement(qty: str, quantities: list[str], expected: list[str]) -> None:
    parts = services.spread_replacement(Decimal(qty), [Decimal(q) for q in quantities])
    assert parts == [Decimal(e) for e in expected]


@given(
    qty=st.decimals(min_value=Decimal("0.001"), max_value=Decimal(100000), places=3),
    quantities=st.lists(st.decimals(min_value=Decimal("0.001"), max_value=Decimal(100000), places=3), min_size=1),
)
def test_the_parts_always_add_up_to_the_replacement(qty: Decimal, quantities: list[Decimal]) -> None:
    parts = services.spread_replacement(qty, quantities)
    assert len(parts) == len(quantities)
    assert sum(parts, Decimal(0)) == qty
    assert all(p >= 0 and p == p.quantize(Decimal("0.001")) for p in parts)
    if len(quantities) > 1:  # each part within one unit of its exact share
        total = sum(quantities, Decimal(0))
        whole = all(x == x.to_integral_value() for x in (qty, *quantities))
        step = Decimal(1) if whole else Decimal("0.001")
        for part, q in zip(parts, quantities, strict=True):
            assert abs(part - qty * q / total) < step


# ---- the API and the pages ---------------------------------------------------------------------------------------


def test_the_api_closes_with_a_replacement_and_shows_its_order(
    api_as: Callable, register: Callable[..., Complaint], merchandiser: User, manager: User
) -> None:
    complaint = ready_to_close(register(), merchandiser)
    r = api_as(manager).post(
        f"/complaints/{complaint.pk}/close", {"replacement_qty": "12", "note": "12 bags", "version": complaint.version}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    replacement = Order.objects.get(replaced_complaint=complaint)
    assert (body["status"], body["replacement_qty"], body["replacement_value"]) == ("closed", "12.000", "30.00")
    assert (body["replacement_order_id"], body["replacement_order_number"]) == (replacement.pk, replacement.number)
    (item,) = [c for c in api_as(merchandiser).get("/complaints").json()["items"] if c["id"] == complaint.pk]
    assert (item["replacement_order_id"], item["replacement_order_number"]) == (replacement.pk, replacement.number)
    other = register()
    got = api_as(merchandiser).get(f"/complaints/{other.pk}").json()
    assert (got["replacement_order_id"], got["replacement_order_number"]) == (None, None)
    # the order is the sales API's like any other: a draft at price 0
    order = api_as(merchandiser).get(f"/orders/{replacement.pk}").json()
    assert (order["status"], order["total_amount"]) == ("draft", "0.00")
    assert [line["unit_price"] for line in order["lines"]] == ["0.0000"]


def test_the_api_refusal_names_the_replacement_and_leaves_the_complaint_open(
    api_as: Callable, register: Callable[..., Complaint], merchandiser: User, manager: User, order: Order
) -> None:
    complaint = ready_to_close(register(), merchandiser)
    product = order.lines.order_by("position").first().product
    product.is_active = False
    product.save(update_fields=["is_active"])
    orders = Order.objects.count()
    r = api_as(manager).post(f"/complaints/{complaint.pk}/close", {"replacement_qty": "12"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "replacement_qty"]
    assert "replacement order cannot be made" in r.json()["detail"][0]["msg"]
    assert Order.objects.count() == orders
    assert api_as(manager).get(f"/complaints/{complaint.pk}").json()["status"] == "verified"


def test_the_pages_link_the_complaint_and_its_replacement_order(
    page_as: Callable, register: Callable[..., Complaint], merchandiser: User, manager: User
) -> None:
    complaint = ready_to_close(register(), merchandiser)
    boss = page_as(manager)
    url = f"/service/{complaint.pk}/"
    html = boss.get(url).content.decode()
    assert 'data-testid="replacement-order-hint"' in html
    assert "creates the replacement order" in html
    r = boss.post(f"{url}close/", {"replacement_qty": "12", "version": complaint.version}, follow=True)
    replacement = Order.objects.get(replaced_complaint=complaint)
    html = r.content.decode()
    assert f"{complaint.number} is closed; replacement order {replacement.number} is created." in html
    assert f'href="/orders/{replacement.pk}/" data-testid="replacement-order-link">{replacement.number}</a>' in html
    assert 'data-testid="replacement-order-status" data-status="draft"' in html
    # the order page says what it replaces, with a link back
    html = page_as(merchandiser).get(f"/orders/{replacement.pk}/").content.decode()
    assert 'data-testid="order-replacement"' in html
    assert f'href="/service/{complaint.pk}/" data-testid="order-replacement-link">{complaint.number}</a>' in html
    # an order that replaces nothing says nothing of it
    assert (
        'data-testid="order-replacement"'
        not in page_as(merchandiser).get(f"/orders/{complaint.order_id}/").content.decode()
    )


def test_the_register_export_names_the_replacement_order(
    page_as: Callable, register: Callable[..., Complaint], merchandiser: User, manager: User
) -> None:
    import io

    from openpyxl import load_workbook

    complaint = ready_to_close(register(), merchandiser)
    closed = services.close_complaint(complaint=complaint, by=manager, replacement_qty="12")
    r = page_as(merchandiser).get("/service/", {"format": "xlsx"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in ws[1]]
    column = header.index("Replacement order")
    assert [row[column] for row in ws.iter_rows(min_row=2, values_only=True)] == [closed.replacement_order.number]
