"""FX settlement (结汇): a foreign-currency receipt's net amount sold for CNY at the bank's rate, with the gain or
loss against the receipt's booking rate; never more than is left; through the API and the receipt's page."""

from decimal import Decimal

import pytest

from gendan.core.exceptions import ValidationError
from gendan.finance import services
from gendan.finance.models import FxSettlement
from tests.conftest import TODAY
from tests.factories import CustomerFactory
from tests.finance.test_api import assert_exact_amounts

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def usd_receipt(finance):  # noqa: ANN001, ANN201
    return services.record_receipt(
        by=finance,
        data={
            "customer_id": CustomerFactory().pk,
            "amount": "1000.00",
            "bank_charges": "20.00",
            "currency": "USD",
            "received_date": TODAY,
            "fx_rate": "7.10",
        },
    )


def test_settling_books_the_gain_or_loss_against_the_booking_rate(finance, usd_receipt) -> None:
    gain = services.settle_fx(receipt=usd_receipt, by=finance, data={"amount": "500", "bank_rate": "7.15"})
    assert (gain.cny_amount, gain.booked_cny_amount, gain.gain_loss) == (D("3575.00"), D("3550.00"), D("25.00"))
    assert gain.number.startswith("FX-2026-")
    with pytest.raises(ValidationError) as exc:
        services.settle_fx(receipt=usd_receipt, by=finance, data={"amount": "480.01", "bank_rate": "7.05"})
    assert "amount" in exc.value.errors
    loss = services.settle_fx(receipt=usd_receipt, by=finance, data={"amount": "480", "bank_rate": "7.0512"})
    assert (loss.cny_amount, loss.booked_cny_amount, loss.gain_loss) == (D("3384.58"), D("3408.00"), D("-23.42"))
    assert services.settled_amount(usd_receipt.pk) == D("980.00")


def test_a_cny_receipt_and_bad_rates_are_refused(finance, usd_receipt) -> None:
    cny = services.record_receipt(
        by=finance,
        data={"customer_id": CustomerFactory().pk, "amount": "10", "currency": "CNY", "received_date": TODAY},
    )
    with pytest.raises(ValidationError):
        services.settle_fx(receipt=cny, by=finance, data={"amount": "10", "bank_rate": "1"})
    for rate in ("0", "abc", "7.1234567"):
        with pytest.raises(ValidationError) as exc:
            services.settle_fx(receipt=usd_receipt, by=finance, data={"amount": "10", "bank_rate": rate})
        assert "bank_rate" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        services.settle_fx(
            receipt=usd_receipt, by=finance, data={"amount": "10", "bank_rate": "7", "settled_date": "2026-11-01"}
        )
    assert "settled_date" in exc.value.errors
    assert not FxSettlement.objects.exists()


def test_fx_settlements_api(api_as, finance, merchandiser, usd_receipt) -> None:
    api = api_as(finance)
    r = api.post("/fx-settlements", {"receipt_id": usd_receipt.pk, "amount": "300", "bank_rate": "7.2"})
    assert r.status_code == 201, r.json()
    assert (r.json()["cny_amount"], r.json()["gain_loss"], r.json()["booking_rate"]) == ("2160.00", "30.00", "7.100000")
    assert (
        api.post("/fx-settlements", {"receipt_id": usd_receipt.pk, "amount": "681", "bank_rate": "7"}).status_code
        == 422
    )
    listed = api.get("/fx-settlements").json()
    assert listed["count"] == 1
    assert listed["totals"] == [
        {
            "currency": "USD",
            "amount": "300.00",
            "cny_amount": "2160.00",
            "booked_cny_amount": "2130.00",
            "gain_loss": "30.00",
        }
    ]
    for item in listed["items"]:  # the CNY figures of a USD settlement are checked as CNY
        assert_exact_amounts({"currency": item["currency"], "amount": item["amount"]})
        assert_exact_amounts({"currency": "CNY", **{k: item[k] for k in ("cny_amount", "gain_loss")}})
    assert api_as(merchandiser).get("/fx-settlements").status_code == 403
    assert (
        api_as(merchandiser)
        .post("/fx-settlements", {"receipt_id": usd_receipt.pk, "amount": "1", "bank_rate": "7"})
        .status_code
        == 403
    )


def test_settling_on_the_receipt_page(page_as, finance, usd_receipt) -> None:
    client = page_as(finance)
    html = client.get(f"/finance/receipts/{usd_receipt.pk}/").content.decode()
    assert 'data-testid="settle-form"' in html
    assert 'name="amount" value="980"' in html
    r = client.post(f"/finance/receipts/{usd_receipt.pk}/settle/", {"amount": "980", "bank_rate": "7.09"})
    assert r.status_code == 302
    html = client.get(f"/finance/receipts/{usd_receipt.pk}/").content.decode()
    assert "CNY -9.80" in html
    assert 'data-testid="settle-form"' not in html
    assert client.get("/finance/fx-settlements/").status_code == 200
