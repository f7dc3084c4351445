"""Credit notes: issued by hand or by another app, applied to the order's open invoices at once (earliest due first)
or later like a receipt, the rest kept as credit; cancelled only when nothing is applied; in the statement, the
ageing credit and the API; never counted as foreign exchange collected."""

from decimal import Decimal

import pytest

from gendan.core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationError
from gendan.finance import credit_notes, selectors, services
from gendan.finance.models import Allocation, CreditNote, Invoice
from tests.conftest import TODAY
from tests.finance.factories import confirmed_order, customer_on, ship

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def invoiced(merchandiser, manager):  # noqa: ANN001, ANN201
    """An order of 500.00 on 30 % deposit / 70 % against B/L: a deposit of 150.00 and the shipment's 350.00."""
    order = confirmed_order(by=merchandiser, manager=manager, customer=customer_on("TT30-70BL"))
    ship(order)
    return order, Invoice.objects.get(order=order, kind="deposit"), Invoice.objects.get(order=order, kind="shipment")


def issue(by, order, amount, **kw):  # noqa: ANN001, ANN201
    return credit_notes.issue_credit_note(
        customer=order.customer,
        currency=order.currency,
        amount=amount,
        reason="Complaint CP-1: stains",
        by=by,
        order=order,
        reference="CP-2026-00001",
        **kw,
    )


def test_a_credit_note_with_an_order_settles_its_invoices_earliest_due_first(finance, invoiced) -> None:
    order, deposit, goods = invoiced
    note = issue(finance, order, "400.00")
    deposit.refresh_from_db()
    goods.refresh_from_db()
    assert goods.due_date < deposit.due_date  # the shipment's invoice is due today, the deposit in 7 days
    assert (goods.paid_amount, goods.status) == (D("350.00"), "paid")
    assert (deposit.paid_amount, deposit.status) == (D("50.00"), "partially_paid")
    assert (note.allocated_amount, note.status, note.number[:8]) == (D("400.00"), "applied", "CN-2026-")
    assert Allocation.objects.filter(credit_note=note, receipt__isnull=True).count() == 2


def test_more_than_the_order_owes_stays_as_the_customers_credit(finance, invoiced) -> None:
    order, deposit, goods = invoiced
    note = issue(finance, order, "600.00")
    assert (note.allocated_amount, note.unallocated_amount, note.status) == (D("500.00"), D("100.00"), "open")
    assert selectors.customer_credit(order.customer_id) == {"USD": D("100.00")}


def test_credit_not_yet_applied_shows_in_the_ageing(finance, invoiced) -> None:
    order, _deposit, _goods = invoiced
    issue(finance, order, "100.00", apply_to_order=False)
    row = selectors.ageing()["rows"][0]
    assert (row["total"], row["credit"]) == (D("500.00"), D("100.00"))


def test_a_credit_note_without_applying_is_applied_later_like_a_receipt(finance, invoiced) -> None:
    order, deposit, _goods = invoiced
    note = issue(finance, order, "50.00", apply_to_order=False)
    assert note.allocated_amount == 0
    services.allocate(receipt=note, allocations=[{"invoice_id": deposit.pk, "amount": "50.00"}], by=finance)
    note.refresh_from_db()
    deposit.refresh_from_db()
    assert (note.status, deposit.paid_amount, deposit.status) == ("applied", D("50.00"), "partially_paid")
    with pytest.raises(ValidationError, match="only"):
        services.allocate(receipt=note, allocations=[{"invoice_id": deposit.pk, "amount": "1.00"}], by=finance)


def test_bad_input_is_refused_and_nothing_is_written(finance, invoiced) -> None:
    order, _deposit, _goods = invoiced
    for kw, field in (
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": "10", "reason": " "}, "reason"),
        ({"amount": "10", "currency": "EUR"}, "currency"),
        ({"amount": "10", "issue_date": TODAY.replace(year=2027)}, "issue_date"),
    ):
        data = {"customer": order.customer, "currency": "USD", "reason": "x", "by": finance, "order": order, **kw}
        with pytest.raises(ValidationError) as exc:
            credit_notes.issue_credit_note(**data)
        assert field in exc.value.errors
    assert CreditNote.objects.count() == 0


def test_only_finance_issues_by_hand_but_another_app_may_for_its_own_decision(merchandiser, finance, invoiced) -> None:
    order, _d, _g = invoiced
    with pytest.raises(PermissionDenied):
        issue(merchandiser, order, "10.00")
    assert issue(merchandiser, order, "10.00", checked=True).created_by == merchandiser


def test_cancel_only_when_nothing_is_applied(finance, invoiced) -> None:
    order, _d, _g = invoiced
    applied = issue(finance, order, "10.00")
    with pytest.raises(TransitionNotAllowed):
        credit_notes.cancel_credit_note(note=applied, by=finance, reason="typo")
    loose = issue(finance, order, "10.00", apply_to_order=False)
    with pytest.raises(ValidationError):
        credit_notes.cancel_credit_note(note=loose, by=finance, reason="")
    credit_notes.cancel_credit_note(note=loose, by=finance, reason="issued twice", version=loose.version)
    loose.refresh_from_db()
    assert loose.status == "cancelled"
    with pytest.raises(ValidationError, match="cancelled"):
        services.allocate(receipt=loose, allocations=[{"invoice_id": _g.pk, "amount": "1.00"}], by=finance)
    assert selectors.customer_credit(order.customer_id) == {}


def test_the_statement_lists_the_credit_note_and_the_balance_falls(finance, invoiced) -> None:
    order, _d, _g = invoiced
    before = selectors.statement(order.customer, TODAY.replace(day=1), TODAY)["sections"][0]["closing"]
    note = issue(finance, order, "80.00")
    section = selectors.statement(order.customer, TODAY.replace(day=1), TODAY)["sections"][0]
    entry = next(e for e in section["entries"] if e["kind"] == "credit_note")
    assert (entry["number"], entry["credit"]) == (note.number, D("80.00"))
    assert section["closing"] == before - D("80.00")


def test_the_api_issues_lists_applies_and_cancels(api_as, finance, invoiced) -> None:
    order, deposit, _goods = invoiced
    api = api_as(finance)
    r = api.post(
        "/api/v1/credit-notes",
        {
            "customer_id": order.customer_id,
            "amount": "20.00",
            "reason": "discount",
            "order_id": order.pk,
            "apply_to_order": False,
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["amount"], body["status"], body["allocations"]) == ("20.00", "open", [])
    r = api.post(
        f"/api/v1/credit-notes/{body['id']}/allocations",
        {"allocations": [{"invoice_id": deposit.pk, "amount": "25.00"}]},
    )
    assert r.status_code == 422
    r = api.post(
        f"/api/v1/credit-notes/{body['id']}/allocations",
        {"allocations": [{"invoice_id": deposit.pk, "amount": "20.00"}]},
    )
    assert r.status_code == 200
    assert r.json()["allocations"][0]["credit_note_number"] == body["number"]
    invoice = api.get(f"/api/v1/invoices/{deposit.pk}").json()
    assert invoice["allocations"][0]["receipt_id"] is None
    assert invoice["allocations"][0]["credit_note_id"] == body["id"]
    assert api.get(f"/api/v1/credit-notes?customer_id={order.customer_id}").json()["count"] == 1
    assert api.post(f"/api/v1/credit-notes/{body['id']}/cancel", {"reason": "x"}).status_code == 409
    assert api.get("/api/v1/credit-notes/999999").status_code == 404


def test_merchandisers_see_credit_notes_but_may_not_issue_them(api_as, merchandiser, invoiced) -> None:
    order, _d, _g = invoiced
    api = api_as(merchandiser)
    assert api.get("/api/v1/credit-notes").status_code == 200
    r = api.post("/api/v1/credit-notes", {"customer_id": order.customer_id, "amount": "1", "reason": "x"})
    assert r.status_code == 403


def test_the_pages_issue_show_and_apply(page_as, finance, invoiced) -> None:
    order, deposit, _goods = invoiced
    client = page_as(finance)
    r = client.post(
        f"/finance/credit-notes/add/?customer={order.customer_id}",
        {
            "customer_id": order.customer_id,
            "currency": "USD",
            "amount": "30.00",
            "reason": "price correction",
            "order_id": order.pk,
            "issue_date": TODAY.isoformat(),
        },
    )
    note = CreditNote.objects.get()
    assert r.status_code == 302
    assert r["Location"].endswith(f"/finance/credit-notes/{note.pk}/")
    assert note.allocated_amount == 0  # the "apply at once" box was not ticked
    page = client.get(f"/finance/credit-notes/{note.pk}/").content.decode()
    assert note.number in page
    assert 'data-testid="allocate-form"' in page
    client.post(f"/finance/credit-notes/{note.pk}/apply/", {"rows": "1", "invoice-0": deposit.pk, "alloc-0": "30.00"})
    note.refresh_from_db()
    assert note.status == "applied"
    assert note.number in client.get("/finance/credit-notes/").content.decode()
    assert note.number in client.get(f"/finance/invoices/{deposit.pk}/").content.decode()
    assert note.number in client.get(f"/finance/customers/{order.customer_id}/statement/").content.decode()
