"""Quotations' services: the cost build-up of a line from its BOM, purchase prices and routing, the defaults, the
changes of a draft, the transitions and their refusals (each changes nothing), revisions, the order made from an
accepted quotation, the nightly expiry, the rates."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from gendan.core import clock
from gendan.core.choices import Role
from gendan.core.exceptions import PermissionDenied, StaleVersion, TransitionNotAllowed, ValidationError
from gendan.core.models import ExchangeRate, ObjectChange
from gendan.quotations import selectors, services
from gendan.quotations.models import ProcessingRate, Quotation, QuotationLine, QuotationMaterial
from gendan.sales.models import Order
from tests.conftest import TODAY
from tests.quotations.conftest import LINE, make_po, sent

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    """Everything a refused command must leave as it was."""
    return (
        list(Quotation.objects.order_by("pk").values()),
        list(QuotationLine.objects.order_by("pk").values()),
        list(QuotationMaterial.objects.order_by("pk").values()),
        ObjectChange.objects.count(),
        Order.objects.count(),
        len(mail.outbox),
    )


# ---- the build-up ---------------------------------------------------------------------------------------------


def test_a_line_is_costed_from_the_bom_the_latest_purchase_price_and_the_routing(world, quote):
    q = quote()
    line = q.lines.get()
    fabric, button = line.materials.order_by("position")
    assert (fabric.unit_price, fabric.source) == (Decimal("10.0000"), "purchase")  # the later of the two POs
    assert "PO-2026-00002" in fabric.source_note
    assert (button.unit_price, button.source) == (Decimal("0.2500"), "material")
    assert line.material_cost == Decimal("16.3000")
    assert (line.run_cost, line.setup_cost) == (Decimal("5.3000"), Decimal("78.00"))
    assert line.unit_price == Decimal("4.41")
    assert line.amount == Decimal("4410.00")
    assert q.total_amount == Decimal("4410.00")
    # the quotation takes the customer's defaults
    assert (q.currency, q.fx_rate, q.incoterm) == ("USD", Decimal("7.000000"), "FOB")
    assert q.payment_terms == world.customer.payment_terms
    assert q.contact == world.contact
    assert q.valid_until == TODAY + dt.timedelta(days=30)
    assert q.number == "QT-2026-00001"


def test_a_draft_or_cancelled_purchase_order_is_no_price_and_a_foreign_one_is_converted(world, quote, manager):
    make_po(world.fabric, "99.00", day=dt.date(2026, 11, 20), status="draft", buyer=manager)
    make_po(world.fabric, "98.00", day=dt.date(2026, 11, 21), status="cancelled", buyer=manager)
    make_po(world.button, "0.05", day=dt.date(2026, 11, 1), currency="USD", buyer=manager)
    prices = selectors.latest_material_prices([world.fabric.pk, world.button.pk])
    assert prices[world.fabric.pk].price == Decimal("10.00")
    assert prices[world.button.pk].price == Decimal("0.3500")  # USD 0.05 at the quoting rate 7
    assert "USD 0.05" in prices[world.button.pk].note


def test_a_price_in_a_currency_without_a_rate_falls_back_to_the_material(world, manager):
    make_po(world.button, "0.05", day=dt.date(2026, 11, 1), currency="EUR", buyer=manager)
    prices = selectors.latest_material_prices([world.button.pk])
    assert (prices[world.button.pk].price, prices[world.button.pk].source) == (Decimal("0.25"), "material")
    # a quotation in EUR converts at its own quoted rate
    prices = selectors.latest_material_prices([world.button.pk], currency="EUR", fx_rate=Decimal("8"))
    assert (prices[world.button.pk].price, prices[world.button.pk].source) == (Decimal("0.4000"), "purchase")


def test_a_material_without_any_price_is_flagged_none(world):
    world.button.purchase_price = 0
    world.button.save()
    assert selectors.latest_material_prices([world.button.pk])[world.button.pk].source == "none"


def test_a_typed_material_price_reprices_the_line_and_says_where_it_came_from(world, quote, sales):
    q = quote()
    line = q.lines.get()
    fabric = line.materials.get(material=world.fabric)
    services.update_line(
        quotation=q, line_id=line.pk, by=sales, data={"materials": [{"id": fabric.pk, "unit_price": "12"}]}
    )
    fabric.refresh_from_db()
    line.refresh_from_db()
    assert (fabric.unit_price, fabric.source) == (Decimal("12.0000"), "manual")
    assert "was 10" in fabric.source_note
    assert line.material_cost == Decimal("19.3600")  # 1.53 × 12 + 1
    assert line.unit_price > Decimal("4.41")


def test_a_product_without_bom_or_routing_has_its_costs_typed_and_breaks_spread_the_typed_setup(world, quote):
    q = quote(
        lines=[
            {
                "product_id": world.plain.pk,
                "quantity": "500",
                "material_cost": "3",
                "run_cost": "1",
                "setup_cost": "500",
                "margin_pct": "0",
                "overhead_pct": "0",
                "breaks": ["1000", "5000"],
            }
        ],
        currency="CNY",
    )
    line = q.lines.get()
    assert q.fx_rate == 1
    assert line.unit_price == Decimal("5.00")  # 3 + 1 + 500 / 500
    assert [(b.quantity, b.unit_price) for b in line.breaks.all()] == [
        (Decimal("1000.000"), Decimal("4.50")),
        (Decimal("5000.000"), Decimal("4.10")),
    ]


def test_a_bom_line_refuses_a_typed_material_cost_and_a_routed_one_a_typed_processing_cost(world, quote, sales):
    q = quote()
    line = q.lines.get()
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        services.update_line(quotation=q, line_id=line.pk, by=sales, data={"material_cost": "1", "run_cost": "2"})
    assert set(err.value.errors) == {"material_cost", "run_cost"}
    assert snapshot() == before
    # sending back the figures as read is no change
    services.update_line(
        quotation=q,
        line_id=line.pk,
        by=sales,
        data={"material_cost": "16.3", "processing_cost": "5.378", "margin_pct": "25"},
    )
    line.refresh_from_db()
    assert line.margin_pct == 25


def test_bad_figures_are_refused_with_their_field_and_change_nothing(world, quote, sales):
    q = quote()
    line = q.lines.get()
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        services.update_line(
            quotation=q,
            line_id=line.pk,
            by=sales,
            data={
                "quantity": "0",
                "margin_pct": "96",
                "overhead_pct": "-1",
                "packaging_cost": "abc",
                "freight_cost": "0.00001",
                "breaks": ["1000", "2000", "2000"],
                "price_override": "-3",
            },
        )
    assert set(err.value.errors) == {
        "quantity",
        "margin_pct",
        "overhead_pct",
        "packaging_cost",
        "freight_cost",
        "breaks[2]",
        "price_override",
    }
    assert snapshot() == before


def test_a_price_override_keeps_the_computed_price(world, quote, sales):
    q = quote()
    line = q.lines.get()
    services.update_line(quotation=q, line_id=line.pk, by=sales, data={"price_override": "4.25"})
    line.refresh_from_db()
    q.refresh_from_db()
    assert (line.unit_price, line.quoted_price, line.amount) == (Decimal("4.41"), Decimal("4.2500"), Decimal("4250.00"))
    assert q.total_amount == Decimal("4250.00")
    services.update_line(quotation=q, line_id=line.pk, by=sales, data={"price_override": ""})
    line.refresh_from_db()
    assert line.price_override is None


def test_a_new_rate_reprices_every_line_and_jpy_has_no_decimals(world, quote, sales):
    q = quote()
    q = services.update_quotation(quotation=q, by=sales, data={"currency": "JPY", "fx_rate": "0.0478"}, version=1)
    line = q.lines.get()
    assert line.unit_price == Decimal("646")  # 30.8698 / 0.0478 = 645.8…
    assert q.total_amount == Decimal("646000.00")


def test_new_lines_take_the_previous_lines_overheads_and_margin(world, quote, sales):
    q = quote()
    line = services.add_line(quotation=q, by=sales, data={"product_id": world.plain.pk, "quantity": "10"})
    assert (line.overhead_pct, line.margin_pct, line.position) == (Decimal("10.00"), Decimal("20.00"), 2)


def test_lines_are_replaced_whole_through_update(world, quote, sales):
    q = quote()
    first = q.lines.get()
    q = services.update_quotation(
        quotation=q,
        by=sales,
        data={},
        version=q.version,
        lines=[{"product_id": world.plain.pk, "quantity": "5", "material_cost": "2"}],
    )
    assert list(q.lines.values_list("product__code", flat=True)) == ["GIFT-01"]
    assert not QuotationLine.objects.filter(pk=first.pk).exists()
    assert ObjectChange.objects.filter(action="delete", object_id=first.pk).exists()


def test_a_missing_rate_is_a_warning_not_a_refusal(world, quote):
    ProcessingRate.objects.filter(work_centre=world.sew).delete()
    line = quote().lines.get()
    sew = line.operations.get(work_centre=world.sew)
    assert (sew.has_rate, sew.hourly_rate) == (False, 0)
    assert line.run_cost == Decimal("0.5000")


# ---- header and permissions -------------------------------------------------------------------------------------


def test_a_currency_without_quoting_rate_needs_the_rate(world, quote):
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        quote(currency="EUR")
    assert "fx_rate" in err.value.errors
    assert snapshot() == before
    q = quote(currency="EUR", fx_rate="7.75")
    assert q.fx_rate == Decimal("7.75")


def test_header_refusals(world, quote, make_user):
    other = make_user(Role.MERCHANDISER)
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        quote(
            currency="CNY",
            fx_rate="7",
            valid_until="2026-11-01",
            incoterm="XXX",
            contact_id=999999,
            salesperson=other.username,
            lead_time_days="-3",
        )
    assert set(err.value.errors) == {
        "fx_rate",
        "valid_until",
        "incoterm",
        "contact_id",
        "salesperson",
        "lead_time_days",
    }
    assert snapshot() == before


def test_only_the_salesperson_or_a_manager_changes_a_quotation(world, quote, make_user, manager):
    q = quote()
    colleague = make_user(Role.SALES)
    viewer = make_user(Role.FINANCE)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.update_quotation(quotation=q, by=colleague, data={"notes": "x"})
    with pytest.raises(PermissionDenied):
        services.create_quotation(by=viewer, data={"customer_id": world.customer.pk})
    assert snapshot() == before
    services.update_quotation(quotation=q, by=manager, data={"notes": "checked"})


def test_a_stale_version_is_refused(world, quote, sales):
    q = quote()
    line = q.lines.get()
    services.update_line(quotation=q, line_id=line.pk, by=sales, data={"margin_pct": "22"}, version=1)
    before = snapshot()
    with pytest.raises(StaleVersion):
        services.update_line(quotation=q, line_id=line.pk, by=sales, data={"margin_pct": "30"}, version=1)
    assert snapshot() == before


# ---- transitions ------------------------------------------------------------------------------------------------


def test_send_e_mails_the_pdf_to_the_contact_and_records_it(world, quote, sales):
    q = quote()
    q = services.send_quotation(quotation=q, by=sales, lang="en", message="Please find our offer.")
    assert q.status == "sent"
    assert q.sent_to == "anna@northwind.example"
    (message,) = mail.outbox
    assert message.to == ["anna@northwind.example"]
    name, content, kind = message.attachments[0]
    assert (name, kind) == (f"{q.number}.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    assert ObjectChange.objects.filter(object_id=q.pk, action="transition").exists()


def test_a_quotation_without_a_price_or_past_its_validity_is_not_sent(world, quote, sales):
    unpriced = quote(lines=[{"product_id": world.plain.pk, "quantity": "5"}])
    empty = quote(lines=[])
    priced = quote()
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        services.send_quotation(quotation=unpriced, by=sales, email=False)
    assert "lines" in err.value.errors
    with pytest.raises(ValidationError):
        services.send_quotation(quotation=empty, by=sales, to=["a@b.example"])
    with pytest.raises(ValidationError) as err:
        services.send_quotation(quotation=priced, by=sales, to=["not an address"])
    assert "to" in err.value.errors
    Quotation.objects.filter(pk=priced.pk).update(valid_until=dt.date(2026, 11, 23))
    with pytest.raises(ValidationError) as err:
        services.send_quotation(quotation=priced, by=sales, email=False)
    assert "valid_until" in err.value.errors
    Quotation.objects.filter(pk=priced.pk).update(valid_until=dt.date(2026, 12, 24))
    assert snapshot() == before


def test_accept_lose_and_their_refusals(world, quote, sales):
    q = quote()
    before = snapshot()
    with pytest.raises(TransitionNotAllowed):
        services.accept_quotation(quotation=q, by=sales)  # still a draft
    assert snapshot() == before
    q = sent(q, sales)
    with pytest.raises(ValidationError) as err:
        services.lose_quotation(quotation=q, by=sales, reason="other")
    assert "comment" in err.value.errors
    with pytest.raises(ValidationError):
        services.lose_quotation(quotation=q, by=sales, reason="cheaper")
    q = services.accept_quotation(quotation=q, by=sales)
    assert (q.status, q.decided_date) == ("accepted", TODAY)
    with pytest.raises(TransitionNotAllowed):
        services.lose_quotation(quotation=q, by=sales, reason="price")
    with pytest.raises(TransitionNotAllowed):
        services.update_line(quotation=q, line_id=q.lines.get().pk, by=sales, data={"margin_pct": "1"})


def test_a_sent_quotation_past_its_validity_reads_expired_and_the_job_marks_it(world, quote, sales):
    q = sent(quote(valid_until="2026-11-30"), sales)
    with clock.frozen(dt.date(2026, 12, 1)):
        assert selectors.get_quotation(q.pk).current_status == "expired"
        assert list(selectors.quotation_list(status="expired")) == [q]
        with pytest.raises(TransitionNotAllowed) as err:
            services.accept_quotation(quotation=q, by=sales)
        assert "revise" in str(err.value)
        assert services.expire_quotations() == 1
        assert services.expire_quotations() == 0
    q.refresh_from_db()
    assert q.status == "expired"
    lost = services.lose_quotation(quotation=q, by=sales, reason="no_response")
    assert lost.lost_reason == "no_response"


def test_revise_makes_the_next_revision_and_supersedes_the_sent_one(world, quote, sales):
    q = sent(quote(lines=[{"product_id": world.product.pk, **LINE, "breaks": ["5000"]}]), sales)
    new = services.revise_quotation(quotation=q, by=sales)
    q.refresh_from_db()
    assert (q.status, new.status, new.number, new.revision) == ("superseded", "draft", "QT-2026-00001-R2", 2)
    assert new.previous == q
    line = new.lines.get()
    assert line.materials.count() == 2
    assert line.operations.count() == 2
    assert [b.quantity for b in line.breaks.all()] == [Decimal("5000.000")]
    assert new.total_amount == q.total_amount
    with pytest.raises(TransitionNotAllowed):
        services.revise_quotation(quotation=q, by=sales)  # only the latest
    with pytest.raises(TransitionNotAllowed):
        services.update_line(quotation=q, line_id=q.lines.get().pk, by=sales, data={"margin_pct": "1"})
    third = services.revise_quotation(quotation=sent(new, sales), by=sales)
    assert third.number == "QT-2026-00001-R3"


def test_an_accepted_quotation_becomes_a_draft_order_once(world, quote, sales, manager):
    q = quote(
        lines=[{"product_id": world.product.pk, **LINE, "breaks": ["5000"]}],
        incoterm_place="Ningbo",
    )
    q = services.accept_quotation(quotation=sent(q, sales), by=sales)
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        services.quotation_to_order(quotation=q, by=sales, lines=[{"line_id": q.lines.get().pk, "quantity": "999"}])
    assert "lines[0].quantity" in err.value.errors  # below the smallest quoted quantity
    assert snapshot() == before
    order = services.quotation_to_order(
        quotation=q, by=sales, customer_po="PO-88", lines=[{"line_id": q.lines.get().pk, "quantity": "6000"}]
    )
    (line,) = order.lines.all()
    assert (order.status, order.currency, order.incoterm, order.incoterm_place) == ("draft", "USD", "FOB", "Ningbo")
    assert (order.customer_po, order.payment_terms) == ("PO-88", q.payment_terms)
    assert order.ex_factory_date == TODAY + dt.timedelta(days=45)
    assert (line.quantity, line.unit_price) == (Decimal("6000.000"), Decimal("4.4000"))  # the 5,000 break's price
    assert order.merchandiser == world.customer.merchandiser or order.merchandiser == sales
    q.refresh_from_db()
    assert q.order == order
    assert order.quotation == q
    with pytest.raises(TransitionNotAllowed):
        services.quotation_to_order(quotation=q, by=sales)


def test_only_an_accepted_quotation_becomes_an_order(world, quote, sales):
    q = sent(quote(), sales)
    before = snapshot()
    with pytest.raises(TransitionNotAllowed):
        services.quotation_to_order(quotation=q, by=sales)
    assert snapshot() == before


# ---- rates ------------------------------------------------------------------------------------------------------


def test_rates_are_kept_by_managers_only(world, manager, sales):
    with pytest.raises(PermissionDenied):
        services.save_processing_rates(by=sales, rates={world.cut.pk: "70"})
    assert services.save_processing_rates(by=manager, rates={world.cut.pk: "70", world.sew.pk: ""}) == 2
    assert selectors.processing_rates() == {world.cut.pk: Decimal("70.00")}
    with pytest.raises(ValidationError):
        services.save_exchange_rates(by=manager, rates={"EUR": "-1"})
    assert services.save_exchange_rates(by=manager, rates={"EUR": "7.75", "USD": "7.1"}) == 2
    assert selectors.exchange_rates()["EUR"] == Decimal("7.75")
    with pytest.raises(PermissionDenied):
        services.save_exchange_rates(by=sales, rates={"EUR": "7.8"})


def test_the_exchange_rates_are_this_months_rows_of_cores_monthly_table(world, manager):
    """USD has only January's 7 (the fixture): the page's figures are this month's rows in core's table."""
    november = dt.date(2026, 11, 1)
    assert selectors.exchange_rates() == {"CNY": Decimal(1), "USD": Decimal("7.000000")}
    # the earlier month's rate shown and saved unchanged, a blank where there is no rate: nothing stored
    assert services.save_exchange_rates(by=manager, rates={"USD": "7", "EUR": ""}) == 0
    assert list(ExchangeRate.objects.values_list("currency", "month")) == [("USD", dt.date(2026, 1, 1))]
    # a different figure becomes this month's row; January's stays for the months it covers
    assert services.save_exchange_rates(by=manager, rates={"USD": "7.1", "EUR": "7.75"}) == 2
    rows = ExchangeRate.objects.filter(month=november).order_by("currency")
    assert [(r.currency, r.rate, r.updated_by) for r in rows] == [
        ("EUR", Decimal("7.750000"), manager),
        ("USD", Decimal("7.100000"), manager),
    ]
    assert ExchangeRate.objects.get(currency="USD", month=dt.date(2026, 1, 1)).rate == Decimal("7")
    # saved again: this month's row changes (a new version); a blank removes it and January's applies again
    assert services.save_exchange_rates(by=manager, rates={"USD": "7.2"}) == 1
    assert ExchangeRate.objects.get(currency="USD", month=november).version == 2
    assert services.save_exchange_rates(by=manager, rates={"USD": ""}) == 1
    assert selectors.exchange_rates()["USD"] == Decimal("7")
    assert not ExchangeRate.objects.filter(currency="USD", month=november).exists()
    # every write is audited on core's rows
    actions = ObjectChange.objects.filter(content_type__app_label="core", content_type__model="exchangerate")
    assert sorted(actions.values_list("action", flat=True)) == ["create", "create", "delete", "update"]


def test_a_bad_exchange_rate_changes_nothing(world, manager):
    before = list(ExchangeRate.objects.values_list("currency", "month", "rate", "version"))
    with pytest.raises(ValidationError) as caught:
        services.save_exchange_rates(by=manager, rates={"USD": "7.3", "EUR": "1.1234567", "XXX": "1"})
    assert set(caught.value.errors) == {"rate-EUR", "rate-XXX"}
    assert list(ExchangeRate.objects.values_list("currency", "month", "rate", "version")) == before


def test_refresh_takes_todays_prices_and_rates(world, quote, sales, manager):
    q = quote()
    line = q.lines.get()
    services.save_processing_rates(by=manager, rates={world.sew.pk: "60"})
    make_po(world.fabric, "11.00", day=dt.date(2026, 11, 20), buyer=manager)
    services.refresh_line(quotation=q, line_id=line.pk, by=sales)
    line.refresh_from_db()
    assert line.material_cost == Decimal("17.8300")  # 1.53 × 11 + 1
    assert line.run_cost == Decimal("6.5000")  # (30 + 360) / 60
