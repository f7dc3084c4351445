"""Export tax rebate (出口退税): rates by HS prefix (the longest valid on the declaration date wins), purchase VAT
invoices matched to customs lines (never beyond the invoice's amount nor the line's value), the rebate arithmetic,
the claim draft → filed → approved → received, what is pending; services, API and pages."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gendan.core.choices import Role
from gendan.core.exceptions import TransitionNotAllowed, ValidationError
from gendan.finance import rebates
from gendan.finance.models import PurchaseVatInvoice, RebateClaim, RebateRate, VatMatch
from tests.conftest import TODAY
from tests.factories import SupplierFactory
from tests.finance.factories import confirmed_order, customer_on, ship
from tests.finance.test_api import assert_exact_amounts
from tests.finance.test_verification import declare

D = Decimal


# ---- rate lookup (no database) ------------------------------------------------------------------------------------


def rate(prefix: str, pct: str, day: dt.date) -> RebateRate:
    return RebateRate(hs_prefix=prefix, rate_pct=D(pct), valid_from=day)


JAN, JUL = dt.date(2026, 1, 1), dt.date(2026, 7, 1)


def test_the_longest_prefix_valid_on_the_day_wins() -> None:
    rates = [rate("61", "9", JAN), rate("6109", "13", JAN), rate("610910", "11", JUL), rate("6109", "10", JUL)]
    assert rebates.pick_rate(rates, "6109100021", dt.date(2026, 3, 1)).rate_pct == D(13)
    assert rebates.pick_rate(rates, "6109100021", JUL).rate_pct == D(11)  # longer prefix from July
    assert rebates.pick_rate(rates, "6109900000", JUL).rate_pct == D(10)  # the latest 6109 rate
    assert rebates.pick_rate(rates, "6110000000", JUL).rate_pct == D(9)
    assert rebates.pick_rate(rates, "6201000000", JUL) is None
    assert rebates.pick_rate(rates, "6109100021", dt.date(2025, 12, 31)) is None


digits = st.text(alphabet="0123", min_size=2, max_size=10)
days = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 1, 1))


@given(
    st.lists(st.tuples(digits, st.integers(0, 17), days), max_size=12),
    st.text(alphabet="0123", min_size=10, max_size=10),
    days,
)
def test_the_rate_picked_is_valid_and_no_valid_prefix_is_longer(raw, hs_code, day) -> None:  # noqa: ANN001
    rates = [rate(p, str(pct), d) for p, pct, d in raw]
    picked = rebates.pick_rate(rates, hs_code, day)
    valid = [r for r in rates if r.valid_from <= day and hs_code.startswith(r.hs_prefix)]
    if not valid:
        assert picked is None
        return
    assert picked in valid
    assert all((len(r.hs_prefix), r.valid_from) <= (len(picked.hs_prefix), picked.valid_from) for r in valid)


# ---- rebate arithmetic --------------------------------------------------------------------------------------------


def test_the_rebate_is_rounded_once_half_up_and_capped_at_the_vat_rate() -> None:
    assert rebates.rebate_amount([(D("1000.00"), D(13), D(13))]) == D("130.00")
    assert rebates.rebate_amount([(D("1000.00"), D(13), D(9))]) == D("90.00")  # never above the VAT charged
    assert rebates.rebate_amount([(D("0.05"), D(13), D(13))]) == D("0.01")  # 0.0065 → 0.01
    assert rebates.rebate_amount([(D("0.03"), D(15), D(17))] * 2) == D("0.01")  # 0.009 once, not 0.00 + 0.00
    assert rebates.rebate_amount([]) == D("0.00")


money = st.decimals(min_value=D("0.01"), max_value=D("9999999.99"), places=2)
pct = st.decimals(min_value=D(0), max_value=D(17), places=2)


@given(st.lists(st.tuples(money, pct, pct), max_size=8))
def test_the_rebate_never_exceeds_the_matched_vat_nor_the_highest_rate(parts) -> None:  # noqa: ANN001
    rebate = rebates.rebate_amount(parts)
    vat = rebates.rebate_amount((a, v, v) for a, _r, v in parts)
    assert D(0) <= rebate <= vat
    top = max((r for _a, r, _v in parts), default=D(0))
    assert rebate <= rebates.rebate_amount((a, top, top) for a, _r, _v in parts)
    assert rebate == rebate.quantize(D("0.01"))


# ---- with the database --------------------------------------------------------------------------------------------


@pytest.fixture
def declaration(merchandiser, manager):  # noqa: ANN001, ANN201
    """A USD declaration of two lines (300.00 of 6109100021 and 200.00 of 6110200000), rates 13 % for 6109 and 9 %
    for 61."""
    order = confirmed_order(by=merchandiser, manager=manager, customer=customer_on("TT30-70BL", code="ACME"))
    found = declare(ship(order), hs=("6109100021", "6110200000"))
    RebateRate.objects.create(hs_prefix="61", rate_pct=D(9), valid_from=JAN)
    RebateRate.objects.create(hs_prefix="6109", rate_pct=D(13), valid_from=JAN)
    return found


@pytest.fixture
def vat(finance):  # noqa: ANN001, ANN201
    supplier = SupplierFactory()

    def make(no: str, amount: str = "1000.00", vat_rate: str = "13") -> PurchaseVatInvoice:
        return rebates.create_vat_invoice(
            by=finance,
            data={
                "supplier_id": supplier.pk,
                "invoice_no": no,
                "invoice_date": TODAY,
                "amount": amount,
                "vat_amount": str((D(amount) * D(vat_rate) / 100).quantize(D("0.01"))),
                "vat_rate": vat_rate,
                "hs_code": "6109",
            },
        )

    return make


def lines(declaration):  # noqa: ANN001, ANN201
    return list(declaration.lines.order_by("position"))


@pytest.mark.django_db
def test_matching_computes_the_rebate_and_refuses_too_much_with_nothing_written(finance, declaration, vat) -> None:
    one, two = lines(declaration)
    a, b = vat("00000001", "1000.00"), vat("00000002", "500.00", vat_rate="9")
    rebates.match_vat(
        declaration=declaration,
        by=finance,
        rows=[
            {"vat_invoice_id": a.pk, "customs_line_id": one.pk, "amount": "600.00", "line_value": "200.00"},
            {"vat_invoice_id": b.pk, "customs_line_id": two.pk, "amount": "500.00"},  # covers the whole line
        ],
    )
    r = rebates.rebate_of(declaration)
    assert [rl.rate_pct for rl in r.lines] == [D(13), D(9)]
    assert (r.matched_amount, r.matched_vat, r.amount) == (D("1100.00"), D("123.00"), D("123.00"))  # 78 + 45
    assert [rl.matched_value for rl in r.lines] == [D("200.00"), D("200.00")]
    for rows, field in [
        ([{"vat_invoice_id": a.pk, "customs_line_id": one.pk, "amount": "400.01", "line_value": "1"}], "rows.0.amount"),
        (
            [{"vat_invoice_id": a.pk, "customs_line_id": one.pk, "amount": "1", "line_value": "100.01"}],
            "rows.0.line_value",
        ),
        (
            [
                {"vat_invoice_id": a.pk, "customs_line_id": one.pk, "amount": "300", "line_value": "50"},
                {"vat_invoice_id": a.pk, "customs_line_id": one.pk, "amount": "300", "line_value": "50"},
            ],
            "rows.1.amount",
        ),
        ([{"vat_invoice_id": a.pk, "customs_line_id": 999999, "amount": "1"}], "rows.0.customs_line_id"),
        ([{"vat_invoice_id": a.pk, "customs_line_id": two.pk, "amount": "1"}], "rows.0.line_value"),  # all covered
        ([{"vat_invoice_id": a.pk, "customs_line_id": one.pk, "amount": "1", "line_value": "0"}], "rows.0.line_value"),
    ]:
        with pytest.raises(ValidationError) as exc:
            rebates.match_vat(declaration=declaration, by=finance, rows=rows)
        assert field in exc.value.errors, exc.value.errors
    assert VatMatch.objects.count() == 2


@pytest.mark.django_db
def test_the_claim_steps_and_refused_transitions(finance, declaration, vat) -> None:
    one, _two = lines(declaration)
    claim = rebates.create_claim(declaration=declaration, by=finance)
    with pytest.raises(TransitionNotAllowed):
        rebates.create_claim(declaration=declaration, by=finance)
    with pytest.raises(ValidationError):  # nothing matched: nothing to claim
        rebates.file_claim(claim=claim, by=finance, data={})
    a = vat("00000001")
    rebates.match_vat(
        declaration=declaration,
        by=finance,
        rows=[{"vat_invoice_id": a.pk, "customs_line_id": one.pk, "amount": "1000"}],
    )
    for step in (rebates.approve_claim, rebates.receive_claim):
        with pytest.raises(TransitionNotAllowed):
            step(claim=claim, by=finance, data={})
    claim = rebates.file_claim(claim=claim, by=finance, data={})
    assert (claim.status, claim.filed_amount, claim.filed_date) == ("filed", D("130.00"), TODAY)
    with pytest.raises(TransitionNotAllowed):  # the matches are frozen once filed
        rebates.match_vat(
            declaration=declaration,
            by=finance,
            rows=[{"vat_invoice_id": a.pk, "customs_line_id": one.pk, "amount": "1"}],
        )
    with pytest.raises(TransitionNotAllowed):
        rebates.unmatch_vat(match=VatMatch.objects.get(), by=finance)
    with pytest.raises(ValidationError) as exc:
        rebates.approve_claim(claim=claim, by=finance, data={"amount": "120.00"})
    assert "reason" in exc.value.errors
    claim = rebates.approve_claim(claim=claim, by=finance, data={"amount": "120.00", "reason": "one line at 12 %"})
    assert (claim.status, claim.approved_amount) == ("approved", D("120.00"))
    with pytest.raises(TransitionNotAllowed):
        rebates.file_claim(claim=claim, by=finance, data={})
    claim = rebates.receive_claim(claim=claim, by=finance, data={})
    assert (claim.status, claim.received_amount, claim.version) == ("received", D("120.00"), 4)
    with pytest.raises(TransitionNotAllowed):
        rebates.receive_claim(claim=claim, by=finance, data={})


@pytest.mark.django_db
def test_rates_and_vat_invoices_are_checked(finance, vat) -> None:
    for data, field in [
        ({"hs_prefix": "6", "rate_pct": "13", "valid_from": "2026-01-01"}, "hs_prefix"),
        ({"hs_prefix": "61a9", "rate_pct": "13", "valid_from": "2026-01-01"}, "hs_prefix"),
        ({"hs_prefix": "6109", "rate_pct": "101", "valid_from": "2026-01-01"}, "rate_pct"),
        ({"hs_prefix": "6109", "rate_pct": "13.005", "valid_from": "2026-01-01"}, "rate_pct"),
        ({"hs_prefix": "6109", "rate_pct": "13", "valid_from": ""}, "valid_from"),
    ]:
        with pytest.raises(ValidationError) as exc:
            rebates.create_rebate_rate(by=finance, data=data)
        assert field in exc.value.errors
    rebates.create_rebate_rate(by=finance, data={"hs_prefix": "6109.10", "rate_pct": "13", "valid_from": JAN})
    assert RebateRate.objects.get().hs_prefix == "610910"
    with pytest.raises(ValidationError):
        rebates.create_rebate_rate(by=finance, data={"hs_prefix": "610910", "rate_pct": "9", "valid_from": JAN})
    vat("00000001")
    with pytest.raises(ValidationError) as exc:
        vat("00000001")
    assert "invoice_no" in exc.value.errors


@pytest.mark.django_db
def test_pending_lists_claims_not_received_and_declarations_not_claimed(finance, declaration, vat) -> None:
    one, _two = lines(declaration)
    a = vat("00000001")
    rebates.match_vat(
        declaration=declaration, by=finance, rows=[{"vat_invoice_id": a.pk, "customs_line_id": one.pk, "amount": "100"}]
    )
    data = rebates.pending(date_from=TODAY, date_to=TODAY)
    assert [(r["claim"], r["amount"]) for r in data["rows"]] == [(None, D("13.00"))]
    claim = rebates.file_claim(claim=rebates.create_claim(declaration=declaration, by=finance), by=finance, data={})
    data = rebates.pending(date_from=TODAY, date_to=TODAY)
    assert [(r["claim"], r["amount"]) for r in data["rows"]] == [(claim, D("13.00"))]
    assert data["total_claimed"] == D("13.00")
    assert rebates.pending(date_from=TODAY + dt.timedelta(days=1))["rows"] == []
    rebates.receive_claim(claim=rebates.approve_claim(claim=claim, by=finance, data={}), by=finance, data={})
    assert rebates.pending()["rows"] == []


# ---- API ----------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api(api_as, finance, merchandiser, declaration) -> None:
    api = api_as(finance)
    assert (
        api.post("/rebate-rates", {"hs_prefix": "6110", "rate_pct": "10", "valid_from": "2026-01-01"}).status_code
        == 201
    )
    assert (
        api.post("/rebate-rates", {"hs_prefix": "x", "rate_pct": "10", "valid_from": "2026-01-01"}).status_code == 422
    )
    assert [r["hs_prefix"] for r in api.get("/rebate-rates").json()] == ["61", "6109", "6110"]
    supplier = SupplierFactory()
    invoice = {
        "supplier_id": supplier.pk,
        "invoice_no": "04400001",
        "invoice_date": "2026-11-20",
        "amount": "2000.00",
        "vat_amount": "260.00",
        "vat_rate": "13",
    }
    r = api.post("/vat-invoices", invoice)
    assert r.status_code == 201, r.json()
    vat_id = r.json()["id"]
    assert api.post("/vat-invoices", invoice).status_code == 422
    one, two = lines(declaration)
    rows = [
        {"vat_invoice_id": vat_id, "customs_line_id": one.pk, "amount": "1000.00"},
        {"vat_invoice_id": vat_id, "customs_line_id": two.pk, "amount": "1000.01"},
    ]
    assert api.post("/vat-matches", {"declaration_id": declaration.pk, "rows": rows}).status_code == 422
    assert not VatMatch.objects.exists()
    rows[1]["amount"] = "1000.00"
    r = api.post("/vat-matches", {"declaration_id": declaration.pk, "rows": rows})
    assert r.status_code == 201, r.json()
    assert r.json()["amount"] == "230.00"  # 1000 × 13 % + 1000 × 10 % (6110 beats 61)
    assert api.get("/vat-invoices").json()[0]["unmatched"] == "0.00"
    assert api.post("/tax-rebates", {"declaration_id": 999999}).status_code == 404
    r = api.post("/tax-rebates", {"declaration_id": declaration.pk})
    assert r.status_code == 201
    claim_id = r.json()["id"]
    assert api.post("/tax-rebates", {"declaration_id": declaration.pk}).status_code == 409
    assert api.post(f"/tax-rebates/{claim_id}/approve", {}).status_code == 409
    r = api.post(f"/tax-rebates/{claim_id}/file", {})
    assert (r.status_code, r.json()["filed_amount"]) == (200, "230.00")
    assert api.post(f"/tax-rebates/{claim_id}/approve", {"amount": "200"}).status_code == 422
    r = api.post(f"/tax-rebates/{claim_id}/approve", {"amount": "200", "reason": "rate cut", "version": 2})
    assert (r.status_code, r.json()["approved_amount"]) == (200, "200.00")
    assert api.post(f"/tax-rebates/{claim_id}/receive", {"version": 1}).status_code == 409  # stale
    pending = api.get("/tax-rebates/pending").json()
    assert [(p["claim_id"], p["amount"]) for p in pending["rows"]] == [(claim_id, "200.00")]
    r = api.post(f"/tax-rebates/{claim_id}/receive", {"date": "2026-11-24"})
    assert (r.status_code, r.json()["status"], r.json()["received_amount"]) == (200, "received", "200.00")
    assert api.post(f"/tax-rebates/{claim_id}/receive", {}).status_code == 409
    listed = api.get("/tax-rebates?status=received").json()
    assert listed["count"] == 1
    assert_exact_amounts({"currency": "CNY", **{k: listed["items"][0][k] for k in ("computed_amount", "filed_amount")}})
    assert api.get(f"/tax-rebates/declarations/{declaration.pk}").json()["lines"][1]["rate_pct"] == "10.00"
    match_id = VatMatch.objects.first().pk
    assert api.delete(f"/vat-matches/{match_id}").status_code == 409  # the claim is filed
    other = api_as(merchandiser)
    assert other.get("/tax-rebates").status_code == 403
    assert (
        other.post("/rebate-rates", {"hs_prefix": "62", "rate_pct": "1", "valid_from": "2026-01-01"}).status_code == 403
    )
    assert other.get("/vat-invoices").status_code == 403
    assert api_as(None).get("/rebate-rates").status_code == 401


# ---- pages --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pages(page_as, finance, make_user, declaration) -> None:
    client = page_as(finance)
    assert client.get("/finance/rebates/").status_code == 200
    r = client.post("/finance/rebates/rates/", {"hs_prefix": "6110", "rate_pct": "10", "valid_from": "2026-01-01"})
    assert r.status_code == 302
    r = client.post("/finance/rebates/rates/", {"hs_prefix": "z", "rate_pct": "10", "valid_from": "2026-01-01"})
    assert r.status_code == 422
    assert 'data-testid="form-error"' in r.content.decode()
    assert client.get("/finance/rebates/rates/").content.decode().count('data-testid="rate-row"') == 3
    supplier = SupplierFactory()
    r = client.post(
        "/finance/rebates/vat-invoices/",
        {
            "supplier_id": supplier.pk,
            "invoice_no": "04400002",
            "invoice_date": "2026-11-20",
            "amount": "1000",
            "vat_amount": "130",
            "vat_rate": "13",
        },
    )
    assert r.status_code == 302
    assert client.get("/finance/rebates/vat-invoices/").content.decode().count('data-testid="vat-row"') == 1
    url = f"/finance/rebates/declarations/{declaration.pk}/"
    html = client.get(url).content.decode()
    assert 'data-testid="match-form"' in html
    assert 'data-testid="claim-create"' in html
    one, _two = lines(declaration)
    vat_id = PurchaseVatInvoice.objects.get().pk
    client.post(f"{url}match/", {"vat_invoice_id": vat_id, "customs_line_id": one.pk, "amount": "2000"})  # too much
    assert not VatMatch.objects.exists()
    client.post(f"{url}match/", {"vat_invoice_id": vat_id, "customs_line_id": one.pk, "amount": "1000"})
    assert 'data-testid="match"' in client.get(url).content.decode()
    client.post(f"{url}claim/create/")
    client.post(f"{url}claim/file/", {"version": 1})
    assert RebateClaim.objects.get().status == "filed"
    client.post(f"{url}claim/approve/", {"amount": "100", "version": 2})  # no reason: refused
    assert RebateClaim.objects.get().status == "filed"
    html = client.get(url).content.decode()
    assert "CNY 130.00" in html
    assert 'data-testid="match-form"' not in html
    assert 'data-testid="pending-row"' in client.get("/finance/rebates/").content.decode()
    assert page_as(make_user(Role.MERCHANDISER, username="m2")).get("/finance/rebates/").status_code == 403
    assert page_as(make_user(Role.MANAGER, username="boss2")).get(url).status_code == 200


# ---- corrections: rates and VAT invoices ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_rate_is_corrected_with_its_version_and_a_duplicate_is_refused(finance) -> None:
    from gendan.core.exceptions import StaleVersion

    a = rebates.create_rebate_rate(by=finance, data={"hs_prefix": "6302", "rate_pct": "9", "valid_from": "2026-01-01"})
    rebates.create_rebate_rate(by=finance, data={"hs_prefix": "6302", "rate_pct": "13", "valid_from": "2026-06-01"})
    fixed = rebates.update_rebate_rate(rate=a, by=finance, data={"rate_pct": "10"}, version=a.version)
    assert (fixed.rate_pct, fixed.valid_from.isoformat(), fixed.version) == (Decimal("10"), "2026-01-01", a.version + 1)
    with pytest.raises(StaleVersion):
        rebates.update_rebate_rate(rate=a, by=finance, data={"rate_pct": "11"}, version=a.version)
    with pytest.raises(ValidationError) as exc:
        rebates.update_rebate_rate(rate=a, by=finance, data={"valid_from": "2026-06-01"}, version=fixed.version)
    assert "valid_from" in exc.value.errors
    a.refresh_from_db()
    assert (a.rate_pct, a.valid_from.isoformat()) == (Decimal("10"), "2026-01-01")


@pytest.mark.django_db
def test_the_api_and_the_page_correct_a_rate(api_as, page_as, finance) -> None:
    rate = rebates.create_rebate_rate(
        by=finance, data={"hs_prefix": "6302", "rate_pct": "9", "valid_from": "2026-01-01"}
    )
    r = api_as(finance).patch(f"/api/v1/rebate-rates/{rate.pk}", {"rate_pct": "13", "version": rate.version})
    assert r.status_code == 200
    assert (r.json()["rate_pct"], r.json()["version"]) == ("13.00", rate.version + 1)
    assert api_as(finance).patch(f"/api/v1/rebate-rates/{rate.pk}", {"rate_pct": "150"}).status_code == 422
    assert api_as(finance).patch("/api/v1/rebate-rates/999999", {"rate_pct": "1"}).status_code == 404
    client = page_as(finance)
    assert (
        client.post(
            f"/finance/rebates/rates/{rate.pk}/",
            {"hs_prefix": "6302", "rate_pct": "abc", "valid_from": "2026-01-01", "version": rate.version + 1},
        ).status_code
        == 422
    )
    r = client.post(
        f"/finance/rebates/rates/{rate.pk}/",
        {"hs_prefix": "6302", "rate_pct": "11", "valid_from": "2026-01-01", "version": rate.version + 1},
    )
    assert r.status_code == 302
    rate.refresh_from_db()
    assert rate.rate_pct == Decimal("11")


@pytest.mark.django_db
def test_a_vat_invoice_is_corrected_but_never_below_what_is_matched_nor_once_claimed(
    finance, declaration, vat, api_as
) -> None:
    one, _two = lines(declaration)
    invoice = vat("00000009", "1000.00")
    rebates.match_vat(
        declaration=declaration,
        by=finance,
        rows=[{"vat_invoice_id": invoice.pk, "customs_line_id": one.pk, "amount": "800.00", "line_value": "100.00"}],
    )
    with pytest.raises(ValidationError) as exc:
        rebates.update_vat_invoice(invoice=invoice, by=finance, data={"amount": "799.99"})
    assert "amount" in exc.value.errors
    fixed = rebates.update_vat_invoice(
        invoice=invoice, by=finance, data={"description": "Cotton tees", "amount": "900"}
    )
    assert (fixed.description, fixed.amount, fixed.version) == ("Cotton tees", D("900.00"), invoice.version + 1)
    claim = rebates.create_claim(declaration=declaration, by=finance)
    rebates.file_claim(claim=claim, by=finance, data={"filed_date": TODAY.isoformat()})
    r = api_as(finance).patch(f"/api/v1/vat-invoices/{invoice.pk}", {"vat_rate": "9"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "amount"
    r = api_as(finance).patch(f"/api/v1/vat-invoices/{invoice.pk}", {"description": "Tees", "version": fixed.version})
    assert r.status_code == 200
    assert (r.json()["description"], r.json()["amount"]) == ("Tees", "900.00")


@pytest.mark.django_db
def test_the_rebate_list_exports_to_excel(page_as, finance, declaration, vat) -> None:
    import io

    from openpyxl import load_workbook

    one, _two = lines(declaration)
    invoice = vat("00000011", "1000.00")
    rebates.match_vat(
        declaration=declaration,
        by=finance,
        rows=[{"vat_invoice_id": invoice.pk, "customs_line_id": one.pk, "amount": "1000.00"}],
    )
    claim = rebates.create_claim(declaration=declaration, by=finance)
    rebates.file_claim(claim=claim, by=finance, data={"filed_date": TODAY.isoformat()})
    r = page_as(finance).get("/finance/rebates/?format=xlsx")
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    row = next(x for x in rows if declaration.declaration_no in x)
    assert row.count(130) == 2  # computed and claimed: 1,000.00 matched at 13 %
