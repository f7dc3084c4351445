"""The finance API's contract: invoices, receipts, statements, ageing, payment terms; permissions; stale versions;
and every amount a decimal string with no more places than its currency has."""

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from gendan.core.choices import Role
from gendan.core.money import places
from gendan.finance.models import Allocation, Invoice, PaymentTerm, Receipt
from tests.conftest import TODAY
from tests.factories import CustomerFactory
from tests.finance.factories import confirmed_order, customer_on, ship

pytestmark = pytest.mark.django_db
D = Decimal
AMOUNT_KEYS = {
    "amount",
    "paid_amount",
    "open_amount",
    "bank_charges",
    "net_amount",
    "allocated_amount",
    "unallocated_amount",
    "opening",
    "invoiced",
    "received",
    "closing",
    "debit",
    "credit",
    "balance",
    "open",
    "current",
    "d1_30",
    "d31_60",
    "d61_90",
    "d90_plus",
    "overdue",
    "total",
}


def walk_amounts(node: Any, currency: str | None = None, path: str = "$") -> list[tuple[str, Any, str | None]]:
    """Every (path, value, currency) of a money key in a JSON document; the currency is the nearest one above."""
    found = []
    if isinstance(node, dict):
        currency = node.get("currency", currency)
        if path.endswith("amount_cny"):
            currency = "CNY"
        for key, value in node.items():
            if key in AMOUNT_KEYS and not isinstance(value, dict | list):
                found.append((f"{path}.{key}", value, "CNY" if key == "amount_cny" else currency))
            elif key == "amount_cny":
                found.append((f"{path}.{key}", value, "CNY"))
            else:
                found += walk_amounts(value, currency, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += walk_amounts(value, currency, f"{path}[{i}]")
    return found


def assert_exact_amounts(doc: Any) -> int:
    amounts = walk_amounts(doc)
    for path, value, currency in amounts:
        if value is None:
            continue
        assert isinstance(value, str), f"{path} is {type(value).__name__} {value!r}, not a decimal string"
        assert currency, f"{path} has no currency"
        number = D(value)
        exponent = number.as_tuple().exponent
        assert -exponent == places(currency), f"{path} = {value!r} is not written with {places(currency)} places"
    return len(amounts)


@pytest.fixture
def books(merchandiser, manager, finance):  # noqa: ANN001, ANN201
    """A USD customer with a deposit, a shipment invoice, a receipt; a JPY customer likewise."""
    usd = customer_on("TT30-70BL", code="USD1")
    order = confirmed_order(by=merchandiser, manager=manager, customer=usd, prices=["2.5", "1.255"])
    ship(order)
    jpy = customer_on("TT30-70BL", code="JPY1", currency="JPY")
    jorder = confirmed_order(
        by=merchandiser, manager=manager, customer=jpy, currency="JPY", quantities=[3, 7], prices=["1000", "333"]
    )
    ship(jorder)
    return usd, order, jpy, jorder


def test_the_invoice_contract(api_as, finance, books) -> None:
    usd, order, _jpy, _jorder = books
    api = api_as(finance)
    page = api.get("/invoices", customer_id=usd.pk).json()
    assert page["count"] == 2
    item = page["items"][0]
    for key in ("id", "number", "customer_id", "currency", "amount", "paid_amount", "due_date", "status"):
        assert key in item
    assert item["status"] in ("open", "partially_paid", "paid", "cancelled")
    detail = api.get(f"/invoices/{item['id']}").json()
    assert detail["lines"]
    assert detail["allocations"] == []
    assert api.get("/invoices", status="open", overdue="true").json()["count"] == 0
    assert api.get("/invoices", order_id=order.pk).json()["count"] == 2
    assert api.get("/invoices/999999").status_code == 404


def test_a_manual_invoice_through_the_api(api_as, finance) -> None:
    c = CustomerFactory(currency="EUR")
    r = api_as(finance).post("/invoices", {"customer_id": c.pk, "amount": "120.5", "description": "Samples"})
    assert r.status_code == 201, r.json()
    assert (r.json()["amount"], r.json()["currency"], r.json()["kind"]) == ("120.50", "EUR", "manual")
    bad = api_as(finance).post("/invoices", {"customer_id": c.pk, "amount": "1.234"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "lines.0.amount"]


def test_recording_a_receipt_with_allocations(api_as, finance, books) -> None:
    usd, order, _jpy, _jorder = books
    deposit = Invoice.objects.get(order=order, kind="deposit")
    body = {
        "customer_id": usd.pk,
        "amount": "160.00",
        "currency": "USD",
        "received_date": TODAY.isoformat(),
        "bank_charges": "20",
        "fx_rate": "7.1083",
        "reference": "TT 0042",
        "allocations": [{"invoice_id": deposit.pk, "amount": "100"}],
    }
    r = api_as(finance).post("/receipts", body)
    assert r.status_code == 201, r.json()
    data = r.json()
    assert (data["amount"], data["bank_charges"], data["net_amount"]) == ("160.00", "20.00", "140.00")
    assert (data["allocated_amount"], data["unallocated_amount"], data["amount_cny"]) == ("100.00", "60.00", "1137.33")
    assert data["allocations"][0]["invoice_number"] == deposit.number
    inv = api_as(finance).get(f"/invoices/{deposit.pk}").json()
    assert (inv["paid_amount"], inv["status"], inv["open_amount"]) == ("100.00", "partially_paid", "50.30")
    more = api_as(finance).post(
        f"/receipts/{data['id']}/allocations", {"allocations": [{"invoice_id": deposit.pk, "amount": "50"}]}
    )
    assert more.status_code == 200
    assert more.json()["unallocated_amount"] == "10.00"
    listed = api_as(finance).get("/receipts", customer_id=usd.pk, unallocated="true").json()
    assert listed["count"] == 1


def test_over_allocation_is_a_422_and_nothing_is_written(api_as, finance, books) -> None:
    usd, order, _jpy, _jorder = books
    deposit = Invoice.objects.get(order=order, kind="deposit")
    r = api_as(finance).post(
        "/receipts",
        {
            "customer_id": usd.pk,
            "amount": 1000,
            "currency": "USD",
            "received_date": TODAY.isoformat(),
            "fx_rate": 7.1,
            "allocations": [{"invoice_id": deposit.pk, "amount": "150.31"}],
        },
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "allocations.0.amount"]
    assert not Receipt.objects.exists()
    assert not Allocation.objects.exists()


def test_statement_json_pdf_and_xlsx(api_as, finance, books) -> None:
    usd, _order, _jpy, _jorder = books
    api = api_as(finance)
    data = api.get(f"/customers/{usd.pk}/statement", **{"from": "2026-11-01", "to": "2026-11-30"}).json()
    section = data["sections"][0]
    assert (section["currency"], section["opening"], section["closing"]) == ("USD", "0.00", "501.00")
    assert [e["kind"] for e in section["entries"]] == ["invoice", "invoice"]
    pdf = api.get(f"/customers/{usd.pk}/statement.pdf", lang="en")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xlsx = api.get(f"/customers/{usd.pk}/statement.xlsx", **{"from": "2026-11-01"})
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert D("501.00") in [D(str(v)) for v in values if isinstance(v, int | float | Decimal)]
    assert api.get(f"/customers/{usd.pk}/statement", **{"from": "2026-12-01", "to": "2026-11-01"}).status_code == 422


def test_ageing_endpoint(api_as, finance, books) -> None:
    r = api_as(finance).get("/receivables/ageing").json()
    assert {row["currency"] for row in r["rows"]} == {"USD", "JPY"}
    assert r["as_of"] == TODAY.isoformat()
    by = api_as(finance).get("/receivables/ageing", by="merchandiser").json()
    assert by["rows"][0]["code"] == "mer1"
    assert api_as(finance).get("/receivables/ageing", by="planet").status_code == 422


def test_every_amount_in_the_responses_is_an_exact_string_in_its_currency(api_as, finance, books) -> None:
    usd, order, jpy, jorder = books
    api = api_as(finance)
    deposit = Invoice.objects.get(order=jorder, kind="deposit")
    api.post(
        "/receipts",
        {
            "customer_id": jpy.pk,
            "amount": "2000",
            "currency": "JPY",
            "received_date": TODAY.isoformat(),
            "bank_charges": "1500",
            "fx_rate": "0.0471",
            "allocations": [{"invoice_id": deposit.pk, "amount": "1599"}],
        },
    )
    docs = [
        api.get("/invoices").json(),
        *[api.get(f"/invoices/{i.pk}").json() for i in Invoice.objects.all()],
        api.get("/receipts").json(),
        *[api.get(f"/receipts/{r.pk}").json() for r in Receipt.objects.all()],
        api.get(f"/customers/{usd.pk}/statement", **{"from": "2026-01-01"}).json(),
        api.get(f"/customers/{jpy.pk}/statement", **{"from": "2026-01-01"}).json(),
        api.get("/receivables/ageing").json(),
        api.get("/receivables/ageing", by="merchandiser").json(),
    ]
    checked = sum(assert_exact_amounts(doc) for doc in docs)
    assert checked > 80
    jpy_invoice = api.get(f"/invoices/{deposit.pk}").json()
    assert (jpy_invoice["amount"], jpy_invoice["paid_amount"]) == ("1599", "1599")


def test_the_statement_document_data_holds_exact_decimals(finance, books) -> None:
    from gendan.finance.selectors import statement

    usd, _order, jpy, _jorder = books
    for customer in (usd, jpy):
        data = statement(customer, dt.date(2026, 1, 1), TODAY)
        for section in data["sections"]:
            cur = section["currency"]
            values = [section[k] for k in ("opening", "invoiced", "received", "closing")]
            values += [e[k] for e in section["entries"] for k in ("debit", "credit", "balance")]
            values += [o[k] for o in section["open_invoices"] for k in ("amount", "open")]
            for value in values:
                assert isinstance(value, Decimal), value
                assert -value.as_tuple().exponent == places(cur), (cur, value)


def test_walk_amounts_catches_floats_and_extra_places() -> None:
    with pytest.raises(AssertionError):
        assert_exact_amounts({"currency": "USD", "amount": 1.5})
    with pytest.raises(AssertionError):
        assert_exact_amounts({"currency": "JPY", "items": [{"amount": "100.00"}]})
    assert assert_exact_amounts({"currency": "JPY", "items": [{"amount": "100"}]}) == 1


def test_payment_terms_api_and_stale_versions(api_as, finance, manager) -> None:
    api = api_as(finance)
    terms = api.get("/payment-terms").json()
    assert "TT30-70BL" in {t["code"] for t in terms}
    created = api.post(
        "/payment-terms",
        {
            "code": "dp50",
            "name": "50% 订金, 50% 见提单",
            "parts": [{"share_pct": "50", "rule": "deposit", "days": 3}, {"share_pct": 50, "rule": "copy_bl"}],
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["code"], body["parts"][0]["share_pct"], body["version"]) == ("DP50", "50.00", 1)
    bad = api.post("/payment-terms", {"code": "X", "name": "x", "parts": [{"share_pct": "60", "rule": "deposit"}]})
    assert bad.status_code == 422
    changed = api.patch(f"/payment-terms/{body['id']}", {"name": "half and half", "version": 1})
    assert changed.status_code == 200
    assert changed.json()["version"] == 2
    stale = api.patch(f"/payment-terms/{body['id']}", {"name": "again", "version": 1})
    assert stale.status_code == 409
    assert (stale.json()["code"], stale.json()["current_version"]) == ("stale_version", 2)
    c = CustomerFactory()
    put = api.put(f"/customers/{c.pk}/payment-terms", {"term_id": body["id"]})
    assert put.json() == {"term_id": body["id"], "term_code": "DP50", "own": True, "version": 1}
    stale_customer = api.put(f"/customers/{c.pk}/payment-terms", {"term_id": terms[0]["id"], "version": 5})
    assert stale_customer.status_code == 409


def test_stale_version_on_cancel(api_as, finance, books) -> None:
    _usd, order, _jpy, _jorder = books
    deposit = Invoice.objects.get(order=order, kind="deposit")
    stale = api_as(finance).post(f"/invoices/{deposit.pk}/cancel", {"reason": "x", "version": 7})
    assert stale.status_code == 409
    ok = api_as(finance).post(f"/invoices/{deposit.pk}/cancel", {"reason": "duplicate", "version": 1})
    assert ok.json()["status"] == "cancelled"
    again = api_as(finance).post(f"/invoices/{deposit.pk}/cancel", {"reason": "x"})
    assert (again.status_code, again.json()["code"]) == (409, "transition_not_allowed")


def test_permissions(api_as, make_user, merchandiser, books) -> None:
    usd, order, _jpy, _jorder = books
    shipping = make_user(Role.SHIPPING, username="ship1")
    qc = make_user(Role.QC, username="qc1")
    receipt = {"customer_id": usd.pk, "amount": "1", "currency": "USD", "received_date": "2026-11-24", "fx_rate": "7"}
    assert api_as(None).get("/invoices").status_code == 401
    assert api_as(qc).get("/invoices").status_code == 403
    assert api_as(shipping).get("/invoices").status_code == 200
    assert api_as(shipping).get("/payment-terms").status_code == 200
    assert api_as(merchandiser).get(f"/customers/{usd.pk}/statement").status_code == 200
    denied = api_as(merchandiser).post("/receipts", receipt)
    assert denied.status_code == 403
    assert "finance.add_receipt" in denied.json()["detail"]
    assert api_as(merchandiser).post("/invoices", {"customer_id": usd.pk, "amount": "1"}).status_code == 403
    assert api_as(merchandiser).post("/payment-terms", {"code": "A", "name": "a", "parts": []}).status_code == 403
    term = PaymentTerm.objects.get(code="OA60")
    assert api_as(merchandiser).put(f"/orders/{order.pk}/payment-terms", {"term_id": term.pk}).status_code == 200
    assert api_as(shipping).put(f"/orders/{order.pk}/payment-terms", {"term_id": term.pk}).status_code == 403
