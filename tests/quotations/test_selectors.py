"""Quotations' reads: the effective status in lists, the chase list's quotations about to expire, the report's
totals, bounded queries."""

import datetime as dt
from decimal import Decimal

import pytest

from gendan.core import clock
from gendan.followup.selectors import chase_list
from gendan.quotations import selectors, services
from tests.conftest import TODAY
from tests.quotations.conftest import sent

pytestmark = pytest.mark.django_db


def test_open_and_expired_filters_read_the_validity(world, quote, sales):
    draft = quote()
    valid = sent(quote(), sales)
    old = sent(quote(valid_until="2026-11-25"), sales)
    with clock.frozen(dt.date(2026, 11, 26)):
        assert set(selectors.quotation_list(status="open")) == {draft, valid}
        assert list(selectors.quotation_list(status="expired")) == [old]
        assert set(selectors.quotation_list(status="sent")) == {valid}
        assert {q.state for q in selectors.quotation_list()} == {"draft", "sent", "expired"}


def test_the_chase_list_asks_for_the_answer_before_the_validity_ends(world, quote, sales):
    soon = sent(quote(valid_until="2026-11-26"), sales)
    sent(quote(valid_until="2026-12-24"), sales)  # far off: not yet
    rows = [r for r in chase_list(sales, TODAY) if r.kind == "quotation"]
    assert [r.document for r in rows] == [soon.number]
    assert rows[0].url == f"/quotations/{soon.pk}/"
    assert "ask the customer" in rows[0].reason
    with clock.frozen(dt.date(2026, 11, 27)):
        (row,) = [r for r in chase_list(sales, dt.date(2026, 11, 27)) if r.kind == "quotation"]
        assert "expired" in row.reason
        assert row.days_late == 1
        services.expire_quotations()
        assert not [r for r in chase_list(sales, dt.date(2026, 11, 27)) if r.kind == "quotation"]


def test_report_totals_add_up_per_customer_and_salesperson(world, quote, sales, make_user, manager):
    from gendan.core.choices import Role
    from tests.factories import CustomerFactory

    other = make_user(Role.SALES, username="sales2")
    eur = CustomerFactory(code="C-HB02", currency="EUR")
    a = sent(quote(), sales)  # USD 4,410.00 = CNY 30,870.00
    b = sent(quote(by=other, customer_id=eur.pk, fx_rate="7.75"), other)  # EUR 4,410.00 × 7.75 ... repriced
    c = sent(quote(), sales)
    quote()  # a draft: not counted
    services.accept_quotation(quotation=a, by=sales)
    services.lose_quotation(quotation=b, by=other, reason="price")
    with clock.frozen(dt.date(2027, 1, 5)):
        report = selectors.win_rate_report(date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 30))
    t = report["totals"]
    assert (t.quoted, t.won, t.lost, t.expired, t.open) == (3, 1, 1, 1, 0)  # c expired by 2027
    assert t.win_rate == Decimal("33.3")
    b.refresh_from_db()
    assert t.value_quoted == Decimal("30870.00") * 2 + (b.total_amount * b.fx_rate).quantize(Decimal("0.01"))
    by_person = {r.key: r for r in report["by_salesperson"]}
    assert (by_person["sales1"].quoted, by_person["sales1"].won, by_person["sales1"].expired) == (2, 1, 1)
    assert by_person["sales2"].reasons == {"price": 1}
    assert sum(r.quoted for r in report["by_customer"]) == t.quoted
    assert sum(r.value_won for r in report["by_customer"]) == t.value_won
    assert report["lost_reasons"] == [
        {"reason": "price", "label": "Price too high", "count": 1, "pct": Decimal("100.0")}
    ]
    assert c.pk


def test_a_revised_quotation_counts_once(world, quote, sales):
    q = sent(quote(), sales)
    new = services.revise_quotation(quotation=q, by=sales)
    services.accept_quotation(quotation=sent(new, sales), by=sales)
    report = selectors.win_rate_report(date_from=TODAY, date_to=TODAY)
    assert (report["totals"].quoted, report["totals"].won) == (1, 1)


def test_lists_read_a_bounded_number_of_queries(world, quote, sales, api_as, django_assert_max_num_queries):
    for _n in range(6):
        services.revise_quotation(quotation=sent(quote(), sales), by=sales)
    api = api_as(sales)
    with django_assert_max_num_queries(8):
        assert api.get("/quotations", status="superseded").json()["count"] == 6
    q = quote()
    for _n in range(4):
        services.add_line(quotation=q, by=sales, data={"product_id": world.product.pk, "quantity": "100"})
    with django_assert_max_num_queries(12):
        assert len(api.get(f"/quotations/{q.pk}").json()["lines"]) == 5
