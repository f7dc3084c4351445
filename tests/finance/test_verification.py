"""Verification of export proceeds (核销) per export declaration: the declared value against what was collected on
the shipment's invoices and the paid share of the deposit deducted on them; status computed; page, Excel, API."""

from decimal import Decimal

import pytest

from gendan.finance import rebates, services
from gendan.finance.models import Invoice
from gendan.shipping.models import CustomsDeclaration, CustomsLine
from tests.conftest import TODAY
from tests.finance.factories import confirmed_order, customer_on, ship
from tests.finance.test_api import assert_exact_amounts

pytestmark = pytest.mark.django_db
D = Decimal


def declare(shipment, values=("300.00", "200.00"), *, no="222020260000000001", day=TODAY, hs=("6109100021",) * 2):  # noqa: ANN001, ANN201
    declaration = CustomsDeclaration.objects.create(
        shipment=shipment, declaration_no=no, declaration_date=day, currency=shipment.currency
    )
    for position, (value, code) in enumerate(zip(values, hs, strict=True), start=1):
        CustomsLine.objects.create(
            declaration=declaration,
            position=position,
            hs_code=code,
            declared_name=f"T-shirt {position}",
            quantity=D(100),
            unit="PCS",
            value=D(value),
        )
    return declaration


def pay(finance, invoice: Invoice, amount: str | None = None) -> None:  # noqa: ANN001
    amount = amount or str(invoice.amount)
    services.record_receipt(
        by=finance,
        data={
            "customer_id": invoice.customer_id,
            "currency": invoice.currency,
            "amount": amount,
            "received_date": TODAY,
            "fx_rate": "7.1",
            "allocations": [{"invoice_id": invoice.pk, "amount": amount}],
        },
    )


@pytest.fixture
def shipped(merchandiser, manager):  # noqa: ANN001, ANN201
    """A USD 500.00 order on 30 % deposit / 70 % against B/L, shipped whole and declared at USD 500.00."""
    order = confirmed_order(by=merchandiser, manager=manager, customer=customer_on("TT30-70BL", code="ACME"))
    shipment = ship(order)
    return order, shipment, declare(shipment)


def test_the_status_follows_what_is_collected_including_the_deposit_share(finance, shipped) -> None:
    order, shipment, declaration = shipped
    v = rebates.verification(declaration.pk)
    assert (v.declared, v.collected, v.open_amount, v.status) == (D("500.00"), D(0), D("500.00"), "open")
    goods = Invoice.objects.get(shipment=shipment)
    deposit = Invoice.objects.get(order=order, kind="deposit")
    assert (goods.amount, deposit.amount) == (D("350.00"), D("150.00"))
    pay(finance, goods, "100.00")
    v = rebates.verification(declaration.pk)
    assert (v.collected_invoices, v.collected_deposits, v.status) == (D("100.00"), D(0), "partly")
    pay(finance, goods, "250.00")
    pay(finance, deposit, "50.00")  # a third of the deposit paid: a third of the 150.00 deducted counts
    v = rebates.verification(declaration.pk)
    assert (v.collected_invoices, v.collected_deposits, v.open_amount, v.status) == (
        D("350.00"),
        D("50.00"),
        D("100.00"),
        "partly",
    )
    pay(finance, deposit, "100.00")
    v = rebates.verification(declaration.pk)
    assert (v.collected, v.open_amount, v.status) == (D("500.00"), D(0), "collected")


def test_a_declared_value_above_the_invoices_stays_open_and_other_currencies_do_not_count(finance, shipped) -> None:
    _order, shipment, declaration = shipped
    CustomsLine.objects.filter(declaration=declaration, position=1).update(value=D("400.00"))
    for invoice in Invoice.objects.filter(customer=shipment.customer):
        pay(finance, invoice)
    v = rebates.verification(declaration.pk)
    assert (v.declared, v.collected, v.open_amount, v.status) == (D("600.00"), D("500.00"), D("100.00"), "partly")
    CustomsDeclaration.objects.filter(pk=declaration.pk).update(currency="EUR")
    assert rebates.verification(declaration.pk).collected == 0


def test_the_page_filters_and_exports(page_as, finance, shipped) -> None:
    _order, shipment, _declaration = shipped
    client = page_as(finance)
    html = client.get("/finance/verification/").content.decode()
    assert html.count('data-testid="verification-row"') == 1
    assert "USD 500.00" in html
    assert client.get("/finance/verification/?from=2026-12-01").content.decode().count("verification-row") == 0
    assert (
        client.get(f"/finance/verification/?customer={shipment.customer_id}&open=1")
        .content.decode()
        .count('data-testid="verification-row"')
        == 1
    )
    for invoice in Invoice.objects.filter(customer=shipment.customer):
        pay(finance, invoice)
    assert client.get("/finance/verification/?open=1").content.decode().count('data-testid="verification-row"') == 0
    xlsx = client.get("/finance/verification/?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_api(api_as, finance, make_user, shipped) -> None:
    from gendan.core.choices import Role

    _order, shipment, declaration = shipped
    api = api_as(finance)
    r = api.get("/verifications")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["declared"], item["collected"], item["open"], item["status"]) == ("500.00", "0.00", "500.00", "open")
    assert_exact_amounts(item)
    assert body["totals"] == [
        {"currency": "USD", "count": 1, "declared": "500.00", "collected": "0.00", "open": "500.00"}
    ]
    assert api.get(f"/verifications/{declaration.pk}").json()["shipment_number"] == shipment.number
    assert api.get("/verifications/999999").status_code == 404
    assert api.get("/verifications?open_only=true&from=2026-12-01").json()["count"] == 0
    assert api_as(make_user(Role.QC, username="qc1")).get("/verifications").status_code == 403
    assert api_as(None).get("/verifications").status_code == 401
