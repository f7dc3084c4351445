"""Allocation of short stock (缺货分配): the ranking (key customers first, then committed date, order date, order
number), the proposal's figures, the confirmation and every refusal (nothing written), what is held in stock, the
re-allocation, issuing allocated goods, ending an allocation, the order events, and the forecast of the orders left
short. The helpers at the top are shared by the other allocation test modules."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import F
from hypothesis import given, settings
from hypothesis import strategies as st

from gendan.catalog.models import Product
from gendan.core.choices import Role
from gendan.core.exceptions import InsufficientQuantity, PermissionDenied, ValidationError
from gendan.core.models import ObjectChange, User
from gendan.followup.models import Milestone
from gendan.followup.selectors import risk_board
from gendan.inventory import allocation, services
from gendan.inventory.models import Location, Stock, StockAllocation, StockMovement
from gendan.partners.models import Customer
from gendan.sales import services as sales_services
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order, OrderLine
from tests.conftest import TODAY
from tests.factories import CustomerFactory, ProductFactory
from tests.sales.factories import order_in

pytestmark = pytest.mark.django_db
D = Decimal
COMMITTED = dt.date(2027, 2, 15)


# ---- helpers shared by the allocation tests ------------------------------------------------------------------------


def fg_location(by: User, code: str = "FG") -> Location:
    """A finished-goods warehouse with one location, A."""
    return services.create_warehouse(by=by, data={"code": code, "name": "Finished goods"}).locations.get()


def put(product: Product, location: Location, quantity: Any, by: User) -> None:
    services.move(kind="receipt", item=product, location=location, quantity=quantity, by=by, reason="from production")


def order_for(
    product: Product,
    quantity: int | str,
    *,
    by: User,
    manager: User,
    tier: str = "normal",
    customer: Customer | None = None,
    committed: dt.date = COMMITTED,
    order_date: dt.date = TODAY,
    status: str = OrderStatus.IN_PRODUCTION,
) -> Order:
    """A confirmed order of one line of `product`."""
    return order_in(
        status,
        by=by,
        manager=manager,
        customer=customer or CustomerFactory(tier=tier),
        products=[product],
        quantities=[quantity],
        prices=["2.50"],
        ex_factory_date=committed,
        order_date=order_date,
    )


def line_of(order: Order) -> OrderLine:
    return order.lines.get()


def lines_for(*pairs: tuple[Order, Any]) -> list[dict[str, Any]]:
    return [{"order_line_id": line_of(o).pk, "quantity": str(q)} for o, q in pairs]


def reserved(product: Product) -> Decimal:
    return sum((s.reserved for s in Stock.objects.filter(product=product)), D(0))


@pytest.fixture
def world(merchandiser: User, manager: User) -> dict[str, Any]:
    """500 pcs of a product in stock; a normal customer ordered 400 first, a key customer 300 later (same dates),
    a second normal customer 200 with an earlier committed date: 900 open, 400 short."""
    product = ProductFactory(code="P-SHORT")
    place = fg_location(manager)
    put(product, place, 500, manager)
    normal = order_for(product, 400, by=merchandiser, manager=manager, order_date=TODAY - dt.timedelta(days=20))
    key = order_for(product, 300, by=merchandiser, manager=manager, tier="key")
    early = order_for(product, 200, by=merchandiser, manager=manager, committed=COMMITTED - dt.timedelta(days=30))
    return {"product": product, "place": place, "normal": normal, "key": key, "early": early}


# ---- ranking and filling (pure) -----------------------------------------------------------------------------------


def demand(
    n: int, tier: str, committed: dt.date, ordered: dt.date, number: str, open_qty: Decimal
) -> allocation.Demand:
    return allocation.Demand(
        order_line_id=n,
        order_id=n,
        order_number=number,
        position=1,
        customer_id=n,
        customer_code=f"C{n}",
        customer_name="",
        customer_tier=tier,
        committed_date=committed,
        order_date=ordered,
        ordered=open_qty,
        open_quantity=open_qty,
    )


quantities = st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False, allow_infinity=False)
demands = st.lists(
    st.tuples(
        st.sampled_from(["key", "normal", "prospect"]),
        st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2027, 12, 31)),
        st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 11, 24)),
        quantities,
    ),
    min_size=0,
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(rows=demands, stock=quantities)
def test_the_proposal_never_gives_more_than_the_stock_nor_more_than_a_line_is_open(rows, stock) -> None:
    ranked = allocation.rank(
        demand(i, tier, committed, ordered, f"SO-{i:04d}", q) for i, (tier, committed, ordered, q) in enumerate(rows)
    )
    given_ = allocation.fill([d.open_quantity for d in ranked], stock)
    assert sum(given_, D(0)) <= stock
    assert sum(given_, D(0)) == min(stock, sum((d.open_quantity for d in ranked), D(0)))
    for d, g in zip(ranked, given_, strict=True):
        assert D(0) <= g <= d.open_quantity
    # served in rank order: once a line is short, every later line gets nothing
    short = [i for i, (d, g) in enumerate(zip(ranked, given_, strict=True)) if g < d.open_quantity]
    if short:
        assert all(g == 0 for g in given_[short[0] + 1 :])


@settings(max_examples=200, deadline=None)
@given(rows=demands, stock=quantities)
def test_key_customers_are_filled_before_normal_ones_and_normal_before_prospects(rows, stock) -> None:
    ranked = allocation.rank(
        demand(i, tier, committed, ordered, f"SO-{i:04d}", q) for i, (tier, committed, ordered, q) in enumerate(rows)
    )
    given_ = allocation.fill([d.open_quantity for d in ranked], stock)
    order = {"key": 0, "normal": 1, "prospect": 2}
    for d, g in zip(ranked, given_, strict=True):
        if g > 0:
            # everyone of a better tier is served in full
            for other, og in zip(ranked, given_, strict=True):
                if order[other.customer_tier] < order[d.customer_tier]:
                    assert og == other.open_quantity
    tiers = [order[d.customer_tier] for d in ranked]
    assert tiers == sorted(tiers)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(quantities, quantities), max_size=30), stock=quantities)
def test_goods_in_planned_shipments_stay_with_them_and_the_rest_goes_in_rank_order(rows, stock) -> None:
    wanted = [w for w, _f in rows]
    floors = [f for _w, f in rows]
    given_ = allocation.fill_with_floors(wanted, floors, stock)
    assert sum(given_, D(0)) == min(stock, sum(wanted, D(0)))
    capped = [min(f, w) for w, f in rows]
    for g, w in zip(given_, wanted, strict=True):
        assert D(0) <= g <= w
    if stock >= sum(capped, D(0)):
        assert all(g >= f for g, f in zip(given_, capped, strict=True))  # every floor is met
        # above the floors, in rank order: a line given more than its floor means every line before it is full
        for i, (g, f) in enumerate(zip(given_, capped, strict=True)):
            if g > f:
                assert all(given_[j] == wanted[j] for j in range(i))


def test_within_a_tier_the_committed_date_then_the_order_date_then_the_number_decide() -> None:
    a = demand(1, "normal", dt.date(2027, 1, 10), dt.date(2026, 10, 1), "SO-9", D(10))
    b = demand(2, "normal", dt.date(2027, 1, 5), dt.date(2026, 11, 1), "SO-8", D(10))
    c = demand(3, "normal", dt.date(2027, 1, 10), dt.date(2026, 9, 1), "SO-7", D(10))
    d = demand(4, "normal", dt.date(2027, 1, 10), dt.date(2026, 9, 1), "SO-6", D(10))
    k = demand(5, "key", dt.date(2027, 6, 1), dt.date(2026, 11, 20), "SO-5", D(10))
    assert [x.order_number for x in allocation.rank([a, b, c, d, k])] == ["SO-5", "SO-8", "SO-6", "SO-7", "SO-9"]
    assert allocation.fill([D(10), D(10), D(10)], D(15)) == [D(10), D(5), D(0)]


# ---- the proposal -------------------------------------------------------------------------------------------------


def test_the_proposal_puts_the_key_customer_first_and_gives_the_last_line_a_part(world) -> None:
    p = allocation.propose(world["product"])
    assert [d.order_number for d in p.lines] == [world["key"].number, world["early"].number, world["normal"].number]
    assert [d.proposed_quantity for d in p.lines] == [D(300), D(200), D(0)]
    assert (p.on_hand, p.allocated, p.available, p.demand, p.shortfall) == (D(500), 0, D(500), D(900), D(400))
    assert p.is_short
    assert not p.under_allocation
    assert [d.shortfall for d in p.lines] == [0, 0, D(400)]


def test_the_proposal_counts_what_has_shipped_and_leaves_out_other_statuses(world, merchandiser, manager) -> None:
    from gendan.shipping import services as shipping

    product = world["product"]
    shipper = User.objects.get(username=manager.username)
    shipment = shipping.create_shipment(
        by=shipper, data={"lines": [{"order_line_id": line_of(world["normal"]).pk, "quantity": "150"}]}
    )
    planned = allocation.propose(product)
    assert {d.order_number: d.planned for d in planned.lines}[world["normal"].number] == D(150)
    assert planned.demand == D(900)  # planned shipments have not left: still demand
    shipping.book(shipment=shipment, by=shipper, data={"booking_no": "BK1", "etd": "2026-11-30"})
    shipping.load(shipment=shipment, by=shipper)
    p = allocation.propose(product)
    row = {d.order_number: d for d in p.lines}[world["normal"].number]
    assert (row.shipped, row.open_quantity) == (D(150), D(250))
    assert p.demand == D(750)
    # a draft and a cancelled order are no demand
    order_in(OrderStatus.DRAFT, by=merchandiser, manager=manager, products=[product], quantities=[50])
    order_in(OrderStatus.CANCELLED, by=merchandiser, manager=manager, products=[product], quantities=[50])
    assert allocation.propose(product).demand == D(750)


# ---- confirming ---------------------------------------------------------------------------------------------------


def test_confirming_the_proposal_holds_the_stock_and_forecasts_the_order_left_short(world, manager) -> None:
    product = world["product"]
    done = allocation.confirm_proposal(product=product, by=manager, make_up_date="2027-03-10")
    assert {a.order_id: a.quantity for a in done} == {
        world["key"].pk: D(300),
        world["early"].pk: D(200),
        world["normal"].pk: D(0),
    }
    assert reserved(product) == D(500)
    normal = StockAllocation.objects.get(order=world["normal"])
    assert (normal.open_qty, normal.shortfall, normal.make_up_date) == (D(400), D(400), dt.date(2027, 3, 10))
    assert StockAllocation.objects.get(order=world["key"]).make_up_date is None  # not short: no make-up date
    assert ObjectChange.objects.filter(object_id=normal.pk, content_type__model="stockallocation").exists()
    # the short order's ex-factory milestone is fed the make-up date: its forecast slips past the commitment
    exf = Milestone.objects.get(order=world["normal"], code="EXF")
    assert exf.fed_date == dt.date(2027, 3, 10)
    assert "Short of stock: 0 of 400 allocated (P-SHORT)" in exf.fed_note
    order = Order.objects.get(pk=world["normal"].pk)
    assert (order.forecast_ex_factory_date, order.risk, order.driving_milestone) == (
        dt.date(2027, 3, 10),
        "at_risk",
        "EXF",
    )
    assert world["normal"].number in {o.number for o in risk_board()}
    assert not Order.objects.get(pk=world["key"].pk).risk == "at_risk"
    # the product is under allocation now
    p = allocation.propose(product)
    assert (p.allocated, p.available, p.under_allocation) == (D(500), D(0), True)


def test_a_user_lowers_a_line_and_the_rest_stays_free(world, manager) -> None:
    product = world["product"]
    allocation.confirm_allocation(
        product=product,
        lines=lines_for((world["key"], 250), (world["early"], 200), (world["normal"], 0)),
        by=manager,
        make_up_date="2027-03-01",
    )
    assert reserved(product) == D(450)
    assert allocation.propose(product).available == D(50)
    key = StockAllocation.objects.get(order=world["key"])
    assert (key.quantity, key.shortfall, key.make_up_date) == (D(250), D(50), dt.date(2027, 3, 1))
    assert Milestone.objects.get(order=world["key"], code="EXF").fed_note.startswith("Short of stock: 250 of 300")


def _nothing_written(product: Product) -> None:
    assert not StockAllocation.objects.filter(product=product).exists()
    assert reserved(product) == 0
    assert not Milestone.objects.filter(fed_date__isnull=False, code="EXF").exists()


def test_allocating_more_than_on_hand_is_refused_naming_the_product_and_the_figures(world, manager) -> None:
    product = world["product"]
    with pytest.raises(InsufficientQuantity) as refused:
        allocation.confirm_allocation(
            product=product, lines=lines_for((world["key"], 300), (world["normal"], 250)), by=manager
        )
    assert "P-SHORT" in refused.value.message
    assert "500 on hand" in refused.value.message
    assert "asks for 550" in refused.value.message
    assert (refused.value.extra["available"], refused.value.extra["requested"]) == ("500.000", "550.000")
    _nothing_written(product)


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"quantity": "301"}, "lines.1.quantity", "more than its open quantity of 300"),
        ({"quantity": "-1"}, "lines.1.quantity", "zero or more"),
        ({"quantity": "1.2345"}, "lines.1.quantity", "3 decimal places"),
        ({"quantity": "abc"}, "lines.1.quantity", "Enter a number"),
        ({"quantity": None}, "lines.1.quantity", "Give the quantity"),
        ({"order_line_id": 999999}, "lines.1.order_line_id", "not an open line of P-SHORT"),
        ({"order_line_id": "x"}, "lines.1.order_line_id", "order line's id"),
    ],
)
def test_bad_lines_are_refused_naming_the_field(world, manager, change, field, text) -> None:
    item = {"order_line_id": line_of(world["key"]).pk, "quantity": "100", **change}
    with pytest.raises(ValidationError) as refused:
        allocation.confirm_allocation(product=world["product"], lines=[item], by=manager)
    assert field in refused.value.errors
    assert text in refused.value.errors[field][0]
    _nothing_written(world["product"])


def test_other_refusals_write_nothing(world, manager, merchandiser, make_user) -> None:
    product = world["product"]
    key_line = line_of(world["key"]).pk
    cases: list[tuple[Callable[[], Any], type[Exception], str]] = [
        (lambda: allocation.confirm_allocation(product=product, lines=[], by=manager), ValidationError, "lines"),
        (
            lambda: allocation.confirm_allocation(
                product=product, lines=[{"order_line_id": key_line, "quantity": 1}] * 2, by=manager
            ),
            ValidationError,
            "lines.2.order_line_id",
        ),
        (  # left short without a make-up date, and the order's production-complete milestone is already done
            lambda: allocation.confirm_allocation(
                product=product, lines=[{"order_line_id": key_line, "quantity": 100}], by=manager
            ),
            ValidationError,
            "make_up_date",
        ),
        (
            lambda: allocation.confirm_allocation(
                product=product,
                lines=[{"order_line_id": key_line, "quantity": 100}],
                by=manager,
                make_up_date="2026-11-01",
            ),
            ValidationError,
            "make_up_date",
        ),
        (
            lambda: allocation.confirm_allocation(
                product=product, lines=[{"order_line_id": key_line, "quantity": 100}], by=manager, make_up_date="soon"
            ),
            ValidationError,
            "make_up_date",
        ),
        (
            lambda: allocation.confirm_allocation(
                product=product,
                lines=[{"order_line_id": key_line, "quantity": 300}],
                by=make_user(Role.SALES, username="sales9"),
            ),
            PermissionDenied,
            "",
        ),
        (  # a line of another product
            lambda: allocation.confirm_allocation(
                product=ProductFactory(), lines=[{"order_line_id": key_line, "quantity": 1}], by=manager
            ),
            ValidationError,
            "lines.1.order_line_id",
        ),
    ]
    Milestone.objects.filter(order=world["key"], code="PC").update(actual_date=TODAY)
    for call, kind, field in cases:
        with pytest.raises(kind) as refused:
            call()
        if field:
            assert field in refused.value.errors, refused.value.errors
    _nothing_written(product)


def test_without_a_make_up_date_the_production_complete_forecast_is_taken(world, manager) -> None:
    pc = Milestone.objects.get(order=world["normal"], code="PC")
    allocation.confirm_proposal(product=world["product"], by=manager)
    normal = StockAllocation.objects.get(order=world["normal"])
    assert normal.make_up_date == (pc.forecast_date or pc.planned_date)


def test_a_line_of_an_order_on_hold_keeps_its_goods_and_cannot_be_named(world, manager, merchandiser) -> None:
    product = world["product"]
    allocation.confirm_allocation(
        product=product, lines=lines_for((world["normal"], 100)), by=manager, make_up_date="2027-03-01"
    )
    sales_services.hold_order(order=world["normal"], by=merchandiser, reason="customer asked to wait")
    p = allocation.propose(product)
    assert world["normal"].number not in {d.order_number for d in p.lines}
    assert (p.held_elsewhere, p.allocatable) == (D(100), D(400))
    assert [d.proposed_quantity for d in p.lines] == [D(300), D(100)]
    with pytest.raises(ValidationError) as refused:
        allocation.confirm_allocation(product=product, lines=lines_for((world["normal"], 50)), by=manager)
    assert "lines.1.order_line_id" in refused.value.errors
    assert reserved(product) == D(100)


# ---- re-allocation ------------------------------------------------------------------------------------------------


def test_a_confirmation_sets_the_lines_it_names_and_the_others_keep_theirs(world, manager) -> None:
    product = world["product"]
    allocation.confirm_allocation(product=product, lines=lines_for((world["normal"], 400)), by=manager)
    # the key customer can only have what is left
    with pytest.raises(InsufficientQuantity, match="400 held for other order lines"):
        allocation.confirm_allocation(product=product, lines=lines_for((world["key"], 300)), by=manager)
    allocation.confirm_allocation(
        product=product, lines=lines_for((world["key"], 100)), by=manager, make_up_date="2027-03-01"
    )
    assert reserved(product) == D(500)
    # the whole proposal replaces both: the key customer first now
    allocation.confirm_proposal(product=product, by=manager, make_up_date="2027-03-01")
    assert dict(StockAllocation.objects.values_list("order_id", "quantity")) == {
        world["key"].pk: D(300),
        world["early"].pk: D(200),
        world["normal"].pk: D(0),
    }
    assert reserved(product) == D(500)
    # the key order's forecast is no longer fed: it is allocated in full now
    assert Milestone.objects.get(order=world["key"], code="EXF").fed_date is None
    changes = ObjectChange.objects.filter(object_id=StockAllocation.objects.get(order=world["normal"]).pk)
    assert changes.filter(changes__quantity=["400", "0"]).exists()


def test_stock_that_arrives_is_free_until_it_is_allocated(world, manager) -> None:
    product = world["product"]
    allocation.confirm_proposal(product=product, by=manager, make_up_date="2027-03-01")
    put(product, world["place"], 400, manager)
    p = allocation.propose(product)
    assert (p.available, p.shortfall) == (D(400), D(0))
    assert {d.order_number: d.proposed_quantity for d in p.lines}[world["normal"].number] == D(400)
    allocation.confirm_proposal(product=product, by=manager)
    assert not Milestone.objects.filter(order=world["normal"], code="EXF", fed_date__isnull=False).exists()
    assert Order.objects.get(pk=world["normal"].pk).risk != "at_risk"


# ---- what allocated stock means to other movements ----------------------------------------------------------------


def test_a_movement_out_for_another_purpose_cannot_take_allocated_stock(world, manager) -> None:
    product, place = world["product"], world["place"]
    allocation.confirm_allocation(product=product, lines=lines_for((world["key"], 300)), by=manager)
    services.move(kind="adjustment", item=product, location=place, quantity="-200", by=manager, reason="damaged")
    with pytest.raises(InsufficientQuantity, match="reserved"):
        services.move(kind="adjustment", item=product, location=place, quantity="-1", by=manager, reason="sample")
    assert Stock.objects.get(product=product).on_hand == D(300)


def test_issuing_allocated_goods_spends_the_line_s_hold_and_never_another_s(world, manager) -> None:
    product, place = world["product"], world["place"]
    allocation.confirm_allocation(
        product=product, lines=lines_for((world["key"], 300), (world["early"], 200)), by=manager
    )
    key = StockAllocation.objects.get(order=world["key"])
    movement = allocation.issue_allocated(allocation=key, location=place, quantity="120", by=manager, reference="SH-1")
    assert (movement.quantity, movement.order_id, movement.kind) == (D(-120), world["key"].pk, "adjustment")
    key.refresh_from_db()
    assert (key.held_qty, key.issued_qty, key.quantity) == (D(180), D(120), D(300))
    assert Stock.objects.get(product=product).on_hand == D(380)
    assert reserved(product) == D(380)
    # more than its hold would eat the early order's: refused, nothing written
    with pytest.raises(InsufficientQuantity):
        allocation.issue_allocated(allocation=key, location=place, quantity="181", by=manager)
    key.refresh_from_db()
    assert (key.held_qty, key.issued_qty) == (D(180), D(120))
    assert StockMovement.objects.filter(product=product).count() == 2
    # what was issued is gone from the line's open demand
    assert {d.order_number: d.open_quantity for d in allocation.propose(product).lines}[world["key"].number] == D(180)
    with pytest.raises(ValidationError, match="greater than zero"):
        allocation.issue_allocated(allocation=key, location=place, quantity="0", by=manager)


def test_ending_an_allocation_frees_the_stock_and_the_forecasts(world, manager, merchandiser) -> None:
    product = world["product"]
    allocation.confirm_proposal(product=product, by=manager, make_up_date="2027-03-10")
    with pytest.raises(PermissionDenied):
        allocation.end_allocation(product=product, by=User.objects.create(username="nobody"))
    assert allocation.end_allocation(product=product, by=manager, reason="production caught up") == 3
    assert not StockAllocation.objects.exists()
    assert reserved(product) == 0
    assert Milestone.objects.get(order=world["normal"], code="EXF").fed_date is None
    assert Order.objects.get(pk=world["normal"].pk).risk != "at_risk"
    with pytest.raises(ValidationError, match="not under allocation"):
        allocation.end_allocation(product=product, by=manager)


# ---- order events ----------------------------------------------------------------------------------------------


def test_a_cancelled_order_gives_back_what_it_held(world, manager, merchandiser) -> None:
    product = world["product"]
    allocation.confirm_allocation(product=product, lines=lines_for((world["key"], 300)), by=manager)
    sales_services.cancel_order(order=world["key"], by=merchandiser, reason="customer withdrew")
    assert StockAllocation.objects.get(order=world["key"]).held_qty == 0
    assert reserved(product) == 0
    assert allocation.propose(product).available == D(500)


def test_an_order_change_lowering_a_line_lowers_its_allocation(world, manager, merchandiser) -> None:
    product = world["product"]
    allocation.confirm_allocation(product=product, lines=lines_for((world["key"], 300)), by=manager)
    order = Order.objects.get(pk=world["key"].pk)
    line = line_of(order)
    sales_services.update_order(
        order=order,
        by=merchandiser,
        version=order.version,
        data={},
        lines=[{"id": line.pk, "product": product.pk, "quantity": "120", "unit_price": "2.50"}],
        change_reason="customer cut the quantity",
    )
    a = StockAllocation.objects.get(order=order)
    assert (a.quantity, a.held_qty, a.open_qty) == (D(120), D(120), D(120))
    assert reserved(product) == D(120)


def test_a_line_removed_by_an_order_change_releases_its_hold(merchandiser, manager) -> None:
    product, other = ProductFactory(), ProductFactory()
    place = fg_location(manager)
    put(product, place, 100, manager)
    order = order_in(
        OrderStatus.CONFIRMED,
        by=merchandiser,
        manager=manager,
        products=[product, other],
        quantities=[80, 10],
        prices=["1.00", "1.00"],
    )
    target = order.lines.get(product=product)
    allocation.confirm_allocation(product=product, lines=[{"order_line_id": target.pk, "quantity": 80}], by=manager)
    keep = order.lines.get(product=other)
    sales_services.update_order(
        order=order,
        by=merchandiser,
        version=order.version,
        data={},
        lines=[{"id": keep.pk, "product": other.pk, "quantity": "10", "unit_price": "1.00"}],
        change_reason="the customer dropped the line",
    )
    assert not StockAllocation.objects.exists()
    assert reserved(product) == 0


def test_resync_puts_reserved_right_after_a_drift(world, manager) -> None:
    product = world["product"]
    allocation.confirm_allocation(product=product, lines=lines_for((world["key"], 300)), by=manager)
    Stock.objects.filter(product=product).update(reserved=0)
    assert allocation.resync_reserved() == 1
    assert reserved(product) == D(300)
    assert allocation.resync_reserved() == 0


# ---- the short-stock list and the demo ---------------------------------------------------------------------------


def test_the_short_stock_list_nets_what_shipped_and_shows_allocated_products(world, manager) -> None:
    other = ProductFactory(code="P-PLENTY")
    put(other, world["place"], 10_000, manager)
    rows = allocation.short_stock()
    assert [r.code for r in rows] == ["P-SHORT"]
    row = rows[0]
    assert (row.on_hand, row.demand, row.shortfall, row.lines, row.under_allocation) == (
        D(500),
        D(900),
        D(400),
        3,
        False,
    )
    allocation.confirm_proposal(product=world["product"], by=manager, make_up_date="2027-03-01")
    row = allocation.short_stock()[0]
    assert (row.allocated, row.available, row.under_allocation, row.short_lines) == (D(500), D(0), True, 1)
    assert allocation.short_stock(q="nothing-like-it") == []


def test_the_demo_allocates_a_short_product(merchandiser, manager, make_user) -> None:
    from gendan.inventory.demo import build_demo

    make_user(Role.MANAGER, username="manager")
    product = ProductFactory()
    services.create_warehouse(by=manager, data={"code": "WH02", "name": "成品仓"}, locations=("F-01",))
    order_for(product, 600, by=merchandiser, manager=manager, tier="key")
    order_for(product, 500, by=merchandiser, manager=manager)
    summary = build_demo(today=TODAY, rng=__import__("random").Random(3))
    assert "allocat" in summary
    assert StockAllocation.objects.filter(product=product).exists()
    assert StockAllocation.objects.filter(quantity__lt=F("open_qty")).exists()
