"""Quotations pages: the list with its filters and Excel, the new quotation in two steps, the cost build-up re-priced
through htmx (no arithmetic in the browser), the status buttons, the PDF, the rates page, the report, the customer
file's and the order page's sections, the dashboard panel; permissions."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gendan.core.choices import Role
from gendan.core.models import ExchangeRate
from gendan.quotations import services
from gendan.quotations.models import ProcessingRate, Quotation
from tests.quotations.conftest import sent

pytestmark = pytest.mark.django_db


def test_the_list_filters_and_exports(world, quote, sales, page_as, make_user):
    a = quote()
    b = sent(quote(), sales)
    client = page_as(sales)
    r = client.get("/quotations/")
    assert r.status_code == 200
    assert a.number.encode() in r.content
    assert b.number.encode() in r.content
    r = client.get("/quotations/", {"status": "sent"})
    assert b.number.encode() in r.content
    assert a.number.encode() not in r.content
    r = client.get("/quotations/", {"status": "sent", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(r.content)).active.values)
    assert rows[0][0] == "Number"
    assert [row[0] for row in rows[1:]] == [b.number]
    assert rows[1][8] == Decimal("30870")  # in CNY
    viewer = page_as(make_user(Role.QC))
    assert viewer.get("/quotations/").status_code == 200
    assert viewer.get("/quotations/new/").status_code == 403


def test_a_new_quotation_takes_the_customers_defaults(world, sales, page_as):
    client = page_as(sales)
    r = client.get("/quotations/new/")
    assert b"quotation-customer-form" in r.content
    r = client.get(f"/quotations/new/?customer={world.customer.pk}")
    html = r.content.decode()
    assert 'value="7"' in html  # the quoting rate of USD
    assert "T/T 30% deposit" in html
    r = client.post(
        "/quotations/new/",
        {
            "customer_id": world.customer.pk,
            "currency": "USD",
            "fx_rate": "7",
            "incoterm": "FOB",
            "incoterm_place": "Ningbo",
            "payment_terms": "T/T",
            "lead_time_days": "40",
            "valid_until": "2026-12-24",
            "product_id": world.product.pk,
            "quantity": "1000",
        },
    )
    q = Quotation.objects.get()
    assert r.status_code == 302
    assert r["Location"] == f"/quotations/{q.pk}/"
    assert (q.incoterm_place, q.lead_time_days, q.lines.count()) == ("Ningbo", 40, 1)


def test_a_new_quotation_with_bad_input_shows_the_errors(world, sales, page_as):
    r = page_as(sales).post(
        "/quotations/new/",
        {
            "customer_id": world.customer.pk,
            "currency": "USD",
            "fx_rate": "-1",
            "product_id": world.product.pk,
            "quantity": "x",
        },
    )
    assert r.status_code == 200
    assert b"form-errors" in r.content
    assert not Quotation.objects.exists()


def test_the_build_up_is_repriced_by_the_server_through_htmx(world, quote, sales, page_as):
    q = quote()
    line = q.lines.get()
    client = page_as(sales)
    r = client.get(f"/quotations/{q.pk}/")
    html = r.content.decode()
    assert 'data-testid="unit-price-1">4.41<' in html
    assert f'hx-post="/quotations/{q.pk}/lines/{line.pk}/"' in html
    form = {
        "quantity": "1000",
        "description": "",
        "packaging_cost": "0.5",
        "overhead_pct": "10",
        "freight_cost": "0.3",
        "margin_pct": "25",
        "price_override": "",
        "breaks": "5000 10000",
        **{f"mat-{m.pk}": str(m.unit_price) for m in line.materials.all()},
        "version": "1",
    }
    r = client.post(f"/quotations/{q.pk}/lines/{line.pk}/", form, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-testid="unit-price-1">4.70<' in html
    assert 'id="quotation-version" name="version" value="2" hx-swap-oob="true"' in html
    assert "USD 4,700.00" in html  # the quotation's total, out of band
    assert [b.quantity for b in line.breaks.all()] == [Decimal("5000.000"), Decimal("10000.000")]
    # a bad figure comes back with its error, typed value kept, nothing saved
    r = client.post(
        f"/quotations/{q.pk}/lines/{line.pk}/", {**form, "margin_pct": "120", "version": "2"}, HTTP_HX_REQUEST="true"
    )
    html = r.content.decode()
    assert "line-errors" in html
    assert 'value="120"' in html
    line.refresh_from_db()
    assert line.margin_pct == Decimal("25")
    # a stale version is said, not saved
    r = client.post(f"/quotations/{q.pk}/lines/{line.pk}/", {**form, "version": "1"}, HTTP_HX_REQUEST="true")
    assert b"changed by someone else" in r.content


def test_lines_are_added_refreshed_and_removed(world, quote, sales, page_as):
    q = quote()
    client = page_as(sales)
    r = client.post(f"/quotations/{q.pk}/lines/add/", {"product_id": world.plain.pk, "quantity": "50"})
    assert r.status_code == 302
    line = q.lines.get(product=world.plain)
    r = client.post(
        f"/quotations/{q.pk}/lines/{line.pk}/", {"material_cost": "2", "run_cost": "1", "setup_cost": "100"}
    )
    assert r.status_code == 302
    line.refresh_from_db()
    assert (line.material_cost, line.setup_cost) == (Decimal("2.0000"), Decimal("100.00"))
    ProcessingRate.objects.filter(work_centre=world.sew).update(hourly_rate=60)
    first = q.lines.get(product=world.product)
    client.post(f"/quotations/{q.pk}/lines/{first.pk}/refresh/")
    first.refresh_from_db()
    assert first.run_cost == Decimal("6.5000")
    client.post(f"/quotations/{q.pk}/lines/{line.pk}/remove/")
    assert q.lines.count() == 1


def test_the_status_buttons_send_accept_and_make_the_order(world, quote, sales, page_as):
    q = quote()
    client = page_as(sales)
    html = client.get(f"/quotations/{q.pk}/").content.decode()
    assert 'data-testid="send-form"' in html
    assert 'data-testid="action-accept"' not in html
    r = client.post(f"/quotations/{q.pk}/send/", {"email": "1", "to": "anna@northwind.example", "lang": "zh"})
    assert r.status_code == 302
    q.refresh_from_db()
    assert q.status == "sent"
    html = client.get(f"/quotations/{q.pk}/").content.decode()
    assert 'data-testid="action-accept"' in html
    assert 'data-testid="action-revise"' in html
    assert "line-form-1" not in html  # read-only now
    client.post(f"/quotations/{q.pk}/accept/")
    q.refresh_from_db()
    assert q.status == "accepted"
    r = client.post(f"/quotations/{q.pk}/to-order/", {"customer_po": "NW-1", "ex_factory_date": "2027-01-15"})
    q.refresh_from_db()
    assert r.status_code == 302
    assert r["Location"] == f"/orders/{q.order_id}/"
    order_page = client.get(r["Location"]).content.decode()
    assert "order-quotation-link" in order_page
    assert q.number in order_page


def test_lose_needs_a_reason_and_revise_opens_the_new_revision(world, quote, sales, page_as):
    q = sent(quote(), sales)
    client = page_as(sales)
    r = client.post(f"/quotations/{q.pk}/lose/", {"lost_reason": ""}, follow=True)
    assert b"Choose why it was lost" in r.content
    r = client.post(f"/quotations/{q.pk}/revise/")
    new = Quotation.objects.get(revision=2)
    assert r["Location"] == f"/quotations/{new.pk}/"
    html = client.get(f"/quotations/{q.pk}/").content.decode()
    assert "superseded-note" in html
    assert new.number in html
    client.post(f"/quotations/{new.pk}/send/", {"email": "0"})
    client.post(f"/quotations/{new.pk}/lose/", {"lost_reason": "competitor", "comment": "went to Vietnam"})
    new.refresh_from_db()
    assert (new.status, new.lost_reason) == ("lost", "competitor")


def test_another_salesperson_sees_but_cannot_change(world, quote, page_as, make_user):
    q = quote()
    other = page_as(make_user(Role.SALES))
    html = other.get(f"/quotations/{q.pk}/").content.decode()
    assert "line-form-1" not in html
    assert "send-form" not in html
    line = q.lines.get()
    other.post(f"/quotations/{q.pk}/lines/{line.pk}/", {"margin_pct": "50"})
    line.refresh_from_db()
    assert line.margin_pct == Decimal("20")
    assert other.get(f"/quotations/{q.pk}/edit/").status_code == 302


def test_the_pdf_pages(world, quote, sales, page_as):
    q = quote()
    client = page_as(sales)
    for lang in ("en", "zh"):
        r = client.get(f"/quotations/{q.pk}/pdf/?lang={lang}")
        assert r.status_code == 200
        assert r.content.startswith(b"%PDF")


def test_the_rates_page(world, manager, sales, page_as):
    assert page_as(sales).post("/quotations/rates/", {f"rate-{world.cut.pk}": "1"}).status_code == 404
    client = page_as(manager)
    r = client.get("/quotations/rates/")
    assert b"rate-CUT" in r.content
    r = client.post(
        "/quotations/rates/",
        {f"rate-{world.cut.pk}": "65", f"rate-{world.sew.pk}": "48", "rate-USD": "7.1", "rate-EUR": "bad"},
    )
    assert r.status_code == 200  # the bad EUR rate is shown
    assert ProcessingRate.objects.get(work_centre=world.cut).hourly_rate == 60
    r = client.post(
        "/quotations/rates/", {f"rate-{world.cut.pk}": "65", f"rate-{world.sew.pk}": "48", "rate-USD": "7.1"}
    )
    assert r.status_code == 302
    assert ProcessingRate.objects.get(work_centre=world.cut).hourly_rate == 65
    # USD 7.1 is this month's row of core's monthly table; the page says so and links to every month's rates
    assert ExchangeRate.objects.get(currency="USD", month=dt.date(2026, 11, 1)).rate == Decimal("7.1")
    html = client.get("/quotations/rates/").content.decode()
    assert 'data-testid="shared-rates-note"' in html
    assert 'href="/reports/exchange-rates/"' in html
    assert 'name="rate-USD" value="7.1"' in html
    assert 'data-testid="rate-month-USD">2026-11<' in html


def test_the_rates_page_shows_an_earlier_months_rate_read_only_to_sales(world, sales, page_as):
    html = page_as(sales).get("/quotations/rates/").content.decode()
    assert 'name="rate-USD"' not in html  # sales read the rates, managers and finance keep them
    assert 'data-testid="rate-month-USD">2026-01<' in html  # January's 7 still applies
    assert 'href="/reports/exchange-rates/"' in html


def test_the_report_page_and_its_excel(world, quote, sales, page_as):
    a, b = sent(quote(), sales), sent(quote(), sales)
    services.accept_quotation(quotation=a, by=sales)
    services.lose_quotation(quotation=b, by=sales, reason="price")
    client = page_as(sales)
    r = client.get("/quotations/report/", {"date_from": "2026-11-01", "date_to": "2026-11-30"})
    html = r.content.decode()
    assert 'data-testid="win-rate">50.0 %' in html
    assert 'data-testid="pareto"' in html
    r = client.get("/quotations/report/", {"date_from": "2026-11-01", "date_to": "2026-11-30", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(r.content)).active.values)
    assert rows[1][1].startswith("C-NW01")
    assert rows[1][2] == 2
    assert rows[-1][0] == "All"


def test_the_customer_file_and_the_dashboard_show_the_quotations(world, quote, sales, page_as, rf):
    from django.template.loader import render_to_string

    from gendan.partners.hub import _providers
    from gendan.quotations.apps import customer_section

    q = sent(quote(), sales)
    assert customer_section in _providers
    request = rf.get("/")
    request.user = sales
    section = customer_section(request, world.customer)
    html = render_to_string(section["template"], {"customer": world.customer, **section["context"]}, request=request)
    assert "customer-quotations" in html
    assert q.number in html
    client = page_as(sales)
    html = client.get("/").content.decode()
    assert "panel-my-quotations" in html
    assert q.number in html
